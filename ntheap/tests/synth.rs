//! Synthetic heaps: built == walked for every layout, injected corruption is found, and random
//! damage never panics or hangs.
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

use ntheap::report::SizeCensus;
use ntheap::synth::{Block, HeapBuilder, SegmentSpec, SynthHeap, encode_header};
use ntheap::{
    BlockSource, Entry, EntryState, FindingKind, Heap, HeapLayout, HeapWalk, LayoutChoice, Limits,
    PointerWidth, ReadMemory, Release,
};
use proptest::prelude::*;

const KEY: [u8; 8] = [0x6f, 0xb4, 0x17, 0x13, 0xe1, 0x07, 0x00, 0x00];

fn base_for(width: PointerWidth) -> u64 {
    match width {
        PointerWidth::Bits32 => 0x0083_0000,
        PointerWidth::Bits64 => 0x0000_01f1_adb9_0000,
    }
}

fn sample(release: Release, width: PointerWidth, key: Option<[u8; 8]>) -> SynthHeap {
    HeapBuilder::new(HeapLayout::builtin(release, width), base_for(width))
        .encoding(key)
        .segment(
            SegmentSpec::new(vec![
                Block::busy(0x20),
                Block::busy(0x1),
                Block::free(0x60),
                Block::busy(0x200),
                Block::internal(0x3000),
                Block::free(0x100),
                Block::busy(0x0),
            ])
            .uncommitted_pages(0x7c),
        )
        .segment(SegmentSpec::new(vec![
            Block::busy(0x41f80),
            Block::free(0x2000),
            Block::busy(0x18),
        ]))
        .segment(SegmentSpec::new(vec![Block::busy(0x10)]).uncommitted_pages(3))
        .large_block(0x10_0000)
        .large_block(0x1234_5678)
        .build()
        .unwrap()
}

fn open(h: &SynthHeap) -> Heap {
    Heap::open(&h.memory, h.address, h.layout.width, LayoutChoice::Auto).unwrap()
}

fn check_equal(h: &SynthHeap, walk: &HeapWalk) {
    let walked: Vec<_> = walk
        .segments
        .iter()
        .flat_map(|s| s.entries.iter())
        .map(|e| (e.address, e.size, e.state, e.requested_size))
        .collect();
    let built: Vec<_> = h
        .entries
        .iter()
        .map(|e| (e.address, e.size, e.state, e.requested))
        .collect();
    assert_eq!(walked, built);
    let vb: Vec<_> = walk
        .virtual_blocks
        .iter()
        .map(|v| (v.address, v.commit_size, v.requested_size.unwrap()))
        .collect();
    assert_eq!(vb, h.large_blocks);
    assert_eq!(walk.free_list.entries, h.free_blocks);
    let lfh: Vec<_> = walk
        .lfh
        .blocks
        .iter()
        .map(|e| (e.address, e.size, e.state, e.requested_size))
        .collect();
    let built: Vec<_> = h
        .lfh_blocks
        .iter()
        .map(|e| (e.address, e.size, e.state, e.requested))
        .collect();
    assert_eq!(lfh, built);
    assert_eq!(
        walk.segments
            .iter()
            .map(|s| s.segment.address)
            .collect::<Vec<_>>(),
        h.segments
    );
}

#[test]
fn built_equals_walked_for_every_layout() {
    for release in Release::ALL {
        for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
            for key in [None, Some(KEY)] {
                let h = sample(release, width, key);
                let heap = open(&h);
                assert_eq!(heap.layout, h.layout, "{release:?} {width:?}");
                let walk = heap.walk(&h.memory);
                assert!(
                    walk.findings.is_empty(),
                    "{release:?} {width:?} {:?}",
                    walk.findings
                );
                check_equal(&h, &walk);
                assert_eq!(walk.segments[0].uncommitted.len(), 1);
                assert_eq!(walk.segments[1].uncommitted.len(), 0);
                let sum = ntheap::report::summary(&walk);
                assert_eq!(sum.committed, heap.counters.unwrap().total_memory_committed);
                assert_eq!(sum.free, h.free_blocks.iter().map(|f| f.1).sum::<u64>());
            }
        }
    }
}

