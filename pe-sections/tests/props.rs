//! Property tests: builder → parse round trip (file and mapped layout, PE32 and PE32+), and
//! mutated or random input → `Err` or valid data, never a panic or a hang.
#![cfg(feature = "synth")]
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use pe_sections::synth::PeBuilder;
use pe_sections::{Limits, Pattern, PeImage, RefKind, SliceMemory, StringKind};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Runs every reader over an image; results are ignored, only panics matter.
fn exercise(pe: &PeImage<'_>) {
    let _ = pe.symbol_store_key();
    for s in pe.sections() {
        let _ = s.flag_descriptions();
        let _ = pe.section_status(s);
        let _ = pe.section_runs(s);
        let _ = pe.rva_to_file_offset(s.virtual_address);
        for kind in [StringKind::Ascii, StringKind::Utf16] {
            if let Ok(it) = pe.strings(s, 3, kind) {
                for f in it.take(32) {
                    assert!(f.text.len() >= 3 && f.rva >= s.virtual_address, "{f:?}");
                }
            }
        }
    }
    for off in (0..0x3000u64).step_by(8) {
        if let Ok(Some(c)) = pe.rtti_class_of_vtable(pe.base().wrapping_add(off)) {
            assert!(c.decorated.starts_with(".?A"), "{c:?}");
        }
    }
    if let Ok(Some(e)) = pe.exports() {
        let _ = e.nearest_at_or_below(0x2000);
    }
    let _ = pe.debug_directory();
    let _ = pe.codeview();
    if let Ok(f) = pe.runtime_functions() {
        for r in f.iter().take(8) {
            if let Some(u) = r.unwind_rva() {
                let _ = pe.unwind_info_bytes(u);
            }
        }
    }
    let _ = pe.relocations();
    if let Ok(Some(v)) = pe.version_info() {
        let _ = v.file_version_string();
        assert!(v.strings.len() <= 1024, "{v:?}");
    }
    let _ = pe.search_rva(&Pattern::Ascii("ab".into()), 0, 0x4000);
    let _ = pe.read_cstr_rva(0x1000, 64);
    let _ = pe.read_wstr_rva(0x1000, 64);
    let _ = pe.code_references_to(&[0x1000, 0x2000, 0x3000]);
}

