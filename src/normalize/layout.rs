//! Layout repair: residue of LaTeX and markdown, page furniture, repeated table headers,
//! blank lines, and codes or words split across lines.

use super::mapped::{MChar, MappedStr};
use super::restore::detect::{ChunkWalk, Scratch, Stats, WordClass};
use super::restore::tokens::TRAIL;
use super::restore::syllables::{known_lower_in_place, syllable_lower_codes};
use super::{pack_key, PACK_MAX};

use super::unicode::{place_tone, tone_in_place, ToneStyle};
use crate::fold::fold_iter;
use once_cell::sync::Lazy;
use regex::Regex;
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;

static LATEX_MATH: Lazy<Regex> = Lazy::new(|| Regex::new(r"\$([^$\n]{0,80})\$").unwrap());
static LATEX_CMD: Lazy<Regex> = Lazy::new(|| Regex::new(r"\\(geq|leq|ge|le|times|%|,|;|!|neq|approx)").unwrap());
static MD_BOLD: Lazy<Regex> = Lazy::new(|| Regex::new(r"\*\*|__").unwrap());
static MD_AUTOLINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"<((?:https?|ftp)://[^>\s]+)>").unwrap());
static MD_HEADING: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s{0,3}#{1,6}\s+").unwrap());
static MD_TABLE_RULE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$").unwrap());
static URL_ONLY: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*(file:///|https?://|www\.)\S*\s*$").unwrap());
static PAGE_MARK: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)^\s*(?:-\s*\d{1,3}\s*-|trang\s+\d{1,3}(?:\s*/\s*\d{1,3})?|\d{1,3}\s*/\s*\d{1,3})\s*$").unwrap());
static LONE_NUMBER: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*\d{1,3}\s*$").unwrap());
static OP_SPACE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([≥≤<>=≠≈])\s*").unwrap());
static PIPE_EDGES: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*\|\s*|\s*\|\s*$").unwrap());
static PIPE_SEP: Lazy<Regex> = Lazy::new(|| Regex::new(r"\s*\|\s*").unwrap());
static ROW_START: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(\d+(\.\d+)*|[ivxlc]+)( |$)").unwrap());
static HEADING_START: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*\.|[a-zđ]\)|-\s)").unwrap());

fn latex_symbol(cmd: &str) -> &'static str {
    match cmd {
        "geq" | "ge" => "≥",
        "leq" | "le" => "≤",
        "neq" => "≠",
        "approx" => "≈",
        "times" => "×",
        "%" => "%",
        _ => " ",
    }
}

/// Rewrites residue of LaTeX math and markdown in one line. Each rewrite runs only when
/// the line has the character it needs (most lines have none).
fn strip_residue(line: &mut MappedStr) {
    let s = line.as_string();
    if s.contains('$') {
        line.replace_regex(&LATEX_MATH, |c| {
            let inner = LATEX_CMD.replace_all(&c[1], |m: &regex::Captures| latex_symbol(&m[1]).to_string());
            let inner = inner.replace(['{', '}'], "");
            // "≥82%" reads better as "≥ 82%", the way the plans print it.
            OP_SPACE.replace(inner.trim(), "$1 ").into_owned()
        });
    }
    if s.contains('\\') {
        line.replace_regex(&LATEX_CMD, |c| if &c[1] == "%" { "%".into() } else { c[0].to_string() });
    }
    if s.contains('<') {
        line.replace_regex(&MD_AUTOLINK, |c| c[1].to_string());
    }
    if s.contains("**") || s.contains("__") {
        line.replace_regex(&MD_BOLD, |_| String::new());
    }
    if s.trim_start().starts_with('#') {
        line.replace_regex(&MD_HEADING, |_| String::new());
    }
    // Markdown pipe tables become tab-separated rows, like TSV input.
    if s.contains('|') {
        let s = line.as_string();
        let t = s.trim();
        if t.starts_with('|') && t.ends_with('|') && t.matches('|').count() >= 3 {
            line.replace_regex(&PIPE_EDGES, |_| String::new());
            line.replace_regex(&PIPE_SEP, |_| "\t".into());
        }
    }
}

/// Words whose retoning is remembered (a plan has a few thousand distinct syllables;
/// the cache is emptied when it reaches this size, to bound memory).
const TONE_CACHE_MAX: usize = 50_000;

/// Retoned words: `None` when a word is unchanged. Keyed by [`pack_key`] (words of up
/// to 9 chars, nearly all syllables) or, for longer ones, by the word. Only words the
/// table fast path cannot decide get here. Everything cached is a pure function of the
/// word and the style. The cache lives for one document, so a document's cost never
/// depends on what the batch read before it (a batch of copies gains nothing from
/// repeating itself); its tables are kept per thread ([`TONES`]) and emptied as each
/// document starts, so they are not grown again for every document.
///
/// It also counts the lines of the fast path for the clean-text detector of restoration
/// (`restore::detect`), in the same walk: a short word's entry remembers its
/// [`WordClass`] too, so each distinct word is looked up once per occurrence, not twice.
#[derive(Default)]
struct ToneCache {
    style: ToneStyle,
    short: FxHashMap<u128, Entry>,
    long: FxHashMap<String, Option<String>>,
    detect: Scratch,
    walk: ChunkWalk,
    /// Whitespace-free chunks of lines of the fast path ([`clean_plain_line`]) by their
    /// bytes ([`chunk_key`]), for `chunk_style`: the detector's counts of the chunk
    /// (words, marked, bad marked, mixed), `None` when a word of it needs retoning or it
    /// has an invisible or look-alike char. A chunk is a pure function of its text, and
    /// a plan repeats its chunks ("của", "các", "xã,"): a look-up replaces the char walk.
    chunks: FxHashMap<u128, ChunkCounts>,
    chunk_style: ToneStyle,
}

thread_local! {
    /// The [`ToneCache`] of this thread, taken by [`clean_lines_with`] for a document
    /// and put back after it.
    static TONES: std::cell::RefCell<ToneCache> = std::cell::RefCell::new(ToneCache::default());
}

/// A chunk's entry in [`ToneCache::chunks`].
#[derive(Clone, Copy, Debug, PartialEq)]
struct ChunkCounts {
    /// The detector's counts (words, marked, bad marked, mixed; at most 15 bytes: each
    /// fits a byte), `None` when the line needs the char-by-char passes.
    counts: Option<[u8; 4]>,
    /// Whether the chunk with an ASCII trail char after it (see [`stem_key`]) has the same
    /// entry ([`ChunkWalk::trail_keeps_counts`]).
    trail_keeps: bool,
}

/// A short word: its retoned form (`None`: unchanged) and, once asked for, its class.
struct Entry {
    retoned: Option<String>,
    class: Option<WordClass>,
}

impl ToneCache {
    /// NFC and tone placement of one word, `None` when it is unchanged. ASCII words need
    /// neither; words of Vietnamese letters with the tone in place are told by table
    /// ([`tone_in_place`]); the rest are cached (a pure function of word and style).
    fn retone_run(&mut self, run: &[MChar], style: ToneStyle) -> Option<String> {
        if run.iter().all(|m| m.c.is_ascii()) {
            return None;
        }
        let key = pack_key(run.iter().map(|m| m.c));
        if self.style == style {
            if let Some(hit) = key.and_then(|k| self.short.get(&k)) {
                return hit.retoned.clone();
            }
        }
        if tone_in_place(run.iter().map(|m| m.c), style) {
            // Remembered too: a word repeats in a document, and a look-up is cheaper.
            if let Some(k) = key {
                self.make_room(style);
                self.short.insert(k, Entry { retoned: None, class: None });
            }
            return None;
        }
        let word: String = run.iter().map(|m| m.c).collect();
        self.retone(&word, style)
    }

    /// The detector's class of `word` (not all ASCII, `key` its [`pack_key`]) when
    /// retoning leaves it unchanged, `None` when retoning changes it. A cache hit needs
    /// no other work.
    fn unchanged_class(&mut self, word: &str, key: Option<u128>, style: ToneStyle) -> Option<WordClass> {
        debug_assert_eq!(key, pack_key(word.chars()));
        if self.style == style {
            if let Some(e) = key.and_then(|k| self.short.get_mut(&k)) {
                if e.retoned.as_ref().is_some_and(|new| new != word) {
                    return None;
                }
                let detect = &mut self.detect;
                return Some(*e.class.get_or_insert_with(|| detect.word_class(word)));
            }
        }
        if tone_in_place(word.chars(), style) {
            // Remembered too, as in `retone_run`.
            let class = self.detect.word_class(word);
            if let Some(k) = key {
                self.make_room(style);
                self.short.insert(k, Entry { retoned: None, class: Some(class) });
            }
            return Some(class);
        }
        if matches!(self.retone(word, style), Some(new) if new != word) {
            return None;
        }
        let class = self.detect.word_class(word);
        if let Some(e) = key.and_then(|k| self.short.get_mut(&k)) {
            e.class = Some(class);
        }
        Some(class)
    }