#[test]
fn segment_heap_is_a_typed_error() {
    let mut mem = vec![0u8; 0x100];
    mem[0x10..0x14].copy_from_slice(&0xDDEE_DDEEu32.to_le_bytes());
    let m = ntheap::SliceMemory::new(0x10000, &mem);
    let r = Heap::open(&m, 0x10000, PointerWidth::Bits64, LayoutChoice::Auto);
    assert!(matches!(
        r,
        Err(ntheap::Error::UnsupportedHeapKind {
            kind: ntheap::HeapKind::Segment,
            ..
        })
    ));
}

fn entry(h: &SynthHeap, i: usize) -> u64 {
    h.entries[i].address
}

#[test]
fn checksum_corruption_is_found_and_the_walk_goes_on() {
    let mut h = sample(Release::Win10Rs5, PointerWidth::Bits64, Some(KEY));
    let bad = entry(&h, 3);
    h.corrupt_header_byte(bad, 3, 0x55);
    let walk = open(&h).walk(&h.memory);
    let f: Vec<_> = walk.corruption().collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].address, bad);
    assert!(matches!(f[0].kind, FindingKind::ChecksumMismatch { .. }));
    // The walk resumed after the segment's uncommitted range and walked the other segments.
    assert_eq!(walk.segments.len(), 3);
    assert_eq!(
        walk.segments[1].entries.len(),
        h.entries
            .iter()
            .filter(|e| e.address >= h.segments[1] && e.address < h.segments[2])
            .count()
    );
}

#[test]
fn previous_size_and_overrun_are_found() {
    let mut h = sample(Release::Win7Sp1, PointerWidth::Bits32, Some(KEY));
    let e = h.entries[2];
    let unused = (e.size - e.requested.unwrap()) as u8;
    h.rewrite_header(e.address, (e.size / 8) as u16, 1, 7, unused);
    let walk = open(&h).walk(&h.memory);
    let f: Vec<_> = walk.corruption().collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(matches!(
        f[0].kind,
        FindingKind::PreviousSizeMismatch { found: 0x38, .. }
    ));
    check_equal(&h, &walk);

    let mut h = sample(Release::Win81, PointerWidth::Bits64, None);
    let last = h
        .entries
        .iter()
        .rfind(|x| x.address < h.segments[1])
        .copied()
        .unwrap();
    let prev = h
        .entries
        .iter()
        .rev()
        .find(|x| x.address < last.address)
        .unwrap();
    h.rewrite_header(last.address, 0x7fff, 1, (prev.size / 16) as u16, 0x10);
    let walk = open(&h).walk(&h.memory);
    let f: Vec<_> = walk.corruption().collect();
    assert!(
        matches!(f[0].kind, FindingKind::CrossesSegmentEnd { .. }),
        "{f:?}"
    );
    assert_eq!(f[0].address, last.address);

    let mut h = sample(Release::Win10Rs1, PointerWidth::Bits64, Some(KEY));
    let e = entry(&h, 1);
    h.rewrite_header(e, 0, 1, 0, 0);
    let walk = open(&h).walk(&h.memory);
    assert!(
        walk.corruption()
            .any(|f| f.kind == FindingKind::ZeroSize && f.address == e)
    );
}

#[test]
fn list_cycles_are_found() {
    let mut h = sample(Release::Win10Rs5, PointerWidth::Bits64, Some(KEY));
    let l = h.layout.clone();
    // Point the second free block's Flink back at the first one.
    let n0 = h.free_blocks[0].0 + l.free_entry_free_list;
    let n1 = h.free_blocks[1].0 + l.free_entry_free_list;
    h.write_ptr(n1, n0);
    let walk = open(&h).walk(&h.memory);
    assert!(
        walk.corruption()
            .any(|f| matches!(f.kind, FindingKind::ListCycle { .. })),
        "{:?}",
        walk.findings
    );
    // Same for the large-block list: a self loop.
    let mut h = sample(Release::Win10Rs5, PointerWidth::Bits32, None);
    let v = h.large_blocks[1].0;
    h.write_ptr(v, v);
    let walk = open(&h).walk(&h.memory);
    assert!(walk.corruption().any(|f| matches!(
        f.kind,
        FindingKind::ListCycle { .. } | FindingKind::BadBackLink { .. }
    )));
}

