//! Legacy Vietnamese 8-bit encodings: TCVN3 (ABC) and VNI, plus Windows-1258.
//!
//! Old government files were typed with font-based encodings: the bytes are Latin-1-ish
//! codes that a special font (".VnTime" for TCVN3, "VNI-Times" for VNI) draws as
//! Vietnamese letters. They reach us either as raw bytes (a `.txt` saved in the legacy
//! code) or as "mojibake" Unicode: the Windows-1252 reading of those bytes (a Word file
//! whose runs use the legacy font). Both are detected by decoding under each candidate and
//! scoring how Vietnamese the result looks; see [`detect`].
//!
//! Character tables. Source: the published code charts of TCVN 5712:1993 "VN3" (the ABC
//! set used by the .VnTime fonts) and of VNI for Windows (VNI-Times), as implemented by the
//! usual converters (Unikey, the `vietnamese-conversion` npm package); checked here by the
//! round-trip tests at the bottom and by `fixtures/formats/enc_*.txt`.
//!
//! * TCVN3 has one byte per lowercase letter (toned or not) and bytes for the seven
//!   uppercase letters Ă Â Ê Ô Ơ Ư Đ. Uppercase toned letters have no code: text set in
//!   the all-caps font (.VnTimeH) uses the lowercase codes, and converters write an
//!   uppercase toned letter as its uppercase base followed by the lowercase toned code
//!   ("U" + "ủ" for "Ủ"). The decoder merges that pair back into one capital.
//! * VNI writes a letter as its base byte followed by a modifier byte that adds the
//!   shape mark (circumflex, breve) and/or tone. A few letters have their own byte
//!   (ơ ư đ, i with tones, ỵ).

use unicode_normalization::UnicodeNormalization;

/// TCVN3 (ABC) bytes 0xA1..=0xFF → Unicode; `'\0'` = unassigned.
const TCVN3_HIGH: [(u8, char); 96] = [
    (0xA1, 'Ă'), (0xA2, 'Â'), (0xA3, 'Ê'), (0xA4, 'Ô'), (0xA5, 'Ơ'), (0xA6, 'Ư'), (0xA7, 'Đ'),
    (0xA8, 'ă'), (0xA9, 'â'), (0xAA, 'ê'), (0xAB, 'ô'), (0xAC, 'ơ'), (0xAD, 'ư'), (0xAE, 'đ'),
    (0xAF, '\0'), (0xB0, '\0'), (0xB1, '\0'), (0xB2, '\0'), (0xB3, '\0'), (0xB4, '\0'),
    (0xB5, 'à'), (0xB6, 'ả'), (0xB7, 'ã'), (0xB8, 'á'), (0xB9, 'ạ'), (0xBA, '\0'),
    (0xBB, 'ằ'), (0xBC, 'ẳ'), (0xBD, 'ẵ'), (0xBE, 'ắ'), (0xBF, '\0'),
    (0xC0, '\0'), (0xC1, '\0'), (0xC2, '\0'), (0xC3, '\0'), (0xC4, '\0'), (0xC5, '\0'),
    (0xC6, 'ặ'), (0xC7, 'ầ'), (0xC8, 'ẩ'), (0xC9, 'ẫ'), (0xCA, 'ấ'), (0xCB, 'ậ'),
    (0xCC, 'è'), (0xCD, '\0'), (0xCE, 'ẻ'), (0xCF, 'ẽ'), (0xD0, 'é'), (0xD1, 'ẹ'),
    (0xD2, 'ề'), (0xD3, 'ể'), (0xD4, 'ễ'), (0xD5, 'ế'), (0xD6, 'ệ'),
    (0xD7, 'ì'), (0xD8, 'ỉ'), (0xD9, '\0'), (0xDA, '\0'), (0xDB, '\0'), (0xDC, 'ĩ'), (0xDD, 'í'), (0xDE, 'ị'),
    (0xDF, 'ò'), (0xE0, '\0'), (0xE1, 'ỏ'), (0xE2, 'õ'), (0xE3, 'ó'), (0xE4, 'ọ'),
    (0xE5, 'ồ'), (0xE6, 'ổ'), (0xE7, 'ỗ'), (0xE8, 'ố'), (0xE9, 'ộ'),
    (0xEA, 'ờ'), (0xEB, 'ở'), (0xEC, 'ỡ'), (0xED, 'ớ'), (0xEE, 'ợ'),
    (0xEF, 'ù'), (0xF0, '\0'), (0xF1, 'ủ'), (0xF2, 'ũ'), (0xF3, 'ú'), (0xF4, 'ụ'),
    (0xF5, 'ừ'), (0xF6, 'ử'), (0xF7, 'ữ'), (0xF8, 'ứ'), (0xF9, 'ự'),
    (0xFA, 'ỳ'), (0xFB, 'ỷ'), (0xFC, 'ỹ'), (0xFD, 'ý'), (0xFE, 'ỵ'), (0xFF, '\0'),
    (0x00, '\0'), // padding, never looked up (0xA0 is a no-break space, passed through)
];

