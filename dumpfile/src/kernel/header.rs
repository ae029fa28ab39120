//! `_DUMP_HEADER32` (`PAGEDUMP`) and `_DUMP_HEADER64` (`PAGEDU64`): the first page(s) of every
//! kernel dump.

use super::bytes::{ascii, get, len64, u8_at, u32_at, u64_at};
use crate::{Arch, Context, ContextArm64, ContextX64, ContextX86, Error};

/// `"PAGE"`: the signature, and the fill pattern of header bytes the writer left unset.
pub(crate) const PAGE: u32 = 0x4547_4150;
/// `"DUMP"` (32-bit header).
pub(crate) const DUMP: u32 = 0x504D_5544;
/// `"DU64"` (64-bit header).
pub(crate) const DU64: u32 = 0x3436_5544;
/// Size of a physical page.
pub const PAGE_SIZE: u64 = 0x1000;

/// `IMAGE_FILE_MACHINE_I386`.
pub const MACHINE_I386: u32 = 0x14c;
/// `IMAGE_FILE_MACHINE_AMD64`.
pub const MACHINE_AMD64: u32 = 0x8664;
/// `IMAGE_FILE_MACHINE_ARM64`.
pub const MACHINE_ARM64: u32 = 0xAA64;

/// Field offsets of one header layout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub(crate) header_size: u64,
    pub(crate) dtb: u64,
    pub(crate) pfn_database: u64,
    pub(crate) ps_loaded_module_list: u64,
    pub(crate) ps_active_process_head: u64,
    pub(crate) machine: u64,
    pub(crate) processors: u64,
    pub(crate) bugcheck_code: u64,
    pub(crate) bugcheck_params: u64,
    pub(crate) version_user: u64,
    pub(crate) kd_debugger_data_block: u64,
    pub(crate) physical_memory_block: u64,
    pub(crate) context: u64,
    pub(crate) exception: u64,
    pub(crate) comment: u64,
    pub(crate) attributes: u64,
    pub(crate) boot_id: u64,
    pub(crate) dump_type: u64,
    pub(crate) mini_dump_fields: u64,
    pub(crate) secondary_data_state: u64,
    pub(crate) product_type: u64,
    pub(crate) suite_mask: u64,
    pub(crate) writer_status: u64,
    pub(crate) required_dump_space: u64,
    pub(crate) system_up_time: u64,
    pub(crate) system_time: u64,
    pub(crate) kd_secondary_version: u64,
}

/// The x86 `_DUMP_HEADER32` layout.
pub(crate) const LAYOUT32: Layout = Layout {
    header_size: 0x1000,
    dtb: 0x10,
    pfn_database: 0x14,
    ps_loaded_module_list: 0x18,
    ps_active_process_head: 0x1C,
    machine: 0x20,
    processors: 0x24,
    bugcheck_code: 0x28,
    bugcheck_params: 0x2C,
    version_user: 0x3C,
    kd_debugger_data_block: 0x60,
    physical_memory_block: 0x64,
    context: 0x320,
    exception: 0x7D0,
    comment: 0x820,
    attributes: 0x8A0,
    boot_id: 0x8A4,
    dump_type: 0xF88,
    mini_dump_fields: 0xF8C,
    secondary_data_state: 0xF90,
    product_type: 0xF94,
    suite_mask: 0xF98,
    writer_status: 0xF9C,
    required_dump_space: 0xFA0,
    system_up_time: 0xFB8,
    system_time: 0xFC0,
    kd_secondary_version: 0x5D,
};

