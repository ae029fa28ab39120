//! The summing engine of `!poolused`: per-tag counters added up over tracker tables.
//!
//! Where the time went (profiled over 8 to 64 per-processor tables of 8,193 entries, one in
//! eight used, against one bulk copy of the same bytes): the copy out of the memory source
//! (the floor), a branch per slot that mispredicted on every used one, a row lookup per used
//! entry (a per-index memo, then the hash index, whose hash had poor low bits for tag families
//! such as `Mm*`), six saturating length-dispatched field reads per entry, a zeroed read buffer
//! per table, and sorting 56-byte rows.
//!
//! So the tables are read side by side, a chunk of each at the same indexes (128 KiB over all
//! tables, at least 8 KiB each: they stay in L2 while summed). The per-processor tables place
//! a tag at the same index, so an index usually holds one key in every table: per group of 64
//! indexes a branch-free pass makes a bit mask of each table's used slots; per used index the
//! entries of all tables are added into one accumulator while the key stays the same (six
//! 64-bit adds, one 48-byte read when the counters are six adjacent u64s as from Windows 10
//! 1709 x64 on; a run whose sums wrap is summed again in 128 bits), and the run goes to the
//! key's row once: one row lookup per used index instead of one per entry.

use std::collections::BTreeMap;

use super::context::Acc;
use super::pool_tracker_table::PoolTrackerTableLayout;
use super::tag::PoolTag;
use super::tracker::TrackerTableRead;
use crate::error::Error;
use crate::layout::Field;
use crate::memory::ReadMemory;

/// Bytes of all tables' chunks together (they stay in L2 while they are summed), and the
/// least bytes read from one table at a time.
const CHUNKS_BYTES: usize = 0x2_0000;
const MIN_CHUNK_BYTES: usize = 0x2000;

/// Longest probe sequence in [`TagIndex`] before a key goes to the ordered fallback (so crafted
/// keys that collide cost a tree lookup each, not a scan of the table).
const MAX_PROBES: usize = 32;

/// Tag → row: open addressing over u64 slots (`key << 32 | row + 1`, 0 empty), Fibonacci
/// hashing (the high bits of key × 2^64/φ: every bit of the tag counts), linear probing at
/// most [`MAX_PROBES`] slots, kept at most half full; keys that find no slot within that go to
/// a `BTreeMap`.
#[derive(Debug, Default)]
struct TagIndex {
    slots: Vec<u64>,
    /// log2 of `slots.len()`.
    bits: u32,
    len: usize,
    overflow: BTreeMap<u32, u32>,
}

impl TagIndex {
    fn with_capacity(n: usize) -> TagIndex {
        let bits = n
            .saturating_mul(2)
            .max(64)
            .next_power_of_two()
            .trailing_zeros();
        TagIndex {
            slots: vec![0; 1usize.checked_shl(bits).unwrap_or(64)],
            bits,
            len: 0,
            overflow: BTreeMap::new(),
        }
    }

    #[inline]
    fn home(&self, key: u32) -> usize {
        let h = u64::from(key).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        usize::try_from(h.checked_shr(64u32.saturating_sub(self.bits)).unwrap_or(0)).unwrap_or(0)
    }

    /// The row of `key`, or `new_row` recorded as its row when it has none (`None`: the index
    /// is full, which needs more than 2^32 rows).
    #[inline]
    fn get_or_insert(&mut self, key: u32, new_row: usize) -> Option<(usize, bool)> {
        if self.len.saturating_mul(2) >= self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len().saturating_sub(1);
        let mut i = self.home(key);
        for _ in 0..MAX_PROBES {
            let s = *self.slots.get(i)?;
            if s == 0 {
                // A key can have gone to the fallback before the table grew.
                if !self.overflow.is_empty()
                    && let Some(&row) = self.overflow.get(&key)
                {
                    return Some((usize::try_from(row).ok()?, false));
                }
                let r = u32::try_from(new_row.checked_add(1)?).ok()?;
                *self.slots.get_mut(i)? = u64::from(key) << 32 | u64::from(r);
                self.len = self.len.saturating_add(1);
                return Some((new_row, true));
            }
            if s >> 32 == u64::from(key) {
                let row = usize::try_from((s & 0xffff_ffff).saturating_sub(1)).ok()?;
                return Some((row, false));
            }
            i = i.wrapping_add(1) & mask;
        }
        let r = u32::try_from(new_row).ok()?;
        let row = *self.overflow.entry(key).or_insert(r);
        Some((usize::try_from(row).ok()?, row == r))
    }

