//! Round trips through the synthetic kernel dump writer: full, bitmap and triage dumps for x86
//! non-PAE, x86 PAE and x64, with 4 KiB and large pages, every kind of not-present page, the
//! module list, unloaded drivers, the KDBG (plain and encoded), contexts and the bugcheck.
#![cfg(feature = "synth")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dumpfile::synth::kernel::{
    KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver, SynthKdbgKeys, SynthNotPresent,
    SynthUnloaded,
};
use dumpfile::synth::{Arm64Registers, SynthContext, X64Registers, X86Registers};
use dumpfile::{
    Arch, Context, Dump, DumpKind, Error, KdbgKeys, KdbgSource, KernelDump, NotPresent, PageState,
    PagingMode,
};

const ARCHS: [KernelArch; 3] = [KernelArch::X86, KernelArch::X86Pae, KernelArch::X64];
/// ARM64 writes triage dumps only.
const TRIAGE_ARCHS: [KernelArch; 4] = [
    KernelArch::X86,
    KernelArch::X86Pae,
    KernelArch::X64,
    KernelArch::Arm64,
];
const PHYS: [KernelDumpType; 3] = [
    KernelDumpType::Full,
    KernelDumpType::BitmapKernel,
    KernelDumpType::BitmapFull,
];

fn kva(arch: KernelArch, off: u64) -> u64 {
    match arch {
        KernelArch::X64 | KernelArch::Arm64 => 0xFFFF_F804_0000_0000 + off,
        _ => 0x8200_0000 + off,
    }
}

fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn context(arch: KernelArch) -> SynthContext {
    match arch {
        KernelArch::X64 => SynthContext::X64(X64Registers {
            rip: 0xFFFF_F804_1234_5678,
            gpr: {
                let mut g = [0u64; 16];
                g[4] = 0xFFFF_8500_0000_1000;
                g
            },
            context_flags: 0x10001F,
            ..X64Registers::default()
        }),
        KernelArch::Arm64 => SynthContext::Arm64(Arm64Registers {
            pc: 0xFFFF_F804_1234_5678,
            sp: 0xFFFF_8500_0000_1000,
            x: {
                let mut x = [0u64; 31];
                x[29] = 0xFFFF_8500_0000_1040;
                x[30] = 0xFFFF_F804_1234_0010;
                x
            },
            ..Arm64Registers::default()
        }),
        _ => SynthContext::X86(X86Registers {
            eip: 0x8123_4567,
            esp: 0x9000_1000,
            context_flags: 0x1001F,
            ..X86Registers::default()
        }),
    }
}

fn build(arch: KernelArch, ty: KernelDumpType) -> (KernelDumpBuilder, Vec<(u64, Vec<u8>)>) {
    let mut b = KernelDumpBuilder::new(arch, ty);
    b.bugcheck(0xD1, [0x10, 2, 0, kva(arch, 0x5000)]);
    b.processors(4);
    b.build_number(if arch == KernelArch::X64 { 19041 } else { 9600 });
    b.context(context(arch));
    b.comment("synthetic");
    let mut maps = Vec::new();
    // A page-crossing mapping, a single page, a small unaligned one.
    for (i, (off, len)) in [
        (0x1800u64, 0x2000usize),
        (0x10_0000, 0x1000),
        (0x20_0123, 77),
    ]
    .into_iter()
    .enumerate()
    {
        let data = pattern(len, i as u8);
        b.map(kva(arch, off), &data);
        maps.push((kva(arch, off), data));
    }
    b.driver(SynthDriver {
        pe_header: Some(("ntkrnlmp.pdb".into(), [7; 16], 3)),
        timestamp: 0x1234_5678,
        checksum: 0xABCD,
        ..SynthDriver::new("ntoskrnl.exe", kva(arch, 0x40_0000), 0x80_0000)
    });
    b.driver(SynthDriver::new("hal.dll", kva(arch, 0xC0_0000), 0x1000));
    b.driver(SynthDriver::new("leaky.sys", kva(arch, 0xD0_0000), 0x3000));
    b.unloaded_driver(SynthUnloaded {
        name: "old.sys".into(),
        start: kva(arch, 0xE0_0000),
        end: kva(arch, 0xE0_4000),
        time: 0x01D7_0000_0000_0001,
    });
    b.unloaded_driver(SynthUnloaded {
        name: "newer.sys".into(),
        start: kva(arch, 0xE1_0000),
        end: kva(arch, 0xE1_2000),
        time: 0x01D7_0000_0000_0002,
    });
    (b, maps)
}

