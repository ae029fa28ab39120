//! The version resource: the resource directory walked to `RT_VERSION`, its `VS_VERSIONINFO`
//! block, the `VS_FIXEDFILEINFO` (file and product version) and the first `StringFileInfo`
//! table (`FileVersion`, `ProductName`, ...).
//!
//! Layouts from the PE/COFF specification (".rsrc section") and the Win32 `VS_VERSIONINFO`,
//! `VS_FIXEDFILEINFO`, `StringFileInfo`, `StringTable` and `String` pages. Every read is
//! bounded: the directory walk descends exactly three levels, each block must fit in its
//! parent, and the number of blocks visited is capped.

use std::cell::Cell;

use crate::headers::dir;
use crate::image::PeImage;
use crate::{Error, Result};

/// `RT_VERSION`.
pub const RT_VERSION: u32 = 16;
/// `VS_FIXEDFILEINFO.dwSignature`.
pub const VS_FFI_SIGNATURE: u32 = 0xFEEF_04BD;

/// Largest version resource read, in bytes (real ones are a few KiB).
const MAX_VERSION_BYTES: u64 = 64 << 10;
/// Most entries read from one resource directory.
const MAX_DIR_ENTRIES: u32 = 4096;
/// Most `VS_VERSIONINFO` blocks visited.
const MAX_BLOCKS: usize = 1024;

/// The contents of a version resource.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VersionInfo {
    /// `dwFileVersionMS`/`LS` as four parts (`10.0.19041.1`), when the fixed info is present.
    pub file_version: Option<[u16; 4]>,
    /// `dwProductVersionMS`/`LS` as four parts.
    pub product_version: Option<[u16; 4]>,
    /// `dwFileFlags & dwFileFlagsMask` (`VS_FF_DEBUG` = 1, ...).
    pub file_flags: u32,
    /// `dwFileOS` (`VOS_NT_WINDOWS32` = 0x40004).
    pub file_os: u32,
    /// `dwFileType` (`VFT_APP` = 1, `VFT_DLL` = 2, `VFT_DRV` = 3).
    pub file_type: u32,
    /// The first string table's language and code page key (`040904b0`).
    pub string_table: Option<String>,
    /// Its strings (`FileVersion`, `ProductName`, ...), in file order.
    pub strings: Vec<(String, String)>,
}

impl VersionInfo {
    /// The file version as WinDbg's `IMAGE_VERSION` prints it: `a.b.c.d`.
    pub fn file_version_string(&self) -> Option<String> {
        self.file_version
            .map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}"))
    }

    /// The string named `key` (`FileVersion`, `ProductName`), compared case-insensitively.
    pub fn string(&self, key: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Parses a `VS_VERSIONINFO` block (the bytes of an `RT_VERSION` resource); `rva` is
    /// where it was read, for error messages.
    pub fn parse(bytes: &[u8], rva: u32) -> Result<VersionInfo> {
        let bad = |reason| Error::Malformed {
            what: "VS_VERSIONINFO",
            rva: u64::from(rva),
            reason,
        };
        let budget = Cell::new(MAX_BLOCKS);
        let root = Block::at(bytes, 0, bytes.len(), &budget).ok_or(bad("truncated"))?;
        if root.key != "VS_VERSION_INFO" {
            return Err(bad("key is not VS_VERSION_INFO"));
        }
        let mut out = VersionInfo {
            file_version: None,
            product_version: None,
            file_flags: 0,
            file_os: 0,
            file_type: 0,
            string_table: None,
            strings: Vec::new(),
        };
        let value = bytes.get(root.value.clone()).unwrap_or(&[]);
        let d = |i: usize| -> Option<u32> {
            let s = value.get(i.checked_mul(4)?..i.checked_mul(4)?.checked_add(4)?)?;
            Some(u32::from_le_bytes(s.try_into().ok()?))
        };
        if let Some(sig) = d(0) {
            if sig != VS_FFI_SIGNATURE {
                return Err(bad("VS_FIXEDFILEINFO signature is not 0xFEEF04BD"));
            }
            let hi = |v: u32| u16::try_from(v >> 16).unwrap_or(0);
            let lo = |v: u32| u16::try_from(v & 0xffff).unwrap_or(0);
            let parts = |ms: u32, ls: u32| [hi(ms), lo(ms), hi(ls), lo(ls)];
            if let (Some(ms), Some(ls)) = (d(2), d(3)) {
                out.file_version = Some(parts(ms, ls));
            }
            if let (Some(ms), Some(ls)) = (d(4), d(5)) {
                out.product_version = Some(parts(ms, ls));
            }
            out.file_flags = d(7).unwrap_or(0) & d(6).unwrap_or(0);
            out.file_os = d(8).unwrap_or(0);
            out.file_type = d(9).unwrap_or(0);
        }
        // StringFileInfo -> the first StringTable -> its Strings.
        for sfi in root.children(bytes, &budget) {
            if sfi.key != "StringFileInfo" {
                continue;
            }
            if let Some(table) = sfi.children(bytes, &budget).next() {
                out.string_table = Some(table.key.clone());
                for s in table.children(bytes, &budget) {
                    let v = utf16z(bytes.get(s.value.clone()).unwrap_or(&[]));
                    out.strings.push((s.key, v));
                }
            }
            break;
        }
        Ok(out)
    }
}

