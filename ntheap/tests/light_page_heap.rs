//! Synthetic light page heaps (normal-heap blocks with a `_DPH_BLOCK_INFORMATION`): built ==
//! walked on x86 and x64, `find` and allocation stacks, corrupt stamps and overruns give
//! findings, damaged heaps never panic.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    missing_docs
)]

use ntheap::synth::{LightPageHeapBuilder, SynthLightPageHeap};
use ntheap::{
    FindingKind, Heap, LayoutChoice, LightPageHeap, LightPageHeapBlock, Limits, PageHeap,
    PageHeapLayout, PointerWidth, light_stack_trace, page_heap_root_of,
};
use proptest::prelude::*;

fn addrs(width: PointerWidth) -> (u64, u64) {
    match width {
        PointerWidth::Bits32 => (0x0b7e_0000, 0x0c50_0000),
        PointerWidth::Bits64 => (0x0000_01d8_4a2e_0000, 0x0000_01f1_adb9_0000),
    }
}

fn frames(width: PointerWidth, seed: u64, n: usize) -> Vec<u64> {
    let base = match width {
        PointerWidth::Bits32 => 0x7790_0000,
        PointerWidth::Bits64 => 0x7ffa_3a9c_0000,
    };
    (0..n as u64)
        .map(|i| base + seed * 0x100 + i * 0x11)
        .collect()
}

fn build(width: PointerWidth, busy: &[u64], freed: &[u64], plain: &[u64]) -> SynthLightPageHeap {
    let (handle, normal) = addrs(width);
    let mut b = LightPageHeapBuilder::new(width, handle, normal);
    for (i, r) in busy.iter().enumerate() {
        b = b.busy(*r, frames(width, i as u64, i % 5));
    }
    for (i, r) in freed.iter().enumerate() {
        b = b.freed(*r, frames(width, 50 + i as u64, 2));
    }
    for r in plain {
        b = b.plain(*r);
    }
    b.build().unwrap()
}

fn heap_of(h: &SynthLightPageHeap) -> Heap {
    Heap::open(
        &h.memory,
        h.heap.address,
        h.page.layout.width,
        LayoutChoice::Auto,
    )
    .unwrap()
}

fn walk(h: &SynthLightPageHeap, limits: &Limits) -> (LightPageHeap, Vec<LightPageHeapBlock>) {
    let heap = heap_of(h);
    let mut seen = Vec::new();
    let l = LightPageHeap::walk_with(
        &h.memory,
        h.page.root,
        PageHeapLayout::builtin(h.page.layout.width),
        &heap,
        limits,
        &mut |b| seen.push(*b),
    );
    (l, seen)
}

#[test]
fn built_equals_walked_x86_and_x64() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let h = build(
            width,
            &[0x10, 0x1, 0x200, 0x33, 0x7],
            &[0x20, 0x48],
            &[0x30],
        );
        // The root is a page heap with no full-page blocks and the normal heap set.
        assert_eq!(
            page_heap_root_of(&h.memory, h.page.handle),
            Some(h.page.root)
        );
        let root =
            PageHeap::open(&h.memory, h.page.root, h.page.layout, &Limits::default()).unwrap();
        assert_eq!(root.normal_heap, h.heap.address);
        assert!(root.busy.is_empty());
        assert_eq!(root.flags & 1, 0, "light: page heap not enabled");
        let (l, seen) = walk(&h, &Limits::default());
        assert!(l.findings.is_empty(), "{:?}", l.findings);
        assert_eq!(l.busy_blocks, 5);
        assert_eq!(l.busy_bytes, 0x10 + 0x1 + 0x200 + 0x33 + 0x7);
        assert_eq!(l.freed_blocks, 2);
        assert_eq!(l.other_blocks, 1);
        assert_eq!(l.corrupt_blocks, 0);
        assert_eq!(seen.len(), h.blocks.len());
        for (got, want) in seen.iter().zip(&h.blocks) {
            assert_eq!(got.entry, want.entry);
            assert_eq!(got.info, want.info);
            assert_eq!(got.user_address, want.user_address);
            assert_eq!(got.requested_size, want.requested_size);
            assert_eq!(got.busy, want.busy);
            assert_eq!(got.heap, h.page.root);
            assert_eq!(got.stack_trace, want.stack_trace);
            let stack = light_stack_trace(&h.memory, width, got).unwrap();
            assert_eq!(stack.unwrap_or_default(), want.stack);
        }
    }
}

