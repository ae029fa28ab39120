//! The segment-heap pool scenario: a Windows 10 2004 (build 19041) kernel dump, x64 or x86,
//! whose pool is the kernel segment heap (x64 from Windows 10 1809, x86 from 1903), so
//! `!pool ADDR` and `!poolfind TAG` walk LFH and VS subsegments instead of `_POOL_HEADER` pages.
//!
//! The pool is `pooltrack`'s synthetic segment-heap example: `nt!ExPoolState` with one
//! non-paged heap, `nt!RtlpHpHeapGlobals` with the heap and LFH keys, one page segment with an
//! LFH subsegment of 0x80-byte blocks and a VS subsegment of chunks (`Leak`, `MmCa`, `Ntfx`),
//! and a big page table holding one large `Leak` allocation. The kernel variables are named by
//! the ISF file written next to the dump (`DUMP.isf.json`); KDBG gives the kernel base.

// Addresses come from the builder's own plan, not from dump data.
#![allow(clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
use pe_sections::synth::PeBuilder;
use pooltrack::Arch;

use super::kernel_scenarios::KernelScenario;
use crate::CliError;

/// The segment-heap pool scenario (x64, build 19041). Addresses: `lfh` (inside the second
/// LFH block, a `Leak`), `vs` (inside the third VS chunk, a `Leak`), `large` (inside the large
/// allocation), `free` (inside a free LFH block).
pub fn segment_pool() -> Result<KernelScenario, CliError> {
    segment_pool_for(Arch::X64)
}

/// [`segment_pool`] on `arch`: the x86 variant is a PAE x86 Windows 10 2004 kernel with the
/// same pool at 32-bit addresses (`pooltrack::synth::segment_heap_example_for`).
pub fn segment_pool_for(arch: Arch) -> Result<KernelScenario, CliError> {
    let x64 = arch == Arch::X64;
    // Where the kernel image is loaded.
    let nt: u64 = if x64 {
        0xFFFF_F800_0240_0000
    } else {
        0x8240_0000
    };
    let (k, placed) = pooltrack::synth::segment_heap_example_for(arch);
    let mut b = KernelDumpBuilder::new(
        if x64 {
            KernelArch::X64
        } else {
            KernelArch::X86Pae
        },
        KernelDumpType::Full,
    );
    b.build_number(19041).processors(2);
    b.bugcheck(0x19, [0x20, 0, 0, 0]);
    let mut pe = if x64 {
        PeBuilder::x64()
    } else {
        PeBuilder::x86()
    };
    pe.image_base(nt).dll_name("ntoskrnl.exe");
    pe.add_section(".text", 0x6000_0020, vec![0xCC; 0x1000]);
    let image = pe.build_mapped();
    b.driver(SynthDriver::new(
        "ntoskrnl.exe",
        nt,
        u32::try_from(image.len()).unwrap_or(0).max(0x60_0000),
    ));
    b.map(nt, &image);
    for (va, bytes) in k.memory.regions() {
        b.map(va, bytes);
    }
    // Pointer-sized variables holding the big page table and its size.
    let vars = nt + 0x5A_0000;
    let ptr = if x64 { 8 } else { 4 };
    let c = &k.context;
    let mut var_bytes = Vec::new();
    for v in [c.big_page_table, c.big_page_table_size] {
        var_bytes.extend(v.to_le_bytes().iter().take(ptr));
    }
    b.map(vars, &var_bytes);
    let mut syms = serde_json::Map::new();
    let mut sym = |name: &str, va: u64| {
        syms.insert(name.to_string(), serde_json::json!({ "address": va - nt }));
    };
    sym("PoolBigPageTable", vars);
    sym("PoolBigPageTableSize", vars + ptr as u64);
    sym("ExPoolState", c.pool_state);
    sym(
        "RtlpHpHeapGlobals",
        if x64 {
            0xFFFF_F800_029F_0000
        } else {
            0x829F_0000
        },
    );
    b.kdbg_at(nt + 0x5e_0000, 0x380);
    let dump = b.write().map_err(|e| CliError::new(e.to_string()))?;
    let isf = serde_json::json!({
        "metadata": {"format": "6.2.0"},
        "base_types": {},
        "user_types": {},
        "enums": {},
        "symbols": syms,
    })
    .to_string();
    let mut addresses = BTreeMap::new();
    let at = |v: &[u64], i: usize, off: u64| v.get(i).map_or(0, |a| a + off);
    addresses.insert("lfh", at(&placed.lfh_blocks, 1, 0x20));
    addresses.insert("free", at(&placed.lfh_blocks, 2, 0x10));
    addresses.insert("vs", at(&placed.vs_blocks, 2, 0x40));
    addresses.insert(
        "large",
        if x64 {
            0xFFFF_C000_0400_1000
        } else {
            0x9400_1000
        },
    );
    Ok(KernelScenario {
        dump,
        isf,
        addresses,
    })
}
