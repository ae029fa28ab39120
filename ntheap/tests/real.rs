//! Walks of the real heaps in the corpus dumps, and layouts from the corpus PDBs.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "common/minidump.rs"]
mod minidump;

use ntheap::report;
use ntheap::{
    EntryState, Error, Heap, HeapLayout, LayoutChoice, PointerWidth, Release, UncommittedRange,
};

/// (address, size, state, requested) of every block of the process heap of
/// win7-x64-wow64-hello-full.dmp, from the heap header to the uncommitted range.
const WIN7_X64_ENTRIES: &[(u64, u64, EntryState, Option<u64>)] = {
    use EntryState::{Busy as B, Free as F};
    &[
        (0x2d0000, 0xa80, B, Some(0xa7f)),
        (0x2d0a80, 0x890, B, Some(0x88f)),
        (0x2d1310, 0x60, B, Some(0x28)),
        (0x2d1370, 0xcf0, B, Some(0xcb4)),
        (0x2d2060, 0xaa0, B, Some(0xa62)),
        (0x2d2b00, 0x70, B, Some(0x3c)),
        (0x2d2b70, 0x60, B, Some(0x30)),
        (0x2d2bd0, 0x60, B, Some(0x28)),
        (0x2d2c30, 0x110, B, Some(0xe0)),
        (0x2d2d40, 0x110, B, Some(0xe0)),
        (0x2d2e50, 0x260, B, Some(0x230)),
        (0x2d30b0, 0x50, B, Some(0x20)),
        (0x2d3100, 0x50, B, Some(0x20)),
        (0x2d3150, 0x30, F, None),
        (0x2d3180, 0x80, B, Some(0x42)),
        (0x2d3200, 0x50, B, Some(0x20)),
        (0x2d3250, 0x50, B, Some(0x20)),
        // UnusedBytes 0x3f: the real count (0x40) is in the next block's first 8 bytes.
        (0x2d32a0, 0x60, B, Some(0x20)),
        (0x2d3300, 0x70, B, Some(0x3c)),
        (0x2d3370, 0x110, B, Some(0xe0)),
        (0x2d3480, 0x50, B, Some(0x20)),
        (0x2d34d0, 0x30, F, None),
        (0x2d3500, 0x80, B, Some(0x42)),
        (0x2d3580, 0x110, B, Some(0xe0)),
        (0x2d3690, 0x40, F, None),
        (0x2d36d0, 0x110, B, Some(0xe0)),
        (0x2d37e0, 0x50, B, Some(0x20)),
        (0x2d3830, 0x790, F, None),
        // The block holding the uncommitted-range descriptor (UnusedBytes 3).
        (0x2d3fc0, 0x40, B, Some(0x3d)),
    ]
};

