//! Synthetic segment-heap kernel pool (feature `synth`; x64 build 17763+, x86 18362+): `nt!ExPoolState`
//! with one heap, `nt!RtlpHpHeapGlobals` with its keys, the `_SEGMENT_HEAP` with its two
//! segment contexts, and one page segment holding an LFH subsegment (one page) and a VS
//! subsegment (`vs_pages` pages), with encoded offsets, encoded chunk headers and a
//! `_POOL_HEADER` in every block; the rest of the segment is a free range.

use crate::layout::{Arch, Field, KernelBuild};

use super::pool_header::{PoolHeader, pool_unit};
use super::segment_heap::{
    SEGMENT_HEAP_SIGNATURE, VS_SUBSEGMENT_KEY, VsChunkSizes, encode_lfh_offsets,
    encode_page_segment_signature, range_flags,
};
use super::segment_heap_layout::SegmentHeapLayouts;
use super::synth::SynthKernel;

/// One LFH block (all of the subsegment's block size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthLfhBlock {
    /// Tag as stored.
    pub tag: u32,
    /// Free (bitmap bit clear; the header keeps the tag, pool type 0).
    pub free: bool,
}

/// One VS chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthVsChunk {
    /// Tag as stored.
    pub tag: u32,
    /// Pool block size in bytes, `_POOL_HEADER` included (rounded up to the pool unit: 16 on
    /// x64, 8 on x86).
    pub size: u64,
    /// Free chunk.
    pub free: bool,
}

/// What to lay out; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSegmentHeap {
    /// Address of `nt!ExPoolState`.
    pub state: u64,
    /// Address of `nt!RtlpHpHeapGlobals`.
    pub globals: u64,
    /// Address of the `_SEGMENT_HEAP`.
    pub heap: u64,
    /// Address of the page segment (1 MiB aligned; below 4 GiB on x86).
    pub segment: u64,
    /// `HeapKey`.
    pub heap_key: u64,
    /// `LfhKey`.
    pub lfh_key: u64,
    /// Paged pool (`PoolNode[0].Heaps[2]`) rather than non-paged (`Heaps[0]`).
    pub paged: bool,
    /// LFH block size in bytes (a multiple of the pool unit, one unit..=0x800).
    pub lfh_block_size: u64,
    /// The first LFH blocks; the rest of the page's blocks are free.
    pub lfh_blocks: Vec<SynthLfhBlock>,
    /// VS subsegment pages (1..=200).
    pub vs_pages: u64,
    /// The VS chunks in order; the rest of the subsegment is one free chunk.
    pub vs_chunks: Vec<SynthVsChunk>,
}

/// Where [`SynthKernel::add_segment_heap_pool`] put things.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthSegmentPlaced {
    /// The LFH subsegment.
    pub lfh_subsegment: u64,
    /// Every LFH block (its `_POOL_HEADER`).
    pub lfh_blocks: Vec<u64>,
    /// The VS subsegment.
    pub vs_subsegment: u64,
    /// The `_POOL_HEADER` of every VS chunk laid out (given ones, then the free tail).
    pub vs_blocks: Vec<u64>,
}

