//! The parsed image: headers, sections and RVA-based reading in file or mapped layout.

use crate::headers::{
    DataDirectory, DllCharacteristics, FileCharacteristics, FileHeader, Machine, OptionalHeader,
    OptionalKind, SectionFlags, SectionHeader,
};
use crate::raw;
use crate::{Error, Limits, ReadMemory, Result};
use zerocopy::FromBytes;

/// Page size used to probe mapped images.
pub(crate) const PAGE: u64 = 0x1000;

/// Where the image bytes come from.
#[derive(Clone, Copy)]
enum Source<'a> {
    File(&'a [u8]),
    Mapped { mem: &'a dyn ReadMemory, base: u64 },
}

impl core::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Source::File(d) => write!(f, "File({} bytes)", d.len()),
            Source::Mapped { base, .. } => write!(f, "Mapped {{ base: {base:#x} }}"),
        }
    }
}

/// How the image bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// As on disk: sections at `PointerToRawData`.
    File,
    /// As mapped by the loader: sections at `base + VirtualAddress`.
    Mapped,
}

/// Whether a section of a mapped image is present in the dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionStatus {
    /// Every page is readable.
    Captured,
    /// Some pages are readable.
    Partial {
        /// Bytes readable.
        captured: u64,
        /// Bytes of the section.
        total: u64,
    },
    /// No page of the section is in the dump.
    NotCaptured,
}

/// A run of contiguous readable bytes of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// RVA of the first byte.
    pub rva: u32,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A parsed PE image, from a file or from memory.
#[derive(Debug, Clone)]
pub struct PeImage<'a> {
    source: Source<'a>,
    limits: Limits,
    nt_offset: u32,
    file_header: FileHeader,
    optional: OptionalHeader,
    directories: Vec<DataDirectory>,
    sections: Vec<SectionHeader>,
}

fn get<T: FromBytes + zerocopy::KnownLayout + zerocopy::Immutable>(
    bytes: &[u8],
    what: &'static str,
    offset: u64,
) -> Result<T> {
    T::read_from_prefix(bytes)
        .map(|(t, _)| t)
        .map_err(|_| Error::Truncated {
            what,
            offset,
            needed: size_of::<T>() as u64,
            available: bytes.len() as u64,
        })
}

fn add(a: u64, b: u64) -> Result<u64> {
    a.checked_add(b).ok_or(Error::Overflow { at: a })
}

fn to_usize(v: u64) -> Result<usize> {
    usize::try_from(v).map_err(|_| Error::Overflow { at: v })
}

impl<'a> PeImage<'a> {
    /// Parses an image in file layout (the bytes of a `.exe`/`.dll`).
    ///
    /// Parsing uses [`Limits::default`]; [`PeImage::with_limits`] sets others.
    pub fn parse_file(data: &'a [u8]) -> Result<Self> {
        Self::parse_file_under(data, Limits::default())
    }

    /// The same image, parsed again under `limits`, which then bound every later call (the
    /// headers are read again, so lower caps are checked against them and higher caps let
    /// more through).
    pub fn with_limits(self, limits: Limits) -> Result<Self> {
        match self.source {
            Source::File(data) => Self::parse_file_under(data, limits),
            Source::Mapped { mem, base } => Self::parse_mapped_under(mem, base, limits),
        }
    }

    fn parse_file_under(data: &'a [u8], limits: Limits) -> Result<Self> {
        let mut read = |off: u64, buf: &mut [u8]| -> Result<()> {
            let start = to_usize(off)?;
            let end = start
                .checked_add(buf.len())
                .ok_or(Error::Overflow { at: off })?;
            let src = data.get(start..end).ok_or(Error::Truncated {
                what: "headers",
                offset: off,
                needed: buf.len() as u64,
                available: (data.len() as u64).saturating_sub(off),
            })?;
            buf.copy_from_slice(src);
            Ok(())
        };
        Self::parse_headers(&mut read, Source::File(data), limits)
    }

