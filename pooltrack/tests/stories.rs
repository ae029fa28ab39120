//! End-to-end tests on the synthetic scenarios: a pool leak under Driver Verifier (Windows 8.1
//! x86) and the pool side of a handle leak exhausting non-paged pool (x86 server).
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::panic
)]

use pooltrack::synth::{handle_leak_pool_story, pool_leak_story};
use pooltrack::{
    DriverLoadState, FlagGroup, Limits, Pool, PoolKind, PoolPageKind, PoolTag, PoolUsedFlags,
    PoolUsedSort, TagDescriptions, VmSummary, VmWarning, verifier_flags,
};

fn tag(s: &str) -> PoolTag {
    PoolTag::parse(s).unwrap()
}

#[test]
fn pool_leak_under_driver_verifier() {
    let k = pool_leak_story();
    let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());

    let s = pool.verifier_stats().unwrap();
    assert_eq!(s.level, 8);
    assert!(s.pool_tracking());
    assert_eq!(
        (
            s.allocations_attempted,
            s.allocations_succeeded,
            s.allocations_succeeded_special_pool
        ),
        (0xb, 0xb, 0xa)
    );
    assert_eq!(s.allocations_with_no_tag, 1);
    assert_eq!(
        (s.current_paged_pool_allocations, s.paged_bytes),
        (0xa, 0x9ce000)
    );
    assert_eq!(
        (s.peak_paged_pool_allocations, s.peak_paged_bytes),
        (0xa, 0x9ce000)
    );

    let flags = verifier_flags(k.context.build);
    let on: Vec<_> = flags
        .iter()
        .filter(|f| f.mask == 0 || s.level & f.mask != 0)
        .map(|f| f.name)
        .collect();
    assert_eq!(on, ["Automatic Checks", "Pool tracking"]);
    assert_eq!(
        flags
            .iter()
            .filter(|f| f.group == FlagGroup::Standard)
            .count(),
        10
    );
    assert_eq!(
        flags
            .iter()
            .filter(|f| f.group == FlagGroup::Additional)
            .count(),
        11
    );

    let drivers = pool.verifier_drivers().unwrap();
    assert_eq!(drivers.len(), 1);
    let d = &drivers[0];
    assert_eq!(d.name, "myfault.sys");
    assert_eq!(d.state(), DriverLoadState::Loaded);
    assert_eq!(d.state().text(), "Loaded");
    assert_eq!(d.image, Some((0x9872_0000, 0x8000)));
    let c = d.counters.unwrap();
    assert_eq!(
        (c.current_paged_allocations, c.paged_bytes),
        (0xa, 0x9ce000)
    );
    assert_eq!((c.current_non_paged_allocations, c.non_paged_bytes), (0, 0));
    assert_eq!(d.allocations.len(), 10);
    assert_eq!(d.allocations_consistent, Some(true));
    let first = d.allocations[0];
    assert_eq!(
        (first.address, first.length, first.tag, first.caller),
        (0x9d2f_b000, 0xf_b000, tag("Leak"), 0x9872_6659)
    );
    let mut addrs: Vec<u64> = d.allocations.iter().map(|a| a.address).collect();
    addrs.sort_unstable();
    assert_eq!(addrs[0], 0x9ca0_0000);
    assert_eq!(addrs[9], 0x9d2f_b000);

    let log = pool.verifier_pool_log(Some(0x9d2f_b000)).unwrap();
    assert_eq!(log.capacity, 0x10000);
    assert_eq!(log.parsed, 0x10000);
    assert_eq!(log.entries.len(), 1);
    let e = &log.entries[0];
    assert_eq!(
        (e.address, e.size, e.thread),
        (0x9d2f_b000, 0xf_a000, 0x9809_0300)
    );
    assert_eq!(e.stack.len(), 11);
    assert_eq!(e.stack[0], 0x8153_0238);
    assert_eq!(e.stack[2], 0x9872_6659);
    // Without a filter: all ten, newest (last written) first.
    let all = pool.verifier_pool_log(None).unwrap();
    assert_eq!(all.entries.len(), 10);
    assert_eq!(all.entries[0].index, 9);
    assert_eq!(all.entries[9].index, 0);

    let u = pool.pool_usage(false).unwrap();
    assert!(u.layout_confirmed());
    let leak = u.get(tag("Leak")).unwrap();
    assert_eq!(
        (leak.paged.allocs, leak.paged.diff(), leak.paged.bytes),
        (10, 10, 0x9ce000)
    );
    let by_paged = u.sorted(PoolUsedSort::Bytes(PoolKind::Paged));
    assert_eq!(by_paged[0].tag, tag("Leak"));

    let big = pool.big_pool().unwrap();
    assert_eq!(big.entries.len(), 10);
    assert!(
        big.entries
            .iter()
            .all(|e| e.tag == tag("Leak") && e.is_paged() == Some(true))
    );
    assert_eq!(big.free_slots, 0x200 - 10);

    let page = pool.pool_page(0x9d2f_b123).unwrap();
    match page.kind {
        PoolPageKind::Large(e) => assert_eq!((e.va, e.size), (0x9d2f_b000, 0xf_b000)),
        other => panic!("{other:?}"),
    }
    assert_eq!(page.region, Some("Paged pool"));

    let found = pool.pool_find("Leak", &[], &mut |_| true).unwrap();
    assert_eq!(found.hits.len(), 10);
    assert!(found.hits.iter().all(|h| h.large));
}

