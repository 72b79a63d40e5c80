//! A small per-thread cache of short pieces' token counts, in front of the vocabulary.
//!
//! Design decision: the vocabulary (128K entries) and the merge table (280K pairs) are
//! megabytes of hash table, so looking a piece up is two cache misses, most of the token
//! stage's time. Words are Zipf-distributed: a few thousand pieces (` the`, ` and`, `,`)
//! are most of any text. This direct-mapped table of 8,192 slots (192 KiB, in a core's
//! L2 cache) remembers the count of each short piece it last saw in a slot; a hit costs one
//! probe and a compare of two words. The count is the counter's own, so results cannot
//! change; the table belongs to one counter at a time (it starts over for another).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Slots (a power of two).
const BITS: u32 = 13;
/// Longest piece cached, in bytes.
pub(crate) const MAX_LEN: usize = 16;

#[derive(Clone, Copy, Default)]
struct Slot {
    key: [u64; 2],
    /// Length in the low byte, count above it; 0 for an empty slot.
    meta: u64,
}

struct Table {
    owner: u64,
    slots: Vec<Slot>,
}

thread_local! {
    static TABLE: RefCell<Table> = const { RefCell::new(Table { owner: 0, slots: Vec::new() }) };
}

static NEXT_OWNER: AtomicU64 = AtomicU64::new(1);

/// A new owner id for a counter (each counter its own, so two never share counts).
pub(crate) fn new_owner() -> u64 {
    NEXT_OWNER.fetch_add(1, Ordering::Relaxed)
}

#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(buf)
}

/// Run `f` with a lookup function for `owner`'s counts: `count(piece, compute)` returns the
/// cached count of a piece of at most [`MAX_LEN`] bytes, or computes and remembers it.
#[inline]
pub(crate) fn with<R>(owner: u64, f: impl FnOnce(&mut Lookup<'_>) -> R) -> R {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        if t.owner != owner || t.slots.is_empty() {
            t.owner = owner;
            t.slots.clear();
            t.slots.resize(1 << BITS, Slot::default());
        }
        f(&mut Lookup {
            slots: &mut t.slots,
        })
    })
}

pub(crate) struct Lookup<'a> {
    slots: &'a mut [Slot],
}

impl Lookup<'_> {
    /// The count of `piece` (1 to [`MAX_LEN`] bytes): cached, or `compute`d and cached.
    #[inline]
    pub(crate) fn count(&mut self, piece: &[u8], compute: impl FnOnce() -> usize) -> usize {
        debug_assert!(!piece.is_empty() && piece.len() <= MAX_LEN);
        let (lo, hi) = piece.split_at(piece.len().min(8));
        let key = [word(lo), word(hi)];
        let len = piece.len() as u64;
        let h = (key[0] ^ key[1].rotate_left(31) ^ len).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = &mut self.slots[(h >> (64 - BITS)) as usize];
        if slot.meta & 0xFF == len && slot.key == key {
            return (slot.meta >> 8) as usize;
        }
        let n = compute();
        *slot = Slot {
            key,
            meta: len | ((n as u64) << 8),
        };
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_is_remembered_per_piece_and_per_owner() {
        let (a, b) = (new_owner(), new_owner());
        assert_eq!(with(a, |c| c.count(b" the", || 1)), 1);
        assert_eq!(with(a, |c| c.count(b" then", || 2)), 2);
        // Remembered: not computed again.
        assert_eq!(with(a, |c| c.count(b" the", || unreachable!())), 1);
        // A piece that differs only by trailing zero bytes is another piece.
        assert_eq!(with(a, |c| c.count(b" the\0", || 4)), 4);
        // Another counter's table starts empty.
        assert_eq!(with(b, |c| c.count(b" the", || 3)), 3);
        assert_eq!(with(a, |c| c.count(b" the", || 1)), 1);
    }
}
