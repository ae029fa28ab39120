//! Synthetic full page heaps (`+hpa`): built == walked on x86 and x64, `find` and allocation
//! stacks, the `NextHeap` list, and damaged page heaps give findings or errors, never panics.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    missing_docs
)]

use ntheap::synth::{PageHeapBuilder, SynthPageHeap, link_page_heaps};
use ntheap::{FindingKind, Limits, PageHeap, PointerWidth, page_heap_root_of, page_heap_roots};
use proptest::prelude::*;

fn handle_for(width: PointerWidth) -> u64 {
    match width {
        PointerWidth::Bits32 => 0x0b7e_0000,
        PointerWidth::Bits64 => 0x0000_01d8_4a2e_0000,
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

fn build(width: PointerWidth, busy: &[u64], free: &[u64]) -> SynthPageHeap {
    let mut b = PageHeapBuilder::new(width, handle_for(width)).normal_heap(0x5_0000);
    for (i, r) in busy.iter().enumerate() {
        b = b.busy(*r, frames(width, i as u64, 1 + i % 7));
    }
    for (i, r) in free.iter().enumerate() {
        b = b.free(*r, frames(width, 100 + i as u64, 3));
    }
    b.build().unwrap()
}

fn open(h: &SynthPageHeap) -> PageHeap {
    PageHeap::open(&h.memory, h.root, h.layout, &Limits::default()).unwrap()
}

#[test]
fn built_equals_walked_x86_and_x64() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let h = build(
            width,
            &[0x10, 0x1, 0x2000, 0xff8, 0x40, 0x333, 0x7],
            &[0x20, 0x5000],
        );
        let p = open(&h);
        assert!(p.findings.is_empty(), "{:?}", p.findings);
        let mut want = h.busy.clone();
        want.sort_by_key(|b| b.user_address);
        assert_eq!(p.busy, want);
        assert_eq!(p.free, h.free);
        assert_eq!(p.busy_allocations, 7);
        assert_eq!(p.free_allocations, 2);
        assert_eq!(p.normal_heap, 0x5_0000);
        assert_eq!(p.flags, 3);
        assert_eq!(p.handle(), h.handle);
        assert_eq!(page_heap_root_of(&h.memory, h.handle), Some(h.root));
        // Every user area ends where the guard page starts.
        for b in &p.busy {
            assert_eq!((b.user_address + b.actual_size) % 0x1000, 0);
        }
    }
}

#[test]
fn find_gives_the_block_and_the_stack_that_was_written() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        let h = build(width, &[0x18, 0x100, 0x3000], &[0x40]);
        let p = open(&h);
        for (b, stack) in h.busy.iter().zip(&h.busy_stacks) {
            let hit = p.find(b.user_address + b.requested_size - 1).unwrap();
            assert_eq!(hit, b);
            assert_eq!(p.stack_trace(&h.memory, hit).unwrap().as_ref(), Some(stack));
        }
        // A freed block is found by its (decommitted) virtual block.
        let f = h.free[0];
        let hit = p.find(f.virtual_block + 0x10).unwrap();
        assert!(!hit.busy);
        assert!(p.find(h.root).is_none());
    }
}

#[test]
fn next_heap_list_gives_every_root() {
    let w = PointerWidth::Bits64;
    let mut heaps: Vec<SynthPageHeap> = (0..3u64)
        .map(|i| {
            PageHeapBuilder::new(w, 0x2000_0000 + i * 0x100_0000)
                .busy(0x20, vec![])
                .build()
                .unwrap()
        })
        .collect();
    let (head, bytes) = link_page_heaps(&mut heaps, 0x7ffa_0000_1000).unwrap();
    let mut mem = ntheap::synth::SynthMemory::default();
    for h in &heaps {
        mem.regions.extend(h.memory.regions.iter().cloned());
    }
    mem.regions.push((head, bytes));
    mem.regions.sort_by_key(|r| r.0);
    let roots = page_heap_roots(&mem, heaps[1].root, w, &Limits::default());
    let mut want: Vec<u64> = heaps.iter().map(|h| h.root).collect();
    want.rotate_left(1);
    assert_eq!(roots, want);
}

#[test]
fn a_cycle_in_the_busy_tree_is_a_finding() {
    let w = PointerWidth::Bits32;
    let mut h = build(w, &[0x10, 0x20, 0x30], &[]);
    // Point the tree root's left child at itself.
    let table = h.root + h.layout.root_busy_nodes_table;
    let mut b = [0u8; 4];
    ntheap::ReadMemory::read(&h.memory, table + 8, &mut b).unwrap();
    let top = u64::from(u32::from_le_bytes(b));
    h.memory.write(top + 4, &(top as u32).to_le_bytes());
    let p = open(&h);
    assert!(
        p.findings
            .iter()
            .any(|f| matches!(f.kind, FindingKind::ListCycle { .. })),
        "{:?}",
        p.findings
    );
}

#[test]
fn a_wrong_start_stamp_is_a_finding() {
    let w = PointerWidth::Bits64;
    let mut h = build(w, &[0x10], &[]);
    let b = h.busy[0];
    h.memory.write(b.user_address - 0x40, &0u32.to_le_bytes());
    let p = open(&h);
    assert_eq!(p.findings.len(), 1, "{:?}", p.findings);
    assert!(matches!(
        p.findings[0].kind,
        FindingKind::BadPageHeap { .. }
    ));
}

fn arb_heap() -> impl Strategy<Value = SynthPageHeap> {
    (
        any::<bool>(),
        prop::collection::vec(1u64..0x3000, 0..12),
        prop::collection::vec(1u64..0x3000, 0..4),
    )
        .prop_map(|(wide, busy, free)| {
            let w = if wide {
                PointerWidth::Bits64
            } else {
                PointerWidth::Bits32
            };
            build(w, &busy, &free)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn prop_built_equals_walked(h in arb_heap()) {
        let p = open(&h);
        prop_assert!(p.findings.is_empty(), "{:?}", p.findings);
        prop_assert_eq!(p.busy.len(), h.busy.len());
        prop_assert_eq!(&p.free, &h.free);
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
        if let Ok(p) = PageHeap::open(&h.memory, h.root, h.layout, &limits) {
            prop_assert!(p.busy.len() <= limits.max_list_steps);
            prop_assert!(p.findings.len() <= limits.max_findings);
            for b in p.busy.iter().chain(&p.free) {
                let _ = p.stack_trace(&h.memory, b);
                let _ = p.find(b.user_address);
            }
        }
        let _ = page_heap_roots(&h.memory, h.root, h.layout.width, &limits);
    }
}
