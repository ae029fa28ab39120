//! `MINIDUMP_MODULE_LIST` (ModuleListStream), with `VS_FIXEDFILEINFO` and CodeView records.

use std::ops::Deref;

use zerocopy::FromBytes;

use super::*;
use crate::memory::MemoryRange;
use crate::minidump::stream_type;
use crate::{Error, Location, Minidump, raw};

/// `VS_FIXEDFILEINFO`, present when its signature is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedFileInfo {
    /// Structure version.
    pub struc_version: u32,
    /// File version (high dword, low dword).
    pub file_version: (u32, u32),
    /// Product version (high dword, low dword).
    pub product_version: (u32, u32),
    /// Valid flag bits.
    pub file_flags_mask: u32,
    /// `VS_FF_*`.
    pub file_flags: u32,
    /// `VOS_*`.
    pub file_os: u32,
    /// `VFT_*`.
    pub file_type: u32,
    /// `VFT2_*`.
    pub file_subtype: u32,
    /// File date (high, low).
    pub file_date: (u32, u32),
}

impl FixedFileInfo {
    /// The file version as four 16-bit parts, e.g. `[6, 1, 7601, 23543]`.
    pub fn file_version_parts(&self) -> [u16; 4] {
        split_version(self.file_version)
    }

    /// The product version as four 16-bit parts.
    pub fn product_version_parts(&self) -> [u16; 4] {
        split_version(self.product_version)
    }
}

fn split_version((ms, ls): (u32, u32)) -> [u16; 4] {
    let hi = |v: u32| u16::try_from(v >> 16).unwrap_or(0);
    let lo = |v: u32| u16::try_from(v & 0xffff).unwrap_or(0);
    [hi(ms), lo(ms), hi(ls), lo(ls)]
}

/// A CodeView record identifying a module's PDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeView {
    /// `RSDS` (PDB 7.0).
    Pdb70 {
        /// GUID bytes as stored (Data1..3 little-endian, then Data4).
        guid: [u8; 16],
        /// Age.
        age: u32,
        /// PDB path.
        pdb_name: String,
    },
    /// `NB10` (PDB 2.0).
    Pdb20 {
        /// Time-stamp signature.
        signature: u32,
        /// Age.
        age: u32,
        /// PDB path.
        pdb_name: String,
    },
    /// Another CodeView format (first four bytes as `u32`), kept raw.
    Other {
        /// The signature.
        signature: u32,
        /// The whole record.
        data: Vec<u8>,
    },
}

impl CodeView {
    /// Parses a CodeView record.
    pub fn parse(data: &[u8]) -> Option<CodeView> {
        let sig = u32::from_le_bytes(data.get(..4)?.try_into().ok()?);
        match sig {
            raw::CV_SIGNATURE_RSDS => {
                let (h, rest) = raw::CvInfoPdb70::read_from_prefix(data).ok()?;
                Some(CodeView::Pdb70 {
                    guid: h.signature,
                    age: h.age.get(),
                    pdb_name: c_string(rest),
                })
            }
            raw::CV_SIGNATURE_NB10 => {
                let (h, rest) = raw::CvInfoPdb20::read_from_prefix(data).ok()?;
                Some(CodeView::Pdb20 {
                    signature: h.signature.get(),
                    age: h.age.get(),
                    pdb_name: c_string(rest),
                })
            }
            other => Some(CodeView::Other {
                signature: other,
                data: data.to_vec(),
            }),
        }
    }

    /// The PDB path; empty for records other than PDB 2.0/7.0.
    pub fn pdb_name(&self) -> &str {
        match self {
            CodeView::Pdb70 { pdb_name, .. } | CodeView::Pdb20 { pdb_name, .. } => pdb_name,
            CodeView::Other { .. } => "",
        }
    }

    /// The age, for PDB 2.0/7.0 records.
    pub fn age(&self) -> Option<u32> {
        match self {
            CodeView::Pdb70 { age, .. } | CodeView::Pdb20 { age, .. } => Some(*age),
            CodeView::Other { .. } => None,
        }
    }

    /// The GUID in its registry form, `6B9E5E80-38E2-420E-8E7C-62EA60DDB069` (PDB 7.0 only).
    pub fn guid_string(&self) -> Option<String> {
        match self {
            CodeView::Pdb70 { guid, .. } => {
                let g = guid_fields(guid);
                Some(format!(
                    "{:08X}-{:04X}-{:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}",
                    g.0, g.1, g.2, g.3[0], g.3[1], g.3[2], g.3[3], g.3[4], g.3[5], g.3[6], g.3[7]
                ))
            }
            _ => None,
        }
    }

    /// The symbol-server key: for PDB 7.0 the GUID without dashes (Data1, Data2, Data3 as
    /// little-endian integers, then the Data4 bytes) followed by the age, upper-case hex, e.g.
    /// `6B9E5E8038E2420E8E7C62EA60DDB0692`; for PDB 2.0 the signature as 8 hex digits followed
    /// by the age. Empty for other records.
    pub fn pdb_id(&self) -> String {
        match self {
            CodeView::Pdb70 { guid, age, .. } => {
                let g = guid_fields(guid);
                let mut s = format!("{:08X}{:04X}{:04X}", g.0, g.1, g.2);
                for b in g.3 {
                    s.push_str(&format!("{b:02X}"));
                }
                s.push_str(&format!("{age:X}"));
                s
            }
            CodeView::Pdb20 { signature, age, .. } => format!("{signature:08X}{age:X}"),
            CodeView::Other { .. } => String::new(),
        }
    }
}