#[test]
fn win7_x64_process_heap_walks_clean() {
    let Some(dump) = minidump::open("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    // Chosen by build, confirmed at run time; the same result with no hint.
    let heap = Heap::open(
        &dump,
        0x2d0000,
        PointerWidth::Bits64,
        LayoutChoice::Prefer(Release::Win7Sp1),
    )
    .unwrap();
    let auto = Heap::open(&dump, 0x2d0000, PointerWidth::Bits64, LayoutChoice::Auto).unwrap();
    assert_eq!(heap, auto);
    assert_eq!(
        heap.layout,
        HeapLayout::builtin(Release::Win7Sp1, PointerWidth::Bits64)
    );
    // A wrong preference is rejected by the checks, not trusted.
    let wrong = Heap::open(
        &dump,
        0x2d0000,
        PointerWidth::Bits64,
        LayoutChoice::Exact(Box::new(HeapLayout::builtin(
            Release::Win10Rs5,
            PointerWidth::Bits64,
        ))),
    );
    assert!(
        matches!(wrong, Err(Error::LayoutNotConfirmed { .. })),
        "{wrong:?}"
    );

    assert_eq!(heap.flags.bits(), 0x4000_0062);
    assert_eq!(heap.encode_flag_mask, 0x0010_0000);
    assert_eq!(heap.front_end_type, ntheap::FrontEndType::None);

    let walk = heap.walk(&dump);
    assert!(walk.findings.is_empty(), "{:?}", walk.findings);
    assert_eq!(walk.segments.len(), 1);
    let seg = &walk.segments[0];
    let got: Vec<_> = seg
        .entries
        .iter()
        .map(|e| (e.address, e.size, e.state, e.requested_size))
        .collect();
    assert_eq!(got, WIN7_X64_ENTRIES);

    // Against the heap's own counters.
    let s = &seg.segment;
    assert_eq!(
        (
            s.number_of_pages,
            s.uncommitted_pages,
            s.uncommitted_range_count
        ),
        (0x80, 0x7c, 1)
    );
    assert_eq!(
        seg.uncommitted,
        vec![UncommittedRange {
            address: 0x2d4000,
            size: 0x7c000
        }]
    );
    assert_eq!(
        seg.uncommitted[0].address,
        seg.entries.last().unwrap().end()
    );
    assert_eq!(s.last_valid_entry, 0x350000);
    let walked: u64 = seg.entries.iter().map(|e| e.size).sum();
    assert_eq!(walked, s.committed_bytes());
    let free: Vec<_> = seg
        .entries
        .iter()
        .filter(|e| e.state == EntryState::Free)
        .collect();
    let free_bytes: u64 = free.iter().map(|e| e.size).sum();
    assert_eq!(free_bytes, heap.total_free_size);
    assert_eq!(heap.total_free_size, 0x83 * 16);
    let c = heap.counters.unwrap();
    assert_eq!(c.total_memory_reserved, s.reserved_bytes());
    assert_eq!(c.total_memory_committed, s.committed_bytes());
    assert_eq!((c.total_segments, c.total_ucrs), (1, 1));
    // Free list: the same blocks, sorted by size.
    let mut listed: Vec<u64> = walk.free_list.entries.iter().map(|e| e.0).collect();
    assert_eq!(
        walk.free_list
            .entries
            .iter()
            .map(|e| e.1)
            .collect::<Vec<_>>(),
        [0x30, 0x30, 0x40, 0x790]
    );
    listed.sort();
    assert_eq!(listed, free.iter().map(|e| e.address).collect::<Vec<_>>());
    assert!(walk.virtual_blocks.is_empty());

    // Reports.
    let sum = report::summary(&walk);
    assert_eq!(
        (sum.reserved, sum.committed, sum.free),
        (0x80000, 0x4000, 0x830)
    );
    assert_eq!(
        (sum.free_list_length, sum.ucr_count, sum.virtual_blocks),
        (4, 1, 0)
    );
    assert_eq!(sum.external_fragmentation, (0x830 - 0x790) * 100 / 0x830);
    let st = report::stat(&walk);
    assert_eq!(st[0].size, 0xcb4);
    let e0x20 = st.iter().find(|x| x.size == 0x20).unwrap();
    assert_eq!((e0x20.count, e0x20.total), (7, 0xe0));
    let f = report::find(std::slice::from_ref(&walk), 0x2d32b8).unwrap();
    assert_eq!(
        (f.heap, f.segment, f.entry.address),
        (0x2d0000, Some(0x2d0000), 0x2d32a0)
    );
    let flt = report::filter(&walk, 0xe0, 0xe0);
    assert_eq!(flt.len(), 5);
}

#[test]
fn win7_x64_dump_has_no_32bit_heap_at_the_64bit_address() {
    let Some(dump) = minidump::open("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    // Read as a 32-bit heap, the 64-bit heap's signature is not where x86 expects it.
    let r = Heap::open(&dump, 0x2d0000, PointerWidth::Bits32, LayoutChoice::Auto);
    assert!(matches!(r, Err(Error::NotAHeap { .. })), "{r:?}");
    // Unmapped address: not in the dump, not corruption.
    let r = Heap::open(&dump, 0x5000_0000, PointerWidth::Bits64, LayoutChoice::Auto);
    assert!(matches!(r, Err(Error::NotCaptured { .. })), "{r:?}");
}

#[test]
fn win7_x86_notepad_heap_header_parses_and_missing_pages_are_not_corruption() {
    let Some(dump) = minidump::open("user/win7-x86-notepad-heaphdr.dmp") else {
        return;
    };
    let heap = Heap::open(&dump, 0x8b0000, PointerWidth::Bits32, LayoutChoice::Auto).unwrap();
    assert_eq!(
        heap.layout,
        HeapLayout::builtin(Release::Win7Sp1, PointerWidth::Bits32)
    );
    assert_eq!(heap.flags.bits(), 0x4000_0062);
    let c = heap.counters.unwrap();
    assert_eq!(
        (c.total_memory_reserved, c.total_memory_committed),
        (0x100000, 0x8000)
    );
    let walk = heap.walk(&dump);
    assert!(walk.is_clean(), "{:?}", walk.findings);
    assert!(walk.is_incomplete());
    assert!(!walk.findings.is_empty());
    let seg = &walk.segments[0];
    assert_eq!(seg.segment.number_of_pages, 0x100);
    assert_eq!(seg.segment.uncommitted_pages, 0xf8);
    assert_eq!(seg.segment.first_entry, 0x8b0588);
    // The heap's own header block decodes (size 0x588 = FirstEntry - base); the next block
    // lies on a page that is not in the dump.
    assert_eq!(seg.entries.len(), 1);
    assert_eq!(seg.entries[0].size, 0x588);
    assert!(walk.findings.iter().any(|f| f.address == 0x8b0588));
}

fn pdb_layout(name: &str) -> Option<HeapLayout> {
    let p = minidump::corpus(&format!("pdb/{name}"))?;
    Some(HeapLayout::from_pdb_bytes(&std::fs::read(p).unwrap()).unwrap())
}

#[test]
fn pdb_layouts_equal_builtin_tables() {
    for (file, width) in [
        ("win10-19041-x64-ntdll-96EF4ED5.pdb", PointerWidth::Bits64),
        ("win10-x64-ntdll-CCC0E361.pdb", PointerWidth::Bits64),
        ("win10-x86-wntdll-1C96EAD8.pdb", PointerWidth::Bits32),
    ] {
        let Some(mut l) = pdb_layout(file) else {
            return;
        };
        let builtin = HeapLayout::builtin(Release::Win10Rs5, width);
        l.name.clone_from(&builtin.name);
        assert_eq!(l, builtin, "{file}");
    }
}
