//! Real PE files from `../shared/corpus/pe/`: every one parses, section tables and exports
//! agree with the `object` crate, CodeView ids match the corpus README, and code references
//! to `.rdata` strings match addresses pinned from `objdump -d`.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use object::LittleEndian as LE;
use object::read::pe::{ExportTarget as ObjTarget, ImageNtHeaders};
use pe_sections::{ExportTarget, PeImage, RefKind};
use std::io::Write;
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pe");
    if d.is_dir() {
        Some(d)
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", d.display());
        None
    }
}

fn pe_files() -> Vec<PathBuf> {
    let Some(d) = corpus_dir() else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "exe" || x == "dll"))
        .collect();
    v.sort();
    v
}

fn compare_with_object<Pe: ImageNtHeaders>(data: &[u8], ours: &PeImage<'_>) {
    let file = object::read::pe::PeFile::<Pe>::parse(data).unwrap();
    let table = file.section_table();
    assert_eq!(table.len(), ours.sections().len());
    for (o, s) in table.iter().zip(ours.sections()) {
        assert_eq!(o.name, s.name);
        assert_eq!(o.virtual_size.get(LE), s.virtual_size);
        assert_eq!(o.virtual_address.get(LE), s.virtual_address);
        assert_eq!(o.size_of_raw_data.get(LE), s.size_of_raw_data);
        assert_eq!(o.pointer_to_raw_data.get(LE), s.pointer_to_raw_data);
        assert_eq!(o.characteristics.get(LE).0, s.characteristics.bits());
    }
    let obj_exports = file.export_table().unwrap();
    let our_exports = ours.exports().unwrap();
    assert_eq!(obj_exports.is_some(), our_exports.is_some());
    if let (Some(t), Some(e)) = (obj_exports, our_exports) {
        let mut theirs: Vec<(String, u32, String)> = t
            .exports()
            .unwrap()
            .into_iter()
            .filter(|x| !(x.name.is_none() && matches!(x.target, ObjTarget::Address(0))))
            .map(|x| {
                let target = match x.target {
                    ObjTarget::Address(a) => format!("{a:#x}"),
                    ObjTarget::ForwardByName(l, n) => {
                        format!(
                            "{}.{}",
                            String::from_utf8_lossy(l),
                            String::from_utf8_lossy(n)
                        )
                    }
                    ObjTarget::ForwardByOrdinal(l, o) => {
                        format!("{}.#{}", String::from_utf8_lossy(l), o.0)
                    }
                };
                (
                    x.name
                        .map(|n| String::from_utf8_lossy(n).into_owned())
                        .unwrap_or_default(),
                    u32::from(x.ordinal.0),
                    target,
                )
            })
            .collect();
        let mut mine: Vec<(String, u32, String)> = e
            .entries
            .iter()
            .map(|x| {
                let target = match &x.target {
                    ExportTarget::Rva(a) => format!("{a:#x}"),
                    ExportTarget::Forwarder(s) => s.clone(),
                };
                (x.name.clone().unwrap_or_default(), x.ordinal, target)
            })
            .collect();
        theirs.sort();
        mine.sort();
        assert_eq!(mine, theirs);
    }
}

#[test]
fn every_pe_parses_and_matches_object() {
    let files = pe_files();
    for path in &files {
        let data = std::fs::read(path).unwrap();
        let pe = PeImage::parse_file(&data).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            pe.sections().len(),
            usize::from(pe.file_header().number_of_sections)
        );
        if pe.is_64() {
            compare_with_object::<object::pe::ImageNtHeaders64>(&data, &pe);
        } else {
            compare_with_object::<object::pe::ImageNtHeaders32>(&data, &pe);
        }
        // Every section's raw data is readable, and the other directories parse.
        for s in pe.sections() {
            pe.section_data(s).unwrap();
        }
        pe.debug_directory().unwrap();
        pe.relocations().unwrap();
        if pe.machine() != pe_sections::Machine::I386 {
            let funcs = pe.runtime_functions().unwrap();
            for f in funcs.iter().take(50) {
                if let Some(u) = f.unwind_rva() {
                    // The chained-loop fixture points its unwind info anywhere; others are real.
                    let _ = pe.unwind_info_bytes(u);
                }
            }
        }
    }
}

