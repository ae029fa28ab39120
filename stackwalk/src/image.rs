//! Unwind data of one module: the [`ModuleUnwind`] trait and ready-made implementations over a
//! PE image, either as mapped in memory (how images look in a dump) or as a file.
//!
//! The walker never parses a PE itself: it asks a [`ModuleUnwind`] for the RUNTIME_FUNCTION that
//! covers an RVA and for the bytes at an RVA (UNWIND_INFO, chained entries, code). [`ImageUnwind`]
//! is a small, bounded reader of the PE headers, the exception directory (`.pdata`) and the
//! section table that implements it; callers with their own PE parser can implement the trait
//! directly.

use zerocopy::little_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::{Error, ReadMemory};

/// A `RUNTIME_FUNCTION` (`.pdata` entry) as stored in the image: 12 bytes of RVAs.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RawRuntimeFunction {
    /// RVA of the first byte of the function.
    pub begin: U32,
    /// RVA one past the last byte.
    pub end: U32,
    /// RVA of the UNWIND_INFO (bit 0 set: RVA+1 of another RUNTIME_FUNCTION).
    pub unwind_data: U32,
}
const _: () = assert!(size_of::<RawRuntimeFunction>() == 12);

/// A decoded `.pdata` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuntimeFunction {
    /// RVA of the first byte of the function.
    pub begin: u32,
    /// RVA one past the last byte.
    pub end: u32,
    /// RVA of the UNWIND_INFO.
    pub unwind_info: u32,
}

impl RuntimeFunction {
    /// Decodes 12 bytes. `None` for an all-zero padding entry or `end < begin`.
    pub fn from_bytes(bytes: &[u8; 12]) -> Option<Self> {
        let raw = RawRuntimeFunction::read_from_bytes(bytes).ok()?;
        let f = RuntimeFunction {
            begin: raw.begin.get(),
            end: raw.end.get(),
            unwind_info: raw.unwind_data.get(),
        };
        if (f.begin == 0 && f.end == 0) || f.end < f.begin {
            None
        } else {
            Some(f)
        }
    }

    /// True when `rva` lies in `[begin, end)`.
    pub fn contains(&self, rva: u32) -> bool {
        self.begin <= rva && rva < self.end
    }
}

/// `RUNTIME_FUNCTION_INDIRECT`: bit 0 of the unwind-data RVA.
pub const RUNTIME_FUNCTION_INDIRECT: u32 = 1;

/// Unwind data of one module, addressed by RVA (relative to the module's base).
pub trait ModuleUnwind {
    /// The x64 function table entry covering `rva`, or `None` (a leaf function or no unwind data).
    fn function_entry(&self, rva: u32) -> Result<Option<RuntimeFunction>, Error>;

    /// Reads image bytes at `rva` (UNWIND_INFO, chained entries, code for epilog checks).
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error>;

    /// Whether `rva` lies in an executable section; `None` when unknown.
    fn is_executable(&self, rva: u32) -> Option<bool> {
        let _ = rva;
        None
    }

    /// True when the module is known to have no function table at all (then a missing entry
    /// says nothing about an address). The default is `false`.
    fn is_empty_table(&self) -> bool {
        false
    }

    /// The exception directory (RVA and size in bytes), when known: ARM64 images keep 8-byte
    /// `.pdata` entries there, which [`crate::arm64`] reads through [`read_rva`](Self::read_rva).
    fn exception_directory(&self) -> Option<(u32, u32)> {
        None
    }

    /// The image's `Machine` (0x8664, 0xAA64, ...), when known: ARM64 function tables are
    /// read with [`crate::arm64::function_entry_arm64`], not [`function_entry`](Self::function_entry).
    fn machine(&self) -> Option<u16> {
        None
    }
}

impl<T: ModuleUnwind + ?Sized> ModuleUnwind for &T {
    fn function_entry(&self, rva: u32) -> Result<Option<RuntimeFunction>, Error> {
        (**self).function_entry(rva)
    }
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error> {
        (**self).read_rva(rva, buf)
    }
    fn is_executable(&self, rva: u32) -> Option<bool> {
        (**self).is_executable(rva)
    }
    fn is_empty_table(&self) -> bool {
        (**self).is_empty_table()
    }
    fn exception_directory(&self) -> Option<(u32, u32)> {
        (**self).exception_directory()
    }
    fn machine(&self) -> Option<u16> {
        (**self).machine()
    }
}

