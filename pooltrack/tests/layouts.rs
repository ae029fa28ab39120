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
