//! Agencies: canonical names from `rules/agencies.toml`, alias and fuzzy matching on folded
//! words, splitting of cells that name several agencies, and the registry of agencies seen.
//!
//! [`AgencyRules::resolve`] reads a cell or sentence fragment ("Phòng VHXH; Công an,
//! TT y tế") into [`AgencyMatch`]es, in order. Known agencies match an alias exactly
//! (longest alias first) or fuzzily (OCR damage, typos); a run of other words that starts
//! like an agency name ("Sở Công thương") is kept as printed with a generated id.

use crate::char_table::LazyCharTable;
use crate::fold::{fold, fold_into};
use crate::model::{AgencyRef, AgencySeen, Span, Warning};
use crate::rules::RuleSource;
use serde::Deserialize;
use rustc_hash::FxHashMap;
use super::memo::CellMemo;
use std::cell::{OnceCell, RefCell};
use std::sync::atomic::AtomicU8;

#[derive(Debug, Clone, Deserialize)]
pub struct AgencyDef {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct FuzzyConfig {
    /// Shortest folded alias (chars) fuzzy matching is tried for.
    pub min_len: usize,
    /// Largest edit distance, as a share of the alias length.
    pub max_ratio: f64,
}

#[derive(Debug, Deserialize)]
struct AgencyFile {
    fuzzy: FuzzyConfig,
    #[serde(default)]
    suffixes: Vec<String>,
    #[serde(default)]
    heads: Vec<String>,
    #[serde(default)]
    plural: Vec<String>,
    #[serde(default)]
    label_end: Vec<String>,
    #[serde(default)]
    labels: Vec<String>,
    agency: Vec<AgencyDef>,
}

/// How many resolved texts each thread remembers at most ([`AgencyRules::resolve`]; then
/// it starts over).
const RECENT_TEXTS: usize = 4096;
/// Longer texts (whole sections) are not remembered: memory stays bounded.
const RECENT_MAX_LEN: usize = 4096;

/// What [`AgencyRules::resolve_text`] returns, as remembered per text.
type Resolved = (Vec<AgencyMatch>, Coverage);
/// A first word's trie node (if it starts an alias) and its fuzzy candidates (none when
/// empty).
type FirstWord = (Option<usize>, Option<std::rc::Rc<[u32]>>);

thread_local! {
    /// The texts resolved on this thread since the document started, for the rule set with
    /// the id given: text → result. A map, not a short list of the last texts: extraction
    /// reads a table's cells again once every table of the document is rebuilt.
    static RECENT: RefCell<CellMemo<Resolved>> = RefCell::new(CellMemo::with_limits(RECENT_TEXTS, RECENT_MAX_LEN));
}

/// First words each thread remembers at most (then starts over).
const CANDIDATES_MAX: usize = 20_000;

thread_local! {
    /// By first word of a window, for the rule set with the id given: the trie node after
    /// it and its fuzzy candidates ([`AgencyRules::first_word`]).
    static CANDIDATES: RefCell<CellMemo<FirstWord>> = RefCell::new(CellMemo::with_limits(CANDIDATES_MAX, usize::MAX));
}

thread_local! {
    /// [`AgencyRules::longest_full_prefix`] by row lines (joined by line breaks), for the
    /// rule set with the id given: a table repeats the same cells down its rows.
    static FULL_PREFIXES: RefCell<CellMemo<Option<usize>>> = RefCell::new(CellMemo::with_limits(RECENT_TEXTS, RECENT_MAX_LEN));
}

/// Forgets this thread's resolved texts and fuzzy candidates: called as each document
/// starts, so that a document costs the same whatever was read before it (a batch of
/// copies would otherwise find every text already resolved), and results never depend on
/// batch order.
pub fn start_document() {
    RECENT.with(|r| r.borrow_mut().clear());
    CANDIDATES.with(|c| c.borrow_mut().clear());
    FULL_PREFIXES.with(|f| f.borrow_mut().clear());
}

/// What [`AgencyRules::scan`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Every match, and the coverage.
    Full,
    /// The coverage only, no match built.
    Coverage,
    /// Whether the coverage is full: stops at the first word no name covers (the coverage
    /// returned is then not full, its counts are not the text's).
    FullCoverage,
    /// Up to the first match only (and the coverage up to it).
    First,
    /// As `Full` for a text whose coverage is full; else stops as `FullCoverage` does.
    FullOrStop,
    /// Known agencies only, as in `Full`; the unknown names and the coverage are not built.
    Known,
}

/// Compiled agency rules: alias index and fuzzy matcher.
#[derive(Debug)]
pub struct AgencyRules {
    /// Tells this rule set from others in the per-thread memory of resolved texts.
    id: u64,
    pub agencies: Vec<AgencyDef>,
    pub fuzzy: FuzzyConfig,
    /// Folded alias (words joined by one space) → agency index.
    index: FxHashMap<String, usize>,
    /// The aliases as a trie of words: every alias and every run of its first words
    /// ("phong", "phong van", ...) is a node, with the agency index for a whole alias.
    trie: WordTrie,
    /// (folded alias, agency index), in the order of the rules.
    #[cfg(test)]
    aliases: Vec<(String, usize)>,
    /// The aliases fuzzy matching may return, precomputed, grouped by word count.
    fuzzy_index: FuzzyIndex,
    max_words: usize,
    suffixes: Vec<Vec<String>>,
    /// Head words of unknown agency names, lowercase with diacritics, and folded.
    /// With the number of words of each (the lowercase and the folded form).
    heads: Vec<((String, usize), (String, usize))>,
    /// The first word of each head word, lowercase and folded: a text whose first word is
    /// none of them starts no head word (compared first, most words are none).
    head_firsts: (rustc_hash::FxHashSet<String>, rustc_hash::FxHashSet<String>),
    plural: Vec<String>,
    label_end: Vec<char>,
    /// Folded words of list-introducing labels, longest first.
    labels: Vec<Vec<String>>,
    /// Every word of every alias, to rejoin words cut at a line end ("HĐND&UB" / "ND").
    alias_words: rustc_hash::FxHashSet<String>,
    /// No plural word is a head word: then [`Self::is_head`] of some tokens stays true
    /// when tokens are added after them.
    head_grows: bool,
}

/// The tokens of a text lowercased (with diacritics), each once it is first compared
/// ([`AgencyRules::is_head`]); the list itself made at the first comparison.
type LowerWords = OnceCell<Vec<OnceCell<String>>>;

/// The most tokens [`AgencyRules::is_head`] reads: a plural word and four words.
const HEAD_SPAN: usize = 5;

/// One agency found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyMatch {
    pub id: String,
    /// Canonical name (known agencies) or the name as printed (unknown ones).
    pub name: String,
    pub known: bool,
    /// Matched by the fuzzy fallback rather than an exact alias.
    pub fuzzy: bool,
    /// The words as printed (whitespace collapsed).
    pub printed: String,
    /// Byte range in the resolved text.
    pub start: usize,
    pub end: usize,
    /// A list separator (",", ";", "và", "&", "/") stands between this and the previous match.
    pub sep_before: bool,
}

/// How much of a text reads as agency names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub words: usize,
    pub covered: usize,
    pub known: usize,
}

impl Coverage {
    pub fn full(&self) -> bool {
        self.words > 0 && self.covered == self.words
    }
}

#[derive(Debug, Clone)]
struct Tok<'a> {
    /// The folded word: a slice of the text itself when the word is its own key (plain
    /// lowercase ASCII), else of the one key buffer of the text ([`tokenize`]), or an alias
    /// word ([`AgencyRules::rejoin`]). No allocation a token.
    key: &'a str,
    /// Chars in `key`.
    key_chars: usize,
    start: usize,
    end: usize,
    /// Separator chars between the previous token and this one.
    gap: Gap,
    upper: bool,
    /// [`char_mask`] of `key`.
    mask: u64,
    /// `key` holds a space (a char that folds to several words): computed once a token,
    /// as the matcher asks for every window a token is in.
    spaced: bool,
}

/// What the separator chars between two tokens hold (spaces aside, which never count):
/// kept as flags rather than as a string, one allocation less a token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Gap(u8);

impl Gap {
    const SEMICOLON: u8 = 1;
    const COMMA: u8 = 2;
    /// "/", "&" or "+".
    const OTHER_SEP: u8 = 4;
    const NEWLINE: u8 = 8;
    /// The gap is one line break and nothing else.
    const ONLY_NEWLINE: u8 = 16;
    const ANY: u8 = 32;

    fn push(&mut self, c: char) {
        let only_newline = c == '\n' && self.0 & Gap::ANY == 0;
        self.0 &= !Gap::ONLY_NEWLINE;
        self.0 |= Gap::ANY
            | match c {
                ';' => Gap::SEMICOLON,
                ',' => Gap::COMMA,
                '/' | '&' | '+' => Gap::OTHER_SEP,
                '\n' => Gap::NEWLINE,
                _ => 0,
            }
            | if only_newline { Gap::ONLY_NEWLINE } else { 0 };
    }

    fn semicolon(self) -> bool {
        self.0 & Gap::SEMICOLON != 0
    }

    /// A ";" or ",".
    fn clause(self) -> bool {
        self.0 & (Gap::SEMICOLON | Gap::COMMA) != 0
    }

    /// A list separator: ",", ";", "/", "&" or "+".
    fn list_sep(self) -> bool {
        self.0 & (Gap::SEMICOLON | Gap::COMMA | Gap::OTHER_SEP) != 0
    }

    fn newline(self) -> bool {
        self.0 & Gap::NEWLINE != 0
    }

    fn only_newline(self) -> bool {
        self.0 & Gap::ONLY_NEWLINE != 0
    }
}

/// Char classes [`tokenize`] asks about, by table below [`CLASS_END`] (Latin and
/// Vietnamese letters, combining marks): `char::is_alphanumeric` of a letter outside ASCII
/// is a search in Unicode tables, and Vietnamese text is full of them.
const CLASS_END: usize = 0x2000;
const ALNUM: u8 = 1;
const MARK: u8 = 2;
const UPPER: u8 = 4;
const SPACE: u8 = 8;

/// [`class_slow`] of ASCII chars, known at compile time.
static ASCII_CLASSES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        let mut k = 0;
        if b.is_ascii_alphanumeric() {
            k |= ALNUM;
        }
        if b.is_ascii_uppercase() {
            k |= UPPER;
        }
        // `char::is_whitespace` in ASCII (vertical tab included).
        if matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
            k |= SPACE;
        }
        t[b as usize] = k;
        b += 1;
    }
    t
};

/// [`class_slow`] of each char below [`CLASS_END`], computed the first time the char is
/// met: a text holds a few hundred distinct chars, and computing all 8192 at startup cost
/// more than every lookup of a batch.
static CLASSES: LazyCharTable<AtomicU8, CLASS_END> = LazyCharTable::new(class_slow);

fn class_slow(c: char) -> u8 {
    (if c.is_alphanumeric() { ALNUM } else { 0 })
        | (if crate::fold::is_combining_mark(c) { MARK } else { 0 })
        | (if c.is_uppercase() { UPPER } else { 0 })
        | (if c.is_whitespace() { SPACE } else { 0 })
}

fn class_of(c: char) -> u8 {
    if c.is_ascii() {
        return ASCII_CLASSES[c as usize];
    }
    CLASSES.get(c)
}