fn guid_fields(g: &[u8; 16]) -> (u32, u16, u16, [u8; 8]) {
    let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
    let d2 = u16::from_le_bytes([g[4], g[5]]);
    let d3 = u16::from_le_bytes([g[6], g[7]]);
    let d4 = [g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]];
    (d1, d2, d3, d4)
}

fn c_string(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(bytes.get(..end).unwrap_or(&[])).into_owned()
}

/// A module from the ModuleList.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Load address.
    pub base: u64,
    /// Size of the image in memory (`SizeOfImage`, a `u32` in the file).
    pub size: u64,
    /// PE checksum.
    pub checksum: u32,
    /// PE `TimeDateStamp`.
    pub time_date_stamp: u32,
    /// Full path of the image.
    pub name: String,
    /// Version resource, when present.
    pub version: Option<FixedFileInfo>,
    /// CodeView record, when present.
    pub codeview: Option<CodeView>,
    /// The `IMAGE_DEBUG_MISC` record, raw, when present.
    pub misc_record: Option<Vec<u8>>,
}

/// The file name of a module path, without directories (`C:\\Windows\\ntdll.dll` -> `ntdll.dll`).
pub fn module_base_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

/// The name WinDbg's `lm` gives a module path: the file name without directories and without
/// its last extension (`C:\\x\\D4C.exe` -> `D4C`; a name starting with its only dot is kept).
pub fn module_short_name(path: &str) -> &str {
    let file = module_base_name(path);
    match file.rfind('.') {
        Some(i) if i > 0 => file.get(..i).unwrap_or(file),
        _ => file,
    }
}

/// Whether a module path answers to `wanted`, compared ASCII-case-insensitively as the full
/// path, the file name (`ntdll.dll`) or the `lm` name (`ntdll`).
pub fn module_name_matches(path: &str, wanted: &str) -> bool {
    path.eq_ignore_ascii_case(wanted)
        || module_base_name(path).eq_ignore_ascii_case(wanted)
        || module_short_name(path).eq_ignore_ascii_case(wanted)
}

impl Module {
    /// The file name without directories (`ntdll.dll`).
    pub fn base_name(&self) -> &str {
        module_base_name(&self.name)
    }

    /// The name WinDbg's `lm` shows: the file name without its extension (`ntdll`).
    pub fn short_name(&self) -> &str {
        module_short_name(&self.name)
    }

    /// The symbol-server key of the PDB ([`CodeView::pdb_id`]), if any.
    pub fn pdb_id(&self) -> Option<String> {
        match &self.codeview {
            Some(cv @ (CodeView::Pdb70 { .. } | CodeView::Pdb20 { .. })) => Some(cv.pdb_id()),
            _ => None,
        }
    }

    /// The address range of the image.
    pub fn range(&self) -> MemoryRange {
        MemoryRange {
            base: self.base,
            size: self.size,
        }
    }
}

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// The ModuleList stream (empty if absent).
    pub fn modules(&self) -> Result<Vec<Module>, Error> {
        let st = stream_type::MODULE_LIST;
        let Some((rva, b)) = self.stream_bytes(st) else {
            return Ok(Vec::new());
        };
        let (_, entries) = counted_list(b, st, rva, size_of::<raw::Module>())?;
        let list = <[raw::Module]>::ref_from_bytes(entries)
            .map_err(|_| bad(st, rva, "module array size"))?;
        let mut out = Vec::new();
        let mut budget = Budget::new(self.limits());
        for m in list {
            let name = self.read_string_budget(m.module_name_rva.get(), &mut budget)?;
            let vi = &m.version_info;
            let version = (vi.signature.get() == raw::VS_FFI_SIGNATURE).then(|| FixedFileInfo {
                struc_version: vi.struc_version.get(),
                file_version: (vi.file_version_ms.get(), vi.file_version_ls.get()),
                product_version: (vi.product_version_ms.get(), vi.product_version_ls.get()),
                file_flags_mask: vi.file_flags_mask.get(),
                file_flags: vi.file_flags.get(),
                file_os: vi.file_os.get(),
                file_type: vi.file_type.get(),
                file_subtype: vi.file_subtype.get(),
                file_date: (vi.file_date_ms.get(), vi.file_date_ls.get()),
            });
            let loc = |l: &raw::LocationDescriptor| Location {
                rva: l.rva.get(),
                size: l.data_size.get(),
            };
            let cv = loc(&m.cv_record);
            let codeview = if cv.size == 0 {
                None
            } else {
                let bytes = self.location_bytes(cv)?;
                budget.take(u64::from(cv.size), "CodeView records")?;
                CodeView::parse(bytes)
            };
            let misc = loc(&m.misc_record);
            let misc_record = if misc.size == 0 {
                None
            } else {
                let bytes = self.location_bytes(misc)?;
                budget.take(u64::from(misc.size), "misc records")?;
                Some(bytes.to_vec())
            };
            out.push(Module {
                base: m.base_of_image.get(),
                size: u64::from(m.size_of_image.get()),
                checksum: m.check_sum.get(),
                time_date_stamp: m.time_date_stamp.get(),
                name,
                version,
                codeview,
                misc_record,
            });
        }
        Ok(out)
    }

    /// The first module answering to `name` ([`module_name_matches`]: full path, file name
    /// with or without extension, ASCII case ignored), if any.
    pub fn module_by_name(&self, name: &str) -> Result<Option<Module>, Error> {
        Ok(self
            .modules()?
            .into_iter()
            .find(|m| module_name_matches(&m.name, name)))
    }

    /// The module containing `addr`, if any (linear in the number of modules).
    pub fn module_at(&self, addr: u64) -> Result<Option<Module>, Error> {
        Ok(self
            .modules()?
            .into_iter()
            .find(|m| m.range().contains(addr)))
    }
}
