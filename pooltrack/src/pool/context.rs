//! The entry object: what the caller read from KDBG and the kernel's globals, and the reader.

use crate::error::Error;
use crate::layout::{KernelBuild, KernelLayouts};
use crate::limits::Limits;
use crate::memory::ReadMemory;

use super::{
    MiVerifierDriverEntryLayout, MmDriverVerifierDataLayout, PoolHeaderLayout,
    PoolTrackerBigPagesLayout, PoolTrackerTableLayout, VfPoolTraceLayout,
    VfSuspectDriverEntryLayout, VfTargetVerifiedDriverDataLayout, ViPoolEntryInUseLayout,
};

/// The Driver Verifier layouts a [`Pool`] uses (built-in for the build, or from a PDB/ISF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VerifierLayouts {
    pub(crate) verifier_data: MmDriverVerifierDataLayout,
    pub(crate) suspect_driver_entry: VfSuspectDriverEntryLayout,
    pub(crate) mi_verifier_driver_entry: Option<MiVerifierDriverEntryLayout>,
    pub(crate) verified_driver_data: VfTargetVerifiedDriverDataLayout,
    pub(crate) pool_entry: ViPoolEntryInUseLayout,
    pub(crate) pool_trace: VfPoolTraceLayout,
}

impl VerifierLayouts {
    fn for_build(b: KernelBuild) -> Self {
        VerifierLayouts {
            verifier_data: MmDriverVerifierDataLayout::for_build(b),
            suspect_driver_entry: VfSuspectDriverEntryLayout::for_build(b),
            mi_verifier_driver_entry: MiVerifierDriverEntryLayout::for_build(b),
            verified_driver_data: VfTargetVerifiedDriverDataLayout::for_build(b),
            pool_entry: ViPoolEntryInUseLayout::for_build(b),
            pool_trace: VfPoolTraceLayout::for_build(b),
        }
    }
}

/// The kernel globals the pool commands start from, as values (not addresses of the globals):
/// the caller reads them from KDBG or symbols.
///
/// Build with [`PoolContext::new`], then set what is known; 0 means "not known".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolContext {
    /// The kernel build (selects the layouts).
    pub build: KernelBuild,
    /// Value of `nt!PoolTrackTable` (address of the global tracker array; KDBG+0x1B8 holds the
    /// address of that pointer).
    pub track_table: u64,
    /// Value of `nt!PoolTrackTableSize` (entries, the trailing overflow slot included).
    pub track_table_size: u64,
    /// Address of the `nt!ExPoolTagTables` array (per-processor tracker tables; slot 0 is
    /// `PoolTrackTable`); 0 when unknown.
    pub tag_tables: u64,
    /// How many `ExPoolTagTables` slots to read (the processor count; at most 64 on x64, 32 on
    /// x86).
    pub tag_tables_count: u32,
    /// Value of `nt!PoolTrackTableExpansion` (overflow entries); 0 when none.
    pub expansion_table: u64,
    /// Value of `nt!PoolTrackTableExpansionSize`.
    pub expansion_table_size: u64,
    /// Session pool tracker table (`ExpSessionPoolTrackTable`, or a session's
    /// `_MM_SESSION_SPACE.PoolTrackTableExpansion`); 0 when none.
    pub session_track_table: u64,
    /// Entries of the session tracker table.
    pub session_track_table_size: u64,
    /// Value of `nt!PoolBigPageTable`.
    pub big_page_table: u64,
    /// Value of `nt!PoolBigPageTableSize` (entries).
    pub big_page_table_size: u64,
    /// Non-paged pool range (`MmNonPagedPoolStart`..`MmNonPagedPoolEnd`), when known.
    pub non_paged_pool: Option<(u64, u64)>,
    /// Paged pool range (`MmPagedPoolStart`..`MmPagedPoolEnd`), when known.
    pub paged_pool: Option<(u64, u64)>,
    /// Address of `nt!MmVerifierData` (`_MM_DRIVER_VERIFIER_DATA`; KDBG+0x248 holds it).
    pub verifier_data: u64,
    /// Address of the verification list head: `nt!VfSuspectDriversList` (Vista+) or
    /// `nt!MiSuspectDriverList` (XP/2003).
    pub suspect_drivers: u64,
    /// Address of `nt!ViTargetDriversAvl` (Vista+).
    pub target_drivers_avl: u64,
    /// Value of `nt!VfPoolTraces` (the log array).
    pub pool_traces: u64,
    /// Value of `nt!VfPoolTracesLength` (entries).
    pub pool_traces_length: u64,
    /// Value of `nt!VfPoolTracesIndex` (where the next record goes), when known.
    pub pool_traces_index: Option<u64>,
    /// Address of `nt!ExPoolState` (`_EX_POOL_HEAP_MANAGER_STATE`, build 17763+): the segment
    /// heaps of the pool; 0 when unknown.
    pub pool_state: u64,
    /// `nt!RtlpHpHeapGlobals.HeapKey` (page segment signatures, VS chunk headers), when known.
    pub heap_key: Option<u64>,
    /// `nt!RtlpHpHeapGlobals.LfhKey` (LFH subsegment block offsets), when known.
    pub lfh_key: Option<u64>,
}