/// The tokens of `text`. Keys that are not the word itself are folded into `buf` (cleared
/// first), one buffer for the text, and the tokens borrow them.
fn tokenize<'a>(text: &'a str, buf: &'a mut String) -> Vec<Tok<'a>> {
    // Keys are no longer than their words but for rare chars: sized once, not grown.
    buf.clear();
    buf.reserve(text.len());
    let mut toks: Vec<Tok<'a>> = Vec::with_capacity(text.len() / 6 + 1);
    // (token, key range in `buf`) of the keys made in `buf`: set once it is complete.
    let mut made: Vec<(u32, u32, u32)> = Vec::with_capacity(toks.capacity());
    let mut folded = String::new();
    let mut gap = Gap::default();
    // Read on bytes: an ASCII char is classed by its byte, with no char decoded (most
    // chars of a plan are ASCII); other chars are decoded.
    let bytes = text.as_bytes();
    let char_at = |i: usize| text[i..].chars().next().expect("a char boundary");
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (c, class) = if b < 0x80 { (b as char, ASCII_CLASSES[b as usize]) } else { let c = char_at(i); (c, class_of(c)) };
        if c == '&' {
            toks.push(Tok { key: "va", key_chars: 2, start: i, end: i + 1, gap: std::mem::take(&mut gap), upper: false, mask: char_mask("va"), spaced: false });
            i += 1;
            continue;
        }
        if class & ALNUM == 0 {
            if class & SPACE == 0 || c == '\n' {
                gap.push(c);
            }
            i += c.len_utf8();
            continue;
        }
        // The word's end; while it is ASCII, the mask of its key (its lowercase) and
        // whether it has a capital, on the way.
        let mut end = i;
        let (mut ascii, mut upper, mut mask) = (true, false, 0u64);
        while let Some(&d) = bytes.get(end) {
            if d < 0x80 {
                if ASCII_CLASSES[d as usize] & ALNUM == 0 {
                    break;
                }
                upper |= d.is_ascii_uppercase();
                mask |= char_bit(d.to_ascii_lowercase() as char);
                end += 1;
            } else {
                let d = char_at(end);
                if class_of(d) & (ALNUM | MARK) == 0 {
                    break;
                }
                ascii = false;
                end += d.len_utf8();
            }
        }
        let word = &text[i..end];
        // An ASCII word (letters and digits) folds to its lowercase: the word itself when
        // it has no capital. The chars of a folded key, their mask and whether one is a
        // space are counted in one pass over the key.
        let (mut key_chars, mut spaced) = (word.len(), false);
        let mut key = "";
        if ascii {
            if upper {
                let s = buf.len();
                buf.push_str(word);
                buf[s..].make_ascii_lowercase();
                made.push((toks.len() as u32, s as u32, buf.len() as u32));
            } else {
                key = word;
            }
        } else {
            fold_into(word, &mut folded);
            (key_chars, mask) = (0, 0);
            for c in folded.chars() {
                key_chars += 1;
                mask |= char_bit(c);
                spaced |= c == ' ';
            }
            let s = buf.len();
            buf.push_str(&folded);
            made.push((toks.len() as u32, s as u32, buf.len() as u32));
        }
        toks.push(Tok { mask, key_chars, key, start: i, end, gap: std::mem::take(&mut gap), upper: class & UPPER != 0, spaced });
        i = end;
    }
    let buf: &'a String = buf;
    for (k, s, e) in made {
        toks[k as usize].key = &buf[s as usize..e as usize];
    }
    toks
}

fn is_list_sep(gap: Gap) -> bool {
    gap.list_sep()
}

const CONNECTIVES: &[&str] = &["va", "cung", "voi"];

impl AgencyRules {
    pub fn load(source: &RuleSource) -> crate::Result<AgencyRules> {
        let (text, shown) = source.read("agencies.toml")?;
        let file: AgencyFile = crate::rules::parse_toml(&text, &shown)?;
        AgencyRules::compile(file, &text, &shown)
    }

    fn compile(file: AgencyFile, text: &str, shown: &str) -> crate::Result<AgencyRules> {
        let mut index: FxHashMap<String, usize> = FxHashMap::default();
        let mut aliases = Vec::new();
        let mut max_words = 1;
        for (ai, a) in file.agency.iter().enumerate() {
            for alias in std::iter::once(&a.name).chain(a.aliases.iter()) {
                let key = key_of(alias);
                if key.is_empty() {
                    return Err(crate::rules::rule_error(shown, text, alias, format!("empty alias for agency {}", a.id)));
                }
                if let Some(&other) = index.get(&key) {
                    if other != ai {
                        return Err(crate::rules::rule_error(
                            shown,
                            text,
                            alias,
                            format!("alias \"{alias}\" names both {} and {}", file.agency[other].id, a.id),
                        ));
                    }
                    continue;
                }
                max_words = max_words.max(key.split(' ').count());
                index.insert(key.clone(), ai);
                aliases.push((key, ai));
            }
        }
        let mut suffixes: Vec<Vec<String>> =
            file.suffixes.iter().map(|s| key_of(s).split(' ').map(str::to_string).collect()).collect();
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let words = |h: String| {
            let n = h.split(' ').count();
            (h, n)
        };
        let heads: Vec<((String, usize), (String, usize))> = file.heads.iter().map(|h| (words(h.to_lowercase()), words(fold(h)))).collect();
        let first = |h: &str| h.split(' ').next().unwrap_or("").to_string();
        let head_firsts = (heads.iter().map(|((h, _), _)| first(h)).collect(), heads.iter().map(|(_, (hf, _))| first(hf)).collect());
        let alias_words = aliases.iter().flat_map(|(a, _): &(String, usize)| a.split(' ').map(str::to_string)).collect();
        let fuzzy_index = FuzzyIndex::new(&aliases, &file.fuzzy);
        let mut trie = WordTrie::default();
        for (key, ai) in &aliases {
            trie.insert(key, *ai);
        }
        let labels: Vec<Vec<String>> = {
            let mut l: Vec<Vec<String>> = file.labels.iter().map(|s| key_of(s).split(' ').map(str::to_string).collect()).collect();
            l.sort_by_key(|w| std::cmp::Reverse(w.len()));
            l
        };
        let plural: Vec<String> = file.plural.iter().map(|p| fold(p)).collect();
        let head_grows = !file.plural.iter().any(|p| {
            file.heads.iter().any(|h| h.to_lowercase() == p.to_lowercase() || fold(h) == fold(p))
        });
        Ok(AgencyRules {
            head_grows,
            // Tells this rule set from others in [`RECENT`] and [`CANDIDATES`].
            id: super::memo::rule_set_id(),
            trie,
            fuzzy_index,
            agencies: file.agency,
            fuzzy: file.fuzzy,
            index,
            #[cfg(test)]
            aliases,
            max_words,
            suffixes,
            heads,
            head_firsts,
            plural,
            label_end: file.label_end.iter().filter_map(|s| s.chars().next()).collect(),
            alias_words,
            labels,
        })
    }

    pub fn by_id(&self, id: &str) -> Option<&AgencyDef> {
        self.agencies.iter().find(|a| a.id == id)
    }

    /// Exact alias match of a whole text (folded), e.g. a cell holding one agency.
    pub fn lookup(&self, text: &str) -> Option<&AgencyDef> {
        self.index.get(&key_of(text)).map(|&i| &self.agencies[i])
    }

    /// Longest known agency starting at token `i`: (agency, tokens used, fuzzy).
    fn match_at(&self, toks: &[Tok], i: usize) -> Option<(usize, usize, bool)> {
        let limit = self.max_words.min(toks.len() - i);
        // The windows of 1..=limit words (not across a ";") are prefixes of one key.
        let windows = toks[i..i + limit].iter().enumerate().take_while(|(n, t)| *n == 0 || !t.gap.semicolon());
        // Exact: the longest window that is an alias. Windows grow while they are word
        // prefixes of some alias (a path of the trie); a longer one cannot be an alias.
        // The first word is looked up once for both matchers: most words start no alias
        // and are close to none, and are done with in that one look-up.
        let first = if toks[i].spaced { toks[i].key.split(' ').next().unwrap_or("") } else { toks[i].key };
        let (root, cands) = self.first_word(first);
        if root.is_none() && cands.is_none() {
            return None;
        }
        let mut exact = None;
        let mut node = Some(0);
        for (n, t) in windows.clone() {
            let at = node.expect("on a path");
            node = if n == 0 && !t.spaced {
                root
            } else if t.spaced {
                t.key.split(' ').try_fold(at, |at, w| self.trie.child(at, w))
            } else {
                self.trie.child(at, t.key)
            };
            match node {
                Some(at) => {
                    if let Some(a) = self.trie.agency[at] {
                        exact = Some((a, n + 1, false));
                    }
                }
                None => break,
            }
        }
        if exact.is_some() {
            return exact;
        }
        // Fuzzy fallback: the window and alias closest in edit distance. Every window
        // starts with the same word, so only aliases whose first word is close to it can
        // match (in rules order, for ties).
        let cands = cands?;
        if !self.fuzzy_may_match(&toks[i..i + windows.clone().count()], &cands) {
            return None;
        }
        // (end byte, chars, words) of each window.
        let mut key = String::new();
        let mut ends: Vec<(usize, usize, usize)> = Vec::with_capacity(limit);
        let mut chars = 0;
        let mut nwords = 0;
        for (n, t) in windows {
            if n > 0 {
                key.push(' ');
                chars += 1;
            }
            key.push_str(t.key);
            chars += t.key_chars;
            nwords += 1 + t.key.bytes().filter(|&b| b == b' ').count();
            ends.push((key.len(), chars, nwords));
        }
        let words: Vec<&str> = key.split(' ').collect();
        let mut best: Option<(f64, usize, usize)> = None;
        // A window is compared only with the aliases of as many words. The candidates come
        // by word count, most first, then in rules order: the pairs are visited in the
        // order of the longest window first, every alias in rules order, so ties are broken
        // as before.
        for c in cands.iter().map(|&ci| &self.fuzzy_index.aliases[ci as usize]) {
            // Word counts grow with the window: at most one window has as many as the alias.
            let Ok(n) = ends.binary_search_by_key(&c.words.len(), |&(_, _, w)| w) else { continue };
            let (e, klen, _) = ends[n];
            if klen < self.fuzzy.min_len {
                continue;
            }
            let k = &key[..e];
            let words = &words[..c.words.len()];
            let (alias, ai, alen, allowed) = (c.key.as_str(), c.agency, c.chars, c.allowed);
            // Cheap necessary conditions first (length within the allowed distance,
            // every word close), the full distance last.
            if klen.abs_diff(alen) > allowed.max(1) {
                continue;
            }
            if !words[1..].iter().zip(&c.words[1..]).all(|(x, y)| word_close(x, y)) {
                continue;
            }
            let d = strsim::damerau_levenshtein(k, alias);
            if d == 0 || d > allowed.max(1) {
                continue;
            }
            // Short names: only a transposition of two letters ("VNTP" for "VNPT").
            if c.short && (d > 1 || !same_letters(k, alias)) {
                continue;
            }
            let score = d as f64 / alen as f64;
            if best.is_none_or(|(s, bn, _)| score < s - 1e-9 || ((score - s).abs() < 1e-9 && n + 1 > bn)) {
                best = Some((score, n + 1, ai));
            }
        }
        best.map(|(_, n, ai)| (ai, n, true))
    }

