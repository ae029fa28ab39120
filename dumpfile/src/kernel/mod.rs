//! Windows kernel crash dumps (`PAGEDUMP` x86, `PAGEDU64` x64/ARM64): full (run list),
//! kernel/automatic/complete bitmap, and triage (small memory) dumps.
//!
//! Opening reads the header and builds the physical index: a sorted run list (binary search)
//! for full dumps, a rank index over the page bitmap (built in one pass over the bitmap words,
//! no per-page table) for bitmap dumps, and the captured virtual ranges of a triage dump.
//! Virtual memory is translated through the page tables on each read
//! ([`KernelDump::memory`], [`KernelDump::memory_with_dtb`]).

mod bytes;
mod drivers;
mod header;
mod kdbg;
mod memory;
mod paging;
mod physical;
mod triage;

use std::path::Path;

pub use drivers::{CodeViewId, Driver, UnloadedDriver};
pub use header::{
    KernelException, KernelHeader, MACHINE_AMD64, MACHINE_ARM64, MACHINE_I386, PAGE_SIZE,
};
pub use kdbg::{
    KDBG_FIELDS, KDBG_TAG, Kdbg, KdbgField, KdbgFieldKind, KdbgKeys, KdbgSource, decode_kdbg,
};
pub use memory::KernelMemory;
pub use paging::{NotPresent, PageState, PagingMode, PteLevel, Translation};
pub use physical::{DumpKind, PhysicalRun};
pub use triage::{TriageDump, TriageHeader, TriageRange, TriageRangeKind, triage_fields};

use bytes::{KernelSource, get, len64};
use physical::PhysMap;

use crate::{Arch, Context, Error, Limits};

/// The bugcheck of a kernel dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bugcheck {
    /// `BugCheckCode` (e.g. 0xD1 `DRIVER_IRQL_NOT_LESS_OR_EQUAL`).
    pub code: u32,
    /// The four parameters.
    pub parameters: [u64; 4],
}

/// The state of one processor, from `KiProcessorBlock[n]`.
#[derive(Debug)]
pub struct ProcessorState {
    /// Processor number.
    pub number: u32,
    /// Address of its `KPRCB`, if `KiProcessorBlock` was readable.
    pub prcb: Result<u64, Error>,
    /// Its saved context (`KPRCB.ProcessorState.ContextFrame`, at the KDBG's
    /// `OffsetPrcbProcStateContext`).
    pub context: Result<Context, Error>,
}

/// A Windows kernel crash dump, opened and indexed.
#[derive(Debug)]
pub struct KernelDump {
    data: KernelSource,
    header: KernelHeader,
    kind: DumpKind,
    physical: PhysMap,
    paging: PagingMode,
    triage: Option<TriageDump>,
    limits: Limits,
    warnings: Vec<Error>,
}

impl KernelDump {
    /// Opens and memory-maps the file at `path` with default [`Limits`].
    ///
    /// As with [`Minidump::open`](crate::Minidump::open), a file truncated by another process
    /// while mapped can make a read fault; use [`from_bytes`](Self::from_bytes) for files you
    /// do not control.
    pub fn open(path: impl AsRef<Path>) -> Result<KernelDump, Error> {
        let file = std::fs::File::open(path.as_ref())?;
        // SAFETY: `Mmap::map` is unsafe because the mapped file may be modified or truncated by
        // another process while we hold the map. The map is read-only and every read through it
        // is bounds-checked against its length, so a concurrent modification only yields
        // inconsistent (untrusted) bytes; a truncation can fault (SIGBUS). Callers who cannot
        // rule that out should use `KernelDump::from_bytes`.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Self::from_source(KernelSource::Mapped(map), Limits::default())
    }

