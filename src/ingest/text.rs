//! Plain text: encoding detection and decoding.
//!
//! Unicode with a BOM (UTF-8, UTF-16 LE/BE) is taken at its word. Otherwise valid UTF-8 is
//! UTF-8, unless it is the Windows-1252 reading of a legacy Vietnamese font encoding
//! ("mojibake", e.g. `KÕ ho¹ch`), which is converted. Bytes that are not UTF-8 are tried
//! as Windows-1258, TCVN3 (ABC) and VNI ([`super::legacy`]); the most Vietnamese-looking
//! decoding wins, and text that looks like none of them is an error.

use super::legacy::{self, Legacy};
use super::Format;
use unicode_normalization::is_nfc;

const ALL_LEGACY: [Legacy; 3] = [Legacy::Windows1258, Legacy::Tcvn3, Legacy::Vni];

/// Decodes text bytes; returns the text and the name of the encoding found.
pub fn decode(bytes: &[u8]) -> Result<(String, String), String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest)
            .map(|s| (s.to_string(), "utf-8-bom".to_string()))
            .map_err(|at| format!("invalid UTF-8 at byte {}", at + 3));
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
    match utf8(bytes) {
        Ok(s) => Ok(utf8_text(s)),
        Err(at) => match legacy::detect(bytes, &ALL_LEGACY) {
            Some((enc, text, _)) => Ok((text, enc.name().to_string())),
            None => Err(format!("invalid UTF-8 at byte {at}, and not Windows-1258, TCVN3 or VNI Vietnamese text either")),
        },
    }
}

/// `bytes` as UTF-8, or the offset of the first byte that is not. Validated by simdutf8
/// (several times faster than std on Vietnamese text, where few bytes are ASCII); the
/// offset of an error comes from std, on that rare path only.
fn utf8(bytes: &[u8]) -> Result<&str, usize> {
    simdutf8::basic::from_utf8(bytes).map_err(|_| std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len()))
}

/// Valid BOM-less UTF-8 text and its encoding name: legacy text mangled through
/// Windows-1252 is undone; otherwise the text is kept.
fn utf8_text(s: &str) -> (String, String) {
    if let Some((enc, text)) = undo_mojibake(s) {
        return (text, format!("utf-8+{}", enc.name()));
    }
    let name = if is_nfc_fast(s) { "utf-8" } else { "utf-8-nfd" };
    (s.to_string(), name.to_string())
}

/// Chars that are NFC in any context (quick-check Yes, combining class 0): Latin-1, Latin
/// Extended-A/B and Latin Extended Additional (the Vietnamese letters among them). A test checks
/// every char of these ranges.
#[cfg_attr(not(test), allow(dead_code))] // the byte loop of `is_nfc_fast` spells these ranges out
const NFC_SAFE: [(char, char); 2] = [('\0', '\u{2FF}'), ('\u{1E00}', '\u{1EFF}')];

