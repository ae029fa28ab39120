//! The segment-heap kernel pool (x64 17763+, x86 18362+): `!pool` in LFH and VS subsegments and
//! `!poolfind` over the heaps, on memory laid out by the `synth` builder, for both architectures
//! (each test runs on the x64 and the x86 example).
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]

use pooltrack::synth::{SynthKernel, SynthSegmentPlaced, segment_heap_example_for};
use pooltrack::{Arch, Error, Limits, Pool, PoolPageKind, PoolTag, TagDescriptions};

fn tag(s: &str) -> PoolTag {
    PoolTag::parse(s).unwrap()
}

fn pool(k: &SynthKernel) -> Pool<&pooltrack::synth::SynthMemory> {
    Pool::new(&k.memory, k.context.clone(), Limits::default())
}

const ARCHES: [Arch; 2] = [Arch::X64, Arch::X86];

fn example(arch: Arch) -> (SynthKernel, SynthSegmentPlaced) {
    segment_heap_example_for(arch)
}

/// Per architecture: (VS chunk header bytes, segment header pages, the example's heap, an
/// address in the example's large allocation, an address in no segment).
fn facts(arch: Arch) -> (u64, u64, u64, u64, u64) {
    match arch {
        Arch::X64 => (
            0x10,
            2,
            0xFFFF_C000_0100_0000,
            0xFFFF_C000_0400_1234,
            0xFFFF_C000_0900_0040,
        ),
        Arch::X86 => (8, 1, 0x9100_0000, 0x9400_1234, 0x9900_0040),
    }
}

#[test]
fn lfh_page_from_bitmap_and_encoded_offsets() {
    for arch in ARCHES {
        lfh_page(arch);
    }
}

fn lfh_page(arch: Arch) {
    let (k, pl) = example(arch);
    let p = pool(&k).pool_page(pl.lfh_blocks[1] + 0x18).unwrap();
    assert_eq!(
        p.kind,
        PoolPageKind::SegmentLfh {
            subsegment: pl.lfh_subsegment,
            block_size: 0x80
        }
    );
    assert_eq!(p.corrupt_at, None);
    // Every block of the page, in order, at the builder's addresses.
    let addrs: Vec<u64> = p.blocks.iter().map(|b| b.addr).collect();
    assert_eq!(addrs, pl.lfh_blocks);
    let held = p.holding_block().unwrap();
    assert_eq!(
        (held.addr, held.tag, held.free),
        (pl.lfh_blocks[1], tag("Leak"), false)
    );
    assert_eq!(p.blocks.iter().filter(|b| b.holds_address).count(), 1);
    assert!(p.blocks[2].free && p.blocks[2].tag == tag("Irp "));
    assert!(!p.blocks[3].free && p.blocks[3].tag == tag("File"));
    assert!(
        p.blocks
            .iter()
            .all(|b| b.size == 0x80 && b.previous_size == 0)
    );
    let text = p.windbg_text(arch, &TagDescriptions::builtin());
    assert!(text.starts_with("Pool page "), "{text}");
    let line = format!(
        "*{} size:   80 previous size:    0  (Allocated) *Leak",
        pooltrack::windbg_ptr(arch, pl.lfh_blocks[1])
    );
    assert!(text.contains(&line), "{text}");
}

#[test]
fn vs_page_from_encoded_chunk_headers() {
    for arch in ARCHES {
        vs_page(arch);
    }
}

fn vs_page(arch: Arch) {
    let (k, pl) = example(arch);
    // An address inside the third chunk's data.
    let p = pool(&k).pool_page(pl.vs_blocks[2] + 0x40).unwrap();
    assert_eq!(
        p.kind,
        PoolPageKind::SegmentVs {
            subsegment: pl.vs_subsegment
        }
    );
    assert_eq!(p.corrupt_at, None);
    let held = p.holding_block().unwrap();
    assert_eq!(
        (held.addr, held.tag, held.size),
        (pl.vs_blocks[2], tag("Leak"), 0x9f0)
    );
    let first = &p.blocks[0];
    assert_eq!(
        (first.addr, first.tag, first.size, first.free),
        (pl.vs_blocks[0], tag("Leak"), 0x2b0, false)
    );
    assert!(p.blocks[1].free && p.blocks[1].tag == tag("MmCa"));
    // Only chunks overlapping the page of the address.
    let page = (pl.vs_blocks[2] + 0x40) & !0xfff;
    assert!(p.blocks.iter().all(|b| b.addr < page + 0x1000));
}