#[test]
fn missing_pages_are_not_corruption() {
    let mut h = sample(Release::Win10Rs5, PointerWidth::Bits64, Some(KEY));
    let e = h
        .entries
        .iter()
        .find(|e| e.address >= h.address + 0x1000)
        .unwrap()
        .address;
    h.memory.drop_range(e & !0xfff, 0x1000);
    let walk = open(&h).walk(&h.memory);
    assert!(walk.is_clean(), "{:?}", walk.findings);
    assert!(
        walk.findings
            .iter()
            .any(|f| matches!(f.kind, FindingKind::NotCaptured { .. }))
    );
    // Later segments are still walked in full.
    assert_eq!(walk.segments[2].entries.len(), 3);
}

#[test]
fn limits_bound_the_walk() {
    let h = sample(Release::Win10Rs5, PointerWidth::Bits64, None);
    let limits = Limits::default().with_max_entries_per_segment(3);
    let walk = open(&h).with_limits(limits).walk(&h.memory);
    assert!(walk.is_clean());
    assert!(
        walk.findings
            .iter()
            .any(|f| matches!(f.kind, FindingKind::LimitReached { .. }))
    );
    assert!(walk.segments.iter().all(|s| s.entries.len() <= 3));
    assert_eq!(walk.limits_reached(), vec!["entries per segment"]);
}

/// A heap with more segments than the limit walks the first ones and says the limit cut it
/// short; the default limit walks heaps of hundreds of segments whole.
#[test]
fn the_segment_limit_is_reported() {
    let h = sample(Release::Win10Rs5, PointerWidth::Bits64, None);
    let walk = open(&h)
        .with_limits(Limits::default().with_max_segments(2))
        .walk(&h.memory);
    assert_eq!(walk.segments.len(), 2);
    assert_eq!(walk.limits_reached(), vec!["segments per heap"]);
    let mut b = HeapBuilder::new(
        HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64),
        base_for(PointerWidth::Bits64),
    );
    for _ in 0..1500 {
        b = b.segment(SegmentSpec::new(vec![Block::busy(0x20)]));
    }
    let big = b.build().unwrap();
    let walk = open(&big).walk(&big.memory);
    assert!(walk.findings.is_empty(), "{:?}", &walk.findings[..1]);
    assert_eq!(walk.segments.len(), 1500);
}