fn tcvn3_char(b: u8) -> Option<char> {
    if b < 0xA1 {
        return None;
    }
    let (code, c) = TCVN3_HIGH[(b - 0xA1) as usize];
    debug_assert_eq!(code, b);
    (c != '\0').then_some(c)
}

const CIRCUMFLEX: char = '\u{0302}';
const BREVE: char = '\u{0306}';
const GRAVE: char = '\u{0300}';
const ACUTE: char = '\u{0301}';
const HOOK: char = '\u{0309}';
const TILDE: char = '\u{0303}';
const DOT: char = '\u{0323}';

/// VNI modifier bytes (lowercase form; the uppercase form is the byte minus 0x20):
/// (byte, shape mark, tone mark).
const VNI_MODIFIERS: [(u8, Option<char>, Option<char>); 17] = [
    (0xF8, None, Some(GRAVE)),          // ø
    (0xF9, None, Some(ACUTE)),          // ù
    (0xFB, None, Some(HOOK)),           // û
    (0xF5, None, Some(TILDE)),          // õ
    (0xEF, None, Some(DOT)),            // ï
    (0xE2, Some(CIRCUMFLEX), None),     // â
    (0xE1, Some(CIRCUMFLEX), Some(ACUTE)), // á
    (0xE0, Some(CIRCUMFLEX), Some(GRAVE)), // à
    (0xE5, Some(CIRCUMFLEX), Some(HOOK)),  // å
    (0xE3, Some(CIRCUMFLEX), Some(TILDE)), // ã
    (0xE4, Some(CIRCUMFLEX), Some(DOT)),   // ä
    (0xEA, Some(BREVE), None),          // ê
    (0xE9, Some(BREVE), Some(ACUTE)),   // é
    (0xE8, Some(BREVE), Some(GRAVE)),   // è
    (0xFA, Some(BREVE), Some(HOOK)),    // ú
    (0xFC, Some(BREVE), Some(TILDE)),   // ü
    (0xEB, Some(BREVE), Some(DOT)),     // ë
];

/// VNI bytes that are letters on their own (lowercase; uppercase = byte − 0x20).
const VNI_LETTERS: [(u8, char); 9] = [
    (0xF4, 'ơ'), // ô
    (0xF6, 'ư'), // ö
    (0xF1, 'đ'), // ñ
    (0xEC, 'ì'),
    (0xED, 'í'),
    (0xF3, 'ĩ'), // ó
    (0xF2, 'ị'), // ò
    (0xE6, 'ỉ'), // æ
    (0xEE, 'ỵ'), // î
];

fn vni_modifier(b: u8) -> Option<(Option<char>, Option<char>)> {
    let lower = if (0xC0..0xE0).contains(&b) && b != 0xD7 { b + 0x20 } else { b };
    VNI_MODIFIERS.iter().find(|m| m.0 == lower).map(|m| (m.1, m.2))
}

fn vni_letter(b: u8) -> Option<char> {
    let (lower, upper) = if (0xC0..0xE0).contains(&b) && b != 0xD7 { (b + 0x20, true) } else { (b, false) };
    let c = VNI_LETTERS.iter().find(|m| m.0 == lower)?.1;
    Some(if upper { c.to_uppercase().next().unwrap_or(c) } else { c })
}

/// Windows-1252 reading of one byte (what a legacy-font byte looks like as Unicode).
fn cp1252_char(b: u8) -> char {
    static HIGH: once_cell::sync::Lazy<Vec<char>> = once_cell::sync::Lazy::new(|| {
        let bytes: Vec<u8> = (0x80..=0xFF).collect();
        let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
        s.chars().collect()
    });
    if b < 0x80 {
        return b as char;
    }
    HIGH.get((b - 0x80) as usize).copied().unwrap_or(b as char)
}