    /// Whether any candidate passes the cheap conditions of the fuzzy matcher (as many
    /// words as a window, length within the allowed distance, every word close) against
    /// the windows of tokens `window`, checked token by token, with no window text built.
    /// Only a necessary condition; always true when a token holds several words.
    fn fuzzy_may_match(&self, window: &[Tok], cands: &[u32]) -> bool {
        if window.iter().any(|t| t.spaced) {
            return true;
        }
        // The length of the window of each word count, computed once for all candidates.
        let mut klens = [0usize; 16];
        let short = window.len() < klens.len();
        if short {
            for (w, t) in window.iter().enumerate() {
                klens[w + 1] = klens[w] + t.key_chars + (w > 0) as usize;
            }
        }
        cands.iter().map(|&ci| &self.fuzzy_index.aliases[ci as usize]).any(|c| {
            let w = c.words.len();
            if w > window.len() {
                return false;
            }
            let klen = if short { klens[w] } else { window[..w].iter().map(|t| t.key_chars).sum::<usize>() + w - 1 };
            klen >= self.fuzzy.min_len
                && klen.abs_diff(c.chars) <= c.allowed.max(1)
                && window[1..w].iter().zip(&c.words[1..]).zip(&c.masks[1..]).all(|((t, y), &m)| word_close_masked(t.key, t.mask, y, m))
        })
    }

    /// The trie node after word `first` from the root, and [`FuzzyIndex::candidates`] of
    /// `first` (none when empty), remembered per word on this thread: the same words start
    /// windows again and again.
    fn first_word(&self, first: &str) -> FirstWord {
        CellMemo::parsed(&CANDIDATES, self.id, first, || {
            let c = self.fuzzy_index.candidates(first);
            (self.trie.child(0, first), (!c.is_empty()).then(|| c.into()))
        })
    }

    fn suffix_len(&self, toks: &[Tok], i: usize) -> usize {
        for s in &self.suffixes {
            if i + s.len() <= toks.len()
                && toks[i..i + s.len()].iter().zip(s).all(|(t, w)| t.key == *w)
                && !toks[i].gap.clause()
            {
                return s.len();
            }
        }
        0
    }

    /// Whether the tokens `idx` (indices into `toks`) start with a head word of an agency
    /// name, after an optional plural word: compared with diacritics (lowercase) when the
    /// text has them, folded when it is plain ASCII.
    fn is_head(&self, toks: &[Tok], idx: &[usize], text: &str, lower: Option<&LowerWords>) -> bool {
        let mut i = 0;
        if idx.len() > 1 && self.plural.iter().any(|p| p == toks[idx[0]].key) {
            i = 1;
        }
        let idx = &idx[i..idx.len().min(i + 4)];
        // A head word matches from the first word on (`joined_eq`): never with no word, nor
        // when the first word starts no head word.
        let Some(&k0) = idx.first() else { return false };
        let mut words = [""; 4];
        match lower {
            None => {
                if !self.head_firsts.1.contains(toks[k0].key) {
                    return false;
                }
                for (w, &k) in words.iter_mut().zip(idx) {
                    *w = toks[k].key;
                }
                self.heads.iter().any(|(_, (hf, n))| joined_eq(&words[..idx.len()], hf, *n))
            }
            Some(lower) => {
                let lower = lower.get_or_init(|| (0..toks.len()).map(|_| OnceCell::new()).collect());
                // Each word lowercased once a text, when first compared.
                let first = lower[k0].get_or_init(|| text[toks[k0].start..toks[k0].end].to_lowercase());
                if !self.head_firsts.0.contains(first.as_str()) {
                    return false;
                }
                for (w, &k) in words.iter_mut().zip(idx) {
                    *w = lower[k].get_or_init(|| text[toks[k].start..toks[k].end].to_lowercase()).as_str();
                }
                self.heads.iter().any(|((h, n), _)| joined_eq(&words[..idx.len()], h, *n))
            }
        }
    }

    /// Rejoins a word cut at a line end without a hyphen ("UB" / "ND"): both parts are not
    /// words of any alias, their join is.
    fn rejoin<'a>(&'a self, toks: Vec<Tok<'a>>, text: &str) -> Vec<Tok<'a>> {
        // Only a word right after a bare line break may join the one before it: a text
        // with none (one line, or lines ending in punctuation) keeps its tokens as they are.
        if !toks.iter().skip(1).any(|t| t.gap.only_newline()) {
            return toks;
        }
        let mut out: Vec<Tok<'a>> = Vec::with_capacity(toks.len());
        // The joined key is built in one buffer, and kept only when it is an alias word
        // (the token then borrows the alias word).
        let mut joined = String::new();
        for t in toks {
            if let Some(p) = out.last_mut() {
                if t.gap.only_newline() && !self.alias_words.contains(t.key) {
                    joined.clear();
                    joined.push_str(p.key);
                    joined.push_str(t.key);
                    if let Some(w) = self.alias_words.get(joined.as_str()).filter(|_| text[t.start..t.end].chars().all(|c| !c.is_lowercase())) {
                        p.key_chars += t.key_chars;
                        p.mask |= t.mask;
                        p.spaced |= t.spaced;
                        p.key = w.as_str();
                        p.end = t.end;
                        continue;
                    }
                }
            }
            out.push(t);
        }
        out
    }

    /// The agencies a text names, in order. Never fails; unknown names get an id "x-...".
    pub fn resolve(&self, text: &str) -> Vec<AgencyMatch> {
        self.resolve_inner(text).0
    }

    /// Share of the words of `text` that belong to agency names (known or agency-like).
    pub fn coverage(&self, text: &str) -> Coverage {
        if let Some(out) = self.recent(text) {
            return out.1;
        }
        self.resolve_text(text, Mode::Coverage).1
    }

    /// `coverage(text).full()`, reading only up to the first word no name covers.
    pub fn covers_fully(&self, text: &str) -> bool {
        if let Some(out) = self.recent(text) {
            return out.1.full();
        }
        self.resolve_text(text, Mode::FullCoverage).1.full()
    }

    /// `resolve(text).first().map(|m| m.start)`, reading only up to the first name.
    pub fn first_start(&self, text: &str) -> Option<usize> {
        if let Some(out) = self.recent(text) {
            return out.0.first().map(|m| m.start);
        }
        self.resolve_text(text, Mode::First).0.first().map(|m| m.start)
    }

    /// `first_start(text).is_some_and(|s| s <= at)`: whether a name starts by byte `at`
    /// (a cell that starts with an agency). Most texts asked start with a word that starts
    /// no name: when only the first word can start by `at`, and it starts no known name,
    /// is no plural word and starts no head word of an unknown name ([`Self::is_head`]),
    /// the answer is no, and the rest of the text is not read.
    pub fn starts_by(&self, text: &str, at: usize) -> bool {
        if let Some(out) = self.recent(text) {
            return out.0.first().is_some_and(|m| m.start <= at);
        }
        let text = self.without_labels(text);
        let text = text.as_ref();
        let mut keys = String::new();
        let toks = self.rejoin(tokenize(text, &mut keys), text);
        let Some(t0) = toks.first() else { return false };
        if t0.start > at {
            return false;
        }
        let mut first = None;
        if toks.get(1).is_none_or(|t| t.start > at) && !t0.spaced && !self.plural.iter().any(|p| p == t0.key) {
            // The first name starts at token 0 or after `at`: a known name at token 0, or an
            // unknown one whose part starts at token 0 with a head word (compared as
            // `is_head` compares it: folded in plain ASCII text, else lowercase).
            let head = if text.is_ascii() {
                self.head_firsts.1.contains(t0.key)
            } else {
                let lower = text[t0.start..t0.end].to_lowercase();
                self.head_firsts.0.contains(lower.as_str())
            };
            let m = self.match_at(&toks, 0);
            if !head && m.is_none() {
                return false;
            }
            first = Some(m);
        }
        let mut lookup = |ts: &[Tok], i: usize| match (i, first) {
            (0, Some(m)) => m,
            _ => self.match_at(ts, i),
        };
        self.scan(text, &toks, &mut lookup, Mode::First, &mut 0).0.first().is_some_and(|m| m.start <= at)
    }

    /// The known agencies of `text`: `resolve(text)` less the unknown names, with the same
    /// fields (`sep_before` included), without building the unknown names.
    pub fn resolve_known(&self, text: &str) -> Vec<AgencyMatch> {
        if let Some(out) = self.recent(text) {
            return out.0.into_iter().filter(|m| m.known).collect();
        }
        self.resolve_text(text, Mode::Known).0
    }

    /// Whether a token of `text` starts at byte `at` and a known name starts at it: true
    /// for every `m.start` of `resolve_known(text)` (the scan may still skip the token, in
    /// a label or a longer name). Read from the words after `at` only, so a caller that
    /// wants the names at a few places only can skip the scan of a text where none starts.
    pub fn known_may_start_at(&self, text: &str, at: usize) -> bool {
        let text = self.without_labels(text);
        let rest = &text[at..];
        // `match_at` reads `max_words` tokens; one more, as `rejoin` may join the last one
        // with the next. Tokens never span whitespace: cut after a whole word, the tokens
        // are the first ones of `rest`, all alike but the last (rejoined or not).
        let need = self.max_words + 1;
        let mut words = need;
        let mut keys = String::new();
        loop {
            let end = rest
                .char_indices()
                .filter(|&(i, c)| c.is_whitespace() && i > 0 && !rest[..i].ends_with(char::is_whitespace))
                .nth(words - 1)
                .map_or(rest.len(), |(i, _)| i);
            let cut = &rest[..end];
            let toks = self.rejoin(tokenize(cut, &mut keys), cut);
            if toks.len() >= need || end == rest.len() {
                return toks.first().is_some_and(|t| t.start == 0) && self.match_at(&toks, 0).is_some();
            }
            words *= 2;
        }
    }

    /// Whether the first word of a token's key decides [`Self::known_may_start_at`] in
    /// `text`: with no line break no token is rejoined, so the token at a char is its
    /// word's run of letters, folded. (A label is blanked from the start of a token to its
    /// end: a char in it starts no token, and the run from a char outside it is whole.)
    pub fn first_keys_decide(&self, text: &str) -> bool {
        !text.contains('\n')
    }

    /// Whether a known name may start at a token whose key's first word is `first`: false
    /// means [`Self::match_at`] finds none there (it gives up on a first word that starts
    /// no alias and is close to none), so neither does [`Self::known_may_start_at`].
    pub fn known_may_start_with(&self, first: &str) -> bool {
        let (root, cands) = self.first_word(first);
        root.is_some() || cands.is_some()
    }

    /// The result remembered for `text` on this thread, if any.
    fn recent(&self, text: &str) -> Option<Resolved> {
        CellMemo::get(&RECENT, self.id, text)
    }

    /// [`Self::resolve_text`], remembered for the last texts read on this thread: table
    /// reconstruction reads the same cell text for its coverage, its first agency and its
    /// cell, and extraction reads it again. Forgotten as each document starts
    /// ([`start_document`]).
    fn resolve_inner(&self, text: &str) -> (Vec<AgencyMatch>, Coverage) {
        CellMemo::parsed(&RECENT, self.id, text, || self.resolve_text(text, Mode::Full))
    }

    fn resolve_text(&self, text: &str, mode: Mode) -> (Vec<AgencyMatch>, Coverage) {
        let text = self.without_labels(text);
        let text = text.as_ref();
        let mut keys = String::new();
        let toks = self.rejoin(tokenize(text, &mut keys), text);
        self.scan(text, &toks, &mut |toks, i| self.match_at(toks, i), mode, &mut 0)
    }

    /// The largest `e` in `1..=lines.len()` for which `lines[..e]` joined by line breaks
    /// reads as agency names only (`coverage(..).full()`). Same answer as trying each `e`
    /// from the longest, but the lines are tokenized once and the known agency at each
    /// word is looked up once: the words of a shorter text are the first words of the
    /// longer one.
    pub fn longest_full_prefix(&self, lines: &[&str]) -> Option<usize> {
        let full = lines.join("\n");
        // The joined text tells the lines apart when none holds a line break of its own.
        if full.bytes().filter(|&b| b == b'\n').count() != lines.len().saturating_sub(1) {
            return self.longest_full_prefix_of(lines, &full);
        }
        CellMemo::parsed(&FULL_PREFIXES, self.id, &full, || self.longest_full_prefix_of(lines, &full))
    }

