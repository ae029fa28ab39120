//! The export directory.

use crate::headers::dir;
use crate::image::PeImage;
use crate::raw::ImageExportDirectory;
use crate::{Error, Result};
use zerocopy::FromBytes;

/// What an export resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTarget {
    /// Code or data inside this image.
    Rva(u32),
    /// A forwarder string such as `NTDLL.RtlAllocateHeap`.
    Forwarder(String),
}

/// One exported symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The ordinal (`Base + index`).
    pub ordinal: u32,
    /// The name, if exported by name.
    pub name: Option<String>,
    /// The RVA or forwarder.
    pub target: ExportTarget,
}

impl Export {
    /// The RVA, unless this is a forwarder.
    pub fn rva(&self) -> Option<u32> {
        match self.target {
            ExportTarget::Rva(r) => Some(r),
            ExportTarget::Forwarder(_) => None,
        }
    }
}

/// The parsed export directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exports {
    /// The DLL name recorded in the directory.
    pub dll_name: Option<String>,
    /// Ordinal of the first address-table entry.
    pub ordinal_base: u32,
    /// Directory time stamp.
    pub time_date_stamp: u32,
    /// Every export: one per name, plus one per unnamed non-zero address slot; sorted by
    /// ordinal, then name.
    pub entries: Vec<Export>,
}

impl Exports {
    /// The export with the highest RVA at or below `rva` (the `module!symbol+offset`
    /// lookup), ignoring forwarders. Among aliases, the first by ordinal wins.
    pub fn nearest_at_or_below(&self, rva: u32) -> Option<&Export> {
        let mut best: Option<&Export> = None;
        for e in &self.entries {
            if let Some(r) = e.rva()
                && r <= rva
                && best.and_then(Export::rva).is_none_or(|b| r > b)
            {
                best = Some(e);
            }
        }
        best
    }

    /// The export named `name`.
    pub fn by_name(&self, name: &str) -> Option<&Export> {
        self.entries
            .iter()
            .find(|e| e.name.as_deref() == Some(name))
    }

    /// The (first) export with this ordinal.
    pub fn by_ordinal(&self, ordinal: u32) -> Option<&Export> {
        self.entries.iter().find(|e| e.ordinal == ordinal)
    }
}

/// A view over the directory bytes read once, with fallback reads for strings outside it.
struct DirBytes<'i, 'a> {
    image: &'i PeImage<'a>,
    rva: u32,
    bytes: Vec<u8>,
}

impl DirBytes<'_, '_> {
    fn slice(&self, rva: u32, len: u64) -> Option<&[u8]> {
        let off = usize::try_from(rva.checked_sub(self.rva)?).ok()?;
        let end = off.checked_add(usize::try_from(len).ok()?)?;
        self.bytes.get(off..end)
    }

    fn table(&self, rva: u32, count: u32, what: &'static str) -> Result<Vec<u8>> {
        let len = u64::from(count).saturating_mul(4);
        if let Some(s) = self.slice(rva, len) {
            return Ok(s.to_vec());
        }
        self.image.read_rva_vec(rva, len).map_err(|e| match e {
            Error::UnmappedRva { .. } | Error::Truncated { .. } => Error::Malformed {
                what,
                rva: u64::from(rva),
                reason: "table outside the image",
            },
            e => e,
        })
    }

    fn string(&self, rva: u32) -> Result<String> {
        let max = self.image.limits().max_string_len;
        if let Some(off) = rva
            .checked_sub(self.rva)
            .and_then(|o| usize::try_from(o).ok())
            && let Some(rest) = self.bytes.get(off..)
            && let Some(n) = rest.iter().take(max).position(|&b| b == 0)
        {
            return Ok(String::from_utf8_lossy(rest.get(..n).unwrap_or(&[])).into_owned());
        }
        let b = crate::search::read_cstr_image(self.image, rva, max)?;
        Ok(String::from_utf8_lossy(&b).into_owned())
    }
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    let off = i.checked_mul(4)?;
    let s = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    let off = i.checked_mul(2)?;
    let s = b.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes(s.try_into().ok()?))
}

