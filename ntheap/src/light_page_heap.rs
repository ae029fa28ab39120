//! Light page heap (`gflags /p /enable app.exe` without `/full`, Application Verifier's
//! light mode): the `_DPH_HEAP_ROOT` exists, but allocations go to its ordinary NT heap
//! (`_DPH_HEAP_ROOT.NormalHeap`). Each such "normal block" asks the NT heap for
//! `sizeof(_DPH_BLOCK_INFORMATION)` more than the program did: the NT block's user area starts
//! with a `_DPH_BLOCK_INFORMATION` (StartStamp 0xABCDAAAA, EndStamp 0xDCBAAAAA while busy;
//! both stamps minus one once freed into page heap's delayed free cache, the end stamp minus
//! two once recycled), the program's data follows it, then a suffix pattern (0xA0 bytes) up to
//! the end of what the NT heap was asked for. Full page heap also puts its small and internal
//! allocations there, so every root's `NormalHeap` is walked this way.
//!
//! The walk is the NT heap's own ([`Heap::walk_with`]): each busy user block whose user area
//! starts with a stamp is a page-heap block; one stamp of the two, a requested size that does
//! not fit the NT block, or an overwritten suffix is a [`FindingKind::BadPageHeap`] finding at
//! the block information (what WinDbg's verifier reports as a corrupted page-heap block).

use crate::entry::Entry;
use crate::error::Error;
use crate::finding::{Finding, FindingKind};
use crate::heap::Heap;
use crate::limits::Limits;
use crate::memory::{PointerWidth, ReadMemory};
use crate::page_heap::{PageHeapLayout, read_trace};
use crate::walk::{BlockSource, HeapWalk};

/// `_DPH_BLOCK_INFORMATION.StartStamp` of a busy light-page-heap block.
pub const DPH_LIGHT_BUSY_START_STAMP: u32 = 0xABCD_AAAA;
/// `StartStamp` of a light-page-heap block freed into the delayed free cache.
pub const DPH_LIGHT_FREE_START_STAMP: u32 = 0xABCD_AAA9;
/// `_DPH_BLOCK_INFORMATION.EndStamp` of a busy light-page-heap block.
pub const DPH_LIGHT_BUSY_END_STAMP: u32 = 0xDCBA_AAAA;
/// `EndStamp` of a light-page-heap block freed into the delayed free cache.
pub const DPH_LIGHT_FREE_END_STAMP: u32 = 0xDCBA_AAA9;
/// `EndStamp` of a light-page-heap block that left the delayed free cache (recycled).
pub const DPH_LIGHT_RECYCLED_END_STAMP: u32 = 0xDCBA_AAA8;
/// The suffix pattern after the user data of a light-page-heap block.
pub const DPH_LIGHT_SUFFIX: u8 = 0xA0;

/// Suffix bytes checked per block (the fill covers at most the NT heap's rounding).
const MAX_SUFFIX_CHECK: u64 = 64;

/// One block of a light page heap: an NT heap block with a `_DPH_BLOCK_INFORMATION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LightPageHeapBlock {
    /// The NT heap block's `_HEAP_ENTRY`.
    pub entry: u64,
    /// The `_DPH_BLOCK_INFORMATION` (the NT block's user address).
    pub info: u64,
    /// The address the program got: just after the block information.
    pub user_address: u64,
    /// Busy (the program holds it) or freed into the delayed free cache.
    pub busy: bool,
    /// `RequestedSize`: what the program asked for.
    pub requested_size: u64,
    /// `ActualSize`.
    pub actual_size: u64,
    /// `Heap`, as recorded.
    pub heap: u64,
    /// `StackTrace`: the allocation stack (`_RTL_STACK_TRACE_ENTRY`), 0 when none.
    pub stack_trace: u64,
    /// `StartStamp` as found.
    pub start_stamp: u32,
    /// `EndStamp` as found.
    pub end_stamp: u32,
    /// The NT block's requested size (block information, user data and suffix).
    pub nt_size: u64,
    /// The NT block's size in bytes (header included).
    pub entry_size: u64,
    /// Why the block information is corrupt, if it is.
    pub corruption: Option<&'static str>,
}

impl LightPageHeapBlock {
    /// Whether `addr` lies in the block information or the user data.
    pub fn contains(&self, addr: u64) -> bool {
        addr.checked_sub(self.info)
            .is_some_and(|d| d < self.nt_size.max(1))
    }
}

