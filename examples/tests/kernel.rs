//! `dumpscope` on kernel dumps: `info` and the WinDbg commands on the real 19041 triage dump.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

#[test]
fn info_of_the_real_triage_dump() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    let j = common::dumpscope_json(&["info", "--json", d]);
    assert_eq!(j["kind"], "kernel");
    assert_eq!(j["dump_type"], "triage");
    assert_eq!(j["system"]["arch"], "x64");
    assert_eq!(j["system"]["build"], 19041);
    assert_eq!(j["system"]["processors"], 16);
    assert_eq!(j["bugcheck"]["code"], 0x1000_007E_u64);
    let params: Vec<u64> = j["bugcheck"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(
        params,
        [
            0xffff_ffff_c000_0005,
            0xffff_f804_8b58_334c,
            0xffff_8504_2989_1ee8,
            0xffff_8504_2989_1720
        ]
    );
    let modules = j["modules"].as_array().unwrap();
    assert_eq!(modules.len(), 151);
    assert_eq!(modules[0]["name"], "ntoskrnl.exe");
    assert_eq!(modules[0]["base"], 0xffff_f804_7ba0_0000_u64);
    assert_eq!(modules[0]["size"], 0x104_6000);
    assert!(modules[0]["timestamp"].is_u64() && modules[0]["checksum"].is_u64());
    assert_eq!(j["unloaded_modules"].as_array().unwrap().len(), 4);
}

#[test]
fn windbg_commands_read_the_triage_call_stack_by_address() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    // Parameter 3 of the 0x1000007E bugcheck is the exception record, inside the saved stack:
    // its first qword is the exception code and its fourth the exception address (parameter 2).
    let out = common::dumpscope(&[d, "-c", "dq ffff8504`29891ee8 L4", "-c", "!heap -s"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("0: kd> dq ffff8504`29891ee8 L4\n"),
        "{text}"
    );
    assert!(
        text.contains("ffff8504`29891ee8  00000000`c0000005 00000000`00000000\n"),
        "{text}"
    );
    assert!(
        text.contains("ffff8504`29891ef8  fffff804`8b58334c"),
        "{text}"
    );
    assert!(
        text.contains("!heap: takes a user-mode minidump; this is a kernel dump"),
        "{text}"
    );
    assert!(!out.status.success());
}

#[test]
fn kernel_commands_on_a_user_dump_say_so() {
    let Some(dump) = common::corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    let out = common::dumpscope(&[d, "-c", ".bugcheck", "-c", "!pte 0"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(".bugcheck: takes a kernel dump; this is a user-mode minidump"),
        "{text}"
    );
    assert!(text.contains("!pte: takes a kernel dump"), "{text}");
}

#[test]
fn user_info_says_user() {
    let Some(dump) = common::corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let j = common::dumpscope_json(&["info", "--json", dump.to_str().unwrap()]);
    assert_eq!(j["kind"], "user");
    assert_eq!(j["system"]["arch"], "x64");
}

#[test]
fn analyze_of_the_real_triage_dump() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    let j = common::dumpscope_json(&["analyze", "--json", d]);
    assert_eq!(j["bugcheck_code"], 0x1000_007E_u64);
    assert_eq!(j["bugcheck_name"], "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M");
    assert_eq!(j["bugcheck_params"].as_array().unwrap().len(), 4);
    assert_eq!(j["exception_code"], 0xC000_0005_u64);
    assert_eq!(j["exception_name"], "STATUS_ACCESS_VIOLATION");
    // The exception address fffff804`8b58334c lies in amdppm.sys of the triage driver list.
    assert_eq!(j["module_name"], "amdppm");
    assert_eq!(j["image_name"], "amdppm.sys");
    assert_eq!(j["symbol_name"], "amdppm+334c");
    assert_eq!(j["failure_bucket_id"], "AV_amdppm!unknown_function");
    // ImageFileName of the triage EPROCESS (offset 0x5a8 on 19041 x64).
    assert_eq!(j["process_name"], "System");
    assert_eq!(j["osplatform_type"], "x64");
    // Walked from the .cxr context record (Arg4) through the saved call stack: frame 0 is the
    // exception address, and the walk goes on into Wdf01000 and nt.
    let stack = j["stack_text"].as_array().unwrap();
    assert_eq!(stack[0]["call_site"], "amdppm+0x334c");
    assert_eq!(stack[0]["child_sp"], 0xffff_8504_2989_2120_u64);
    assert!(stack.len() > 10, "{stack:?}");
    assert!(
        stack
            .iter()
            .any(|f| f["call_site"].as_str().unwrap().starts_with("nt+"))
    );
    let text = String::from_utf8(common::dumpscope(&["analyze", d]).stdout).unwrap();
    assert!(
        text.contains("SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)\n"),
        "{text}"
    );
    assert!(text.contains("Arg2: fffff8048b58334c, Address where the exception was raised"));
    assert!(text.contains("EXCEPTION_CODE_STR:  c0000005 (STATUS_ACCESS_VIOLATION)"));
    assert!(text.contains("WRITE_ADDRESS:  ffffffff`ffffffff"));
}

