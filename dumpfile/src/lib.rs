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

mod context;
mod error;
mod limits;
mod memory;
mod process;
pub mod raw;
mod streams;

#[cfg(feature = "synth")]
pub mod synth;

use std::path::Path;
use std::sync::Arc;

use zerocopy::FromBytes;

pub use context::{Context, ContextArm64, ContextX64, ContextX86};
pub use error::Error;
pub use limits::Limits;
pub use memory::{MemoryRange, MemoryView};
pub use process::{LoaderModule, MappedImage, ProcessInfo, ProcessLayout, ThreadTeb};
pub use streams::*;

use memory::{Region, Source};

/// Stream type numbers (`MINIDUMP_STREAM_TYPE`).
pub mod stream_type {
    /// Unused entry.
    pub const UNUSED: u32 = 0;
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
    /// `HandleOperationListStream`.
    pub const HANDLE_OPERATION_LIST: u32 = 18;
    /// `TokenStream`.
    pub const TOKEN: u32 = 19;
    /// `JavaScriptDataStream`.
    pub const JAVASCRIPT_DATA: u32 = 20;
    /// `SystemMemoryInfoStream`.
    pub const SYSTEM_MEMORY_INFO: u32 = 21;
    /// `ProcessVmCountersStream`.
    pub const PROCESS_VM_COUNTERS: u32 = 22;
    /// `IptTraceStream`.
    pub const IPT_TRACE: u32 = 23;
    /// `ThreadNamesStream`.
    pub const THREAD_NAMES: u32 = 24;
}

/// The minidump header, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `Version` (low word 0xa793, high word implementation specific).
    pub version: u32,
    /// Entries in the stream directory as declared.
    pub number_of_streams: u32,
    /// File offset of the stream directory.
    pub stream_directory_rva: u32,
    /// Checksum.
    pub checksum: u32,
    /// Time of the dump, seconds since 1970-01-01 UTC.
    pub time_date_stamp: u32,
    /// `MINIDUMP_TYPE` flags.
    pub flags: u64,
}

/// One entry of the stream directory, validated to lie inside the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamEntry {
    /// `MINIDUMP_STREAM_TYPE` (see [`stream_type`]).
    pub stream_type: u32,
    /// File offset.
    pub rva: u32,
    /// Size in bytes.
    pub size: u32,
}

/// A location in the file (`MINIDUMP_LOCATION_DESCRIPTOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    /// File offset.
    pub rva: u32,
    /// Size in bytes.
    pub size: u32,
}

/// A user-mode minidump, opened and indexed.
///
/// Opening reads the header, the stream directory and the memory-range lists (O(streams +
/// ranges)); every other stream is parsed when asked for. Captured memory is never copied.
#[derive(Debug)]
pub struct Minidump {
    data: Arc<Source>,
    header: Header,
    streams: Vec<StreamEntry>,
    memory: MemoryView,
    limits: Limits,
    warnings: Vec<Error>,
    arch_cache: std::sync::OnceLock<Arch>,
    wow64_cache: std::sync::OnceLock<(bool, bool)>,
}

const KERNEL_SIGNATURES: [(&[u8; 8], &str); 2] =
    [(b"PAGEDUMP", "PAGEDUMP"), (b"PAGEDU64", "PAGEDU64")];

impl Minidump {
    /// Opens and memory-maps the file at `path` with default [`Limits`].
    ///
    /// The file is mapped read-only. If another process truncates or rewrites the file while
    /// it is mapped, reads may see changed bytes or the process may be killed by `SIGBUS`;
    /// use [`from_bytes`](Self::from_bytes) for files you do not control.
    pub fn open(path: impl AsRef<Path>) -> Result<Minidump, Error> {
        let file = std::fs::File::open(path.as_ref())?;
        // SAFETY: `Mmap::map` is unsafe because the mapped file may be modified or truncated by
        // another process while we hold the map. We only ever read through the map (it is
        // mapped read-only and never written by this crate). A concurrent modification can make
        // us read inconsistent bytes, which the parser treats as untrusted input anyway (every
        // read is bounds-checked); a truncation can make a read fault with SIGBUS and kill the
        // process. Callers who cannot rule that out should use `Minidump::from_bytes`.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Self::from_source(Arc::new(Source::Mapped(map)), Limits::default())
    }

