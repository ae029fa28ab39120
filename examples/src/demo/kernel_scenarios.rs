//! Synthetic kernel dumps of the two kernel-pool scenarios, built from `pooltrack`'s story
//! memory placed into a `dumpfile` kernel dump: the globals the pool commands read go into the
//! kernel image, named by an ISF file written next to the dump (`DUMP.isf.json`, what the
//! commands read symbols from), and KDBG points at them.
//!
//! - `pool-verifier`: a pool leak under Driver Verifier on Windows 8.1 x86 (`myfault.sys`
//!   allocated ten paged 0xfb000-byte `Leak` blocks from `myfault!PoolLeak+0x21`).
//! - `handle-leak`: an x86 server (Windows Server 2003) whose non-paged pool is exhausted by
//!   thread objects: `iexplore.exe` holds handles to terminated threads `mydriver.sys` started.

use std::collections::BTreeMap;

use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
use pe_sections::synth::PeBuilder;
use pooltrack::{PoolContext, ReadMemory, VmInputs};

use crate::CliError;

/// A scenario's dump and the kernel symbols file that goes next to it.
#[derive(Debug, Clone)]
pub struct KernelScenario {
    /// The kernel dump.
    pub dump: Vec<u8>,
    /// The ISF JSON (`DUMP.isf.json`) naming the kernel globals the commands read.
    pub isf: String,
    /// Addresses worth looking at (`pool page`, `!verifier 80`, `!thread`, ...), by name.
    pub addresses: BTreeMap<&'static str, u64>,
}

/// Kernel globals written into the kernel image, with their RVAs for the ISF file.
struct Globals {
    nt: u64,
    next: u64,
    width: u64,
    bytes: Vec<(u64, Vec<u8>)>,
    symbols: BTreeMap<String, u64>,
}

