//! Typed streams.

use std::collections::HashSet;

use zerocopy::FromBytes;

use crate::memory::MemoryRange;
use crate::{
    Budget, Error, Location, Minidump, counted_list, file_slice, raw, stream_type, utf16_lossy,
};

/// Processor architecture of the dumped process's machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 32-bit x86 (`PROCESSOR_ARCHITECTURE_INTEL`, 0).
    X86,
    /// x86-64 (`PROCESSOR_ARCHITECTURE_AMD64`, 9).
    X64,
    /// ARM64 (`PROCESSOR_ARCHITECTURE_ARM64`, 12).
    Arm64,
    /// Anything else, or no SystemInfo stream (`0xffff`).
    Unknown(u16),
}

impl Arch {
    /// From `PROCESSOR_ARCHITECTURE_*`.
    pub fn from_raw(v: u16) -> Arch {
        match v {
            0 => Arch::X86,
            9 => Arch::X64,
            12 => Arch::Arm64,
            other => Arch::Unknown(other),
        }
    }

    /// Pointer size in bytes of the native process (4, 8, or 8 for unknown).
    pub fn pointer_size(&self) -> usize {
        match self {
            Arch::X86 => 4,
            _ => 8,
        }
    }

    /// `"x86"`, `"x64"`, `"arm64"` or `"unknown"`.
    pub fn name(&self) -> &'static str {
        match self {
            Arch::X86 => "x86",
            Arch::X64 => "x64",
            Arch::Arm64 => "arm64",
            Arch::Unknown(_) => "unknown",
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arch::Unknown(v) => write!(f, "unknown({v:#x})"),
            a => f.write_str(a.name()),
        }
    }
}

/// `MINIDUMP_SYSTEM_INFO`, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemInfo {
    /// Architecture.
    pub arch: Arch,
    /// Processor level (family).
    pub processor_level: u16,
    /// Processor revision.
    pub processor_revision: u16,
    /// Number of processors.
    pub processors: u8,
    /// `VER_NT_WORKSTATION` (1), `VER_NT_DOMAIN_CONTROLLER` (2), `VER_NT_SERVER` (3).
    pub product_type: u8,
    /// OS major version.
    pub major: u32,
    /// OS minor version.
    pub minor: u32,
    /// OS build number.
    pub build: u32,
    /// `VER_PLATFORM_WIN32_NT` (2) for NT.
    pub platform_id: u32,
    /// Service pack string ("Service Pack 1"); `None` if absent or empty.
    pub csd_version: Option<String>,
    /// `VER_SUITE_*` mask.
    pub suite_mask: u16,
    /// x86 CPUID vendor string ("GenuineIntel"), when the CPU union holds x86 information.
    pub cpu_vendor: Option<String>,
    /// The raw `CPU_INFORMATION` union.
    pub cpu_raw: [u8; 24],
}

/// `MINIDUMP_MISC_INFO` (versions 1 to 5), decoded. Fields are `None` when the version does not
/// carry them or its flags say they are invalid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MiscInfo {
    /// `SizeOfInfo` (24, 44, 232, 832, 1364).
    pub size_of_info: u32,
    /// Version 1..5 derived from the size.
    pub version: u8,
    /// `Flags1`.
    pub flags1: u32,
    /// Process id.
    pub process_id: Option<u32>,
    /// Process creation time (`time_t`).
    pub process_create_time: Option<u32>,
    /// User time, seconds.
    pub process_user_time: Option<u32>,
    /// Kernel time, seconds.
    pub process_kernel_time: Option<u32>,
    /// Processor power information (v2+).
    pub processor_power: Option<ProcessorPowerInfo>,
    /// Integrity level (v3+).
    pub process_integrity_level: Option<u32>,
    /// Execute flags (v3+).
    pub process_execute_flags: Option<u32>,
    /// Protected process (v3+).
    pub protected_process: Option<u32>,
    /// Time zone (v3+).
    pub time_zone: Option<TimeZone>,
    /// OS build string, e.g. "7601.23543.amd64fre.win7sp1_ldr.160902-0600" (v4+).
    pub build_string: Option<String>,
    /// Debugger build string (v4+).
    pub dbg_build_string: Option<String>,
    /// XSTATE configuration (v5+).
    pub xstate: Option<XstateConfig>,
    /// Process cookie (v5+).
    pub process_cookie: Option<u32>,
}

/// Processor power information from `MINIDUMP_MISC_INFO_2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorPowerInfo {
    /// Max MHz.
    pub max_mhz: u32,
    /// Current MHz.
    pub current_mhz: u32,
    /// MHz limit.
    pub mhz_limit: u32,
    /// Max idle state.
    pub max_idle_state: u32,
    /// Current idle state.
    pub current_idle_state: u32,
}

/// Time zone of the dumping machine (`TIME_ZONE_INFORMATION` + id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZone {
    /// `TIME_ZONE_ID_*` (0 unknown, 1 standard, 2 daylight).
    pub id: u32,
    /// Bias in minutes (UTC = local time + bias).
    pub bias: i32,
    /// Standard time name.
    pub standard_name: String,
    /// Standard bias.
    pub standard_bias: i32,
    /// Transition date to standard time.
    pub standard_date: raw::SystemTime,
    /// Daylight time name.
    pub daylight_name: String,
    /// Daylight bias.
    pub daylight_bias: i32,
    /// Transition date to daylight time.
    pub daylight_date: raw::SystemTime,
    /// The structure as stored (the name buffers may hold bytes after the terminating NUL).
    pub raw: raw::TimeZoneInformation,
}

/// XSTATE layout from `MINIDUMP_MISC_INFO_5`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XstateConfig {
    /// Size of a context with the XSAVE area.
    pub context_size: u32,
    /// Enabled features mask.
    pub enabled_features: u64,
    /// (feature bit, offset, size) of each enabled feature.
    pub features: Vec<(u8, u32, u32)>,
}

/// The exception stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionInfo {
    /// Faulting thread.
    pub thread_id: u32,
    /// Exception code (e.g. 0xC0000005).
    pub code: u32,
    /// Exception flags.
    pub flags: u32,
    /// Address of a nested `EXCEPTION_RECORD` in the process.
    pub record: u64,
    /// Exception address.
    pub address: u64,
    /// `ExceptionInformation[0..NumberParameters]` (at most 15).
    pub parameters: Vec<u64>,
    /// Context of the faulting thread.
    pub context: Location,
}

