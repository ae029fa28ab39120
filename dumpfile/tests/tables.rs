//! The bug check and NTSTATUS tables: order, completeness, spot checks against Microsoft's
//! published "Bug check code reference" and the SDK status names, and the argument decoders.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::Path;

use dumpfile::{
    AccessKind, ArgKind, access_violation, bugcheck_heading, bugcheck_info, bugcheck_table,
    fast_fail_name, in_page_error, ntstatus_info, ntstatus_name, ntstatus_table, status_from_u64,
    verifier_rule_name,
};

#[test]
fn bugcheck_table_is_strictly_sorted() {
    let t = bugcheck_table();
    for w in t.windows(2) {
        let [a, b] = w else { unreachable!() };
        assert!(a.code < b.code, "{:#x} before {:#x}", a.code, b.code);
    }
}

#[test]
fn subcode_tables_are_strictly_sorted() {
    let mut tables = 0;
    for info in bugcheck_table() {
        if info.subcodes.is_empty() {
            continue;
        }
        tables += 1;
        assert_eq!(
            info.params[0].kind,
            ArgKind::Subcode,
            "{:#x} Arg1",
            info.code
        );
        for w in info.subcodes.windows(2) {
            let [a, b] = w else { unreachable!() };
            assert!(
                a.value < b.value,
                "{:#x}: {:#x} before {:#x}",
                info.code,
                a.value,
                b.value
            );
        }
    }
    // 0x19, 0x1A, 0x4E, 0x7F, 0x9F, 0xA0, 0xC2, 0xC4, 0xC9, 0xCA, 0xF5, 0xFE, 0x10D, 0x124,
    // 0x133, 0x139, 0x13A, 0x144 and the _M variant of 0x7F.
    assert_eq!(tables, 19);
}

#[test]
fn ntstatus_table_is_strictly_sorted() {
    let t = ntstatus_table();
    for w in t.windows(2) {
        let [a, b] = w else { unreachable!() };
        assert!(a.code < b.code, "{:#x} before {:#x}", a.code, b.code);
    }
}

#[test]
fn every_bugcheck_entry_is_well_formed() {
    let t = bugcheck_table();
    // Every code of the published reference and its live-dump pages (425, of which four _M
    // variants), and 80 codes only named in the SDK header.
    assert_eq!(t.len(), 505);
    assert_eq!(t.iter().filter(|i| i.in_reference).count(), 425);
    for info in t.iter().filter(|i| !i.in_reference) {
        assert!(info.description.contains("SDK header"), "{:#x}", info.code);
        // Only the SDK's variants of documented codes borrow documented argument meanings.
        let variant = matches!(info.code, 0x4000_00AD | 0x1000_0050 | 0x1000_00D6);
        assert_eq!(info.params_known, variant, "{:#x}", info.code);
    }
    for info in t {
        assert!(
            !info.name.is_empty()
                && info
                    .name
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_'),
            "{:#x} name {:?}",
            info.code,
            info.name
        );
        assert!(
            info.description.ends_with('.'),
            "{:#x} description",
            info.code
        );
        assert!(
            info.description.len() > 20,
            "{:#x} description too short",
            info.code
        );
        for (i, p) in info.params.iter().enumerate() {
            assert!(!p.meaning.is_empty(), "{:#x} Arg{}", info.code, i + 1);
        }
        if !info.params_known {
            for (i, p) in info.params.iter().enumerate() {
                assert_eq!(
                    p.meaning,
                    format!("Parameter {}", i + 1),
                    "{:#x}",
                    info.code
                );
            }
        }
        for s in info.subcodes {
            assert!(
                s.description.ends_with('.'),
                "{:#x}/{:#x}",
                info.code,
                s.value
            );
        }
    }
    let known = t.iter().filter(|i| i.params_known).count();
    assert!(known >= 300, "only {known} codes with argument meanings");
}