#[test]
fn physical_dumps_round_trip() {
    for arch in ARCHS {
        for ty in PHYS {
            let (mut b, maps) = build(arch, ty);
            let bytes = b.write().unwrap();
            let d = KernelDump::from_bytes(bytes.clone()).unwrap();
            let what = format!("{arch:?} {ty:?}");
            assert!(d.warnings().is_empty(), "{what}: {:?}", d.warnings());
            assert_eq!(
                d.kind(),
                match ty {
                    KernelDumpType::Full => DumpKind::Full,
                    KernelDumpType::BitmapKernel => DumpKind::BitmapKernel,
                    _ => DumpKind::BitmapFull,
                },
                "{what}"
            );
            assert_eq!(
                d.paging_mode(),
                match arch {
                    KernelArch::X86 => PagingMode::X86,
                    KernelArch::Arm64 => panic!("ARM64 dumps with page tables are not written"),
                    KernelArch::X86Pae => PagingMode::X86Pae,
                    KernelArch::X64 => PagingMode::X64,
                }
            );
            assert_eq!(
                d.arch(),
                if arch == KernelArch::X64 {
                    Arch::X64
                } else {
                    Arch::X86
                }
            );
            assert_eq!(d.bugcheck().code, 0xD1);
            assert_eq!(d.bugcheck().parameters, [0x10, 2, 0, kva(arch, 0x5000)]);
            assert_eq!(d.header().number_processors, 4);
            assert_eq!(d.header().comment.as_deref(), Some("synthetic"));
            assert_eq!(d.header().dtb(), b.dtb());
            assert_eq!(d.context().unwrap().ip(), context_ip(arch), "{what}");
            for (va, data) in &maps {
                let mut got = vec![0u8; data.len()];
                d.memory().read(*va, &mut got).unwrap();
                assert_eq!(&got, data, "{what} at {va:#x}");
                // Zero-copy inside one page.
                let in_page = (0x1000 - (*va as usize & 0xfff)).min(data.len());
                assert_eq!(d.memory().slice(*va, in_page).unwrap(), &data[..in_page]);
            }
            // The page-crossing mapping cannot be one slice.
            let e = d.memory().slice(kva(arch, 0x1800), 0x1000).unwrap_err();
            assert!(matches!(e, Error::SpansRegions { .. }), "{what}: {e:?}");
            // Unmapped address: a typed not-present error.
            let e = d.memory().read_u32(kva(arch, 0x3000_0000)).unwrap_err();
            assert!(e.is_not_captured(), "{what}: {e:?}");
            // Translation API.
            let t = d.translate(kva(arch, 0x10_0000)).unwrap();
            assert_eq!(t.state, PageState::Valid);
            assert!(t.in_dump);
            assert_eq!(
                t.levels.len(),
                match arch {
                    KernelArch::X64 => 4,
                    KernelArch::X86Pae => 3,
                    KernelArch::X86 => 2,
                    KernelArch::Arm64 => panic!("ARM64 dumps with page tables are not written"),
                }
            );
            let pa = t.physical.unwrap();
            let mut phys = [0u8; 16];
            d.read_physical(pa, &mut phys).unwrap();
            assert_eq!(&phys[..], &maps[1].1[..16]);
            assert_eq!(
                d.memory_with_dtb(d.header().dtb())
                    .read_u8(kva(arch, 0x10_0000))
                    .unwrap(),
                maps[1].1[0]
            );
            // A DTB pointing at a page that is not in the dump.
            let e = d
                .memory_with_dtb(0x7FFF_F000)
                .read_u8(kva(arch, 0x10_0000))
                .unwrap_err();
            assert!(
                matches!(e, Error::PhysicalNotInDump { .. }),
                "{what}: {e:?}"
            );
            // KDBG, drivers, unloaded drivers.
            let k = d.kdbg().unwrap();
            assert_eq!(k.source, KdbgSource::Header);
            assert_eq!(k.kern_base(), Some(kva(arch, 0x40_0000)));
            assert_eq!(
                k.ps_loaded_module_list(),
                Some(d.header().ps_loaded_module_list)
            );
            let drivers = d.drivers().unwrap();
            let names: Vec<&str> = drivers.iter().map(|m| m.name.as_str()).collect();
            assert_eq!(names, ["ntoskrnl.exe", "hal.dll", "leaky.sys"], "{what}");
            assert_eq!(drivers[0].base, kva(arch, 0x40_0000));
            assert_eq!(drivers[0].size, 0x80_0000);
            assert_eq!(drivers[0].timestamp, Some(0x1234_5678));
            assert_eq!(drivers[0].checksum, Some(0xABCD));
            let cv = drivers[0]
                .codeview
                .as_ref()
                .expect("CodeView from the PE header");
            assert_eq!(
                (cv.pdb_name.as_str(), cv.guid, cv.age),
                ("ntkrnlmp.pdb", [7; 16], 3)
            );
            assert_eq!(
                drivers[2].path.as_deref(),
                Some("\\SystemRoot\\system32\\drivers\\leaky.sys")
            );
            assert_eq!(
                drivers[2].timestamp,
                Some(0x5F00_0000),
                "{what}: from the loader entry"
            );
            let unloaded = d.unloaded_drivers().unwrap();
            let un: Vec<&str> = unloaded.iter().map(|u| u.name.as_str()).collect();
            assert_eq!(un, ["newer.sys", "old.sys"], "{what}");
            assert_eq!(unloaded[0].start, kva(arch, 0xE1_0000));
            assert_eq!(unloaded[0].time, Some(0x01D7_0000_0000_0002));
            // Dump::from_bytes picks the kernel reader; Minidump refuses it.
            assert!(matches!(
                Dump::from_bytes(bytes.clone()).unwrap(),
                Dump::Kernel(_)
            ));
            assert!(matches!(
                dumpfile::Minidump::from_bytes(bytes).unwrap_err(),
                Error::KernelDump { .. }
            ));
        }
    }
}