impl<T: ModuleUnwind + ?Sized> ModuleUnwind for Box<T> {
    fn function_entry(&self, rva: u32) -> Result<Option<RuntimeFunction>, Error> {
        (**self).function_entry(rva)
    }
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error> {
        (**self).read_rva(rva, buf)
    }
    fn is_executable(&self, rva: u32) -> Option<bool> {
        (**self).is_executable(rva)
    }
    fn is_empty_table(&self) -> bool {
        (**self).is_empty_table()
    }
    fn exception_directory(&self) -> Option<(u32, u32)> {
        (**self).exception_directory()
    }
    fn machine(&self) -> Option<u16> {
        (**self).machine()
    }
}

/// Reads an image by RVA.
pub trait ReadRva {
    /// Fills `buf` with the image bytes at `rva`.
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error>;
}

/// An image as mapped in memory (section-aligned): RVA `r` is at `base + r`.
#[derive(Debug, Clone)]
pub struct MappedImage<M> {
    /// The memory holding the image.
    pub memory: M,
    /// Load address.
    pub base: u64,
}

impl<M: ReadMemory> ReadRva for MappedImage<M> {
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error> {
        let addr = self
            .base
            .checked_add(u64::from(rva))
            .ok_or(Error::Overflow { addr: self.base })?;
        Ok(self.memory.read(addr, buf)?)
    }
}

/// One section header, reduced to what RVA mapping needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// Section name (8 bytes, NUL padded).
    pub name: [u8; 8],
    /// RVA of the section.
    pub virtual_address: u32,
    /// Size in memory.
    pub virtual_size: u32,
    /// File offset of the raw data.
    pub pointer_to_raw_data: u32,
    /// Size of the raw data in the file.
    pub size_of_raw_data: u32,
    /// IMAGE_SCN_* flags.
    pub characteristics: u32,
}

impl Section {
    /// `IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_EXECUTE` is set.
    pub fn is_executable(&self) -> bool {
        self.characteristics & (0x2000_0000 | 0x20) != 0
    }

    fn memory_size(&self) -> u32 {
        if self.virtual_size == 0 {
            self.size_of_raw_data
        } else {
            self.virtual_size
        }
    }

    fn contains(&self, rva: u32) -> bool {
        rva >= self.virtual_address
            && u64::from(rva)
                < u64::from(self.virtual_address).saturating_add(u64::from(self.memory_size()))
    }
}

/// An image in file layout: RVAs are translated through the section table.
#[derive(Debug, Clone)]
pub struct FileImage<B> {
    /// The file's bytes.
    pub bytes: B,
    /// Its sections.
    pub sections: Vec<Section>,
}

impl<B: AsRef<[u8]>> ReadRva for FileImage<B> {
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error> {
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        let err = Error::RvaUnavailable { rva, len };
        let bytes = self.bytes.as_ref();
        let offset = match self.sections.iter().find(|s| s.contains(rva)) {
            Some(s) => {
                let within = rva.checked_sub(s.virtual_address).ok_or(err.clone())?;
                // Bytes past the raw data are zero-filled in memory; we refuse them instead.
                let end = within.checked_add(len).ok_or(err.clone())?;
                if end > s.size_of_raw_data {
                    return Err(err);
                }
                u64::from(s.pointer_to_raw_data).saturating_add(u64::from(within))
            }
            None => {
                // Headers: RVA == file offset below the first section.
                let first = self.sections.iter().map(|s| s.virtual_address).min();
                match first {
                    Some(f) if rva < f => u64::from(rva),
                    None => u64::from(rva),
                    _ => return Err(err),
                }
            }
        };
        let start = usize::try_from(offset).map_err(|_| err.clone())?;
        let end = start.checked_add(buf.len()).ok_or(err.clone())?;
        let src = bytes.get(start..end).ok_or(err)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// What [`ImageLayout::parse`] learns from the PE headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLayout {
    /// `IMAGE_FILE_HEADER.Machine` (0x8664 x64, 0x14c x86, 0xaa64 ARM64).
    pub machine: u16,
    /// `TimeDateStamp` of the file header.
    pub time_date_stamp: u32,
    /// `SizeOfImage` of the optional header.
    pub size_of_image: u32,
    /// Exception directory (data directory 3): RVA and size.
    pub exception: (u32, u32),
    /// Debug directory (data directory 6): RVA and size.
    pub debug: (u32, u32),
    /// Export directory (data directory 0): RVA and size.
    pub export: (u32, u32),
    /// The section table.
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct RawSectionHeader {
    name: [u8; 8],
    virtual_size: U32,
    virtual_address: U32,
    size_of_raw_data: U32,
    pointer_to_raw_data: U32,
    pointer_to_relocations: U32,
    pointer_to_linenumbers: U32,
    number_of_relocations: U16,
    number_of_linenumbers: U16,
    characteristics: U32,
}
const _: () = assert!(size_of::<RawSectionHeader>() == 40);

fn u16_at(b: &[u8], off: usize) -> Option<u16> {
    let s = b.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([*s.first()?, *s.get(1)?]))
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_le_bytes(a))
}

