//! The Vietnamese syllable inventory, generated from the spelling rules:
//! onset × rhyme × tone, with the orthographic constraints (c/k/q, g/gh, ng/ngh, gi,
//! medial o/u, stop codas taking only the sắc and nặng tones).
//!
//! The generated set over-generates a little (some rhymes exist only after a few
//! onsets); [`super::lexicon`] intersects it with attested forms to get the candidates.

use crate::normalize::unicode::{compose_tone, letter, place_tone, tone_in_place, tone_position, Letter, ToneStyle};
use once_cell::sync::Lazy;
use crate::normalize::pack_key;
use rustc_hash::{FxHashMap, FxHashSet};
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
    let mut word = Vec::with_capacity(16);
    for (bare, stop) in bare_spellings() {
        let chars: Vec<char> = bare.chars().collect();
        let at = tone_at(&bare, &chars);
        if !stop {
            out.insert(bare.clone());
        }
        let Some(at) = at else { continue };
        toned_forms(&chars, at, stop, &mut word, |w| {
            out.insert(w.iter().collect());
        });
    }
    out
}

/// Calls `visit` with each toned syllable of the toneless spelling `chars` (its tone at
/// `at`; a stop-final rhyme takes only the acute and the dot below), built in `word`.
fn toned_forms(chars: &[char], at: usize, stop: bool, word: &mut Vec<char>, mut visit: impl FnMut(&[char])) {
    for (t, tone) in TONES.iter().enumerate().skip(1) {
        if stop && !matches!(*tone, "\u{0301}" | "\u{0323}") {
            continue;
        }
        word.clear();
        word.extend_from_slice(&chars[..at]);
        match compose_tone(chars[at], t as u8) {
            Some(c) => word.push(c),
            // "ệ" is e + dot below + circumflex: compose through NFC, not pairwise.
            None => {
                let mark = tone.chars().next().unwrap_or('\u{0301}');
                word.extend([chars[at], mark].iter().collect::<String>().nfc());
            }
        }
        word.extend_from_slice(&chars[at + 1..]);
        visit(word);
    }
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

/// [`Facts`] bit: the word is a syllable of the inventory.
const SYLLABLE: u8 = 1;
/// [`Facts`] bits: [`tone_in_place`] of the syllable for each [`ToneStyle`].
const IN_PLACE_TRADITIONAL: u8 = 2;
const IN_PLACE_MODERN: u8 = 4;

/// Facts of every syllable of the inventory by [`pack_key`] (every syllable packs: at
/// most 7 letters, all below U+2000): [`SYLLABLE`] and whether its tone is in place for
/// each style ([`tone_in_place`]). A look-up hashes and compares one integer; a set of
/// strings also followed a pointer to each candidate's bytes.
type Facts = FxHashMap<u128, u8>;

/// The inventory with its facts, built in full once a process (not as words are met), so
/// that the first reading of a word in a document is one look-up in an immutable table
/// whatever documents came before: no cache is shared between documents.
static INVENTORY: Lazy<Facts> = Lazy::new(build_inventory);

/// The [`tone_in_place`] bits of a word.
fn in_place_bits(chars: &[char]) -> u8 {
    let bit = |style, b| if tone_in_place(chars.iter().copied(), style) { b } else { 0 };
    bit(ToneStyle::Traditional, IN_PLACE_TRADITIONAL) | bit(ToneStyle::Modern, IN_PLACE_MODERN)
}

/// [`generate_set`] as keys with their facts, without a string a syllable. The tone bits
/// of a toned syllable are those of [`tone_in_place`] worked out once for its spelling:
/// the word has one tone (its toned letter's), `tone_at` is where it sits, and the bases
/// are those of the toneless spelling (a test checks every syllable against the function).
fn build_inventory() -> Facts {
    let mut facts = Facts::with_capacity_and_hasher(20_000, Default::default());
    let mut word: Vec<char> = Vec::with_capacity(16);
    for (bare, stop) in bare_spellings() {
        let chars: Vec<char> = bare.chars().collect();
        let at = tone_at(&bare, &chars);
        if !stop {
            let key = pack_key(chars.iter().copied()).expect("a syllable packs");
            *facts.entry(key).or_default() |= SYLLABLE | in_place_bits(&chars);
        }
        let Some(at) = at else { continue };
        // `tone_in_place` of a toned spelling, from the letters of the toneless one: all
        // letters, at most 8 of them, the tone where `tone_position` puts it for the style.
        let bases: Option<Vec<char>> = chars.iter().map(|&c| letter(c).filter(|l| l.tone == 0).map(|l| l.base)).collect();
        let spelled = bases.as_ref().filter(|b| b.len() <= 8).map(|b| {
            let ok = |style| tone_position(b, style).is_none_or(|p| p == at);
            (if ok(ToneStyle::Traditional) { IN_PLACE_TRADITIONAL } else { 0 }) | (if ok(ToneStyle::Modern) { IN_PLACE_MODERN } else { 0 })
        });
        toned_forms(&chars, at, stop, &mut word, |word| {
            let toned = (word.len() == chars.len()).then(|| letter(word[at])).flatten();
            let bits = match (spelled, toned) {
                (Some(bits), Some(l)) if l.tone != 0 && l.base == bases.as_ref().map_or('\0', |b| b[at]) => bits,
                // Not a letter the fast path knows: ask the function.
                _ => in_place_bits(word),
            };
            let key = pack_key(word.iter().copied()).expect("a syllable packs");
            *facts.entry(key).or_default() |= SYLLABLE | bits;
        });
    }
    facts
}

/// The lowercase form of each char below [`LOWER_END`] for [`syllable_lower`] (0: none).
const LOWER_END: usize = 0x1F00;
static LOWER: Lazy<Box<[u16]>> = Lazy::new(|| {
    let mut t = vec![0u16; LOWER_END].into_boxed_slice();
    let ranges = [(u32::from(b'A'), u32::from(b'Z')), (u32::from(b'a'), u32::from(b'z')), (0xC0, 0x24F), (0x1E00, 0x1EFF)];
    for c in ranges.into_iter().flat_map(|(lo, hi)| lo..=hi).filter_map(char::from_u32) {
        let mut l = c.to_lowercase();
        if let (Some(l), None) = (l.next(), l.next()) {
            if (l as usize) < LOWER_END && c.is_ascii() == l.is_ascii() && letter(c).is_some() && letter(c) == letter(l) {
                t[c as usize] = l as u16;
            }
        }
    }
    t
});

/// The lowercase form of `c` for looking a word up in the inventory by its lowercase
/// form ([`known_lower_in_place`]): the char `c` lowercases to, when that is one char
/// below U+1F00 that [`letter`] reads as `c` (same base and tone) and is ASCII only when
/// `c` is; `None` otherwise. Such a word has the tone facts and the detector's class of
/// its lowercase form.
/// (The reference of [`syllable_lower_codes`], which the walks read.)
#[cfg(test)]
pub(crate) fn syllable_lower(c: char) -> Option<char> {
    match LOWER.get(c as usize) {
        Some(&l) if l != 0 => char::from_u32(u32::from(l)),
        _ => None,
    }
}

/// The table of [`syllable_lower`]: at index `c as usize` (when below its length) the
/// code of the lowercase form, 0 for none. For a loop over many chars: one look-up of
/// the lazy table, and no char made from each code.
#[inline]
pub(crate) fn syllable_lower_codes() -> &'static [u16] {
    &LOWER
}