fn context_ip(arch: KernelArch) -> u64 {
    match arch {
        KernelArch::X64 | KernelArch::Arm64 => 0xFFFF_F804_1234_5678,
        _ => 0x8123_4567,
    }
}

#[test]
fn large_pages_round_trip() {
    for arch in ARCHS {
        for ty in PHYS {
            let mut b = KernelDumpBuilder::new(arch, ty);
            let sizes: &[u64] = match arch {
                KernelArch::X64 => &[0x20_0000, 0x4000_0000],
                KernelArch::X86Pae => &[0x20_0000],
                KernelArch::X86 => &[0x40_0000],
                KernelArch::Arm64 => panic!("ARM64 dumps with page tables are not written"),
            };
            for (i, &size) in sizes.iter().enumerate() {
                let va = match arch {
                    KernelArch::X64 => 0xFFFF_F880_0000_0000 + (i as u64) * 0x8000_0000,
                    _ => 0x9000_0000,
                };
                let pa = 0x4000_0000 * (i as u64 + 1);
                b.map_large(va, pa, size);
                // Write the first and last page of the large page.
                b.map(va + 0x10, b"first page");
                b.map(va + size - 0x10, b"last page!");
                let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
                let mut buf = [0u8; 10];
                d.memory().read(va + 0x10, &mut buf).unwrap();
                assert_eq!(&buf, b"first page", "{arch:?} {ty:?} {size:#x}");
                d.memory().read(va + size - 0x10, &mut buf).unwrap();
                assert_eq!(&buf, b"last page!");
                let t = d.translate(va + size - 0x10).unwrap();
                assert_eq!(t.page_size, size);
                assert_eq!(t.physical, Some(pa + size - 0x10));
                // A page in the middle of the large page is mapped but not stored.
                let e = d.memory().read_u8(va + 0x10_0000).unwrap_err();
                assert!(matches!(e, Error::PhysicalNotInDump { .. }), "{e:?}");
                assert!(e.is_not_captured());
            }
        }
    }
}