impl PoolContext {
    /// A context for `build` with nothing else known.
    pub fn new(build: KernelBuild) -> Self {
        PoolContext {
            build,
            track_table: 0,
            track_table_size: 0,
            tag_tables: 0,
            tag_tables_count: 0,
            expansion_table: 0,
            expansion_table_size: 0,
            session_track_table: 0,
            session_track_table_size: 0,
            big_page_table: 0,
            big_page_table_size: 0,
            non_paged_pool: None,
            paged_pool: None,
            verifier_data: 0,
            suspect_drivers: 0,
            target_drivers_avl: 0,
            pool_traces: 0,
            pool_traces_length: 0,
            pool_traces_index: None,
            pool_state: 0,
            heap_key: None,
            lfh_key: None,
        }
    }
}

/// Kernel pool of one dump: the reader, the globals, the layouts and the limits.
#[derive(Debug, Clone)]
pub struct Pool<M> {
    pub(crate) mem: M,
    pub(crate) ctx: PoolContext,
    pub(crate) limits: Limits,
    pub(crate) tracker: PoolTrackerTableLayout,
    pub(crate) big: PoolTrackerBigPagesLayout,
    pub(crate) header: PoolHeaderLayout,
    pub(crate) layouts: VerifierLayouts,
    pub(crate) seg: Option<super::SegmentHeapLayouts>,
}

impl<M: ReadMemory> Pool<M> {
    /// Pool of a dump read through `mem`, with the built-in layouts of `ctx.build`.
    pub fn new(mem: M, ctx: PoolContext, limits: Limits) -> Self {
        let b = ctx.build;
        Pool {
            mem,
            ctx,
            limits,
            tracker: PoolTrackerTableLayout::for_build(b),
            big: PoolTrackerBigPagesLayout::for_build(b),
            header: PoolHeaderLayout::for_build(b),
            layouts: VerifierLayouts::for_build(b),
            seg: super::SegmentHeapLayouts::for_build(b),
        }
    }
    /// Replace the built-in layouts by those derived from the kernel's own PDB/ISF, for every
    /// type `layouts` holds (`_POOL_TRACKER_TABLE`, `_POOL_TRACKER_BIG_PAGES`, `_POOL_HEADER`,
    /// `_MM_DRIVER_VERIFIER_DATA`, `_VF_SUSPECT_DRIVER_ENTRY`, `_MI_VERIFIER_DRIVER_ENTRY`,
    /// `_VF_TARGET_VERIFIED_DRIVER_DATA`, `_VI_POOL_ENTRY_INUSE`, `_VF_POOL_TRACE`).
    pub fn use_layouts(&mut self, layouts: &KernelLayouts) {
        let v = &mut self.layouts;
        if let Some(t) = MmDriverVerifierDataLayout::from_layouts(layouts) {
            v.verifier_data = t;
        }
        if let Some(t) = VfSuspectDriverEntryLayout::from_layouts(layouts) {
            v.suspect_driver_entry = t;
        }
        if let Some(t) = MiVerifierDriverEntryLayout::from_layouts(layouts) {
            v.mi_verifier_driver_entry = Some(t);
        }
        if let Some(t) = VfTargetVerifiedDriverDataLayout::from_layouts(layouts) {
            v.verified_driver_data = t;
        }
        if let Some(t) = ViPoolEntryInUseLayout::from_layouts(layouts) {
            v.pool_entry = t;
        }
        if let Some(t) = VfPoolTraceLayout::from_layouts(layouts) {
            v.pool_trace = t;
        }
        if let Some(t) = PoolTrackerTableLayout::from_layouts(layouts) {
            self.tracker = t;
        }
        if let Some(t) = PoolTrackerBigPagesLayout::from_layouts(layouts) {
            self.big = t;
        }
        if let Some(t) = PoolHeaderLayout::from_layouts(layouts) {
            self.header = t;
        }
        if let Some(s) = self.seg.as_mut() {
            s.update_from(layouts);
        }
    }
    /// The context.
    pub fn context(&self) -> &PoolContext {
        &self.ctx
    }
    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }
    /// The reader.
    pub fn memory(&self) -> &M {
        &self.mem
    }
    /// The tracker-table layout in use.
    pub fn tracker_layout(&self) -> &PoolTrackerTableLayout {
        &self.tracker
    }
}