#[test]
fn codeview_ids_match_corpus_readme() {
    let Some(d) = corpus_dir() else { return };
    for (file, id, pdb) in [
        (
            "x86-msvc-crash.exe",
            "3249D99D0C4049318610F4E4FB0B69361",
            "crash.pdb",
        ),
        (
            "x64-msvc-CrashWithException.exe",
            "F535C5FB2AE84BB8AA206C30BE566C5A1",
            "CrashWithException.pdb",
        ),
        (
            "x64-msvc-dump_syms_regtest64.exe",
            "72E103A85CB249078B76B2E7C06257B13",
            "dump_syms_regtest64.pdb",
        ),
    ] {
        let data = std::fs::read(d.join(file)).unwrap();
        let pe = PeImage::parse_file(&data).unwrap();
        let cv = pe.codeview().unwrap().unwrap();
        assert_eq!(cv.pdb_id(), id, "{file}");
        assert!(cv.pdb_name.ends_with(pdb), "{file}: {}", cv.pdb_name);
    }
}

#[test]
fn symbol_store_key_and_rva_maps() {
    let Some(d) = corpus_dir() else { return };
    let data = std::fs::read(d.join("x64-msvc-CrashWithException.exe")).unwrap();
    let pe = PeImage::parse_file(&data).unwrap();
    // objdump -h: .rdata VMA 0x140003000, file offset 0x1600, size 0x134e.
    assert_eq!(pe.symbol_store_key(), "5C9E09599000");
    // SSQP: upper-case time stamp, lower-case size.
    let other = std::fs::read(d.join("x64-basic64-unwindv2.dll")).unwrap();
    assert_eq!(
        PeImage::parse_file(&other).unwrap().symbol_store_key(),
        "5DDC1E998c000"
    );
    assert_eq!(pe.optional_header().image_base, 0x1_4000_0000);
    let rdata = pe.section_by_name(".rdata").unwrap();
    assert_eq!(
        (
            rdata.virtual_address,
            rdata.pointer_to_raw_data,
            rdata.virtual_size
        ),
        (0x3000, 0x1600, 0x134e)
    );
    assert_eq!(pe.rva_to_file_offset(0x32c0), Some(0x18c0));
    assert_eq!(pe.file_offset_to_rva(0x18c0), Some(0x32c0));
    assert_eq!(pe.rva_to_va(0x32c0), Some(0x1_4000_32c0));
    assert_eq!(pe.va_to_rva(0x1_4000_32c0), Some(0x32c0));
    assert_eq!(pe.section_containing(0x32c0).unwrap().name(), ".rdata");
    assert_eq!(pe.read_cstr_rva(0x32c0, 64).unwrap(), b"Unknown exception");
    let flags = rdata.flag_descriptions();
    assert_eq!(
        flags,
        ["Initialized Data", "(no align specified)", "Read Only"]
    );
}

/// NUL-terminated text strings (printable ASCII plus `\n`/`\t`, at least 4 bytes) in a run.
fn strings_in(bytes: &[u8], base_rva: u32) -> Vec<(u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let text = (0x20..0x7f).contains(&b) || b == b'\n' || b == b'\t';
        if b == 0 {
            if i - start >= 4 {
                out.push((base_rva + start as u32, bytes[start..i].to_vec()));
            }
            start = i + 1;
        } else if !text {
            start = i + 1;
        }
    }
    out
}

#[test]
fn xref_finds_the_code_loading_each_rdata_string() {
    let Some(d) = corpus_dir() else { return };
    let data = std::fs::read(d.join("x64-msvc-CrashWithException.exe")).unwrap();
    let pe = PeImage::parse_file(&data).unwrap();
    let rdata = pe.section_by_name(".rdata").unwrap();
    let run = &pe.section_runs(rdata).unwrap()[0];
    let strings = strings_in(&run.bytes, run.rva);
    let targets: Vec<u32> = strings.iter().map(|s| s.0).collect();
    let refs = pe.code_references_to(&targets).unwrap();
    // Pinned from `objdump -d -M intel` (binutils 2.42): each program string and the `lea`
    // that loads it, e.g. `140001094: 48 8d 05 25 22 00 00  lea rax,[rip+0x2225] # 0x1400032c0`.
    let expected: [(u32, u32, &[u8]); 5] = [
        (0x1094, 0x32c0, b"Unknown exception"),
        (0x1100, 0x32d4, b"okay\n"),
        (0x1110, 0x32e0, b"dropping\n"),
        (0x1661, 0x3280, b"bad allocation"),
        (0x16c1, 0x32a8, b"bad array new length"),
    ];
    let got: Vec<(u32, u32)> = refs.iter().map(|r| (r.rva, r.target)).collect();
    assert_eq!(got, expected.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>());
    for (r, e) in refs.iter().zip(expected) {
        assert_eq!(r.kind, RefKind::RipRelative);
        assert_eq!(r.len, 7);
        assert_eq!(pe.read_cstr_rva(r.target, 256).unwrap(), e.2);
    }
    // Strings without code references (section names of the debug directory, import
    // names) have none; and the single-target API agrees.
    assert_eq!(pe.code_references(0x32c0).unwrap().len(), 1);
    assert!(pe.code_references(0x3f7c).unwrap().is_empty()); // "malloc" (import name)
}