    /// Twice the slots, every key placed again.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.bits = self.bits.saturating_add(1);
        self.slots = vec![0; old.len().saturating_mul(2).max(64)];
        self.len = 0;
        let mask = self.slots.len().saturating_sub(1);
        for s in old.into_iter().filter(|s| *s != 0) {
            let key = u32::try_from(s >> 32).unwrap_or(0);
            let mut i = self.home(key);
            let mut placed = false;
            for _ in 0..MAX_PROBES {
                if let Some(d) = self.slots.get_mut(i)
                    && *d == 0
                {
                    *d = s;
                    self.len = self.len.saturating_add(1);
                    placed = true;
                    break;
                }
                i = i.wrapping_add(1) & mask;
            }
            if !placed {
                let row = u32::try_from((s & 0xffff_ffff).saturating_sub(1)).unwrap_or(0);
                self.overflow.insert(key, row);
            }
        }
    }
}

/// The six counters of a `_POOL_TRACKER_TABLE` entry, resolved once per layout. When every
/// counter is 4 or 8 bytes with 8 bytes of the entry from its start, each is one unaligned
/// 8-byte load and a mask (no per-field length dispatch); otherwise through [`Acc`].
#[derive(Debug, Clone, Copy)]
struct Counters {
    acc: [Acc; 6],
    /// `(offset, mask)` per counter when the fast form applies (absent: mask 0).
    fast: Option<[(usize, u64); 6]>,
    /// When the six counters are 8 bytes each and fill 48 bytes from one offset in some order
    /// (Windows 10 1709+ x64): that offset, and per counter its word in the block. Then an
    /// entry is one 48-byte read of six words summed in block order, put in counter order once
    /// per run of entries.
    block: Option<(usize, [usize; 6])>,
}

impl Counters {
    fn new(fields: [Option<Field>; 6], entry_size: usize) -> Counters {
        let acc = fields.map(|f| Acc::new(f, 4));
        let one = |f: Option<Field>| -> Option<(usize, u64)> {
            let Some(f) = f else { return Some((0, 0)) };
            let off = usize::try_from(f.offset).ok()?;
            if off.checked_add(8)? > entry_size {
                return None;
            }
            match f.size {
                0 | 4 => Some((off, 0xffff_ffff)),
                8 => Some((off, u64::MAX)),
                _ => None,
            }
        };
        let fast = match fields.map(one) {
            [Some(a), Some(b), Some(c), Some(d), Some(e), Some(g)] => Some([a, b, c, d, e, g]),
            _ => None,
        };
        let block = (|| {
            let fs: Vec<Field> = fields.iter().copied().collect::<Option<Vec<Field>>>()?;
            if fs.iter().any(|f| f.size != 8) {
                return None;
            }
            let base = fs.iter().map(|f| f.offset).min()?;
            let mut words = [0usize; 6];
            let mut seen = [false; 6];
            for (w, f) in words.iter_mut().zip(&fs) {
                let i = usize::try_from(f.offset.checked_sub(base)? / 8).ok()?;
                if f.offset.checked_sub(base)? % 8 != 0 || *seen.get(i)? {
                    return None;
                }
                if let Some(s) = seen.get_mut(i) {
                    *s = true;
                }
                *w = i;
            }
            let base = usize::try_from(base).ok()?;
            (base.checked_add(48)? <= entry_size).then_some((base, words))
        })();
        Counters { acc, fast, block }
    }
}

