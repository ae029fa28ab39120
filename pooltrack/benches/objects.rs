//! The handle-leak scenario at its real size: a per-type summary of iexplore.exe's 143,428
//! handles (x86 Server 2003 and x64 Windows 10 with `ObHeaderCookie`), the full `!handle` walk
//! with each object's header decoded, and `!process 0 0` with handle counts.

#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pooltrack::object_synth::handle_leak_story;
use pooltrack::{ObjectLayout, PointerWidth};

fn bench(c: &mut Criterion) {
    for (name, build, width) in [
        ("2003_x86", 3790, PointerWidth::Bits32),
        ("10_x64", 19041, PointerWidth::Bits64),
    ] {
        let layout = ObjectLayout::for_build(build, width).unwrap();
        let (k, story) = handle_leak_story(layout, 143_425);
        let o = k.objects();
        let table = o.process(story.iexplore).unwrap().object_table.unwrap();
        c.bench_function(&format!("handle_summary_143428_{name}"), |b| {
            b.iter(|| black_box(o.handle_summary(table).unwrap().handles))
        });
        c.bench_function(&format!("handle_walk_headers_143428_{name}"), |b| {
            b.iter(|| {
                let mut n = 0u64;
                for h in o.handles(table).unwrap() {
                    let h = h.unwrap();
                    n += o.object_header(h.pointer).unwrap().handle_count as u64;
                }
                black_box(n)
            })
        });
        c.bench_function(&format!("process_list_handle_counts_{name}"), |b| {
            b.iter(|| {
                let mut n = 0u64;
                for p in o.processes().unwrap() {
                    n += o.handle_count(&p.unwrap()).unwrap();
                }
                black_box(n)
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
