//! Synthetic minidump writer (feature `synth`), for tests, fuzz seeds and benches.
//!
//! The writer is built from the MINIDUMP format description (`minidumpapiset.h`, `winnt.h`)
//! and deliberately shares no layout types with the reader in this crate, the way
//! rust-minidump's `minidump-synth` is independent of `minidump-common`: every record is
//! emitted field by field, so a layout mistake in the reader cannot be mirrored here.
//!
//! A dump is described with the [`SynthDump`] builder and written with [`SynthDump::write`]
//! (to a `Vec<u8>`) or [`SynthDump::write_to`] (streaming to any [`std::io::Write`]). Memory
//! regions can be given as bytes or as a size plus a fill closure, so a multi-gigabyte
//! full-memory dump can be streamed to a file without holding its contents in memory.
//!
//! ```
//! use dumpfile::synth::{SynthArch, SynthDump, SynthModule, SynthThread};
//!
//! let bytes = SynthDump::new(SynthArch::X64)
//!     .thread(SynthThread { id: 0x10, teb: 0x7ff0_0000, ..SynthThread::default() })
//!     .module(SynthModule::new(0x1_4000_0000, 0x5000, "C:\\app.exe"))
//!     .memory(0x1000, vec![0xAB; 0x100])
//!     .write()
//!     .expect("a small dump fits");
//! assert_eq!(&bytes[..4], b"MDMP");
//! ```
//!
//! A full-memory dump streamed without holding its memory (each byte is its address' low byte):
//!
//! ```
//! use dumpfile::synth::{SynthArch, SynthDump};
//!
//! let mut dump = SynthDump::new(SynthArch::X64).full_memory();
//! for i in 0..1000u64 {
//!     let base = 0x10_0000 + i * 0x2000;
//!     dump = dump.memory_fill(base, 0x1000, move |off, buf| {
//!         for (j, b) in buf.iter_mut().enumerate() {
//!             *b = (base + off + j as u64) as u8;
//!         }
//!     });
//! }
//! let written = dump.write_to(std::io::sink()).expect("streams");
//! assert_eq!(written, dump.output_len().expect("fits"));
//! ```
//!
//! File layout produced: the 32-byte header at 0, the stream directory at 32, the stream
//! bodies in the order of [`SynthDump::write_to`]'s documentation, each followed by the
//! records it points to (strings, contexts, CodeView records), and finally the captured
//! memory, 16-byte aligned, regions in the order they were added.

use std::io::Write;
use std::sync::Arc;

mod context;
mod exercise;
pub mod kernel;
pub mod process;

pub use exercise::exercise_reader;

pub use context::{
    Arm64Registers, CONTEXT_AMD64_ALL, CONTEXT_AMD64_SIZE, CONTEXT_ARM64_FULL, CONTEXT_ARM64_SIZE,
    CONTEXT_X86_ALL, CONTEXT_X86_SIZE, SynthContext, X64_RBP, X64_RSP, X64Registers, X86Registers,
};

/// `MINIDUMP_STREAM_TYPE` values used by the writer.
pub mod stream_type {
    /// `ThreadListStream`.
    pub const THREAD_LIST: u32 = 3;
    /// `ModuleListStream`.
    pub const MODULE_LIST: u32 = 4;
    /// `MemoryListStream`.
    pub const MEMORY_LIST: u32 = 5;
    /// `ExceptionStream`.
    pub const EXCEPTION: u32 = 6;
    /// `SystemInfoStream`.
    pub const SYSTEM_INFO: u32 = 7;
    /// `ThreadExListStream`.
    pub const THREAD_EX_LIST: u32 = 8;
    /// `Memory64ListStream`.
    pub const MEMORY64_LIST: u32 = 9;
    /// `CommentStreamA`.
    pub const COMMENT_A: u32 = 10;
    /// `CommentStreamW`.
    pub const COMMENT_W: u32 = 11;
    /// `HandleDataStream`.
    pub const HANDLE_DATA: u32 = 12;
    /// `FunctionTableStream`.
    pub const FUNCTION_TABLE: u32 = 13;
    /// `UnloadedModuleListStream`.
    pub const UNLOADED_MODULE_LIST: u32 = 14;
    /// `MiscInfoStream`.
    pub const MISC_INFO: u32 = 15;
    /// `MemoryInfoListStream`.
    pub const MEMORY_INFO_LIST: u32 = 16;
    /// `ThreadInfoListStream`.
    pub const THREAD_INFO_LIST: u32 = 17;
    /// `TokenStream`.
    pub const TOKEN: u32 = 19;
    /// `SystemMemoryInfoStream`.
    pub const SYSTEM_MEMORY_INFO: u32 = 21;
    /// `ProcessVmCountersStream`.
    pub const PROCESS_VM_COUNTERS: u32 = 22;
    /// `ThreadNamesStream`.
    pub const THREAD_NAMES: u32 = 24;
}

/// `MINIDUMP_SIGNATURE` ("MDMP").
pub const MINIDUMP_SIGNATURE: u32 = 0x504d_444d;
/// `MINIDUMP_VERSION` (low 16 bits of `Version`).
pub const MINIDUMP_VERSION: u32 = 0xa793;
/// `MiniDumpWithFullMemory`, set in the header flags when writing a Memory64List.
pub const MINIDUMP_WITH_FULL_MEMORY: u64 = 0x2;
/// `VS_FIXEDFILEINFO.dwSignature`.
pub const VS_FFI_SIGNATURE: u32 = 0xfeef_04bd;

/// Errors of the writer: the dump cannot be laid out, or the sink failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SynthError {
    /// A 32-bit RVA or size field cannot hold the value (the metadata or a `MemoryList`
    /// region lies beyond 4 GiB).
    #[error("synthetic dump too large: {what} needs {value:#x}, beyond its 32-bit field")]
    TooLarge {
        /// Which field overflowed.
        what: &'static str,
        /// The value that did not fit.
        value: u64,
    },
    /// More exception parameters than `EXCEPTION_MAXIMUM_PARAMETERS` (15).
    #[error("{count} exception parameters, at most 15 fit")]
    TooManyParameters {
        /// The number given.
        count: usize,
    },
    /// The builder cannot write this kind of dump.
    #[error("the synthetic dump builder cannot write {what}")]
    Unsupported {
        /// What was asked for.
        what: &'static str,
    },
    /// The sink returned an error.
    #[error("writing the synthetic dump: {0}")]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, SynthError>;

/// Processor architecture written into SystemInfo (`PROCESSOR_ARCHITECTURE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SynthArch {
    /// `PROCESSOR_ARCHITECTURE_INTEL` (0).
    X86,
    /// `PROCESSOR_ARCHITECTURE_AMD64` (9).
    X64,
    /// `PROCESSOR_ARCHITECTURE_ARM64` (12).
    Arm64,
    /// Any other raw value.
    Other(u16),
}

impl SynthArch {
    /// The raw `ProcessorArchitecture` value.
    #[must_use]
    pub fn raw(self) -> u16 {
        match self {
            Self::X86 => 0,
            Self::X64 => 9,
            Self::Arm64 => 12,
            Self::Other(v) => v,
        }
    }
}

/// SystemInfo fields other than the architecture (which [`SynthDump::new`] sets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSystemInfo {
    /// `ProcessorLevel`.
    pub processor_level: u16,
    /// `ProcessorRevision`.
    pub processor_revision: u16,
    /// `NumberOfProcessors`.
    pub processors: u8,
    /// `ProductType` (1 = workstation).
    pub product_type: u8,
    /// `MajorVersion`.
    pub major: u32,
    /// `MinorVersion`.
    pub minor: u32,
    /// `BuildNumber`.
    pub build: u32,
    /// `PlatformId` (2 = `VER_PLATFORM_WIN32_NT`).
    pub platform_id: u32,
    /// Service-pack string (`CSDVersionRva`); `None` writes RVA 0.
    pub csd_version: Option<String>,
    /// `SuiteMask`.
    pub suite_mask: u16,
    /// The 24-byte `CPU_INFORMATION` union, raw.
    pub cpu: [u8; 24],
}