    /// Empties the cache when it is for another style or full.
    fn make_room(&mut self, style: ToneStyle) {
        if self.style != style || self.short.len() + self.long.len() >= TONE_CACHE_MAX {
            self.style = style;
            self.short.clear();
            self.long.clear();
        }
    }

    /// This thread's cache, emptied for a new document (its tables keep their
    /// capacity), to be given back with [`ToneCache::put_back`].
    fn take() -> ToneCache {
        let mut tones = TONES.with(|t| std::mem::take(&mut *t.borrow_mut()));
        tones.short.clear();
        tones.long.clear();
        tones.chunks.clear();
        tones.detect.clear_cache();
        tones
    }

    /// The detector's counts of a whitespace-free chunk of a line of the fast path,
    /// `None` when the line needs the char-by-char passes (see [`ToneCache::walk_chunk`]).
    #[inline]
    fn chunk_stats(&mut self, line: &str, range: std::ops::Range<usize>, key: Option<u128>, style: ToneStyle) -> Option<[usize; 4]> {
        // Sliced only when walked (a cache hit needs no char boundary checks).
        let chunk = || &line[range.clone()];
        debug_assert_eq!(key, chunk_key(chunk()));
        let Some(key) = key else {
            let st = self.walk_chunk(chunk(), style)?;
            return Some([st.words, st.marked, st.bad_marked, st.mixed]);
        };
        if self.chunk_style != style {
            self.chunks.clear();
            self.chunk_style = style;
        }
        let entry = match self.chunks.get(&key) {
            Some(&known) => known,
            None => self.chunk_miss(line, range, key, style),
        };
        Some(entry.counts?.map(usize::from))
    }

    /// The entry of a chunk not in the cache (`line[range]`, of [`chunk_key`] `key`), now
    /// put there. A chunk that ends in an ASCII trail char ("xã,", "(UBND)") has the entry
    /// of the chunk without it when that one says the char changes nothing: a word is
    /// walked once, not once for each punctuation after it.
    #[inline(never)]
    fn chunk_miss(&mut self, line: &str, range: std::ops::Range<usize>, key: u128, style: ToneStyle) -> ChunkCounts {
        let stem = stem_key(key).map(|stem| match self.chunks.get(&stem) {
            Some(&known) => known,
            None => self.chunk_miss(line, range.start..range.end - 1, stem, style),
        });
        let entry = match stem {
            Some(stem) if stem.trail_keeps => stem,
            _ => match self.walk_chunk_keeps(&line[range], style) {
                Some((st, trail_keeps)) => ChunkCounts { counts: Some([st.words, st.marked, st.bad_marked, st.mixed].map(|n| n as u8)), trail_keeps },
                // The chunk with a char after it has the same word or char that failed.
                None => ChunkCounts { counts: None, trail_keeps: true },
            },
        };
        if self.chunks.len() >= TONE_CACHE_MAX {
            self.chunks.clear();
        }
        self.chunks.insert(key, entry);
        entry
    }

    /// The chunk walk of [`clean_plain_line`] over one whitespace-free chunk: its
    /// detector counts, `None` when a word's tone is not in place or it has an invisible
    /// char or look-alike hyphen.
    fn walk_chunk(&mut self, chunk: &str, style: ToneStyle) -> Option<Stats> {
        self.walk_chunk_keeps(chunk, style).map(|(st, _)| st)
    }

    /// [`ToneCache::walk_chunk`], and whether the chunk with an ASCII trail char after it
    /// counts the same ([`ChunkWalk::trail_keeps_counts`]).
    fn walk_chunk_keeps(&mut self, chunk: &str, style: ToneStyle) -> Option<(Stats, bool)> {
        let mut st = Stats::default();
        self.walk.reset();
        // The word being read (plain variables, not an Option of a tuple: this loop runs
        // on every char): its first byte (`NO_WORD`: none), whether all ASCII so far, and
        // its `pack_key` so far (valid while `packable` and at most `PACK_MAX` chars).
        // Also the key of the word lowercased by `syllable_lower` (valid while `lowerable`):
        // a syllable of the inventory in any case with its tone in place is a marked
        // possible syllable, told by one look-up in the per-process table (no class work,
        // nothing remembered), on the first reading of a chunk as on every other.
        const NO_WORD: usize = usize::MAX;
        let (mut word, mut ascii) = (NO_WORD, true);
        let (mut key, mut packable, mut n) = (0u128, true, 0usize);
        let (mut lower_key, mut lowerable) = (0u128, true);
        let lower = syllable_lower_codes();
        for (i, c) in chunk.char_indices() {
            if is_letter(c) {
                if word == NO_WORD {
                    (word, ascii, key, packable, n) = (i, true, 0, true, 0);
                    (lower_key, lowerable) = (0, true);
                }
                ascii &= c.is_ascii();
                packable &= (c as u32) < 0x2000;
                key = key << 13 | c as u128;
                // `syllable_lower(c)` as its code (0: none).
                let l = lower.get(c as usize).copied().unwrap_or(0);
                lowerable &= l != 0;
                lower_key = lower_key << 13 | l as u128;
                n += 1;
                continue;
            }
            if word != NO_WORD {
                let class = self.word_class_at(chunk, word, i, ascii, (packable, key), (lowerable, lower_key), n, style)?;
                self.walk.run(word, class);
                word = NO_WORD;
            }
            if matches!(c, '\u{feff}' | '\u{200b}' | '\u{2010}' | '\u{2011}' | '\u{2012}') {
                return None;
            }
            self.walk.other(chunk, i, c, &mut self.detect, &mut st);
        }
        if word != NO_WORD {
            let class = self.word_class_at(chunk, word, chunk.len(), ascii, (packable, key), (lowerable, lower_key), n, style)?;
            self.walk.run(word, class);
        }
        let trail_keeps = self.walk.trail_keeps_counts();
        self.walk.finish(chunk, chunk.len(), &mut self.detect, &mut st);
        debug_assert_eq!(st.plain_viet, 0);
        Some((st, trail_keeps))
    }

    /// The class of the word `chunk[start..end]` of `n` letters for [`ToneCache::walk_chunk`],
    /// `None` when retoning changes it: from the keys made on the way (each with whether
    /// it is valid), through the inventory table first.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn word_class_at(&mut self, chunk: &str, start: usize, end: usize, ascii: bool, (packable, key): (bool, u128), (lowerable, lower_key): (bool, u128), n: usize, style: ToneStyle) -> Option<WordClass> {
        if ascii {
            return Some(WordClass::Plain);
        }
        if lowerable && n <= PACK_MAX && known_lower_in_place(lower_key | (n as u128) << 120, style) {
            return Some(WordClass::Marked);
        }
        let key = (packable && n <= PACK_MAX).then_some(key | (n as u128) << 120);
        self.unchanged_class(&chunk[start..end], key, style)
    }

    fn put_back(self) {
        TONES.with(|t| *t.borrow_mut() = self);
    }

    fn retone(&mut self, word: &str, style: ToneStyle) -> Option<String> {
        if word.is_ascii() {
            return None;
        }
        self.make_room(style);
        let key = pack_key(word.chars());
        let hit = match key {
            Some(k) => self.short.get(&k).map(|e| &e.retoned),
            None => self.long.get(word),
        };
        if let Some(hit) = hit {
            return hit.clone();
        }
        let nfc: String = word.nfc().collect();
        let new = place_tone(&nfc, style);
        let result = (new != word).then_some(new);
        match key {
            Some(k) => {
                self.short.insert(k, Entry { retoned: result.clone(), class: None });
            }
            None => {
                self.long.insert(word.to_string(), result.clone());
            }
        }
        result
    }
}

fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    // Latin-1 letters, Latin Extended-A/B and Vietnamese (Latin Extended Additional)
    // are all alphabetic: skip the general Unicode lookup for them.
    matches!(c, '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}')
        || c.is_alphabetic()
        || crate::fold::is_combining_mark(c)
}

/// What a raw line may need, from one pass over its bytes (see [`byte_class`]).
const CTRL: u8 = 1;
const RESIDUE: u8 = 2;
const DASH: u8 = 4;
const NON_ASCII: u8 = 8;
/// First byte of U+2000..U+2FFF (zero-width space, look-alike hyphens) or U+F000..
/// (byte-order mark): the line is searched for those chars.
const E2_EF: u8 = 16;
/// A byte of a whitespace char other than space and tab (LF never is in a line): VT,
/// FF, CR, the lead bytes C2, E2, E3 of U+0085, U+00A0, U+2000.., U+3000, and 9A, the
/// second byte of U+1680 (E1 9A 80; E1 alone starts most Vietnamese letters). A line
/// without one has only spaces and tabs for whitespace.
const SPACEY: u8 = 32;

