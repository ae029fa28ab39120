//! `!heap -l` marking: blocks no root reaches are exactly the unreferenced ones, cycles of
//! garbage included; random graphs agree with a plain breadth-first reference.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    missing_docs
)]

use ntheap::PointerWidth;
use ntheap::reachability::{ScanLimits, UserBlock, mark};
use ntheap::synth::SynthMemory;
use proptest::prelude::*;

const HEAP: u64 = 0x0050_0000;
const ROOT: u64 = 0x0010_0000;

/// `n` blocks of 0x40 bytes, 0x50 apart; `edges[i]` = blocks block i points at (at offset
/// 8 * k, pointing `inner` bytes inside); `roots` = blocks the root range points at.
fn world(
    width: PointerWidth,
    n: usize,
    edges: &[Vec<usize>],
    roots: &[usize],
    inner: u64,
) -> (SynthMemory, Vec<UserBlock>) {
    let p = width.bytes() as usize;
    let blocks: Vec<UserBlock> = (0..n as u64)
        .map(|i| UserBlock {
            address: HEAP + i * 0x50,
            size: 0x40,
        })
        .collect();
    let mut heap = vec![0u8; n * 0x50 + 0x10];
    let put = |buf: &mut Vec<u8>, off: usize, v: u64| {
        buf[off..off + p].copy_from_slice(&v.to_le_bytes()[..p]);
    };
    for (i, targets) in edges.iter().enumerate() {
        for (k, t) in targets.iter().enumerate().take(0x40 / p) {
            put(
                &mut heap,
                i * 0x50 + k * p,
                blocks[*t].address + inner % 0x40,
            );
        }
    }
    // Between blocks: a pointer to a block that is no block's content.
    let mut root = vec![0u8; 0x1000];
    for (k, t) in roots.iter().enumerate() {
        put(&mut root, k * p, blocks[*t].address + inner % 0x40);
    }
    let mem = SynthMemory {
        regions: vec![(ROOT, root), (HEAP, heap)],
    };
    (mem, blocks)
}

#[test]
fn finds_exactly_the_unreferenced_blocks_cycles_included() {
    for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
        // 0 <- root; 0 -> 1 -> 2; 3 <-> 4 (garbage cycle); 5 -> 1 (garbage pointing at live);
        // 6 alone; 7 <- register.
        let edges = vec![
            vec![1],
            vec![2],
            vec![],
            vec![4],
            vec![3],
            vec![1],
            vec![],
            vec![],
        ];
        let (mem, blocks) = world(width, 8, &edges, &[0], 0x13);
        let r = mark(
            &mem,
            width,
            &blocks,
            &[(ROOT, 0x1000)],
            &[blocks[7].address + 0x3f],
            ScanLimits::default(),
        );
        assert_eq!(r.unreached().collect::<Vec<_>>(), vec![3, 4, 5, 6]);
        assert!(!r.stopped);
        assert_eq!(r.bytes_not_captured, 0);
        // The root page and the four reached blocks, nothing else.
        assert_eq!(r.bytes_scanned, 0x1000 + 4 * 0x40);
    }
}

#[test]
fn one_past_the_end_is_no_reference_and_missing_memory_is_counted() {
    let w = PointerWidth::Bits64;
    let (mut mem, blocks) = world(w, 2, &[vec![], vec![]], &[], 0);
    mem.write(ROOT, &(blocks[0].address + 0x40).to_le_bytes());
    mem.write(ROOT + 8, &(blocks[1].address - 1).to_le_bytes());
    let r = mark(
        &mem,
        w,
        &blocks,
        &[(ROOT, 0x1000), (0x7000_0000, 0x3000)],
        &[],
        ScanLimits::default(),
    );
    assert_eq!(r.unreached().count(), 2);
    assert_eq!(r.bytes_not_captured, 0x3000);
}

