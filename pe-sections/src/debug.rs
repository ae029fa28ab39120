//! The debug directory and CodeView records (PDB identity).

use crate::headers::dir;
use crate::image::{Layout, PeImage};
use crate::raw::ImageDebugDirectory;
use crate::{Error, Result};
use zerocopy::FromBytes;

/// `IMAGE_DEBUG_TYPE_CODEVIEW`.
pub const DEBUG_TYPE_CODEVIEW: u32 = 2;

/// One `IMAGE_DEBUG_DIRECTORY` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebugEntry {
    /// Reserved flags.
    pub characteristics: u32,
    /// Time stamp.
    pub time_date_stamp: u32,
    /// Major version.
    pub major_version: u16,
    /// Minor version.
    pub minor_version: u16,
    /// `IMAGE_DEBUG_TYPE_*` (2 = CodeView, 12 = VC_FEATURE, 13 = POGO, 16 = REPRO...).
    pub typ: u32,
    /// Size of the data.
    pub size_of_data: u32,
    /// RVA of the data (0 if not mapped).
    pub address_of_raw_data: u32,
    /// File offset of the data.
    pub pointer_to_raw_data: u32,
}

/// Which CodeView record format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeViewKind {
    /// `RSDS` (PDB 7.0): a GUID.
    Pdb70 {
        /// The GUID in file byte order (Data1..3 little-endian, then Data4).
        guid: [u8; 16],
    },
    /// `NB10` (PDB 2.0): a 32-bit signature.
    Pdb20 {
        /// The signature (a time stamp).
        signature: u32,
        /// Offset field (always 0 in practice).
        offset: u32,
    },
}

/// A CodeView record: which PDB matches this image.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeView {
    /// Format and identifier.
    pub kind: CodeViewKind,
    /// PDB age.
    pub age: u32,
    /// PDB path as written by the linker.
    pub pdb_name: String,
}

impl CodeView {
    /// The symbol-server id: for RSDS, the GUID's Data1, Data2, Data3 as little-endian
    /// numbers then the Data4 bytes, followed by the age in hex, all upper case
    /// (e.g. `6B9E5E8038E2420E8E7C62EA60DDB0692`); for NB10, signature then age.
    pub fn pdb_id(&self) -> String {
        match self.kind {
            CodeViewKind::Pdb70 { guid: g } => {
                let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
                let d2 = u16::from_le_bytes([g[4], g[5]]);
                let d3 = u16::from_le_bytes([g[6], g[7]]);
                let mut s = format!("{d1:08X}{d2:04X}{d3:04X}");
                for b in &g[8..] {
                    s.push_str(&format!("{b:02X}"));
                }
                s.push_str(&format!("{:X}", self.age));
                s
            }
            CodeViewKind::Pdb20 { signature, .. } => format!("{signature:08X}{:X}", self.age),
        }
    }

    /// The GUID as `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}` text (RSDS only).
    pub fn guid_string(&self) -> Option<String> {
        let CodeViewKind::Pdb70 { guid: g } = self.kind else {
            return None;
        };
        let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
        let d2 = u16::from_le_bytes([g[4], g[5]]);
        let d3 = u16::from_le_bytes([g[6], g[7]]);
        Some(format!(
            "{{{d1:08X}-{d2:04X}-{d3:04X}-{:02X}{:02X}-{:02X}{:02X}{:02X}{:02X}{:02X}{:02X}}}",
            g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]
        ))
    }

    /// Parses a CodeView record (`RSDS` or `NB10`) from its bytes.
    pub fn parse(bytes: &[u8], rva: u32) -> Result<CodeView> {
        let bad = |reason| Error::Malformed {
            what: "CodeView record",
            rva: u64::from(rva),
            reason,
        };
        let sig = bytes.get(0..4).ok_or(bad("truncated"))?;
        let u32_at = |o: usize| -> Result<u32> {
            let s = bytes.get(o..o.saturating_add(4)).ok_or(bad("truncated"))?;
            Ok(u32::from_le_bytes(
                s.try_into().map_err(|_| bad("truncated"))?,
            ))
        };
        let name_of = |o: usize| -> String {
            let rest = bytes.get(o..).unwrap_or(&[]);
            let n = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            String::from_utf8_lossy(rest.get(..n).unwrap_or(&[])).into_owned()
        };
        match sig {
            b"RSDS" => {
                let g = bytes.get(4..20).ok_or(bad("truncated"))?;
                let mut guid = [0u8; 16];
                guid.copy_from_slice(g);
                Ok(CodeView {
                    kind: CodeViewKind::Pdb70 { guid },
                    age: u32_at(20)?,
                    pdb_name: name_of(24),
                })
            }
            b"NB10" => Ok(CodeView {
                kind: CodeViewKind::Pdb20 {
                    offset: u32_at(4)?,
                    signature: u32_at(8)?,
                },
                age: u32_at(12)?,
                pdb_name: name_of(16),
            }),
            _ => Err(bad("unknown signature")),
        }
    }
}

