//! Property: damaged dumps (random byte and field mutations, truncations, random bytes after a
//! valid header) make the reader return `Err` or valid data, never panic or hang, through every
//! public accessor, memory reads and `process()`.

#![cfg(feature = "synth")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::OnceLock;

use dumpfile::Minidump;
use dumpfile::synth::{
    SynthArch, SynthCodeView, SynthContext, SynthDump, SynthException, SynthFunctionTable,
    SynthFunctionTableStream, SynthHandle, SynthMemoryInfo, SynthMiscInfo, SynthModule,
    SynthProcessVmCounters, SynthSystemInfo, SynthSystemMemoryInfo, SynthThread, SynthThreadEx,
    SynthThreadInfo, SynthTimeZone, SynthToken, SynthUnloadedModule, X64Registers, X86Registers,
    exercise_reader,
};
use proptest::prelude::*;

const TEB: u64 = 0x7efd_b000;
const TEB32: u64 = TEB + 0x2000;
const PEB: u64 = 0x7efd_f000;
const PEB32: u64 = 0x7efd_e000;
const LDR: u64 = 0x30_0000;

fn put(page: &mut [u8], off: usize, v: &[u8]) {
    page[off..off + v.len()].copy_from_slice(v);
}

/// A small x64 dump of a WOW64-looking process with every stream, a TEB/TEB32/PEB/PEB32 and a
/// circular loader list in memory, so mutations reach the process walkers too.
fn base(full: bool) -> Vec<u8> {
    let mut teb = vec![0u8; 0x3000];
    put(&mut teb, 0x30, &TEB.to_le_bytes());
    put(&mut teb, 0x60, &PEB.to_le_bytes());
    // TEB32 at TEB + 0x2000: NtTib.Self and the PEB32 pointer.
    put(&mut teb, 0x2018, &(TEB32 as u32).to_le_bytes());
    put(&mut teb, 0x2030, &(PEB32 as u32).to_le_bytes());
    let mut peb = vec![0u8; 0x2000]; // PEB32 page then PEB page
    put(&mut peb, 0x1000 + 0x10, &0x1_4000_0000u64.to_le_bytes());
    put(&mut peb, 0x1000 + 0x18, &LDR.to_le_bytes());
    put(&mut peb, 0x1000 + 0xe8, &3u32.to_le_bytes());
    put(&mut peb, 0x1000 + 0xf0, &(PEB + 0x800).to_le_bytes());
    put(&mut peb, 0x1800, &0x2d_0000u64.to_le_bytes());
    put(&mut peb, 0x08, &0x40_0000u32.to_le_bytes());
    let mut ldr = vec![0u8; 0x400];
    let head = LDR + 0x10;
    let (e1, e2) = (LDR + 0x100, LDR + 0x200);
    put(&mut ldr, 0x10, &e1.to_le_bytes());
    put(&mut ldr, 0x18, &e2.to_le_bytes());
    for (e, next, prev) in [(e1, e2, head), (e2, head, e1)] {
        let o = (e - LDR) as usize;
        put(&mut ldr, o, &next.to_le_bytes());
        put(&mut ldr, o + 8, &prev.to_le_bytes());
        put(&mut ldr, o + 0x30, &0x1_4000_0000u64.to_le_bytes());
        put(&mut ldr, o + 0x40, &0x1000u32.to_le_bytes());
        // BaseDllName: 8 bytes of UTF-16 at o + 0x80.
        put(&mut ldr, o + 0x58, &8u16.to_le_bytes());
        put(&mut ldr, o + 0x5a, &10u16.to_le_bytes());
        put(&mut ldr, o + 0x60, &(e + 0x80).to_le_bytes());
        put(&mut ldr, o + 0x80, &[b'a', 0, b'.', 0, b'e', 0, b'x', 0]);
    }
    let x64 = SynthContext::X64(X64Registers {
        rip: 0x1_4000_1000,
        gpr: [7; 16],
        ..X64Registers::default()
    });
    let mut d = SynthDump::new(SynthArch::X64)
        .system_info(SynthSystemInfo {
            csd_version: Some("SP1".into()),
            ..SynthSystemInfo::default()
        })
        .misc_info(SynthMiscInfo {
            process_id: Some(1),
            process_times: Some([1, 2, 3]),
            time_zone: Some(SynthTimeZone {
                standard_name: "UTC".into(),
                ..SynthTimeZone::default()
            }),
            build_strings: Some(("b".into(), "d".into())),
            ..SynthMiscInfo::default()
        })
        .exception(SynthException {
            thread_id: 1,
            code: 0x8000_0003,
            parameters: vec![1, 2, 3],
            context: Some(x64.clone()),
            ..SynthException::default()
        })
        .thread(SynthThread {
            id: 1,
            teb: TEB,
            stack_base: TEB,
            stack_size: 0x100,
            context: Some(x64.clone()),
            ..SynthThread::default()
        })
        .thread(SynthThread {
            id: 2,
            teb: 0xdead_0000,
            context: Some(SynthContext::X86(X86Registers::default())),
            ..SynthThread::default()
        })
        .thread_ex(SynthThreadEx {
            thread: SynthThread {
                id: 3,
                ..SynthThread::default()
            },
            ..SynthThreadEx::default()
        })
        .thread_info(SynthThreadInfo {
            thread_id: 1,
            ..SynthThreadInfo::default()
        })
        .thread_name(1, "main")
        .module(SynthModule {
            codeview: Some(SynthCodeView::Pdb70 {
                guid: [1; 16],
                age: 1,
                pdb_name: "a.pdb".into(),
            }),
            misc_record: Some(vec![1; 8]),
            ..SynthModule::new(0x1_4000_0000, 0x1000, "a.exe")
        })
        .module(SynthModule {
            codeview: Some(SynthCodeView::Pdb20 {
                signature: 1,
                age: 1,
                pdb_name: "b.pdb".into(),
            }),
            ..SynthModule::new(0x7700_0000, 0x1000, "b.dll")
        })
        .unloaded_module(SynthUnloadedModule {
            base: 0x5000_0000,
            size: 0x1000,
            name: "u.dll".into(),
            ..SynthUnloadedModule::default()
        })
        .memory_info(SynthMemoryInfo {
            base_address: TEB,
            region_size: 0x3000,
            ..SynthMemoryInfo::default()
        })
        .handle(SynthHandle {
            handle: 4,
            type_name: Some("Event".into()),
            object_name: Some("x".into()),
            object_info: vec![(1, vec![1, 2]), (2, vec![3])],
            ..SynthHandle::default()
        })
        .comment_a(b"a")
        .comment_w("w")
        .token(
            16,
            vec![SynthToken {
                token_id: 1,
                token_handle: 2,
                data: vec![3; 8],
            }],
        )
        .function_table(SynthFunctionTableStream {
            native_descriptor_size: 8,
            function_entry_size: 12,
            tables: vec![SynthFunctionTable {
                entries: vec![vec![1; 12]],
                ..SynthFunctionTable::default()
            }],
        })
        .system_memory_info(SynthSystemMemoryInfo {
            revision: 1,
            ..SynthSystemMemoryInfo::default()
        })
        .process_vm_counters(SynthProcessVmCounters {
            revision: 2,
            flags: 0x1f,
            ..SynthProcessVmCounters::default()
        })
        .memory(TEB, teb)
        .memory(PEB32, peb)
        .memory(LDR, ldr);
    if full {
        d = d.full_memory();
    }
    d.write().unwrap()
}

