//! Properties of the kernel-object readers on hostile memory: mutated synthetic kernels,
//! cyclic lists, absurd counts, wild `TableCode`s and random bytes never panic or hang, and
//! every walk stays within its limits.
#![cfg(feature = "synth")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use pooltrack::object_synth::{KernelBuilder, ProcessSpec, SynthKernel, ThreadSpec, exercise};
use pooltrack::{
    Error, FnMemory, KernelObjects, KernelSymbols, Limits, MemoryError, ObjectLayout, PointerWidth,
    ReadMemory, SliceMemory, ThreadState,
};
use proptest::prelude::*;

fn small_kernel(layout: ObjectLayout) -> (SynthKernel, Vec<u64>) {
    let mut b = KernelBuilder::new(layout);
    let mut ps = Vec::new();
    for i in 0..5u64 {
        let p = b.add_process(
            &ProcessSpec::new(4 + 4 * i, "proc.exe")
                .session(1)
                .full_name("\\Device\\x.exe"),
        );
        b.add_thread(
            p,
            &ThreadSpec::new(0x100 + 4 * i, ThreadState::Waiting, 0x7c81_0705).waiting(6),
        );
        let ev = b.add_object("Event", 0x10, Some("\\BaseNamedObjects\\e"), Some(4));
        for _ in 0..(20 * i) {
            b.add_handle(p, ev, 0x1f_0003);
        }
        ps.push(p);
    }
    (b.build(), ps)
}

fn layout_strategy() -> impl Strategy<Value = ObjectLayout> {
    (0..ObjectLayout::builtin().len()).prop_map(|i| ObjectLayout::builtin()[i])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn built_kernels_read_back(
        layout in layout_strategy(),
        procs in proptest::collection::vec(
            (1u64..0x4000, "[a-z]{1,20}\\.exe", proptest::option::of(0u32..20), any::<bool>(), 0u64..700, 0u8..3),
            1..6,
        ),
    ) {
        let mut b = KernelBuilder::new(layout);
        let obj = b.add_object("Event", 0x10, None, None);
        let mut expect = Vec::new();
        for (i, (pid, name, session, exited, handles, level)) in procs.iter().enumerate() {
            let pid = pid * 4 + i as u64 * 0x10000;
            let mut spec = ProcessSpec::new(pid, name);
            if let Some(sid) = session {
                spec = spec.session(*sid);
            }
            if *exited {
                spec = spec.exited(0x01d0_0000_0000_0000);
            }
            let p = b.add_process(&spec);
            let mut values = Vec::new();
            if !*exited {
                for _ in 0..*handles {
                    values.push(b.add_handle(p, obj, 0x1f_0003).unwrap());
                }
                b.force_table_level(p, *level);
            }
            let shown: String = name.chars().take(if layout.build < 7600 { 15 } else { 14 }).collect();
            expect.push((p, pid, shown, *session, *exited, values));
        }
        let k = b.build();
        let o = k.objects();
        let got: Vec<_> = o.processes().unwrap().map(Result::unwrap).collect();
        prop_assert_eq!(got.len(), expect.len());
        for (g, (addr, pid, name, session, exited, values)) in got.iter().zip(&expect) {
            prop_assert_eq!(g.address, *addr);
            prop_assert_eq!(g.pid, *pid);
            prop_assert_eq!(g.image_name.as_deref(), Some(name.as_str()));
            prop_assert_eq!(g.session_id, *session);
            prop_assert_eq!(g.is_zombie(), *exited);
            prop_assert_eq!(o.handle_count(g).unwrap(), values.len() as u64);
            if let Some(t) = g.object_table.filter(|&t| t != 0) {
                let hs: Vec<u64> = o.handles(t).unwrap().map(|h| h.unwrap().handle).collect();
                prop_assert_eq!(&hs, values);
            }
        }
    }

    #[test]
    fn mutated_kernels_never_panic(layout in layout_strategy(), edits in proptest::collection::vec((any::<u32>(), any::<u32>(), any::<u8>()), 1..64)) {
        let (mut k, _) = small_kernel(layout);
        let regions = k.memory.byte_regions();
        for (r, off, v) in edits {
            let (a, len) = regions[r as usize % regions.len()];
            if len > 0 {
                k.memory.write_u8(a + u64::from(off) % len as u64, v);
            }
        }
        let o = KernelObjects::new(&k.memory, k.layout, k.symbols).with_limits(Limits::fuzzing());
        exercise(&o);
    }

    #[test]
    fn random_bytes_never_panic(layout in layout_strategy(), bytes in proptest::collection::vec(any::<u8>(), 0..8192), offs in proptest::collection::vec(0u64..8192, 4)) {
        let base = match layout.width {
            PointerWidth::Bits32 => 0x8100_0000u64,
            PointerWidth::Bits64 => 0xFFFF_FA80_0100_0000,
        };
        let mem = SliceMemory::new(base, &bytes);
        let sym = KernelSymbols::default()
            .with_ps_active_process_head(base + offs[0])
            .with_psp_cid_table(base + offs[1])
            .with_ob_type_index_table(base + offs[2])
            .with_ob_header_cookie(base + offs[3]);
        let o = KernelObjects::new(mem, layout, sym).with_limits(Limits::fuzzing());
        exercise(&o);
    }

    #[test]
    fn wild_table_codes_are_bounded(layout in layout_strategy(), code in any::<u64>()) {
        let (mut k, ps) = small_kernel(layout);
        let o = k.objects();
        let table = o.process(ps[4]).unwrap().object_table.unwrap();
        let w = layout.width;
        k.memory.write_ptr(table + u64::from(layout.handle_table.table_code), code, w);
        let o = KernelObjects::new(&k.memory, k.layout, k.symbols).with_limits(Limits::fuzzing());
        let n = o.handles(table).map(|it| it.count() as u64).unwrap_or(0);
        prop_assert!(n <= Limits::fuzzing().max_handles + 4096);
        if code & 3 == 3 {
            let r: Vec<_> = o.handles(table).unwrap().collect();
            let corrupt = matches!(r.as_slice(), [Err(Error::Corrupt { .. })]);
            prop_assert!(corrupt);
        }
    }
}