/// Add the six 8-byte words at `base` of entry `e` to `acc` (in block order); whether a sum
/// wrapped.
#[inline]
fn add_block(base: usize, e: &[u8], acc: &mut [u64; 6]) -> bool {
    let Some(w) = e.get(base..).and_then(|w| w.first_chunk::<48>()) else {
        return false;
    };
    let (words, _) = w.as_chunks::<8>();
    let mut carry = false;
    for (a, b) in acc.iter_mut().zip(words) {
        let (r, c) = a.overflowing_add(u64::from_le_bytes(*b));
        *a = r;
        carry |= c;
    }
    carry
}

/// Bit `k` set when entry `k` of `group` (up to 64 entries of `N` bytes, the key at offset 0)
/// has a non-zero key.
#[inline]
fn used_mask<const N: usize>(group: &[u8]) -> u64 {
    let (entries, _) = group.as_chunks::<N>();
    let mut mask = 0u64;
    for (k, e) in (0u32..).zip(entries) {
        let key = match e.first_chunk::<4>() {
            Some(b) => u32::from_le_bytes(*b),
            None => 0,
        };
        mask |= u64::from(key != 0).wrapping_shl(k);
    }
    mask
}

/// The key of entry `e` (protected bit kept; 0 = empty slot).
#[inline]
fn entry_key(key_off: Option<usize>, key_acc: Acc, e: &[u8]) -> u32 {
    match key_off {
        Some(o) => match e.get(o..o.saturating_add(4)) {
            Some(&[k0, k1, k2, k3]) => u32::from_le_bytes([k0, k1, k2, k3]),
            _ => 0,
        },
        None => u32::try_from(key_acc.get(e) & 0xffff_ffff).unwrap_or(0),
    }
}

/// Add the counters of entry `e` to `acc`: one 8-byte load and a mask each; whether a sum
/// wrapped.
#[inline]
fn add_fast(f: &[(usize, u64); 6], e: &[u8], acc: &mut [u64; 6]) -> bool {
    let mut carry = false;
    for (d, &(off, mask)) in acc.iter_mut().zip(f) {
        let v = match e.get(off..off.saturating_add(8)) {
            Some(&[b0, b1, b2, b3, b4, b5, b6, b7]) => {
                u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]) & mask
            }
            _ => 0,
        };
        let (r, c) = d.overflowing_add(v);
        *d = r;
        carry |= c;
    }
    carry
}

/// Per-tag sums: rows (key, six counters) found through a [`TagIndex`].
#[derive(Debug, Default)]
pub(crate) struct Sums {
    index: TagIndex,
    /// Per row, its key and whether the key is printable.
    keys: Vec<(u32, bool)>,
    /// Per row, the six counters summed in 128 bits: u64 values over fewer than 2^64 entries
    /// cannot wrap, and a sum past u64 saturates when the rows are taken (what a saturating
    /// sum gives, without a compare per add).
    sums: Vec<[u128; 6]>,
    /// Entries with a non-zero key.
    pub(crate) used: u64,
    /// Of those, entries whose key (protected bit cleared) is not printable.
    pub(crate) unprintable: u64,
}

impl Sums {
    /// Room for `rows` tags in the index without growing.
    fn with_capacity(rows: usize) -> Sums {
        Sums {
            index: TagIndex::with_capacity(rows),
            keys: Vec::new(),
            sums: Vec::new(),
            used: 0,
            unprintable: 0,
        }
    }

    /// Add `add` (summed over `entries` entries of `key`) to the row of `key`.
    #[inline(never)]
    fn flush(&mut self, key: u32, add: &[u128; 6], entries: u64) {
        let Sums {
            index, keys, sums, ..
        } = self;
        let Some((row, new)) = index.get_or_insert(key, sums.len()) else {
            return;
        };
        if new {
            keys.push((key, PoolTag(key).is_printable()));
            sums.push([0; 6]);
        }
        if let Some(s) = sums.get_mut(row) {
            for (d, v) in s.iter_mut().zip(add) {
                *d = d.wrapping_add(*v);
            }
        }
        self.used = self.used.saturating_add(entries);
        if keys.get(row).is_some_and(|k| !k.1) {
            self.unprintable = self.unprintable.saturating_add(entries);
        }
    }

