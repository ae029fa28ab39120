//! A synthetic segment heap (Windows 10 19041 or Windows 11 22000 layout, x64 or x86): the
//! `_SEGMENT_HEAP` header page with its signature, flags, statistics and two segment contexts;
//! page segments of context 0 (4 KiB units) with their range descriptors, holding VS
//! subsegments (encoded chunk headers), LFH subsegments (encoded block offsets, 2-bit bitmap),
//! back-end allocations and free ranges, encoded with chosen keys; and a metadata page holding
//! a balanced tree of `_HEAP_LARGE_ALLOC_DATA` nodes.

use crate::heap::{PAGE_SIZE, SEGMENT_HEAP_SIGNATURE};
use crate::memory::PointerWidth;
use crate::segment_heap::SegmentHeapLayout;
use crate::segment_heap_keys::{
    LfhShift, PAGE_SEGMENT_CONSTANT, VS_SUBSEGMENT_XOR, VsChunkSizes, lfh_block_offsets,
    page_segment_signature,
};
use crate::segment_heap_walk::SegmentBlockKind;
use crate::synth::{BuildError, SynthMemory};

/// A range of a page segment to build.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RangeSpec {
    /// VS chunks: `Some(requested)` busy, `None` free (of that many user bytes).
    Vs(Vec<(bool, u64)>),
    /// LFH blocks of one size: `Some(requested)` busy, `None` free.
    Lfh(u64, Vec<Option<u64>>),
    /// A back-end allocation of that many bytes.
    Backend(u64),
    /// Free pages.
    Free(u64),
}

/// Builds a segment heap: header, page segments with VS/LFH subsegments and back-end ranges,
/// and large allocations.
#[derive(Debug, Clone)]
pub struct SegmentHeapBuilder {
    width: PointerWidth,
    address: u64,
    large_base: u64,
    segment_base: Option<u64>,
    build: u32,
    global_flags: u32,
    index: u16,
    large: Vec<u64>,
    ranges: Vec<RangeSpec>,
    heap_key: u64,
    lfh_key: u64,
    lfh_shift: LfhShift,
}

/// A block as built (what a walk must find).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltBlock {
    /// Where it is.
    pub kind: SegmentBlockKind,
    /// Chunk header (VS) or block address.
    pub address: u64,
    /// User data.
    pub user_address: u64,
    /// Chunk, block or range bytes.
    pub size: u64,
    /// Busy.
    pub busy: bool,
    /// Requested size (busy blocks).
    pub requested: Option<u64>,
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
    /// Blocks of the page segments (VS, LFH, back end, free ranges), in walk order.
    pub blocks: Vec<BuiltBlock>,
    /// Page segments built (context 0), in list order.
    pub segments: Vec<u64>,
    /// `HeapKey` used.
    pub heap_key: u64,
    /// `LfhKey` used.
    pub lfh_key: u64,
    /// Its memory (the large allocations themselves are not in it).
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

fn add(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_add(b).ok_or(err("address overflow"))
}

fn mul(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_mul(b).ok_or(err("size overflow"))
}

/// Descriptors per page segment; unit shift of context 0 (4 KiB) and context 1 (64 KiB).
const UNITS: u64 = 256;
const SHIFT0: u8 = 12;
const SHIFT1: u8 = 16;

