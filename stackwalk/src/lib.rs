#![doc = include_str!("../README.md")]
//!
//! # Modules of this crate
//!
//! - [`memory`]: the [`ReadMemory`] trait and adapters ([`FnMemory`], [`SliceMemory`]).
//! - [`image`]: [`ModuleUnwind`] (unwind data by RVA) and [`ImageUnwind`] over a PE image.
//! - [`x64`]: `RtlVirtualUnwind` semantics. [`x86`]: frame data and EBP chains.
//! - [`walk`]: the [`Walker`], [`Frame`], [`Trust`], [`StopReason`].
//! - [`symbols`]: [`SymbolTable`]; `pdb` (feature `pdb`): symbols and frame data from PDBs.
//!
//! # Features
//!
//! - `pdb` (default): read symbols and x86 frame data from PDB files with the `pdb` crate.
//! - `synth`: [`synth`] helpers to build synthetic stacks (for tests and fuzzing).

#![forbid(unsafe_code)]

pub mod context;
pub mod error;
pub mod image;
pub mod memory;
#[cfg(feature = "pdb")]
pub mod pdb;
pub mod scan;
pub mod symbols;
#[cfg(feature = "synth")]
pub mod synth;
pub mod walk;
pub mod x64;
pub mod x86;

pub use context::{Arch, Context, ContextX64, ContextX86};
pub use error::Error;
pub use image::{FileImage, ImageLayout, ImageUnwind, MappedImage, ModuleUnwind, RuntimeFunction};
pub use memory::{FnMemory, ReadMemory, RegionMemory, SliceMemory};
#[cfg(feature = "pdb")]
pub use pdb::{PdbData, PdbIdentity};
pub use symbols::{Symbol, SymbolKind, SymbolTable, Symbolize};
pub use walk::{Frame, Location, Module, Modules, Stack, StopReason, Trust, Walker};
pub use x86::{FrameEntry, FrameKind, FrameTable};

/// Caps that keep every walk bounded. The defaults are safe for untrusted dumps.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum number of frames in one stack (WinDbg's default depth is 256).
    pub max_frames: usize,
    /// Maximum number of chained UNWIND_INFO links (Windows: 32).
    pub max_unwind_chain: u32,
    /// Words scanned for a return address after a scanned or frame-pointer frame.
    pub scan_words: usize,
    /// Words scanned after a frame from the context or unwind info.
    pub scan_words_trusted: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_frames: 256,
            max_unwind_chain: 32,
            scan_words: 40,
            scan_words_trusted: 160,
        }
    }
}

impl Limits {
    /// Sets `max_frames`.
    pub fn max_frames(mut self, n: usize) -> Self {
        self.max_frames = n;
        self
    }

    /// Sets both scan depths (0 disables scanning).
    pub fn scan_words(mut self, untrusted: usize, trusted: usize) -> Self {
        self.scan_words = untrusted;
        self.scan_words_trusted = trusted;
        self
    }
}
