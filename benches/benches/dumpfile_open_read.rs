//! `dumpfile` against `minidump` (rust-minidump 0.27) and `udmp-parser` 0.2 on the same
//! synthetic full-memory dump (2 GiB in 100,000 Memory64List ranges by default; see
//! `benches/README.md`): open time, reading every captured byte, and the cost of one
//! address lookup with 2 ranges, 7,934 ranges (the corpus Unity dump, when present) and
//! 100,000 ranges.

#![allow(missing_docs)] // criterion's macros generate undocumented items
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use benches::{FullDumpSpec, checksum, expected_checksum};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Number of addresses looked up per iteration of the lookup benches.
const LOOKUPS: usize = 1024;

struct Files {
    big: PathBuf,
    big_spec: FullDumpSpec,
    small: PathBuf,
    corpus: Option<PathBuf>,
}

fn files() -> Files {
    let big_spec = FullDumpSpec::from_env();
    let big = big_spec
        .ensure_file()
        .expect("write the synthetic full dump");
    let small = FullDumpSpec {
        regions: 2,
        total_bytes: 2 << 20,
    }
    .ensure_file()
    .expect("write the 2-range dump");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/user/win10-18363-x64-unity-7934ranges.dmp");
    let corpus = corpus.exists().then_some(corpus);
    if corpus.is_none() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: corpus dump win10-18363-x64-unity-7934ranges.dmp not found; lookup bench on 7,934 ranges skipped"
        );
    }
    Files {
        big,
        big_spec,
        small,
        corpus,
    }
}

fn bench_open(c: &mut Criterion, f: &Files) {
    let mut g = c.benchmark_group("open");
    let ranges = f.big_spec.regions;
    for (label, path) in [
        ("2_ranges", &f.small),
        (&*format!("{ranges}_ranges"), &f.big),
    ] {
        g.bench_with_input(BenchmarkId::new("dumpfile", label), path, |b, p| {
            b.iter(|| {
                let d = dumpfile::Minidump::open(p).unwrap();
                black_box(d.memory().len())
            });
        });
        g.bench_with_input(
            BenchmarkId::new("minidump_read_path", label),
            path,
            |b, p| {
                b.iter(|| {
                    let d = minidump::Minidump::read_path(p).unwrap();
                    black_box(&d);
                });
            },
        );
        g.bench_with_input(
            BenchmarkId::new("minidump_read_path+get_memory", label),
            path,
            |b, p| {
                b.iter(|| {
                    let d = minidump::Minidump::read_path(p).unwrap();
                    let n = d.get_memory().map(|m| m.iter().count());
                    black_box(n)
                });
            },
        );
        g.bench_with_input(BenchmarkId::new("udmp_parser", label), path, |b, p| {
            b.iter(|| {
                let d = udmp_parser::UserDumpParser::new(p).unwrap();
                black_box(d.mem_blocks().len())
            });
        });
    }
    g.finish();
}

fn dumpfile_sum_slices(d: &dumpfile::Minidump) -> u64 {
    let mem = d.memory();
    let mut sum = 0u64;
    for r in mem.ranges() {
        let bytes = mem.slice(r.base, usize::try_from(r.size).unwrap()).unwrap();
        sum = sum.wrapping_add(checksum(bytes));
    }
    sum
}

fn dumpfile_sum_reads(d: &dumpfile::Minidump, buf: &mut [u8]) -> u64 {
    let mem = d.memory();
    let mut sum = 0u64;
    for r in mem.ranges() {
        let mut off = 0u64;
        while off < r.size {
            let n = usize::try_from((r.size - off).min(buf.len() as u64)).unwrap();
            let chunk = &mut buf[..n];
            mem.read(r.base + off, chunk).unwrap();
            sum = sum.wrapping_add(checksum(chunk));
            off += n as u64;
        }
    }
    sum
}

fn minidump_sum(list: &minidump::UnifiedMemoryList<'_>) -> u64 {
    list.by_addr()
        .fold(0u64, |s, m| s.wrapping_add(checksum(m.bytes())))
}

