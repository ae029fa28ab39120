//! The whole segment-heap walk: page segments, back-end ranges, VS chunks and LFH blocks walk
//! block for block as built (Windows 10 19041 x64/x86, Windows 11 22000 x64), with the keys
//! recovered from the data alone or given; damage gives findings, never a panic.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::indexing_slicing,
    missing_docs
)]

use ntheap::synth::{BuiltBlock, SegmentHeapBuilder, SynthSegmentHeap};
use ntheap::{
    BlockSource, Entry, KeySource, LfhShift, Limits, PointerWidth, SegmentBlockKind, SegmentHeap,
    SegmentHeapKeys, report::SizeCensus,
};
use proptest::prelude::*;

fn heap_at(width: PointerWidth) -> u64 {
    match width {
        PointerWidth::Bits32 => 0x00a2_0000,
        PointerWidth::Bits64 => 0x0000_0221_5f40_0000,
    }
}

fn sample(width: PointerWidth, build: u32) -> SynthSegmentHeap {
    SegmentHeapBuilder::new(width, heap_at(width), 0x3000_0000)
        .os_build(build)
        .keys(0x1234_5678_9abc_def0, 0x0bad_f00d_cafe_d00d)
        .vs(vec![
            (true, 0x30),
            (false, 0x100),
            (true, 0x1ff),
            (true, 0x2000),
            (true, 0x41),
        ])
        .lfh(
            0x40,
            vec![Some(0x40), None, Some(0x31), Some(0x3f), None, Some(0x10)],
        )
        .backend(0x2_1000)
        .free_pages(3)
        .backend(0xe_0000)
        .lfh(0x100, vec![Some(0x100), Some(0xf8)])
        .vs(vec![(true, 0x18), (true, 0x800)])
        .backend(0x1234)
        .large(0x10_0000)
        .build()
        .unwrap()
}

fn as_built(b: &BuiltBlock) -> (SegmentBlockKind, u64, u64, u64, bool, Option<u64>) {
    (
        b.kind,
        b.address,
        b.user_address,
        b.size,
        b.busy,
        b.requested,
    )
}

fn walked(
    kind: SegmentBlockKind,
    e: &Entry,
) -> (SegmentBlockKind, u64, u64, u64, bool, Option<u64>) {
    (
        kind,
        e.address,
        e.user_address,
        e.size,
        e.is_busy(),
        e.requested_size,
    )
}

fn open(b: &SynthSegmentHeap, width: PointerWidth, limits: &Limits) -> SegmentHeap {
    SegmentHeap::open(&b.memory, b.address, width, Some(b.layout), limits).unwrap()
}

#[test]
fn blocks_walk_as_built_and_keys_are_recovered_without_being_given() {
    for (width, build) in [
        (PointerWidth::Bits64, 19041),
        (PointerWidth::Bits32, 19045),
        (PointerWidth::Bits64, 22000),
    ] {
        let b = sample(width, build);
        assert!(b.segments.len() >= 2, "the sample spans two page segments");
        let h = open(&b, width, &Limits::default());
        let w = h.walk(&b.memory, SegmentHeapKeys::default());
        assert!(w.findings.is_empty(), "{width:?} {build}: {:?}", w.findings);
        assert_eq!(w.keys.heap_key_source, KeySource::Recovered);
        assert_eq!(w.keys.heap_key, Some(b.heap_key), "{width:?} {build}");
        assert_eq!(
            w.keys.heap_key_known_bits,
            b.heap_key
                | !b.heap_key
                    & if width == PointerWidth::Bits32 {
                        0xffff_ffff
                    } else {
                        u64::MAX
                    }
        );
        assert_eq!(w.keys.lfh_key, Some(b.lfh_key), "{width:?} {build}");
        assert_eq!(w.keys.lfh_votes, (2, 2));
        assert_eq!(w.keys.vs_votes, (2, 2));
        assert_eq!(w.keys.signature_votes.0, b.segments.len());
        assert!(w.segments.iter().all(|s| s.signature_matches == Some(true)));
        let got: Vec<_> = w
            .blocks
            .iter()
            .filter(|x| x.kind != SegmentBlockKind::Large)
            .map(|x| walked(x.kind, &x.entry))
            .collect();
        let want: Vec<_> = b.blocks.iter().map(as_built).collect();
        assert_eq!(got, want, "{width:?} {build}");
        let large: Vec<_> = w
            .blocks
            .iter()
            .filter(|x| x.kind == SegmentBlockKind::Large)
            .map(|x| (x.entry.user_address, x.entry.requested_size.unwrap()))
            .collect();
        assert_eq!(large, b.large);
    }
}

