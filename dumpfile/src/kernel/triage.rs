//! `TRIAGE_DUMP32`/`TRIAGE_DUMP64`: the body of a triage (small memory) dump, and the virtual
//! ranges it carries (data blocks, call stack, KDBG copy, PRCB, EPROCESS, ETHREAD).

use super::bytes::{get, len64, u16_at, u32_at, u64_at};
use super::header::KernelHeader;
use crate::{Error, Limits};

/// `TRIAGE_DUMP_*` bits of `MiniDumpFields`: which parts of the triage dump are present.
pub mod triage_fields {
    /// `CONTEXT` record.
    pub const CONTEXT: u32 = 0x1;
    /// Exception record.
    pub const EXCEPTION: u32 = 0x2;
    /// `KPRCB` copy.
    pub const PRCB: u32 = 0x4;
    /// `EPROCESS` copy.
    pub const PROCESS: u32 = 0x8;
    /// `ETHREAD` copy.
    pub const THREAD: u32 = 0x10;
    /// Call stack bytes.
    pub const STACK: u32 = 0x20;
    /// Driver list and string pool.
    pub const DRIVER_LIST: u32 = 0x40;
    /// Broken driver.
    pub const BROKEN_DRIVER: u32 = 0x80;
    /// Mm information.
    pub const MMINFO: u32 = 0x100;
    /// Data page.
    pub const DATAPAGE: u32 = 0x200;
    /// `KDDEBUGGER_DATA64` copy.
    pub const DEBUGGER_DATA: u32 = 0x400;
    /// `TRIAGE_DATA_BLOCK` array.
    pub const DATA_BLOCKS: u32 = 0x800;
}

/// The `TRIAGE_DUMP32`/`TRIAGE_DUMP64` header. Every `*_offset` is a file offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TriageHeader {
    /// `ServicePackBuild` of `TRIAGE_DUMP`.
    pub service_pack_build: u32,
    /// `SizeOfDump` of `TRIAGE_DUMP`.
    pub size_of_dump: u32,
    /// `ValidOffset` of `TRIAGE_DUMP`.
    pub valid_offset: u32,
    /// `ContextOffset` of `TRIAGE_DUMP`.
    pub context_offset: u32,
    /// `ExceptionOffset` of `TRIAGE_DUMP`.
    pub exception_offset: u32,
    /// `MmOffset` of `TRIAGE_DUMP`.
    pub mm_offset: u32,
    /// `UnloadedDriversOffset` of `TRIAGE_DUMP`.
    pub unloaded_drivers_offset: u32,
    /// `PrcbOffset` of `TRIAGE_DUMP`.
    pub prcb_offset: u32,
    /// `ProcessOffset` of `TRIAGE_DUMP`.
    pub process_offset: u32,
    /// `ThreadOffset` of `TRIAGE_DUMP`.
    pub thread_offset: u32,
    /// `CallStackOffset` of `TRIAGE_DUMP`.
    pub call_stack_offset: u32,
    /// `SizeOfCallStack` of `TRIAGE_DUMP`.
    pub size_of_call_stack: u32,
    /// `DriverListOffset` of `TRIAGE_DUMP`.
    pub driver_list_offset: u32,
    /// `DriverCount` of `TRIAGE_DUMP`.
    pub driver_count: u32,
    /// `StringPoolOffset` of `TRIAGE_DUMP`.
    pub string_pool_offset: u32,
    /// `StringPoolSize` of `TRIAGE_DUMP`.
    pub string_pool_size: u32,
    /// `BrokenDriverOffset` of `TRIAGE_DUMP`.
    pub broken_driver_offset: u32,
    /// `TriageOptions` of `TRIAGE_DUMP`.
    pub triage_options: u32,
    /// Lowest address of the saved call stack (the stack pointer side).
    pub top_of_stack: u64,
    /// `DataPageAddress` of `TRIAGE_DUMP`.
    pub data_page_address: u64,
    /// `DataPageOffset` of `TRIAGE_DUMP`.
    pub data_page_offset: u32,
    /// `DataPageSize` of `TRIAGE_DUMP`.
    pub data_page_size: u32,
    /// `DebuggerDataOffset` of `TRIAGE_DUMP`.
    pub debugger_data_offset: u32,
    /// `DebuggerDataSize` of `TRIAGE_DUMP`.
    pub debugger_data_size: u32,
    /// `DataBlocksOffset` of `TRIAGE_DUMP`.
    pub data_blocks_offset: u32,
    /// `DataBlocksCount` of `TRIAGE_DUMP`.
    pub data_blocks_count: u32,
    /// `MiniDumpFields` of the dump header (`TRIAGE_DUMP_*` bits; all set when unset).
    pub fields: u32,
}

