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

/// ă â ê ô ơ ư: vowels that carry a shape mark and so take the tone (in either case:
/// no other char lowercases to them, a test checks every char).
fn has_shape_mark(c: char) -> bool {
    matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư' | 'Ă' | 'Â' | 'Ê' | 'Ô' | 'Ơ' | 'Ư')
}

/// The onsets and codas [`tone_position`] knows (it tests them by slice patterns: see
/// `is_onset` and `is_coda`, tested equal to these lists).
#[cfg(test)]
const ONSETS: [&str; 27] = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
    "p", "ph", "q", "qu", "r", "s", "t", "th", "tr",
];
#[cfg(test)]
const EXTRA_ONSETS: [&str; 2] = ["v", "x"];
#[cfg(test)]
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
    let Some(pos) = tone_position(&lower_chars, style) else {
        return word.nfc().collect();
    };
    let mut out = String::with_capacity(word.len() + 2);
    for (i, c) in bare.iter().enumerate() {
        out.push(*c);
        if i == pos {
            out.push(tone);
        }
    }
    out.nfc().collect()
}

/// Where the tone of a syllable goes: the index in `lower` (its lowercase chars without
/// the tone), or `None` when it is no single Vietnamese syllable ([`place_tone`] leaves
/// such words as they are).
pub(crate) fn tone_position(lower_chars: &[char], style: ToneStyle) -> Option<usize> {
    // Onset: leading consonants; "qu" and "gi" (before another vowel) count the glide.
    let mut onset_len = lower_chars.iter().take_while(|c| base_vowel(**c).is_none()).count();
    if let &[q @ ('q' | 'g')] = &lower_chars[..onset_len] {
        if lower_chars.len() > onset_len + 1
            && base_vowel(lower_chars[onset_len + 1]).is_some()
            && ((q == 'q' && lower_chars[onset_len] == 'u') || (q == 'g' && lower_chars[onset_len] == 'i'))
        {
            onset_len += 1;
        }
    }
    let vowel_len = lower_chars[onset_len..].iter().take_while(|c| base_vowel(**c).is_some()).count();
    if !is_onset(&lower_chars[..onset_len]) || vowel_len == 0 || vowel_len > 3 {
        return None;
    }
    let coda = &lower_chars[onset_len + vowel_len..];
    if !is_coda(coda) {
        return None;
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
                let pair = [crate::fold::fold_char(vowels[0]), crate::fold::fold_char(vowels[1])];
                let glide = matches!(pair, ['o', 'a'] | ['o', 'e'] | ['u', 'y']);
                if glide && style == ToneStyle::Modern {
                    1
                } else {
                    0
                }
            }
        }
    };
    Some(onset_len + rel)
}

/// `ONSETS` or `EXTRA_ONSETS` contains `s` (as a slice pattern: this runs on every word).
fn is_onset(s: &[char]) -> bool {
    matches!(
        s,
        [] | ['b'] | ['c'] | ['c', 'h'] | ['d'] | ['đ'] | ['g'] | ['g', 'h'] | ['g', 'i'] | ['h'] | ['k'] | ['k', 'h']
            | ['l'] | ['m'] | ['n'] | ['n', 'g'] | ['n', 'g', 'h'] | ['n', 'h'] | ['p'] | ['p', 'h'] | ['q'] | ['q', 'u']
            | ['r'] | ['s'] | ['t'] | ['t', 'h'] | ['t', 'r'] | ['v'] | ['x']
    )
}

/// `CODAS` contains `s`.
fn is_coda(s: &[char]) -> bool {
    matches!(s, [] | ['c'] | ['c', 'h'] | ['m'] | ['n'] | ['n', 'g'] | ['n', 'h'] | ['p'] | ['t'])
}

/// A precomposed letter as [`place_tone`] sees it: its lowercase form without the tone,
/// and the tone (an index into [`TONES`] plus one; 0 for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Letter {
    pub base: char,
    pub tone: u8,
}

/// Letters of Latin-1, Latin Extended-A/B and Latin Extended Additional (where the
/// Vietnamese letters are) that take part in the tone fast path.
const LETTER_RANGES: [(u32, u32); 2] = [(0xC0, 0x24F), (0x1E00, 0x1EFF)];

