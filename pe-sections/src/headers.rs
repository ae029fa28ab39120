//! Decoded headers: file header, optional header, data directories, section headers.

use bitflags::bitflags;

/// `IMAGE_FILE_HEADER.Machine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Machine(pub u16);

impl Machine {
    /// x86 (`IMAGE_FILE_MACHINE_I386`).
    pub const I386: Machine = Machine(0x014c);
    /// x64 (`IMAGE_FILE_MACHINE_AMD64`).
    pub const AMD64: Machine = Machine(0x8664);
    /// ARM64 (`IMAGE_FILE_MACHINE_ARM64`).
    pub const ARM64: Machine = Machine(0xaa64);
    /// ARM Thumb-2 (`IMAGE_FILE_MACHINE_ARMNT`).
    pub const ARMNT: Machine = Machine(0x01c4);
    /// Itanium (`IMAGE_FILE_MACHINE_IA64`).
    pub const IA64: Machine = Machine(0x0200);

    /// A short name like WinDbg prints (`x64`, `x86`, `ARM64`...), or `None` if unknown.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Machine::I386 => "x86",
            Machine::AMD64 => "x64",
            Machine::ARM64 => "ARM64",
            Machine::ARMNT => "ARM",
            Machine::IA64 => "IA64",
            _ => return None,
        })
    }
}

/// The short name ([`Machine::name`]), or the raw value in hex (`0x01f0`) when unknown.
impl core::fmt::Display for Machine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(n) => f.pad(n),
            None => f.pad(&format!("{:#06x}", self.0)),
        }
    }
}

bitflags! {
    /// `IMAGE_FILE_*` characteristics of the file header.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FileCharacteristics: u16 {
        /// Relocations stripped.
        const RELOCS_STRIPPED = 0x0001;
        /// Executable image.
        const EXECUTABLE_IMAGE = 0x0002;
        /// Line numbers stripped.
        const LINE_NUMS_STRIPPED = 0x0004;
        /// Local symbols stripped.
        const LOCAL_SYMS_STRIPPED = 0x0008;
        /// Aggressively trim working set.
        const AGGRESSIVE_WS_TRIM = 0x0010;
        /// Can handle addresses above 2 GB.
        const LARGE_ADDRESS_AWARE = 0x0020;
        /// Bytes reversed (low).
        const BYTES_REVERSED_LO = 0x0080;
        /// 32-bit word machine.
        const MACHINE_32BIT = 0x0100;
        /// Debug information stripped.
        const DEBUG_STRIPPED = 0x0200;
        /// Run from swap if on removable media.
        const REMOVABLE_RUN_FROM_SWAP = 0x0400;
        /// Run from swap if on network.
        const NET_RUN_FROM_SWAP = 0x0800;
        /// System file.
        const SYSTEM = 0x1000;
        /// DLL.
        const DLL = 0x2000;
        /// Uniprocessor only.
        const UP_SYSTEM_ONLY = 0x4000;
        /// Bytes reversed (high).
        const BYTES_REVERSED_HI = 0x8000;
    }
}

bitflags! {
    /// `IMAGE_DLLCHARACTERISTICS_*` of the optional header.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DllCharacteristics: u16 {
        /// High-entropy 64-bit ASLR.
        const HIGH_ENTROPY_VA = 0x0020;
        /// Relocatable (ASLR).
        const DYNAMIC_BASE = 0x0040;
        /// Code integrity checks enforced.
        const FORCE_INTEGRITY = 0x0080;
        /// DEP compatible.
        const NX_COMPAT = 0x0100;
        /// No isolation.
        const NO_ISOLATION = 0x0200;
        /// No SEH.
        const NO_SEH = 0x0400;
        /// Do not bind.
        const NO_BIND = 0x0800;
        /// AppContainer.
        const APPCONTAINER = 0x1000;
        /// WDM driver.
        const WDM_DRIVER = 0x2000;
        /// Control Flow Guard.
        const GUARD_CF = 0x4000;
        /// Terminal-server aware.
        const TERMINAL_SERVER_AWARE = 0x8000;
    }
}

