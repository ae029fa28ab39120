//! A kernel dump as `pooltrack`'s input: its memory (through the current address space), the
//! pool context and `!vm` inputs from KDBG and the kernel's symbols, and the layouts chosen by
//! the dump's build and architecture.

use pooltrack::{KernelBuild, KernelLayouts, PoolContext, VmInputs};

use super::KernelMem;

/// The dump's build and architecture as `pooltrack`'s key (`None` for other architectures).
pub fn kernel_build(dump: &dumpfile::KernelDump) -> Option<KernelBuild> {
    let arch = match dump.arch() {
        dumpfile::Arch::X86 => pooltrack::Arch::X86,
        dumpfile::Arch::X64 => pooltrack::Arch::X64,
        _ => return None,
    };
    Some(KernelBuild::new(arch, dump.header().minor_version))
}

/// The pointer width of the dump.
pub fn pointer_width(dump: &dumpfile::KernelDump) -> pooltrack::PointerWidth {
    if dump.arch() == dumpfile::Arch::X86 {
        pooltrack::PointerWidth::Bits32
    } else {
        pooltrack::PointerWidth::Bits64
    }
}

/// What the pool commands start from: with the kernel's symbols (an ISF file), every global
/// `pooltrack` knows; without them, what KDBG holds (`PoolTrackTable`, `MmVerifierData`, the pool
/// ranges) and the tracker table's size found by [`pooltrack::find_track_table_size`] (see
/// [`track_table_size_scanned`]); the rest stays unknown and the command that needs it says so.
pub fn pool_context(
    mem: &KernelMem<'_>,
    build: KernelBuild,
    kdbg: Option<&dumpfile::Kdbg>,
    symbols: Option<&KernelLayouts>,
    processors: u32,
) -> PoolContext {
    let kern_base = kdbg.and_then(dumpfile::Kdbg::kern_base).unwrap_or(0);
    let mut c = match symbols {
        Some(s) if kern_base != 0 => {
            PoolContext::from_symbols(mem, build, kern_base, s, processors)
        }
        _ => PoolContext::new(build),
    };
    let Some(k) = kdbg else { return c };
    let read_ptr = |addr: Option<u64>| -> Option<u64> {
        use pooltrack::ReadMemory;
        let a = addr.filter(|&a| a != 0)?;
        mem.read_ptr(a, pointer_width_of(build)).ok()
    };
    if c.track_table == 0 {
        c.track_table = read_ptr(k.pool_track_table()).unwrap_or(0);
    }
    if c.big_page_table == 0
        && let Some(global) = k.pool_track_table().filter(|&a| a != 0)
        && let Some(found) = pooltrack::find_big_page_table(mem, build, global)
    {
        c.big_page_table = found.table;
        c.big_page_table_size = found.entries;
    }
    if c.track_table != 0
        && c.track_table_size == 0
        && let Some(global) = k.pool_track_table().filter(|&a| a != 0)
        && let Some(found) = pooltrack::find_track_table_size(mem, build, global, c.track_table)
    {
        c.track_table_size = found.entries;
        if c.tag_tables == 0
            && let Some(array) =
                pooltrack::find_tag_tables(mem, build, global, c.track_table, processors)
        {
            c.tag_tables = array;
            c.tag_tables_count = processors;
        }
    }
    if c.verifier_data == 0 {
        c.verifier_data = k.mm_verifier_data().unwrap_or(0);
    }
    let range = |s: Option<u64>, e: Option<u64>| match (read_ptr(s), read_ptr(e)) {
        (Some(a), Some(b)) if a != 0 && b > a => Some((a, b)),
        _ => None,
    };
    if c.non_paged_pool.is_none() {
        c.non_paged_pool = range(k.mm_non_paged_pool_start(), k.mm_non_paged_pool_end());
    }
    if c.paged_pool.is_none() {
        c.paged_pool = range(k.mm_paged_pool_start(), k.mm_paged_pool_end());
    }
    c
}

/// Whether `pool_context` took the tracker table's size from a scan of the kernel's data (no
/// symbols named it): the note `!poolused` prints, or `None`.
pub fn track_table_size_scanned(
    ctx: &PoolContext,
    kdbg: Option<&dumpfile::Kdbg>,
    symbols: Option<&KernelLayouts>,
) -> Option<String> {
    let named = |n: &str| symbols.is_some_and(|s| s.symbols.contains_key(n));
    kdbg?;
    let mut found = Vec::new();
    if !named("PoolTrackTableSize") && ctx.track_table_size != 0 {
        found.push(format!(
            "PoolTrackTableSize ({} entries)",
            ctx.track_table_size
        ));
        if ctx.tag_tables != 0 {
            found.push("the per-processor tables (ExPoolTagTables)".to_string());
        }
    }
    if !named("PoolBigPageTable") && ctx.big_page_table != 0 {
        found.push(format!(
            "PoolBigPageTable ({} entries)",
            ctx.big_page_table_size
        ));
    }
    if found.is_empty() {
        return None;
    }
    let last = found.pop().unwrap_or_default();
    let list = if found.is_empty() {
        last
    } else {
        format!("{} and {last}", found.join(", "))
    };
    let tracker_scanned = !named("PoolTrackTableSize") && ctx.track_table_size != 0;
    let rest = match (tracker_scanned, ctx.tag_tables != 0) {
        (true, true) => "; the expansion table is not summed (it needs symbols)",
        (true, false) => {
            "; only the global tracker table is summed (per-processor tables and the expansion table need symbols)"
        }
        _ => "",
    };
    Some(format!(
        "without the kernel's symbols, {list} {} found by a scan of the kernel's data near PoolTrackTable and checked against the tables' contents{rest}",
        if list.contains(" and ") {
            "were"
        } else {
            "was"
        }
    ))
}

/// The `!vm` inputs: the kernel's globals by their symbols when given; for what the symbols do
/// not name (or without symbols), by the addresses KDBG holds for them (`MmTotalCommitLimit`,
/// `MmAvailablePages`, the pool descriptors, `MmModifiedPageListHead`...), as WinDbg's `!vm`
/// reads them. KDBG's addresses are taken up to Windows 8.1 only: from Windows 10 these
/// globals live in `MiSystemPartition` and whether KDBG still points at them is not known.
pub fn vm_inputs(
    mem: &KernelMem<'_>,
    build: KernelBuild,
    kdbg: Option<&dumpfile::Kdbg>,
    symbols: Option<&KernelLayouts>,
) -> Option<VmInputs> {
    let kern_base = kdbg.and_then(dumpfile::Kdbg::kern_base)?;
    let merged;
    let symbols = match (symbols, kdbg) {
        (s, Some(k)) if build.build < 10000 => {
            let mut m = s.cloned().unwrap_or_else(KernelLayouts::new);
            for (field, value) in k.fields() {
                if field.kind == dumpfile::KdbgFieldKind::Pointer && value > kern_base {
                    m.symbols
                        .entry(field.name.to_string())
                        .or_insert(value.wrapping_sub(kern_base));
                }
            }
            if m.symbols.is_empty() {
                return None;
            }
            merged = m;
            &merged
        }
        (Some(s), _) => s,
        (None, _) => return None,
    };
    Some(VmInputs::from_symbols(mem, build, kern_base, symbols))
}

fn pointer_width_of(b: KernelBuild) -> pooltrack::PointerWidth {
    if b.arch == pooltrack::Arch::X86 {
        pooltrack::PointerWidth::Bits32
    } else {
        pooltrack::PointerWidth::Bits64
    }
}
