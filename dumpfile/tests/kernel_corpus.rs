//! The real Windows 10 19041 x64 triage dump, and every corpus file through `Dump::open`.
//! Skips with a visible SKIP message when `../shared/corpus` is absent.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use dumpfile::{
    Arch, Context, Dump, DumpKind, Error, KernelDump, PagingMode, TriageRangeKind, triage_fields,
};

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

fn triage() -> Option<KernelDump> {
    let p = corpus_dir()?.join("kernel/win10-19041-x64-triage.dmp");
    if !p.is_file() {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        return None;
    }
    Some(KernelDump::open(&p).expect("the real triage dump opens"))
}

#[test]
fn triage_header_facts() {
    let Some(d) = triage() else { return };
    let h = d.header();
    assert_eq!(d.kind(), DumpKind::Triage);
    assert_eq!(d.kind().name(), "triage");
    assert_eq!(d.arch(), Arch::X64);
    assert!(h.is_64bit);
    assert_eq!((h.major_version, h.minor_version), (0xF, 19041));
    assert_eq!(d.build(), 19041);
    assert_eq!(h.number_processors, 16);
    assert_eq!(h.dump_type, 4);
    assert_eq!(h.directory_table_base, 0x1ad000);
    assert_eq!(h.ps_loaded_module_list, 0xfffff8047c62a390);
    assert_eq!(h.ps_active_process_head, 0xfffff8047c61e200);
    assert_eq!(h.kd_debugger_data_block, 0xfffff8047c600b20);
    assert_eq!(h.pfn_database, 0xfffff8047c6fc500);
    let b = d.bugcheck();
    assert_eq!(b.code, 0x1000007E);
    assert_eq!(
        b.parameters,
        [
            0xffffffffc0000005,
            0xfffff8048b58334c,
            0xffff850429891ee8,
            0xffff850429891720
        ]
    );
    assert_eq!(h.mini_dump_fields, Some(0xcff));
    assert_eq!(h.product_type, Some(1));
    assert_eq!(h.suite_mask, Some(0x110));
    assert_eq!(h.system_up_time, Some(0x23bc1e9));
    assert_eq!(h.system_time, Some(0x01d707f23dbb3399));
    assert_eq!(h.required_dump_space, Some(0x197915));
    assert_eq!(h.comment, None);
    assert_eq!(d.paging_mode(), PagingMode::None);
    assert_eq!(d.present_pages(), 0);
    // The exception record of the header.
    let e = d.exception().expect("exception record");
    assert_eq!(e.code, 0x80000003);
}

#[test]
fn triage_body_and_ranges() {
    let Some(d) = triage() else { return };
    let t = d.triage().expect("a triage body");
    let th = t.header();
    assert_eq!(th.context_offset, 0x348);
    assert_eq!(th.exception_offset, 0xf00);
    assert_eq!(th.mm_offset, 0x2080);
    assert_eq!(th.driver_count, 151);
    assert_eq!(th.size_of_dump, 0x13a28c);
    assert_eq!(th.top_of_stack, 0xffff850429890ee8);
    assert_eq!(th.size_of_call_stack, 0x2118);
    assert_eq!(th.data_blocks_count, 0x727);
    assert_eq!(th.debugger_data_size, 0x380);
    assert!(t.has(triage_fields::STACK) && t.has(triage_fields::DATA_BLOCKS));
    assert!(!t.has(triage_fields::DATAPAGE));
    // The call stack is readable by virtual address, and the crash RSP lies in it.
    let stack = t.range(TriageRangeKind::Stack).expect("stack range");
    assert_eq!((stack.base, stack.size), (0xffff850429890ee8, 0x2118));
    let ctx = d.context().expect("context");
    let Context::X64(c) = ctx else {
        panic!("x64 context expected")
    };
    assert_eq!(c.rip, 0xfffff8048b58334c);
    assert_eq!(c.rsp, 0xffff850429892120);
    let mem = d.memory();
    let mut from_va = vec![0u8; 0x2118];
    mem.read(0xffff850429890ee8, &mut from_va)
        .expect("stack by VA");
    assert_eq!(&from_va[..], &d.as_bytes()[0xe390..0xe390 + 0x2118]);
    assert_eq!(
        mem.read_u64(c.rsp).expect("qword at RSP"),
        u64::from_le_bytes(
            d.as_bytes()[0xe390 + 0x1238..0xe390 + 0x1240]
                .try_into()
                .unwrap()
        )
    );
    // One past the stack is not captured, and says so.
    let e = mem.read_u8(0xffff850429893000).unwrap_err();
    assert!(e.is_not_captured(), "{e:?}");
    // EPROCESS and ETHREAD copies are readable at their addresses.
    let th_r = t.range(TriageRangeKind::Thread).expect("thread range");
    assert_eq!(th_r.base, 0xffffc08bde9e1640);
    assert_eq!(th_r.file_offset, 0xdaf8);
    assert_eq!(th_r.size, 0x898);
    let pr = t.range(TriageRangeKind::Process).expect("process range");
    assert_eq!(pr.base, 0xffffc08bdce94180);
    assert_eq!(pr.size, 0xa40);
    // KTHREAD.ApcState.Process (0xb8) of the thread copy, read by VA, is the process.
    assert_eq!(
        mem.read_u64(0xffffc08bde9e1640 + 0xb8).unwrap(),
        0xffffc08bdce94180
    );
    // EPROCESS.ImageFileName (0x5a8 on 19041) is readable text.
    let mut name = [0u8; 15];
    mem.read(0xffffc08bdce94180 + 0x5a8, &mut name).unwrap();
    assert!(
        name.iter()
            .take_while(|&&b| b != 0)
            .all(|b| b.is_ascii_graphic() || *b == b' ')
    );
    let prcb = t.range(TriageRangeKind::Prcb).expect("prcb range");
    assert_eq!(prcb.size, 0xaf00);
    assert_eq!(mem.read_u64(prcb.base + 8).unwrap(), 0xffffc08bde9e1640);
    // Ranges are sorted and disjoint.
    for w in t.ranges().windows(2) {
        assert!(w[0].base + w[0].size <= w[1].base);
    }
}

