//! Mapped images inside the real full-memory dump `win7-x64-wow64-hello-full.dmp`, read
//! through a tiny minidump memory reader written here (the library may not depend on the
//! workspace's dump reader).
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use pe_sections::{FnMemory, MemoryError, PeImage, SectionStatus};
use std::io::Write;
use std::path::Path;

/// Minimal minidump: memory ranges (MemoryList 5 / Memory64List 9) and modules (4).
struct Mini {
    data: Vec<u8>,
    ranges: Vec<(u64, u64, usize)>, // start, size, file offset
}

fn u32_at(d: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(d[o..o + 4].try_into().unwrap())
}
fn u64_at(d: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(d[o..o + 8].try_into().unwrap())
}

impl Mini {
    fn parse(data: Vec<u8>) -> Mini {
        assert_eq!(&data[0..4], b"MDMP");
        let n = u32_at(&data, 8) as usize;
        let dir = u32_at(&data, 12) as usize;
        let mut ranges = Vec::new();
        for i in 0..n {
            let e = dir + i * 12;
            let (typ, rva) = (u32_at(&data, e), u32_at(&data, e + 8) as usize);
            if typ == 9 {
                let count = u64_at(&data, rva) as usize;
                let mut off = u64_at(&data, rva + 8) as usize;
                for j in 0..count {
                    let (start, size) = (
                        u64_at(&data, rva + 16 + j * 16),
                        u64_at(&data, rva + 24 + j * 16),
                    );
                    ranges.push((start, size, off));
                    off += size as usize;
                }
            } else if typ == 5 {
                let count = u32_at(&data, rva) as usize;
                for j in 0..count {
                    let d = rva + 4 + j * 16;
                    ranges.push((
                        u64_at(&data, d),
                        u64::from(u32_at(&data, d + 8)),
                        u32_at(&data, d + 12) as usize,
                    ));
                }
            }
        }
        ranges.sort();
        Mini { data, ranges }
    }

    fn stream(&self, typ: u32) -> Option<usize> {
        let n = u32_at(&self.data, 8) as usize;
        let dir = u32_at(&self.data, 12) as usize;
        (0..n)
            .map(|i| dir + i * 12)
            .find(|&e| u32_at(&self.data, e) == typ)
            .map(|e| u32_at(&self.data, e + 8) as usize)
    }

    /// (base, name, CodeView bytes) of each module in the ModuleList.
    fn modules(&self) -> Vec<(u64, String, Vec<u8>)> {
        let Some(rva) = self.stream(4) else {
            return Vec::new();
        };
        let count = u32_at(&self.data, rva) as usize;
        (0..count)
            .map(|i| {
                let m = rva + 4 + i * 108;
                let name_rva = u32_at(&self.data, m + 20) as usize;
                let len = u32_at(&self.data, name_rva) as usize;
                let units: Vec<u16> = self.data[name_rva + 4..name_rva + 4 + len]
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                let (cv_size, cv_rva) = (
                    u32_at(&self.data, m + 76) as usize,
                    u32_at(&self.data, m + 80) as usize,
                );
                (
                    u64_at(&self.data, m),
                    String::from_utf16_lossy(&units),
                    self.data[cv_rva..cv_rva + cv_size].to_vec(),
                )
            })
            .collect()
    }

    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let mut done = 0;
        while done < buf.len() {
            let a = addr + done as u64;
            let Some(&(start, size, off)) = self.ranges.iter().find(|r| a >= r.0 && a < r.0 + r.1)
            else {
                return Err(MemoryError::not_captured(a, buf.len() - done));
            };
            let n = ((start + size - a) as usize).min(buf.len() - done);
            let from = off + (a - start) as usize;
            buf[done..done + n].copy_from_slice(&self.data[from..from + n]);
            done += n;
        }
        Ok(())
    }
}

fn load() -> Option<Mini> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/user/win7-x64-wow64-hello-full.dmp");
    match std::fs::read(&p) {
        Ok(d) => Some(Mini::parse(d)),
        Err(_) => {
            let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
            None
        }
    }
}

