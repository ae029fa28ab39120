//! Property: random well-formed dumps written by `dumpfile::synth` read back exactly as
//! written.

#![cfg(feature = "synth")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use dumpfile::Minidump;
use dumpfile::synth::{
    MemoryStyle, SynthArch, SynthCodeView, SynthContext, SynthDump, SynthHandle, SynthMiscInfo,
    SynthModule, SynthThread, SynthThreadInfo, SynthUnloadedModule, X64Registers,
};
use proptest::prelude::*;

/// base, size, time stamp, name, optional (guid, age, pdb name).
type ModuleSpec = (u64, u32, u32, String, Option<([u8; 16], u32, String)>);
/// handle, type name, object name, object-information chain.
type HandleSpec = (u64, Option<String>, Option<String>, Vec<(u32, Vec<u8>)>);

#[derive(Debug, Clone)]
struct Spec {
    style: MemoryStyle,
    process_id: Option<u32>,
    threads: Vec<(u32, u64, [u64; 16], u64)>,
    modules: Vec<ModuleSpec>,
    unloaded: Vec<(u64, u32, String)>,
    thread_infos: Vec<(u32, u64, u64, u64)>,
    handles: Vec<HandleSpec>,
    /// page index → bytes; pages are 0x1000 apart, so distinct keys never overlap.
    memory: BTreeMap<u16, Vec<u8>>,
    names: Vec<(u32, String)>,
}

fn name() -> impl Strategy<Value = String> {
    // Any Unicode text, including non-BMP characters (UTF-16 surrogate pairs).
    proptest::collection::vec(any::<char>().prop_filter("no NUL", |c| *c != '\0'), 0..24)
        .prop_map(|v| v.into_iter().collect())
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop_oneof![Just(MemoryStyle::List), Just(MemoryStyle::Full64)],
        any::<Option<u32>>(),
        proptest::collection::vec(
            (any::<u32>(), any::<u64>(), any::<[u64; 16]>(), any::<u64>()),
            0..4,
        ),
        proptest::collection::vec(
            (
                any::<u64>(),
                any::<u32>(),
                any::<u32>(),
                name(),
                proptest::option::of((any::<[u8; 16]>(), any::<u32>(), "[a-z]{0,12}\\.pdb")),
            ),
            0..4,
        ),
        proptest::collection::vec((any::<u64>(), any::<u32>(), name()), 0..3),
        proptest::collection::vec(
            (any::<u32>(), any::<u64>(), any::<u64>(), any::<u64>()),
            0..3,
        ),
        proptest::collection::vec(
            (
                any::<u64>(),
                proptest::option::of("[A-Za-z]{1,10}"),
                proptest::option::of(name()),
                proptest::collection::vec(
                    (any::<u32>(), proptest::collection::vec(any::<u8>(), 0..16)),
                    0..3,
                ),
            ),
            0..3,
        ),
        proptest::collection::btree_map(
            any::<u16>(),
            proptest::collection::vec(any::<u8>(), 1..0x1000),
            0..6,
        ),
        proptest::collection::vec((any::<u32>(), name()), 0..3),
    )
        .prop_map(
            |(
                style,
                process_id,
                threads,
                modules,
                unloaded,
                thread_infos,
                handles,
                memory,
                names,
            )| {
                Spec {
                    style,
                    process_id,
                    threads,
                    modules,
                    unloaded,
                    thread_infos,
                    handles,
                    memory,
                    names,
                }
            },
        )
}