fn bases() -> &'static [Vec<u8>; 2] {
    static B: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
    B.get_or_init(|| [base(false), base(true)])
}

/// Calls every public reader entry point (shared with the fuzz target), probing the addresses
/// the synthetic dumps use.
fn exercise(bytes: Vec<u8>) {
    exercise_reader(
        bytes,
        &[0, u64::MAX, u64::MAX - 3, TEB, PEB, LDR, 0x40_0000],
    );
}

/// Interesting values for 32-bit fields (counts, RVAs, sizes).
fn field_value() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7fff_ffff),
        Just(0xffff_ffff),
        Just(0xffff_fff0),
        Just(0x8000_0000),
        0u32..0x4000,
        any::<u32>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_byte_mutations(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let mut b = bases()[which].clone();
        for (i, v) in edits {
            let at = i.index(b.len());
            b[at] = v;
        }
        exercise(b);
    }

    #[test]
    fn random_field_mutations(
        which in 0usize..2,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), field_value()), 1..6),
    ) {
        let mut b = bases()[which].clone();
        for (i, v) in edits {
            // Aligned 32-bit fields: counts, RVAs, sizes, list links.
            let at = i.index(b.len() / 4) * 4;
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        exercise(b);
    }

    #[test]
    fn header_and_directory_mutations(
        which in 0usize..2,
        edits in proptest::collection::vec((0usize..64, field_value()), 1..4),
    ) {
        // The header and the first directory entries hold the most consequential fields.
        let mut b = bases()[which].clone();
        for (i, v) in edits {
            let at = i * 4;
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        exercise(b);
    }

    #[test]
    fn truncations(which in 0usize..2, cut in any::<prop::sample::Index>()) {
        let b = &bases()[which];
        exercise(b[..cut.index(b.len() + 1)].to_vec());
    }

    #[test]
    fn random_bytes_after_a_header(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut b = bases()[0][..32].to_vec();
        b.extend(tail);
        exercise(b);
    }

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(bytes);
    }
}

#[test]
fn the_undamaged_bases_read_cleanly() {
    for b in bases() {
        let dump = Minidump::from_bytes(b.clone()).unwrap();
        assert_eq!(dump.threads().unwrap().len(), 2);
        assert_eq!(dump.modules().unwrap().len(), 2);
        assert!(dump.handles().unwrap().is_some());
        let p = dump.process().unwrap();
        assert_eq!(p.peb, Some(PEB));
        assert_eq!(p.loader_modules.len(), 2);
        exercise(b.clone());
    }
}

#[test]
fn loader_list_cycles_terminate() {
    // Point the second entry's Flink back at the first (a cycle that never returns to the head)
    // and the first entry's Flink at itself: the walk must stop.
    for (entry, target) in [(LDR + 0x200, LDR + 0x100), (LDR + 0x100, LDR + 0x100)] {
        let mut b = bases()[0].clone();
        let dump = Minidump::from_bytes(b.clone()).unwrap();
        let (r, _) = dump.memory().region_at(LDR).unwrap();
        // Locate the LDR region's bytes in the file by content search for its Flink value.
        let region = dump
            .memory()
            .slice(r.base, r.size as usize)
            .unwrap()
            .to_vec();
        let file_off = b
            .windows(region.len())
            .position(|w| w == region.as_slice())
            .unwrap();
        let at = file_off + (entry - LDR) as usize;
        b[at..at + 8].copy_from_slice(&target.to_le_bytes());
        let dump = Minidump::from_bytes(b).unwrap();
        let p = dump.process().unwrap();
        assert!(p.loader_modules.len() <= 2, "{:?}", p.loader_modules);
    }
}
