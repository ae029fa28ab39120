//! Fuzz the segment-heap pool walk (`!pool`, `!poolfind`; x64 17763+, x86 18362+): either a
//! well-formed synthetic segment-heap pool (x64 or x86, bit 2 of the first byte) with the
//! input's XOR patches, or the input itself as kernel memory with `ExPoolState` and the keys
//! taken from its first bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pooltrack::synth::{exercise_segment_heap, segment_heap_mutated_for};
use pooltrack::{Arch, KernelBuild, Limits, PoolContext, SliceMemory};

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<24>() else {
        return;
    };
    let arch = if head[0] & 4 == 0 { Arch::X64 } else { Arch::X86 };
    if head[0] & 1 == 0 {
        let (k, pl) = segment_heap_mutated_for(arch, rest);
        let mut addrs: Vec<u64> = pl.lfh_blocks.iter().take(4).copied().collect();
        addrs.extend(pl.vs_blocks.iter().copied());
        addrs.push(u64::from_le_bytes(head[8..16].try_into().unwrap_or([0; 8])));
        let _ = exercise_segment_heap(&k.memory, k.context.clone(), Limits::fuzzing(), &addrs);
    } else {
        let base = match arch {
            Arch::X64 => 0xffff_c000_0000_0000u64,
            Arch::X86 => 0x9000_0000u64,
        };
        let len = rest.len() as u64;
        let build = match (arch, head[0] & 2 == 0) {
            (Arch::X64, true) => 19041,
            (Arch::X64, false) => 22000,
            (Arch::X86, true) => 18362,
            (Arch::X86, false) => 19041,
        };
        let mut ctx = PoolContext::new(KernelBuild::new(arch, build));
        ctx.pool_state = base + u64::from(u16::from_le_bytes([head[1], head[2]])) % len.max(1);
        ctx.heap_key = Some(u64::from_le_bytes(head[8..16].try_into().unwrap_or([0; 8])));
        ctx.lfh_key = Some(u64::from_le_bytes(head[16..24].try_into().unwrap_or([0; 8])));
        let at = base + u64::from(u16::from_le_bytes([head[3], head[4]])) % len.max(1);
        let mem = SliceMemory::new(base, rest);
        let _ = exercise_segment_heap(mem, ctx, Limits::fuzzing(), &[at, base]);
    }
});