fn us(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

fn put(buf: &mut [u8], at: u64, field: Option<Field>, n: usize, v: u64) {
    let o = us(at.saturating_add(field.map_or(0, |f| f.off())));
    let le = v.to_le_bytes();
    if let (Some(d), Some(s)) = (
        o.checked_add(n).and_then(|e| buf.get_mut(o..e)),
        le.get(..n),
    ) {
        d.copy_from_slice(s);
    }
}

fn put_bytes(buf: &mut [u8], at: u64, bytes: &[u8]) {
    let o = us(at);
    if let Some(d) = o.checked_add(bytes.len()).and_then(|e| buf.get_mut(o..e)) {
        d.copy_from_slice(bytes);
    }
}

/// The largest `_POOL_HEADER.BlockSize` (x64 8 bits, x86 9 bits).
fn max_block_units(arch: Arch) -> u16 {
    match arch {
        Arch::X64 => 0xff,
        Arch::X86 => 0x1ff,
    }
}

fn header(arch: Arch, tag: u32, size: u64, free: bool, paged: bool) -> Vec<u8> {
    PoolHeader {
        previous_size: 0,
        pool_index: 0,
        block_size: u16::try_from(size.checked_div(pool_unit(arch)).unwrap_or(0)).unwrap_or(0)
            & max_block_units(arch),
        pool_type: if free { 0 } else { 2 | u8::from(paged) },
        tag,
    }
    .encode(arch)
}

impl SynthKernel {
    /// Lay out a segment-heap pool (see the module documentation) and set the context's
    /// `pool_state`, `heap_key` and `lfh_key`; the segment's pages become a pool range. Nothing
    /// is written for a build without segment-heap layouts.
    pub fn add_segment_heap_pool(&mut self, p: &SynthSegmentHeap) -> SynthSegmentPlaced {
        let b: KernelBuild = self.context.build;
        let Some(l) = SegmentHeapLayouts::for_build(b) else {
            return SynthSegmentPlaced::default();
        };
        let mut placed = SynthSegmentPlaced::default();
        let arch = b.arch;
        let psz = us(arch.pointer_size());
        let ptr_mask = if psz == 4 { 0xffff_ffffu64 } else { u64::MAX };
        let unit = pool_unit(arch);
        // ExPoolState and the globals.
        let mut state = vec![0u8; us(u64::from(l.pool_state.size))];
        put(&mut state, 0, l.pool_state.number_of_pools, 4, 1);
        let slot = if p.paged { 2u64 } else { 0 };
        let node0 = l.pool_state.pool_node.map_or(0, |f| f.off());
        put(
            &mut state,
            node0.saturating_add(slot.saturating_mul(arch.pointer_size())),
            l.pool_node.heaps,
            psz,
            p.heap,
        );
        self.memory.insert(p.state, state);
        let mut g = vec![0u8; us(u64::from(l.globals.size))];
        put(&mut g, 0, l.globals.heap_key, psz, p.heap_key);
        put(&mut g, 0, l.globals.lfh_key, psz, p.lfh_key);
        self.memory.insert(p.globals, g);
        // The heap and its two segment contexts.
        let mut heap = vec![0u8; us(u64::from(l.heap.size))];
        put(
            &mut heap,
            0,
            l.heap.signature,
            4,
            u64::from(SEGMENT_HEAP_SIGNATURE),
        );
        let ctx0 = l.heap.seg_contexts.map_or(0, |f| f.off());
        let csz = u64::from(l.seg_context.size);
        let head_off = l.seg_context.segment_list_head.map_or(0, |f| f.off());
        // The segment header's pages (256 descriptors: x64 2, x86 1) come first.
        let hdr_pages = u64::from(l.page_segment.size).div_ceil(0x1000).max(1);
        for (i, (mask, shift, first)) in [(!0xF_FFFFu64, 12u64, hdr_pages), (!0xFF_FFFF, 16, 1)]
            .into_iter()
            .enumerate()
        {
            let c = ctx0.saturating_add(csz.saturating_mul(i as u64));
            put(
                &mut heap,
                c,
                l.seg_context.segment_mask,
                psz,
                mask & ptr_mask,
            );
            put(&mut heap, c, l.seg_context.unit_shift, 1, shift);
            put(&mut heap, c, l.seg_context.first_descriptor_index, 1, first);
            put(&mut heap, c, l.seg_context.heap, psz, p.heap);
            let head = p.heap.saturating_add(c).saturating_add(head_off);
            let link = if i == 0 { p.segment } else { head };
            put(&mut heap, c.saturating_add(head_off), None, psz, link);
            put(
                &mut heap,
                c.saturating_add(head_off)
                    .saturating_add(arch.pointer_size()),
                None,
                psz,
                link,
            );
            put(
                &mut heap,
                c,
                l.seg_context.segment_count,
                psz,
                u64::from(i == 0),
            );
        }
        self.memory.insert(p.heap, heap);
        // The page segment: header (x64 2 pages, x86 1), LFH (1 page), VS (vs_pages).
        let vs_pages = p.vs_pages.clamp(1, 200);
        let lfh_unit = hdr_pages;
        let vs_unit = hdr_pages.saturating_add(1);
        let pages = vs_unit.saturating_add(vs_pages);
        let mut seg = vec![0u8; us(pages.saturating_mul(0x1000))];
        let ctx_addr = p.heap.saturating_add(ctx0);
        let head = ctx_addr.saturating_add(head_off);
        put(&mut seg, 0, None, psz, head);
        put(&mut seg, arch.pointer_size(), None, psz, head);
        put(
            &mut seg,
            0,
            l.page_segment.signature,
            psz,
            encode_page_segment_signature(b, p.segment, ctx_addr, p.heap_key),
        );
        let dsz = u64::from(l.range_descriptor.size);
        let desc = |seg: &mut Vec<u8>, i: u64, flags: u8, unit: u64| {
            let at = i.saturating_mul(dsz);
            put(seg, at, l.range_descriptor.range_flags, 1, u64::from(flags));
            put(seg, at, l.range_descriptor.unit_size, 1, unit);
        };
        use range_flags::{ALLOCATED, FIRST, LFH_SUBSEGMENT, VS_SUBSEGMENT};
        // First units carry the flags (0x0B LFH, 0x0F VS); the others only their UnitOffset.
        desc(&mut seg, lfh_unit, FIRST | ALLOCATED | LFH_SUBSEGMENT, 1);
        desc(
            &mut seg,
            vs_unit,
            FIRST | ALLOCATED | VS_SUBSEGMENT,
            vs_pages,
        );
        for k in 1..vs_pages {
            desc(&mut seg, k.saturating_add(vs_unit), 0, k);
        }
        let free0 = vs_pages.saturating_add(vs_unit);
        desc(&mut seg, free0, FIRST, 256u64.saturating_sub(free0));
        for k in 1..256u64.saturating_sub(free0) {
            desc(&mut seg, free0.saturating_add(k), 0, k);
        }
        // LFH subsegment.
        let lfh = lfh_unit.saturating_mul(0x1000);
        placed.lfh_subsegment = p.segment.saturating_add(lfh);
        let bs = p.lfh_block_size.clamp(unit, 0x800) & !(unit.saturating_sub(1));
        let bitmap_at = l.lfh_subsegment.block_bitmap.map_or(0x30, |f| f.off());
        let fo = bitmap_at
            .saturating_add(
                0x1000u64
                    .checked_div(bs)
                    .unwrap_or(0)
                    .saturating_mul(2)
                    .div_ceil(8),
            )
            .next_multiple_of(unit);
        let count = 0x1000u64.saturating_sub(fo).checked_div(bs).unwrap_or(0);
        put(&mut seg, lfh, l.lfh_subsegment.block_count, 2, count);
        let plain = u32::try_from(bs | (fo << 16)).unwrap_or(0);
        let enc = encode_lfh_offsets(plain, placed.lfh_subsegment, p.lfh_key);
        put(
            &mut seg,
            lfh,
            l.lfh_subsegment.block_offsets,
            4,
            u64::from(enc),
        );
        let mut free = 0u64;
        for i in 0..count {
            let blk = p.lfh_blocks.get(us(i)).copied().unwrap_or(SynthLfhBlock {
                tag: u32::from_le_bytes(*b"Free"),
                free: true,
            });
            let at = lfh.saturating_add(fo).saturating_add(i.saturating_mul(bs));
            put_bytes(&mut seg, at, &header(arch, blk.tag, bs, blk.free, p.paged));
            placed.lfh_blocks.push(p.segment.saturating_add(at));
            if blk.free {
                free = free.saturating_add(1);
            } else {
                let byte = lfh.saturating_add(bitmap_at).saturating_add(i / 4);
                if let Some(v) = seg.get_mut(us(byte)) {
                    *v |= 1u8
                        .checked_shl(u32::try_from(i % 4).unwrap_or(0).saturating_mul(2))
                        .unwrap_or(0);
                }
            }
        }
        put(&mut seg, lfh, l.lfh_subsegment.free_count, 2, free);
        // VS subsegment.
        let vs = vs_unit.saturating_mul(0x1000);
        placed.vs_subsegment = p.segment.saturating_add(vs);
        let vs_len = vs_pages.saturating_mul(0x1000);
        // x86 sizes are 15 bits of 8-byte units: a subsegment of at most 0x7FFF units.
        let units =
            vs_len
                .checked_div(unit)
                .unwrap_or(0)
                .min(if psz == 4 { 0x7fff } else { 0xffff });
        let vs_len = units.saturating_mul(unit);
        put(&mut seg, vs, l.vs_subsegment.size_field, 2, units);
        let sig = (units ^ u64::from(VS_SUBSEGMENT_KEY)) & 0x7fff;
        put(&mut seg, vs, l.vs_subsegment.signature, 2, sig);
        let key = p.heap_key;
        let chdr = u64::from(l.vs_chunk_header.size.max(8));
        let mut cur = u64::from(l.vs_subsegment.size).next_multiple_of(unit);
        let max_chunk = if psz == 4 { 0x7fff * 8 } else { 0xF_FFF0 };
        let mut prev = 0u16;
        let end = vs_len;
        let mut chunks: Vec<SynthVsChunk> = p.vs_chunks.clone();
        chunks.push(SynthVsChunk {
            tag: u32::from_le_bytes(*b"Free"),
            size: 0,
            free: true,
        });
        let last = chunks.len().saturating_sub(1);
        for (n, c) in chunks.into_iter().enumerate() {
            let room = end.saturating_sub(cur);
            let min = chdr.saturating_add(unit);
            let mut size = c.size.max(unit).next_multiple_of(unit).saturating_add(chdr);
            if n == last || room.saturating_sub(size) < min {
                size = room;
            }
            if !(min..=max_chunk).contains(&size) {
                break;
            }
            let u = u16::try_from(size.checked_div(unit).unwrap_or(0)).unwrap_or(0);
            let chunk_va = placed.vs_subsegment.saturating_add(cur);
            let hb = VsChunkSizes {
                units: u,
                prev_units: prev,
                allocated: !c.free,
            }
            .encode_for(arch, chunk_va, key);
            put(
                &mut seg,
                vs.saturating_add(cur),
                l.vs_chunk_header.sizes,
                psz,
                hb,
            );
            let rest = size.saturating_sub(chdr);
            let block = if c.free {
                rest
            } else {
                rest.min(c.size.max(unit).next_multiple_of(unit))
            };
            put_bytes(
                &mut seg,
                vs.saturating_add(cur).saturating_add(chdr),
                &header(
                    arch,
                    c.tag,
                    block.min(unit.saturating_mul(u64::from(max_block_units(arch)))),
                    c.free,
                    p.paged,
                ),
            );
            placed.vs_blocks.push(chunk_va.saturating_add(chdr));
            prev = u;
            cur = cur.saturating_add(size);
            if cur >= end {
                break;
            }
        }
        // Header pages (the descriptors) plus subsegments.
        self.memory.insert(p.segment, seg);
        self.context.pool_state = p.state;
        // The keys as `PoolContext::from_symbols` reads them (pointer-sized).
        self.context.heap_key = Some(p.heap_key & ptr_mask);
        self.context.lfh_key = Some(p.lfh_key & ptr_mask);
        self.pool_ranges.push((
            p.segment,
            p.segment.saturating_add(pages.saturating_mul(0x1000)),
        ));
        placed
    }
}

/// A segment-heap pool built by [`SynthKernel::add_segment_heap_pool`] for x64 build 19041
/// (`ExPoolState` at 0xFFFFF800`02900000, `RtlpHpHeapGlobals` at 0xFFFFF800`029F0000, a
/// non-paged heap, `Leak` blocks in its LFH and VS subsegments), plus a big page table (at
/// 0xFFFFC000`03000000, 64 entries) holding one large 0x5000-byte `Leak` allocation at
/// 0xFFFFC000`04000000, which has no header.
pub fn segment_heap_example() -> (SynthKernel, SynthSegmentPlaced) {
    segment_heap_example_for(Arch::X64)
}

/// [`segment_heap_example`] for `arch`: on x86, build 19041 with 32-bit addresses
/// (`ExPoolState` at 0x82900000, `RtlpHpHeapGlobals` at 0x829F0000, the heap at 0x91000000, the
/// segment at 0x92000000, the big page table at 0x93000000 and the large allocation at
/// 0x94000000) and 32-bit keys.
pub fn segment_heap_example_for(arch: Arch) -> (SynthKernel, SynthSegmentPlaced) {
    let x86 = arch == Arch::X86;
    let a = |x64: u64, x86v: u64| if x86 { x86v } else { x64 };
    let mut k = SynthKernel::new(KernelBuild::new(arch, 19041));
    let tag = |s: &[u8; 4]| u32::from_le_bytes(*s);
    let placed = k.add_segment_heap_pool(&SynthSegmentHeap {
        state: a(0xFFFF_F800_0290_0000, 0x8290_0000),
        globals: a(0xFFFF_F800_029F_0000, 0x829F_0000),
        heap: a(0xFFFF_C000_0100_0000, 0x9100_0000),
        segment: a(0xFFFF_C000_0200_0000, 0x9200_0000),
        heap_key: a(0x5A5A_1234_DEAD_BEEF, 0xDEAD_BEEF),
        lfh_key: a(0x0BAD_F00D_1357_9BDF, 0x1357_9BDF),
        paged: false,
        lfh_block_size: 0x80,
        lfh_blocks: vec![
            SynthLfhBlock {
                tag: tag(b"Irp "),
                free: false,
            },
            SynthLfhBlock {
                tag: tag(b"Leak"),
                free: false,
            },
            SynthLfhBlock {
                tag: tag(b"Irp "),
                free: true,
            },
            SynthLfhBlock {
                tag: tag(b"File"),
                free: false,
            },
        ],
        vs_pages: 2,
        vs_chunks: vec![
            SynthVsChunk {
                tag: tag(b"Leak"),
                size: 0x2b0,
                free: false,
            },
            SynthVsChunk {
                tag: tag(b"MmCa"),
                size: 0x100,
                free: true,
            },
            SynthVsChunk {
                tag: tag(b"Leak"),
                size: 0x9f0,
                free: false,
            },
            SynthVsChunk {
                tag: tag(b"Ntfx"),
                size: 0x400,
                free: false,
            },
        ],
    });
    k.add_big_page_table(
        a(0xFFFF_C000_0300_0000, 0x9300_0000),
        64,
        &[super::synth::SynthBigPage {
            va: a(0xFFFF_C000_0400_0000, 0x9400_0000),
            tag: super::tag::PoolTag(tag(b"Leak")),
            size: 0x5000,
            paged: false,
        }],
    );
    (k, placed)
}

/// The example of [`segment_heap_example`] with `patches` applied: each 6 bytes are a region
/// index (byte), an offset in it (u32 LE) and a byte XORed there. For fuzzing and proptests.
pub fn segment_heap_mutated(patches: &[u8]) -> (SynthKernel, SynthSegmentPlaced) {
    segment_heap_mutated_for(Arch::X64, patches)
}

/// [`segment_heap_mutated`] of [`segment_heap_example_for`] `arch`.
pub fn segment_heap_mutated_for(arch: Arch, patches: &[u8]) -> (SynthKernel, SynthSegmentPlaced) {
    let (mut k, placed) = segment_heap_example_for(arch);
    let vas: Vec<u64> = k.memory.regions().map(|(va, _)| va).collect();
    for p in patches.chunks_exact(6) {
        let (Some(&r), Some(o), Some(&x)) = (
            p.first(),
            p.get(1..5)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_le_bytes),
            p.get(5),
        ) else {
            continue;
        };
        let Some(&va) = vas.get(usize::from(r).checked_rem(vas.len()).unwrap_or(0)) else {
            continue;
        };
        if let Some(region) = k.memory.region_mut(va) {
            let len = region.len().max(1);
            if let Some(b) = region.get_mut(us(u64::from(o)).checked_rem(len).unwrap_or(0)) {
                *b ^= x;
            }
        }
    }
    (k, placed)
}

/// Run every segment-heap reader (`!pool` at each of `addrs`, `!poolfind` with a pattern and an
/// exact tag); returns how many blocks they gave (so the work is not optimised away).
pub fn exercise_segment_heap<M: crate::memory::ReadMemory>(
    mem: M,
    ctx: super::context::PoolContext,
    limits: crate::limits::Limits,
    addrs: &[u64],
) -> usize {
    let pool = super::context::Pool::new(mem, ctx, limits);
    let mut n = 0usize;
    for &a in addrs {
        if let Ok(p) = pool.pool_page(a) {
            n = n.saturating_add(p.blocks.len());
        }
    }
    for pat in ["Leak", "I*"] {
        if let Ok(f) = pool.segment_pool_find(pat, &mut |_| true) {
            n = n.saturating_add(f.hits.len());
        }
    }
    n
}