#[test]
fn names_match_the_published_reference() {
    // (code, name) as printed in Microsoft's "Bug check code reference" table.
    let expected: &[(u32, &str)] = &[
        (0x1, "APC_INDEX_MISMATCH"),
        (0xA, "IRQL_NOT_LESS_OR_EQUAL"),
        (0x19, "BAD_POOL_HEADER"),
        (0x1A, "MEMORY_MANAGEMENT"),
        (0x1E, "KMODE_EXCEPTION_NOT_HANDLED"),
        (0x24, "NTFS_FILE_SYSTEM"),
        (0x3B, "SYSTEM_SERVICE_EXCEPTION"),
        (0x3F, "NO_MORE_SYSTEM_PTES"),
        (0x44, "MULTIPLE_IRP_COMPLETE_REQUESTS"),
        (0x4E, "PFN_LIST_CORRUPT"),
        (0x50, "PAGE_FAULT_IN_NONPAGED_AREA"),
        (0x7A, "KERNEL_DATA_INPAGE_ERROR"),
        (0x7B, "INACCESSIBLE_BOOT_DEVICE"),
        (0x7E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"),
        (0x7F, "UNEXPECTED_KERNEL_MODE_TRAP"),
        (0x8E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED"),
        (0x9F, "DRIVER_POWER_STATE_FAILURE"),
        (0xBE, "ATTEMPTED_WRITE_TO_READONLY_MEMORY"),
        (0xC2, "BAD_POOL_CALLER"),
        (0xC4, "DRIVER_VERIFIER_DETECTED_VIOLATION"),
        (0xC5, "DRIVER_CORRUPTED_EXPOOL"),
        (0xD1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL"),
        (0xD5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL"),
        (0xD6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION"),
        (0xDF, "IMPERSONATING_WORKER_THREAD"),
        (0xE2, "MANUALLY_INITIATED_CRASH"),
        (0xEA, "THREAD_STUCK_IN_DEVICE_DRIVER"),
        (0xEF, "CRITICAL_PROCESS_DIED"),
        (0xF4, "CRITICAL_OBJECT_TERMINATION"),
        (0xFC, "ATTEMPTED_EXECUTE_OF_NOEXECUTE_MEMORY"),
        (0x101, "CLOCK_WATCHDOG_TIMEOUT"),
        (0x109, "CRITICAL_STRUCTURE_CORRUPTION"),
        (0x116, "VIDEO_TDR_FAILURE"),
        (0x119, "VIDEO_SCHEDULER_INTERNAL_ERROR"),
        (0x124, "WHEA_UNCORRECTABLE_ERROR"),
        (0x133, "DPC_WATCHDOG_VIOLATION"),
        (0x139, "KERNEL_SECURITY_CHECK_FAILURE"),
        (0x13A, "KERNEL_MODE_HEAP_CORRUPTION"),
        (0x144, "BUGCODE_USB3_DRIVER"),
        (0x154, "UNEXPECTED_STORE_EXCEPTION"),
        (0x15F, "CONNECTED_STANDBY_WATCHDOG_TIMEOUT_LIVEDUMP"),
        (0x1C8, "MANUALLY_INITIATED_POWER_BUTTON_HOLD"),
        (0x1D0, "ACPI_FIRMWARE_WATCHDOG_TIMEOUT"),
        (0x1F2, "KASAN_ILLEGAL_ACCESS"),
        (0xBFE, "BC_BLUETOOTH_VERIFIER_FAULT"),
        (0x20001, "HYPERVISOR_ERROR"),
        (0x1000_007E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M"),
        (0x1000_008E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED_M"),
        (0x1000_00EA, "THREAD_STUCK_IN_DEVICE_DRIVER_M"),
        (0x4000_008A, "THREAD_TERMINATE_HELD_MUTEX"),
        (0xC000_0218, "STATUS_CANNOT_LOAD_REGISTRY_FILE"),
        (0xC000_021A, "WINLOGON_FATAL_ERROR"),
        (0xDEAD_DEAD, "MANUALLY_INITIATED_CRASH1"),
    ];
    for &(code, name) in expected {
        let info = bugcheck_info(code).unwrap_or_else(|| panic!("{code:#x} missing"));
        assert_eq!(info.code, code);
        assert_eq!(info.name, name, "{code:#x}");
    }
}

#[test]
fn sdk_only_codes_and_aliases() {
    // Named in bugcodes.h (two independent transcriptions of the Windows SDK metadata agree),
    // not in the public reference.
    for (code, name) in [
        (0x86, "AUDIT_FAILURE"),
        (0xC3, "SYSTEM_IMAGE_BAD_SIGNATURE"),
        (0x1E8, "INVALID_THREAD_AFFINITY_STATE"),
        (0x202, "UNEXPECTED_CODEPATH"),
        (0x4000_00AD, "VIDEO_DRIVER_DEBUG_REPORT_REQUEST"),
    ] {
        let info = bugcheck_info(code).unwrap_or_else(|| panic!("{code:#x}"));
        assert_eq!(info.name, name);
        assert!(!info.in_reference);
    }
    // Where the SDK header and the reference disagree, the reference name wins and the
    // description mentions the other.
    let b = bugcheck_info(0x6E).expect("0x6E");
    assert_eq!(b.name, "SESSION2_INITIALIZATION_FAILED");
    assert!(b.in_reference);
    assert!(b.description.contains("BOOTPROC_INITIALIZATION_FAILED"));
}

#[test]
fn m_variant_shares_the_base_meaning() {
    let m = bugcheck_info(0x1000_007E).expect("0x1000007E");
    let base = bugcheck_info(0x7E).expect("0x7E");
    assert_eq!(m.base_code(), 0x7E);
    assert_eq!(base.base_code(), 0x7E);
    assert_eq!(m.params, base.params);
    assert!(m.description.starts_with(base.description));
    assert_eq!(
        m.heading(),
        "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)"
    );
    assert_eq!(m.params[0].kind, ArgKind::NtStatus);
    assert_eq!(m.params[1].kind, ArgKind::CodeAddress);
    assert_eq!(m.params[2].kind, ArgKind::ExceptionRecord);
    assert_eq!(m.params[3].kind, ArgKind::ContextRecord);
    for info in bugcheck_table().iter().filter(|i| i.name.ends_with("_M")) {
        let base = bugcheck_info(info.base_code()).expect("base of an _M variant");
        assert_eq!(format!("{}_M", base.name), info.name);
        assert_eq!(info.params, base.params);
        assert_eq!(info.subcodes, base.subcodes);
    }
    // 0xDEADDEAD and 0xC000021A are not _M variants.
    assert_eq!(
        bugcheck_info(0xDEAD_DEAD).map(|i| i.base_code()),
        Some(0xDEAD_DEAD)
    );
    assert_eq!(
        bugcheck_info(0xC000_021A).map(|i| i.base_code()),
        Some(0xC000_021A)
    );
}

#[test]
fn heading_form() {
    assert_eq!(bugcheck_heading(0xD1), "DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)");
    assert_eq!(bugcheck_heading(0x19), "BAD_POOL_HEADER (19)");
    assert_eq!(bugcheck_heading(0x1A), "MEMORY_MANAGEMENT (1a)");
    assert_eq!(
        bugcheck_heading(0xDEAD_DEAD),
        "MANUALLY_INITIATED_CRASH1 (deaddead)"
    );
    assert_eq!(bugcheck_heading(0x7777), "UNKNOWN_BUGCHECK (7777)");
}

#[test]
fn unknown_codes_are_none() {
    for code in [0, 0x87, 0x7777, 0x1000_0001, 0xFFFF_FFFF] {
        assert!(bugcheck_info(code).is_none(), "{code:#x}");
    }
    for code in [0x1234_5678, 0xC000_0003, 0xFFFF_FFFF] {
        assert!(ntstatus_info(code).is_none(), "{code:#x}");
        assert!(ntstatus_name(code).is_none(), "{code:#x}");
    }
    assert_eq!(verifier_rule_name(0x7), None);
}

#[test]
fn argument_kinds_of_the_common_codes() {
    let d1 = bugcheck_info(0xD1).expect("0xD1");
    let kinds: Vec<_> = d1.params.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            ArgKind::Address,
            ArgKind::Irql,
            ArgKind::AccessType,
            ArgKind::CodeAddress
        ]
    );
    let a = bugcheck_info(0xA).expect("0xA");
    assert_eq!(a.params[3].kind, ArgKind::CodeAddress);
    let e = bugcheck_info(0x3B).expect("0x3B");
    assert_eq!(e.params[0].kind, ArgKind::NtStatus);
    assert_eq!(e.params[2].kind, ArgKind::ContextRecord);
    let k = bugcheck_info(0x8E).expect("0x8E");
    assert_eq!(k.params[2].kind, ArgKind::TrapFrame);
    let m = bugcheck_info(0xE2).expect("0xE2");
    assert!(m.params_known);
    assert!(m.params.iter().all(|p| p.kind == ArgKind::Reserved));
    // A rarely seen code keeps the generic wording and says so.
    let r = bugcheck_info(0x2).expect("0x2");
    assert!(!r.params_known);
    assert_eq!(r.params[0].meaning, "Parameter 1");
}

#[test]
fn subcodes_resolve_arguments() {
    let bph = bugcheck_info(0x19).expect("0x19");
    let s = bph.subcode(0x20).expect("0x19 subtype 0x20");
    assert!(s.description.contains("size"));
    let p = bph.params_for(0x20);
    assert_eq!(p[0].kind, ArgKind::Subcode);
    assert_eq!(p[1].kind, ArgKind::Pointer);
    assert_eq!(p[2].kind, ArgKind::Pointer);
    // Several values documented together each resolve.
    for v in [0xD, 0xE, 0xF, 0x23, 0x24, 0x25] {
        assert!(bph.subcode(v).is_some(), "0x19 subtype {v:#x}");
    }
    // An undocumented subtype falls back to the generic meanings.
    assert!(bph.subcode(0x4444).is_none());
    assert_eq!(bph.params_for(0x4444), bph.params);

    let dv = bugcheck_info(0xC4).expect("0xC4");
    let leak = dv.params_for(0x62);
    assert_eq!(leak[3].kind, ArgKind::Count);
    assert_eq!(dv.params_for(0x0)[1].kind, ArgKind::Irql);
    assert!(
        dv.subcode(0x1001)
            .expect("deadlock")
            .description
            .contains("hierarchy")
    );

    let mm = bugcheck_info(0x1A).expect("0x1A");
    assert!(mm.subcode(0x41792).is_some());
    assert!(mm.subcode(0x3F).is_some());

    let ksc = bugcheck_info(0x139).expect("0x139");
    assert!(
        ksc.subcode(3)
            .expect("LIST_ENTRY")
            .description
            .contains("LIST_ENTRY")
    );
    assert_eq!(ksc.params_for(3)[1].kind, ArgKind::TrapFrame);

    let wdf = bugcheck_info(0x10D).expect("0x10D");
    assert_eq!(wdf.params_for(0xE)[1].kind, ArgKind::Irql);
    let usb3 = bugcheck_info(0x144).expect("0x144");
    assert!(usb3.subcode(0x101F).is_some());

    // Arg1 of 0x139 is a fast-fail code; every documented subtype has an SDK name.
    for s in ksc.subcodes {
        assert!(
            fast_fail_name(s.value).is_some(),
            "fast fail {:#x}",
            s.value
        );
    }
    assert_eq!(
        fast_fail_name(2),
        Some("FAST_FAIL_STACK_COOKIE_CHECK_FAILURE")
    );

    let trap = bugcheck_info(0x7F).expect("0x7F");
    assert!(
        trap.subcode(8)
            .expect("double fault")
            .description
            .contains("Double fault")
    );
    let trap_m = bugcheck_info(0x1000_007F).expect("0x1000007F");
    assert_eq!(trap_m.subcode(8), trap.subcode(8));
}

#[test]
fn verifier_rule_names() {
    assert_eq!(verifier_rule_name(0x0002_0005), Some("IrqlExApcLte1"));
    assert_eq!(verifier_rule_name(0x0002_0002), Some("IrqlApcLte"));
    assert_eq!(verifier_rule_name(0x0004_0009), Some("SpinLock"));
    assert_eq!(verifier_rule_name(0x0009_1001), Some("NdisOidComplete"));
}

#[test]
fn live_dump_codes_are_marked() {
    for code in [0xAB, 0x117, 0x141, 0x161, 0x15F, 0x1C4, 0x21C8] {
        assert!(
            bugcheck_info(code).expect("live dump code").is_live_dump(),
            "{code:#x}"
        );
    }
    for code in [0xD1, 0x9F, 0x1C8, 0xE2] {
        assert!(
            !bugcheck_info(code).expect("code").is_live_dump(),
            "{code:#x}"
        );
    }
}

#[test]
fn bugcheck_access_decoding() {
    let d1 = bugcheck_info(0xD1).expect("0xD1");
    let addr = 0xFFFF_F802_1234_5678;
    assert_eq!(d1.access(&[addr, 2, 0, 0]), Some((AccessKind::Read, addr)));
    assert_eq!(d1.access(&[addr, 2, 1, 0]), Some((AccessKind::Write, addr)));
    assert_eq!(
        d1.access(&[addr, 2, 8, 0]),
        Some((AccessKind::Execute, addr))
    );
    assert_eq!(
        d1.access(&[addr, 2, 2, 0]),
        Some((AccessKind::Execute, addr))
    );
    assert_eq!(d1.access(&[addr, 2, 5, 0]), None);

    let a = bugcheck_info(0xA).expect("0xA");
    assert_eq!(a.access(&[0x10, 2, 1, 0]), Some((AccessKind::Write, 0x10)));

    let pf = bugcheck_info(0x50).expect("0x50");
    assert_eq!(pf.access(&[addr, 0, 0, 2]), Some((AccessKind::Read, addr)));
    assert_eq!(pf.access(&[addr, 2, 0, 2]), Some((AccessKind::Write, addr)));
    assert_eq!(
        pf.access(&[addr, 0x10, 0, 2]),
        Some((AccessKind::Execute, addr))
    );
    assert_eq!(pf.access(&[addr, 0x7, 0, 2]), None);
    let pf_m = bugcheck_info(0x1000_0050).expect("0x10000050");
    assert_eq!(
        pf_m.access(&[addr, 2, 0, 2]),
        Some((AccessKind::Write, addr))
    );

    let ro = bugcheck_info(0xBE).expect("0xBE");
    assert_eq!(ro.access(&[addr, 0, 0, 0]), Some((AccessKind::Write, addr)));
    let nx = bugcheck_info(0xFC).expect("0xFC");
    assert_eq!(
        nx.access(&[addr, 0, 0, 0]),
        Some((AccessKind::Execute, addr))
    );
    let freed = bugcheck_info(0xD5).expect("0xD5");
    assert_eq!(
        freed.access(&[addr, 1, 0, 0]),
        Some((AccessKind::Write, addr))
    );

    // 0x1E decodes only when the exception is an access violation.
    let kmode = bugcheck_info(0x1E).expect("0x1E");
    assert_eq!(
        kmode.access(&[0xC000_0005, 0x1000, 1, 0x28]),
        Some((AccessKind::Write, 0x28))
    );
    assert_eq!(kmode.access(&[0x8000_0003, 0x1000, 0, 0]), None);
    // 64-bit kernels store the status sign-extended.
    assert_eq!(
        kmode.access(&[0xffff_ffff_c000_0005, 0x1000, 0, 0x28]),
        Some((AccessKind::Read, 0x28))
    );

    // KASAN: bit 8 of Arg4 marks a write.
    let kasan = bugcheck_info(0x1F2).expect("0x1F2");
    assert_eq!(
        kasan.access(&[addr, 8, 0, 0x1F1]),
        Some((AccessKind::Write, addr))
    );
    assert_eq!(
        kasan.access(&[addr, 8, 0, 0xF1]),
        Some((AccessKind::Read, addr))
    );

    // Codes without an access argument.
    assert_eq!(
        bugcheck_info(0x9F).expect("0x9F").access(&[3, 1, 2, 3]),
        None
    );
    assert_eq!(
        bugcheck_info(0xEF).expect("0xEF").access(&[1, 0, 0, 0]),
        None
    );
}

#[test]
fn ntstatus_names() {
    let expected: &[(u32, &str)] = &[
        (0x8000_0001, "STATUS_GUARD_PAGE_VIOLATION"),
        (0x8000_0002, "STATUS_DATATYPE_MISALIGNMENT"),
        (0x8000_0003, "STATUS_BREAKPOINT"),
        (0x8000_0004, "STATUS_SINGLE_STEP"),
        (0xC000_0005, "STATUS_ACCESS_VIOLATION"),
        (0xC000_0006, "STATUS_IN_PAGE_ERROR"),
        (0xC000_0008, "STATUS_INVALID_HANDLE"),
        (0xC000_000D, "STATUS_INVALID_PARAMETER"),
        (0xC000_0017, "STATUS_NO_MEMORY"),
        (0xC000_001D, "STATUS_ILLEGAL_INSTRUCTION"),
        (0xC000_0025, "STATUS_NONCONTINUABLE_EXCEPTION"),
        (0xC000_0026, "STATUS_INVALID_DISPOSITION"),
        (0xC000_008C, "STATUS_ARRAY_BOUNDS_EXCEEDED"),
        (0xC000_008D, "STATUS_FLOAT_DENORMAL_OPERAND"),
        (0xC000_0094, "STATUS_INTEGER_DIVIDE_BY_ZERO"),
        (0xC000_0096, "STATUS_PRIVILEGED_INSTRUCTION"),
        (0xC000_009A, "STATUS_INSUFFICIENT_RESOURCES"),
        (0xC000_009C, "STATUS_DEVICE_DATA_ERROR"),
        (0xC000_009D, "STATUS_DEVICE_NOT_CONNECTED"),
        (0xC000_00FD, "STATUS_STACK_OVERFLOW"),
        (0xC000_0102, "STATUS_FILE_CORRUPT_ERROR"),
        (0xC000_0135, "STATUS_DLL_NOT_FOUND"),
        (0xC000_0139, "STATUS_ENTRYPOINT_NOT_FOUND"),
        (0xC000_0142, "STATUS_DLL_INIT_FAILED"),
        (0xC000_016A, "STATUS_DISK_OPERATION_FAILED"),
        (0xC000_0185, "STATUS_IO_DEVICE_ERROR"),
        (0xC000_0194, "STATUS_POSSIBLE_DEADLOCK"),
        (0xC000_0374, "STATUS_HEAP_CORRUPTION"),
        (0xC000_0409, "STATUS_STACK_BUFFER_OVERRUN"),
        (0xC000_0417, "STATUS_INVALID_CRUNTIME_PARAMETER"),
        (0xC000_041D, "STATUS_FATAL_USER_CALLBACK_EXCEPTION"),
        (0xC000_0420, "STATUS_ASSERTION_FAILURE"),
        (0xC000_0602, "STATUS_FAIL_FAST_EXCEPTION"),
        (0x4001_0005, "DBG_CONTROL_C"),
        (0x4000_001F, "STATUS_WX86_BREAKPOINT"),
    ];
    for &(code, name) in expected {
        assert_eq!(ntstatus_name(code), Some(name), "{code:#x}");
        let info = ntstatus_info(code).expect("info");
        assert_eq!(info.code, code);
        assert!(info.description.ends_with('.'), "{code:#x}");
    }
    // The float/integer exception range 0xC000008D..=0xC0000096 is complete.
    for code in 0xC000_008Du32..=0xC000_0096 {
        assert!(ntstatus_name(code).is_some(), "{code:#x}");
    }
    // Common non-NTSTATUS exception codes have labels.
    assert_eq!(ntstatus_name(0xE06D_7363), Some("CPP_EH_EXCEPTION"));
    assert_eq!(ntstatus_name(0x406D_1388), Some("MS_VC_EXCEPTION"));
    // Everything else carries an SDK-style prefix.
    for s in ntstatus_table() {
        let labelled = matches!(s.code, 0xE06D_7363 | 0xE043_4352 | 0x406D_1388);
        assert!(
            labelled || s.name.starts_with("STATUS_") || s.name.starts_with("DBG_"),
            "{:#x} {}",
            s.code,
            s.name
        );
        // Our own wording: no debugger message templates.
        assert!(!s.description.contains("%"), "{:#x}", s.code);
    }
}

#[test]
fn access_violation_decoding() {
    assert_eq!(
        access_violation(&[0, 0xDEAD]),
        Some((AccessKind::Read, 0xDEAD))
    );
    assert_eq!(
        access_violation(&[1, 0x10]),
        Some((AccessKind::Write, 0x10))
    );
    assert_eq!(
        access_violation(&[8, 0x7FF6_0000_1000]),
        Some((AccessKind::Execute, 0x7FF6_0000_1000))
    );
    // Unknown kind, too few parameters.
    assert_eq!(access_violation(&[2, 0x10]), None);
    assert_eq!(access_violation(&[1]), None);
    assert_eq!(access_violation(&[]), None);
    // Extra parameters are ignored.
    assert_eq!(
        access_violation(&[1, 0x20, 0xC000_0185]),
        Some((AccessKind::Write, 0x20))
    );
    assert_eq!(AccessKind::Execute.verb(), "execute");

    assert_eq!(
        in_page_error(&[0, 0x1000, 0xC000_0185]),
        Some((AccessKind::Read, 0x1000, 0xC000_0185))
    );
    assert_eq!(in_page_error(&[0, 0x1000]), None);
    assert_eq!(
        in_page_error(&[1, 0x1000, 0xffff_ffff_c000_009c]),
        Some((AccessKind::Write, 0x1000, 0xC000_009C))
    );
    assert_eq!(status_from_u64(0x8000_0003), Some(0x8000_0003));
    assert_eq!(status_from_u64(0xffff_ffff_4000_0000), None);
    assert_eq!(status_from_u64(0xffff_0000_c000_0005), None);
    assert_eq!(in_page_error(&[0, 0x1000, 0x1_0000_0000]), None);
}

fn u32_at(d: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(d[off..off + 4].try_into().unwrap())
}

fn u64_at(d: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(d[off..off + 8].try_into().unwrap())
}

/// The real Windows 10 x64 triage dump of the corpus stopped with 0x1000007E. Its header
/// (`DUMP_HEADER64`: BugCheckCode at 0x38, BugCheckParameter1..4 at 0x40) and the exception
/// record stored in the triage data must read consistently through the tables.
#[test]
fn real_triage_dump_bugcheck() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/kernel/win10-19041-x64-triage.dmp");
    let Ok(d) = std::fs::read(&path) else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", path.display());
        return;
    };
    assert_eq!(&d[..8], b"PAGEDU64");
    let code = u32_at(&d, 0x38);
    let args = [
        u64_at(&d, 0x40),
        u64_at(&d, 0x48),
        u64_at(&d, 0x50),
        u64_at(&d, 0x58),
    ];
    let info = bugcheck_info(code).expect("the dump's bug check code is known");
    assert_eq!(
        info.heading(),
        "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)"
    );
    assert_eq!(info.base_code(), 0x7E);

    // Arg1 is the exception code, stored sign-extended.
    assert_eq!(info.params[0].kind, ArgKind::NtStatus);
    assert_eq!(args[0], 0xffff_ffff_c000_0005);
    let status = status_from_u64(args[0]).expect("a status");
    assert_eq!(ntstatus_name(status), Some("STATUS_ACCESS_VIOLATION"));
    // Arg2 is the faulting instruction, Args 3 and 4 the exception and context records: all
    // kernel-space addresses.
    assert_eq!(info.params[1].kind, ArgKind::CodeAddress);
    assert_eq!(info.params[2].kind, ArgKind::ExceptionRecord);
    assert_eq!(info.params[3].kind, ArgKind::ContextRecord);
    assert!(args[1..].iter().all(|&a| a >= 0xffff_8000_0000_0000));

    // The triage data holds the EXCEPTION_RECORD64 of that exception: code, flags, record,
    // address (= Arg2), parameter count, padding, ExceptionInformation[15].
    let needle = args[1].to_le_bytes();
    let rec = (16..d.len().saturating_sub(8 + 8 + 8 * 15))
        .find(|&i| {
            d[i..i + 8] == needle
                && u32_at(&d, i - 16) == status
                && u32_at(&d, i + 8) >= 2
                && u32_at(&d, i + 8) <= 15
        })
        .expect("the exception record is in the triage data");
    let n = u32_at(&d, rec + 8) as usize;
    let params: Vec<u64> = (0..n).map(|k| u64_at(&d, rec + 16 + 8 * k)).collect();
    // Decoded as the record holds it: access kind 1 (write) at address 0xffffffffffffffff.
    assert_eq!(params[..2], [1, u64::MAX]);
    assert_eq!(
        access_violation(&params),
        Some((AccessKind::Write, u64::MAX))
    );
}