impl ImageLayout {
    /// Parses the DOS header, NT headers and section table from the first bytes of an image
    /// (file or mapped layout; headers look the same in both).
    pub fn parse(headers: &[u8]) -> Result<Self, Error> {
        let bad = |what| Error::BadPeHeader { what };
        if headers.get(0..2) != Some(b"MZ") {
            return Err(bad("no MZ signature"));
        }
        let nt = u32_at(headers, 0x3c).ok_or(bad("truncated DOS header"))?;
        let nt = usize::try_from(nt).map_err(|_| bad("e_lfanew too large"))?;
        if headers.get(nt..nt.checked_add(4).ok_or(bad("e_lfanew overflow"))?) != Some(b"PE\0\0") {
            return Err(bad("no PE signature"));
        }
        let fh = nt.checked_add(4).ok_or(bad("overflow"))?;
        let machine = u16_at(headers, fh).ok_or(bad("truncated file header"))?;
        let nsect = u16_at(headers, fh.saturating_add(2)).ok_or(bad("truncated file header"))?;
        let time_date_stamp =
            u32_at(headers, fh.saturating_add(4)).ok_or(bad("truncated file header"))?;
        let opt_size =
            u16_at(headers, fh.saturating_add(16)).ok_or(bad("truncated file header"))?;
        let oh = fh.checked_add(20).ok_or(bad("overflow"))?;
        let magic = u16_at(headers, oh).ok_or(bad("truncated optional header"))?;
        let (ndirs_off, dirs_off) = match magic {
            0x10b => (92usize, 96usize),
            0x20b => (108, 112),
            _ => return Err(bad("unknown optional header magic")),
        };
        let size_of_image =
            u32_at(headers, oh.saturating_add(56)).ok_or(bad("truncated optional header"))?;
        let ndirs = u32_at(headers, oh.saturating_add(ndirs_off))
            .ok_or(bad("truncated optional header"))?;
        let dir = |i: u32| -> (u32, u32) {
            if i >= ndirs {
                return (0, 0);
            }
            let off = oh
                .saturating_add(dirs_off)
                .saturating_add(usize::try_from(i).unwrap_or(usize::MAX).saturating_mul(8));
            match (u32_at(headers, off), u32_at(headers, off.saturating_add(4))) {
                (Some(r), Some(s)) => (r, s),
                _ => (0, 0),
            }
        };
        let st = oh
            .checked_add(usize::from(opt_size))
            .ok_or(bad("overflow"))?;
        let table_len = usize::from(nsect).saturating_mul(40);
        let table = headers
            .get(st..st.saturating_add(table_len))
            .ok_or(bad("section table truncated"))?;
        let raw = <[RawSectionHeader]>::ref_from_bytes(table).map_err(|_| bad("section table"))?;
        let sections = raw
            .iter()
            .map(|s| Section {
                name: s.name,
                virtual_address: s.virtual_address.get(),
                virtual_size: s.virtual_size.get(),
                pointer_to_raw_data: s.pointer_to_raw_data.get(),
                size_of_raw_data: s.size_of_raw_data.get(),
                characteristics: s.characteristics.get(),
            })
            .collect();
        Ok(ImageLayout {
            machine,
            time_date_stamp,
            size_of_image,
            exception: dir(3),
            debug: dir(6),
            export: dir(0),
            sections,
        })
    }

    /// Executable ranges `[start, end)` as RVAs.
    pub fn executable_ranges(&self) -> Vec<(u32, u32)> {
        self.sections
            .iter()
            .filter(|s| s.is_executable())
            .map(|s| {
                (
                    s.virtual_address,
                    s.virtual_address.saturating_add(s.memory_size()),
                )
            })
            .collect()
    }
}

