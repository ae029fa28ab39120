//! Raw on-disk layouts of the minidump format (`minidumpapiset.h`), as zerocopy
//! `Unaligned` little-endian structs.
//!
//! These are the exact bytes of the file. They are public for power users and fuzzers; the
//! friendly, validated types live at the crate root. Every struct has its size pinned by a
//! compile-time assertion. Names follow the Windows SDK, in Rust case.

use zerocopy::little_endian::{I32, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `MDMP`, the minidump signature, as a little-endian `u32`.
pub const MINIDUMP_SIGNATURE: u32 = 0x504d_444d;
/// The low 16 bits of `MINIDUMP_HEADER.Version`.
pub const MINIDUMP_VERSION: u16 = 0xa793;
/// `VS_FIXEDFILEINFO.dwSignature`.
pub const VS_FFI_SIGNATURE: u32 = 0xfeef_04bd;
/// `RSDS`: CodeView 7.0 (PDB 7) record signature.
pub const CV_SIGNATURE_RSDS: u32 = 0x5344_5352;
/// `NB10`: CodeView 2.0 (PDB 2) record signature.
pub const CV_SIGNATURE_NB10: u32 = 0x3031_424e;

/// `MINIDUMP_HEADER` (32 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Header {
    /// `MDMP`.
    pub signature: U32,
    /// Low word 0xa793, high word implementation specific.
    pub version: U32,
    /// Entries in the stream directory.
    pub number_of_streams: U32,
    /// File offset of the stream directory.
    pub stream_directory_rva: U32,
    /// Checksum (usually 0).
    pub checksum: U32,
    /// Time of the dump, seconds since 1970 (`time_t`).
    pub time_date_stamp: U32,
    /// `MINIDUMP_TYPE` flags.
    pub flags: U64,
}
const _: () = assert!(size_of::<Header>() == 32);

/// `MINIDUMP_LOCATION_DESCRIPTOR` (8 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LocationDescriptor {
    /// Size in bytes.
    pub data_size: U32,
    /// File offset.
    pub rva: U32,
}
const _: () = assert!(size_of::<LocationDescriptor>() == 8);

/// `MINIDUMP_DIRECTORY` (12 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Directory {
    /// `MINIDUMP_STREAM_TYPE`.
    pub stream_type: U32,
    /// Where the stream is.
    pub location: LocationDescriptor,
}
const _: () = assert!(size_of::<Directory>() == 12);

/// `MINIDUMP_MEMORY_DESCRIPTOR` (16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MemoryDescriptor {
    /// Virtual address of the first byte.
    pub start_of_memory_range: U64,
    /// The captured bytes.
    pub memory: LocationDescriptor,
}
const _: () = assert!(size_of::<MemoryDescriptor>() == 16);

/// `MINIDUMP_MEMORY_DESCRIPTOR64` (16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MemoryDescriptor64 {
    /// Virtual address of the first byte.
    pub start_of_memory_range: U64,
    /// Size in bytes; the data follows the previous range's in the file.
    pub data_size: U64,
}
const _: () = assert!(size_of::<MemoryDescriptor64>() == 16);

/// `MINIDUMP_MEMORY64_LIST` header (16 bytes), followed by the descriptors.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Memory64ListHeader {
    /// Number of descriptors.
    pub number_of_memory_ranges: U64,
    /// File offset of the first range's data.
    pub base_rva: U64,
}
const _: () = assert!(size_of::<Memory64ListHeader>() == 16);