/// The builder's encoding reproduces every stored header of the real Win7 x64 heap.
#[test]
fn builder_encoding_matches_real_headers() {
    let Some(dump) = minidump::open("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let heap = Heap::open(&dump, 0x2d0000, PointerWidth::Bits64, LayoutChoice::Auto).unwrap();
    assert_eq!(heap.encoding, KEY);
    let walk = heap.walk(&dump);
    let mut prev = 0u16;
    for e in &walk.segments[0].entries {
        let mut raw = [0u8; 8];
        dump.read(e.address + 8, &mut raw).unwrap();
        let size = (e.size / 16) as u16;
        let built = encode_header(
            Some(heap.encoding),
            size,
            e.flags.bits(),
            prev,
            e.unused_bytes,
        );
        assert_eq!(built, raw, "{:#x}", e.address);
        prev = size;
    }
}

fn arb_block() -> impl Strategy<Value = Block> {
    prop_oneof![
        (0u64..0x3000).prop_map(Block::busy),
        (0u64..0x800).prop_map(Block::internal),
        (0u64..0x3000).prop_map(Block::free),
        (
            prop::sample::select(vec![0x20u64, 0x30, 0x40, 0x60, 0x80]),
            prop::collection::vec(prop::option::of(0u64..0x40), 1..80)
        )
            .prop_map(|(stride, bl)| Block::lfh(
                stride,
                bl.into_iter()
                    .map(|k| k.map(|k| (stride - 16).saturating_sub(k)))
                    .collect()
            )),
    ]
}

fn arb_heap() -> impl Strategy<Value = SynthHeap> {
    (
        prop::sample::select(Release::ALL.to_vec()),
        any::<bool>(),
        prop::option::of(any::<[u8; 8]>()),
        prop::collection::vec((prop::collection::vec(arb_block(), 0..40), 0u32..8), 1..4),
        prop::collection::vec(0u64..0x40000, 0..3),
        any::<bool>(),
    )
        .prop_map(|(release, x64, key, segs, large, ust)| {
            let width = if x64 {
                PointerWidth::Bits64
            } else {
                PointerWidth::Bits32
            };
            let mut b = HeapBuilder::new(HeapLayout::builtin(release, width), base_for(width))
                .encoding(key)
                .flags(if ust { 0x0800_0002 } else { 2 });
            for (blocks, ucr) in segs {
                b = b.segment(SegmentSpec::new(blocks).uncommitted_pages(ucr));
            }
            for l in large {
                b = b.large_block(l);
            }
            b.build().unwrap()
        })
}

/// `!heap -stat` the plain way: every block, and a scan over the segments for header blocks.
fn naive_stat(walk: &HeapWalk) -> Vec<(u64, u64)> {
    let mut by = std::collections::BTreeMap::new();
    for e in walk.all_entries() {
        let user = match e.state {
            EntryState::Busy if e.front_end => true,
            EntryState::Busy => {
                e.unused_bytes != 3 && !walk.segments.iter().any(|s| s.segment.address == e.address)
            }
            EntryState::VirtualAlloc => true,
            _ => false,
        };
        if let (true, Some(r)) = (user, e.requested_size) {
            *by.entry(r).or_insert(0u64) += 1;
        }
    }
    by.into_iter().collect()
}

/// The one-pass walk hands out exactly the blocks the kept walk holds, in the same order, and
/// finds the same things; its census is `!heap -stat` computed the plain way.
fn check_streamed_equals_kept(
    heap: &Heap,
    h: &SynthHeap,
    walk: &HeapWalk,
) -> Result<(), TestCaseError> {
    let mut seen = Vec::new();
    let mut census = SizeCensus::new();
    let skeleton = heap.walk_with(&h.memory, &mut |e: &Entry, s: BlockSource<'_>| {
        seen.push(*e);
        census.add(e, s);
    });
    prop_assert!(!skeleton.entries_kept && walk.entries_kept);
    prop_assert_eq!(&skeleton.findings, &walk.findings);
    prop_assert_eq!(skeleton.findings_dropped, walk.findings_dropped);
    prop_assert_eq!(&skeleton.free_list, &walk.free_list);
    prop_assert_eq!(&skeleton.virtual_blocks, &walk.virtual_blocks);
    prop_assert_eq!(skeleton.segments.len(), walk.segments.len());
    for (a, b) in skeleton.segments.iter().zip(&walk.segments) {
        prop_assert_eq!(&a.segment, &b.segment);
        prop_assert_eq!(&a.uncommitted, &b.uncommitted);
        prop_assert!(a.entries.is_empty());
    }
    prop_assert_eq!(skeleton.lfh.key, walk.lfh.key);
    prop_assert_eq!(
        ntheap::report::summary(&skeleton),
        ntheap::report::summary(walk)
    );
    let all: Vec<Entry> = walk.all_entries().collect();
    prop_assert_eq!(&seen, &all);
    let mut from_census: Vec<(u64, u64)> =
        census.stats().iter().map(|s| (s.size, s.count)).collect();
    from_census.sort_unstable();
    prop_assert_eq!(&from_census, &naive_stat(walk));
    let mut from_stat: Vec<(u64, u64)> = ntheap::report::stat(walk)
        .iter()
        .map(|s| (s.size, s.count))
        .collect();
    from_stat.sort_unstable();
    prop_assert_eq!(from_stat, from_census);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn prop_built_equals_walked(h in arb_heap()) {
        let heap = Heap::open(&h.memory, h.address, h.layout.width, LayoutChoice::Exact(Box::new(h.layout.clone()))).unwrap();
        let walk = heap.walk(&h.memory);
        prop_assert!(walk.findings.is_empty(), "{:?}", walk.findings);
        check_equal(&h, &walk);
        check_streamed_equals_kept(&heap, &h, &walk)?;
    }

    #[test]
    fn prop_damage_gives_findings_or_err_never_panics(
        h in arb_heap(),
        writes in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), any::<u8>()), 1..16),
        drop in prop::option::of((any::<prop::sample::Index>(), 1u64..0x3000)),
    ) {
        let mut h = h;
        for (r, o, v) in writes {
            let region = r.index(h.memory.regions.len());
            let len = h.memory.regions[region].1.len();
            let off = o.index(len);
            h.memory.regions[region].1[off] = v;
        }
        if let Some((r, len)) = drop {
            let region = r.index(h.memory.regions.len());
            let base = h.memory.regions[region].0;
            h.memory.drop_range(base + len, len);
        }
        let limits = Limits::default().with_max_entries_per_segment(100_000).with_max_list_steps(10_000);
        if let Ok(heap) = Heap::open(&h.memory, h.address, h.layout.width, LayoutChoice::Auto) {
            let heap = heap.with_limits(limits);
            let walk = heap.walk(&h.memory);
            let _ = ntheap::report::summary(&walk);
            let _ = ntheap::report::stat(&walk);
            check_streamed_equals_kept(&heap, &h, &walk)?;
            for s in &walk.segments {
                for e in &s.entries {
                    prop_assert!(e.size > 0);
                    prop_assert!(e.end() <= s.segment.last_valid_entry);
                }
            }
        }
    }
}