/// Reads the first header page of an image through `reader` (4 KiB, or less when only a part
/// is present).
fn read_headers<R: ReadRva>(reader: &R) -> Result<Vec<u8>, Error> {
    let mut last = Error::RvaUnavailable { rva: 0, len: 0 };
    for len in [0x1000usize, 0x800, 0x400] {
        let mut buf = vec![0u8; len];
        match reader.read_rva(0, &mut buf) {
            Ok(()) => return Ok(buf),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// `.pdata` lookup and RVA reads over a PE image: the ready-made [`ModuleUnwind`].
#[derive(Debug, Clone)]
pub struct ImageUnwind<R> {
    reader: R,
    pdata_rva: u32,
    pdata_size: u32,
    count: u32,
    executable: Vec<(u32, u32)>,
    machine: u16,
}

impl<M: ReadMemory> ImageUnwind<MappedImage<M>> {
    /// Over an image mapped at `base` in `memory` (for example captured in a full dump).
    pub fn from_mapped(memory: M, base: u64) -> Result<Self, Error> {
        let reader = MappedImage { memory, base };
        let headers = read_headers(&reader)?;
        let layout = ImageLayout::parse(&headers)?;
        Ok(ImageUnwind::new(reader, &layout))
    }
}

impl<B: AsRef<[u8]>> ImageUnwind<FileImage<B>> {
    /// Over the bytes of a PE file.
    pub fn from_file(bytes: B) -> Result<Self, Error> {
        let layout = ImageLayout::parse(bytes.as_ref())?;
        let reader = FileImage {
            bytes,
            sections: layout.sections.clone(),
        };
        Ok(ImageUnwind::new(reader, &layout))
    }
}

impl<R: ReadRva> ImageUnwind<R> {
    /// Over any RVA reader, with the exception directory and sections from `layout`.
    pub fn new(reader: R, layout: &ImageLayout) -> Self {
        ImageUnwind {
            reader,
            pdata_rva: layout.exception.0,
            pdata_size: layout.exception.1,
            count: layout.exception.1 / 12,
            executable: layout.executable_ranges(),
            machine: layout.machine,
        }
    }

    /// Number of `.pdata` entries (including padding).
    pub fn len(&self) -> u32 {
        self.count
    }

    /// True when the image has no `.pdata`.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Entry `i` of the table; `Ok(None)` for padding or malformed entries.
    pub fn entry(&self, i: u32) -> Result<Option<RuntimeFunction>, Error> {
        let off = i
            .checked_mul(12)
            .ok_or(Error::BadFunctionEntry { rva: i })?;
        let rva = self
            .pdata_rva
            .checked_add(off)
            .ok_or(Error::BadFunctionEntry {
                rva: self.pdata_rva,
            })?;
        let mut b = [0u8; 12];
        self.reader.read_rva(rva, &mut b)?;
        Ok(RuntimeFunction::from_bytes(&b))
    }

    /// The underlying reader.
    pub fn reader(&self) -> &R {
        &self.reader
    }

    fn resolve_indirect(&self, f: RuntimeFunction) -> Result<Option<RuntimeFunction>, Error> {
        if f.unwind_info & RUNTIME_FUNCTION_INDIRECT == 0 {
            return Ok(Some(f));
        }
        let rva = f.unwind_info & !RUNTIME_FUNCTION_INDIRECT;
        let mut b = [0u8; 12];
        self.reader.read_rva(rva, &mut b)?;
        match RuntimeFunction::from_bytes(&b) {
            // One level only: an indirect entry pointing at another indirect one is refused.
            Some(t) if t.unwind_info & RUNTIME_FUNCTION_INDIRECT == 0 => {
                Ok(Some(RuntimeFunction {
                    begin: f.begin,
                    end: f.end,
                    unwind_info: t.unwind_info,
                }))
            }
            _ => Err(Error::BadFunctionEntry { rva }),
        }
    }
}

impl<R: ReadRva> ModuleUnwind for ImageUnwind<R> {
    fn function_entry(&self, rva: u32) -> Result<Option<RuntimeFunction>, Error> {
        // Binary search for the last entry whose begin <= rva; padding sorts last.
        let (mut lo, mut hi) = (0u32, self.count);
        let mut best: Option<RuntimeFunction> = None;
        let mut steps = 0u32;
        while lo < hi {
            steps = steps.saturating_add(1);
            if steps > 64 {
                break;
            }
            let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
            let e = self.entry(mid)?;
            let begin = e.map_or(u32::MAX, |e| e.begin);
            if begin <= rva {
                best = e;
                lo = mid.saturating_add(1);
            } else {
                hi = mid;
            }
        }
        match best {
            Some(f) if f.contains(rva) => self.resolve_indirect(f),
            _ => Ok(None),
        }
    }

    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error> {
        self.reader.read_rva(rva, buf)
    }

    fn is_empty_table(&self) -> bool {
        self.count == 0
    }

    fn exception_directory(&self) -> Option<(u32, u32)> {
        Some((self.pdata_rva, self.pdata_size))
    }

    fn machine(&self) -> Option<u16> {
        Some(self.machine)
    }

    fn is_executable(&self, rva: u32) -> Option<bool> {
        if self.executable.is_empty() {
            return None;
        }
        Some(self.executable.iter().any(|&(s, e)| s <= rva && rva < e))
    }
}
