//! Walks of the real heaps in the corpus dumps.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

mod minidump;

use ntheap::{EntryState, FindingKind, Heap, LayoutChoice, Limits, PointerWidth, Release};

#[test]
fn win7_x64_process_heap_walks_clean() {
    let Some(dump) = minidump::open("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let heap = Heap::open(&dump, 0x2d0000, PointerWidth::X64, LayoutChoice::Auto).unwrap();
    println!("{}", heap.layout.name);
    let walk = heap.walk(&dump, &Limits::default());
    for f in &walk.findings {
        println!("finding {f}");
    }
    for s in &walk.segments {
        for e in &s.entries {
            println!("{:x} {:x} {:?} {:x} {:?} {:?}", e.address, e.size, e.flags, e.unused_bytes, e.requested_size, e.state);
        }
    }
    assert!(walk.findings.is_empty(), "{:?}", walk.findings);
}