#[test]
fn analyze_of_sigsegv_with_its_pdb_names_the_crashing_function() {
    let Some(dump) = common::corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let symbols = dump.parent().unwrap().to_str().unwrap().to_string();
    let d = dump.to_str().unwrap();
    let j = common::dumpscope_json(&["analyze", "--json", "--symbols", &symbols, d]);
    assert_eq!(j["kind"], "user");
    assert_eq!(j["exception_code"], 0xC000_0005_u64);
    assert_eq!(j["exception_name"], "STATUS_ACCESS_VIOLATION");
    assert_eq!(j["symbol_name"], "sigsegv!crash+0x29");
    assert_eq!(j["module_name"], "sigsegv");
    assert_eq!(j["process_name"], "sigsegv.exe");
    assert_eq!(
        j["failure_bucket_id"],
        "NULL_POINTER_WRITE_c0000005_sigsegv!crash"
    );
    assert_eq!(j["stack_text"][0]["call_site"], "sigsegv!crash+0x29");
    assert_eq!(j["stack_text"][1]["call_site"], "sigsegv!foo+0x71");
}

#[test]
fn analyze_reports_every_corpus_user_dump() {
    let Some(readme) = common::corpus_file("README.md") else {
        return;
    };
    let dir = readme.parent().unwrap().join("user");
    let mut with = 0;
    let mut without = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("dmp") {
            continue;
        }
        let j = common::dumpscope_json(&["analyze", "--json", p.to_str().unwrap()]);
        let text =
            String::from_utf8(common::dumpscope(&["analyze", p.to_str().unwrap()]).stdout).unwrap();
        if j["exception_code"].is_null() {
            without += 1;
            assert!(text.starts_with("The dump holds no exception"), "{text}");
        } else {
            with += 1;
            assert!(j["exception_name"].is_string(), "{}", p.display());
            assert!(j["failure_bucket_id"].is_string(), "{}", p.display());
            assert!(
                !j["stack_text"].as_array().unwrap().is_empty(),
                "{}",
                p.display()
            );
            assert!(text.contains("ExceptionCode: "), "{text}");
        }
    }
    assert!(with >= 10 && without >= 1, "{with} with, {without} without");
}