/// `MINIDUMP_SYSTEM_INFO` (56 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SystemInfo {
    /// `PROCESSOR_ARCHITECTURE_*`.
    pub processor_architecture: U16,
    /// Processor level (family).
    pub processor_level: U16,
    /// Processor revision (model/stepping).
    pub processor_revision: U16,
    /// Number of processors.
    pub number_of_processors: u8,
    /// `VER_NT_*` product type.
    pub product_type: u8,
    /// OS major version.
    pub major_version: U32,
    /// OS minor version.
    pub minor_version: U32,
    /// OS build number.
    pub build_number: U32,
    /// `VER_PLATFORM_*`.
    pub platform_id: U32,
    /// RVA of a `MINIDUMP_STRING` with the service pack.
    pub csd_version_rva: U32,
    /// `VER_SUITE_*`.
    pub suite_mask: U16,
    /// Reserved.
    pub reserved2: U16,
    /// `CPU_INFORMATION` union (x86: vendor id, version, features, AMD features; other:
    /// two `u64` feature words).
    pub cpu: [u8; 24],
}
const _: () = assert!(size_of::<SystemInfo>() == 56);

/// `MINIDUMP_THREAD` (48 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Thread {
    /// Thread id.
    pub thread_id: U32,
    /// Suspend count.
    pub suspend_count: U32,
    /// Priority class.
    pub priority_class: U32,
    /// Priority.
    pub priority: U32,
    /// Address of the thread environment block.
    pub teb: U64,
    /// The captured stack.
    pub stack: MemoryDescriptor,
    /// The thread context.
    pub thread_context: LocationDescriptor,
}
const _: () = assert!(size_of::<Thread>() == 48);

/// `MINIDUMP_THREAD_EX` (64 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ThreadEx {
    /// The `MINIDUMP_THREAD` part.
    pub thread: Thread,
    /// IA-64 backing store.
    pub backing_store: MemoryDescriptor,
}
const _: () = assert!(size_of::<ThreadEx>() == 64);

/// `VS_FIXEDFILEINFO` (52 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct FixedFileInfo {
    /// 0xfeef04bd when present.
    pub signature: U32,
    /// Structure version.
    pub struc_version: U32,
    /// File version, high dword.
    pub file_version_ms: U32,
    /// File version, low dword.
    pub file_version_ls: U32,
    /// Product version, high dword.
    pub product_version_ms: U32,
    /// Product version, low dword.
    pub product_version_ls: U32,
    /// Valid bits of `file_flags`.
    pub file_flags_mask: U32,
    /// `VS_FF_*`.
    pub file_flags: U32,
    /// `VOS_*`.
    pub file_os: U32,
    /// `VFT_*`.
    pub file_type: U32,
    /// `VFT2_*`.
    pub file_subtype: U32,
    /// File date, high dword.
    pub file_date_ms: U32,
    /// File date, low dword.
    pub file_date_ls: U32,
}
const _: () = assert!(size_of::<FixedFileInfo>() == 52);

/// `MINIDUMP_MODULE` (108 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct Module {
    /// Load address.
    pub base_of_image: U64,
    /// Size of the image in memory.
    pub size_of_image: U32,
    /// PE checksum.
    pub check_sum: U32,
    /// PE `TimeDateStamp`.
    pub time_date_stamp: U32,
    /// RVA of a `MINIDUMP_STRING` with the path.
    pub module_name_rva: U32,
    /// Version resource.
    pub version_info: FixedFileInfo,
    /// CodeView record.
    pub cv_record: LocationDescriptor,
    /// `IMAGE_DEBUG_MISC` record.
    pub misc_record: LocationDescriptor,
    /// Reserved.
    pub reserved0: U64,
    /// Reserved.
    pub reserved1: U64,
}
const _: () = assert!(size_of::<Module>() == 108);

/// `CV_INFO_PDB70` fixed part (24 bytes), followed by the NUL-terminated PDB path.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CvInfoPdb70 {
    /// `RSDS`.
    pub cv_signature: U32,
    /// GUID: Data1 (LE u32), Data2 (LE u16), Data3 (LE u16), Data4 (8 bytes).
    pub signature: [u8; 16],
    /// Age.
    pub age: U32,
}
const _: () = assert!(size_of::<CvInfoPdb70>() == 24);

