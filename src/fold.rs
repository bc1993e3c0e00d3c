//! Folded keys for matching: no diacritics, lowercase, đ→d, punctuation and spacing
//! collapsed. Rules match on folded text so they work on clean, stripped and OCR'd text.

use unicode_normalization::char::decompose_canonical;

use crate::char_table::LazyCharTable;
use std::sync::atomic::AtomicU32;

/// Code points below this (Latin, Latin Extended, combining marks, Greek and Cyrillic,
/// Vietnamese letters in Latin Extended Additional, general punctuation) are folded by
/// table lookup.
const TABLE_END: usize = 0x3000;

/// [`fold_char`] of the chars below [`TABLE_END`], each made when first met: a text uses
/// a few hundred of these chars, and the decomposition, `to_lowercase` and
/// `is_alphanumeric` cost hundreds to a few thousand instructions a char.
static FOLD_TABLE: LazyCharTable<AtomicU32, TABLE_END> = LazyCharTable::new(|c| fold_char_slow(c) as u32);

/// Removes Vietnamese diacritics from one char and lowercases it (`Ố` → `o`, `Đ` → `d`).
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match FOLD_TABLE.get_code_point(c as u32) {
        // Only chars are stored (`fold_char_slow` of a char).
        Some(f) => char::from_u32(f).expect("a folded char"),
        None => fold_char_slow(c),
    }
}

fn fold_char_slow(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match c {
        'đ' | 'Đ' => return 'd',
        _ => {}
    }
    let mut base = c;
    let mut first = true;
    decompose_canonical(c, |d| {
        if first {
            base = d;
            first = false;
        }
    });
    base.to_lowercase().next().unwrap_or(base)
}

/// Combining diacritical marks (as found in NFD text).
pub fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF)
}

/// Strips diacritics but keeps case and everything else (`Ủy ban` → `Uy ban`).
pub fn strip_diacritics(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_combining_mark(c))
        .map(|c| {
            let f = fold_char(c);
            if c.is_uppercase() {
                f.to_uppercase().next().unwrap_or(f)
            } else {
                f
            }
        })
        .collect()
}

/// What [`fold`] does with one char: [`SKIP`] it (a combining mark), treat it as a
/// separator ([`SEP`]), or keep the folded char (its code point). Neither is `u32::MAX`,
/// the mark of a [`KEY_TABLE`] entry not made.
const SKIP: u32 = u32::MAX - 2;
const SEP: u32 = u32::MAX - 1;

/// [`key_class`] of the chars below [`TABLE_END`], each made when first met (see
/// [`FOLD_TABLE`]): [`fold`] is called on most lines by several stages, so it does one
/// lookup a char.
static KEY_TABLE: LazyCharTable<AtomicU32, TABLE_END> = LazyCharTable::new(key_class);

/// [`key_class`] of ASCII bytes, known at compile time: most chars of a plan are ASCII,
/// and this lookup needs neither the lazy table's check nor a char decode.
static ASCII_KEY: [u32; 128] = {
    let mut t = [SEP; 128];
    let mut b = 0u8;
    while b < 128 {
        if b.is_ascii_alphanumeric() || matches!(b, b'&' | b'%' | b'/') {
            t[b as usize] = b.to_ascii_lowercase() as u32;
        }
        b += 1;
    }
    t
};

/// [`key_class`] of `c`, by table where the tables reach.
fn key_of(c: char) -> u32 {
    if c.is_ascii() {
        return ASCII_KEY[c as usize];
    }
    key_of_code_point(c as u32)
}

/// [`key_class`] of a code point beyond ASCII (a char), by table where it reaches.
#[inline(always)]
fn key_of_code_point(u: u32) -> u32 {
    KEY_TABLE.get_code_point(u).unwrap_or_else(|| char::from_u32(u).map_or(SEP, key_class))
}

fn key_class(c: char) -> u32 {
    if is_combining_mark(c) {
        return SKIP;
    }
    let f = fold_char(c);
    if f.is_alphanumeric() || matches!(f, '&' | '%' | '/') {
        f as u32
    } else {
        SEP
    }
}

/// The folded key: lowercase ASCII-ish letters and digits, words separated by one space;
/// every other character is a separator, except `&` `%` and `/` which carry meaning in
/// agency and document codes.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// The chars of [`fold`]`(s)`, computed as they are taken: a prefix of the folded key
/// costs only the chars it needs (`fold_chars(s).take(n)` is the first `n` chars of it).
pub fn fold_chars(s: &str) -> FoldChars<std::str::Chars<'_>> {
    fold_iter(s.chars())
}

