//! `MINIDUMP_HEADER` and the stream directory: opening a user-mode minidump and indexing its
//! memory lists. Each stream has its own file in `streams/`; process facts read through the
//! captured memory (PEB, TEB, loader list, mapped images) are in `crate::process`.

use std::ops::Deref;
use std::path::Path;
use std::sync::Arc;

use zerocopy::FromBytes;

use crate::bytes::*;
use crate::memory::{DumpData, Region, Source};
use crate::{Arch, Error, Limits, MemoryView, raw};

pub(crate) mod streams;

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
///
/// `D` holds the file's bytes: [`DumpData`] (a memory map from [`Minidump::open`] or a `Vec` from
/// [`Minidump::from_bytes`]), `&[u8]` from [`Minidump::from_slice`], or any
/// `Deref<Target = [u8]>` through [`Minidump::from_data`].
pub struct Minidump<D = DumpData> {
    data: Arc<D>,
    header: Header,
    streams: Vec<StreamEntry>,
    memory: MemoryView<D>,
    limits: Limits,
    warnings: Vec<Error>,
    arch_cache: std::sync::OnceLock<Arch>,
    wow64_cache: std::sync::OnceLock<(bool, bool)>,
}

const KERNEL_SIGNATURES: [(&[u8; 8], &str); 2] =
    [(b"PAGEDUMP", "PAGEDUMP"), (b"PAGEDU64", "PAGEDU64")];

impl<D> std::fmt::Debug for Minidump<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Minidump")
            .field("header", &self.header)
            .field("streams", &self.streams)
            .field("memory", &self.memory)
            .field("limits", &self.limits)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

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
        Self::from_source(Arc::new(DumpData(Source::Mapped(map))), Limits::default())
    }

    /// Reads a dump from owned bytes with default [`Limits`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Minidump, Error> {
        Self::from_source(Arc::new(DumpData(Source::Owned(bytes))), Limits::default())
    }
}

impl<'a> Minidump<&'a [u8]> {
    /// Reads a dump from borrowed bytes with default [`Limits`] (nothing is copied; the bytes
    /// must outlive the dump).
    pub fn from_slice(bytes: &'a [u8]) -> Result<Minidump<&'a [u8]>, Error> {
        Self::from_data(bytes)
    }
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// Reads a dump from any owner of its bytes with default [`Limits`].
    pub fn from_data(data: D) -> Result<Minidump<D>, Error> {
        Self::from_source(Arc::new(data), Limits::default())
    }

    /// The same dump, indexed again under `limits`, which then bound every later call (the
    /// header, stream directory and memory lists are read again: O(streams + ranges), like
    /// opening, so lower caps are checked against them and higher caps let more through).
    pub fn with_limits(self, limits: Limits) -> Result<Minidump<D>, Error> {
        Self::from_source(self.data, limits)
    }

    fn from_source(data: Arc<D>, limits: Limits) -> Result<Minidump<D>, Error> {
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
    pub fn memory(&self) -> &MemoryView<D> {
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