#[test]
fn handle_leak_exhausts_non_paged_pool_with_thread_objects() {
    let k = handle_leak_pool_story();
    let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
    // ExPoolTagTables[0] is PoolTrackTable: four tables, each summed once.
    assert_eq!(pool.tracker_tables().len(), 4);
    let u = pool.pool_usage(false).unwrap();
    assert_eq!(u.tables.len(), 4);
    let flags = PoolUsedFlags::from_bits(3);
    assert!(flags.verbose);
    let sorted = u.sorted(flags.sort);
    let thre = sorted[0];
    assert_eq!(thre.tag, tag("Thre"));
    assert_eq!(
        (
            thre.non_paged.allocs,
            thre.non_paged.frees,
            thre.non_paged.diff(),
            thre.non_paged.bytes
        ),
        (772_672, 463_590, 309_082, 192_867_168)
    );
    let mmcm = sorted[1];
    assert_eq!(mmcm.tag, tag("MmCm"));
    assert_eq!(
        (
            mmcm.non_paged.allocs,
            mmcm.non_paged.frees,
            mmcm.non_paged.diff(),
            mmcm.non_paged.bytes
        ),
        (42, 9, 33, 12_153_104)
    );
    assert_eq!(u.filter("Thre").len(), 1);
    assert_eq!(u.filter("M*").len(), 1);
    let d = TagDescriptions::builtin();
    assert_eq!(d.describe(thre.tag), "Thread objects , Binary: nt!ps");

    // !pool on a thread object: x86 2003 page of protected `Thre` blocks.
    let np = k.context.non_paged_pool.unwrap().0;
    let page = pool.pool_page(np + 0x300).unwrap();
    assert_eq!(page.kind, PoolPageKind::Small);
    assert_eq!(page.region, Some("Nonpaged pool"));
    assert_eq!(page.corrupt_at, None);
    assert_eq!(page.blocks.len(), 7);
    let b = page.holding_block().unwrap();
    assert_eq!(
        (b.addr, b.size, b.previous_size),
        (np + 0x280, 0x280, 0x280)
    );
    assert!(b.protected && !b.free);
    assert_eq!(b.tag, tag("Thre"));
    assert_eq!(b.paged, Some(false));
    assert!(page.blocks[6].free);

    let mut calls = 0;
    let found = pool
        .pool_find("Thre", &k.pool_ranges, &mut |p| {
            calls += 1;
            assert!(p.bytes_done <= p.bytes_total);
            true
        })
        .unwrap();
    assert_eq!(found.hits.len(), 64 * 6);
    assert_eq!(found.pages_read, 64);
    assert!(!found.stopped_early);
    // Stop from the callback: fewer pages.
    let big_range = [(np, np + 0x40_0000)];
    let stopped = pool.pool_find("Thre", &big_range, &mut |_| false).unwrap();
    assert!(stopped.stopped_early);
    assert_eq!(stopped.pages_read, 64);
    assert_eq!(calls, 0, "64 pages: below the progress interval");

    let vm = VmSummary::compute(k.vm.as_ref().unwrap());
    assert!(vm.warnings().contains(&&VmWarning::ExcessiveNonPagedPool));
    assert!(
        vm.to_text()
            .contains("NonPagedPool Max:      65503 (    262012 Kb)")
    );
}

#[test]
fn limits_bound_the_work() {
    let k = handle_leak_pool_story();
    let pool = Pool::new(
        &k.memory,
        k.context.clone(),
        Limits::default()
            .with_max_findings(5)
            .with_max_scan_bytes(0x3000),
    );
    let f = pool
        .pool_find("Thre", &k.pool_ranges, &mut |_| true)
        .unwrap();
    assert!(f.stopped_early);
    assert!(f.hits.len() <= 5);
}