const fn byte_class(b: u8) -> u8 {
    match b {
        b'\r' | 0x0c => CTRL | SPACEY,
        0x0b => SPACEY,
        b'$' | b'\\' | b'<' | b'*' | b'_' | b'#' | b'|' => RESIDUE,
        b'-' => DASH,
        0xe2 => NON_ASCII | E2_EF | SPACEY,
        0xef => NON_ASCII | E2_EF,
        0xc2 | 0xe3 | 0x9a => NON_ASCII | SPACEY,
        0x80.. => NON_ASCII,
        _ => 0,
    }
}

static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = byte_class(b as u8);
        b += 1;
    }
    t
};

/// Bytes that start a whitespace char: ASCII whitespace (`SPACE_BYTE`) and the lead
/// bytes of the others (U+0085, U+00A0, U+1680, U+2000.., U+3000: `SPACE_LEAD`).
const SPACE_BYTE: u8 = 1;
const SPACE_LEAD: u8 = 2;

static SPACE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' => SPACE_BYTE,
            0xc2 | 0xe1 | 0xe2 | 0xe3 => SPACE_LEAD,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// The whitespace char (`char::is_whitespace`) at byte `i` of `s`, if any; `i` is a char
/// boundary or a continuation byte (never whitespace). Chars are decoded only where the
/// first two bytes can start a whitespace char (not for the Vietnamese letters after
/// E1 BA / E1 BB).
#[inline(always)]
fn space_at(s: &str, i: usize) -> Option<char> {
    let b = s.as_bytes();
    match SPACE_CLASS[b[i] as usize] {
        0 => None,
        SPACE_BYTE => Some(b[i] as char),
        _ if matches!((b[i], b[i + 1]), (0xc2, 0x85 | 0xa0) | (0xe1, 0x9a) | (0xe2, 0x80 | 0x81) | (0xe3, 0x80)) => {
            s[i..].chars().next().filter(|c| c.is_whitespace())
        }
        _ => None,
    }
}

/// The byte length of the char a UTF-8 lead byte starts (1 for continuation bytes,
/// which [`chunk_end`] never meets at a char boundary).
static CHAR_LEN: [u8; 256] = {
    let mut t = [1u8; 256];
    let mut b = 0xC0;
    while b < 256 {
        t[b] = if b < 0xE0 { 2 } else if b < 0xF0 { 3 } else { 4 };
        b += 1;
    }
    t
};

/// The end of the whitespace-free chunk that starts at byte `start` of `s` (a char
/// boundary, no whitespace there): the next whitespace char or the end. Steps a char at a
/// time, not a byte (a Vietnamese letter is two or three bytes), and decodes only where
/// [`space_at`] must.
#[inline]
fn chunk_end(s: &str, start: usize) -> usize {
    let b = s.as_bytes();
    let mut i = start + CHAR_LEN[b[start] as usize] as usize;
    while i < b.len() {
        let x = b[i];
        if SPACE_CLASS[x as usize] != 0 && space_at(s, i).is_some() {
            break;
        }
        i += CHAR_LEN[x as usize] as usize;
    }
    i
}

/// The most bytes of a chunk [`chunk_key`] holds.
const CHUNK_KEY_MAX: usize = 15;

/// A chunk of at most [`CHUNK_KEY_MAX`] bytes as a cache key: its bytes, and its length
/// in the top byte. `None` for longer chunks.
#[inline]
fn chunk_key(chunk: &str) -> Option<u128> {
    let b = chunk.as_bytes();
    if b.len() > CHUNK_KEY_MAX {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    k[15] = b.len() as u8;
    Some(u128::from_le_bytes(k))
}

/// The [`chunk_key`] of the chunk of `key` without its last byte when that byte is an
/// ASCII trail char of the detector ([`TRAIL`]: no letter, no whitespace,
/// nothing the fast path rewrites) and another byte is left; `None` otherwise.
#[inline]
fn stem_key(key: u128) -> Option<u128> {
    let len = (key >> 120) as usize;
    if len < 2 {
        return None;
    }
    let last = (key >> (8 * (len - 1))) as u8;
    // Only on a cache miss: the detector's own list, read as ASCII bytes.
    if !(last.is_ascii() && TRAIL.contains(&char::from(last))) {
        return None;
    }
    Some(key & ((1u128 << (8 * (len - 1))) - 1) | ((len - 1) as u128) << 120)
}

/// [`chunk_key`] of the `len` bytes at `pos` of `text`, read as two words and masked
/// (copying the bytes to a key made the look-up wait on the copy).
#[inline]
fn chunk_key_at(text: &[u8], pos: usize, len: usize) -> Option<u128> {
    if len > CHUNK_KEY_MAX {
        return None;
    }
    if len == 0 {
        return Some(0);
    }
    let Some(b) = text.get(pos..pos + 16) else {
        // Near the end of the text: the bytes one by one.
        let mut k = [0u8; 16];
        k[..len].copy_from_slice(&text[pos..pos + len]);
        k[15] = len as u8;
        return Some(u128::from_le_bytes(k));
    };
    let lo = u64::from_le_bytes(b[..8].try_into().expect("eight bytes"));
    let hi = u64::from_le_bytes(b[8..].try_into().expect("eight bytes"));
    let (lo, hi) = if len <= 8 { (lo & (u64::MAX >> (64 - 8 * len)), 0) } else { (lo, hi & (u64::MAX >> (128 - 8 * len))) };
    Some((lo as u128 | (hi as u128) << 64) | (len as u128) << 120)
}

/// The first byte of the line `raw` (at byte `at` of `text`) at or after byte `from`
/// that is a space or a tab, or the line's end: eight bytes at a time
/// ([`space_or_tab_in`]). For lines without [`SPACEY`] bytes, whose whitespace is spaces and tabs only.
#[inline(always)]
fn space_or_tab(text: &[u8], raw: &str, at: usize, mut from: usize) -> usize {
    while from < raw.len() {
        let Some(w) = text.get(at + from..at + from + 8) else {
            let b = raw.as_bytes();
            return (from..b.len()).find(|&i| matches!(b[i], b' ' | b'\t')).unwrap_or(b.len());
        };
        if let Some(k) = space_or_tab_in(u64::from_le_bytes(w.try_into().expect("eight bytes"))) {
            return (from + k).min(raw.len());
        }
        from += 8;
    }
    raw.len()
}

/// The chunk that starts at byte `start` of the line `raw` (at byte `at` of `text`; no
/// whitespace there): its end ([`chunk_end`]) and [`chunk_key`]. `ascii_spaces`: the line
/// has no [`SPACEY`] byte, so its whitespace is spaces and tabs, found eight bytes at a
/// time (no char steps, no decoding) in the two words that make the key.
#[inline(always)]
fn chunk_at(text: &[u8], raw: &str, at: usize, start: usize, ascii_spaces: bool) -> (usize, Option<u128>) {
    let block = if ascii_spaces { text.get(at + start..at + start + 16) } else { None };
    let Some(block) = block else {
        let end = if ascii_spaces { space_or_tab(text, raw, at, start + 1) } else { chunk_end(raw, start) };
        return (end, chunk_key_at(text, at + start, end - start));
    };
    let lo = u64::from_le_bytes(block[..8].try_into().expect("eight bytes"));
    let hi = u64::from_le_bytes(block[8..].try_into().expect("eight bytes"));
    // The second word only when the first has no space or tab (most chunks end in it).
    let end = match space_or_tab_in(lo) {
        Some(k) => start + k,
        None => match space_or_tab_in(hi) {
            Some(k) => start + 8 + k,
            None => space_or_tab(text, raw, at, start + 16),
        },
    }
    .min(raw.len());
    let len = end - start;
    if len > CHUNK_KEY_MAX {
        return (end, None);
    }
    let (lo, hi) = if len <= 8 { (lo & (u64::MAX >> (64 - 8 * len)), 0) } else { (lo, hi & (u64::MAX >> (128 - 8 * len))) };
    (end, Some((lo as u128 | (hi as u128) << 64) | (len as u128) << 120))
}

/// The first byte of the eight of `x` (little-endian) that is a space or a tab: bit 7 of
/// each byte of `hit` is set where a byte is zero after the XOR (the lowest one exactly).
#[inline(always)]
fn space_or_tab_in(x: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (s, t) = (x ^ (b' ' as u64 * ONES), x ^ (b'\t' as u64 * ONES));
    let hit = (s.wrapping_sub(ONES) & !s | t.wrapping_sub(ONES) & !t) & HIGH;
    (hit != 0).then(|| hit.trailing_zeros() as usize / 8)
}

/// The offset of the first '\n' of `b` at or after `from`, or `b.len()` (memchr: many
/// bytes at a time).
fn find_newline(b: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |p| from + p)
}

