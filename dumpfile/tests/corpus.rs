//! Tests on the real dumps of `../shared/corpus/` (skipped with a visible message when absent):
//! every user dump opens and agrees with what the `minidump` crate (rust-minidump 0.27) reads;
//! plus specific facts measured on particular dumps.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};

use dumpfile::{Arch, Error, Minidump};
use minidump::Module as _;

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: corpus folder {} not found",
            dir.display()
        );
        None
    }
}

fn user_dump(name: &str) -> Option<PathBuf> {
    let p = corpus_dir()?.join("user").join(name);
    if p.is_file() {
        Some(p)
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

fn all_user_dumps() -> Vec<PathBuf> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("user"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dmp"))
        .collect();
    v.sort();
    v
}

/// Compares everything both readers read, for every user dump of the corpus.
#[test]
fn every_user_dump_agrees_with_rust_minidump() {
    let dumps = all_user_dumps();
    if dumps.is_empty() {
        return;
    }
    assert!(dumps.len() >= 11, "expected the 11 corpus user dumps");
    for path in &dumps {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let ours = Minidump::open(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(ours.warnings().is_empty(), "{name}: {:?}", ours.warnings());
        // The same through owned bytes.
        let owned = Minidump::from_bytes(std::fs::read(path).unwrap()).unwrap();
        assert_eq!(owned.streams(), ours.streams(), "{name}");
        let theirs = minidump::Minidump::read_path(path).unwrap();

        // System info.
        let sys = ours.system_info().unwrap().expect("system info");
        let tsys: minidump::MinidumpSystemInfo = theirs.get_stream().unwrap();
        assert_eq!(
            sys.arch,
            Arch::from_raw(tsys.raw.processor_architecture),
            "{name}"
        );
        assert_eq!(sys.major, tsys.raw.major_version, "{name}");
        assert_eq!(sys.minor, tsys.raw.minor_version, "{name}");
        assert_eq!(sys.build, tsys.raw.build_number, "{name}");
        assert_eq!(sys.processors, tsys.raw.number_of_processors, "{name}");
        assert_eq!(
            sys.csd_version.as_deref(),
            tsys.csd_version().as_deref().filter(|s| !s.is_empty()),
            "{name}"
        );
        assert_eq!(ours.header().time_date_stamp, theirs.header.time_date_stamp);

        // Exception.
        let exc = ours.exception().unwrap();
        let texc = theirs.get_stream::<minidump::MinidumpException>().ok();
        assert_eq!(exc.is_some(), texc.is_some(), "{name}");
        if let (Some(e), Some(t)) = (&exc, &texc) {
            assert_eq!(e.thread_id, t.thread_id, "{name}");
            assert_eq!(e.code, t.raw.exception_record.exception_code, "{name}");
            assert_eq!(
                e.address, t.raw.exception_record.exception_address,
                "{name}"
            );
            assert_eq!(e.flags, t.raw.exception_record.exception_flags, "{name}");
            // The exception context decodes, and its instruction pointer is the faulting
            // address (the fail-fast 0xC000000D of invalid-parameter.dmp records address 0).
            let ctx = ours.exception_context().unwrap().unwrap();
            if e.address != 0 {
                assert_eq!(ctx.ip(), e.address, "{name}");
            }
        }

        // Threads: ids, TEBs, stack ranges; contexts decode with the right architecture.
        let threads = ours.threads().unwrap();
        let tthreads: minidump::MinidumpThreadList = theirs.get_stream().unwrap();
        assert_eq!(threads.len(), tthreads.threads.len(), "{name}");
        for (a, b) in threads.iter().zip(&tthreads.threads) {
            assert_eq!(a.id, b.raw.thread_id, "{name}");
            assert_eq!(a.teb, b.raw.teb, "{name}");
            assert_eq!(a.stack.base, b.raw.stack.start_of_memory_range, "{name}");
            assert_eq!(
                a.stack.size,
                u64::from(b.raw.stack.memory.data_size),
                "{name}"
            );
            let ctx = ours.thread_context(a).unwrap();
            match (sys.arch, ctx) {
                (Arch::X86, dumpfile::Context::X86(c)) => {
                    assert_eq!(c.context_flags & 0x10000, 0x10000, "{name}")
                }
                (Arch::X64, dumpfile::Context::X64(c)) => {
                    assert_eq!(c.context_flags & 0x100000, 0x100000, "{name}")
                }
                other => panic!("{name}: unexpected context {other:?}"),
            }
        }

        // Modules: bases, sizes, names, pdb ids.
        let modules = ours.modules().unwrap();
        let tmodules: minidump::MinidumpModuleList = theirs.get_stream().unwrap();
        let tmods: Vec<_> = tmodules.iter().collect();
        assert_eq!(modules.len(), tmods.len(), "{name}");
        for (a, b) in modules.iter().zip(&tmods) {
            assert_eq!(a.base, b.base_address(), "{name}");
            assert_eq!(a.size, b.size(), "{name}");
            assert_eq!(a.name, b.code_file(), "{name}");
            assert_eq!(a.time_date_stamp, b.raw.time_date_stamp, "{name}");
            assert_eq!(a.checksum, b.raw.checksum, "{name}");
            let their_id = b.debug_identifier().map(|id| id.breakpad().to_string());
            assert_eq!(a.pdb_id(), their_id, "{name}: {}", a.name);
            assert_eq!(
                a.codeview.as_ref().map(|c| c.pdb_name()),
                b.debug_file().as_deref(),
                "{name}"
            );
            let their_version = b.version().map(|v| v.into_owned());
            let our_version = a.version.map(|v| {
                let p = v.file_version_parts();
                format!("{}.{}.{}.{}", p[0], p[1], p[2], p[3])
            });
            assert_eq!(our_version, their_version, "{name}: {}", a.name);
        }

        // Memory ranges (ascending).
        let ranges: Vec<(u64, u64)> = ours.memory().ranges().map(|r| (r.base, r.size)).collect();
        let tmem = theirs.get_memory().unwrap_or_default();
        let tranges: Vec<(u64, u64)> = tmem
            .by_addr()
            .map(|m| (m.base_address(), m.size()))
            .collect();
        assert_eq!(ranges, tranges, "{name}");
        assert_eq!(
            ours.memory().total_bytes(),
            tranges.iter().map(|r| r.1).sum::<u64>()
        );
        // The bytes of each range agree.
        for m in tmem.by_addr() {
            let ours_bytes = ours
                .memory()
                .slice(m.base_address(), m.size() as usize)
                .unwrap();
            assert_eq!(ours_bytes, m.bytes(), "{name} at {:#x}", m.base_address());
        }

        // Thread info and handles where present.
        let tinfo = ours.thread_info().unwrap();
        let ttinfo = theirs.get_stream::<minidump::MinidumpThreadInfoList>().ok();
        assert_eq!(tinfo.is_some(), ttinfo.is_some(), "{name}");
        if let (Some(a), Some(b)) = (tinfo, ttinfo) {
            assert_eq!(a.len(), b.thread_infos.len());
            for (x, y) in a.iter().zip(&b.thread_infos) {
                assert_eq!(x.thread_id, y.raw.thread_id);
                assert_eq!(x.create_time, y.raw.create_time);
                assert_eq!(x.kernel_time, y.raw.kernel_time);
                assert_eq!(x.user_time, y.raw.user_time);
                assert_eq!(x.start_address, y.raw.start_address);
                assert_eq!(x.affinity, y.raw.affinity);
            }
        }
        let handles = ours.handles().unwrap();
        let thandles = theirs
            .get_stream::<minidump::MinidumpHandleDataStream>()
            .ok();
        assert_eq!(handles.is_some(), thandles.is_some(), "{name}");
        if let (Some(a), Some(b)) = (handles, thandles) {
            assert_eq!(a.handles.len(), b.handles.len());
            for (x, y) in a.handles.iter().zip(&b.handles) {
                assert_eq!(x.type_name, y.type_name.clone().filter(|s| !s.is_empty()));
                assert_eq!(
                    x.object_name,
                    y.object_name.clone().filter(|s| !s.is_empty())
                );
                assert_eq!(x.object_info.len(), y.object_infos.len());
            }
        }
        let unloaded = ours.unloaded_modules().unwrap();
        let tunloaded = theirs
            .get_stream::<minidump::MinidumpUnloadedModuleList>()
            .ok();
        assert_eq!(unloaded.is_some(), tunloaded.is_some(), "{name}");
        if let (Some(a), Some(b)) = (unloaded, tunloaded) {
            let b: Vec<_> = b.iter().collect();
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x.base, y.base_address());
                assert_eq!(x.name, y.code_file());
            }
        }
        let misc = ours.misc_info().unwrap();
        let tmisc = theirs.get_stream::<minidump::MinidumpMiscInfo>().ok();
        assert_eq!(misc.is_some(), tmisc.is_some(), "{name}");
        if let (Some(a), Some(b)) = (misc, tmisc) {
            assert_eq!(a.process_id, b.raw.process_id().copied(), "{name}");
            assert_eq!(
                a.process_create_time,
                b.raw.process_create_time().copied(),
                "{name}"
            );
        }

        // Thread names.
        let names = ours.thread_names().unwrap();
        let tnames = theirs.get_stream::<minidump::MinidumpThreadNames>().ok();
        assert_eq!(names.is_some(), tnames.is_some(), "{name}");
        if let (Some(a), Some(b)) = (names, tnames) {
            assert!(!a.is_empty());
            for n in &a {
                assert_eq!(Some(n.name.as_str()), b.get_name(n.thread_id).as_deref());
            }
        }
        // Each thread's stack, read through the VA view, is the bytes its descriptor points at
        // (full-memory dumps leave the descriptor's RVA at 0: the bytes are in Memory64List).
        for t in &threads {
            if t.stack.size > 0 && t.stack_location.rva != 0 {
                let via_view = ours.memory().slice(t.stack.base, t.stack.size as usize);
                assert_eq!(
                    via_view.unwrap(),
                    ours.location_bytes(t.stack_location).unwrap(),
                    "{name} thread {:#x}",
                    t.id
                );
            }
        }

        // Every typed accessor parses the real data without error.
        ours.thread_ex_list().unwrap();
        ours.handle_operations().unwrap();
        ours.thread_names().unwrap();
        ours.memory_info().unwrap();
        ours.token().unwrap();
        ours.function_table().unwrap();
        ours.system_memory_info().unwrap();
        ours.process_vm_counters().unwrap();
        let p = ours.process().unwrap();
        assert_eq!(p.threads.len(), threads.len());
    }
}

#[test]
fn kernel_dump_is_refused() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let path = dir.join("kernel/win10-19041-x64-triage.dmp");
    let err = Minidump::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::KernelDump {
                signature: "PAGEDU64"
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("kernel dump"));
    let err = Minidump::from_bytes(std::fs::read(&path).unwrap()).unwrap_err();
    assert_eq!(err.name(), "kernel_dump");
}