#[test]
fn given_keys_are_used_and_a_wrong_heap_key_gives_findings() {
    let width = PointerWidth::Bits64;
    let b = sample(width, 19041);
    let h = open(&b, width, &Limits::default());
    let given = SegmentHeapKeys {
        heap_key: Some(b.heap_key),
        lfh_key: Some(b.lfh_key),
    };
    let w = h.walk(&b.memory, given);
    assert!(w.findings.is_empty(), "{:?}", w.findings);
    assert_eq!(w.keys.heap_key_source, KeySource::Given);
    assert_eq!(w.keys.lfh_key_source, KeySource::Given);
    assert_eq!(w.blocks.len(), b.blocks.len() + 1);
    let wrong = SegmentHeapKeys {
        heap_key: Some(b.heap_key ^ 0x10_0000),
        lfh_key: Some(b.lfh_key ^ 0x40),
    };
    let w = h.walk(&b.memory, wrong);
    assert!(!w.is_clean());
    assert!(w.blocks.len() < b.blocks.len());
}

#[test]
fn the_visitor_sees_the_same_blocks_and_the_census_counts_them() {
    let width = PointerWidth::Bits64;
    let b = sample(width, 19041);
    let h = open(&b, width, &Limits::default());
    let mut census = SizeCensus::new();
    let mut seen = Vec::new();
    let w = h.walk_with(
        &b.memory,
        SegmentHeapKeys::default(),
        &mut |e: &Entry, s: BlockSource<'_>| {
            census.add(e, s);
            if let BlockSource::SegmentHeap { kind, .. } = s {
                seen.push(walked(kind, e));
            }
        },
    );
    assert!(w.blocks.is_empty() && !w.blocks_kept);
    let kept = h.walk(&b.memory, SegmentHeapKeys::default());
    let all: Vec<_> = kept
        .blocks
        .iter()
        .map(|x| walked(x.kind, &x.entry))
        .collect();
    assert_eq!(seen, all);
    let busy: Vec<u64> = b
        .blocks
        .iter()
        .filter_map(|x| x.requested)
        .chain(b.large.iter().map(|l| l.1))
        .collect();
    assert_eq!(census.busy_blocks, busy.len() as u64);
    assert_eq!(census.busy_bytes, busy.iter().sum::<u64>());
    assert_eq!(census.large_blocks_of(0x10_0000), 1);
}

#[test]
fn the_full_address_lfh_shift_is_recognised_too() {
    let width = PointerWidth::Bits64;
    // Two page segments on either side of a 4 GiB line: the two ways of keying differ there.
    let b = SegmentHeapBuilder::new(width, heap_at(width), 0x3000_0000)
        .segment_base(0x2_fff0_0000)
        .lfh_shift(LfhShift::Full)
        .lfh(0x20, vec![Some(0x20); 5])
        .lfh(0x30, vec![None, Some(0x2a)])
        .backend(0xfc_000)
        .lfh(0x400, vec![Some(0x3ff)])
        .lfh(0x50, vec![Some(0x41)])
        .build()
        .unwrap();
    assert_eq!(b.segments, vec![0x2_fff0_0000, 0x3_0000_0000]);
    let h = open(&b, width, &Limits::default());
    let w = h.walk(&b.memory, SegmentHeapKeys::default());
    assert!(w.findings.is_empty(), "{:?}", w.findings);
    assert_eq!(w.keys.lfh_shift, LfhShift::Full);
    assert_eq!(w.keys.lfh_key, Some(b.lfh_key));
    // No VS subsegment: the heap key comes from the page segment signature alone.
    assert_eq!(w.keys.heap_key, Some(b.heap_key));
    let got: Vec<_> = w.blocks.iter().map(|x| walked(x.kind, &x.entry)).collect();
    let want: Vec<_> = b.blocks.iter().map(as_built).collect();
    assert_eq!(got, want);
}