/// Whether `s` has "---" (a markdown table rule does): each '-' found by memchr (a line
/// with a dash has one or two; `str::contains` set up a substring search for each line).
fn has_three_dashes(s: &str) -> bool {
    let b = s.as_bytes();
    memchr::memchr_iter(b'-', b).any(|p| b[p..].starts_with(b"---"))
}

/// Whether `c` can be in a page mark ([`PAGE_MARK`]): whitespace, a digit (`is_numeric`,
/// a superset of `\d`), '-', '/' or a letter of "trang" in either case. Vietnamese
/// letters, which start most lines, are told without the Unicode tables.
fn may_be_in_page_mark(c: char) -> bool {
    match c {
        '-' | '/' | 't' | 'r' | 'a' | 'n' | 'g' | 'T' | 'R' | 'A' | 'N' | 'G' => true,
        // Letters: neither whitespace nor numeric.
        '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => false,
        _ => c.is_whitespace() || c.is_numeric(),
    }
}

/// Normalizes each line and drops the furniture. Returns the kept lines.
pub fn clean_lines(text: &str, style: ToneStyle) -> Vec<MappedStr<'_>> {
    clean_lines_with(text, style, true).lines
}

/// [`clean_lines`] and what was learnt on the way.
pub struct Cleaned<'a> {
    pub lines: Vec<MappedStr<'a>>,
    /// For each kept line, the clean-text detector's counts of it when they were made on
    /// the way (`None`: count it yourself): what `restore::detect::Scratch::add_line`
    /// gives for the line, without a lexicon.
    pub stats: Vec<Option<Stats>>,
    /// Byte offsets where the raw lines start (0, and one past each '\n').
    pub line_starts: Vec<usize>,
}

/// [`clean_lines`], with the detector's counts and the raw line starts.
pub fn clean_lines_stats(text: &str, style: ToneStyle) -> Cleaned<'_> {
    clean_lines_with(text, style, true)
}

/// The fast path of [`clean_lines`]: one pass over a raw line that has no control
/// char and no markup residue (`seen`), checking that no other pass would change it: no
/// invisible char or look-alike hyphen, every word's tone in place, no run of spaces to
/// collapse. Then only the ends are trimmed, and the line stays a piece of the source
/// (no per-char map). `None` when the line needs the passes of [`clean_line_chars`].
/// With the line, the clean-text detector's counts of it (tidying spaces changes no
/// chunk of it: spaces stay spaces).
fn clean_plain_line<'a>(text: &[u8], raw: &'a str, at: usize, ascii_spaces: bool, tones: &mut ToneCache, style: ToneStyle) -> Option<(MappedStr<'a>, Stats)> {
    // Chunk by chunk: whitespace here, the chunks between by their cached counts.
    let mut st = Stats::default();
    // Whether a space/tab pair or a space `tidy_spaces` rewrites is anywhere in the line
    // (a superset of its check on the trimmed middle).
    let mut gap = false;
    // The char before, when it is whitespace ('\0' after a chunk).
    let mut prev = '\0';
    // Where the first chunk starts and the last ends: the line trimmed.
    let (mut first, mut last) = (None, 0);
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if ascii_spaces {
            // Without `SPACEY` bytes a space or tab is whitespace and nothing else is
            // (`prev` is then '\0', ' ' or '\t': the test below is the one after `else`).
            if matches!(b[i], b' ' | b'\t') {
                gap |= prev != '\0' && (b[i] == b' ' || prev == ' ');
                prev = b[i] as char;
                i += 1;
                continue;
            }
        } else if let Some(c) = space_at(raw, i) {
            gap |= (c == ' ' && matches!(prev, ' ' | '\t')) || (c == '\t' && prev == ' ') || matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}');
            prev = c;
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let key;
        (i, key) = chunk_at(text, raw, at, start, ascii_spaces);
        let [words, marked, bad_marked, mixed] = tones.chunk_stats(raw, start..i, key, style)?;
        st.words += words;
        st.marked += marked;
        st.bad_marked += bad_marked;
        st.mixed += mixed;
        prev = '\0';
        first.get_or_insert(start);
        last = i;
    }
    let m = if gap {
        let mut m = MappedStr::from_source(raw, at);
        m.tidy_spaces();
        m
    } else {
        // Nothing to collapse: tidying only trims (whitespace is what `str::trim` drops).
        let first = first.unwrap_or(last);
        MappedStr::from_source(&raw[first..last], at + first)
    };
    Some((m, st))
}

/// One raw line through every pass, char by char; `None` when it is a table rule.
fn clean_line_chars<'a>(raw: &'a str, at: usize, seen: u8, tones: &mut ToneCache, style: ToneStyle) -> Option<MappedStr<'a>> {
    let mut m = MappedStr::from_source(raw, at);
    let e2_ef = seen & E2_EF != 0;
    if seen & CTRL != 0 || (e2_ef && raw.contains(['\u{feff}', '\u{200b}'])) {
        m.edit(|chars| chars.retain(|c| !matches!(c.c, '\r' | '\u{feff}' | '\u{0c}' | '\u{200b}')));
    }
    if seen & DASH != 0 && has_three_dashes(raw) && MD_TABLE_RULE.is_match(m.as_str()) {
        return None;
    }
    if seen & RESIDUE != 0 {
        strip_residue(&mut m);
    }
    if seen & NON_ASCII != 0 {
        m.rewrite_runs(is_letter, |run| tones.retone_run(run, style));
    }
    if e2_ef && raw.contains(['\u{2010}', '\u{2011}', '\u{2012}']) {
        // Unify look-alike punctuation that matching depends on.
        m.rewrite_words(|c| matches!(c, '\u{2010}' | '\u{2011}' | '\u{2012}'), |w| Some("-".repeat(w.chars().count())));
    }
    m.tidy_spaces();
    Some(m)
}

/// [`clean_lines_stats`]; `fast: false` sends every line through [`clean_line_chars`]
/// (the reference the fast path is tested against).
fn clean_lines_with(text: &str, style: ToneStyle, fast: bool) -> Cleaned<'_> {
    let mut tones = ToneCache::take();
    let bytes = text.as_bytes();
    // The raw lines, counted many bytes at a time: no vector below grows (moving what it
    // holds) line by line. Kept lines are at most as many.
    let raw_lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
    let mut lines: Vec<MappedStr> = Vec::with_capacity(raw_lines);
    let mut stats: Vec<Option<Stats>> = Vec::with_capacity(raw_lines);
    let mut line_starts: Vec<usize> = Vec::with_capacity(raw_lines);
    let mut offset = 0;
    while offset <= bytes.len() {
        // Each pass runs only on a line with a char it needs: edits only remove chars or
        // put in symbols and letters of the line, so what the raw line lacks the edited
        // line lacks too. One loop finds the end of the line and what it has.
        let at = offset;
        line_starts.push(at);
        if matches!(bytes.get(at), Some(b'\n') | None) {
            // An empty line keeps nothing (half the lines of a PDF dump are empty).
            offset = at + 1;
            continue;
        }
        let len = find_newline(bytes, at) - at;
        // No early exit: a loop the compiler unrolls.
        let seen = bytes[at..at + len].iter().fold(0, |seen, &b| seen | BYTE_CLASS[b as usize]);
        let raw = &text[at..at + len];
        offset = at + len + 1;
        let fast = if fast && seen & (CTRL | RESIDUE) == 0 { clean_plain_line(bytes, raw, at, seen & SPACEY == 0, &mut tones, style) } else { None };
        let (m, st) = match fast {
            // Its chars were the raw line's before trimming: the table-rule test reads that.
            Some(_) if seen & DASH != 0 && has_three_dashes(raw) && MD_TABLE_RULE.is_match(raw) => continue,
            Some((m, st)) => (m, Some(st)),
            None => match clean_line_chars(raw, at, seen, &mut tones, style) {
                Some(m) => (m, None),
                None => continue,
            },
        };
        if m.is_empty() {
            continue;
        }
        // Cheap tests first: a URL line has no space, a page mark only digits, spaces,
        // "-", "/" and the letters of "trang".
        let s = m.as_str();
        let maybe_url = s.starts_with(['f', 'h', 'w']) && !s.contains(char::is_whitespace);
        let maybe_page = s.chars().all(may_be_in_page_mark);
        if (maybe_url || maybe_page) && (URL_ONLY.is_match(s) || PAGE_MARK.is_match(s)) {
            continue;
        }
        lines.push(m);
        stats.push(st);
    }
    tones.put_back();
    drop_repeated_table_headers(&mut lines, &mut stats);
    // Dropping a page number can bring a split code together, and a join can put a lone
    // number between two prose lines: repeat until nothing changes, so that normalizing
    // normalized text changes nothing.
    loop {
        let before = lines.len();
        drop_prose_page_numbers(&mut lines, &mut stats);
        join_split_codes(&mut lines, &mut stats);
        if lines.len() == before {
            break;
        }
    }
    Cleaned { lines, stats, line_starts }
}

