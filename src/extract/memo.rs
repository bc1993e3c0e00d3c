//! Per-thread memories of parsed cells, one document long: a table repeats the same few
//! cells ("Thường xuyên", "100", "≥ 80") down its rows, and each distinct cell is parsed
//! once. A memory is tied to one compiled rule set (results differ between rule sets) and
//! emptied as each document starts, so a document costs the same whatever was read before
//! it.

use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::thread::LocalKey;

/// Cells remembered at most (then the memory starts over); longer cells are not kept.
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
}

impl<V> Default for CellMemo<V> {
    fn default() -> Self {
        CellMemo { rules: u64::MAX, cells: FxHashMap::default() }
    }
}

impl<V: Clone> CellMemo<V> {
    /// Forgets every cell (as a document starts).
    pub fn clear(&mut self) {
        self.cells.clear();
    }

    /// What `parse` gives for `raw` under the rule set `rules`, parsed once a document.
    pub fn parsed(memo: &'static LocalKey<RefCell<CellMemo<V>>>, rules: u64, raw: &str, parse: impl FnOnce() -> V) -> V {
        if raw.len() > MAX_CELL_LEN {
            return parse();
        }
        let known = memo.with(|m| {
            let m = m.borrow();
            (m.rules == rules).then(|| m.cells.get(raw).cloned()).flatten()
        });
        if let Some(v) = known {
            return v;
        }
        let v = parse();
        memo.with(|m| {
            let mut m = m.borrow_mut();
            if m.rules != rules || m.cells.len() >= MAX_CELLS {
                m.rules = rules;
                m.cells.clear();
            }
            m.cells.insert(raw.to_string(), v.clone());
        });
        v
    }
}