/// The x64/ARM64 `_DUMP_HEADER64` layout.
pub(crate) const LAYOUT64: Layout = Layout {
    header_size: 0x2000,
    dtb: 0x10,
    pfn_database: 0x18,
    ps_loaded_module_list: 0x20,
    ps_active_process_head: 0x28,
    machine: 0x30,
    processors: 0x34,
    bugcheck_code: 0x38,
    bugcheck_params: 0x40,
    version_user: 0x60,
    kd_debugger_data_block: 0x80,
    physical_memory_block: 0x88,
    context: 0x348,
    exception: 0xF00,
    comment: 0xFB0,
    attributes: 0x1050,
    boot_id: 0x1054,
    dump_type: 0xF98,
    mini_dump_fields: 0x1038,
    secondary_data_state: 0x103C,
    product_type: 0x1040,
    suite_mask: 0x1044,
    writer_status: 0x1048,
    required_dump_space: 0xFA0,
    system_up_time: 0x1030,
    system_time: 0xFA8,
    kd_secondary_version: 0x104D,
};

/// The exception record of the header (`EXCEPTION_RECORD32`/`EXCEPTION_RECORD64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelException {
    /// `ExceptionCode`.
    pub code: u32,
    /// `ExceptionFlags`.
    pub flags: u32,
    /// `ExceptionRecord` (address of a chained record).
    pub record: u64,
    /// `ExceptionAddress`.
    pub address: u64,
    /// `ExceptionInformation[..NumberParameters]` (at most 15).
    pub parameters: Vec<u64>,
}

/// The validated kernel dump header. Fields the writer left unset (they keep the `PAGE` fill
/// pattern) are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelHeader {
    /// True for `PAGEDU64` (x64, ARM64), false for `PAGEDUMP` (x86).
    pub is_64bit: bool,
    /// `MajorVersion`: 0xF for a free build, 0xC for a checked build.
    pub major_version: u32,
    /// `MinorVersion`: the build number (19041 for Windows 10 2004).
    pub minor_version: u32,
    /// `DirectoryTableBase` as stored (may carry PCID bits; [`dtb`](Self::dtb) masks them).
    pub directory_table_base: u64,
    /// `PfnDataBase`: VA of the PFN database.
    pub pfn_database: u64,
    /// `PsLoadedModuleList`: VA of the loaded-module list head.
    pub ps_loaded_module_list: u64,
    /// `PsActiveProcessHead`: VA of the process list head.
    pub ps_active_process_head: u64,
    /// `MachineImageType` (0x14c, 0x8664, 0xAA64).
    pub machine_image_type: u32,
    /// `NumberProcessors`.
    pub number_processors: u32,
    /// `BugCheckCode`.
    pub bugcheck_code: u32,
    /// `BugCheckParameter1..4` (32-bit values zero-extended on x86).
    pub bugcheck_parameters: [u64; 4],
    /// `VersionUser` (ASCII, often empty).
    pub version_user: String,
    /// `PaeEnabled` (x86 only; false on 64-bit).
    pub pae_enabled: bool,
    /// `KdSecondaryVersion`.
    pub kd_secondary_version: Option<u8>,
    /// `KdDebuggerDataBlock`: VA of `KDDEBUGGER_DATA64`.
    pub kd_debugger_data_block: u64,
    /// `DumpType` (1 full, 2 summary, 4 triage, 5/6 bitmap, ...).
    pub dump_type: u32,
    /// `MiniDumpFields` (triage: the `TRIAGE_DUMP_*` bits of the parts present).
    pub mini_dump_fields: Option<u32>,
    /// `SecondaryDataState`.
    pub secondary_data_state: Option<u32>,
    /// `ProductType` (1 workstation, 2 domain controller, 3 server).
    pub product_type: Option<u32>,
    /// `SuiteMask`.
    pub suite_mask: Option<u32>,
    /// `WriterStatus`.
    pub writer_status: Option<u32>,
    /// `RequiredDumpSpace` in bytes.
    pub required_dump_space: Option<u64>,
    /// `SystemTime` (FILETIME: 100 ns since 1601-01-01 UTC).
    pub system_time: Option<u64>,
    /// `SystemUpTime` (100 ns units).
    pub system_up_time: Option<u64>,
    /// `Comment` (ASCII), when set.
    pub comment: Option<String>,
    /// `Attributes` (bit 0: hiber-crash / insufficient dump space, per the writer).
    pub attributes: Option<u32>,
    /// `BootId`.
    pub boot_id: Option<u32>,
}