/// A thread from the ThreadList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// Thread id.
    pub id: u32,
    /// Suspend count.
    pub suspend_count: u32,
    /// Priority class.
    pub priority_class: u32,
    /// Priority.
    pub priority: u32,
    /// TEB address (the native TEB: TEB64 in an x64 dump).
    pub teb: u64,
    /// Captured stack range.
    pub stack: MemoryRange,
    /// Where the stack bytes are in the file. Full-memory dumps leave the RVA at 0: read the
    /// stack through [`Minidump::memory`] instead.
    pub stack_location: Location,
    /// Where the thread context is in the file.
    pub context: Location,
}

/// A thread from the ThreadExList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEx {
    /// The common part.
    pub thread: Thread,
    /// IA-64 backing store.
    pub backing_store: MemoryRange,
}

/// An entry of the ThreadInfoList (times in FILETIME units of 100 ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Thread id.
    pub thread_id: u32,
    /// `MINIDUMP_THREAD_INFO_*` flags.
    pub dump_flags: u32,
    /// HRESULT if the thread could not be dumped.
    pub dump_error: u32,
    /// Exit status.
    pub exit_status: u32,
    /// Creation time (FILETIME).
    pub create_time: u64,
    /// Exit time (FILETIME, 0 if running).
    pub exit_time: u64,
    /// Kernel time.
    pub kernel_time: u64,
    /// User time.
    pub user_time: u64,
    /// Start address.
    pub start_address: u64,
    /// Affinity.
    pub affinity: u64,
}

/// A thread name from the ThreadNames stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadName {
    /// Thread id.
    pub thread_id: u32,
    /// Name.
    pub name: String,
}

/// `VS_FIXEDFILEINFO`, present when its signature is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedFileInfo {
    /// Structure version.
    pub struc_version: u32,
    /// File version (high dword, low dword).
    pub file_version: (u32, u32),
    /// Product version (high dword, low dword).
    pub product_version: (u32, u32),
    /// Valid flag bits.
    pub file_flags_mask: u32,
    /// `VS_FF_*`.
    pub file_flags: u32,
    /// `VOS_*`.
    pub file_os: u32,
    /// `VFT_*`.
    pub file_type: u32,
    /// `VFT2_*`.
    pub file_subtype: u32,
    /// File date (high, low).
    pub file_date: (u32, u32),
}

impl FixedFileInfo {
    /// The file version as four 16-bit parts, e.g. `[6, 1, 7601, 23543]`.
    pub fn file_version_parts(&self) -> [u16; 4] {
        split_version(self.file_version)
    }

    /// The product version as four 16-bit parts.
    pub fn product_version_parts(&self) -> [u16; 4] {
        split_version(self.product_version)
    }
}

fn split_version((ms, ls): (u32, u32)) -> [u16; 4] {
    let hi = |v: u32| u16::try_from(v >> 16).unwrap_or(0);
    let lo = |v: u32| u16::try_from(v & 0xffff).unwrap_or(0);
    [hi(ms), lo(ms), hi(ls), lo(ls)]
}

/// A CodeView record identifying a module's PDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeView {
    /// `RSDS` (PDB 7.0).
    Pdb70 {
        /// GUID bytes as stored (Data1..3 little-endian, then Data4).
        guid: [u8; 16],
        /// Age.
        age: u32,
        /// PDB path.
        pdb_name: String,
    },
    /// `NB10` (PDB 2.0).
    Pdb20 {
        /// Time-stamp signature.
        signature: u32,
        /// Age.
        age: u32,
        /// PDB path.
        pdb_name: String,
    },
    /// Another CodeView format (first four bytes as `u32`), kept raw.
    Other {
        /// The signature.
        signature: u32,
        /// The whole record.
        data: Vec<u8>,
    },
}

impl CodeView {
    /// Parses a CodeView record.
    pub fn parse(data: &[u8]) -> Option<CodeView> {
        let sig = u32::from_le_bytes(data.get(..4)?.try_into().ok()?);
        match sig {
            raw::CV_SIGNATURE_RSDS => {
                let (h, rest) = raw::CvInfoPdb70::read_from_prefix(data).ok()?;
                Some(CodeView::Pdb70 {
                    guid: h.signature,
                    age: h.age.get(),
                    pdb_name: c_string(rest),
                })
            }
            raw::CV_SIGNATURE_NB10 => {
                let (h, rest) = raw::CvInfoPdb20::read_from_prefix(data).ok()?;
                Some(CodeView::Pdb20 {
                    signature: h.signature.get(),
                    age: h.age.get(),
                    pdb_name: c_string(rest),
                })
            }
            other => Some(CodeView::Other {
                signature: other,
                data: data.to_vec(),
            }),
        }
    }

    /// The PDB path; empty for records other than PDB 2.0/7.0.
    pub fn pdb_name(&self) -> &str {
        match self {
            CodeView::Pdb70 { pdb_name, .. } | CodeView::Pdb20 { pdb_name, .. } => pdb_name,
            CodeView::Other { .. } => "",
        }
    }

    /// The age, for PDB 2.0/7.0 records.
    pub fn age(&self) -> Option<u32> {
        match self {
            CodeView::Pdb70 { age, .. } | CodeView::Pdb20 { age, .. } => Some(*age),
            CodeView::Other { .. } => None,
        }
    }

    /// The GUID in its registry form, `6B9E5E80-38E2-420E-8E7C-62EA60DDB069` (PDB 7.0 only).
    pub fn guid_string(&self) -> Option<String> {
        match self {
            CodeView::Pdb70 { guid, .. } => {
                let g = guid_fields(guid);
                Some(format!(
                    "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
                    g.0, g.1, g.2, g.3[0], g.3[1], g.3[2], g.3[3], g.3[4], g.3[5], g.3[6], g.3[7]
                ))
            }
            _ => None,
        }
    }

    /// The symbol-server key: for PDB 7.0 the GUID without dashes (Data1, Data2, Data3 as
    /// little-endian integers, then the Data4 bytes) followed by the age, upper-case hex, e.g.
    /// `6B9E5E8038E2420E8E7C62EA60DDB0692`; for PDB 2.0 the signature as 8 hex digits followed
    /// by the age. Empty for other records.
    pub fn pdb_id(&self) -> String {
        match self {
            CodeView::Pdb70 { guid, age, .. } => {
                let g = guid_fields(guid);
                let mut s = format!("{:08X}{:04X}{:04X}", g.0, g.1, g.2);
                for b in g.3 {
                    s.push_str(&format!("{b:02X}"));
                }
                s.push_str(&format!("{age:X}"));
                s
            }
            CodeView::Pdb20 { signature, age, .. } => format!("{signature:08X}{age:X}"),
            CodeView::Other { .. } => String::new(),
        }
    }
}

