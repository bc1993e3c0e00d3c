//! The Vietnamese syllable inventory, generated from the spelling rules:
//! onset × rhyme × tone, with the orthographic constraints (c/k/q, g/gh, ng/ngh, gi,
//! medial o/u, stop codas taking only the sắc and nặng tones).
//!
//! The generated set over-generates a little (some rhymes exist only after a few
//! onsets); [`super::lexicon`] intersects it with attested forms to get the candidates.

use crate::normalize::unicode::{compose_tone, letter, place_tone, tone_position, Letter, ToneStyle};
use once_cell::sync::Lazy;
use crate::normalize::pack_key;
use rustc_hash::FxHashSet;
use unicode_normalization::UnicodeNormalization;

const ONSETS: [&str; 26] = [
    "", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "p", "ph", "r", "s", "t", "th",
    "tr", "v", "x", "q",
];

/// Rhymes without a medial glide: (nucleus, allowed codas). "" is the open rhyme.
const PLAIN: &[(&str, &[&str])] = &[
    ("a", &["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u", "y"]),
    ("ă", &["c", "m", "n", "ng", "p", "t"]),
    ("â", &["c", "m", "n", "ng", "p", "t", "u", "y"]),
    ("e", &["", "c", "m", "n", "ng", "p", "t", "o"]),
    ("ê", &["", "ch", "m", "n", "nh", "p", "t", "u"]),
    ("i", &["", "ch", "m", "n", "nh", "p", "t", "u", "a"]),
    ("y", &[""]),
    ("o", &["", "c", "m", "n", "ng", "p", "t", "i", "ong", "oc"]),
    ("ô", &["", "c", "m", "n", "ng", "p", "t", "i"]),
    ("ơ", &["", "m", "n", "p", "t", "i"]),
    ("u", &["", "c", "m", "n", "ng", "p", "t", "i", "a", "y"]),
    ("ư", &["", "c", "m", "n", "ng", "t", "i", "u", "a"]),
    ("iê", &["c", "m", "n", "ng", "p", "t", "u"]),
    ("uô", &["c", "m", "n", "ng", "t", "i"]),
    ("ươ", &["c", "m", "n", "ng", "p", "t", "i", "u"]),
];

/// Rhymes with the medial glide (written o/u; after q the o is written u).
const MEDIAL: &[(&str, &[&str])] = &[
    ("oa", &["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o"]),
    ("oă", &["c", "m", "n", "ng", "t"]),
    ("oe", &["", "n", "t", "o"]),
    ("uâ", &["n", "ng", "t", "y"]),
    ("uê", &["", "ch", "nh", "n"]),
    ("uy", &["", "ch", "n", "nh", "p", "t", "u", "a"]),
    ("uyê", &["n", "t"]),
    ("uơ", &[""]),
    ("oo", &["ng", "c"]),
];

const STOPS: [&str; 4] = ["c", "ch", "p", "t"];
const TONES: [&str; 6] = ["", "\u{0300}", "\u{0301}", "\u{0303}", "\u{0309}", "\u{0323}"];

fn front(rhyme: &str) -> bool {
    rhyme.starts_with(['i', 'y', 'e', 'ê'])
}

