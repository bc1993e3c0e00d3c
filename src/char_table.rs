//! Per-char facts cached in a table filled on demand.
//!
//! Folding, text-kind detection and agency tokenizing each ask, for every char of a
//! text, some fact that costs hundreds to thousands of instructions to compute (a
//! decomposition, `to_lowercase`, a search in Unicode tables) but depends on the char
//! only. A text uses a few hundred distinct chars, so each fact is computed the first
//! time its char is met and read from a table afterwards; filling whole tables at
//! startup cost more than all the look-ups of a short run.

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering::Relaxed};

/// An atomic cell of a [`LazyCharTable`], holding one value or [`Self::UNSET`].
pub trait TableCell: Sync {
    type Value: Copy + Eq;
    /// The mark of an entry not computed yet: the largest value. A value equal to it is
    /// still returned right, but not cached (it is computed again at every look-up).
    const UNSET: Self::Value;
    /// A cell holding [`Self::UNSET`] (to build tables in `static`s).
    const EMPTY: Self;
    fn load(&self) -> Self::Value;
    fn store(&self, v: Self::Value);
}

macro_rules! table_cell {
    ($atomic:ty, $value:ty) => {
        impl TableCell for $atomic {
            type Value = $value;
            const UNSET: $value = <$value>::MAX;
            const EMPTY: Self = <$atomic>::new(<$value>::MAX);
            // Relaxed: an entry is a function of its char only, so threads that race to
            // compute it store the same value, and no other memory is published with it.
            #[inline(always)]
            fn load(&self) -> $value {
                <$atomic>::load(self, Relaxed)
            }
            #[inline(always)]
            fn store(&self, v: $value) {
                <$atomic>::store(self, v, Relaxed)
            }
        }
    };
}

table_cell!(AtomicU8, u8);
table_cell!(AtomicU32, u32);

/// `make(c)` for every char `c`, cached in a table of `N` atomic cells for the chars
/// below `N` (computed on first look-up), computed at each look-up for the others.
pub struct LazyCharTable<A, const N: usize>
where
    A: TableCell,
{
    cells: [A; N],
    make: fn(char) -> A::Value,
}

impl<A: TableCell, const N: usize> LazyCharTable<A, N> {
    /// An empty table of `make`. Every code point below `N` is a char (`N` is at most
    /// U+D800, where the surrogates start).
    pub const fn new(make: fn(char) -> A::Value) -> Self {
        const { assert!(N <= 0xD800, "a LazyCharTable reaches no surrogate") };
        LazyCharTable { cells: [const { A::EMPTY }; N], make }
    }

    /// `make(c)`.
    #[inline(always)]
    pub fn get(&self, c: char) -> A::Value {
        match self.get_code_point(c as u32) {
            Some(v) => v,
            None => (self.make)(c),
        }
    }

    /// `make` of the char `u` when `u` is below `N`, else `None`: for callers that decode
    /// UTF-8 themselves and need no char for the table's chars.
    #[inline(always)]
    pub fn get_code_point(&self, u: u32) -> Option<A::Value> {
        let cell = self.cells.get(u as usize)?;
        let v = cell.load();
        Some(if v == A::UNSET { self.fill(cell, u) } else { v })
    }

    /// Computes and stores the entry of `u`: once per char, off the look-up's path.
    #[cold]
    #[inline(never)]
    fn fill(&self, cell: &A, u: u32) -> A::Value {
        let c = char::from_u32(u).expect("no surrogate below N");
        let v = (self.make)(c);
        cell.store(v);
        v
    }

    /// Whether the entry of `u` (below `N`) is computed.
    #[cfg(test)]
    pub fn is_cached(&self, u: u32) -> bool {
        self.cells[u as usize].load() != A::UNSET
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Varied over the char's bits, up to the value below the mark of an entry not made.
    fn wide(c: char) -> u32 {
        (c as u32).wrapping_mul(2_654_435_761).min(u32::MAX - 1)
    }

    fn narrow(c: char) -> u8 {
        (c as u32 % 127) as u8 | (c.is_alphabetic() as u8) << 7
    }

    static WIDE: LazyCharTable<AtomicU32, 0x3000> = LazyCharTable::new(wide);
    static NARROW: LazyCharTable<AtomicU8, 0x2100> = LazyCharTable::new(narrow);
    static SENTINEL: LazyCharTable<AtomicU8, 0x100> = LazyCharTable::new(|c| if c == 'x' { u8::MAX } else { c as u8 });

    /// Chars to ask beyond the tables' bounds: the bounds, planes and the last char.
    fn above() -> impl Iterator<Item = char> {
        (0x2100..0x2200).chain(0x3000..0x3100).chain([0xD7FF, 0xE000, 0xFFFD, 0x1_0000, 0x1F600, 0x10_FFFF]).filter_map(char::from_u32)
    }

    #[test]
    fn entries_equal_the_function_when_made_and_when_read() {
        for round in 0..2 {
            for u in 0..0x3000 {
                let c = char::from_u32(u).unwrap();
                assert_eq!(WIDE.get(c), wide(c), "U+{u:04X} round {round}");
                assert_eq!(WIDE.get_code_point(u), Some(wide(c)), "U+{u:04X} round {round}");
                assert!(WIDE.is_cached(u), "U+{u:04X}");
                if u < 0x2100 {
                    assert_eq!(NARROW.get(c), narrow(c), "U+{u:04X} round {round}");
                    assert_eq!(NARROW.get_code_point(u), Some(narrow(c)), "U+{u:04X} round {round}");
                    assert!(NARROW.is_cached(u), "U+{u:04X}");
                }
            }
            for c in above() {
                let u = c as u32;
                if u >= 0x3000 {
                    assert_eq!(WIDE.get(c), wide(c), "U+{u:04X}");
                    assert_eq!(WIDE.get_code_point(u), None, "U+{u:04X}");
                }
                assert_eq!(NARROW.get(c), narrow(c), "U+{u:04X}");
                assert_eq!(NARROW.get_code_point(u), None, "U+{u:04X}");
            }
        }
    }

    /// A value equal to the mark of an entry not made is given right, every time.
    #[test]
    fn the_unset_value_is_returned_uncached() {
        for _ in 0..2 {
            assert_eq!(SENTINEL.get('x'), u8::MAX);
            assert!(!SENTINEL.is_cached('x' as u32));
            assert_eq!(SENTINEL.get('y'), b'y');
            assert!(SENTINEL.is_cached('y' as u32));
            assert_eq!(SENTINEL.get('\u{100}'), 0);
        }
    }

    /// Threads racing to make the same entries all read the function's values.
    #[test]
    fn racing_threads_read_the_function() {
        static RACE: LazyCharTable<AtomicU32, 0x800> = LazyCharTable::new(wide);
        std::thread::scope(|s| {
            for t in 0..4 {
                s.spawn(move || {
                    for u in (0..0x800).map(|u| (u + t * 0x200) % 0x800) {
                        let c = char::from_u32(u).unwrap();
                        assert_eq!(RACE.get(c), wide(c), "U+{u:04X}");
                    }
                });
            }
        });
    }
}