impl SegmentHeapBuilder {
    /// A segment heap at `address` (64 KiB aligned); large allocations are placed from
    /// `large_base` on, 16 MiB apart. Windows 10 19041 layout, keys 0x5a5a... by default.
    pub fn new(width: PointerWidth, address: u64, large_base: u64) -> SegmentHeapBuilder {
        SegmentHeapBuilder {
            width,
            address,
            large_base,
            segment_base: None,
            build: 19041,
            global_flags: 2,
            index: 1,
            large: Vec::new(),
            ranges: Vec::new(),
            heap_key: 0x3c5a_96e1_7d24_b08f,
            lfh_key: 0x0f1e_2d3c_9a8b_7c6d,
            lfh_shift: LfhShift::Truncated,
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
    /// The OS build whose layout is used (19041-19045, or 22000-22631 on x64).
    pub fn os_build(mut self, build: u32) -> SegmentHeapBuilder {
        self.build = build;
        self
    }
    /// `HeapKey` and `LfhKey` (x86: their low 32 bits).
    pub fn keys(mut self, heap_key: u64, lfh_key: u64) -> SegmentHeapBuilder {
        self.heap_key = heap_key;
        self.lfh_key = lfh_key;
        self
    }
    /// How LFH block offsets are keyed with the address (default [`LfhShift::Truncated`]).
    pub fn lfh_shift(mut self, s: LfhShift) -> SegmentHeapBuilder {
        self.lfh_shift = s;
        self
    }
    /// Where the page segments go (1 MiB aligned; default: 16 MiB above the heap, rounded up).
    pub fn segment_base(mut self, a: u64) -> SegmentHeapBuilder {
        self.segment_base = Some(a);
        self
    }
    /// A VS subsegment with these chunks: `(busy, requested or free user bytes)`; a free chunk
    /// fills the rest of its last page, and free neighbours are one chunk (as the heap
    /// coalesces them).
    pub fn vs(mut self, chunks: Vec<(bool, u64)>) -> SegmentHeapBuilder {
        self.ranges.push(RangeSpec::Vs(chunks));
        self
    }
    /// An LFH subsegment of `block_size`-byte blocks: `Some(requested)` busy, `None` free;
    /// the subsegment is filled up with free blocks.
    pub fn lfh(mut self, block_size: u64, blocks: Vec<Option<u64>>) -> SegmentHeapBuilder {
        self.ranges.push(RangeSpec::Lfh(block_size, blocks));
        self
    }
    /// A back-end allocation of `size` bytes (whole pages, the rest unused).
    pub fn backend(mut self, size: u64) -> SegmentHeapBuilder {
        self.ranges.push(RangeSpec::Backend(size));
        self
    }
    /// A free range of `pages` pages.
    pub fn free_pages(mut self, pages: u64) -> SegmentHeapBuilder {
        self.ranges.push(RangeSpec::Free(pages));
        self
    }

    fn key(&self, k: u64) -> u64 {
        match self.width {
            PointerWidth::Bits32 => k & 0xffff_ffff,
            PointerWidth::Bits64 => k,
        }
    }

    /// Units (pages) a range takes.
    fn units_of(&self, l: &SegmentHeapLayout, spec: &RangeSpec) -> Result<u64, BuildError> {
        Ok(match spec {
            RangeSpec::Vs(chunks) => {
                let unit = l.chunk_header_size;
                let mut total = l.vs_first_chunk();
                for (_, r) in chunks {
                    total = add(total, vs_chunk_size(unit, *r)?)?;
                }
                let mut pages = total.div_ceil(PAGE_SIZE).max(1);
                let rest = mul(pages, PAGE_SIZE)?.saturating_sub(total);
                if rest > 0 && rest < mul(unit, 2)? {
                    pages = pages.saturating_add(1);
                }
                pages
            }
            RangeSpec::Lfh(bs, blocks) => lfh_geometry(l, *bs, blocks.len())?.0,
            RangeSpec::Backend(size) => size.div_ceil(PAGE_SIZE).max(1),
            RangeSpec::Free(pages) => (*pages).max(1),
        })
    }

    /// Write a range's subsegment; its blocks go to `blocks`. Returns its flags and the
    /// `UnusedBytes` of its descriptor.
    fn write_range(
        &self,
        l: &SegmentHeapLayout,
        spec: &RangeSpec,
        start: u64,
        region: &mut [u8],
        blocks: &mut Vec<BuiltBlock>,
    ) -> Result<(u8, u64), BuildError> {
        let w = l.width;
        let p = usize::try_from(w.bytes()).map_err(|_| err("width"))?;
        let len = u64::try_from(region.len()).map_err(|_| err("size"))?;
        match spec {
            RangeSpec::Vs(chunks) => {
                let unit = l.chunk_header_size;
                let end_units = len.checked_div(unit).ok_or(err("unit"))?;
                put(region, l.vs_size, end_units, 2)?;
                let sig = (u64::from(VS_SUBSEGMENT_XOR) ^ end_units) & 0x7fff;
                put(region, l.vs_signature, sig, 2)?;
                let mut off = l.vs_first_chunk();
                let mut prev = 0u64;
                let mut list: Vec<(bool, u64, Option<u64>)> = chunks
                    .iter()
                    .map(|(b, r)| Ok((*b, vs_chunk_size(unit, *r)?, b.then_some(*r))))
                    .collect::<Result<_, BuildError>>()?;
                let used = list.iter().fold(off, |a, c| a.saturating_add(c.1));
                if used < len {
                    list.push((false, len.saturating_sub(used), None));
                }
                // The heap coalesces free neighbours.
                let mut merged: Vec<(bool, u64, Option<u64>)> = Vec::new();
                for c in list {
                    match merged.last_mut() {
                        Some(last) if !last.0 && !c.0 => last.1 = last.1.saturating_add(c.1),
                        _ => merged.push(c),
                    }
                }
                let list = merged;
                for (busy, size, requested) in list {
                    let c = add(start, off)?;
                    let units = size.checked_div(unit).ok_or(err("unit"))?;
                    let sizes = VsChunkSizes {
                        size: u16::try_from(units).map_err(|_| err("VS chunk too large"))?,
                        prev_size: u16::try_from(prev).map_err(|_| err("VS chunk too large"))?,
                        allocated: u8::from(busy),
                        memory_cost: 1,
                    };
                    put(region, off, sizes.encode(w, c, self.key(self.heap_key)), p)?;
                    let cap = size.saturating_sub(unit);
                    if let Some(r) = requested
                        && r < cap
                    {
                        put(region, add(off, l.chunk_allocated_bits)?, 0x100, 4)?;
                        tail(region, add(off, size)?, cap.saturating_sub(r))?;
                    }
                    blocks.push(BuiltBlock {
                        kind: SegmentBlockKind::Vs,
                        address: c,
                        user_address: add(c, unit)?,
                        size,
                        busy,
                        requested,
                    });
                    off = add(off, size)?;
                    prev = units;
                }
                Ok((0x0f, 0))
            }
            RangeSpec::Lfh(bs, wanted) => {
                let (_, count, fo) = lfh_geometry(l, *bs, wanted.len())?;
                put(region, l.lfh_block_count, count, 2)?;
                let free = wanted.iter().filter(|b| b.is_none()).count();
                let free = u64::try_from(free).map_err(|_| err("count"))?;
                let extra =
                    count.saturating_sub(u64::try_from(wanted.len()).map_err(|_| err("count"))?);
                put(region, l.lfh_free_count, free.saturating_add(extra), 2)?;
                let plain = u32::try_from(*bs | (fo << 16)).map_err(|_| err("LFH offsets"))?;
                let enc = lfh_block_offsets(plain, start, self.lfh_key, self.lfh_shift);
                put(region, l.lfh_block_offsets, u64::from(enc), 4)?;
                for i in 0..count {
                    let want = usize::try_from(i)
                        .ok()
                        .and_then(|i| wanted.get(i))
                        .copied()
                        .flatten();
                    let off = add(fo, mul(i, *bs)?)?;
                    let mut bits = 0u8;
                    if let Some(r) = want {
                        bits = 1;
                        if r < *bs {
                            bits |= 2;
                            tail(region, add(off, *bs)?, bs.saturating_sub(r))?;
                        }
                    }
                    let byte = add(l.lfh_block_bitmap, i / 4)?;
                    let bo = usize::try_from(byte).map_err(|_| err("offset"))?;
                    let shift = u32::try_from(i % 4)
                        .map_err(|_| err("bit"))?
                        .saturating_mul(2);
                    let slot = region.get_mut(bo).ok_or(err("bitmap"))?;
                    *slot |= bits.checked_shl(shift).unwrap_or(0);
                    let a = add(start, off)?;
                    blocks.push(BuiltBlock {
                        kind: SegmentBlockKind::Lfh,
                        address: a,
                        user_address: a,
                        size: *bs,
                        busy: want.is_some(),
                        requested: want,
                    });
                }
                Ok((0x0b, 0))
            }
            RangeSpec::Backend(size) => {
                let unused = len.saturating_sub(*size);
                blocks.push(BuiltBlock {
                    kind: SegmentBlockKind::Backend,
                    address: start,
                    user_address: start,
                    size: len,
                    busy: true,
                    requested: Some(*size),
                });
                Ok((0x03, unused))
            }
            RangeSpec::Free(_) => {
                blocks.push(BuiltBlock {
                    kind: SegmentBlockKind::Backend,
                    address: start,
                    user_address: start,
                    size: len,
                    busy: false,
                    requested: None,
                });
                Ok((0x02, 0))
            }
        }
    }

    /// Lay it out.
    pub fn build(self) -> Result<SynthSegmentHeap, BuildError> {
        let w = self.width;
        let l = SegmentHeapLayout::for_build(w, self.build).ok_or(err("layout"))?;
        let p = usize::try_from(w.bytes()).map_err(|_| err("width"))?;
        let pw = w.bytes();
        if self.large.len() > 64 {
            return Err(err("more than 64 large allocations"));
        }
        let heap_key = self.key(self.heap_key);
        let lfh_key = self.lfh_key & 0xffff_ffff;
        let meta = add(self.address, 0x1_0000)?;
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
            let bytes = mul(pages, PAGE_SIZE)?;
            let unused = bytes.checked_sub(*s).ok_or(err("size"))?;
            if unused > 0xffff {
                return Err(err("unused bytes above 0xffff"));
            }
            let addr = add(self.large_base, mul(i, 0x100_0000)?)?;
            let node = mul(i, node_size)?;
            put(
                &mut mp,
                add(node, l.large_virtual_address)?,
                addr | unused,
                p,
            )?;
            put(&mut mp, add(node, l.large_allocated_pages)?, pages << 12, p)?;
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
            add(l.mem_stats, pw)?,
            pages_total.saturating_add(0x10),
            p,
        )?;

        // Page segments of context 0: ranges placed in order, a free range after the last.
        let seg_size = UNITS << SHIFT0;
        let header_units = mul(l.descriptor_size, UNITS)?.div_ceil(1 << SHIFT0);
        let seg_base = match self.segment_base {
            Some(b) => b,
            None => add(self.address, 0x100_0000)?
                .div_ceil(seg_size)
                .saturating_mul(seg_size),
        };
        if !seg_base.is_multiple_of(seg_size) {
            return Err(err("segment base not 1 MiB aligned"));
        }
        let seg_len = usize::try_from(seg_size).map_err(|_| err("size"))?;
        // (address, bytes, units used, blocks)
        let mut segs: Vec<(u64, Vec<u8>, u64, Vec<BuiltBlock>)> = Vec::new();
        for spec in &self.ranges {
            let units = self.units_of(&l, spec)?;
            if units > UNITS.saturating_sub(header_units) {
                return Err(err("range larger than a page segment"));
            }
            if segs
                .last()
                .is_none_or(|s| s.2.saturating_add(units) > UNITS)
            {
                let n = u64::try_from(segs.len()).map_err(|_| err("count"))?;
                let a = add(seg_base, mul(n, seg_size)?)?;
                segs.push((a, vec![0u8; seg_len], header_units, Vec::new()));
            }
            let (seg, buf, used, blocks) = segs.last_mut().ok_or(err("segment"))?;
            let start = add(*seg, *used << SHIFT0)?;
            let off = usize::try_from(*used << SHIFT0).map_err(|_| err("offset"))?;
            let len = usize::try_from(units << SHIFT0).map_err(|_| err("size"))?;
            let region = buf
                .get_mut(off..off.saturating_add(len))
                .ok_or(err("range outside its segment"))?;
            let (flags, unused) = self.write_range(&l, spec, start, region, blocks)?;
            descriptor(&l, buf, *used, units, flags, unused)?;
            *used = used.saturating_add(units);
        }
        let mut all_blocks = Vec::new();
        for (a, buf, used, blocks) in &mut segs {
            all_blocks.append(blocks);
            if *used < UNITS {
                let units = UNITS.saturating_sub(*used);
                descriptor(&l, buf, *used, units, 0x02, 0)?;
                let t = add(*a, *used << SHIFT0)?;
                all_blocks.push(BuiltBlock {
                    kind: SegmentBlockKind::Backend,
                    address: t,
                    user_address: t,
                    size: units << SHIFT0,
                    busy: false,
                    requested: None,
                });
            }
        }
        let ctx0 = l.seg_context(self.address, 0).ok_or(err("address"))?;
        // Contexts: 0 with the segments, 1 empty.
        for (i, shift) in [(0u64, SHIFT0), (1, SHIFT1)] {
            let ctx = l.seg_context(self.address, i).ok_or(err("address"))?;
            let o = ctx.checked_sub(self.address).ok_or(err("address"))?;
            let size = UNITS << shift;
            let mask = match w {
                PointerWidth::Bits32 => !(size.saturating_sub(1)) & 0xffff_ffff,
                PointerWidth::Bits64 => !(size.saturating_sub(1)),
            };
            put(&mut hp, add(o, l.ctx_segment_mask)?, mask, p)?;
            put(&mut hp, add(o, l.ctx_unit_shift)?, u64::from(shift), 1)?;
            let first = mul(l.descriptor_size, UNITS)?.div_ceil(1 << shift);
            put(&mut hp, add(o, l.ctx_first_descriptor_index)?, first, 1)?;
            put(&mut hp, add(o, l.ctx_heap)?, self.address, p)?;
            let head = add(ctx, l.ctx_segment_list_head)?;
            let ho = add(o, l.ctx_segment_list_head)?;
            let list: Vec<u64> = if i == 0 {
                segs.iter().map(|s| s.0).collect()
            } else {
                Vec::new()
            };
            put(
                &mut hp,
                add(o, l.ctx_segment_count)?,
                u64::try_from(list.len()).map_err(|_| err("count"))?,
                p,
            )?;
            put(&mut hp, ho, list.first().copied().unwrap_or(head), p)?;
            put(
                &mut hp,
                add(ho, pw)?,
                list.last().copied().unwrap_or(head),
                p,
            )?;
            for (j, (a, buf, _, _)) in segs.iter_mut().enumerate().filter(|_| i == 0) {
                let next = list.get(j.saturating_add(1)).copied().unwrap_or(head);
                let prev = j
                    .checked_sub(1)
                    .and_then(|k| list.get(k))
                    .copied()
                    .unwrap_or(head);
                put(buf, 0, next, p)?;
                put(buf, pw, prev, p)?;
                let s = page_segment_signature(w, *a, ctx0, heap_key, PAGE_SEGMENT_CONSTANT);
                put(buf, l.page_segment_signature, s, p)?;
            }
        }
        let mut memory = SynthMemory::default();
        memory.regions.push((self.address, hp));
        memory.regions.push((meta, mp));
        let seg_list: Vec<u64> = segs.iter().map(|s| s.0).collect();
        memory
            .regions
            .extend(segs.into_iter().map(|(a, b, _, _)| (a, b)));
        Ok(SynthSegmentHeap {
            address: self.address,
            layout: l,
            large,
            blocks: all_blocks,
            segments: seg_list,
            heap_key,
            lfh_key,
            memory,
        })
    }
}

/// A VS chunk's bytes for `r` user bytes: header plus data, in header units, at least two.
fn vs_chunk_size(unit: u64, r: u64) -> Result<u64, BuildError> {
    let n = add(r, unit)?.div_ceil(unit.max(1)).max(2);
    mul(n, unit)
}

/// An LFH subsegment for `n` wanted blocks of `bs` bytes: (pages, block count filling them,
/// first block offset right after the bitmap).
fn lfh_geometry(l: &SegmentHeapLayout, bs: u64, n: usize) -> Result<(u64, u64, u64), BuildError> {
    let gran = l.chunk_header_size;
    if bs < gran || !bs.is_multiple_of(gran) || bs > 0x4000 {
        return Err(err("LFH block size"));
    }
    let n = u64::try_from(n).map_err(|_| err("count"))?.max(1);
    let fo = |count: u64| {
        l.lfh_block_bitmap
            .saturating_add(count.saturating_mul(2).div_ceil(8))
            .div_ceil(gran)
            .saturating_mul(gran)
    };
    let pages = add(fo(n), mul(n, bs)?)?.div_ceil(PAGE_SIZE);
    let room = mul(pages, PAGE_SIZE)?;
    let mut count = n;
    while add(
        fo(count.saturating_add(1)),
        mul(count.saturating_add(1), bs)?,
    )? <= room
    {
        count = count.saturating_add(1);
    }
    if count > 0xffff {
        return Err(err("LFH block count"));
    }
    Ok((pages, count, fo(count)))
}

/// `_HEAP_LFH_UNUSED_BYTES_INFO` in the last two bytes before `end` (one unused byte: only
/// the high byte, `OneByteUnused`).
fn tail(region: &mut [u8], end: u64, unused: u64) -> Result<(), BuildError> {
    let at = end.checked_sub(2).ok_or(err("offset"))?;
    if unused == 1 {
        put(region, add(at, 1)?, 0x80, 1)
    } else {
        put(region, at, unused & 0x3fff, 2)
    }
}

/// The descriptors of a range of `units` units from unit `first`.
fn descriptor(
    l: &SegmentHeapLayout,
    buf: &mut [u8],
    first: u64,
    units: u64,
    flags: u8,
    unused: u64,
) -> Result<(), BuildError> {
    // x86 keeps CommittedPageCount in the flag byte's top bits: set some to test the mask.
    let high = if l.range_flags_mask == 0x1f { 0x60 } else { 0 };
    for k in 0..units {
        let d = mul(add(first, k)?, l.descriptor_size)?;
        let (f, u) = if k == 0 {
            (flags | high, units)
        } else {
            (high, k)
        };
        put(buf, add(d, l.desc_range_flags)?, u64::from(f), 1)?;
        put(buf, add(d, l.desc_unit_size)?, u & 0xff, 1)?;
        if k == 0 {
            put(buf, add(d, l.desc_unused_bytes)?, unused, 4)?;
        }
    }
    Ok(())
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