#[test]
fn not_present_pages_have_reasons() {
    for arch in ARCHS {
        for ty in PHYS {
            let mut b = KernelDumpBuilder::new(arch, ty);
            let base = kva(arch, 0x100_0000);
            b.map(base, b"valid");
            let proto = match arch {
                KernelArch::X64 => 0xFFFF_A000_0000_1230,
                KernelArch::X86Pae => 0xA000_1238,
                KernelArch::X86 => 0x8000_1234,
                KernelArch::Arm64 => panic!("ARM64 dumps with page tables are not written"),
            };
            let cases = [
                (SynthNotPresent::NotCommitted, NotPresent::NotCommitted),
                (SynthNotPresent::DemandZero, NotPresent::DemandZero),
                (
                    SynthNotPresent::PageFile {
                        file: 2,
                        offset: 0x1234,
                    },
                    NotPresent::PageFile {
                        file: 2,
                        offset: 0x1234,
                    },
                ),
                (
                    SynthNotPresent::Transition { pfn: 0x7777 },
                    NotPresent::Transition { pfn: 0x7777 },
                ),
                (
                    SynthNotPresent::Prototype { address: proto },
                    NotPresent::Prototype { address: proto },
                ),
            ];
            for (i, (w, _)) in cases.iter().enumerate() {
                b.not_present(base + 0x1000 * (i as u64 + 1), *w);
            }
            // A transition page whose frame is in the dump is read like WinDbg reads it.
            b.not_present(base + 0x10_000, SynthNotPresent::Transition { pfn: 0x9999 });
            b.physical(0x9999 * 0x1000 + 8, b"standby");
            let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
            for (i, (_, want)) in cases.iter().enumerate() {
                let va = base + 0x1000 * (i as u64 + 1) + 4;
                let e = d.memory().read_u32(va).unwrap_err();
                assert!(e.is_not_captured(), "{arch:?} {ty:?}: {e:?}");
                match e {
                    Error::PageNotPresent {
                        address, reason, ..
                    } => {
                        assert_eq!(address, va);
                        assert_eq!(reason, *want, "{arch:?} {ty:?}");
                    }
                    other => panic!("{arch:?}: {other:?}"),
                }
                let t = d.translate(va).unwrap();
                match want {
                    NotPresent::Transition { .. } => assert_eq!(t.state, PageState::Transition),
                    _ => assert_eq!(t.state, PageState::NotPresent(*want)),
                }
                assert!(!t.in_dump);
            }
            let mut buf = [0u8; 7];
            d.memory().read(base + 0x10_008, &mut buf).unwrap();
            assert_eq!(&buf, b"standby");
            assert_eq!(
                d.translate(base + 0x10_008).unwrap().state,
                PageState::Transition
            );
        }
    }
}

#[test]
fn encoded_kdbg_decodes_with_keys_only() {
    for arch in [KernelArch::X64, KernelArch::X86Pae] {
        let (mut b, _) = build(arch, KernelDumpType::BitmapKernel);
        let keys = SynthKdbgKeys {
            wait_never: 0x1234_5678_9ABC_DE05,
            wait_always: 0x0FED_CBA9_8765_4321,
            data_block_encoded_address: kva(arch, 0x77_0000),
        };
        b.kdbg_encoded(keys);
        let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
        let e = d.kdbg().unwrap_err();
        assert!(matches!(e, Error::KdbgNotFound { .. }), "{e:?}");
        let k = d
            .kdbg_with_keys(&KdbgKeys {
                wait_never: keys.wait_never,
                wait_always: keys.wait_always,
                data_block_encoded_address: keys.data_block_encoded_address,
            })
            .unwrap();
        assert!(k.was_encoded);
        assert_eq!(k.size(), 0x380);
        assert_eq!(k.kern_base(), Some(kva(arch, 0x40_0000)));
        // Wrong keys: an error, not garbage.
        let bad = KdbgKeys {
            wait_always: 1,
            ..KdbgKeys::default()
        };
        assert!(d.kdbg_with_keys(&bad).is_err());
    }
}

#[test]
fn kdbg_found_by_scan_when_the_header_pointer_is_unusable() {
    let (mut b, _) = build(KernelArch::X64, KernelDumpType::Full);
    let mut bytes = b.write().unwrap();
    let want = KernelDump::from_bytes(bytes.clone())
        .unwrap()
        .kdbg()
        .unwrap();
    bytes[0x80..0x88].copy_from_slice(&0u64.to_le_bytes());
    let d = KernelDump::from_bytes(bytes).unwrap();
    let k = d.kdbg().unwrap();
    assert_eq!(k.source, KdbgSource::Scan);
    assert_eq!(k.as_bytes(), want.as_bytes());
}

