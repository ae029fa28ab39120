//! Synthetic Windows kernel crash dumps: full (run list), bitmap (`SDMP`/`FDMP`) and triage,
//! for x86 (PAE and non-PAE) and x64; triage only for ARM64.
//!
//! The builder keeps a sparse physical memory (page frame -> 4 KiB page) and builds the page
//! tables for the virtual mappings it is given; large ranges of physical memory can be
//! declared present with a generator closure instead of bytes, so multi-gigabyte dumps stream
//! to a file without being held in memory. Layouts are written field by field from the format
//! description, sharing no types with the reader.
//!
//! ```
//! use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
//!
//! let mut b = KernelDumpBuilder::new(KernelArch::X64, KernelDumpType::BitmapKernel);
//! b.bugcheck(0xD1, [0x10, 2, 0, 0xfffff800_12345678]);
//! b.map(0xffff_f800_0000_1000, b"hello kernel");
//! b.driver(SynthDriver::new("ntoskrnl.exe", 0xffff_f800_0020_0000, 0x10_0000));
//! let bytes = b.write().expect("writes");
//! let d = dumpfile::KernelDump::from_bytes(bytes).expect("opens");
//! let mut buf = [0u8; 12];
//! d.memory().read(0xffff_f800_0000_1000, &mut buf).unwrap();
//! assert_eq!(&buf, b"hello kernel");
//! assert_eq!(d.drivers().unwrap()[0].name, "ntoskrnl.exe");
//! ```

// The writer lays out data it generates itself, not untrusted input: its sizes are small by
// construction, and the truncating casts are the point (x86 dumps store 32-bit fields).
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use std::collections::BTreeMap;
use std::io::Write;

use super::{SynthContext, SynthError};

type Result<T> = std::result::Result<T, SynthError>;

const PAGE: u64 = 0x1000;

/// Architecture and paging of the synthetic machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelArch {
    /// x86 without PAE (2-level paging, 4 MiB large pages).
    X86,
    /// x86 with PAE (3-level paging, 2 MiB large pages).
    X86Pae,
    /// x64 (4-level paging, 2 MiB and 1 GiB large pages).
    X64,
    /// ARM64 (`MachineImageType` 0xAA64), triage dumps only: a full or bitmap dump needs ARM64
    /// page tables, which neither this builder nor the reader handles, so
    /// [`KernelDumpBuilder::write`] refuses them with [`SynthError::Unsupported`].
    ///
    /// The layout follows a real Windows 11 22000 ARM64 triage dump: a `PAGEDU64` header with
    /// the 0x390-byte ARM64 `CONTEXT` at 0x348, a 0x80-byte `TRIAGE_DUMP64` at 0x2000, and
    /// the KDBG offsets `PrcbCurrentThread` 0x8, `KThreadApcProcess` 0xB0, `PrcbNumber` 0x24,
    /// `PrcbProcStateContext` 0x360.
    Arm64,
}

impl KernelArch {
    fn is_64(self) -> bool {
        matches!(self, KernelArch::X64 | KernelArch::Arm64)
    }
    /// `MachineImageType` of the header (and `Machine` of the PE headers).
    fn machine(self) -> u16 {
        match self {
            KernelArch::X86 | KernelArch::X86Pae => 0x14C,
            KernelArch::X64 => 0x8664,
            KernelArch::Arm64 => 0xAA64,
        }
    }
    fn ptr(self) -> u64 {
        if self.is_64() { 8 } else { 4 }
    }
}

/// The kind of dump to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelDumpType {
    /// `DumpType` 1: physical memory as runs in the header.
    Full,
    /// `DumpType` 6 with an `SDMP` bitmap header (kernel / automatic dump).
    BitmapKernel,
    /// `DumpType` 5 with an `FDMP` bitmap header (complete dump as a bitmap).
    BitmapFull,
    /// `DumpType` 4: triage dump (no physical memory; mapped ranges become data blocks).
    Triage,
}

/// A page that is not present, as its PTE is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SynthNotPresent {
    /// A zero PTE.
    NotCommitted,
    /// A demand-zero software PTE (protection only).
    DemandZero,
    /// Paged out: page file number (0..15) and page offset.
    PageFile {
        /// Page file number.
        file: u8,
        /// Page offset in the file (nonzero).
        offset: u64,
    },
    /// In transition at this page frame (write the frame with [`KernelDumpBuilder::physical`]
    /// to make it readable, or leave it out).
    Transition {
        /// Page frame number.
        pfn: u64,
    },
    /// A prototype PTE pointing at this address.
    Prototype {
        /// Address of the prototype PTE (x64: kernel VA; PAE: 32-bit; non-PAE: a VA of the form
        /// 0x8000_0000 + 4-aligned offset).
        address: u64,
    },
}

/// A loaded driver to put in the module list (or the triage driver list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthDriver {
    /// File name (`BaseDllName`).
    pub name: String,
    /// Full path (`FullDllName`).
    pub path: String,
    /// Image base.
    pub base: u64,
    /// Image size.
    pub size: u32,
    /// Link time stamp.
    pub timestamp: u32,
    /// PE checksum.
    pub checksum: u32,
    /// Also map a PE header page at `base` (with this CodeView id: PDB name, GUID, age).
    pub pe_header: Option<(String, [u8; 16], u32)>,
}

impl SynthDriver {
    /// A driver with a `\SystemRoot\system32\drivers\` path and no PE header.
    pub fn new(name: &str, base: u64, size: u32) -> SynthDriver {
        SynthDriver {
            name: name.to_string(),
            path: format!("\\SystemRoot\\system32\\drivers\\{name}"),
            base,
            size,
            timestamp: 0x5F00_0000,
            checksum: size / 2,
            pe_header: None,
        }
    }
}

/// An unloaded driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthUnloaded {
    /// File name (at most 12 characters survive in a triage dump).
    pub name: String,
    /// Start address.
    pub start: u64,
    /// End address.
    pub end: u64,
    /// Unload time (FILETIME; not written in triage dumps).
    pub time: u64,
}

/// KDBG encoding keys: the values of `KiWaitNever`, `KiWaitAlways` and the address of
/// `KdpDataBlockEncoded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SynthKdbgKeys {
    /// `KiWaitNever`.
    pub wait_never: u64,
    /// `KiWaitAlways`.
    pub wait_always: u64,
    /// Address of `KdpDataBlockEncoded`.
    pub data_block_encoded_address: u64,
}

/// Generates the contents of a physical page on demand.
pub type PageGenerator = Box<dyn Fn(u64, &mut [u8]) + Send + Sync>;

/// The builder.
pub struct KernelDumpBuilder {
    arch: KernelArch,
    dump_type: KernelDumpType,
    build: u32,
    processors: u32,
    bugcheck: (u32, [u64; 4]),
    context: Option<SynthContext>,
    exception_code: u32,
    comment: Option<String>,
    system_time: u64,
    up_time: u64,
    ps_active_process_head: u64,
    pfn_database: u64,
    triage_module_list: u64,
    dtb: u64,
    pages: BTreeMap<u64, Box<[u8]>>,
    generated: Vec<(u64, u64)>,
    generator: Option<PageGenerator>,
    next_pfn: u64,
    machine_pages: u64,
    struct_va: u64,
    kdbg_va: u64,
    kdbg_size: u32,
    kdbg_fields: Vec<(u16, u64, u8)>,
    kdbg_keys: Option<SynthKdbgKeys>,
    drivers: Vec<SynthDriver>,
    unloaded: Vec<SynthUnloaded>,
    triage_blocks: Vec<(u64, Vec<u8>)>,
    triage_stack: Option<(u64, Vec<u8>)>,
    triage_objects: Option<[(u64, Vec<u8>); 3]>,
    cpu_contexts: Vec<(u32, SynthContext)>,
}

impl std::fmt::Debug for KernelDumpBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelDumpBuilder")
            .field("arch", &self.arch)
            .field("dump_type", &self.dump_type)
            .field("pages", &self.pages.len())
            .field("generated", &self.generated)
            .finish_non_exhaustive()
    }
}

