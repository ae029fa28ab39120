//! The whole walk of one heap: segments, entries, LFH blocks, large blocks, free list.
//!
//! [`Heap::walk_with`] is the one pass: it hands every block to a [`WalkVisitor`] as it is
//! met and keeps only what is proportional to the heap's structure (segments, uncommitted
//! ranges, large blocks, the free list, findings), so a gigabyte heap is walked in constant
//! memory. [`Heap::walk`] is the same pass with a visitor that keeps every block.

use std::collections::{HashMap, HashSet};

use crate::entry::*;
use crate::finding::*;
use crate::free_list::*;
use crate::heap::*;
use crate::limits::Limits;
use crate::memory::ReadMemory;
use crate::segment::*;
use crate::virtual_alloc::*;

/// Where a block handed to a [`WalkVisitor`] lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockSource<'a> {
    /// A back-end block of segment `index` (`HeapWalk::segments[index]`).
    Segment {
        /// Index of the segment in the walk.
        index: usize,
        /// The segment.
        segment: &'a Segment,
    },
    /// An LFH block inside an internal carrier block.
    Lfh,
    /// A large block on `VirtualAllocdBlocks`.
    Large,
    /// A block of a segment heap ([`SegmentHeap::walk_with`](crate::SegmentHeap::walk_with)).
    SegmentHeap {
        /// VS chunk, LFH block, back-end range or large allocation.
        kind: crate::SegmentBlockKind,
        /// The subsegment, range or large-allocation node holding it.
        container: u64,
    },
}

impl BlockSource<'_> {
    /// Whether `e` is the header block of its segment (the `_HEAP_SEGMENT` itself, busy but not
    /// a user allocation).
    pub fn is_segment_header(&self, e: &Entry) -> bool {
        matches!(self, BlockSource::Segment { segment, .. } if segment.address == e.address)
    }

    /// Whether `e` counts as a user allocation for statistics (as
    /// [`report::is_user_allocation`](crate::report::is_user_allocation), in O(1)).
    pub fn is_user_allocation(&self, e: &Entry) -> bool {
        if matches!(self, BlockSource::SegmentHeap { .. }) {
            return e.is_busy();
        }
        match e.state {
            EntryState::Busy if e.front_end => true,
            EntryState::Busy => e.unused_bytes != 3 && !self.is_segment_header(e),
            EntryState::VirtualAlloc => true,
            EntryState::Free | EntryState::Internal => false,
        }
    }
}

/// What [`Heap::walk_with`] hands out while it walks. Blocks come in the order of
/// [`HeapWalk::all_entries`]: each segment's blocks in address order (segments in
/// `SegmentList` order), then the LFH blocks, then the large blocks.
pub trait WalkVisitor {
    /// Segment `index` of `segments` is about to be walked (for progress).
    fn segment(&mut self, index: usize, segments: &[Segment]) {
        let _ = (index, segments);
    }
    /// One block.
    fn block(&mut self, entry: &Entry, source: BlockSource<'_>);
    /// An uncommitted range of segment `index` was skipped.
    fn uncommitted(&mut self, index: usize, range: &UncommittedRange) {
        let _ = (index, range);
    }
}

impl<F: FnMut(&Entry, BlockSource<'_>)> WalkVisitor for F {
    fn block(&mut self, entry: &Entry, source: BlockSource<'_>) {
        self(entry, source);
    }
}

/// Keeps every block, and shows each to `observer`: the visitor behind [`Heap::walk`].
struct Collect<'o, O: ?Sized> {
    segments: Vec<Vec<Entry>>,
    lfh: Vec<Entry>,
    observer: &'o mut O,
}

impl<O: WalkVisitor + ?Sized> WalkVisitor for Collect<'_, O> {
    fn segment(&mut self, index: usize, segments: &[Segment]) {
        self.observer.segment(index, segments);
    }
    fn uncommitted(&mut self, index: usize, range: &UncommittedRange) {
        self.observer.uncommitted(index, range);
    }
    fn block(&mut self, entry: &Entry, source: BlockSource<'_>) {
        self.observer.block(entry, source);
        match source {
            BlockSource::Segment { index, .. } => {
                while self.segments.len() <= index {
                    self.segments.push(Vec::new());
                }
                if let Some(v) = self.segments.get_mut(index) {
                    v.push(*entry);
                }
            }
            BlockSource::Lfh => self.lfh.push(*entry),
            // Kept in `HeapWalk::virtual_blocks` anyway; segment heaps are not walked here.
            BlockSource::Large | BlockSource::SegmentHeap { .. } => {}
        }
    }
}

