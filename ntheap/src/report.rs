//! WinDbg-style reports over walked heaps: `!heap -s`, `!heap -stat -h`, `!heap -x`,
//! `!heap -flt s`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::{BlockSource, Entry, EntryState, FrontEndType, HeapWalk, Segment};

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
/// O(log segments); [`BlockSource::is_user_allocation`] is the O(1) test during a walk.
pub fn is_user_allocation(walk: &HeapWalk, e: &Entry) -> bool {
    match e.state {
        EntryState::Busy if e.front_end => true,
        EntryState::Busy => e.unused_bytes != 3 && !walk.is_segment_address(e.address),
        EntryState::VirtualAlloc => true,
        EntryState::Free | EntryState::Internal => false,
    }
}

/// A hasher for sizes and addresses: the SplitMix64 finalizer, a few cycles per key instead of
/// SipHash's dozens (one lookup per block of a gigabyte heap), with full avalanche so keys that
/// are multiples of the granularity still spread over the table.
#[derive(Debug, Default, Clone, Copy)]
pub struct SizeHasher(u64);

impl Hasher for SizeHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.wrapping_add(n).wrapping_add(0x9e37_79b9_7f4a_7c15);
    }
}

/// A map keyed by size, hashed with [`SizeHasher`].
pub type SizeMap<V> = HashMap<u64, V, BuildHasherDefault<SizeHasher>>;

/// Busy user blocks counted by requested size as a walk hands them out: `!heap -stat` in one
/// pass, in memory proportional to the distinct sizes (see [`crate::Heap::walk_with`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SizeCensus {
    /// requested size -> (blocks, of which large blocks).
    by_size: SizeMap<(u64, u64)>,
    /// The size counted last and its not yet stored counts (runs of one size are common).
    run: Option<(u64, u64, u64)>,
    grand: u128,
    /// Busy user blocks counted (with or without a known requested size).
    pub busy_blocks: u64,
    /// Their requested bytes (blocks with a known requested size).
    pub busy_bytes: u64,
}

impl SizeCensus {
    /// An empty census.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count one block if it is a user allocation; returns whether it was.
    pub fn add(&mut self, e: &Entry, source: BlockSource<'_>) -> bool {
        if !source.is_user_allocation(e) {
            return false;
        }
        self.busy_blocks = self.busy_blocks.saturating_add(1);
        let Some(r) = e.requested_size else {
            return true;
        };
        self.busy_bytes = self.busy_bytes.saturating_add(r);
        self.grand = self.grand.saturating_add(u128::from(r));
        let large = u64::from(matches!(
            source,
            BlockSource::Large
                | BlockSource::SegmentHeap {
                    kind: crate::SegmentBlockKind::Large,
                    ..
                }
        ));
        match &mut self.run {
            Some((size, n, l)) if *size == r => {
                *n = n.saturating_add(1);
                *l = l.saturating_add(large);
            }
            run => {
                if let Some((size, n, l)) = run.take() {
                    Self::store(&mut self.by_size, size, n, l);
                }
                *run = Some((r, 1, large));
            }
        }
        true
    }

    fn store(by: &mut SizeMap<(u64, u64)>, size: u64, n: u64, l: u64) {
        let c = by.entry(size).or_insert((0, 0));
        c.0 = c.0.saturating_add(n);
        c.1 = c.1.saturating_add(l);
    }

    /// requested size -> (blocks, of which large blocks), the pending run included.
    fn counts(&self) -> SizeMap<(u64, u64)> {
        let mut by = self.by_size.clone();
        if let Some((size, n, l)) = self.run {
            Self::store(&mut by, size, n, l);
        }
        by
    }

    /// Whether any user allocation was counted.
    pub fn is_empty(&self) -> bool {
        self.busy_blocks == 0
    }

    /// The `!heap -stat -h` lines: by requested size, sorted by total (then size).
    pub fn stats(&self) -> Vec<SizeStat> {
        let grand = self.grand;
        let mut v: Vec<SizeStat> = self
            .counts()
            .into_iter()
            .map(|(size, (count, _))| {
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

    /// How many of the blocks of requested size `size` are large blocks.
    pub fn large_blocks_of(&self, size: u64) -> u64 {
        let mut n = self.by_size.get(&size).map_or(0, |c| c.1);
        if let Some((s, _, l)) = self.run
            && s == size
        {
            n = n.saturating_add(l);
        }
        n
    }
}

/// `!heap -stat -h`: busy user blocks grouped by requested size, sorted by total (then size).
/// Linear in the blocks (a walk that kept them; see [`SizeCensus`] for one that did not).
pub fn stat(walk: &HeapWalk) -> Vec<SizeStat> {
    census(walk).stats()
}

/// The [`SizeCensus`] of a walk that kept its blocks.
pub fn census(walk: &HeapWalk) -> SizeCensus {
    let mut c = SizeCensus::new();
    walk.visit_entries(&mut |e: &Entry, s: BlockSource<'_>| {
        c.add(e, s);
    });
    c
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
    let censuses: Vec<(u64, SizeCensus)> = walks
        .into_iter()
        .map(|w| (w.heap.address, census(w)))
        .collect();
    stat_all_of(censuses.iter().map(|(h, c)| (*h, c)))
}

/// [`stat_all`] from the [`SizeCensus`] of each heap (`(heap address, census)`), for walks
/// that did not keep their blocks.
pub fn stat_all_of<'a>(
    heaps: impl IntoIterator<Item = (u64, &'a SizeCensus)>,
) -> Vec<HeapSizeStat> {
    let mut grand = 0u64;
    let mut out = Vec::new();
    for (heap, c) in heaps {
        for s in c.stats() {
            grand = grand.saturating_add(s.total);
            out.push(HeapSizeStat {
                heap,
                size: s.size,
                count: s.count,
                total: s.total,
                percent_x100: 0,
                virtual_blocks: c.large_blocks_of(s.size),
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