impl Default for SynthSystemInfo {
    fn default() -> Self {
        Self {
            processor_level: 6,
            processor_revision: 0x5e03,
            processors: 2,
            product_type: 1,
            major: 10,
            minor: 0,
            build: 19041,
            platform_id: 2,
            csd_version: None,
            suite_mask: 0x100,
            cpu: [0; 24],
        }
    }
}

/// The MiscInfo structure version, which fixes `SizeOfInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MiscInfoVersion {
    /// `MINIDUMP_MISC_INFO`, 24 bytes.
    V1,
    /// `MINIDUMP_MISC_INFO_2`, 44 bytes.
    V2,
    /// `MINIDUMP_MISC_INFO_3`, 232 bytes.
    V3,
    /// `MINIDUMP_MISC_INFO_4`, 832 bytes.
    V4,
    /// `MINIDUMP_MISC_INFO_5`, 1364 bytes.
    V5,
}

impl MiscInfoVersion {
    /// `SizeOfInfo` of this version.
    #[must_use]
    pub fn size(self) -> u32 {
        match self {
            Self::V1 => 24,
            Self::V2 => 44,
            Self::V3 => 232,
            Self::V4 => 832,
            Self::V5 => 1364,
        }
    }
}

/// `TIME_ZONE_INFORMATION` plus `TimeZoneId` (MiscInfo v3+).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthTimeZone {
    /// `TimeZoneId` (0 unknown, 1 standard, 2 daylight).
    pub id: u32,
    /// `Bias` in minutes.
    pub bias: i32,
    /// `StandardName` (at most 31 UTF-16 units are kept).
    pub standard_name: String,
    /// `StandardDate` (`SYSTEMTIME`: year, month, day of week, day, hour, minute, second, ms).
    pub standard_date: [u16; 8],
    /// `StandardBias`.
    pub standard_bias: i32,
    /// `DaylightName` (at most 31 UTF-16 units are kept).
    pub daylight_name: String,
    /// `DaylightDate`.
    pub daylight_date: [u16; 8],
    /// `DaylightBias`.
    pub daylight_bias: i32,
}

/// The MiscInfo stream. `Flags1` is computed from which fields are `Some` (unless
/// [`flags1`](Self::flags1) overrides it); fields beyond the chosen version are not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthMiscInfo {
    /// Structure version (size).
    pub version: MiscInfoVersion,
    /// Explicit `Flags1`, instead of the computed one.
    pub flags1: Option<u32>,
    /// `ProcessId` (`MINIDUMP_MISC1_PROCESS_ID`).
    pub process_id: Option<u32>,
    /// `ProcessCreateTime`, `ProcessUserTime`, `ProcessKernelTime` (time_t, seconds, seconds;
    /// `MINIDUMP_MISC1_PROCESS_TIMES`).
    pub process_times: Option<[u32; 3]>,
    /// `ProcessorMaxMhz`, `ProcessorCurrentMhz`, `ProcessorMhzLimit`, `ProcessorMaxIdleState`,
    /// `ProcessorCurrentIdleState` (v2+, `MINIDUMP_MISC1_PROCESSOR_POWER_INFO`).
    pub processor_power: Option<[u32; 5]>,
    /// `ProcessIntegrityLevel` (v3+).
    pub process_integrity_level: Option<u32>,
    /// `ProcessExecuteFlags` (v3+).
    pub process_execute_flags: Option<u32>,
    /// `ProtectedProcess` (v3+).
    pub protected_process: Option<u32>,
    /// Time zone (v3+, `MINIDUMP_MISC3_TIMEZONE`).
    pub time_zone: Option<SynthTimeZone>,
    /// `BuildString` and `DbgBldStr` (v4+, `MINIDUMP_MISC4_BUILDSTRING`; at most 259 and 39
    /// UTF-16 units are kept).
    pub build_strings: Option<(String, String)>,
    /// `ProcessCookie` (v5, `MINIDUMP_MISC5_PROCESS_COOKIE`).
    pub process_cookie: Option<u32>,
}

impl Default for SynthMiscInfo {
    fn default() -> Self {
        Self {
            version: MiscInfoVersion::V5,
            flags1: None,
            process_id: None,
            process_times: None,
            processor_power: None,
            process_integrity_level: None,
            process_execute_flags: None,
            protected_process: None,
            time_zone: None,
            build_strings: None,
            process_cookie: None,
        }
    }
}

impl SynthMiscInfo {
    /// The `Flags1` value written.
    #[must_use]
    pub fn computed_flags1(&self) -> u32 {
        if let Some(f) = self.flags1 {
            return f;
        }
        let v = self.version;
        let mut f = 0;
        let mut set = |cond: bool, bit: u32| {
            if cond {
                f |= bit;
            }
        };
        set(self.process_id.is_some(), 0x1);
        set(self.process_times.is_some(), 0x2);
        set(
            v >= MiscInfoVersion::V2 && self.processor_power.is_some(),
            0x4,
        );
        set(
            v >= MiscInfoVersion::V3 && self.process_integrity_level.is_some(),
            0x10,
        );
        set(
            v >= MiscInfoVersion::V3 && self.process_execute_flags.is_some(),
            0x20,
        );
        set(v >= MiscInfoVersion::V3 && self.time_zone.is_some(), 0x40);
        set(
            v >= MiscInfoVersion::V3 && self.protected_process.is_some(),
            0x80,
        );
        set(
            v >= MiscInfoVersion::V4 && self.build_strings.is_some(),
            0x100,
        );
        set(
            v >= MiscInfoVersion::V5 && self.process_cookie.is_some(),
            0x200,
        );
        f
    }
}

/// The Exception stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthException {
    /// `ThreadId`.
    pub thread_id: u32,
    /// `ExceptionCode`.
    pub code: u32,
    /// `ExceptionFlags`.
    pub flags: u32,
    /// `ExceptionRecord` (address of a nested record).
    pub record: u64,
    /// `ExceptionAddress`.
    pub address: u64,
    /// `ExceptionInformation[..NumberParameters]` (at most 15).
    pub parameters: Vec<u64>,
    /// The context record (`ThreadContext`); `None` writes an empty location.
    pub context: Option<SynthContext>,
}

/// One thread (ThreadList entry).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthThread {
    /// `ThreadId`.
    pub id: u32,
    /// `SuspendCount`.
    pub suspend_count: u32,
    /// `PriorityClass`.
    pub priority_class: u32,
    /// `Priority`.
    pub priority: u32,
    /// `Teb`.
    pub teb: u64,
    /// `Stack.StartOfMemoryRange`.
    pub stack_base: u64,
    /// `Stack.Memory.DataSize`. When `[stack_base, stack_base + stack_size)` lies inside a
    /// memory region of the dump, `Stack.Memory.Rva` points at those bytes; otherwise the
    /// location is written as empty (size 0, RVA 0), as for a stack that was not captured.
    pub stack_size: u64,
    /// `ThreadContext`; `None` writes an empty location.
    pub context: Option<SynthContext>,
}

/// One ThreadExList entry: a thread plus its backing store (IA64 era; usually empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthThreadEx {
    /// The `MINIDUMP_THREAD` part.
    pub thread: SynthThread,
    /// `BackingStore.StartOfMemoryRange`.
    pub backing_store_base: u64,
    /// `BackingStore.Memory.DataSize` (resolved against memory regions like the stack).
    pub backing_store_size: u64,
}

/// One ThreadInfoList entry (`MINIDUMP_THREAD_INFO`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthThreadInfo {
    /// `ThreadId`.
    pub thread_id: u32,
    /// `DumpFlags`.
    pub dump_flags: u32,
    /// `DumpError`.
    pub dump_error: u32,
    /// `ExitStatus`.
    pub exit_status: u32,
    /// `CreateTime` (FILETIME).
    pub create_time: u64,
    /// `ExitTime` (FILETIME).
    pub exit_time: u64,
    /// `KernelTime` (100 ns units).
    pub kernel_time: u64,
    /// `UserTime` (100 ns units).
    pub user_time: u64,
    /// `StartAddress`.
    pub start_address: u64,
    /// `Affinity`.
    pub affinity: u64,
}

