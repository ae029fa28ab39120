//! WinDbg-style reports over walked heaps: `!heap -s`, `!heap -stat -h`, `!heap -x`,
//! `!heap -flt s`.

use std::collections::HashMap;

use crate::{Entry, EntryState, FrontEndType, HeapWalk, Segment};

/// One row of `!heap -s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapSummary {
    /// Heap address.
    pub address: u64,
    /// `_HEAP.Flags`.
    pub flags: u32,
    /// Reserved bytes in segments (Σ NumberOfPages × 4 KiB).
    pub reserved: u64,
    /// Committed bytes in segments (Σ (NumberOfPages − NumberOfUnCommittedPages) × 4 KiB).
    pub committed: u64,
    /// "Virt" column: reserved bytes minus `Counters.TotalMemoryLargeUCR`.
    pub virtual_bytes: u64,
    /// Free bytes (`TotalFreeSize`).
    pub free: u64,
    /// Blocks on the free list.
    pub free_list_length: usize,
    /// Uncommitted ranges.
    pub ucr_count: u64,
    /// Large blocks on `VirtualAllocdBlocks`.
    pub virtual_blocks: usize,
    /// Committed bytes of the large blocks.
    pub virtual_block_bytes: u64,
    /// `Counters.LockCollisions`, when readable.
    pub lock_collisions: Option<u32>,
    /// LFH front end on.
    pub lfh: bool,
    /// Segments.
    pub segments: usize,
    /// External fragmentation: `100 × (1 − largest free block / total free)`, percent.
    pub external_fragmentation: u64,
    /// Virtual address fragmentation: `100 × (1 − committed / reserved)`, percent.
    pub virtual_address_fragmentation: u64,
}

fn percent_of_remaining(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    let part = part.min(whole);
    let rest = u128::from(whole.saturating_sub(part)).saturating_mul(100);
    u64::try_from(rest.checked_div(u128::from(whole)).unwrap_or(0)).unwrap_or(0)
}

/// `!heap -s` numbers for one heap.
pub fn summary(walk: &HeapWalk) -> HeapSummary {
    let segs: Vec<&Segment> = walk.segments.iter().map(|s| &s.segment).collect();
    let reserved = segs
        .iter()
        .fold(0u64, |a, s| a.saturating_add(s.reserved_bytes()));
    let committed = segs
        .iter()
        .fold(0u64, |a, s| a.saturating_add(s.committed_bytes()));
    let ucr_count = segs.iter().fold(0u64, |a, s| {
        a.saturating_add(u64::from(s.uncommitted_range_count))
    });
    let large_ucr = walk
        .heap
        .counters
        .map(|c| c.total_memory_large_ucr)
        .unwrap_or(0);
    let free = walk.heap.total_free_size;
    HeapSummary {
        address: walk.heap.address,
        flags: walk.heap.flags.bits(),
        reserved,
        committed,
        virtual_bytes: reserved.saturating_sub(large_ucr),
        free,
        free_list_length: walk.free_list.len(),
        ucr_count,
        virtual_blocks: walk.virtual_blocks.len(),
        virtual_block_bytes: walk
            .virtual_blocks
            .iter()
            .fold(0u64, |a, v| a.saturating_add(v.commit_size)),
        lock_collisions: walk.heap.counters.map(|c| c.lock_collisions),
        lfh: walk.heap.front_end_type == FrontEndType::Lfh,
        segments: segs.len(),
        external_fragmentation: percent_of_remaining(
            walk.free_list.largest(),
            walk.free_list.total(),
        ),
        virtual_address_fragmentation: percent_of_remaining(committed, reserved),
    }
}

/// Where an address was found (`!heap -x`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Heap address.
    pub heap: u64,
    /// Segment address, or `None` for a large block.
    pub segment: Option<u64>,
    /// The block containing the address.
    pub entry: Entry,
}

/// Find the block holding `addr` in any of the walked heaps (`!heap -x ADDR`).
pub fn find(walks: &[HeapWalk], addr: u64) -> Option<Found> {
    for w in walks {
        // An LFH block is more specific than its internal carrier block.
        let lfh = &w.lfh.blocks;
        if let Some(e) = lfh.iter().find(|e| e.address <= addr && addr < e.end()) {
            let segment = w
                .segments
                .iter()
                .find(|s| s.segment.address <= addr && addr < s.segment.last_valid_entry)
                .map(|s| s.segment.address);
            return Some(Found {
                heap: w.heap.address,
                segment,
                entry: *e,
            });
        }
        for s in &w.segments {
            let seg = &s.segment;
            if addr < seg.address || addr >= seg.last_valid_entry {
                continue;
            }
            // Entries are in address order: binary search.
            let i = s.entries.partition_point(|e| e.end() <= addr);
            if let Some(e) = s.entries.get(i)
                && e.address <= addr
                && addr < e.end()
            {
                return Some(Found {
                    heap: w.heap.address,
                    segment: Some(seg.address),
                    entry: *e,
                });
            }
        }
        for v in &w.virtual_blocks {
            let e = v.as_entry();
            let end = v.address.saturating_add(v.reserve_size.max(v.commit_size));
            if v.address <= addr && addr < end {
                return Some(Found {
                    heap: w.heap.address,
                    segment: None,
                    entry: e,
                });
            }
        }
    }
    None
}

