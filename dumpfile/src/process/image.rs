//! PE images found by their headers in captured memory.

use std::ops::Deref;

use crate::Minidump;

/// A PE image found by its headers in captured memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedImage {
    /// Where its `MZ` header is.
    pub base: u64,
    /// `IMAGE_FILE_HEADER.Machine` (0x14c i386, 0x8664 AMD64, 0xaa64 ARM64).
    pub machine: u16,
    /// `IMAGE_FILE_HEADER.TimeDateStamp`.
    pub time_date_stamp: u32,
    /// `OptionalHeader.SizeOfImage`.
    pub size_of_image: u32,
    /// `OptionalHeader.CheckSum`.
    pub checksum: u32,
    /// The export directory's DLL name, if that part of the image is captured.
    pub export_name: Option<String>,
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// PE images whose `MZ`/`PE` headers sit at the start of a page-aligned captured range.
    ///
    /// One header probe per range (each an O(log n) lookup); nothing else is scanned.
    pub fn mapped_images(&self) -> Vec<MappedImage> {
        let mem = self.memory();
        let mut out = Vec::new();
        for r in mem.ranges() {
            if r.base % 0x1000 != 0 || r.size < 0x40 {
                continue;
            }
            if let Some(img) = self.image_at(r.base) {
                out.push(img);
            }
        }
        out
    }

    /// Parses the PE headers of an image mapped at `base`, if they are captured.
    pub fn image_at(&self, base: u64) -> Option<MappedImage> {
        let mem = self.memory();
        if mem.read_u16(base).ok()? != 0x5a4d {
            return None;
        }
        let lfanew = mem.read_u32(base.checked_add(0x3c)?).ok()?;
        if lfanew == 0 || lfanew > 0x1000 {
            return None;
        }
        let nt = base.checked_add(u64::from(lfanew))?;
        if mem.read_u32(nt).ok()? != 0x0000_4550 {
            return None;
        }
        let machine = mem.read_u16(nt.checked_add(4)?).ok()?;
        let time_date_stamp = mem.read_u32(nt.checked_add(8)?).ok()?;
        let opt = nt.checked_add(0x18)?;
        let magic = mem.read_u16(opt).ok()?;
        let export_dir_off = match magic {
            0x10b => 0x60,
            0x20b => 0x70,
            _ => return None,
        };
        let size_of_image = mem.read_u32(opt.checked_add(0x38)?).ok()?;
        let checksum = mem.read_u32(opt.checked_add(0x40)?).ok()?;
        let export_name = (|| {
            let exp_rva = mem.read_u32(opt.checked_add(export_dir_off)?).ok()?;
            if exp_rva == 0 || exp_rva >= size_of_image {
                return None;
            }
            let exp = base.checked_add(u64::from(exp_rva))?;
            let name_rva = mem.read_u32(exp.checked_add(0x0c)?).ok()?;
            if name_rva == 0 || name_rva >= size_of_image {
                return None;
            }
            let name_addr = base.checked_add(u64::from(name_rva))?;
            let (range, bytes) = mem.region_at(name_addr)?;
            let off = usize::try_from(name_addr.checked_sub(range.base)?).ok()?;
            let tail = bytes.get(off..)?;
            let tail = tail.get(..tail.len().min(256))?;
            let end = tail.iter().position(|&b| b == 0)?;
            let name = tail.get(..end)?;
            Some(String::from_utf8_lossy(name).into_owned())
        })();
        Some(MappedImage {
            base,
            machine,
            time_date_stamp,
            size_of_image,
            checksum,
            export_name,
        })
    }
}