/// The byte a Unicode char came from under Windows-1252 (or Latin-1 for U+0080..U+009F).
fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x80 || (0xA0..=0xFF).contains(&u) || (0x80..0xA0).contains(&u) {
        return Some(u as u8);
    }
    let mut buf = [0u8; 4];
    let (out, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    (!unmappable && out.len() == 1).then(|| out[0])
}

/// The bytes behind a mojibake string, if every char has a Windows-1252 byte.
pub fn cp1252_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars().map(cp1252_byte).collect()
}

/// Decodes TCVN3 (ABC) bytes.
pub fn decode_tcvn3(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
    let mut prev_upper: Option<char> = None;
    for &b in bytes {
        let c = tcvn3_char(b).unwrap_or_else(|| cp1252_char(b));
        // "U" + "ủ" → "Ủ": an uppercase base followed by its lowercase toned form.
        if let Some(p) = prev_upper {
            if c.is_lowercase() && has_tone(c) && strip_tone(c).to_uppercase().next() == Some(p) {
                out.pop();
                out.extend(c.to_uppercase());
                prev_upper = None;
                continue;
            }
        }
        out.push(c);
        prev_upper = c.is_uppercase().then_some(c);
    }
    out
}

/// Decodes VNI (Windows) bytes.
pub fn decode_vni(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 4);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let base = if b.is_ascii_alphabetic() { Some(b as char) } else { vni_letter(b) };
        if let (Some(base), Some(&next)) = (base, bytes.get(i + 1)) {
            if let Some((shape, tone)) = vni_modifier(next) {
                if let Some(c) = compose(base, shape, tone) {
                    out.push(c);
                    i += 2;
                    continue;
                }
            }
        }
        out.push(base.unwrap_or_else(|| cp1252_char(b)));
        i += 1;
    }
    out
}

/// base + optional shape mark + optional tone → one precomposed letter, when valid.
fn compose(base: char, shape: Option<char>, tone: Option<char>) -> Option<char> {
    let lower = base.to_lowercase().next()?;
    let stripped = strip_tone(lower);
    if has_tone(lower) || !matches!(stripped, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'ơ' | 'ư') {
        return None;
    }
    match shape {
        Some(CIRCUMFLEX) if !matches!(stripped, 'a' | 'e' | 'o') => return None,
        Some(BREVE) if stripped != 'a' => return None,
        _ => {}
    }
    let mut s = String::new();
    s.push(base);
    s.extend(shape);
    s.extend(tone);
    let mut composed = s.nfc();
    let c = composed.next()?;
    composed.next().is_none().then_some(c)
}

fn has_tone(c: char) -> bool {
    c.to_string().nfd().any(|m| matches!(m, GRAVE | ACUTE | HOOK | TILDE | DOT))
}

fn strip_tone(c: char) -> char {
    let s: String = c.to_string().nfd().filter(|m| !matches!(*m, GRAVE | ACUTE | HOOK | TILDE | DOT)).collect();
    s.nfc().next().unwrap_or(c)
}

/// Encodes Unicode text as TCVN3 bytes (for fixtures and round-trip tests). Chars with no
/// code are written as '?'.
pub fn encode_tcvn3(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
        } else if let Some(b) = tcvn3_code(c) {
            out.push(b);
        } else if c.is_uppercase() && has_tone(c) {
            // Uppercase toned letter: uppercase base + lowercase toned code.
            let lower = c.to_lowercase().next().unwrap_or(c);
            let base_upper = strip_tone(lower).to_uppercase().next().unwrap_or(c);
            match (base_upper.is_ascii(), tcvn3_code(base_upper), tcvn3_code(lower)) {
                (true, _, Some(l)) => out.extend([base_upper as u8, l]),
                (false, Some(u), Some(l)) => out.extend([u, l]),
                _ => out.push(b'?'),
            }
        } else {
            out.push(cp1252_byte(c).filter(|b| tcvn3_char(*b).is_none()).unwrap_or(b'?'));
        }
    }
    out
}

fn tcvn3_code(c: char) -> Option<u8> {
    TCVN3_HIGH.iter().find(|(b, t)| *t == c && *b != 0).map(|(b, _)| *b)
}