#[test]
fn triage_round_trip() {
    for arch in TRIAGE_ARCHS {
        let mut b = KernelDumpBuilder::new(arch, KernelDumpType::Triage);
        b.bugcheck(0x1000007E, [0xC000_0005, kva(arch, 0x334c), 1, 2]);
        b.processors(2);
        b.context(context(arch));
        b.map(kva(arch, 0x9000), b"data block bytes");
        b.triage_stack(kva(arch, 0x8_0000), pattern(0x2118, 9));
        b.triage_objects(
            (kva(arch, 0x30_0000), pattern(0x600, 1)),
            (kva(arch, 0x31_0000), pattern(0x400, 2)),
            (kva(arch, 0x32_0000), pattern(0x300, 3)),
        );
        b.driver(SynthDriver::new(
            "ntoskrnl.exe",
            kva(arch, 0x40_0000),
            0x80_0000,
        ));
        b.driver(SynthDriver::new(
            "a_rather_long_name.sys",
            kva(arch, 0xD0_0000),
            0x3000,
        ));
        b.unloaded_driver(SynthUnloaded {
            name: "averyverylongname.sys".into(),
            start: kva(arch, 0xE0_0000),
            end: kva(arch, 0xE0_4000),
            time: 0,
        });
        let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
        assert!(d.warnings().is_empty(), "{:?}", d.warnings());
        assert_eq!(d.kind(), DumpKind::Triage);
        assert_eq!(d.bugcheck().code, 0x1000007E);
        assert_eq!(d.context().unwrap().ip(), context_ip(arch));
        let mem = d.memory();
        let mut buf = [0u8; 16];
        mem.read(kva(arch, 0x9000), &mut buf).unwrap();
        assert_eq!(&buf, b"data block bytes");
        let mut stack = vec![0u8; 0x2118];
        mem.read(kva(arch, 0x8_0000), &mut stack).unwrap();
        assert_eq!(stack, pattern(0x2118, 9));
        // Process and thread copies by address (with the links the writer patched in).
        let (ps, apc_process) = match arch {
            KernelArch::X64 => (8, 0xB8),
            KernelArch::Arm64 => (8, 0xB0),
            _ => (4, 0x50),
        };
        let thread_proc = mem
            .read_ptr(kva(arch, 0x32_0000) + apc_process, ps)
            .unwrap();
        assert_eq!(thread_proc, kva(arch, 0x31_0000));
        assert_eq!(
            mem.read_u8(kva(arch, 0x31_0000) + 0x3FF).unwrap(),
            pattern(0x400, 2)[0x3FF]
        );
        assert!(
            mem.read_u8(kva(arch, 0x31_0000) + 0x400)
                .unwrap_err()
                .is_not_captured()
        );
        let t = d.triage().unwrap();
        assert_eq!(
            t.range(dumpfile::TriageRangeKind::Prcb).unwrap().base,
            kva(arch, 0x30_0000)
        );
        let k = d.kdbg().unwrap();
        assert_eq!(k.source, KdbgSource::TriageCopy);
        assert_eq!(k.size_eprocess(), Some(0x400));
        let drivers = d.drivers().unwrap();
        assert_eq!(drivers.len(), 2);
        assert_eq!(drivers[1].name, "a_rather_long_name.sys");
        assert_eq!(drivers[1].base, kva(arch, 0xD0_0000));
        assert_eq!(drivers[1].timestamp, Some(0x5F00_0000));
        let u = d.unloaded_drivers().unwrap();
        assert_eq!(u[0].name, "averyverylon", "12 characters survive");
        assert_eq!(u[0].end, kva(arch, 0xE0_4000));
        let p = d.processors().unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(*p[0].prcb.as_ref().unwrap(), kva(arch, 0x30_0000));
        assert!(
            d.translate(kva(arch, 0x9000))
                .unwrap_err()
                .is_not_captured()
        );
        assert_eq!(d.present_pages(), 0);
    }
}

#[test]
fn triage_driver_names_survive_any_driver_count() {
    // x86 entries are 0x4C bytes: an odd count leaves the list off 8-byte alignment, and the
    // string pool after it must still be where the entries say.
    for arch in TRIAGE_ARCHS {
        for n in 1..=5u64 {
            let mut b = KernelDumpBuilder::new(arch, KernelDumpType::Triage);
            b.bugcheck(0xD1, [0, 2, 0, 0]);
            b.context(context(arch));
            for i in 0..n {
                b.driver(SynthDriver::new(
                    &format!("driver{i}.sys"),
                    kva(arch, 0x40_0000 + i * 0x10_0000),
                    0x1000,
                ));
            }
            let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
            let names: Vec<String> = d.drivers().unwrap().into_iter().map(|d| d.name).collect();
            let want: Vec<String> = (0..n).map(|i| format!("driver{i}.sys")).collect();
            assert_eq!(names, want, "{arch:?} with {n} drivers");
        }
    }
}

