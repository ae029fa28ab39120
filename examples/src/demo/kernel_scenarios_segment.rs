//! The segment-heap pool scenario: an x64 Windows 10 2004 (build 19041) kernel dump whose pool
//! is the kernel segment heap (Windows 10 1809 and later), so `!pool ADDR` and `!poolfind TAG`
//! walk LFH and VS subsegments instead of `_POOL_HEADER` pages.
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

use super::kernel_scenarios::KernelScenario;
use crate::CliError;

/// Where the kernel image is loaded.
const NT: u64 = 0xFFFF_F800_0240_0000;

/// The segment-heap pool scenario (x64, build 19041). Addresses: `lfh` (inside the second
/// LFH block, a `Leak`), `vs` (inside the third VS chunk, a `Leak`), `large` (inside the large
/// allocation), `free` (inside a free LFH block).
pub fn segment_pool() -> Result<KernelScenario, CliError> {
    let (k, placed) = pooltrack::synth::segment_heap_example();
    let mut b = KernelDumpBuilder::new(KernelArch::X64, KernelDumpType::Full);
    b.build_number(19041).processors(2);
    b.bugcheck(0x19, [0x20, 0, 0, 0]);
    let mut pe = PeBuilder::x64();
    pe.image_base(NT).dll_name("ntoskrnl.exe");
    pe.add_section(".text", 0x6000_0020, vec![0xCC; 0x1000]);
    let image = pe.build_mapped();
    b.driver(SynthDriver::new(
        "ntoskrnl.exe",
        NT,
        u32::try_from(image.len()).unwrap_or(0).max(0x60_0000),
    ));
    b.map(NT, &image);
    for (va, bytes) in k.memory.regions() {
        b.map(va, bytes);
    }
    // Pointer-sized variables holding the big page table and its size.
    let vars = NT + 0x5A_0000;
    let c = &k.context;
    let mut var_bytes = Vec::new();
    var_bytes.extend(c.big_page_table.to_le_bytes());
    var_bytes.extend(c.big_page_table_size.to_le_bytes());
    b.map(vars, &var_bytes);
    let mut syms = serde_json::Map::new();
    let mut sym = |name: &str, va: u64| {
        syms.insert(name.to_string(), serde_json::json!({ "address": va - NT }));
    };
    sym("PoolBigPageTable", vars);
    sym("PoolBigPageTableSize", vars + 8);
    sym("ExPoolState", c.pool_state);
    sym("RtlpHpHeapGlobals", 0xFFFF_F800_029F_0000);
    b.kdbg_at(NT + 0x5e_0000, 0x380);
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
    addresses.insert("large", 0xFFFF_C000_0400_1000);
    Ok(KernelScenario {
        dump,
        isf,
        addresses,
    })
}