impl Heap {
    /// Walk everything: segments and their entries, large blocks, the free list.
    ///
    /// Keeps every block (memory proportional to the blocks); for statistics over big heaps
    /// use [`Heap::walk_with`].
    pub fn walk<M: ReadMemory + ?Sized>(&self, mem: &M) -> HeapWalk {
        self.walk_observed(mem, &mut |_: &Entry, _: BlockSource<'_>| {})
    }

    /// [`Heap::walk`], also showing every block to `observer` as it is met (for progress).
    pub fn walk_observed<M: ReadMemory + ?Sized, O: WalkVisitor + ?Sized>(
        &self,
        mem: &M,
        observer: &mut O,
    ) -> HeapWalk {
        let mut c = Collect {
            segments: Vec::new(),
            lfh: Vec::new(),
            observer,
        };
        let mut walk = self.walk_with(mem, &mut c);
        for (s, entries) in walk.segments.iter_mut().zip(c.segments) {
            s.entries = entries;
        }
        walk.lfh.blocks = c.lfh;
        walk.entries_kept = true;
        walk
    }

    /// Walk everything in one pass, handing each block to `visitor` instead of keeping it.
    ///
    /// The result is the walk without its blocks: segments (with empty `entries`), uncommitted
    /// ranges, large blocks, the free list, the LFH key, and all findings, exactly as
    /// [`Heap::walk`] finds them ([`HeapWalk::entries_kept`] is false). Time is linear in
    /// the blocks and segments; memory is proportional to the segments, large blocks and
    /// free-list entries, never to the blocks.
    pub fn walk_with<M: ReadMemory + ?Sized, V: WalkVisitor + ?Sized>(
        &self,
        mem: &M,
        visitor: &mut V,
    ) -> HeapWalk {
        let limits = &self.limits;
        let mut walk = HeapWalk {
            heap: self.clone(),
            segments: Vec::new(),
            virtual_blocks: Vec::new(),
            free_list: FreeList::default(),
            lfh: crate::lfh::LfhBlocks::default(),
            findings: Vec::new(),
            findings_dropped: 0,
            entries_kept: false,
            seen: HashSet::new(),
            segment_starts: Vec::new(),
        };
        let (segs, f) = self.segments(mem);
        walk.push_findings(f, limits);
        // The free list first (its findings are reported after the large blocks', as they
        // always were): its addresses, sorted, are checked against the blocks as they pass.
        let (fl, fl_findings) = self.free_list(mem);
        let mut free_sorted: Vec<(u64, usize)> = fl
            .entries
            .iter()
            .enumerate()
            .map(|(i, (a, _))| (*a, i))
            .collect();
        free_sorted.sort_unstable();
        // Per free-list entry: the block it falls inside when that is not the free block it
        // should be.
        let mut misplaced: HashMap<usize, u64> = HashMap::new();
        let lfh_on = self.front_end_type == FrontEndType::Lfh;
        let mut carriers: Vec<Entry> = Vec::new();
        for (index, seg) in segs.iter().enumerate() {
            visitor.segment(index, &segs);
            let mut uncommitted = Vec::new();
            let mut f = Vec::new();
            let mut k = free_sorted.partition_point(|x| x.0 < seg.address);
            let k_end = free_sorted.partition_point(|x| x.0 < seg.last_valid_entry);
            let source = BlockSource::Segment {
                index,
                segment: seg,
            };
            for item in self.entries(mem, seg) {
                match item {
                    WalkItem::Entry(e) => {
                        // Blocks come in increasing, disjoint address order: merge.
                        while let Some(&(a, _)) = free_sorted.get(k)
                            && k < k_end
                            && a < e.address
                        {
                            k = k.saturating_add(1);
                        }
                        while let Some(&(a, i)) = free_sorted.get(k)
                            && k < k_end
                            && a < e.end()
                        {
                            if a != e.address || e.state != EntryState::Free {
                                misplaced.insert(i, e.address);
                            }
                            k = k.saturating_add(1);
                        }
                        if lfh_on && e.state == EntryState::Internal {
                            carriers.push(e);
                        }
                        visitor.block(&e, source);
                    }
                    WalkItem::Uncommitted(u) => {
                        visitor.uncommitted(index, &u);
                        uncommitted.push(u);
                    }
                    WalkItem::Finding(x) => f.push(x),
                }
            }
            walk.push_findings(f, limits);
            walk.segments.push(SegmentWalk {
                segment: seg.clone(),
                entries: Vec::new(),
                uncommitted,
            });
        }
        if lfh_on {
            let (key, subsegments, f) =
                self.lfh_visit(mem, &carriers, &mut |e| visitor.block(e, BlockSource::Lfh));
            walk.lfh.key = key;
            walk.lfh.subsegments = subsegments;
            walk.push_findings(f, limits);
        }
        let (vb, f) = self.virtual_blocks(mem);
        for v in &vb {
            visitor.block(&v.as_entry(), BlockSource::Large);
        }
        walk.virtual_blocks = vb;
        walk.push_findings(f, limits);
        walk.free_list = fl;
        walk.push_findings(fl_findings, limits);
        // Every free-list block that lies in walked memory must be a free block of the walk.
        let f: Vec<Finding> = walk
            .free_list
            .entries
            .iter()
            .enumerate()
            .filter_map(|(i, (a, _))| {
                Some(Finding {
                    address: *a,
                    kind: FindingKind::FreeListEntryNotInSegment {
                        block: *misplaced.get(&i)?,
                    },
                })
            })
            .collect();
        walk.push_findings(f, limits);
        let mut starts: Vec<u64> = walk.segments.iter().map(|s| s.segment.address).collect();
        starts.sort_unstable();
        walk.segment_starts = starts;
        walk
    }
}

/// A walked segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentWalk {
    /// The segment header.
    pub segment: Segment,
    /// Its blocks, in address order (empty when the walk did not keep blocks).
    pub entries: Vec<Entry>,
    /// Uncommitted ranges met on the way.
    pub uncommitted: Vec<UncommittedRange>,
}