/// `CV_INFO_PDB20` fixed part (16 bytes), followed by the NUL-terminated PDB path.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct CvInfoPdb20 {
    /// `NB10`.
    pub cv_signature: U32,
    /// Offset (always 0).
    pub offset: U32,
    /// Time-stamp signature.
    pub signature: U32,
    /// Age.
    pub age: U32,
}
const _: () = assert!(size_of::<CvInfoPdb20>() == 16);

/// `MINIDUMP_UNLOADED_MODULE_LIST` / `MINIDUMP_THREAD_INFO_LIST` header (12 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ListHeader32 {
    /// Size of this header.
    pub size_of_header: U32,
    /// Size of one entry.
    pub size_of_entry: U32,
    /// Number of entries.
    pub number_of_entries: U32,
}
const _: () = assert!(size_of::<ListHeader32>() == 12);

/// `MINIDUMP_MEMORY_INFO_LIST` header (16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ListHeader64 {
    /// Size of this header.
    pub size_of_header: U32,
    /// Size of one entry.
    pub size_of_entry: U32,
    /// Number of entries.
    pub number_of_entries: U64,
}
const _: () = assert!(size_of::<ListHeader64>() == 16);

/// `MINIDUMP_UNLOADED_MODULE` (24 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct UnloadedModule {
    /// Load address.
    pub base_of_image: U64,
    /// Size of the image.
    pub size_of_image: U32,
    /// PE checksum.
    pub check_sum: U32,
    /// PE `TimeDateStamp`.
    pub time_date_stamp: U32,
    /// RVA of a `MINIDUMP_STRING`.
    pub module_name_rva: U32,
}
const _: () = assert!(size_of::<UnloadedModule>() == 24);

/// `MINIDUMP_MEMORY_INFO` (48 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MemoryInfo {
    /// Region base.
    pub base_address: U64,
    /// Allocation base.
    pub allocation_base: U64,
    /// Protection at allocation.
    pub allocation_protect: U32,
    /// Padding.
    pub alignment1: U32,
    /// Region size.
    pub region_size: U64,
    /// `MEM_COMMIT`/`MEM_RESERVE`/`MEM_FREE`.
    pub state: U32,
    /// Current protection.
    pub protect: U32,
    /// `MEM_IMAGE`/`MEM_MAPPED`/`MEM_PRIVATE`.
    pub type_: U32,
    /// Padding.
    pub alignment2: U32,
}
const _: () = assert!(size_of::<MemoryInfo>() == 48);

/// `MINIDUMP_THREAD_INFO` (64 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ThreadInfo {
    /// Thread id.
    pub thread_id: U32,
    /// `MINIDUMP_THREAD_INFO_*` flags.
    pub dump_flags: U32,
    /// HRESULT of the failure to dump the thread, if any.
    pub dump_error: U32,
    /// Exit status.
    pub exit_status: U32,
    /// FILETIME of creation.
    pub create_time: U64,
    /// FILETIME of exit.
    pub exit_time: U64,
    /// Kernel time (100 ns units).
    pub kernel_time: U64,
    /// User time (100 ns units).
    pub user_time: U64,
    /// Start address.
    pub start_address: U64,
    /// Affinity mask.
    pub affinity: U64,
}
const _: () = assert!(size_of::<ThreadInfo>() == 64);

/// `MINIDUMP_THREAD_NAME` (12 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ThreadName {
    /// Thread id.
    pub thread_id: U32,
    /// RVA (64-bit) of a `MINIDUMP_STRING`.
    pub rva_of_thread_name: U64,
}
const _: () = assert!(size_of::<ThreadName>() == 12);