/// [`fold_chars`] of any chars.
pub fn fold_iter<I: Iterator<Item = char>>(chars: I) -> FoldChars<I> {
    FoldChars { chars, next: None, started: false, space: false }
}

pub struct FoldChars<I> {
    chars: I,
    /// A kept char to give after the space that goes before it.
    next: Option<char>,
    /// Whether a char was given (no space before the first).
    started: bool,
    /// A separator since the last kept char.
    space: bool,
}

impl<I: Iterator<Item = char>> Iterator for FoldChars<I> {
    type Item = char;

    // Inlinable in every codegen unit: a call per char costs as much as the folding, and
    // where the compiler placed this generic function decided whether callers paid it.
    #[inline]
    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.next.take() {
            return Some(c);
        }
        loop {
            let c = self.chars.next()?;
            let class = key_of(c);
            if class == SKIP {
                continue;
            }
            if class == SEP {
                self.space = true;
                continue;
            }
            let f = char::from_u32(class).unwrap_or(' ');
            if self.space && self.started {
                self.space = false;
                self.next = Some(f);
                return Some(' ');
            }
            self.space = false;
            self.started = true;
            return Some(f);
        }
    }
}

/// The first `n` chars of [`fold`]`(s)`.
pub fn fold_prefix(s: &str, n: usize) -> String {
    let mut out = String::with_capacity(n + 2);
    fold_each(s, &mut out, n, |_, _| {});
    out
}

/// [`fold`] into a reused buffer (cleared first).
///
/// Its own loop rather than [`fold_each`]: folding is done on most lines and words by
/// several stages, most calls on a few bytes. Neither chars nor offsets are counted; a
/// separator writes the space at once (unless the key is empty or already ends with one)
/// and a trailing space is dropped at the end, so a kept ASCII char costs a table lookup
/// and a push.
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    // Most keys are no longer than the text (a folded char is rarely longer than its
    // char, a space stands for a separator).
    out.reserve(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let key = if b < 0x80 {
            i += 1;
            match ASCII_FOLD[b as usize] {
                0 => SEP,
                f => {
                    out.push(f as char);
                    continue;
                }
            }
        } else {
            next_key(s, &mut i)
        };
        match key {
            SKIP => {}
            // A space after the last word, one only.
            SEP => {
                if !matches!(out.as_bytes().last(), None | Some(b' ')) {
                    out.push(' ');
                }
            }
            // Only chars are stored (`key_class` of a char).
            k => out.push(char::from_u32(k).unwrap_or(' ')),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

/// [`ASCII_KEY`] as bytes: the folded byte of a kept ASCII char, 0 for a separator (no
/// ASCII char is skipped).
static ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        if ASCII_KEY[b] != SEP {
            t[b] = ASCII_KEY[b] as u8;
        }
        b += 1;
    }
    t
};

/// `fold(text)` and, at every char boundary `i` of `text`, the length of
/// `fold(&text[..i])`. Folding goes char by char and writes the space between two words
/// only when the second begins, so the folded text of `text[..i]` is a prefix of the
/// folded text, and that of `text[i..]` the rest without its leading space: every part
/// of a text is folded by one pass over it.
pub fn fold_with_offsets(text: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut at = vec![0; text.len() + 1];
    fold_each(text, &mut out, usize::MAX, |i, len| at[i] = len);
    at[text.len()] = out.len();
    (out, at)
}

/// The offsets of [`fold_with_offsets`] at the chars of `text` whose folded text starts
/// at or before byte `end` of the folded text; `usize::MAX` at the chars after them (and
/// at the end), so the offsets still never fall from one char boundary to the next. Reads
/// `text` only as far as the fold needs: a caller that looks at a few places near the
/// start does not fold the rest.
pub fn fold_offsets_to(text: &str, end: usize) -> Vec<usize> {
    let mut out = String::with_capacity(text.len().min(end + 4));
    let mut at = vec![usize::MAX; text.len() + 1];
    // `end + 1` chars are at least `end + 1` bytes: every char whose fold starts by `end`
    // is read before the fold stops.
    fold_each(text, &mut out, end.saturating_add(1), |i, len| {
        if len <= end {
            at[i] = len;
        }
    });
    at
}