    /// Parses an image mapped at `base` in `mem` (for example a module in a dump).
    ///
    /// Only the headers must be readable; sections that are missing from the dump are
    /// reported per section by [`PeImage::section_status`] and by `NotCaptured` errors.
    ///
    /// Parsing uses [`Limits::default`]; [`PeImage::with_limits`] sets others.
    pub fn parse_mapped(mem: &'a dyn ReadMemory, base: u64) -> Result<Self> {
        Self::parse_mapped_under(mem, base, Limits::default())
    }

    fn parse_mapped_under(mem: &'a dyn ReadMemory, base: u64, limits: Limits) -> Result<Self> {
        let mut read = |off: u64, buf: &mut [u8]| -> Result<()> {
            let addr = add(base, off)?;
            mem.read(addr, buf).map_err(Error::from)
        };
        Self::parse_headers(&mut read, Source::Mapped { mem, base }, limits)
    }

    fn parse_headers(
        read: &mut dyn FnMut(u64, &mut [u8]) -> Result<()>,
        source: Source<'a>,
        limits: Limits,
    ) -> Result<Self> {
        let mut dos = [0u8; 64];
        read(0, &mut dos)?;
        let dos: raw::ImageDosHeader = get(&dos, "DOS header", 0)?;
        if dos.e_magic.get() != 0x5a4d {
            return Err(Error::BadDosSignature {
                found: dos.e_magic.get(),
            });
        }
        let nt = dos.e_lfanew.get();
        if u64::from(nt) > limits.max_header_offset {
            return Err(Error::LimitExceeded {
                what: "e_lfanew",
                offset: 0x3c,
                value: u64::from(nt),
                limit: limits.max_header_offset,
            });
        }
        let nt64 = u64::from(nt);
        let mut sig_fh = [0u8; 24];
        read(nt64, &mut sig_fh)?;
        let sig = u32::from_le_bytes([sig_fh[0], sig_fh[1], sig_fh[2], sig_fh[3]]);
        if sig != 0x0000_4550 {
            return Err(Error::BadPeSignature {
                offset: nt64,
                found: sig,
            });
        }
        let fh: raw::ImageFileHeader = get(sig_fh.get(4..).unwrap_or(&[]), "file header", nt64)?;
        let opt_off = add(nt64, 24)?;
        let soh = usize::from(fh.size_of_optional_header.get());
        let mut opt = vec![0u8; soh];
        read(opt_off, &mut opt)?;
        let magic = opt
            .get(0..2)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes)
            .ok_or(Error::Truncated {
                what: "optional header",
                offset: opt_off,
                needed: 2,
                available: soh as u64,
            })?;
        let (optional, dirs_at) = match magic {
            0x10b => {
                let o: raw::ImageOptionalHeader32 = get(&opt, "optional header", opt_off)?;
                (
                    OptionalHeader {
                        kind: OptionalKind::Pe32,
                        magic,
                        linker_version: (o.major_linker_version, o.minor_linker_version),
                        size_of_code: o.size_of_code.get(),
                        size_of_initialized_data: o.size_of_initialized_data.get(),
                        size_of_uninitialized_data: o.size_of_uninitialized_data.get(),
                        address_of_entry_point: o.address_of_entry_point.get(),
                        base_of_code: o.base_of_code.get(),
                        base_of_data: Some(o.base_of_data.get()),
                        image_base: u64::from(o.image_base.get()),
                        section_alignment: o.section_alignment.get(),
                        file_alignment: o.file_alignment.get(),
                        operating_system_version: (
                            o.major_operating_system_version.get(),
                            o.minor_operating_system_version.get(),
                        ),
                        image_version: (o.major_image_version.get(), o.minor_image_version.get()),
                        subsystem_version: (
                            o.major_subsystem_version.get(),
                            o.minor_subsystem_version.get(),
                        ),
                        win32_version_value: o.win32_version_value.get(),
                        size_of_image: o.size_of_image.get(),
                        size_of_headers: o.size_of_headers.get(),
                        check_sum: o.check_sum.get(),
                        subsystem: o.subsystem.get(),
                        dll_characteristics: DllCharacteristics::from_bits_retain(
                            o.dll_characteristics.get(),
                        ),
                        size_of_stack_reserve: u64::from(o.size_of_stack_reserve.get()),
                        size_of_stack_commit: u64::from(o.size_of_stack_commit.get()),
                        size_of_heap_reserve: u64::from(o.size_of_heap_reserve.get()),
                        size_of_heap_commit: u64::from(o.size_of_heap_commit.get()),
                        loader_flags: o.loader_flags.get(),
                        number_of_rva_and_sizes: o.number_of_rva_and_sizes.get(),
                    },
                    size_of::<raw::ImageOptionalHeader32>(),
                )
            }
            0x20b => {
                let o: raw::ImageOptionalHeader64 = get(&opt, "optional header", opt_off)?;
                (
                    OptionalHeader {
                        kind: OptionalKind::Pe32Plus,
                        magic,
                        linker_version: (o.major_linker_version, o.minor_linker_version),
                        size_of_code: o.size_of_code.get(),
                        size_of_initialized_data: o.size_of_initialized_data.get(),
                        size_of_uninitialized_data: o.size_of_uninitialized_data.get(),
                        address_of_entry_point: o.address_of_entry_point.get(),
                        base_of_code: o.base_of_code.get(),
                        base_of_data: None,
                        image_base: o.image_base.get(),
                        section_alignment: o.section_alignment.get(),
                        file_alignment: o.file_alignment.get(),
                        operating_system_version: (
                            o.major_operating_system_version.get(),
                            o.minor_operating_system_version.get(),
                        ),
                        image_version: (o.major_image_version.get(), o.minor_image_version.get()),
                        subsystem_version: (
                            o.major_subsystem_version.get(),
                            o.minor_subsystem_version.get(),
                        ),
                        win32_version_value: o.win32_version_value.get(),
                        size_of_image: o.size_of_image.get(),
                        size_of_headers: o.size_of_headers.get(),
                        check_sum: o.check_sum.get(),
                        subsystem: o.subsystem.get(),
                        dll_characteristics: DllCharacteristics::from_bits_retain(
                            o.dll_characteristics.get(),
                        ),
                        size_of_stack_reserve: o.size_of_stack_reserve.get(),
                        size_of_stack_commit: o.size_of_stack_commit.get(),
                        size_of_heap_reserve: o.size_of_heap_reserve.get(),
                        size_of_heap_commit: o.size_of_heap_commit.get(),
                        loader_flags: o.loader_flags.get(),
                        number_of_rva_and_sizes: o.number_of_rva_and_sizes.get(),
                    },
                    size_of::<raw::ImageOptionalHeader64>(),
                )
            }
            _ => {
                return Err(Error::BadOptionalHeader {
                    offset: opt_off,
                    magic,
                });
            }
        };
        // Data directories: at most 16, at most what the optional header has room for.
        let room = soh.saturating_sub(dirs_at) / 8;
        let ndirs = usize::try_from(optional.number_of_rva_and_sizes)
            .unwrap_or(usize::MAX)
            .min(16)
            .min(room);
        let dir_bytes = opt.get(dirs_at..).unwrap_or(&[]);
        let directories = dir_bytes
            .chunks_exact(8)
            .take(ndirs)
            .map(|c| {
                let d = raw::ImageDataDirectory::read_from_bytes(c).ok();
                DataDirectory {
                    virtual_address: d.map_or(0, |d| d.virtual_address.get()),
                    size: d.map_or(0, |d| d.size.get()),
                }
            })
            .collect();
        // Section table.
        let count = fh.number_of_sections.get();
        if count > limits.max_sections {
            return Err(Error::LimitExceeded {
                what: "NumberOfSections",
                offset: add(nt64, 6)?,
                value: u64::from(count),
                limit: u64::from(limits.max_sections),
            });
        }
        let st_off = add(opt_off, soh as u64)?;
        let mut st = vec![0u8; usize::from(count).saturating_mul(40)];
        read(st_off, &mut st)?;
        let sections = st
            .chunks_exact(40)
            .filter_map(|c| raw::ImageSectionHeader::read_from_bytes(c).ok())
            .map(|s| SectionHeader {
                name: s.name,
                virtual_size: s.virtual_size.get(),
                virtual_address: s.virtual_address.get(),
                size_of_raw_data: s.size_of_raw_data.get(),
                pointer_to_raw_data: s.pointer_to_raw_data.get(),
                pointer_to_relocations: s.pointer_to_relocations.get(),
                pointer_to_linenumbers: s.pointer_to_linenumbers.get(),
                number_of_relocations: s.number_of_relocations.get(),
                number_of_linenumbers: s.number_of_linenumbers.get(),
                characteristics: SectionFlags::from_bits_retain(s.characteristics.get()),
            })
            .collect();
        let file_header = FileHeader {
            machine: Machine(fh.machine.get()),
            number_of_sections: count,
            time_date_stamp: fh.time_date_stamp.get(),
            pointer_to_symbol_table: fh.pointer_to_symbol_table.get(),
            number_of_symbols: fh.number_of_symbols.get(),
            size_of_optional_header: fh.size_of_optional_header.get(),
            characteristics: FileCharacteristics::from_bits_retain(fh.characteristics.get()),
        };
        Ok(PeImage {
            source,
            limits,
            nt_offset: nt,
            file_header,
            optional,
            directories,
            sections,
        })
    }

    /// The limits this image was parsed with and that bound every call on it.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// File or mapped layout.
    pub fn layout(&self) -> Layout {
        match self.source {
            Source::File(_) => Layout::File,
            Source::Mapped { .. } => Layout::Mapped,
        }
    }

    /// The address the image is at: the load base for mapped images, `ImageBase` for files.
    pub fn base(&self) -> u64 {
        match self.source {
            Source::File(_) => self.optional.image_base,
            Source::Mapped { base, .. } => base,
        }
    }

    /// File offset (= RVA) of the NT headers (`e_lfanew`).
    pub fn nt_headers_offset(&self) -> u32 {
        self.nt_offset
    }

    /// The file header.
    pub fn file_header(&self) -> &FileHeader {
        &self.file_header
    }

    /// The optional header.
    pub fn optional_header(&self) -> &OptionalHeader {
        &self.optional
    }

    /// The machine type.
    pub fn machine(&self) -> Machine {
        self.file_header.machine
    }

    /// True for PE32+ images.
    pub fn is_64(&self) -> bool {
        self.optional.kind == OptionalKind::Pe32Plus
    }

    /// Link time stamp (`TimeDateStamp`).
    pub fn timestamp(&self) -> u32 {
        self.file_header.time_date_stamp
    }

    /// `SizeOfImage`.
    pub fn size_of_image(&self) -> u32 {
        self.optional.size_of_image
    }

    /// The symbol-store key of the image (SSQP): `TimeDateStamp` as exactly 8 upper-case hex
    /// digits followed by `SizeOfImage` in as few lower-case hex digits as needed, e.g.
    /// `4CE7C8F9c2000` (the file is then `name.dll/<key>/name.dll` on a symbol server).
    pub fn symbol_store_key(&self) -> String {
        format!("{:08X}{:x}", self.timestamp(), self.size_of_image())
    }

    /// The data directories present in the optional header (at most 16).
    pub fn data_directories(&self) -> &[DataDirectory] {
        &self.directories
    }

    /// One data directory by index (see [`crate::dir`]), if present and non-empty.
    pub fn data_directory(&self, index: usize) -> Option<DataDirectory> {
        self.directories
            .get(index)
            .copied()
            .filter(|d| !d.is_empty())
    }

    /// The section headers.
    pub fn sections(&self) -> &[SectionHeader] {
        &self.sections
    }

    /// The first section whose name is `name` (e.g. `.rdata`).
    pub fn section_by_name(&self, name: &str) -> Option<&SectionHeader> {
        self.sections.iter().find(|s| s.name() == name)
    }

    /// The first section that holds `rva`.
    pub fn section_containing(&self, rva: u32) -> Option<&SectionHeader> {
        self.sections.iter().find(|s| s.contains_rva(rva))
    }

    /// RVA → virtual address (relative to [`PeImage::base`]).
    pub fn rva_to_va(&self, rva: u32) -> Option<u64> {
        self.base().checked_add(u64::from(rva))
    }

    /// Virtual address → RVA, if the address lies inside `SizeOfImage`.
    pub fn va_to_rva(&self, va: u64) -> Option<u32> {
        let off = va.checked_sub(self.base())?;
        let rva = u32::try_from(off).ok()?;
        (rva < self.size_of_image()).then_some(rva)
    }

    /// RVA → file offset: identity inside the headers, else through the section that holds it.
    /// `None` when the RVA has no file backing (uninitialized data, unmapped RVA).
    pub fn rva_to_file_offset(&self, rva: u32) -> Option<u32> {
        if rva < self.optional.size_of_headers {
            return Some(rva);
        }
        let s = self.section_containing(rva)?;
        let delta = rva.checked_sub(s.virtual_address)?;
        if delta >= s.size_of_raw_data {
            return None;
        }
        s.pointer_to_raw_data.checked_add(delta)
    }

    /// File offset → RVA, through the section whose raw data holds it (identity in the headers).
    pub fn file_offset_to_rva(&self, offset: u32) -> Option<u32> {
        if offset < self.optional.size_of_headers {
            return Some(offset);
        }
        self.sections.iter().find_map(|s| {
            let delta = offset.checked_sub(s.pointer_to_raw_data)?;
            (delta < s.size_of_raw_data.min(s.mapped_size()))
                .then(|| s.virtual_address.checked_add(delta))
                .flatten()
        })
    }

    /// Reads `buf.len()` bytes at `rva`.
    ///
    /// In file layout, bytes of a section beyond its raw data read as zeros (as the loader
    /// maps them); RVAs outside the headers and every section are an error. In mapped
    /// layout, the read goes to the memory source and missing pages are
    /// [`Error::NotCaptured`].
    pub fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<()> {
        match self.source {
            Source::Mapped { mem, base } => {
                let addr = add(base, u64::from(rva))?;
                mem.read(addr, buf).map_err(Error::from)
            }
            Source::File(data) => {
                let mut pos = u64::from(rva);
                let mut done = 0usize;
                while done < buf.len() {
                    let want = buf.len().saturating_sub(done);
                    let out = buf.get_mut(done..).unwrap_or(&mut []);
                    let n = self.read_file_chunk(data, pos, out)?;
                    if n == 0 || n > want {
                        return Err(Error::UnmappedRva {
                            rva: pos,
                            len: want as u64,
                        });
                    }
                    done = done.saturating_add(n);
                    pos = add(pos, n as u64)?;
                }
                Ok(())
            }
        }
    }

    /// Copies the largest prefix of `out` that lies in one region (headers or a section);
    /// returns how many bytes were produced.
    fn read_file_chunk(&self, data: &[u8], rva: u64, out: &mut [u8]) -> Result<usize> {
        let headers = u64::from(self.optional.size_of_headers).max(1);
        let (region_end, file_start) = if rva < headers {
            (headers, Some(rva))
        } else {
            let r = u32::try_from(rva).map_err(|_| Error::UnmappedRva {
                rva,
                len: out.len() as u64,
            })?;
            let s = self.section_containing(r).ok_or(Error::UnmappedRva {
                rva,
                len: out.len() as u64,
            })?;
            let delta = u64::from(r.saturating_sub(s.virtual_address));
            let file = if delta < u64::from(s.size_of_raw_data) {
                Some(add(u64::from(s.pointer_to_raw_data), delta)?)
            } else {
                None
            };
            // Raw part and zero-fill part are separate chunks.
            let end = if delta < u64::from(s.size_of_raw_data) {
                s.end_rva().min(add(
                    u64::from(s.virtual_address),
                    u64::from(s.size_of_raw_data),
                )?)
            } else {
                s.end_rva()
            };
            (end, file)
        };
        let avail = region_end.saturating_sub(rva);
        let n = usize::try_from(avail).unwrap_or(usize::MAX).min(out.len());
        let dst = out.get_mut(..n).unwrap_or(&mut []);
        match file_start {
            Some(off) => {
                let start = to_usize(off)?;
                let end = start.checked_add(n).ok_or(Error::Overflow { at: off })?;
                let src = data.get(start..end).ok_or(Error::Truncated {
                    what: "section data",
                    offset: off,
                    needed: n as u64,
                    available: (data.len() as u64).saturating_sub(off),
                })?;
                dst.copy_from_slice(src);
            }
            None => dst.fill(0),
        }
        Ok(n)
    }

    /// Reads `len` bytes at `rva` into a new vector (bounded by [`Limits::max_read_bytes`]).
    ///
    /// The vector grows in 64 KiB steps as bytes are actually read, so a hostile length
    /// fails at the first missing byte instead of allocating up front.
    pub fn read_rva_vec(&self, rva: u32, len: u64) -> Result<Vec<u8>> {
        self.check_read_len(rva, len)?;
        const STEP: u64 = 0x1_0000;
        let mut out = Vec::new();
        let mut chunk = vec![0u8; to_usize(len.min(STEP))?];
        let end = add(u64::from(rva), len)?;
        let mut pos = u64::from(rva);
        while pos < end {
            let n = to_usize(end.saturating_sub(pos).min(STEP))?;
            let buf = chunk.get_mut(..n).unwrap_or(&mut []);
            let r = u32::try_from(pos).map_err(|_| Error::Overflow { at: pos })?;
            self.read_rva(r, buf)?;
            out.extend_from_slice(buf);
            pos = add(pos, n as u64)?;
        }
        Ok(out)
    }

    pub(crate) fn check_read_len(&self, rva: u32, len: u64) -> Result<()> {
        if len > self.limits.max_read_bytes {
            return Err(Error::LimitExceeded {
                what: "read length",
                offset: u64::from(rva),
                value: len,
                limit: self.limits.max_read_bytes,
            });
        }
        Ok(())
    }

    /// Reads a little-endian `u32` at `rva`.
    pub fn read_u32(&self, rva: u32) -> Result<u32> {
        let mut b = [0u8; 4];
        self.read_rva(rva, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// The RVA range `[start, end)` of a section's readable content: in file layout the
    /// part backed by raw data, in mapped layout the whole mapped size.
    pub fn section_extent(&self, s: &SectionHeader) -> (u32, u32) {
        let size = match self.source {
            Source::File(data) => {
                let in_file = (data.len() as u64).saturating_sub(u64::from(s.pointer_to_raw_data));
                let in_file = u32::try_from(in_file).unwrap_or(u32::MAX);
                s.mapped_size().min(s.size_of_raw_data).min(in_file)
            }
            Source::Mapped { .. } => s.mapped_size(),
        };
        let end = u64::from(s.virtual_address).saturating_add(u64::from(size));
        let end = u32::try_from(end).unwrap_or(u32::MAX);
        (s.virtual_address, end)
    }

    /// The readable bytes of `[rva, rva+len)`, as runs of contiguous bytes. Missing pages
    /// (mapped) and RVAs outside every section (file) split the runs; nothing is invented.
    pub fn captured_runs(&self, rva: u32, len: u64) -> Result<Vec<Run>> {
        self.check_read_len(rva, len)?;
        let end = add(u64::from(rva), len)?;
        let mut runs: Vec<Run> = Vec::new();
        match self.source {
            Source::Mapped { .. } => {
                let mut pos = u64::from(rva);
                while pos < end {
                    let page_end = (pos | (PAGE - 1)).saturating_add(1).min(end);
                    let n = to_usize(page_end.saturating_sub(pos))?;
                    let mut buf = vec![0u8; n];
                    let r = u32::try_from(pos).map_err(|_| Error::Overflow { at: pos })?;
                    match self.read_rva(r, &mut buf) {
                        Ok(()) => push_run(&mut runs, r, buf),
                        Err(e) if e.is_not_captured() => {}
                        Err(e) => return Err(e),
                    }
                    pos = page_end;
                }
            }
            Source::File(data) => {
                let mut pos = u64::from(rva);
                while pos < end {
                    let want = to_usize(end.saturating_sub(pos).min(0x10_0000))?;
                    let mut buf = vec![0u8; want];
                    match self.read_file_chunk(data, pos, &mut buf) {
                        Ok(n) if n > 0 => {
                            buf.truncate(n);
                            let r = u32::try_from(pos).map_err(|_| Error::Overflow { at: pos })?;
                            push_run(&mut runs, r, buf);
                            pos = add(pos, n as u64)?;
                        }
                        Ok(_) | Err(Error::UnmappedRva { .. }) | Err(Error::Truncated { .. }) => {
                            // Skip to the next region start after pos.
                            let next = self.next_region_start(pos).unwrap_or(end);
                            pos = next.max(add(pos, 1)?);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        Ok(runs)
    }

    fn next_region_start(&self, after: u64) -> Option<u64> {
        self.sections
            .iter()
            .map(|s| u64::from(s.virtual_address))
            .filter(|&v| v > after)
            .min()
    }

    /// The readable content of a section as runs (see [`PeImage::captured_runs`]).
    pub fn section_runs(&self, s: &SectionHeader) -> Result<Vec<Run>> {
        let (start, end) = self.section_extent(s);
        self.captured_runs(start, u64::from(end.saturating_sub(start)))
    }

    /// The whole content of a section; `NotCaptured` if any page of it is missing.
    pub fn section_data(&self, s: &SectionHeader) -> Result<Vec<u8>> {
        let (start, end) = self.section_extent(s);
        self.read_rva_vec(start, u64::from(end.saturating_sub(start)))
    }

    /// Whether a section's pages are present (always `Captured` for file images whose raw
    /// data lies inside the file).
    pub fn section_status(&self, s: &SectionHeader) -> Result<SectionStatus> {
        let (start, end) = self.section_extent(s);
        let total = u64::from(end.saturating_sub(start));
        if total == 0 {
            return Ok(SectionStatus::Captured);
        }
        let runs = self.section_runs(s)?;
        let captured: u64 = runs.iter().map(|r| r.bytes.len() as u64).sum();
        Ok(if captured >= total {
            SectionStatus::Captured
        } else if captured == 0 {
            SectionStatus::NotCaptured
        } else {
            SectionStatus::Partial { captured, total }
        })
    }
}

fn push_run(runs: &mut Vec<Run>, rva: u32, bytes: Vec<u8>) {
    if let Some(last) = runs.last_mut() {
        let last_end = u64::from(last.rva).saturating_add(last.bytes.len() as u64);
        if last_end == u64::from(rva) {
            last.bytes.extend_from_slice(&bytes);
            return;
        }
    }
    runs.push(Run { rva, bytes });
}