fn udmp_sum(p: &udmp_parser::UserDumpParser<'_>) -> u64 {
    p.mem_blocks()
        .values()
        .fold(0u64, |s, b| s.wrapping_add(checksum(b.data)))
}

/// What a user does: open the file and read every captured byte once, on a fresh mapping each
/// time (so the page faults of touching 2 GiB of mapped file are included; the page cache is
/// warm).
fn bench_open_read_all(c: &mut Criterion, f: &Files) {
    let expected = expected_checksum(&f.big_spec);
    let mut g = c.benchmark_group("open_read_all");
    g.throughput(Throughput::Bytes(f.big_spec.total_bytes));
    g.bench_function("dumpfile", |b| {
        b.iter(|| {
            let d = dumpfile::Minidump::open(&f.big).unwrap();
            assert_eq!(dumpfile_sum_slices(&d), expected);
        });
    });
    g.bench_function("minidump", |b| {
        b.iter(|| {
            let d = minidump::Minidump::read_path(&f.big).unwrap();
            assert_eq!(minidump_sum(&d.get_memory().unwrap()), expected);
        });
    });
    g.bench_function("udmp_parser", |b| {
        b.iter(|| {
            let d = udmp_parser::UserDumpParser::new(&f.big).unwrap();
            assert_eq!(udmp_sum(&d), expected);
        });
    });
    g.finish();
}

fn bench_read_all(c: &mut Criterion, f: &Files) {
    let expected = expected_checksum(&f.big_spec);
    let ours = dumpfile::Minidump::open(&f.big).unwrap();
    let theirs = minidump::Minidump::read_path(&f.big).unwrap();
    let theirs_mem = theirs.get_memory().unwrap();
    let udmp = udmp_parser::UserDumpParser::new(&f.big).unwrap();
    let mut buf = vec![0u8; 64 << 10];
    // Every reader must see exactly the bytes that were written.
    assert_eq!(dumpfile_sum_slices(&ours), expected);
    assert_eq!(dumpfile_sum_reads(&ours, &mut buf), expected);
    assert_eq!(minidump_sum(&theirs_mem), expected);
    assert_eq!(udmp_sum(&udmp), expected);

    let mut g = c.benchmark_group("read_all");
    g.throughput(Throughput::Bytes(ours.memory().total_bytes()));
    g.bench_function("dumpfile_slice", |b| {
        b.iter(|| black_box(dumpfile_sum_slices(&ours)));
    });
    g.bench_function("dumpfile_read_64k", |b| {
        b.iter(|| black_box(dumpfile_sum_reads(&ours, &mut buf)));
    });
    g.bench_function("minidump", |b| {
        b.iter(|| black_box(minidump_sum(&theirs_mem)));
    });
    g.bench_function("udmp_parser", |b| {
        b.iter(|| black_box(udmp_sum(&udmp)));
    });
    g.finish();
}

/// `LOOKUPS` 8-aligned addresses inside the captured ranges, spread pseudo-randomly.
fn lookup_addresses(d: &dumpfile::Minidump) -> Vec<u64> {
    let ranges: Vec<_> = d.memory().ranges().filter(|r| r.size >= 8).collect();
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..LOOKUPS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let r = ranges[(x % ranges.len() as u64) as usize];
            r.base + ((x >> 20) % (r.size / 8)) * 8
        })
        .collect()
}

struct LookupInput {
    label: String,
    path: PathBuf,
    /// udmp-parser needs a MemoryInfoList and a Memory64List; the corpus dump has neither.
    with_udmp: bool,
}

fn lookup_inputs(f: &Files) -> Vec<LookupInput> {
    let mut inputs = vec![LookupInput {
        label: "2_ranges".to_owned(),
        path: f.small.clone(),
        with_udmp: true,
    }];
    if let Some(p) = &f.corpus {
        inputs.push(LookupInput {
            label: "7934_ranges_corpus".to_owned(),
            path: p.clone(),
            with_udmp: false,
        });
    }
    inputs.push(LookupInput {
        label: format!("{}_ranges", f.big_spec.regions),
        path: f.big.clone(),
        with_udmp: true,
    });
    inputs
}