/// One line of `!heap -stat -h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeStat {
    /// Requested size.
    pub size: u64,
    /// Busy blocks of that size.
    pub count: u64,
    /// `size × count`.
    pub total: u64,
    /// Share of all busy requested bytes, in hundredths of a percent.
    pub percent_x100: u64,
}

/// Whether a block counts as a user allocation for statistics: busy, not internal, not a
/// segment header block, and not the heap's own block before an uncommitted range
/// (`UnusedBytes` 3, which no user block can have since the header alone is 8 or 16 bytes).
pub fn is_user_allocation(walk: &HeapWalk, e: &Entry) -> bool {
    match e.state {
        EntryState::Busy if e.front_end => true,
        EntryState::Busy => {
            e.unused_bytes != 3 && !walk.segments.iter().any(|s| s.segment.address == e.address)
        }
        EntryState::VirtualAlloc => true,
        EntryState::Free | EntryState::Internal => false,
    }
}

/// `!heap -stat -h`: busy user blocks grouped by requested size, sorted by total (then size).
pub fn stat(walk: &HeapWalk) -> Vec<SizeStat> {
    let mut by: HashMap<u64, u64> = HashMap::new();
    let mut grand: u128 = 0;
    for e in walk.all_entries() {
        if !is_user_allocation(walk, &e) {
            continue;
        }
        let Some(r) = e.requested_size else { continue };
        let c = by.entry(r).or_insert(0);
        *c = c.saturating_add(1);
        grand = grand.saturating_add(u128::from(r));
    }
    let mut v: Vec<SizeStat> = by
        .into_iter()
        .map(|(size, count)| {
            let total = size.saturating_mul(count);
            let pct = u128::from(total)
                .saturating_mul(10_000)
                .checked_div(grand)
                .unwrap_or(0);
            SizeStat {
                size,
                count,
                total,
                percent_x100: u64::try_from(pct).unwrap_or(u64::MAX),
            }
        })
        .collect();
    v.sort_by(|a, b| b.total.cmp(&a.total).then(b.size.cmp(&a.size)));
    v
}

/// One line of [`stat_all`]: busy user blocks of one requested size in one heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapSizeStat {
    /// The heap's address.
    pub heap: u64,
    /// Requested size.
    pub size: u64,
    /// Busy blocks of that size in that heap.
    pub count: u64,
    /// `size × count`.
    pub total: u64,
    /// Share of all busy requested bytes of all the heaps, in hundredths of a percent.
    pub percent_x100: u64,
    /// How many of the blocks are large blocks (`VirtualAllocdBlocks`).
    pub virtual_blocks: u64,
}

/// `!heap -stat` over every heap of a process at once: the [`stat`] lines of each heap, with
/// percentages of the busy bytes of all the heaps, largest total first (then larger size, then
/// lower heap address). Linear in the blocks walked, plus a sort of the lines.
pub fn stat_all<'a>(walks: impl IntoIterator<Item = &'a HeapWalk>) -> Vec<HeapSizeStat> {
    let mut grand = 0u64;
    let mut out = Vec::new();
    for w in walks {
        let mut virt: HashMap<u64, u64> = HashMap::new();
        for v in &w.virtual_blocks {
            if let Some(r) = v.requested_size {
                let c = virt.entry(r).or_insert(0);
                *c = c.saturating_add(1);
            }
        }
        for s in stat(w) {
            grand = grand.saturating_add(s.total);
            out.push(HeapSizeStat {
                heap: w.heap.address,
                size: s.size,
                count: s.count,
                total: s.total,
                percent_x100: 0,
                virtual_blocks: virt.get(&s.size).copied().unwrap_or(0),
            });
        }
    }
    for s in &mut out {
        let p = u128::from(s.total)
            .saturating_mul(10_000)
            .checked_div(u128::from(grand))
            .unwrap_or(0);
        s.percent_x100 = u64::try_from(p).unwrap_or(u64::MAX);
    }
    out.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.size.cmp(&a.size))
            .then(a.heap.cmp(&b.heap))
    });
    out
}

/// `!heap -flt s MIN [MAX]`: busy user blocks whose requested size is in `min..=max`.
pub fn filter(walk: &HeapWalk, min: u64, max: u64) -> Vec<Entry> {
    walk.all_entries()
        .filter(|e| is_user_allocation(walk, e))
        .filter(|e| e.requested_size.is_some_and(|r| r >= min && r <= max))
        .collect()
}