/// Read `count` entries of `entry_size` bytes at `base`, calling `each(index, bytes)` per entry.
/// Reads in chunks; a chunk not in the dump is retried entry by entry, and entries not in the dump
/// are counted (returned). Stops at `max_entries`.
pub(crate) fn read_table<M: ReadMemory>(
    mem: &M,
    base: u64,
    count: u64,
    entry_size: u64,
    max_entries: u64,
    mut each: impl FnMut(u64, &[u8]),
) -> Result<u64, Error> {
    let esz = usize::try_from(entry_size).unwrap_or(usize::MAX).max(1);
    read_table_chunks(mem, base, count, entry_size, max_entries, |first, chunk| {
        for (j, e) in (0u64..).zip(chunk.chunks_exact(esz)) {
            each(first.saturating_add(j), e);
        }
    })
}

/// [`read_table`] handing over whole chunks of entries (`each_chunk(first_index, bytes)`,
/// `bytes` a whole number of entries), for tight loops over large tables.
pub(crate) fn read_table_chunks<M: ReadMemory>(
    mem: &M,
    base: u64,
    count: u64,
    entry_size: u64,
    max_entries: u64,
    mut each_chunk: impl FnMut(u64, &[u8]),
) -> Result<u64, Error> {
    const CHUNK_BYTES: u64 = 0x1_0000;
    if entry_size == 0 {
        return Err(Error::Corrupt {
            what: "table entry size",
            addr: base,
        });
    }
    let chunk_entries = (CHUNK_BYTES.checked_div(entry_size).unwrap_or(1)).max(1);
    let count = count.min(max_entries);
    let esz = usize::try_from(entry_size).map_err(|_| Error::Corrupt {
        what: "table entry size",
        addr: base,
    })?;
    let mut missing = 0u64;
    let mut buf = Vec::new();
    let mut i = 0u64;
    while i < count {
        let n = chunk_entries.min(count.saturating_sub(i));
        let addr = entry_size
            .checked_mul(i)
            .and_then(|o| base.checked_add(o))
            .ok_or(Error::Corrupt {
                what: "table address",
                addr: base,
            })?;
        let len = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_mul(esz))
            .ok_or(Error::Corrupt {
                what: "table size",
                addr: base,
            })?;
        buf.resize(len, 0);
        match mem.read(addr, &mut buf) {
            Ok(()) => each_chunk(i, &buf),
            Err(e) if e.is_not_captured() => {
                // Entry by entry: keep what is there.
                for (j, e) in (0u64..).zip(buf.chunks_exact_mut(esz)) {
                    let a = addr.saturating_add(j.saturating_mul(entry_size));
                    match mem.read(a, e) {
                        Ok(()) => each_chunk(i.saturating_add(j), e),
                        Err(_) => missing = missing.saturating_add(1),
                    }
                }
            }
            Err(e) => return Err(Error::Memory(e)),
        }
        i = i.saturating_add(n);
    }
    Ok(missing)
}