#[test]
fn xref_matches_objdump_rip_relative_operands() {
    // Pinned from objdump: non-string RIP-relative references and a direct call.
    let Some(d) = corpus_dir() else { return };
    let data = std::fs::read(d.join("x64-msvc-CrashWithException.exe")).unwrap();
    let pe = PeImage::parse_file(&data).unwrap();
    // 140001190: 48 3b 0d 71 3e 00 00  cmp rcx,[rip+0x3e71]  # 0x140005008 (__security_cookie)
    let r = pe.code_references(0x5008).unwrap();
    assert!(
        r.iter()
            .any(|r| r.rva == 0x1190 && r.kind == RefKind::RipRelative)
    );
    // 14000134b: c7 05 3b 43 00 00 01 00 00 00  mov dword [rip+0x433b],1  # 0x140005690
    // (the target is computed from the end of the instruction, after the immediate)
    let r = pe.code_references(0x5690).unwrap();
    assert!(r.iter().any(|r| r.rva == 0x134b && r.len == 10));
    assert!(r.iter().any(|r| r.rva == 0x1338 && r.len == 6)); // mov ecx,[rip+0x4352]
    // 14000115d: e8 9e ff ff ff  call 0x140001100
    let r = pe.code_references(0x1100).unwrap();
    assert!(
        r.iter()
            .any(|r| r.rva == 0x115d && r.kind == RefKind::Branch)
    );
    // No instruction is reported twice.
    let mut rvas: Vec<u32> = r.iter().map(|r| r.rva).collect();
    rvas.dedup();
    assert_eq!(rvas.len(), r.len());
}

#[test]
fn xref_x86_absolute_operands_match_objdump() {
    let Some(d) = corpus_dir() else { return };
    let data = std::fs::read(d.join("x86-msvc-crash.exe")).unwrap();
    let pe = PeImage::parse_file(&data).unwrap();
    // Pinned from `objdump -d -M intel`:
    //   4012d0: 68 3c 43 40 00   push 0x40433c   ("string too long")
    //   4028f2: ...              push 0x4046ec   ("ERROR creating minidump\n")
    //   402f35: ...                   0x4041a4   ("Unknown exception")
    let relocs = pe.relocations().unwrap();
    for (insn, target, text) in [
        (0x12d0u32, 0x433cu32, &b"string too long"[..]),
        (0x28f2, 0x46ec, b"ERROR creating minidump\n"),
        (0x2f35, 0x41a4, b"Unknown exception"),
    ] {
        assert_eq!(pe.read_cstr_rva(target, 256).unwrap(), text);
        let refs = pe.code_references(target).unwrap();
        let r = refs
            .iter()
            .find(|r| r.rva == insn)
            .unwrap_or_else(|| panic!("{insn:#x}: {refs:?}"));
        assert_eq!(r.kind, RefKind::Absolute);
        // The operand is also a HIGHLOW relocation slot; it is not reported a second time.
        assert!(
            relocs
                .iter()
                .any(|x| x.rva > insn && x.rva < insn + u32::from(r.len))
        );
        assert!(
            !refs
                .iter()
                .any(|x| x.kind == RefKind::RelocSlot && x.rva > insn && x.rva < insn + 8)
        );
        let mut rvas: Vec<u32> = refs.iter().map(|r| r.rva).collect();
        rvas.dedup();
        assert_eq!(rvas.len(), refs.len());
    }
}