/// The 13 GB heap-leak story: a Windows 7 x64 process heap with `+ust` (flags 08001002) whose large block WinDbg
/// shows as `0000000043500030 100100 0000 [00] 0000000043500060 1000040 - (busy VirtualAlloc)`:
/// the busy block is at +0x30, the user data at +0x60, the commit size 0x100100 granules and
/// the requested size 0x1000040.
#[test]
fn seed_004_ust_large_block_numbers() {
    let h = HeapBuilder::new(
        HeapLayout::builtin(Release::Win7Sp1, PointerWidth::Bits64),
        0x29fb0000,
    )
    .flags(0x0800_1002)
    .ust_frames(vec![0x775b_c35b, 0x7fe_d230_483b, 0x7fe_d22d_d81d])
    .encoding(Some(KEY))
    .segment(
        SegmentSpec::new(vec![
            Block::busy(0x100),
            Block::free(0x40),
            Block::busy(0x31),
        ])
        .uncommitted_pages(8),
    )
    .large_block(0x100_0040)
    .build()
    .unwrap();
    let heap = open(&h);
    assert_eq!(heap.layout.heap_virtual_allocd_blocks, 0x118);
    let walk = heap.walk(&h.memory);
    assert!(walk.findings.is_empty(), "{:?}", walk.findings);
    check_equal(&h, &walk);
    let v = walk.virtual_blocks[0];
    assert_eq!(v.user_address - v.address, 0x60);
    assert_eq!(v.commit_size / 16, 0x100100);
    assert_eq!(v.requested_size, Some(0x100_0040));
    // +ust segment blocks: user data after the 0x20-byte trace header.
    let e = walk.segments[0].entries[1];
    assert_eq!(
        (e.user_address - e.address, e.requested_size),
        (0x30, Some(0x100))
    );
    // `!heap -p -a`: the allocation stacks.
    let frames = vec![0x775b_c35b, 0x7fe_d230_483b, 0x7fe_d22d_d81d];
    assert_eq!(
        heap.stack_trace(&h.memory, &e).unwrap(),
        Some(frames.clone())
    );
    assert_eq!(
        heap.stack_trace(&h.memory, &v.as_entry()).unwrap(),
        Some(frames)
    );
    let free = walk.segments[0].entries[2];
    assert_eq!(heap.stack_trace(&h.memory, &free).unwrap(), None);
}