#[test]
fn without_keys_or_outside_the_heap() {
    for arch in ARCHES {
        without_keys(arch);
    }
}

fn without_keys(arch: Arch) {
    let (k, pl) = example(arch);
    let (_, _, _, _, outside) = facts(arch);
    let mut ctx = k.context.clone();
    ctx.heap_key = None;
    let p = Pool::new(&k.memory, ctx, Limits::default())
        .pool_page(pl.lfh_blocks[0])
        .unwrap();
    assert_eq!(p.kind, PoolPageKind::SegmentHeap);
    assert!(p.blocks.is_empty());
    let p = pool(&k).pool_page(outside).unwrap();
    assert_eq!(p.kind, PoolPageKind::SegmentNotFound);
    // A wrong heap key: no segment's signature matches.
    let mut ctx = k.context.clone();
    ctx.heap_key = Some(1);
    let p = Pool::new(&k.memory, ctx, Limits::default())
        .pool_page(pl.lfh_blocks[0])
        .unwrap();
    assert_eq!(p.kind, PoolPageKind::SegmentNotFound);
}

#[test]
fn corrupt_and_missing_are_told_apart() {
    for arch in ARCHES {
        corrupt_and_missing(arch);
    }
}

fn corrupt_and_missing(arch: Arch) {
    let (chdr, hdr_pages, heap, _, _) = facts(arch);
    let (mut k, pl) = example(arch);
    // Flip a previous-size bit of the second VS chunk header (x64 bits 32..47, x86 16..30):
    // the walk stops there.
    let seg = pl.lfh_subsegment - hdr_pages * 0x1000;
    let chunk = pl.vs_blocks[1] - chdr;
    let r = k.memory.region_mut(seg).unwrap();
    r[(chunk - seg) as usize + if arch == Arch::X64 { 4 } else { 2 }] ^= 0x40;
    let p = pool(&k).pool_page(pl.vs_blocks[2]).unwrap();
    assert_eq!(p.corrupt_at, Some(chunk));
    // A wrong LFH key: the offsets do not decode.
    let (k2, pl2) = example(arch);
    let mut ctx = k2.context.clone();
    ctx.lfh_key = Some(0);
    let p = Pool::new(&k2.memory, ctx, Limits::default())
        .pool_page(pl2.lfh_blocks[0])
        .unwrap();
    assert!(p.corrupt_at.is_some() && p.blocks.is_empty());
    // The heap not in the dump: "not captured", not corrupt.
    let (mut k3, pl3) = example(arch);
    let regions: Vec<(u64, Vec<u8>)> = k3.memory.clone().into_regions();
    k3.memory = pooltrack::synth::SynthMemory::new();
    for (va, b) in regions {
        if va != heap {
            k3.memory.insert(va, b);
        }
    }
    let p = pool(&k3).pool_page(pl3.lfh_blocks[0]).unwrap();
    assert_eq!(p.kind, PoolPageKind::SegmentNotFound);
    let mut ctx = k3.context.clone();
    ctx.pool_state = 0x1000;
    let e = Pool::new(&k3.memory, ctx, Limits::default())
        .pool_page(pl3.lfh_blocks[0])
        .unwrap_err();
    assert!(e.is_not_captured(), "{e}");
    assert!(matches!(e, Error::Memory(_)));
}

#[test]
fn poolfind_over_the_segment_heap() {
    for arch in ARCHES {
        poolfind(arch);
    }
}

fn poolfind(arch: Arch) {
    let (k, pl) = example(arch);
    let f = pool(&k).segment_pool_find("Leak", &mut |_| true).unwrap();
    let mut got: Vec<u64> = f.hits.iter().filter(|h| !h.large).map(|h| h.addr).collect();
    got.sort_unstable();
    let mut want = vec![pl.lfh_blocks[1], pl.vs_blocks[0], pl.vs_blocks[2]];
    want.sort_unstable();
    assert_eq!(got, want);
    assert!(f.hits.iter().all(|h| !h.free && h.tag == tag("Leak")));
    assert_eq!(f.hits.iter().filter(|h| h.large).count(), 1);
    assert!(!f.stopped_early);
    // A pattern: every allocated or free block whose tag matches.
    let f = pool(&k).segment_pool_find("Irp?", &mut |_| true).unwrap();
    assert_eq!(f.hits.len(), 2);
    assert_eq!(f.hits.iter().filter(|h| h.free).count(), 1);
}

