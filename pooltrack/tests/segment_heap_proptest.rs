//! Property tests of the segment-heap pool walk: round trips through the `synth` builder, and
//! mutated memory giving results or errors, never a panic.
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use pooltrack::synth::{
    SynthKernel, SynthLfhBlock, SynthSegmentHeap, SynthVsChunk, exercise_segment_heap,
    segment_heap_mutated_for,
};
use pooltrack::{Arch, KernelBuild, Limits, Pool, PoolPageKind, PoolTag, SliceMemory};
use proptest::prelude::*;

fn tag_of(i: u8) -> u32 {
    u32::from_le_bytes([b'T', b'a', b'g', b'A' + i % 8])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Blocks laid out by the builder come back from `!pool` (each address, its block: tag,
    /// size, free) and from `!poolfind` (exactly the blocks with the tag), on x64 and x86.
    #[test]
    fn round_trip(
        x86 in any::<bool>(),
        build in prop::sample::select(vec![17763u32, 19041, 22000, 22631]),
        heap_key in any::<u64>(),
        lfh_key in any::<u64>(),
        bs16 in 1u64..=0x40,
        lfh in prop::collection::vec((0u8..8, any::<bool>()), 0..12),
        vs in prop::collection::vec((0u8..8, 1u64..0x7f, any::<bool>()), 0..10),
        vs_pages in 1u64..4,
        paged in any::<bool>(),
    ) {
        // x86: builds 18362 and 19041, 32-bit addresses, 8-byte units.
        let (arch, build, unit) = if x86 {
            (Arch::X86, if build < 19041 { 18362 } else { 19041 }, 8u64)
        } else {
            (Arch::X64, build, 16u64)
        };
        let a = |x64: u64, x86v: u64| if x86 { x86v } else { x64 };
        let mut k = SynthKernel::new(KernelBuild::new(arch, build));
        let pl = k.add_segment_heap_pool(&SynthSegmentHeap {
            state: a(0xFFFF_F800_1000_0000, 0x8100_0000),
            globals: a(0xFFFF_F800_1100_0000, 0x8110_0000),
            heap: a(0xFFFF_C000_0100_0000, 0x9100_0000),
            segment: a(0xFFFF_C000_0230_0000, 0x9230_0000),
            heap_key,
            lfh_key,
            paged,
            lfh_block_size: bs16 * unit,
            lfh_blocks: lfh.iter().map(|&(t, free)| SynthLfhBlock { tag: tag_of(t), free }).collect(),
            vs_pages,
            vs_chunks: vs.iter().map(|&(t, s16, free)| SynthVsChunk { tag: tag_of(t), size: s16 * unit, free }).collect(),
        });
        let bsize = bs16 * unit;
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        for (i, &(t, free)) in lfh.iter().enumerate() {
            let Some(&a) = pl.lfh_blocks.get(i) else { break };
            let p = pool.pool_page(a + bsize / 2).unwrap();
            let lfh_ok = matches!(p.kind, PoolPageKind::SegmentLfh { block_size, .. } if block_size == bsize);
            prop_assert!(lfh_ok, "kind {:?}", p.kind);
            let b = p.holding_block().unwrap();
            prop_assert_eq!((b.addr, b.tag.0, b.free, b.size), (a, tag_of(t), free, bsize));
            if !free {
                prop_assert_eq!(b.paged, Some(paged));
            }
        }
        let mut vs_laid = 0usize;
        for (i, &(t, s16, free)) in vs.iter().enumerate() {
            let Some(&a) = pl.vs_blocks.get(i) else { break };
            if i + 1 == pl.vs_blocks.len() {
                break; // the last one may have absorbed the tail
            }
            vs_laid += 1;
            let p = pool.pool_page(a).unwrap();
            let vs_ok = matches!(p.kind, PoolPageKind::SegmentVs { .. });
            prop_assert!(vs_ok, "kind {:?}", p.kind);
            prop_assert_eq!(p.corrupt_at, None);
            let b = p.holding_block().unwrap();
            prop_assert_eq!((b.addr, b.tag.0, b.free), (a, tag_of(t), free));
            if !free {
                prop_assert_eq!(b.size, s16 * unit);
            }
        }
        // `!poolfind` of one tag: every LFH block and laid-out VS chunk carrying it.
        let want_lfh = lfh.iter().take(pl.lfh_blocks.len()).filter(|x| x.0 == 0).count();
        let want_vs = vs.iter().take(vs_laid).filter(|x| x.0 == 0).count();
        let f = pool.segment_pool_find(&PoolTag(tag_of(0)).to_string(), &mut |_| true).unwrap();
        let got = f.hits.len();
        prop_assert!(got >= want_lfh + want_vs && got <= want_lfh + want_vs + 1, "{} vs {}+{}", got, want_lfh, want_vs);
    }

    /// Byte edits anywhere in the synthetic pool: results or errors, never a panic.
    #[test]
    fn mutated_never_panics(x86 in any::<bool>(), patches in prop::collection::vec(any::<u8>(), 0..240)) {
        let arch = if x86 { Arch::X86 } else { Arch::X64 };
        let (k, pl) = segment_heap_mutated_for(arch, &patches);
        let mut addrs: Vec<u64> = pl.lfh_blocks.iter().take(5).copied().collect();
        addrs.extend(pl.vs_blocks.iter().copied());
        exercise_segment_heap(&k.memory, k.context.clone(), Limits::fuzzing(), &addrs);
    }

    /// Random memory as the pool state, heaps and segments: never a panic.
    #[test]
    fn random_memory_never_panics(
        x86 in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..0x3000),
        state in any::<u16>(),
        at in any::<u16>(),
        key in any::<u64>(),
    ) {
        let (arch, base) = if x86 { (Arch::X86, 0x9000_0000u64) } else { (Arch::X64, 0xffff_c000_0000_0000u64) };
        let len = (bytes.len() as u64).max(1);
        let mut ctx = pooltrack::PoolContext::new(KernelBuild::new(arch, 19041));
        ctx.pool_state = base + u64::from(state) % len;
        ctx.heap_key = Some(key);
        ctx.lfh_key = Some(key.rotate_left(7));
        let mem = SliceMemory::new(base, &bytes);
        exercise_segment_heap(mem, ctx, Limits::fuzzing(), &[base + u64::from(at) % len, base]);
    }
}
