//! The segment heap's keys read where Windows keeps them, `ntdll!RtlpHpHeapGlobals`
//! (`HeapKey`, `LfhKey`), when ntdll's PDB is on the symbol path: the address from the PDB's
//! public symbol, the field offsets from its `_RTLP_HP_HEAP_GLOBALS` (else 0 and one pointer).
//! Without it the walk recovers the keys from the heap's own data.

use std::path::PathBuf;

use ntheap::{PointerWidth, SegmentHeapKeys};
use stackwalk::symsrv::SymbolLocator;

use crate::adapt::DumpMemory;

/// Keys read from ntdll's data, and where.
#[derive(Debug, Clone)]
pub struct NtdllKeys {
    /// The keys (each `None` when its word reads as zero or cannot be read).
    pub keys: SegmentHeapKeys,
    /// `ntdll!RtlpHpHeapGlobals`'s address.
    pub globals: u64,
    /// The PDB that named it.
    pub pdb: PathBuf,
}

/// Looks `ntdll!RtlpHpHeapGlobals` up for the ntdll of `width` in `modules` and reads the keys.
pub(crate) fn read(
    modules: &[dumpfile::Module],
    mem: &DumpMemory<'_>,
    locator: &SymbolLocator,
    width: PointerWidth,
) -> Option<NtdllKeys> {
    use ntheap::ReadMemory;
    let ntdll = modules.iter().find(|m| {
        let n = dumpfile::module_short_name(&m.name).to_ascii_lowercase();
        let wide = m.base > u64::from(u32::MAX);
        (n == "ntdll" || n == "ntdll.dll") && (wide == (width == PointerWidth::Bits64))
    })?;
    let Some(dumpfile::CodeView::Pdb70 {
        guid,
        age,
        pdb_name,
    }) = &ntdll.codeview
    else {
        return None;
    };
    let pdb = locator.find_pdb(pdb_name, *guid, *age).ok().flatten()?;
    let bytes = std::fs::read(&pdb).ok()?;
    let layouts = pooltrack::KernelLayouts::from_pdb_bytes(&bytes).ok()?;
    let rva = *layouts.symbols.get("RtlpHpHeapGlobals")?;
    let globals = ntdll.base.checked_add(rva)?;
    let ps: u64 = if width == PointerWidth::Bits64 { 8 } else { 4 };
    let off = |field: &str, default: u64| {
        layouts
            .resolve("_RTLP_HP_HEAP_GLOBALS", field)
            .map_or(default, |f| u64::from(f.offset))
    };
    let word = |at: u64| -> Option<u64> {
        let v = if ps == 8 {
            mem.read_u64(at).ok()?
        } else {
            u64::from(mem.read_u32(at).ok()?)
        };
        (v != 0).then_some(v)
    };
    let keys = SegmentHeapKeys {
        heap_key: globals.checked_add(off("HeapKey", 0)).and_then(word),
        lfh_key: globals.checked_add(off("LfhKey", ps)).and_then(word),
    };
    (keys.heap_key.is_some() || keys.lfh_key.is_some()).then_some(NtdllKeys { keys, globals, pdb })
}