/// `MINIDUMP_EXCEPTION_STREAM` (168 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ExceptionStream {
    /// Faulting thread.
    pub thread_id: U32,
    /// Padding.
    pub alignment: U32,
    /// `ExceptionCode`.
    pub exception_code: U32,
    /// `ExceptionFlags`.
    pub exception_flags: U32,
    /// Address of a chained `EXCEPTION_RECORD`.
    pub exception_record: U64,
    /// Faulting address.
    pub exception_address: U64,
    /// Number of valid parameters.
    pub number_parameters: U32,
    /// Padding.
    pub unused_alignment: U32,
    /// Parameters.
    pub exception_information: [U64; 15],
    /// Context of the thread at the time of the exception.
    pub thread_context: LocationDescriptor,
}
const _: () = assert!(size_of::<ExceptionStream>() == 168);

/// `MINIDUMP_MISC_INFO` (version 1, 24 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MiscInfo1 {
    /// Size of the structure (which version).
    pub size_of_info: U32,
    /// `MINIDUMP_MISC1_*` validity flags.
    pub flags1: U32,
    /// Process id.
    pub process_id: U32,
    /// Creation time, `time_t`.
    pub process_create_time: U32,
    /// User time, seconds.
    pub process_user_time: U32,
    /// Kernel time, seconds.
    pub process_kernel_time: U32,
}
const _: () = assert!(size_of::<MiscInfo1>() == 24);

/// `MINIDUMP_MISC_INFO_2` extension (20 bytes after v1).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MiscInfo2Ext {
    /// Max MHz.
    pub processor_max_mhz: U32,
    /// Current MHz.
    pub processor_current_mhz: U32,
    /// MHz limit.
    pub processor_mhz_limit: U32,
    /// Max idle state.
    pub processor_max_idle_state: U32,
    /// Current idle state.
    pub processor_current_idle_state: U32,
}
const _: () = assert!(size_of::<MiscInfo2Ext>() == 20);

/// `SYSTEMTIME` (16 bytes).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub struct SystemTime {
    /// Year.
    pub year: U16,
    /// Month.
    pub month: U16,
    /// Day of week.
    pub day_of_week: U16,
    /// Day.
    pub day: U16,
    /// Hour.
    pub hour: U16,
    /// Minute.
    pub minute: U16,
    /// Second.
    pub second: U16,
    /// Milliseconds.
    pub milliseconds: U16,
}
const _: () = assert!(size_of::<SystemTime>() == 16);

/// `TIME_ZONE_INFORMATION` (172 bytes).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned,
)]
#[repr(C)]
pub struct TimeZoneInformation {
    /// Bias in minutes (UTC = local + bias).
    pub bias: I32,
    /// Standard time name, UTF-16.
    pub standard_name: [U16; 32],
    /// Start of standard time.
    pub standard_date: SystemTime,
    /// Standard bias.
    pub standard_bias: I32,
    /// Daylight time name, UTF-16.
    pub daylight_name: [U16; 32],
    /// Start of daylight time.
    pub daylight_date: SystemTime,
    /// Daylight bias.
    pub daylight_bias: I32,
}
const _: () = assert!(size_of::<TimeZoneInformation>() == 172);

/// `MINIDUMP_MISC_INFO_3` extension (188 bytes after v2).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MiscInfo3Ext {
    /// Integrity level.
    pub process_integrity_level: U32,
    /// Execute flags (DEP).
    pub process_execute_flags: U32,
    /// Protected process.
    pub protected_process: U32,
    /// `TIME_ZONE_ID_*`.
    pub time_zone_id: U32,
    /// Time zone.
    pub time_zone: TimeZoneInformation,
}
const _: () = assert!(size_of::<MiscInfo3Ext>() == 188);

/// `MINIDUMP_MISC_INFO_4` extension (600 bytes after v3).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MiscInfo4Ext {
    /// OS build string, UTF-16.
    pub build_string: [U16; 260],
    /// Debugger build string, UTF-16.
    pub dbg_bld_str: [U16; 40],
}
const _: () = assert!(size_of::<MiscInfo4Ext>() == 600);

/// `XSTATE_FEATURE` (8 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct XstateFeature {
    /// Offset in the XSAVE area.
    pub offset: U32,
    /// Size.
    pub size: U32,
}
const _: () = assert!(size_of::<XstateFeature>() == 8);