/// A field resolved once to a byte range, read many times (tables of many entries).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc {
    start: usize,
    len: usize,
}

impl Acc {
    /// The range of `field` (its size, or `size_default` when unstated); an absent field reads 0.
    pub(crate) fn new(field: Option<crate::layout::Field>, size_default: u32) -> Acc {
        match field {
            Some(f) => Acc {
                start: usize::try_from(f.offset).unwrap_or(usize::MAX),
                len: usize::try_from(if f.size == 0 { size_default } else { f.size })
                    .unwrap_or(0)
                    .min(8),
            },
            None => Acc { start: 0, len: 0 },
        }
    }
    /// The little-endian value in `e`, 0 when outside.
    #[inline]
    pub(crate) fn get(&self, e: &[u8]) -> u64 {
        let Some(b) = self
            .start
            .checked_add(self.len)
            .and_then(|end| e.get(self.start..end))
        else {
            return 0;
        };
        match *b {
            [a0, a1, a2, a3] => u64::from(u32::from_le_bytes([a0, a1, a2, a3])),
            [a0, a1, a2, a3, a4, a5, a6, a7] => {
                u64::from_le_bytes([a0, a1, a2, a3, a4, a5, a6, a7])
            }
            [a0, a1] => u64::from(u16::from_le_bytes([a0, a1])),
            [a0] => u64::from(a0),
            _ => {
                let mut v = [0u8; 8];
                for (d, s) in v.iter_mut().zip(b.iter()) {
                    *d = *s;
                }
                u64::from_le_bytes(v)
            }
        }
    }
}

/// Little-endian unsigned integer of `size` (1, 2, 4, 8) bytes at `field` in `bytes`; 0 if the
/// field is absent or outside.
#[inline]
pub(crate) fn field_u64(
    bytes: &[u8],
    field: Option<crate::layout::Field>,
    size_default: u32,
) -> u64 {
    let Some(f) = field else { return 0 };
    let size = if f.size == 0 { size_default } else { f.size };
    let start = usize::try_from(f.offset).unwrap_or(usize::MAX);
    let Some(b) = start
        .checked_add(usize::try_from(size).unwrap_or(usize::MAX))
        .and_then(|end| bytes.get(start..end))
    else {
        return 0;
    };
    let mut v = [0u8; 8];
    for (d, s) in v.iter_mut().zip(b.iter()) {
        *d = *s;
    }
    u64::from_le_bytes(v)
}

/// Reads globals by symbol: `kernel_base + RVA` from a [`KernelLayouts`] symbol table.
pub(crate) struct Globals<'a, M> {
    pub(crate) mem: &'a M,
    pub(crate) base: u64,
    pub(crate) syms: &'a KernelLayouts,
    pub(crate) build: KernelBuild,
}

impl<M: ReadMemory> Globals<'_, M> {
    /// The address of a global, when the symbol is known.
    pub(crate) fn addr(&self, name: &str) -> Option<u64> {
        self.syms
            .symbol(name)
            .and_then(|r| self.base.checked_add(r))
    }
    /// A pointer-sized global's value.
    pub(crate) fn ptr(&self, name: &str) -> Option<u64> {
        self.mem
            .read_ptr(self.addr(name)?, self.build.pointer_width())
            .ok()
    }
    /// A 32-bit global's value.
    pub(crate) fn u32(&self, name: &str) -> Option<u64> {
        self.mem.read_u32(self.addr(name)?).ok().map(u64::from)
    }
}