/// What an NT heap block is to a light page heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LightCheck {
    /// Its user area starts with neither stamp: not a page-heap block.
    NotPageHeap,
    /// Its user area is not in the dump.
    Unreadable,
    /// A page-heap block (with what is corrupt about it, if anything).
    Block(LightPageHeapBlock),
}

fn field(buf: &[u8], off: u64, n: usize) -> u64 {
    let Ok(o) = usize::try_from(off) else {
        return 0;
    };
    let Some(b) = o.checked_add(n).and_then(|e| buf.get(o..e)) else {
        return 0;
    };
    let mut v = [0u8; 8];
    if let Some(d) = v.get_mut(..n) {
        d.copy_from_slice(b);
    }
    u64::from_le_bytes(v)
}

/// Reads the `_DPH_BLOCK_INFORMATION` at the start of a busy NT heap block's user area and
/// checks it: both stamps of one state, a requested size that fits the NT block, the suffix
/// pattern (up to 64 bytes of it, when captured).
pub fn light_block<M: ReadMemory + ?Sized>(
    mem: &M,
    layout: &PageHeapLayout,
    e: &Entry,
) -> LightCheck {
    let header = e.user_address.saturating_sub(e.address);
    let nt_size = e
        .requested_size
        .unwrap_or_else(|| e.size.saturating_sub(header));
    if nt_size < layout.info_size {
        return LightCheck::NotPageHeap;
    }
    let mut buf = vec![0u8; usize::try_from(layout.info_size).unwrap_or(0)];
    if mem.read(e.user_address, &mut buf).is_err() {
        return LightCheck::Unreadable;
    }
    let p = usize::try_from(layout.width.bytes()).unwrap_or(8);
    let start = u32::try_from(field(&buf, 0, 4)).unwrap_or(0);
    let end = u32::try_from(field(&buf, layout.info_end_stamp, 4)).unwrap_or(0);
    let start_busy = start == DPH_LIGHT_BUSY_START_STAMP;
    let start_free = start == DPH_LIGHT_FREE_START_STAMP;
    let end_busy = end == DPH_LIGHT_BUSY_END_STAMP;
    let end_free = end == DPH_LIGHT_FREE_END_STAMP || end == DPH_LIGHT_RECYCLED_END_STAMP;
    if !(start_busy || start_free || end_busy || end_free) {
        return LightCheck::NotPageHeap;
    }
    let mut corruption = None;
    let busy = if start_busy || start_free {
        if start_busy && !end_busy {
            corruption = Some("corrupted EndStamp (expected 0xDCBAAAAA)");
        } else if start_free && !end_free {
            corruption = Some("corrupted EndStamp of a freed block (expected 0xDCBAAAA9)");
        }
        start_busy
    } else {
        corruption = Some("corrupted StartStamp (the end stamp is a page-heap one)");
        end_busy
    };
    let requested = field(&buf, layout.info_requested_size, p);
    let user = e.user_address.saturating_add(layout.info_size);
    let room = nt_size.saturating_sub(layout.info_size);
    if requested > room {
        corruption = corruption.or(Some(
            "RequestedSize larger than its heap block (corrupted header)",
        ));
    } else if busy && corruption.is_none() {
        // Suffix pattern: from the end of the user data to the end of the NT request.
        let n = room.saturating_sub(requested).min(MAX_SUFFIX_CHECK);
        let mut suffix = vec![0u8; usize::try_from(n).unwrap_or(0)];
        if let Some(at) = user.checked_add(requested)
            && !suffix.is_empty()
            && mem.read(at, &mut suffix).is_ok()
            && suffix.iter().any(|b| *b != DPH_LIGHT_SUFFIX)
        {
            corruption =
                Some("suffix pattern (0xA0) overwritten after the user data: buffer overrun");
        }
    }
    LightCheck::Block(LightPageHeapBlock {
        entry: e.address,
        info: e.user_address,
        user_address: user,
        busy,
        requested_size: requested.min(room),
        actual_size: field(&buf, layout.info_actual_size, p),
        heap: field(&buf, layout.info_heap, p),
        stack_trace: field(&buf, layout.info_stack_trace, p),
        start_stamp: start,
        end_stamp: end,
        nt_size,
        entry_size: e.size,
        corruption,
    })
}