/// Whether `lower` (lowercase NFC, traditional tone placement) is a possible syllable.
pub fn is_syllable(lower: &str) -> bool {
    // A word that does not pack is no syllable.
    pack_key(lower.chars()).is_some_and(|k| INVENTORY.contains_key(&k))
}

/// Whether the word of [`pack_key`] `lower_key` is a syllable of the inventory whose
/// tone is in place for `style` ([`tone_in_place`]). Callers pass the key of a word
/// lowercased by [`syllable_lower`]: the word then has its tone in place too, and
/// `restore::detect` counts it as a marked possible syllable when it is not all ASCII.
/// `false` says nothing: the word may still have its tone in place.
#[inline]
pub(crate) fn known_lower_in_place(lower_key: u128, style: ToneStyle) -> bool {
    let bit = match style {
        ToneStyle::Traditional => IN_PLACE_TRADITIONAL,
        ToneStyle::Modern => IN_PLACE_MODERN,
    };
    INVENTORY.get(&lower_key).is_some_and(|f| f & bit != 0)
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

    /// The facts built once a process equal the functions, for every syllable: the tone
    /// bits are `tone_in_place` itself (worked out once a spelling when built).
    #[test]
    fn inventory_facts_equal_the_functions() {
        let syllables = generate();
        let (mut modern_out, mut both) = (0, 0);
        for s in &syllables {
            let chars: Vec<char> = s.chars().collect();
            let facts = INVENTORY[&pack_key(s.chars()).unwrap()];
            assert_eq!(facts, SYLLABLE | in_place_bits(&chars), "{s}");
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                assert_eq!(known_lower_in_place(pack_key(s.chars()).unwrap(), style), tone_in_place(s.chars(), style), "{s}");
            }
            modern_out += usize::from(facts & IN_PLACE_MODERN == 0);
            both += usize::from(facts == SYLLABLE | IN_PLACE_TRADITIONAL | IN_PLACE_MODERN);
        }
        assert_eq!(INVENTORY.len(), syllables.len());
        // Both kinds met: syllables whose tone moves in the modern style ("hòa"), and most
        // with it in place for both.
        assert!(modern_out > 100 && both > syllables.len() / 2, "{modern_out} {both}");
        // Not syllables: no facts.
        for w in ["hoà", "ghá", "quyét", "Hòa", "ubnd"] {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                assert!(!known_lower_in_place(pack_key(w.chars()).unwrap(), style), "{w}");
            }
        }
    }

    /// The table walks read is `syllable_lower`, on every char.
    #[test]
    fn syllable_lower_codes_are_syllable_lower() {
        let codes = syllable_lower_codes();
        for u in 0..0x11_0000 {
            let Some(c) = char::from_u32(u) else { continue };
            let code = codes.get(c as usize).copied().unwrap_or(0);
            assert_eq!(syllable_lower(c), (code != 0).then(|| char::from_u32(u32::from(code)).unwrap()), "U+{u:04X}");
        }
    }

    /// `syllable_lower` maps a char only to its one-char lowercase form that `letter`
    /// reads alike, ASCII only for ASCII: checked on every char.
    #[test]
    fn syllable_lower_reads_as_the_char() {
        let mut mapped = 0;
        for u in 0..0x11_0000 {
            let Some(c) = char::from_u32(u) else { continue };
            if let Some(l) = syllable_lower(c) {
                assert!(c.to_lowercase().eq(std::iter::once(l)), "U+{u:04X}");
                assert!(letter(c).is_some() && letter(c) == letter(l), "U+{u:04X}");
                assert_eq!(c.is_ascii(), l.is_ascii(), "U+{u:04X}");
                mapped += 1;
            }
        }
        // Every letter of every syllable, and its uppercase form, is mapped.
        for s in generate() {
            for c in s.chars() {
                assert_eq!(syllable_lower(c), Some(c), "{s}");
                let upper: Vec<char> = c.to_uppercase().collect();
                assert_eq!(syllable_lower(upper[0]), Some(c), "{s}");
            }
        }
        assert!(mapped > 300, "{mapped}");
    }

    #[test]
    fn inventory_size_plausible() {
        let n = inventory_size();
        assert!((10_000..30_000).contains(&n), "{n}");
    }
}