/// One `VS_VERSIONINFO`-family block: key, value range, children range (offsets into the
/// resource bytes).
#[derive(Debug)]
struct Block {
    key: String,
    value: std::ops::Range<usize>,
    children: std::ops::Range<usize>,
}

fn align4(v: usize) -> Option<usize> {
    v.checked_add(3).map(|v| v & !3)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(s.try_into().ok()?))
}

/// UTF-16 text up to its NUL (or the end).
fn utf16z(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .take_while(|u| *u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

impl Block {
    /// The block at `at`, which must end by `limit`; counts against `budget`.
    fn at(b: &[u8], at: usize, limit: usize, budget: &Cell<usize>) -> Option<Block> {
        budget.set(budget.get().checked_sub(1)?);
        let len = usize::from(u16_at(b, at)?);
        let value_len = usize::from(u16_at(b, at.checked_add(2)?)?);
        let text = u16_at(b, at.checked_add(4)?)? == 1;
        let end = at.checked_add(len)?;
        if len < 6 || end > limit || end > b.len() {
            return None;
        }
        let key_at = at.checked_add(6)?;
        let key_bytes = b.get(key_at..end)?;
        let key_units = key_bytes
            .chunks_exact(2)
            .position(|c| c == [0, 0])
            .unwrap_or(key_bytes.len().div_euclid(2));
        let key = utf16z(key_bytes);
        let value_at = align4(key_at.checked_add(key_units.checked_add(1)?.checked_mul(2)?)?)?;
        // Text values count UTF-16 units; binary ones bytes.
        let value_bytes = if text {
            value_len.checked_mul(2)?
        } else {
            value_len
        };
        let value_end = value_at.checked_add(value_bytes)?.min(end);
        let value_at = value_at.min(end);
        let children_at = align4(value_end)?.min(end);
        Some(Block {
            key,
            value: value_at..value_end,
            children: children_at..end,
        })
    }

    /// The child blocks, in order; stops at the first malformed one or when the budget runs
    /// out.
    fn children<'b>(
        &self,
        b: &'b [u8],
        budget: &'b Cell<usize>,
    ) -> impl Iterator<Item = Block> + use<'b> {
        let mut at = self.children.start;
        let end = self.children.end;
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let child = Block::at(b, at, end, budget)?;
            // Forward progress: a child is at least 6 bytes long.
            at = align4(child.children.end)?;
            Some(child)
        })
    }
}