#[test]
fn wow64_context_recovered_in_hello_full() {
    let Some(path) = user_dump("win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let t = &d.threads().unwrap()[0];
    // The native context sits in 64-bit ntdll (0x77720000, size 0x1aa000).
    let native = d.thread_context(t).unwrap();
    assert!((0x7772_0000..0x778c_a000).contains(&native.ip()));
    let c = d.wow64_context(t).unwrap();
    assert_eq!(c.context_flags & 0x10000, 0x10000);
    // EIP in the 32-bit ntdll mapped at 0x77900000 (SizeOfImage from its PE header).
    let ntdll32 = d
        .image_at(0x7790_0000)
        .expect("32-bit ntdll headers captured");
    assert_eq!(ntdll32.machine, 0x14c);
    let eip = u64::from(c.eip);
    assert!(
        (0x7790_0000..0x7790_0000 + u64::from(ntdll32.size_of_image)).contains(&eip),
        "eip {eip:#x}"
    );
    // ESP inside the 32-bit stack described by TEB32.NtTib (StackLimit..StackBase).
    let p = d.process().unwrap();
    let (base, limit) = p.threads[0].stack32_base_limit.unwrap();
    assert_eq!((base, limit), (0x29_0000, 0x28_f000));
    assert!(
        (limit..base).contains(&u64::from(c.esp)),
        "esp {:#x}",
        c.esp
    );
    // dbghelp described the thread's stack as the 32-bit one, starting exactly at ESP.
    assert_eq!((t.stack.base, t.stack.size), (u64::from(c.esp), 16));
    assert_eq!(t.stack_location.rva, 0); // full-memory dump: the bytes are in Memory64List
    // And the instruction bytes at EIP are captured.
    assert!(d.memory().slice(eip, 16).is_ok());
}

#[test]
fn wow64_context_not_recoverable_in_win7_x64_notepad() {
    let Some(path) = user_dump("win7-x64-notepad.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let t = &d.threads().unwrap()[0];
    let err = d.wow64_context(t).unwrap_err();
    match err {
        Error::Wow64ContextNotRecoverable { thread_id, address } => {
            assert_eq!(thread_id, 0x28cc);
            // TlsSlots[1] = 0x1cfd20: the CPU area, absent from the dump.
            assert!(
                (0x1c_fd20..0x1c_fd20 + 0x2d0).contains(&address),
                "{address:#x}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(d.wow64_context(t).unwrap_err().is_not_captured());
    // A native process: not WOW64.
    if let Some(p) = user_dump("win10-16299-x64-sigsegv.dmp") {
        let d = Minidump::open(p).unwrap();
        let t = &d.threads().unwrap()[0];
        assert!(matches!(d.wow64_context(t), Err(Error::NotWow64 { .. })));
    }
}

#[test]
fn process_facts_of_hello_full() {
    let Some(path) = user_dump("win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let p = d.process().unwrap();
    assert!(p.is_wow64);
    assert_eq!(p.peb, Some(0x7efd_f000));
    assert_eq!(p.peb32, Some(0x7efd_e000));
    assert_eq!(p.threads[0].teb, 0x7efd_b000);
    assert_eq!(p.threads[0].teb32, Some(0x7efd_d000));
    // All three routes to the TEB32 agree on Windows 7: TEB64 + 0x2000, TEB64.NtTib.ExceptionList,
    // and TEB32.NtTib.Self; WowTebOffset (TEB64+0x180c, Windows 10) is 0 here.
    assert_eq!(d.memory().read_u64(0x7efd_b000).unwrap(), 0x7efd_d000);
    assert_eq!(d.memory().read_u32(0x7efd_d018).unwrap(), 0x7efd_d000);
    assert_eq!(d.memory().read_u32(0x7efd_b000 + 0x180c).unwrap(), 0);
    assert_eq!(d.find_teb32(0x7efd_b000), Some(0x7efd_d000));
    assert_eq!(p.image_base, Some(0x40_0000));
    assert_eq!(p.image_base32, Some(0x40_0000));
    assert_eq!(p.process_heap, Some(0x2d_0000));
    assert_eq!(p.number_of_heaps, Some(1));
    assert_eq!(p.process_heaps, vec![0x2d_0000]);
    // The 32-bit heap does not exist yet.
    assert_eq!(p.process_heap32, Some(0));
    assert_eq!(p.number_of_heaps32, Some(0));
    assert!(p.process_heaps32.is_empty());
    assert_eq!(
        p.command_line.as_deref(),
        Some(r"C:\Users\Developer\Desktop\hello.exe")
    );
    let names: Vec<_> = p
        .loader_modules
        .iter()
        .map(|m| (m.base, m.base_name.clone().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            (0x40_0000, "hello.exe".to_string()),
            (0x7772_0000, "ntdll.dll".to_string()),
            (0x74fd_0000, "wow64.dll".to_string()),
            (0x74f7_0000, "wow64win.dll".to_string()),
            (0x74f6_0000, "wow64cpu.dll".to_string()),
        ]
    );
    // The loader list agrees with the ModuleList on every module.
    for (l, m) in p.loader_modules.iter().zip(d.modules().unwrap()) {
        assert_eq!((l.base, u64::from(l.size)), (m.base, m.size));
        assert!(
            l.full_name
                .as_deref()
                .unwrap()
                .eq_ignore_ascii_case(&m.name)
        );
    }
    // The process stopped at the loader breakpoint before the 32-bit loader ran: PEB32.Ldr is
    // NULL, so the 32-bit ntdll is in no list. It is found from its headers in memory.
    assert!(p.loader_modules32.is_empty());
    assert!(p.warnings.iter().any(|w| w.contains("PEB32: Ldr is NULL")));
    let ntdll32: Vec<_> = p
        .unlisted_images
        .iter()
        .filter(|i| i.base == 0x7790_0000)
        .collect();
    assert_eq!(ntdll32.len(), 1, "{:?}", p.unlisted_images);
    assert_eq!(ntdll32[0].machine, 0x14c);
    assert_eq!(ntdll32[0].export_name.as_deref(), Some("ntdll.dll"));
}

#[test]
fn process_facts_of_x86_dumps() {
    let Some(path) = user_dump("win7-x86-jusched-handles.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let p = d.process().unwrap();
    assert!(!p.is_wow64);
    assert_eq!(p.peb, Some(0x7efd_e000));
    assert_eq!(p.number_of_heaps, Some(5));
    assert_eq!(p.process_heaps.len(), 5);
    assert_eq!(p.process_heaps[0], p.process_heap.unwrap());
    assert_eq!(p.image_base, Some(d.modules().unwrap()[0].base));
    if let Some(path) = user_dump("win7-x86-notepad-heaphdr.dmp") {
        // Dumped from the 32-bit side of a WOW64 process: an x86 dump whose PEB is the PEB32.
        let d = Minidump::open(path).unwrap();
        let p = d.process().unwrap();
        assert_eq!(p.peb, Some(0x7efd_e000));
        assert_eq!(p.process_heap, Some(0x8b_0000));
        assert_eq!(p.number_of_heaps, Some(1));
        // The heap header page is captured: its SegmentSignature (0xffeeffee at +8 on x86).
        assert_eq!(d.memory().read_u32(0x8b_0008).unwrap(), 0xffee_ffee);
    }
    if let Some(path) = user_dump("win7-x86-chrome-uaf.dmp") {
        let d = Minidump::open(path).unwrap();
        let p = d.process().unwrap();
        assert_eq!(p.number_of_heaps, Some(15));
        // The heap array page is not captured: reported, not failed.
        assert!(p.process_heaps.is_empty());
        assert!(p.warnings.iter().any(|w| w.contains("ProcessHeaps")));
        assert_eq!(
            p.command_line.as_deref(),
            Some("chrome.exe --user-data-dir=temp")
        );
    }
}

#[test]
fn handle_data_of_jusched() {
    let Some(path) = user_dump("win7-x86-jusched-handles.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let h = d.handles().unwrap().expect("HandleData stream");
    assert_eq!(h.descriptor_size, 40);
    assert_eq!(h.handles.len(), 149);
    let first = &h.handles[0];
    assert_eq!(first.handle, 4);
    assert_eq!(first.type_name.as_deref(), Some("Key"));
    assert!(
        first
            .object_name
            .as_deref()
            .unwrap()
            .ends_with("Image File Execution Options")
    );
    assert!(h.handles.iter().all(|x| x.type_name.is_some()));
    // Non-zero handle values are distinct multiples of 4 (the writer also left 28 entries with
    // handle 0 and granted access 0, duplicates of neighbouring objects: real data, kept as is).
    let mut values: Vec<_> = h
        .handles
        .iter()
        .map(|x| x.handle)
        .filter(|&v| v != 0)
        .collect();
    let n = values.len();
    values.sort_unstable();
    values.dedup();
    assert_eq!(values.len(), n);
    assert!(values.iter().all(|v| v % 4 == 0));
    assert_eq!(n, 149 - h.handles.iter().filter(|x| x.handle == 0).count());
    // Mutants carry an object-information chain (v2 descriptors).
    let mutant = h.handles.iter().find(|x| x.handle == 0x30).unwrap();
    assert_eq!(mutant.type_name.as_deref(), Some("Mutant"));
    assert_eq!(mutant.object_info.len(), 2);
    let types: std::collections::BTreeSet<_> = h
        .handles
        .iter()
        .filter_map(|x| x.type_name.as_deref())
        .collect();
    for t in ["Key", "Directory", "Event", "File", "Thread"] {
        assert!(types.contains(t), "{t} missing from {types:?}");
    }
}

#[test]
fn thread_info_of_fizzbuzz() {
    let Some(path) = user_dump("win7-x86-fizzbuzz-threadinfo.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let ti = d.thread_info().unwrap().expect("ThreadInfoList");
    assert_eq!(ti.len(), 1);
    let t = ti[0];
    assert_eq!(t.thread_id, 0x2320);
    assert_eq!(d.threads().unwrap()[0].id, t.thread_id);
    assert_eq!(t.exit_time, 0);
    // Created before the dump was written (FILETIME vs time_t).
    let dump_filetime = (u64::from(d.header().time_date_stamp) + 11_644_473_600) * 10_000_000;
    assert!(t.create_time < dump_filetime && t.create_time > dump_filetime - 36_000_000_000);
    // The start address lies in a module.
    assert!(d.module_at(t.start_address).unwrap().is_some());
    let m = d.misc_info().unwrap().unwrap();
    assert_eq!(m.process_id, Some(4440));
    assert_eq!(m.version, 3);
    assert_eq!(
        m.time_zone.map(|z| z.standard_name).as_deref(),
        Some("Pacific Standard Time")
    );
}

#[test]
fn lookups_in_the_7934_range_dump() {
    let Some(path) = user_dump("win10-18363-x64-unity-7934ranges.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let mem = d.memory();
    assert_eq!(mem.len(), 7934);
    let ranges: Vec<_> = mem.ranges().collect();
    assert!(ranges.windows(2).all(|w| w[0].end() <= w[1].base));
    for (i, r) in ranges.iter().enumerate() {
        let (got, bytes) = mem.region_at(r.base).unwrap();
        assert_eq!(got, *r);
        assert_eq!(bytes.len() as u64, r.size);
        let (got, _) = mem.region_at(r.end() - 1).unwrap();
        assert_eq!(got, *r);
        // Just past the end: the next range if adjacent, else not captured.
        let next = ranges.get(i + 1).filter(|n| n.base == r.end());
        match (mem.region_at(r.end()), next) {
            (Some((g, _)), Some(n)) => assert_eq!(g, *n),
            (None, None) => {
                let e = mem.read_u32(r.end()).unwrap_err();
                assert!(matches!(e, Error::NotCaptured { address, .. } if address == r.end()));
            }
            other => panic!("range {i}: {other:?}"),
        }
        // Before the start: the previous range if adjacent, else nothing.
        if r.base > 0 {
            let prev_adjacent = i > 0 && ranges[i - 1].end() == r.base;
            assert_eq!(mem.region_at(r.base - 1).is_some(), prev_adjacent);
        }
        // A read straddling the end is NotCaptured (gap) or succeeds (adjacent).
        let mut buf = [0u8; 2];
        let res = mem.read(r.end() - 1, &mut buf);
        assert_eq!(res.is_ok(), next.is_some());
    }
    // The stack of every thread is readable through the view.
    for t in d.threads().unwrap() {
        let s = mem.slice(t.stack.base, t.stack.size as usize).unwrap();
        assert_eq!(s, d.location_bytes(t.stack_location).unwrap());
    }
    // Overflowing arithmetic is its own error.
    assert!(matches!(
        mem.slice(u64::MAX - 1, 4),
        Err(Error::AddressOverflow { .. })
    ));
}

#[test]
fn misc_streams_of_hello_full() {
    let Some(path) = user_dump("win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    assert_eq!(d.header().flags, 0x40002);
    assert!(d.raw_stream(dumpfile::stream_type::MEMORY64_LIST).is_some());
    let m = d.misc_info().unwrap().unwrap();
    assert_eq!(m.version, 5);
    assert_eq!(m.process_id, Some(3728));
    assert!(
        m.build_string
            .as_deref()
            .unwrap()
            .starts_with("6.1.7601.18015")
    );
    let smi = d.system_memory_info().unwrap().unwrap();
    assert_eq!(smi.page_size, 0x1000);
    assert_eq!(smi.allocation_granularity, 0x10000);
    assert_eq!(u32::from(smi.number_of_processors as u8), 2);
    let vm = d.process_vm_counters().unwrap().unwrap();
    assert_eq!(vm.revision, 2);
    assert!(vm.working_set_size >= vm.private_usage / 2);
    let tok = d.token().unwrap().unwrap();
    assert_eq!(tok.len(), 1);
    // Sizes from the stream header: 0x308 = 16 (list header) + 16 (entry header) + data.
    assert_eq!(tok[0].data.len(), 0x308 - 32);
    let sys = d.system_info().unwrap().unwrap();
    assert_eq!(sys.csd_version.as_deref(), Some("Service Pack 1"));
    let ntdll = &d.modules().unwrap()[1];
    assert_eq!(
        ntdll.pdb_id().as_deref(),
        Some("6B9E5E8038E2420E8E7C62EA60DDB0692")
    );
    assert_eq!(
        ntdll.codeview.as_ref().unwrap().guid_string().as_deref(),
        Some("6B9E5E80-38E2-420E-8E7C-62EA60DDB069")
    );
    assert_eq!(
        ntdll.version.unwrap().file_version_parts(),
        [6, 1, 7601, 23543]
    );
}

#[test]
fn function_table_of_unity_dump() {
    let Some(path) = user_dump("win10-18363-x64-unity-7934ranges.dmp") else {
        return;
    };
    let d = Minidump::open(path).unwrap();
    let ft = d.function_table().unwrap().unwrap();
    assert_eq!(ft.len(), 46);
    for f in &ft {
        assert!(f.minimum_address <= f.maximum_address);
        assert_eq!(
            f.entries.len(),
            f.entry_count as usize * f.entry_size as usize
        );
        // x64 RUNTIME_FUNCTION entries are 12 bytes: BeginAddress < EndAddress.
        assert_eq!(f.entry_size, 12);
        for e in f.entries.chunks_exact(12) {
            let begin = u32::from_le_bytes(e[0..4].try_into().unwrap());
            let end = u32::from_le_bytes(e[4..8].try_into().unwrap());
            assert!(begin < end);
        }
    }
    let names = d.thread_names().unwrap().unwrap();
    assert!(names.iter().any(|n| n.name == "Job.Worker 0"));
}