fn put(buf: &mut [u8], off: u64, bytes: &[u8]) {
    let Ok(o) = usize::try_from(off) else { return };
    if let Some(d) = buf.get_mut(o..o.saturating_add(bytes.len())) {
        d.copy_from_slice(bytes);
    }
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

impl KernelDumpBuilder {
    /// A builder for a Windows 10 19041 machine with one processor and empty memory.
    pub fn new(arch: KernelArch, dump_type: KernelDumpType) -> KernelDumpBuilder {
        let (struct_va, kdbg_va) = if arch.is_64() {
            (0xFFFF_F800_7000_0000, 0xFFFF_F800_6FFF_0000)
        } else {
            (0x8F70_0000, 0x8F6F_0000)
        };
        let mut b = KernelDumpBuilder {
            arch,
            dump_type,
            build: 19041,
            processors: 1,
            bugcheck: (0, [0; 4]),
            context: None,
            exception_code: 0x8000_0003,
            comment: None,
            system_time: 0x01D7_0000_0000_0000,
            up_time: 0x100_0000,
            ps_active_process_head: 0,
            pfn_database: 0,
            triage_module_list: 0,
            dtb: 0,
            pages: BTreeMap::new(),
            generated: Vec::new(),
            generator: None,
            next_pfn: 0x100,
            machine_pages: 0,
            struct_va,
            kdbg_va,
            kdbg_size: 0x380,
            kdbg_fields: Vec::new(),
            kdbg_keys: None,
            drivers: Vec::new(),
            unloaded: Vec::new(),
            triage_blocks: Vec::new(),
            triage_stack: None,
            triage_objects: None,
            cpu_contexts: Vec::new(),
        };
        if dump_type != KernelDumpType::Triage {
            let pfn = b.alloc_pfn();
            b.dtb = pfn.wrapping_mul(PAGE);
            b.page_mut(pfn);
        }
        b
    }

    /// The build number written as `MinorVersion` (default 19041).
    pub fn build_number(&mut self, build: u32) -> &mut Self {
        self.build = build;
        self
    }

    /// `NumberProcessors` (default 1).
    pub fn processors(&mut self, n: u32) -> &mut Self {
        self.processors = n;
        self
    }

    /// Bugcheck code and parameters.
    pub fn bugcheck(&mut self, code: u32, params: [u64; 4]) -> &mut Self {
        self.bugcheck = (code, params);
        self
    }

    /// The crashing processor's context.
    pub fn context(&mut self, c: SynthContext) -> &mut Self {
        self.context = Some(c);
        self
    }

    /// The header comment.
    pub fn comment(&mut self, c: &str) -> &mut Self {
        self.comment = Some(c.to_string());
        self
    }

    /// `SystemTime` (FILETIME) and `SystemUpTime`.
    pub fn times(&mut self, system_time: u64, up_time: u64) -> &mut Self {
        self.system_time = system_time;
        self.up_time = up_time;
        self
    }

    /// `PsActiveProcessHead` and `PfnDataBase` of the header.
    pub fn list_heads(&mut self, ps_active_process_head: u64, pfn_database: u64) -> &mut Self {
        self.ps_active_process_head = ps_active_process_head;
        self.pfn_database = pfn_database;
        self
    }

    /// Triage: the `PsLoadedModuleList` address the header and the KDBG copy give (a real
    /// triage dump keeps the kernel's address though the list itself is not in the dump; full
    /// and bitmap dumps point at the list the builder writes). Default 0.
    pub fn triage_module_list(&mut self, va: u64) -> &mut Self {
        self.triage_module_list = va;
        self
    }

    /// The first page frame the builder allocates for page tables and mapped pages (default
    /// 0x100). Keep it clear of [`physical_generated`](Self::physical_generated) ranges.
    ///
    /// Called before anything is mapped, it also moves the top-level page table there.
    pub fn allocate_from(&mut self, pfn: u64) -> &mut Self {
        self.next_pfn = pfn;
        let dtb_pfn = self.dtb / PAGE;
        let untouched = self.pages.len() == 1
            && self
                .pages
                .get(&dtb_pfn)
                .is_some_and(|p| p.iter().all(|&b| b == 0));
        if self.dump_type != KernelDumpType::Triage && untouched {
            self.pages.clear();
            let p = self.alloc_pfn();
            self.dtb = p.wrapping_mul(PAGE);
            self.page_mut(p);
        }
        self
    }

    /// Number of page frames of the machine (bits of the bitmap); at least the highest
    /// present frame + 1.
    pub fn machine_pages(&mut self, n: u64) -> &mut Self {
        self.machine_pages = n;
        self
    }

    /// The kernel directory table base (physical address of the top-level table).
    pub fn dtb(&self) -> u64 {
        self.dtb
    }

    /// Declares `count` page frames from `start_pfn` present, their contents produced by
    /// [`page_generator`](Self::page_generator) when written (explicit pages win).
    pub fn physical_generated(&mut self, start_pfn: u64, count: u64) -> &mut Self {
        self.generated.push((start_pfn, count));
        self
    }

    /// The generator of the contents of [`physical_generated`](Self::physical_generated)
    /// pages: called with the page frame number and a 4 KiB buffer.
    pub fn page_generator(
        &mut self,
        g: impl Fn(u64, &mut [u8]) + Send + Sync + 'static,
    ) -> &mut Self {
        self.generator = Some(Box::new(g));
        self
    }

    /// Writes physical memory.
    pub fn physical(&mut self, pa: u64, bytes: &[u8]) -> &mut Self {
        let mut done = 0usize;
        while done < bytes.len() {
            let cur = pa.wrapping_add(u64::try_from(done).unwrap_or(0));
            let in_page = usize::try_from(cur % PAGE).unwrap_or(0);
            let n = (0x1000usize.saturating_sub(in_page)).min(bytes.len().saturating_sub(done));
            let src = bytes.get(done..done.saturating_add(n)).unwrap_or(&[]);
            let page = self.page_mut(cur / PAGE);
            if let Some(d) = page.get_mut(in_page..in_page.saturating_add(n)) {
                d.copy_from_slice(src);
            }
            done = done.saturating_add(n);
        }
        self
    }

    fn page_mut(&mut self, pfn: u64) -> &mut [u8] {
        self.pages
            .entry(pfn)
            .or_insert_with(|| vec![0u8; 0x1000].into_boxed_slice())
    }

    fn alloc_pfn(&mut self) -> u64 {
        let p = self.next_pfn;
        self.next_pfn = self.next_pfn.wrapping_add(1);
        p
    }

    fn read_phys(&self, pa: u64, size: u64) -> u64 {
        let Some(p) = self.pages.get(&(pa / PAGE)) else {
            return 0;
        };
        let o = usize::try_from(pa % PAGE).unwrap_or(0);
        let mut b = [0u8; 8];
        let n = usize::try_from(size).unwrap_or(8).min(8);
        if let (Some(s), Some(d)) = (p.get(o..o.saturating_add(n)), b.get_mut(..n)) {
            d.copy_from_slice(s);
        }
        u64::from_le_bytes(b)
    }

    fn write_entry(&mut self, pa: u64, value: u64) {
        if self.arch == KernelArch::X86 {
            self.physical(pa, &(value as u32).to_le_bytes());
        } else {
            self.physical(pa, &value.to_le_bytes());
        }
    }

    /// Paging levels: (shift, index bits, entry size) outermost first; the last is the PTE.
    fn levels(&self) -> &'static [(u32, u64, u64)] {
        match self.arch {
            // ARM64 shares the x64 shape only so the builder's calls stay total: `write`
            // refuses ARM64 dumps that would carry page tables.
            KernelArch::X64 | KernelArch::Arm64 => &[
                (39, 0x1FF, 8),
                (30, 0x1FF, 8),
                (21, 0x1FF, 8),
                (12, 0x1FF, 8),
            ],
            KernelArch::X86Pae => &[(30, 3, 8), (21, 0x1FF, 8), (12, 0x1FF, 8)],
            KernelArch::X86 => &[(22, 0x3FF, 4), (12, 0x3FF, 4)],
        }
    }

    fn frame_mask(&self) -> u64 {
        if self.arch == KernelArch::X86 {
            0xFFFF_F000
        } else {
            0x000F_FFFF_FFFF_F000
        }
    }

    /// Physical address of the entry for `va` at level `depth` (0 = outermost), creating the
    /// tables above it.
    fn entry_address(&mut self, va: u64, depth: usize) -> u64 {
        self.entry_address_in(self.dtb, va, depth)
    }

    fn entry_address_in(&mut self, dtb: u64, va: u64, depth: usize) -> u64 {
        let levels = self.levels();
        let mut table = dtb;
        for (i, &(shift, mask, size)) in levels.iter().enumerate() {
            let ea = table.wrapping_add(((va >> shift) & mask).wrapping_mul(size));
            if i == depth {
                return ea;
            }
            let e = self.read_phys(ea, size);
            if e & 1 == 0 || e & 0x80 != 0 {
                let pfn = self.alloc_pfn();
                self.page_mut(pfn);
                // PAE PDPTEs take only the present bit.
                let flags = if self.arch == KernelArch::X86Pae && i == 0 {
                    1
                } else {
                    0x63
                };
                self.write_entry(ea, pfn.wrapping_mul(PAGE) | flags);
                table = pfn.wrapping_mul(PAGE);
            } else {
                table = e & self.frame_mask();
            }
        }
        table
    }

    /// Translates `va` through the tables built so far.
    fn translate(&self, va: u64) -> Option<u64> {
        self.translate_in(self.dtb, va)
    }

    fn translate_in(&self, dtb: u64, va: u64) -> Option<u64> {
        let levels = self.levels();
        let mut table = dtb;
        let last = levels.len().saturating_sub(1);
        for (i, &(shift, mask, size)) in levels.iter().enumerate() {
            let ea = table.wrapping_add(((va >> shift) & mask).wrapping_mul(size));
            let e = self.read_phys(ea, size);
            if e & 1 == 0 {
                return None;
            }
            let large = e & 0x80 != 0 && i != last && (i != 0 || self.arch == KernelArch::X86);
            if large || i == last {
                let span = 1u64 << shift;
                let base = e & self.frame_mask() & !(span.wrapping_sub(1));
                return Some(base | (va & span.wrapping_sub(1)));
            }
            table = e & self.frame_mask();
        }
        None
    }

    /// Maps the 4 KiB page at `va` to physical page `pa` (a fresh frame when `None`); returns
    /// the physical address of the page.
    pub fn map_page(&mut self, va: u64, pa: Option<u64>) -> u64 {
        if self.dump_type == KernelDumpType::Triage {
            return 0;
        }
        let pa = match pa {
            Some(p) => p & !(PAGE - 1),
            None => {
                let p = self.alloc_pfn();
                self.page_mut(p);
                p.wrapping_mul(PAGE)
            }
        };
        let depth = self.levels().len().saturating_sub(1);
        let ea = self.entry_address(va, depth);
        self.write_entry(ea, pa | 0x63);
        pa
    }

    /// Maps a large page at `va` (aligned) to `pa`: `size` 0x20_0000 (x64, PAE), 0x40_0000
    /// (non-PAE) or 0x4000_0000 (x64). The physical pages must be present to be read
    /// ([`physical_generated`](Self::physical_generated) or written through [`map`](Self::map)).
    pub fn map_large(&mut self, va: u64, pa: u64, size: u64) -> &mut Self {
        let depth = match (self.arch, size) {
            (KernelArch::X64 | KernelArch::Arm64, 0x4000_0000) => 1,
            (KernelArch::X64 | KernelArch::Arm64, _) => 2,
            (KernelArch::X86Pae, _) => 1,
            (KernelArch::X86, _) => 0,
        };
        if self.dump_type != KernelDumpType::Triage {
            let ea = self.entry_address(va, depth);
            self.write_entry(ea, (pa & !(size.wrapping_sub(1))) | 0xE3);
        }
        self
    }

    /// Writes a not-present entry for the page at `va` (at the PTE level).
    pub fn not_present(&mut self, va: u64, what: SynthNotPresent) -> &mut Self {
        if self.dump_type == KernelDumpType::Triage {
            return self;
        }
        let depth = self.levels().len().saturating_sub(1);
        let ea = self.entry_address(va, depth);
        let prot = 4u64 << 5; // MM_READWRITE in the Protection field (bits 5..9)
        let v = match (self.arch, what) {
            (_, SynthNotPresent::NotCommitted) => 0,
            (_, SynthNotPresent::DemandZero) => prot,
            (KernelArch::X86, SynthNotPresent::PageFile { file, offset }) => {
                prot | (u64::from(file & 0xF) << 1) | ((offset & 0xF_FFFF) << 12)
            }
            (KernelArch::X86Pae, SynthNotPresent::PageFile { file, offset }) => {
                prot | (u64::from(file & 0xF) << 1) | ((offset & 0xFFFF_FFFF) << 32)
            }
            (KernelArch::X64 | KernelArch::Arm64, SynthNotPresent::PageFile { file, offset }) => {
                prot | (u64::from(file & 0xF) << 12) | ((offset & 0xFFFF_FFFF) << 32)
            }
            (_, SynthNotPresent::Transition { pfn }) => prot | 0x800 | (pfn << 12),
            (KernelArch::X64 | KernelArch::Arm64, SynthNotPresent::Prototype { address }) => {
                0x400 | (address << 16)
            }
            (KernelArch::X86Pae, SynthNotPresent::Prototype { address }) => {
                0x400 | ((address & 0xFFFF_FFFF) << 32)
            }
            (KernelArch::X86, SynthNotPresent::Prototype { address }) => {
                // address = 0x8000_0000 | ((pte >> 1) & 0x7FFF_FC00) | ((pte << 1) & 0x3FF)
                let off = address & 0x7FFF_FFFF;
                0x400 | ((off & 0x7FFF_FC00) << 1) | ((off & 0x3FE) >> 1)
            }
        };
        self.write_entry(ea, v);
        self
    }

    /// Writes `bytes` at virtual address `va`, mapping fresh 4 KiB pages where nothing is
    /// mapped yet (a triage dump records it as a data block instead).
    pub fn map(&mut self, va: u64, bytes: &[u8]) -> &mut Self {
        if self.dump_type == KernelDumpType::Triage {
            self.triage_blocks.push((va, bytes.to_vec()));
            return self;
        }
        let mut done = 0usize;
        while done < bytes.len() {
            let cur = va.wrapping_add(u64::try_from(done).unwrap_or(0));
            let in_page = usize::try_from(cur % PAGE).unwrap_or(0);
            let n = (0x1000usize.saturating_sub(in_page)).min(bytes.len().saturating_sub(done));
            let pa = match self.translate(cur) {
                Some(pa) => pa,
                None => self.map_page(cur, None) | (cur % PAGE),
            };
            let src = bytes
                .get(done..done.saturating_add(n))
                .unwrap_or(&[])
                .to_vec();
            self.physical(pa, &src);
            done = done.saturating_add(n);
        }
        self
    }

    /// Creates a process address space: a new top-level table whose kernel half (x64 PML4
    /// entries 256..511, PAE PDPT entries 2..3, non-PAE PDEs 512..1023) is copied from the
    /// kernel's. Returns its directory table base, for [`map_in`](Self::map_in) and the
    /// reader's `memory_with_dtb`. Make the kernel mappings first: top-level entries created
    /// later are not shared.
    pub fn address_space(&mut self) -> u64 {
        if self.dump_type == KernelDumpType::Triage {
            return 0;
        }
        let pfn = self.alloc_pfn();
        self.page_mut(pfn);
        let dtb = pfn.wrapping_mul(PAGE);
        let (first, count, size) = match self.arch {
            KernelArch::X64 | KernelArch::Arm64 => (256u64, 256u64, 8u64),
            KernelArch::X86Pae => (2, 2, 8),
            KernelArch::X86 => (512, 512, 4),
        };
        for i in first..first + count {
            let e = self.read_phys(self.dtb + i * size, size);
            if e != 0 {
                self.write_entry(dtb + i * size, e);
            }
        }
        dtb
    }

    /// Writes `bytes` at `va` in the address space `dtb`, mapping fresh 4 KiB pages where
    /// nothing is mapped yet.
    pub fn map_in(&mut self, dtb: u64, va: u64, bytes: &[u8]) -> &mut Self {
        if self.dump_type == KernelDumpType::Triage {
            return self;
        }
        let mut done = 0usize;
        while done < bytes.len() {
            let cur = va.wrapping_add(u64::try_from(done).unwrap_or(0));
            let in_page = usize::try_from(cur % PAGE).unwrap_or(0);
            let n = (0x1000usize.saturating_sub(in_page)).min(bytes.len().saturating_sub(done));
            let pa = match self.translate_in(dtb, cur) {
                Some(pa) => pa,
                None => {
                    let p = self.alloc_pfn();
                    self.page_mut(p);
                    let depth = self.levels().len().saturating_sub(1);
                    let ea = self.entry_address_in(dtb, cur, depth);
                    self.write_entry(ea, p.wrapping_mul(PAGE) | 0x67);
                    p.wrapping_mul(PAGE) | (cur % PAGE)
                }
            };
            let src = bytes
                .get(done..done.saturating_add(n))
                .unwrap_or(&[])
                .to_vec();
            self.physical(pa, &src);
            done = done.saturating_add(n);
        }
        self
    }

    /// The saved context of processor `n` (its `KPRCB.ProcessorState.ContextFrame`): the
    /// builder writes one `KPRCB` per processor, `KiProcessorBlock` and the KDBG's
    /// `KiProcessorBlock`, `OffsetPrcbProcStateContext` and `OffsetPrcbNumber`.
    pub fn processor_context(&mut self, n: u32, c: SynthContext) -> &mut Self {
        self.cpu_contexts.push((n, c));
        self
    }

    /// Allocates `size` bytes of synthetic kernel structure space (16-aligned).
    pub fn alloc_va(&mut self, size: u64) -> u64 {
        let va = self.struct_va;
        self.struct_va = self.struct_va.wrapping_add(size.wrapping_add(15) & !15);
        va
    }

    /// Places the KDBG at `va` (default: a builder-chosen kernel address) with `Header.Size`
    /// `size` (default 0x380).
    pub fn kdbg_at(&mut self, va: u64, size: u32) -> &mut Self {
        self.kdbg_va = va;
        self.kdbg_size = size;
        self
    }

    /// Sets a KDBG field (`size` 2, 4 or 8 bytes at `offset`), overriding what the builder
    /// fills in.
    pub fn kdbg_field(&mut self, offset: u16, value: u64, size: u8) -> &mut Self {
        self.kdbg_fields.push((offset, value, size));
        self
    }

    /// Writes the KDBG encoded with these keys (Windows 8+ `KdpDataBlockEncoded`).
    pub fn kdbg_encoded(&mut self, keys: SynthKdbgKeys) -> &mut Self {
        self.kdbg_keys = Some(keys);
        self
    }

    /// Adds a loaded driver.
    pub fn driver(&mut self, d: SynthDriver) -> &mut Self {
        self.drivers.push(d);
        self
    }

    /// Adds an unloaded driver (oldest first).
    pub fn unloaded_driver(&mut self, u: SynthUnloaded) -> &mut Self {
        self.unloaded.push(u);
        self
    }

    /// Triage: the call stack bytes, starting at `va` (the stack pointer side).
    pub fn triage_stack(&mut self, va: u64, bytes: Vec<u8>) -> &mut Self {
        self.triage_stack = Some((va, bytes));
        self
    }

    /// Triage: the KPRCB, EPROCESS and ETHREAD copies with their addresses. The builder writes
    /// `PRCB.CurrentThread`, `THREAD.ApcState.Process` and `KiProcessorBlock[0]` so the reader
    /// can find the addresses.
    pub fn triage_objects(
        &mut self,
        prcb: (u64, Vec<u8>),
        process: (u64, Vec<u8>),
        thread: (u64, Vec<u8>),
    ) -> &mut Self {
        self.triage_objects = Some([prcb, process, thread]);
        self
    }

    /// KDBG offsets the builder uses for the triage objects: (PrcbCurrentThread,
    /// KThreadApcProcess, PrcbNumber).
    /// ARM64: the values of the KDBG copy in a real Windows 11 22000 ARM64 triage dump.
    fn object_offsets(&self) -> (u64, u64, u64) {
        match self.arch {
            KernelArch::X64 => (0x8, 0xB8, 0x24),
            KernelArch::Arm64 => (0x8, 0xB0, 0x24),
            KernelArch::X86 | KernelArch::X86Pae => (0x4, 0x50, 0x3CC),
        }
    }

    /// `OffsetPrcbProcStateContext` the builder uses (0x1F0 as in a real Windows 10 19041 x64
    /// KDBG; 0x360 as in a real Windows 11 22000 ARM64 KDBG; 0x18 on x86,
    /// `KPRCB.ProcessorState` of Windows 7 x86).
    fn prcb_context_offset(&self) -> u64 {
        match self.arch {
            KernelArch::X64 => 0x1F0,
            KernelArch::Arm64 => 0x360,
            KernelArch::X86 | KernelArch::X86Pae => 0x18,
        }
    }

    fn w_ptr(&self, buf: &mut Vec<u8>, v: u64) {
        if self.arch.is_64() {
            buf.extend_from_slice(&v.to_le_bytes());
        } else {
            buf.extend_from_slice(&(v as u32).to_le_bytes());
        }
    }

    /// Builds the in-memory structures (module list, unloaded drivers, KDBG) of a full or
    /// bitmap dump. Returns (PsLoadedModuleList, KDBG VA).
    fn finish_memory(&mut self) -> (u64, u64) {
        let ptr = self.arch.ptr();
        let is64 = self.arch.is_64();
        let win10 = self.build >= 10240;
        // Loaded module list.
        let head = self.alloc_va(16);
        let entry_size: u64 = if is64 { 0xA0 } else { 0x60 };
        let drivers = self.drivers.clone();
        let mut entries = Vec::new();
        for d in &drivers {
            let e = self.alloc_va(entry_size);
            let full = utf16(&d.path);
            let base_name = utf16(&d.name);
            let full_va = self.alloc_va(full.len() as u64 + 2);
            let base_va = self.alloc_va(base_name.len() as u64 + 2);
            self.map(full_va, &full);
            self.map(base_va, &base_name);
            entries.push((e, full_va, full.len(), base_va, base_name.len()));
            if let Some((pdb, guid, age)) = &d.pe_header {
                let page = pe_page(
                    self.arch.machine(),
                    d.timestamp,
                    d.checksum,
                    d.size,
                    pdb,
                    guid,
                    *age,
                );
                self.map(d.base, &page);
            }
        }
        let n = entries.len();
        for (i, (d, &(e, full_va, full_len, base_va, base_len))) in
            drivers.iter().zip(entries.iter()).enumerate()
        {
            let next = entries.get(i.wrapping_add(1)).map_or(head, |x| x.0);
            let prev = if i == 0 {
                head
            } else {
                entries.get(i.wrapping_sub(1)).map_or(head, |x| x.0)
            };
            let mut b = vec![0u8; usize::try_from(entry_size).unwrap_or(0)];
            let p = |v: u64| -> Vec<u8> {
                if is64 {
                    v.to_le_bytes().to_vec()
                } else {
                    (v as u32).to_le_bytes().to_vec()
                }
            };
            let us = |len: usize, buf: u64| -> Vec<u8> {
                let mut s = Vec::new();
                s.extend_from_slice(&(len as u16).to_le_bytes());
                s.extend_from_slice(&((len + 2) as u16).to_le_bytes());
                if is64 {
                    s.extend_from_slice(&[0; 4]);
                    s.extend_from_slice(&buf.to_le_bytes());
                } else {
                    s.extend_from_slice(&(buf as u32).to_le_bytes());
                }
                s
            };
            put(&mut b, 0, &p(next));
            put(&mut b, ptr, &p(prev));
            let (o_base, o_size, o_full, o_bn, o_ck, o_ts) = if is64 {
                (
                    0x30,
                    0x40,
                    0x48,
                    0x58,
                    0x78,
                    if win10 { 0x9C } else { 0x80 },
                )
            } else {
                (
                    0x18,
                    0x20,
                    0x24,
                    0x2C,
                    0x40,
                    if win10 { 0x58 } else { 0x44 },
                )
            };
            put(&mut b, o_base, &p(d.base));
            put(&mut b, o_size, &d.size.to_le_bytes());
            put(&mut b, o_full, &us(full_len, full_va));
            put(&mut b, o_bn, &us(base_len, base_va));
            put(&mut b, o_ck, &d.checksum.to_le_bytes());
            put(&mut b, o_ts, &d.timestamp.to_le_bytes());
            self.map(e, &b);
        }
        let first = entries.first().map_or(head, |x| x.0);
        let last = entries.last().map_or(head, |x| x.0);
        let mut hb = Vec::new();
        self.w_ptr(&mut hb, first);
        self.w_ptr(&mut hb, last);
        self.map(head, &hb);
        let _ = n;
        // Unloaded drivers: MmUnloadedDrivers (pointer) -> 50 entries; MmLastUnloadedDriver.
        let var = self.alloc_va(16);
        let last_var = self.alloc_va(8);
        let esize: u64 = if is64 { 0x28 } else { 0x18 };
        let array = if self.unloaded.is_empty() {
            0
        } else {
            self.alloc_va(esize * 50)
        };
        let unloaded = self.unloaded.clone();
        for (i, u) in unloaded.iter().enumerate().take(50) {
            let name = utf16(&u.name);
            let nva = self.alloc_va(name.len() as u64 + 2);
            self.map(nva, &name);
            let mut b = vec![0u8; usize::try_from(esize).unwrap_or(0)];
            put(&mut b, 0, &(name.len() as u16).to_le_bytes());
            put(&mut b, 2, &(name.len() as u16).to_le_bytes());
            if is64 {
                put(&mut b, 8, &nva.to_le_bytes());
                put(&mut b, 0x10, &u.start.to_le_bytes());
                put(&mut b, 0x18, &u.end.to_le_bytes());
                put(&mut b, 0x20, &u.time.to_le_bytes());
            } else {
                put(&mut b, 4, &(nva as u32).to_le_bytes());
                put(&mut b, 8, &(u.start as u32).to_le_bytes());
                put(&mut b, 0xC, &(u.end as u32).to_le_bytes());
                put(&mut b, 0x10, &u.time.to_le_bytes());
            }
            self.map(array.wrapping_add(esize.wrapping_mul(i as u64)), &b);
        }
        let mut vb = Vec::new();
        self.w_ptr(&mut vb, array);
        self.map(var, &vb);
        self.map(
            last_var,
            &((unloaded.len().min(50) % 50) as u32).to_le_bytes(),
        );
        // Processors: one KPRCB page each, the context at OffsetPrcbProcStateContext.
        let mut kpb = 0;
        if !self.cpu_contexts.is_empty() {
            let n = u64::from(self.processors.max(1));
            kpb = self.alloc_va(n * ptr);
            let (_, _, number_off) = self.object_offsets();
            let ctx_off = self.prcb_context_offset();
            for i in 0..n {
                let prcb = self.alloc_va(0x1000);
                let mut p = vec![0u8; 0x1000];
                put(&mut p, number_off, &(i as u16).to_le_bytes());
                let c = self.cpu_contexts.iter().find(|(k, _)| u64::from(*k) == i);
                if let Some((_, c)) = c {
                    put(&mut p, ctx_off, &c.to_bytes());
                }
                self.map(prcb, &p);
                let mut pb = Vec::new();
                self.w_ptr(&mut pb, prcb);
                self.map(kpb + i * ptr, &pb);
            }
        }
        // KDBG.
        let kern_base = self.drivers.first().map_or(0, |d| d.base);
        let kdbg = self.kdbg_bytes(kern_base, head, var, last_var, kpb);
        let kva = self.kdbg_va;
        self.map(kva, &kdbg);
        (head, kva)
    }

    fn kdbg_bytes(
        &self,
        kern_base: u64,
        modules: u64,
        unloaded: u64,
        last_unloaded: u64,
        kpb: u64,
    ) -> Vec<u8> {
        let mut b = vec![0u8; usize::try_from(self.kdbg_size).unwrap_or(0)];
        let mask = if self.arch.is_64() {
            u64::MAX
        } else {
            0xFFFF_FFFF
        };
        put(&mut b, 0x10, &0x4742_444Bu32.to_le_bytes());
        put(&mut b, 0x14, &self.kdbg_size.to_le_bytes());
        put(&mut b, 0x18, &(kern_base & mask).to_le_bytes());
        put(&mut b, 0x48, &(modules & mask).to_le_bytes());
        put(
            &mut b,
            0x50,
            &(self.ps_active_process_head & mask).to_le_bytes(),
        );
        put(&mut b, 0x138, &PAGE.to_le_bytes());
        put(&mut b, 0x218, &(kpb & mask).to_le_bytes());
        put(&mut b, 0x220, &(unloaded & mask).to_le_bytes());
        put(&mut b, 0x228, &(last_unloaded & mask).to_le_bytes());
        let (cur_thread, apc_process, number) = self.object_offsets();
        put(&mut b, 0x2A0, &(apc_process as u16).to_le_bytes());
        put(&mut b, 0x2B4, &(cur_thread as u16).to_le_bytes());
        put(&mut b, 0x2BE, &(number as u16).to_le_bytes());
        put(
            &mut b,
            0x2BC,
            &(self.prcb_context_offset() as u16).to_le_bytes(),
        );
        if let Some([p, pr, t]) = &self.triage_objects {
            put(&mut b, 0x2B0, &(p.1.len() as u16).to_le_bytes());
            put(&mut b, 0x2A8, &(pr.1.len() as u16).to_le_bytes());
            put(&mut b, 0x2C0, &(t.1.len() as u16).to_le_bytes());
        }
        for &(off, v, size) in &self.kdbg_fields {
            let bytes = v.to_le_bytes();
            put(
                &mut b,
                u64::from(off),
                bytes.get(..usize::from(size).min(8)).unwrap_or(&[]),
            );
        }
        if let Some(k) = self.kdbg_keys {
            encode(&mut b, &k, self.arch.is_64());
        }
        b
    }

    /// The header page(s), filled with the `PAGE` pattern and then the fields.
    fn header(&self, dump_type: u32, modules: u64, kdbg: u64, runs: &[(u64, u64)]) -> Vec<u8> {
        let is64 = self.arch.is_64();
        let size = if is64 { 0x2000 } else { 0x1000 };
        let mut h: Vec<u8> = b"PAGE".iter().copied().cycle().take(size).collect();
        let w32 = |h: &mut Vec<u8>, off: u64, v: u32| put(h, off, &v.to_le_bytes());
        let w64 = |h: &mut Vec<u8>, off: u64, v: u64| put(h, off, &v.to_le_bytes());
        put(&mut h, 4, if is64 { b"DU64" } else { b"DUMP" });
        w32(&mut h, 8, 0xF);
        w32(&mut h, 0xC, self.build);
        let ctx_size = match self.arch {
            KernelArch::Arm64 => 0x390,
            KernelArch::X64 => 0x4D0,
            KernelArch::X86 | KernelArch::X86Pae => 0x2CC,
        };
        let ctx = self
            .context
            .as_ref()
            .map(SynthContext::to_bytes)
            .unwrap_or_else(|| vec![0u8; ctx_size]);
        let (code, params) = self.bugcheck;
        if is64 {
            w64(&mut h, 0x10, self.dtb);
            w64(&mut h, 0x18, self.pfn_database);
            w64(&mut h, 0x20, modules);
            w64(&mut h, 0x28, self.ps_active_process_head);
            w32(&mut h, 0x30, u32::from(self.arch.machine()));
            w32(&mut h, 0x34, self.processors);
            w32(&mut h, 0x38, code);
            for (i, p) in params.iter().enumerate() {
                w64(&mut h, 0x40 + 8 * i as u64, *p);
            }
            put(&mut h, 0x60, &[0u8; 32]);
            w64(&mut h, 0x80, kdbg);
            w32(&mut h, 0x88, runs.len() as u32);
            w32(&mut h, 0x8C, 0);
            w64(&mut h, 0x90, runs.iter().map(|r| r.1).sum());
            for (i, r) in runs.iter().enumerate() {
                w64(&mut h, 0x98 + 16 * i as u64, r.0);
                w64(&mut h, 0xA0 + 16 * i as u64, r.1);
            }
            // The header's `ContextRecord` area (0x348..0xF00) is zero past the record, as in
            // the real x64 19041 and ARM64 22000 triage dumps.
            put(&mut h, 0x348, &[0u8; 0xF00 - 0x348]);
            put(&mut h, 0x348, &ctx);
            // EXCEPTION_RECORD64
            put(&mut h, 0xF00, &[0u8; 0x98]);
            w32(&mut h, 0xF00, self.exception_code);
            if self.arch == KernelArch::Arm64 {
                // A real ARM64 22000 triage dump: ExceptionFlags 1 and ExceptionAddress the
                // context's Pc (where KeBugCheckEx stopped).
                w32(&mut h, 0xF04, 1);
                let pc = match &self.context {
                    Some(SynthContext::Arm64(r)) => r.pc,
                    _ => 0,
                };
                w64(&mut h, 0xF10, pc);
            } else {
                w64(&mut h, 0xF10, params.get(1).copied().unwrap_or(0));
            }
            w32(&mut h, 0xF98, dump_type);
            w64(&mut h, 0xFA0, 0);
            w64(&mut h, 0xFA8, self.system_time);
            if let Some(c) = &self.comment {
                let mut cb = c.as_bytes().to_vec();
                cb.resize(128, 0);
                put(&mut h, 0xFB0, &cb);
            }
            w64(&mut h, 0x1030, self.up_time);
            if self.dump_type == KernelDumpType::Triage {
                w32(&mut h, 0x1038, 0xCFF);
            }
        } else {
            w32(&mut h, 0x10, self.dtb as u32);
            w32(&mut h, 0x14, self.pfn_database as u32);
            w32(&mut h, 0x18, modules as u32);
            w32(&mut h, 0x1C, self.ps_active_process_head as u32);
            w32(&mut h, 0x20, 0x14C);
            w32(&mut h, 0x24, self.processors);
            w32(&mut h, 0x28, code);
            for (i, p) in params.iter().enumerate() {
                w32(&mut h, 0x2C + 4 * i as u64, *p as u32);
            }
            put(&mut h, 0x3C, &[0u8; 32]);
            put(
                &mut h,
                0x5C,
                &[u8::from(self.arch == KernelArch::X86Pae), 0, 0, 0],
            );
            w32(&mut h, 0x60, kdbg as u32);
            w32(&mut h, 0x64, runs.len() as u32);
            w32(&mut h, 0x68, runs.iter().map(|r| r.1 as u32).sum());
            for (i, r) in runs.iter().enumerate() {
                w32(&mut h, 0x6C + 8 * i as u64, r.0 as u32);
                w32(&mut h, 0x70 + 8 * i as u64, r.1 as u32);
            }
            put(&mut h, 0x320, &ctx);
            put(&mut h, 0x7D0, &[0u8; 0x50]);
            w32(&mut h, 0x7D0, self.exception_code);
            w32(&mut h, 0xF88, dump_type);
            w64(&mut h, 0xFA0, 0);
            w64(&mut h, 0xFC0, self.system_time);
            if let Some(c) = &self.comment {
                let mut cb = c.as_bytes().to_vec();
                cb.resize(128, 0);
                put(&mut h, 0x820, &cb);
            }
            w64(&mut h, 0xFB8, self.up_time);
            if self.dump_type == KernelDumpType::Triage {
                w32(&mut h, 0xF8C, 0xCFF);
            }
        }
        h
    }

    /// The present page frames as sorted, coalesced runs.
    fn present_runs(&self) -> Vec<(u64, u64)> {
        let mut iv: Vec<(u64, u64)> = self.generated.iter().filter(|r| r.1 > 0).copied().collect();
        iv.extend(self.pages.keys().map(|&k| (k, 1)));
        iv.sort_unstable();
        let mut out: Vec<(u64, u64)> = Vec::new();
        for (s, c) in iv {
            let e = s.saturating_add(c);
            if let Some(last) = out.last_mut() {
                let le = last.0.saturating_add(last.1);
                if s <= le {
                    if e > le {
                        last.1 = e.saturating_sub(last.0);
                    }
                    continue;
                }
            }
            out.push((s, c));
        }
        out
    }

    /// The whole dump in memory.
    ///
    /// # Errors
    /// As [`write_to`](Self::write_to).
    pub fn write(&mut self) -> Result<Vec<u8>> {
        let mut v = Vec::new();
        self.write_to(&mut v)?;
        Ok(v)
    }

    /// Streams the dump to `w`; returns the bytes written. Physical pages are written in frame
    /// order, generated pages one at a time.
    ///
    /// # Errors
    /// [`SynthError::TooLarge`] when a full dump needs more runs than its header holds (42 on
    /// x64, 86 on x86); [`SynthError::Unsupported`] for an ARM64 full or bitmap dump, or a
    /// [`context`](Self::context) of another architecture than the dump's;
    /// [`SynthError::Io`] from the sink.
    pub fn write_to(&mut self, w: impl Write) -> Result<u64> {
        if self.arch == KernelArch::Arm64 && self.dump_type != KernelDumpType::Triage {
            return Err(SynthError::Unsupported {
                what: "an ARM64 full or bitmap kernel dump (ARM64 page tables are not written)",
            });
        }
        let ctx_ok = matches!(
            (&self.context, self.arch),
            (None | Some(SynthContext::Raw(_)), _)
                | (
                    Some(SynthContext::X86(_)),
                    KernelArch::X86 | KernelArch::X86Pae
                )
                | (Some(SynthContext::X64(_)), KernelArch::X64)
                | (Some(SynthContext::Arm64(_)), KernelArch::Arm64)
        );
        if !ctx_ok {
            return Err(SynthError::Unsupported {
                what: "a context record of another architecture than the dump's",
            });
        }
        let mut w = std::io::BufWriter::with_capacity(1 << 20, w);
        let n = if self.dump_type == KernelDumpType::Triage {
            self.write_triage(&mut w)?
        } else {
            self.write_physical(&mut w)?
        };
        w.flush()?;
        Ok(n)
    }

    fn write_physical(&mut self, w: &mut impl Write) -> Result<u64> {
        let (modules, kdbg) = self.finish_memory();
        let runs = self.present_runs();
        let mut written = 0u64;
        let dump_type;
        let header;
        match self.dump_type {
            KernelDumpType::Full => {
                let cap = if self.arch.is_64() { 42 } else { 86 };
                if runs.len() > cap {
                    return Err(SynthError::TooLarge {
                        what: "physical memory runs of a full dump",
                        value: runs.len() as u64,
                    });
                }
                dump_type = 1;
                header = self.header(dump_type, modules, kdbg, &runs);
                w.write_all(&header)?;
                written += header.len() as u64;
            }
            _ => {
                dump_type = if self.dump_type == KernelDumpType::BitmapFull {
                    5
                } else {
                    6
                };
                header = self.header(dump_type, modules, kdbg, &[]);
                w.write_all(&header)?;
                written += header.len() as u64;
                let top = runs.last().map_or(0, |r| r.0.saturating_add(r.1));
                let bits = self.machine_pages.max(top);
                let mut bm = vec![0u8; usize::try_from(bits.div_ceil(8)).unwrap_or(0)];
                let mut present = 0u64;
                for &(s, c) in &runs {
                    for p in s..s.saturating_add(c) {
                        if let Some(byte) = bm.get_mut(usize::try_from(p / 8).unwrap_or(usize::MAX))
                        {
                            *byte |= 1 << (p % 8);
                        }
                    }
                    present += c;
                }
                let first = header.len() as u64 + 0x38 + bm.len() as u64;
                let mut bh = vec![0u8; 0x38];
                put(
                    &mut bh,
                    0,
                    if self.dump_type == KernelDumpType::BitmapFull {
                        b"FDMP"
                    } else {
                        b"SDMP"
                    },
                );
                put(&mut bh, 4, b"DUMP");
                put(&mut bh, 0x20, &first.to_le_bytes());
                put(&mut bh, 0x28, &present.to_le_bytes());
                put(&mut bh, 0x30, &bits.to_le_bytes());
                w.write_all(&bh)?;
                w.write_all(&bm)?;
                written += bh.len() as u64 + bm.len() as u64;
            }
        }
        let mut buf = vec![0u8; 0x1000];
        let zero = vec![0u8; 0x1000];
        for &(s, c) in &runs {
            for pfn in s..s.saturating_add(c) {
                if let Some(p) = self.pages.get(&pfn) {
                    w.write_all(p)?;
                } else if let Some(g) = &self.generator {
                    buf.fill(0);
                    g(pfn, &mut buf);
                    w.write_all(&buf)?;
                } else {
                    w.write_all(&zero)?;
                }
                written += PAGE;
            }
        }
        Ok(written)
    }

    fn write_triage(&mut self, w: &mut impl Write) -> Result<u64> {
        let is64 = self.arch.is_64();
        let hs: u64 = if is64 { 0x2000 } else { 0x1000 };
        let th_size: u64 = if is64 { 0x80 } else { 0x68 };
        let mut body: Vec<u8> = Vec::new();
        let at = |body: &mut Vec<u8>, bytes: &[u8]| -> u64 {
            while !body.len().is_multiple_of(8) {
                body.push(0);
            }
            let off = hs + th_size + body.len() as u64;
            body.extend_from_slice(bytes);
            off
        };
        let (cur_thread, apc_process, number) = self.object_offsets();
        let ptrb = |v: u64| -> Vec<u8> {
            if is64 {
                v.to_le_bytes().to_vec()
            } else {
                (v as u32).to_le_bytes().to_vec()
            }
        };
        // Objects: patch the links the reader follows.
        let mut kpb_block = None;
        let (mut prcb_off, mut process_off, mut thread_off) = (0, 0, 0);
        if let Some([p, pr, t]) = self.triage_objects.clone() {
            let mut prcb = p.1.clone();
            put(&mut prcb, cur_thread, &ptrb(t.0));
            put(&mut prcb, number, &0u16.to_le_bytes());
            let mut thread = t.1.clone();
            put(&mut thread, apc_process, &ptrb(pr.0));
            prcb_off = at(&mut body, &prcb);
            process_off = at(&mut body, &pr.1);
            thread_off = at(&mut body, &thread);
            let kpb = self.alloc_va(64);
            kpb_block = Some((kpb, ptrb(p.0)));
        }
        let (stack_va, stack_off, stack_len) = match self.triage_stack.clone() {
            Some((va, b)) => (va, at(&mut body, &b), b.len() as u64),
            None => (0, 0, 0),
        };
        // Driver list + string pool.
        let entry_size: u64 = if is64 { 0x90 } else { 0x4C };
        // Padded to 8 bytes, as `at` places the string pool next: the pool offsets written
        // into the entries must be where the pool lands (x86 entries are 0x4C bytes).
        let list_len = (entry_size * self.drivers.len() as u64).next_multiple_of(8);
        let mut list = vec![0u8; usize::try_from(list_len).unwrap_or(0)];
        let mut pool = Vec::new();
        let list_off_guess = hs + th_size + body.len() as u64;
        let list_off = (list_off_guess + 7) & !7;
        let pool_off = list_off + list.len() as u64;
        for (i, d) in self.drivers.iter().enumerate() {
            let e = entry_size * i as u64;
            let name_off = pool_off + pool.len() as u64;
            let chars = d.path.encode_utf16().count() as u32;
            pool.extend_from_slice(&chars.to_le_bytes());
            pool.extend_from_slice(&utf16(&d.path));
            pool.extend_from_slice(&[0, 0]);
            while !pool.len().is_multiple_of(8) {
                pool.push(0);
            }
            put(&mut list, e, &(name_off as u32).to_le_bytes());
            let l = e + if is64 { 8 } else { 4 };
            if is64 {
                put(&mut list, l + 0x30, &d.base.to_le_bytes());
                put(&mut list, l + 0x40, &d.size.to_le_bytes());
                put(&mut list, l + 0x78, &d.checksum.to_le_bytes());
                put(&mut list, l + 0x80, &d.timestamp.to_le_bytes());
            } else {
                put(&mut list, l + 0x18, &(d.base as u32).to_le_bytes());
                put(&mut list, l + 0x20, &d.size.to_le_bytes());
                put(&mut list, l + 0x40, &d.checksum.to_le_bytes());
                put(&mut list, l + 0x44, &d.timestamp.to_le_bytes());
            }
        }
        let lo = at(&mut body, &list);
        let po = at(&mut body, &pool);
        // Unloaded drivers.
        let mut ul = Vec::new();
        let n = self.unloaded.len() as u32;
        ul.extend_from_slice(&n.to_le_bytes());
        if is64 {
            ul.extend_from_slice(&[0; 4]);
        }
        for u in &self.unloaded {
            let name = utf16(&u.name);
            let keep = name.len().min(24);
            let mut e = vec![0u8; if is64 { 0x38 } else { 0x28 }];
            put(&mut e, 0, &(keep as u16).to_le_bytes());
            put(&mut e, 2, &(keep as u16).to_le_bytes());
            let (n_at, s_at) = if is64 { (0x10, 0x28) } else { (0x8, 0x20) };
            put(&mut e, n_at, name.get(..keep).unwrap_or(&[]));
            if is64 {
                put(&mut e, s_at, &u.start.to_le_bytes());
                put(&mut e, s_at + 8, &u.end.to_le_bytes());
            } else {
                put(&mut e, s_at, &(u.start as u32).to_le_bytes());
                put(&mut e, s_at + 4, &(u.end as u32).to_le_bytes());
            }
            ul.extend_from_slice(&e);
        }
        let uo = at(&mut body, &ul);
        // KDBG copy.
        let kern_base = self.drivers.first().map_or(0, |d| d.base);
        let kpb_va = kpb_block.as_ref().map_or(0, |b| b.0);
        let kdbg = self.kdbg_bytes(kern_base, self.triage_module_list, 0, 0, kpb_va);
        let ko = at(&mut body, &kdbg);
        // Data blocks.
        let mut blocks = self.triage_blocks.clone();
        if let Some(b) = kpb_block {
            blocks.push(b);
        }
        let mut block_offs = Vec::new();
        for (_, b) in &blocks {
            block_offs.push(at(&mut body, b));
        }
        let mut arr = Vec::new();
        for ((va, b), off) in blocks.iter().zip(&block_offs) {
            arr.extend_from_slice(&va.to_le_bytes());
            arr.extend_from_slice(&(*off as u32).to_le_bytes());
            arr.extend_from_slice(&(b.len() as u32).to_le_bytes());
        }
        let ao = at(&mut body, &arr);
        // `ValidOffset` holds the bytes "TRGD" (the constant 'DGRT' stored little-endian), as
        // in the real x64 19041 and ARM64 22000 triage dumps.
        let valid_off = at(&mut body, b"TRGD");
        let total = valid_off + 4;
        let mut th = vec![0u8; usize::try_from(th_size).unwrap_or(0)];
        let ctx_off: u32 = if is64 { 0x348 } else { 0x320 };
        let exc_off: u32 = if is64 { 0xF00 } else { 0x7D0 };
        let fields: [u32; 18] = [
            0,
            total as u32,
            valid_off as u32,
            ctx_off,
            exc_off,
            0,
            uo as u32,
            prcb_off as u32,
            process_off as u32,
            thread_off as u32,
            stack_off as u32,
            stack_len as u32,
            lo as u32,
            self.drivers.len() as u32,
            po as u32,
            pool.len() as u32,
            0,
            0xFFFF_FFFF,
        ];
        for (i, f) in fields.iter().enumerate() {
            put(&mut th, 4 * i as u64, &f.to_le_bytes());
        }
        if is64 {
            put(&mut th, 0x48, &stack_va.to_le_bytes());
            put(&mut th, 0x70, &(ko as u32).to_le_bytes());
            put(&mut th, 0x74, &(kdbg.len() as u32).to_le_bytes());
            put(&mut th, 0x78, &(ao as u32).to_le_bytes());
            put(&mut th, 0x7C, &(blocks.len() as u32).to_le_bytes());
        } else {
            put(&mut th, 0x48, &(stack_va as u32).to_le_bytes());
            put(&mut th, 0x58, &(ko as u32).to_le_bytes());
            put(&mut th, 0x5C, &(kdbg.len() as u32).to_le_bytes());
            put(&mut th, 0x60, &(ao as u32).to_le_bytes());
            put(&mut th, 0x64, &(blocks.len() as u32).to_le_bytes());
        }
        let header = self.header(4, self.triage_module_list, self.kdbg_va, &[]);
        w.write_all(&header)?;
        w.write_all(&th)?;
        w.write_all(&body)?;
        Ok(hs + th_size + body.len() as u64)
    }
}