/// `MINIDUMP_MISC_INFO_5` extension (532 bytes after v4).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct MiscInfo5Ext {
    /// `XSTATE_CONFIG_FEATURE_MSC_INFO.SizeOfInfo`.
    pub xstate_size_of_info: U32,
    /// Size of the context with xstate.
    pub xstate_context_size: U32,
    /// Enabled feature mask.
    pub xstate_enabled_features: U64,
    /// Per-feature offset and size.
    pub xstate_features: [XstateFeature; 64],
    /// Process cookie.
    pub process_cookie: U32,
}
const _: () = assert!(size_of::<MiscInfo5Ext>() == 532);

/// `MINIDUMP_HANDLE_DATA_STREAM` header (16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HandleDataStream {
    /// Size of this header.
    pub size_of_header: U32,
    /// Size of each descriptor (32 = v1, 40 = v2).
    pub size_of_descriptor: U32,
    /// Number of descriptors.
    pub number_of_descriptors: U32,
    /// Reserved.
    pub reserved: U32,
}
const _: () = assert!(size_of::<HandleDataStream>() == 16);

/// `MINIDUMP_HANDLE_DESCRIPTOR` (32 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HandleDescriptor {
    /// Handle value.
    pub handle: U64,
    /// RVA of a `MINIDUMP_STRING` (0 = none).
    pub type_name_rva: U32,
    /// RVA of a `MINIDUMP_STRING` (0 = none).
    pub object_name_rva: U32,
    /// Attributes.
    pub attributes: U32,
    /// Granted access mask.
    pub granted_access: U32,
    /// Handle count of the object.
    pub handle_count: U32,
    /// Pointer count of the object.
    pub pointer_count: U32,
}
const _: () = assert!(size_of::<HandleDescriptor>() == 32);

/// `MINIDUMP_HANDLE_DESCRIPTOR_2` extension (8 bytes after v1).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HandleDescriptor2Ext {
    /// RVA of the first `MINIDUMP_HANDLE_OBJECT_INFORMATION` (0 = none).
    pub object_info_rva: U32,
    /// Reserved.
    pub reserved0: U32,
}
const _: () = assert!(size_of::<HandleDescriptor2Ext>() == 8);

/// `MINIDUMP_HANDLE_OBJECT_INFORMATION` header (12 bytes), followed by `size_of_info` bytes.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HandleObjectInformation {
    /// RVA of the next element (0 = end).
    pub next_info_rva: U32,
    /// `MINIDUMP_HANDLE_OBJECT_INFORMATION_TYPE`.
    pub info_type: U32,
    /// Size of the data that follows.
    pub size_of_info: U32,
}
const _: () = assert!(size_of::<HandleObjectInformation>() == 12);

/// `MINIDUMP_TOKEN_INFO_LIST` header (16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct TokenInfoList {
    /// Size of the whole list.
    pub token_list_size: U32,
    /// Number of entries.
    pub token_list_entries: U32,
    /// Size of this header.
    pub list_header_size: U32,
    /// Size of each entry's header.
    pub element_header_size: U32,
}
const _: () = assert!(size_of::<TokenInfoList>() == 16);

/// `MINIDUMP_TOKEN_INFO_HEADER` (16 bytes), followed by the token data.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct TokenInfoHeader {
    /// Size of the entry including this header.
    pub token_size: U32,
    /// Token id.
    pub token_id: U32,
    /// Handle of the token.
    pub token_handle: U64,
}
const _: () = assert!(size_of::<TokenInfoHeader>() == 16);