impl Globals {
    fn new(nt: u64, area: u64, width: u64) -> Self {
        Globals {
            nt,
            next: area,
            width,
            bytes: Vec::new(),
            symbols: BTreeMap::new(),
        }
    }
    /// A variable holding `value` (pointer-sized, or 4 bytes when `u32`).
    fn var(&mut self, name: &str, value: u64, u32: bool) {
        let len = if u32 { 4 } else { self.width };
        let b = value.to_le_bytes();
        self.bytes.push((
            self.next,
            b.get(..usize::try_from(len).unwrap_or(4))
                .unwrap_or(&b)
                .to_vec(),
        ));
        self.symbols
            .insert(name.to_string(), self.next.wrapping_sub(self.nt));
        self.next = self.next.wrapping_add(8);
    }
    /// A structure of `len` zero bytes (a feature the system has but does not use).
    fn zeroed(&mut self, name: &str, len: usize) {
        self.bytes.push((self.next, vec![0; len]));
        self.symbols
            .insert(name.to_string(), self.next.wrapping_sub(self.nt));
        let step = u64::try_from(len)
            .unwrap_or(0)
            .div_ceil(8)
            .saturating_mul(8);
        self.next = self.next.wrapping_add(step.max(8));
    }
    /// A structure's bytes under a symbol.
    fn blob(&mut self, name: &str, bytes: Vec<u8>) -> u64 {
        let at = self.raw(bytes);
        self.symbols
            .insert(name.to_string(), at.wrapping_sub(self.nt));
        at
    }
    /// Bytes no symbol names (what a global points to); returns their address.
    fn raw(&mut self, bytes: Vec<u8>) -> u64 {
        let at = self.next;
        let step = u64::try_from(bytes.len())
            .unwrap_or(0)
            .div_ceil(8)
            .saturating_mul(8);
        self.bytes.push((at, bytes));
        self.next = self.next.wrapping_add(step.max(8));
        at
    }
    /// A pointer-sized little-endian value.
    fn word(&self, v: u64) -> Vec<u8> {
        let n = usize::try_from(self.width).unwrap_or(8);
        v.to_le_bytes().get(..n).unwrap_or(&[]).to_vec()
    }
    /// A symbol at an address the story chose (an array or structure).
    fn at(&mut self, name: &str, addr: u64) {
        if addr != 0 && addr > self.nt {
            self.symbols
                .insert(name.to_string(), addr.wrapping_sub(self.nt));
        }
    }
    fn pool(&mut self, c: &PoolContext, story: &impl ReadMemory) {
        self.var("PoolTrackTable", c.track_table, false);
        self.var("PoolTrackTableSize", c.track_table_size, false);
        // The per-processor table pointers, copied into the kernel's data as the real array
        // (`nt!ExPoolTagTables`) is, near `PoolTrackTable`.
        let len = u64::from(c.tag_tables_count).saturating_mul(self.width);
        let mut array = vec![0u8; usize::try_from(len).unwrap_or(0)];
        if c.tag_tables != 0 && story.read(c.tag_tables, &mut array).is_ok() {
            self.blob("ExPoolTagTables", array);
        } else {
            self.at("ExPoolTagTables", c.tag_tables);
        }
        self.var("PoolTrackTableExpansion", c.expansion_table, false);
        self.var("PoolTrackTableExpansionSize", c.expansion_table_size, false);
        self.var("PoolBigPageTable", c.big_page_table, false);
        self.var("PoolBigPageTableSize", c.big_page_table_size, false);
        if let Some((a, b)) = c.non_paged_pool {
            self.var("MmNonPagedPoolStart", a, false);
            self.var("MmNonPagedPoolEnd", b, false);
        }
        if let Some((a, b)) = c.paged_pool {
            self.var("MmPagedPoolStart", a, false);
            self.var("MmPagedPoolEnd", b, false);
        }
        self.at("MmVerifierData", c.verifier_data);
        self.at("VfSuspectDriversList", c.suspect_drivers);
        self.at("ViTargetDriversAvl", c.target_drivers_avl);
        if c.pool_traces != 0 {
            self.var("VfPoolTraces", c.pool_traces, false);
            self.var("VfPoolTracesLength", c.pool_traces_length, true);
            self.var("VfPoolTracesIndex", c.pool_traces_index.unwrap_or(0), true);
        }
    }
    fn vm(&mut self, v: &VmInputs, build: pooltrack::KernelBuild) {
        let page = if v.page_size == 0 { 4096 } else { v.page_size };
        let vars: [(&str, Option<u64>); 11] = [
            ("MmNumberOfPhysicalPages", v.physical_pages),
            ("MmAvailablePages", v.available_pages),
            ("MmResidentAvailablePages", v.resident_available_pages),
            ("MmAllocatedNonPagedPool", v.non_paged_pool_usage),
            (
                "MmMaximumNonPagedPoolInBytes",
                v.non_paged_pool_max.map(|p| p.saturating_mul(page)),
            ),
            (
                "MmSizeOfPagedPoolInBytes",
                v.paged_pool_max.map(|p| p.saturating_mul(page)),
            ),
            ("MmSharedCommit", v.shared_commit),
            ("MmProcessCommit", v.shared_process),
            ("MmPagedPoolCommit", v.paged_pool_commit),
            ("MmDriverCommit", v.driver_commit),
            ("MmTotalCommittedPages", v.committed_pages),
        ];
        for (n, val) in vars {
            if let Some(x) = val {
                self.var(n, x, false);
            }
        }
        if let Some(x) = v.commit_limit {
            self.var("MmTotalCommitLimit", x, false);
        }
        if let Some(x) = v.pool_allocation_failures {
            self.var("ExPoolFailures", x, true);
        }
        let vars: [(&str, Option<u64>); 3] = [
            ("MmTotalPagesForPagingFile", v.modified_pf_pages),
            ("MmSpecialPagesInUse", v.special_pool),
            ("MmSystemLockPagesCount", v.locked_io_pages),
        ];
        for (n, val) in vars {
            if let Some(x) = val {
                self.var(n, x, n == "MmSystemLockPagesCount");
            }
        }
        self.vm_structures(v, build);
    }
    /// What `!vm` reads through structures: the modified page list head, the free system PTE
    /// counts, the paged pools' descriptors and the paging files, in the build's layouts.
    fn vm_structures(&mut self, v: &VmInputs, build: pooltrack::KernelBuild) {
        let w = usize::try_from(self.width).unwrap_or(8);
        if let Some(m) = v.modified_pages {
            let mut head = self.word(m);
            head.resize(w.saturating_mul(4), 0);
            self.blob("MmModifiedPageListHead", head);
        }
        if v.free_system_ptes.is_some() || v.free_np_ptes.is_some() {
            match pooltrack::MiSystemPteTypeLayout::for_build(build)
                .and_then(|l| l.total_free_system_ptes)
            {
                Some(f) => {
                    let mut info = vec![0u8; usize::try_from(f.off()).unwrap_or(0)];
                    info.extend_from_slice(&self.word(v.free_system_ptes.unwrap_or(0)));
                    self.blob("MiSystemPteInfo", info);
                }
                None => {
                    let mut counts = Vec::new();
                    for c in [v.free_system_ptes, v.free_np_ptes] {
                        counts.extend_from_slice(
                            &u32::try_from(c.unwrap_or(0)).unwrap_or(0).to_le_bytes(),
                        );
                    }
                    self.blob("MmTotalFreeSystemPtes", counts);
                }
            }
        }
        if let (false, Some(l)) = (
            v.paged_pool_usage_each.is_empty(),
            pooltrack::PoolDescriptorLayout::for_build(build),
        ) && let (Some(tp), Some(tb)) = (l.total_pages, l.total_big_pages)
        {
            let mut array = Vec::new();
            for pages in &v.paged_pool_usage_each {
                // All of a pool's pages as small-block pages; no big pages.
                let len = usize::try_from(tp.off().max(tb.off()))
                    .unwrap_or(0)
                    .saturating_add(4);
                let mut d = vec![0u8; len];
                let at = usize::try_from(tp.off()).unwrap_or(0);
                if let Some(dst) = d.get_mut(at..at.saturating_add(4)) {
                    dst.copy_from_slice(&u32::try_from(*pages).unwrap_or(0).to_le_bytes());
                }
                let a = self.raw(d);
                array.extend_from_slice(&self.word(a));
            }
            // `ExpNumberOfPagedPools` counts the pools after the first (descriptor 0 is the
            // paged pool of session 0 / the prototype pool, as the reader expects n + 1).
            let n = v.paged_pool_usage_each.len().saturating_sub(1);
            self.var("ExpNumberOfPagedPools", u64::try_from(n).unwrap_or(0), true);
            self.blob("ExpPagedPoolDescriptor", array);
        }
        if let (false, Some(l)) = (
            v.paging_files.is_empty(),
            pooltrack::MmPagingFileLayout::for_build(build),
        ) {
            let mut array = Vec::new();
            for p in &v.paging_files {
                let name: Vec<u8> = p.name.encode_utf16().flat_map(u16::to_le_bytes).collect();
                let name_len = name.len();
                let buffer = self.raw(name);
                let mut file = vec![0u8; usize::try_from(l.size).unwrap_or(0)];
                let mut put = |f: Option<pooltrack::Field>, bytes: &[u8]| {
                    if let Some(f) = f {
                        let at = usize::try_from(f.off()).unwrap_or(0);
                        if let Some(dst) = file.get_mut(at..at.saturating_add(bytes.len())) {
                            dst.copy_from_slice(bytes);
                        }
                    }
                };
                for (f, val) in [
                    (l.size_pages, p.current),
                    (l.maximum_size, p.maximum),
                    (l.minimum_size, p.minimum),
                    (l.free_space, p.free),
                ] {
                    put(f, &self.word(val));
                }
                let len = u16::try_from(name_len).unwrap_or(0).to_le_bytes();
                let mut us = vec![len[0], len[1], len[0], len[1]];
                us.resize(w, 0);
                us.extend_from_slice(&self.word(buffer));
                put(l.page_file_name, &us);
                let a = self.raw(file);
                array.extend_from_slice(&self.word(a));
            }
            self.var(
                "MmNumberOfPagingFiles",
                u64::try_from(v.paging_files.len()).unwrap_or(0),
                true,
            );
            self.blob("MmPagingFile", array);
        }
    }
    fn isf(&self) -> String {
        let symbols: serde_json::Map<String, serde_json::Value> = self
            .symbols
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::json!({ "address": v })))
            .collect();
        serde_json::json!({
            "metadata": {"format": "6.2.0"},
            "base_types": {},
            "user_types": {},
            "enums": {},
            "symbols": symbols,
        })
        .to_string()
    }
}

