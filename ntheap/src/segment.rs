//! `_HEAP_SEGMENT` and `_HEAP_UCR_DESCRIPTOR`: a heap's segments and their uncommitted ranges.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::finding::*;
use crate::heap::*;
use crate::list::*;
use crate::memory::{MemoryError, ReadMemory};

/// One uncommitted range of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UncommittedRange {
    /// First uncommitted address.
    pub address: u64,
    /// Size in bytes.
    pub size: u64,
}

impl UncommittedRange {
    /// One past the last address (saturating).
    pub fn end(&self) -> u64 {
        self.address.saturating_add(self.size)
    }
}

/// A heap segment (`_HEAP_SEGMENT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Segment address (also its header block).
    pub address: u64,
    /// `SegmentFlags`.
    pub flags: u32,
    /// `BaseAddress`.
    pub base_address: u64,
    /// `NumberOfPages` reserved.
    pub number_of_pages: u32,
    /// `FirstEntry`.
    pub first_entry: u64,
    /// `LastValidEntry` (end of the segment).
    pub last_valid_entry: u64,
    /// `NumberOfUnCommittedPages`.
    pub uncommitted_pages: u32,
    /// `NumberOfUnCommittedRanges`.
    pub uncommitted_range_count: u32,
    /// The uncommitted ranges read from `UCRSegmentList`, sorted by address.
    pub uncommitted: Vec<UncommittedRange>,
}

impl Segment {
    /// Reserved bytes.
    pub fn reserved_bytes(&self) -> u64 {
        u64::from(self.number_of_pages).saturating_mul(PAGE_SIZE)
    }
    /// Committed bytes according to the segment header.
    pub fn committed_bytes(&self) -> u64 {
        u64::from(self.number_of_pages.saturating_sub(self.uncommitted_pages))
            .saturating_mul(PAGE_SIZE)
    }
}

impl Heap {
    /// The heap's segments (from `SegmentList`), with their uncommitted ranges, plus findings.
    pub fn segments<M: ReadMemory + ?Sized>(&self, mem: &M) -> (Vec<Segment>, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let mut findings = Vec::new();
        let Some(head) = self.address.checked_add(l.heap_segment_list) else {
            return (Vec::new(), findings);
        };
        let list = walk_list(mem, head, w, self.limits.max_segments);
        // Say which limit cut the walk short: the segments', not any list's.
        findings.extend(list.findings.into_iter().map(|mut f| {
            if let FindingKind::LimitReached { .. } = f.kind {
                f.kind = FindingKind::LimitReached {
                    what: "segments per heap",
                };
            }
            f
        }));
        let mut segs: Vec<Segment> = Vec::new();
        // Kept segments by address (start -> end), disjoint: an overlap test in O(log n).
        let mut kept: BTreeMap<u64, u64> = BTreeMap::new();
        for link in list.links {
            let addr = link.wrapping_sub(l.segment_list_entry);
            let Some(s) = self.read_segment(mem, addr, &mut findings) else {
                continue;
            };
            // Overlapping segments would make the same memory be walked many times. The kept
            // ones are disjoint, so only the last one starting before `s` ends can overlap it.
            let overlaps = kept
                .range(..s.last_valid_entry)
                .next_back()
                .is_some_and(|(_, end)| *end > s.address);
            if overlaps {
                findings.push(Finding {
                    address: s.address,
                    kind: FindingKind::BadSegment {
                        reason: "overlaps another segment of the heap",
                    },
                });
                continue;
            }
            kept.insert(s.address, s.last_valid_entry);
            segs.push(s);
        }
        (segs, findings)
    }

