//! Per-thread memories of parsed cells, one document long: a table repeats the same few
//! cells ("Thường xuyên", "100", "≥ 80") down its rows, and each distinct cell is parsed
//! once. A memory is tied to one compiled rule set (results differ between rule sets) and
//! emptied as each document starts, so a document costs the same whatever was read before
//! it.

use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::thread::LocalKey;

/// Cells remembered at most (then the memory starts over); longer cells are not kept (the
/// defaults; see [`CellMemo::with_limits`]).
const MAX_CELLS: usize = 4096;
const MAX_CELL_LEN: usize = 256;

/// A new id for a compiled rule set, telling it from others in a [`CellMemo`].
pub fn rule_set_id() -> u64 {
    static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The cells parsed on one thread since the document started, for the rule set `rules`.
pub struct CellMemo<V> {
    rules: u64,
    cells: FxHashMap<String, V>,
    /// Cells kept at most (then the memory starts over), and the longest cell kept.
    max_cells: usize,
    max_len: usize,
}

impl<V> Default for CellMemo<V> {
    fn default() -> Self {
        CellMemo::with_limits(MAX_CELLS, MAX_CELL_LEN)
    }
}

impl<V> CellMemo<V> {
    /// An empty memory that keeps at most `max_cells` cells, each at most `max_len` bytes.
    pub fn with_limits(max_cells: usize, max_len: usize) -> Self {
        CellMemo { rules: u64::MAX, cells: FxHashMap::default(), max_cells, max_len }
    }
}

impl<V: Clone> CellMemo<V> {
    /// Forgets every cell (as a document starts).
    pub fn clear(&mut self) {
        self.cells.clear();
    }

    /// What `parse` gives for `raw` under the rule set `rules`, parsed once a document.
    pub fn parsed(memo: &'static LocalKey<RefCell<CellMemo<V>>>, rules: u64, raw: &str, parse: impl FnOnce() -> V) -> V {
        if let Some(v) = Self::get(memo, rules, raw) {
            return v;
        }
        let v = parse();
        Self::insert_with(memo, rules, raw, || v.clone());
        v
    }

    /// What is remembered for `raw` under the rule set `rules`, if anything.
    pub fn get(memo: &'static LocalKey<RefCell<CellMemo<V>>>, rules: u64, raw: &str) -> Option<V> {
        memo.with(|m| {
            let m = m.borrow();
            (m.rules == rules && raw.len() <= m.max_len).then(|| m.cells.get(raw).cloned()).flatten()
        })
    }

    /// Remembers `v` for `raw` under the rule set `rules` (not when `raw` is too long).
    pub fn insert(memo: &'static LocalKey<RefCell<CellMemo<V>>>, rules: u64, raw: &str, v: V) {
        Self::insert_with(memo, rules, raw, || v)
    }

    /// [`Self::insert`] of the value `v()`, made only when it is kept.
    fn insert_with(memo: &'static LocalKey<RefCell<CellMemo<V>>>, rules: u64, raw: &str, v: impl FnOnce() -> V) {
        memo.with(|m| {
            let mut m = m.borrow_mut();
            if raw.len() > m.max_len {
                return;
            }
            if m.rules != rules || m.cells.len() >= m.max_cells {
                m.rules = rules;
                m.cells.clear();
            }
            m.cells.insert(raw.to_string(), v());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static SMALL: RefCell<CellMemo<usize>> = RefCell::new(CellMemo::with_limits(3, 4));
    }

    /// A memory gives back what was put under the same rule set only, keeps no cell longer
    /// than its limit, and starts over when full or under another rule set.
    #[test]
    fn remembers_within_its_limits() {
        let parsed = |raw: &str, rules: u64| CellMemo::parsed(&SMALL, rules, raw, || raw.len() * 10);
        assert_eq!(parsed("ab", 1), 20);
        assert_eq!(CellMemo::get(&SMALL, 1, "ab"), Some(20));
        assert_eq!(CellMemo::get(&SMALL, 2, "ab"), None);
        // Too long: parsed, not kept.
        assert_eq!(parsed("abcde", 1), 50);
        assert_eq!(CellMemo::get(&SMALL, 1, "abcde"), None);
        CellMemo::insert(&SMALL, 1, "abcde", 7);
        assert_eq!(CellMemo::get(&SMALL, 1, "abcde"), None);
        // A remembered value is given back, not parsed again.
        CellMemo::insert(&SMALL, 1, "x", 99);
        assert_eq!(parsed("x", 1), 99);
        CellMemo::insert(&SMALL, 1, "y", 98);
        // Full (3 cells): the next one starts it over.
        CellMemo::insert(&SMALL, 1, "z", 97);
        assert_eq!(CellMemo::get(&SMALL, 1, "z"), Some(97));
        assert_eq!(CellMemo::get(&SMALL, 1, "ab"), None);
        // Another rule set starts it over too.
        CellMemo::insert(&SMALL, 2, "ab", 1);
        assert_eq!((CellMemo::get(&SMALL, 2, "ab"), CellMemo::get(&SMALL, 1, "z")), (Some(1), None));
        SMALL.with(|m| m.borrow_mut().clear());
        assert_eq!(CellMemo::get(&SMALL, 2, "ab"), None);
    }
}