/// Section headers read independently by `object` from the first page of the mapped image.
fn object_sections(first_page: &[u8]) -> Vec<(String, u32, u32)> {
    let file = object::read::pe::PeFile64::parse(first_page).map(|f| {
        f.section_table()
            .iter()
            .map(|s| {
                (
                    String::from_utf8_lossy(s.raw_name()).into_owned(),
                    s.virtual_address.get(object::LittleEndian),
                    s.virtual_size.get(object::LittleEndian),
                )
            })
            .collect::<Vec<_>>()
    });
    match file {
        Ok(v) => v,
        Err(_) => object::read::pe::PeFile32::parse(first_page)
            .unwrap()
            .section_table()
            .iter()
            .map(|s| {
                (
                    String::from_utf8_lossy(s.raw_name()).into_owned(),
                    s.virtual_address.get(object::LittleEndian),
                    s.virtual_size.get(object::LittleEndian),
                )
            })
            .collect(),
    }
}

fn check_image(mini: &Mini, base: u64, expect_id: Option<&str>) -> Option<String> {
    let mem = FnMemory::new(|a, b| mini.read(a, b));
    let pe = PeImage::parse_mapped(&mem, base).unwrap();
    let mut page = vec![0u8; 0x1000];
    mini.read(base, &mut page).unwrap();
    let ours: Vec<(String, u32, u32)> = pe
        .sections()
        .iter()
        .map(|s| (s.name(), s.virtual_address, s.virtual_size))
        .collect();
    assert_eq!(ours, object_sections(&page), "sections at {base:#x}");
    for s in pe.sections() {
        assert_eq!(
            pe.section_status(s).unwrap(),
            SectionStatus::Captured,
            "{} at {base:#x}",
            s.name()
        );
    }
    let cv = pe.codeview().unwrap();
    assert_eq!(
        cv.as_ref().map(|c| c.pdb_id()).as_deref(),
        expect_id,
        "pdb id at {base:#x}"
    );
    cv.map(|c| c.pdb_name)
}

#[test]
fn mapped_modules_parse_with_correct_sections_and_ids() {
    let Some(mini) = load() else { return };
    let modules = mini.modules();
    assert!(modules.len() >= 5);
    let mut checked = 0;
    for (base, name, cv_bytes) in &modules {
        // The dump's own CodeView record of the module is the independent reference.
        // (hello.exe has none in the module list, and no debug directory either).
        let reference =
            (!cv_bytes.is_empty()).then(|| pe_sections::CodeView::parse(cv_bytes, 0).unwrap());
        let pdb = check_image(
            &mini,
            *base,
            reference.as_ref().map(|r| r.pdb_id()).as_deref(),
        );
        assert_eq!(pdb, reference.map(|r| r.pdb_name), "{name}");
        checked += 1;
    }
    assert!(checked >= 5);
    let ntdll = modules
        .iter()
        .find(|m| m.1.to_ascii_lowercase().ends_with("\\ntdll.dll"))
        .unwrap();
    let mem = FnMemory::new(|a, b| mini.read(a, b));
    let pe = PeImage::parse_mapped(&mem, ntdll.0).unwrap();
    assert_eq!(
        pe.codeview().unwrap().unwrap().pdb_id(),
        "6B9E5E8038E2420E8E7C62EA60DDB0692"
    );
    // Exports by RVA from the mapped image (object would read them through file offsets).
    let exports = pe.exports().unwrap().unwrap();
    assert_eq!(exports.dll_name.as_deref(), Some("ntdll.dll"));
    let f = exports.by_name("RtlAllocateHeap").unwrap();
    let rva = f.rva().unwrap();
    assert!(pe.section_containing(rva).unwrap().is_executable());
    assert_eq!(
        exports.nearest_at_or_below(rva + 3).unwrap().rva(),
        Some(rva)
    );
    // .pdata of the mapped 64-bit ntdll: sorted, and unwind info readable by RVA.
    let funcs = pe.runtime_functions().unwrap();
    assert!(funcs.len() > 1000);
    let g = pe_sections::function_containing(&funcs, rva).unwrap();
    let unwind = pe.unwind_info_bytes(g.unwind_rva().unwrap()).unwrap();
    assert_eq!(unwind[0] & 7, 1); // UNWIND_INFO version 1
}

