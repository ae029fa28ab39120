#![doc = include_str!("../README.md")]
//!
//! # Modules of this crate
//!
//! - [`memory`]: the [`ReadMemory`] trait and adapters ([`FnMemory`], [`SliceMemory`]), the
//!   workspace's shared template; [`region`]: [`RegionMemory`].
//! - [`limits`]: [`Limits`], held by the [`Walker`].
//! - [`context`]: register contexts ([`Context::from_raw`] parses a raw Windows `CONTEXT`).
//! - [`image`]: [`ModuleUnwind`] (unwind data by RVA) and [`ImageUnwind`] over a PE image.
//! - [`x64`]: `RtlVirtualUnwind` semantics. [`x86`]: frame data and EBP chains. [`arm64`]:
//!   `.pdata`/`.xdata` and packed unwind data.
//! - [`walk`]: the [`Walker`], [`Frame`], [`Trust`], [`StopReason`].
//! - Kernel stacks: [`trap_frame`] ([`KTrapFrame`], x64), [`exception_frame`]
//!   ([`KExceptionFrame`], [`context_from_kframes`]), [`trap_frame_x86`] ([`KTrapFrameX86`]);
//!   [`raw`]: their raw layouts.
//! - [`symbols`]: [`SymbolTable`]; `pdb` (feature `pdb`): symbols and frame data from PDBs;
//!   [`pdb_identity`]: [`PdbIdentity`] and [`find_pdb`] (a PDB by GUID and age, whatever its
//!   file name).
//! - [`symsrv`] (feature `symsrv`): symbol paths in WinDbg's syntax, symbol stores and
//!   symbol servers ([`symsrv::SymbolLocator`]).
//!
//! # Features
//!
//! - `pdb` (default): read symbols and x86 frame data from PDB files with the `pdb` crate.
//! - `symsrv`: [`symsrv`]: `_NT_SYMBOL_PATH` syntax and lookups in local symbol stores.
//! - `cab` (implies `symsrv`): CAB-compressed store entries (`name.pd_`).
//! - `http` (implies `symsrv`): downloads from HTTP(S) symbol servers (blocking `ureq`).
//! - `synth`: [`synth`] helpers to build synthetic stacks (for tests and fuzzing).

#![forbid(unsafe_code)]

pub mod arm64;
pub mod context;
pub mod error;
pub mod exception_frame;
pub mod image;
pub mod limits;
pub mod memory;
#[cfg(feature = "pdb")]
pub mod pdb;
pub mod pdb_identity;
pub mod raw;
pub mod region;
pub mod scan;
pub mod symbols;
#[cfg(feature = "symsrv")]
pub mod symsrv;
#[cfg(feature = "synth")]
pub mod synth;
pub mod trap_frame;
pub mod trap_frame_x86;
pub mod walk;
pub mod x64;
pub mod x86;

pub use context::{Arch, Context, ContextArm64, ContextX64, ContextX86};
pub use error::Error;
pub use exception_frame::{KExceptionFrame, context_from_kframes};
pub use image::{FileImage, ImageLayout, ImageUnwind, MappedImage, ModuleUnwind, RuntimeFunction};
pub use limits::Limits;
pub use memory::{FnMemory, MemoryError, PointerWidth, ReadMemory, SliceMemory};
#[cfg(feature = "pdb")]
pub use pdb::PdbData;
pub use pdb_identity::{PdbIdentity, find_pdb};
pub use region::RegionMemory;
pub use symbols::{Symbol, SymbolKind, SymbolTable, Symbolize};
pub use trap_frame::KTrapFrame;
pub use trap_frame_x86::{KTrapFrameX86, X86TrapLayout};
pub use walk::{Frame, Location, Module, Modules, Stack, StopReason, Trust, Walker};
pub use x86::{FrameEntry, FrameKind, FrameTable};
