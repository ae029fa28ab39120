//! Walk a synthetic 1 GiB x64 heap (>= 5 million blocks) and compare with a plain sequential
//! read of the same bytes through the same memory trait.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntheap::synth::{Block, HeapBuilder, SegmentSpec, SynthHeap};
use ntheap::{Heap, HeapLayout, LayoutChoice, PointerWidth, ReadMemory, Release, WalkItem};

const SEGMENTS: usize = 16;
const SEGMENT_BYTES: u64 = 70 << 20;

fn build() -> SynthHeap {
    let mut b = HeapBuilder::new(
        HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64),
        0x0000_0200_0000_0000,
    )
    .encoding(Some([0x3b, 0x89, 0x6c, 0x24, 0x9c, 0x67, 0x00, 0x00]));
    let mut i = 0u64;
    for _ in 0..SEGMENTS {
        let mut blocks = Vec::new();
        let mut used = 0x1000u64;
        // Requested sizes 0x08..0x148, a free block every 16: about 190 bytes per block.
        while used < SEGMENT_BYTES - 0x2000 {
            let req = 8 + (i * 0x48) % 0x140;
            let blk = if i % 16 == 15 {
                Block::free(req + 16)
            } else {
                Block::busy(req)
            };
            used += (req + 16).div_ceil(16) * 16 + 16;
            blocks.push(blk);
            i += 1;
        }
        b = b.segment(SegmentSpec::new(blocks));
    }
    b.build().unwrap()
}

fn walk_count(heap: &Heap, mem: &impl ReadMemory) -> (u64, u64) {
    let (segs, _) = heap.segments(mem);
    let (mut n, mut busy) = (0u64, 0u64);
    for s in &segs {
        for item in heap.entries(mem, s) {
            if let WalkItem::Entry(e) = item {
                n += 1;
                busy += u64::from(e.is_busy());
            }
        }
    }
    (n, busy)
}

/// The one-pass walk that keeps no block, counting `!heap -stat` on the way (what `leak` and
/// `heap --stat` do).
fn walk_census(heap: &Heap, mem: &impl ReadMemory) -> u64 {
    let mut census = ntheap::report::SizeCensus::new();
    let walk = heap.walk_with(mem, &mut |e: &ntheap::Entry, s: ntheap::BlockSource<'_>| {
        census.add(e, s);
    });
    black_box(walk.findings.len());
    census.busy_blocks
}

fn sequential_read(h: &SynthHeap) -> u64 {
    let mut buf = vec![0u8; 64 << 10];
    let mut acc = 0u64;
    for (base, bytes) in &h.memory.regions {
        let mut off = 0u64;
        while off < bytes.len() as u64 {
            let n = (bytes.len() as u64 - off).min(buf.len() as u64) as usize;
            h.memory.read(base + off, &mut buf[..n]).unwrap();
            for c in buf[..n].chunks_exact(8) {
                acc ^= u64::from_le_bytes(c.try_into().unwrap());
            }
            off += n as u64;
        }
    }
    acc
}

fn bench(c: &mut Criterion) {
    let h = build();
    let heap = Heap::open(
        &h.memory,
        h.address,
        PointerWidth::Bits64,
        LayoutChoice::Auto,
    )
    .unwrap();
    let bytes: u64 = h.memory.regions.iter().map(|r| r.1.len() as u64).sum();

    // One plain timed run of each, for the README numbers.
    let t = Instant::now();
    let (entries, busy) = walk_count(&heap, &h.memory);
    let walk_t = t.elapsed();
    let t = Instant::now();
    black_box(sequential_read(&h));
    let read_t = t.elapsed();
    assert_eq!(entries as usize, h.entries.len());
    let t = Instant::now();
    let counted = walk_census(&heap, &h.memory);
    let census_t = t.elapsed();
    assert!(counted > 0 && counted < busy);
    eprintln!("one-pass walk with census: {census_t:?}");
    eprintln!(
        "heap: {:.2} GiB, {entries} blocks ({busy} busy); walk {:?} = {:.1} M entries/s; \
         sequential read {:?}; walk/read time ratio {:.2}",
        bytes as f64 / (1u64 << 30) as f64,
        walk_t,
        entries as f64 / walk_t.as_secs_f64() / 1e6,
        read_t,
        walk_t.as_secs_f64() / read_t.as_secs_f64(),
    );

    let mut g = c.benchmark_group("heap_walk_1GiB");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Bytes(bytes));
    g.bench_function("walk_entries", |b| b.iter(|| walk_count(&heap, &h.memory)));
    g.bench_function("walk_with_census", |b| {
        b.iter(|| walk_census(&heap, &h.memory))
    });
    g.bench_function("walk_with_nothing", |b| {
        b.iter(|| {
            let w = heap.walk_with(
                &h.memory,
                &mut |_: &ntheap::Entry, _: ntheap::BlockSource<'_>| {},
            );
            black_box(w.findings.len())
        })
    });
    g.bench_function("sequential_read", |b| b.iter(|| sequential_read(&h)));
    g.finish();
    let mut g = c.benchmark_group("heap_walk_entries");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(entries));
    g.bench_function("walk_entries", |b| b.iter(|| walk_count(&heap, &h.memory)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