#[derive(Debug, Clone)]
struct Spec {
    is64: bool,
    data: Vec<Vec<u8>>,
    names: Vec<String>,
    guid: [u8; 16],
    age: u32,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..300), 1..4),
        prop::collection::btree_set("[A-Za-z_][A-Za-z0-9_]{0,12}", 0..6),
        any::<[u8; 16]>(),
        1u32..100,
    )
        .prop_map(|(is64, data, names, guid, age)| Spec {
            is64,
            data,
            names: names.into_iter().collect(),
            guid,
            age,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(s in spec()) {
        let mut b = if s.is64 { PeBuilder::x64() } else { PeBuilder::x86() };
        let mut rvas = Vec::new();
        for (i, d) in s.data.iter().enumerate() {
            rvas.push(b.add_section(&format!(".d{i}"), PeBuilder::RDATA, d.clone()));
        }
        // Code: one reference to the first data section (lea rcx,[rip+d] or push imm32).
        let text = b.next_rva();
        let code = if s.is64 {
            let disp = rvas[0].wrapping_sub(text + 7);
            let mut c = vec![0x48, 0x8d, 0x0d];
            c.extend_from_slice(&disp.to_le_bytes());
            c.push(0xc3);
            c
        } else {
            let mut c = vec![0x68];
            c.extend_from_slice(&(0x40_0000u32 + rvas[0]).to_le_bytes());
            c.push(0xc3);
            c
        };
        b.add_section(".text", PeBuilder::CODE, code);
        if !s.is64 {
            b.relocation(text + 1, 3);
        } else {
            b.runtime_function(text, text + 8, rvas[0]);
        }
        let mut exported = BTreeMap::new();
        for (i, n) in s.names.iter().enumerate() {
            let rva = rvas[i % rvas.len()];
            b.export(n, rva);
            exported.insert(n.clone(), rva);
        }
        b.codeview(s.guid, s.age, "x.pdb");
        let file = b.build();
        let mapped = b.build_mapped();
        // x86 code holds absolute addresses: map it where the (unrelocated) image expects.
        let base = if s.is64 { 0x7ff0_0000_0000 } else { 0x40_0000 };
        let mem = SliceMemory::new(base, &mapped);
        for pe in [PeImage::parse_file(&file).unwrap(), PeImage::parse_mapped(&mem, base).unwrap()] {
            prop_assert_eq!(pe.is_64(), s.is64);
            for (i, d) in s.data.iter().enumerate() {
                let sec = pe.section_by_name(&format!(".d{i}")).unwrap();
                prop_assert_eq!(sec.virtual_address, rvas[i]);
                prop_assert_eq!(&pe.section_data(sec).unwrap()[..d.len()], &d[..]);
                // A planted pattern is found at its RVA.
                let needle = d[..d.len().min(3)].to_vec();
                let hits = pe.search_section(&Pattern::Bytes(needle), &format!(".d{i}")).unwrap();
                prop_assert!(hits.contains(&rvas[i]));
            }
            let cv = pe.codeview().unwrap().unwrap();
            prop_assert_eq!(cv.age, s.age);
            prop_assert_eq!(&cv.pdb_name, "x.pdb");
            if s.names.is_empty() {
                prop_assert!(pe.exports().unwrap().is_none());
            } else {
                let e = pe.exports().unwrap().unwrap();
                prop_assert_eq!(e.entries.len(), exported.len());
                for (n, rva) in &exported {
                    prop_assert_eq!(e.by_name(n).unwrap().rva(), Some(*rva));
                }
            }
            let refs = pe.code_references(rvas[0]).unwrap();
            prop_assert_eq!(refs.len(), 1, "{:?}", refs);
            prop_assert_eq!(refs[0].rva, text);
            let kind = if s.is64 { RefKind::RipRelative } else { RefKind::Absolute };
            prop_assert_eq!(refs[0].kind, kind);
            if s.is64 {
                let f = pe.runtime_functions().unwrap();
                prop_assert_eq!(f.len(), 1);
                prop_assert_eq!(f[0].begin(), text);
            } else {
                let r = pe.relocations().unwrap();
                prop_assert_eq!(r.len(), 1);
                prop_assert_eq!(r[0].rva, text + 1);
            }
        }
    }

    #[test]
    fn mutated_images_never_panic(
        s in spec(),
        muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u32>()), 1..12),
    ) {
        let mut b = if s.is64 { PeBuilder::x64() } else { PeBuilder::x86() };
        for (i, d) in s.data.iter().enumerate() {
            let r = b.add_section(&format!(".d{i}"), PeBuilder::RDATA, d.clone());
            b.export(&format!("e{i}"), r);
            b.runtime_function(r, r + 4, r);
            b.relocation(r, 3);
        }
        b.add_section(".text", PeBuilder::CODE, vec![0x48, 0x8d, 0x0d, 0, 0, 0, 0, 0xc3]);
        b.codeview(s.guid, s.age, "x.pdb");
        for mut img in [b.build(), b.build_mapped()] {
            // Mutations concentrate on the headers (first 0x400 bytes) half of the time.
            for (idx, v) in &muts {
                let span = if v & 1 == 0 { img.len().min(0x400) } else { img.len() };
                let at = idx.index(span.saturating_sub(4).max(1));
                img[at..at + 4].copy_from_slice(&v.to_le_bytes());
            }
            if let Ok(pe) = PeImage::parse_file(&img).and_then(|p| p.with_limits(Limits::fuzzing())) {
                exercise(&pe);
            }
            let mem = SliceMemory::new(0x10000, &img);
            if let Ok(pe) = PeImage::parse_mapped(&mem, 0x10000).and_then(|p| p.with_limits(Limits::fuzzing())) {
                exercise(&pe);
            }
        }
    }

    #[test]
    fn version_resource_round_trips(
        is64 in any::<bool>(),
        v in any::<[u16; 4]>(),
        strings in prop::collection::btree_map("[A-Za-z]{1,16}", "[ -~]{0,40}", 0..6),
    ) {
        let mut b = if is64 { PeBuilder::x64() } else { PeBuilder::x86() };
        b.add_section(".text", PeBuilder::CODE, vec![0xc3]);
        let pairs: Vec<(&str, &str)> =
            strings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        b.version_resource(v, &pairs);
        let file = b.build();
        let mapped = b.build_mapped();
        let mem = SliceMemory::new(0x10000, &mapped);
        for pe in [PeImage::parse_file(&file).unwrap(), PeImage::parse_mapped(&mem, 0x10000).unwrap()] {
            let got = pe.version_info().unwrap().unwrap();
            prop_assert_eq!(got.file_version, Some(v));
            prop_assert_eq!(got.product_version, Some(v));
            prop_assert_eq!(got.file_version_string(), Some(format!("{}.{}.{}.{}", v[0], v[1], v[2], v[3])));
            prop_assert_eq!(got.string_table.as_deref(), Some("040904b0"));
            let want: Vec<(String, String)> = strings.clone().into_iter().collect();
            prop_assert_eq!(&got.strings, &want);
        }
        // Without one: Ok(None).
        let mut plain = if is64 { PeBuilder::x64() } else { PeBuilder::x86() };
        plain.add_section(".text", PeBuilder::CODE, vec![0xc3]);
        prop_assert_eq!(PeImage::parse_file(&plain.build()).unwrap().version_info(), Ok(None));
    }

    #[test]
    fn mutated_version_resources_never_panic(
        v in any::<[u16; 4]>(),
        muts in prop::collection::vec((any::<prop::sample::Index>(), any::<u16>()), 1..16),
    ) {
        let mut b = PeBuilder::x64();
        b.add_section(".text", PeBuilder::CODE, vec![0xc3]);
        b.version_resource(v, &[("FileVersion", "1.2.3.4"), ("ProductName", "Synthetic")]);
        let mut img = b.build();
        let pe = PeImage::parse_file(&img).unwrap();
        let rsrc = pe.section_by_name(".rsrc").unwrap();
        let (start, len) = (rsrc.pointer_to_raw_data as usize, rsrc.virtual_size as usize);
        // Mutate the resource directory and the VS_VERSIONINFO only.
        for (idx, x) in &muts {
            let at = start + idx.index(len.saturating_sub(2).max(1));
            img[at..at + 2].copy_from_slice(&x.to_le_bytes());
        }
        if let Ok(pe) = PeImage::parse_file(&img).and_then(|p| p.with_limits(Limits::fuzzing()))
            && let Ok(Some(got)) = pe.version_info()
        {
            prop_assert!(got.strings.len() <= 1024);
        }
    }

    #[test]
    fn strings_of_a_section_round_trip(
        words in prop::collection::vec("[ -~]{4,40}", 1..20),
        wide in any::<bool>(),
    ) {
        let mut data = Vec::new();
        for w in &words {
            if wide {
                for c in w.encode_utf16() {
                    data.extend_from_slice(&c.to_le_bytes());
                }
                data.extend_from_slice(&[0, 0]);
            } else {
                data.extend_from_slice(w.as_bytes());
                data.push(0);
            }
        }
        let mut b = PeBuilder::x64();
        b.add_section(".rdata", PeBuilder::RDATA, data);
        let img = b.build();
        let pe = PeImage::parse_file(&img).unwrap();
        let s = pe.section_by_name(".rdata").unwrap();
        let kind = if wide { StringKind::Utf16 } else { StringKind::Ascii };
        let got: Vec<String> = pe.strings(s, 4, kind).unwrap().map(|f| f.text).collect();
        prop_assert_eq!(got, words);
    }

    #[test]
    fn random_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..2048)) {
        let mut img = b"MZ".to_vec();
        img.resize(0x3c, 0);
        img.extend_from_slice(&0x40u32.to_le_bytes());
        img.extend_from_slice(b"PE\0\0");
        img.extend_from_slice(&tail);
        if let Ok(pe) = PeImage::parse_file(&img).and_then(|p| p.with_limits(Limits::fuzzing())) {
            exercise(&pe);
        }
        let mem = SliceMemory::new(0, &img);
        if let Ok(pe) = PeImage::parse_mapped(&mem, 0).and_then(|p| p.with_limits(Limits::fuzzing())) {
            exercise(&pe);
        }
    }

    #[test]
    fn decoder_never_panics_and_bounds_lengths(bytes in prop::collection::vec(any::<u8>(), 0..20), m64 in any::<bool>()) {
        if let Some(i) = pe_sections::x86::decode(&bytes, m64) {
            prop_assert!(i.len >= 1 && i.len <= 15 && i.len <= bytes.len());
            prop_assert!(i.disp_off + i.disp_size <= i.len);
            prop_assert!(i.imm_off + i.imm_size <= i.len);
        }
    }
}