/// `VS_FIXEDFILEINFO` of a module (the signature is written for you).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthFixedFileInfo {
    /// `dwStrucVersion`.
    pub struct_version: u32,
    /// `dwFileVersionMS`.
    pub file_version_ms: u32,
    /// `dwFileVersionLS`.
    pub file_version_ls: u32,
    /// `dwProductVersionMS`.
    pub product_version_ms: u32,
    /// `dwProductVersionLS`.
    pub product_version_ls: u32,
    /// `dwFileFlagsMask`.
    pub file_flags_mask: u32,
    /// `dwFileFlags`.
    pub file_flags: u32,
    /// `dwFileOS`.
    pub file_os: u32,
    /// `dwFileType`.
    pub file_type: u32,
    /// `dwFileSubtype`.
    pub file_subtype: u32,
    /// `dwFileDateMS`.
    pub file_date_ms: u32,
    /// `dwFileDateLS`.
    pub file_date_ls: u32,
}

/// A module's CodeView record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SynthCodeView {
    /// `RSDS`: GUID (as stored, Data1..3 little-endian), age, PDB path.
    Pdb70 {
        /// The 16 GUID bytes as they appear in the file.
        guid: [u8; 16],
        /// `Age`.
        age: u32,
        /// PDB file name (written UTF-8, NUL-terminated).
        pdb_name: String,
    },
    /// `NB10`: offset 0, signature, age, PDB path.
    Pdb20 {
        /// `Signature` (a time stamp).
        signature: u32,
        /// `Age`.
        age: u32,
        /// PDB file name (NUL-terminated).
        pdb_name: String,
    },
    /// Any bytes.
    Raw(Vec<u8>),
}

impl SynthCodeView {
    /// The record's bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        match self {
            Self::Pdb70 {
                guid,
                age,
                pdb_name,
            } => {
                b.extend_from_slice(b"RSDS");
                b.extend_from_slice(guid);
                b.extend_from_slice(&age.to_le_bytes());
                b.extend_from_slice(pdb_name.as_bytes());
                b.push(0);
            }
            Self::Pdb20 {
                signature,
                age,
                pdb_name,
            } => {
                b.extend_from_slice(b"NB10");
                b.extend_from_slice(&0u32.to_le_bytes());
                b.extend_from_slice(&signature.to_le_bytes());
                b.extend_from_slice(&age.to_le_bytes());
                b.extend_from_slice(pdb_name.as_bytes());
                b.push(0);
            }
            Self::Raw(r) => b.clone_from(r),
        }
        b
    }
}

/// One ModuleList entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthModule {
    /// `BaseOfImage`.
    pub base: u64,
    /// `SizeOfImage`.
    pub size: u32,
    /// `CheckSum`.
    pub checksum: u32,
    /// `TimeDateStamp`.
    pub time_date_stamp: u32,
    /// Module path (`ModuleNameRva`, a `MINIDUMP_STRING`).
    pub name: String,
    /// `VersionInfo`; `None` writes zeros (no signature).
    pub version: Option<SynthFixedFileInfo>,
    /// `CvRecord`; `None` writes an empty location.
    pub codeview: Option<SynthCodeView>,
    /// `MiscRecord` bytes (e.g. `IMAGE_DEBUG_MISC`); `None` writes an empty location.
    pub misc_record: Option<Vec<u8>>,
}

impl SynthModule {
    /// A module with a base, size and name, and nothing else.
    #[must_use]
    pub fn new(base: u64, size: u32, name: &str) -> Self {
        Self {
            base,
            size,
            name: name.to_owned(),
            ..Self::default()
        }
    }
}

/// One UnloadedModuleList entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthUnloadedModule {
    /// `BaseOfImage`.
    pub base: u64,
    /// `SizeOfImage`.
    pub size: u32,
    /// `CheckSum`.
    pub checksum: u32,
    /// `TimeDateStamp`.
    pub time_date_stamp: u32,
    /// Module path.
    pub name: String,
}

/// One MemoryInfoList entry (`MINIDUMP_MEMORY_INFO`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthMemoryInfo {
    /// `BaseAddress`.
    pub base_address: u64,
    /// `AllocationBase`.
    pub allocation_base: u64,
    /// `AllocationProtect`.
    pub allocation_protect: u32,
    /// `RegionSize`.
    pub region_size: u64,
    /// `State` (`MEM_COMMIT` 0x1000, `MEM_RESERVE` 0x2000, `MEM_FREE` 0x10000).
    pub state: u32,
    /// `Protect`.
    pub protect: u32,
    /// `Type` (`MEM_PRIVATE` 0x20000, `MEM_MAPPED` 0x40000, `MEM_IMAGE` 0x1000000).
    pub type_: u32,
}

/// One HandleData descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthHandle {
    /// `Handle`.
    pub handle: u64,
    /// Type name (`TypeNameRva`); `None` writes RVA 0.
    pub type_name: Option<String>,
    /// Object name (`ObjectNameRva`); `None` writes RVA 0.
    pub object_name: Option<String>,
    /// `Attributes`.
    pub attributes: u32,
    /// `GrantedAccess`.
    pub granted_access: u32,
    /// `HandleCount`.
    pub handle_count: u32,
    /// `PointerCount`.
    pub pointer_count: u32,
    /// The `MINIDUMP_HANDLE_OBJECT_INFORMATION` chain (`InfoType`, data); written only with
    /// version-2 descriptors. `SizeOfInfo` is the data length (the 12-byte header excluded).
    pub object_info: Vec<(u32, Vec<u8>)>,
}

/// One token of the Token stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthToken {
    /// `TokenId`.
    pub token_id: u32,
    /// `TokenHandle`.
    pub token_handle: u64,
    /// The token data following the 16-byte entry header.
    pub data: Vec<u8>,
}

/// One function table of the FunctionTable stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthFunctionTable {
    /// `MinimumAddress`.
    pub minimum_address: u64,
    /// `MaximumAddress`.
    pub maximum_address: u64,
    /// `BaseAddress`.
    pub base_address: u64,
    /// The native descriptor (`SizeOfNativeDescriptor` bytes; shorter is zero-padded).
    pub native_descriptor: Vec<u8>,
    /// The function entries, each `SizeOfFunctionEntry` bytes (shorter are zero-padded).
    pub entries: Vec<Vec<u8>>,
}

/// The FunctionTable stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthFunctionTableStream {
    /// `SizeOfNativeDescriptor` (e.g. 0x50 for an x64 `DYNAMIC_FUNCTION_TABLE`).
    pub native_descriptor_size: u32,
    /// `SizeOfFunctionEntry` (12 for an x64 `RUNTIME_FUNCTION`).
    pub function_entry_size: u32,
    /// The tables.
    pub tables: Vec<SynthFunctionTable>,
}

/// `MINIDUMP_SYSTEM_MEMORY_INFO_1` (the SystemMemoryInfo stream, 492 bytes). Fields not
/// listed are written as zero.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthSystemMemoryInfo {
    /// `Revision` (1).
    pub revision: u16,
    /// `Flags`.
    pub flags: u16,
    /// `BasicInfo.TimerResolution`.
    pub timer_resolution: u32,
    /// `BasicInfo.PageSize`.
    pub page_size: u32,
    /// `BasicInfo.NumberOfPhysicalPages`.
    pub number_of_physical_pages: u32,
    /// `BasicInfo.LowestPhysicalPageNumber`.
    pub lowest_physical_page_number: u32,
    /// `BasicInfo.HighestPhysicalPageNumber`.
    pub highest_physical_page_number: u32,
    /// `BasicInfo.AllocationGranularity`.
    pub allocation_granularity: u32,
    /// `BasicInfo.MinimumUserModeAddress`.
    pub minimum_user_mode_address: u64,
    /// `BasicInfo.MaximumUserModeAddress`.
    pub maximum_user_mode_address: u64,
    /// `BasicInfo.ActiveProcessorsAffinityMask`.
    pub active_processors_affinity_mask: u64,
    /// `BasicInfo.NumberOfProcessors`.
    pub number_of_processors: u32,
    /// `FileCacheInfo.CurrentSize`.
    pub file_cache_current_size: u64,
    /// `FileCacheInfo.PeakSize`.
    pub file_cache_peak_size: u64,
    /// `BasicPerfInfo.AvailablePages`.
    pub available_pages: u64,
    /// `BasicPerfInfo.CommittedPages`.
    pub committed_pages: u64,
    /// `BasicPerfInfo.CommitLimit`.
    pub commit_limit: u64,
    /// `BasicPerfInfo.PeakCommitment`.
    pub peak_commitment: u64,
}

