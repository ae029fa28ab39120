#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod debug;
mod error;
mod exports;
mod headers;
mod image;
mod limits;
mod memory;
mod pdata;
pub mod raw;
mod reloc;
mod rtti;
mod search;
mod strings;
mod version;
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
pub use limits::Limits;
pub use memory::{FnMemory, MemoryError, PointerWidth, ReadFn, ReadMemory, SliceMemory};
pub use pdata::{RuntimeFunction, function_containing};
pub use reloc::{REL_BASED_DIR64, REL_BASED_HIGHLOW, Relocation};
pub use rtti::{MAX_RTTI_NAME, RttiClass, demangle_rtti_name, rtti_class_at};
pub use search::{Pattern, find_all, read_cstr, read_wstr, search_memory};
pub use strings::{FoundString, StringKind, Strings};
pub use version::{RT_VERSION, VS_FFI_SIGNATURE, VersionInfo};
pub use xref::{CodeRef, RefKind};