impl PeImage<'_> {
    /// The version resource (`RT_VERSION`, the first name and language), parsed; `Ok(None)`
    /// when the image has no resource directory or no version resource.
    ///
    /// In a dump, resource pages are often not captured: that is
    /// [`Error::NotCaptured`], not corrupt data.
    pub fn version_info(&self) -> Result<Option<VersionInfo>> {
        let Some(d) = self.data_directory(dir::RESOURCE) else {
            return Ok(None);
        };
        let root = d.virtual_address;
        // Type, then name, then language: the first entry of each level below RT_VERSION.
        let Some(name_dir) = self.resource_entry(root, 0, Some(RT_VERSION))? else {
            return Ok(None);
        };
        let Some(lang_dir) = self.resource_entry(root, dir_offset(name_dir, root)?, None)? else {
            return Ok(None);
        };
        let Some(data) = self.resource_entry(root, dir_offset(lang_dir, root)?, None)? else {
            return Ok(None);
        };
        if data & 0x8000_0000 != 0 {
            return Err(Error::Malformed {
                what: "resource directory",
                rva: u64::from(root),
                reason: "a fourth level below RT_VERSION",
            });
        }
        // IMAGE_RESOURCE_DATA_ENTRY: OffsetToData (an RVA), Size, CodePage, Reserved.
        let entry = root.checked_add(data).ok_or(Error::Overflow {
            at: u64::from(root),
        })?;
        let mut e = [0u8; 8];
        self.read_rva(entry, &mut e)?;
        let [a, b, c, dd, s0, s1, s2, s3] = e;
        let rva = u32::from_le_bytes([a, b, c, dd]);
        let size = u64::from(u32::from_le_bytes([s0, s1, s2, s3]));
        let bytes = self.read_rva_vec(rva, size.min(MAX_VERSION_BYTES))?;
        VersionInfo::parse(&bytes, rva).map(Some)
    }

    /// In the resource directory at `root + off`: the `OffsetToData` of the entry with ID
    /// `id`, or of the first entry when `id` is `None`.
    fn resource_entry(&self, root: u32, off: u32, id: Option<u32>) -> Result<Option<u32>> {
        let at = root.checked_add(off).ok_or(Error::Overflow {
            at: u64::from(root),
        })?;
        let mut h = [0u8; 16];
        self.read_rva(at, &mut h)?;
        let [.., n0, n1, i0, i1] = h;
        let named = u32::from(u16::from_le_bytes([n0, n1]));
        let ids = u32::from(u16::from_le_bytes([i0, i1]));
        let count = named.saturating_add(ids).min(MAX_DIR_ENTRIES);
        if count == 0 {
            return Ok(None);
        }
        let entries_at = at
            .checked_add(16)
            .ok_or(Error::Overflow { at: u64::from(at) })?;
        let entries = self.read_rva_vec(entries_at, u64::from(count).saturating_mul(8))?;
        let word = |e: &[u8], at: usize| -> u32 {
            e.get(at..at.saturating_add(4))
                .and_then(|s| s.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        };
        let found = entries.chunks_exact(8).enumerate().find(|(i, e)| {
            let name = word(e, 0);
            match id {
                // ID entries follow the named ones; a name has its high bit set.
                Some(id) => {
                    u32::try_from(*i).is_ok_and(|i| i >= named)
                        && name & 0x8000_0000 == 0
                        && name == id
                }
                None => true,
            }
        });
        Ok(found.map(|(_, e)| word(e, 4)))
    }
}