/// [`is_nfc`]: its quick check in one loop that knows the [`NFC_SAFE`] chars without a
/// table look-up (most chars of Vietnamese text), and the full check only where the quick
/// one cannot tell.
fn is_nfc_fast(s: &str) -> bool {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    let mut last_cc = 0;
    let mut maybe = false;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Eight bytes at a time (nine read, for the byte after them): bytes below 0xCC are
        // ASCII, continuation bytes and lead bytes of U+0080..=U+02FF, and an E1 before
        // B8..=BB starts a char of U+1E00..=U+1EFF: all NFC_SAFE chars. `high` has bit 7 of
        // each byte that is 0xCC or above (bit 7 set and its low bits + 0x34 reaching 0x80;
        // no carry crosses bytes), `latin` of each such E1 (`zero`: bytes that are zero,
        // exactly), so most Vietnamese letters no longer stop the step. Skipping may stop
        // inside a char: its continuation bytes are taken as safe below.
        if let Some(chunk) = b.get(i..i + 9) {
            const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
            const HIGH: u64 = 0x8080_8080_8080_8080;
            let x = u64::from_le_bytes(chunk[..8].try_into().expect("eight bytes"));
            let next = u64::from_le_bytes(chunk[1..].try_into().expect("eight bytes"));
            let zero = |y: u64| !(((y & LOW7) + LOW7) | y) & HIGH;
            let high = ((x & LOW7) + 0x3434_3434_3434_3434) & x & HIGH;
            let latin = zero(x ^ 0xE1E1_E1E1_E1E1_E1E1) & zero((next & 0xFCFC_FCFC_FCFC_FCFC) ^ 0xB8B8_B8B8_B8B8_B8B8);
            let stop = high & !latin;
            let skip = if stop == 0 { 8 } else { (stop.trailing_zeros() / 8) as usize };
            if skip > 0 {
                i += skip;
                last_cc = 0;
                continue;
            }
        }
        // The NFC_SAFE chars by their UTF-8 bytes, with no char decode: ASCII, a lead byte
        // below 0xCC (U+0080..=U+02FF), or E1 B8..=BB (U+1E00..=U+1EFF); or a continuation
        // byte of a char the eight-byte step stopped in.
        let lead = b[i];
        let safe_len = if lead < 0xC0 {
            1
        } else if lead < 0xCC {
            2
        } else if lead == 0xE1 && matches!(b[i + 1], 0xB8..=0xBB) {
            3
        } else {
            0
        };
        if safe_len > 0 {
            i += safe_len;
            last_cc = 0;
            continue;
        }
        let ch = s[i..].chars().next().expect("a char starts here");
        i += ch.len_utf8();
        // The quick check's step for one char (see `unicode_normalization::quick_check`).
        let cc = canonical_combining_class(ch);
        if last_cc > cc && cc != 0 {
            return false;
        }
        match is_nfc_quick(std::iter::once(ch)) {
            IsNormalized::Yes => {}
            IsNormalized::No => return false,
            IsNormalized::Maybe => maybe = true,
        }
        last_cc = cc;
    }
    !maybe || is_nfc(s)
}

/// Text taken from a PDF or DOCX may be a legacy font encoding too (runs in .VnTime or
/// VNI-Times); converts it if so. Returns the text and the encoding name.
pub fn undo_mojibake_of_extracted(text: String) -> (String, String) {
    match undo_mojibake(&text) {
        Some((enc, converted)) => (converted, enc.name().to_string()),
        None => (text, "utf-8".to_string()),
    }
}

/// Valid UTF-8 whose chars are all the Windows-1252 image of bytes, and which reads as
/// much better Vietnamese when those bytes are decoded as a legacy encoding.
fn undo_mojibake(text: &str) -> Option<(Legacy, String)> {
    if text.is_ascii() {
        return None;
    }
    let bytes = legacy::cp1252_bytes(text)?;
    let (enc, decoded, score) = legacy::detect(&bytes, &ALL_LEGACY)?;
    if enc == Legacy::Windows1258 && decoded == text {
        return None;
    }
    (score > legacy::vietnamese_score(text) + 2).then_some((enc, decoded))
}

