//! Unicode normalization: NFC and one tone-mark placement.
//!
//! Vietnamese text mixes two conventions for where the tone mark sits in open syllables
//! with the glides oa/oe/uy: the traditional "hòa, thủy, khỏe, Ủy" and the newer "hoà,
//! thuỷ, khoẻ, Uỷ". Matching and diffing need one, so every syllable is rewritten to the
//! configured [`ToneStyle`].

use unicode_normalization::UnicodeNormalization;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ToneStyle {
    /// hòa, thủy, khỏe, Ủy (the usage of most administrative documents).
    #[default]
    Traditional,
    /// hoà, thuỷ, khoẻ, Uỷ.
    Modern,
}

const TONES: [char; 5] = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];

fn is_tone(c: char) -> bool {
    TONES.contains(&c)
}

fn base_vowel(c: char) -> Option<char> {
    let b = crate::fold::fold_char(c);
    matches!(b, 'a' | 'e' | 'i' | 'o' | 'u' | 'y').then_some(b)
}

/// ă â ê ô ơ ư: vowels that carry a shape mark and so take the tone.
fn has_shape_mark(c: char) -> bool {
    matches!(
        c.to_lowercase().next().unwrap_or(c),
        'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư'
    )
}

const ONSETS: [&str; 27] = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
    "p", "ph", "q", "qu", "r", "s", "t", "th", "tr",
];
const EXTRA_ONSETS: [&str; 2] = ["v", "x"];
const CODAS: [&str; 9] = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

/// Places the tone of one word according to `style`. Words that are not a single
/// Vietnamese syllable are returned unchanged (only NFC-composed).
pub fn place_tone(word: &str, style: ToneStyle) -> String {
    let decomposed: Vec<char> = word.nfd().collect();
    let tone = decomposed.iter().rev().find(|c| is_tone(**c)).copied();
    let Some(tone) = tone else {
        return word.nfc().collect();
    };
    if decomposed.iter().filter(|c| is_tone(**c)).count() > 1 {
        return word.nfc().collect();
    }
    let bare: Vec<char> = decomposed.iter().filter(|c| !is_tone(**c)).copied().collect::<String>().nfc().collect();
    let lower: String = bare.iter().flat_map(|c| c.to_lowercase()).collect();
    let lower_chars: Vec<char> = lower.chars().collect();
    if lower_chars.len() != bare.len() {
        return word.nfc().collect();
    }
    // Onset: leading consonants; "qu" and "gi" (before another vowel) count the glide.
    let mut onset_len = lower_chars.iter().take_while(|c| base_vowel(**c).is_none()).count();
    let onset: String = lower_chars[..onset_len].iter().collect();
    if (onset == "q" || onset == "g")
        && lower_chars.len() > onset_len + 1
        && base_vowel(lower_chars[onset_len + 1]).is_some()
        && ((onset == "q" && lower_chars[onset_len] == 'u') || (onset == "g" && lower_chars[onset_len] == 'i'))
    {
        onset_len += 1;
    }
    let onset_str: String = lower_chars[..onset_len].iter().collect();
    let onset_ok = ONSETS.contains(&onset_str.as_str()) || EXTRA_ONSETS.contains(&onset_str.as_str());
    let vowel_len = lower_chars[onset_len..].iter().take_while(|c| base_vowel(**c).is_some()).count();
    if !onset_ok || vowel_len == 0 || vowel_len > 3 {
        return word.nfc().collect();
    }
    let coda: String = lower_chars[onset_len + vowel_len..].iter().collect();
    if !CODAS.contains(&coda.as_str()) {
        return word.nfc().collect();
    }
    let vowels = &lower_chars[onset_len..onset_len + vowel_len];
    let rel = if let Some(i) = vowels.iter().rposition(|c| has_shape_mark(*c)) {
        // "ươ": the tone sits on ơ, the last marked vowel.
        i
    } else if !coda.is_empty() {
        vowel_len - 1
    } else {
        match vowel_len {
            1 => 0,
            3 => 1,
            _ => {
                let pair: String = vowels.iter().map(|c| crate::fold::fold_char(*c)).collect();
                let glide = matches!(pair.as_str(), "oa" | "oe" | "uy");
                if glide && style == ToneStyle::Modern {
                    1
                } else {
                    0
                }
            }
        }
    };
    let pos = onset_len + rel;
    let mut out = String::with_capacity(word.len() + 2);
    for (i, c) in bare.iter().enumerate() {
        out.push(*c);
        if i == pos {
            out.push(tone);
        }
    }
    out.nfc().collect()
}

/// NFC and tone placement over a whole text; non-letters pass through.
pub fn normalize_tones(text: &str, style: ToneStyle) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphabetic() || crate::fold::is_combining_mark(c) {
            word.push(c);
        } else {
            if !word.is_empty() {
                out.push_str(&place_tone(&word, style));
                word.clear();
            }
            out.push(c);
        }
    }
    if !word.is_empty() {
        out.push_str(&place_tone(&word, style));
    }
    out.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_style() {
        let t = ToneStyle::Traditional;
        assert_eq!(place_tone("hoà", t), "hòa");
        assert_eq!(place_tone("Uỷ", t), "Ủy");
        assert_eq!(place_tone("thuỷ", t), "thủy");
        assert_eq!(place_tone("khoẻ", t), "khỏe");
        assert_eq!(place_tone("hoá", t), "hóa");
    }

    #[test]
    fn modern_style() {
        let m = ToneStyle::Modern;
        assert_eq!(place_tone("hòa", m), "hoà");
        assert_eq!(place_tone("Ủy", m), "Uỷ");
        assert_eq!(place_tone("thủy", m), "thuỷ");
    }

    #[test]
    fn fixed_positions_do_not_move() {
        for style in [ToneStyle::Traditional, ToneStyle::Modern] {
            for w in ["hoàn", "quyết", "người", "giá", "gì", "của", "mía", "khuỷu", "thuyền", "ngoài", "quả", "Việt", "toán", "Nghị"] {
                assert_eq!(place_tone(w, style), w, "{w}");
            }
        }
    }

    #[test]
    fn misplaced_marks_fixed() {
        assert_eq!(place_tone("ngòai", ToneStyle::Traditional), "ngoài");
        assert_eq!(place_tone("quỳên", ToneStyle::Traditional), "quyền");
    }

    #[test]
    fn nfd_input_composed() {
        assert_eq!(normalize_tones("Hoa\u{0300} ho\u{0300}a", ToneStyle::Traditional), "Hòa hòa");
        assert_eq!(normalize_tones("vie\u{0302}\u{0323}t", ToneStyle::Traditional), "việt");
    }

    #[test]
    fn non_vietnamese_untouched() {
        assert_eq!(normalize_tones("Zalo IoT café", ToneStyle::Traditional), "Zalo IoT café");
    }
}
