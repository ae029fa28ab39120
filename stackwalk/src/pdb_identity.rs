//! The identity of a PDB (GUID and DBI age), read cheaply from the MSF container, and
//! [`find_pdb`]: the PDB a module wants, in a directory, whatever its file name.
//!
//! Only the MSF 7.00 superblock, the first entries of the stream directory, the first 28 bytes
//! of the PDB information stream (stream 1) and the first 12 bytes of the DBI stream (stream 3)
//! are read: a handful of small reads per file, whatever the size of the PDB. This needs no
//! `pdb` feature.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::Error;

/// The identity of a PDB (or the CodeView `RSDS` record of a module that wants one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PdbIdentity {
    /// GUID in the byte order of the `RSDS` record (Data1, Data2, Data3 little-endian).
    pub guid: [u8; 16],
    /// Age. For a PDB this is the DBI stream's age (which is what the PE records), not the
    /// PDB information stream's age.
    pub age: u32,
}

/// Signature of an MSF 7.00 ("big MSF") file: every PDB written since Visual C++ 7.
const MSF7_MAGIC: &[u8; 32] = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0";
/// A stream size meaning "no stream".
const NIL_STREAM: u32 = u32::MAX;
/// Files [`find_pdb`] reads the identity of while scanning a directory.
pub const MAX_SCANNED_PDBS: usize = 1024;
/// Directory entries [`find_pdb`] looks at while scanning a directory.
pub const MAX_DIRECTORY_ENTRIES: usize = 65_536;

impl PdbIdentity {
    /// The symbol-store directory key: GUID as 32 upper-case hex digits (Data1..3 as numbers,
    /// then the 8 bytes) followed by the age in hex, e.g. `6B9E5E8038E2420E8E7C62EA60DDB0692`.
    pub fn store_key(&self) -> String {
        let g = &self.guid;
        let mut s = String::with_capacity(40);
        let d1 = u32::from_le_bytes([g[0], g[1], g[2], g[3]]);
        let d2 = u16::from_le_bytes([g[4], g[5]]);
        let d3 = u16::from_le_bytes([g[6], g[7]]);
        s.push_str(&format!("{d1:08X}{d2:04X}{d3:04X}"));
        for b in &g[8..] {
            s.push_str(&format!("{b:02X}"));
        }
        s.push_str(&format!("{:X}", self.age));
        s
    }

    /// Parses a CodeView `RSDS` record (`"RSDS"`, GUID, age, path).
    pub fn from_rsds(record: &[u8]) -> Option<Self> {
        if record.get(0..4)? != b"RSDS" {
            return None;
        }
        let mut guid = [0u8; 16];
        guid.copy_from_slice(record.get(4..20)?);
        let mut a = [0u8; 4];
        a.copy_from_slice(record.get(20..24)?);
        let age = u32::from_le_bytes(a);
        Some(PdbIdentity { guid, age })
    }

    /// Reads the identity of a PDB file: the GUID of its information stream and the age of
    /// its DBI stream (the information stream's age when there is no DBI stream; the two
    /// differ in Microsoft's ntdll.pdb, and modules record the DBI age).
    ///
    /// Reads a few hundred bytes, whatever the size of the file. Fails with
    /// [`Error::BadPdb`] for anything but a well-formed MSF 7.00 header and directory, and
    /// [`Error::Io`] when the source fails.
    pub fn from_pdb<R: Read + Seek>(mut source: R) -> Result<Self, Error> {
        let msf = Msf::open(&mut source)?;
        let info = msf
            .stream_prefix(&mut source, 1, 28)?
            .ok_or(Error::BadPdb {
                what: "no PDB information stream",
            })?;
        let mut guid = [0u8; 16];
        guid.copy_from_slice(info.get(12..28).ok_or(Error::BadPdb {
            what: "PDB information stream truncated",
        })?);
        let info_age = u32_at(&info, 8).ok_or(Error::BadPdb {
            what: "PDB information stream truncated",
        })?;
        let age = match msf.stream_prefix(&mut source, 3, 12)? {
            Some(dbi) if u32_at(&dbi, 0) == Some(u32::MAX) => u32_at(&dbi, 8).unwrap_or(info_age),
            _ => info_age,
        };
        Ok(PdbIdentity { guid, age })
    }

