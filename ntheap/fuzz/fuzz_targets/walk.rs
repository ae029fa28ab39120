//! Walk arbitrary memory as an NT heap, and damaged synthetic heaps: never panic, never hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntheap::synth::{Block, HeapBuilder, SegmentSpec};
use ntheap::{Heap, HeapLayout, LayoutChoice, Limits, PointerWidth, Release, SliceMemory, report};

const BASE: u64 = 0x0001_0000;

fn exercise<M: ntheap::ReadMemory + ?Sized>(
    mem: &M,
    addr: u64,
    width: PointerWidth,
    choice: LayoutChoice,
) {
    if let Ok(heap) = Heap::open(mem, addr, width, choice) {
        let heap = heap.with_limits(Limits::fuzzing());
        let walk = heap.walk(mem);
        // The one-pass walk that keeps no block finds the same, and counts what stat counts.
        let mut census = report::SizeCensus::new();
        let streamed = heap.walk_with(mem, &mut |e: &ntheap::Entry, s: ntheap::BlockSource<'_>| {
            census.add(e, s);
        });
        assert_eq!(streamed.findings, walk.findings);
        assert_eq!(census.stats().len(), report::stat(&walk).len());
        let _ = report::summary(&walk);
        let _ = report::stat(&walk);
        let _ = report::filter(&walk, 0, 0x100);
        let _ = report::find(std::slice::from_ref(&walk), addr.wrapping_add(0x1234));
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
    let release = Release::ALL[usize::from(sel >> 1) % Release::ALL.len()];
    if sel & 0x80 == 0 {
        // Raw bytes as the memory around a heap.
        let mem = SliceMemory::new(BASE, rest);
        let choice = if sel & 0x40 == 0 {
            LayoutChoice::Auto
        } else {
            LayoutChoice::Exact(Box::new(HeapLayout::builtin(release, width)))
        };
        exercise(&mem, BASE, width, choice);
        return;
    }
    // A well-formed synthetic heap, then damaged by (offset, byte) pairs from the input.
    let mut blocks = Vec::new();
    for (i, b) in rest.iter().take(24).enumerate() {
        let n = u64::from(*b) * 8;
        blocks.push(match i % 4 {
            0 => Block::busy(n),
            1 => Block::free(n),
            2 => Block::internal(n),
            _ => Block::lfh(
                0x40,
                (0..u64::from(*b % 70) + 1)
                    .map(|k| (k % 3 != 0).then_some(0x30))
                    .collect(),
            ),
        });
    }
    let key = if sel & 0x40 != 0 {
        Some([0x5a, 0x13, 0x77, 0x21, 0x09, 0x44, 0, 0])
    } else {
        None
    };
    let Ok(mut h) = HeapBuilder::new(HeapLayout::builtin(release, width), 0x0083_0000)
        .encoding(key)
        .segment(SegmentSpec::new(blocks).uncommitted_pages(2))
        .segment(SegmentSpec::new(vec![Block::busy(0x40), Block::free(0x80)]))
        .large_block(0x2000)
        .build()
    else {
        return;
    };
    for pair in rest.get(24..).unwrap_or_default().chunks_exact(3) {
        let (region, off, val) = (usize::from(pair[0]), usize::from(pair[1]) * 4, pair[2]);
        let n = h.memory.regions.len();
        if let Some((_, bytes)) = h.memory.regions.get_mut(region % n) {
            let len = bytes.len();
            if let Some(b) = bytes.get_mut(off % len) {
                *b = val;
            }
        }
    }
    exercise(&h.memory, h.address, width, LayoutChoice::Auto);
});
