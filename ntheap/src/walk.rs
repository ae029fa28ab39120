//! The whole walk of one heap: segments, entries, LFH blocks, large blocks, free list.

use std::collections::HashSet;

use crate::entry::*;
use crate::finding::*;
use crate::free_list::*;
use crate::heap::*;
use crate::limits::Limits;
use crate::memory::ReadMemory;
use crate::segment::*;
use crate::virtual_alloc::*;

impl Heap {
    /// Walk everything: segments and their entries, large blocks, the free list.
    pub fn walk<M: ReadMemory + ?Sized>(&self, mem: &M) -> HeapWalk {
        let limits = &self.limits;
        let mut walk = HeapWalk {
            heap: self.clone(),
            segments: Vec::new(),
            virtual_blocks: Vec::new(),
            free_list: FreeList::default(),
            lfh: crate::lfh::LfhBlocks::default(),
            findings: Vec::new(),
            findings_dropped: 0,
            seen: HashSet::new(),
        };
        let (segs, f) = self.segments(mem);
        walk.push_findings(f, limits);
        for seg in segs {
            let mut sw = SegmentWalk {
                segment: seg,
                entries: Vec::new(),
                uncommitted: Vec::new(),
            };
            let mut f = Vec::new();
            for item in self.entries(mem, &sw.segment) {
                match item {
                    WalkItem::Entry(e) => sw.entries.push(e),
                    WalkItem::Uncommitted(u) => sw.uncommitted.push(u),
                    WalkItem::Finding(x) => f.push(x),
                }
            }
            walk.push_findings(f, limits);
            walk.segments.push(sw);
        }
        if self.front_end_type == FrontEndType::Lfh {
            let carriers: Vec<Entry> = walk
                .segments
                .iter()
                .flat_map(|s| s.entries.iter())
                .filter(|e| e.state == EntryState::Internal)
                .copied()
                .collect();
            let (lfh, f) = self.lfh_blocks(mem, &carriers);
            walk.lfh = lfh;
            walk.push_findings(f, limits);
        }
        let (vb, f) = self.virtual_blocks(mem);
        walk.virtual_blocks = vb;
        walk.push_findings(f, limits);
        let (fl, f) = self.free_list(mem);
        walk.free_list = fl;
        walk.push_findings(f, limits);
        // Every free-list block that lies in walked memory must be a free block of the walk.
        let mut f = Vec::new();
        let mut spans: Vec<(u64, u64, usize)> = walk
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.segment.address, s.segment.last_valid_entry, i))
            .collect();
        spans.sort_unstable();
        for &(a, _) in &walk.free_list.entries {
            let j = spans.partition_point(|sp| sp.1 <= a);
            let Some(&(start, _, idx)) = spans.get(j) else {
                continue;
            };
            let Some(s) = walk.segments.get(idx) else {
                continue;
            };
            if start > a {
                continue;
            }
            let i = s.entries.partition_point(|e| e.end() <= a);
            let Some(e) = s.entries.get(i) else { continue };
            if e.address > a {
                continue;
            }
            if e.address != a || e.state != EntryState::Free {
                f.push(Finding {
                    address: a,
                    kind: FindingKind::FreeListEntryNotInSegment { block: e.address },
                });
            }
        }
        walk.push_findings(f, limits);
        walk
    }
}

/// A walked segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentWalk {
    /// The segment header.
    pub segment: Segment,
    /// Its blocks, in address order.
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
    seen: HashSet<Finding>,
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

    /// All blocks: segment entries, LFH blocks, then large blocks (as entries).
    pub fn all_entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.segments
            .iter()
            .flat_map(|s| s.entries.iter().copied())
            .chain(self.lfh.blocks.iter().copied())
            .chain(self.virtual_blocks.iter().map(|v| v.as_entry()))
    }
}