    /// [`Self::longest_full_prefix`] of `lines`, read (`full`: the lines joined).
    fn longest_full_prefix_of(&self, lines: &[&str], full: &str) -> Option<usize> {
        let full_text = full;
        let labels = if self.label_end.iter().any(|&c| full.contains(c)) { self.label_ranges(full) } else { Vec::new() };
        let stripped_owned = (!labels.is_empty()).then(|| self.strip_labels(full));
        let stripped: &str = stripped_owned.as_deref().unwrap_or(full);
        let mut keys = String::new();
        let toks = self.rejoin(tokenize(stripped, &mut keys), stripped);
        let mut memo: Vec<Option<Option<(usize, usize, bool)>>> = vec![None; toks.len()];
        // The fewest tokens a cut text (plain ASCII or not) was read up to before a word no
        // name covers: a shorter cut that still holds them reads them alike.
        let mut stopped = [usize::MAX; 2];
        // Cut texts up to it are plain ASCII.
        let ascii_end = stripped.bytes().position(|b| !b.is_ascii()).unwrap_or(stripped.len());
        let mut end = full.len();
        for e in (1..=lines.len()).rev() {
            if e < lines.len() {
                end -= lines[e].len() + 1;
            }
            // The cut text reads as the first words of the whole one, unless a label that
            // ends after the cut starts before it, or a word was rejoined across it.
            // Tokens are in order: the one that may run past the cut is the first that
            // ends after it.
            let cut = toks.partition_point(|t| t.end <= end);
            let same = labels.iter().all(|&(start, _, p)| p < end || start >= end)
                && toks.get(cut).is_none_or(|t| t.start >= end)
                && stripped.len() == full.len();
            let covered = if same {
                let sub = &toks[..cut];
                let ascii = (end <= ascii_end) as usize;
                if stopped[ascii] <= sub.len() {
                    continue;
                }
                // The match at a token is looked up once, in the whole text: a cut's windows
                // at a token are the first of the whole text's, so no match there means
                // none in the cut, and a match whose tokens the cut holds is the cut's match
                // too (exact: the longest alias window; fuzzy: the best pair, found among
                // the cut's windows alike). Only a match that runs past the cut is looked
                // up again in it.
                let mut lookup = |ts: &[Tok], i: usize| {
                    let whole = *memo[i].get_or_insert_with(|| self.match_at(&toks, i));
                    match whole {
                        Some((_, n, _)) if i + n > ts.len() => self.match_at(ts, i),
                        _ => whole,
                    }
                };
                let mut reach = usize::MAX;
                // The cut that reads as names is resolved next (its cells): its matches are
                // built on the way and remembered.
                let out = self.scan(&stripped[..end], sub, &mut lookup, Mode::FullOrStop, &mut reach);
                stopped[ascii] = stopped[ascii].min(reach);
                let full = out.1.full();
                if full {
                    CellMemo::insert(&RECENT, self.id, &full_text[..end], out);
                }
                full
            } else {
                self.covers_fully(&full[..end])
            };
            if covered {
                return Some(e);
            }
        }
        None
    }

    /// Reads the tokens of `text` into agencies; `match_at` gives the known agency at a
    /// token. What is built depends on `mode` ([`Mode`]): callers that only need the
    /// coverage, or only the known agencies, or only the first match, skip the rest.
    #[allow(clippy::type_complexity)]
    fn scan(
        &self,
        text: &str,
        toks: &[Tok],
        match_at: &mut dyn FnMut(&[Tok], usize) -> Option<(usize, usize, bool)>,
        mode: Mode,
        reach: &mut usize,
    ) -> (Vec<AgencyMatch>, Coverage) {
        // `FullCoverage` stopped before the end: only the tokens before `*reach` were read
        // (the text's ASCII-ness aside), so any text holding the same first tokens stops alike.
        *reach = usize::MAX;
        // Head words are compared folded in plain ASCII text, else lowercase.
        // The list is made only once a head word is compared (most scans compare none).
        let lower_cells: LowerWords = OnceCell::new();
        let lower = (!text.is_ascii()).then_some(&lower_cells);
        let build = matches!(mode, Mode::Full | Mode::First | Mode::FullOrStop);
        let stops = matches!(mode, Mode::FullCoverage | Mode::FullOrStop);
        // `FullOrStop`: most texts it reads stop at a word no name covers, and their matches
        // are never used; the names' strings are made once the text is read through
        // ([`Self::fill_names`]), the agency of each known match kept here meanwhile.
        let lazy = mode == Mode::FullOrStop;
        let mut known_agencies: Vec<usize> = Vec::new();
        let mut out: Vec<AgencyMatch> = Vec::new();
        let mut cov = Coverage { words: toks.len(), ..Default::default() };
        let not_full = Coverage { words: toks.len(), covered: 0, known: 0 };
        let mut unmatched: Vec<usize> = Vec::new();
        let mut sep_pending = false;
        let mut i = 0;
        // Reads a run of unmatched tokens into unknown agencies; returns how many of its
        // tokens no name covers.
        let flush = |run: &mut Vec<usize>, out: &mut Vec<AgencyMatch>, cov: &mut Coverage, sep_pending: &mut bool| -> usize {
            let mut split: Vec<Vec<usize>> = Vec::new();
            for p in split_run(toks, run, text) {
                // A lone head word after a line break ("Hải" / "Phòng") ends the name before it.
                let glue = p.len() == 1
                    && split.last().is_some_and(|l: &Vec<usize>| *l.last().unwrap() + 1 == p[0])
                    && !toks[p[0]].gap.clause()
                    && self.is_head(toks, &p[..1], text, lower);
                match split.last_mut() {
                    Some(l) if glue => l.extend(p),
                    _ => split.push(p),
                }
            }
            let mut parts: Vec<Vec<usize>> = Vec::new();
            for part in split {
                let mut rest = part;
                while let Some(p) = (1..rest.len().saturating_sub(1)).find(|&p| {
                    toks[rest[p]].key == "va" && self.is_head(toks, &rest[p + 1..], text, lower)
                }) {
                    let right = rest.split_off(p + 1);
                    rest.pop();
                    parts.push(rest);
                    rest = right;
                }
                parts.push(rest);
            }
            let before = cov.covered;
            for part in parts {
                let part: Vec<usize> = part.into_iter().skip_while(|&k| CONNECTIVES.contains(&toks[k].key)).collect();
                if part.is_empty() {
                    continue;
                }
                if self.is_head(toks, &part, text, lower) {
                    if build && lazy {
                        let (s, e) = (toks[part[0]].start, toks[*part.last().unwrap()].end);
                        let sep = *sep_pending || is_list_sep(toks[part[0]].gap);
                        out.push(AgencyMatch::unnamed(false, false, s, e, sep));
                    } else if build {
                        let (s, e) = (toks[part[0]].start, toks[*part.last().unwrap()].end);
                        let printed = collapse(&text[s..e]);
                        let name = capitalize(&printed);
                        let sep = *sep_pending || is_list_sep(toks[part[0]].gap);
                        out.push(AgencyMatch {
                            id: format!("x-{}", fold(&name).replace(' ', "-")),
                            name,
                            known: false,
                            fuzzy: false,
                            printed,
                            start: s,
                            end: e,
                            sep_before: sep,
                        });
                    }
                    cov.covered += part.len();
                    *sep_pending = false;
                } else if part.iter().all(|&k| CONNECTIVES.contains(&toks[k].key)) {
                    cov.covered += part.len();
                }
            }
            let uncovered = run.len() - (cov.covered - before);
            run.clear();
            uncovered
        };
        // Tokens before `read` decided what was read so far: a text cut after them reads
        // alike. A label, a window or a suffix not found at a token is not found in a text cut
        // shorter either (the same tokens differ, or the cut leaves too few); one found
        // needs its tokens; so does a known agency (a cut holding them finds the same one).
        let mut read = 0;
        while i < toks.len() {
            read = read.max(i + 1);
            if let Some(l) = self.labels.iter().find(|l| i + l.len() <= toks.len() && toks[i..i + l.len()].iter().zip(l.iter()).all(|(t, w)| t.key == *w)) {
                read = read.max(i + l.len());
                if mode != Mode::Known || sep_pending {
                    if flush(&mut unmatched, &mut out, &mut cov, &mut sep_pending) > 0 && stops {
                        *reach = read;
                        return (Vec::new(), not_full);
                    }
                } else {
                    unmatched.clear();
                }
                cov.covered += l.len();
                i += l.len();
                continue;
            }
            if let Some((ai, n, fuzzy)) = match_at(toks, i) {
                // The match is the same in any text cut after its `n` tokens (the longest
                // alias window, or the best fuzzy pair, lies within them): reading further
                // windows found nothing that a shorter cut could find.
                read = read.max(i + n);
                let between_sep = unmatched.iter().any(|&k| CONNECTIVES.contains(&toks[k].key))
                    || is_list_sep(toks[i].gap);
                // Known agencies only: a run between two names matters only when it may
                // hold an unknown name that takes the pending separator.
                if mode != Mode::Known || sep_pending {
                    if flush(&mut unmatched, &mut out, &mut cov, &mut sep_pending) > 0 && stops {
                        *reach = read;
                        return (Vec::new(), not_full);
                    }
                } else {
                    unmatched.clear();
                }
                if mode == Mode::First && !out.is_empty() {
                    return (out, cov);
                }
                let n = n + self.suffix_len(toks, i + n);
                read = read.max(i + n + 1);
                if lazy {
                    known_agencies.push(ai);
                    out.push(AgencyMatch::unnamed(true, fuzzy, toks[i].start, toks[i + n - 1].end, sep_pending || between_sep));
                } else if mode != Mode::Coverage && mode != Mode::FullCoverage {
                    let (s, e) = (toks[i].start, toks[i + n - 1].end);
                    let a = &self.agencies[ai];
                    out.push(AgencyMatch {
                        id: a.id.clone(),
                        name: a.name.clone(),
                        known: true,
                        fuzzy,
                        printed: collapse(&text[s..e]),
                        start: s,
                        end: e,
                        sep_before: sep_pending || between_sep,
                    });
                    if mode == Mode::First {
                        return (out, cov);
                    }
                }
                sep_pending = false;
                cov.covered += n;
                cov.known += n;
                i += n;
                continue;
            }
            if CONNECTIVES.contains(&toks[i].key) && unmatched.is_empty() {
                sep_pending = true;
                cov.covered += 1;
                i += 1;
                continue;
            }
            // Whether the whole text is covered: a run splits into names at a "," or ";"
            // and at a line break before a capital ([`split_run`]); the names before such a
            // break are read alike whatever follows, unless the word after it is a lone
            // head word that may join them. Read them now, and stop at the first uncovered.
            if stops && !unmatched.is_empty() {
                let t = &toks[i];
                if (t.gap.clause() || (t.gap.newline() && t.upper && !self.is_head(toks, &[i], text, lower)))
                    && flush(&mut unmatched, &mut out, &mut cov, &mut sep_pending) > 0
                {
                    *reach = read;
                    return (Vec::new(), not_full);
                }
            }
            unmatched.push(i);
            // The first name of a run is read from its first five words at most ([`Self::is_head`],
            // which never turns false as words are added): with five words in one name and no
            // head word, the run holds an uncovered word, whatever follows.
            if stops && unmatched.len() == HEAD_SPAN && self.head_grows {
                let run = &unmatched[..];
                if !CONNECTIVES.contains(&toks[run[0]].key)
                    && !run[1..].iter().any(|&k| toks[k].gap.clause() || (toks[k].gap.newline() && toks[k].upper))
                    && !self.is_head(toks, run, text, lower)
                {
                    *reach = read;
                    return (Vec::new(), not_full);
                }
            }
            i += 1;
        }
        if mode != Mode::Known && flush(&mut unmatched, &mut out, &mut cov, &mut sep_pending) > 0 && stops {
            return (Vec::new(), not_full);
        }
        if lazy {
            self.fill_names(&mut out, &known_agencies, text);
        }
        (out, cov)
    }

