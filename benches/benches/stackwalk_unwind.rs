//! `stackwalk` x64 unwinding on a synthetic image and stack (built with `stackwalk::synth`):
//! a 64-frame stack where every function has a `push rbx; sub rsp, 0x20` prolog described by
//! its UNWIND_INFO, walked through `.pdata` from frame 0 to the end.

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
use stackwalk::synth::{ImageBuilder, PrologOp, StackBuilder, UnwindInfoBuilder};
use stackwalk::{Context, ContextX64, Module, Modules, SliceMemory, Walker};

const FRAMES: usize = 64;
const BASE: u64 = 0x7ff7_0000_0000;
const SP: u64 = 0x10_0000;

fn func(i: usize) -> u32 {
    0x1000 + (i as u32) * 0x100
}

fn benches(c: &mut Criterion) {
    let mut b = ImageBuilder::new(0x1000 + FRAMES as u32 * 0x100 + 0x2000);
    let info = UnwindInfoBuilder::new(1)
        .prolog_size(5)
        .op(1, PrologOp::PushNonvol(3))
        .op(5, PrologOp::Alloc(0x20));
    for i in 0..FRAMES {
        b.function(func(i), func(i) + 0x100, &info);
        b.code(func(i) + 0x50, &[0xe8, 0, 0, 0, 0]);
    }
    let modules = Modules::new(vec![
        Module::new("m", BASE, 0x1000 + FRAMES as u64 * 0x100 + 0x2000)
            .with_unwind(b.into_unwind()),
    ]);
    // Frame i (in function i) was called from function i + 1 at +0x55.
    let mut s = StackBuilder::new(SP);
    for i in 0..FRAMES {
        s.zeros(0x20).u64(0xb0b + i as u64);
        let ret = if i + 1 < FRAMES {
            BASE + u64::from(func(i + 1)) + 0x55
        } else {
            0
        };
        s.u64(ret);
    }
    s.zeros(0x100);
    let mem = SliceMemory::new(s.base(), s.bytes());
    let walker = Walker::new(mem, &modules);
    let ctx = Context::X64(ContextX64::new(BASE + u64::from(func(0)) + 0x40, SP));
    let walk = walker.walk(ctx.clone());
    assert_eq!(walk.frames.len(), FRAMES, "{:?}", walk.stop);

    let mut g = c.benchmark_group("stackwalk");
    g.throughput(Throughput::Elements(FRAMES as u64));
    g.bench_function("x64 unwind 64 frames (.pdata)", |b| {
        b.iter(|| black_box(walker.walk(black_box(ctx.clone()))))
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