fn guid_fields(g: &[u8; 16]) -> (u32, u16, u16, [u8; 8]) {
    let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
    let d2 = u16::from_le_bytes([g[4], g[5]]);
    let d3 = u16::from_le_bytes([g[6], g[7]]);
    let d4 = [g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]];
    (d1, d2, d3, d4)
}

fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(bytes.get(..end).unwrap_or(&[])).into_owned()
}

/// A module from the ModuleList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Load address.
    pub base: u64,
    /// Size of the image in memory (`SizeOfImage`, a `u32` in the file).
    pub size: u64,
    /// PE checksum.
    pub checksum: u32,
    /// PE `TimeDateStamp`.
    pub time_date_stamp: u32,
    /// Full path of the image.
    pub name: String,
    /// Version resource, when present.
    pub version: Option<FixedFileInfo>,
    /// CodeView record, when present.
    pub codeview: Option<CodeView>,
    /// The `IMAGE_DEBUG_MISC` record, raw, when present.
    pub misc_record: Option<Vec<u8>>,
}

impl Module {
    /// The file name without directories (`ntdll.dll`).
    pub fn base_name(&self) -> &str {
        self.name
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(self.name.as_str())
    }

    /// The symbol-server key of the PDB ([`CodeView::pdb_id`]), if any.
    pub fn pdb_id(&self) -> Option<String> {
        match &self.codeview {
            Some(cv @ (CodeView::Pdb70 { .. } | CodeView::Pdb20 { .. })) => Some(cv.pdb_id()),
            _ => None,
        }
    }

    /// The address range of the image.
    pub fn range(&self) -> MemoryRange {
        MemoryRange {
            base: self.base,
            size: self.size,
        }
    }
}

/// A module from the UnloadedModuleList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnloadedModule {
    /// Former load address.
    pub base: u64,
    /// Size.
    pub size: u32,
    /// PE checksum.
    pub checksum: u32,
    /// PE `TimeDateStamp`.
    pub time_date_stamp: u32,
    /// Path.
    pub name: String,
}

/// A region from the MemoryInfoList (`VirtualQuery` result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Region base.
    pub base_address: u64,
    /// Allocation base.
    pub allocation_base: u64,
    /// Protection at allocation (`PAGE_*`).
    pub allocation_protect: u32,
    /// Region size.
    pub region_size: u64,
    /// `MEM_COMMIT` 0x1000, `MEM_RESERVE` 0x2000, `MEM_FREE` 0x10000.
    pub state: u32,
    /// Current protection (`PAGE_*`).
    pub protect: u32,
    /// `MEM_PRIVATE` 0x20000, `MEM_MAPPED` 0x40000, `MEM_IMAGE` 0x1000000.
    pub type_: u32,
}

/// The HandleData stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleData {
    /// Descriptor size: 32 (v1) or 40 (v2).
    pub descriptor_size: u32,
    /// The handles.
    pub handles: Vec<Handle>,
}

/// One handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle {
    /// Handle value.
    pub handle: u64,
    /// Object type ("File", "Event", "Thread"...), when recorded.
    pub type_name: Option<String>,
    /// Object name, when recorded.
    pub object_name: Option<String>,
    /// Attributes.
    pub attributes: u32,
    /// Granted access.
    pub granted_access: u32,
    /// Handle count of the object.
    pub handle_count: u32,
    /// Pointer count of the object.
    pub pointer_count: u32,
    /// The object-information chain (v2 descriptors).
    pub object_info: Vec<HandleObjectInfo>,
}

/// One element of a handle's object-information chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleObjectInfo {
    /// `MINIDUMP_HANDLE_OBJECT_INFORMATION_TYPE` (1 thread, 2 mutant v1, 3 mutant v2, 4 process
    /// v1, 5 process v2, 6 event, 7 section, 8 semaphore).
    pub info_type: u32,
    /// The information bytes.
    pub data: Vec<u8>,
}

/// One record of the HandleOperationList stream (Application Verifier handle tracing, the data
/// behind WinDbg's `!htrace`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandleOperation {
    /// Handle value.
    pub handle: u64,
    /// Process id.
    pub process_id: u32,
    /// Thread id.
    pub thread_id: u32,
    /// 0 unknown, 1 open/create, 2 close, 3 bad reference.
    pub operation_type: u32,
    /// Index of the trace in the verifier's database.
    pub trace_index: u32,
    /// Return addresses of the stack trace (at most 32).
    pub stack: Vec<u64>,
}

/// One entry of the Token stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Token id.
    pub token_id: u32,
    /// Token handle.
    pub token_handle: u64,
    /// The token information bytes after the entry header.
    pub data: Vec<u8>,
}

/// One descriptor of the FunctionTable stream (dynamic function tables, e.g. JIT code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionTable {
    /// Lowest address covered.
    pub minimum_address: u64,
    /// Highest address covered.
    pub maximum_address: u64,
    /// Base for the entries' RVAs.
    pub base_address: u64,
    /// Number of entries.
    pub entry_count: u32,
    /// The native descriptor (`DYNAMIC_FUNCTION_TABLE`), raw.
    pub native_descriptor: Vec<u8>,
    /// The entries (`RUNTIME_FUNCTION` on x64), raw.
    pub entries: Vec<u8>,
    /// Size of one entry.
    pub entry_size: u32,
}

/// `MINIDUMP_SYSTEM_MEMORY_INFO_1`: the typed head, and the performance part raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemMemoryInfo {
    /// Revision.
    pub revision: u16,
    /// Flags.
    pub flags: u16,
    /// Page size.
    pub page_size: u32,
    /// Allocation granularity.
    pub allocation_granularity: u32,
    /// Number of physical pages.
    pub number_of_physical_pages: u32,
    /// Lowest user-mode address.
    pub minimum_user_mode_address: u64,
    /// Highest user-mode address.
    pub maximum_user_mode_address: u64,
    /// Active processors mask.
    pub active_processors_affinity_mask: u64,
    /// Number of processors.
    pub number_of_processors: u32,
    /// File cache current size.
    pub file_cache_current_size: u64,
    /// File cache peak size.
    pub file_cache_peak_size: u64,
    /// Available pages.
    pub available_pages: u64,
    /// Committed pages.
    pub committed_pages: u64,
    /// Commit limit (pages).
    pub commit_limit: u64,
    /// Peak commitment (pages).
    pub peak_commitment: u64,
    /// `MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION` and anything after, raw.
    pub performance_raw: Vec<u8>,
}