    /// The strings of matches made by [`AgencyMatch::unnamed`] in a scan of `text`, as the
    /// scan makes them at once in other modes; `known_agencies` gives the agency of each
    /// known match, in order.
    fn fill_names(&self, out: &mut [AgencyMatch], known_agencies: &[usize], text: &str) {
        let mut agencies = known_agencies.iter();
        for m in out {
            m.printed = collapse(&text[m.start..m.end]);
            if m.known {
                let a = &self.agencies[*agencies.next().expect("an agency for each known match")];
                m.id = a.id.clone();
                m.name = a.name.clone();
            } else {
                m.name = capitalize(&m.printed);
                m.id = format!("x-{}", fold(&m.name).replace(' ', "-"));
            }
        }
    }
}

impl AgencyMatch {
    /// A match without its strings (id, name, printed), for [`AgencyRules::fill_names`].
    fn unnamed(known: bool, fuzzy: bool, start: usize, end: usize, sep_before: bool) -> AgencyMatch {
        AgencyMatch { id: String::new(), name: String::new(), known, fuzzy, printed: String::new(), start, end, sep_before }
    }
}

/// Drops "label:" prefixes ("Đơn vị cung ứng: VNPT" → " VNPT"): from the previous ";" or
/// line start up to the label end char.
impl AgencyRules {
    /// [`Self::strip_labels`] when `text` holds a label end; `text` itself otherwise.
    fn without_labels<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.label_end.iter().any(|&c| text.contains(c)) {
            std::borrow::Cow::Owned(self.strip_labels(text))
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }

