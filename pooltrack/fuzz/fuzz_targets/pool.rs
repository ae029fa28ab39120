//! Fuzz every pool reader: the input is kernel memory at a fixed base; its first bytes choose the
//! build and where the tracker tables, big page table, verifier data, driver list, target-driver
//! tree and pool log are, so every reader walks attacker-controlled structures.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pooltrack::{Arch, KernelBuild, Limits, PoolContext, SliceMemory};

const BUILDS: [(Arch, u32); 12] = [
    (Arch::X86, 2600),
    (Arch::X86, 3790),
    (Arch::X86, 7601),
    (Arch::X86, 9600),
    (Arch::X86, 19041),
    (Arch::X64, 7601),
    (Arch::X64, 9600),
    (Arch::X64, 14393),
    (Arch::X64, 17134),
    (Arch::X64, 19041),
    (Arch::X64, 22000),
    (Arch::X64, 22631),
];

fuzz_target!(|data: &[u8]| {
    let Some((head, _)) = data.split_first_chunk::<20>() else {
        return;
    };
    let (arch, build) = BUILDS[usize::from(head[0]) % BUILDS.len()];
    let base: u64 = match arch {
        Arch::X86 => 0x8000_0000,
        Arch::X64 => 0xffff_f800_0000_0000,
    };
    let len = data.len() as u64;
    let at = |i: usize| base + u64::from(u16::from_le_bytes([head[i], head[i + 1]])) % len.max(1);
    let mut ctx = PoolContext::new(KernelBuild::new(arch, build));
    ctx.track_table = at(1);
    ctx.track_table_size = u64::from(head[3]) * 16 + 1;
    ctx.tag_tables = at(4);
    ctx.tag_tables_count = u32::from(head[6] % 65);
    ctx.big_page_table = at(7);
    ctx.big_page_table_size = u64::from(head[9]) * 8;
    ctx.verifier_data = at(10);
    ctx.suspect_drivers = at(12);
    ctx.target_drivers_avl = at(14);
    ctx.pool_traces = at(16);
    ctx.pool_traces_length = u64::from(head[18]) * 4;
    ctx.pool_traces_index = Some(u64::from(head[19]));
    ctx.expansion_table = at(2);
    ctx.expansion_table_size = u64::from(head[5]);
    ctx.session_track_table = at(8);
    ctx.session_track_table_size = u64::from(head[11]);
    ctx.non_paged_pool = Some((base, base + len));
    let mem = SliceMemory::new(base, data);
    let _ = pooltrack::synth::exercise(mem, ctx, Limits::fuzzing());
});