/// `MINIDUMP_PROCESS_VM_COUNTERS_1` (80 bytes) or `_2` (152 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthProcessVmCounters {
    /// `Revision`: 1 writes the 80-byte form, anything else the 152-byte form.
    pub revision: u16,
    /// `Flags` (revision 2 only).
    pub flags: u16,
    /// `PageFaultCount`.
    pub page_fault_count: u32,
    /// `PeakWorkingSetSize`.
    pub peak_working_set_size: u64,
    /// `WorkingSetSize`.
    pub working_set_size: u64,
    /// `QuotaPeakPagedPoolUsage`.
    pub quota_peak_paged_pool_usage: u64,
    /// `QuotaPagedPoolUsage`.
    pub quota_paged_pool_usage: u64,
    /// `QuotaPeakNonPagedPoolUsage`.
    pub quota_peak_non_paged_pool_usage: u64,
    /// `QuotaNonPagedPoolUsage`.
    pub quota_non_paged_pool_usage: u64,
    /// `PagefileUsage`.
    pub pagefile_usage: u64,
    /// `PeakPagefileUsage`.
    pub peak_pagefile_usage: u64,
    /// `PeakVirtualSize` (revision 2).
    pub peak_virtual_size: u64,
    /// `VirtualSize` (revision 2).
    pub virtual_size: u64,
    /// `PrivateUsage`.
    pub private_usage: u64,
    /// `PrivateWorkingSetSize` (revision 2).
    pub private_working_set_size: u64,
    /// `SharedCommitUsage` (revision 2).
    pub shared_commit_usage: u64,
    /// `JobSharedCommitUsage`, `JobPrivateCommitUsage`, `JobPeakPrivateCommitUsage`,
    /// `JobPrivateCommitLimit`, `JobTotalCommitLimit` (revision 2).
    pub job: [u64; 5],
}

/// Which memory list the captured memory goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MemoryStyle {
    /// `MemoryListStream`: one `MINIDUMP_MEMORY_DESCRIPTOR` (32-bit RVA) per region.
    #[default]
    List,
    /// `Memory64ListStream`: full-memory style, consecutive data from `BaseRva`; the header
    /// flags default to `MiniDumpWithFullMemory`.
    Full64,
}

/// The closure type that produces a region's bytes: called with the offset into the region and
/// a buffer to fill, in ascending, non-overlapping chunks.
pub type FillFn = dyn Fn(u64, &mut [u8]) + Send + Sync;

#[derive(Clone)]
enum Contents {
    Bytes(Vec<u8>),
    Fill { size: u64, fill: Arc<FillFn> },
}

impl Contents {
    fn len(&self) -> u64 {
        match self {
            // usize → u64 never truncates on supported targets.
            Self::Bytes(b) => b.len() as u64,
            Self::Fill { size, .. } => *size,
        }
    }
}

impl std::fmt::Debug for Contents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Self::Fill { size, .. } => write!(f, "Fill({size} bytes)"),
        }
    }
}

#[derive(Debug, Clone)]
struct Region {
    base: u64,
    contents: Contents,
}

/// A synthetic minidump under construction. See the [module documentation](self).
#[derive(Debug, Clone)]
pub struct SynthDump {
    arch: SynthArch,
    time_date_stamp: u32,
    flags: Option<u64>,
    version_high: u16,
    system_info: Option<SynthSystemInfo>,
    misc_info: Option<SynthMiscInfo>,
    exception: Option<SynthException>,
    threads: Vec<SynthThread>,
    threads_ex: Vec<SynthThreadEx>,
    thread_infos: Vec<SynthThreadInfo>,
    thread_names: Vec<(u32, String)>,
    modules: Vec<SynthModule>,
    unloaded_modules: Vec<SynthUnloadedModule>,
    memory_info: Vec<SynthMemoryInfo>,
    handles: Vec<SynthHandle>,
    handles_v2: bool,
    comment_a: Option<Vec<u8>>,
    comment_w: Option<String>,
    token: Option<(u32, Vec<SynthToken>)>,
    function_table: Option<SynthFunctionTableStream>,
    system_memory_info: Option<SynthSystemMemoryInfo>,
    process_vm_counters: Option<SynthProcessVmCounters>,
    raw_streams: Vec<(u32, Vec<u8>)>,
    regions: Vec<Region>,
    memory_style: MemoryStyle,
}

/// Where things landed in the metadata part of the file.
struct Layout {
    meta: Vec<u8>,
    data_base: u64,
    total_len: u64,
}

impl SynthDump {
    /// A dump for `arch` with a default SystemInfo stream (Windows 10.0.19041, 2 CPUs) and
    /// nothing else.
    #[must_use]
    pub fn new(arch: SynthArch) -> Self {
        Self {
            arch,
            time_date_stamp: 0x5f00_0000,
            flags: None,
            version_high: 0,
            system_info: Some(SynthSystemInfo::default()),
            misc_info: None,
            exception: None,
            threads: Vec::new(),
            threads_ex: Vec::new(),
            thread_infos: Vec::new(),
            thread_names: Vec::new(),
            modules: Vec::new(),
            unloaded_modules: Vec::new(),
            memory_info: Vec::new(),
            handles: Vec::new(),
            handles_v2: true,
            comment_a: None,
            comment_w: None,
            token: None,
            function_table: None,
            system_memory_info: None,
            process_vm_counters: None,
            raw_streams: Vec::new(),
            regions: Vec::new(),
            memory_style: MemoryStyle::List,
        }
    }

    /// The architecture given to [`new`](Self::new).
    #[must_use]
    pub fn arch(&self) -> SynthArch {
        self.arch
    }

    /// Header `TimeDateStamp` (time_t).
    #[must_use]
    pub fn time_date_stamp(mut self, t: u32) -> Self {
        self.time_date_stamp = t;
        self
    }

    /// Header `Flags` (`MINIDUMP_TYPE`), written exactly as given. Without this call the
    /// flags are 0, or `MiniDumpWithFullMemory` when memory is written as a Memory64List.
    #[must_use]
    pub fn flags(mut self, flags: u64) -> Self {
        self.flags = Some(flags);
        self
    }

    /// The implementation-specific high 16 bits of the header `Version`.
    #[must_use]
    pub fn version_high(mut self, v: u16) -> Self {
        self.version_high = v;
        self
    }

    /// Replace the SystemInfo fields (the architecture stays the one given to `new`).
    #[must_use]
    pub fn system_info(mut self, info: SynthSystemInfo) -> Self {
        self.system_info = Some(info);
        self
    }

    /// Write no SystemInfo stream at all.
    #[must_use]
    pub fn without_system_info(mut self) -> Self {
        self.system_info = None;
        self
    }

    /// Add a MiscInfo stream.
    #[must_use]
    pub fn misc_info(mut self, info: SynthMiscInfo) -> Self {
        self.misc_info = Some(info);
        self
    }

    /// Add an Exception stream.
    #[must_use]
    pub fn exception(mut self, e: SynthException) -> Self {
        self.exception = Some(e);
        self
    }

    /// Add a thread to the ThreadList.
    #[must_use]
    pub fn thread(mut self, t: SynthThread) -> Self {
        self.threads.push(t);
        self
    }

    /// Add a thread to the ThreadExList.
    #[must_use]
    pub fn thread_ex(mut self, t: SynthThreadEx) -> Self {
        self.threads_ex.push(t);
        self
    }

    /// Add an entry to the ThreadInfoList.
    #[must_use]
    pub fn thread_info(mut self, t: SynthThreadInfo) -> Self {
        self.thread_infos.push(t);
        self
    }