#[test]
fn a_cycle_that_avoids_the_head_is_detected() {
    for layout in ObjectLayout::builtin() {
        let (mut k, ps) = small_kernel(*layout);
        let links = u64::from(layout.process.active_process_links);
        let w = layout.width;
        // The last process's Flink goes back to the second, with a matching Blink.
        let (a, b) = (ps[4] + links, ps[1] + links);
        k.memory.write_ptr(a, b, w);
        k.memory.write_ptr(b + w.bytes(), a, w);
        let o = k.objects();
        let r: Vec<_> = o.processes().unwrap().collect();
        // The second process now has two predecessors: its back link gives the loop away.
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(
            matches!(r.last(), Some(Err(Error::Corrupt { .. }))),
            "{:?}",
            r.last()
        );
        // A broken back link is corruption, not a cycle.
        k.memory.write_ptr(b + w.bytes(), 0x1234, w);
        let o = k.objects();
        let r: Vec<_> = o.processes().unwrap().collect();
        assert!(matches!(r.last(), Some(Err(Error::Corrupt { .. }))));
        // Same for a thread list looping on itself through one thread.
        let p = o.process(ps[0]).unwrap();
        let first = o.threads(&p).next().unwrap().unwrap();
        let e = first.address + u64::from(layout.thread.thread_list_entry);
        k.memory.write_ptr(e, e, w);
        k.memory.write_ptr(e + w.bytes(), e, w);
        let o = k.objects();
        let r: Vec<_> = o.threads(&p).collect();
        assert!(r.len() <= 2 && r.last().unwrap().is_err(), "{r:?}");
    }
}