/// `MINIDUMP_FUNCTION_TABLE_STREAM` header (24 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct FunctionTableStream {
    /// Size of this header.
    pub size_of_header: U32,
    /// Size of each `MINIDUMP_FUNCTION_TABLE_DESCRIPTOR`.
    pub size_of_descriptor: U32,
    /// Size of the native descriptor following each descriptor.
    pub size_of_native_descriptor: U32,
    /// Size of one function entry.
    pub size_of_function_entry: U32,
    /// Number of descriptors.
    pub number_of_descriptors: U32,
    /// Alignment padding after the header.
    pub size_of_align_pad: U32,
}
const _: () = assert!(size_of::<FunctionTableStream>() == 24);

/// `MINIDUMP_FUNCTION_TABLE_DESCRIPTOR` (32 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct FunctionTableDescriptor {
    /// Lowest address covered.
    pub minimum_address: U64,
    /// Highest address covered.
    pub maximum_address: U64,
    /// Base address for the entries' RVAs.
    pub base_address: U64,
    /// Number of function entries.
    pub entry_count: U32,
    /// Padding after the entries.
    pub size_of_align_pad: U32,
}
const _: () = assert!(size_of::<FunctionTableDescriptor>() == 32);

/// `MINIDUMP_SYSTEM_BASIC_INFORMATION` (52 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SystemBasicInformation {
    /// Timer resolution.
    pub timer_resolution: U32,
    /// Page size.
    pub page_size: U32,
    /// Physical pages.
    pub number_of_physical_pages: U32,
    /// Lowest physical page number.
    pub lowest_physical_page_number: U32,
    /// Highest physical page number.
    pub highest_physical_page_number: U32,
    /// Allocation granularity.
    pub allocation_granularity: U32,
    /// Lowest user-mode address.
    pub minimum_user_mode_address: U64,
    /// Highest user-mode address.
    pub maximum_user_mode_address: U64,
    /// Active processors.
    pub active_processors_affinity_mask: U64,
    /// Number of processors.
    pub number_of_processors: U32,
}
const _: () = assert!(size_of::<SystemBasicInformation>() == 52);

/// `MINIDUMP_SYSTEM_FILECACHE_INFORMATION` (60 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SystemFileCacheInformation {
    /// Current size.
    pub current_size: U64,
    /// Peak size.
    pub peak_size: U64,
    /// Page faults.
    pub page_fault_count: U32,
    /// Minimum working set.
    pub minimum_working_set: U64,
    /// Maximum working set.
    pub maximum_working_set: U64,
    /// Current size including transition pages.
    pub current_size_including_transition_in_pages: U64,
    /// Peak size including transition pages.
    pub peak_size_including_transition_in_pages: U64,
    /// Transition repurpose count.
    pub transition_re_purpose_count: U32,
    /// Flags.
    pub flags: U32,
}
const _: () = assert!(size_of::<SystemFileCacheInformation>() == 60);

/// `MINIDUMP_SYSTEM_BASIC_PERFORMANCE_INFORMATION` (32 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SystemBasicPerformanceInformation {
    /// Available pages.
    pub available_pages: U64,
    /// Committed pages.
    pub committed_pages: U64,
    /// Commit limit (pages).
    pub commit_limit: U64,
    /// Peak commitment (pages).
    pub peak_commitment: U64,
}
const _: () = assert!(size_of::<SystemBasicPerformanceInformation>() == 32);

/// Fixed head of `MINIDUMP_SYSTEM_MEMORY_INFO_1` (148 bytes); the 344-byte
/// `MINIDUMP_SYSTEM_PERFORMANCE_INFORMATION` follows.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct SystemMemoryInfo1Head {
    /// Revision (1).
    pub revision: U16,
    /// Flags.
    pub flags: U16,
    /// Basic information.
    pub basic_info: SystemBasicInformation,
    /// File cache information.
    pub file_cache_info: SystemFileCacheInformation,
    /// Basic performance information.
    pub basic_perf_info: SystemBasicPerformanceInformation,
}
const _: () = assert!(size_of::<SystemMemoryInfo1Head>() == 148);