/// Encodes a KDBG in place (the inverse of the reader's decoding): `w ^= KiWaitAlways;
/// bswap; w ^= &KdpDataBlockEncoded; rotr(KiWaitNever & 0xFF); w ^= KiWaitNever`.
fn encode(b: &mut [u8], k: &SynthKdbgKeys, is64: bool) {
    if is64 {
        for c in b.chunks_exact_mut(8) {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            let mut v = u64::from_le_bytes(a);
            v ^= k.wait_always;
            v = v.swap_bytes();
            v ^= k.data_block_encoded_address;
            v = v.rotate_right((k.wait_never & 0xFF) as u32 % 64);
            v ^= k.wait_never;
            c.copy_from_slice(&v.to_le_bytes());
        }
    } else {
        for c in b.chunks_exact_mut(4) {
            let mut a = [0u8; 4];
            a.copy_from_slice(c);
            let mut v = u32::from_le_bytes(a);
            v ^= k.wait_always as u32;
            v = v.swap_bytes();
            v ^= k.data_block_encoded_address as u32;
            v = v.rotate_right((k.wait_never & 0xFF) as u32 % 32);
            v ^= k.wait_never as u32;
            c.copy_from_slice(&v.to_le_bytes());
        }
    }
}

/// A 4 KiB PE header page: DOS header, NT headers, a debug directory with one CodeView entry.
fn pe_page(
    machine: u16,
    timestamp: u32,
    checksum: u32,
    size: u32,
    pdb: &str,
    guid: &[u8; 16],
    age: u32,
) -> Vec<u8> {
    let is64 = machine != 0x14C;
    let mut p = vec![0u8; 0x1000];
    put(&mut p, 0, b"MZ");
    put(&mut p, 0x3C, &0x80u32.to_le_bytes());
    put(&mut p, 0x80, b"PE\0\0");
    put(&mut p, 0x84, &machine.to_le_bytes());
    put(&mut p, 0x88, &timestamp.to_le_bytes());
    let opt = 0x98u64;
    put(
        &mut p,
        0x94,
        &(if is64 { 0xF0u16 } else { 0xE0 }).to_le_bytes(),
    );
    put(
        &mut p,
        opt,
        &(if is64 { 0x20Bu16 } else { 0x10B }).to_le_bytes(),
    );
    put(&mut p, opt + 0x38, &size.to_le_bytes());
    put(&mut p, opt + 0x40, &checksum.to_le_bytes());
    let dirs = opt + if is64 { 0x70 } else { 0x60 };
    put(&mut p, dirs - 4, &16u32.to_le_bytes());
    put(&mut p, dirs + 6 * 8, &0x400u32.to_le_bytes());
    put(&mut p, dirs + 6 * 8 + 4, &0x1Cu32.to_le_bytes());
    let mut cv = b"RSDS".to_vec();
    cv.extend_from_slice(guid);
    cv.extend_from_slice(&age.to_le_bytes());
    cv.extend_from_slice(pdb.as_bytes());
    cv.push(0);
    put(&mut p, 0x400 + 0xC, &2u32.to_le_bytes());
    put(&mut p, 0x400 + 0x10, &(cv.len() as u32).to_le_bytes());
    put(&mut p, 0x400 + 0x14, &0x420u32.to_le_bytes());
    put(&mut p, 0x420, &cv);
    p
}