#[test]
fn analyze_of_the_synthetic_d1_names_myfault_and_notmyfault() {
    use dumpfile::synth::kernel::KernelArch;
    let dir = std::env::temp_dir().join("dumpscope-d1");
    std::fs::create_dir_all(&dir).unwrap();
    for (arch, process, ptr) in [
        (KernelArch::X64, "NotMyfault64.exe", "x64"),
        (KernelArch::X86Pae, "NotMyfault.exe", "x86"),
    ] {
        let s = examples::demo::bugcheck_d1(arch).unwrap();
        assert_eq!(s.process, process);
        let path = dir.join(format!("d1-{ptr}.dmp"));
        std::fs::write(&path, &s.bytes).unwrap();
        let p = path.to_str().unwrap();
        let j = common::dumpscope_json(&["analyze", "--json", p]);
        assert_eq!(j["bugcheck_code"], 0xD1);
        assert_eq!(j["bugcheck_name"], "DRIVER_IRQL_NOT_LESS_OR_EQUAL");
        assert_eq!(j["module_name"], "myfault", "{arch:?}");
        assert_eq!(j["image_name"], "myfault.sys");
        assert_eq!(j["process_name"], process, "{arch:?} {j}");
        assert_eq!(j["faulting_ip"], s.faulting_ip);
        assert_eq!(
            s.faulting_ip,
            s.myfault_base + examples::demo::FAULT_RVA,
            "{arch:?}"
        );
        // The driver's exports name the faulting function.
        assert_eq!(j["symbol_name"], "myfault!MyfaultDeviceControl+46");
        assert_eq!(j["failure_bucket_id"], "AV_R_myfault!MyfaultDeviceControl");
        assert_eq!(j["osplatform_type"], ptr);
        // IMAGE_VERSION from the driver's version resource in the dump.
        let [a, b, c, d] = s.myfault_version;
        assert_eq!(j["image_version"], format!("{a}.{b}.{c}.{d}"), "{arch:?}");
        // The trap frame the walk went through, and the stack walked from the saved context at
        // KeBugCheckEx through the trap frame into myfault and out to the system call, frame
        // by frame as the scenario laid it out.
        assert_eq!(j["trap_frame"], s.trap_frame, "{arch:?}");
        let stack = j["stack_text"].as_array().unwrap();
        assert_eq!(stack.len(), s.frames.len(), "{arch:?} {stack:?}");
        for (i, (got, (sp, _, site))) in stack.iter().zip(&s.frames).enumerate() {
            assert_eq!(got["child_sp"], *sp, "{arch:?} frame {i}");
            assert_eq!(got["call_site"], site.as_str(), "{arch:?} frame {i}");
            let ret = s.frames.get(i + 1).map(|f| f.1);
            assert_eq!(got["return_address"].as_u64(), ret, "{arch:?} frame {i}");
        }
        assert!(
            stack[0]["call_site"]
                .as_str()
                .unwrap()
                .starts_with("nt!KeBugCheckEx")
        );
        assert_eq!(stack[0]["trust"], "context");
        // Frames after the bugcheck's own come from unwind data (x64) or the EBP chain and
        // trap frames (x86), never from a stack scan.
        assert!(
            stack.iter().all(|f| f["trust"] != "scan"),
            "{arch:?} {stack:?}"
        );
        let out = common::dumpscope(&[p, "-c", "!analyze -v", "-c", "lm"]);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)\n"),
            "{text}"
        );
        assert!(text.contains("READ_ADDRESS:  "), "{text}");
        assert!(text.contains("CURRENT_IRQL:  2\n"), "{text}");
        assert!(text.contains("MODULE_NAME: myfault\n"), "{text}");
        assert!(text.contains("TRAP_FRAME:  "), "{text}");
        assert!(
            text.contains(&format!("PROCESS_NAME:  {process}\n")),
            "{text}"
        );
        assert!(text.contains("   myfault    (deferred)"), "{text}");
        // The driver's image is in the dump: its first bytes are the MZ header.
        let db = common::dumpscope(&[p, "-c", &format!("db {:x} L2", s.myfault_base)]);
        assert!(
            String::from_utf8(db.stdout).unwrap().contains("4d 5a"),
            "{arch:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `analyze --images DIR` on the 0xD1 dumps built without the `ntoskrnl.exe` and `myfault.sys`
/// pages: unwind data, exports and the version resource come from the image files, and the
/// report equals the one of the dump that holds the images; without `--images` the same dump
/// gives no export names and no IMAGE_VERSION.
#[test]
fn analyze_reads_images_the_kernel_dump_lacks_from_images_dirs() {
    use dumpfile::synth::kernel::KernelArch;
    let dir = std::env::temp_dir().join("dumpscope-d1-images");
    for (arch, name) in [(KernelArch::X64, "x64"), (KernelArch::X86Pae, "x86")] {
        let full = examples::demo::BugcheckD1::build(arch, true).unwrap();
        let bare = examples::demo::BugcheckD1::build(arch, false).unwrap();
        assert!(bare.bytes.len() < full.bytes.len(), "{arch:?}");
        let images = dir.join(format!("images-{name}"));
        std::fs::create_dir_all(&images).unwrap();
        for (file, bytes) in &bare.images {
            std::fs::write(images.join(file), bytes).unwrap();
        }
        let (pf, pb) = (
            dir.join(format!("{name}-full.dmp")),
            dir.join(format!("{name}.dmp")),
        );
        std::fs::write(&pf, &full.bytes).unwrap();
        std::fs::write(&pb, &bare.bytes).unwrap();
        let want = common::dumpscope_json(&["analyze", "--json", pf.to_str().unwrap()]);
        let got = common::dumpscope_json(&[
            "analyze",
            "--json",
            "--images",
            images.to_str().unwrap(),
            pb.to_str().unwrap(),
        ]);
        assert_eq!(got, want, "{arch:?}");
        let sites: Vec<&str> = got["stack_text"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["call_site"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = bare.frames.iter().map(|f| f.2.as_str()).collect();
        assert_eq!(sites, expected, "{arch:?}");
        assert!(got["image_version"].is_string(), "{arch:?}");
        // Without the files: module+offset names, no version.
        let without = common::dumpscope_json(&["analyze", "--json", pb.to_str().unwrap()]);
        assert_eq!(
            without["image_version"],
            serde_json::Value::Null,
            "{arch:?}"
        );
        assert_eq!(without["symbol_name"], "myfault+1346", "{arch:?}");
        assert_eq!(
            without["failure_bucket_id"],
            "AV_R_myfault!unknown_function"
        );
        assert_eq!(without["module_name"], "myfault");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `analyze --symbols DIR` on a kernel dump: a driver whose CodeView record names a PDB (here
/// the corpus's x86 `crash.pdb`, by its GUID and age, stored in DIR under another name) gets
/// its function names from the PDB: SYMBOL_NAME and the bucket name the procedure holding the
/// faulting address.
#[test]
fn analyze_names_kernel_frames_from_pdbs_in_symbols_dirs() {
    use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
    use pe_sections::synth::PeBuilder;
    let (Some(exe), Some(pdb)) = (
        common::corpus_file("pe/x86-msvc-crash.exe"),
        common::corpus_file("pe/x86-msvc-crash.pdb"),
    ) else {
        return;
    };
    let exe = std::fs::read(exe).unwrap();
    let cv = pe_sections::PeImage::parse_file(&exe)
        .unwrap()
        .codeview()
        .unwrap()
        .unwrap();
    let pe_sections::CodeViewKind::Pdb70 { guid } = cv.kind else {
        panic!("{cv:?}");
    };
    let data = stackwalk::PdbData::read(std::fs::File::open(&pdb).unwrap()).unwrap();
    let f = data
        .symbols
        .symbols()
        .iter()
        .find(|s| s.kind == stackwalk::SymbolKind::Procedure && s.size.is_some_and(|n| n > 8))
        .unwrap()
        .clone();
    // A driver image large enough to hold the procedure's RVA, with crash.pdb's identity.
    let base = 0x9a6c_0000_u64;
    let mut pe = PeBuilder::x86();
    pe.image_base(base).dll_name("crash.sys");
    pe.add_section_sized(".text", PeBuilder::CODE, vec![0xcc; 0x200], f.rva + 0x1000);
    pe.codeview(guid, cv.age, "crash.pdb");
    let image = pe.build_mapped();
    let ip = base + u64::from(f.rva) + 2;
    let mut b = KernelDumpBuilder::new(KernelArch::X86Pae, KernelDumpType::Triage);
    b.build_number(7601);
    b.bugcheck(0xD1, [0x9c81_3238, 2, 0, ip]);
    b.driver(SynthDriver::new("ntoskrnl.exe", 0x8284_6000, 0x40_0000));
    b.driver(SynthDriver::new(
        "crash.sys",
        base,
        u32::try_from(image.len()).unwrap(),
    ));
    b.map(base, &image);
    let dir = std::env::temp_dir().join("dumpscope-kernel-symbols");
    let syms = dir.join("syms");
    std::fs::create_dir_all(&syms).unwrap();
    std::fs::copy(&pdb, syms.join("renamed.pdb")).unwrap();
    let dump = dir.join("crash-d1.dmp");
    std::fs::write(&dump, b.write().unwrap()).unwrap();
    let d = dump.to_str().unwrap();
    let with =
        common::dumpscope_json(&["analyze", "--json", "--symbols", syms.to_str().unwrap(), d]);
    assert_eq!(with["module_name"], "crash");
    assert_eq!(with["symbol_name"], format!("crash!{}+2", f.name), "{with}");
    assert_eq!(with["failure_bucket_id"], format!("AV_R_crash!{}", f.name));
    let without = common::dumpscope_json(&["analyze", "--json", d]);
    assert_eq!(without["symbol_name"], format!("crash+{:x}", f.rva + 2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn current_process_through_the_prcb_is_the_triage_eprocess() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let k = examples::target::KernelTarget::open(&dump).unwrap();
    let triage = k
        .dump
        .triage()
        .and_then(|t| t.range(dumpfile::TriageRangeKind::Process))
        .map(|r| r.base);
    let through_prcb = examples::kernel::analyze::current_process(&k);
    assert!(triage.is_some());
    assert_eq!(through_prcb, triage);
}

#[test]
fn cxr_prints_the_context_record_registers() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let out = common::dumpscope(&[dump.to_str().unwrap(), "-c", ".cxr ffff8504`29891720"]);
    let text = String::from_utf8(out.stdout).unwrap();
    // The 0x1000007E context record (Arg4): its rip is the exception address (Arg2).
    assert!(text.contains("rip=fffff8048b58334c"), "{text}");
    assert!(text.contains("rsp=ffff850429892120"), "{text}");
    assert!(
        text.contains("ffff8504`29892120 fffff804`8b5a2e2c amdppm+0x334c"),
        "{text}"
    );
}