/// A driver image with one exported function, so callers symbolize as `module!Function+off`.
fn driver_image(name: &str, base: u64, function: &str, rva: u32, size: usize) -> Vec<u8> {
    let mut pe = PeBuilder::x86();
    pe.image_base(base).dll_name(name);
    let text = pe.add_section("PAGE", 0x6000_0020, vec![0xCC; size]);
    if rva >= text {
        pe.export(function, rva);
    }
    pe.build_mapped()
}

/// The GUID of the pool-verifier scenario's kernel PDB (`ntkrpamp.pdb`, age 1), as its
/// CodeView record names it.
pub const POOL_VERIFIER_KERNEL_PDB_GUID: [u8; 16] = [
    0x3c, 0x1f, 0x5a, 0x21, 0x64, 0x0b, 0x4e, 0x4c, 0x9a, 0x07, 0x51, 0x8e, 0x2d, 0x33, 0x10, 0x6b,
];

/// A Windows 8.1 x86 PAE kernel image: headers, an empty section and the CodeView record
/// naming its PDB (what `--kernel-symbols` is checked against).
fn kernel_image(base: u64) -> Vec<u8> {
    let mut pe = PeBuilder::x86();
    pe.image_base(base).dll_name("ntoskrnl.exe");
    pe.add_section(".text", 0x6000_0020, vec![0xCC; 0x1000]);
    pe.codeview(POOL_VERIFIER_KERNEL_PDB_GUID, 1, "ntkrpamp.pdb");
    pe.build_mapped()
}

