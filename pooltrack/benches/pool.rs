//! `!poolused` over a 64-processor tracker set and `!poolfind` over a large synthetic pool, each
//! against a raw read of the same bytes through the same memory.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    missing_docs
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pooltrack::synth::{SynthBlock, SynthKernel, SynthMemory, pool_page, usage};
use pooltrack::{Arch, KernelBuild, Limits, Pool, ReadMemory};

const CPUS: usize = 64;
const TABLE: u64 = 8193;
const PAGES: u64 = 16384;

fn tracker_set() -> SynthKernel {
    let b = KernelBuild::new(Arch::X64, 19041);
    let mut k = SynthKernel::new(b);
    let tags: Vec<String> = (0..2000u32).map(|i| format!("T{:03}", i % 1000)).collect();
    let per_cpu: Vec<_> = (0..CPUS)
        .map(|c| {
            tags.iter()
                .step_by(2)
                .skip(c % 2)
                .take(1000)
                .map(|t| usage(t, (c as u64 + 10, 5, 4096), (3, 1, 512)))
                .collect()
        })
        .collect();
    k.add_tracker_tables(
        0xffff_f800_1000_0000,
        0xffff_f800_0f00_0000,
        TABLE,
        &per_cpu,
    );
    k
}

fn big_pool() -> (SynthMemory, KernelBuild, u64) {
    let b = KernelBuild::new(Arch::X64, 7601);
    let base = 0xffff_fa80_0000_0000u64;
    let tags = [*b"Thre", *b"File", *b"Even", *b"MmSt", *b"Proc"];
    let mut bytes = Vec::with_capacity((PAGES * 0x1000) as usize);
    for p in 0..PAGES {
        let blocks: Vec<SynthBlock> = (0..12)
            .map(|i| SynthBlock {
                tag: u32::from_le_bytes(tags[(p as usize + i) % tags.len()]),
                size: 0x140,
                free: i % 5 == 4,
                paged: false,
            })
            .collect();
        bytes.extend_from_slice(&pool_page(b, &blocks));
    }
    let mut m = SynthMemory::new();
    m.insert(base, bytes);
    (m, b, base)
}

fn bench(c: &mut Criterion) {
    let k = tracker_set();
    let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
    let table_bytes = TABLE * 0x38;
    let tables = pool.tracker_tables();
    assert_eq!(tables.len(), CPUS);
    c.bench_function("poolused_64_cpus", |b| {
        b.iter(|| black_box(pool.pool_usage(false).map(|u| u.tags.len())))
    });
    c.bench_function("poolused_64_cpus_raw_read", |b| {
        let mut buf = vec![0u8; table_bytes as usize];
        b.iter(|| {
            for (t, _) in &tables {
                k.memory.read(*t, &mut buf).ok();
                black_box(&buf);
            }
        })
    });

    let (m, build, base) = big_pool();
    let mut ctx = pooltrack::PoolContext::new(build);
    ctx.non_paged_pool = Some((base, base + PAGES * 0x1000));
    let pool = Pool::new(&m, ctx, Limits::default());
    let ranges = [(base, base + PAGES * 0x1000)];
    c.bench_function("poolfind_64mib", |b| {
        b.iter(|| {
            black_box(
                pool.pool_find("Thre", &ranges, &mut |_| true)
                    .map(|f| f.hits.len()),
            )
        })
    });
    c.bench_function("poolfind_64mib_raw_read", |b| {
        let mut buf = vec![0u8; 0x1000];
        b.iter(|| {
            for p in 0..PAGES {
                m.read(base + p * 0x1000, &mut buf).ok();
                black_box(&buf);
            }
        })
    });

    // The segment-heap walk: a page segment with an LFH page of 0x20-byte blocks and 200 VS
    // pages of 0x40-byte chunks (about 10,000 chunks), against a raw read of its pages.
    let mut k = SynthKernel::new(KernelBuild::new(pooltrack::Arch::X64, 19041));
    let tag = u32::from_le_bytes(*b"Leak");
    let seg = 0xFFFF_C000_0200_0000u64;
    k.add_segment_heap_pool(&pooltrack::synth::SynthSegmentHeap {
        state: 0xFFFF_F800_0290_0000,
        globals: 0xFFFF_F800_029F_0000,
        heap: 0xFFFF_C000_0100_0000,
        segment: seg,
        heap_key: 0x1234_5678_9abc_def0,
        lfh_key: 0x0fed_cba9_8765_4321,
        paged: false,
        lfh_block_size: 0x20,
        lfh_blocks: vec![pooltrack::synth::SynthLfhBlock { tag, free: false }; 100],
        vs_pages: 200,
        vs_chunks: vec![
            pooltrack::synth::SynthVsChunk {
                tag,
                size: 0x30,
                free: false
            };
            10_000
        ],
    });
    let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
    let hits = pool
        .segment_pool_find("Leak", &mut |_| true)
        .unwrap()
        .hits
        .len();
    assert!(hits > 10_000);
    c.bench_function("segment_poolfind_203_pages", |b| {
        b.iter(|| {
            black_box(
                pool.segment_pool_find("Leak", &mut |_| true)
                    .map(|f| f.hits.len()),
            )
        })
    });
    c.bench_function("segment_poolfind_203_pages_raw_read", |b| {
        let mut buf = vec![0u8; 0x1000];
        b.iter(|| {
            for p in 0..203u64 {
                k.memory.read(seg + p * 0x1000, &mut buf).ok();
                black_box(&buf);
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