/// [`Letter`] of each char of [`LETTER_RANGES`], `None` for those the fast path leaves
/// to [`place_tone`]. A char is in only when composing its `base` (uppercased back) with
/// its tone gives the char again, and it is NFC on its own and as part of any word: so a
/// word of such letters whose tone already sits where [`tone_position`] puts it is what
/// [`place_tone`] returns.
static LETTERS: once_cell::sync::Lazy<Vec<Option<Letter>>> = once_cell::sync::Lazy::new(|| {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    let mut out = Vec::new();
    for (lo, hi) in LETTER_RANGES {
        for u in lo..=hi {
            out.push(char::from_u32(u).and_then(|c| {
                if !c.is_alphabetic() || canonical_combining_class(c) != 0 || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes {
                    return None;
                }
                let d: Vec<char> = c.nfd().collect();
                let tones: Vec<usize> = d.iter().filter_map(|x| TONES.iter().position(|t| t == x)).collect();
                if tones.len() > 1 {
                    return None;
                }
                let bare: Vec<char> = d.iter().filter(|x| !is_tone(**x)).collect::<String>().nfc().collect();
                let [bare] = bare[..] else { return None };
                let mut lower = bare.to_lowercase();
                let (Some(base), None) = (lower.next(), lower.next()) else { return None };
                if let Some(&t) = tones.first() {
                    let again: String = [bare, TONES[t]].iter().collect::<String>().nfc().collect();
                    if again.chars().ne(std::iter::once(c)) {
                        return None;
                    }
                }
                Some(Letter { base, tone: tones.first().map_or(0, |&t| t as u8 + 1) })
            }));
        }
    }
    out
});

/// The [`Letter`] of `c`, if the tone fast path knows it.
pub(crate) fn letter(c: char) -> Option<Letter> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then(|| Letter { base: c.to_ascii_lowercase(), tone: 0 });
    }
    let u = c as u32;
    let mut at = 0;
    for (lo, hi) in LETTER_RANGES {
        if (lo..=hi).contains(&u) {
            return LETTERS[at + (u - lo) as usize];
        }
        at += (hi - lo + 1) as usize;
    }
    None
}

/// Whether NFC and [`place_tone`] leave the word `chars` as it is, decided without
/// either when the word is made of [`letter`]s (`false`: not known, ask them). Clean
/// text has its tones in place already: this is the common case, and costs a table
/// look-up a char.
pub(crate) fn tone_in_place(chars: impl IntoIterator<Item = char>, style: ToneStyle) -> bool {
    // Syllables have at most 3 + 3 + 2 letters; longer words go the slow way.
    let mut lower = ['\0'; 8];
    let (mut n, mut tones, mut tone_at) = (0, 0, 0);
    for c in chars {
        let Some(l) = letter(c) else { return false };
        if n == lower.len() {
            return false;
        }
        lower[n] = l.base;
        if l.tone != 0 {
            tones += 1;
            tone_at = n;
        }
        n += 1;
    }
    // No tone, or more than one: only NFC, which these letters are.
    if tones != 1 {
        return true;
    }
    tone_position(&lower[..n], style).is_none_or(|p| p == tone_at)
}