#[test]
fn hostile_headers_give_errors() {
    let mut b = PeBuilder::x64();
    b.add_section(".text", PeBuilder::CODE, vec![0xc3]);
    let good = b.build();
    // NumberOfSections = 0xffff.
    let mut img = good.clone();
    img[0x46..0x48].copy_from_slice(&0xffffu16.to_le_bytes());
    assert!(PeImage::parse_file(&img).is_err());
    // e_lfanew far past the end.
    let mut img = good.clone();
    img[0x3c..0x40].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    assert!(PeImage::parse_file(&img).is_err());
    // Export directory pointing past the image, with a huge size.
    let mut img = good.clone();
    let dirs = 0x40 + 24 + 112;
    img[dirs..dirs + 8].copy_from_slice(&[0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    let pe = PeImage::parse_file(&img).unwrap();
    assert!(pe.exports().is_err());
    // A section whose virtual size is 4 GiB and raw pointer past the end of the file.
    let mut img = good;
    let sec = dirs + 128;
    img[sec + 8..sec + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    img[sec + 20..sec + 24].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
    let pe = PeImage::parse_file(&img).unwrap();
    let s = pe.sections()[0].clone();
    assert!(pe.section_data(&s).unwrap().is_empty());
    assert!(pe.read_rva_vec(0x1000, u64::from(u32::MAX)).is_err());
    assert!(pe.code_references(0x1000).unwrap().is_empty());
}

#[test]
fn synth_mapped_and_file_agree_with_object() {
    // The builder is cross-checked against an independent reader, not only ours.
    let mut b = PeBuilder::x86();
    let t = b.add_section(".text", PeBuilder::CODE, vec![0x90; 0x20]);
    b.export("Nop", t).export_forwarder("Fwd", "NTDLL.RtlFoo");
    let file = b.build();
    let obj = object::read::pe::PeFile32::parse(&*file).unwrap();
    let ex = obj.export_table().unwrap().unwrap().exports().unwrap();
    assert_eq!(ex.len(), 2);
    let pe = PeImage::parse_file(&file).unwrap();
    let e = pe.exports().unwrap().unwrap();
    assert_eq!(
        e.by_name("Fwd").unwrap().target,
        pe_sections::ExportTarget::Forwarder("NTDLL.RtlFoo".into())
    );
    assert_eq!(e.by_name("Nop").unwrap().rva(), Some(t));
    assert_eq!(obj.section_table().len(), pe.sections().len());
}

#[test]
fn x64_reference_forms_each_reported_once() {
    // Several forms referring to the same data RVA, each must be found exactly once, at
    // its instruction start (REX prefixes included), with the right length.
    let mut b = PeBuilder::x64();
    let data = b.add_section(".rdata", PeBuilder::RDATA, vec![0u8; 0x40]);
    let text = b.next_rva();
    let mut code: Vec<u8> = Vec::new();
    let mut expect = Vec::new();
    let mut rip = |code: &mut Vec<u8>, prefix: &[u8], suffix: &[u8], kind: RefKind| {
        let start = text + code.len() as u32;
        let end = start + prefix.len() as u32 + 4 + suffix.len() as u32;
        code.extend_from_slice(prefix);
        code.extend_from_slice(&data.wrapping_sub(end).to_le_bytes());
        code.extend_from_slice(suffix);
        expect.push((start, kind, (end - start) as u8));
    };
    rip(&mut code, &[0x48, 0x8d, 0x0d], &[], RefKind::RipRelative); // lea rcx,[rip+d]
    rip(&mut code, &[0x4c, 0x8d, 0x05], &[], RefKind::RipRelative); // lea r8,[rip+d]
    rip(&mut code, &[0x8b, 0x05], &[], RefKind::RipRelative); // mov eax,[rip+d]
    rip(&mut code, &[0x48, 0x89, 0x05], &[], RefKind::RipRelative); // mov [rip+d],rax
    rip(&mut code, &[0x80, 0x3d], &[0x00], RefKind::RipRelative); // cmp byte [rip+d],0
    rip(
        &mut code,
        &[0xc7, 0x05],
        &[1, 0, 0, 0],
        RefKind::RipRelative,
    ); // mov dword [rip+d],1
    rip(&mut code, &[0xff, 0x15], &[], RefKind::RipRelative); // call [rip+d]
    rip(&mut code, &[0xff, 0x25], &[], RefKind::RipRelative); // jmp [rip+d]
    rip(&mut code, &[0x0f, 0x10, 0x05], &[], RefKind::RipRelative); // movups xmm0,[rip+d]
    rip(&mut code, &[0xe8], &[], RefKind::Branch); // call rel32 (to data, but still a target)
    // mov eax,[rdx+rax*4+RVA] (table relative to __ImageBase)
    let start = text + code.len() as u32;
    code.extend_from_slice(&[0x8b, 0x84, 0x82]);
    code.extend_from_slice(&data.to_le_bytes());
    expect.push((start, RefKind::Disp32Rva, 7));
    // mov rax, imm64 = ImageBase + RVA
    let start = text + code.len() as u32;
    code.extend_from_slice(&[0x48, 0xb8]);
    code.extend_from_slice(&(0x1_4000_0000u64 + u64::from(data)).to_le_bytes());
    expect.push((start, RefKind::Absolute, 10));
    code.push(0xc3);
    b.add_section(".text", PeBuilder::CODE, code);
    let file = b.build();
    let pe = PeImage::parse_file(&file).unwrap();
    let refs = pe.code_references(data).unwrap();
    let got: Vec<(u32, RefKind, u8)> = refs.iter().map(|r| (r.rva, r.kind, r.len)).collect();
    assert_eq!(got, expect);
}

#[test]
fn partially_captured_section() {
    // A mapped image with one page of a two-page section missing: Partial, runs split,
    // search skips the hole, reads across it fail as NotCaptured.
    let mut b = PeBuilder::x64();
    let mut data = vec![0u8; 0x2000];
    data[0x10..0x15].copy_from_slice(b"first");
    data[0x1010..0x1016].copy_from_slice(b"second");
    let rva = b.add_section(".data", PeBuilder::DATA, data);
    let mapped = b.build_mapped();
    let base = 0x10_0000u64;
    let hole = base + u64::from(rva);
    let mem = pe_sections::FnMemory::new(|a, buf| {
        if a < hole + 0x1000 && a + buf.len() as u64 > hole {
            return Err(pe_sections::MemoryError::not_captured(a, buf.len()));
        }
        pe_sections::ReadMemory::read(&SliceMemory::new(base, &mapped), a, buf)
    });
    let pe = PeImage::parse_mapped(&mem, base).unwrap();
    let s = pe.section_by_name(".data").unwrap().clone();
    assert_eq!(
        pe.section_status(&s).unwrap(),
        pe_sections::SectionStatus::Partial {
            captured: 0x1000,
            total: 0x2000
        }
    );
    let runs = pe.section_runs(&s).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].rva, rva + 0x1000);
    assert!(pe.section_data(&s).unwrap_err().is_not_captured());
    assert!(
        pe.search_section(&Pattern::Ascii("first".into()), ".data")
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        pe.search_section(&Pattern::Ascii("second".into()), ".data")
            .unwrap(),
        vec![rva + 0x1010]
    );
}

#[test]
fn builder_rebuilds_a_real_image_that_reads_the_same() {
    // Cross-check of the builder against real data: rebuild CrashWithException.exe's code and
    // data sections and its .pdata with the builder; sections, .pdata and the code
    // references to every .rdata string must read the same as in the real file.
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/pe/x64-msvc-CrashWithException.exe");
    let Ok(real_bytes) = std::fs::read(&p) else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        return;
    };
    let real = PeImage::parse_file(&real_bytes).unwrap();
    let mut b = PeBuilder::x64();
    b.image_base(real.optional_header().image_base)
        .timestamp(real.timestamp());
    let kept: Vec<_> = real
        .sections()
        .iter()
        .filter(|s| [".text", ".rdata", ".data"].contains(&s.name().as_str()))
        .collect();
    for (i, s) in kept.iter().enumerate() {
        let next = kept.get(i + 1).map_or(0x6000, |n| n.virtual_address);
        let data = real.section_data(s).unwrap();
        let rva = b.add_section_sized(
            &s.name(),
            s.characteristics.bits(),
            data,
            next - s.virtual_address,
        );
        assert_eq!(rva, s.virtual_address);
    }
    let funcs = real.runtime_functions().unwrap();
    for f in &funcs {
        if let pe_sections::RuntimeFunction::X64 {
            begin,
            end,
            unwind_info,
        } = *f
        {
            b.runtime_function(begin, end, unwind_info);
        }
    }
    let rebuilt_bytes = b.build();
    let rebuilt = PeImage::parse_file(&rebuilt_bytes).unwrap();
    assert_eq!(
        rebuilt.section_by_name(".pdata").unwrap().virtual_address,
        0x6000
    );
    assert_eq!(rebuilt.runtime_functions().unwrap(), funcs);
    for f in funcs.iter().take(10) {
        let u = f.unwind_rva().unwrap();
        assert_eq!(
            rebuilt.unwind_info_bytes(u).unwrap(),
            real.unwind_info_bytes(u).unwrap()
        );
    }
    let rdata = real.section_by_name(".rdata").unwrap();
    let (start, end) = real.section_extent(rdata);
    let targets: Vec<u32> = (start..end).collect();
    assert_eq!(
        rebuilt.code_references_to(&targets).unwrap(),
        real.code_references_to(&targets).unwrap()
    );
    // The mapped form of the rebuilt image reads the same too.
    let mapped = b.build_mapped();
    let mem = SliceMemory::new(0x7ff6_0000_0000, &mapped);
    let m = PeImage::parse_mapped(&mem, 0x7ff6_0000_0000).unwrap();
    assert_eq!(
        m.code_references_to(&targets).unwrap(),
        real.code_references_to(&targets).unwrap()
    );
}

