//! Helpers shared by the integration tests: corpus paths and a tiny minidump reader
//! (MDMP header, stream directory, ThreadList, ModuleList, MemoryList, Memory64List).
#![allow(
    dead_code,
    missing_docs,
    missing_debug_implementations,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::PathBuf;

use stackwalk::{MemoryError, ReadMemory};

pub fn corpus(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

pub fn read_corpus(rel: &str) -> Option<Vec<u8>> {
    corpus(rel).map(|p| std::fs::read(p).unwrap())
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(b[o..o + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

#[derive(Debug, Clone)]
pub struct MdThread {
    pub id: u32,
    pub teb: u64,
    pub stack_start: u64,
    pub stack_size: u32,
    pub context: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct MdModule {
    pub base: u64,
    pub size: u32,
    pub name: String,
    pub cv: Vec<u8>,
}

pub struct MiniDump {
    pub bytes: Vec<u8>,
    /// (address, file offset, size)
    pub ranges: Vec<(u64, usize, u64)>,
    pub threads: Vec<MdThread>,
    pub modules: Vec<MdModule>,
    pub exception_context: Option<Vec<u8>>,
}

impl MiniDump {
    pub fn parse(bytes: Vec<u8>) -> MiniDump {
        assert_eq!(&bytes[0..4], b"MDMP");
        let n = u32_at(&bytes, 8) as usize;
        let dir = u32_at(&bytes, 12) as usize;
        let mut d = MiniDump {
            bytes: Vec::new(),
            ranges: Vec::new(),
            threads: Vec::new(),
            modules: Vec::new(),
            exception_context: None,
        };
        let b = &bytes;
        for i in 0..n {
            let e = dir + i * 12;
            let (ty, size, rva) = (
                u32_at(b, e),
                u32_at(b, e + 4) as usize,
                u32_at(b, e + 8) as usize,
            );
            match ty {
                3 => {
                    let count = u32_at(b, rva) as usize;
                    let first = if size == 4 + count * 48 + 4 {
                        rva + 8
                    } else {
                        rva + 4
                    };
                    for t in 0..count {
                        let o = first + t * 48;
                        let csize = u32_at(b, o + 40) as usize;
                        let crva = u32_at(b, o + 44) as usize;
                        d.threads.push(MdThread {
                            id: u32_at(b, o),
                            teb: u64_at(b, o + 16),
                            stack_start: u64_at(b, o + 24),
                            stack_size: u32_at(b, o + 32),
                            context: b[crva..crva + csize].to_vec(),
                        });
                    }
                }
                4 => {
                    let count = u32_at(b, rva) as usize;
                    let first = if size == 4 + count * 108 + 4 {
                        rva + 8
                    } else {
                        rva + 4
                    };
                    for m in 0..count {
                        let o = first + m * 108;
                        let name_rva = u32_at(b, o + 20) as usize;
                        let name_len = u32_at(b, name_rva) as usize;
                        let utf16: Vec<u16> = (0..name_len / 2)
                            .map(|k| u16_at(b, name_rva + 4 + 2 * k))
                            .collect();
                        let cv_size = u32_at(b, o + 76) as usize;
                        let cv_rva = u32_at(b, o + 80) as usize;
                        d.modules.push(MdModule {
                            base: u64_at(b, o),
                            size: u32_at(b, o + 8),
                            name: String::from_utf16_lossy(&utf16),
                            cv: b[cv_rva..cv_rva + cv_size].to_vec(),
                        });
                    }
                }
                5 => {
                    let count = u32_at(b, rva) as usize;
                    let first = if size == 4 + count * 16 + 4 {
                        rva + 8
                    } else {
                        rva + 4
                    };
                    for m in 0..count {
                        let o = first + m * 16;
                        d.ranges.push((
                            u64_at(b, o),
                            u32_at(b, o + 12) as usize,
                            u64::from(u32_at(b, o + 8)),
                        ));
                    }
                }
                6 => {
                    let csize = u32_at(b, rva + 160) as usize;
                    let crva = u32_at(b, rva + 164) as usize;
                    d.exception_context = Some(b[crva..crva + csize].to_vec());
                }
                9 => {
                    let count = u64_at(b, rva) as usize;
                    let mut off = u64_at(b, rva + 8) as usize;
                    for m in 0..count {
                        let o = rva + 16 + m * 16;
                        let (start, sz) = (u64_at(b, o), u64_at(b, o + 8));
                        d.ranges.push((start, off, sz));
                        off += sz as usize;
                    }
                }
                _ => {}
            }
        }
        d.ranges.sort();
        d.bytes = bytes;
        d
    }

    pub fn short_name(m: &MdModule) -> String {
        let file = m.name.rsplit(['\\', '/']).next().unwrap_or(&m.name);
        match file.rfind('.') {
            Some(dot) => file[..dot].to_string(),
            None => file.to_string(),
        }
    }
}

impl ReadMemory for MiniDump {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let unavailable = MemoryError::not_captured(addr, buf.len());
        let i = self.ranges.partition_point(|r| r.0 <= addr);
        let Some(&(start, off, size)) = i.checked_sub(1).and_then(|i| self.ranges.get(i)) else {
            return Err(unavailable);
        };
        let within = addr - start;
        if within
            .checked_add(buf.len() as u64)
            .is_none_or(|e| e > size)
        {
            return Err(unavailable);
        }
        let o = off + within as usize;
        buf.copy_from_slice(&self.bytes[o..o + buf.len()]);
        Ok(())
    }
}

/// Exports `(rva, name)` of an image mapped at `base`, read through `mem` (forwarders skipped).
pub fn mapped_exports(mem: &dyn ReadMemory, base: u64) -> Vec<(u32, String)> {
    let mut h = vec![0u8; 0x1000];
    if mem.read(base, &mut h).is_err() {
        return Vec::new();
    }
    let Ok(layout) = stackwalk::ImageLayout::parse(&h) else {
        return Vec::new();
    };
    let (dir, dir_size) = layout.export;
    if dir == 0 {
        return Vec::new();
    }
    let r32 = |rva: u32| mem.read_u32(base + u64::from(rva)).unwrap_or(0);
    let nnames = r32(dir + 0x18);
    let funcs = r32(dir + 0x1c);
    let names = r32(dir + 0x20);
    let ords = r32(dir + 0x24);
    let mut out = Vec::new();
    for i in 0..nnames.min(100_000) {
        let name_rva = r32(names + 4 * i);
        let mut ob = [0u8; 2];
        if mem.read(base + u64::from(ords + 2 * i), &mut ob).is_err() {
            continue;
        }
        let ord = u32::from(u16::from_le_bytes(ob));
        let frva = r32(funcs + 4 * ord);
        if frva >= dir && frva < dir + dir_size {
            continue; // forwarder
        }
        let mut name = Vec::new();
        let mut b = [0u8; 1];
        while name.len() < 512
            && mem
                .read(base + u64::from(name_rva) + name.len() as u64, &mut b)
                .is_ok()
            && b[0] != 0
        {
            name.push(b[0]);
        }
        out.push((frva, String::from_utf8_lossy(&name).into_owned()));
    }
    out
}