#[test]
fn wow64_ntdll_at_0x77900000_parses_from_memory() {
    let Some(mini) = load() else { return };
    let mem = FnMemory::new(|a, b| mini.read(a, b));
    let pe = PeImage::parse_mapped(&mem, 0x7790_0000).unwrap();
    assert_eq!(pe.machine(), pe_sections::Machine::I386);
    assert!(!pe.is_64());
    let mut page = vec![0u8; 0x1000];
    mini.read(0x7790_0000, &mut page).unwrap();
    let ours: Vec<(String, u32, u32)> = pe
        .sections()
        .iter()
        .map(|s| (s.name(), s.virtual_address, s.virtual_size))
        .collect();
    assert_eq!(ours, object_sections(&page));
    let cv = pe.codeview().unwrap().unwrap();
    assert_eq!(cv.pdb_name, "wntdll.pdb");
    // Independent path to the same record: scan the mapped image for the RSDS signature
    // instead of following the debug directory.
    let hits = pe_sections::search_memory(
        &mem,
        0x7790_0000,
        u64::from(pe.size_of_image()),
        b"RSDS",
        16,
    )
    .unwrap();
    assert_eq!(hits.len(), 1);
    let mut rec = vec![0u8; 64];
    mini.read(hits[0], &mut rec).unwrap();
    let scanned = pe_sections::CodeView::parse(&rec, 0).unwrap();
    assert_eq!(scanned, cv);
    assert_eq!(cv.pdb_id(), "7B0DEEF28DEB4991992FFD2F0241900E2");
    let exports = pe.exports().unwrap().unwrap();
    assert!(exports.by_name("NtCreateFile").is_some());
    for s in pe.sections() {
        assert_eq!(
            pe.section_status(s).unwrap(),
            SectionStatus::Captured,
            "{}",
            s.name()
        );
    }
}

#[test]
fn missing_section_is_not_captured_not_a_failure() {
    let Some(mini) = load() else { return };
    let ntdll = 0x7790_0000u64;
    let pe_full = {
        let mem = FnMemory::new(|a, b| mini.read(a, b));
        let pe = PeImage::parse_mapped(&mem, ntdll).unwrap();
        let s = pe.section_by_name(".text").unwrap();
        (u64::from(s.virtual_address), s.end_rva())
    };
    // Hide .text: the headers still parse, .text is NotCaptured, other sections are fine.
    let hidden = |a: u64, b: &mut [u8]| {
        let end = a + b.len() as u64;
        if a < ntdll + pe_full.1 && end > ntdll + pe_full.0 {
            return Err(MemoryError::not_captured(a, b.len()));
        }
        mini.read(a, b)
    };
    let mem = FnMemory::new(hidden);
    let pe = PeImage::parse_mapped(&mem, ntdll).unwrap();
    let text = pe.section_by_name(".text").unwrap();
    assert_eq!(pe.section_status(text).unwrap(), SectionStatus::NotCaptured);
    assert!(pe.section_data(text).unwrap_err().is_not_captured());
    let data = pe.section_by_name(".data").unwrap();
    assert_eq!(pe.section_status(data).unwrap(), SectionStatus::Captured);
    // wntdll keeps its debug directory inside .text: the CodeView read is NotCaptured.
    let debug = pe.data_directory(pe_sections::dir::DEBUG).unwrap();
    assert!(text.contains_rva(debug.virtual_address));
    assert!(pe.codeview().unwrap_err().is_not_captured());
    // Exports live in .text too; the resource directory does not.
    assert!(pe.exports().unwrap_err().is_not_captured());
    assert!(
        pe.section_by_name(".rsrc")
            .is_some_and(|s| pe.section_data(s).is_ok())
    );
}