mod more {
    use pooltrack::synth::{SynthKernel, SynthTrace, SynthVerifiedDriver, SynthVerifier};
    use pooltrack::{Arch, DriverLoadState, KernelBuild, Limits, Pool, PoolTag};

    /// Allocations at `hi | 0x9d00_1000` and `hi | 0x9d00_3000` (`hi`: the upper half of a
    /// kernel address on x64).
    fn verifier(log: Vec<SynthTrace>, hi: u64) -> SynthVerifier {
        let leak = PoolTag::parse("Leak").unwrap();
        SynthVerifier {
            level: 0x9,
            allocations: (3, 3, 1, 0, 0),
            current: (2, 0x2000, 0, 0),
            peak: (2, 0x2000, 0, 0),
            drivers: vec![
                SynthVerifiedDriver {
                    name: "other.sys".into(),
                    loads: 0,
                    unloads: 0,
                    image: (0, 0),
                    current: (0, 0, 0, 0),
                    peak: (0, 0, 0, 0),
                    allocations: vec![],
                },
                SynthVerifiedDriver {
                    name: "myfault.sys".into(),
                    loads: 2,
                    unloads: 1,
                    image: (0x9872_0000, 0x8000),
                    current: (2, 0x2000, 0, 0),
                    peak: (3, 0x3000, 0, 0),
                    allocations: vec![
                        (hi | 0x9d00_1000, 0x1000, leak, 0x9872_6659),
                        (hi | 0x9d00_3000, 0x1000, leak, 0x9872_6659),
                    ],
                },
            ],
            log_capacity: 16,
            log,
        }
    }

    #[test]
    fn pool_log_lists_allocate_then_free_newest_first_and_wraps() {
        for arch in [Arch::X86, Arch::X64] {
            let b = KernelBuild::new(arch, if arch == Arch::X86 { 7601 } else { 19041 });
            let mut k = SynthKernel::new(b);
            let t = |a, s, th, top| SynthTrace {
                address: a,
                size: s,
                thread: th,
                stack: vec![top, 0x9872_6659],
            };
            // 18 records in a ring of 16: the first two were overwritten.
            let mut log: Vec<SynthTrace> = (0..16)
                .map(|i| t(0x9e00_0000 + i * 0x1000, 0x100, 1, 0x8153_0238))
                .collect();
            log[2] = t(0x9d00_2000, 0x1000, 0x9809_0300, 0x8153_0238); // allocate
            log[5] = t(0x9d00_2000, 0x1000, 0x980c_d040, 0x8124_fbd1); // free
            let hi = if arch == Arch::X64 {
                0xffff_f880_0000_0000
            } else {
                0
            };
            let mut v = verifier(log, hi);
            v.log_capacity = 16;
            k.add_verifier(0x8600_0000, &v);
            // Index 6: the next record goes to slot 6, so slot 5 is the newest.
            k.context.pool_traces_index = Some(6);
            let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
            let l = pool.verifier_pool_log(Some(0x9d00_2080)).unwrap();
            assert_eq!(l.entries.len(), 2, "{arch:?}");
            assert_eq!(
                (
                    l.entries[0].index,
                    l.entries[0].thread,
                    l.entries[0].stack[0]
                ),
                (5, 0x980c_d040, 0x8124_fbd1)
            );
            assert_eq!((l.entries[1].index, l.entries[1].thread), (2, 0x9809_0300));
            let all = pool.verifier_pool_log(None).unwrap();
            let order: Vec<u64> = all.entries.iter().map(|e| e.index).collect();
            assert_eq!(&order[..3], &[5, 4, 3]);
            assert_eq!(
                order[15], 6,
                "the oldest record is the one the index points at"
            );

            let d = pool.verifier_drivers().unwrap();
            assert_eq!(d.len(), 2);
            assert_eq!(d[0].state(), DriverLoadState::NotLoaded);
            assert_eq!(d[0].state().text(), "Hasn't loaded");
            assert!(d[0].counters.is_none());
            assert_eq!(d[1].state(), DriverLoadState::LoadedAndUnloaded);
            assert_eq!(d[1].allocations.len(), 2, "{:x?}", d[1]);
            assert_eq!(d[1].allocations[0].address, hi | 0x9d00_1000);
            assert_eq!(d[1].allocations_consistent, Some(true));
            assert_eq!(d[1].counters.unwrap().peak_paged_bytes, 0x3000);
        }
    }