impl PoolContext {
    /// A context filled from the kernel's symbols (RVAs from its PDB or ISF, see
    /// [`KernelLayouts::symbols`]) and the kernel base: the values of `PoolTrackTable`,
    /// `PoolTrackTableSize`, `PoolTrackTableExpansion(Size)`, `PoolBigPageTable(Size)`,
    /// `ExpSessionPoolTrackTable(Size)`, `MmNonPagedPoolStart/End`, `MmPagedPoolStart/End`,
    /// `VfPoolTraces`, `VfPoolTracesLength`, `VfPoolTracesIndex` are read through `mem`; the
    /// addresses of `ExPoolTagTables`, `MmVerifierData`, `VfSuspectDriversList` (or
    /// `MiSuspectDriverList`) and `ViTargetDriversAvl` are taken as they are. A symbol the
    /// build lacks, or a value not in the dump, leaves its field unknown (0 / `None`).
    pub fn from_symbols<M: ReadMemory>(
        mem: &M,
        build: KernelBuild,
        kernel_base: u64,
        symbols: &KernelLayouts,
        processors: u32,
    ) -> PoolContext {
        let g = Globals {
            mem,
            base: kernel_base,
            syms: symbols,
            build,
        };
        let mut c = PoolContext::new(build);
        let z = |v: Option<u64>| v.unwrap_or(0);
        c.track_table = z(g.ptr("PoolTrackTable"));
        c.track_table_size = z(g.ptr("PoolTrackTableSize"));
        c.tag_tables = z(g.addr("ExPoolTagTables"));
        c.tag_tables_count = processors;
        c.expansion_table = z(g.ptr("PoolTrackTableExpansion"));
        c.expansion_table_size = z(g.ptr("PoolTrackTableExpansionSize"));
        c.session_track_table = z(g.ptr("ExpSessionPoolTrackTable"));
        c.session_track_table_size = z(g.ptr("ExpSessionPoolTrackTableSize"));
        c.big_page_table = z(g.ptr("PoolBigPageTable"));
        c.big_page_table_size = z(g.ptr("PoolBigPageTableSize"));
        let range = |s: &str, e: &str| match (g.ptr(s), g.ptr(e)) {
            (Some(a), Some(b)) if a != 0 && b > a => Some((a, b)),
            _ => None,
        };
        c.non_paged_pool = range("MmNonPagedPoolStart", "MmNonPagedPoolEnd");
        c.paged_pool = range("MmPagedPoolStart", "MmPagedPoolEnd");
        c.verifier_data = z(g.addr("MmVerifierData"));
        c.suspect_drivers = z(g
            .addr("VfSuspectDriversList")
            .or_else(|| g.addr("MiSuspectDriverList")));
        c.target_drivers_avl = z(g.addr("ViTargetDriversAvl"));
        c.pool_traces = z(g.ptr("VfPoolTraces"));
        c.pool_traces_length = z(g.u32("VfPoolTracesLength"));
        c.pool_traces_index = g.u32("VfPoolTracesIndex");
        c.pool_state = z(g.addr("ExPoolState"));
        if let (Some(globals), Some(l)) = (
            g.addr("RtlpHpHeapGlobals"),
            super::SegmentHeapLayouts::for_build(build),
        ) {
            let key = |f: Option<crate::layout::Field>| {
                f.and_then(|f| globals.checked_add(f.off()))
                    .and_then(|a| mem.read_ptr(a, build.pointer_width()).ok())
            };
            c.heap_key = key(l.globals.heap_key);
            c.lfh_key = key(l.globals.lfh_key);
        }
        c
    }

    /// The kernel symbols [`PoolContext::from_symbols`] and [`super::VmInputs::from_symbols`]
    /// read (for a caller checking what a PDB or ISF provides).
    pub const SYMBOLS: &'static [&'static str] = &[
        "PoolTrackTable",
        "PoolTrackTableSize",
        "ExPoolTagTables",
        "PoolTrackTableExpansion",
        "PoolTrackTableExpansionSize",
        "ExpSessionPoolTrackTable",
        "ExpSessionPoolTrackTableSize",
        "PoolBigPageTable",
        "PoolBigPageTableSize",
        "MmNonPagedPoolStart",
        "MmNonPagedPoolEnd",
        "MmPagedPoolStart",
        "MmPagedPoolEnd",
        "MmVerifierData",
        "VfSuspectDriversList",
        "MiSuspectDriverList",
        "ViTargetDriversAvl",
        "VfPoolTraces",
        "VfPoolTracesLength",
        "VfPoolTracesIndex",
        "ExPoolState",
        "RtlpHpHeapGlobals",
    ];
}
