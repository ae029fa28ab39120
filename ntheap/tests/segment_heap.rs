//! Segment heaps: recognised by signature, statistics and large allocations read as written
//! (Windows 10 19041 layout, x86 and x64); damage gives findings or errors, never panics.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing,
    missing_docs
)]

use ntheap::synth::SynthMemory;
use ntheap::{Limits, PointerWidth, SegmentHeap, SegmentHeapLayout};
use proptest::prelude::*;

struct Built {
    mem: SynthMemory,
    heap: u64,
    /// (address, size) of each large allocation.
    large: Vec<(u64, u64)>,
}

/// A segment heap header page and a metadata page with a balanced tree of `sizes.len()`
/// large allocations.
fn build(width: PointerWidth, sizes: &[u64]) -> Built {
    let l = SegmentHeapLayout::for_build(width, 19041).unwrap();
    let p = width.bytes() as usize;
    let heap: u64 = match width {
        PointerWidth::Bits32 => 0x00a2_0000,
        PointerWidth::Bits64 => 0x0000_0221_5f40_0000,
    };
    let meta = heap + 0x10_0000;
    let mut hp = vec![0u8; 0x1000];
    let mut mp = vec![0u8; 0x1000];
    let put = |b: &mut Vec<u8>, off: u64, v: u64, n: usize| {
        let o = off as usize;
        b[o..o + n].copy_from_slice(&v.to_le_bytes()[..n]);
    };
    let (sig, flags, index) = match width {
        PointerWidth::Bits32 => (8, 0xc, 0x14),
        PointerWidth::Bits64 => (0x10, 0x14, 0x1c),
    };
    put(&mut hp, sig, 0xDDEE_DDEE, 4);
    put(&mut hp, flags, 0x2, 4);
    put(&mut hp, index, 3, 2);
    put(&mut hp, l.mem_stats, 0x1234, p);
    put(&mut hp, l.mem_stats + p as u64, 0x56, p);
    let node_size = 0x40u64;
    let mut large = Vec::new();
    for (i, s) in sizes.iter().enumerate() {
        let pages = s.div_ceil(0x1000);
        let addr = 0x7000_0000 + i as u64 * 0x100_0000;
        let unused = pages * 0x1000 - s;
        let node = i as u64 * node_size;
        put(&mut mp, node + l.large_virtual_address, addr | unused, p);
        put(&mut mp, node + l.large_allocated_pages, pages << 12, p);
        large.push((addr, *s));
    }
    // Balanced tree over the node indices.
    fn link(mp: &mut Vec<u8>, lo: usize, hi: usize, meta: u64, node_size: u64, p: usize) -> u64 {
        if lo >= hi {
            return 0;
        }
        let mid = (lo + hi) / 2;
        let left = link(mp, lo, mid, meta, node_size, p);
        let right = link(mp, mid + 1, hi, meta, node_size, p);
        let off = (mid as u64 * node_size) as usize;
        mp[off..off + p].copy_from_slice(&left.to_le_bytes()[..p]);
        mp[off + p..off + 2 * p].copy_from_slice(&right.to_le_bytes()[..p]);
        meta + mid as u64 * node_size
    }
    let root = link(&mut mp, 0, sizes.len(), meta, node_size, p);
    put(&mut hp, l.large_alloc_metadata, root, p);
    put(&mut hp, l.large_reserved_pages, 1, p);
    Built {
        mem: SynthMemory {
            regions: vec![(heap, hp), (meta, mp)],
        },
        heap,
        large,
    }
}

#[test]
fn large_allocations_are_read_as_written() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let b = build(
            width,
            &[0x10_0000, 0x20_0010, 0x8_1234, 0x40_0000, 0x1_0001],
        );
        let layout = SegmentHeapLayout::for_build(width, 19044);
        let h = SegmentHeap::open(&b.mem, b.heap, width, layout, &Limits::default()).unwrap();
        assert!(h.findings.is_empty(), "{:?}", h.findings);
        assert_eq!(h.global_flags, 2);
        assert_eq!(h.process_heap_list_index, 3);
        assert_eq!(h.reserved_pages, Some(0x1234));
        assert_eq!(h.committed_pages, Some(0x56));
        let got: Vec<(u64, u64)> = h
            .large
            .unwrap()
            .iter()
            .map(|a| (a.address, a.size))
            .collect();
        assert_eq!(got, b.large);
    }
}

#[test]
fn other_builds_are_recognised_without_a_walk() {
    let b = build(PointerWidth::Bits64, &[0x10_0000]);
    assert!(SegmentHeapLayout::for_build(PointerWidth::Bits64, 26100).is_none());
    assert!(SegmentHeapLayout::for_build(PointerWidth::Bits32, 22621).is_none());
    let h = SegmentHeap::open(
        &b.mem,
        b.heap,
        PointerWidth::Bits64,
        None,
        &Limits::default(),
    )
    .unwrap();
    assert!(h.large.is_none() && h.reserved_pages.is_none());
    // An NT heap (or anything else) is no segment heap.
    assert!(
        SegmentHeap::open(
            &b.mem,
            b.heap + 0x1000,
            PointerWidth::Bits64,
            None,
            &Limits::default()
        )
        .is_err()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn prop_damage_gives_findings_or_err_never_panics(
        wide in any::<bool>(),
        n in 0usize..12,
        writes in prop::collection::vec((any::<bool>(), 0usize..0x1000, any::<u8>()), 1..24),
    ) {
        let w = if wide { PointerWidth::Bits64 } else { PointerWidth::Bits32 };
        let sizes: Vec<u64> = (0..n as u64).map(|i| 0x1_0000 + i * 0x1111).collect();
        let mut b = build(w, &sizes);
        for (which, off, v) in writes {
            b.mem.regions[usize::from(which)].1[off] = v;
        }
        let limits = Limits::fuzzing();
        if let Ok(h) = SegmentHeap::open(&b.mem, b.heap, w, SegmentHeapLayout::for_build(w, 19041), &limits) {
            prop_assert!(h.large.map_or(0, |l| l.len()) <= limits.max_list_steps);
            prop_assert!(h.findings.len() <= limits.max_findings);
        }
    }
}

#[test]
fn the_public_builder_walks_as_built() {
    use ntheap::synth::SegmentHeapBuilder;
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let b = SegmentHeapBuilder::new(width, 0x0b40_0000, 0x2000_0000)
            .process_heap_list_index(2)
            .large(0x10_0000)
            .large(0x8_0010)
            .large(0x2_0000)
            .build()
            .unwrap();
        let h = SegmentHeap::open(
            &b.memory,
            b.address,
            width,
            Some(b.layout),
            &Limits::default(),
        )
        .unwrap();
        assert!(h.findings.is_empty(), "{:?}", h.findings);
        assert_eq!(h.process_heap_list_index, 2);
        let got: Vec<(u64, u64)> = h
            .large
            .unwrap()
            .iter()
            .map(|a| (a.address, a.size))
            .collect();
        assert_eq!(got, b.large);
    }
}
