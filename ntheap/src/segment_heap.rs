//! The segment heap (`_SEGMENT_HEAP`, signature 0xDDEEDDEE; Windows 10 1709+): recognised,
//! its header statistics read, and its large allocations (`LargeAllocMetadata`, an RB tree of
//! `_HEAP_LARGE_ALLOC_DATA`) walked.
//!
//! The rest of the heap (page segments, their range descriptors, back-end allocations, VS and
//! LFH subsegments) is walked by [`SegmentHeap::walk_with`] (module `segment_heap_walk`), with
//! the keys of `RtlpHpHeapGlobals` given or recovered from the heap's own data
//! (module `segment_heap_keys`).

use std::collections::HashSet;

use crate::error::Error;
use crate::finding::{Finding, FindingKind};
use crate::heap::{PAGE_SIZE, SEGMENT_HEAP_SIGNATURE};
use crate::limits::Limits;
use crate::memory::{PointerWidth, ReadMemory};
pub use crate::segment_heap_layout::SegmentHeapLayout;

/// One large allocation of a segment heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LargeAllocation {
    /// The `_HEAP_LARGE_ALLOC_DATA` node.
    pub node: u64,
    /// The allocation (user address).
    pub address: u64,
    /// `AllocatedPages × 4 KiB − UnusedBytes`.
    pub size: u64,
    /// `AllocatedPages`.
    pub pages: u64,
}

/// A segment heap: what this crate reads of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentHeap {
    /// Heap address.
    pub address: u64,
    /// Pointer width.
    pub width: PointerWidth,
    /// `GlobalFlags`.
    pub global_flags: u32,
    /// `ProcessHeapListIndex`.
    pub process_heap_list_index: u16,
    /// The layout of the build, when known.
    pub layout: Option<SegmentHeapLayout>,
    /// `MemStats.TotalReservedPages` (layout known).
    pub reserved_pages: Option<u64>,
    /// `MemStats.TotalCommittedPages` (layout known).
    pub committed_pages: Option<u64>,
    /// Large allocations (layout known), by address.
    pub large: Option<Vec<LargeAllocation>>,
    /// What the walk met and stepped over.
    pub findings: Vec<Finding>,
    /// The limits given to [`SegmentHeap::open`], also used by [`SegmentHeap::walk_with`].
    pub(crate) limits: Limits,
}

fn at(base: u64, off: u64) -> Result<u64, Error> {
    base.checked_add(off).ok_or(Error::Overflow { addr: base })
}

impl SegmentHeap {
    /// Recognise the segment heap at `address` (`Err` without the signature) and, when
    /// `layout` is given, read its statistics and walk its large allocations.
    pub fn open<M: ReadMemory + ?Sized>(
        mem: &M,
        address: u64,
        width: PointerWidth,
        layout: Option<SegmentHeapLayout>,
        limits: &Limits,
    ) -> Result<SegmentHeap, Error> {
        let (sig_off, flags_off, index_off) = match width {
            PointerWidth::Bits32 => (8, 0xc, 0x14),
            PointerWidth::Bits64 => (0x10, 0x14, 0x1c),
        };
        let sig = mem.read_u32(at(address, sig_off)?)?;
        if sig != SEGMENT_HEAP_SIGNATURE {
            return Err(Error::NotAHeap {
                addr: address,
                found: sig,
            });
        }
        let mut h = SegmentHeap {
            address,
            width,
            global_flags: mem.read_u32(at(address, flags_off)?)?,
            process_heap_list_index: mem.read_u16(at(address, index_off)?)?,
            layout: layout.filter(|l| l.width == width),
            reserved_pages: None,
            committed_pages: None,
            large: None,
            findings: Vec::new(),
            limits: *limits,
        };
        let Some(l) = h.layout else { return Ok(h) };
        let stats = at(address, l.mem_stats)?;
        h.reserved_pages = mem.read_ptr(stats, width).ok();
        h.committed_pages = mem.read_ptr(at(stats, width.bytes())?, width).ok();
        h.large = Some(h.walk_large(mem, &l, limits)?);
        Ok(h)
    }

    fn note(&mut self, limits: &Limits, address: u64, kind: FindingKind) {
        if self.findings.len() < limits.max_findings {
            self.findings.push(Finding { address, kind });
        }
    }

    fn walk_large<M: ReadMemory + ?Sized>(
        &mut self,
        mem: &M,
        l: &SegmentHeapLayout,
        limits: &Limits,
    ) -> Result<Vec<LargeAllocation>, Error> {
        let w = self.width;
        let p = w.bytes();
        let tree = at(self.address, l.large_alloc_metadata)?;
        let mut out = Vec::new();
        let (root, min) = match (mem.read_ptr(tree, w), mem.read_ptr(at(tree, p)?, w)) {
            (Ok(r), Ok(m)) => (r, m),
            (Err(e), _) | (_, Err(e)) => {
                self.findings.push(Finding::from_mem(e));
                return Ok(out);
            }
        };
        let encoded = min & 1 != 0;
        if encoded {
            self.note(
                limits,
                tree,
                FindingKind::BadSegment {
                    reason: "large-allocation tree is encoded (not walked)",
                },
            );
            return Ok(out);
        }
        let mut stack = vec![root];
        let mut seen: HashSet<u64> = HashSet::new();
        let mut steps = 0usize;
        while let Some(node) = stack.pop() {
            if node == 0 {
                continue;
            }
            steps = steps.saturating_add(1);
            if steps > limits.max_list_steps {
                self.note(
                    limits,
                    tree,
                    FindingKind::LimitReached {
                        what: "segment-heap large allocations",
                    },
                );
                break;
            }
            if !node.is_multiple_of(p) || !seen.insert(node) {
                self.note(
                    limits,
                    node,
                    FindingKind::BadLink {
                        head: tree,
                        value: node,
                    },
                );
                continue;
            }
            let read = |off: u64| -> Result<u64, Error> { Ok(mem.read_ptr(at(node, off)?, w)?) };
            let (left, right, va, bits) = match (
                read(0),
                read(p),
                read(l.large_virtual_address),
                read(l.large_allocated_pages),
            ) {
                (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
                _ => {
                    self.note(
                        limits,
                        node,
                        FindingKind::NotCaptured {
                            len: l.large_allocated_pages.saturating_add(p),
                        },
                    );
                    continue;
                }
            };
            stack.push(right);
            stack.push(left);
            let pages = bits >> 12;
            let unused = va & 0xffff;
            let size = pages.saturating_mul(PAGE_SIZE).saturating_sub(unused);
            if pages == 0 || unused > pages.saturating_mul(PAGE_SIZE) {
                self.note(
                    limits,
                    node,
                    FindingKind::BadSegment {
                        reason: "large allocation with no pages or more unused bytes than pages",
                    },
                );
            }
            out.push(LargeAllocation {
                node,
                address: va & !0xffff,
                size,
                pages,
            });
        }
        out.sort_by_key(|a| a.address);
        Ok(out)
    }
}