/// What a captured triage range is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TriageRangeKind {
    /// A `TRIAGE_DATA_BLOCK`.
    DataBlock,
    /// The saved call stack of the faulting thread.
    Stack,
    /// The `KDDEBUGGER_DATA64` copy, at the header's `KdDebuggerDataBlock`.
    DebuggerData,
    /// The data page.
    DataPage,
    /// The faulting processor's `KPRCB`.
    Prcb,
    /// The current process's `EPROCESS`.
    Process,
    /// The current thread's `ETHREAD`.
    Thread,
}

/// A virtual range stored in a triage dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TriageRange {
    /// What it is.
    pub kind: TriageRangeKind,
    /// First virtual address.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
    /// File offset of its bytes.
    pub file_offset: u64,
}

/// The parsed triage body.
#[derive(Debug, Clone)]
pub struct TriageDump {
    header: TriageHeader,
    /// Sorted, disjoint: for lookups.
    ranges: Vec<TriageRange>,
    /// As declared (before overlaps were clipped): for [`TriageDump::range`].
    parts: Vec<TriageRange>,
}

impl TriageDump {
    /// The `TRIAGE_DUMP` header.
    pub fn header(&self) -> &TriageHeader {
        &self.header
    }

    /// The captured virtual ranges, sorted by address and disjoint.
    pub fn ranges(&self) -> &[TriageRange] {
        &self.ranges
    }

    /// True if the part with this `TRIAGE_DUMP_*` bit is present.
    pub fn has(&self, field: u32) -> bool {
        self.header.fields & field != 0
    }

    /// The range holding `va`.
    pub(crate) fn find(&self, va: u64) -> Option<&TriageRange> {
        let i = self
            .ranges
            .partition_point(|r| r.base <= va)
            .checked_sub(1)?;
        let r = self.ranges.get(i)?;
        (va.wrapping_sub(r.base) < r.size).then_some(r)
    }

    /// The first part of this kind as the dump declares it (data blocks may overlap the
    /// saved objects; [`ranges`](Self::ranges) is the clipped lookup view).
    pub fn range(&self, kind: TriageRangeKind) -> Option<&TriageRange> {
        self.parts.iter().find(|r| r.kind == kind)
    }
}