/// Opens `data` as a kernel dump (and through [`crate::Dump`]) with small limits and calls
/// every accessor: header, context, exception, memory reads and translations at the header's
/// addresses and at `probes`, physical reads, KDBG (plain, by keys made of the probes), drivers,
/// unloaded drivers, processors. Shared by the fuzz target and the mutation properties; it
/// returns nothing and must never panic, hang or allocate without bound.
pub fn exercise_kernel_reader(data: Vec<u8>, probes: &[u64]) {
    let limits = crate::Limits {
        max_list_steps: 1_000,
        max_string_bytes: 4_096,
        max_kernel_runs: 256,
        max_drivers: 256,
        max_triage_blocks: 4_096,
        ..crate::Limits::default()
    };
    let _ = crate::Dump::from_bytes(data.clone()).map(|d| d.as_kernel().is_some());
    let Ok(d) = crate::KernelDump::from_bytes(data).and_then(|d| d.with_limits(limits)) else {
        return;
    };
    let h = d.header().clone();
    let _ = (
        d.kind().name(),
        d.arch(),
        d.build(),
        d.bugcheck(),
        d.paging_mode(),
    );
    let _ = (
        d.context(),
        d.exception(),
        d.warnings().len(),
        d.present_pages(),
    );
    let _ = d.physical_runs(64);
    let mem = d.memory();
    let mut addrs = vec![
        h.kd_debugger_data_block,
        h.ps_loaded_module_list,
        h.ps_active_process_head,
        h.pfn_database,
        h.bugcheck_parameters[1],
    ];
    addrs.extend_from_slice(probes);
    if let Some(t) = d.triage() {
        addrs.extend(t.ranges().iter().take(16).map(|r| r.base));
    }
    let mut buf = [0u8; 0x40];
    for &a in &addrs {
        let _ = mem.read(a, &mut buf);
        let _ = mem.read(a.wrapping_sub(0x20), &mut buf);
        let _ = mem.slice(a, 0x20);
        let _ = mem.read_u64(a);
        let _ = mem.translate(a);
        let _ = mem.virtual_to_physical(a);
        let _ = d
            .memory_with_dtb(a & !0xFFF)
            .read_u32(h.ps_loaded_module_list);
        let _ = d.read_physical(a, &mut buf);
    }
    let _ = d.kdbg().map(|k| k.fields().count());
    if let [a, b, c, ..] = probes {
        let keys = crate::KdbgKeys {
            wait_never: *a,
            wait_always: *b,
            data_block_encoded_address: *c,
        };
        let _ = d.kdbg_with_keys(&keys).map(|k| k.fields().count());
    }
    let _ = d.drivers().map(|v| v.len());
    let _ = d.unloaded_drivers().map(|v| v.len());
    let _ = d.processors().map(|v| v.len());
}