/// A walked light page heap: the counts of its normal heap's page-heap blocks.
#[derive(Debug, Clone)]
pub struct LightPageHeap {
    /// The `_DPH_HEAP_ROOT`.
    pub root: u64,
    /// `NormalHeap`: the NT heap walked.
    pub normal_heap: u64,
    /// The layout of the block information.
    pub layout: PageHeapLayout,
    /// The NT heap walk (without its blocks).
    pub walk: HeapWalk,
    /// Busy page-heap blocks.
    pub busy_blocks: u64,
    /// Their requested bytes.
    pub busy_bytes: u64,
    /// Blocks freed into the delayed free cache.
    pub freed_blocks: u64,
    /// Busy NT blocks without block information (page heap's own, or not in the dump).
    pub other_blocks: u64,
    /// Corrupt page-heap blocks (each also a finding).
    pub corrupt_blocks: u64,
    /// Corrupt block information, then the NT heap walk's findings (capped).
    pub findings: Vec<Finding>,
}

impl LightPageHeap {
    /// Walks `heap` (the root's `NormalHeap`, opened by the caller) and hands every
    /// page-heap block to `visit`, in walk order; keeps only counts and findings.
    pub fn walk_with<M: ReadMemory + ?Sized>(
        mem: &M,
        root: u64,
        layout: PageHeapLayout,
        heap: &Heap,
        limits: &Limits,
        visit: &mut dyn FnMut(&LightPageHeapBlock),
    ) -> LightPageHeap {
        let (mut busy_blocks, mut busy_bytes, mut freed_blocks) = (0u64, 0u64, 0u64);
        let (mut other_blocks, mut corrupt_blocks) = (0u64, 0u64);
        let mut findings = Vec::new();
        let walk = heap.walk_with(mem, &mut |e: &Entry, s: BlockSource<'_>| {
            if !s.is_user_allocation(e) {
                return;
            }
            match light_block(mem, &layout, e) {
                LightCheck::Block(b) => {
                    if let Some(reason) = b.corruption {
                        corrupt_blocks = corrupt_blocks.saturating_add(1);
                        if findings.len() < limits.max_findings {
                            findings.push(Finding {
                                address: b.info,
                                kind: FindingKind::BadPageHeap { reason },
                            });
                        }
                    }
                    if b.busy {
                        busy_blocks = busy_blocks.saturating_add(1);
                        busy_bytes = busy_bytes.saturating_add(b.requested_size);
                    } else {
                        freed_blocks = freed_blocks.saturating_add(1);
                    }
                    visit(&b);
                }
                LightCheck::NotPageHeap | LightCheck::Unreadable => {
                    other_blocks = other_blocks.saturating_add(1);
                }
            }
        });
        for f in &walk.findings {
            if findings.len() >= limits.max_findings {
                break;
            }
            findings.push(*f);
        }
        LightPageHeap {
            root,
            normal_heap: heap.address,
            layout,
            walk,
            busy_blocks,
            busy_bytes,
            freed_blocks,
            other_blocks,
            corrupt_blocks,
            findings,
        }
    }

    /// [`LightPageHeap::walk_with`] keeping nothing but the counts.
    pub fn walk<M: ReadMemory + ?Sized>(
        mem: &M,
        root: u64,
        layout: PageHeapLayout,
        heap: &Heap,
        limits: &Limits,
    ) -> LightPageHeap {
        Self::walk_with(mem, root, layout, heap, limits, &mut |_| {})
    }

    /// The page-heap block holding `addr` (its block information or user data), busy or
    /// freed: one more walk of the normal heap.
    pub fn find<M: ReadMemory + ?Sized>(
        mem: &M,
        layout: PageHeapLayout,
        heap: &Heap,
        addr: u64,
    ) -> Option<LightPageHeapBlock> {
        let mut hit = None;
        heap.walk_with(mem, &mut |e: &Entry, s: BlockSource<'_>| {
            if hit.is_some()
                || !s.is_user_allocation(e)
                || addr < e.address
                || addr
                    .checked_sub(e.address)
                    .is_some_and(|d| d >= e.size.max(1))
            {
                return;
            }
            if let LightCheck::Block(b) = light_block(mem, &layout, e)
                && b.contains(addr)
            {
                hit = Some(b);
            }
        });
        hit
    }
}

/// The allocation stack recorded in a light-page-heap block (`StackTrace`, read as an
/// `_RTL_STACK_TRACE_ENTRY` as the full page heap's). `Ok(None)` when none was captured;
/// `Err` when the trace is not in the dump.
pub fn light_stack_trace<M: ReadMemory + ?Sized>(
    mem: &M,
    width: PointerWidth,
    b: &LightPageHeapBlock,
) -> Result<Option<Vec<u64>>, Error> {
    read_trace(mem, width, b.stack_trace)
}