/// `MINIDUMP_PROCESS_VM_COUNTERS_1` (80 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ProcessVmCounters1 {
    /// Revision (1).
    pub revision: U16,
    /// Padding.
    pub padding: U16,
    /// Page faults.
    pub page_fault_count: U32,
    /// Peak working set.
    pub peak_working_set_size: U64,
    /// Working set.
    pub working_set_size: U64,
    /// Peak paged pool quota.
    pub quota_peak_paged_pool_usage: U64,
    /// Paged pool quota.
    pub quota_paged_pool_usage: U64,
    /// Peak non-paged pool quota.
    pub quota_peak_non_paged_pool_usage: U64,
    /// Non-paged pool quota.
    pub quota_non_paged_pool_usage: U64,
    /// Pagefile usage.
    pub pagefile_usage: U64,
    /// Peak pagefile usage.
    pub peak_pagefile_usage: U64,
    /// Private bytes.
    pub private_usage: U64,
}
const _: () = assert!(size_of::<ProcessVmCounters1>() == 80);

/// `MINIDUMP_PROCESS_VM_COUNTERS_2` (152 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ProcessVmCounters2 {
    /// Revision (2).
    pub revision: U16,
    /// `MINIDUMP_PROCESS_VM_COUNTERS*` validity flags.
    pub flags: U16,
    /// Page faults.
    pub page_fault_count: U32,
    /// Peak working set.
    pub peak_working_set_size: U64,
    /// Working set.
    pub working_set_size: U64,
    /// Peak paged pool quota.
    pub quota_peak_paged_pool_usage: U64,
    /// Paged pool quota.
    pub quota_paged_pool_usage: U64,
    /// Peak non-paged pool quota.
    pub quota_peak_non_paged_pool_usage: U64,
    /// Non-paged pool quota.
    pub quota_non_paged_pool_usage: U64,
    /// Pagefile usage.
    pub pagefile_usage: U64,
    /// Peak pagefile usage.
    pub peak_pagefile_usage: U64,
    /// Peak virtual size.
    pub peak_virtual_size: U64,
    /// Virtual size.
    pub virtual_size: U64,
    /// Private bytes.
    pub private_usage: U64,
    /// Private working set.
    pub private_working_set_size: U64,
    /// Shared commit.
    pub shared_commit_usage: U64,
    /// Job shared commit.
    pub job_shared_commit_usage: U64,
    /// Job private commit.
    pub job_private_commit_usage: U64,
    /// Job peak private commit.
    pub job_peak_private_commit_usage: U64,
    /// Job private commit limit.
    pub job_private_commit_limit: U64,
    /// Job total commit limit.
    pub job_total_commit_limit: U64,
}
const _: () = assert!(size_of::<ProcessVmCounters2>() == 152);

/// x86 `CONTEXT` / `WOW64_CONTEXT` (0x2cc bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ContextX86 {
    /// `CONTEXT_*` flags (0x10000 = i386).
    pub context_flags: U32,
    /// Debug registers Dr0, Dr1, Dr2, Dr3, Dr6, Dr7.
    pub dr: [U32; 6],
    /// `FLOATING_SAVE_AREA` (112 bytes).
    pub float_save: [u8; 112],
    /// GS.
    pub seg_gs: U32,
    /// FS.
    pub seg_fs: U32,
    /// ES.
    pub seg_es: U32,
    /// DS.
    pub seg_ds: U32,
    /// EDI.
    pub edi: U32,
    /// ESI.
    pub esi: U32,
    /// EBX.
    pub ebx: U32,
    /// EDX.
    pub edx: U32,
    /// ECX.
    pub ecx: U32,
    /// EAX.
    pub eax: U32,
    /// EBP.
    pub ebp: U32,
    /// EIP.
    pub eip: U32,
    /// CS.
    pub seg_cs: U32,
    /// EFLAGS.
    pub eflags: U32,
    /// ESP.
    pub esp: U32,
    /// SS.
    pub seg_ss: U32,
    /// FXSAVE area.
    pub extended_registers: [u8; 512],
}
const _: () = assert!(size_of::<ContextX86>() == 0x2cc);

