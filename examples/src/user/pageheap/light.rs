//! The light-page-heap half of `!heap -p`: each page-heap root's `NormalHeap` walked as an NT
//! heap, its blocks that start with a `_DPH_BLOCK_INFORMATION` counted, checked, and found by
//! address (`!heap -p -a`).

use ntheap::{
    Heap, LayoutChoice, LightPageHeap, LightPageHeapBlock, Limits, PageHeap, PageHeapLayout,
};
use serde::Serialize;

use super::{Frame, pointer_size};
use crate::target::UserDump;

/// The normal heap of a page-heap root: the PEB's opened heap at that address, else opened
/// here (a normal heap need not be in `PEB.ProcessHeaps`). `None` without one.
pub fn normal_heap(u: &UserDump, p: &PageHeap) -> Option<Heap> {
    if p.normal_heap == 0 {
        return None;
    }
    if let Some(h) = u
        .heaps()
        .found
        .iter()
        .find(|f| f.address == p.normal_heap && f.width == p.layout.width)
        .and_then(|f| f.heap.as_ref().ok())
    {
        return Some(h.clone());
    }
    Heap::open(
        &u.memory(),
        p.normal_heap,
        p.layout.width,
        LayoutChoice::Auto,
    )
    .ok()
}

/// Walks the normal heap of `p` for light-page-heap blocks, handing each to `visit`.
pub fn walk(
    u: &UserDump,
    p: &PageHeap,
    visit: &mut dyn FnMut(&LightPageHeapBlock),
) -> Option<LightPageHeap> {
    let heap = normal_heap(u, p)?;
    Some(LightPageHeap::walk_with(
        &u.memory(),
        p.root,
        PageHeapLayout::builtin(p.layout.width),
        &heap,
        &Limits::default(),
        visit,
    ))
}

/// What `!heap -p` says of a root's normal heap.
#[derive(Debug, Clone, Serialize)]
pub struct NormalHeapInfo {
    /// Busy page-heap blocks (with block information).
    pub busy_blocks: u64,
    /// Their requested bytes (the program's sizes, without the block information).
    pub busy_bytes: u64,
    /// Blocks freed into the delayed free cache.
    pub freed_blocks: u64,
    /// Busy blocks without block information.
    pub other_blocks: u64,
    /// Page-heap blocks whose block information or suffix is corrupt.
    pub corrupt_blocks: u64,
    /// Corrupt blocks and the NT heap walk's findings.
    pub findings: Vec<String>,
}

/// The counts of a root's normal heap (`None`: no normal heap, or it could not be opened).
pub fn info(u: &UserDump, p: &PageHeap) -> Option<NormalHeapInfo> {
    let l = walk(u, p, &mut |_| {})?;
    Some(NormalHeapInfo {
        busy_blocks: l.busy_blocks,
        busy_bytes: l.busy_bytes,
        freed_blocks: l.freed_blocks,
        other_blocks: l.other_blocks,
        corrupt_blocks: l.corrupt_blocks,
        findings: l.findings.iter().map(ToString::to_string).collect(),
    })
}

/// The light-page-heap block holding an address (`!heap -p -a`).
#[derive(Debug, Clone, Serialize)]
pub struct LightHit {
    /// The `_DPH_HEAP_ROOT`.
    pub root: u64,
    /// The page heap's handle.
    pub handle: u64,
    /// The normal heap holding the block.
    pub normal_heap: u64,
    /// 4 or 8.
    pub pointer_size: usize,
    /// The NT block's `_HEAP_ENTRY`.
    pub entry: u64,
    /// Its size in granules (`Size`).
    pub entry_size: u64,
    /// The `_DPH_BLOCK_INFORMATION`.
    pub info: u64,
    /// Busy, or freed into the delayed free cache.
    pub busy: bool,
    /// The program's address (after the block information).
    pub user_address: u64,
    /// `RequestedSize`.
    pub requested_size: u64,
    /// What is corrupt about the block, if anything.
    pub corruption: Option<String>,
    /// The allocation stack (empty when none was captured or it is not in the dump).
    pub stack: Vec<Frame>,
}

/// The light-page-heap block of any root's normal heap holding `addr`.
pub fn find(u: &UserDump, heaps: &[PageHeap], addr: u64) -> Option<LightHit> {
    let mem = u.memory();
    for p in heaps {
        let Some(heap) = normal_heap(u, p) else {
            continue;
        };
        let w = p.layout.width;
        let Some(b) = LightPageHeap::find(&mem, PageHeapLayout::builtin(w), &heap, addr) else {
            continue;
        };
        let stack = super::frames(u, ntheap::light_stack_trace(&mem, w, &b));
        let size = b.entry_size.checked_div(w.granularity()).unwrap_or(0);
        return Some(LightHit {
            root: p.root,
            handle: p.handle(),
            normal_heap: heap.address,
            pointer_size: pointer_size(p),
            entry: b.entry,
            entry_size: size,
            info: b.info,
            busy: b.busy,
            user_address: b.user_address,
            requested_size: b.requested_size,
            corruption: b.corruption.map(str::to_string),
            stack,
        });
    }
    None
}

/// The block-information layout of the heap at `address` when it is the `NormalHeap` of a
/// page-heap root (light page heap), `None` for any other heap.
pub fn light_layout_of(
    u: &UserDump,
    address: u64,
    width: ntheap::PointerWidth,
) -> Option<PageHeapLayout> {
    // Only the roots' `NormalHeap` pointers are read (no busy tree is walked).
    let mem = u.memory();
    let layout = PageHeapLayout::builtin(width);
    let limits = Limits::default();
    u.heaps()
        .found
        .iter()
        .filter(|f| f.width == width)
        .filter_map(|f| ntheap::page_heap_root_of(&mem, f.address))
        .flat_map(|root| ntheap::page_heap_roots(&mem, root, width, &limits))
        .any(|r| {
            r.checked_add(layout.root_normal_heap)
                .and_then(|a| ntheap::ReadMemory::read_ptr(&mem, a, width).ok())
                == Some(address)
        })
        .then_some(layout)
}

/// Counts one block for `!heap -stat` as the program sees it: in a light page heap's normal
/// heap, a block with block information counts with its requested size (the header and
/// suffix page heap adds are not the program's), a block freed into the delayed free cache
/// does not count.
pub fn count(
    u: &UserDump,
    light: Option<&PageHeapLayout>,
    census: &mut ntheap::report::SizeCensus,
    e: &ntheap::Entry,
    s: ntheap::BlockSource<'_>,
) {
    if light.is_some() && s.is_user_allocation(e) {
        if let Some(e) = crate::user::leak::heaps::program_block(&u.memory(), light, e) {
            census.add(&e, s);
        }
    } else {
        census.add(e, s);
    }
}