    #[test]
    fn windows_xp_verifier_list_with_pool_hash() {
        let b = KernelBuild::new(Arch::X86, 2600);
        let mut k = SynthKernel::new(b);
        k.add_verifier(0x8600_0000, &verifier(vec![], 0));
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let s = pool.verifier_stats().unwrap();
        assert_eq!(
            (s.level, s.current_paged_pool_allocations, s.paged_bytes),
            (9, 2, 0x2000)
        );
        let d = pool.verifier_drivers().unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].name, "myfault.sys");
        assert_eq!(d[1].image, Some((0x9872_0000, 0x8000)));
        assert_eq!(d[1].allocations.len(), 2);
        assert_eq!(d[1].allocations[1].address, 0x9d00_3000);
        assert_eq!(d[1].allocations_consistent, Some(true));
        // The Vista+ log does not exist on XP.
        assert!(pool.verifier_pool_log(None).is_err());
    }

    #[cfg(feature = "isf")]
    #[test]
    fn verifier_reads_the_same_with_isf_layouts() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../shared/corpus/kernel-layouts/win81-9600-x64-ntkrnlmp-169C6521.isf.json.xz",
        );
        if !path.exists() {
            eprintln!("SKIP: {} not found", path.display());
            return;
        }
        let xz = std::fs::read(path).unwrap();
        let mut json = Vec::new();
        lzma_rs::xz_decompress(&mut &xz[..], &mut json).unwrap();
        let layouts = pooltrack::KernelLayouts::from_isf_json(&json).unwrap();
        let b = KernelBuild::new(Arch::X64, 9600);
        let mut k = SynthKernel::new(b);
        k.add_verifier(
            0xffff_f800_0600_0000,
            &verifier(vec![], 0xffff_f880_0000_0000),
        );
        let builtin = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let mut from_pdb = Pool::new(&k.memory, k.context.clone(), Limits::default());
        from_pdb.use_layouts(&layouts);
        assert_eq!(
            builtin.verifier_stats().unwrap(),
            from_pdb.verifier_stats().unwrap()
        );
        assert_eq!(
            builtin.verifier_drivers().unwrap(),
            from_pdb.verifier_drivers().unwrap()
        );
        assert_eq!(from_pdb.verifier_drivers().unwrap()[1].allocations.len(), 2);
    }
}

mod windbg_text {
    use pooltrack::synth::{handle_leak_pool_story, pool_leak_story};
    use pooltrack::{Limits, Pool, PoolUsedFlags, TagDescriptions, verifier_windbg_text};

    fn sym(a: u64) -> Option<String> {
        Some(
            match a {
                0x8153_0238 => "nt!XdvExAllocatePoolInternal+0x17",
                0x8152_718e => "nt!VerifierExAllocatePoolWithTag+0x24",
                0x9872_6659 => "myfault!PoolLeak+0x21",
                0x9872_6ab3 => "myfault!MyfaultDeviceControl+0x13f",
                0x9872_6b26 => "myfault!MyfaultDispatch+0x5c",
                0x8152_58f3 => "nt!IovCallDriver+0x82",
                0x810d_3a52 => "nt!IofCallDriver+0x62",
                0x812e_765e => "nt!IopSynchronousServiceTail+0x16e",
                0x812e_a318 => "nt!IopXxxControlFile+0x3e8",
                0x812e_9f22 => "nt!NtDeviceIoControlFile+0x2a",
                0x8118_6377 => "nt!KiSystemServicePostCall+0",
                _ => return None,
            }
            .to_string(),
        )
    }

    #[test]
    fn poolused_3_as_windbg_prints_it() {
        let k = handle_leak_pool_story();
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let tags = TagDescriptions::parse_pooltag_txt(
            "Thre - nt!ps        - Thread objects\nMmCm - nt!mm        - Calls made to MmAllocateContiguousMemory\n",
        );
        let text =
            pool.pool_usage(false)
                .unwrap()
                .windbg_text(PoolUsedFlags::from_bits(3), None, &tags);
        let want = "   Sorting by  NonPaged Pool Consumed

  Pool Used:
            NonPaged
Tag    Allocs    Frees     Diff     Used
Thre   772672   463590   309082 192867168  Thread objects , Binary: nt!ps
MmCm       42        9       33 12153104   Calls made to MmAllocateContiguousMemory , Binary: nt!mm
";
        assert!(text.starts_with(want), "{text}");
        let one = pool.pool_usage(false).unwrap().windbg_text(
            PoolUsedFlags::from_bits(3),
            Some("Thre"),
            &tags,
        );
        assert_eq!(one.lines().count(), 6);
    }

