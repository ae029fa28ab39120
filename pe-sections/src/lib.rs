#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod debug;
mod error;
mod exports;
mod headers;
mod image;
mod memory;
mod pdata;
pub mod raw;
mod reloc;
mod search;
pub mod x86;
mod xref;

#[cfg(feature = "synth")]
pub mod synth;

pub use debug::{CodeView, CodeViewKind, DEBUG_TYPE_CODEVIEW, DebugEntry};
pub use error::{Error, Result};
pub use exports::{Export, ExportTarget, Exports};
pub use headers::{
    DataDirectory, DllCharacteristics, FileCharacteristics, FileHeader, Machine, OptionalHeader,
    OptionalKind, SectionFlags, SectionHeader, dir,
};
pub use image::{Layout, PeImage, Run, SectionStatus};
pub use memory::{FnMemory, MemoryError, PointerWidth, ReadFn, ReadMemory, SliceMemory};
pub use pdata::{RuntimeFunction, function_containing};
pub use reloc::{REL_BASED_DIR64, REL_BASED_HIGHLOW, Relocation};
pub use search::{Pattern, find_all, read_cstr, read_wstr, search_memory};
pub use xref::{CodeRef, RefKind};

/// Caps on the work and memory spent on untrusted headers. The defaults suit real images;
/// fuzzers lower them, forensic users may raise them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted `NumberOfSections` (default 1024; the loader accepts up to 96 on old
    /// systems and more on new ones).
    pub max_sections: u16,
    /// Largest accepted `e_lfanew` (default 16 MiB).
    pub max_header_offset: u64,
    /// Largest single read or buffered range, in bytes (default 256 MiB).
    pub max_read_bytes: u64,
    /// Largest export count (default 1 Mi).
    pub max_exports: u32,
    /// Longest string read from the image, in bytes (default 4096).
    pub max_string_len: usize,
    /// Most debug directory entries (default 256).
    pub max_debug_entries: u32,
    /// Largest debug record read, in bytes (default 64 KiB).
    pub max_debug_data: u64,
    /// Most `.pdata` entries (default 4 Mi).
    pub max_runtime_functions: u32,
    /// Most base relocations (default 16 Mi).
    pub max_relocations: u32,
    /// Most search hits returned (default 1 Mi).
    pub max_hits: usize,
    /// Most code references returned (default 1 Mi).
    pub max_xrefs: usize,
    /// Most bytes of executable sections swept by one code-reference search (default 1 GiB).
    pub max_scan_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sections: 1024,
            max_header_offset: 16 << 20,
            max_read_bytes: 256 << 20,
            max_exports: 1 << 20,
            max_string_len: 4096,
            max_debug_entries: 256,
            max_debug_data: 64 << 10,
            max_runtime_functions: 4 << 20,
            max_relocations: 16 << 20,
            max_hits: 1 << 20,
            max_xrefs: 1 << 20,
            max_scan_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// Small caps for fuzzing: every operation stays in the low megabytes.
    pub fn fuzzing() -> Self {
        Limits {
            max_sections: 64,
            max_header_offset: 1 << 16,
            max_read_bytes: 4 << 20,
            max_exports: 1 << 14,
            max_string_len: 256,
            max_debug_entries: 16,
            max_debug_data: 4096,
            max_runtime_functions: 1 << 16,
            max_relocations: 1 << 16,
            max_hits: 1 << 12,
            max_xrefs: 1 << 12,
            max_scan_bytes: 16 << 20,
        }
    }
}
