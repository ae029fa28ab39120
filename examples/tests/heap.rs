//! `dumpscope heap` on the real corpus dumps and PDBs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use common::{corpus_file, dumpscope, dumpscope_json};

const WOW64: &str = "user/win7-x64-wow64-hello-full.dmp";

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn list_json() {
    let Some(p) = corpus_file(WOW64) else { return };
    let v = dumpscope_json(&["heap", "--json", path(&p)]);
    let heaps = v["heaps"].as_array().unwrap();
    assert_eq!(heaps.len(), 1);
    let h = &heaps[0];
    assert_eq!(h["address"].as_u64(), Some(0x2d0000));
    assert_eq!(h["kind"], "nt");
    assert_eq!(h["width"], "x64");
    assert_eq!(h["flags"].as_u64(), Some(0x4000_0062));
    assert_eq!(h["front_end"], "none");
    assert!(
        h["layout"]
            .as_str()
            .unwrap()
            .starts_with("Windows 7 SP1 x64")
    );
}

#[test]
fn list_text_is_shaped_like_windbg() {
    let Some(p) = corpus_file(WOW64) else { return };
    let out = dumpscope(&["heap", path(&p)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Heap Address      NT/Segment Heap"), "{text}");
    assert!(text.contains("2d0000              NT Heap"), "{text}");
}

#[test]
fn entries_json_walks_the_whole_heap() {
    let Some(p) = corpus_file(WOW64) else { return };
    let v = dumpscope_json(&["heap", "--entries", "--json", path(&p)]);
    let h = &v["heaps"][0];
    assert_eq!(h["address"].as_u64(), Some(0x2d0000));
    assert!(h["findings"].as_array().unwrap().is_empty());
    assert!(h["virtual_blocks"].as_array().unwrap().is_empty());
    let seg = &h["segments"][0];
    assert_eq!(seg["address"].as_u64(), Some(0x2d0000));
    let e = seg["entries"].as_array().unwrap();
    assert_eq!(e.len(), 29);
    assert_eq!(e[0]["address"].as_u64(), Some(0x2d0000));
    assert_eq!(e[0]["size"].as_u64(), Some(0xa80));
    assert_eq!(e[0]["busy"], true);
    assert_eq!(e[0]["requested_size"].as_u64(), Some(0xa7f));
    // The 0x3f UnusedBytes escape.
    let odd = e
        .iter()
        .find(|x| x["address"].as_u64() == Some(0x2d32a0))
        .unwrap();
    assert_eq!(odd["requested_size"].as_u64(), Some(0x20));
    let free: Vec<_> = e.iter().filter(|x| x["busy"] == false).collect();
    assert_eq!(free.len(), 4);
    assert!(free.iter().all(|x| x["requested_size"].is_null()));
    let total: u64 = e.iter().map(|x| x["size"].as_u64().unwrap()).sum();
    assert_eq!(total, 0x4000);
    assert_eq!(seg["uncommitted"][0]["address"].as_u64(), Some(0x2d4000));
    assert_eq!(seg["uncommitted"][0]["size"].as_u64(), Some(0x7c000));

    // One heap by address gives the same.
    let one = dumpscope_json(&["heap", "--entries=0x2d0000", "--json", path(&p)]);
    assert_eq!(one["heaps"][0]["segments"], v["heaps"][0]["segments"]);
}

#[test]
fn entries_text_ends_with_the_uncommitted_range() {
    let Some(p) = corpus_file(WOW64) else { return };
    let out = dumpscope(&["heap", "--entries", path(&p)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("00000000`002d0000: 00000 . 00a80 [101] - busy (a7f)"),
        "{text}"
    );
    assert!(
        text.contains("00000000`002d3150: 00050 . 00030 [104]"),
        "{text}"
    );
    assert!(
        text.contains("00000000`002d4000:      0007c000      - uncommitted bytes."),
        "{text}"
    );
}

#[test]
fn summary_json_and_text() {
    let Some(p) = corpus_file(WOW64) else { return };
    let v = dumpscope_json(&["heap", "--summary", "--json", path(&p)]);
    let s = &v["heaps"][0];
    assert_eq!(s["reserved"].as_u64(), Some(0x80000));
    assert_eq!(s["committed"].as_u64(), Some(0x4000));
    assert_eq!(s["free"].as_u64(), Some(0x830));
    assert_eq!(s["free_list_length"].as_u64(), Some(4));
    assert_eq!(s["ucr_count"].as_u64(), Some(1));
    assert_eq!(s["virtual_blocks"].as_u64(), Some(0));
    assert_eq!(s["lfh"], false);
    let out = dumpscope(&["heap", "--summary", path(&p)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("NT HEAP STATS BELOW"));
    assert!(
        text.contains("00000000002d0000 40000062      512     16    512      2     4     1     0"),
        "{text}"
    );
}

#[test]
fn find_stat_and_filter() {
    let Some(p) = corpus_file(WOW64) else { return };
    let v = dumpscope_json(&["heap", "--find", "2d32b8", "--json", path(&p)]);
    assert_eq!(v["found"]["heap"].as_u64(), Some(0x2d0000));
    assert_eq!(v["found"]["segment"].as_u64(), Some(0x2d0000));
    assert_eq!(v["found"]["entry"]["address"].as_u64(), Some(0x2d32a0));
    assert_eq!(v["found"]["entry"]["user_address"].as_u64(), Some(0x2d32b0));
    let v = dumpscope_json(&["heap", "--find", "0x10", "--json", path(&p)]);
    assert!(v["found"].is_null());

    let v = dumpscope_json(&["heap", "--stat", "--heap", "2d0000", "--json", path(&p)]);
    let st = v["heaps"][0]["stats"].as_array().unwrap();
    assert_eq!(st[0]["size"].as_u64(), Some(0xcb4));
    let e0 = st
        .iter()
        .find(|x| x["size"].as_u64() == Some(0xe0))
        .unwrap();
    assert_eq!(
        (e0["count"].as_u64(), e0["total"].as_u64()),
        (Some(5), Some(0x460))
    );
    let out = dumpscope(&["heap", "--stat", path(&p)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("group-by: TOTSIZE max-display: 20"));
    assert!(text.contains("    e0 5 - 460  ("), "{text}");

    let v = dumpscope_json(&["heap", "--filter-size", "e0", "--json", path(&p)]);
    assert_eq!(v["entries"].as_array().unwrap().len(), 5);
    let v = dumpscope_json(&["heap", "--filter-size", "20-30", "--json", path(&p)]);
    let sizes: Vec<u64> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entry"]["requested_size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes.len(), 10);
    assert!(sizes.iter().all(|s| (0x20..=0x30).contains(s)));
}

#[test]
fn layout_from_the_dump_and_from_pdbs() {
    if let Some(p) = corpus_file(WOW64) {
        let v = dumpscope_json(&["heap", "--layout", "--json", path(&p)]);
        let l = &v["layouts"][0];
        assert_eq!(l["heap"].as_u64(), Some(0x2d0000));
        assert_eq!(
            l["structs"]["_HEAP"]["VirtualAllocdBlocks"].as_u64(),
            Some(0x118)
        );
    }
    for (pdb, width, vab, feh) in [
        (
            "pdb/win10-19041-x64-ntdll-96EF4ED5.pdb",
            "x64",
            0x110,
            0x198,
        ),
        ("pdb/win10-x86-wntdll-1C96EAD8.pdb", "x86", 0x9c, 0xe4),
    ] {
        let Some(p) = corpus_file(pdb) else { return };
        let v = dumpscope_json(&["heap", "--layout", "--pdb", path(&p), "--json"]);
        let l = &v["layouts"][0];
        assert!(l["heap"].is_null());
        assert_eq!(l["width"], width);
        assert_eq!(l["fields"]["_HEAP.VirtualAllocdBlocks"].as_u64(), Some(vab));
        assert_eq!(
            l["structs"]["_HEAP"]["VirtualAllocdBlocks"].as_u64(),
            Some(vab)
        );
        assert_eq!(l["structs"]["_HEAP"]["FrontEndHeap"].as_u64(), Some(feh));
        // A complete PDB: nothing taken from a built-in table.
        assert_eq!(l["fallback"], serde_json::json!([]));
        assert_eq!(l["name"], "from PDB");
    }
}

#[test]
fn x86_heap_with_missing_pages_is_not_reported_as_corrupt() {
    let Some(p) = corpus_file("user/win7-x86-notepad-heaphdr.dmp") else {
        return;
    };
    let v = dumpscope_json(&["heap", "--entries=8b0000", "--json", path(&p)]);
    let h = &v["heaps"][0];
    assert_eq!(h["address"].as_u64(), Some(0x8b0000));
    assert_eq!(h["width"], "x86");
    let f = h["findings"].as_array().unwrap();
    assert!(!f.is_empty());
    assert!(f.iter().all(|x| x["corruption"] == false), "{f:?}");
    assert_eq!(h["segments"][0]["entries"][0]["size"].as_u64(), Some(0x588));
}

#[test]
fn heap_regions_for_address_summary() {
    let Some(p) = corpus_file(WOW64) else { return };
    let dump = examples::target::UserDump::open(&p).unwrap();
    // The segment's reservation, then the heap's own header page: read from the segment
    // list without walking a block, the same as from the walks.
    let expected = vec![(0x2d0000, 0x80000), (0x2d0000, 1)];
    assert_eq!(dump.heap_regions(), expected.as_slice());
    assert_eq!(examples::user::address::heap_owners(dump.walks()), expected);
}

#[test]
fn bad_arguments_fail_with_one_line() {
    let Some(p) = corpus_file(WOW64) else { return };
    let out = dumpscope(&["heap", "--find", "xyz", path(&p)]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not a hex number"), "{err}");
}

/// A Windows 10 x64 process (synthetic dump): one heap with LFH carriers, a large block and an
/// uncommitted range, listed in the PEB.
fn synthetic_dump() -> (std::path::PathBuf, ntheap::synth::SynthHeap) {
    use dumpfile::synth::{SynthDump, SynthSystemInfo, SynthThread};
    use ntheap::synth::{Block, HeapBuilder, SegmentSpec};
    use ntheap::{HeapLayout, PointerWidth, Release};

    const HEAP: u64 = 0x1f1_adb9_0000;
    const PEB: u64 = 0x3d_d1ce_7000;
    const TEB: u64 = 0x3d_d1ce_8000;
    let h = HeapBuilder::new(
        HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64),
        HEAP,
    )
    .encoding(Some([0x3b, 0x89, 0x6c, 0x24, 0x9c, 0x67, 0, 0]))
    .lfh_key(0x4c4f_657e)
    .flags(0x0800_1002)
    .ust_frames(vec![0x7ffa_3a9c_26b1, 0x7ff6_dfe2_1680])
    .segment(
        SegmentSpec::new(vec![
            Block::busy(0x6f),
            Block::lfh(
                0x30,
                (0..40).map(|i| (i % 4 != 0).then_some(0x1f)).collect(),
            ),
            Block::free(0x200),
            Block::lfh(0x50, (0..20).map(|_| Some(0x40)).collect()),
            Block::busy(0x3d),
        ])
        .uncommitted_pages(0xb5b),
    )
    .large_block(0x100_0040)
    .build()
    .unwrap();
    let mut peb = vec![0u8; 0x1000];
    peb[0x30..0x38].copy_from_slice(&HEAP.to_le_bytes());
    peb[0xe8..0xec].copy_from_slice(&1u32.to_le_bytes());
    peb[0xec..0xf0].copy_from_slice(&16u32.to_le_bytes());
    peb[0xf0..0xf8].copy_from_slice(&(PEB + 0x800).to_le_bytes());
    peb[0x800..0x808].copy_from_slice(&HEAP.to_le_bytes());
    let mut teb = vec![0u8; 0x2000];
    teb[0x30..0x38].copy_from_slice(&TEB.to_le_bytes());
    teb[0x60..0x68].copy_from_slice(&PEB.to_le_bytes());
    let mut d = SynthDump::new(dumpfile::synth::SynthArch::X64)
        .full_memory()
        .system_info(SynthSystemInfo::default())
        .thread(SynthThread {
            id: 1,
            teb: TEB,
            ..SynthThread::default()
        })
        .memory(PEB, peb)
        .memory(TEB, teb);
    for (base, bytes) in &h.memory.regions {
        d = d.memory(*base, bytes.clone());
    }
    let path = std::env::temp_dir().join("ntheap-cli.dmp");
    std::fs::write(&path, d.write().unwrap()).unwrap();
    (path, h)
}

#[test]
fn synthetic_win10_heap_with_lfh_and_large_block() {
    let (p, h) = synthetic_dump();
    let v = dumpscope_json(&["heap", "--entries", "--json", path(&p)]);
    let heap = &v["heaps"][0];
    assert!(heap["findings"].as_array().unwrap().is_empty(), "{heap}");
    assert_eq!(heap["lfh_key"].as_u64(), Some(0x4c4f_657e));
    let lfh = heap["lfh_blocks"].as_array().unwrap();
    assert_eq!(lfh.len(), h.lfh_blocks.len());
    assert_eq!(lfh.iter().filter(|e| e["busy"] == true).count(), 50);
    assert!(lfh.iter().all(|e| e["front_end"] == true));
    let vb = &heap["virtual_blocks"][0];
    assert_eq!(vb["requested_size"].as_u64(), Some(0x100_0040));
    let seg = &heap["segments"][0];
    assert_eq!(seg["entries"].as_array().unwrap().len(), h.entries.len());
    assert_eq!(seg["uncommitted"][0]["size"].as_u64(), Some(0xb5b000));

    let v = dumpscope_json(&["heap", "--stat", "--json", path(&p)]);
    let st = v["heaps"][0]["stats"].as_array().unwrap();
    assert_eq!(st[0]["size"].as_u64(), Some(0x100_0040));
    let s40 = st
        .iter()
        .find(|x| x["size"].as_u64() == Some(0x40))
        .unwrap();
    assert_eq!(s40["count"].as_u64(), Some(20));
    let s21 = st
        .iter()
        .find(|x| x["size"].as_u64() == Some(0x1f))
        .unwrap();
    assert_eq!(s21["count"].as_u64(), Some(30));

    let v = dumpscope_json(&["heap", "--summary", "--json", path(&p)]);
    let s = &v["heaps"][0];
    assert_eq!(s["lfh"], true);
    assert_eq!(s["virtual_blocks"].as_u64(), Some(1));
    let out = dumpscope(&["heap", "--summary", path(&p)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("LFH"), "{text}");

    let b = h.lfh_blocks[1];
    let v = dumpscope_json(&[
        "heap",
        "--find",
        &format!("{:x}", b.address + 0x18),
        "--json",
        path(&p),
    ]);
    assert_eq!(v["found"]["entry"]["address"].as_u64(), Some(b.address));
    assert_eq!(v["found"]["entry"]["front_end"], true);
    // A +ust block: `!heap -p -a` shows the allocation stack.
    let e = h.entries[1];
    let v = dumpscope_json(&[
        "heap",
        "--find",
        &format!("{:x}", e.address + 0x40),
        "--json",
        path(&p),
    ]);
    assert_eq!(v["found"]["entry"]["address"].as_u64(), Some(e.address));
    assert_eq!(v["found"]["entry"]["requested_size"].as_u64(), Some(0x6f));
    let stack: Vec<u64> = v["stack"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(stack, [0x7ffa_3a9c_26b1, 0x7ff6_dfe2_1680]);
    let out = dumpscope(&[
        "heap",
        "--find",
        &format!("{:x}", e.address + 0x40),
        path(&p),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("allocation stack:") && text.contains("00007ff6`dfe21680"),
        "{text}"
    );
    let _ = std::fs::remove_file(&p);
}