/// Encodes Unicode text as VNI bytes (for fixtures and round-trip tests).
pub fn encode_vni(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.nfc() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let upper = c.is_uppercase();
        let lower = c.to_lowercase().next().unwrap_or(c);
        let case = |b: u8| if upper { b - 0x20 } else { b };
        if let Some((b, _)) = VNI_LETTERS.iter().find(|(_, l)| *l == lower) {
            out.push(case(*b));
            continue;
        }
        // Decompose: base letter (possibly ơ/ư), shape mark, tone.
        let d: Vec<char> = lower.to_string().nfd().collect();
        let tone = d.iter().copied().find(|m| matches!(*m, GRAVE | ACUTE | HOOK | TILDE | DOT));
        let shape = d.iter().copied().find(|m| matches!(*m, CIRCUMFLEX | BREVE));
        let rest: String = d.iter().filter(|m| Some(**m) != tone && Some(**m) != shape).collect::<String>().nfc().collect();
        let base = rest.chars().next().unwrap_or('?');
        let base_byte = if base.is_ascii() {
            Some(if upper { base.to_ascii_uppercase() as u8 } else { base as u8 })
        } else {
            VNI_LETTERS.iter().find(|(_, l)| *l == base).map(|(b, _)| case(*b))
        };
        let modifier = VNI_MODIFIERS.iter().find(|m| m.1 == shape && m.2 == tone).map(|m| case(m.0));
        match (base_byte, modifier, rest.chars().count()) {
            (Some(b), Some(m), 1) => out.extend([b, m]),
            _ => out.push(cp1252_byte(c).unwrap_or(b'?')),
        }
    }
    out
}

/// Encodes Unicode text as Windows-1258 (letters with shape marks precomposed, tones as
/// combining marks), for fixtures and tests. Chars with no code are written as '?'.
pub fn encode_windows1258(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.nfc() {
        let base = strip_tone(c);
        let tone = c.to_string().nfd().find(|m| matches!(*m, GRAVE | ACUTE | HOOK | TILDE | DOT));
        for part in std::iter::once(base).chain(tone) {
            let mut buf = [0u8; 4];
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(part.encode_utf8(&mut buf));
            if unmappable || bytes.len() != 1 {
                out.push(b'?');
            } else {
                out.push(bytes[0]);
            }
        }
    }
    out
}

/// How Vietnamese a decoded text looks: + for words with non-ASCII letters that are
/// plausible Vietnamese syllables, − for those that are not and for stray symbols.
pub fn vietnamese_score(text: &str) -> i64 {
    let mut score = 0i64;
    let mut word = String::new();
    let flush = |word: &mut String, score: &mut i64| {
        if !word.is_empty() && !word.is_ascii() {
            *score += if is_vietnamese_syllable(word) { 1 } else { -1 };
        }
        word.clear();
    };
    for c in text.nfc() {
        if c.is_alphabetic() {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut score);
        if !c.is_ascii() && !is_common_symbol(c) {
            score -= 1;
        }
    }
    flush(&mut word, &mut score);
    score
}

/// Punctuation and symbols that appear in Vietnamese documents in any encoding.
fn is_common_symbol(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '“' | '”' | '‘' | '’' | '–' | '—' | '…' | '•' | '°' | '²' | '³' | '%' | '€' | '№' | '‰' | '→' | '≥' | '≤' | '±' | '×'
        )
}

const NUCLEI: &[&str] = &[
    "a", "e", "i", "o", "u", "y", "ai", "ao", "au", "ay", "eo", "eu", "ia", "ie", "iu", "oa", "oe", "oi", "oo", "ua",
    "ue", "ui", "uo", "uu", "uy", "ya", "ye", "ieu", "yeu", "oai", "oao", "oay", "oeo", "uai", "uay", "uoi", "uou",
    "uya", "uye", "uyu", "uau", "uao", "iua", "ioi", "iao", "iai", "iau", "iay", "iuo", "ieo", "iuu", "iui", "ueu",
];

/// A word of Vietnamese letters with one tone at most and a valid vowel nucleus.
fn is_vietnamese_syllable(word: &str) -> bool {
    let lower: String = word.nfc().flat_map(char::to_lowercase).collect();
    let mut tones = 0;
    let mut folded = String::with_capacity(lower.len());
    for c in lower.chars() {
        if has_tone(c) {
            tones += 1;
        }
        let f = crate::fold::fold_char(c);
        if !(f.is_ascii_lowercase() && !matches!(f, 'f' | 'j' | 'w' | 'z')) {
            return false;
        }
        if !c.is_ascii() && !is_vietnamese_letter(c) {
            return false;
        }
        folded.push(f);
    }
    if tones > 1 {
        return false;
    }
    let vowels: Vec<(usize, char)> = folded.char_indices().filter(|(_, c)| "aeiouy".contains(*c)).collect();
    let Some(&(first, _)) = vowels.first() else { return false };
    let last = vowels.last().map(|v| v.0).unwrap_or(first);
    let nucleus = &folded[first..=last];
    let onset = &folded[..first];
    let coda = &folded[last + 1..];
    matches!(coda, "" | "c" | "ch" | "m" | "n" | "ng" | "nh" | "p" | "t")
        && (NUCLEI.contains(&nucleus) || (onset == "q" && NUCLEI.contains(&&nucleus[1..])))
}