    #[test]
    fn verifier_3_and_80_as_windbg_prints_them() {
        let k = pool_leak_story();
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let stats = pool.verifier_stats().unwrap();
        let drivers = pool.verifier_drivers().unwrap();
        let text = verifier_windbg_text(k.context.build, &stats, &drivers, &sym);
        for line in [
            "Verify Flags Level 0x00000008",
            "  STANDARD FLAGS:",
            "    [X] (0x00000000) Automatic Checks",
            "    [ ] (0x00000001) Special pool",
            "    [X] (0x00000008) Pool tracking",
            "    [ ] (0x00020000) DDI compliance checking",
            "  ADDITIONAL FLAGS:",
            "    [ ] (0x01000000) VM switch verification",
            "    [X] Indicates flag is enabled",
            "Summary of All Verifier Statistics",
            "  RaiseIrqls           0x0",
            "  Pool Allocations Attempted             0xb",
            "  Pool Allocations Succeeded SpecialPool 0xa",
            "  Pool Allocations With NO TAG           0x1",
            "  Current paged pool allocations         0xa for 009CE000 bytes",
            "  Peak paged pool allocations            0xa for 009CE000 bytes",
            "  Current nonpaged pool allocations      0x0 for 00000000 bytes",
            "Driver Verification List",
            "    Pool Allocation Statistics: ( NonPagedPool / PagedPool )",
            "      Current Pool Allocations: ( 0x00000000 / 0x0000000a )",
            "      Current Pool Bytes:       ( 0x00000000 / 0x009ce000 )",
            "      Peak Pool Bytes:          ( 0x00000000 / 0x009ce000 )",
            "      Contiguous Memory Bytes:       0x00000000",
            "    Pool Allocations:",
            "      Address     Length      Tag   Caller",
            "      ----------  ----------  ----  ----------",
            "      0x9d2fb000  0x000fb000  Leak  0x98726659  myfault!PoolLeak+0x21",
            "      0x9ca00000  0x000fb000  Leak  0x98726659  myfault!PoolLeak+0x21",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        assert!(text.contains(" myfault.sys (Loaded)"));

        let log = pool.verifier_pool_log(Some(0x9d2f_b000)).unwrap();
        let text = log.windbg_text(k.context.build.arch, Some(0x9d2f_b000), &sym);
        let want = "Log of recent kernel pool Allocate and Free operations:

There are up to 0x10000 entries in the log.

Parsing 0x00010000 log entries, searching for address 0x9d2fb000.


======================================================================
Pool block 9d2fb000, Size 000fa000, Thread 98090300
81530238 nt!XdvExAllocatePoolInternal+0x17
8152718e nt!VerifierExAllocatePoolWithTag+0x24
98726659 myfault!PoolLeak+0x21
98726ab3 myfault!MyfaultDeviceControl+0x13f
98726b26 myfault!MyfaultDispatch+0x5c
815258f3 nt!IovCallDriver+0x82
810d3a52 nt!IofCallDriver+0x62
812e765e nt!IopSynchronousServiceTail+0x16e
812ea318 nt!IopXxxControlFile+0x3e8
812e9f22 nt!NtDeviceIoControlFile+0x2a
81186377 nt!KiSystemServicePostCall+0
Parsed entry 00010000/00010000...
Finished parsing all pool tracking information.
";
        assert_eq!(text, want);
    }

    #[test]
    fn pool_page_text() {
        let k = handle_leak_pool_story();
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let np = k.context.non_paged_pool.unwrap().0;
        let text = pool
            .pool_page(np + 0x300)
            .unwrap()
            .windbg_text(k.context.build.arch, &TagDescriptions::builtin());
        assert!(
            text.starts_with(&format!(
                "Pool page {:08x} region is Nonpaged pool\n",
                np + 0x300
            )),
            "{text}"
        );
        assert!(text.contains(&format!(
            "*{:08x} size:  280 previous size:  280  (Allocated) *Thre (Protected)\n\t\tPooltag Thre : Thread objects, Binary : nt!ps\n",
            np + 0x280
        )), "{text}");
        assert!(
            text.contains(&format!(
                " {:08x} size:  100 previous size:  280  (Free)  Free",
                np + 0xf00
            )),
            "{text}"
        );
        let k = pool_leak_story();
        let pool = Pool::new(&k.memory, k.context.clone(), Limits::default());
        let text = pool
            .pool_page(0x9d2f_b010)
            .unwrap()
            .windbg_text(k.context.build.arch, &TagDescriptions::builtin());
        assert!(
            text.starts_with(
                "*9d2fb000 : large page allocation, tag is Leak, size is 0xfb000 bytes\n"
            ),
            "{text}"
        );
    }
}
