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