impl PeImage<'_> {
    /// The debug directory entries (empty if the image has none).
    pub fn debug_directory(&self) -> Result<Vec<DebugEntry>> {
        let Some(d) = self.data_directory(dir::DEBUG) else {
            return Ok(Vec::new());
        };
        let count = d.size / 28;
        let max = self.limits().max_debug_entries;
        if count > max {
            return Err(Error::LimitExceeded {
                what: "debug directory entries",
                offset: u64::from(d.virtual_address),
                value: u64::from(count),
                limit: u64::from(max),
            });
        }
        let bytes = self.read_rva_vec(d.virtual_address, u64::from(count).saturating_mul(28))?;
        Ok(bytes
            .chunks_exact(28)
            .filter_map(|c| ImageDebugDirectory::read_from_bytes(c).ok())
            .map(|e| DebugEntry {
                characteristics: e.characteristics.get(),
                time_date_stamp: e.time_date_stamp.get(),
                major_version: e.major_version.get(),
                minor_version: e.minor_version.get(),
                typ: e.typ.get(),
                size_of_data: e.size_of_data.get(),
                address_of_raw_data: e.address_of_raw_data.get(),
                pointer_to_raw_data: e.pointer_to_raw_data.get(),
            })
            .collect())
    }

    /// The raw data of a debug entry: by RVA when mapped (or in a mapped image), else by
    /// file offset.
    pub fn debug_data(&self, e: &DebugEntry) -> Result<Vec<u8>> {
        let len = u64::from(e.size_of_data).min(self.limits().max_debug_data);
        if e.address_of_raw_data != 0 {
            return self.read_rva_vec(e.address_of_raw_data, len);
        }
        match self.layout() {
            Layout::Mapped => Err(Error::Malformed {
                what: "debug entry",
                rva: 0,
                reason: "data not mapped (AddressOfRawData is 0)",
            }),
            Layout::File => {
                let rva =
                    self.file_offset_to_rva(e.pointer_to_raw_data)
                        .ok_or(Error::Malformed {
                            what: "debug entry",
                            rva: u64::from(e.pointer_to_raw_data),
                            reason: "file offset outside every section",
                        })?;
                self.read_rva_vec(rva, len)
            }
        }
    }

    /// The first readable CodeView record (RSDS or NB10), `Ok(None)` if there is none.
    pub fn codeview(&self) -> Result<Option<CodeView>> {
        let mut first_err = None;
        for e in self.debug_directory()? {
            if e.typ != DEBUG_TYPE_CODEVIEW {
                continue;
            }
            match self
                .debug_data(&e)
                .and_then(|b| CodeView::parse(&b, e.address_of_raw_data))
            {
                Ok(cv) => return Ok(Some(cv)),
                Err(err) => {
                    first_err.get_or_insert(err);
                }
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsds_and_nb10_ids() {
        // GUID {6B9E5E80-38E2-420E-8E7C-62EA60DDB069}, age 2: Data1..3 are stored
        // little-endian, Data4 as bytes.
        let mut rec = b"RSDS".to_vec();
        rec.extend_from_slice(&[0x80, 0x5e, 0x9e, 0x6b, 0xe2, 0x38, 0x0e, 0x42]);
        rec.extend_from_slice(&[0x8e, 0x7c, 0x62, 0xea, 0x60, 0xdd, 0xb0, 0x69]);
        rec.extend_from_slice(&2u32.to_le_bytes());
        rec.extend_from_slice(b"ntdll.pdb\0");
        let cv = CodeView::parse(&rec, 0).unwrap();
        assert_eq!(cv.pdb_id(), "6B9E5E8038E2420E8E7C62EA60DDB0692");
        assert_eq!(
            cv.guid_string().unwrap(),
            "{6B9E5E80-38E2-420E-8E7C-62EA60DDB069}"
        );
        assert_eq!(cv.pdb_name, "ntdll.pdb");
        let mut nb10 = b"NB10".to_vec();
        nb10.extend_from_slice(&0u32.to_le_bytes());
        nb10.extend_from_slice(&0x3a2b_1c0du32.to_le_bytes());
        nb10.extend_from_slice(&0x11u32.to_le_bytes());
        nb10.extend_from_slice(b"old.pdb\0");
        let cv = CodeView::parse(&nb10, 0).unwrap();
        assert_eq!(cv.pdb_id(), "3A2B1C0D11");
        assert_eq!(cv.pdb_name, "old.pdb");
        assert!(cv.guid_string().is_none());
        assert!(CodeView::parse(b"RSDS\0\0", 0x10).is_err());
        assert!(CodeView::parse(b"XXXX0000000000000000000000", 0).is_err());
    }
}