impl KernelHeader {
    /// The directory table base with the low 12 bits (PCID, flags) cleared.
    pub fn dtb(&self) -> u64 {
        self.directory_table_base & !0xfff
    }

    /// The processor architecture from `MachineImageType`.
    pub fn arch(&self) -> Arch {
        match self.machine_image_type {
            MACHINE_I386 => Arch::X86,
            MACHINE_AMD64 => Arch::X64,
            MACHINE_ARM64 => Arch::Arm64,
            _ => Arch::Unknown(0xffff),
        }
    }

    /// Pointer size in bytes (4 on x86, 8 otherwise).
    pub fn pointer_size(&self) -> u64 {
        if self.is_64bit { 8 } else { 4 }
    }

    /// Bytes of header before the body (0x1000 or 0x2000).
    pub fn header_size(&self) -> u64 {
        self.layout().header_size
    }

    pub(crate) fn layout(&self) -> &'static Layout {
        if self.is_64bit { &LAYOUT64 } else { &LAYOUT32 }
    }
}

fn unset32(v: u32) -> Option<u32> {
    (v != PAGE).then_some(v)
}

fn unset64(v: u64) -> Option<u64> {
    (v != 0x4547_4150_4547_4150).then_some(v)
}

/// Parses and validates the header.
pub(crate) fn parse(bytes: &[u8]) -> Result<KernelHeader, Error> {
    let trunc = |needed: u64| Error::Truncated {
        offset: 0,
        needed,
        available: len64(bytes),
    };
    let sig = u32_at(bytes, 0).ok_or(trunc(8))?;
    let valid = u32_at(bytes, 4).ok_or(trunc(8))?;
    if sig != PAGE || (valid != DUMP && valid != DU64) {
        return Err(Error::BadSignature { found: sig });
    }
    let is_64bit = valid == DU64;
    let l = if is_64bit { &LAYOUT64 } else { &LAYOUT32 };
    if len64(bytes) < l.header_size {
        return Err(trunc(l.header_size));
    }
    // Every offset below is inside the header, which is present: the `unwrap_or` fallbacks
    // are never taken.
    let r32 = |off: u64| u32_at(bytes, off).unwrap_or(0);
    let r64 = |off: u64| u64_at(bytes, off).unwrap_or(0);
    let ptr = |off: u64| {
        if is_64bit {
            r64(off)
        } else {
            u64::from(r32(off))
        }
    };
    let mut params = [0u64; 4];
    for (i, p) in (0u64..).zip(params.iter_mut()) {
        *p = ptr(l
            .bugcheck_params
            .saturating_add(i.saturating_mul(if is_64bit { 8 } else { 4 })));
    }
    let machine = r32(l.machine);
    let ok_machine = if is_64bit {
        machine == MACHINE_AMD64 || machine == MACHINE_ARM64
    } else {
        machine == MACHINE_I386
    };
    if !ok_machine {
        return Err(Error::BadKernelDump {
            offset: l.machine,
            reason: "MachineImageType does not match the header (PAGEDUMP: i386; PAGEDU64: AMD64 or ARM64)",
        });
    }
    let comment = get(bytes, l.comment, 128)
        .map(ascii)
        .filter(|c| !c.is_empty() && !c.starts_with("PAGE"));
    let version_user = get(bytes, l.version_user, 32)
        .map(ascii)
        .filter(|c| !c.starts_with("PAGE"))
        .unwrap_or_default();
    let kd2 = u8_at(bytes, l.kd_secondary_version)
        .filter(|&b| b != b'P' && b != b'A' && b != b'G' && b != b'E');
    Ok(KernelHeader {
        is_64bit,
        major_version: r32(0x08),
        minor_version: r32(0x0C),
        directory_table_base: ptr(l.dtb),
        pfn_database: ptr(l.pfn_database),
        ps_loaded_module_list: ptr(l.ps_loaded_module_list),
        ps_active_process_head: ptr(l.ps_active_process_head),
        machine_image_type: machine,
        number_processors: r32(l.processors),
        bugcheck_code: r32(l.bugcheck_code),
        bugcheck_parameters: params,
        version_user,
        pae_enabled: !is_64bit && u8_at(bytes, 0x5C).unwrap_or(0) == 1,
        kd_secondary_version: kd2,
        kd_debugger_data_block: ptr(l.kd_debugger_data_block),
        dump_type: r32(l.dump_type),
        mini_dump_fields: unset32(r32(l.mini_dump_fields)),
        secondary_data_state: unset32(r32(l.secondary_data_state)),
        product_type: unset32(r32(l.product_type)),
        suite_mask: unset32(r32(l.suite_mask)),
        writer_status: unset32(r32(l.writer_status)),
        required_dump_space: unset64(r64(l.required_dump_space)),
        system_time: unset64(r64(l.system_time)),
        system_up_time: unset64(r64(l.system_up_time)),
        comment,
        attributes: unset32(r32(l.attributes)),
        boot_id: unset32(r32(l.boot_id)),
    })
}