#[test]
fn arm64_pdata_and_xdata() {
    let Some(d) = corpus_dir() else { return };
    let data = std::fs::read(d.join("arm64-test.exe")).unwrap();
    let pe = PeImage::parse_file(&data).unwrap();
    let funcs = pe.runtime_functions().unwrap();
    assert_eq!(funcs.len(), 709);
    // Sorted, non-overlapping, inside executable sections, with readable unwind data whose
    // size the header determines.
    let mut prev_end = 0;
    let mut xdata = 0;
    for f in &funcs {
        assert!(matches!(f, pe_sections::RuntimeFunction::Arm64 { .. }));
        assert!(f.begin() >= prev_end, "{f:?}");
        assert!(pe.section_containing(f.begin()).unwrap().is_executable());
        let end = pe.function_end(f).unwrap();
        assert!(end > f.begin());
        prev_end = end;
        if let Some(u) = f.unwind_rva() {
            let b = pe.unwind_info_bytes(u).unwrap();
            assert!(b.len() >= 4 && b.len().is_multiple_of(4));
            xdata += 1;
        }
        assert_eq!(
            pe_sections::function_containing(&funcs, f.begin()),
            Some(*f)
        );
    }
    assert!(xdata > 0);
    // xref is x86/x64 only.
    assert!(matches!(
        pe.code_references(0x1000),
        Err(pe_sections::Error::UnsupportedMachine { .. })
    ));
}

/// The version resource of every corpus image that has one, cross-checked two ways: the
/// `RT_VERSION` data entry found by `object`'s resource-directory walk holds the same
/// `VS_VERSIONINFO` (parsed alone), and the file version equals the two dwords after the
/// `VS_FIXEDFILEINFO` signature (0xFEEF04BD) found by a plain byte scan of the file.
#[test]
fn version_resources_match_object_and_a_signature_scan() {
    let mut with = 0;
    for path in pe_files() {
        let data = std::fs::read(&path).unwrap();
        let pe = PeImage::parse_file(&data).unwrap();
        let ours = pe.version_info().unwrap();
        // object: type 16 (RT_VERSION) -> first name -> first language -> data entry.
        let file = object::read::pe::PeFile64::parse(&*data)
            .map(|f| {
                let dirs = f.data_directories();
                let rsrc = dirs.resource_directory(&*data, &f.section_table()).unwrap();
                rsrc.map(|r| {
                    let root = r.root().unwrap();
                    let ver = root
                        .entries
                        .iter()
                        .find(|e| e.name_or_id().id() == Some(16))?;
                    let names = ver.data(r).unwrap().table()?;
                    let langs = names.entries.first()?.data(r).unwrap().table()?;
                    let entry = langs.entries.first()?.data(r).unwrap().data()?;
                    let rva = entry.offset_to_data.get(LE);
                    let size = entry.size.get(LE);
                    let bytes = pe.read_rva_vec(rva, u64::from(size)).unwrap();
                    Some(pe_sections::VersionInfo::parse(&bytes, rva).unwrap())
                })
            })
            .ok()
            .flatten()
            .flatten();
        if pe.is_64() {
            assert_eq!(ours, file, "{}", path.display());
        }
        let sig = data
            .windows(4)
            .position(|w| w == 0xFEEF_04BDu32.to_le_bytes());
        let Some(v) = ours else {
            assert!(
                sig.is_none(),
                "{}: a signature but no resource",
                path.display()
            );
            continue;
        };
        with += 1;
        let at = sig.expect("the fixed info's signature");
        let dw =
            |i: usize| u32::from_le_bytes(data[at + 4 * i..at + 4 * i + 4].try_into().unwrap());
        let (ms, ls) = (dw(2), dw(3));
        assert_eq!(
            v.file_version,
            Some([(ms >> 16) as u16, ms as u16, (ls >> 16) as u16, ls as u16]),
            "{}",
            path.display()
        );
        // The string table holds what the file says in UTF-16 after each key.
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        for (k, val) in &v.strings {
            let mut kv = utf16(k);
            kv.extend([0, 0]);
            let at = data.windows(kv.len()).position(|w| w == kv).unwrap();
            let after = &data[at + kv.len()..];
            let lead = after.iter().take_while(|b| **b == 0).count() & !1;
            assert!(after[lead..].starts_with(&utf16(val)), "{k}={val}");
        }
        assert!(v.string("FileVersion").is_some(), "{v:?}");
        assert!(v.string("ProductName").is_some(), "{v:?}");
    }
    if corpus_dir().is_some() {
        assert!(with >= 1, "no corpus image with a version resource");
    }
}