#[test]
fn find_gives_the_block_holding_an_address() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let h = build(width, &[0x18, 0x100, 0x40], &[0x60], &[]);
        let heap = heap_of(&h);
        let layout = PageHeapLayout::builtin(width);
        for want in &h.blocks {
            for a in [
                want.user_address,
                want.user_address + want.requested_size - 1,
                want.info,
            ] {
                let got = LightPageHeap::find(&h.memory, layout, &heap, a).unwrap();
                assert_eq!(got.user_address, want.user_address, "{a:x}");
                assert_eq!(got.busy, want.busy);
            }
        }
        assert!(LightPageHeap::find(&h.memory, layout, &heap, h.page.root).is_none());
    }
}

#[test]
fn corrupt_stamps_and_an_overrun_are_findings() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let mut h = build(width, &[0x18, 0x21, 0x40, 0x10], &[], &[]);
        let l = PageHeapLayout::builtin(width);
        // Block 0: end stamp; block 1: one byte past its data (an overrun into the suffix);
        // block 2: start stamp.
        h.memory
            .write(h.blocks[0].info + l.info_end_stamp, &0u32.to_le_bytes());
        h.memory.write(h.blocks[1].user_address + 0x21, &[0x41]);
        h.memory
            .write(h.blocks[2].info, &0x1234_5678u32.to_le_bytes());
        let (walked, seen) = walk(&h, &Limits::default());
        assert_eq!(walked.corrupt_blocks, 3, "{:?}", walked.findings);
        let at: Vec<u64> = walked.findings.iter().map(|f| f.address).collect();
        assert_eq!(
            at,
            vec![h.blocks[0].info, h.blocks[1].info, h.blocks[2].info]
        );
        assert!(
            walked
                .findings
                .iter()
                .all(|f| matches!(f.kind, FindingKind::BadPageHeap { .. }))
        );
        // The block whose start stamp is gone is still recognised by its end stamp.
        assert_eq!(seen.len(), 4);
        assert_eq!(walked.busy_blocks, 4);
    }
}

fn arb_heap() -> impl Strategy<Value = SynthLightPageHeap> {
    (
        any::<bool>(),
        prop::collection::vec(1u64..0x800, 0..12),
        prop::collection::vec(1u64..0x400, 0..4),
        prop::collection::vec(0x10u64..0x100, 0..3),
    )
        .prop_map(|(wide, busy, freed, plain)| {
            let w = if wide {
                PointerWidth::Bits64
            } else {
                PointerWidth::Bits32
            };
            build(w, &busy, &freed, &plain)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_built_equals_walked(h in arb_heap()) {
        let (l, seen) = walk(&h, &Limits::default());
        prop_assert!(l.findings.is_empty(), "{:?}", l.findings);
        prop_assert_eq!(seen.len(), h.blocks.len());
        prop_assert_eq!(l.other_blocks, h.plain.len() as u64);
        for (got, want) in seen.iter().zip(&h.blocks) {
            prop_assert_eq!(got.user_address, want.user_address);
            prop_assert_eq!(got.requested_size, want.requested_size);
            prop_assert_eq!(got.busy, want.busy);
        }
    }

    #[test]
    fn prop_damage_gives_findings_or_err_never_panics(
        h in arb_heap(),
        writes in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>()), 1..24),
    ) {
        let mut h = h;
        for (r, o, v) in writes {
            let region = r.index(h.memory.regions.len());
            let len = h.memory.regions[region].1.len();
            let off = o.index(len);
            h.memory.regions[region].1[off] = v;
        }
        let limits = Limits::fuzzing();
        let w = h.page.layout.width;
        if let Ok(heap) = Heap::open(&h.memory, h.heap.address, w, LayoutChoice::Auto) {
            let layout = PageHeapLayout::builtin(w);
            let mut seen = Vec::new();
            let l = LightPageHeap::walk_with(&h.memory, h.page.root, layout, &heap, &limits, &mut |b| seen.push(*b));
            prop_assert!(l.findings.len() <= limits.max_findings);
            for b in &seen {
                prop_assert!(b.requested_size <= b.nt_size);
                let _ = light_stack_trace(&h.memory, w, b);
                let _ = LightPageHeap::find(&h.memory, layout, &heap, b.user_address);
            }
        }
    }
}