    /// Reads a dump from owned bytes with default [`Limits`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Minidump, Error> {
        Self::from_source(Arc::new(Source::Owned(bytes)), Limits::default())
    }

    /// The same dump, indexed again under `limits`, which then bound every later call (the
    /// header, stream directory and memory lists are read again: O(streams + ranges), like
    /// opening, so lower caps are checked against them and higher caps let more through).
    pub fn with_limits(self, limits: Limits) -> Result<Minidump, Error> {
        Self::from_source(self.data, limits)
    }

    fn from_source(data: Arc<Source>, limits: Limits) -> Result<Minidump, Error> {
        let bytes: &[u8] = &data;
        let file_len = len64(bytes);
        if let Some(head) = bytes.get(..8) {
            for (sig, name) in KERNEL_SIGNATURES {
                if head == sig.as_slice() {
                    return Err(Error::KernelDump { signature: name });
                }
            }
        }
        let (raw_header, _) =
            raw::Header::read_from_prefix(bytes).map_err(|_| Error::Truncated {
                offset: 0,
                needed: 32,
                available: file_len,
            })?;
        if raw_header.signature.get() != raw::MINIDUMP_SIGNATURE {
            return Err(Error::BadSignature {
                found: raw_header.signature.get(),
            });
        }
        let version = raw_header.version.get();
        if (version & 0xffff) != u32::from(raw::MINIDUMP_VERSION) {
            return Err(Error::BadVersion { version });
        }
        let header = Header {
            version,
            number_of_streams: raw_header.number_of_streams.get(),
            stream_directory_rva: raw_header.stream_directory_rva.get(),
            checksum: raw_header.checksum.get(),
            time_date_stamp: raw_header.time_date_stamp.get(),
            flags: raw_header.flags.get(),
        };
        if header.number_of_streams > limits.max_streams {
            return Err(Error::TooManyStreams {
                count: header.number_of_streams,
                limit: limits.max_streams,
            });
        }
        let dir_bytes = file_slice(
            bytes,
            u64::from(header.stream_directory_rva),
            u64::from(header.number_of_streams).saturating_mul(12),
        )?;
        let (dir, _) = <[raw::Directory]>::ref_from_prefix_with_elems(
            dir_bytes,
            usize::try_from(header.number_of_streams).unwrap_or(usize::MAX),
        )
        .map_err(|_| Error::Truncated {
            offset: u64::from(header.stream_directory_rva),
            needed: u64::from(header.number_of_streams).saturating_mul(12),
            available: file_len.saturating_sub(u64::from(header.stream_directory_rva)),
        })?;
        let mut warnings = Vec::new();
        let mut streams = Vec::new();
        for d in dir {
            let e = StreamEntry {
                stream_type: d.stream_type.get(),
                rva: d.location.rva.get(),
                size: d.location.data_size.get(),
            };
            match file_slice(bytes, u64::from(e.rva), u64::from(e.size)) {
                Ok(_) => streams.push(e),
                Err(err) => warnings.push(err),
            }
        }
        let regions = build_regions(bytes, &streams, &limits, &mut warnings);
        let memory = MemoryView::new(Arc::clone(&data), regions);
        Ok(Minidump {
            data,
            header,
            streams,
            memory,
            limits,
            warnings,
            arch_cache: std::sync::OnceLock::new(),
            wow64_cache: std::sync::OnceLock::new(),
        })
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The stream directory (entries pointing outside the file are left out and reported in
    /// [`warnings`](Self::warnings)).
    pub fn streams(&self) -> &[StreamEntry] {
        &self.streams
    }

    /// Problems found at open that did not prevent reading the rest (stream entries outside
    /// the file, memory ranges cut off by a truncated file, ...).
    pub fn warnings(&self) -> &[Error] {
        &self.warnings
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The whole file.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The bytes of the first stream of this type, if present.
    pub fn raw_stream(&self, stream_type: u32) -> Option<&[u8]> {
        let e = self.stream_entry(stream_type)?;
        file_slice(&self.data, u64::from(e.rva), u64::from(e.size)).ok()
    }

    /// The directory entry of the first stream of this type.
    pub fn stream_entry(&self, stream_type: u32) -> Option<&StreamEntry> {
        self.streams.iter().find(|e| e.stream_type == stream_type)
    }

    /// The virtual-address view of the captured memory.
    pub fn memory(&self) -> &MemoryView {
        &self.memory
    }

    /// Bytes at a file location, bounds-checked.
    pub fn location_bytes(&self, location: Location) -> Result<&[u8], Error> {
        file_slice(
            &self.data,
            u64::from(location.rva),
            u64::from(location.size),
        )
    }

    /// Reads a `MINIDUMP_STRING` (u32 byte length, UTF-16LE) at `rva`.
    pub fn read_string(&self, rva: u32) -> Result<String, Error> {
        self.read_string_budget(rva, &mut Budget::new(&self.limits))
    }

    /// [`read_string`](Self::read_string), charging the bytes to a per-call budget.
    pub(crate) fn read_string_budget(
        &self,
        rva: u32,
        budget: &mut Budget,
    ) -> Result<String, Error> {
        let bytes: &[u8] = &self.data;
        let invalid = Error::InvalidString {
            rva: u64::from(rva),
        };
        let len_bytes = file_slice(bytes, u64::from(rva), 4).map_err(|_| Error::InvalidString {
            rva: u64::from(rva),
        })?;
        let mut l = [0u8; 4];
        l.copy_from_slice(len_bytes);
        let n = u32::from_le_bytes(l);
        if n > self.limits.max_string_bytes || n % 2 != 0 {
            return Err(invalid);
        }
        let s = file_slice(bytes, u64::from(rva).saturating_add(4), u64::from(n))
            .map_err(|_| invalid)?;
        budget.take(u64::from(n), "strings")?;
        Ok(utf16_lossy(s))
    }
}

/// What one call may still copy out of the dump ([`Limits::max_copy_bytes`]).
#[derive(Debug)]
pub(crate) struct Budget {
    left: u64,
    limit: u64,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget {
            left: limits.max_copy_bytes,
            limit: limits.max_copy_bytes,
        }
    }

    /// Charges `n` bytes, or fails with [`Error::LimitExceeded`].
    pub(crate) fn take(&mut self, n: u64, what: &'static str) -> Result<(), Error> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(Error::LimitExceeded {
                what,
                limit: self.limit,
            }),
        }
    }
}