    /// The rows: (key, [non-paged allocs, frees, bytes, paged allocs, frees, bytes]), by key.
    pub(crate) fn into_rows(self) -> Vec<(u32, [u64; 6])> {
        // Sort `key << 32 | row` (rows fit 32 bits: the index holds no more), not the rows
        // (each key has one row: keys are unique).
        let mut order: Vec<u64> = (0u64..)
            .zip(&self.keys)
            .map(|(i, k)| u64::from(k.0) << 32 | i)
            .collect();
        order.sort_unstable();
        order
            .into_iter()
            .map(|o| {
                let i = usize::try_from(o & 0xffff_ffff).unwrap_or(usize::MAX);
                let s = self.sums.get(i).copied().unwrap_or_default();
                (
                    u32::try_from(o >> 32).unwrap_or(0),
                    s.map(|v| u64::try_from(v).unwrap_or(u64::MAX)),
                )
            })
            .collect()
    }
}

/// One table being read: its address, entries to read, the current chunk and its used-slot
/// masks.
#[derive(Debug)]
struct Table {
    addr: u64,
    count: u64,
    missing: u64,
    buf: Vec<u8>,
    /// Entries in `buf`.
    len: usize,
    masks: Vec<u64>,
}

/// Sum `tables` (address, entries; entries already capped) of `layout`. Entries not in the
/// dump are counted per table (a chunk not in the dump is read again entry by entry).
pub(crate) fn sum_tables<M: ReadMemory>(
    mem: &M,
    layout: &PoolTrackerTableLayout,
    tables: &[(u64, u64)],
) -> Result<(Sums, Vec<TrackerTableRead>), Error> {
    let esz = usize::try_from(layout.size).unwrap_or(0);
    if esz == 0 {
        return Err(Error::Corrupt {
            what: "table entry size",
            addr: tables.first().map_or(0, |t| t.0),
        });
    }
    let key_off = layout
        .key
        .and_then(|f| usize::try_from(f.offset).ok())
        .filter(|o| o.checked_add(4).is_some_and(|end| end <= esz));
    let key_acc = Acc::new(layout.key, 4);
    let counters = Counters::new(
        [
            layout.non_paged_allocs,
            layout.non_paged_frees,
            layout.non_paged_bytes,
            layout.paged_allocs,
            layout.paged_frees,
            layout.paged_bytes,
        ],
        esz,
    );
    let chunk_bytes = CHUNKS_BYTES
        .checked_div(tables.len())
        .unwrap_or(CHUNKS_BYTES)
        .max(MIN_CHUNK_BYTES);
    let chunk_entries = chunk_bytes.checked_div(esz).unwrap_or(1).max(1);
    let mut t: Vec<Table> = tables
        .iter()
        .map(|&(addr, count)| Table {
            addr,
            count,
            missing: 0,
            buf: Vec::new(),
            len: 0,
            masks: Vec::new(),
        })
        .collect();
    let longest = tables.iter().map(|x| x.1).max().unwrap_or(0);
    // A tag in every eighth slot of the longest table, up to 4,096 tags, before growing.
    let mut sums = Sums::with_capacity(usize::try_from(longest / 8).unwrap_or(0).min(1 << 12));
    let mut start = 0u64;
    while start < longest {
        for tb in &mut t {
            read_chunk(mem, tb, start, chunk_entries, esz)?;
            mask_chunk(tb, esz, key_off, key_acc);
        }
        let most = t.iter().map(|x| x.len).max().unwrap_or(0);
        let ctx = Pass {
            most,
            esz,
            key_off,
            key_acc,
            slow: counters.acc,
        };
        match (counters.block, counters.fast) {
            (Some((base, words)), _) => add_chunk(
                &mut sums,
                &t,
                &ctx,
                |acc| words.map(|w| acc.get(w).copied().unwrap_or(0)),
                |e, s| add_block(base, e, s),
            ),
            (None, Some(f)) => {
                add_chunk(&mut sums, &t, &ctx, |acc| *acc, |e, s| add_fast(&f, e, s));
            }
            (None, None) => add_chunk(
                &mut sums,
                &t,
                &ctx,
                |acc| *acc,
                |e, s| add_slow(&ctx.slow, e, s),
            ),
        }
        start = start.saturating_add(u64::try_from(chunk_entries).unwrap_or(u64::MAX));
    }
    let reads = t
        .iter()
        .map(|x| TrackerTableRead {
            addr: x.addr,
            entries: x.count,
            missing: x.missing,
        })
        .collect();
    Ok((sums, reads))
}