/// Decodes a `CONTEXT` of the header's architecture from `bytes`.
pub(crate) fn decode_context(
    h: &KernelHeader,
    bytes: &[u8],
    offset: u64,
) -> Result<Context, Error> {
    let bad = |arch: &'static str| Error::BadContext {
        rva: offset,
        size: len64(bytes),
        arch,
    };
    match h.machine_image_type {
        MACHINE_I386 => ContextX86::from_bytes(bytes)
            .map(Context::X86)
            .ok_or(bad("x86")),
        MACHINE_AMD64 => ContextX64::from_bytes(bytes)
            .map(Context::X64)
            .ok_or(bad("x64")),
        MACHINE_ARM64 => ContextArm64::from_bytes(bytes)
            .map(Context::Arm64)
            .ok_or(bad("ARM64")),
        other => Err(Error::UnsupportedArch(
            u16::try_from(other).unwrap_or(u16::MAX),
        )),
    }
}

/// Size of the `CONTEXT` record for the header's architecture.
pub(crate) fn context_size(h: &KernelHeader) -> u64 {
    match h.machine_image_type {
        MACHINE_I386 => 0x2CC,
        MACHINE_ARM64 => 0x390,
        _ => 0x4D0,
    }
}

/// Decodes the header's exception record at `offset`.
pub(crate) fn decode_exception(
    bytes: &[u8],
    offset: u64,
    is_64bit: bool,
) -> Option<KernelException> {
    let r32 = |o: u64| u32_at(bytes, offset.checked_add(o)?);
    let r64 = |o: u64| u64_at(bytes, offset.checked_add(o)?);
    if is_64bit {
        let n = r32(0x18)?.min(15);
        let mut parameters = Vec::new();
        for i in 0..u64::from(n) {
            parameters.push(r64(0x20u64.checked_add(i.checked_mul(8)?)?)?);
        }
        Some(KernelException {
            code: r32(0)?,
            flags: r32(4)?,
            record: r64(8)?,
            address: r64(0x10)?,
            parameters,
        })
    } else {
        let n = r32(0x10)?.min(15);
        let mut parameters = Vec::new();
        for i in 0..u64::from(n) {
            parameters.push(u64::from(r32(0x14u64.checked_add(i.checked_mul(4)?)?)?));
        }
        Some(KernelException {
            code: r32(0)?,
            flags: r32(4)?,
            record: u64::from(r32(8)?),
            address: u64::from(r32(0xC)?),
            parameters,
        })
    }
}