#[test]
fn a_build_without_a_table_is_recognised_and_not_walked() {
    let width = PointerWidth::Bits64;
    let b = sample(width, 19041);
    let h = SegmentHeap::open(&b.memory, b.address, width, None, &Limits::default()).unwrap();
    let w = h.walk(&b.memory, SegmentHeapKeys::default());
    assert!(w.blocks.is_empty());
    assert_eq!(w.findings.len(), 1);
    assert!(w.findings[0].to_string().contains("not walked"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any mix of VS chunks, LFH blocks and back-end ranges walks as built, keys recovered.
    #[test]
    fn prop_round_trip(
        wide in any::<bool>(),
        win11 in any::<bool>(),
        heap_key in any::<u64>(),
        lfh_key in any::<u64>(),
        vs in prop::collection::vec(prop::collection::vec((any::<bool>(), 0u64..0x3000), 1..12), 1..3),
        lfh in prop::collection::vec((1u64..32, prop::collection::vec(prop::option::of(0u64..0x200), 1..40)), 1..4),
        backend in prop::collection::vec(1u64..0x20000, 0..3),
    ) {
        let width = if wide { PointerWidth::Bits64 } else { PointerWidth::Bits32 };
        let build = if wide && win11 { 22631 } else { 19042 };
        let gran = if wide { 16 } else { 8 };
        let mut bld = SegmentHeapBuilder::new(width, heap_at(width), 0x3000_0000)
            .os_build(build)
            .keys(heap_key, lfh_key);
        for chunks in vs {
            bld = bld.vs(chunks);
        }
        for (units, blocks) in lfh {
            let bs = units * gran;
            bld = bld.lfh(bs, blocks.into_iter().map(|b| b.map(|r| r.min(bs).max(1))).collect());
        }
        for size in backend {
            bld = bld.backend(size);
        }
        let b = bld.build().unwrap();
        let h = open(&b, width, &Limits::default());
        let want: Vec<_> = b.blocks.iter().map(as_built).collect();
        // Keys given: always exact.
        let given = SegmentHeapKeys { heap_key: Some(b.heap_key), lfh_key: Some(b.lfh_key) };
        let w = h.walk(&b.memory, given);
        prop_assert!(w.findings.is_empty(), "{:?}", w.findings);
        let got: Vec<_> = w.blocks.iter().map(|x| walked(x.kind, &x.entry)).collect();
        prop_assert!(got == want, "given keys: walk differs from the build");
        // Keys recovered: exact, except LFH blocks when the walk says the LFH key is
        // ambiguous (then every other block still is).
        let w = h.walk(&b.memory, SegmentHeapKeys::default());
        prop_assert_eq!(w.keys.heap_key.map(|k| k & w.keys.heap_key_known_bits), Some(b.heap_key & w.keys.heap_key_known_bits));
        let ambiguous = w.keys.lfh_alternatives > 0;
        prop_assert_eq!(
            w.findings.iter().any(|f| matches!(f.kind, ntheap::FindingKind::KeyAmbiguous { .. })),
            ambiguous
        );
        if !ambiguous {
            prop_assert!(w.findings.is_empty(), "{:?}", w.findings);
        }
        let keep = |k: SegmentBlockKind| !ambiguous || k != SegmentBlockKind::Lfh;
        let got: Vec<_> = w.blocks.iter().filter(|x| keep(x.kind)).map(|x| walked(x.kind, &x.entry)).collect();
        let want: Vec<_> = b.blocks.iter().filter(|x| keep(x.kind)).map(as_built).collect();
        let first = got.iter().zip(&want).position(|(a, b)| a != b);
        prop_assert!(
            got.len() == want.len() && first.is_none(),
            "{} walked, {} built; first difference {:?}: {:?} vs {:?}; keys {:?}",
            got.len(),
            want.len(),
            first,
            first.map(|i| got[i]),
            first.map(|i| want[i]),
            w.keys
        );
    }

    /// Random byte damage anywhere gives findings (or fewer blocks), never a panic, and stays
    /// within the limits.
    #[test]
    fn prop_damage_never_panics(
        wide in any::<bool>(),
        writes in prop::collection::vec((0usize..4, any::<u32>(), any::<u8>()), 1..40),
        given in any::<bool>(),
    ) {
        let width = if wide { PointerWidth::Bits64 } else { PointerWidth::Bits32 };
        let mut b = sample(width, 19041);
        let regions = b.memory.regions.len();
        for (r, off, v) in writes {
            let (_, bytes) = &mut b.memory.regions[r % regions];
            let n = bytes.len();
            // Aim at headers: the first 64 KiB of each region most of the time.
            bytes[off as usize % n.min(0x1_0000)] ^= v | 1;
        }
        let limits = Limits::fuzzing();
        if let Ok(h) = SegmentHeap::open(&b.memory, b.address, width, Some(b.layout), &limits) {
            let keys = if given {
                SegmentHeapKeys { heap_key: Some(b.heap_key), lfh_key: Some(b.lfh_key) }
            } else {
                SegmentHeapKeys::default()
            };
            let w = h.walk(&b.memory, keys);
            prop_assert!(w.findings.len() <= limits.max_findings);
            prop_assert!(w.segments.len() <= 2 * limits.max_segments);
        }
    }
}
