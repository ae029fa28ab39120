//! `dumpfile`: Windows user-mode minidumps (`MDMP`) over a memory map, with a virtual-address
//! memory view.
//!
//! Open a dump with [`Minidump::open`] (memory map) or [`Minidump::from_bytes`] (owned bytes).
//! Opening reads the header, the stream directory and the memory-range lists, O(streams +
//! ranges), and copies nothing. Streams are parsed when asked for: [`Minidump::system_info`],
//! [`Minidump::threads`], [`Minidump::modules`], [`Minidump::exception`],
//! [`Minidump::thread_info`], [`Minidump::handles`], ... and any stream raw with
//! [`Minidump::raw_stream`]. Captured memory is read by virtual address through
//! [`Minidump::memory`] (a [`MemoryView`]: binary search over sorted ranges, zero-copy
//! [`MemoryView::slice`], copying [`MemoryView::read`] across adjacent ranges). Thread contexts
//! (x86, x64, ARM64, and the 32-bit context of WOW64 threads) come from
//! [`Minidump::thread_context`] and [`Minidump::wow64_context`]; facts read through memory
//! (PEB, heaps, loader module list, command line) from [`Minidump::process`].
//!
//! Kernel dumps (`PAGEDUMP`/`PAGEDU64`) are recognised and refused with [`Error::KernelDump`].
//!
//! # Example
//!
//! A tiny dump built inline: a SystemInfo stream and one captured memory range.
//!
//! ```
//! use dumpfile::{Arch, Error, Minidump};
//!
//! fn u32le(v: &mut Vec<u8>, x: u32) { v.extend_from_slice(&x.to_le_bytes()) }
//! let mut d = Vec::new();
//! d.extend_from_slice(b"MDMP");
//! u32le(&mut d, 0xa793);       // version
//! u32le(&mut d, 2);            // number of streams
//! u32le(&mut d, 32);           // stream directory RVA
//! u32le(&mut d, 0);            // checksum
//! u32le(&mut d, 0);            // time stamp
//! d.extend_from_slice(&0u64.to_le_bytes()); // flags
//! // Directory: SystemInfo (7) at 56, 56 bytes; MemoryList (5) at 112, 20 bytes.
//! for (ty, size, rva) in [(7, 56, 56), (5, 20, 112)] {
//!     u32le(&mut d, ty); u32le(&mut d, size); u32le(&mut d, rva);
//! }
//! // MINIDUMP_SYSTEM_INFO: x64, 4 CPUs, Windows 10.0.19041.
//! d.extend_from_slice(&9u16.to_le_bytes());         // ProcessorArchitecture
//! d.extend_from_slice(&[6, 0, 0, 0]);               // level, revision
//! d.extend_from_slice(&[4, 1]);                     // processors, product type
//! for v in [10, 0, 19041, 2, 0] { u32le(&mut d, v) } // major, minor, build, platform, CSD RVA
//! d.extend_from_slice(&[0; 4 + 24]);                // suite mask, reserved, CPU info
//! // MINIDUMP_MEMORY_LIST: one range of 8 bytes at 0x7ff0_0000, data at file offset 132.
//! u32le(&mut d, 1);
//! d.extend_from_slice(&0x7ff0_0000u64.to_le_bytes());
//! u32le(&mut d, 8);
//! u32le(&mut d, 132);
//! d.extend_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
//!
//! let dump = Minidump::from_bytes(d)?;
//! let sys = dump.system_info()?.expect("SystemInfo present");
//! assert_eq!((sys.arch, sys.major, sys.build, sys.processors), (Arch::X64, 10, 19041, 4));
//! assert_eq!(dump.memory().read_u32(0x7ff0_0004)?, 0x1122_3344);
//! assert_eq!(dump.memory().slice(0x7ff0_0000, 2)?, &[0x88, 0x77]);
//! assert!(dump.memory().read_u32(0x7ff0_0006).unwrap_err().is_not_captured());
//! # Ok::<(), Error>(())
//! ```
//!
//! # Trust model
//!
//! A dump is untrusted input. No input makes this crate panic, loop forever or allocate beyond
//! what the file itself holds: all offset arithmetic is checked, every count is checked against
//! the bytes present before anything is allocated, every list walk (loader list, handle
//! object-information chain) has a step limit ([`Limits`]) and cycle detection. Memory that is
//! not in the dump is [`Error::NotCaptured`], distinct from corrupt data.
//!
//! The one `unsafe` is the memory map in [`Minidump::open`]: if another process truncates the
//! file while it is mapped, a read may fault (SIGBUS). Use [`Minidump::from_bytes`] for files you
//! do not control.
//!
//! # Features
//!
//! - `synth`: the synthetic minidump writer ([`synth`] module), for tests, fuzzing and benches.
#![deny(unsafe_code)]

mod bytes;
mod context;
mod error;
mod limits;
mod memory;
mod memory_flags;
mod minidump;
mod process;
pub mod raw;

#[cfg(feature = "synth")]
pub mod synth;

pub use context::{Context, ContextArm64, ContextX64, ContextX86};
pub use error::Error;
pub use limits::Limits;
pub use memory::{DumpData, MemoryRange, MemoryView};
pub use memory_flags::{MemState, MemType, PageProtection};
pub use minidump::streams::*;
pub use minidump::{Header, Location, Minidump, StreamEntry, stream_type};
pub use process::{HeapRef, LoaderModule, MappedImage, ProcessInfo, ProcessLayout, ThreadTeb};