/// Everything found in one heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapWalk {
    /// The heap.
    pub heap: Heap,
    /// Segments with their blocks.
    pub segments: Vec<SegmentWalk>,
    /// Large blocks.
    pub virtual_blocks: Vec<VirtualBlock>,
    /// The free list.
    pub free_list: FreeList,
    /// LFH blocks found in the internal carrier blocks (when the LFH front end is on).
    pub lfh: crate::lfh::LfhBlocks,
    /// Findings, in walk order (capped by [`Limits::max_findings`]).
    pub findings: Vec<Finding>,
    /// Findings beyond the cap.
    pub findings_dropped: usize,
    /// Whether the segments' blocks and the LFH blocks were kept ([`Heap::walk`]) or only
    /// handed to a visitor ([`Heap::walk_with`]).
    pub entries_kept: bool,
    seen: HashSet<Finding>,
    /// Segment addresses, sorted (header-block test in O(log n)).
    segment_starts: Vec<u64>,
}

impl AsRef<HeapWalk> for HeapWalk {
    fn as_ref(&self) -> &HeapWalk {
        self
    }
}

impl HeapWalk {
    fn push_findings(&mut self, f: Vec<Finding>, limits: &Limits) {
        for x in f {
            // The same block can be met twice (segment walk and free list): report it once.
            if !self.seen.insert(x) {
                continue;
            }
            if self.findings.len() < limits.max_findings {
                self.findings.push(x);
            } else {
                self.findings_dropped = self.findings_dropped.saturating_add(1);
            }
        }
    }

    /// Findings that are corruption (not missing memory, not caps).
    pub fn corruption(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_corruption())
    }

    /// Whether no corruption was found.
    pub fn is_clean(&self) -> bool {
        self.corruption().next().is_none()
    }

    /// Whether some memory of the heap was not in the dump.
    pub fn is_incomplete(&self) -> bool {
        self.findings.iter().any(|f| !f.is_corruption())
    }

    /// The walk limits that cut this walk short (`"list steps"`, `"entries per segment"`,
    /// `"LFH blocks"`), each once, in walk order.
    pub fn limits_reached(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for f in &self.findings {
            if let FindingKind::LimitReached { what } = f.kind
                && !out.contains(&what)
            {
                out.push(what);
            }
        }
        out
    }

    /// Whether `address` is the address of one of the walk's segments (its header block).
    pub fn is_segment_address(&self, address: u64) -> bool {
        if self.segment_starts.len() == self.segments.len() {
            self.segment_starts.binary_search(&address).is_ok()
        } else {
            self.segments.iter().any(|s| s.segment.address == address)
        }
    }

    /// All blocks: segment entries, LFH blocks, then large blocks (as entries). Only the large
    /// blocks when the walk did not keep blocks ([`HeapWalk::entries_kept`]).
    pub fn all_entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.segments
            .iter()
            .flat_map(|s| s.entries.iter().copied())
            .chain(self.lfh.blocks.iter().copied())
            .chain(self.virtual_blocks.iter().map(|v| v.as_entry()))
    }

    /// Every block with where it lies, in [`HeapWalk::all_entries`] order (for a walk that
    /// kept its blocks).
    pub fn visit_entries<V: WalkVisitor + ?Sized>(&self, visitor: &mut V) {
        for (index, s) in self.segments.iter().enumerate() {
            let source = BlockSource::Segment {
                index,
                segment: &s.segment,
            };
            for e in &s.entries {
                visitor.block(e, source);
            }
        }
        for e in &self.lfh.blocks {
            visitor.block(e, BlockSource::Lfh);
        }
        for v in &self.virtual_blocks {
            visitor.block(&v.as_entry(), BlockSource::Large);
        }
    }
}