    /// Blanks "label:" prefixes ("Đơn vị cung ứng: VNPT" → "                 VNPT") byte
    /// for byte, so offsets into the result are offsets into `text`. A label runs back from
    /// the label end to its capitalized first word, not past a "," or ";".
    fn strip_labels(&self, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for (start, end, _) in self.label_ranges(text) {
            for b in &mut bytes[start..end] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
        // Only whole UTF-8 sequences were replaced (token and char boundaries).
        String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
    }

    /// The byte ranges [`Self::strip_labels`] blanks, with the position of the label end
    /// char of each.
    fn label_ranges(&self, text: &str) -> Vec<(usize, usize, usize)> {
        let mut keys = String::new();
        let toks = tokenize(text, &mut keys);
        let mut out = Vec::new();
        for (p, c) in text.char_indices().filter(|(_, c)| self.label_end.contains(c)) {
            let Some(j) = toks.iter().rposition(|t| t.end <= p) else { continue };
            // Back to the capitalized word that starts the label, not past a "," or ";".
            let mut k = j;
            while k > 0 && !toks[k].upper && !toks[k].gap.clause() {
                k -= 1;
            }
            out.push((toks[k].start, p + c.len_utf8(), p));
        }
        out
    }
}

/// Splits a run of unmatched tokens into names: at ";" and ",", at "và", and at a line
/// break followed by a capitalized word.
fn split_run(toks: &[Tok], run: &[usize], _text: &str) -> Vec<Vec<usize>> {
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut cur: Vec<usize> = Vec::new();
    for &k in run {
        let t = &toks[k];
        let breaks = !cur.is_empty()
            && (t.gap.clause() || (t.gap.newline() && t.upper) || k != cur.last().unwrap() + 1);
        if breaks {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(k);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// Word by word, the same number of words, each at most one edit off (two for long words):
/// damage within words, never a different word ("trường học" is not "trưởng các").
#[cfg(test)]
fn words_close(a: &str, b: &str) -> bool {
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    wa.len() == wb.len() && wa.iter().zip(&wb).all(|(x, y)| word_close(x, y))
}

/// How many edits [`word_close`] allows against the alias word `y`: two for words longer
/// than five bytes, else one.
fn edit_limit(y: &str) -> usize {
    if y.len() > 5 {
        2
    } else {
        1
    }
}

/// One word of a window against the word of an alias in the same place: equal, or (alias
/// word longer than two bytes) within one edit, two for words longer than five bytes.
/// Two lower bounds of the Damerau-Levenshtein distance rule most pairs out before it is
/// computed: the difference in length, and half the letters the words do not share (an
/// insertion or deletion changes the letter counts by one, a substitution by two, a
/// transposition not at all).
fn word_close(x: &str, y: &str) -> bool {
    if x == y {
        return true;
    }
    if y.len() <= 2 {
        return false;
    }
    let limit = edit_limit(y);
    // One edit allowed (short alias words, most of them): decided without the distance.
    if limit == 1 {
        return within_one_edit(x, y);
    }
    if x.is_ascii() && y.is_ascii() {
        if x.len().abs_diff(y.len()) > limit {
            return false;
        }
        let mut counts = [0i16; 128];
        for b in x.bytes() {
            counts[b as usize] += 1;
        }
        for b in y.bytes() {
            counts[b as usize] -= 1;
        }
        let mut unshared = 0usize;
        for b in x.bytes().chain(y.bytes()) {
            unshared += counts[b as usize].unsigned_abs() as usize;
            counts[b as usize] = 0;
        }
        if unshared > 2 * limit {
            return false;
        }
    } else if x.chars().count().abs_diff(y.chars().count()) > limit {
        return false;
    }
    strsim::damerau_levenshtein(x, y) <= limit
}

/// `strsim::damerau_levenshtein(x, y) <= 1`, without the distance (which builds a table
/// and a map a call): past their common first and last chars, the words differ by at most
/// one char each, or by two chars swapped.
fn within_one_edit(x: &str, y: &str) -> bool {
    let p: usize = x.chars().zip(y.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let (x, y) = (&x[p..], &y[p..]);
    let s: usize = x.chars().rev().zip(y.chars().rev()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let (mut x, mut y) = (x[..x.len() - s].chars(), y[..y.len() - s].chars());
    match ((x.next(), x.next(), x.next()), (y.next(), y.next(), y.next())) {
        ((_, None, _), (_, None, _)) => true,
        ((Some(a), Some(b), None), (Some(c), Some(d), None)) => a == d && b == c,
        _ => false,
    }
}

/// The chars a word holds, as bits: letters and digits one bit each, other chars folded
/// onto the bits left. Two words whose masks differ in more than `2 * limit` bits are more
/// than `limit` edits apart: every char one word has and the other lacks needs an edit,
/// and an edit adds or removes at most two such chars.
fn char_mask(w: &str) -> u64 {
    w.chars().fold(0, |m, c| m | char_bit(c))
}

/// The bit of one char in [`char_mask`].
fn char_bit(c: char) -> u64 {
    let bit = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + c as u32 - '0' as u32,
        _ => 36 + c as u32 % 28,
    };
    1 << bit
}

/// [`word_close`] with the masks of the words: those too different in the chars they hold
/// are ruled out first, with no count or distance computed.
fn word_close_masked(x: &str, mx: u64, y: &str, my: u64) -> bool {
    if (mx ^ my).count_ones() as usize > 2 * edit_limit(y) {
        return false;
    }
    word_close(x, y)
}

/// `words[..n].join(" ") == phrase` for the `n` words of `phrase`, without the join.
fn joined_eq(words: &[&str], phrase: &str, n: usize) -> bool {
    if words.len() < n {
        return false;
    }
    let mut rest = phrase;
    for (j, w) in words[..n].iter().enumerate() {
        if j > 0 {
            match rest.strip_prefix(' ') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match rest.strip_prefix(w) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Aliases by words: node 0 is the root; a node's children by next word.
#[derive(Debug)]
struct WordTrie {
    children: Vec<FxHashMap<String, usize>>,
    /// The agency whose alias ends at each node.
    agency: Vec<Option<usize>>,
}

impl Default for WordTrie {
    fn default() -> WordTrie {
        WordTrie { children: vec![FxHashMap::default()], agency: vec![None] }
    }
}

impl WordTrie {
    /// Adds an alias (folded words joined by one space); the first agency given an alias keeps it.
    fn insert(&mut self, key: &str, agency: usize) {
        let mut at = 0;
        for w in key.split(' ') {
            at = match self.children[at].get(w) {
                Some(&c) => c,
                None => {
                    let c = self.children.len();
                    self.children.push(FxHashMap::default());
                    self.agency.push(None);
                    self.children[at].insert(w.to_string(), c);
                    c
                }
            };
        }
        self.agency[at].get_or_insert(agency);
    }

    fn child(&self, at: usize, word: &str) -> Option<usize> {
        self.children[at].get(word).copied()
    }
}

/// An alias fuzzy matching may return, with what the matcher needs precomputed.
#[derive(Debug)]
struct FuzzyAlias {
    key: String,
    agency: usize,
    chars: usize,
    /// Largest edit distance allowed from `max_ratio` (before the floor of one).
    allowed: usize,
    short: bool,
    words: Vec<String>,
    /// [`char_mask`] of each word.
    masks: Vec<u64>,
}

/// The aliases fuzzy matching may return, in rules order, and their distinct first words
/// by first byte (a window only matches an alias starting with the same letter and a close
/// first word).
#[derive(Debug, Default)]
struct FuzzyIndex {
    aliases: Vec<FuzzyAlias>,
    /// First word, its [`char_mask`], the aliases it starts.
    first_words: FxHashMap<u8, Vec<(String, u64, Vec<usize>)>>,
}

impl FuzzyIndex {
    fn new(aliases: &[(String, usize)], cfg: &FuzzyConfig) -> FuzzyIndex {
        let mut index = FuzzyIndex::default();
        for (key, ai) in aliases {
            let chars = key.chars().count();
            let allowed = ((chars as f64) * cfg.max_ratio).floor() as usize;
            let short = chars < 6;
            // Never fuzzy: too short, or no distance allowed for a longer name.
            if chars < cfg.min_len || (allowed == 0 && !short) {
                continue;
            }
            let words: Vec<String> = key.split(' ').map(str::to_string).collect();
            let groups = index.first_words.entry(key.as_bytes()[0]).or_default();
            let ci = index.aliases.len();
            match groups.iter_mut().find(|(w, _, _)| *w == words[0]) {
                Some((_, _, v)) => v.push(ci),
                None => groups.push((words[0].clone(), char_mask(&words[0]), vec![ci])),
            }
            let masks = words.iter().map(|w| char_mask(w)).collect();
            index.aliases.push(FuzzyAlias { key: key.clone(), agency: *ai, chars, allowed, short, words, masks });
        }
        index
    }

    /// The aliases (indices) whose first word is close to `first`, by word count (most
    /// first), then in rules order.
    fn candidates(&self, first: &str) -> Vec<u32> {
        let Some(groups) = first.as_bytes().first().and_then(|b| self.first_words.get(b)) else {
            return Vec::new();
        };
        let mut out: Vec<u32> = Vec::new();
        // Words too different in the chars they hold are ruled out by their masks first.
        let mask = char_mask(first);
        for (w, m, v) in groups {
            if word_close_masked(first, mask, w, *m) {
                out.extend(v.iter().map(|&c| c as u32));
            }
        }
        out.sort_unstable_by_key(|&c| (std::cmp::Reverse(self.aliases[c as usize].words.len()), c));
        out
    }
}

fn same_letters(a: &str, b: &str) -> bool {
    let mut x: Vec<char> = a.chars().collect();
    let mut y: Vec<char> = b.chars().collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// Folded match key: words of the folded text, "&" read as "và".
pub fn key_of(s: &str) -> String {
    let mut keys = String::new();
    tokenize(s, &mut keys).into_iter().map(|t| t.key).collect::<Vec<_>>().join(" ")
}

/// Words of `s` joined by one space, without list punctuation at either end. Built in one
/// string (it runs for every name a scan builds).
fn collapse(s: &str) -> String {
    if is_collapsed(s) {
        return s.to_string();
    }
    let trim = |c: char| matches!(c, ',' | ';' | '.' | '…' | ':' | '-' | ' ');
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    let end = out.trim_end_matches(trim).len();
    out.truncate(end);
    let start = out.len() - out.trim_start_matches(trim).len();
    out.drain(..start);
    out
}

/// Whether [`collapse`]`(s)` is `s` itself: no whitespace but single spaces between words
/// and no list punctuation at either end. Read on bytes: a char `char::is_whitespace`
/// takes beyond ASCII starts with byte C2, E1 9A, E2 or E3 (never "…" or a Vietnamese
/// letter, E1 BA / E1 BB).
fn is_collapsed(s: &str) -> bool {
    let b = s.as_bytes();
    let trim = |c: u8| matches!(c, b',' | b';' | b'.' | b':' | b'-' | b' ');
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) if !trim(f) && !trim(l) => {}
        _ => return false,
    }
    let mut space = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b' ' if space => return false,
            b' ' => {
                space = true;
                continue;
            }
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | 0xC2 | 0xE2 | 0xE3 => return false,
            0xE1 if b.get(i + 1) == Some(&0x9A) => return false,
            _ => {}
        }
        space = false;
    }
    true
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The agencies seen in one document, in order of first mention, with the aliases seen,
/// and a warning per unknown agency.
#[derive(Debug, Default, Clone)]
pub struct AgencyRegistry {
    pub seen: Vec<AgencySeen>,
    pub warnings: Vec<Warning>,
}

impl AgencyRegistry {
    pub fn note(&mut self, m: &AgencyMatch, span: Option<Span>) -> AgencyRef {
        match self.seen.iter_mut().find(|s| s.id == m.id) {
            Some(s) => {
                if !s.aliases_seen.contains(&m.printed) {
                    s.aliases_seen.push(m.printed.clone());
                }
            }
            None => {
                self.seen.push(AgencySeen { id: m.id.clone(), name: m.name.clone(), aliases_seen: vec![m.printed.clone()] });
                if !m.known {
                    self.warnings.push(Warning {
                        code: "unknown_agency".into(),
                        message: format!("agency not in rules/agencies.toml, kept as printed: \"{}\"", m.printed),
                        span,
                    });
                }
            }
        }
        AgencyRef { id: m.id.clone(), name: m.name.clone() }
    }

    /// Notes every match and returns the references, without repeats.
    pub fn note_all(&mut self, ms: &[AgencyMatch], span: Option<Span>) -> Vec<AgencyRef> {
        let mut out: Vec<AgencyRef> = Vec::new();
        for m in ms {
            let r = self.note(m, span);
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn names(text: &str) -> Vec<String> {
        Rules::embedded().agencies.resolve(text).into_iter().map(|m| m.name).collect()
    }

    #[test]
    fn aliases_and_abbreviations() {
        let r = &Rules::embedded().agencies;
        for (printed, id) in [
            ("Phòng VHXH", "phong-vhxh"),
            ("Phòng Văn hoá-Xã hội", "phong-vhxh"),
            ("Phòng KTHT&ĐT", "phong-ktht-dt"),
            ("Phòng KT, HT và ĐT", "phong-ktht-dt"),
            ("Phòng KT,HT và ĐT", "phong-ktht-dt"),
            ("TTPV HCC", "tt-pvhcc"),
            ("TT PV HCC", "tt-pvhcc"),
            ("Văn phòng HĐND&UBND", "vp-hdnd-ubnd"),
            ("Văn phòng HĐND-UBND", "vp-hdnd-ubnd"),
            ("Công an", "cong-an"),
            ("Uỷ ban MTTQ phường", "ubmttq"),
            ("Co quan chu tri Phong Van hoa - Xa hoi", "phong-vhxh"),
        ] {
            let m = r.resolve(printed);
            assert_eq!(m.last().map(|m| m.id.as_str()), Some(id), "{printed}: {m:?}");
        }
    }

    #[test]
    fn fuzzy_matches_damage_not_neighbours() {
        let r = &Rules::embedded().agencies;
        let m = r.resolve("Phòng VHXXH");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].id, "phong-vhxh");
        assert!(m[0].fuzzy);
        assert_eq!(names("VNTP"), ["VNPT"]);
        assert_eq!(names("Văn phòng\nHĐND&UB\nND"), ["Văn phòng HĐND và UBND"]);
        assert_eq!(names("Đơn vị cung ứng Vietel, VNPT"), ["Viettel", "VNPT"]);
        assert_eq!(names("Cổng TT chỉ đạo\nđiều hành Hải\nPhòng"), ["Cổng TT chỉ đạo điều hành Hải Phòng"]);
        assert_eq!(names("Trung tâm Văn Hóa-Thể Thao- Truyền thông"), ["Trung tâm Văn hóa, Thể thao và Truyền thông"]);
        // OCR'd, no diacritics, one letter damaged.
        assert_eq!(names("Phong Van hoa - Xa hoi"), ["Phòng Văn hóa - Xã hội"]);
        assert_eq!(names("Phong Kinh te, Ha tang va Do thj"), ["Phòng Kinh tế, Hạ tầng và Đô thị"]);
        // Different agencies stay apart.
        assert_eq!(names("Tổ dân phố"), ["Tổ dân phố"]);
        assert!(r.resolve("Báo cáo kết quả").is_empty());
        assert!(r.resolve("Thường xuyên").is_empty());
    }

    /// The fuzzy threshold, measured: real damage seen in the corpus sits well under
    /// `max_ratio`, and no alias of one agency comes within it of another agency's alias
    /// (same word count, word by word).
    #[test]
    fn fuzzy_threshold_measured() {
        let r = &Rules::embedded().agencies;
        let ratio = |a: &str, b: &str| strsim::damerau_levenshtein(&key_of(a), &key_of(b)) as f64 / key_of(b).chars().count() as f64;
        let damage = [
            ("Phòng VHXXH", "Phòng VHXH"),
            ("Vietel", "Viettel"),
            ("Phong Kinh te, Ha tang va Do thj", "Phòng Kinh tế, Hạ tầng và Đô thị"),
            ("Trung tâm phục vụ hành chinh cong", "Trung tâm Phục vụ hành chính công"),
            ("Phòng Văn hoá-Xã hôi", "Phòng Văn hóa - Xã hội"),
        ];
        let worst_damage = damage.iter().map(|(a, b)| ratio(a, b)).fold(0.0, f64::max);
        let mut closest_other = f64::MAX;
        for (ka, ia) in &r.aliases {
            for (kb, ib) in &r.aliases {
                if ia != ib && ka.split(' ').count() == kb.split(' ').count() && kb.chars().count() >= 8 {
                    let d = strsim::damerau_levenshtein(ka, kb) as f64 / kb.chars().count() as f64;
                    if words_close(ka, kb) {
                        closest_other = closest_other.min(d);
                    }
                }
            }
        }
        eprintln!("fuzzy: worst damage {worst_damage:.3}, max_ratio {}, closest other agency {closest_other:.3}", r.fuzzy.max_ratio);
        assert!(worst_damage <= r.fuzzy.max_ratio);
        assert!(closest_other > r.fuzzy.max_ratio);
        for (a, b) in damage {
            assert_eq!(r.resolve(a).first().map(|m| m.name.clone()), r.lookup(b).map(|d| d.name.clone()), "{a}");
        }
    }

    /// The matcher as first written: every window, every alias, the full distance first.
    /// The indexed matcher must agree with it everywhere.
    fn match_at_reference(r: &AgencyRules, toks: &[Tok], i: usize) -> Option<(usize, usize, bool)> {
        let limit = r.max_words.min(toks.len() - i);
        let mut key = String::new();
        let mut keys = Vec::with_capacity(limit);
        for (n, t) in toks[i..i + limit].iter().enumerate() {
            if n > 0 && t.gap.semicolon() {
                break;
            }
            if n > 0 {
                key.push(' ');
            }
            key.push_str(t.key);
            keys.push(key.clone());
        }
        for (n, k) in keys.iter().enumerate().rev() {
            if let Some(&a) = r.index.get(k) {
                return Some((a, n + 1, false));
            }
        }
        let mut best: Option<(f64, usize, usize)> = None;
        for (n, k) in keys.iter().enumerate().rev() {
            let klen = k.chars().count();
            if klen < r.fuzzy.min_len {
                continue;
            }
            for (alias, ai) in &r.aliases {
                let alen = alias.chars().count();
                if alen < r.fuzzy.min_len || alias.as_bytes()[0] != k.as_bytes()[0] {
                    continue;
                }
                let allowed = ((alen as f64) * r.fuzzy.max_ratio).floor() as usize;
                let short = alen < 6;
                if (allowed == 0 && !short) || klen.abs_diff(alen) > allowed.max(1) {
                    continue;
                }
                let d = strsim::damerau_levenshtein(k, alias);
                let close = {
                    let (wa, wb): (Vec<&str>, Vec<&str>) = (k.split(' ').collect(), alias.split(' ').collect());
                    wa.len() == wb.len()
                        && wa.iter().zip(&wb).all(|(x, y)| {
                            let limit = if y.len() > 5 { 2 } else { 1 };
                            x == y || (y.len() > 2 && strsim::damerau_levenshtein(x, y) <= limit)
                        })
                };
                if d == 0 || d > allowed.max(1) || !close {
                    continue;
                }
                if short && (d > 1 || !same_letters(k, alias)) {
                    continue;
                }
                let score = d as f64 / alen as f64;
                if best.is_none_or(|(s, bn, _)| score < s - 1e-9 || ((score - s).abs() < 1e-9 && n + 1 > bn)) {
                    best = Some((score, n + 1, *ai));
                }
            }
        }
        best.map(|(_, n, ai)| (ai, n, true))
    }

    /// [`AgencyRules::first_word`] gives what it replaces (the trie step from the root and
    /// the fuzzy candidates), whether the word is new to the thread's memory or not.
    #[test]
    fn first_word_agrees_with_lookups() {
        let r = &Rules::embedded().agencies;
        start_document();
        let mut words = 0;
        for text in crate::test_data::corpus() {
            let mut keys = String::new();
            for t in tokenize(&text, &mut keys) {
                for _ in 0..2 {
                    let (root, cands) = r.first_word(t.key);
                    let want = r.fuzzy_index.candidates(t.key);
                    assert_eq!(root, r.trie.child(0, t.key), "{}", t.key);
                    assert_eq!(cands.as_deref().unwrap_or(&[]), want.as_slice(), "{}", t.key);
                    assert_eq!(cands.is_none(), want.is_empty());
                }
                words += 1;
            }
        }
        assert!(words > 1000);
    }

    /// Damages every fourth letter-only word of `text` in turn: drops, doubles, swaps or
    /// replaces a letter, so the fuzzy path is exercised on real neighbourhoods.
    fn damaged(text: &str, round: usize) -> String {
        let mut out = String::with_capacity(text.len());
        for (wi, w) in text.split(' ').enumerate() {
            if wi > 0 {
                out.push(' ');
            }
            let cs: Vec<char> = w.chars().collect();
            if !(wi + round).is_multiple_of(4) || cs.len() < 3 || !cs.iter().all(|c| c.is_alphabetic()) {
                out.push_str(w);
                continue;
            }
            let p = (wi * 7 + round) % (cs.len() - 1);
            let mut d = cs.clone();
            match (wi + round) % 5 {
                0 => {
                    d.remove(p);
                }
                1 => d.insert(p, cs[p]),
                2 => d.swap(p, p + 1),
                3 => d[p] = 'x',
                _ => d[p] = cs[p].to_uppercase().next().unwrap_or(cs[p]),
            }
            out.extend(d);
        }
        out
    }

    #[test]
    fn indexed_matcher_agrees_with_reference() {
        let r = &Rules::embedded().agencies;
        let mut texts = crate::test_data::corpus();
        // The aliases themselves, damaged.
        texts.push(r.agencies.iter().flat_map(|a| std::iter::once(a.name.clone()).chain(a.aliases.clone())).collect::<Vec<_>>().join(", "));
        let mut positions = 0;
        let mut fuzzy = 0;
        for text in &texts {
            for round in 0..3 {
                let t = if round == 0 { text.clone() } else { damaged(text, round) };
                let mut keys = String::new();
                let toks = r.rejoin(tokenize(&t, &mut keys), &t);
                // The matcher reads a token's words by its `spaced` flag, rejoined ones too.
                assert!(toks.iter().all(|t| t.spaced == t.key.contains(' ')), "{t:?}");
                for i in 0..toks.len() {
                    let got = r.match_at(&toks, i);
                    assert_eq!(got, match_at_reference(r, &toks, i), "at {:?}", &t[toks[i].start..toks[(i + 5).min(toks.len() - 1)].end]);
                    positions += 1;
                    fuzzy += got.is_some_and(|m| m.2) as usize;
                }
            }
        }
        eprintln!("{positions} positions, {fuzzy} fuzzy matches");
        assert!(fuzzy > 50, "the damaged texts exercise the fuzzy path");
    }

    /// Texts to compare the fast paths on: every window of one to four lines of the corpus
    /// (cells, cell runs and sentences alike), also damaged, and the aliases.
    fn corpus_windows() -> Vec<String> {
        corpus_windows_of(4)
    }

    /// Windows of one to `max` lines.
    fn corpus_windows_of(max: usize) -> Vec<String> {
        let r = &Rules::embedded().agencies;
        let mut out = Vec::new();
        for text in crate::test_data::corpus() {
            for round in 0..2 {
                let t = if round == 0 { text.clone() } else { damaged(&text, round) };
                let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                for s in 0..lines.len() {
                    for n in 1..=max.min(lines.len() - s) {
                        out.push(lines[s..s + n].join("\n"));
                    }
                }
            }
        }
        out.push(r.agencies.iter().flat_map(|a| std::iter::once(a.name.clone()).chain(a.aliases.clone())).collect::<Vec<_>>().join("\n"));
        out
    }

    /// [`AgencyRules::rejoin`] as first written: every token moved, a key formatted for
    /// every word after a line break.
    fn rejoin_reference<'a>(r: &AgencyRules, toks: Vec<Tok<'a>>, text: &str) -> Vec<Tok<'a>> {
        let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
        for t in toks {
            if let Some(p) = out.last_mut() {
                if t.gap.only_newline() && !r.alias_words.contains(t.key) {
                    let joined = format!("{}{}", p.key, t.key);
                    if r.alias_words.contains(&joined) && text[t.start..t.end].chars().all(|c| !c.is_lowercase()) {
                        p.key_chars += t.key_chars;
                        p.mask |= t.mask;
                        p.spaced |= t.spaced;
                        // Test only: the few joined keys outlive the test.
                        p.key = Box::leak(joined.into_boxed_str());
                        p.end = t.end;
                        continue;
                    }
                }
            }
            out.push(t);
        }
        out
    }

    #[test]
    fn rejoin_agrees_with_reference() {
        let r = &Rules::embedded().agencies;
        let key = |t: &Tok| (t.key.to_string(), t.key_chars, t.start, t.end, t.gap, t.upper, t.mask, t.spaced);
        let mut joined = 0;
        let mut texts = corpus_windows();
        texts.extend(["Văn phòng\nHĐND&UB\nND", "UB\nND phường", "UBND", "", "\nUB"].map(String::from));
        for t in &texts {
            let (mut k1, mut k2, mut k3) = (String::new(), String::new(), String::new());
            let got: Vec<_> = r.rejoin(tokenize(t, &mut k1), t).iter().map(key).collect();
            let want: Vec<_> = rejoin_reference(r, tokenize(t, &mut k2), t).iter().map(key).collect();
            assert_eq!(got, want, "{t:?}");
            joined += (got.len() < tokenize(t, &mut k3).len()) as usize;
        }
        assert!(joined > 0);
    }

    /// Every scan mode gives what the full scan gives for what it is used for.
    #[test]
    fn scan_modes_agree_with_full_scan() {
        let r = &Rules::embedded().agencies;
        let (mut full, mut known, mut first, mut starting) = (0, 0, 0, 0);
        for t in corpus_windows() {
            let (ms, cov) = r.resolve_text(&t, Mode::Full);
            assert_eq!(r.resolve_text(&t, Mode::Coverage).1, cov, "{t:?}");
            assert_eq!(r.resolve_text(&t, Mode::FullCoverage).1.full(), cov.full(), "{t:?}");
            let stop = r.resolve_text(&t, Mode::FullOrStop);
            assert_eq!(stop.1.full(), cov.full(), "{t:?}");
            if cov.full() {
                assert_eq!(stop, (ms.clone(), cov), "{t:?}");
            }
            assert_eq!(r.resolve_text(&t, Mode::First).0.first(), ms.first(), "{t:?}");
            let k: Vec<AgencyMatch> = ms.iter().filter(|m| m.known).cloned().collect();
            assert_eq!(r.resolve_text(&t, Mode::Known).0, k, "{t:?}");
            // The public entry points, through the memory of recent texts or not.
            assert_eq!(r.covers_fully(&t), cov.full());
            assert_eq!(r.first_start(&t), ms.first().map(|m| m.start));
            // At the first char, after it, and at a word start further on.
            let lead = t.len() - t.trim_start().len();
            for at in [lead, lead + 1, t.find(' ').map_or(0, |p| p + 1)] {
                assert_eq!(r.starts_by(&t, at), ms.first().is_some_and(|m| m.start <= at), "{t:?} {at}");
            }
            for (p, _) in t.char_indices().filter(|&(p, _)| p > 0 && t[..p].ends_with(' ')).take(6) {
                let s = &t[p..];
                // Not through the memory of recent texts: the filter itself is compared.
                let first = r.resolve_text(s, Mode::Full).0.first().map(|m| m.start);
                assert_eq!(r.starts_by(s, 0), first.is_some_and(|m| m == 0), "{s:?}");
                starting += first.is_some_and(|m| m == 0) as usize;
            }
            assert_eq!(r.resolve_known(&t), k);
            assert_eq!(r.coverage(&t), cov);
            full += cov.full() as usize;
            known += k.iter().filter(|m| m.sep_before).count();
            first += ms.first().is_some_and(|m| !m.known) as usize;
        }
        eprintln!("{full} fully covered, {known} known after a separator, {first} starting unknown");
        assert!(full > 100 && known > 20 && first > 20, "the corpus exercises every mode");
        assert!(starting > 100, "{starting} texts starting with a name");
    }

    /// [`tokenize`] as first written, with the char methods.
    /// A token as owned fields: key, key_chars, start, end, gap, upper, mask, spaced.
    type RefTok = (String, usize, usize, usize, Gap, bool, u64, bool);

    fn tokenize_reference(text: &str) -> Vec<RefTok> {
        let mut toks = Vec::new();
        let mut gap = Gap::default();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '&' {
                toks.push(("va".into(), 2, i, i + 1, std::mem::take(&mut gap), false, char_mask("va"), false));
                continue;
            }
            if c.is_alphanumeric() {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if d.is_alphanumeric() || crate::fold::is_combining_mark(d) {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &text[i..end];
                let key = fold(word);
                toks.push((key.clone(), key.chars().count(), i, end, std::mem::take(&mut gap), c.is_uppercase(), char_mask(&key), key.contains(' ')));
            } else if !c.is_whitespace() || c == '\n' {
                gap.push(c);
            }
        }
        toks
    }

    #[test]
    fn tokenize_agrees_with_reference() {
        // Twice: computed on first use, then read from the table.
        for _ in 0..2 {
            for u in 0..0x3000u32 {
                if let Some(c) = char::from_u32(u) {
                    assert_eq!(class_of(c), class_slow(c), "{c:?}");
                }
            }
        }
        let mut texts = corpus_windows();
        texts.push((0..0x3000u32).filter_map(char::from_u32).collect());
        texts.push("Phòng VHXH&UBND; Ủy ban\tMTTQ ① x²y ǅ Ⅻ\u{0301}a ﬁ".to_string());
        for t in &texts {
            let mut keys = String::new();
            let (a, b) = (tokenize(t, &mut keys), tokenize_reference(t));
            assert_eq!(a.len(), b.len(), "{t:?}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!((x.key.to_string(), x.key_chars, x.start, x.end, x.gap, x.upper, x.mask, x.spaced), *y, "{t:?}");
            }
        }
    }

    /// [`within_one_edit`] is the distance compared with one: every word of the corpus
    /// windows (and damaged ones) against every alias word, and made-up pairs.
    #[test]
    fn within_one_edit_is_the_distance() {
        let r = &Rules::embedded().agencies;
        let mut ys: Vec<String> = r.fuzzy_index.aliases.iter().flat_map(|a| a.words.clone()).collect();
        ys.extend(["ab", "ba", "aab", "aba", "abc", "acb", "đa", "ađ", "ơư", "ươ", "a", "", "xyz", "xzy"].map(String::from));
        ys.sort_unstable();
        ys.dedup();
        let mut xs: Vec<String> = ys.clone();
        for (k, t) in corpus_windows().iter().step_by(8).enumerate() {
            let t = if k % 2 == 0 { t.clone() } else { damaged(t, k) };
            let mut keys = String::new();
            xs.extend(tokenize(&t, &mut keys).into_iter().map(|t| t.key.to_string()));
            xs.extend(t.split_whitespace().map(|w| w.to_lowercase()));
        }
        assert_agree_on_pairs(xs, &ys, within_one_edit, |x, y| strsim::damerau_levenshtein(x, y) <= 1);
    }

    /// `fast(x, y) == reference(x, y)` for every `x` of `xs` (sorted and deduplicated
    /// first) and `y` of `ys`, with more than 100 distinct pairs where it holds.
    fn assert_agree_on_pairs<Y: AsRef<str>>(mut xs: Vec<String>, ys: &[Y], fast: impl Fn(&str, &str) -> bool, reference: impl Fn(&str, &str) -> bool) {
        xs.sort_unstable();
        xs.dedup();
        let mut close = 0;
        for x in &xs {
            for y in ys.iter().map(AsRef::as_ref) {
                let want = reference(x, y);
                assert_eq!(fast(x, y), want, "{x} / {y}");
                close += (want && x != y) as usize;
            }
        }
        assert!(close > 100, "{close}");
    }

    /// The mask filter never rejects a close word: every word of the corpus (and damaged
    /// ones) against every word of the aliases.
    #[test]
    fn masked_word_close_agrees() {
        let r = &Rules::embedded().agencies;
        let mut ys: Vec<&str> = r.fuzzy_index.aliases.iter().flat_map(|a| a.words.iter().map(String::as_str)).collect();
        ys.sort_unstable();
        ys.dedup();
        let mut xs: Vec<String> = Vec::new();
        for t in corpus_windows().iter().step_by(4) {
            let mut keys = String::new();
            xs.extend(tokenize(t, &mut keys).into_iter().map(|t| t.key.to_string()));
        }
        xs.extend(ys.iter().map(|y| y.to_string()));
        assert_agree_on_pairs(xs, &ys, |x, y| word_close_masked(x, char_mask(x), y, char_mask(y)), word_close);
    }

    #[test]
    fn word_bounds_never_reject_a_close_word() {
        let words = ["phong", "phuong", "vhxh", "hdnd", "ubnd", "trung", "tam", "van", "hoa", "xa", "hoi", "viettel", "vnpt", "cong", "an", "thi", "do"];
        let damage = |w: &str, k: usize| -> Vec<String> {
            let cs: Vec<char> = w.chars().collect();
            let mut out = vec![w.to_string()];
            for p in 0..cs.len() {
                let mut d = cs.clone();
                d.remove(p);
                out.push(d.iter().collect());
                let mut d = cs.clone();
                d[p] = (b'a' + ((p + k) % 26) as u8) as char;
                out.push(d.iter().collect());
                if p + 1 < cs.len() {
                    let mut d = cs.clone();
                    d.swap(p, p + 1);
                    out.push(d.iter().collect());
                }
                let mut d = cs.clone();
                d.insert(p, 'q');
                out.push(d.iter().collect());
            }
            out
        };
        for y in words {
            for x0 in damage(y, 1) {
                for x in damage(&x0, 3) {
                    let limit = if y.len() > 5 { 2 } else { 1 };
                    let reference = x == y || (y.len() > 2 && strsim::damerau_levenshtein(&x, y) <= limit);
                    assert_eq!(word_close(&x, y), reference, "{x} / {y}");
                }
            }
        }
    }

    #[test]
    fn longest_full_prefix_agrees_with_trying_each_cut() {
        let r = &Rules::embedded().agencies;
        let naive = |lines: &[&str]| (1..=lines.len()).rev().find(|&e| r.coverage(&lines[..e].join("\n")).full());
        let rows: Vec<Vec<&str>> = vec![
            vec!["Phòng Văn", "hóa-Xã hội", "Công an phường", "Báo cáo kết quả", "Quý IV/2025"],
            vec!["Văn phòng", "HĐND&UB", "ND", "Thường xuyên"],
            vec!["Đơn vị cung", "ứng: VNPT,", "Viettel", "Năm 2025"],
            vec!["Đơn vị cung ứng: VNTP, Viettel,…", "các doanh", "nghiệp"],
            vec!["Sở Công", "thương, công", "ty, doanh", "nghiệp", "hằng năm"],
            vec!["Báo cáo số", "liệu"],
            vec!["Trung tâm phục vụ hành chinh cong", "Phòng VHXXH", "Cổng TT chỉ đạo", "điều hành Hải", "Phòng"],
            vec![],
        ];
        for lines in &rows {
            assert_eq!(r.longest_full_prefix(lines), naive(lines), "{lines:?}");
            assert_eq!(r.longest_full_prefix(lines), naive(lines), "{lines:?}");
            for s in 0..lines.len() {
                assert_eq!(r.longest_full_prefix(&lines[s..]), naive(&lines[s..]), "{:?}", &lines[s..]);
            }
        }
    }

    /// [`AgencyRules::longest_full_prefix`] against trying each cut with the full scan,
    /// on runs of up to eight corpus lines (cells of agencies, then of other columns).
    #[test]
    fn longest_full_prefix_agrees_on_corpus() {
        let r = &Rules::embedded().agencies;
        let mut found = 0;
        for w in corpus_windows_of(8).iter().filter(|w| w.contains('\n')) {
            let lines: Vec<&str> = w.lines().collect();
            let naive = (1..=lines.len()).rev().find(|&e| r.resolve_text(&lines[..e].join("\n"), Mode::Full).1.full());
            assert_eq!(r.longest_full_prefix(&lines), naive, "{lines:?}");
            // Remembered, and read again.
            assert_eq!(r.longest_full_prefix(&lines), naive, "{lines:?}");
            assert_eq!(r.longest_full_prefix_of(&lines, &lines.join("\n")), naive, "{lines:?}");
            if let Some(e) = naive {
                // The cut's matches, remembered on the way, are those of the full scan.
                let cut = lines[..e].join("\n");
                assert_eq!(r.resolve_inner(&cut), r.resolve_text(&cut, Mode::Full), "{cut:?}");
            }
            found += naive.is_some() as usize;
        }
        assert!(found > 100, "{found}");
    }

    /// [`collapse`] as first written: the words collected, joined, trimmed.
    fn collapse_reference(s: &str) -> String {
        let t: Vec<&str> = s.split_whitespace().collect();
        t.join(" ").trim_matches(|c: char| matches!(c, ',' | ';' | '.' | '…' | ':' | '-' | ' ')).to_string()
    }

    /// [`AgencyRules::is_head`] as first written: every head word compared.
    fn is_head_reference(r: &AgencyRules, toks: &[Tok], idx: &[usize], text: &str) -> bool {
        let mut i = 0;
        if idx.len() > 1 && r.plural.iter().any(|p| p == toks[idx[0]].key) {
            i = 1;
        }
        let idx = &idx[i..idx.len().min(i + 4)];
        if text.is_ascii() {
            let words: Vec<&str> = idx.iter().map(|&k| toks[k].key).collect();
            r.heads.iter().any(|(_, (hf, n))| joined_eq(&words, hf, *n))
        } else {
            let lower: Vec<String> = idx.iter().map(|&k| text[toks[k].start..toks[k].end].to_lowercase()).collect();
            let words: Vec<&str> = lower.iter().map(String::as_str).collect();
            r.heads.iter().any(|((h, n), _)| joined_eq(&words, h, *n))
        }
    }

    /// The first-word filter of `is_head` rules out no head word: runs of one to six tokens
    /// at every token of the corpus windows (and their folded, plain ASCII forms).
    #[test]
    fn is_head_agrees_with_reference() {
        let r = &Rules::embedded().agencies;
        let (mut heads, mut n) = (0, 0);
        for t in corpus_windows_of(2).into_iter().flat_map(|t| [crate::fold::strip_diacritics(&t), t]) {
            let mut keys = String::new();
            let toks = r.rejoin(tokenize(&t, &mut keys), &t);
            let cells: LowerWords = OnceCell::new();
            let lower = (!t.is_ascii()).then_some(&cells);
            for k in 0..toks.len() {
                for len in 0..=6.min(toks.len() - k) {
                    let idx: Vec<usize> = (k..k + len).collect();
                    let want = is_head_reference(r, &toks, &idx, &t);
                    assert_eq!(r.is_head(&toks, &idx, &t, lower), want, "{t:?} {idx:?}");
                    heads += want as usize;
                    n += 1;
                }
            }
        }
        assert!(heads > 100 && n > 10_000, "{heads} of {n}");
    }

    #[test]
    fn collapse_agrees_with_reference() {
        let mut texts = corpus_windows_of(2);
        for t in ["", " ", ",", "- , -", " a  b\n c ", "…Sở Y tế;", ", - x - ,", "\u{a0}Phòng\u{2003}VH\tXH. ", "a\u{85}b", "Sở\u{1680}Y", "ạ\u{3000}b", "a\u{202f}b", "“Sở” – … ±"] {
            texts.push(t.to_string());
        }
        for t in ["Sở Y tế", "a\u{2028}b", "x\u{205f}y", "Phòng Văn hóa-Xã hội", "UBND phường", "a b.", "ạ b"] {
            texts.push(t.to_string());
        }
        let (mut n, mut unchanged) = (0, 0);
        for t in &texts {
            for (i, _) in t.char_indices().step_by(7) {
                assert_eq!(collapse(&t[i..]), collapse_reference(&t[i..]), "{:?}", &t[i..]);
                n += 1;
            }
            assert_eq!(collapse(t), collapse_reference(t), "{t:?}");
            // The fast path: taken only where the text is its own collapse.
            if is_collapsed(t) {
                assert_eq!(collapse_reference(t), *t, "{t:?}");
                unchanged += 1;
            }
        }
        assert!(n > 1000, "{n}");
        assert!(unchanged > 100, "{unchanged}");
    }

    #[test]
    fn splits_lists_but_not_comma_names() {
        assert_eq!(names("Phòng Kinh tế, Hạ tầng và Đô thị"), ["Phòng Kinh tế, Hạ tầng và Đô thị"]);
        assert_eq!(names("Các phòng, ban, đơn vị"), ["Các phòng, ban, đơn vị"]);
        assert_eq!(names("Công an, TT y tế, Bảo hiểm"), ["Công an phường", "Trung tâm Y tế", "Bảo hiểm xã hội"]);
        assert_eq!(
            names("Các phòng, ban, đơn vị;\nUỷ ban MTTQ phường, các tổ chức chính\ntrị - xã hội phường"),
            ["Các phòng, ban, đơn vị", "Ủy ban MTTQ Việt Nam phường", "Các tổ chức chính trị - xã hội"]
        );
        assert_eq!(names("Phòng Văn hóa - Xã hội và Công an phường"), ["Phòng Văn hóa - Xã hội", "Công an phường"]);
        assert_eq!(
            names("Ủy ban Mặt trận tổ quốc phường và các ngành đoàn thể phường"),
            ["Ủy ban MTTQ Việt Nam phường", "Các tổ chức chính trị - xã hội"]
        );
        assert_eq!(names("Các phòng,\nban, ngành,\nđơn vị"), ["Các phòng, ban, đơn vị"]);
        assert_eq!(names("Đơn vị cung ứng: VNTP, Viettel,…"), ["VNPT", "Viettel"]);
        assert_eq!(names("Sở Công\nthương, công\nty, doanh\nnghiệp"), ["Sở Công thương", "Công ty, doanh nghiệp"]);
        assert_eq!(names("Các doanh\nnghiệp, hợp tác\nxã, hộ kinh\ndoanh"), ["Các doanh nghiệp", "Hợp tác xã", "Hộ kinh doanh"]);
    }

    #[test]
    fn separators_recorded() {
        let r = &Rules::embedded().agencies;
        let m = r.resolve("Phòng Văn\nhóa-Xã hội\nPhòng, ban\nchuyên môn");
        assert_eq!(m.len(), 2);
        assert!(!m[1].sep_before);
        let m = r.resolve("Công an,\nTT y tế");
        assert!(m[1].sep_before);
    }

    #[test]
    fn unknown_agencies_kept_with_warning() {
        let r = &Rules::embedded().agencies;
        let m = r.resolve("Sở Xây dựng và Giao thông");
        assert_eq!(m.len(), 1);
        assert!(!m[0].known);
        assert_eq!(m[0].id, "x-so-xay-dung-va-giao-thong");
        let mut reg = AgencyRegistry::default();
        reg.note_all(&m, None);
        reg.note_all(&r.resolve("Phòng VHXH, Phòng Văn hóa - Xã hội"), None);
        assert_eq!(reg.seen.len(), 2);
        assert_eq!(reg.seen[1].aliases_seen, ["Phòng VHXH", "Phòng Văn hóa - Xã hội"]);
        assert_eq!(reg.warnings.len(), 1);
    }

    #[test]
    fn coverage_tells_agency_cells_from_others() {
        let r = &Rules::embedded().agencies;
        assert!(r.coverage("Phòng Văn\nhóa-Xã hội").full());
        assert!(r.coverage("Sở Công thương").full());
        assert!(!r.coverage("Báo cáo số\nliệu").full());
        assert!(!r.coverage("Phong trào").full());
        assert!(!r.coverage("Các báo cáo theo bộ chỉ số").full());
    }
}
