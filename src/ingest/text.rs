//! Plain text: encoding detection and decoding.

use super::Format;

/// Decodes text bytes; returns the text and the name of the encoding found.
pub fn decode(bytes: &[u8]) -> Result<(String, String), String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "utf-8-bom".to_string()))
            .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to() + 3));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(rest, u16::from_le_bytes).map(|s| (s, "utf-16le".into()));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(rest, u16::from_be_bytes).map(|s| (s, "utf-16be".into()));
    }
    if looks_binary(bytes) {
        return Err("binary data, not text".into());
    }
    std::str::from_utf8(bytes)
        .map(|s| (s.to_string(), "utf-8".to_string()))
        .map_err(|e| format!("invalid UTF-8 at byte {}", e.valid_up_to()))
}

fn decode_utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> Result<String, String> {
    if bytes.len() % 2 != 0 {
        return Err("UTF-16 text with an odd number of bytes".into());
    }
    let units = bytes.chunks_exact(2).map(|c| read([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|e| format!("invalid UTF-16: unpaired surrogate {:#x}", e.unpaired_surrogate()))
}

/// NUL bytes or many control characters in the first 8 KiB mean binary data.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)))
        .count();
    head.contains(&0) || controls * 20 > head.len()
}

/// Text with tab-separated or markdown pipe tables is "markdown"; otherwise "text".
pub fn sniff_text_format(text: &str) -> Format {
    let table_lines = text
        .lines()
        .take(5000)
        .filter(|l| l.matches('\t').count() >= 2 || (l.trim_start().starts_with('|') && l.matches('|').count() >= 3))
        .count();
    if table_lines >= 2 {
        Format::Markdown
    } else {
        Format::Text
    }
}
