//! Properties of the kernel dump reader: random virtual mappings written by the synthetic
//! writer read back exactly (every architecture and dump kind); damaged dumps give `Err` or
//! data, never a panic or a hang.
#![cfg(feature = "synth")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use dumpfile::KernelDump;
use dumpfile::synth::kernel::{
    KernelArch, KernelDumpBuilder, KernelDumpType, exercise_kernel_reader, seed_dumps,
};
use proptest::prelude::*;

fn arch_strategy() -> impl Strategy<Value = KernelArch> {
    prop_oneof![
        Just(KernelArch::X86),
        Just(KernelArch::X86Pae),
        Just(KernelArch::X64),
        Just(KernelArch::Arm64)
    ]
}

fn type_strategy() -> impl Strategy<Value = KernelDumpType> {
    prop_oneof![
        Just(KernelDumpType::Full),
        Just(KernelDumpType::BitmapKernel),
        Just(KernelDumpType::BitmapFull),
        Just(KernelDumpType::Triage),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_mappings_round_trip(
        arch in arch_strategy(),
        ty in type_strategy(),
        writes in prop::collection::vec((0u64..0x400_0000, 1usize..0x1800, any::<u8>()), 1..12),
    ) {
        // ARM64 writes triage dumps only.
        let ty = if arch == KernelArch::Arm64 { KernelDumpType::Triage } else { ty };
        let base: u64 = if matches!(arch, KernelArch::X64 | KernelArch::Arm64) {
            0xFFFF_F804_0000_0000
        } else {
            0x8800_0000
        };
        let mut b = KernelDumpBuilder::new(arch, ty);
        let mut model: BTreeMap<u64, u8> = BTreeMap::new();
        // Triage data blocks cannot overlap meaningfully: keep the writes disjoint there.
        let mut used: Vec<(u64, u64)> = Vec::new();
        let mut kept = Vec::new();
        for (off, len, seed) in writes {
            let va = base + off;
            let end = va + len as u64;
            if ty == KernelDumpType::Triage && used.iter().any(|&(s, e)| va < e && s < end) {
                continue;
            }
            used.push((va, end));
            let data: Vec<u8> = (0..len).map(|i| seed.wrapping_add(i as u8)).collect();
            for (i, &x) in data.iter().enumerate() {
                model.insert(va + i as u64, x);
            }
            b.map(va, &data);
            kept.push((va, len));
        }
        let d = KernelDump::from_bytes(b.write().unwrap()).unwrap();
        prop_assert!(d.warnings().is_empty());
        for (va, len) in kept {
            let mut got = vec![0u8; len];
            d.memory().read(va, &mut got).unwrap();
            let want: Vec<u8> = (0..len as u64).map(|i| model[&(va + i)]).collect();
            prop_assert_eq!(got, want);
        }
    }
}

fn seeds() -> &'static Vec<(String, Vec<u8>)> {
    static S: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    S.get_or_init(seed_dumps)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutations_never_panic(
        which in 0usize..64,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..24),
        cut in prop::option::of(any::<prop::sample::Index>()),
        probes in prop::collection::vec(any::<u64>(), 0..6),
    ) {
        let (_, base) = &seeds()[which % seeds().len()];
        let mut v = base.clone();
        for (at, byte, region) in edits {
            // Aim most edits at the headers and body structures, some anywhere.
            let limit = match region {
                0 => 0x100.min(v.len()),
                1 => 0x2100.min(v.len()),
                2 => 0x4000.min(v.len()),
                _ => v.len(),
            };
            let i = at.index(limit.max(1));
            if let Some(b) = v.get_mut(i) {
                *b = byte;
            }
        }
        if let Some(c) = cut {
            let n = c.index(v.len().max(1));
            v.truncate(n);
        }
        exercise_kernel_reader(v, &probes);
    }
}

#[test]
fn every_seed_opens_and_reads() {
    for (name, bytes) in seeds() {
        let d = KernelDump::from_bytes(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(d.drivers().unwrap().len(), 2, "{name}");
        assert_eq!(d.unloaded_drivers().unwrap().len(), 1, "{name}");
        exercise_kernel_reader(bytes.clone(), &[0, u64::MAX, 0xFFFF_F804_0000_1000]);
    }
}