/// [`key_class`] of the char at byte `*i` of `s` (a char boundary), moving `*i` past it.
/// The code point is read off the UTF-8 bytes (`s` is valid UTF-8): ASCII by its byte,
/// two- and three-byte chars (all Vietnamese letters) into the table without a char
/// decode and its checks; folding runs over most of the text several times.
#[inline(always)]
fn next_key(s: &str, i: &mut usize) -> u32 {
    let bytes = s.as_bytes();
    let b = bytes[*i];
    if b < 0x80 {
        *i += 1;
        return ASCII_KEY[b as usize];
    }
    let cont = |k: usize| (bytes[*i + k] & 0x3F) as u32;
    if b < 0xE0 {
        let u = ((b as u32 & 0x1F) << 6) | cont(1);
        *i += 2;
        return KEY_TABLE.get_code_point(u).expect("two-byte chars are below TABLE_END");
    }
    if b < 0xF0 {
        let u = ((b as u32 & 0x0F) << 12) | (cont(1) << 6) | cont(2);
        *i += 3;
        return key_of_code_point(u);
    }
    let c = s[*i..].chars().next().expect("a char starts here");
    *i += c.len_utf8();
    key_class(c)
}

/// The one folding loop: appends the folded key of `s` to `out`, telling `before_char`
/// each char's byte offset in `s` and the length of `out` before that char. Stops once
/// it has appended `limit` chars.
fn fold_each(s: &str, out: &mut String, limit: usize, mut before_char: impl FnMut(usize, usize)) {
    let bytes = s.as_bytes();
    let mut pending_space = false;
    let mut i = 0;
    let mut pushed = 0;
    while i < bytes.len() && pushed < limit {
        before_char(i, out.len());
        let key = next_key(s, &mut i);
        if key == SKIP {
            continue;
        }
        if key == SEP {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
            pushed += 1;
            if pushed == limit {
                break;
            }
        }
        pending_space = false;
        if key < 0x80 {
            // One byte, known to the compiler: the common case.
            out.push(key as u8 as char);
        } else {
            // Only valid chars are stored (`key_class` of a char).
            out.push(char::from_u32(key).unwrap_or(' '));
        }
        pushed += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`fold_offsets_to`] agrees with [`fold_with_offsets`] at every char whose fold
    /// starts by `end`, and is `usize::MAX` at every other char.
    #[test]
    fn fold_offsets_to_agrees_with_fold_with_offsets() {
        let mut texts: Vec<String> = ["", "a", " Giao  Phòng Văn hóa - Xã hội ", "“ĐỀ ÁN” 06 -- (x)", "e\u{301}\u{301}x  ...  y", "𝟗 ĐƯỜNG ﬁ ß"].map(String::from).to_vec();
        texts.extend(crate::test_data::corpus().iter().flat_map(|t| t.lines().take(100).map(String::from).collect::<Vec<_>>()));
        for text in &texts {
            let (folded, full) = fold_with_offsets(text);
            for end in (0..=folded.len() + 2).chain([usize::MAX]) {
                let at = fold_offsets_to(text, end);
                for (i, _) in text.char_indices() {
                    let want = if full[i] <= end { full[i] } else { usize::MAX };
                    assert_eq!(at[i], want, "{text:?} {end} {i}");
                }
            }
        }
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Phòng Văn hóa - Xã hội"), "phong van hoa xa hoi");
        assert_eq!(fold("  ĐỔI  mới, sáng-tạo "), "doi moi sang tao");
        assert_eq!(fold("KTHT&ĐT"), "ktht&dt");
        assert_eq!(strip_diacritics("Ủy ban Đông Hải"), "Uy ban Dong Hai");
    }

    #[test]
    fn ascii_keys_are_the_key_class() {
        for b in 0..128u8 {
            assert_eq!(ASCII_KEY[b as usize], key_class(b as char), "{b}");
            assert_eq!(key_of(b as char), key_class(b as char), "{b}");
        }
    }

    #[test]
    fn fold_table_agrees_with_decomposition() {
        for u in 0..TABLE_END as u32 + 0x100 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(fold_char(c), fold_char_slow(c), "U+{u:04X}");
                // Asked twice: the entry made, then the entry read.
                assert_eq!(key_of(c), key_class(c), "U+{u:04X}");
                assert_eq!(key_of(c), key_class(c), "U+{u:04X}");
            }
        }
        // Every entry is made, and none is the mark of an entry not made.
        for u in 0x80..TABLE_END as u32 {
            assert!(KEY_TABLE.is_cached(u), "U+{u:04X}");
            assert!(FOLD_TABLE.is_cached(u), "U+{u:04X}");
        }
    }

    /// [`fold_into`]'s own loop folds every bundled plan, whole and line by line, and
    /// every text fixture as the char-by-char reference does, into a reused buffer.
    #[test]
    fn fold_into_agrees_with_reference_on_the_corpus() {
        let texts = crate::test_data::texts(&crate::test_data::TEXT_DIRS, Some("txt"));
        assert!(texts.len() > 10);
        let mut buf = String::new();
        let mut lines = 0;
        for text in &texts {
            fold_into(text, &mut buf);
            assert_eq!(buf, fold_reference(text));
            for line in text.lines() {
                fold_into(line, &mut buf);
                assert_eq!(buf, fold_reference(line), "{line:?}");
                // Words and the separators between them, as the agency tokenizer asks.
                for w in line.split_inclusive(' ') {
                    fold_into(w, &mut buf);
                    assert_eq!(buf, fold_reference(w), "{w:?}");
                }
                lines += 1;
            }
        }
        assert!(lines > 5000, "{lines}");
        // Separators, marks and chars whose folded form is longer than themselves
        // (U+023A folds to the three-byte U+2C65) at either end and in runs.
        for t in ["", " ", "--", "a", " a ", "a--b", "\u{300}a", "a\u{300}", " \u{300} ", "Ⱥ", "ȺȺ Ⱥ", "x Ⱥ-y", "𝐀𝐁 c", "Ǆ ǅ", "“Đ” …"] {
            fold_into(t, &mut buf);
            assert_eq!(buf, fold_reference(t), "{t:?}");
        }
    }

    /// `fold` as first written, char by char without the table.
    fn fold_reference(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut pending_space = false;
        for c in s.chars() {
            if is_combining_mark(c) {
                continue;
            }
            let f = fold_char_slow(c);
            if f.is_alphanumeric() || matches!(f, '&' | '%' | '/') {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(f);
            } else {
                pending_space = true;
            }
        }
        out
    }

    #[test]
    fn fold_agrees_with_reference() {
        // Every char alone and between letters, then whole texts.
        for u in 0..0x3_0000 {
            if let Some(c) = char::from_u32(u) {
                for s in [c.to_string(), format!("a{c}b"), format!(" {c}{c} ")] {
                    assert_eq!(fold(&s), fold_reference(&s), "U+{u:04X}");
                }
            }
        }
        for t in crate::normalize::restore::TRAINING_TEXTS {
            assert_eq!(fold(t), fold_reference(t));
        }
        for t in ["", " ", "Ủy ban -- Đông", "  a,b  ", "TT", "S.T.T. Nội dung", "x\u{301}y"] {
            let f = fold_reference(t);
            assert_eq!(fold_chars(t).collect::<String>(), f, "{t}");
            for n in 0..8 {
                assert_eq!(fold_prefix(t, n), f.chars().take(n).collect::<String>(), "{t} {n}");
            }
        }
        for t in crate::normalize::restore::TRAINING_TEXTS {
            assert_eq!(fold_chars(t).collect::<String>(), fold_reference(t));
        }
        let mut buf = String::from("stale");
        fold_into("Ủy ban -- Đông", &mut buf);
        assert_eq!(buf, "uy ban dong");
    }

    /// Every prefix and suffix of the corpus lines folds as `fold` folds it.
    #[test]
    fn folds_parts_as_fold_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut texts: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        texts.push("  Ho\u{0300}a -- KTHT&ĐT; 50% , x/y ².\n Ủy ban ".to_string());
        texts.extend(["", " ", "-", "a", " a", "a ", "\u{300}", " \u{300}a \u{300} ", "Ⱥ-Ⱥ", "a--b  c"].map(String::from));
        let mut parts = 0;
        for text in &texts {
            for line in text.lines().take(400) {
                let (folded, at) = fold_with_offsets(line);
                assert_eq!(folded, fold(line));
                for n in 0..24 {
                    assert_eq!(fold_prefix(line, n), folded.chars().take(n).collect::<String>(), "{line:?} {n}");
                }
                for (i, _) in line.char_indices().chain(std::iter::once((line.len(), ' '))) {
                    assert_eq!(&folded[..at[i]], fold(&line[..i]), "{line:?} at {i}");
                    let rest = &folded[at[i]..];
                    assert_eq!(rest.strip_prefix(' ').unwrap_or(rest), fold(&line[i..]), "{line:?} from {i}");
                    parts += 1;
                }
            }
        }
        assert!(parts > 10_000);
    }

    #[test]
    fn fold_decomposed_input() {
        // NFD input folds the same as NFC.
        assert_eq!(fold("Ho\u{0300}a"), fold("Hòa"));
    }
}
