//! Walk arbitrary memory as a full page heap (`_DPH_HEAP_ROOT`), as a light page heap (an NT
//! heap whose blocks carry a `_DPH_BLOCK_INFORMATION`) and as a segment heap, and damaged
//! synthetic full and light page heaps: never panic, never hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntheap::synth::{LightPageHeapBuilder, PageHeapBuilder};
use ntheap::{
    Heap, LayoutChoice, Limits, LightPageHeap, PageHeap, PageHeapLayout, PointerWidth, SegmentHeap,
    SegmentHeapLayout, SliceMemory, light_stack_trace, page_heap_roots,
};

const BASE: u64 = 0x0001_0000;

fn exercise<M: ntheap::ReadMemory + ?Sized>(mem: &M, root: u64, width: PointerWidth) {
    let limits = Limits::fuzzing();
    if let Ok(p) = PageHeap::open(mem, root, PageHeapLayout::builtin(width), &limits) {
        for b in p.busy.iter().chain(&p.free) {
            let _ = p.stack_trace(mem, b);
        }
        let _ = p.find(root.wrapping_add(0x1234));
    }
    let _ = page_heap_roots(mem, root, width, &limits);
    light(mem, root, width, &limits);
    let _ = SegmentHeap::open(
        mem,
        root,
        width,
        SegmentHeapLayout::for_build(width, 19041),
        &limits,
    );
}

/// The light walk of the NT heap at `heap` (as a root's `NormalHeap`).
fn light<M: ntheap::ReadMemory + ?Sized>(mem: &M, heap: u64, width: PointerWidth, limits: &Limits) {
    let Ok(h) = Heap::open(mem, heap, width, LayoutChoice::Auto) else {
        return;
    };
    let layout = PageHeapLayout::builtin(width);
    let mut n = 0usize;
    let l = LightPageHeap::walk_with(mem, 0, layout, &h, limits, &mut |b| {
        if n < 8 {
            let _ = light_stack_trace(mem, width, b);
            n += 1;
        }
    });
    let _ = LightPageHeap::find(mem, layout, &h, heap.wrapping_add(l.busy_bytes));
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let width = if sel & 1 == 0 {
        PointerWidth::Bits32
    } else {
        PointerWidth::Bits64
    };
    if sel & 0x80 == 0 {
        exercise(&SliceMemory::new(BASE, rest), BASE, width);
        return;
    }
    if sel & 0x40 != 0 {
        // A well-formed light page heap, then damaged.
        let mut b = LightPageHeapBuilder::new(width, 0x0100_0000, 0x0200_0000);
        for (i, s) in rest.iter().take(12).enumerate() {
            let frames = (0..u64::from(*s % 8)).map(|f| 0x7790_0000 + f).collect();
            b = match i % 4 {
                3 => b.freed(u64::from(*s) * 4 + 1, frames),
                2 => b.plain(u64::from(*s) + 0x10),
                _ => b.busy(u64::from(*s) * 4 + 1, frames),
            };
        }
        let Ok(mut h) = b.build() else { return };
        for pair in rest.get(12..).unwrap_or_default().chunks_exact(3) {
            let region = usize::from(pair[0]) % h.memory.regions.len();
            let bytes = &mut h.memory.regions[region].1;
            if !bytes.is_empty() {
                let off = usize::from(pair[1]) * 31 % bytes.len();
                bytes[off] = pair[2];
            }
        }
        light(&h.memory, h.heap.address, width, &Limits::fuzzing());
        exercise(&h.memory, h.page.root, width);
        return;
    }
    // A well-formed synthetic page heap, then damaged by (offset, byte) pairs from the input.
    let mut b = PageHeapBuilder::new(width, 0x0100_0000);
    for (i, s) in rest.iter().take(12).enumerate() {
        let frames = (0..u64::from(*s % 8)).map(|f| 0x7790_0000 + f).collect();
        b = if i % 4 == 3 {
            b.free(u64::from(*s) * 16 + 1, frames)
        } else {
            b.busy(u64::from(*s) * 16 + 1, frames)
        };
    }
    let Ok(mut h) = b.build() else { return };
    for pair in rest.get(12..).unwrap_or_default().chunks_exact(3) {
        let region = usize::from(pair[0]) % h.memory.regions.len();
        let bytes = &mut h.memory.regions[region].1;
        if !bytes.is_empty() {
            let off = usize::from(pair[1]) * 31 % bytes.len();
            bytes[off] = pair[2];
        }
    }
    exercise(&h.memory, h.root, width);
});