/// Read table `tb`'s entries `start..` (up to `chunk_entries`) into its buffer; entries not in
/// the dump read as empty slots and are counted.
fn read_chunk<M: ReadMemory>(
    mem: &M,
    tb: &mut Table,
    start: u64,
    chunk_entries: usize,
    esz: usize,
) -> Result<(), Error> {
    let left = usize::try_from(tb.count.saturating_sub(start)).unwrap_or(usize::MAX);
    let n = chunk_entries.min(left);
    tb.len = n;
    if n == 0 {
        return Ok(());
    }
    let corrupt = Error::Corrupt {
        what: "table address",
        addr: tb.addr,
    };
    let esz64 = u64::try_from(esz).map_err(|_| corrupt.clone())?;
    let addr = start
        .checked_mul(esz64)
        .and_then(|o| tb.addr.checked_add(o))
        .ok_or(corrupt.clone())?;
    let len = n.checked_mul(esz).ok_or(corrupt)?;
    if tb.buf.len() < len {
        tb.buf.resize(len, 0);
    }
    let Some(buf) = tb.buf.get_mut(..len) else {
        return Ok(());
    };
    match mem.read(addr, buf) {
        Ok(()) => Ok(()),
        Err(e) if e.is_not_captured() => {
            // Entry by entry: keep what is there; what is not reads as an empty slot.
            for (j, e) in (0u64..).zip(buf.chunks_exact_mut(esz)) {
                let a = addr.saturating_add(j.saturating_mul(esz64));
                if mem.read(a, e).is_err() {
                    e.fill(0);
                    tb.missing = tb.missing.saturating_add(1);
                }
            }
            Ok(())
        }
        Err(e) => Err(Error::Memory(e)),
    }
}

/// The used-slot masks of table `tb`'s chunk, one u64 per 64 entries.
fn mask_chunk(tb: &mut Table, esz: usize, key_off: Option<usize>, key_acc: Acc) {
    let bytes = tb.len.saturating_mul(esz);
    let chunk = tb.buf.get(..bytes).unwrap_or(&[]);
    tb.masks.clear();
    for group in chunk.chunks(esz.saturating_mul(64)) {
        // Every known layout has the key at offset 0 and one of six sizes: a loop of constant
        // stride for those.
        let mask = match (key_off, esz) {
            (Some(0), 0x1c) => used_mask::<0x1c>(group),
            (Some(0), 0x28) => used_mask::<0x28>(group),
            (Some(0), 0x30) => used_mask::<0x30>(group),
            (Some(0), 0x38) => used_mask::<0x38>(group),
            (Some(0), 0x40) => used_mask::<0x40>(group),
            (Some(0), 0x50) => used_mask::<0x50>(group),
            _ => {
                let mut mask = 0u64;
                for (k, e) in (0u32..).zip(group.chunks_exact(esz)) {
                    let used = entry_key(key_off, key_acc, e) != 0;
                    mask |= u64::from(used).wrapping_shl(k);
                }
                mask
            }
        };
        tb.masks.push(mask);
    }
}

/// What a pass over the tables' current chunks needs.
#[derive(Debug, Clone, Copy)]
struct Pass {
    /// Entries in the longest chunk.
    most: usize,
    esz: usize,
    key_off: Option<usize>,
    key_acc: Acc,
    /// The six counters read field by field (any layout).
    slow: [Acc; 6],
}

/// Add entry `e`'s counters field by field (any layout); whether a sum wrapped.
fn add_slow(slow: &[Acc; 6], e: &[u8], acc: &mut [u64; 6]) -> bool {
    let mut carry = false;
    for (d, a) in acc.iter_mut().zip(slow) {
        let (r, c) = d.overflowing_add(a.get(e));
        *d = r;
        carry |= c;
    }
    carry
}

