//! Base relocations.

use crate::headers::dir;
use crate::image::PeImage;
use crate::{Error, Result};

/// `IMAGE_REL_BASED_HIGHLOW`: a 32-bit absolute address.
pub const REL_BASED_HIGHLOW: u8 = 3;
/// `IMAGE_REL_BASED_DIR64`: a 64-bit absolute address.
pub const REL_BASED_DIR64: u8 = 10;

/// One base relocation (padding entries of type `ABSOLUTE` are skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Relocation {
    /// RVA of the fixed-up slot.
    pub rva: u32,
    /// `IMAGE_REL_BASED_*` type (3 = HIGHLOW, 10 = DIR64...).
    pub typ: u8,
}

impl Relocation {
    /// Size in bytes of the patched value (4 for HIGHLOW, 8 for DIR64, 2 for HIGH/LOW).
    pub fn width(&self) -> Option<u8> {
        match self.typ {
            REL_BASED_HIGHLOW => Some(4),
            REL_BASED_DIR64 => Some(8),
            1 | 2 => Some(2),
            _ => None,
        }
    }
}

impl PeImage<'_> {
    /// All base relocations, in table order.
    pub fn relocations(&self) -> Result<Vec<Relocation>> {
        let Some(d) = self.data_directory(dir::BASERELOC) else {
            return Ok(Vec::new());
        };
        let bytes = self.read_rva_vec(d.virtual_address, u64::from(d.size))?;
        let max = usize::try_from(self.limits().max_relocations).unwrap_or(usize::MAX);
        let mut out = Vec::new();
        let mut pos = 0usize;
        // Each block consumes at least 8 bytes: forward progress is guaranteed.
        while let Some(h) = bytes.get(pos..pos.saturating_add(8)) {
            let page = h
                .get(0..4)
                .and_then(|s| s.try_into().ok())
                .map_or(0, u32::from_le_bytes);
            let size = h
                .get(4..8)
                .and_then(|s| s.try_into().ok())
                .map_or(0, u32::from_le_bytes);
            let block_rva = u64::from(d.virtual_address).saturating_add(pos as u64);
            if size < 8 || size % 2 != 0 {
                if page == 0 && size == 0 {
                    break; // zero padding at the end of the table
                }
                return Err(Error::Malformed {
                    what: "relocation block",
                    rva: block_rva,
                    reason: "bad block size",
                });
            }
            let size = usize::try_from(size).map_err(|_| Error::Overflow { at: block_rva })?;
            let end = pos
                .checked_add(size)
                .ok_or(Error::Overflow { at: block_rva })?;
            let body = bytes
                .get(pos.saturating_add(8)..end)
                .ok_or(Error::Malformed {
                    what: "relocation block",
                    rva: block_rva,
                    reason: "block runs past the directory",
                })?;
            for e in body.chunks_exact(2) {
                let v = e.try_into().map_or(0, u16::from_le_bytes);
                let typ = u8::try_from(v >> 12).unwrap_or(0);
                if typ == 0 {
                    continue;
                }
                if out.len() >= max {
                    return Err(Error::LimitExceeded {
                        what: "relocations",
                        offset: block_rva,
                        value: out.len() as u64,
                        limit: u64::from(self.limits().max_relocations),
                    });
                }
                let rva = page
                    .checked_add(u32::from(v & 0xfff))
                    .ok_or(Error::Overflow {
                        at: u64::from(page),
                    })?;
                out.push(Relocation { rva, typ });
            }
            pos = end;
        }
        Ok(out)
    }
}
