//! A synthetic segment heap (Windows 10 19041 layout): the `_SEGMENT_HEAP` header page with
//! its signature, flags and statistics, and a metadata page holding a balanced tree of
//! `_HEAP_LARGE_ALLOC_DATA` nodes. The back end, VS and LFH are not built.

use crate::heap::{PAGE_SIZE, SEGMENT_HEAP_SIGNATURE};
use crate::memory::PointerWidth;
use crate::segment_heap::SegmentHeapLayout;
use crate::synth::{BuildError, SynthMemory};

/// Builds a segment heap's header and large allocations.
#[derive(Debug, Clone)]
pub struct SegmentHeapBuilder {
    width: PointerWidth,
    address: u64,
    large_base: u64,
    global_flags: u32,
    index: u16,
    large: Vec<u64>,
}

/// A built segment heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSegmentHeap {
    /// Heap address.
    pub address: u64,
    /// The layout used.
    pub layout: SegmentHeapLayout,
    /// Large allocations: (address, requested size), by address.
    pub large: Vec<(u64, u64)>,
    /// Its memory (the allocations themselves are not in it).
    pub memory: SynthMemory,
}

fn err(what: &'static str) -> BuildError {
    BuildError(what)
}

fn put(buf: &mut [u8], off: u64, v: u64, n: usize) -> Result<(), BuildError> {
    let o = usize::try_from(off).map_err(|_| err("offset"))?;
    let end = o.checked_add(n).ok_or(err("offset"))?;
    buf.get_mut(o..end)
        .ok_or(err("write outside the page"))?
        .copy_from_slice(v.to_le_bytes().get(..n).ok_or(err("width"))?);
    Ok(())
}

impl SegmentHeapBuilder {
    /// A segment heap at `address` (64 KiB aligned); large allocations are placed from
    /// `large_base` on, 16 MiB apart.
    pub fn new(width: PointerWidth, address: u64, large_base: u64) -> SegmentHeapBuilder {
        SegmentHeapBuilder {
            width,
            address,
            large_base,
            global_flags: 2,
            index: 1,
            large: Vec::new(),
        }
    }
    /// `ProcessHeapListIndex` (default 1).
    pub fn process_heap_list_index(mut self, i: u16) -> SegmentHeapBuilder {
        self.index = i;
        self
    }
    /// A large allocation of `size` bytes (at most 64 of them).
    pub fn large(mut self, size: u64) -> SegmentHeapBuilder {
        self.large.push(size);
        self
    }

    /// Lay it out.
    pub fn build(self) -> Result<SynthSegmentHeap, BuildError> {
        let w = self.width;
        let l = SegmentHeapLayout::for_build(w, 19041).ok_or(err("layout"))?;
        let p = usize::try_from(w.bytes()).map_err(|_| err("width"))?;
        if self.large.len() > 64 {
            return Err(err("more than 64 large allocations"));
        }
        let meta = self.address.checked_add(0x1_0000).ok_or(err("address"))?;
        let mut hp = vec![0u8; 0x1000];
        let mut mp = vec![0u8; 0x1000];
        let (sig, flags, index) = match w {
            PointerWidth::Bits32 => (8, 0xc, 0x14),
            PointerWidth::Bits64 => (0x10, 0x14, 0x1c),
        };
        put(&mut hp, sig, u64::from(SEGMENT_HEAP_SIGNATURE), 4)?;
        put(&mut hp, flags, u64::from(self.global_flags), 4)?;
        put(&mut hp, index, u64::from(self.index), 2)?;
        let node_size = 0x40u64;
        let mut large = Vec::new();
        let mut pages_total = 0u64;
        for (i, s) in self.large.iter().enumerate() {
            let i = u64::try_from(i).map_err(|_| err("count"))?;
            let pages = s.div_ceil(PAGE_SIZE).max(1);
            let bytes = pages.checked_mul(PAGE_SIZE).ok_or(err("size"))?;
            let unused = bytes.checked_sub(*s).ok_or(err("size"))?;
            if unused > 0xffff {
                return Err(err("unused bytes above 0xffff"));
            }
            let addr = i
                .checked_mul(0x100_0000)
                .and_then(|o| self.large_base.checked_add(o))
                .ok_or(err("address"))?;
            let node = i.checked_mul(node_size).ok_or(err("offset"))?;
            put(
                &mut mp,
                node.saturating_add(l.large_virtual_address),
                addr | unused,
                p,
            )?;
            put(
                &mut mp,
                node.saturating_add(l.large_allocated_pages),
                pages << 12,
                p,
            )?;
            large.push((addr, *s));
            pages_total = pages_total.saturating_add(pages);
        }
        let root = link(&mut mp, 0, self.large.len(), meta, node_size, p)?;
        put(&mut hp, l.large_alloc_metadata, root, p)?;
        put(&mut hp, l.large_reserved_pages, pages_total, p)?;
        put(&mut hp, l.large_committed_pages, pages_total, p)?;
        put(&mut hp, l.mem_stats, pages_total.saturating_add(0x100), p)?;
        put(
            &mut hp,
            l.mem_stats.saturating_add(w.bytes()),
            pages_total.saturating_add(0x10),
            p,
        )?;
        let mut memory = SynthMemory::default();
        memory.regions.push((self.address, hp));
        memory.regions.push((meta, mp));
        Ok(SynthSegmentHeap {
            address: self.address,
            layout: l,
            large,
            memory,
        })
    }
}

/// Links nodes `lo..hi` as a balanced tree (Left at +0, Right at +pointer); returns the root.
fn link(
    mp: &mut [u8],
    lo: usize,
    hi: usize,
    meta: u64,
    node_size: u64,
    p: usize,
) -> Result<u64, BuildError> {
    if lo >= hi {
        return Ok(0);
    }
    let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
    let left = link(mp, lo, mid, meta, node_size, p)?;
    let right = link(mp, mid.saturating_add(1), hi, meta, node_size, p)?;
    let off = u64::try_from(mid)
        .ok()
        .and_then(|m| m.checked_mul(node_size))
        .ok_or(err("offset"))?;
    let pw = u64::try_from(p).map_err(|_| err("width"))?;
    put(mp, off, left, p)?;
    put(mp, off.saturating_add(pw), right, p)?;
    meta.checked_add(off).ok_or(err("address"))
}