/// `MINIDUMP_PROCESS_VM_COUNTERS_1/2`. Version-2-only fields are `None` in version 1 or when
/// the flags mark them invalid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcessVmCounters {
    /// Revision (1 or 2).
    pub revision: u16,
    /// Validity flags (v2).
    pub flags: u16,
    /// Page faults.
    pub page_fault_count: u32,
    /// Peak working set.
    pub peak_working_set_size: u64,
    /// Working set.
    pub working_set_size: u64,
    /// Peak paged pool quota.
    pub quota_peak_paged_pool_usage: u64,
    /// Paged pool quota.
    pub quota_paged_pool_usage: u64,
    /// Peak non-paged pool quota.
    pub quota_peak_non_paged_pool_usage: u64,
    /// Non-paged pool quota.
    pub quota_non_paged_pool_usage: u64,
    /// Pagefile usage.
    pub pagefile_usage: u64,
    /// Peak pagefile usage.
    pub peak_pagefile_usage: u64,
    /// Private bytes.
    pub private_usage: u64,
    /// Peak virtual size (v2, flag 0x2).
    pub peak_virtual_size: Option<u64>,
    /// Virtual size (v2, flag 0x2).
    pub virtual_size: Option<u64>,
    /// Private working set (v2, flag 0x4).
    pub private_working_set_size: Option<u64>,
    /// Shared commit (v2, flag 0x4).
    pub shared_commit_usage: Option<u64>,
    /// Job shared commit (v2, flag 0x10).
    pub job_shared_commit_usage: Option<u64>,
    /// Job private commit (v2, flag 0x10).
    pub job_private_commit_usage: Option<u64>,
    /// Job peak private commit (v2, flag 0x10).
    pub job_peak_private_commit_usage: Option<u64>,
    /// Job private commit limit (v2, flag 0x10).
    pub job_private_commit_limit: Option<u64>,
    /// Job total commit limit (v2, flag 0x10).
    pub job_total_commit_limit: Option<u64>,
}

fn bad(stream_type: u32, rva: u32, reason: &'static str) -> Error {
    Error::BadStream {
        stream_type,
        rva: u64::from(rva),
        reason,
    }
}

fn thread_from_raw(t: &raw::Thread) -> Thread {
    Thread {
        id: t.thread_id.get(),
        suspend_count: t.suspend_count.get(),
        priority_class: t.priority_class.get(),
        priority: t.priority.get(),
        teb: t.teb.get(),
        stack: MemoryRange {
            base: t.stack.start_of_memory_range.get(),
            size: u64::from(t.stack.memory.data_size.get()),
        },
        stack_location: Location {
            rva: t.stack.memory.rva.get(),
            size: t.stack.memory.data_size.get(),
        },
        context: Location {
            rva: t.thread_context.rva.get(),
            size: t.thread_context.data_size.get(),
        },
    }
}

fn u16_string(units: &[zerocopy::little_endian::U16]) -> String {
    let it = units.iter().map(|u| u.get()).take_while(|&u| u != 0);
    char::decode_utf16(it)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Parses a header-sized list (`SizeOfHeader`, `SizeOfEntry`, `NumberOfEntries`): returns an
/// iterator over each entry's bytes (at least `min_entry` long).
fn sized_entries<'a>(
    stream: &'a [u8],
    stream_type: u32,
    rva: u32,
    size_of_header: u32,
    size_of_entry: u32,
    count: u64,
    min_entry: usize,
) -> Result<impl Iterator<Item = &'a [u8]> + 'a, Error> {
    let entry = usize::try_from(size_of_entry).unwrap_or(usize::MAX);
    if entry < min_entry {
        return Err(bad(
            stream_type,
            rva,
            "entry size smaller than the structure",
        ));
    }
    let body = usize::try_from(size_of_header)
        .ok()
        .and_then(|h| stream.get(h..))
        .ok_or_else(|| bad(stream_type, rva, "header size beyond the stream"))?;
    let n = usize::try_from(count).map_err(|_| Error::CountTooLarge { stream_type, count })?;
    let need = n
        .checked_mul(entry)
        .ok_or(Error::CountTooLarge { stream_type, count })?;
    let body = body
        .get(..need)
        .ok_or(Error::CountTooLarge { stream_type, count })?;
    Ok(body.chunks_exact(entry))
}

impl Minidump {
    fn stream_bytes(&self, st: u32) -> Option<(u32, &[u8])> {
        let e = self.stream_entry(st)?;
        let rva = e.rva;
        self.raw_stream(st).map(|b| (rva, b))
    }