fn add_driver(b: &mut KernelDumpBuilder, name: &str, base: u64, image: &[u8], listed: u32) {
    let size = u32::try_from(image.len()).unwrap_or(u32::MAX).max(listed);
    b.driver(SynthDriver::new(name, base, size));
    b.map(base, image);
}

/// The most leaked threads [`handle_leak`] builds.
pub const HANDLE_LEAK_MAX: u64 = 150_000;

/// KDBG offsets of the fields the commands read.
const KDBG_PS_ACTIVE_PROCESS_HEAD: u16 = 0x50;
const KDBG_PSP_CID_TABLE: u16 = 0x58;

fn finish(
    mut b: KernelDumpBuilder,
    g: &Globals,
    addresses: BTreeMap<&'static str, u64>,
) -> Result<KernelScenario, CliError> {
    for (va, bytes) in &g.bytes {
        b.map(*va, bytes);
    }
    // The KDBG in the kernel image too, away from the stories' memory.
    b.kdbg_at(g.nt.wrapping_add(0x5e_0000), 0x380);
    // As in a real KDBG: the address of every global it has a field for (`PoolTrackTable`,
    // `MmVerifierData`, the `!vm` counters and pool descriptors, ...).
    for f in dumpfile::KDBG_FIELDS {
        if f.kind == dumpfile::KdbgFieldKind::Pointer
            && let Some(rva) = g.symbols.get(f.name)
        {
            b.kdbg_field(f.offset, g.nt.wrapping_add(*rva), 8);
        }
    }
    let dump = b.write().map_err(|e| CliError::new(e.to_string()))?;
    Ok(KernelScenario {
        dump,
        isf: g.isf(),
        addresses,
    })
}