    /// Add an entry to the ThreadNames stream.
    #[must_use]
    pub fn thread_name(mut self, thread_id: u32, name: &str) -> Self {
        self.thread_names.push((thread_id, name.to_owned()));
        self
    }

    /// Add a module to the ModuleList.
    #[must_use]
    pub fn module(mut self, m: SynthModule) -> Self {
        self.modules.push(m);
        self
    }

    /// Add a module to the UnloadedModuleList.
    #[must_use]
    pub fn unloaded_module(mut self, m: SynthUnloadedModule) -> Self {
        self.unloaded_modules.push(m);
        self
    }

    /// Add an entry to the MemoryInfoList.
    #[must_use]
    pub fn memory_info(mut self, m: SynthMemoryInfo) -> Self {
        self.memory_info.push(m);
        self
    }

    /// Add a HandleData descriptor.
    #[must_use]
    pub fn handle(mut self, h: SynthHandle) -> Self {
        self.handles.push(h);
        self
    }

    /// Write 32-byte `MINIDUMP_HANDLE_DESCRIPTOR`s (no object information) instead of the
    /// default 40-byte `MINIDUMP_HANDLE_DESCRIPTOR_2`.
    #[must_use]
    pub fn handle_descriptor_v1(mut self) -> Self {
        self.handles_v2 = false;
        self
    }

    /// Add a CommentStreamA (the bytes are written followed by a NUL).
    #[must_use]
    pub fn comment_a(mut self, text: &[u8]) -> Self {
        self.comment_a = Some(text.to_vec());
        self
    }

    /// Add a CommentStreamW (UTF-16LE followed by a NUL unit).
    #[must_use]
    pub fn comment_w(mut self, text: &str) -> Self {
        self.comment_w = Some(text.to_owned());
        self
    }

    /// Add a Token stream; `element_header_size` is the header's `ElementHeaderSize` field
    /// (Windows 7 writes 0x48; the entry header itself is 16 bytes).
    #[must_use]
    pub fn token(mut self, element_header_size: u32, tokens: Vec<SynthToken>) -> Self {
        self.token = Some((element_header_size, tokens));
        self
    }

    /// Add a FunctionTable stream.
    #[must_use]
    pub fn function_table(mut self, f: SynthFunctionTableStream) -> Self {
        self.function_table = Some(f);
        self
    }

    /// Add a SystemMemoryInfo stream.
    #[must_use]
    pub fn system_memory_info(mut self, s: SynthSystemMemoryInfo) -> Self {
        self.system_memory_info = Some(s);
        self
    }

    /// Add a ProcessVmCounters stream.
    #[must_use]
    pub fn process_vm_counters(mut self, c: SynthProcessVmCounters) -> Self {
        self.process_vm_counters = Some(c);
        self
    }

    /// Add a stream with any type and body (written after the typed streams, in order).
    #[must_use]
    pub fn raw_stream(mut self, stream_type: u32, body: Vec<u8>) -> Self {
        self.raw_streams.push((stream_type, body));
        self
    }

    /// Add a captured memory region with these bytes.
    #[must_use]
    pub fn memory(mut self, base: u64, bytes: impl Into<Vec<u8>>) -> Self {
        self.regions.push(Region {
            base,
            contents: Contents::Bytes(bytes.into()),
        });
        self
    }

    /// Add a captured memory region of `size` bytes produced by `fill` while writing (so
    /// [`write_to`](Self::write_to) never holds the region in memory). `fill(offset, buf)`
    /// must fill `buf` with the bytes at `offset` into the region; it may be called more
    /// than once for the same bytes (e.g. by `write` and again by `write_to`) and must then
    /// produce the same bytes.
    #[must_use]
    pub fn memory_fill(
        mut self,
        base: u64,
        size: u64,
        fill: impl Fn(u64, &mut [u8]) + Send + Sync + 'static,
    ) -> Self {
        self.regions.push(Region {
            base,
            contents: Contents::Fill {
                size,
                fill: Arc::new(fill),
            },
        });
        self
    }

    /// Choose MemoryList (default) or Memory64List.
    #[must_use]
    pub fn memory_style(mut self, style: MemoryStyle) -> Self {
        self.memory_style = style;
        self
    }

    /// Shorthand for `memory_style(MemoryStyle::Full64)`.
    #[must_use]
    pub fn full_memory(self) -> Self {
        self.memory_style(MemoryStyle::Full64)
    }

    /// The number of memory regions added.
    #[must_use]
    pub fn region_count(&self) -> usize {
        self.regions.len()
    }

    /// The total size of the file [`write_to`](Self::write_to) produces, computed without
    /// producing the memory contents.
    ///
    /// # Errors
    /// As [`write_to`](Self::write_to), except for I/O.
    pub fn output_len(&self) -> Result<u64> {
        Ok(self.layout()?.total_len)
    }

    /// The whole dump in memory.
    ///
    /// # Errors
    /// [`SynthError::TooLarge`] when a 32-bit field cannot hold an RVA or size.
    pub fn write(&self) -> Result<Vec<u8>> {
        let layout = self.layout()?;
        let mut out = Vec::new();
        if let Ok(n) = usize::try_from(layout.total_len) {
            // The total is what we are about to write ourselves, not untrusted input.
            out.reserve_exact(n);
        }
        self.emit(&layout, &mut out)?;
        Ok(out)
    }

    /// Stream the dump into `w`, producing memory contents chunk by chunk (1 MiB at most in
    /// memory for fill regions). Returns the number of bytes written.
    ///
    /// Streams are written in this order, each only when it has content: SystemInfo,
    /// MiscInfo, ThreadList, ThreadExList, ThreadInfoList, ThreadNames, ModuleList,
    /// UnloadedModuleList, Exception, MemoryInfoList, HandleData, CommentStreamA,
    /// CommentStreamW, Token, FunctionTable, SystemMemoryInfo, ProcessVmCounters, the raw
    /// streams, then MemoryList or Memory64List.
    ///
    /// # Errors
    /// [`SynthError::TooLarge`] when a 32-bit field cannot hold an RVA or size;
    /// [`SynthError::Io`] when `w` fails.
    pub fn write_to(&self, mut w: impl Write) -> Result<u64> {
        let layout = self.layout()?;
        self.emit(&layout, &mut w)?;
        w.flush()?;
        Ok(layout.total_len)
    }

    fn emit(&self, layout: &Layout, w: &mut impl Write) -> Result<()> {
        w.write_all(&layout.meta)?;
        let pad =
            layout
                .data_base
                .checked_sub(len64(&layout.meta))
                .ok_or(SynthError::TooLarge {
                    what: "memory data base",
                    value: layout.data_base,
                })?;
        let pad = usize::try_from(pad).map_err(|_| SynthError::TooLarge {
            what: "padding",
            value: pad,
        })?;
        w.write_all(&vec![0; pad])?;
        let mut chunk = Vec::new();
        for r in &self.regions {
            match &r.contents {
                Contents::Bytes(b) => w.write_all(b)?,
                Contents::Fill { size, fill } => {
                    let mut off = 0u64;
                    while off < *size {
                        let left = size.saturating_sub(off);
                        let n = usize::try_from(left.min(1 << 20)).unwrap_or(1 << 20);
                        chunk.clear();
                        chunk.resize(n, 0);
                        fill(off, &mut chunk);
                        w.write_all(&chunk)?;
                        off = off.saturating_add(len64(&chunk));
                    }
                }
            }
        }
        Ok(())
    }

    fn stream_count(&self) -> usize {
        let flags = [
            self.system_info.is_some(),
            self.misc_info.is_some(),
            !self.threads.is_empty(),
            !self.threads_ex.is_empty(),
            !self.thread_infos.is_empty(),
            !self.thread_names.is_empty(),
            !self.modules.is_empty(),
            !self.unloaded_modules.is_empty(),
            self.exception.is_some(),
            !self.memory_info.is_empty(),
            !self.handles.is_empty(),
            self.comment_a.is_some(),
            self.comment_w.is_some(),
            self.token.is_some(),
            self.function_table.is_some(),
            self.system_memory_info.is_some(),
            self.process_vm_counters.is_some(),
            !self.regions.is_empty(),
        ];
        flags
            .iter()
            .filter(|f| **f)
            .count()
            .saturating_add(self.raw_streams.len())
    }