#[test]
fn large_allocation_from_the_big_page_table_and_region_from_the_heap() {
    for arch in ARCHES {
        large_allocation(arch);
    }
}

fn large_allocation(arch: Arch) {
    let (_, _, _, large, _) = facts(arch);
    let (k, pl) = example(arch);
    let p = pool(&k).pool_page(large).unwrap();
    assert!(matches!(p.kind, PoolPageKind::Large(e) if e.tag == tag("Leak") && e.size == 0x5000));
    let p = pool(&k).pool_page(pl.lfh_blocks[0]).unwrap();
    assert_eq!(p.region, Some("Nonpaged pool"));
    let f = pool(&k).segment_pool_find("Leak", &mut |_| true).unwrap();
    assert_eq!(f.hits.iter().filter(|h| h.large).count(), 1);
}

/// The corpus 22000 kernel ISF, decompressed; `None` (with a SKIP line) when absent.
#[cfg(feature = "isf")]
fn isf_22000() -> Option<Vec<u8>> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/kernel-layouts/win11-22000-x64-ntkrnlmp-0CE4A95C.isf.json.xz");
    let Ok(xz) = std::fs::read(&p) else {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIP: win11-22000 ISF not in the corpus\n",
        );
        return None;
    };
    let mut json = Vec::new();
    lzma_rs::xz_decompress(&mut &xz[..], &mut json).unwrap();
    Some(json)
}

/// The walk with the layouts of the real Windows 11 22000 ISF (through `Pool::use_layouts`)
/// on a pool laid out for 22000: the ISF-derived tables are the ones the walk uses.
#[cfg(feature = "isf")]
#[test]
fn walk_with_the_22000_isf_layouts() {
    use pooltrack::synth::{SynthLfhBlock, SynthSegmentHeap, SynthVsChunk};
    let Some(json) = isf_22000() else {
        return;
    };
    let isf = pooltrack::KernelLayouts::from_isf_json(&json).unwrap();
    let b = pooltrack::KernelBuild::new(Arch::X64, 22000);
    // The tables derived from the ISF agree with the built-in ones (offsets, type sizes).
    let ours = pooltrack::SegmentHeapLayouts::for_build(b).unwrap();
    let mut derived = ours;
    derived.update_from(&isf);
    for (o, d) in ours
        .type_layouts()
        .iter()
        .zip(derived.type_layouts().iter())
    {
        assert_eq!((&o.name, o.size), (&d.name, d.size));
        for (name, f) in &o.fields {
            assert_eq!(f.offset, d.fields[name].offset, "{}.{name}", o.name);
        }
    }
    let mut k = SynthKernel::new(b);
    let leak = u32::from_le_bytes(*b"Leak");
    let pl = k.add_segment_heap_pool(&SynthSegmentHeap {
        state: 0xFFFF_F800_0290_0000,
        globals: 0xFFFF_F800_029F_0000,
        heap: 0xFFFF_C000_0100_0000,
        segment: 0xFFFF_C000_0200_0000,
        heap_key: 0x1111_2222_3333_4444,
        lfh_key: 0x5555_6666_7777_8888,
        paged: true,
        lfh_block_size: 0x40,
        lfh_blocks: vec![SynthLfhBlock {
            tag: leak,
            free: false,
        }],
        vs_pages: 1,
        vs_chunks: vec![SynthVsChunk {
            tag: leak,
            size: 0x200,
            free: false,
        }],
    });
    let mut pool = pool(&k);
    pool.use_layouts(&isf);
    let p = pool.pool_page(pl.vs_blocks[0] + 0x20).unwrap();
    assert_eq!(p.holding_block().unwrap().tag, tag("Leak"));
    assert_eq!(p.region, Some("Paged pool"));
    let p = pool.pool_page(pl.lfh_blocks[0]).unwrap();
    assert_eq!(p.holding_block().unwrap().size, 0x40);
}