#[test]
fn lfh_blocks_are_found_in_their_carriers_on_every_layout() {
    for release in Release::ALL {
        for width in [PointerWidth::Bits32, PointerWidth::Bits64] {
            let h = HeapBuilder::new(HeapLayout::builtin(release, width), base_for(width))
                .encoding(Some(KEY))
                .lfh_key(0x1234_5678)
                .segment(
                    SegmentSpec::new(vec![
                        Block::busy(0x108),
                        Block::lfh(0x30, vec![Some(0x20), None, Some(0x18), Some(0x1f), None]),
                        Block::free(0x40),
                        Block::lfh(
                            0x40,
                            (0..100).map(|i| (i % 3 != 0).then_some(0x30)).collect(),
                        ),
                    ])
                    .uncommitted_pages(4),
                )
                .build()
                .unwrap();
            let heap = open(&h);
            assert_eq!(heap.front_end_type, ntheap::FrontEndType::Lfh);
            let walk = heap.walk(&h.memory);
            assert!(
                walk.findings.is_empty(),
                "{release:?} {width:?} {:?}",
                walk.findings
            );
            check_equal(&h, &walk);
            assert_eq!(walk.lfh.subsegments, 2);
            if release != Release::Win7Sp1 {
                assert_eq!(walk.lfh.key, Some(0x1234_5678));
            }
            // Statistics count the LFH blocks, not their carriers.
            let st = ntheap::report::stat(&walk);
            let s30 = st.iter().find(|x| x.size == 0x30).unwrap();
            assert_eq!(s30.count, 66);
            assert!(st.iter().all(|x| x.size != h.entries[2].requested.unwrap()));
            // An address inside an LFH block is found as that block.
            let b = h.lfh_blocks[2];
            let f = ntheap::report::find(std::slice::from_ref(&walk), b.address + 9).unwrap();
            assert_eq!(f.entry.address, b.address);
            assert!(f.entry.front_end);
        }
    }
}

#[test]
fn free_list_node_outside_the_walk_is_found() {
    let mut h = sample(Release::Win10Rs5, PointerWidth::Bits64, Some(KEY));
    let l = h.layout.clone();
    // Point the free-list head at the middle of a busy block.
    let busy = h.entries[4];
    let fake = busy.address + 0x20;
    let head = h.address + l.heap_free_lists;
    let first = h.free_blocks[0].0 + l.free_entry_free_list;
    h.write_ptr(head, fake + l.free_entry_free_list);
    // Make the fake node look like a free block linked back to the head and on to the rest.
    h.rewrite_header(fake, 4, 0, 0, 0);
    h.write_ptr(fake + l.free_entry_free_list, first);
    h.write_ptr(fake + l.free_entry_free_list + 8, head);
    h.write_ptr(first + 8, fake + l.free_entry_free_list);
    let walk = open(&h).walk(&h.memory);
    assert!(
        walk.corruption().any(|f| f.address == fake
            && f.kind
                == FindingKind::FreeListEntryNotInSegment {
                    block: busy.address
                }),
        "{:?}",
        walk.findings
    );
}

#[test]
fn stat_all_merges_the_heaps_of_a_process() {
    let a = sample(Release::Win10Rs5, PointerWidth::Bits64, Some(KEY));
    let b = sample(Release::Win7Sp1, PointerWidth::Bits32, None);
    let wa = open(&a).walk(&a.memory);
    let wb = open(&b).walk(&b.memory);
    assert_ne!(wa.heap.address, wb.heap.address);
    let all = ntheap::report::stat_all([&wa, &wb]);
    // Every line of each heap's own statistics, tagged with its heap.
    for w in [&wa, &wb] {
        let own = ntheap::report::stat(w);
        let mine: Vec<_> = all.iter().filter(|s| s.heap == w.heap.address).collect();
        assert_eq!(mine.len(), own.len());
        for s in own {
            let m = mine.iter().find(|m| m.size == s.size).unwrap();
            assert_eq!((m.count, m.total), (s.count, s.total));
        }
    }
    // Percentages are of the bytes of both heaps; largest total first.
    let grand: u64 = all.iter().map(|s| s.total).sum();
    assert!(grand > 0);
    for s in &all {
        assert_eq!(
            s.percent_x100,
            (u128::from(s.total) * 10_000 / u128::from(grand)) as u64
        );
    }
    assert!(all.windows(2).all(|p| p[0].total >= p[1].total));
    let one = ntheap::report::stat_all([&wa]);
    let own = ntheap::report::stat(&wa);
    assert_eq!(
        one.iter().map(|s| s.percent_x100).collect::<Vec<_>>(),
        own.iter().map(|s| s.percent_x100).collect::<Vec<_>>()
    );
    assert!(ntheap::report::stat_all([]).is_empty());
}