fn build(s: &Spec) -> SynthDump {
    let mut d = SynthDump::new(SynthArch::X64).memory_style(s.style);
    if let Some(pid) = s.process_id {
        d = d.misc_info(SynthMiscInfo {
            process_id: Some(pid),
            ..SynthMiscInfo::default()
        });
    }
    for (id, teb, gpr, rip) in &s.threads {
        d = d.thread(SynthThread {
            id: *id,
            teb: *teb,
            context: Some(SynthContext::X64(X64Registers {
                gpr: *gpr,
                rip: *rip,
                ..X64Registers::default()
            })),
            ..SynthThread::default()
        });
    }
    for (base, size, ts, name, cv) in &s.modules {
        d = d.module(SynthModule {
            time_date_stamp: *ts,
            codeview: cv.as_ref().map(|(guid, age, pdb)| SynthCodeView::Pdb70 {
                guid: *guid,
                age: *age,
                pdb_name: pdb.clone(),
            }),
            ..SynthModule::new(*base, *size, name)
        });
    }
    for (base, size, name) in &s.unloaded {
        d = d.unloaded_module(SynthUnloadedModule {
            base: *base,
            size: *size,
            name: name.clone(),
            ..SynthUnloadedModule::default()
        });
    }
    for (id, create, kernel, user) in &s.thread_infos {
        d = d.thread_info(SynthThreadInfo {
            thread_id: *id,
            create_time: *create,
            kernel_time: *kernel,
            user_time: *user,
            ..SynthThreadInfo::default()
        });
    }
    for (h, ty, obj, info) in &s.handles {
        d = d.handle(SynthHandle {
            handle: *h,
            type_name: ty.clone(),
            object_name: obj.clone(),
            object_info: info.clone(),
            ..SynthHandle::default()
        });
    }
    for (id, n) in &s.names {
        d = d.thread_name(*id, n);
    }
    // Reverse order on purpose: the reader sorts.
    for (page, bytes) in s.memory.iter().rev() {
        d = d.memory(u64::from(*page) * 0x1000, bytes.clone());
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_dumps_round_trip(s in spec()) {
        let dump = Minidump::from_bytes(build(&s).write().unwrap()).unwrap();

        let pid = dump.misc_info().unwrap().and_then(|m| m.process_id);
        prop_assert_eq!(pid, s.process_id);

        let threads = dump.threads().unwrap();
        prop_assert_eq!(threads.len(), s.threads.len());
        for (t, (id, teb, gpr, rip)) in threads.iter().zip(&s.threads) {
            prop_assert_eq!((t.id, t.teb), (*id, *teb));
            let dumpfile::Context::X64(c) = dump.thread_context(t).unwrap() else {
                return Err(TestCaseError::fail("not an x64 context"));
            };
            prop_assert_eq!((c.rax, c.rsp, c.r15, c.rip), (gpr[0], gpr[4], gpr[15], *rip));
        }

        let modules = dump.modules().unwrap();
        prop_assert_eq!(modules.len(), s.modules.len());
        for (m, (base, size, ts, name, cv)) in modules.iter().zip(&s.modules) {
            prop_assert_eq!((m.base, m.size, m.time_date_stamp), (*base, u64::from(*size), *ts));
            prop_assert_eq!(&m.name, name);
            let want = cv.as_ref().map(|(guid, age, pdb)| dumpfile::CodeView::Pdb70 {
                guid: *guid,
                age: *age,
                pdb_name: pdb.clone(),
            });
            prop_assert_eq!(&m.codeview, &want);
        }

        let unloaded = dump.unloaded_modules().unwrap().unwrap_or_default();
        let got: Vec<_> = unloaded.iter().map(|u| (u.base, u.size, u.name.clone())).collect();
        prop_assert_eq!(got, s.unloaded.clone());

        let infos = dump.thread_info().unwrap().unwrap_or_default();
        let got: Vec<_> = infos
            .iter()
            .map(|t| (t.thread_id, t.create_time, t.kernel_time, t.user_time))
            .collect();
        prop_assert_eq!(got, s.thread_infos.clone());

        let handles = dump.handles().unwrap().map(|h| h.handles).unwrap_or_default();
        prop_assert_eq!(handles.len(), s.handles.len());
        for (h, (handle, ty, obj, info)) in handles.iter().zip(&s.handles) {
            prop_assert_eq!(h.handle, *handle);
            // An empty name reads back as absent.
            prop_assert_eq!(&h.type_name, ty);
            prop_assert_eq!(&h.object_name, &obj.clone().filter(|o| !o.is_empty()));
            let got: Vec<_> = h.object_info.iter().map(|i| (i.info_type, i.data.clone())).collect();
            prop_assert_eq!(&got, info);
        }

        let names = dump.thread_names().unwrap().unwrap_or_default();
        let got: Vec<_> = names.iter().map(|n| (n.thread_id, n.name.clone())).collect();
        prop_assert_eq!(got, s.names.clone());

        let mem = dump.memory();
        let want: Vec<_> = s
            .memory
            .iter()
            .map(|(p, b)| (u64::from(*p) * 0x1000, b.len() as u64))
            .collect();
        let got: Vec<_> = mem.ranges().map(|r| (r.base, r.size)).collect();
        prop_assert_eq!(got, want);
        for (page, bytes) in &s.memory {
            let base = u64::from(*page) * 0x1000;
            prop_assert_eq!(mem.slice(base, bytes.len()).unwrap(), &bytes[..]);
            let (r, region) = mem.region_at(base + bytes.len() as u64 - 1).unwrap();
            prop_assert_eq!((r.base, region), (base, &bytes[..]));
            // One byte past a region that is not followed by another one is not captured.
            if !s.memory.contains_key(&page.wrapping_add(1)) || bytes.len() < 0x1000 {
                let e = mem.read_u16(base + bytes.len() as u64 - 1).unwrap_err();
                prop_assert!(e.is_not_captured(), "{:?}", e);
            }
        }
    }
}