/// Which region holds each address, without touching the data: the search alone, apart from
/// the cache and TLB misses of reading scattered pages.
fn bench_lookup_region(c: &mut Criterion, f: &Files) {
    let mut g = c.benchmark_group("lookup_region");
    g.throughput(Throughput::Elements(LOOKUPS as u64));
    for input in lookup_inputs(f) {
        let label = &input.label;
        let ours = dumpfile::Minidump::open(&input.path).unwrap();
        let addrs = lookup_addresses(&ours);
        let theirs = minidump::Minidump::read_path(&input.path).unwrap();
        let theirs_mem = theirs.get_memory().unwrap();
        g.bench_with_input(BenchmarkId::new("dumpfile", label), &addrs, |b, addrs| {
            b.iter(|| {
                let mem = ours.memory();
                let n = addrs
                    .iter()
                    .filter(|a| mem.region_at(**a).is_some())
                    .count();
                assert_eq!(n, LOOKUPS);
                black_box(n)
            });
        });
        g.bench_with_input(BenchmarkId::new("minidump", label), &addrs, |b, addrs| {
            b.iter(|| {
                let n = addrs
                    .iter()
                    .filter(|a| theirs_mem.memory_at_address(**a).is_some())
                    .count();
                assert_eq!(n, LOOKUPS);
                black_box(n)
            });
        });
        if input.with_udmp {
            let udmp = udmp_parser::UserDumpParser::new(&input.path).unwrap();
            g.bench_with_input(
                BenchmarkId::new("udmp_parser", label),
                &addrs,
                |b, addrs| {
                    b.iter(|| {
                        let n = addrs
                            .iter()
                            .filter(|a| udmp.get_mem_block(**a).is_some())
                            .count();
                        assert_eq!(n, LOOKUPS);
                        black_box(n)
                    });
                },
            );
        }
    }
    g.finish();
}

/// Lookup plus an 8-byte read at each address.
fn bench_lookup_read(c: &mut Criterion, f: &Files) {
    let mut g = c.benchmark_group("lookup_read_u64");
    g.throughput(Throughput::Elements(LOOKUPS as u64));
    for input in lookup_inputs(f) {
        let label = &input.label;
        let ours = dumpfile::Minidump::open(&input.path).unwrap();
        let addrs = lookup_addresses(&ours);
        let theirs = minidump::Minidump::read_path(&input.path).unwrap();
        let theirs_mem = theirs.get_memory().unwrap();
        let expect: u64 = addrs.iter().fold(0, |s, a| {
            s.wrapping_add(ours.memory().read_u64(*a).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("dumpfile", label), &addrs, |b, addrs| {
            b.iter(|| {
                let mem = ours.memory();
                let s = addrs
                    .iter()
                    .fold(0u64, |s, a| s.wrapping_add(mem.read_u64(*a).unwrap()));
                assert_eq!(s, expect);
                black_box(s)
            });
        });
        g.bench_with_input(BenchmarkId::new("minidump", label), &addrs, |b, addrs| {
            b.iter(|| {
                let s = addrs.iter().fold(0u64, |s, a| {
                    let m = theirs_mem.memory_at_address(*a).unwrap();
                    s.wrapping_add(m.get_memory_at_address::<u64>(*a).unwrap())
                });
                assert_eq!(s, expect);
                black_box(s)
            });
        });
        if input.with_udmp {
            let udmp = udmp_parser::UserDumpParser::new(&input.path).unwrap();
            g.bench_with_input(
                BenchmarkId::new("udmp_parser", label),
                &addrs,
                |b, addrs| {
                    b.iter(|| {
                        let s = addrs.iter().fold(0u64, |s, a| {
                            let d = udmp.get_mem_block(*a).unwrap().data_from(*a).unwrap();
                            s.wrapping_add(u64::from_le_bytes(d[..8].try_into().unwrap()))
                        });
                        assert_eq!(s, expect);
                        black_box(s)
                    });
                },
            );
        }
    }
    g.finish();
}

fn all(c: &mut Criterion) {
    let f = files();
    bench_open(c, &f);
    bench_open_read_all(c, &f);
    bench_read_all(c, &f);
    bench_lookup_region(c, &f);
    bench_lookup_read(c, &f);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = all
}
criterion_main!(benches);