/// RVA of `myfault!PoolLeak` in the pool-verifier scenario.
pub const POOL_LEAK_RVA: u32 = 0x6638;

/// The pool leak under Driver Verifier (Windows 8.1 x86).
pub fn pool_verifier() -> Result<KernelScenario, CliError> {
    let k = pooltrack::synth::pool_leak_story();
    let nt = 0x8100_0000u64;
    let mut b = KernelDumpBuilder::new(KernelArch::X86Pae, KernelDumpType::Full);
    b.build_number(9600).processors(1);
    b.bugcheck(0xC4, [0x62, 0, 0, 0]);
    add_driver(&mut b, "ntoskrnl.exe", nt, &kernel_image(nt), 0x60_0000);
    let myfault = 0x9872_0000u64;
    let mut image = driver_image("myfault.sys", myfault, "PoolLeak", POOL_LEAK_RVA, 0x7000);
    // PoolLeak's call of ExAllocatePoolWithTag(PagedPool, 0xfb000, 'kaeL'), returning to
    // PoolLeak+0x21: what the tag-owner scan finds in the driver's code.
    let iat = u32::try_from(myfault.wrapping_add(0x2000)).unwrap_or(0);
    let mut call = vec![
        0x68, b'L', b'e', b'a', b'k', 0x68, 0x00, 0xb0, 0x0f, 0x00, 0x6a, 0x01,
    ];
    call.extend([0xff, 0x15]);
    call.extend(iat.to_le_bytes());
    let at = usize::try_from(POOL_LEAK_RVA)
        .unwrap_or(0)
        .saturating_add(0xf);
    if let Some(d) = image.get_mut(at..at.saturating_add(call.len())) {
        d.copy_from_slice(&call);
    }
    add_driver(&mut b, "myfault.sys", myfault, &image, 0);
    for (va, bytes) in k.memory.regions() {
        b.map(va, bytes);
    }
    let mut g = Globals::new(nt, nt.wrapping_add(0x5f_0000), 4);
    g.pool(&k.context, &k.memory);
    let mut a = BTreeMap::new();
    a.insert("leak", 0x9d2f_b000);
    finish(b, &g, a)
}