    /// [`PdbIdentity::from_pdb`] on a file.
    pub fn from_pdb_file(path: &Path) -> Result<Self, Error> {
        let file = File::open(path).map_err(|e| io_error(path, &e))?;
        PdbIdentity::from_pdb(std::io::BufReader::with_capacity(4096, file))
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(s.try_into().ok()?))
}

/// The few facts of an MSF superblock needed to reach a stream's first block.
struct Msf {
    block_size: u32,
    num_blocks: u32,
    directory_bytes: u32,
    block_map_addr: u32,
}

const BAD_HEADER: Error = Error::BadPdb {
    what: "malformed MSF superblock",
};
const BAD_DIRECTORY: Error = Error::BadPdb {
    what: "malformed MSF stream directory",
};

impl Msf {
    fn open<R: Read + Seek>(r: &mut R) -> Result<Self, Error> {
        let mut sb = [0u8; 56];
        read_at(r, 0, &mut sb).map_err(|_| Error::BadPdb {
            what: "shorter than an MSF superblock",
        })?;
        if sb.get(..32) != Some(MSF7_MAGIC.as_slice()) {
            return Err(Error::BadPdb {
                what: "no MSF 7.00 signature",
            });
        }
        let f = |o| u32_at(&sb, o).ok_or(BAD_HEADER);
        let msf = Msf {
            block_size: f(32)?,
            num_blocks: f(40)?,
            directory_bytes: f(44)?,
            block_map_addr: f(52)?,
        };
        if !matches!(
            msf.block_size,
            512 | 1024 | 2048 | 4096 | 8192 | 16384 | 32768
        ) || msf.block_map_addr == 0
            || msf.block_map_addr >= msf.num_blocks
            || msf.directory_bytes < 4
        {
            return Err(BAD_HEADER);
        }
        Ok(msf)
    }

    /// File offset of `offset` inside block `block`.
    fn file_offset(&self, block: u32, offset: u32) -> Result<u64, Error> {
        if block >= self.num_blocks || offset >= self.block_size {
            return Err(BAD_DIRECTORY);
        }
        Ok(u64::from(block)
            .saturating_mul(u64::from(self.block_size))
            .saturating_add(u64::from(offset)))
    }

    /// The `u32` at byte `k` of the stream directory.
    fn dir_u32<R: Read + Seek>(&self, r: &mut R, k: u64) -> Result<u32, Error> {
        if k.checked_add(4)
            .is_none_or(|end| end > u64::from(self.directory_bytes))
        {
            return Err(BAD_DIRECTORY);
        }
        let bs = u64::from(self.block_size);
        let index = k
            .checked_div(bs)
            .and_then(|i| u32::try_from(i).ok())
            .ok_or(BAD_DIRECTORY)?;
        let within = k
            .checked_rem(bs)
            .and_then(|i| u32::try_from(i).ok())
            .ok_or(BAD_DIRECTORY)?;
        // The block map: the directory's block numbers, from `block_map_addr` on.
        let map_at = u64::from(index)
            .checked_mul(4)
            .and_then(|o| {
                self.file_offset(self.block_map_addr, 0)
                    .ok()?
                    .checked_add(o)
            })
            .ok_or(BAD_DIRECTORY)?;
        let mut b = [0u8; 4];
        read_at(r, map_at, &mut b).map_err(|_| BAD_DIRECTORY)?;
        let block = u32::from_le_bytes(b);
        read_at(r, self.file_offset(block, within)?, &mut b).map_err(|_| BAD_DIRECTORY)?;
        Ok(u32::from_le_bytes(b))
    }