#[test]
fn the_byte_budget_stops_the_scan_and_says_so() {
    let w = PointerWidth::Bits32;
    let edges: Vec<Vec<usize>> = (0..10).map(|i| vec![(i + 1) % 10]).collect();
    let (mem, blocks) = world(w, 10, &edges, &[0], 0);
    let r = mark(
        &mem,
        w,
        &blocks,
        &[(ROOT, 0x1000)],
        &[],
        ScanLimits::default().with_max_bytes(0x1000 + 3 * 0x40),
    );
    assert!(r.stopped);
    assert!(r.unreached().count() > 0);
}

/// The reference: breadth-first over the edge lists.
fn reference(n: usize, edges: &[Vec<usize>], roots: &[usize]) -> Vec<usize> {
    let mut seen = vec![false; n];
    let mut q: Vec<usize> = roots.to_vec();
    while let Some(i) = q.pop() {
        if !seen[i] {
            seen[i] = true;
            q.extend(edges[i].iter().copied());
        }
    }
    (0..n).filter(|i| !seen[*i]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn prop_agrees_with_breadth_first(
        wide in any::<bool>(),
        n in 1usize..60,
        raw_edges in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..4), 60),
        raw_roots in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
        inner in any::<u64>(),
    ) {
        let w = if wide { PointerWidth::Bits64 } else { PointerWidth::Bits32 };
        let edges: Vec<Vec<usize>> = raw_edges[..n]
            .iter()
            .map(|v| v.iter().map(|x| x.index(n)).collect())
            .collect();
        let roots: Vec<usize> = raw_roots.iter().map(|x| x.index(n)).collect();
        let (mem, blocks) = world(w, n, &edges, &roots, inner);
        let r = mark(&mem, w, &blocks, &[(ROOT, 0x1000)], &[], ScanLimits::default());
        prop_assert_eq!(r.unreached().collect::<Vec<_>>(), reference(n, &edges, &roots));
    }

    #[test]
    fn prop_arbitrary_blocks_and_ranges_never_panic(
        blocks in prop::collection::vec((any::<u64>(), 0u64..0x10_0000), 0..40),
        ranges in prop::collection::vec((any::<u64>(), any::<u64>()), 0..4),
        values in prop::collection::vec(any::<u64>(), 0..8),
    ) {
        let blocks: Vec<UserBlock> = blocks.into_iter().map(|(address, size)| UserBlock { address, size }).collect();
        let (mem, _) = world(PointerWidth::Bits64, 4, &[vec![1], vec![2], vec![], vec![]], &[0], 0);
        let r = mark(&mem, PointerWidth::Bits64, &blocks, &ranges, &values, ScanLimits::default().with_max_bytes(1 << 24));
        prop_assert!(r.unreached().count() <= blocks.len());
    }
}

/// Throughput: a 256 MiB heap of 4 Mi blocks in one chain (every block scanned once).
/// `cargo test --release -p ntheap --test reachability -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: 256 MiB of memory"]
fn measure_a_256_mib_chain() {
    let n: usize = 4 << 20;
    let mut heap = vec![0u8; n * 0x40];
    for i in 0..n - 1 {
        let next = HEAP + (i as u64 + 1) * 0x40 + 0x20;
        heap[i * 0x40..i * 0x40 + 8].copy_from_slice(&next.to_le_bytes());
    }
    let blocks: Vec<UserBlock> = (0..n as u64)
        .map(|i| UserBlock {
            address: HEAP + i * 0x40,
            size: 0x40,
        })
        .collect();
    let mem = ntheap::SliceMemory::new(HEAP, &heap);
    let t = std::time::Instant::now();
    let r = mark(
        &mem,
        PointerWidth::Bits64,
        &blocks,
        &[],
        &[HEAP],
        ScanLimits::default(),
    );
    let dt = t.elapsed();
    assert_eq!(r.unreached().count(), 0);
    assert_eq!(r.bytes_scanned, (n * 0x40) as u64);
    eprintln!(
        "{} blocks, {} MiB scanned in {:?}: {:.0} MiB/s",
        n,
        r.bytes_scanned >> 20,
        dt,
        (r.bytes_scanned >> 20) as f64 / dt.as_secs_f64()
    );
}
