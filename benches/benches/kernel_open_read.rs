//! `dumpfile::KernelDump` against `kdmp-parser` 0.7 on the same synthetic x64 kernel dumps (see
//! `benches/README.md`): open time and virtual-address read throughput on a 4 GiB full dump
//! (run list) and a 4 GiB bitmap (`SDMP`) dump, whose 1,048,576 pages are all mapped with 4 KiB
//! PTEs at a kernel address; and open time of a bitmap dump of a 64 GiB machine.
//!
//! `KDUMP_BENCH_GIB` sets the size of the two big dumps (default 4).

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
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType};

/// Where the big mapping starts: VA `BASE + x` maps PA `x`.
const BASE: u64 = 0xFFFF_F880_0000_0000;
const CHUNK: usize = 64 * 1024;

fn gib() -> u64 {
    std::env::var("KDUMP_BENCH_GIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

/// Every 8-byte word of physical memory holds its own physical address.
fn fill(pfn: u64, buf: &mut [u8]) {
    for (i, w) in buf.chunks_exact_mut(8).enumerate() {
        w.copy_from_slice(&(pfn * 0x1000 + 8 * i as u64).to_le_bytes());
    }
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(name)
}

/// Writes (once; reused while the size is right) an x64 dump of `pages` generated pages, all
/// mapped at `BASE` with 4 KiB PTEs.
fn ensure_big(ty: KernelDumpType, pages: u64) -> PathBuf {
    let tag = match ty {
        KernelDumpType::Full => "full",
        _ => "bitmap",
    };
    let path = tmp(&format!("dumpscope-bench-kernel-{tag}-{pages}p.dmp"));
    let want_min = pages * 0x1000;
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > want_min) {
        return path;
    }
    let t = std::time::Instant::now();
    let mut b = KernelDumpBuilder::new(KernelArch::X64, ty);
    b.allocate_from(pages + 0x10);
    b.physical_generated(0, pages);
    b.page_generator(fill);
    b.bugcheck(0xD1, [0, 2, 0, BASE]);
    for p in 0..pages {
        b.map_page(BASE + p * 0x1000, Some(p * 0x1000));
    }
    let f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let n = b.write_to(f).unwrap();
    eprintln!("wrote {} ({n} bytes) in {:?}", path.display(), t.elapsed());
    path
}

/// A bitmap dump of a 64 GiB machine (16 Mi page frames): 64 runs of 512 present pages spread
/// over the whole range (128 MiB of page data, a 2 MiB bitmap).
fn ensure_64g() -> PathBuf {
    let path = tmp("dumpscope-bench-kernel-bitmap-64g.dmp");
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 64 * 512 * 0x1000) {
        return path;
    }
    let machine = 64u64 << 18; // 64 GiB in pages
    let mut b = KernelDumpBuilder::new(KernelArch::X64, KernelDumpType::BitmapKernel);
    b.machine_pages(machine);
    b.allocate_from(0x80);
    for i in 0..64u64 {
        let start = 0x1000 + i * (machine / 64);
        b.physical_generated(start, 512);
        b.map_page(BASE + i * 0x20_0000, Some(start * 0x1000));
    }
    b.page_generator(fill);
    let f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    b.write_to(f).unwrap();
    path
}

/// Wrapping sum of the 64-bit words of `bytes`.
fn sum(bytes: &[u8]) -> u64 {
    bytes.chunks_exact(8).fold(0u64, |a, w| {
        a.wrapping_add(u64::from_le_bytes(w.try_into().unwrap()))
    })
}

fn expected(pages: u64) -> u64 {
    let words = pages * 512;
    // sum of 8*k for k in 0..words
    ((u128::from(words) * u128::from(words - 1) / 2 * 8) & u128::from(u64::MAX)) as u64
}

fn read_all_dumpfile(d: &dumpfile::KernelDump, pages: u64) -> u64 {
    let mem = d.memory();
    let mut buf = vec![0u8; CHUNK];
    let mut s = 0u64;
    let mut va = BASE;
    let end = BASE + pages * 0x1000;
    while va < end {
        mem.read(va, &mut buf).unwrap();
        s = s.wrapping_add(sum(&buf));
        va += CHUNK as u64;
    }
    s
}

fn read_all_kdmp(d: &kdmp_parser::KernelDumpParser, pages: u64) -> u64 {
    let mut buf = vec![0u8; CHUNK];
    let mut s = 0u64;
    let mut va = BASE;
    let end = BASE + pages * 0x1000;
    while va < end {
        d.virt_read_exact(va.into(), &mut buf).unwrap();
        s = s.wrapping_add(sum(&buf));
        va += CHUNK as u64;
    }
    s
}

fn benches(c: &mut Criterion) {
    let pages = gib() << 18;
    let full = ensure_big(KernelDumpType::Full, pages);
    let bitmap = ensure_big(KernelDumpType::BitmapKernel, pages);
    let g64 = ensure_64g();
    let want = expected(pages);
    // Both readers must hand out exactly the bytes written before anything is timed.
    for p in [&full, &bitmap] {
        let d = dumpfile::KernelDump::open(p).unwrap();
        assert_eq!(
            read_all_dumpfile(&d, pages),
            want,
            "dumpfile {}",
            p.display()
        );
        match kdmp_parser::KernelDumpParser::new(p) {
            Ok(k) => assert_eq!(
                read_all_kdmp(&k, pages),
                want,
                "kdmp-parser {}",
                p.display()
            ),
            Err(e) => eprintln!("kdmp-parser cannot open {}: {e:?}", p.display()),
        }
    }
    let label = format!("{}GiB", gib());
    let mut g = c.benchmark_group("kernel_open");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for (kind, p) in [
        ("full", &full),
        ("bitmap", &bitmap),
        ("bitmap_64GiB_machine", &g64),
    ] {
        let l = if kind.starts_with("bitmap_64") {
            kind.to_string()
        } else {
            format!("{kind}_{label}")
        };
        g.bench_with_input(BenchmarkId::new("dumpfile", &l), p, |b, p| {
            b.iter(|| black_box(dumpfile::KernelDump::open(p).unwrap().present_pages()));
        });
        if kdmp_parser::KernelDumpParser::new(p).is_ok() {
            g.bench_with_input(BenchmarkId::new("kdmp_parser", &l), p, |b, p| {
                b.iter(|| {
                    black_box(
                        kdmp_parser::KernelDumpParser::new(p)
                            .unwrap()
                            .physmem()
                            .len(),
                    )
                });
            });
        }
    }
    g.finish();
    let mut g = c.benchmark_group("kernel_read_all");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Bytes(pages * 0x1000));
    for (kind, p) in [("full", &full), ("bitmap", &bitmap)] {
        let l = format!("{kind}_{label}");
        let d = dumpfile::KernelDump::open(p).unwrap();
        g.bench_function(BenchmarkId::new("dumpfile_read_64k", &l), |b| {
            b.iter(|| black_box(read_all_dumpfile(&d, pages)));
        });
        if let Ok(k) = kdmp_parser::KernelDumpParser::new(p) {
            g.bench_function(BenchmarkId::new("kdmp_parser_virt_read_64k", &l), |b| {
                b.iter(|| black_box(read_all_kdmp(&k, pages)));
            });
        }
    }
    g.finish();
}

criterion_group!(kernel, benches);
criterion_main!(kernel);
