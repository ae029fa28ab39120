//! Raw on-disk layouts (little-endian, unaligned), as in `winnt.h`.
//!
//! These are public for power users and fuzzers; the friendly API in the crate root widens
//! them into plain integers.

use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `IMAGE_DOS_HEADER` (only the fields this crate uses are named).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageDosHeader {
    /// `MZ` = 0x5a4d.
    pub e_magic: U16,
    /// The rest of the DOS header.
    pub e_rest: [u8; 58],
    /// File offset of the NT headers.
    pub e_lfanew: U32,
}
const _: () = assert!(size_of::<ImageDosHeader>() == 64);

/// `IMAGE_FILE_HEADER`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageFileHeader {
    /// Target machine.
    pub machine: U16,
    /// Number of section headers.
    pub number_of_sections: U16,
    /// Link time (seconds since 1970).
    pub time_date_stamp: U32,
    /// COFF symbol table offset (0 in images).
    pub pointer_to_symbol_table: U32,
    /// COFF symbol count.
    pub number_of_symbols: U32,
    /// Size of the optional header that follows.
    pub size_of_optional_header: U16,
    /// `IMAGE_FILE_*` flags.
    pub characteristics: U16,
}
const _: () = assert!(size_of::<ImageFileHeader>() == 20);

/// `IMAGE_OPTIONAL_HEADER32` without its data directories.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageOptionalHeader32 {
    /// 0x10b.
    pub magic: U16,
    /// Linker major version.
    pub major_linker_version: u8,
    /// Linker minor version.
    pub minor_linker_version: u8,
    /// Size of code.
    pub size_of_code: U32,
    /// Size of initialized data.
    pub size_of_initialized_data: U32,
    /// Size of uninitialized data.
    pub size_of_uninitialized_data: U32,
    /// Entry point RVA.
    pub address_of_entry_point: U32,
    /// Base of code RVA.
    pub base_of_code: U32,
    /// Base of data RVA.
    pub base_of_data: U32,
    /// Preferred load address.
    pub image_base: U32,
    /// Section alignment in memory.
    pub section_alignment: U32,
    /// Section alignment in the file.
    pub file_alignment: U32,
    /// OS major version.
    pub major_operating_system_version: U16,
    /// OS minor version.
    pub minor_operating_system_version: U16,
    /// Image major version.
    pub major_image_version: U16,
    /// Image minor version.
    pub minor_image_version: U16,
    /// Subsystem major version.
    pub major_subsystem_version: U16,
    /// Subsystem minor version.
    pub minor_subsystem_version: U16,
    /// Reserved.
    pub win32_version_value: U32,
    /// Size of the mapped image.
    pub size_of_image: U32,
    /// Size of all headers.
    pub size_of_headers: U32,
    /// Checksum.
    pub check_sum: U32,
    /// Subsystem.
    pub subsystem: U16,
    /// `IMAGE_DLLCHARACTERISTICS_*`.
    pub dll_characteristics: U16,
    /// Stack reserve.
    pub size_of_stack_reserve: U32,
    /// Stack commit.
    pub size_of_stack_commit: U32,
    /// Heap reserve.
    pub size_of_heap_reserve: U32,
    /// Heap commit.
    pub size_of_heap_commit: U32,
    /// Loader flags.
    pub loader_flags: U32,
    /// Number of data directories.
    pub number_of_rva_and_sizes: U32,
}
const _: () = assert!(size_of::<ImageOptionalHeader32>() == 96);

/// `IMAGE_OPTIONAL_HEADER64` without its data directories.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageOptionalHeader64 {
    /// 0x20b.
    pub magic: U16,
    /// Linker major version.
    pub major_linker_version: u8,
    /// Linker minor version.
    pub minor_linker_version: u8,
    /// Size of code.
    pub size_of_code: U32,
    /// Size of initialized data.
    pub size_of_initialized_data: U32,
    /// Size of uninitialized data.
    pub size_of_uninitialized_data: U32,
    /// Entry point RVA.
    pub address_of_entry_point: U32,
    /// Base of code RVA.
    pub base_of_code: U32,
    /// Preferred load address.
    pub image_base: U64,
    /// Section alignment in memory.
    pub section_alignment: U32,
    /// Section alignment in the file.
    pub file_alignment: U32,
    /// OS major version.
    pub major_operating_system_version: U16,
    /// OS minor version.
    pub minor_operating_system_version: U16,
    /// Image major version.
    pub major_image_version: U16,
    /// Image minor version.
    pub minor_image_version: U16,
    /// Subsystem major version.
    pub major_subsystem_version: U16,
    /// Subsystem minor version.
    pub minor_subsystem_version: U16,
    /// Reserved.
    pub win32_version_value: U32,
    /// Size of the mapped image.
    pub size_of_image: U32,
    /// Size of all headers.
    pub size_of_headers: U32,
    /// Checksum.
    pub check_sum: U32,
    /// Subsystem.
    pub subsystem: U16,
    /// `IMAGE_DLLCHARACTERISTICS_*`.
    pub dll_characteristics: U16,
    /// Stack reserve.
    pub size_of_stack_reserve: U64,
    /// Stack commit.
    pub size_of_stack_commit: U64,
    /// Heap reserve.
    pub size_of_heap_reserve: U64,
    /// Heap commit.
    pub size_of_heap_commit: U64,
    /// Loader flags.
    pub loader_flags: U32,
    /// Number of data directories.
    pub number_of_rva_and_sizes: U32,
}
const _: () = assert!(size_of::<ImageOptionalHeader64>() == 112);