    /// Lay out every stream; memory RVAs are patched once the data base is known.
    fn layout(&self) -> Result<Layout> {
        let nstreams = self.stream_count();
        let mut b = Buf::default();
        // Header, patched at the end.
        b.zeros(32);
        let dir_pos = b.len();
        b.zeros(nstreams.saturating_mul(12));
        let mut dir: Vec<(u32, u32, u32)> = Vec::new();
        // Fix-ups of (offset of an 8-byte location descriptor, address, size) to resolve
        // against memory regions once their RVAs are known.
        let mut mem_fixups: Vec<(usize, u64, u64)> = Vec::new();

        if let Some(si) = &self.system_info {
            let start = b.begin()?;
            b.u16(self.arch.raw());
            b.u16(si.processor_level);
            b.u16(si.processor_revision);
            b.u8(si.processors);
            b.u8(si.product_type);
            b.u32(si.major);
            b.u32(si.minor);
            b.u32(si.build);
            b.u32(si.platform_id);
            let csd_at = b.len();
            b.u32(0);
            b.u16(si.suite_mask);
            b.u16(0);
            b.bytes(&si.cpu);
            let size = b.end(start)?;
            if let Some(csd) = &si.csd_version {
                let rva = b.string(csd)?;
                b.patch_u32(csd_at, rva);
            }
            dir.push((stream_type::SYSTEM_INFO, size, start));
        }

        if let Some(mi) = &self.misc_info {
            let start = b.begin()?;
            write_misc_info(&mut b, mi);
            let size = b.end(start)?;
            dir.push((stream_type::MISC_INFO, size, start));
        }

        if !self.threads.is_empty() {
            let start = b.begin()?;
            b.u32(count32(self.threads.len(), "thread count")?);
            let mut ctx_at = Vec::new();
            for t in &self.threads {
                let (stack, ctx) = write_thread(&mut b, t);
                mem_fixups.push((stack, t.stack_base, t.stack_size));
                ctx_at.push(ctx);
            }
            let size = b.end(start)?;
            for (t, at) in self.threads.iter().zip(ctx_at) {
                if let Some(c) = &t.context {
                    b.location(at, &c.to_bytes())?;
                }
            }
            dir.push((stream_type::THREAD_LIST, size, start));
        }

        if !self.threads_ex.is_empty() {
            let start = b.begin()?;
            b.u32(count32(self.threads_ex.len(), "thread ex count")?);
            let mut ctx_at = Vec::new();
            for t in &self.threads_ex {
                let (stack, ctx) = write_thread(&mut b, &t.thread);
                mem_fixups.push((stack, t.thread.stack_base, t.thread.stack_size));
                ctx_at.push(ctx);
                b.u64(t.backing_store_base);
                let bs = b.len();
                b.u32(0);
                b.u32(0);
                mem_fixups.push((bs, t.backing_store_base, t.backing_store_size));
            }
            let size = b.end(start)?;
            for (t, at) in self.threads_ex.iter().zip(ctx_at) {
                if let Some(c) = &t.thread.context {
                    b.location(at, &c.to_bytes())?;
                }
            }
            dir.push((stream_type::THREAD_EX_LIST, size, start));
        }

        if !self.thread_infos.is_empty() {
            let start = b.begin()?;
            b.u32(12);
            b.u32(64);
            b.u32(count32(self.thread_infos.len(), "thread info count")?);
            for t in &self.thread_infos {
                b.u32(t.thread_id);
                b.u32(t.dump_flags);
                b.u32(t.dump_error);
                b.u32(t.exit_status);
                b.u64(t.create_time);
                b.u64(t.exit_time);
                b.u64(t.kernel_time);
                b.u64(t.user_time);
                b.u64(t.start_address);
                b.u64(t.affinity);
            }
            let size = b.end(start)?;
            dir.push((stream_type::THREAD_INFO_LIST, size, start));
        }

        if !self.thread_names.is_empty() {
            let start = b.begin()?;
            b.u32(count32(self.thread_names.len(), "thread name count")?);
            let mut at = Vec::new();
            for (id, _) in &self.thread_names {
                b.u32(*id);
                at.push(b.len());
                b.u64(0);
            }
            let size = b.end(start)?;
            for ((_, name), at) in self.thread_names.iter().zip(at) {
                let rva = b.string(name)?;
                b.patch_u64(at, u64::from(rva));
            }
            dir.push((stream_type::THREAD_NAMES, size, start));
        }

        if !self.modules.is_empty() {
            let start = b.begin()?;
            b.u32(count32(self.modules.len(), "module count")?);
            let mut at = Vec::new();
            for m in &self.modules {
                b.u64(m.base);
                b.u32(m.size);
                b.u32(m.checksum);
                b.u32(m.time_date_stamp);
                let name_at = b.len();
                b.u32(0);
                match &m.version {
                    Some(v) => {
                        for x in [
                            VS_FFI_SIGNATURE,
                            v.struct_version,
                            v.file_version_ms,
                            v.file_version_ls,
                            v.product_version_ms,
                            v.product_version_ls,
                            v.file_flags_mask,
                            v.file_flags,
                            v.file_os,
                            v.file_type,
                            v.file_subtype,
                            v.file_date_ms,
                            v.file_date_ls,
                        ] {
                            b.u32(x);
                        }
                    }
                    None => b.zeros(52),
                }
                let cv_at = b.len();
                b.zeros(8);
                let misc_at = b.len();
                b.zeros(8);
                // Reserved0, Reserved1.
                b.zeros(16);
                at.push((name_at, cv_at, misc_at));
            }
            let size = b.end(start)?;
            for (m, (name_at, cv_at, misc_at)) in self.modules.iter().zip(at) {
                let rva = b.string(&m.name)?;
                b.patch_u32(name_at, rva);
                if let Some(cv) = &m.codeview {
                    b.location(cv_at, &cv.to_bytes())?;
                }
                if let Some(misc) = &m.misc_record {
                    b.location(misc_at, misc)?;
                }
            }
            dir.push((stream_type::MODULE_LIST, size, start));
        }

        if !self.unloaded_modules.is_empty() {
            let start = b.begin()?;
            b.u32(12);
            b.u32(24);
            b.u32(count32(
                self.unloaded_modules.len(),
                "unloaded module count",
            )?);
            let mut at = Vec::new();
            for m in &self.unloaded_modules {
                b.u64(m.base);
                b.u32(m.size);
                b.u32(m.checksum);
                b.u32(m.time_date_stamp);
                at.push(b.len());
                b.u32(0);
            }
            let size = b.end(start)?;
            for (m, at) in self.unloaded_modules.iter().zip(at) {
                let rva = b.string(&m.name)?;
                b.patch_u32(at, rva);
            }
            dir.push((stream_type::UNLOADED_MODULE_LIST, size, start));
        }

        if let Some(e) = &self.exception {
            if e.parameters.len() > 15 {
                return Err(SynthError::TooManyParameters {
                    count: e.parameters.len(),
                });
            }
            let start = b.begin()?;
            b.u32(e.thread_id);
            b.u32(0);
            b.u32(e.code);
            b.u32(e.flags);
            b.u64(e.record);
            b.u64(e.address);
            b.u32(count32(e.parameters.len(), "exception parameters")?);
            b.u32(0);
            for i in 0..15 {
                b.u64(e.parameters.get(i).copied().unwrap_or(0));
            }
            let ctx_at = b.len();
            b.zeros(8);
            let size = b.end(start)?;
            if let Some(c) = &e.context {
                b.location(ctx_at, &c.to_bytes())?;
            }
            dir.push((stream_type::EXCEPTION, size, start));
        }

        if !self.memory_info.is_empty() {
            let start = b.begin()?;
            b.u32(16);
            b.u32(48);
            b.u64(len64(&self.memory_info));
            for m in &self.memory_info {
                b.u64(m.base_address);
                b.u64(m.allocation_base);
                b.u32(m.allocation_protect);
                b.u32(0);
                b.u64(m.region_size);
                b.u32(m.state);
                b.u32(m.protect);
                b.u32(m.type_);
                b.u32(0);
            }
            let size = b.end(start)?;
            dir.push((stream_type::MEMORY_INFO_LIST, size, start));
        }

        if !self.handles.is_empty() {
            let start = b.begin()?;
            b.u32(16);
            b.u32(if self.handles_v2 { 40 } else { 32 });
            b.u32(count32(self.handles.len(), "handle count")?);
            b.u32(0);
            let mut at = Vec::new();
            for h in &self.handles {
                b.u64(h.handle);
                let names = b.len();
                b.u32(0);
                b.u32(0);
                b.u32(h.attributes);
                b.u32(h.granted_access);
                b.u32(h.handle_count);
                b.u32(h.pointer_count);
                let info = b.len();
                if self.handles_v2 {
                    b.u32(0);
                    b.u32(0);
                }
                at.push((names, info));
            }
            let size = b.end(start)?;
            for (h, (names, info)) in self.handles.iter().zip(at) {
                if let Some(t) = &h.type_name {
                    let rva = b.string(t)?;
                    b.patch_u32(names, rva);
                }
                if let Some(o) = &h.object_name {
                    let rva = b.string(o)?;
                    b.patch_u32(names.saturating_add(4), rva);
                }
                if self.handles_v2 {
                    // Chain: each record's NextInfoRva is patched with the following one.
                    let mut link = info;
                    for (info_type, data) in &h.object_info {
                        b.align(4);
                        let rva = b.rva()?;
                        b.patch_u32(link, rva);
                        link = b.len();
                        b.u32(0);
                        b.u32(*info_type);
                        b.u32(count32(data.len(), "object information size")?);
                        b.bytes(data);
                    }
                }
            }
            dir.push((stream_type::HANDLE_DATA, size, start));
        }

        if let Some(text) = &self.comment_a {
            let start = b.begin()?;
            b.bytes(text);
            b.u8(0);
            let size = b.end(start)?;
            dir.push((stream_type::COMMENT_A, size, start));
        }

        if let Some(text) = &self.comment_w {
            let start = b.begin()?;
            for u in text.encode_utf16() {
                b.u16(u);
            }
            b.u16(0);
            let size = b.end(start)?;
            dir.push((stream_type::COMMENT_W, size, start));
        }

        if let Some((element_header_size, tokens)) = &self.token {
            let start = b.begin()?;
            let size_at = b.len();
            b.u32(0);
            b.u32(count32(tokens.len(), "token count")?);
            b.u32(16);
            b.u32(*element_header_size);
            for t in tokens {
                let entry = data_len(16, t.data.len())?;
                b.u32(entry);
                b.u32(t.token_id);
                b.u64(t.token_handle);
                b.bytes(&t.data);
            }
            let size = b.end(start)?;
            b.patch_u32(size_at, size);
            dir.push((stream_type::TOKEN, size, start));
        }

        if let Some(ft) = &self.function_table {
            let start = b.begin()?;
            b.u32(24);
            b.u32(32);
            b.u32(ft.native_descriptor_size);
            b.u32(ft.function_entry_size);
            b.u32(count32(ft.tables.len(), "function table count")?);
            b.u32(0);
            let native = usize::try_from(ft.native_descriptor_size).unwrap_or(usize::MAX);
            let entry = usize::try_from(ft.function_entry_size).unwrap_or(usize::MAX);
            for t in &ft.tables {
                b.u64(t.minimum_address);
                b.u64(t.maximum_address);
                b.u64(t.base_address);
                b.u32(count32(t.entries.len(), "function entry count")?);
                b.u32(0);
                b.fixed(&t.native_descriptor, native);
                for e in &t.entries {
                    b.fixed(e, entry);
                }
            }
            let size = b.end(start)?;
            dir.push((stream_type::FUNCTION_TABLE, size, start));
        }

        if let Some(s) = &self.system_memory_info {
            let start = b.begin()?;
            write_system_memory_info(&mut b, s);
            let size = b.end(start)?;
            dir.push((stream_type::SYSTEM_MEMORY_INFO, size, start));
        }

        if let Some(c) = &self.process_vm_counters {
            let start = b.begin()?;
            write_vm_counters(&mut b, c);
            let size = b.end(start)?;
            dir.push((stream_type::PROCESS_VM_COUNTERS, size, start));
        }

        for (ty, body) in &self.raw_streams {
            let start = b.begin()?;
            b.bytes(body);
            let size = b.end(start)?;
            dir.push((*ty, size, start));
        }

        // Memory list last; descriptors patched below.
        let mut desc_at = Vec::new();
        let mut base_rva_at = None;
        if !self.regions.is_empty() {
            let start = b.begin()?;
            match self.memory_style {
                MemoryStyle::List => {
                    b.u32(count32(self.regions.len(), "memory range count")?);
                    for r in &self.regions {
                        b.u64(r.base);
                        desc_at.push(b.len());
                        b.zeros(8);
                    }
                }
                MemoryStyle::Full64 => {
                    b.u64(len64(&self.regions));
                    base_rva_at = Some(b.len());
                    b.u64(0);
                    for r in &self.regions {
                        b.u64(r.base);
                        b.u64(r.contents.len());
                    }
                }
            }
            let size = b.end(start)?;
            let ty = match self.memory_style {
                MemoryStyle::List => stream_type::MEMORY_LIST,
                MemoryStyle::Full64 => stream_type::MEMORY64_LIST,
            };
            dir.push((ty, size, start));
        }

        // Memory data.
        b.align(16);
        let data_base = len64(&b.0);
        let mut rvas = Vec::with_capacity(self.regions.len());
        let mut cur = data_base;
        for r in &self.regions {
            rvas.push(cur);
            cur = cur
                .checked_add(r.contents.len())
                .ok_or(SynthError::TooLarge {
                    what: "file size",
                    value: u64::MAX,
                })?;
        }
        let total_len = cur;
        for ((r, rva), at) in self.regions.iter().zip(&rvas).zip(&desc_at) {
            let size = r.contents.len();
            b.patch_u32(*at, u32_field(size, "memory range size")?);
            b.patch_u32(at.saturating_add(4), u32_field(*rva, "memory range RVA")?);
        }
        if let Some(at) = base_rva_at {
            b.patch_u64(at, data_base);
        }
        // Stack and backing-store locations.
        let mut sorted: Vec<(u64, u64, u64)> = self
            .regions
            .iter()
            .zip(&rvas)
            .map(|(r, rva)| (r.base, r.contents.len(), *rva))
            .collect();
        sorted.sort_unstable();
        for (at, addr, size) in mem_fixups {
            if let Some(rva) = resolve(&sorted, addr, size) {
                b.patch_u32(at, u32_field(size, "stack size")?);
                b.patch_u32(at.saturating_add(4), u32_field(rva, "stack RVA")?);
            }
        }

        // Directory and header.
        for (i, (ty, size, rva)) in dir.iter().enumerate() {
            let at = i.saturating_mul(12).saturating_add(dir_pos);
            b.patch_u32(at, *ty);
            b.patch_u32(at.saturating_add(4), *size);
            b.patch_u32(at.saturating_add(8), *rva);
        }
        let flags = self.flags.unwrap_or(
            if self.memory_style == MemoryStyle::Full64 && !self.regions.is_empty() {
                MINIDUMP_WITH_FULL_MEMORY
            } else {
                0
            },
        );
        b.patch_u32(0, MINIDUMP_SIGNATURE);
        b.patch_u32(4, MINIDUMP_VERSION | (u32::from(self.version_high) << 16));
        b.patch_u32(8, count32(dir.len(), "stream count")?);
        b.patch_u32(12, count32(dir_pos, "directory RVA")?);
        b.patch_u32(16, 0);
        b.patch_u32(20, self.time_date_stamp);
        b.patch_u64(24, flags);
        Ok(Layout {
            meta: b.0,
            data_base,
            total_len,
        })
    }
}