/// The offset of the subdirectory an entry's `OffsetToData` names (high bit set).
fn dir_offset(v: u32, root: u32) -> Result<u32> {
    if v & 0x8000_0000 == 0 {
        return Err(Error::Malformed {
            what: "resource directory",
            rva: u64::from(root),
            reason: "a data entry where a subdirectory was expected",
        });
    }
    Ok(v & 0x7FFF_FFFF)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
mod tests {
    use super::*;

    /// A block: wLength, wValueLength, wType, key, padding, value, children.
    fn block(key: &str, value: &[u8], text: bool, children: &[Vec<u8>]) -> Vec<u8> {
        let mut b = vec![0, 0, value.len() as u8, 0, u8::from(text), 0];
        b.extend(key.encode_utf16().flat_map(u16::to_le_bytes));
        b.extend([0, 0]);
        while b.len() % 4 != 0 {
            b.push(0);
        }
        b.extend_from_slice(value);
        for c in children {
            while b.len() % 4 != 0 {
                b.push(0);
            }
            b.extend_from_slice(c);
        }
        let n = b.len() as u16;
        b[..2].copy_from_slice(&n.to_le_bytes());
        b
    }

    #[test]
    fn truncated_or_foreign_blocks_are_errors() {
        assert!(VersionInfo::parse(&[], 0).is_err());
        assert!(VersionInfo::parse(&[4, 0, 0, 0], 0).is_err());
        let other = block("NOT_VERSION_INFO", &[], false, &[]);
        assert!(VersionInfo::parse(&other, 0).is_err());
        // A fixed info whose signature is wrong.
        let bad = block("VS_VERSION_INFO", &[0u8; 52], false, &[]);
        assert!(VersionInfo::parse(&bad, 0).is_err());
    }

    #[test]
    fn no_fixed_info_and_no_strings_is_empty() {
        let v = VersionInfo::parse(&block("VS_VERSION_INFO", &[], false, &[]), 0).unwrap();
        assert_eq!(v.file_version, None);
        assert_eq!(v.file_version_string(), None);
        assert!(v.strings.is_empty());
    }

    #[test]
    fn zero_length_and_overlong_children_stop_the_walk() {
        // StringFileInfo whose table has one good string, then a child claiming 0 bytes
        // (no forward progress) and one running past its parent.
        let s = block("FileVersion", &[0x31, 0, 0, 0], true, &[]);
        let mut zero = block("Zero", &[], true, &[]);
        zero[..2].copy_from_slice(&0u16.to_le_bytes());
        let mut long = block("Long", &[], true, &[]);
        long[..2].copy_from_slice(&0x7fffu16.to_le_bytes());
        let table = block("040904b0", &[], true, &[s, zero]);
        let sfi = block("StringFileInfo", &[], true, &[table, long]);
        let root = block("VS_VERSION_INFO", &[], false, &[sfi]);
        let v = VersionInfo::parse(&root, 0).unwrap();
        assert_eq!(
            v.strings,
            vec![("FileVersion".to_string(), "1".to_string())]
        );
    }

    #[test]
    fn the_block_budget_bounds_the_walk() {
        // More tiny strings than the budget (12 bytes each, one table): the walk stops when
        // the budget is spent (the root, StringFileInfo and the table took three blocks).
        let strings: Vec<Vec<u8>> = (0..2000).map(|_| block("k", &[], true, &[])).collect();
        let table = block("040904b0", &[], true, &strings);
        let sfi = block("StringFileInfo", &[], true, &[table]);
        let root = block("VS_VERSION_INFO", &[], false, &[sfi]);
        let v = VersionInfo::parse(&root, 0).unwrap();
        assert_eq!(v.strings.len(), MAX_BLOCKS - 3);
    }

    #[cfg(feature = "synth")]
    #[test]
    fn a_directory_pointing_at_itself_is_malformed_not_a_loop() {
        let mut b = crate::synth::PeBuilder::x64();
        b.add_section(".text", crate::synth::PeBuilder::CODE, vec![0xc3]);
        b.version_resource([1, 2, 3, 4], &[]);
        let mut img = b.build();
        let pe = PeImage::parse_file(&img).unwrap();
        assert_eq!(
            pe.version_info().unwrap().unwrap().file_version,
            Some([1, 2, 3, 4])
        );
        let rsrc = pe.section_by_name(".rsrc").unwrap().pointer_to_raw_data as usize;
        // The RT_VERSION entry's OffsetToData (at 0x14) points back at the root directory.
        img[rsrc + 0x14..rsrc + 0x18].copy_from_slice(&0x8000_0000u32.to_le_bytes());
        let pe = PeImage::parse_file(&img).unwrap();
        assert!(matches!(pe.version_info(), Err(Error::Malformed { .. })));
        // A data entry where a subdirectory is expected.
        img[rsrc + 0x14..rsrc + 0x18].copy_from_slice(&0x48u32.to_le_bytes());
        let pe = PeImage::parse_file(&img).unwrap();
        assert!(matches!(pe.version_info(), Err(Error::Malformed { .. })));
    }
}