#[test]
fn overlapping_sections_are_read_without_panic_or_double_counting() {
    // Two executable sections mapped at the same RVA (hostile but loadable-looking).
    let mut b = PeBuilder::x64();
    let t = b.add_section(
        ".text",
        PeBuilder::CODE,
        vec![0xe8, 0xfb, 0xff, 0xff, 0xff, 0xc3],
    );
    b.add_section(".text2", PeBuilder::CODE, vec![0xc3; 8]);
    let mut img = b.build();
    // Point the second section header's VirtualAddress at the first section's RVA.
    let sec2 = 0x40 + 24 + 240 + 40;
    img[sec2 + 12..sec2 + 16].copy_from_slice(&t.to_le_bytes());
    let pe = PeImage::parse_file(&img).unwrap();
    assert_eq!(pe.sections()[1].virtual_address, t);
    assert_eq!(pe.section_containing(t).unwrap().name(), ".text");
    // The call at t (e8 fb ff ff ff) targets itself: found once per section sweep, and the
    // two sections decode the same RVA differently, but results stay a set.
    let refs = pe.code_references(t).unwrap();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0].kind, RefKind::Branch);
    let runs = pe.captured_runs(0, u64::from(pe.size_of_image())).unwrap();
    assert!(!runs.is_empty());
}
