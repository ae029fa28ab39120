//! A tiny minidump memory-range reader for ntheap's own tests (MDMP header, stream directory,
//! MemoryListStream (5) and Memory64ListStream (9)). ntheap must not depend on `dumpfile`.
#![allow(
    dead_code,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    missing_docs,
    missing_debug_implementations
)]

use ntheap::{MemoryError, ReadMemory};
use std::path::{Path, PathBuf};

/// Memory ranges of a minidump: (start address, file offset, length), sorted by address.
pub struct Dump {
    data: Vec<u8>,
    ranges: Vec<(u64, usize, usize)>,
}

fn u32_at(d: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(d[o..o + 4].try_into().unwrap())
}
fn u64_at(d: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(d[o..o + 8].try_into().unwrap())
}

impl Dump {
    pub fn parse(data: Vec<u8>) -> Dump {
        assert_eq!(&data[0..4], b"MDMP");
        let n = u32_at(&data, 8) as usize;
        let dir = u32_at(&data, 12) as usize;
        let mut ranges = Vec::new();
        for i in 0..n {
            let e = dir + 12 * i;
            let (ty, rva) = (u32_at(&data, e), u32_at(&data, e + 8) as usize);
            match ty {
                5 => {
                    let count = u32_at(&data, rva) as usize;
                    for j in 0..count {
                        let d = rva + 4 + 16 * j;
                        let start = u64_at(&data, d);
                        let len = u32_at(&data, d + 8) as usize;
                        let off = u32_at(&data, d + 12) as usize;
                        ranges.push((start, off, len));
                    }
                }
                9 => {
                    let count = u64_at(&data, rva) as usize;
                    let mut off = u64_at(&data, rva + 8) as usize;
                    for j in 0..count {
                        let d = rva + 16 + 16 * j;
                        let start = u64_at(&data, d);
                        let len = u64_at(&data, d + 8) as usize;
                        ranges.push((start, off, len));
                        off += len;
                    }
                }
                _ => {}
            }
        }
        ranges.sort();
        Dump { data, ranges }
    }

    pub fn ranges(&self) -> &[(u64, usize, usize)] {
        &self.ranges
    }
}

impl ReadMemory for Dump {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let err = MemoryError::not_captured(addr, buf.len());
        let mut done = 0usize;
        while done < buf.len() {
            let a = addr + done as u64;
            let r = self
                .ranges
                .iter()
                .find(|(s, _, l)| *s <= a && a < s + *l as u64)
                .ok_or(err)?;
            let skip = (a - r.0) as usize;
            let n = (r.2 - skip).min(buf.len() - done);
            let src = self.data.get(r.1 + skip..r.1 + skip + n).ok_or(err)?;
            buf[done..done + n].copy_from_slice(src);
            done += n;
        }
        Ok(())
    }
}

pub fn corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

pub fn open(rel: &str) -> Option<Dump> {
    corpus(rel).map(|p| Dump::parse(std::fs::read(p).unwrap()))
}
