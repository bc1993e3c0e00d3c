//! Deciding whether a text is clean, stripped of its diacritics, or OCR-noisy.
//!
//! Diacritized Vietnamese prose has marks on most syllables, and every marked word is a
//! possible syllable. Stripped text has (almost) no marks, yet its words are syllable
//! skeletons. English-model OCR leaves some marks, many on impossible syllables ("quyét",
//! "hién"), and prints digits or symbols inside words ("s6", "d6i", "K&").

use super::lexicon::{canonical_lower, Lexicon};
use super::syllables::is_syllable;
use super::tokens::{tokenize, Kind as TokKind, LEAD, TRAIL};
use crate::normalize::pack_key;
use rustc_hash::FxHashMap;
use crate::char_table::LazyCharTable;
use std::sync::atomic::{AtomicU32, AtomicU8};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// Correctly diacritized (or not Vietnamese): leave alone.
    Clean,
    /// Vietnamese without diacritics.
    Stripped,
    /// OCR output with lost, wrong and misread marks.
    Ocr,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub words: usize,
    /// Words with any diacritic (or đ).
    pub marked: usize,
    /// Marked words that are no possible syllable.
    pub bad_marked: usize,
    /// Letter tokens with digits or symbols inside.
    pub mixed: usize,
    /// Unmarked words whose skeleton is a Vietnamese syllable skeleton.
    pub plain_viet: usize,
}

/// Counts over `lines`; `lex` (for [`Stats::plain_viet`]) may be left out when only the
/// cheap clean-text check is wanted ([`Stats::clearly_clean`]).
pub fn stats<'a, C: LineChar + 'a>(lines: impl IntoIterator<Item = &'a [C]>, lex: Option<&Lexicon>) -> Stats {
    let mut st = Stats::default();
    let mut scratch = Scratch::default();
    for chars in lines {
        scratch.add_line(chars, lex, &mut st);
    }
    st
}

/// What [`Scratch::add_line`] needs to know of a char, as bit flags.
const SPACE: u8 = 1;
/// `tokens::is_letter`: alphabetic or a combining mark.
const LETTER: u8 = 2;
const ALPHA: u8 = 4;
/// Its lowercase form folds to itself: a word of such chars carries no mark.
const PLAIN: u8 = 8;
const LEAD_CHAR: u8 = 16;
const TRAIL_CHAR: u8 = 32;
/// '$' and '¢', which OCR prints for letters.
const LETTERISH: u8 = 64;

fn flags_of(c: char) -> u8 {
    let bit = |yes: bool, f: u8| if yes { f } else { 0 };
    // `is_letter(c)` is `alpha || is_combining_mark(c)`, and `fold(lower) == lower`
    // compares the chars of the fold ([`crate::fold::fold_iter`]): each table entry costs
    // one alphabetic look-up and no allocation (the tables are built per process).
    let alpha = c.is_alphabetic();
    bit(c.is_whitespace(), SPACE)
        | bit(alpha || crate::fold::is_combining_mark(c), LETTER)
        | bit(alpha, ALPHA)
        | bit(crate::fold::fold_iter(c.to_lowercase()).eq(c.to_lowercase()), PLAIN)
        | bit(LEAD.contains(&c), LEAD_CHAR)
        | bit(TRAIL.contains(&c), TRAIL_CHAR)
        | bit(matches!(c, '$' | '¢'), LETTERISH)
}

/// Chars below this (Latin, Vietnamese, general punctuation) have their flags and
/// single-char lowercase form in tables.
const TABLE_END: usize = 0x2100;

/// Each entry is made when its char is first met: a text uses a few hundred of these
/// chars, and making all of them ([`flags_of`] costs a few thousand instructions a
/// char) was a large share of a short run.
struct Tables {
    flags: LazyCharTable<AtomicU8, TABLE_END>,
    /// The lowercase form when it is one char, else '\0'.
    lower: LazyCharTable<AtomicU32, TABLE_END>,
}