bitflags! {
    /// `IMAGE_SCN_*` section characteristics. The alignment field (bits 20..24) is kept as
    /// raw bits; read it with [`SectionHeader::alignment`].
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct SectionFlags: u32 {
        /// No padding (obsolete).
        const TYPE_NO_PAD = 0x0000_0008;
        /// Contains code.
        const CNT_CODE = 0x0000_0020;
        /// Contains initialized data.
        const CNT_INITIALIZED_DATA = 0x0000_0040;
        /// Contains uninitialized data.
        const CNT_UNINITIALIZED_DATA = 0x0000_0080;
        /// Reserved.
        const LNK_OTHER = 0x0000_0100;
        /// Comments (objects only).
        const LNK_INFO = 0x0000_0200;
        /// Removed at link time.
        const LNK_REMOVE = 0x0000_0800;
        /// COMDAT.
        const LNK_COMDAT = 0x0000_1000;
        /// Reset speculative exceptions handling bits.
        const NO_DEFER_SPEC_EXC = 0x0000_4000;
        /// GP-relative data.
        const GPREL = 0x0000_8000;
        /// Extended relocations.
        const LNK_NRELOC_OVFL = 0x0100_0000;
        /// Discardable.
        const MEM_DISCARDABLE = 0x0200_0000;
        /// Not cached.
        const MEM_NOT_CACHED = 0x0400_0000;
        /// Not paged.
        const MEM_NOT_PAGED = 0x0800_0000;
        /// Shared.
        const MEM_SHARED = 0x1000_0000;
        /// Executable.
        const MEM_EXECUTE = 0x2000_0000;
        /// Readable.
        const MEM_READ = 0x4000_0000;
        /// Writable.
        const MEM_WRITE = 0x8000_0000;
    }
}

/// The decoded file header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeader {
    /// Target machine.
    pub machine: Machine,
    /// Number of sections declared.
    pub number_of_sections: u16,
    /// Link time stamp.
    pub time_date_stamp: u32,
    /// COFF symbol table offset.
    pub pointer_to_symbol_table: u32,
    /// COFF symbol count.
    pub number_of_symbols: u32,
    /// Size of the optional header.
    pub size_of_optional_header: u16,
    /// Characteristics.
    pub characteristics: FileCharacteristics,
}

/// Which optional header layout the image uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionalKind {
    /// PE32 (magic 0x10b), 32-bit images.
    Pe32,
    /// PE32+ (magic 0x20b), 64-bit images.
    Pe32Plus,
}

/// The decoded optional header, widened to 64 bits for both layouts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // field names are the winnt.h names
pub struct OptionalHeader {
    /// PE32 or PE32+.
    pub kind: OptionalKind,
    pub magic: u16,
    pub linker_version: (u8, u8),
    pub size_of_code: u32,
    pub size_of_initialized_data: u32,
    pub size_of_uninitialized_data: u32,
    pub address_of_entry_point: u32,
    pub base_of_code: u32,
    /// Only in PE32.
    pub base_of_data: Option<u32>,
    pub image_base: u64,
    pub section_alignment: u32,
    pub file_alignment: u32,
    pub operating_system_version: (u16, u16),
    pub image_version: (u16, u16),
    pub subsystem_version: (u16, u16),
    pub win32_version_value: u32,
    pub size_of_image: u32,
    pub size_of_headers: u32,
    pub check_sum: u32,
    pub subsystem: u16,
    pub dll_characteristics: DllCharacteristics,
    pub size_of_stack_reserve: u64,
    pub size_of_stack_commit: u64,
    pub size_of_heap_reserve: u64,
    pub size_of_heap_commit: u64,
    pub loader_flags: u32,
    pub number_of_rva_and_sizes: u32,
}

/// A data directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataDirectory {
    /// RVA of the table (0 if absent).
    pub virtual_address: u32,
    /// Size in bytes.
    pub size: u32,
}

impl DataDirectory {
    /// True if the directory has neither address nor size.
    pub fn is_empty(&self) -> bool {
        self.virtual_address == 0 || self.size == 0
    }
}

/// Indices of the data directories.
pub mod dir {
    /// Export table.
    pub const EXPORT: usize = 0;
    /// Import table.
    pub const IMPORT: usize = 1;
    /// Resource table.
    pub const RESOURCE: usize = 2;
    /// Exception table (`.pdata`).
    pub const EXCEPTION: usize = 3;
    /// Certificate table (a file offset, not an RVA).
    pub const SECURITY: usize = 4;
    /// Base relocation table.
    pub const BASERELOC: usize = 5;
    /// Debug directory.
    pub const DEBUG: usize = 6;
    /// Architecture (reserved).
    pub const ARCHITECTURE: usize = 7;
    /// Global pointer.
    pub const GLOBALPTR: usize = 8;
    /// TLS directory.
    pub const TLS: usize = 9;
    /// Load configuration.
    pub const LOAD_CONFIG: usize = 10;
    /// Bound imports.
    pub const BOUND_IMPORT: usize = 11;
    /// Import address table.
    pub const IAT: usize = 12;
    /// Delay-load imports.
    pub const DELAY_IMPORT: usize = 13;
    /// CLR runtime header.
    pub const COM_DESCRIPTOR: usize = 14;

    /// Names as WinDbg's `!dh` prints them, by index.
    pub const NAMES: [&str; 16] = [
        "Export Directory",
        "Import Directory",
        "Resource Directory",
        "Exception Directory",
        "Security Directory",
        "Base Relocation Directory",
        "Debug Directory",
        "Description Directory",
        "Special Directory",
        "Thread Storage Directory",
        "Load Configuration Directory",
        "Bound Import Directory",
        "Import Address Table Directory",
        "Delay Import Directory",
        "COR20 Header Directory",
        "Reserved Directory",
    ];
}