    fn optional_string(&self, rva: u32, budget: &mut Budget) -> Result<Option<String>, Error> {
        if rva == 0 {
            return Ok(None);
        }
        let s = self.read_string_budget(rva, budget)?;
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    /// The SystemInfo stream.
    pub fn system_info(&self) -> Result<Option<SystemInfo>, Error> {
        let st = stream_type::SYSTEM_INFO;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (s, _) = raw::SystemInfo::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_SYSTEM_INFO"))?;
        let arch = Arch::from_raw(s.processor_architecture.get());
        // A bad CSD string is not fatal to the rest of the system info.
        let csd_version = self
            .optional_string(s.csd_version_rva.get(), &mut Budget::new(self.limits()))
            .unwrap_or(None);
        let cpu_vendor = if arch == Arch::X86 || arch == Arch::X64 {
            let v = s.cpu.get(..12).unwrap_or(&[]);
            if v.iter().all(|c| c.is_ascii_graphic()) {
                Some(String::from_utf8_lossy(v).into_owned())
            } else {
                None
            }
        } else {
            None
        };
        Ok(Some(SystemInfo {
            arch,
            processor_level: s.processor_level.get(),
            processor_revision: s.processor_revision.get(),
            processors: s.number_of_processors,
            product_type: s.product_type,
            major: s.major_version.get(),
            minor: s.minor_version.get(),
            build: s.build_number.get(),
            platform_id: s.platform_id.get(),
            csd_version,
            suite_mask: s.suite_mask.get(),
            cpu_vendor,
            cpu_raw: s.cpu,
        }))
    }

    /// The architecture from SystemInfo (`Unknown(0xffff)` if the stream is absent or bad).
    pub fn arch(&self) -> Arch {
        *self.arch_cache.get_or_init(|| {
            self.raw_stream(stream_type::SYSTEM_INFO)
                .and_then(|b| crate::le_u16(b, 0))
                .map_or(Arch::Unknown(0xffff), Arch::from_raw)
        })
    }

    /// True if the ModuleList names `wow64.dll` (the WOW64 layer of a 32-bit process in an x64
    /// dump). Computed once.
    pub fn has_wow64_module(&self) -> bool {
        self.module_facts().1
    }

    /// (ModuleList non-empty, ModuleList names `wow64.dll`), computed once.
    pub(crate) fn module_facts(&self) -> (bool, bool) {
        *self.wow64_cache.get_or_init(|| {
            let ms = self.modules().unwrap_or_default();
            let wow64 = ms
                .iter()
                .any(|m| m.base_name().eq_ignore_ascii_case("wow64.dll"));
            (!ms.is_empty(), wow64)
        })
    }

    /// The MiscInfo stream, any version.
    pub fn misc_info(&self) -> Result<Option<MiscInfo>, Error> {
        let st = stream_type::MISC_INFO;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (v1, rest) = raw::MiscInfo1::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_MISC_INFO"))?;
        let size_of_info = v1.size_of_info.get();
        // Only trust as many bytes as both the declared size and the stream hold.
        let avail = usize::try_from(size_of_info)
            .unwrap_or(usize::MAX)
            .min(b.len());
        let rest = rest.get(..avail.saturating_sub(24)).unwrap_or(&[]);
        let f = v1.flags1.get();
        let mut m = MiscInfo {
            size_of_info,
            version: 1,
            flags1: f,
            ..MiscInfo::default()
        };
        if f & 0x1 != 0 {
            m.process_id = Some(v1.process_id.get());
        }
        if f & 0x2 != 0 {
            m.process_create_time = Some(v1.process_create_time.get());
            m.process_user_time = Some(v1.process_user_time.get());
            m.process_kernel_time = Some(v1.process_kernel_time.get());
        }
        let Ok((v2, rest)) = raw::MiscInfo2Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 2;
        if f & 0x4 != 0 {
            m.processor_power = Some(ProcessorPowerInfo {
                max_mhz: v2.processor_max_mhz.get(),
                current_mhz: v2.processor_current_mhz.get(),
                mhz_limit: v2.processor_mhz_limit.get(),
                max_idle_state: v2.processor_max_idle_state.get(),
                current_idle_state: v2.processor_current_idle_state.get(),
            });
        }
        let Ok((v3, rest)) = raw::MiscInfo3Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 3;
        if f & 0x10 != 0 {
            m.process_integrity_level = Some(v3.process_integrity_level.get());
        }
        if f & 0x20 != 0 {
            m.process_execute_flags = Some(v3.process_execute_flags.get());
        }
        if f & 0x80 != 0 {
            m.protected_process = Some(v3.protected_process.get());
        }
        if f & 0x40 != 0 {
            let tz = &v3.time_zone;
            m.time_zone = Some(TimeZone {
                id: v3.time_zone_id.get(),
                bias: tz.bias.get(),
                standard_name: u16_string(&tz.standard_name),
                standard_bias: tz.standard_bias.get(),
                standard_date: tz.standard_date,
                daylight_name: u16_string(&tz.daylight_name),
                daylight_bias: tz.daylight_bias.get(),
                daylight_date: tz.daylight_date,
                raw: *tz,
            });
        }
        let Ok((v4, rest)) = raw::MiscInfo4Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 4;
        if f & 0x100 != 0 {
            m.build_string = Some(u16_string(&v4.build_string));
            m.dbg_build_string = Some(u16_string(&v4.dbg_bld_str));
        }
        let Ok((v5, _)) = raw::MiscInfo5Ext::read_from_prefix(rest) else {
            return Ok(Some(m));
        };
        m.version = 5;
        if v5.xstate_size_of_info.get() != 0 {
            let mask = v5.xstate_enabled_features.get();
            let features = v5
                .xstate_features
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    u32::try_from(*i)
                        .ok()
                        .is_some_and(|i| mask & (1u64 << i) != 0)
                })
                .map(|(i, x)| (u8::try_from(i).unwrap_or(0), x.offset.get(), x.size.get()))
                .collect();
            m.xstate = Some(XstateConfig {
                context_size: v5.xstate_context_size.get(),
                enabled_features: mask,
                features,
            });
        }
        if f & 0x200 != 0 {
            m.process_cookie = Some(v5.process_cookie.get());
        }
        Ok(Some(m))
    }

    /// The Exception stream.
    pub fn exception(&self) -> Result<Option<ExceptionInfo>, Error> {
        let st = stream_type::EXCEPTION;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (e, _) = raw::ExceptionStream::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_EXCEPTION_STREAM"))?;
        let n = usize::try_from(e.number_parameters.get())
            .unwrap_or(usize::MAX)
            .min(15);
        Ok(Some(ExceptionInfo {
            thread_id: e.thread_id.get(),
            code: e.exception_code.get(),
            flags: e.exception_flags.get(),
            record: e.exception_record.get(),
            address: e.exception_address.get(),
            parameters: e
                .exception_information
                .iter()
                .take(n)
                .map(|p| p.get())
                .collect(),
            context: Location {
                rva: e.thread_context.rva.get(),
                size: e.thread_context.data_size.get(),
            },
        }))
    }

    /// The ThreadList stream (empty if absent).
    pub fn threads(&self) -> Result<Vec<Thread>, Error> {
        let st = stream_type::THREAD_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(Vec::new());
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::Thread>())?;
        let list = <[raw::Thread]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "thread array size"))?;
        Ok(list.iter().map(thread_from_raw).collect())
    }

    /// The thread with this id, if in the ThreadList.
    pub fn thread(&self, id: u32) -> Result<Option<Thread>, Error> {
        Ok(self.threads()?.into_iter().find(|t| t.id == id))
    }

    /// The ThreadExList stream.
    pub fn thread_ex_list(&self) -> Result<Option<Vec<ThreadEx>>, Error> {
        let st = stream_type::THREAD_EX_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::ThreadEx>())?;
        let list = <[raw::ThreadEx]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "thread array size"))?;
        Ok(Some(
            list.iter()
                .map(|t| ThreadEx {
                    thread: thread_from_raw(&t.thread),
                    backing_store: MemoryRange {
                        base: t.backing_store.start_of_memory_range.get(),
                        size: u64::from(t.backing_store.memory.data_size.get()),
                    },
                })
                .collect(),
        ))
    }

    /// The ThreadInfoList stream.
    pub fn thread_info(&self) -> Result<Option<Vec<ThreadInfo>>, Error> {
        let st = stream_type::THREAD_INFO_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::ListHeader32::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            u64::from(h.number_of_entries.get()),
            size_of::<raw::ThreadInfo>(),
        )?;
        let mut out = Vec::new();
        for e in it {
            let (t, _) =
                raw::ThreadInfo::read_from_prefix(e).map_err(|_| bad(st, rva, "short entry"))?;
            out.push(ThreadInfo {
                thread_id: t.thread_id.get(),
                dump_flags: t.dump_flags.get(),
                dump_error: t.dump_error.get(),
                exit_status: t.exit_status.get(),
                create_time: t.create_time.get(),
                exit_time: t.exit_time.get(),
                kernel_time: t.kernel_time.get(),
                user_time: t.user_time.get(),
                start_address: t.start_address.get(),
                affinity: t.affinity.get(),
            });
        }
        Ok(Some(out))
    }

    /// The ThreadNames stream.
    pub fn thread_names(&self) -> Result<Option<Vec<ThreadName>>, Error> {
        let st = stream_type::THREAD_NAMES;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::ThreadName>())?;
        let list = <[raw::ThreadName]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "thread name array size"))?;
        let mut out = Vec::new();
        let mut budget = Budget::new(self.limits());
        for n in list {
            let name_rva =
                u32::try_from(n.rva_of_thread_name.get()).map_err(|_| Error::InvalidString {
                    rva: n.rva_of_thread_name.get(),
                })?;
            out.push(ThreadName {
                thread_id: n.thread_id.get(),
                name: if name_rva == 0 {
                    String::new()
                } else {
                    self.read_string_budget(name_rva, &mut budget)?
                },
            });
        }
        Ok(Some(out))
    }

    /// The ModuleList stream (empty if absent).
    pub fn modules(&self) -> Result<Vec<Module>, Error> {
        let st = stream_type::MODULE_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(Vec::new());
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::Module>())?;
        let list = <[raw::Module]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "module array size"))?;
        let mut out = Vec::new();
        let mut budget = Budget::new(self.limits());
        for m in list {
            let name = self.read_string_budget(m.module_name_rva.get(), &mut budget)?;
            let vi = &m.version_info;
            let version = (vi.signature.get() == raw::VS_FFI_SIGNATURE).then(|| FixedFileInfo {
                struc_version: vi.struc_version.get(),
                file_version: (vi.file_version_ms.get(), vi.file_version_ls.get()),
                product_version: (vi.product_version_ms.get(), vi.product_version_ls.get()),
                file_flags_mask: vi.file_flags_mask.get(),
                file_flags: vi.file_flags.get(),
                file_os: vi.file_os.get(),
                file_type: vi.file_type.get(),
                file_subtype: vi.file_subtype.get(),
                file_date: (vi.file_date_ms.get(), vi.file_date_ls.get()),
            });
            let loc = |l: &raw::LocationDescriptor| Location {
                rva: l.rva.get(),
                size: l.data_size.get(),
            };
            let cv = loc(&m.cv_record);
            let codeview = if cv.size == 0 {
                None
            } else {
                let bytes = self.location_bytes(cv)?;
                budget.take(u64::from(cv.size), "CodeView records")?;
                CodeView::parse(bytes)
            };
            let misc = loc(&m.misc_record);
            let misc_record = if misc.size == 0 {
                None
            } else {
                let bytes = self.location_bytes(misc)?;
                budget.take(u64::from(misc.size), "misc records")?;
                Some(bytes.to_vec())
            };
            out.push(Module {
                base: m.base_of_image.get(),
                size: u64::from(m.size_of_image.get()),
                checksum: m.check_sum.get(),
                time_date_stamp: m.time_date_stamp.get(),
                name,
                version,
                codeview,
                misc_record,
            });
        }
        Ok(out)
    }

    /// The module containing `addr`, if any (linear in the number of modules).
    pub fn module_at(&self, addr: u64) -> Result<Option<Module>, Error> {
        Ok(self
            .modules()?
            .into_iter()
            .find(|m| m.range().contains(addr)))
    }

    /// The UnloadedModuleList stream.
    pub fn unloaded_modules(&self) -> Result<Option<Vec<UnloadedModule>>, Error> {
        let st = stream_type::UNLOADED_MODULE_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::ListHeader32::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            u64::from(h.number_of_entries.get()),
            size_of::<raw::UnloadedModule>(),
        )?;
        let mut out = Vec::new();
        let mut budget = Budget::new(self.limits());
        for e in it {
            let (m, _) = raw::UnloadedModule::read_from_prefix(e)
                .map_err(|_| bad(st, rva, "short entry"))?;
            out.push(UnloadedModule {
                base: m.base_of_image.get(),
                size: m.size_of_image.get(),
                checksum: m.check_sum.get(),
                time_date_stamp: m.time_date_stamp.get(),
                name: self.read_string_budget(m.module_name_rva.get(), &mut budget)?,
            });
        }
        Ok(Some(out))
    }

    /// The MemoryInfoList stream.
    pub fn memory_info(&self) -> Result<Option<Vec<MemoryInfo>>, Error> {
        let st = stream_type::MEMORY_INFO_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::ListHeader64::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            h.number_of_entries.get(),
            size_of::<raw::MemoryInfo>(),
        )?;
        let mut out = Vec::new();
        for e in it {
            let (m, _) =
                raw::MemoryInfo::read_from_prefix(e).map_err(|_| bad(st, rva, "short entry"))?;
            out.push(MemoryInfo {
                base_address: m.base_address.get(),
                allocation_base: m.allocation_base.get(),
                allocation_protect: m.allocation_protect.get(),
                region_size: m.region_size.get(),
                state: m.state.get(),
                protect: m.protect.get(),
                type_: m.type_.get(),
            });
        }
        Ok(Some(out))
    }

    /// The HandleData stream, with type and object names and each handle's object-information
    /// chain (bounded by [`Limits::max_list_steps`](crate::Limits) and cycle-checked).
    pub fn handles(&self) -> Result<Option<HandleData>, Error> {
        let st = stream_type::HANDLE_DATA;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::HandleDataStream::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let dsize = h.size_of_descriptor.get();
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            dsize,
            u64::from(h.number_of_descriptors.get()),
            size_of::<raw::HandleDescriptor>(),
        )?;
        let mut handles = Vec::new();
        let mut budget = Budget::new(self.limits());
        for e in it {
            let (d, rest) = raw::HandleDescriptor::read_from_prefix(e)
                .map_err(|_| bad(st, rva, "short descriptor"))?;
            let object_info = match raw::HandleDescriptor2Ext::read_from_prefix(rest) {
                Ok((ext, _)) if ext.object_info_rva.get() != 0 => {
                    self.handle_object_info(ext.object_info_rva.get(), &mut budget)?
                }
                _ => Vec::new(),
            };
            handles.push(Handle {
                handle: d.handle.get(),
                type_name: self.optional_string(d.type_name_rva.get(), &mut budget)?,
                object_name: self.optional_string(d.object_name_rva.get(), &mut budget)?,
                attributes: d.attributes.get(),
                granted_access: d.granted_access.get(),
                handle_count: d.handle_count.get(),
                pointer_count: d.pointer_count.get(),
                object_info,
            });
        }
        Ok(Some(HandleData {
            descriptor_size: dsize,
            handles,
        }))
    }

    fn handle_object_info(
        &self,
        first: u32,
        budget: &mut Budget,
    ) -> Result<Vec<HandleObjectInfo>, Error> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut next = first;
        let mut steps = 0u32;
        while next != 0 {
            if !seen.insert(next) {
                return Err(Error::ListCycle {
                    at: u64::from(next),
                });
            }
            steps = steps.saturating_add(1);
            if steps > self.limits().max_list_steps {
                return Err(Error::ListTooLong {
                    head: u64::from(first),
                    limit: self.limits().max_list_steps,
                });
            }
            let hb = file_slice(self.as_bytes(), u64::from(next), 12)?;
            let (h, _) = raw::HandleObjectInformation::read_from_prefix(hb)
                .map_err(|_| bad(stream_type::HANDLE_DATA, next, "object info header"))?;
            let data = file_slice(
                self.as_bytes(),
                u64::from(next).saturating_add(12),
                u64::from(h.size_of_info.get()),
            )?;
            // The header counts too, so that shared chains cannot make the walk unbounded.
            budget.take(
                u64::from(h.size_of_info.get()).saturating_add(12),
                "handle object information",
            )?;
            out.push(HandleObjectInfo {
                info_type: h.info_type.get(),
                data: data.to_vec(),
            });
            next = h.next_info_rva.get();
        }
        Ok(out)
    }

    /// The HandleOperationList stream (Application Verifier handle traces).
    pub fn handle_operations(&self) -> Result<Option<Vec<HandleOperation>>, Error> {
        let st = stream_type::HANDLE_OPERATION_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::HandleOperationList::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let it = sized_entries(
            b,
            st,
            rva,
            h.size_of_header.get(),
            h.size_of_entry.get(),
            u64::from(h.number_of_entries.get()),
            size_of::<raw::AvrfHandleOperation>(),
        )?;
        let mut out = Vec::new();
        for e in it {
            let (o, _) = raw::AvrfHandleOperation::read_from_prefix(e)
                .map_err(|_| bad(st, rva, "short entry"))?;
            let depth = usize::try_from(o.depth.get()).unwrap_or(usize::MAX).min(32);
            out.push(HandleOperation {
                handle: o.handle.get(),
                process_id: o.process_id.get(),
                thread_id: o.thread_id.get(),
                operation_type: o.operation_type.get(),
                trace_index: o.index.get(),
                stack: o
                    .return_addresses
                    .iter()
                    .take(depth)
                    .map(|a| a.get())
                    .collect(),
            });
        }
        Ok(Some(out))
    }

    /// CommentStreamA, decoded as Latin-1/ASCII up to the first NUL.
    pub fn comment_a(&self) -> Option<String> {
        let b = self.raw_stream(stream_type::COMMENT_A)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        Some(
            b.get(..end)
                .unwrap_or(&[])
                .iter()
                .map(|&c| char::from(c))
                .collect(),
        )
    }

    /// CommentStreamW, decoded from UTF-16 up to the first NUL.
    pub fn comment_w(&self) -> Option<String> {
        self.raw_stream(stream_type::COMMENT_W).map(utf16_lossy)
    }

    /// The Token stream: each token's id, handle and raw information.
    pub fn token(&self) -> Result<Option<Vec<TokenInfo>>, Error> {
        let st = stream_type::TOKEN;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::TokenInfoList::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_TOKEN_INFO_LIST"))?;
        let mut off = usize::try_from(h.list_header_size.get()).unwrap_or(usize::MAX);
        let count = h.token_list_entries.get();
        let mut out = Vec::new();
        for _ in 0..count {
            let entry = b.get(off..).ok_or(Error::CountTooLarge {
                stream_type: st,
                count: u64::from(count),
            })?;
            let (eh, _) = raw::TokenInfoHeader::read_from_prefix(entry).map_err(|_| {
                Error::CountTooLarge {
                    stream_type: st,
                    count: u64::from(count),
                }
            })?;
            let size = usize::try_from(eh.token_size.get()).unwrap_or(usize::MAX);
            if size < size_of::<raw::TokenInfoHeader>() {
                return Err(bad(st, rva, "token entry smaller than its header"));
            }
            let data = entry
                .get(size_of::<raw::TokenInfoHeader>()..size)
                .ok_or_else(|| bad(st, rva, "token entry beyond the stream"))?;
            out.push(TokenInfo {
                token_id: eh.token_id.get(),
                token_handle: eh.token_handle.get(),
                data: data.to_vec(),
            });
            off = off
                .checked_add(size)
                .ok_or_else(|| bad(st, rva, "token entry size overflow"))?;
        }
        Ok(Some(out))
    }

    /// The FunctionTable stream.
    pub fn function_table(&self) -> Result<Option<Vec<FunctionTable>>, Error> {
        let st = stream_type::FUNCTION_TABLE;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, _) = raw::FunctionTableStream::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than its header"))?;
        let us = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
        let dsize = us(h.size_of_descriptor.get());
        let nsize = us(h.size_of_native_descriptor.get());
        let esize = us(h.size_of_function_entry.get());
        if dsize < size_of::<raw::FunctionTableDescriptor>() {
            return Err(bad(st, rva, "descriptor size smaller than the structure"));
        }
        let mut off = us(h.size_of_header.get())
            .checked_add(us(h.size_of_align_pad.get()))
            .ok_or_else(|| bad(st, rva, "header size overflow"))?;
        let count = h.number_of_descriptors.get();
        let mut out = Vec::new();
        for _ in 0..count {
            let at = |o: usize, n: usize| o.checked_add(n).and_then(|e| b.get(o..e));
            let db = at(off, dsize).ok_or_else(|| bad(st, rva, "descriptor beyond the stream"))?;
            let (d, _) = raw::FunctionTableDescriptor::read_from_prefix(db)
                .map_err(|_| bad(st, rva, "short descriptor"))?;
            off = off.saturating_add(dsize);
            let native = at(off, nsize).ok_or_else(|| bad(st, rva, "native descriptor"))?;
            off = off.saturating_add(nsize);
            let n = us(d.entry_count.get());
            let elen = n.checked_mul(esize).ok_or(Error::CountTooLarge {
                stream_type: st,
                count: u64::from(d.entry_count.get()),
            })?;
            let entries = at(off, elen).ok_or(Error::CountTooLarge {
                stream_type: st,
                count: u64::from(d.entry_count.get()),
            })?;
            off = off
                .saturating_add(elen)
                .saturating_add(us(d.size_of_align_pad.get()));
            out.push(FunctionTable {
                minimum_address: d.minimum_address.get(),
                maximum_address: d.maximum_address.get(),
                base_address: d.base_address.get(),
                entry_count: d.entry_count.get(),
                native_descriptor: native.to_vec(),
                entries: entries.to_vec(),
                entry_size: h.size_of_function_entry.get(),
            });
        }
        Ok(Some(out))
    }

    /// The SystemMemoryInfo stream.
    pub fn system_memory_info(&self) -> Result<Option<SystemMemoryInfo>, Error> {
        let st = stream_type::SYSTEM_MEMORY_INFO;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let (h, rest) = raw::SystemMemoryInfo1Head::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_SYSTEM_MEMORY_INFO_1"))?;
        let bi = &h.basic_info;
        Ok(Some(SystemMemoryInfo {
            revision: h.revision.get(),
            flags: h.flags.get(),
            page_size: bi.page_size.get(),
            allocation_granularity: bi.allocation_granularity.get(),
            number_of_physical_pages: bi.number_of_physical_pages.get(),
            minimum_user_mode_address: bi.minimum_user_mode_address.get(),
            maximum_user_mode_address: bi.maximum_user_mode_address.get(),
            active_processors_affinity_mask: bi.active_processors_affinity_mask.get(),
            number_of_processors: bi.number_of_processors.get(),
            file_cache_current_size: h.file_cache_info.current_size.get(),
            file_cache_peak_size: h.file_cache_info.peak_size.get(),
            available_pages: h.basic_perf_info.available_pages.get(),
            committed_pages: h.basic_perf_info.committed_pages.get(),
            commit_limit: h.basic_perf_info.commit_limit.get(),
            peak_commitment: h.basic_perf_info.peak_commitment.get(),
            performance_raw: rest.to_vec(),
        }))
    }

    /// The ProcessVmCounters stream (version 1 or 2).
    pub fn process_vm_counters(&self) -> Result<Option<ProcessVmCounters>, Error> {
        let st = stream_type::PROCESS_VM_COUNTERS;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(None);
        };
        let rev = crate::le_u16(b, 0).ok_or_else(|| bad(st, rva, "empty"))?;
        if rev >= 2
            && let Ok((v, _)) = raw::ProcessVmCounters2::read_from_prefix(b)
        {
            {
                let f = v.flags.get();
                let when = |bit: u16, x: u64| (f & bit != 0).then_some(x);
                return Ok(Some(ProcessVmCounters {
                    revision: rev,
                    flags: f,
                    page_fault_count: v.page_fault_count.get(),
                    peak_working_set_size: v.peak_working_set_size.get(),
                    working_set_size: v.working_set_size.get(),
                    quota_peak_paged_pool_usage: v.quota_peak_paged_pool_usage.get(),
                    quota_paged_pool_usage: v.quota_paged_pool_usage.get(),
                    quota_peak_non_paged_pool_usage: v.quota_peak_non_paged_pool_usage.get(),
                    quota_non_paged_pool_usage: v.quota_non_paged_pool_usage.get(),
                    pagefile_usage: v.pagefile_usage.get(),
                    peak_pagefile_usage: v.peak_pagefile_usage.get(),
                    private_usage: v.private_usage.get(),
                    peak_virtual_size: when(0x2, v.peak_virtual_size.get()),
                    virtual_size: when(0x2, v.virtual_size.get()),
                    private_working_set_size: when(0x4, v.private_working_set_size.get()),
                    shared_commit_usage: when(0x4, v.shared_commit_usage.get()),
                    job_shared_commit_usage: when(0x10, v.job_shared_commit_usage.get()),
                    job_private_commit_usage: when(0x10, v.job_private_commit_usage.get()),
                    job_peak_private_commit_usage: when(
                        0x10,
                        v.job_peak_private_commit_usage.get(),
                    ),
                    job_private_commit_limit: when(0x10, v.job_private_commit_limit.get()),
                    job_total_commit_limit: when(0x10, v.job_total_commit_limit.get()),
                }));
            }
        }
        let (v, _) = raw::ProcessVmCounters1::read_from_prefix(b)
            .map_err(|_| bad(st, rva, "shorter than MINIDUMP_PROCESS_VM_COUNTERS_1"))?;
        Ok(Some(ProcessVmCounters {
            revision: rev,
            flags: 0,
            page_fault_count: v.page_fault_count.get(),
            peak_working_set_size: v.peak_working_set_size.get(),
            working_set_size: v.working_set_size.get(),
            quota_peak_paged_pool_usage: v.quota_peak_paged_pool_usage.get(),
            quota_paged_pool_usage: v.quota_paged_pool_usage.get(),
            quota_peak_non_paged_pool_usage: v.quota_peak_non_paged_pool_usage.get(),
            quota_non_paged_pool_usage: v.quota_non_paged_pool_usage.get(),
            pagefile_usage: v.pagefile_usage.get(),
            peak_pagefile_usage: v.peak_pagefile_usage.get(),
            private_usage: v.private_usage.get(),
            ..ProcessVmCounters::default()
        }))
    }
}