/// The ARM64 triage dump reads as a real Windows 11 22000 ARM64 triage dump does: machine
/// 0xAA64, the ARM64 `CONTEXT` where the header keeps it, the exception record's address at
/// the context's Pc, and the KDBG copy's ARM64 offsets.
#[test]
fn arm64_triage_reads_as_arm64() {
    let arch = KernelArch::Arm64;
    let mut b = KernelDumpBuilder::new(arch, KernelDumpType::Triage);
    b.build_number(22000).processors(8);
    b.bugcheck(0x1C8, [0x1B58, kva(arch, 0x60), 0, 0]);
    b.triage_module_list(kva(arch, 0x2AA20));
    b.list_heads(kva(arch, 0x1D1C0), kva(arch, 0x11_9960));
    b.context(context(arch));
    b.triage_objects(
        (kva(arch, 0x30_0000), pattern(0x600, 1)),
        (kva(arch, 0x31_0000), pattern(0xC80, 2)),
        (kva(arch, 0x32_0000), pattern(0x910, 3)),
    );
    b.driver(SynthDriver::new(
        "ntoskrnl.exe",
        kva(arch, 0x40_0000),
        0x80_0000,
    ));
    let bytes = b.write().unwrap();
    assert_eq!(&bytes[0..8], b"PAGEDU64");
    assert_eq!(&bytes[0x30..0x34], &0xAA64u32.to_le_bytes());
    // Past the 0x390-byte record the header's context area is zero, as in the real dump.
    assert!(bytes[0x348 + 0x390..0xF00].iter().all(|&b| b == 0));
    let d = KernelDump::from_bytes(bytes).unwrap();
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    assert_eq!(d.arch(), Arch::Arm64);
    assert_eq!(d.build(), 22000);
    assert_eq!(d.header().number_processors, 8);
    assert_eq!(d.header().ps_loaded_module_list, kva(arch, 0x2AA20));
    assert_eq!(d.header().ps_active_process_head, kva(arch, 0x1D1C0));
    assert_eq!(d.header().pfn_database, kva(arch, 0x11_9960));
    assert_eq!(d.bugcheck().code, 0x1C8);
    let Context::Arm64(c) = d.context().unwrap() else {
        panic!("not an ARM64 context")
    };
    assert_eq!(
        (c.pc, c.sp, c.fp, c.lr),
        (
            0xFFFF_F804_1234_5678,
            0xFFFF_8500_0000_1000,
            0xFFFF_8500_0000_1040,
            0xFFFF_F804_1234_0010
        )
    );
    let e = d.exception().unwrap();
    assert_eq!((e.code, e.flags, e.address), (0x8000_0003, 1, c.pc));
    let k = d.kdbg().unwrap();
    assert_eq!(k.offset_kthread_apc_process(), Some(0xB0));
    assert_eq!(k.offset_prcb_current_thread(), Some(0x8));
    assert_eq!(k.offset_prcb_proc_state_context(), Some(0x360));
    assert_eq!(k.size_eprocess(), Some(0xC80));
    assert_eq!(k.ps_loaded_module_list(), Some(kva(arch, 0x2AA20)));
    let mem = d.memory();
    assert_eq!(
        mem.read_ptr(kva(arch, 0x32_0000) + 0xB0, 8).unwrap(),
        kva(arch, 0x31_0000)
    );
    let p = d.processors().unwrap();
    assert_eq!(*p[0].prcb.as_ref().unwrap(), kva(arch, 0x30_0000));
}

#[test]
fn arm64_full_and_bitmap_dumps_and_foreign_contexts_are_refused() {
    for ty in PHYS {
        let mut b = KernelDumpBuilder::new(KernelArch::Arm64, ty);
        b.map(kva(KernelArch::Arm64, 0x1000), b"x");
        let e = b.write().unwrap_err();
        assert!(
            e.to_string().contains("ARM64 full or bitmap"),
            "{ty:?}: {e}"
        );
    }
    for (arch, foreign) in [
        (KernelArch::Arm64, KernelArch::X64),
        (KernelArch::X64, KernelArch::Arm64),
        (KernelArch::X86Pae, KernelArch::X64),
    ] {
        let mut b = KernelDumpBuilder::new(arch, KernelDumpType::Triage);
        b.context(context(foreign));
        let e = b.write().unwrap_err();
        assert!(
            e.to_string().contains("another architecture"),
            "{arch:?}: {e}"
        );
    }
}

