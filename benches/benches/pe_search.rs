//! `pe-sections` string search and code-reference sweep on a synthetic PE (built with
//! `pe_sections::synth`): `s -a` over a 4 MiB `.rdata`, and the xref sweep of a 1 MiB `.text`
//! for the `lea` that loads a string (what `dumpscope leak` does per hit).

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
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pe_sections::synth::PeBuilder;
use pe_sections::{Pattern, PeImage};

const RDATA: usize = 4 << 20;
const TEXT: usize = 1 << 20;
const NEEDLE: &str = "==> Allocated addr: 0x%08x\n";

/// Printable filler that shares prefixes with the needle, so the search cannot skip ahead.
fn rdata() -> Vec<u8> {
    let mut v = Vec::with_capacity(RDATA);
    let mut x: u32 = 0x1234_5678;
    while v.len() < RDATA - 64 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if x.is_multiple_of(7) {
            v.extend_from_slice(b"==> Alloc");
        } else {
            v.push(b' ' + (x % 90) as u8);
        }
    }
    v.truncate(RDATA - 64);
    v.extend_from_slice(NEEDLE.as_bytes());
    v.resize(RDATA, 0);
    v
}

/// `.text`: NOPs with one `lea r8, [rip+disp]` to `target` near the end.
fn text(text_rva: u32, target: u32) -> Vec<u8> {
    let mut v = vec![0x90u8; TEXT];
    let at = TEXT - 0x100;
    let next = text_rva + at as u32 + 7;
    let disp = (i64::from(target) - i64::from(next)) as i32;
    v[at..at + 3].copy_from_slice(&[0x4c, 0x8d, 0x05]);
    v[at + 3..at + 7].copy_from_slice(&disp.to_le_bytes());
    v[TEXT - 1] = 0xc3;
    v
}

fn image() -> (Vec<u8>, u32) {
    let mut b = PeBuilder::x64();
    let text_rva = 0x1000;
    let rdata_rva = text_rva + ((TEXT as u32 + 0xfff) & !0xfff);
    let target = rdata_rva + (RDATA - 64) as u32;
    assert_eq!(
        b.add_section(".text", PeBuilder::CODE, text(text_rva, target)),
        text_rva
    );
    assert_eq!(
        b.add_section(".rdata", PeBuilder::RDATA, rdata()),
        rdata_rva
    );
    (b.build(), target)
}

fn benches(c: &mut Criterion) {
    let (file, target) = image();
    let pe = PeImage::parse_file(&file).unwrap();
    let pattern = Pattern::Ascii(NEEDLE.to_string());
    assert_eq!(pe.search_section(&pattern, ".rdata").unwrap(), vec![target]);
    assert_eq!(pe.code_references(target).unwrap().len(), 1);

    let mut g = c.benchmark_group("pe_sections");
    g.throughput(Throughput::Bytes(RDATA as u64));
    g.bench_function("search .rdata 4 MiB (s -a)", |b| {
        b.iter(|| black_box(pe.search_section(black_box(&pattern), ".rdata").unwrap()))
    });
    g.throughput(Throughput::Bytes(TEXT as u64));
    g.bench_function("xref sweep .text 1 MiB", |b| {
        b.iter(|| black_box(pe.code_references(black_box(target)).unwrap()))
    });
    g.finish();
}

criterion_group! {
    name = group;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(group);