/// Toneless spellings of onset + rhyme, following the spelling rules.
fn spell(onset: &str, rhyme: &str, medial: bool) -> Option<String> {
    let labial = matches!(onset, "b" | "m" | "p" | "ph" | "v");
    if medial {
        if (labial && !(rhyme.starts_with("uy") && matches!(onset, "b" | "ph"))) || onset == "k" || onset == "c" {
            return None;
        }
        if onset == "q" {
            let r = if let Some(rest) = rhyme.strip_prefix('o') { format!("u{rest}") } else { rhyme.to_string() };
            return Some(format!("q{r}"));
        }
        if onset == "g" && rhyme.starts_with("uy") {
            return None;
        }
        return Some(format!("{onset}{rhyme}"));
    }
    match onset {
        // qu + a plain rhyme: quốc, quít, quới, quạu, quết.
        "q" if rhyme.starts_with(['a', 'ă', 'â', 'e', 'ê', 'i', 'ô', 'ơ']) && !rhyme.starts_with("iê") => Some(format!("qu{rhyme}")),
        "q" => None,
        "c" if front(rhyme) => None,
        "k" if !front(rhyme) => None,
        "g" | "ng" if front(rhyme) && !rhyme.starts_with('y') => Some(format!("{onset}h{rhyme}")),
        "gi" => {
            // gi + i… drops one i: gi + in → gìn, gi + iêng → giêng.
            let r = rhyme.strip_prefix('i').unwrap_or(rhyme);
            Some(format!("gi{r}"))
        }
        "" if rhyme.starts_with("iê") => Some(format!("y{}", &rhyme['i'.len_utf8()..])),
        _ if rhyme.starts_with("iê") || rhyme == "y" => {
            if rhyme == "y" && !matches!(onset, "" | "h" | "k" | "l" | "m" | "s" | "t" | "v" | "qu") {
                return None;
            }
            Some(format!("{onset}{rhyme}"))
        }
        _ => Some(format!("{onset}{rhyme}")),
    }
}

/// Toneless spellings the rules allow, each with whether its coda is a stop.
fn bare_spellings() -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (list, medial) in [(PLAIN, false), (MEDIAL, true)] {
        for (nucleus, codas) in list {
            for coda in *codas {
                let rhyme = format!("{nucleus}{coda}");
                let stop = STOPS.contains(coda);
                for onset in ONSETS {
                    if let Some(bare) = spell(onset, &rhyme, medial) {
                        out.push((bare, stop));
                    }
                }
            }
        }
    }
    out
}

/// Every syllable the rules allow, lowercase NFC, traditional tone placement.
pub fn generate() -> Vec<String> {
    let mut v: Vec<String> = generate_set().into_iter().collect();
    v.sort();
    v
}

/// [`generate`] unsorted. Built once a process, so it is built by table: where
/// [`place_tone`] puts the tone ([`tone_position`]) and the toned letter by [`compose_tone`]; through NFD and
/// NFC only where those do not know the letters.
fn generate_set() -> FxHashSet<String> {
    let mut out = FxHashSet::default();
    for (bare, stop) in bare_spellings() {
        let chars: Vec<char> = bare.chars().collect();
        let at = tone_at(&bare, &chars);
        if !stop {
            out.insert(bare.clone());
        }
        let Some(at) = at else { continue };
        for (t, tone) in TONES.iter().enumerate().skip(1) {
            if stop && !matches!(*tone, "\u{0301}" | "\u{0323}") {
                continue;
            }
            let mark = tone.chars().next().unwrap_or('\u{0301}');
            let toned = match compose_tone(chars[at], t as u8) {
                Some(c) => c.to_string(),
                // "ệ" is e + dot below + circumflex: compose through NFC, not pairwise.
                None => [chars[at], mark].iter().collect::<String>().nfc().collect(),
            };
            let s: String = chars[..at].iter().copied().chain(toned.chars()).chain(chars[at + 1..].iter().copied()).collect();
            out.insert(s);
        }
    }
    out
}

/// Where the tone of `bare` goes: the first char that `place_tone(bare + acute)` changes,
/// if it changes no more than that char.
fn tone_at(bare: &str, chars: &[char]) -> Option<usize> {
    // Where the tone goes depends on the spelling, not on the tone. A word of lowercase
    // toneless letters is its own lowercase form: `place_tone` puts the acute at
    // `tone_position` of it, which changes that letter alone when it composes.
    if chars.iter().all(|&c| letter(c) == Some(Letter { base: c, tone: 0 })) {
        if let Some(p) = tone_position(chars, ToneStyle::Traditional).filter(|&p| compose_tone(chars[p], 2).is_some()) {
            return Some(p);
        }
    }
    let toned: Vec<char> = place_tone(&format!("{bare}\u{0301}"), ToneStyle::Traditional).chars().collect();
    chars.iter().zip(&toned).position(|(a, b)| a != b).filter(|_| toned.len() == chars.len())
}