/// Keeps the items whose `keep` is set.
fn retain_kept<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut k = keep.iter();
    v.retain(|_| *k.next().unwrap());
}

/// A lone number between two lines of running prose is a page number. Lone numbers in
/// tables (row numbers, page numbers cutting a row) are left to table reconstruction.
fn drop_prose_page_numbers(lines: &mut Vec<MappedStr>, stats: &mut Vec<Option<Stats>>) {
    let mut keep = vec![true; lines.len()];
    let prose = |l: &MappedStr| l.as_str().chars().nth(39).is_some() && !l.as_str().contains('\t');
    for i in 1..lines.len().saturating_sub(1) {
        // Lines are trimmed: a lone number is at most 3 chars (and more than 12 bytes are
        // more than 3 chars).
        let s = lines[i].as_str();
        if s.len() > 12 || s.chars().nth(3).is_some() || !LONE_NUMBER.is_match(lines[i].as_str()) {
            continue;
        }
        let next = &lines[i + 1];
        if prose(&lines[i - 1]) && (prose(next) || HEADING_START.is_match(next.as_str())) {
            keep[i] = false;
        }
    }
    if keep.contains(&false) {
        retain_kept(lines, &keep);
        retain_kept(stats, &keep);
    }
}

/// Table headers repeat at the top of every page in PDF dumps. The first header of a
/// table (a line starting "TT"/"STT" and the lines after it) is remembered; a later run
/// of lines equal to it is dropped.
fn drop_repeated_table_headers(lines: &mut Vec<MappedStr>, stats: &mut Vec<Option<Stats>>) {
    let mut folded = LazyFold::new(lines);
    let mut keep = vec![true; lines.len()];
    // The lines that start a header, in order: the search for an earlier header looks
    // only at these (it looked at every line before, folding each, for each header
    // line). `header_start` of a line is `is_header_start` of its whole fold.
    let headers: Vec<usize> = (0..lines.len()).filter(|&i| folded.may_start_header(i) && header_start(&lines[i])).collect();
    let mut next = 0;
    let mut i = 0;
    while i < lines.len() {
        while next < headers.len() && headers[next] < i {
            next += 1;
        }
        if headers.get(next) != Some(&i) {
            i += 1;
            continue;
        }
        // Find an earlier header with the same first line.
        let earlier = headers[..next].iter().copied().find(|&j| keep[j] && folded.same(i, j));
        match earlier {
            Some(j) => {
                let n = repeat_length(&mut folded, j, i);
                for k in keep.iter_mut().skip(i).take(n) {
                    *k = false;
                }
                i += n.max(1);
            }
            None => i += 1,
        }
    }
    retain_kept(lines, &keep);
    retain_kept(stats, &keep);
}

/// A folded line that starts a table header: "tt" or "stt", alone or before other words
/// (the reference for [`header_start`]).
#[cfg(test)]
fn is_header_start(f: &str) -> bool {
    f == "tt" || f == "stt" || f.starts_with("tt ") || f.starts_with("stt ")
}

/// Whether the line's fold starts a table header: "tt" or "stt", then the end or a space
/// (`is_header_start` of the fold). Folds only until a char differs (most lines it is
/// asked about start "t" or "s" and differ at the second char), and makes no string.
fn header_start(l: &MappedStr) -> bool {
    let mut f = fold_iter(l.as_str().chars());
    let mut c = f.next();
    if c == Some('s') {
        c = f.next();
    }
    c == Some('t') && f.next() == Some('t') && matches!(f.next(), None | Some(' '))
}

/// The most lines a table header spans.
const MAX_HEADER_LINES: usize = 40;

/// How many lines from `i` repeat the header that starts at line `j` (`j < i`): equal
/// lines, at most [`MAX_HEADER_LINES`], and only the header part (not the first header's
/// rows).
fn repeat_length(folded: &mut LazyFold, j: usize, i: usize) -> usize {
    let mut n = 0;
    while n < MAX_HEADER_LINES && i + n < folded.lines.len() && j + n < i && folded.same(j + n, i + n) {
        n += 1;
    }
    n.min(header_length(folded, j))
}

/// Folded lines, computed on first use: most lines are never compared.
struct LazyFold<'a> {
    lines: &'a [MappedStr<'a>],
    folded: Vec<Option<String>>,
}

impl<'a> LazyFold<'a> {
    fn new(lines: &'a [MappedStr<'a>]) -> Self {
        LazyFold { lines, folded: vec![None; lines.len()] }
    }

    fn get(&mut self, i: usize) -> &str {
        let lines = self.lines;
        self.folded[i].get_or_insert_with(|| fold_iter(lines[i].as_str().chars()).collect())
    }

    fn same(&mut self, a: usize, b: usize) -> bool {
        self.get(a);
        self.get(b);
        self.folded[a] == self.folded[b]
    }

    /// Cheap test: the folded line can only start with "tt"/"stt" if its first kept
    /// char folds to 't' or 's'.
    fn may_start_header(&self, i: usize) -> bool {
        self.lines[i]
            .as_str()
            .chars()
            .map(crate::fold::fold_char)
            .find(|f| f.is_alphanumeric() || matches!(f, '&' | '%' | '/'))
            .is_some_and(|f| f == 't' || f == 's')
    }
}

/// Number of lines of the header starting at `j`: up to the first line that starts a
/// data or group row (a number or a Roman numeral).
fn header_length(folded: &mut LazyFold, j: usize) -> usize {
    let mut n = 1;
    while j + n < folded.lines.len() && n < 40 && !ROW_START.is_match(folded.get(j + n)) {
        n += 1;
    }
    n
}

/// "57-" + "NQ/TW" → "57-NQ/TW", "HĐND-" + "UBND" → "HĐND-UBND": a line that ends with a
/// hyphen attached to a word continues on the next line without a space.
/// A joined line has no counts (the join makes one chunk of two).
fn join_split_codes(lines: &mut Vec<MappedStr>, stats: &mut Vec<Option<Stats>>) {
    let joins = |prev: &str, line: &str| {
        if !prev.ends_with('-') {
            return false;
        }
        let mut back = prev.chars().rev();
        back.next() == Some('-')
            && back.next().is_some_and(|c| c.is_alphanumeric())
            && !prev.contains('\t')
            && line.chars().next().is_some_and(|c| c.is_alphanumeric())
            && !HEADING_START.is_match(line)
    };
    // The lines before the first join stay where they are (most documents have none:
    // then nothing is moved). A joined line ends as its last part did.
    let Some(first) = (1..lines.len()).find(|&i| joins(lines[i - 1].as_str(), lines[i].as_str())) else {
        return;
    };
    let mut out: Vec<MappedStr> = Vec::with_capacity(lines.len());
    for (i, line) in lines.drain(..).enumerate() {
        if i >= first {
            if let Some(prev) = out.last_mut() {
                if joins(prev.as_str(), line.as_str()) {
                    prev.append(line);
                    stats[out.len() - 1] = None;
                    continue;
                }
            }
        }
        stats[out.len()] = stats[i];
        out.push(line);
    }
    stats.truncate(out.len());
    *lines = out;
}

/// Joins wrapped lines of one paragraph with single spaces.
pub fn join_lines<'a, I>(lines: I) -> String
where
    I: IntoIterator<Item = &'a str>,
    I::IntoIter: Clone,
{
    let lines = lines.into_iter();
    // Sized once for the lines and a space after each (the joined text is never longer):
    // grown line by line, the string was reallocated for most cells of a table.
    let mut out = String::with_capacity(lines.clone().map(|l| l.len() + 1).sum());
    for l in lines {
        append_line(&mut out, l);
    }
    out
}

/// `join_lines(text.lines())`, sized by `text` (no line is counted twice).
pub fn join_text_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for l in text.lines() {
        append_line(&mut out, l);
    }
    out
}

