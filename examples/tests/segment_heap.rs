//! Segment-heap blocks (VS chunks, LFH blocks, back-end and large allocations) reach the
//! commands that use heap blocks: `heap --stat`, `--find`, `--filter-size`, `--entries` and
//! `leak`, on a synthetic process whose segment heap was built block by block.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;
#[path = "common/synth_process.rs"]
mod synth_process;

use std::collections::BTreeMap;

use common::{dumpscope, dumpscope_json};
use ntheap::SegmentBlockKind;

fn dump(name: &str) -> (std::path::PathBuf, synth_process::Process) {
    synth_process::write_temp(&format!("dumpscope-segment-heap-{name}"))
}

/// requested size -> busy blocks, as built (page segments and large allocations).
fn built_sizes(p: &synth_process::Process) -> BTreeMap<u64, u64> {
    let mut m = BTreeMap::new();
    for r in p
        .segment
        .blocks
        .iter()
        .filter_map(|b| b.requested)
        .chain(p.segment.large.iter().map(|l| l.1))
    {
        *m.entry(r).or_insert(0) += 1;
    }
    m
}

#[test]
fn heap_stat_counts_the_segment_heap_blocks_as_built() {
    let (path, p) = dump("stat");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["heap", "--stat", "--json", d]);
    let s = &v["segment_heaps"];
    assert_eq!(s.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(s[0]["address"].as_u64(), Some(p.segment.address));
    let got: BTreeMap<u64, u64> = s[0]["stats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["size"].as_u64().unwrap(), x["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, built_sizes(&p));
    assert!(s[0].get("notes").is_none(), "{s}");
    let text = String::from_utf8(dumpscope(&["heap", "--stat", d]).stdout).unwrap();
    assert!(
        text.contains(&format!(
            " heap @ {:08x}`{:08x} (segment heap)",
            p.segment.address >> 32,
            p.segment.address & 0xffff_ffff
        )),
        "{text}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn find_filter_and_entries_see_segment_heap_blocks() {
    let (path, p) = dump("find");
    let d = path.to_str().unwrap();
    for kind in [
        SegmentBlockKind::Vs,
        SegmentBlockKind::Lfh,
        SegmentBlockKind::Backend,
    ] {
        let b = p
            .segment
            .blocks
            .iter()
            .find(|b| b.kind == kind && b.busy)
            .unwrap();
        let a = format!("{:x}", b.user_address + 3);
        let v = dumpscope_json(&["heap", "--find", &a, "--json", d]);
        assert_eq!(v["found"]["heap"].as_u64(), Some(p.segment.address), "{v}");
        assert_eq!(v["found"]["entry"]["address"].as_u64(), Some(b.address));
        assert_eq!(
            v["found"]["entry"]["user_address"].as_u64(),
            Some(b.user_address)
        );
        assert_eq!(v["found"]["entry"]["requested_size"].as_u64(), b.requested);
        assert_eq!(v["segment_heap_block"].as_str(), Some(kind.name()));
    }
    // --filter-size: the busy segment-heap blocks of that requested size.
    let v = dumpscope_json(&["heap", "--filter-size", "58", "--json", d]);
    let mut got: Vec<u64> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["heap"].as_u64() == Some(p.segment.address))
        .map(|e| e["entry"]["user_address"].as_u64().unwrap())
        .collect();
    got.sort_unstable();
    let want: Vec<u64> = p
        .segment
        .blocks
        .iter()
        .filter(|b| b.requested == Some(0x58))
        .map(|b| b.user_address)
        .collect();
    assert_eq!(got, want);
    // --entries (!heap -a): every block, busy and free, with the keys recovered.
    let v = dumpscope_json(&["heap", "--entries", "--json", d]);
    let s = &v["segment_heaps"][0];
    assert_eq!(s["heap_key"].as_u64(), Some(p.segment.heap_key));
    assert_eq!(s["lfh_key"].as_u64(), Some(p.segment.lfh_key));
    let blocks = s["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), p.segment.blocks.len() + p.segment.large.len());
    for (got, want) in blocks.iter().zip(&p.segment.blocks) {
        assert_eq!(got["kind"].as_str(), Some(want.kind.name()));
        assert_eq!(got["entry"]["address"].as_u64(), Some(want.address));
        assert_eq!(got["entry"]["busy"].as_bool(), Some(want.busy));
    }
    let text = String::from_utf8(dumpscope(&["heap", "--entries", d]).stdout).unwrap();
    assert!(text.contains("Blocks of segment heap"), "{text}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn leak_counts_the_segment_heap() {
    let (path, p) = dump("leak");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["leak", "--json", d]);
    let row = v["leak"]["heaps"]
        .as_array()
        .or_else(|| v["heaps"].as_array())
        .unwrap()
        .iter()
        .find(|h| h["address"].as_u64() == Some(p.segment.address))
        .unwrap()
        .clone();
    let sizes = built_sizes(&p);
    assert_eq!(
        row["busy_blocks"].as_u64(),
        Some(sizes.values().sum::<u64>()),
        "{row}"
    );
    let bytes: u64 = sizes.iter().map(|(s, n)| s * n).sum();
    assert_eq!(row["busy_bytes"].as_u64(), Some(bytes));
    assert!(row["error"].is_null(), "{row}");
    let _ = std::fs::remove_file(&path);
}

/// With ntdll's PDB on the symbol path, the keys are read from `ntdll!RtlpHpHeapGlobals`
/// (given to the walk, not recovered), and the listing says where.
#[test]
fn the_keys_come_from_ntdll_when_its_pdb_is_on_the_symbol_path() {
    let Some(pdb) = common::corpus_file("pdb/win10-19041-x64-ntdll-96EF4ED5.pdb") else {
        return;
    };
    let layouts = pooltrack::KernelLayouts::from_pdb_bytes(&std::fs::read(&pdb).unwrap()).unwrap();
    let rva = *layouts.symbols.get("RtlpHpHeapGlobals").unwrap();
    let dir = std::env::temp_dir().join("dumpscope-segment-heap-ntdll-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.dmp");
    let p = synth_process::write_with_ntdll_globals(&path, rva);
    let d = path.to_str().unwrap();
    let symbols = pdb.parent().unwrap().to_str().unwrap();
    let text =
        String::from_utf8(dumpscope(&["--symbol-path", symbols, "heap", "--entries", d]).stdout)
            .unwrap();
    assert!(
        text.contains(&format!(
            "HeapKey:              {:x} (Given",
            synth_process::SEGMENT_KEYS.0
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Keys given:           ntdll!RtlpHpHeapGlobals at {:#x} (from ",
            synth_process::NTDLL + rva
        )),
        "{text}"
    );
    // The walk with the given keys is the walk as built.
    let v = dumpscope_json(&["--symbol-path", symbols, "heap", "--entries", "--json", d]);
    let s = &v["segment_heaps"][0];
    assert_eq!(s["heap_key"].as_u64(), Some(p.segment.heap_key));
    assert_eq!(
        s["blocks"].as_array().unwrap().len(),
        p.segment.blocks.len() + p.segment.large.len()
    );
    // Without the symbol path, the same keys are recovered.
    let text = String::from_utf8(dumpscope(&["heap", "--entries", d]).stdout).unwrap();
    assert!(text.contains("(Recovered"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