/// The inventory by [`pack_key`] (every syllable packs: at most 7 letters, all below
/// U+2000). A look-up hashes and compares one integer; a set of strings also followed a
/// pointer to each candidate's bytes, a cache miss in the middle of a batch.
static INVENTORY: Lazy<FxHashSet<u128>> =
    Lazy::new(|| generate_set().iter().map(|s| pack_key(s.chars()).expect("a syllable packs")).collect());

/// Whether `lower` (lowercase NFC, traditional tone placement) is a possible syllable.
pub fn is_syllable(lower: &str) -> bool {
    // A word that does not pack is no syllable.
    pack_key(lower.chars()).is_some_and(|k| INVENTORY.contains(&k))
}

/// Size of the generated inventory.
pub fn inventory_size() -> usize {
    INVENTORY.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_syllables_generated() {
        for s in [
            "nghị", "quyết", "số", "ngày", "của", "bộ", "chính", "trị", "đông", "hải", "giêng", "gì", "quân", "khuya", "yên",
            "kế", "hoạch", "thuở", "khuỷu", "người", "ương", "ý", "mỹ", "kỹ", "hóa", "ủy", "xoong", "gìn", "giữa", "quốc", "quí", "quới", "buýt", "quạu",
        ] {
            assert!(is_syllable(s), "{s}");
        }
    }

    #[test]
    fn impossible_syllables_rejected() {
        for s in ["ghá", "ngha", "kan", "qa", "zalo", "by", "ctia", "big", "data", "ubnd", "hoà"] {
            assert!(!is_syllable(s), "{s}");
        }
        assert!(!is_syllable("bàt"));
        assert!(!is_syllable("càc"));
    }

    /// The inventory as first written: every tone placed through NFD/NFC.
    fn generate_slow() -> Vec<String> {
        let mut out = FxHashSet::default();
        for (bare, stop) in bare_spellings() {
            for tone in TONES {
                if stop && !matches!(tone, "\u{0301}" | "\u{0323}") {
                    continue;
                }
                let s = if tone.is_empty() { bare.clone() } else { place_tone(&format!("{bare}{tone}"), ToneStyle::Traditional) };
                out.insert(s);
            }
        }
        let mut v: Vec<String> = out.into_iter().collect();
        v.sort();
        v
    }

    #[test]
    fn fast_generation_equals_slow() {
        let (fast, slow) = (generate(), generate_slow());
        let only_fast: Vec<&String> = fast.iter().filter(|s| !slow.contains(s)).take(20).collect();
        let only_slow: Vec<&String> = slow.iter().filter(|s| !fast.contains(s)).take(20).collect();
        assert!(only_fast.is_empty() && only_slow.is_empty(), "{only_fast:?} {only_slow:?}");
        assert_eq!(fast, slow);
    }

    /// The set of keys answers as the set of strings: on every syllable, on every word
    /// of the bundled texts (lowercase, as printed and canonical), and on near misses.
    #[test]
    fn packed_inventory_is_the_string_set() {
        let strings: FxHashSet<String> = generate().into_iter().collect();
        let mut words: Vec<String> = strings.iter().cloned().collect();
        for text in crate::test_data::texts(&crate::test_data::TEXT_DIRS, None) {
            for w in text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
                let lower = w.to_lowercase();
                words.push(crate::normalize::restore::lexicon::canonical_lower(w));
                words.push(format!("{lower}a"));
                words.push(lower);
            }
        }
        words.extend(["", "nghiêngg", "abcdefghij", "a\u{2000}", "ｎ"].map(String::from));
        let mut found = 0;
        for w in &words {
            assert_eq!(is_syllable(w), strings.contains(w), "{w:?}");
            found += usize::from(strings.contains(w));
        }
        assert!(found > strings.len() && words.len() > 2 * strings.len(), "{found} {}", words.len());
        assert_eq!(inventory_size(), strings.len());
    }

    #[test]
    fn inventory_size_plausible() {
        let n = inventory_size();
        assert!((10_000..30_000).contains(&n), "{n}");
    }
}