/// Parses the triage body and indexes its ranges.
pub(crate) fn parse(
    bytes: &[u8],
    h: &KernelHeader,
    limits: &Limits,
    warnings: &mut Vec<Error>,
) -> Result<TriageDump, Error> {
    let base = h.header_size();
    let need = if h.is_64bit { 0x80 } else { 0x68 };
    if get(bytes, base, need).is_none() {
        return Err(Error::Truncated {
            offset: base,
            needed: need,
            available: len64(bytes).saturating_sub(base),
        });
    }
    let r = |o: u64| u32_at(bytes, base.saturating_add(o)).unwrap_or(0);
    let mut t = TriageHeader {
        service_pack_build: r(0),
        size_of_dump: r(4),
        valid_offset: r(8),
        context_offset: r(0xC),
        exception_offset: r(0x10),
        mm_offset: r(0x14),
        unloaded_drivers_offset: r(0x18),
        prcb_offset: r(0x1C),
        process_offset: r(0x20),
        thread_offset: r(0x24),
        call_stack_offset: r(0x28),
        size_of_call_stack: r(0x2C),
        driver_list_offset: r(0x30),
        driver_count: r(0x34),
        string_pool_offset: r(0x38),
        string_pool_size: r(0x3C),
        broken_driver_offset: r(0x40),
        triage_options: r(0x44),
        fields: h.mini_dump_fields.unwrap_or(u32::MAX),
        ..TriageHeader::default()
    };
    if h.is_64bit {
        t.top_of_stack = u64_at(bytes, base.saturating_add(0x48)).unwrap_or(0);
        t.data_page_address = u64_at(bytes, base.saturating_add(0x60)).unwrap_or(0);
        t.data_page_offset = r(0x68);
        t.data_page_size = r(0x6C);
        t.debugger_data_offset = r(0x70);
        t.debugger_data_size = r(0x74);
        t.data_blocks_offset = r(0x78);
        t.data_blocks_count = r(0x7C);
    } else {
        t.top_of_stack = u64::from(r(0x48));
        t.data_page_address = u64::from(r(0x4C));
        t.data_page_offset = r(0x50);
        t.data_page_size = r(0x54);
        t.debugger_data_offset = r(0x58);
        t.debugger_data_size = r(0x5C);
        t.data_blocks_offset = r(0x60);
        t.data_blocks_count = r(0x64);
    }
    let mut ranges: Vec<TriageRange> = Vec::new();
    let file_len = len64(bytes);
    let mut push = |kind, va: u64, off: u64, size: u64, warnings: &mut Vec<Error>| {
        if size == 0 {
            return;
        }
        if off.checked_add(size).is_none_or(|e| e > file_len) || va.checked_add(size).is_none() {
            warnings.push(Error::InvalidRva { rva: off, size });
            return;
        }
        ranges.push(TriageRange {
            kind,
            base: va,
            size,
            file_offset: off,
        });
    };
    let ptr_mask = if h.is_64bit { u64::MAX } else { 0xFFFF_FFFF };
    if t.fields & triage_fields::DATA_BLOCKS != 0 && t.data_blocks_count > 0 {
        if t.data_blocks_count > limits.max_triage_blocks {
            return Err(Error::BadKernelDump {
                offset: base.saturating_add(0x7C),
                reason: "DataBlocksCount exceeds Limits::max_triage_blocks",
            });
        }
        let off = u64::from(t.data_blocks_offset);
        let n = u64::from(t.data_blocks_count);
        if get(bytes, off, n.saturating_mul(16)).is_none() {
            return Err(Error::BadKernelDump {
                offset: off,
                reason: "the triage data-block array lies outside the file",
            });
        }
        for i in 0..n {
            let at = off.saturating_add(i.saturating_mul(16));
            let va = u64_at(bytes, at).unwrap_or(0) & ptr_mask;
            let fo = u64::from(u32_at(bytes, at.saturating_add(8)).unwrap_or(0));
            let sz = u64::from(u32_at(bytes, at.saturating_add(12)).unwrap_or(0));
            push(TriageRangeKind::DataBlock, va, fo, sz, warnings);
        }
    }
    if t.fields & triage_fields::STACK != 0 {
        push(
            TriageRangeKind::Stack,
            t.top_of_stack & ptr_mask,
            u64::from(t.call_stack_offset),
            u64::from(t.size_of_call_stack),
            warnings,
        );
    }
    if t.fields & triage_fields::DEBUGGER_DATA != 0 {
        push(
            TriageRangeKind::DebuggerData,
            h.kd_debugger_data_block,
            u64::from(t.debugger_data_offset),
            u64::from(t.debugger_data_size),
            warnings,
        );
    }
    if t.fields & triage_fields::DATAPAGE != 0 {
        push(
            TriageRangeKind::DataPage,
            t.data_page_address & ptr_mask,
            u64::from(t.data_page_offset),
            u64::from(t.data_page_size),
            warnings,
        );
    }
    // The saved objects carry no address of their own: the thread is the PRCB's CurrentThread,
    // the process is the thread's ApcState.Process, the PRCB is KiProcessorBlock[Number]; the
    // offsets and sizes come from the KDBG copy.
    let kd = u64::from(t.debugger_data_offset);
    let kd_size = u64::from(t.debugger_data_size);
    let kd16 = |o: u64| {
        if t.fields & triage_fields::DEBUGGER_DATA != 0 && o.saturating_add(2) <= kd_size {
            u16_at(bytes, kd.saturating_add(o)).map(u64::from)
        } else {
            None
        }
    };
    let ptr_at = |off: u64| -> Option<u64> {
        if h.is_64bit {
            u64_at(bytes, off)
        } else {
            u32_at(bytes, off).map(u64::from)
        }
    };
    let prcb_off = u64::from(t.prcb_offset);
    let thread_off = u64::from(t.thread_offset);
    let process_off = u64::from(t.process_offset);
    let thread_va = if t.fields & triage_fields::PRCB != 0 {
        kd16(0x2B4).and_then(|o| ptr_at(prcb_off.saturating_add(o)))
    } else {
        None
    };
    let process_va = if t.fields & triage_fields::THREAD != 0 {
        kd16(0x2A0).and_then(|o| ptr_at(thread_off.saturating_add(o)))
    } else {
        None
    };
    // PRCB VA: KiProcessorBlock[Number], read through the ranges indexed so far.
    let mut tmp = TriageDump {
        header: t,
        ranges: std::mem::take(&mut ranges),
        parts: Vec::new(),
    };
    tmp.normalize();
    let prcb_va = (|| {
        if t.fields & triage_fields::PRCB == 0 {
            return None;
        }
        let kpb_field = if t.fields & triage_fields::DEBUGGER_DATA != 0 && 0x220 <= kd_size {
            u64_at(bytes, kd.saturating_add(0x218))? & ptr_mask
        } else {
            return None;
        };
        let number = kd16(0x2BE).and_then(|o| u16_at(bytes, prcb_off.saturating_add(o)))?;
        let slot = kpb_field.checked_add(u64::from(number).checked_mul(h.pointer_size())?)?;
        let rr = tmp.find(slot)?;
        let fo = rr.file_offset.checked_add(slot.checked_sub(rr.base)?)?;
        ptr_at(fo)
    })();
    let mut ranges = tmp.ranges;
    let size_or_gap = |kd_field: u64, off: u64, next: u64| -> u64 {
        match kd16(kd_field) {
            Some(s) if s > 0 => s,
            _ => next.saturating_sub(off).min(0x10000),
        }
    };
    let mut push2 = |kind, va: Option<u64>, off: u64, size: u64| {
        if let Some(va) = va.filter(|&v| v != 0)
            && size > 0
            && off.checked_add(size).is_some_and(|e| e <= file_len)
            && va.checked_add(size).is_some()
        {
            ranges.push(TriageRange {
                kind,
                base: va,
                size,
                file_offset: off,
            });
        }
    };
    push2(
        TriageRangeKind::Prcb,
        prcb_va,
        prcb_off,
        size_or_gap(0x2B0, prcb_off, process_off),
    );
    push2(
        TriageRangeKind::Process,
        process_va,
        process_off,
        size_or_gap(0x2A8, process_off, thread_off),
    );
    push2(
        TriageRangeKind::Thread,
        thread_va,
        thread_off,
        size_or_gap(0x2C0, thread_off, u64::from(t.call_stack_offset)),
    );
    // The saved objects and the stack first: where a data block overlaps them, they win.
    ranges.sort_by_key(|r| match r.kind {
        TriageRangeKind::DataBlock => 1u8,
        _ => 0,
    });
    let mut td = TriageDump {
        header: t,
        parts: ranges
            .iter()
            .filter(|r| r.kind != TriageRangeKind::DataBlock)
            .copied()
            .collect(),
        ranges,
    };
    td.normalize();
    Ok(td)
}

impl TriageDump {
    /// Sorts the ranges and clips overlaps (the earlier-sorted range wins).
    fn normalize(&mut self) {
        let mut v = std::mem::take(&mut self.ranges);
        v.sort_by(|a, b| a.base.cmp(&b.base).then(b.size.cmp(&a.size)));
        let mut out: Vec<TriageRange> = Vec::with_capacity(v.len());
        for mut r in v {
            if let Some(prev) = out.last() {
                let prev_end = prev.base.saturating_add(prev.size);
                let end = r.base.saturating_add(r.size);
                if end <= prev_end {
                    continue;
                }
                if r.base < prev_end {
                    let cut = prev_end.saturating_sub(r.base);
                    r.base = prev_end;
                    r.size = r.size.saturating_sub(cut);
                    r.file_offset = r.file_offset.saturating_add(cut);
                }
            }
            out.push(r);
        }
        self.ranges = out;
    }
}