/// x86 17763 keeps the classic pool (its kernel has no `_EX_POOL_HEAP_MANAGER_STATE`): no
/// segment-heap tables, and `!pool` walks the page's header chain; 18362 is the segment heap.
#[test]
fn x86_segment_heap_from_18362() {
    use pooltrack::synth::SynthBlock;
    assert!(
        pooltrack::SegmentHeapLayouts::for_build(pooltrack::KernelBuild::new(Arch::X86, 17763))
            .is_none()
    );
    assert!(
        pooltrack::SegmentHeapLayouts::for_build(pooltrack::KernelBuild::new(Arch::X86, 18362))
            .is_some()
    );
    let mut k = SynthKernel::new(pooltrack::KernelBuild::new(Arch::X86, 17763));
    let va = 0x8600_0000u64;
    let blk = |t: &[u8; 4]| SynthBlock {
        tag: u32::from_le_bytes(*t),
        size: 0x40,
        free: false,
        paged: false,
    };
    k.add_pool_page(va, &[blk(b"Even"), blk(b"Leak")]);
    let p = pool(&k).pool_page(va + 0x48).unwrap();
    assert_eq!(p.kind, PoolPageKind::Small);
    assert_eq!(p.holding_block().unwrap().tag, tag("Leak"));
    let k = SynthKernel::new(pooltrack::KernelBuild::new(Arch::X86, 18362));
    let p = pool(&k).pool_page(va + 0x48).unwrap();
    assert_eq!(p.kind, PoolPageKind::SegmentHeap);
}

/// The page segment signature: `segment ^ SegContext ^ HeapKey ^ 0xA2E64EADA2E64EAD` as the
/// builder writes it (ntdll's `RtlpHpSegHeapAddSegment`); the later form
/// `heap ^ HeapKey ^ (segment >> 20) ^ constant` is found as well; anything else is not.
#[test]
fn page_segment_signature_forms() {
    use pooltrack::{KernelBuild, page_segment_signature_matches};
    let (mut k, pl) = example(Arch::X64);
    let (_, hdr_pages, heap, _, _) = facts(Arch::X64);
    let seg = pl.lfh_subsegment - hdr_pages * 0x1000;
    let key = k.context.heap_key.unwrap();
    let b = KernelBuild::new(Arch::X64, 19041);
    let r = k.memory.region_mut(seg).unwrap();
    let sig = u64::from_le_bytes(r[0x10..0x18].try_into().unwrap());
    let ctx = heap + 0x100;
    assert!(page_segment_signature_matches(b, sig, seg, ctx, heap, key));
    assert!(!page_segment_signature_matches(
        b,
        sig ^ 1,
        seg,
        ctx,
        heap,
        key
    ));
    let later = heap ^ key ^ (seg >> 20) ^ 0xA2E6_4EAD_A2E6_4EAD;
    r[0x10..0x18].copy_from_slice(&later.to_le_bytes());
    let p = pool(&k).pool_page(pl.lfh_blocks[1]).unwrap();
    assert_eq!(p.holding_block().unwrap().tag, tag("Leak"));
    r_corrupt(&mut k, seg);
    let p = pool(&k).pool_page(pl.lfh_blocks[1]).unwrap();
    assert_eq!(p.kind, PoolPageKind::SegmentNotFound);
}

fn r_corrupt(k: &mut SynthKernel, seg: u64) {
    k.memory.region_mut(seg).unwrap()[0x10] ^= 0x80;
}

/// The range type bits agree with the kernel's own enum: `_HEAP_SEG_RANGE_TYPE` in the 22000
/// ISF (LFH 2, VS 3) shifted into bits 2-3 of `RangeFlags`.
#[cfg(feature = "isf")]
#[test]
fn range_type_bits_follow_the_kernels_enum() {
    use pooltrack::range_flags;
    let Some(json) = isf_22000() else {
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let c = &v["enums"]["_HEAP_SEG_RANGE_TYPE"]["constants"];
    let ty = |n: &str| u8::try_from(c[n].as_u64().unwrap()).unwrap();
    assert_eq!(range_flags::LFH_SUBSEGMENT, ty("HeapSegRangeLFH") << 2);
    assert_eq!(range_flags::VS_SUBSEGMENT, ty("HeapSegRangeVS") << 2);
    assert_eq!(range_flags::TYPE_MASK, 3 << 2);
    // First units: 0x0B an LFH subsegment, 0x0F a VS one; a free range's 0x02 is neither.
    assert!(range_flags::is_lfh(0x0b) && !range_flags::is_vs(0x0b));
    assert!(range_flags::is_vs(0x0f) && !range_flags::is_lfh(0x0f));
    assert!(!range_flags::is_vs(0x02) && !range_flags::is_lfh(0x02));
    assert!(!range_flags::is_lfh(0x03));
}
