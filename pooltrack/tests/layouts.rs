//! The built-in kernel layout tables against the PDB-derived truth of
//! `../shared/corpus/kernel-layouts/` (skipped with a visible SKIP when absent).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod layout_corpus;

use pooltrack::{Arch, KernelBuild};

#[test]
fn vergilius_parser_reads_pool_header_x86() {
    let truths = layout_corpus::truths();
    let Some(t) = truths
        .iter()
        .find(|t| t.file == "win7-7601-x86-vergilius.h")
    else {
        return;
    };
    let ph = t.layouts.get("_POOL_HEADER").unwrap();
    assert_eq!(ph.size, 8);
    assert_eq!(ph.field("BlockSize").unwrap().offset, 2);
    assert_eq!(ph.field("PoolTag").unwrap().offset, 4);
    // Named nested block: one field, members not promoted.
    let p = t.layouts.get("PROCESSOR_IDLESTATE_POLICY").unwrap();
    assert_eq!(p.field("Flags").unwrap().offset, 2);
    assert!(p.field("AsUSHORT").is_none());
    assert_eq!(t.build, KernelBuild::new(Arch::X86, 7601));
}

#[test]
fn builtin_tables_match_pdb_truth() {
    let n = layout_corpus::check_all(|b| Some(pooltrack::pool_layouts(b)));
    if layout_corpus::layouts_dir().is_some() {
        assert!(n > 50, "only {n} fields compared");
    }
}

/// The segment-heap pool tables against the corpus: every type in the Windows 11 22000 ISF and
/// the 22631 Vergilius header (through `pool_layouts`), and the types the kernel shares with
/// `ntdll` against the 19041 `ntdll.pdb` (feature `pdb`).
#[test]
fn segment_heap_tables_match_pdb_truth() {
    let truths = layout_corpus::truths();
    let mut w11 = false;
    for t in &truths {
        let Some(ours) = pooltrack::SegmentHeapLayouts::for_build(t.build) else {
            continue;
        };
        if t.file.starts_with("win11-22000") {
            w11 = true;
            for ty in ours.type_layouts() {
                assert!(
                    t.layouts.get(&ty.name).is_some(),
                    "{} lacks {}",
                    t.file,
                    ty.name
                );
            }
        }
    }
    if !w11 {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIP: win11-22000 ISF not in the corpus (or feature isf off)\n",
        );
    }
    #[cfg(feature = "pdb")]
    {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/pdb/win10-19041-x64-ntdll-96EF4ED5.pdb");
        if !p.is_file() {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"SKIP: 19041 ntdll.pdb not in the corpus\n",
            );
            return;
        }
        let truth = pooltrack::KernelLayouts::from_pdb_bytes(&std::fs::read(p).unwrap()).unwrap();
        let ours =
            pooltrack::SegmentHeapLayouts::for_build(KernelBuild::new(Arch::X64, 19041)).unwrap();
        let mut l = pooltrack::KernelLayouts::new();
        let mut compared = 0;
        for ty in ours.type_layouts() {
            if truth.get(&ty.name).is_some() {
                compared += 1;
                l.insert(ty);
            }
        }
        // Everything but the kernel-only _EX_POOL_HEAP_MANAGER_STATE / _EX_HEAP_POOL_NODE.
        assert_eq!(compared, 8);
        let bad = l.check(&truth);
        assert!(bad.is_empty(), "19041 ntdll.pdb differs: {bad:?}");

        // x86: the same eight types against the 19041 wntdll.pdb; and `NumberOfPools` right
        // after the kernel's `_RTLP_HP_HEAP_MANAGER`, whose size ntdll's gives (x64: 0x38D0 in
        // both the 19041 ntdll.pdb and the 19041 kernel table).
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/pdb/win10-x86-wntdll-1C96EAD8.pdb");
        if !p.is_file() {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                b"SKIP: 19041 wntdll.pdb not in the corpus\n",
            );
            return;
        }
        let truth86 = pooltrack::KernelLayouts::from_pdb_bytes(&std::fs::read(p).unwrap()).unwrap();
        let ours86 =
            pooltrack::SegmentHeapLayouts::for_build(KernelBuild::new(Arch::X86, 19041)).unwrap();
        let mut l = pooltrack::KernelLayouts::new();
        let mut compared = 0;
        for ty in ours86.type_layouts() {
            if truth86.get(&ty.name).is_some() {
                compared += 1;
                l.insert(ty);
            }
        }
        assert_eq!(compared, 8);
        let bad = l.check(&truth86);
        assert!(bad.is_empty(), "19041 wntdll.pdb differs: {bad:?}");
        for (truth, ours) in [(&truth, &ours), (&truth86, &ours86)] {
            let manager = truth.get("_RTLP_HP_HEAP_MANAGER").unwrap().size;
            assert_eq!(ours.pool_state.number_of_pools.unwrap().offset, manager);
        }
        assert_eq!(
            (
                ours86.pool_nodes(Arch::X86),
                ours86.special_heaps(Arch::X86)
            ),
            (16, 3)
        );
        assert_eq!(
            (ours.pool_nodes(Arch::X64), ours.special_heaps(Arch::X64)),
            (64, 4)
        );
        // With the 22000 ISF (whole arrays stated): 64 nodes, 4 special heaps.
        let mut w11 =
            pooltrack::SegmentHeapLayouts::for_build(KernelBuild::new(Arch::X64, 22000)).unwrap();
        for t in &truths {
            if t.file.starts_with("win11-22000") {
                w11.update_from(&t.layouts);
                assert_eq!(
                    (w11.pool_nodes(Arch::X64), w11.special_heaps(Arch::X64)),
                    (64, 4)
                );
            }
        }
    }
}