/// Table `x`'s entry at byte `off` of its chunk (bit `k` of group `g`) when used: its key
/// (protected bit cleared) and bytes.
#[inline]
fn used_entry<'a>(x: &'a Table, g: usize, k: u32, off: usize, p: &Pass) -> Option<(u32, &'a [u8])> {
    if x.masks.get(g).is_none_or(|m| m.wrapping_shr(k) & 1 == 0) {
        return None;
    }
    let e = x.buf.get(off..off.saturating_add(p.esz))?;
    Some((entry_key(p.key_off, p.key_acc, e) & 0x7fff_ffff, e))
}

/// Add the used entries of the tables' current chunks: per index, the entries of all tables
/// with the same key summed (`add`, in the order `order` puts in counter order), then added to
/// its row. A run whose 64-bit sums wrapped is summed again in 128 bits.
#[inline]
fn add_chunk(
    sums: &mut Sums,
    t: &[Table],
    p: &Pass,
    order: impl Fn(&[u64; 6]) -> [u64; 6],
    add: impl Fn(&[u8], &mut [u64; 6]) -> bool,
) {
    let esz = p.esz;
    for g in 0..p.most.div_ceil(64) {
        let mut bits = t
            .iter()
            .fold(0u64, |a, x| a | x.masks.get(g).copied().unwrap_or(0));
        while bits != 0 {
            let k = bits.trailing_zeros();
            bits &= bits.wrapping_sub(1);
            let j = g
                .saturating_mul(64)
                .saturating_add(usize::try_from(k).unwrap_or(0));
            let Some(off) = j.checked_mul(esz) else {
                continue;
            };
            let entry = |x| used_entry(x, g, k, off, p);
            // The run: its key, first table, entries, sums and whether they wrapped.
            let mut run: Option<(u32, usize)> = None;
            let mut acc = [0u64; 6];
            let mut entries = 0u64;
            let mut wrapped = false;
            let mut finish = |run: (u32, usize), to: usize, acc: &[u64; 6], n: u64, w: bool| {
                let total = if w {
                    let mut wide = [0u128; 6];
                    for (key, e) in t.get(run.1..to).unwrap_or(&[]).iter().filter_map(entry) {
                        if key == run.0 {
                            for (d, a) in wide.iter_mut().zip(&p.slow) {
                                *d = d.wrapping_add(u128::from(a.get(e)));
                            }
                        }
                    }
                    wide
                } else {
                    order(acc).map(u128::from)
                };
                sums.flush(run.0, &total, n);
            };
            for (i, x) in t.iter().enumerate() {
                let Some((key, e)) = entry(x) else { continue };
                if run.map(|r| r.0) != Some(key) {
                    if let Some(r) = run {
                        finish(r, i, &acc, entries, wrapped);
                    }
                    run = Some((key, i));
                    acc = [0; 6];
                    entries = 0;
                    wrapped = false;
                }
                wrapped |= add(e, &mut acc);
                entries = entries.wrapping_add(1);
            }
            if let Some(r) = run {
                finish(r, t.len(), &acc, entries, wrapped);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys made to share one home slot: past [`MAX_PROBES`] they go to the fallback, and every
    /// key keeps one row through growing (no key gets a second row).
    #[test]
    fn colliding_keys_keep_one_row_each() {
        let mut ix = TagIndex::with_capacity(1);
        let home = ix.home(0x6572_6854);
        let keys: Vec<u32> = (0u32..)
            .filter(|k| ix.home(*k) == home)
            .take(3 * MAX_PROBES)
            .collect();
        let mut rows = Vec::new();
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(ix.get_or_insert(*k, n), Some((n, true)));
            rows.push(n);
        }
        assert!(!ix.overflow.is_empty());
        // Grow well past the first size with other keys, then look every key up again.
        for k in 0..2000u32 {
            let k = k.wrapping_mul(0x0101_0101) | 0x4000_0000;
            if !keys.contains(&k) {
                let next = rows.len();
                if let Some((_, true)) = ix.get_or_insert(k, next) {
                    rows.push(next);
                }
            }
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(
                ix.get_or_insert(*k, usize::MAX - 1),
                Some((n, false)),
                "{k:#x}"
            );
        }
    }
}