/// Small dumps of every kind and architecture, for fuzz seeds and mutation tests.
pub fn seed_dumps() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    // ARM64 writes only triage dumps: its full and bitmap kinds are refused and skipped.
    for arch in [
        KernelArch::X86,
        KernelArch::X86Pae,
        KernelArch::X64,
        KernelArch::Arm64,
    ] {
        for ty in [
            KernelDumpType::Full,
            KernelDumpType::BitmapKernel,
            KernelDumpType::BitmapFull,
            KernelDumpType::Triage,
        ] {
            let base: u64 = if arch.is_64() {
                0xFFFF_F804_0000_0000
            } else {
                0x8200_0000
            };
            let mut b = KernelDumpBuilder::new(arch, ty);
            b.bugcheck(0xD1, [1, 2, 3, base]);
            b.map(base.wrapping_add(0x1000), b"seed data");
            b.not_present(
                base.wrapping_add(0x3000),
                SynthNotPresent::PageFile { file: 1, offset: 9 },
            );
            b.not_present(
                base.wrapping_add(0x4000),
                SynthNotPresent::Transition { pfn: 0x50 },
            );
            b.driver(SynthDriver::new(
                "ntoskrnl.exe",
                base.wrapping_add(0x10_0000),
                0x1000,
            ));
            b.driver(SynthDriver::new(
                "x.sys",
                base.wrapping_add(0x20_0000),
                0x1000,
            ));
            b.unloaded_driver(SynthUnloaded {
                name: "gone.sys".into(),
                start: base,
                end: base.wrapping_add(0x1000),
                time: 1,
            });
            if ty == KernelDumpType::Triage {
                b.triage_stack(base.wrapping_add(0x8000), vec![0x5A; 0x100]);
                b.triage_objects(
                    (base.wrapping_add(0x3_0000), vec![1; 0x100]),
                    (base.wrapping_add(0x3_1000), vec![2; 0x100]),
                    (base.wrapping_add(0x3_2000), vec![3; 0x100]),
                );
            }
            if let Ok(v) = b.write() {
                out.push((format!("{arch:?}-{ty:?}").to_lowercase(), v));
            }
        }
    }
    out
}