impl PeImage<'_> {
    /// Parses the export directory; `Ok(None)` when the image has none.
    pub fn exports(&self) -> Result<Option<Exports>> {
        let Some(d) = self.data_directory(dir::EXPORT) else {
            return Ok(None);
        };
        let dir_len = u64::from(d.size).min(self.limits().max_read_bytes);
        let bytes = match self.read_rva_vec(d.virtual_address, dir_len.max(40)) {
            Ok(b) => b,
            // Some producers declare a too-small size; read just the header then.
            Err(_) => self.read_rva_vec(d.virtual_address, 40)?,
        };
        let (ed, _) =
            ImageExportDirectory::read_from_prefix(&bytes).map_err(|_| Error::Malformed {
                what: "export directory",
                rva: u64::from(d.virtual_address),
                reason: "truncated",
            })?;
        let view = DirBytes {
            image: self,
            rva: d.virtual_address,
            bytes,
        };
        let nfun = ed.number_of_functions.get();
        let nnames = ed.number_of_names.get();
        let max = self.limits().max_exports;
        for (what, v) in [("NumberOfFunctions", nfun), ("NumberOfNames", nnames)] {
            if v > max {
                return Err(Error::LimitExceeded {
                    what,
                    offset: u64::from(d.virtual_address),
                    value: u64::from(v),
                    limit: u64::from(max),
                });
            }
        }
        let base = ed.base.get();
        let funcs = view.table(ed.address_of_functions.get(), nfun, "export address table")?;
        let names = if nnames > 0 {
            view.table(ed.address_of_names.get(), nnames, "export name table")?
        } else {
            Vec::new()
        };
        let ords = if nnames > 0 {
            let len = u64::from(nnames).saturating_mul(2);
            let r = ed.address_of_name_ordinals.get();
            match view.slice(r, len) {
                Some(s) => s.to_vec(),
                None => self.read_rva_vec(r, len)?,
            }
        } else {
            Vec::new()
        };
        let dir_start = u64::from(d.virtual_address);
        let dir_end = dir_start.saturating_add(u64::from(d.size));
        let target_of = |rva: u32| -> Result<ExportTarget> {
            if (dir_start..dir_end).contains(&u64::from(rva)) {
                Ok(ExportTarget::Forwarder(view.string(rva)?))
            } else {
                Ok(ExportTarget::Rva(rva))
            }
        };
        let nfun_usize = usize::try_from(nfun).unwrap_or(0);
        let mut named = vec![false; nfun_usize];
        let mut entries = Vec::new();
        for i in 0..usize::try_from(nnames).unwrap_or(0) {
            let (Some(name_rva), Some(idx)) = (u32_at(&names, i), u16_at(&ords, i)) else {
                break;
            };
            if name_rva == 0 {
                // No name is at RVA 0 (the DOS header). Skipping such slots also keeps a
                // name table in zero-filled memory (`.bss`, nothing in the file) from
                // producing a million aliases out of a few hundred bytes.
                continue;
            }
            let idx = usize::from(idx);
            let Some(rva) = u32_at(&funcs, idx) else {
                continue; // ordinal index past the address table: skip the bad name
            };
            if let Some(n) = named.get_mut(idx) {
                *n = true;
            }
            let name = view.string(name_rva).ok();
            let ordinal = base.wrapping_add(u32::try_from(idx).unwrap_or(0));
            entries.push(Export {
                ordinal,
                name,
                target: target_of(rva)?,
            });
        }
        for (idx, was_named) in named.iter().enumerate() {
            let Some(rva) = u32_at(&funcs, idx) else {
                break;
            };
            if *was_named || rva == 0 {
                continue;
            }
            let ordinal = base.wrapping_add(u32::try_from(idx).unwrap_or(0));
            entries.push(Export {
                ordinal,
                name: None,
                target: target_of(rva)?,
            });
        }
        entries.sort_by(|a, b| a.ordinal.cmp(&b.ordinal).then_with(|| a.name.cmp(&b.name)));
        let name_rva = ed.name.get();
        let dll_name = if name_rva == 0 {
            None
        } else {
            view.string(name_rva).ok()
        };
        Ok(Some(Exports {
            dll_name,
            ordinal_base: base,
            time_date_stamp: ed.time_date_stamp.get(),
            entries,
        }))
    }
}