    fn read_segment<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        addr: u64,
        findings: &mut Vec<Finding>,
    ) -> Option<Segment> {
        let l = &self.layout;
        let w = l.width;
        let buf = match read_buf(mem, addr, l.segment_size) {
            Ok(b) => b,
            Err(Error::NotCaptured { addr, len }) => {
                findings.push(Finding::from_mem(MemoryError::NotCaptured { addr, len }));
                return None;
            }
            Err(_) => {
                findings.push(Finding {
                    address: addr,
                    kind: FindingKind::ReadFailed {
                        len: l.segment_size,
                    },
                });
                return None;
            }
        };
        let bad = |reason| Finding {
            address: addr,
            kind: FindingKind::BadSegment { reason },
        };
        if get_u32(&buf, l.segment_signature) != Some(SEGMENT_SIGNATURE) {
            findings.push(bad("SegmentSignature is not 0xFFEEFFEE"));
            return None;
        }
        if get_ptr(&buf, l.segment_heap, w) != Some(self.address) {
            findings.push(bad("Heap does not point back at the heap"));
            return None;
        }
        let seg = Segment {
            address: addr,
            flags: get_u32(&buf, l.segment_flags)?,
            base_address: get_ptr(&buf, l.segment_base_address, w)?,
            number_of_pages: get_u32(&buf, l.segment_number_of_pages)?,
            first_entry: get_ptr(&buf, l.segment_first_entry, w)?,
            last_valid_entry: get_ptr(&buf, l.segment_last_valid_entry, w)?,
            uncommitted_pages: get_u32(&buf, l.segment_uncommitted_pages)?,
            uncommitted_range_count: get_u32(&buf, l.segment_uncommitted_ranges)?,
            uncommitted: Vec::new(),
        };
        let end = seg.base_address.checked_add(seg.reserved_bytes());
        let ok = seg.first_entry > addr
            && seg.first_entry < seg.last_valid_entry
            && seg.base_address <= addr
            && end.is_some_and(|e| seg.last_valid_entry <= e)
            && seg.uncommitted_pages <= seg.number_of_pages;
        if !ok {
            findings.push(bad("FirstEntry/LastValidEntry/NumberOfPages inconsistent"));
            return None;
        }
        let mut seg = seg;
        let head = addr.checked_add(l.segment_ucr_segment_list)?;
        let list = walk_list(mem, head, w, self.limits.max_list_steps);
        findings.extend(list.findings);
        for link in list.links {
            let d = link.wrapping_sub(l.ucr_segment_entry);
            let a = d
                .checked_add(l.ucr_address)
                .map(|a| mem.read_ptr(a, w))
                .unwrap_or(Err(MemoryError::not_captured(d, 0)));
            let s = d
                .checked_add(l.ucr_size)
                .map(|a| mem.read_ptr(a, w))
                .unwrap_or(Err(MemoryError::not_captured(d, 0)));
            match (a, s) {
                (Ok(address), Ok(size)) => {
                    let r = UncommittedRange { address, size };
                    let inside = address >= seg.first_entry
                        && address
                            .checked_add(size)
                            .is_some_and(|e| e <= seg.last_valid_entry)
                        && size != 0
                        && size.is_multiple_of(PAGE_SIZE);
                    if inside {
                        seg.uncommitted.push(r);
                    } else {
                        findings.push(Finding {
                            address: d,
                            kind: FindingKind::BadUncommittedRange {
                                reason: "range outside its segment or not page-sized",
                            },
                        });
                    }
                }
                (Err(e), _) | (_, Err(e)) => findings.push(Finding::from_mem(e)),
            }
        }
        seg.uncommitted.sort_by_key(|r| r.address);
        // Overlapping ranges would make the walk jump backwards: drop them.
        let mut kept: Vec<UncommittedRange> = Vec::with_capacity(seg.uncommitted.len());
        for r in seg.uncommitted.drain(..) {
            match kept.last() {
                Some(p) if r.address < p.end() => findings.push(Finding {
                    address: r.address,
                    kind: FindingKind::BadUncommittedRange {
                        reason: "overlaps another range",
                    },
                }),
                _ => kept.push(r),
            }
        }
        seg.uncommitted = kept;
        Some(seg)
    }
}