#[test]
fn a_cycle_without_readable_back_links_is_detected() {
    // Only the Flinks are in the dump: head -> 1 -> 2 -> 3 -> 1 -> ...
    let layout = ObjectLayout::for_build(19041, PointerWidth::Bits64).unwrap();
    let links = u64::from(layout.process.active_process_links);
    let head = 0xFFFF_F800_0000_1000u64;
    let e = |i: u64| 0xFFFF_A000_0000_0000 + i * 0x1000 + links;
    let mem = FnMemory::new(move |addr, buf: &mut [u8]| {
        let next = if addr == head {
            e(1)
        } else if addr == e(1) {
            e(2)
        } else if addr == e(2) {
            e(3)
        } else if addr == e(3) {
            e(1)
        } else {
            return Err(MemoryError::not_captured(addr, buf.len()));
        };
        if buf.len() != 8 {
            return Err(MemoryError::not_captured(addr, buf.len()));
        }
        buf.copy_from_slice(&next.to_le_bytes());
        Ok(())
    });
    let o = KernelObjects::new(
        mem,
        layout,
        KernelSymbols::default().with_ps_active_process_head(head),
    );
    let r: Vec<_> = o.processes().unwrap().collect();
    assert!(r.len() < 16, "{}", r.len());
    assert!(
        matches!(r.last(), Some(Err(Error::WalkLimit { .. }))),
        "{:?}",
        r.last()
    );
}

#[test]
fn list_walks_stop_at_the_step_limit() {
    let layout = ObjectLayout::for_build(7601, PointerWidth::Bits64).unwrap();
    let (k, _) = small_kernel(layout);
    let o = KernelObjects::new(&k.memory, k.layout, k.symbols)
        .with_limits(Limits::default().with_max_list_steps(2));
    let r: Vec<_> = o.processes().unwrap().collect();
    assert_eq!(r.len(), 3);
    assert!(matches!(r[2], Err(Error::WalkLimit { .. })));
}

#[test]
fn absurd_handle_counts_are_reported_not_allocated() {
    let layout = ObjectLayout::for_build(7601, PointerWidth::Bits32).unwrap();
    let (mut k, ps) = small_kernel(layout);
    let o = k.objects();
    let table = o.process(ps[2]).unwrap().object_table.unwrap();
    let off = u64::from(layout.handle_table.handle_count.unwrap());
    k.memory.write_u32(table + off, u32::MAX);
    let o = k.objects();
    let p = o.process(ps[2]).unwrap();
    assert_eq!(p.handle_count, Some(u32::MAX));
    assert_eq!(o.handle_count(&p).unwrap(), u64::from(u32::MAX));
    // The walk itself finds the real number.
    assert_eq!(o.handles(table).unwrap().filter(Result::is_ok).count(), 40);
}

#[test]
fn missing_memory_is_not_captured_not_corrupt() {
    let layout = ObjectLayout::for_build(22000, PointerWidth::Bits64).unwrap();
    let (mut k, ps) = small_kernel(layout);
    let o = k.objects();
    let p = o.process(ps[3]).unwrap();
    let table = p.object_table.unwrap();
    let first = o.handles(table).unwrap().next().unwrap().unwrap();
    // Remove the leaf page: the walk reports it as not in the dump.
    let page = first.entry_address & !0xfff;
    k.memory.unmap(page);
    let o = k.objects();
    let r: Vec<_> = o.handles(table).unwrap().collect();
    assert!(r.iter().any(|e| matches!(e, Err(e) if e.is_not_captured())));
    assert!(
        o.process(0xFFFF_FFFF_FFFF_0000)
            .unwrap_err()
            .is_not_captured()
    );
    assert!(k.memory.read_u8(page).is_err());
}

#[test]
fn detect_finds_the_layout_of_an_unknown_build() {
    for layout in ObjectLayout::builtin() {
        let (k, _) = small_kernel(*layout);
        let found = KernelObjects::detect(&k.memory, k.symbols, layout.width).unwrap();
        // Several builds may share the offsets the check reads; the one found must read the
        // same processes.
        let a: Vec<_> = found.processes().unwrap().map(|p| p.unwrap().pid).collect();
        let b: Vec<_> = k
            .objects()
            .processes()
            .unwrap()
            .map(|p| p.unwrap().pid)
            .collect();
        assert_eq!(a, b, "{}", layout.source);
    }
}