/// `IMAGE_DATA_DIRECTORY`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageDataDirectory {
    /// RVA of the table.
    pub virtual_address: U32,
    /// Size of the table in bytes.
    pub size: U32,
}
const _: () = assert!(size_of::<ImageDataDirectory>() == 8);

/// `IMAGE_SECTION_HEADER`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageSectionHeader {
    /// NUL-padded name.
    pub name: [u8; 8],
    /// Size in memory.
    pub virtual_size: U32,
    /// RVA.
    pub virtual_address: U32,
    /// Size in the file.
    pub size_of_raw_data: U32,
    /// File offset.
    pub pointer_to_raw_data: U32,
    /// COFF relocations (0 in images).
    pub pointer_to_relocations: U32,
    /// COFF line numbers.
    pub pointer_to_linenumbers: U32,
    /// COFF relocation count.
    pub number_of_relocations: U16,
    /// COFF line number count.
    pub number_of_linenumbers: U16,
    /// `IMAGE_SCN_*` flags.
    pub characteristics: U32,
}
const _: () = assert!(size_of::<ImageSectionHeader>() == 40);

/// `IMAGE_EXPORT_DIRECTORY`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageExportDirectory {
    /// Reserved.
    pub characteristics: U32,
    /// Time stamp.
    pub time_date_stamp: U32,
    /// Major version.
    pub major_version: U16,
    /// Minor version.
    pub minor_version: U16,
    /// RVA of the DLL name.
    pub name: U32,
    /// Ordinal of the first function.
    pub base: U32,
    /// Entries in the address table.
    pub number_of_functions: U32,
    /// Entries in the name tables.
    pub number_of_names: U32,
    /// RVA of the address table.
    pub address_of_functions: U32,
    /// RVA of the name pointer table.
    pub address_of_names: U32,
    /// RVA of the name ordinal table.
    pub address_of_name_ordinals: U32,
}
const _: () = assert!(size_of::<ImageExportDirectory>() == 40);

/// `IMAGE_DEBUG_DIRECTORY`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageDebugDirectory {
    /// Reserved.
    pub characteristics: U32,
    /// Time stamp.
    pub time_date_stamp: U32,
    /// Major version.
    pub major_version: U16,
    /// Minor version.
    pub minor_version: U16,
    /// `IMAGE_DEBUG_TYPE_*`.
    pub typ: U32,
    /// Size of the data.
    pub size_of_data: U32,
    /// RVA of the data (0 if not mapped).
    pub address_of_raw_data: U32,
    /// File offset of the data.
    pub pointer_to_raw_data: U32,
}
const _: () = assert!(size_of::<ImageDebugDirectory>() == 28);

/// x64 `RUNTIME_FUNCTION`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RuntimeFunctionX64 {
    /// Function start RVA.
    pub begin_address: U32,
    /// Function end RVA (exclusive).
    pub end_address: U32,
    /// UNWIND_INFO RVA (or a chained entry if bit 0 is set in some producers).
    pub unwind_info_address: U32,
}
const _: () = assert!(size_of::<RuntimeFunctionX64>() == 12);

/// ARM64 `IMAGE_ARM64_RUNTIME_FUNCTION_ENTRY`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RuntimeFunctionArm64 {
    /// Function start RVA.
    pub begin_address: U32,
    /// `.xdata` RVA (flag bits 0..2 = 0) or packed unwind data.
    pub unwind_data: U32,
}
const _: () = assert!(size_of::<RuntimeFunctionArm64>() == 8);

/// `IMAGE_BASE_RELOCATION` block header.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ImageBaseRelocation {
    /// Page RVA.
    pub virtual_address: U32,
    /// Block size including this header.
    pub size_of_block: U32,
}
const _: () = assert!(size_of::<ImageBaseRelocation>() == 8);