#[test]
fn large_blocks_captured_only_at_their_start_still_walk_whole() {
    // 189 blocks of 16 MiB + 0x40 (about 3 GiB), each captured only in its first page.
    let layout = HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64);
    let mut b = HeapBuilder::new(layout, 0x29fb_0000)
        .flags(0x0800_1002)
        .ust_frames(vec![0x7ff6_0000_1612])
        .segment(SegmentSpec::new(vec![Block::busy(0x40)]))
        .large_block_capture(0x1000);
    for _ in 0..189 {
        b = b.large_block(0x100_0040);
    }
    let h = b.build().unwrap();
    let held: usize = h.memory.regions.iter().map(|(_, b)| b.len()).sum();
    assert!(held < 4 << 20, "holds {held} bytes");
    let walk = open(&h).walk(&h.memory);
    assert_eq!(walk.virtual_blocks.len(), 189);
    let committed: u64 = walk.virtual_blocks.iter().map(|v| v.commit_size).sum();
    assert_eq!(committed, 189 * 0x100_1000);
    assert!(
        walk.virtual_blocks
            .iter()
            .all(|v| v.requested_size == Some(0x100_0040))
    );
    check_equal(&h, &walk);
}

/// A filled heap, produced in uneven chunks, walks clean with every filled block where the
/// pattern put it, on both widths.
#[test]
fn filled_tails_walk_clean() {
    for width in [PointerWidth::Bits64, PointerWidth::Bits32] {
        let layout = HeapLayout::builtin(Release::Win10Rs5, width);
        let mut b = HeapBuilder::new(layout, base_for(width)).encoding(Some(KEY));
        for i in 0..3 {
            let blocks = if i == 0 {
                vec![Block::busy(0x30), Block::free(0x400)]
            } else {
                vec![Block::busy(0x30)]
            };
            b = b.segment(SegmentSpec::new(blocks).uncommitted_pages(16 + i));
        }
        let sizes = [0x1f8u64, 0x30, 0x1f8, 0x58];
        let text = std::sync::Arc::new(|user: u64, _req: u64| {
            Some(format!("==> Allocated addr: 0x{:08x}\n\0", user & 0xffff_ffff).into_bytes())
        });
        let filled = b.build().unwrap().fill_tails(&sizes, Some(text)).unwrap();
        let mut mem = ntheap::synth::SynthMemory::default();
        for (base, len) in filled.regions() {
            let mut bytes = vec![0u8; len as usize];
            // Uneven chunks, as a streaming writer may ask.
            let mut off = 0usize;
            let mut step = 0x7ff;
            while off < bytes.len() {
                let n = step.min(bytes.len() - off);
                filled.fill(base, off as u64, &mut bytes[off..off + n]);
                off += n;
                step = step * 3 % 0x3001 + 1;
            }
            mem.regions.push((base, bytes));
        }
        let heap = Heap::open(&mem, filled.heap.address, width, LayoutChoice::Auto).unwrap();
        let walk = heap.walk(&mem);
        assert!(walk.findings.is_empty(), "{:?}", walk.findings);
        assert!(walk.segments.iter().all(|s| s.uncommitted.is_empty()));
        let built = filled.heap.entries.len() as u64;
        let walked = walk
            .segments
            .iter()
            .map(|s| s.entries.len() as u64)
            .sum::<u64>();
        assert_eq!(walked, built + filled.filled_blocks());
        let stat = ntheap::report::stat(&walk);
        let leak = stat.iter().find(|s| s.size == 0x1f8).unwrap();
        assert_eq!(stat[0].size, 0x1f8);
        let mut text = [0u8; 22];
        let e = walk.segments[1]
            .entries
            .iter()
            .find(|e| e.requested_size == Some(0x1f8))
            .unwrap();
        mem.read(e.user_address, &mut text).unwrap();
        assert_eq!(&text, b"==> Allocated addr: 0x");
        assert!(leak.count > 2 * stat.iter().find(|s| s.size == 0x58).unwrap().count - 2);
    }
}