/// A decoded section header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionHeader {
    /// Raw name bytes (NUL-padded).
    pub name: [u8; 8],
    /// Size in memory.
    pub virtual_size: u32,
    /// RVA of the section.
    pub virtual_address: u32,
    /// Size in the file.
    pub size_of_raw_data: u32,
    /// File offset.
    pub pointer_to_raw_data: u32,
    /// COFF relocations.
    pub pointer_to_relocations: u32,
    /// COFF line numbers.
    pub pointer_to_linenumbers: u32,
    /// COFF relocation count.
    pub number_of_relocations: u16,
    /// COFF line number count.
    pub number_of_linenumbers: u16,
    /// Characteristics (unknown bits retained).
    pub characteristics: SectionFlags,
}

impl SectionHeader {
    /// The name as text (NUL-trimmed, lossy UTF-8).
    pub fn name(&self) -> String {
        let end = self
            .name
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.name.len());
        String::from_utf8_lossy(self.name.get(..end).unwrap_or(&[])).into_owned()
    }

    /// The size the section occupies in memory: `VirtualSize`, or `SizeOfRawData` when the
    /// virtual size is 0 (old linkers).
    pub fn mapped_size(&self) -> u32 {
        if self.virtual_size == 0 {
            self.size_of_raw_data
        } else {
            self.virtual_size
        }
    }

    /// End RVA (exclusive) of the mapped part, saturating.
    pub fn end_rva(&self) -> u64 {
        u64::from(self.virtual_address).saturating_add(u64::from(self.mapped_size()))
    }

    /// True if `rva` lies inside the mapped part of this section.
    pub fn contains_rva(&self, rva: u32) -> bool {
        rva >= self.virtual_address && u64::from(rva) < self.end_rva()
    }

    /// True if the section is executable (`MEM_EXECUTE` or `CNT_CODE`).
    pub fn is_executable(&self) -> bool {
        self.characteristics
            .intersects(SectionFlags::MEM_EXECUTE | SectionFlags::CNT_CODE)
    }

    /// The `IMAGE_SCN_ALIGN_*` value in bytes, or `None` when not specified.
    pub fn alignment(&self) -> Option<u32> {
        let field = (self.characteristics.bits() >> 20) & 0xf;
        if field == 0 {
            None
        } else {
            1u32.checked_shl(field.saturating_sub(1))
        }
    }

    /// The flag description lines WinDbg's `!dh -s` prints under `flags`.
    pub fn flag_descriptions(&self) -> Vec<String> {
        let f = self.characteristics;
        let mut out = Vec::new();
        if f.contains(SectionFlags::CNT_CODE) {
            out.push("Code".to_string());
        }
        if f.contains(SectionFlags::CNT_INITIALIZED_DATA) {
            out.push("Initialized Data".to_string());
        }
        if f.contains(SectionFlags::CNT_UNINITIALIZED_DATA) {
            out.push("Uninitialized Data".to_string());
        }
        if f.contains(SectionFlags::LNK_COMDAT) {
            out.push("COMDAT".to_string());
        }
        if f.contains(SectionFlags::MEM_DISCARDABLE) {
            out.push("Discardable".to_string());
        }
        if f.contains(SectionFlags::MEM_NOT_CACHED) {
            out.push("Not Cached".to_string());
        }
        if f.contains(SectionFlags::MEM_NOT_PAGED) {
            out.push("Not Paged".to_string());
        }
        if f.contains(SectionFlags::MEM_SHARED) {
            out.push("Shared".to_string());
        }
        match self.alignment() {
            None => out.push("(no align specified)".to_string()),
            Some(a) => out.push(format!("{a} byte align")),
        }
        let x = f.contains(SectionFlags::MEM_EXECUTE);
        let r = f.contains(SectionFlags::MEM_READ);
        let w = f.contains(SectionFlags::MEM_WRITE);
        let access = match (x, r, w) {
            (true, true, true) => "Execute Read Write",
            (true, true, false) => "Execute Read",
            (true, false, true) => "Execute Write",
            (true, false, false) => "Execute Only",
            (false, true, true) => "Read Write",
            (false, true, false) => "Read Only",
            (false, false, true) => "Write Only",
            (false, false, false) => "No Access",
        };
        out.push(access.to_string());
        out
    }
}

#[cfg(test)]
mod display_tests {
    use super::Machine;

    #[test]
    fn machine_display() {
        assert_eq!(Machine::AMD64.to_string(), "x64");
        assert_eq!(Machine::I386.to_string(), "x86");
        assert_eq!(Machine::ARM64.to_string(), "ARM64");
        assert_eq!(Machine(0x1f0).to_string(), "0x01f0");
        assert_eq!(format!("{:>6}", Machine::AMD64), "   x64");
    }
}