/// The handle leak on an x86 server: the pool side (`Thre` exhausting non-paged pool, `!vm`)
/// and the objects side (`iexplore.exe` holding `leaked` handles to terminated threads).
///
/// At most [`HANDLE_LEAK_MAX`] leaked threads: the story's objects grow up from 0x81000000 and
/// must stay below the pool story (0x89000000) and the dump builder's own structures (0x8F6F0000 on x86).
pub fn handle_leak(leaked: u64) -> Result<KernelScenario, CliError> {
    if leaked > HANDLE_LEAK_MAX {
        return Err(CliError::new(format!(
            "at most {HANDLE_LEAK_MAX} leaked threads fit the synthetic dump"
        )));
    }
    let pool = pooltrack::synth::handle_leak_pool_story();
    let layout = pooltrack::ObjectLayout::for_build(3790, pooltrack::PointerWidth::Bits32)
        .ok_or_else(|| CliError::new("no built-in object layout for build 3790 x86"))?;
    let (objects, story) = pooltrack::object_synth::handle_leak_story(layout, leaked);
    let nt = 0x8080_0000u64;
    let mut b = KernelDumpBuilder::new(KernelArch::X86Pae, KernelDumpType::Full);
    b.build_number(3790).processors(4);
    b.bugcheck(0xE2, [0, 0, 0, 0]);
    add_driver(
        &mut b,
        "ntoskrnl.exe",
        nt,
        &super::kernel_scenarios_x64::nt_image(false, nt, &story),
        0x60_0000,
    );
    let mydriver = 0xF5C5_0000u64;
    add_driver(
        &mut b,
        "mydriver.sys",
        mydriver,
        &driver_image(
            "mydriver.sys",
            mydriver,
            "StatusWaitThread",
            0xD128,
            0x10000,
        ),
        0,
    );
    for (va, bytes) in pool.memory.regions() {
        b.map(va, bytes);
    }
    // The objects' memory, copied page by page from where the object builder allocates.
    let mem = &objects.memory;
    let mut page = vec![0u8; 0x1000];
    let start = 0x8100_0000u64;
    let mut empty_run = 0u32;
    let mut va = start;
    while empty_run < 16 && va < 0x8900_0000 {
        if mem.read(va, &mut page).is_ok() {
            b.map(va, &page);
            empty_run = 0;
        } else {
            // A page partly mapped: copy what is there (16 bytes at a time, byte by byte where
            // a cell is only partly mapped); the gaps between objects stay zero.
            let mut any = false;
            let mut buf = vec![0u8; 0x1000];
            for (i, cell) in buf.chunks_mut(16).enumerate() {
                let at = va.wrapping_add(u64::try_from(i).unwrap_or(0).wrapping_mul(16));
                if mem.read(at, cell).is_ok() {
                    any = true;
                    continue;
                }
                for (j, byte) in cell.iter_mut().enumerate() {
                    let one = std::slice::from_mut(byte);
                    any |= mem
                        .read(at.wrapping_add(u64::try_from(j).unwrap_or(0)), one)
                        .is_ok();
                }
            }
            if any {
                b.map(va, &buf);
            }
            empty_run = if any { 0 } else { empty_run.saturating_add(1) };
        }
        va = va.wrapping_add(0x1000);
    }
    // Each process's DirBase: an address space of this dump sharing the kernel's mappings, so
    // `.process` reads work.
    let mut g = Globals::new(nt, nt.wrapping_add(0x5f_0000), 4);
    own_address_spaces(&mut b, &objects, &layout)?;
    g.pool(&pool.context, &pool.memory);
    story.nt_functions.iter().for_each(|(n, a)| g.at(n, *a));
    if let Some(v) = &pool.vm {
        g.vm(v, pooltrack::KernelBuild::new(pooltrack::Arch::X86, 3790));
    }
    // Driver Verifier is not on: its data is there, all zero.
    g.zeroed("MmVerifierData", 0x100);
    if let Some(t) = objects.symbols.ob_type_index_table {
        g.at("ObTypeIndexTable", t);
    }
    if let Some(c) = objects.symbols.ob_header_cookie {
        g.at("ObHeaderCookie", c);
    }
    if let Some(h) = objects.symbols.ps_active_process_head {
        b.kdbg_field(KDBG_PS_ACTIVE_PROCESS_HEAD, h, 8);
    }
    if let Some(c) = objects.symbols.psp_cid_table {
        b.kdbg_field(KDBG_PSP_CID_TABLE, c, 8);
    }
    let mut a = BTreeMap::new();
    a.insert("iexplore", story.iexplore);
    a.insert("system", story.system);
    finish(b, &g, a)
}

/// Gives each process of `objects` its own address space in the dump (one sharing the kernel's
/// mappings, made now, so make it after the kernel's memory is mapped) and writes it to the
/// process's `DirBase`, so `.process` reads work.
pub(super) fn own_address_spaces(
    b: &mut KernelDumpBuilder,
    objects: &pooltrack::object_synth::SynthKernel,
    layout: &pooltrack::ObjectLayout,
) -> Result<(), CliError> {
    let processes: Vec<u64> = objects
        .objects()
        .processes()
        .map_err(|e| CliError::new(e.to_string()))?
        .filter_map(Result::ok)
        .map(|p| p.address)
        .collect();
    let dtb_off = u64::from(layout.process.directory_table_base);
    let width = if layout.width == pooltrack::PointerWidth::Bits64 {
        8
    } else {
        4
    };
    for p in processes {
        let dtb = b.address_space().to_le_bytes();
        b.map(p.wrapping_add(dtb_off), dtb.get(..width).unwrap_or(&dtb));
    }
    Ok(())
}