/// The lowercase letter `base` with tone `tone` (as in [`Letter`]), composed by table.
pub(crate) fn compose_tone(base: char, tone: u8) -> Option<char> {
    static COMPOSED: once_cell::sync::Lazy<rustc_hash::FxHashMap<(char, u8), char>> = once_cell::sync::Lazy::new(|| {
        let mut m = rustc_hash::FxHashMap::default();
        for (lo, hi) in LETTER_RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                if let Some(l) = letter(c) {
                    if l.tone != 0 && c.to_lowercase().eq(std::iter::once(c)) && l.base.to_lowercase().eq(std::iter::once(l.base)) {
                        m.insert((l.base, l.tone), c);
                    }
                }
            }
        }
        m
    });
    COMPOSED.get(&(base, tone)).copied()
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

    /// Words to check the fast path on: corpus words, every generated syllable and its
    /// tone on every letter, in three cases.
    fn words() -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, None) {
            out.extend(text.split(|c: char| !c.is_alphabetic() && !crate::fold::is_combining_mark(c)).map(str::to_string));
        }
        for s in crate::normalize::restore::syllables::generate() {
            let bare: String = s.nfd().filter(|c| !is_tone(*c)).collect::<String>().nfc().collect();
            let n = bare.chars().count();
            for tone in TONES {
                for at in 0..n {
                    let w: String = bare.chars().enumerate().flat_map(|(i, c)| if i == at { vec![c, tone] } else { vec![c] }).collect::<String>().nfc().collect();
                    out.push(w);
                }
            }
            out.push(s);
        }
        let cased: Vec<String> = out.iter().flat_map(|w| [w.to_uppercase(), w.chars().enumerate().map(|(i, c)| if i == 0 { c.to_uppercase().next().unwrap() } else { c }).collect()]).collect();
        out.extend(cased);
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn tone_in_place_agrees_with_place_tone() {
        let mut fast = 0;
        for w in words() {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                if tone_in_place(w.chars(), style) {
                    fast += 1;
                    let nfc: String = w.nfc().collect();
                    assert_eq!(place_tone(&nfc, style), w, "{w} {style:?}");
                }
            }
        }
        assert!(fast > 100_000, "{fast}");
    }

    #[test]
    fn onset_coda_and_shape_tests_equal_the_lists() {
        let alphabet: Vec<char> = "abcdđghiklmnpqrstuvxyê".chars().collect();
        let mut parts: Vec<Vec<char>> = vec![vec![]];
        for _ in 0..3 {
            let longer: Vec<Vec<char>> = parts.iter().flat_map(|p| alphabet.iter().map(move |c| [p.clone(), vec![*c]].concat())).collect();
            parts.extend(longer);
            parts.sort();
            parts.dedup();
        }
        for p in &parts {
            let s: String = p.iter().collect();
            assert_eq!(is_onset(p), ONSETS.contains(&s.as_str()) || EXTRA_ONSETS.contains(&s.as_str()), "{s}");
            assert_eq!(is_coda(p), CODAS.contains(&s.as_str()), "{s}");
        }
        for u in 0..0x11_0000 {
            if let Some(c) = char::from_u32(u) {
                let slow = matches!(c.to_lowercase().next().unwrap_or(c), 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư');
                assert_eq!(has_shape_mark(c), slow, "U+{u:04X}");
            }
        }
    }

    #[test]
    fn letters_compose_back() {
        for (lo, hi) in LETTER_RANGES {
            for c in (lo..=hi).filter_map(char::from_u32) {
                if let Some(l) = letter(c) {
                    assert_eq!(c.nfc().collect::<String>(), c.to_string());
                    if l.tone != 0 && c.is_lowercase() {
                        let slow: String = [l.base, TONES[l.tone as usize - 1]].iter().collect::<String>().nfc().collect();
                        assert_eq!(compose_tone(l.base, l.tone).map(String::from), Some(slow), "{c}");
                    }
                }
            }
        }
        // Every Vietnamese vowel with every tone is known.
        for c in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY".chars() {
            for (i, t) in TONES.iter().enumerate() {
                let w: String = [c, *t].iter().collect::<String>().nfc().collect();
                let w = w.chars().next().unwrap();
                assert_eq!(letter(w), Some(Letter { base: c.to_lowercase().next().unwrap(), tone: i as u8 + 1 }), "{w}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn tone_in_place_agrees_with_place_tone_on_any_word(w in "[bcdđghklmnpqrstvxyaăâeêioôơuưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵAÁÀĐƯỜỦYÝçñüǘṏ]{1,9}") {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                if tone_in_place(w.chars(), style) {
                    let nfc: String = w.nfc().collect();
                    proptest::prop_assert_eq!(place_tone(&nfc, style), w.clone());
                }
            }
        }
    }

    #[test]
    fn non_vietnamese_untouched() {
        assert_eq!(normalize_tones("Zalo IoT café", ToneStyle::Traditional), "Zalo IoT café");
    }
}