/// AMD64 `CONTEXT` (0x4d0 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ContextX64 {
    /// P1Home..P6Home.
    pub p_home: [U64; 6],
    /// `CONTEXT_*` flags (0x100000 = AMD64).
    pub context_flags: U32,
    /// MXCSR.
    pub mx_csr: U32,
    /// CS.
    pub seg_cs: U16,
    /// DS.
    pub seg_ds: U16,
    /// ES.
    pub seg_es: U16,
    /// FS.
    pub seg_fs: U16,
    /// GS.
    pub seg_gs: U16,
    /// SS.
    pub seg_ss: U16,
    /// EFLAGS.
    pub eflags: U32,
    /// Dr0, Dr1, Dr2, Dr3, Dr6, Dr7.
    pub dr: [U64; 6],
    /// RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15 (in this order).
    pub gpr: [U64; 16],
    /// RIP.
    pub rip: U64,
    /// `XMM_SAVE_AREA32` (512 bytes).
    pub flt_save: [u8; 512],
    /// Vector registers.
    pub vector_register: [u8; 416],
    /// Vector control.
    pub vector_control: U64,
    /// Debug control.
    pub debug_control: U64,
    /// Last branch to.
    pub last_branch_to_rip: U64,
    /// Last branch from.
    pub last_branch_from_rip: U64,
    /// Last exception to.
    pub last_exception_to_rip: U64,
    /// Last exception from.
    pub last_exception_from_rip: U64,
}
const _: () = assert!(size_of::<ContextX64>() == 0x4d0);

/// ARM64 `CONTEXT` (0x390 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ContextArm64 {
    /// `CONTEXT_*` flags (0x400000 = ARM64).
    pub context_flags: U32,
    /// CPSR.
    pub cpsr: U32,
    /// X0..X28, Fp (X29), Lr (X30).
    pub x: [U64; 31],
    /// SP.
    pub sp: U64,
    /// PC.
    pub pc: U64,
    /// V0..V31 (16 bytes each).
    pub v: [u8; 512],
    /// FPCR.
    pub fpcr: U32,
    /// FPSR.
    pub fpsr: U32,
    /// Breakpoint control.
    pub bcr: [U32; 8],
    /// Breakpoint values.
    pub bvr: [U64; 8],
    /// Watchpoint control.
    pub wcr: [U32; 2],
    /// Watchpoint values.
    pub wvr: [U64; 2],
}
const _: () = assert!(size_of::<ContextArm64>() == 0x390);

/// `MINIDUMP_HANDLE_OPERATION_LIST` header (16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HandleOperationList {
    /// Size of this header.
    pub size_of_header: U32,
    /// Size of each entry (288).
    pub size_of_entry: U32,
    /// Number of entries.
    pub number_of_entries: U32,
    /// Reserved.
    pub reserved: U32,
}
const _: () = assert!(size_of::<HandleOperationList>() == 16);

/// `AVRF_HANDLE_OPERATION` (288 bytes): one handle-trace record of Application Verifier.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct AvrfHandleOperation {
    /// Handle value.
    pub handle: U64,
    /// Process id.
    pub process_id: U32,
    /// Thread id.
    pub thread_id: U32,
    /// `AVRF_HANDLE_OPERATION_TYPE`: 0 unknown, 1 open, 2 close, 3 bad reference.
    pub operation_type: U32,
    /// Padding.
    pub spare0: U32,
    /// `AVRF_BACKTRACE_INFORMATION.Depth`.
    pub depth: U32,
    /// `AVRF_BACKTRACE_INFORMATION.Index`.
    pub index: U32,
    /// `AVRF_BACKTRACE_INFORMATION.ReturnAddresses` (32).
    pub return_addresses: [U64; 32],
}
const _: () = assert!(size_of::<AvrfHandleOperation>() == 288);