fn is_vietnamese_letter(c: char) -> bool {
    let base = strip_tone(c);
    matches!(base, 'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y' | 'đ')
}

/// A legacy encoding candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    Windows1258,
    Tcvn3,
    Vni,
}

impl Legacy {
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Windows1258 => "windows-1258",
            Legacy::Tcvn3 => "tcvn3",
            Legacy::Vni => "vni",
        }
    }

    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Legacy::Windows1258 => {
                let (s, _) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(bytes);
                s.nfc().collect()
            }
            Legacy::Tcvn3 => decode_tcvn3(bytes),
            Legacy::Vni => decode_vni(bytes),
        }
    }
}

/// The best-scoring legacy decoding of `bytes`, if it looks like Vietnamese at all
/// (a positive score with at least a few good words).
pub fn detect(bytes: &[u8], candidates: &[Legacy]) -> Option<(Legacy, String, i64)> {
    let mut best: Option<(Legacy, String, i64)> = None;
    for &cand in candidates {
        let text = cand.decode(bytes);
        let score = vietnamese_score(&text);
        if best.as_ref().is_none_or(|b| score > b.2) {
            best = Some((cand, text, score));
        }
    }
    best.filter(|b| b.2 >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "KẾ HOẠCH Chuyển đổi số phường Gia Viên năm 2026. Ủy ban nhân dân phường; \
        Đảng ủy, Ấp Ông Ích Khiêm: tăng cường ứng dụng khoa học, công nghệ, đổi mới sáng tạo \
        và chuyển đổi số, bảo đảm an toàn thông tin; Ưu tiên Ổn định, Ỷ lại, Ỹ, quyết định.";

    #[test]
    fn tcvn3_round_trip() {
        let bytes = encode_tcvn3(SAMPLE);
        assert!(!bytes.contains(&b'?'), "{:?}", String::from_utf8_lossy(&bytes));
        assert_eq!(decode_tcvn3(&bytes), SAMPLE.nfc().collect::<String>());
    }

    #[test]
    fn vni_round_trip() {
        let bytes = encode_vni(SAMPLE);
        assert!(!bytes.contains(&b'?'));
        assert_eq!(decode_vni(&bytes), SAMPLE.nfc().collect::<String>());
    }

    #[test]
    fn known_words() {
        // Examples as printed by the legacy fonts, read as Windows-1252.
        let tcvn = cp1252_bytes("B¶o Th¾ng, B¸t X¸t, Kh¬ng").unwrap();
        assert_eq!(decode_tcvn3(&tcvn), "Bảo Thắng, Bát Xát, Khơng");
        let vni = cp1252_bytes("Xin chaøo caùc baïn, Vieät Nam, Ñaøo taïo").unwrap();
        assert_eq!(decode_vni(&vni), "Xin chào các bạn, Việt Nam, Đào tạo");
    }

    #[test]
    fn detection_picks_the_right_table() {
        let all = [Legacy::Windows1258, Legacy::Tcvn3, Legacy::Vni];
        let w1258 = encode_windows1258(SAMPLE);
        assert!(!w1258.contains(&b'?'));
        for (bytes, want) in [(encode_tcvn3(SAMPLE), Legacy::Tcvn3), (encode_vni(SAMPLE), Legacy::Vni), (w1258, Legacy::Windows1258)] {
            let (got, text, _) = detect(&bytes, &all).expect("detected");
            assert_eq!(got, want);
            assert_eq!(text.nfc().collect::<String>(), SAMPLE.nfc().collect::<String>());
        }
    }

    #[test]
    fn garbage_is_not_vietnamese() {
        let all = [Legacy::Windows1258, Legacy::Tcvn3, Legacy::Vni];
        assert!(detect(b"\xff\xfe\x80\x81 binary \xc3\x28 stuff \xa0\xa1", &all).is_none());
    }
}