    /// Reads a kernel dump from owned bytes with default [`Limits`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<KernelDump, Error> {
        Self::from_source(KernelSource::Owned(bytes), Limits::default())
    }

    /// The same dump indexed again under other [`Limits`] (as
    /// [`Minidump::with_limits`](crate::Minidump::with_limits)): the limits are held by the
    /// dump, and opening reads only headers and run/bitmap indexes, so this is as cheap as
    /// opening.
    pub fn with_limits(self, limits: Limits) -> Result<KernelDump, Error> {
        Self::from_source(self.data, limits)
    }

    fn from_source(data: KernelSource, limits: Limits) -> Result<KernelDump, Error> {
        let bytes: &[u8] = &data;
        let header = header::parse(bytes)?;
        let mut warnings = Vec::new();
        let (kind, physical) = PhysMap::build(bytes, &header, &limits, &mut warnings)?;
        let triage = if kind == DumpKind::Triage {
            Some(triage::parse(bytes, &header, &limits, &mut warnings)?)
        } else {
            None
        };
        let paging = match (kind, header.machine_image_type) {
            (DumpKind::Triage, _) => PagingMode::None,
            (_, MACHINE_AMD64) => PagingMode::X64,
            (_, MACHINE_I386) if header.pae_enabled => PagingMode::X86Pae,
            (_, MACHINE_I386) => PagingMode::X86,
            _ => PagingMode::None,
        };
        Ok(KernelDump {
            data,
            header,
            kind,
            physical,
            paging,
            triage,
            limits,
            warnings,
        })
    }

    /// The header.
    pub fn header(&self) -> &KernelHeader {
        &self.header
    }

    /// The kind of body (full, bitmap, triage, ...).
    pub fn kind(&self) -> DumpKind {
        self.kind
    }

    /// The processor architecture.
    pub fn arch(&self) -> Arch {
        self.header.arch()
    }

    /// The build number (`MinorVersion`), e.g. 19041.
    pub fn build(&self) -> u32 {
        self.header.minor_version
    }

    /// The bugcheck code and parameters.
    pub fn bugcheck(&self) -> Bugcheck {
        Bugcheck {
            code: self.header.bugcheck_code,
            parameters: self.header.bugcheck_parameters,
        }
    }

    /// How virtual addresses are translated.
    pub fn paging_mode(&self) -> PagingMode {
        self.paging
    }

    /// The triage body, for triage dumps.
    pub fn triage(&self) -> Option<&TriageDump> {
        self.triage.as_ref()
    }

    /// Problems found at open that did not prevent reading (truncated page data, a bitmap
    /// count that disagrees with the bitmap, triage ranges outside the file, ...).
    pub fn warnings(&self) -> &[Error] {
        &self.warnings
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The whole file.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// Kernel virtual memory: translated with the header's directory table base (or the
    /// captured ranges of a triage dump).
    pub fn memory(&self) -> KernelMemory<'_> {
        KernelMemory::new(self, self.header.dtb())
    }

    /// Virtual memory under another directory table base (a process's
    /// `KPROCESS.DirectoryTableBase`).
    pub fn memory_with_dtb(&self, dtb: u64) -> KernelMemory<'_> {
        KernelMemory::new(self, dtb)
    }

    /// Translates a kernel virtual address (what `!pte` shows).
    pub fn translate(&self, va: u64) -> Result<Translation, Error> {
        self.memory().translate(va)
    }

    /// File offset of a physical address, if its page is stored.
    pub(crate) fn physical_offset(&self, pa: u64) -> Option<u64> {
        self.physical.lookup(&self.data, pa)
    }

    /// Number of physical pages stored in the dump.
    pub fn present_pages(&self) -> u64 {
        self.physical.present_pages()
    }

    /// The stored physical pages as runs (coalesced from the bitmap for bitmap dumps), at most
    /// `max` runs.
    pub fn physical_runs(&self, max: usize) -> Vec<PhysicalRun> {
        self.physical.runs_list(&self.data, max)
    }

    /// Copies physical memory at `pa` into `buf`.
    pub fn read_physical(&self, pa: u64, buf: &mut [u8]) -> Result<(), Error> {
        let mut cur = pa;
        let mut out = buf;
        while !out.is_empty() {
            let missing = Error::PhysicalNotInDump {
                address: cur,
                physical: cur,
            };
            let off = self.physical_offset(cur).ok_or(missing)?;
            let avail = 0x1000u64.saturating_sub(cur & 0xFFF);
            let n = usize::try_from(avail).unwrap_or(usize::MAX).min(out.len());
            let src = get(&self.data, off, u64::try_from(n).unwrap_or(u64::MAX)).ok_or(
                Error::PhysicalNotInDump {
                    address: cur,
                    physical: cur,
                },
            )?;
            let (head, tail) = out.split_at_mut(n);
            head.copy_from_slice(src);
            out = tail;
            cur = cur
                .checked_add(u64::try_from(n).unwrap_or(u64::MAX))
                .ok_or(Error::AddressOverflow {
                    address: pa,
                    len: u64::try_from(n).unwrap_or(u64::MAX),
                })?;
        }
        Ok(())
    }

    /// The crashing processor's context: the header's `ContextRecord` (or the triage
    /// `ContextOffset` copy).
    pub fn context(&self) -> Result<Context, Error> {
        let size = header::context_size(&self.header);
        let off = match &self.triage {
            Some(t) if t.has(triage_fields::CONTEXT) && t.header().context_offset != 0 => {
                u64::from(t.header().context_offset)
            }
            _ => self.header.layout().context,
        };
        let b = get(&self.data, off, size).ok_or(Error::BadContext {
            rva: off,
            size,
            arch: "kernel",
        })?;
        header::decode_context(&self.header, b, off)
    }

    /// The header's exception record.
    pub fn exception(&self) -> Option<KernelException> {
        header::decode_exception(
            &self.data,
            self.header.layout().exception,
            self.header.is_64bit,
        )
    }

    /// Each processor's `KPRCB` and saved context through `KiProcessorBlock` (from the KDBG)
    /// and `OffsetPrcbProcStateContext`. In a triage dump only the crashing processor's
    /// `KPRCB` is present; the others report [`Error::NotCaptured`].
    pub fn processors(&self) -> Result<Vec<ProcessorState>, Error> {
        let k = self.kdbg()?;
        let kpb = k.ki_processor_block().ok_or(Error::KdbgNotFound {
            address: k.address,
            reason: "KDBG has no KiProcessorBlock",
        })?;
        let ctx_off = k.offset_prcb_proc_state_context();
        let mem = self.memory();
        let size = header::context_size(&self.header);
        let n = self.header.number_processors.min(4096);
        let mut out = Vec::new();
        for i in 0..n {
            let slot = kpb.saturating_add(u64::from(i).saturating_mul(self.header.pointer_size()));
            let prcb = mem.read_pointer(slot);
            let context = match (&prcb, ctx_off) {
                (Ok(p), Some(o)) => {
                    let at = p.saturating_add(u64::from(o));
                    let mut buf = vec![0u8; usize::try_from(size).unwrap_or(0)];
                    mem.read(at, &mut buf)
                        .and_then(|()| header::decode_context(&self.header, &buf, at))
                }
                (Ok(_), None) => Err(Error::KdbgNotFound {
                    address: k.address,
                    reason: "KDBG has no OffsetPrcbProcStateContext",
                }),
                (Err(e), _) => Err(clone_read_error(e)),
            };
            out.push(ProcessorState {
                number: i,
                prcb,
                context,
            });
        }
        Ok(out)
    }

    /// Finds the KDBG: the triage copy, else the header's `KdDebuggerDataBlock`, else (when the
    /// header's pointer is 0 or unreadable) a scan of the physical pages for the `KDBG` tag.
    /// An encoded block (tag does not match at a readable pointer) is reported as
    /// [`Error::KdbgNotFound`]; decode it with [`kdbg_with_keys`](Self::kdbg_with_keys).
    pub fn kdbg(&self) -> Result<Kdbg, Error> {
        self.find_kdbg(None)
    }

    /// Like [`kdbg`](Self::kdbg), decoding an encoded block with the given kernel values.
    pub fn kdbg_with_keys(&self, keys: &KdbgKeys) -> Result<Kdbg, Error> {
        self.find_kdbg(Some(keys))
    }

    fn find_kdbg(&self, keys: Option<&KdbgKeys>) -> Result<Kdbg, Error> {
        let is_64bit = self.header.is_64bit;
        let va = self.header.kd_debugger_data_block;
        if let Some(t) = &self.triage
            && let Some(r) = t.range(TriageRangeKind::DebuggerData)
        {
            let b = get(&self.data, r.file_offset, r.size)
                .unwrap_or(&[])
                .to_vec();
            return self.finish_kdbg(b, r.base, KdbgSource::TriageCopy, keys);
        }
        let mem = self.memory();
        let mut head = [0u8; 0x18];
        let readable = va != 0 && va != 0x4547_4150 && mem.read(va, &mut head).is_ok();
        if readable {
            let mut b = vec![0u8; 0x1000];
            // Read as much of the largest plausible block as is present.
            let mut n = 0usize;
            while n < b.len() {
                let end = n.saturating_add(8);
                let Some(chunk) = b.get_mut(n..end) else {
                    break;
                };
                if mem
                    .read(va.saturating_add(u64::try_from(n).unwrap_or(0)), chunk)
                    .is_err()
                {
                    break;
                }
                n = end;
            }
            b.truncate(n);
            return self.finish_kdbg(b, va, KdbgSource::Header, keys);
        }
        // Scan the stored physical pages in the file (linear in the dump, no allocation): the
        // block is 8-aligned, its tag at +0x10.
        let bytes: &[u8] = &self.data;
        if let Some(start) = self.physical.data_start()
            && let Some(area) = get(bytes, start, len64(bytes).saturating_sub(start))
        {
            let mut i = 0usize;
            while let Some(w) = area.get(i.saturating_add(0x10)..i.saturating_add(0x18)) {
                let tag = bytes::u32_at(w, 0).unwrap_or(0);
                let size = bytes::u32_at(w, 4).unwrap_or(0);
                if tag == kdbg::KDBG_TAG
                    && (0x290..=0x1000).contains(&size)
                    && size.is_multiple_of(8)
                {
                    let s = usize::try_from(size).unwrap_or(0);
                    if let Some(block) = area.get(i..i.saturating_add(s)) {
                        let mut k = Kdbg {
                            address: 0,
                            was_encoded: false,
                            source: KdbgSource::Scan,
                            bytes: block.to_vec(),
                            is_64bit,
                        };
                        // Header.List.Flink = &KdpDebuggerDataListHead, whose Flink points back.
                        if let Some(f) = k.list_flink()
                            && let Ok(back) = mem.read_pointer(f)
                        {
                            k.address = back;
                        }
                        return Ok(k);
                    }
                }
                i = i.saturating_add(8);
            }
        }
        Err(Error::KdbgNotFound {
            address: va,
            reason: "the header's pointer is unusable and no KDBG tag was found in physical memory",
        })
    }

    fn finish_kdbg(
        &self,
        mut b: Vec<u8>,
        address: u64,
        source: KdbgSource,
        keys: Option<&KdbgKeys>,
    ) -> Result<Kdbg, Error> {
        let is_64bit = self.header.is_64bit;
        let tag = bytes::u32_at(&b, 0x10);
        let mut was_encoded = false;
        if tag != Some(kdbg::KDBG_TAG) {
            let Some(keys) = keys else {
                return Err(Error::KdbgNotFound {
                    address,
                    reason: "no KDBG tag at the pointer: the block may be encoded (decode with kdbg_with_keys)",
                });
            };
            let mut probe = b.get(0x10..0x18).unwrap_or(&[]).to_vec();
            decode_kdbg(&mut probe, keys, is_64bit);
            let size = bytes::u32_at(&probe, 4).unwrap_or(0);
            if bytes::u32_at(&probe, 0) != Some(kdbg::KDBG_TAG)
                || size > 0x1000
                || !size.is_multiple_of(8)
            {
                return Err(Error::KdbgNotFound {
                    address,
                    reason: "the block does not decode to a KDBG tag with these keys",
                });
            }
            b.truncate(usize::try_from(size).unwrap_or(0));
            decode_kdbg(&mut b, keys, is_64bit);
            was_encoded = true;
        }
        let size = bytes::u32_at(&b, 0x14).unwrap_or(0);
        if !(0x80..=0x1000).contains(&size) {
            return Err(Error::KdbgNotFound {
                address,
                reason: "implausible Header.Size",
            });
        }
        b.truncate(usize::try_from(size).unwrap_or(0));
        Ok(Kdbg {
            address,
            was_encoded,
            source,
            bytes: b,
            is_64bit,
        })
    }
}

/// A copy of a read error (the read errors carry only plain data).
fn clone_read_error(e: &Error) -> Error {
    match e {
        Error::PageNotPresent {
            address,
            pte,
            reason,
        } => Error::PageNotPresent {
            address: *address,
            pte: *pte,
            reason: *reason,
        },
        Error::PhysicalNotInDump { address, physical } => Error::PhysicalNotInDump {
            address: *address,
            physical: *physical,
        },
        Error::NotCaptured { address, len } => Error::NotCaptured {
            address: *address,
            len: *len,
        },
        _ => Error::Corrupt {
            address: 0,
            reason: "KPRCB pointer unreadable",
        },
    }
}
