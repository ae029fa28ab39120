//! Walk arbitrary memory as a segment heap (header, contexts, page segments, subsegments,
//! key recovery), and damaged synthetic segment heaps with VS, LFH and back-end ranges:
//! never panic, never hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntheap::synth::SegmentHeapBuilder;
use ntheap::{Limits, PointerWidth, SegmentHeap, SegmentHeapKeys, SegmentHeapLayout, SliceMemory};

const BASE: u64 = 0x0001_0000;

fn walk<M: ntheap::ReadMemory + ?Sized>(
    mem: &M,
    heap: u64,
    width: PointerWidth,
    keys: SegmentHeapKeys,
) {
    let limits = Limits::fuzzing();
    for build in [19041, 22000] {
        if let Ok(h) = SegmentHeap::open(
            mem,
            heap,
            width,
            SegmentHeapLayout::for_build(width, build),
            &limits,
        ) {
            let mut n = 0u64;
            let w = h.walk_with(
                mem,
                keys,
                &mut |_: &ntheap::Entry, _: ntheap::BlockSource<'_>| n += 1,
            );
            assert!(w.findings.len() <= limits.max_findings);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let width = if sel & 1 == 0 {
        PointerWidth::Bits32
    } else {
        PointerWidth::Bits64
    };
    if sel & 0x80 == 0 {
        walk(
            &SliceMemory::new(BASE, rest),
            BASE,
            width,
            SegmentHeapKeys::default(),
        );
        return;
    }
    // A well-formed synthetic segment heap, then damaged by (region, offset, byte) triples.
    let heap = match width {
        PointerWidth::Bits32 => 0x00a2_0000,
        PointerWidth::Bits64 => 0x0221_5f40_0000,
    };
    let mut b = SegmentHeapBuilder::new(width, heap, 0x3000_0000);
    for (i, s) in rest.iter().take(8).enumerate() {
        let v = u64::from(*s);
        b = match i % 4 {
            0 => b.vs(vec![(true, v * 7), (v % 2 == 0, v), (true, v * 3 + 1)]),
            1 => b.lfh(
                (v % 16 + 1) * 16,
                (0..v % 20).map(|j| (j % 3 != 0).then_some(j + 1)).collect(),
            ),
            2 => b.backend(v * 0x321 + 1),
            _ => b.free_pages(v % 4 + 1),
        };
    }
    let Ok(mut h) = b.build() else { return };
    for t in rest.get(8..).unwrap_or_default().chunks_exact(4) {
        let region = usize::from(t[0]) % h.memory.regions.len();
        let bytes = &mut h.memory.regions[region].1;
        if !bytes.is_empty() {
            let off = (usize::from(t[1]) << 8 | usize::from(t[2])) * 17 % bytes.len().min(0x4_0000);
            bytes[off] = t[3];
        }
    }
    let keys = if sel & 2 == 0 {
        SegmentHeapKeys::default()
    } else {
        SegmentHeapKeys {
            heap_key: Some(h.heap_key),
            lfh_key: Some(h.lfh_key),
        }
    };
    walk(&h.memory, h.address, width, keys);
});