#[test]
fn unknown_and_header_only_dump_types_are_refused_by_number() {
    let (mut b, _) = build(KernelArch::X64, KernelDumpType::Full);
    let bytes = b.write().unwrap();
    for t in [3u32, 7, 8, 9, 10, 11, 0x4547_4150] {
        let mut v = bytes.clone();
        v[0xF98..0xF9C].copy_from_slice(&t.to_le_bytes());
        match KernelDump::from_bytes(v).unwrap_err() {
            Error::UnsupportedDumpType { dump_type, .. } => assert_eq!(dump_type, t),
            e => panic!("{t}: {e:?}"),
        }
    }
}

#[test]
fn context_of_each_arch() {
    for arch in ARCHS {
        let (mut b, _) = build(arch, KernelDumpType::Full);
        let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
        match (arch, d.context().unwrap()) {
            (KernelArch::X64, Context::X64(c)) => assert_eq!(c.rsp, 0xFFFF_8500_0000_1000),
            (_, Context::X86(c)) => assert_eq!(c.esp, 0x9000_1000),
            (a, c) => panic!("{a:?}: {c:?}"),
        }
    }
}

/// A bitmap dump of a 64 GiB machine (16 Mi page frames, a 2 MiB bitmap) opens with no
/// per-page work, and the rank index finds pages in every part of the bitmap.
#[test]
fn bitmap_of_a_64_gib_machine() {
    let machine = 64u64 << 18;
    let mut b = KernelDumpBuilder::new(KernelArch::X64, KernelDumpType::BitmapKernel);
    b.machine_pages(machine);
    let starts: Vec<u64> = (0..37u64)
        .map(|i| 0x3000 + i * (machine / 37) + i * 13)
        .collect();
    for &s in &starts {
        b.physical_generated(s, 3 + (s % 5));
    }
    b.page_generator(|pfn, buf| {
        for (i, w) in buf.chunks_exact_mut(8).enumerate() {
            w.copy_from_slice(&(pfn * 0x1000 + 8 * i as u64).to_le_bytes());
        }
    });
    let bytes = b.write().unwrap();
    let t = std::time::Instant::now();
    let d = KernelDump::from_bytes(bytes).unwrap();
    let opened = t.elapsed();
    assert!(
        opened < std::time::Duration::from_secs(2),
        "open took {opened:?}"
    );
    assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    let expected: u64 = starts.iter().map(|s| 3 + (s % 5)).sum::<u64>() + 1; // + the DTB page
    assert!(d.present_pages() >= expected);
    for &s in &starts {
        for k in 0..3 + (s % 5) {
            let pa = (s + k) * 0x1000 + 0x7F8;
            let mut w = [0u8; 8];
            d.read_physical(pa, &mut w).unwrap();
            assert_eq!(u64::from_le_bytes(w), pa);
        }
        let e = d
            .read_physical((s + 3 + (s % 5)) * 0x1000, &mut [0u8; 1])
            .unwrap_err();
        assert!(e.is_not_captured());
    }
    assert!(d.read_physical(machine * 0x1000, &mut [0u8; 1]).is_err());
    let runs = d.physical_runs(1000);
    assert_eq!(runs.len(), starts.len() + 1);
}