/// Appends one line to text joined by [`join_lines`] (in place: `join_lines([out, line])`
/// when `out` is trimmed).
pub fn append_line(out: &mut String, line: &str) {
    let l = line.trim();
    if l.is_empty() {
        return;
    }
    if !out.is_empty() && !(out.ends_with('-') && out[..out.len() - 1].ends_with(|c: char| c.is_alphanumeric()) && l.starts_with(|c: char| c.is_alphanumeric())) {
        out.push(' ');
    }
    out.push_str(l);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::restore::syllables::syllable_lower;

    fn clean(s: &str) -> Vec<String> {
        clean_lines(s, ToneStyle::Traditional).iter().map(|l| l.as_string()).collect()
    }

    #[test]
    fn latex_and_markdown_residue() {
        assert_eq!(clean("16\tVNeID\t$\\geq 82\\%$\t$> 82\\%$\tCông an"), vec!["16\tVNeID\t≥ 82%\t> 82%\tCông an"]);
        assert_eq!(clean("**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**"), vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        assert_eq!(clean("trên hệ thống <https://a.vn> và"), vec!["trên hệ thống https://a.vn và"]);
        assert_eq!(clean("| TT | Nội dung | Đơn vị |\n|---|---|---|\n| 1 | A | B |"), vec!["TT\tNội dung\tĐơn vị", "1\tA\tB"]);
    }

    #[test]
    fn furniture_removed() {
        let text = "file:///D:/x/y.xlsx\ncủa chính quyền số, giảm thiểu hồ sơ giấy và giao dịch trực tiếp.\n8 \n5.9. Đẩy mạnh ứng dụng công nghệ số chuyên dùng phục vụ nhiệm vụ\n\nhttp://www.nq57.vn/\n- 3 -\nTrang 4";
        assert_eq!(
            clean(text),
            vec!["của chính quyền số, giảm thiểu hồ sơ giấy và giao dịch trực tiếp.", "5.9. Đẩy mạnh ứng dụng công nghệ số chuyên dùng phục vụ nhiệm vụ"]
        );
    }

    #[test]
    fn table_row_numbers_kept() {
        assert_eq!(clean("I Phát triển hạ tầng\n1\nTỷ lệ phủ sóng"), vec!["I Phát triển hạ tầng", "1", "Tỷ lệ phủ sóng"]);
    }

    #[test]
    fn repeated_header_dropped() {
        let text = "TT Chỉ tiêu Đơn vị\nCơ quan chủ trì\n1 A % 100\n2 B % 90\nTT Chỉ tiêu Đơn vị\nCơ quan chủ trì\n3 C % 80";
        assert_eq!(clean(text), vec!["TT Chỉ tiêu Đơn vị", "Cơ quan chủ trì", "1 A % 100", "2 B % 90", "3 C % 80"]);
    }

    /// `drop_repeated_table_headers` as first written: every earlier line tried.
    fn drop_repeated_table_headers_reference(lines: &mut Vec<MappedStr>) {
        let mut folded = LazyFold::new(lines);
        let mut keep = vec![true; lines.len()];
        let mut i = 0;
        while i < lines.len() {
            if !folded.may_start_header(i) || !header_start(&lines[i]) {
                i += 1;
                continue;
            }
            let earlier = (0..i).find(|&j| keep[j] && folded.may_start_header(j) && folded.same(i, j) && is_header_start(folded.get(j)));
            match earlier {
                Some(j) => {
                    let n = repeat_length(&mut folded, j, i);
                    for k in keep.iter_mut().skip(i).take(n) {
                        *k = false;
                    }
                    i += n.max(1);
                }
                None => i += 1,
            }
        }
        let mut k = keep.iter();
        lines.retain(|_| *k.next().unwrap());
    }

    #[test]
    fn header_drop_equals_the_reference() {
        let mut texts = crate::test_data::texts(&[&crate::test_data::TEXT_DIRS[..], &["fixtures/formats"]].concat(), None);
        texts.push("TT Chỉ tiêu\nCơ quan\n1 A\nSTT x\nTT Chỉ tiêu\nCơ quan\n2 B\nTT\nTT\nTT Chỉ tiêu\nCơ quan\nstt x\n3 C\nStt x\n4".into());
        let mut dropped = 0;
        for text in &texts {
            let lines: Vec<MappedStr> = text
                .split('\n')
                .enumerate()
                .map(|(i, l)| {
                    let mut m = MappedStr::from_source(l, i);
                    m.tidy_spaces();
                    m
                })
                .filter(|m| !m.is_empty())
                .collect();
            let (mut fast, mut slow) = (lines.clone(), lines.clone());
            drop_repeated_table_headers(&mut fast, &mut vec![None; lines.len()]);
            drop_repeated_table_headers_reference(&mut slow);
            assert_eq!(fast, slow);
            dropped += lines.len() - fast.len();
        }
        assert!(dropped > 0);
    }

    /// Lines of every text the tests know, and lines made to hit each pass.
    fn all_texts() -> Vec<String> {
        let mut texts = crate::test_data::texts(&[&crate::test_data::TEXT_DIRS[..], &["fixtures/formats"]].concat(), None);
        texts.push(
            [
                "  Uỷ  ban hoà\t thuỵ ", "\u{a0}Ủy ban\u{2007}nhân\u{202f}dân ", "a \t b", "a\t b", "hoà\r", "\u{feff}Hoà bình",
                "x\u{200b}y", "57\u{2010}NQ\u{2011}TW\u{2012}", "|---|---|", "---", "- 3 -", "Trang 4", "http://a.vn",
                "file:///D:/x", "  ", "", "$\\geq 5$ hoà", "**Hoà**", "<https://a.vn>", "# Tiêu đề", "q\u{301}a", "Hoa\u{300}",
                "nghiêngnghiêngnghiêng hoà", "café naïve Ωmega", "\u{3000}Hoà\u{3000}", "TT\tNội dung", "1",
            ]
            .join("\n"),
        );
        let stripped: Vec<String> = texts.iter().map(|t| crate::fold::strip_diacritics(t)).collect();
        texts.extend(stripped);
        texts
    }

    #[test]
    fn fast_lines_equal_the_char_by_char_passes() {
        for text in all_texts() {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                assert_eq!(clean_lines_with(&text, style, true).lines, clean_lines_with(&text, style, false).lines);
            }
        }
    }

    /// The detector's counts of a line, as restoration made them before
    /// `clean_lines_stats` (a walk of its own over every line).
    fn reference_stats(line: &MappedStr) -> Stats {
        let chars: Vec<char> = line.as_str().chars().collect();
        crate::normalize::restore::detect::stats([chars.as_slice()], None)
    }

    /// Counts made on the way equal the detector's own walk over the line, and the lines
    /// are those of `clean_lines`.
    fn check_stats(text: &str, style: ToneStyle) -> (usize, usize) {
        let Cleaned { lines, stats, line_starts } = clean_lines_stats(text, style);
        assert_eq!(lines, clean_lines(text, style));
        assert_eq!(line_starts, super::super::line_starts(text));
        assert_eq!(lines.len(), stats.len());
        let (mut known, mut unknown) = (0, 0);
        for (l, st) in lines.iter().zip(&stats) {
            match st {
                Some(st) => {
                    assert_eq!(*st, reference_stats(l), "{:?}", l.as_str());
                    known += 1;
                }
                None => unknown += 1,
            }
        }
        (known, unknown)
    }

    #[test]
    fn stats_on_the_way_equal_the_detector() {
        let (mut known, mut unknown) = (0, 0);
        for text in all_texts() {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                let (k, u) = check_stats(&text, style);
                known += k;
                unknown += u;
            }
        }
        // Most lines are counted on the way; the others were met too.
        assert!(known > 10_000 && unknown > 10, "{known} {unknown}");
    }

    proptest::proptest! {
        #[test]
        fn stats_on_the_way_equal_the_detector_on_any_text(s in "[ a-zA-Z0-9đĐàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹ\\u{300}\\u{301}\\u{a0}.,;:!?()\\[\\]{}\"'“”‘’«»…–—•*+/@_=$¢&%\n\t-]{0,60}") {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                check_stats(&s, style);
            }
        }
    }

    /// The chunk walk of the fast path tells letters by `is_letter`; the detector by its
    /// own flags: the two must agree on every char.
    #[test]
    fn letters_are_the_detectors_letters() {
        for u in 0..0x11_0000 {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(is_letter(c), crate::normalize::restore::detect::is_letter_flag(c), "U+{u:04X}");
            }
        }
    }

    /// The inventory look-up of `word_class_at` (a word lowercased by `syllable_lower`)
    /// answers as `unchanged_class` with a fresh cache: on every syllable in lowercase,
    /// capitalized, uppercase and with each letter uppercased alone, and on every word of
    /// the test texts, in both styles.
    #[test]
    fn inventory_look_up_equals_unchanged_class() {
        let mut words: Vec<String> = Vec::new();
        for s in crate::normalize::restore::syllables::generate() {
            let chars: Vec<char> = s.chars().collect();
            for i in 0..chars.len() {
                let mut v = chars.clone();
                v[i] = v[i].to_uppercase().next().unwrap();
                words.push(v.into_iter().collect());
            }
            words.push(s.to_uppercase());
            words.push(s);
        }
        for text in all_texts() {
            words.extend(text.split(|c: char| !is_letter(c)).filter(|w| !w.is_empty()).map(str::to_string));
        }
        let (mut fast, mut other) = (0, 0);
        for w in words.iter().filter(|w| !w.is_ascii()) {
            let lower_key = w.chars().map(syllable_lower).collect::<Option<Vec<char>>>().and_then(pack_key);
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                let mut tones = ToneCache::default();
                let known = lower_key.is_some_and(|k| known_lower_in_place(k, style));
                let want = tones.unchanged_class(w, pack_key(w.chars()), style);
                if known {
                    assert_eq!(want, Some(WordClass::Marked), "{w}");
                    fast += 1;
                } else {
                    other += 1;
                }
                // And through the walk, which makes the keys itself: the word as a chunk
                // has the detector's counts, or none when retoning changes it.
                let chars: Vec<char> = w.chars().collect();
                let expect = want.map(|_| crate::normalize::restore::detect::stats([chars.as_slice()], None));
                assert_eq!(ToneCache::default().walk_chunk(w, style), expect, "{w}");
            }
        }
        assert!(fast > 100_000 && other > 1000, "{fast} {other}");
    }

    /// The thread's cache, reused for each document, changes no result: each text
    /// cleaned after every other text (both styles) equals it cleaned with a new cache,
    /// and each document starts with the cache empty.
    #[test]
    fn warm_cache_equals_a_fresh_one() {
        let texts = all_texts();
        let fresh = |text: &str, style| {
            TONES.with(|t| *t.borrow_mut() = ToneCache::default());
            let Cleaned { lines, stats, .. } = clean_lines_stats(text, style);
            // Debug shows how each line is kept too (a piece of the source or per char).
            format!("{lines:?} {stats:?}")
        };
        let expected: Vec<_> = texts.iter().map(|t| (fresh(t, ToneStyle::Traditional), fresh(t, ToneStyle::Modern))).collect();
        for _ in 0..2 {
            for (t, (trad, modern)) in texts.iter().zip(&expected).rev() {
                for (style, want) in [(ToneStyle::Traditional, trad), (ToneStyle::Modern, modern)] {
                    let Cleaned { lines, stats, .. } = clean_lines_stats(t, style);
                    assert!(&format!("{lines:?} {stats:?}") == want);
                }
            }
        }
        assert!(TONES.with(|t| !t.borrow().short.is_empty()));
        let next = ToneCache::take();
        assert!(next.short.is_empty() && next.long.is_empty() && next.chunks.is_empty() && next.detect.cache_is_empty());
        next.put_back();
    }

    /// `space_at` finds exactly the whitespace chars, on every char, at its first byte
    /// and at its continuation bytes.
    #[test]
    fn space_at_is_is_whitespace() {
        for u in 0..0x11_0000 {
            if let Some(c) = char::from_u32(u) {
                let s = format!("x{c}y");
                assert_eq!(space_at(&s, 1), c.is_whitespace().then_some(c), "U+{u:04X}");
                for k in 2..1 + c.len_utf8() {
                    assert_eq!(space_at(&s, k), None, "U+{u:04X}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Lines with every kind of whitespace and the chars the fast path refuses, in
        /// chunks short and long: fast lines and counts equal the reference.
        #[test]
        fn chunked_fast_path_equals_the_passes(s in "([ \t\u{b}\u{85}\u{a0}\u{1680}\u{2007}\u{2009}\u{202f}\u{205f}\u{3000}\u{feff}\u{200b}\u{2010}\u{1e9a}\u{1e00}\u{e1}\u{300}\u{301}.,;:()\\-\n]|[ -~]|hoà|Uỷ|ủy|quốc|nghiêngnghiêng|s6|\u{0}){0,40}") {
            for style in [ToneStyle::Traditional, ToneStyle::Modern] {
                proptest::prop_assert_eq!(clean_lines_with(&s, style, true).lines, clean_lines_with(&s, style, false).lines);
                check_stats(&s, style);
            }
        }
    }

    /// `chunk_end` is the next whitespace char (`char::is_whitespace`), for every char
    /// inside and at the end of a chunk, and at every chunk of every test text.
    #[test]
    fn chunk_end_is_the_next_whitespace() {
        let reference = |s: &str, start: usize| s[start..].find(char::is_whitespace).map_or(s.len(), |p| start + p);
        for u in 0..0x11_0000 {
            if let Some(c) = char::from_u32(u).filter(|c| !c.is_whitespace()) {
                for s in [format!("{c}"), format!("x{c}y z"), format!("{c}\u{1680}ạ"), format!("ấ{c}{c}\u{3000}")] {
                    assert_eq!(chunk_end(&s, 0), reference(&s, 0), "U+{u:04X}");
                }
            }
        }
        let mut chunks = 0;
        for text in all_texts() {
            for line in text.split('\n') {
                let mut i = 0;
                while let Some(start) = line[i..].find(|c: char| !c.is_whitespace()).map(|p| i + p) {
                    i = chunk_end(line, start);
                    assert_eq!(i, reference(line, start), "{line:?}");
                    chunks += 1;
                }
            }
        }
        assert!(chunks > 100_000, "{chunks}");
    }

    /// The key read as two masked words is the key made byte by byte, at every place and
    /// length of a text, up to its end.
    #[test]
    fn chunk_keys_at_equal_chunk_keys() {
        let text = "Kế hoạch số 57-NQ/TW, ngày 22/12/2024 của Bộ Chính trị về đột phá\u{a0}x";
        let b = text.as_bytes();
        for pos in (0..b.len()).filter(|&p| text.is_char_boundary(p)) {
            for end in (pos..=b.len()).filter(|&e| text.is_char_boundary(e)) {
                assert_eq!(chunk_key_at(b, pos, end - pos), chunk_key(&text[pos..end]), "{pos}..{end}");
            }
        }
    }

    /// The stem key is the key of the chunk without its last byte, for the ASCII trail
    /// chars of the detector only.
    #[test]
    fn stem_keys_are_keys_of_the_chunk_without_its_trail_char() {
        let trail: Vec<char> = crate::normalize::restore::tokens::TRAIL.iter().copied().filter(char::is_ascii).collect();
        for chunk in ["xã,", "(UBND)", "a.", "57-NQ/TW;", "hoà:", "x", ",", "..", "abcdefghijklmn.", "xã", "a\u{2026}", "ab\"", "a'", "a-", "a]", "a}", "a!", "a?"] {
            let key = chunk_key(chunk).unwrap();
            let stem = chunk.strip_suffix(|c: char| trail.contains(&c)).filter(|s| !s.is_empty());
            assert_eq!(stem_key(key), stem.and_then(chunk_key), "{chunk}");
        }
        for b in 0..=0x7fu8 {
            let chunk = format!("a{}", b as char);
            let trail_char = trail.contains(&(b as char));
            assert_eq!(stem_key(chunk_key(&chunk).unwrap()).is_some(), trail_char, "{chunk:?}");
        }
    }

    /// The chunk cache (entries taken from the chunk without its trail char included)
    /// gives each chunk of every test text, and each with a trail char added, what a walk
    /// of the chunk gives.
    #[test]
    fn cached_chunk_counts_equal_the_walk() {
        let mut shared = 0;
        for style in [ToneStyle::Traditional, ToneStyle::Modern] {
            let mut tones = ToneCache::default();
            for text in all_texts() {
                for chunk in text.split_whitespace() {
                    for extra in ["", ",", ".", ")", ");", "-", "\"", "'.", "...", "a", ",x"] {
                        let chunk = format!("{chunk}{extra}");
                        let Some(key) = chunk_key(&chunk) else { continue };
                        shared += (stem_key(key).is_some_and(|stem| tones.chunks.contains_key(&stem)) && !tones.chunks.contains_key(&key)) as usize;
                        let cached = tones.chunk_stats(&chunk, 0..chunk.len(), Some(key), style);
                        let walked = ToneCache::default().walk_chunk(&chunk, style).map(|st| [st.words, st.marked, st.bad_marked, st.mixed]);
                        assert_eq!(cached, walked, "{chunk:?}");
                        let entry = tones.chunks[&key];
                        let keeps = ToneCache::default().walk_chunk_keeps(&chunk, style).is_none_or(|(_, keeps)| keeps);
                        assert_eq!(entry.trail_keeps, keeps, "{chunk:?}");
                    }
                }
            }
        }
        assert!(shared > 10_000, "{shared}");
    }

    /// A line without `SPACEY` bytes has no whitespace but spaces and tabs: every other
    /// whitespace char has a `SPACEY` byte (LF ends a line).
    #[test]
    fn spacey_bytes_mark_every_other_whitespace() {
        for c in (0..0x11_0000).filter_map(char::from_u32).filter(|c| c.is_whitespace() && !matches!(c, ' ' | '\t' | '\n')) {
            let mut buf = [0u8; 4];
            assert!(c.encode_utf8(&mut buf).bytes().any(|b| BYTE_CLASS[b as usize] & SPACEY != 0), "U+{:04X}", c as u32);
        }
    }

    /// `space_or_tab_in` is the first space or tab of a word, for words of every byte
    /// around those two and of bytes from the test texts.
    #[test]
    fn space_or_tab_in_is_the_first_space_or_tab() {
        let reference = |x: u64| x.to_le_bytes().iter().position(|&b| b == b' ' || b == b'\t');
        let bytes = [0x00, 0x01, 0x08, b'\t', 0x0a, 0x1f, b' ', b'!', 0x21, 0x80, 0x88, 0x89, 0xa0, 0xa1, 0xff];
        let mut words = 0;
        for i in 0..8 {
            for &a in &bytes {
                for &b in &bytes {
                    let mut w = [b'x'; 8];
                    w[i] = a;
                    w[(i + 3) % 8] = b;
                    let x = u64::from_le_bytes(w);
                    assert_eq!(space_or_tab_in(x), reference(x), "{w:?}");
                    words += 1;
                }
            }
        }
        let all = all_texts().concat().into_bytes();
        for w in all.windows(8).step_by(3) {
            let x = u64::from_le_bytes(w.try_into().unwrap());
            assert_eq!(space_or_tab_in(x), reference(x), "{w:?}");
            words += 1;
        }
        assert!(words > 100_000, "{words}");
    }

    /// `chunk_at` is `chunk_end` and `chunk_key` at every chunk of every test text, on
    /// the eight-byte path for lines without `SPACEY` bytes and on the char path for all.
    #[test]
    fn chunk_at_is_chunk_end_and_key() {
        let mut texts = all_texts();
        texts.push("ab cd\tef  gh\t \tij klmnopqrstuvwxyz0123 ạb ấ\u{a0}x \u{3000}y\u{1680}z ẚ Ớ".into());
        let (mut fast, mut slow) = (0, 0);
        for text in &texts {
            let b = text.as_bytes();
            let mut at = 0;
            for raw in text.split('\n') {
                let ascii = raw.bytes().all(|c| BYTE_CLASS[c as usize] & SPACEY == 0);
                let mut i = 0;
                while let Some(start) = raw[i..].find(|c: char| !c.is_whitespace()).map(|p| i + p) {
                    let end = chunk_end(raw, start);
                    let want = (end, chunk_key(&raw[start..end]));
                    assert_eq!(chunk_at(b, raw, at, start, false), want, "{raw:?}");
                    if ascii {
                        assert_eq!(chunk_at(b, raw, at, start, true), want, "{raw:?}");
                        fast += 1;
                    }
                    slow += 1;
                    i = end;
                }
                at += raw.len() + 1;
            }
        }
        assert!(fast > 100_000 && slow > fast, "{fast} {slow}");
    }

    /// `find_newline` is the first '\n' from every offset of texts with newlines at
    /// every place of an eight-byte word, and of bytes that are '\n' plus or minus a bit.
    #[test]
    fn find_newline_is_the_first_newline() {
        let mut texts: Vec<Vec<u8>> = vec![b"".to_vec(), b"\n".to_vec(), b"a\x0b\x09\x8a\x0a\x0e\n".to_vec()];
        for n in 0..20 {
            for k in 0..n {
                let mut t: Vec<u8> = (0..n).map(|j| [b'a', 0x0b, 0x09, 0x8a, 0x0e, 0x01, 0x00, 0xff][j % 8]).collect();
                t[k] = b'\n';
                if k + 3 < n {
                    t[k + 3] = b'\n';
                }
                texts.push(t);
            }
        }
        let first = |t: &[u8], from: usize| t[from..].iter().position(|&c| c == b'\n').map_or(t.len(), |p| from + p);
        for t in &texts {
            for from in 0..=t.len() {
                assert_eq!(find_newline(t, from), first(t, from), "{t:?} {from}");
            }
        }
        // Every line start of every test text (how the line split calls it).
        let all = all_texts().concat().into_bytes();
        let mut from = 0;
        while from <= all.len() {
            let end = find_newline(&all, from);
            assert_eq!(end, first(&all, from));
            from = end + 1;
        }
    }

    #[test]
    fn packed_keys_are_distinct() {
        let mut seen: std::collections::HashMap<u128, String> = std::collections::HashMap::new();
        let mut words: Vec<String> = all_texts().iter().flat_map(|t| t.split(|c: char| !is_letter(c)).map(str::to_string).collect::<Vec<_>>()).collect();
        words.extend(["", "a", "\u{1}", "\u{1}\u{1}", "aaaaaaaaa", "aaaaaaaaaa", "ệệệệệệệệệ", "\u{1fff}"].map(String::from));
        for w in words {
            match pack_key(w.chars()) {
                Some(k) => assert_eq!(seen.entry(k).or_insert_with(|| w.clone()), &w),
                None => assert!(w.chars().count() > PACK_MAX || w.chars().any(|c| c as u32 >= 0x2000), "{w}"),
            }
        }
    }

    /// `header_start` is `is_header_start` of the line's first five folded chars (as it
    /// was first written), on every line of the test texts and on lines made around it.
    #[test]
    fn header_start_is_the_folds_start() {
        let mut lines: Vec<String> = all_texts().iter().flat_map(|t| t.split('\n').map(str::to_string).collect::<Vec<_>>()).collect();
        for a in ["", "s", "S", "ş", "đ", " ", "-", "t"] {
            for b in ["tt", "TT", "Tt", "t t", "t", "ttt", "tṭ", "t\u{301}t"] {
                for c in ["", " ", "\t", " x", "x", "-", ".", "  Chỉ tiêu", "\u{300}"] {
                    lines.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut starts = 0;
        for l in &lines {
            let m = MappedStr::from_source(l, 0);
            let want = is_header_start(&fold_iter(l.chars()).take(5).collect::<String>());
            assert_eq!(header_start(&m), want, "{l:?}");
            starts += want as usize;
        }
        assert!(starts > 20, "{starts}");
    }

    /// `may_be_in_page_mark` is the test it replaced, on every char.
    #[test]
    fn page_mark_chars_agree() {
        let reference = |c: char| c.is_whitespace() || c.is_numeric() || matches!(c, '-' | '/') || "trangTRANG".contains(c);
        for c in (0..0x11_0000).filter_map(char::from_u32) {
            assert_eq!(may_be_in_page_mark(c), reference(c), "U+{:04X}", c as u32);
        }
    }

    /// `has_three_dashes` is `str::contains("---")` on every line of the test texts and on
    /// runs of dashes at every place.
    #[test]
    fn three_dashes_are_contains() {
        let mut lines: Vec<String> = all_texts().iter().flat_map(|t| t.split('\n').map(str::to_string).collect::<Vec<_>>()).collect();
        for n in 0..6 {
            for k in 0..6 {
                lines.push(format!("{}{}{}ạ-", "x".repeat(k), "-".repeat(n), "- ".repeat(k)));
            }
        }
        let mut found = 0;
        for l in &lines {
            assert_eq!(has_three_dashes(l), l.contains("---"), "{l:?}");
            found += has_three_dashes(l) as usize;
        }
        assert!(found > 10, "{found}");
    }

    #[test]
    fn split_codes_rejoined_with_hyphen() {
        assert_eq!(clean("Nghị quyết số 57-\n\nNQ/TW, ngày"), vec!["Nghị quyết số 57-NQ/TW, ngày"]);
        assert_eq!(clean("Văn phòng HĐND-\nUBND"), vec!["Văn phòng HĐND-UBND"]);
        // A bullet is not glued to the line before.
        assert_eq!(clean("kinh tế -\n- Tăng cường"), vec!["kinh tế -", "- Tăng cường"]);
    }

    #[test]
    fn tone_placement_applied() {
        assert_eq!(clean("Uỷ ban hoà"), vec!["Ủy ban hòa"]);
    }

    #[test]
    fn join() {
        assert_eq!(join_lines(["Nghị quyết về đột ", "phá phát triển"]), "Nghị quyết về đột phá phát triển");
        for text in ["", "a", " a \n\n b-\nc ", "x -\n- y\r\nz", "đột-\nphá\n  \n"] {
            assert_eq!(join_text_lines(text), join_lines(text.lines()));
        }
    }
}