/// The RVA of `[addr, addr + size)` if it lies inside one region (`sorted` by base).
fn resolve(sorted: &[(u64, u64, u64)], addr: u64, size: u64) -> Option<u64> {
    if size == 0 {
        return None;
    }
    let idx = sorted.partition_point(|(base, _, _)| *base <= addr);
    let (base, len, rva) = sorted.get(idx.checked_sub(1)?)?;
    let off = addr.checked_sub(*base)?;
    let end = off.checked_add(size)?;
    (end <= *len).then(|| rva.checked_add(off)).flatten()
}

/// Writes a 48-byte `MINIDUMP_THREAD`; returns the offsets of the stack and context locations.
fn write_thread(b: &mut Buf, t: &SynthThread) -> (usize, usize) {
    b.u32(t.id);
    b.u32(t.suspend_count);
    b.u32(t.priority_class);
    b.u32(t.priority);
    b.u64(t.teb);
    b.u64(t.stack_base);
    let stack = b.len();
    b.zeros(8);
    let ctx = b.len();
    b.zeros(8);
    (stack, ctx)
}

fn write_misc_info(b: &mut Buf, mi: &SynthMiscInfo) {
    let v = mi.version;
    b.u32(v.size());
    b.u32(mi.computed_flags1());
    b.u32(mi.process_id.unwrap_or(0));
    for t in mi.process_times.unwrap_or([0; 3]) {
        b.u32(t);
    }
    if v >= MiscInfoVersion::V2 {
        for p in mi.processor_power.unwrap_or([0; 5]) {
            b.u32(p);
        }
    }
    if v >= MiscInfoVersion::V3 {
        b.u32(mi.process_integrity_level.unwrap_or(0));
        b.u32(mi.process_execute_flags.unwrap_or(0));
        b.u32(mi.protected_process.unwrap_or(0));
        let tz = mi.time_zone.clone().unwrap_or_default();
        b.u32(tz.id);
        b.i32(tz.bias);
        b.wide_fixed(&tz.standard_name, 32);
        for x in tz.standard_date {
            b.u16(x);
        }
        b.i32(tz.standard_bias);
        b.wide_fixed(&tz.daylight_name, 32);
        for x in tz.daylight_date {
            b.u16(x);
        }
        b.i32(tz.daylight_bias);
    }
    if v >= MiscInfoVersion::V4 {
        let (build, dbg) = mi.build_strings.clone().unwrap_or_default();
        b.wide_fixed(&build, 260);
        b.wide_fixed(&dbg, 40);
    }
    if v >= MiscInfoVersion::V5 {
        // XSTATE_CONFIG_FEATURE_MSC_INFO: SizeOfInfo, ContextSize, EnabledFeatures,
        // Features[64] — written as zero.
        b.zeros(528);
        b.u32(mi.process_cookie.unwrap_or(0));
    }
}