/// Little-endian `u16` at `off`, if in bounds.
pub(crate) fn le_u16(bytes: &[u8], off: usize) -> Option<u16> {
    let b = bytes.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

/// Little-endian `u32` at `off`, if in bounds.
pub(crate) fn le_u32(bytes: &[u8], off: usize) -> Option<u32> {
    let b = bytes.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// `bytes.len()` as `u64`.
pub(crate) fn len64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// `bytes[offset .. offset + size]`, or [`Error::InvalidRva`].
pub(crate) fn file_slice(bytes: &[u8], offset: u64, size: u64) -> Result<&[u8], Error> {
    let err = Error::InvalidRva { rva: offset, size };
    let start = usize::try_from(offset).map_err(|_| Error::InvalidRva { rva: offset, size })?;
    let len = usize::try_from(size).map_err(|_| Error::InvalidRva { rva: offset, size })?;
    let end = start
        .checked_add(len)
        .ok_or(Error::InvalidRva { rva: offset, size })?;
    bytes.get(start..end).ok_or(err)
}

/// Decodes UTF-16LE bytes (odd trailing byte ignored), stopping at the first NUL.
pub(crate) fn utf16_lossy(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .take_while(|&u| u != 0);
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Splits a `u32`-counted list (ThreadList, ModuleList, MemoryList), tolerating the 4 bytes of
/// padding some writers put after the count. Returns the entries' bytes.
pub(crate) fn counted_list(
    stream: &[u8],
    stream_type: u32,
    rva: u32,
    entry_size: usize,
) -> Result<(u32, &[u8]), Error> {
    let count_bytes = stream.get(..4).ok_or(Error::BadStream {
        stream_type,
        rva: u64::from(rva),
        reason: "shorter than its count field",
    })?;
    let mut c = [0u8; 4];
    c.copy_from_slice(count_bytes);
    let count = u32::from_le_bytes(c);
    let need = usize::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(entry_size))
        .ok_or(Error::CountTooLarge {
            stream_type,
            count: u64::from(count),
        })?;
    let rest = stream.get(4..).unwrap_or(&[]);
    // Padded variant: exactly 4 extra bytes after the count.
    if rest.len() == need.saturating_add(4) && rest.len() >= 4 {
        return Ok((count, rest.get(4..).unwrap_or(&[])));
    }
    match rest.get(..need) {
        Some(entries) => Ok((count, entries)),
        None => Err(Error::CountTooLarge {
            stream_type,
            count: u64::from(count),
        }),
    }
}

fn build_regions(
    bytes: &[u8],
    streams: &[StreamEntry],
    limits: &Limits,
    warnings: &mut Vec<Error>,
) -> Vec<Region> {
    let mut regions: Vec<Region> = Vec::new();
    let mut budget = limits.max_memory_ranges;
    // A malformed list is reported and left out of the view; the rest of the dump stays usable.
    if let Some(e) = streams
        .iter()
        .find(|e| e.stream_type == stream_type::MEMORY_LIST)
        && let Err(err) = memory_list(bytes, e, &mut budget, &mut regions, warnings)
    {
        warnings.push(err);
    }
    if let Some(e) = streams
        .iter()
        .find(|e| e.stream_type == stream_type::MEMORY64_LIST)
        && let Err(err) = memory64_list(bytes, e, &mut budget, &mut regions, warnings)
    {
        warnings.push(err);
    }
    regions
}

/// Indexes a MemoryList stream.
fn memory_list(
    bytes: &[u8],
    e: &StreamEntry,
    budget: &mut u64,
    regions: &mut Vec<Region>,
    warnings: &mut Vec<Error>,
) -> Result<(), Error> {
    let s = file_slice(bytes, u64::from(e.rva), u64::from(e.size))?;
    let (count, entries) = counted_list(s, e.stream_type, e.rva, 16)?;
    if u64::from(count) > *budget {
        return Err(Error::CountTooLarge {
            stream_type: e.stream_type,
            count: u64::from(count),
        });
    }
    *budget = budget.saturating_sub(u64::from(count));
    let descs =
        <[raw::MemoryDescriptor]>::ref_from_bytes(entries).map_err(|_| Error::BadStream {
            stream_type: e.stream_type,
            rva: u64::from(e.rva),
            reason: "descriptor array size",
        })?;
    for d in descs {
        let base = d.start_of_memory_range.get();
        let size = u64::from(d.memory.data_size.get());
        let rva = u64::from(d.memory.rva.get());
        if base.checked_add(size).is_none() {
            warnings.push(Error::AddressOverflow {
                address: base,
                len: size,
            });
            continue;
        }
        if file_slice(bytes, rva, size).is_err() {
            warnings.push(Error::InvalidRva { rva, size });
            continue;
        }
        regions.push(Region {
            base,
            size,
            file_offset: rva,
        });
    }
    Ok(())
}

/// Indexes a Memory64List stream: the data of the ranges is consecutive from `BaseRva`.
fn memory64_list(
    bytes: &[u8],
    e: &StreamEntry,
    budget: &mut u64,
    regions: &mut Vec<Region>,
    warnings: &mut Vec<Error>,
) -> Result<(), Error> {
    let file_len = len64(bytes);
    let s = file_slice(bytes, u64::from(e.rva), u64::from(e.size))?;
    let (h, rest) = raw::Memory64ListHeader::read_from_prefix(s).map_err(|_| Error::BadStream {
        stream_type: e.stream_type,
        rva: u64::from(e.rva),
        reason: "shorter than MINIDUMP_MEMORY64_LIST",
    })?;
    let count = h.number_of_memory_ranges.get();
    if count > *budget {
        return Err(Error::CountTooLarge {
            stream_type: e.stream_type,
            count,
        });
    }
    let n = usize::try_from(count).map_err(|_| Error::CountTooLarge {
        stream_type: e.stream_type,
        count,
    })?;
    let (descs, _) =
        <[raw::MemoryDescriptor64]>::ref_from_prefix_with_elems(rest, n).map_err(|_| {
            Error::CountTooLarge {
                stream_type: e.stream_type,
                count,
            }
        })?;
    let mut offset = h.base_rva.get();
    let mut truncated = false;
    for d in descs {
        let base = d.start_of_memory_range.get();
        let size = d.data_size.get();
        let this_offset = offset;
        offset = offset.saturating_add(size);
        if base.checked_add(size).is_none() {
            warnings.push(Error::AddressOverflow {
                address: base,
                len: size,
            });
            continue;
        }
        let available = file_len.saturating_sub(this_offset);
        let kept = size.min(available);
        if kept < size && !truncated {
            truncated = true;
            warnings.push(Error::Truncated {
                offset: this_offset,
                needed: size,
                available,
            });
        }
        if kept > 0 {
            regions.push(Region {
                base,
                size: kept,
                file_offset: this_offset,
            });
        }
    }
    Ok(())
}