    /// The first `len` bytes of stream `index` (`len` <= the block size), or `None` when the
    /// stream is missing or shorter than `len`.
    fn stream_prefix<R: Read + Seek>(
        &self,
        r: &mut R,
        index: u32,
        len: usize,
    ) -> Result<Option<Vec<u8>>, Error> {
        let count = self.dir_u32(r, 0)?;
        if count > self.directory_bytes / 4 {
            return Err(BAD_DIRECTORY);
        }
        if index >= count {
            return Ok(None);
        }
        let size_at = |i: u32| 4u64.saturating_add(u64::from(i).saturating_mul(4));
        let blocks = |size: u32| {
            if size == NIL_STREAM {
                0
            } else {
                u64::from(size).div_ceil(u64::from(self.block_size))
            }
        };
        // The block lists follow the sizes, stream after stream.
        let mut list = size_at(count);
        for i in 0..index {
            list = list.saturating_add(blocks(self.dir_u32(r, size_at(i))?).saturating_mul(4));
        }
        let size = self.dir_u32(r, size_at(index))?;
        let len32 = u32::try_from(len).map_err(|_| BAD_DIRECTORY)?;
        if size == NIL_STREAM || size < len32 || len32 > self.block_size {
            return Ok(None);
        }
        let first = self.dir_u32(r, list)?;
        let mut out = vec![0u8; len];
        read_at(r, self.file_offset(first, 0)?, &mut out).map_err(|_| BAD_DIRECTORY)?;
        Ok(Some(out))
    }
}

fn read_at<R: Read + Seek>(r: &mut R, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    r.seek(SeekFrom::Start(offset))?;
    r.read_exact(buf)
}

/// The file name part of a recorded PDB path (`C:\build\app.pdb` -> `app.pdb`), or `None`
/// when it is empty or names a directory.
fn file_name(recorded: &str) -> Option<&str> {
    let name = recorded.rsplit(['\\', '/']).next()?;
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

fn matches(path: &Path, wanted: &PdbIdentity) -> bool {
    path.is_file() && PdbIdentity::from_pdb_file(path).is_ok_and(|id| id == *wanted)
}

/// Finds the PDB with identity `wanted` in `dir`, whatever its file name.
///
/// `recorded` is the PDB path the module's CodeView record names (only its file name part
/// is used). Looked at, in this order, and each checked by GUID and DBI age:
///
/// 1. `dir/NAME`;
/// 2. the symbol-store layout `dir/NAME/GUIDAGE/NAME` ([`PdbIdentity::store_key`]);
/// 3. every `*.pdb` directly in `dir` (not in subdirectories), in name order, at most
///    [`MAX_SCANNED_PDBS`] files among the first [`MAX_DIRECTORY_ENTRIES`] entries.
///
/// Each candidate costs a few small reads ([`PdbIdentity::from_pdb`]); files that are not
/// PDBs are skipped. `Ok(None)` when no file matches; [`Error::Io`] when `dir` cannot be
/// listed.
pub fn find_pdb(
    dir: &Path,
    recorded: &str,
    wanted: &PdbIdentity,
) -> Result<Option<PathBuf>, Error> {
    let name = file_name(recorded);
    let mut tried = Vec::new();
    if let Some(name) = name {
        let flat = dir.join(name);
        if matches(&flat, wanted) {
            return Ok(Some(flat));
        }
        tried.push(flat);
        let store = dir.join(name).join(wanted.store_key()).join(name);
        if matches(&store, wanted) {
            return Ok(Some(store));
        }
    }
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
    let mut candidates: Vec<PathBuf> = entries
        .take(MAX_DIRECTORY_ENTRIES)
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdb")) && !tried.contains(p)
        })
        .collect();
    candidates.sort();
    Ok(candidates
        .into_iter()
        .take(MAX_SCANNED_PDBS)
        .find(|p| matches(p, wanted)))
}