static TABLES: Tables = Tables {
    flags: LazyCharTable::new(flags_of),
    lower: LazyCharTable::new(|c| single_lower(c) as u32),
};

/// The lowercase form of `c` when it is one char, else '\0'.
fn single_lower(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        _ => '\0',
    }
}

impl Tables {
    #[inline]
    fn flags(&self, c: char) -> u8 {
        self.flags.get(c)
    }

    fn push_lower(&self, c: char, out: &mut String) {
        // Beyond the table (rare chars) the lowercase form is made in full.
        match self.lower.get_code_point(c as u32).and_then(char::from_u32) {
            Some(l) if l != '\0' => out.push(l),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// How a word (a chunk whose core is one run of letters) counts in [`Stats`]: see
/// [`Scratch::word_class`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordClass {
    /// Only combining marks: no word.
    NoWord,
    /// No mark.
    Plain,
    /// Marked, a possible syllable.
    Marked,
    /// Marked, no possible syllable.
    BadMarked,
}

impl WordClass {
    /// Adds the word to `st` (as [`Scratch::add_line`] does without a lexicon).
    #[inline]
    pub fn count(self, st: &mut Stats) {
        st.words += (self != WordClass::NoWord) as usize;
        st.marked += matches!(self, WordClass::Marked | WordClass::BadMarked) as usize;
        st.bad_marked += (self == WordClass::BadMarked) as usize;
    }
}

/// Whether a marked word is a possible syllable, by its [`pack_key`]: a few thousand
/// distinct words make up a plan, so most look-ups hit. The cache lives as long as its
/// [`Scratch`] (emptied by [`Scratch::clear_cache`] where a scratch is reused).
type SyllableCache = FxHashMap<u128, bool>;

/// Reusable buffers of [`stats`]: counting allocates little on clean text.
#[derive(Default)]
pub struct Scratch {
    lower: String,
    syllables: SyllableCache,
}

/// A char of a line: [`Scratch::add_line`] reads plain chars and the mapped chars of
/// normalized lines alike (without copying a line to count it).
pub trait LineChar: Copy {
    fn ch(self) -> char;
}

impl LineChar for char {
    fn ch(self) -> char {
        self
    }
}

impl LineChar for crate::normalize::mapped::MChar {
    fn ch(self) -> char {
        self.c
    }
}

impl Scratch {
    /// Empties the syllable cache (for a scratch reused for another document).
    pub fn clear_cache(&mut self) {
        self.syllables.clear();
    }

    #[cfg(test)]
    pub fn cache_is_empty(&self) -> bool {
        self.syllables.is_empty()
    }

    /// Adds the counts of one line to `st`.
    ///
    /// Equal to counting the [`tokenize`] tokens of the line, without running the
    /// tokenizer on most of it: a whitespace-separated chunk that is letters only (after
    /// leading and trailing punctuation) is one word, and one without letters (numbers,
    /// dates, dashes) counts nothing. The rest ("57-NQ/TW", "kinh tế-xã", "s6") goes
    /// through the tokenizer.
    pub fn add_line<C: LineChar>(&mut self, chars: &[C], lex: Option<&Lexicon>, st: &mut Stats) {
        let t = &TABLES;
        let n = chars.len();
        let mut i = 0;
        while i < n {
            if t.flags(chars[i].ch()) & SPACE != 0 {
                i += 1;
                continue;
            }
            let start = i;
            let (mut chunk_all, mut chunk_any) = (u8::MAX, 0u8);
            while i < n {
                let f = t.flags(chars[i].ch());
                if f & SPACE != 0 {
                    break;
                }
                chunk_all &= f;
                chunk_any |= f;
                i += 1;
            }
            self.chunk(t, &chars[start..i], chunk_all, chunk_any, lex, st);
        }
    }

    /// Adds the counts of one whitespace-free chunk of a line (what [`Scratch::add_line`]
    /// does for each chunk): for a caller that has split the line itself and handles the
    /// simple chunks on its own.
    pub fn add_chunk<C: LineChar>(&mut self, chunk: &[C], st: &mut Stats) {
        let t = &TABLES;
        let (all, any) = chunk.iter().fold((u8::MAX, 0u8), |(all, any), c| {
            let f = t.flags(c.ch());
            (all & f, any | f)
        });
        debug_assert!(any & SPACE == 0);
        self.chunk(t, chunk, all, any, None, st);
    }

    /// One chunk (no whitespace in it); `chunk_all` / `chunk_any`: the AND / OR of its
    /// chars' flags.
    fn chunk<C: LineChar>(&mut self, t: &Tables, chunk: &[C], chunk_all: u8, chunk_any: u8, lex: Option<&Lexicon>, st: &mut Stats) {
        if chunk_any & (ALPHA | LETTERISH) == 0 {
            // No letter in the chunk, so none in its core either: no word.
            return;
        }
        let (mut a, mut b) = (0, chunk.len());
        while a < b && t.flags(chunk[a].ch()) & LEAD_CHAR != 0 {
            a += 1;
        }
        while b > a && t.flags(chunk[b - 1].ch()) & TRAIL_CHAR != 0 {
            b -= 1;
        }
        let core = &chunk[a..b];
        // Most chunks are their own core: their flags are known already.
        let (all, any) = if (a, b) == (0, chunk.len()) {
            (chunk_all, chunk_any)
        } else {
            core.iter().fold((u8::MAX, 0u8), |(all, any), c| {
                let f = t.flags(c.ch());
                (all & f, any | f)
            })
        };
        if core.is_empty() || any & (ALPHA | LETTERISH) == 0 {
            // Punctuation, numbers, or codes without letters: no word.
            return;
        }
        if all & LETTER != 0 && any & ALPHA != 0 {
            self.word(t, core, all, lex, st);
            return;
        }
        // The tokens of a chunk (it has no whitespace) are those of the line there.
        let chunk: Vec<char> = chunk.iter().map(|c| c.ch()).collect();
        for tok in tokenize(&chunk) {
            let text: Vec<char> = tok.text.chars().collect();
            match tok.kind {
                TokKind::Word => {
                    let all = text.iter().fold(u8::MAX, |acc, &c| acc & t.flags(c));
                    self.word(t, &text, all, lex, st)
                }
                TokKind::Mixed => mixed(&text, st),
                _ => {}
            }
        }
    }

    /// How [`Scratch::add_line`] counts a run of letters (chars that are alphabetic or
    /// combining marks) that is the core of its chunk, without a lexicon. Not cached:
    /// callers that see a word often remember its class.
    pub fn word_class(&mut self, run: &str) -> WordClass {
        let t = &TABLES;
        let (all, any) = run.chars().fold((u8::MAX, 0u8), |(all, any), c| {
            let f = t.flags(c);
            (all & f, any | f)
        });
        debug_assert!(all & LETTER != 0);
        if any & ALPHA == 0 {
            WordClass::NoWord
        } else if all & PLAIN != 0 {
            WordClass::Plain
        } else {
            // `is_possible_syllable` on a str (no char vector made).
            self.lower.clear();
            for c in run.chars() {
                t.push_lower(c, &mut self.lower);
            }
            if is_syllable(&self.lower) || is_syllable(&canonical_lower(run)) {
                WordClass::Marked
            } else {
                WordClass::BadMarked
            }
        }
    }

    /// One word; `all` is the AND of its chars' flags.
    fn word<C: LineChar>(&mut self, t: &Tables, text: &[C], all: u8, lex: Option<&Lexicon>, st: &mut Stats) {
        st.words += 1;
        if all & PLAIN != 0 {
            // No mark: its skeleton is its lowercase form.
            if let Some(lex) = lex {
                self.lower.clear();
                for &c in text {
                    t.push_lower(c.ch(), &mut self.lower);
                }
                st.plain_viet += lex.has_skeleton(&self.lower) as usize;
            }
            return;
        }
        st.marked += 1;
        let key = pack_key(text.iter().map(|c| c.ch()));
        let syllable = match key.and_then(|k| self.syllables.get(&k)) {
            Some(&known) => known,
            None => {
                let syllable = self.is_possible_syllable(t, text);
                if let Some(k) = key {
                    self.syllables.insert(k, syllable);
                }
                syllable
            }
        };
        st.bad_marked += !syllable as usize;
    }

    fn is_possible_syllable<C: LineChar>(&mut self, t: &Tables, text: &[C]) -> bool {
        self.lower.clear();
        for &c in text {
            t.push_lower(c.ch(), &mut self.lower);
        }
        // Lines are NFC with traditional tone placement already, so the plain lowercase
        // form is usually canonical; the full canonical form only when it is no syllable
        // as written.
        is_syllable(&self.lower) || is_syllable(&canonical_lower(&text.iter().map(|c| c.ch()).collect::<String>()))
    }
}

/// The chunk split of [`Scratch::add_line`] for a caller that walks a line char by char
/// anyway and knows its runs of letters and their [`WordClass`] (the normalizer, which
/// looks every word up for its tone already): most chunks are one run with leading and
/// trailing punctuation at most, counted by the class of the run; the others go through
/// [`Scratch::add_chunk`]. Feed it the runs ([`ChunkWalk::run`]) and every other char
/// ([`ChunkWalk::other`]) in order, then [`ChunkWalk::finish`] at the end of the line.
#[derive(Default)]
pub struct ChunkWalk {
    state: u8,
    /// Byte offset of the chunk in the line.
    start: usize,
    /// The class of the chunk's run (state `IN_RUN` or `TRAILING`).
    class: Option<WordClass>,
    /// Whether the chunk has an alphabetic or letter-like char.
    alpha: bool,
    chars: Vec<char>,
}

/// [`ChunkWalk`] states: between chunks, leading punctuation so far, in the run, trailing
/// punctuation after it, anything else (left to [`Scratch::add_chunk`]).
const NO_CHUNK: u8 = 0;
const LEADING: u8 = 1;
const IN_RUN: u8 = 2;
const TRAILING: u8 = 3;
const COMPLEX: u8 = 4;

impl ChunkWalk {
    /// Forgets a line left unfinished.
    pub fn reset(&mut self) {
        self.state = NO_CHUNK;
    }

    /// A maximal run of letters (alphabetic chars or combining marks) at byte `at`.
    #[inline]
    pub fn run(&mut self, at: usize, class: WordClass) {
        self.state = match self.state {
            NO_CHUNK => {
                (self.start, self.alpha) = (at, false);
                IN_RUN
            }
            LEADING => IN_RUN,
            _ => COMPLEX,
        };
        self.class = Some(class);
        self.alpha |= class != WordClass::NoWord;
    }

    /// A char that is no letter, at byte `at` of `line`.
    #[inline]
    pub fn other(&mut self, line: &str, at: usize, c: char, scratch: &mut Scratch, st: &mut Stats) {
        let f = TABLES.flags(c);
        if f & SPACE != 0 {
            self.finish(line, at, scratch, st);
            return;
        }
        if self.state == NO_CHUNK {
            (self.state, self.start, self.alpha) = (LEADING, at, false);
        }
        self.alpha |= f & (ALPHA | LETTERISH) != 0;
        self.state = match self.state {
            LEADING if f & LEAD_CHAR != 0 => LEADING,
            IN_RUN | TRAILING if f & TRAIL_CHAR != 0 => TRAILING,
            _ => COMPLEX,
        };
    }

    /// Whether the chunk so far counts the same with a trail char (`tokens::TRAIL`, no
    /// letter) after it: its run stays its core, and lead chars or a chunk without letters
    /// stay no word. Only a chunk with letters left to the tokenizer may count otherwise.
    pub fn trail_keeps_counts(&self) -> bool {
        self.state != COMPLEX || !self.alpha
    }

    /// Ends the chunk (if any) at byte `end` of `line`.
    pub fn finish(&mut self, line: &str, end: usize, scratch: &mut Scratch, st: &mut Stats) {
        match self.state {
            // Lead and trail chars are no letters: the core is the run.
            IN_RUN | TRAILING => {
                if let Some(class) = self.class {
                    class.count(st);
                }
            }
            // Without a letter-like char the chunk counts nothing (as in `add_line`).
            COMPLEX if self.alpha => {
                self.chars.clear();
                self.chars.extend(line[self.start..end].chars());
                scratch.add_chunk(&self.chars, st);
            }
            _ => {}
        }
        self.state = NO_CHUNK;
    }
}

/// Whether `c` is a letter for [`Scratch::add_line`] (alphabetic or a combining mark).
#[cfg(test)]
pub(crate) fn is_letter_flag(c: char) -> bool {
    TABLES.flags(c) & LETTER != 0
}

fn mixed(text: &[char], st: &mut Stats) {
    st.words += 1;
    // "s6", "d6i", "16p", "K&": a lowercase letter with digits or symbols. Codes like
    // "5G", "4G", "H2" are not OCR damage.
    let symbol = text.iter().any(|c| matches!(c, '$' | '¢' | '&'));
    if text.iter().any(|c| c.is_lowercase()) || (symbol && text.len() <= 3) {
        st.mixed += 1;
    }
}

impl Stats {
    /// Clean whatever [`Stats::plain_viet`] is: short, or marked throughout with possible
    /// syllables and no OCR damage. Needs no lexicon.
    pub fn clearly_clean(&self) -> bool {
        if self.words < 8 {
            return true;
        }
        let w = self.words as f64;
        self.marked as f64 / w >= 0.35 && (self.bad_marked as f64 / (self.marked.max(1)) as f64) < 0.08 && (self.mixed as f64 / w) < 0.01
    }

    pub fn kind(&self) -> TextKind {
        if self.words < 8 {
            return TextKind::Clean;
        }
        let w = self.words as f64;
        let marked = self.marked as f64 / w;
        let bad = self.bad_marked as f64 / (self.marked.max(1)) as f64;
        let mixed = self.mixed as f64 / w;
        let plain_viet = self.plain_viet as f64 / w;
        if marked >= 0.35 && bad < 0.08 && mixed < 0.01 {
            TextKind::Clean
        } else if bad >= 0.08 || mixed >= 0.01 {
            if plain_viet + marked > 0.5 {
                TextKind::Ocr
            } else {
                TextKind::Clean
            }
        } else if plain_viet >= 0.5 {
            TextKind::Stripped
        } else {
            TextKind::Clean
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::restore::tokens::is_letter;
    use crate::normalize::restore::lexicon::skeleton;
    use crate::normalize::restore::Model;

    /// `stats` as first written: every token of the tokenizer, allocated.
    fn stats_reference<'a>(lines: impl IntoIterator<Item = &'a [char]>, lex: Option<&Lexicon>) -> Stats {
        let mut st = Stats::default();
        for chars in lines {
            for t in tokenize(chars) {
                match t.kind {
                    TokKind::Word => {
                        st.words += 1;
                        let lower: String = t.text.chars().flat_map(char::to_lowercase).collect();
                        if t.text.is_ascii() {
                            if let Some(lex) = lex {
                                st.plain_viet += lex.has_skeleton(&lower) as usize;
                            }
                            continue;
                        }
                        let syllable = is_syllable(&lower) || is_syllable(&canonical_lower(&t.text));
                        let skel = skeleton(&lower);
                        if lower != skel {
                            st.marked += 1;
                            st.bad_marked += !syllable as usize;
                        } else if let Some(lex) = lex {
                            st.plain_viet += lex.has_skeleton(&skel) as usize;
                        }
                    }
                    TokKind::Mixed => {
                        st.words += 1;
                        let symbol = t.text.chars().any(|c| matches!(c, '$' | '¢' | '&'));
                        if t.text.chars().any(char::is_lowercase) || (symbol && t.text.chars().count() <= 3) {
                            st.mixed += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        st
    }

    fn texts() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut out: Vec<String> = ["corpus", "fixtures/restore", "fixtures/restore/ocr", "fixtures/ocr_tables"]
            .iter()
            .flat_map(|d| std::fs::read_dir(format!("{dir}{d}")).into_iter().flatten())
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        let stripped: Vec<String> = out.iter().map(|t| crate::fold::strip_diacritics(t)).collect();
        out.extend(stripped);
        out.push("Nghi quyét s6 57-NQ/TW ngay 22/12/2024 (ctia). K& $6 ¢ó kinh tế-xã 4.0 https://a.vn a@b.c İstanbul ǅa Ωhm x\u{301}".into());
        out
    }

    /// `flags_of` as first written.
    fn flags_reference(c: char) -> u8 {
        let lower: String = c.to_lowercase().collect();
        let bit = |yes: bool, f: u8| if yes { f } else { 0 };
        bit(c.is_whitespace(), SPACE)
            | bit(is_letter(c), LETTER)
            | bit(c.is_alphabetic(), ALPHA)
            | bit(crate::fold::fold(&lower) == lower, PLAIN)
            | bit(LEAD.contains(&c), LEAD_CHAR)
            | bit(TRAIL.contains(&c), TRAIL_CHAR)
            | bit(matches!(c, '$' | '¢'), LETTERISH)
    }

    #[test]
    fn flags_equal_the_reference_on_every_char() {
        for u in 0..0x11_0000 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(flags_of(c), flags_reference(c), "U+{u:04X}");
            }
        }
    }

    /// The tables made on demand give `flags_of` and the lowercase form of every char,
    /// when an entry is made and when it is read back.
    #[test]
    fn tables_equal_the_functions() {
        for _ in 0..2 {
            for u in 0..0x3000 {
                if let Some(c) = char::from_u32(u) {
                    assert_eq!(TABLES.flags(c), flags_of(c), "U+{u:04X}");
                    let mut lower = String::new();
                    TABLES.push_lower(c, &mut lower);
                    assert_eq!(lower, c.to_lowercase().collect::<String>(), "U+{u:04X}");
                }
            }
        }
    }

    #[test]
    fn fast_stats_equal_the_tokenizer_counts() {
        let lex = &Model::shipped().lex;
        for text in texts() {
            for line in text.lines() {
                let chars: Vec<char> = line.chars().collect();
                for lex in [None, Some(lex)] {
                    assert_eq!(stats([chars.as_slice()], lex), stats_reference([chars.as_slice()], lex), "{line}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_stats_equal_the_tokenizer_counts_on_any_text(s in "[ a-zA-Z0-9đĐàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ\\u{300}\\u{301}.,;:!?()\\[\\]{}\"'“”‘’«»…–—•*+/@_=#$¢&%\t-]{0,40}") {
            let chars: Vec<char> = s.chars().collect();
            proptest::prop_assert_eq!(stats([chars.as_slice()], None), stats_reference([chars.as_slice()], None));
        }

        #[test]
        fn fast_stats_equal_the_tokenizer_counts_on_any_unicode(s in "(\\PC|[İΩßǅ\\u{2126}\\u{212A}\\u{307}]){0,30}") {
            let chars: Vec<char> = s.chars().collect();
            proptest::prop_assert_eq!(stats([chars.as_slice()], None), stats_reference([chars.as_slice()], None));
        }
    }
}