fn write_system_memory_info(b: &mut Buf, s: &SynthSystemMemoryInfo) {
    b.u16(s.revision);
    b.u16(s.flags);
    // MINIDUMP_SYSTEM_BASIC_INFORMATION (52 bytes).
    b.u32(s.timer_resolution);
    b.u32(s.page_size);
    b.u32(s.number_of_physical_pages);
    b.u32(s.lowest_physical_page_number);
    b.u32(s.highest_physical_page_number);
    b.u32(s.allocation_granularity);
    b.u64(s.minimum_user_mode_address);
    b.u64(s.maximum_user_mode_address);
    b.u64(s.active_processors_affinity_mask);
    b.u32(s.number_of_processors);
    // MINIDUMP_SYSTEM_FILECACHE_INFORMATION (60 bytes).
    b.u64(s.file_cache_current_size);
    b.u64(s.file_cache_peak_size);
    b.zeros(60 - 16);
    // MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION (32 bytes).
    b.u64(s.available_pages);
    b.u64(s.committed_pages);
    b.u64(s.commit_limit);
    b.u64(s.peak_commitment);
    // MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION (344 bytes), zero.
    b.zeros(344);
}

fn write_vm_counters(b: &mut Buf, c: &SynthProcessVmCounters) {
    b.u16(c.revision);
    if c.revision == 1 {
        b.u16(0);
    } else {
        b.u16(c.flags);
    }
    b.u32(c.page_fault_count);
    for v in [
        c.peak_working_set_size,
        c.working_set_size,
        c.quota_peak_paged_pool_usage,
        c.quota_paged_pool_usage,
        c.quota_peak_non_paged_pool_usage,
        c.quota_non_paged_pool_usage,
        c.pagefile_usage,
        c.peak_pagefile_usage,
    ] {
        b.u64(v);
    }
    if c.revision == 1 {
        b.u64(c.private_usage);
        return;
    }
    b.u64(c.peak_virtual_size);
    b.u64(c.virtual_size);
    b.u64(c.private_usage);
    b.u64(c.private_working_set_size);
    b.u64(c.shared_commit_usage);
    for j in c.job {
        b.u64(j);
    }
}

fn len64<T>(s: &[T]) -> u64 {
    u64::try_from(s.len()).unwrap_or(u64::MAX)
}

fn count32(n: usize, what: &'static str) -> Result<u32> {
    u32::try_from(n).map_err(|_| SynthError::TooLarge {
        what,
        value: u64::try_from(n).unwrap_or(u64::MAX),
    })
}

fn u32_field(v: u64, what: &'static str) -> Result<u32> {
    u32::try_from(v).map_err(|_| SynthError::TooLarge { what, value: v })
}

fn data_len(header: usize, data: usize) -> Result<u32> {
    count32(header.saturating_add(data), "record size")
}

/// The metadata buffer, with little-endian pushes and patches.
#[derive(Default)]
struct Buf(Vec<u8>);

impl Buf {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn rva(&self) -> Result<u32> {
        count32(self.0.len(), "metadata RVA")
    }
    /// Aligns to 8 and returns the RVA of a new stream.
    fn begin(&mut self) -> Result<u32> {
        self.align(8);
        self.rva()
    }
    /// The size of a stream that began at `start`.
    fn end(&self, start: u32) -> Result<u32> {
        Ok(self.rva()?.saturating_sub(start))
    }
    fn align(&mut self, a: usize) {
        while !self.0.len().is_multiple_of(a) {
            self.0.push(0);
        }
    }
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
    fn zeros(&mut self, n: usize) {
        self.0.resize(self.0.len().saturating_add(n), 0);
    }
    /// `v` cut or zero-padded to exactly `n` bytes.
    fn fixed(&mut self, v: &[u8], n: usize) {
        let take = v.get(..n).unwrap_or(v);
        self.bytes(take);
        self.zeros(n.saturating_sub(take.len()));
    }
    /// A NUL-terminated UTF-16 array of `units` units (the text is cut to `units - 1`).
    fn wide_fixed(&mut self, s: &str, units: usize) {
        let mut n = 0usize;
        for u in s.encode_utf16().take(units.saturating_sub(1)) {
            self.u16(u);
            n = n.saturating_add(1);
        }
        self.zeros(units.saturating_sub(n).saturating_mul(2));
    }
    fn patch(&mut self, at: usize, v: &[u8]) {
        if let Some(dst) = self.0.get_mut(at..).and_then(|s| s.get_mut(..v.len())) {
            dst.copy_from_slice(v);
        }
    }
    fn patch_u32(&mut self, at: usize, v: u32) {
        self.patch(at, &v.to_le_bytes());
    }
    fn patch_u64(&mut self, at: usize, v: u64) {
        self.patch(at, &v.to_le_bytes());
    }
    /// Appends a `MINIDUMP_STRING` (4-aligned) and returns its RVA.
    fn string(&mut self, s: &str) -> Result<u32> {
        self.align(4);
        let rva = self.rva()?;
        let units: Vec<u16> = s.encode_utf16().collect();
        self.u32(count32(units.len().saturating_mul(2), "string length")?);
        for u in units {
            self.u16(u);
        }
        self.u16(0);
        Ok(rva)
    }
    /// Appends `data` (4-aligned) and patches the location descriptor at `at` with it.
    fn location(&mut self, at: usize, data: &[u8]) -> Result<()> {
        self.align(4);
        let rva = self.rva()?;
        self.bytes(data);
        self.patch_u32(at, count32(data.len(), "record size")?);
        self.patch_u32(at.saturating_add(4), rva);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