/// `DumpType` 2 (the old summary dump: 32-bit `SUMMARY_DUMP` fields, bitmap after an
/// `RTL_BITMAP`-shaped head), assembled from the pages of a synthetic full dump.
#[test]
fn old_summary_dump_reads_like_the_full_dump() {
    for arch in [KernelArch::X86, KernelArch::X64] {
        let (mut b, maps) = build(arch, KernelDumpType::Full);
        let full = b.write().unwrap();
        let d = KernelDump::from_bytes(full.clone()).unwrap();
        let runs = d.physical_runs(100);
        let hs: usize = if arch == KernelArch::X64 {
            0x2000
        } else {
            0x1000
        };
        let top = runs
            .iter()
            .map(|r| r.base_page + r.page_count)
            .max()
            .unwrap();
        let mut bitmap = vec![0u8; (top as usize).div_ceil(32) * 4];
        let mut pages = Vec::new();
        for r in &runs {
            for p in r.base_page..r.base_page + r.page_count {
                bitmap[(p / 8) as usize] |= 1 << (p % 8);
            }
        }
        for p in 0..top {
            if bitmap[(p / 8) as usize] & (1 << (p % 8)) != 0 {
                let mut page = vec![0u8; 0x1000];
                d.read_physical(p * 0x1000, &mut page).unwrap();
                pages.extend_from_slice(&page);
            }
        }
        let buffer_at = if arch == KernelArch::X64 { 0x28 } else { 0x20 };
        let first = (hs + buffer_at + bitmap.len()).next_multiple_of(0x1000);
        let mut v = full[..hs].to_vec();
        let dt = if arch == KernelArch::X64 {
            0xF98
        } else {
            0xF88
        };
        v[dt..dt + 4].copy_from_slice(&2u32.to_le_bytes());
        let mut sh = vec![0u8; buffer_at];
        sh[0..4].copy_from_slice(b"SDMP");
        sh[4..8].copy_from_slice(b"DUMP");
        sh[0xC..0x10].copy_from_slice(&(first as u32).to_le_bytes());
        sh[0x10..0x14].copy_from_slice(&(top as u32).to_le_bytes());
        sh[0x14..0x18].copy_from_slice(&((pages.len() / 0x1000) as u32).to_le_bytes());
        sh[0x18..0x1C].copy_from_slice(&(top as u32).to_le_bytes());
        v.extend_from_slice(&sh);
        v.extend_from_slice(&bitmap);
        v.resize(first, 0);
        v.extend_from_slice(&pages);
        let s = KernelDump::from_bytes(v).unwrap();
        assert_eq!(s.kind(), DumpKind::Summary);
        assert_eq!(s.kind().name(), "kernel");
        assert!(s.warnings().is_empty(), "{:?}", s.warnings());
        for (va, data) in &maps {
            let mut got = vec![0u8; data.len()];
            s.memory().read(*va, &mut got).unwrap();
            assert_eq!(&got, data);
        }
        assert_eq!(s.drivers().unwrap().len(), 3);
    }
}

/// Per-processor contexts through KiProcessorBlock and OffsetPrcbProcStateContext.
#[test]
fn processor_contexts_through_ki_processor_block() {
    for arch in ARCHS {
        for ty in PHYS {
            let (mut b, _) = build(arch, ty);
            b.processor_context(1, context(arch));
            b.processor_context(3, context(arch));
            let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
            let p = d.processors().unwrap();
            assert_eq!(p.len(), 4, "{arch:?} {ty:?}");
            for s in &p {
                let c = s.context.as_ref().unwrap();
                let want = if s.number == 1 || s.number == 3 {
                    context_ip(arch)
                } else {
                    0
                };
                assert_eq!(c.ip(), want, "{arch:?} {ty:?} cpu {}", s.number);
            }
            let prcbs: std::collections::HashSet<u64> =
                p.iter().map(|s| *s.prcb.as_ref().unwrap()).collect();
            assert_eq!(prcbs.len(), 4);
        }
    }
}

/// A process address space shares the kernel half and has its own user half.
#[test]
fn process_address_space_through_memory_with_dtb() {
    for arch in ARCHS {
        let (mut b, maps) = build(arch, KernelDumpType::BitmapKernel);
        let dtb = b.address_space();
        let user = 0x7FF0_0000u64;
        b.map_in(dtb, user, b"user mode bytes");
        let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
        let m = d.memory_with_dtb(dtb);
        let mut buf = [0u8; 15];
        m.read(user, &mut buf).unwrap();
        assert_eq!(&buf, b"user mode bytes", "{arch:?}");
        // The kernel half is shared.
        let (va, data) = &maps[1];
        assert_eq!(m.read_u8(*va).unwrap(), data[0]);
        // The kernel address space does not see the user page.
        assert!(d.memory().read_u8(user).unwrap_err().is_not_captured());
    }
}

/// x86 KDBG pointers may be stored sign-extended; they read as 32-bit addresses.
#[test]
fn x86_kdbg_pointers_are_masked_to_32_bits() {
    let (mut b, _) = build(KernelArch::X86Pae, KernelDumpType::Full);
    b.kdbg_field(0x18, 0xFFFF_FFFF_8160_0000, 8);
    let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
    let k = d.kdbg().unwrap();
    assert_eq!(k.kern_base(), Some(0x8160_0000));
    assert_eq!(k.u64_at(0x18), Some(0xFFFF_FFFF_8160_0000));
}