#[test]
fn triage_kdbg() {
    let Some(d) = triage() else { return };
    let k = d.kdbg().expect("KDBG copy");
    assert_eq!(k.address, 0xfffff8047c600b20);
    assert!(!k.was_encoded);
    assert_eq!(k.size(), 0x380);
    assert_eq!(k.kern_base(), Some(0xfffff8047ba00000));
    assert_eq!(k.ps_loaded_module_list(), Some(0xfffff8047c62a390));
    assert_eq!(k.ki_processor_block(), Some(0xfffff8047c6fdc80));
    assert_eq!(k.pte_base(), Some(0xfffffd8000000000));
    assert_eq!(k.size_eprocess(), Some(0xa40));
    assert_eq!(k.size_ethread(), Some(0x898));
    assert_eq!(k.size_prcb(), Some(0xaf00));
    assert_eq!(k.offset_kthread_apc_process(), Some(0xb8));
    assert_eq!(k.offset_kthread_state(), Some(0x184));
    assert_eq!(k.offset_prcb_current_thread(), Some(8));
    assert_eq!(k.offset_prcb_number(), Some(0x24));
    assert_eq!(k.offset_prcb_proc_state_context(), Some(0x1f0));
    assert!(k.fields().count() > 150);
}

#[test]
fn triage_drivers() {
    let Some(d) = triage() else { return };
    let drivers = d.drivers().expect("driver list");
    assert_eq!(drivers.len(), 151);
    let nt = &drivers[0];
    assert_eq!(nt.name, "ntoskrnl.exe");
    assert_eq!(
        nt.path.as_deref(),
        Some("\\SystemRoot\\system32\\ntoskrnl.exe")
    );
    assert_eq!(nt.base, 0xfffff8047ba00000);
    assert_eq!(nt.size, 0x1046000);
    assert_eq!(nt.checksum, Some(0xa5938c));
    assert_eq!(nt.timestamp, Some(0x0d8333e6));
    assert_eq!(drivers[1].name, "hal.dll");
    assert_eq!(drivers[150].name, "rdpbus.sys");
    assert!(drivers.iter().all(|m| !m.name.is_empty() && m.size > 0));
    let unloaded = d.unloaded_drivers().expect("unloaded list");
    let names: Vec<&str> = unloaded.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        ["dam.sys", "WdBoot.sys", "hwpolicy.sys", "mcupdate.dll"]
    );
    assert_eq!(unloaded[0].start, 0xfffff80487de0000);
    assert_eq!(unloaded[0].end, 0xfffff80487dfc000);
}

#[test]
fn triage_processors() {
    let Some(d) = triage() else { return };
    let p = d.processors().expect("processors via KDBG");
    assert_eq!(p.len(), 16);
    // Processor 0's KPRCB is the triage copy. Its ProcessorState.ContextFrame is readable but
    // empty in this dump (the crashing CPU's context is the header's, see `context()`).
    let prcb = d
        .triage()
        .unwrap()
        .range(TriageRangeKind::Prcb)
        .unwrap()
        .base;
    assert_eq!(*p[0].prcb.as_ref().unwrap(), prcb);
    let c0 = p[0].context.as_ref().expect("CPU 0 context");
    assert_eq!((c0.flags(), c0.sp(), c0.ip()), (0, 0, 0));
    // KiProcessorBlock (16 pointers) is one of the triage data blocks: every KPRCB address is
    // known, distinct and a kernel address.
    let mut prcbs: Vec<u64> = p.iter().map(|s| *s.prcb.as_ref().unwrap()).collect();
    assert!(prcbs.iter().all(|&a| a >= 0xffff_8000_0000_0000));
    prcbs.dedup();
    assert_eq!(prcbs.len(), 16);
}

#[test]
fn every_corpus_file_opens_or_is_refused_clearly() {
    let Some(dir) = corpus_dir() else { return };
    let mut n = 0;
    let mut refused = 0;
    for sub in ["user", "kernel"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().and_then(|x| x.to_str()) != Some("dmp") {
                continue;
            }
            n += 1;
            match Dump::open(&p) {
                Ok(Dump::User(_)) => assert_eq!(sub, "user", "{}", p.display()),
                Ok(Dump::Kernel(k)) => {
                    assert_eq!(sub, "kernel", "{}", p.display());
                    assert!(k.drivers().is_ok());
                }
                // Every file of today's corpus is a readable dump; a future file may be refused,
                // but only with one of these typed errors.
                Err(e @ (Error::UnsupportedDumpType { .. } | Error::BadSignature { .. })) => {
                    let _ = writeln!(std::io::stderr(), "refused {}: {e}", p.display());
                    refused += 1;
                }
                Err(e) => panic!("{}: unexpected error {e:?}", p.display()),
            }
        }
    }
    assert!(n >= 12, "only {n} corpus dumps found");
    assert_eq!(refused, 0, "every corpus dump of today opens");
}