fn decode_utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
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
    // No tab and no pipe anywhere (two fast searches): no table line, and the lines need
    // not be read.
    if !text.contains('\t') && !text.contains('|') {
        return Format::Text;
    }
    // Two table lines decide: the search stops at the second.
    let second_table_line = text
        .lines()
        .take(5000)
        .filter(|l| l.matches('\t').count() >= 2 || (l.trim_start().starts_with('|') && l.matches('|').count() >= 3))
        .nth(1);
    if second_table_line.is_some() {
        Format::Markdown
    } else {
        Format::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{is_nfc_quick, IsNormalized};

    #[test]
    fn nfc_safe_chars_are_nfc_anywhere() {
        for (lo, hi) in NFC_SAFE {
            for c in (lo as u32..=hi as u32).filter_map(char::from_u32) {
                assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "U+{:04X}", c as u32);
                assert_eq!(canonical_combining_class(c), 0, "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn fast_nfc_check_is_is_nfc() {
        let mut texts: Vec<String> = crate::normalize::restore::TRAINING_TEXTS.iter().map(|t| t.to_string()).collect();
        texts.extend(["", "a", "Hòa", "Ho\u{300}a", "\u{300}", "a\u{2000}b", "Å", "\u{212B}", "x\u{1E9B}\u{323}", "“Việt” – 5‰"].map(String::from));
        // Both sides of the byte ranges the fast loop knows.
        texts.extend(["\u{2FF}\u{300}", "\u{300}\u{2FF}", "x\u{1E9F}\u{323}", "\u{1EA0}\u{323}\u{300}", "\u{1EF9}\u{301}\u{323}", "\u{1EFA}\u{301}", "\u{1EBF}\u{1EC0}\u{31B}"].map(String::from));
        // Both sides of U+1E00..=U+1EFF (E1 B8..=BB), at every place of the eight-byte step.
        for pad in 0..10 {
            let x = "x".repeat(pad);
            for c in ["\u{1DFF}", "\u{1E00}", "\u{1EFF}", "\u{1F00}", "\u{1DC0}", "\u{1680}", "\u{1E9B}"] {
                texts.extend(["\u{301}", "\u{323}\u{300}", "\u{345}", "a"].map(|m| format!("{x}{c}{m}ệ{c}{m}")));
            }
        }
        // Longer texts (the eight-byte step), with a char that is not NFC at each place.
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let t = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
            let head: String = t.chars().take(300).collect();
            texts.push(head.clone());
            for (k, (at, _)) in head.char_indices().enumerate().take(40) {
                texts.push(format!("{}\u{301}{}", &head[..at], &head[at..]));
                texts.push(format!("{}\u{212B}{}", &head[..at], &head[at..]));
                if k < 20 {
                    texts.push(format!("{}\u{323}\u{301}{}", &head[..at], &head[at..]));
                }
            }
            texts.push(t);
        }
        for t in &texts {
            assert_eq!(is_nfc_fast(t), is_nfc(t), "{t:?}");
        }
    }

    /// The format as sniffed by testing every line in full, for texts with and without tabs and pipes.
    #[test]
    fn sniff_without_tab_or_pipe_is_the_reference() {
        let reference = |text: &str| {
            let n = text
                .lines()
                .take(5000)
                .filter(|l| l.matches('\t').count() >= 2 || (l.trim_start().starts_with('|') && l.matches('|').count() >= 3))
                .count();
            if n >= 2 { Format::Markdown } else { Format::Text }
        };
        let mut texts: Vec<String> =
            ["", "a\tb\tc\nd\te\tf", "| a | b |\n| c | d |", "a|b", "x\ty", "\u{3000}| a | b |\r\n | c | d |\r\n", "a\t\tb\nx\n\tc\td"].map(String::from).to_vec();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
        }
        for t in &texts {
            assert_eq!(sniff_text_format(t), reference(t));
        }
    }

    /// The simdutf8 check says what std says, with std's error offset.
    #[test]
    fn utf8_is_std_from_utf8() {
        let mut inputs: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"plain ascii".to_vec(),
            "K\u{1EBF} ho\u{1EA1}ch".as_bytes().to_vec(),
            b"K\xD5 ho\xB9ch".to_vec(),
            b"\xFF\xFF not utf8".to_vec(),
            b"ok \xE1\xBA".to_vec(),
            b"ok \xF0\x9F\x98\x80 \xED\xA0\x80".to_vec(),
        ];
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let b = std::fs::read(entry.unwrap().path()).unwrap();
            // The file, and the file cut inside a char.
            inputs.push(b[..b.len() / 2 + 1].to_vec());
            inputs.push(b);
        }
        for b in inputs {
            assert_eq!(utf8(&b), std::str::from_utf8(&b).map_err(|e| e.valid_up_to()), "{:?}", String::from_utf8_lossy(&b[..b.len().min(40)]));
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_nfc_check_is_is_nfc_on_longer_text(s in "[aeoyAÅđêƯ \u{300}\u{301}\u{302}\u{323}\u{31b}\u{2ff}\u{1dff}\u{1e00}\u{1eff}\u{1f00}\u{1f01}\u{1e9f}\u{1ea0}\u{1ef9}\u{1efa}\u{212B}ệờ“\u{0f73}\u{0f71}]{0,40}") {
            proptest::prop_assert_eq!(is_nfc_fast(&s), is_nfc(&s));
        }

        #[test]
        fn fast_nfc_check_is_is_nfc_on_any_text(s in "[aeoyAÅ \u{300}\u{301}\u{302}\u{323}\u{31b}\u{340}\u{344}\u{1100}\u{1161}\u{212B}\u{2000}\u{2026}ệờ“≥\u{0f73}\u{0f71}\u{0f72}\u{5b0}\u{5b1}]{0,8}") {
            proptest::prop_assert_eq!(is_nfc_fast(&s), is_nfc(&s));
        }
    }
}
