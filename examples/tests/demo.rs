//! `dumpscope demo`: the conclusion of a D4C.exe-style heap leak from synthetic dumps, its text
//! checked for the findings that matter (the whole output is held by `testfiles/demo/demo.txt`,
//! see `tests/testfiles.rs`), and the JSON checked field by field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::path::Path;

use common::{dumpscope, fresh_dir};

#[test]
fn demo_text_names_the_findings() {
    let dir = fresh_dir("demo-text");
    let out = dumpscope(&[
        "demo",
        "--scenario",
        "heap-leak",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace(dir.to_str().unwrap(), "<DIR>");
    // The scenario's conclusion, whatever the golden file says.
    for needle in [
        "-> Heap dominates",
        "-> heap 000001f1`adb90000 is the largest: 40 segments",
        "size 0x41f80",
        "\"==> Allocated addr: 0x%08x\\n\" at D4C+0x36b0",
        "referenced by code at D4C+0x161d",
        "in function D4C+0x15a0",
        "thread 1 (id 2390)",
        "D4C+0x1680",
    ] {
        assert!(
            text.contains(needle),
            "demo output lacks {needle:?}:\n{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_json_names_heap_size_string_location_code_and_thread() {
    let dir = fresh_dir("demo-json");
    let v = common::dumpscope_json(&[
        "demo",
        "--scenario",
        "heap-leak",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(Path::new(v["before"].as_str().unwrap()).is_file());
    assert!(Path::new(v["after"].as_str().unwrap()).is_file());
    assert!(v["after_bytes"].as_u64().unwrap() > v["before_bytes"].as_u64().unwrap());
    let l = &v["leak"];
    assert_eq!(l["arch"], "x64");
    assert_eq!(l["pointer_size"].as_u64(), Some(8));
    // Step 1.
    assert_eq!(l["regions"]["source"], "MemoryInfoList");
    assert_eq!(l["regions"]["dominant"], "Heap");
    let heap_row = &l["regions"]["usage"][0];
    assert_eq!(heap_row["name"], "Heap");
    assert!(heap_row["percent_of_busy_x100"].as_u64().unwrap() > 9000);
    // Step 2.
    assert_eq!(l["grown_heap"].as_u64(), Some(0x1f1_adb9_0000));
    let heaps = l["heaps"].as_array().unwrap();
    assert_eq!(heaps.len(), 3);
    assert_eq!(heaps[0]["address"].as_u64(), Some(0x1f1_adb9_0000));
    assert_eq!(heaps[0]["segments"].as_u64(), Some(40));
    assert_eq!(heaps[0]["bits"].as_u64(), Some(64));
    assert!(heaps[0]["error"].is_null());
    assert_eq!(heaps[0]["corruption"].as_u64(), Some(0));
    assert!(
        heaps
            .iter()
            .any(|h| h["virtual_blocks"].as_u64() == Some(1)),
        "the large block on VirtualAllocdBlocks is counted"
    );
    // Step 3.
    let top = &l["sizes"][0];
    assert_eq!(top["heap"].as_u64(), Some(0x1f1_adb9_0000));
    assert_eq!(top["size"].as_u64(), Some(0x41f80));
    assert_eq!(top["count"].as_u64(), Some(80));
    assert_eq!(top["total"].as_u64(), Some(80 * 0x41f80));
    // Steps 4 and 5.
    let c = &l["contents"][0];
    assert_eq!(c["size"].as_u64(), Some(0x41f80));
    assert_eq!(c["sampled"].as_u64(), Some(32));
    assert_eq!(c["pattern"], "==> Allocated addr: 0x%x");
    assert!(
        c["ascii_prefix"]
            .as_str()
            .unwrap()
            .starts_with("==> Allocated addr: 0x")
    );
    assert_eq!(c["searched"], "==> Allocated addr: 0x");
    let loc = &c["locations"][0];
    assert_eq!(loc["module"], "D4C");
    assert_eq!(loc["section"], ".rdata");
    assert_eq!(loc["rva"].as_u64(), Some(0x36b0));
    assert_eq!(loc["address"].as_u64(), Some(0x7ff6_dfe2_36b0));
    assert_eq!(loc["location"], "D4C+0x36b0");
    assert_eq!(loc["text"], "==> Allocated addr: 0x%08x\\n");
    let r = &loc["references"][0];
    assert_eq!(r["rva"].as_u64(), Some(0x161d));
    assert_eq!(r["location"], "D4C+0x161d");
    assert_eq!(r["kind"], "RipRelative");
    assert_eq!(r["function"], "D4C+0x15a0");
    // Step 6.
    assert_eq!(l["threads"]["times_available"], true);
    let busy = &l["threads"]["busiest"][0];
    assert_eq!(busy["index"].as_u64(), Some(1));
    assert_eq!(busy["id"].as_u64(), Some(0x2390));
    assert_eq!(busy["kernel_time"].as_u64(), Some(987_030_000));
    assert_eq!(busy["frames"][0], "D4C+0x1680");
    // Suspects.
    let s = &l["suspects"][0];
    assert_eq!(s["rank"].as_u64(), Some(1));
    assert_eq!(s["size"].as_u64(), Some(0x41f80));
    assert_eq!(s["bytes"].as_u64(), Some(80 * 0x41f80));
    let evidence: Vec<&str> = s["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(evidence.iter().any(|e| e.contains("D4C+0x36b0")));
    assert!(evidence.iter().any(|e| e.contains("D4C+0x161d")));
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("thread 1 (id 2390) is running that function"))
    );
    assert!(l["lacks"].as_array().unwrap().is_empty(), "{}", l["lacks"]);
    // And the growth from the "before" dump.
    let d = &v["diff"];
    assert_eq!(d["sizes"][0]["size"].as_u64(), Some(0x41f80));
    assert_eq!(d["sizes"][0]["count"]["delta"].as_i64(), Some(72));
    assert_eq!(
        d["signatures"][0]["signature"],
        "text: ==> Allocated addr: 0x%x"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_dumps_read_cleanly_with_the_other_commands() {
    let dir = common::heap_leak_demo("demo-cmds");
    let after = dir.join("D4C-after.dmp");
    let a = after.to_str().unwrap();
    let v = common::dumpscope_json(&["runaway", "--json", a]);
    assert_eq!(v["kernel"][0]["id"].as_u64(), Some(0x2390));
    let v = common::dumpscope_json(&["address", "--summary", "--json", a]);
    assert_eq!(v["usage"][0]["name"], "Heap");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_with_ust_shows_the_allocation_stack() {
    let dir = fresh_dir("demo-ust");
    let v = common::dumpscope_json(&["demo", "--ust", "--json", "--out", dir.to_str().unwrap()]);
    let c = &v["leak"]["contents"][0];
    assert_eq!(c["size"].as_u64(), Some(0x41f80));
    let st = &c["allocation_stacks"][0];
    assert_eq!(st["count"].as_u64(), Some(32));
    assert_eq!(st["frames"][0], "D4C+0x1612");
    assert_eq!(st["function"], "D4C+0x15a0");
    assert_eq!(st["addresses"][0].as_u64(), Some(0x7ff6_dfe2_1612));
    // The content analysis still sees the text behind the +ust trace header.
    assert_eq!(c["pattern"], "==> Allocated addr: 0x%x");
    assert!(
        v["leak"]["conclusion"]
            .as_str()
            .unwrap()
            .contains("allocated from D4C+0x1612")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_with_objects_names_the_class_and_its_constructor() {
    let dir = fresh_dir("demo-objects");
    let v = common::dumpscope_json(&[
        "demo",
        "--objects",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let c = &v["leak"]["contents"][0];
    assert_eq!(c["size"].as_u64(), Some(0x41f80));
    let p = &c["pointer"];
    assert_eq!(p["offset"].as_u64(), Some(0));
    assert_eq!(p["value"].as_u64(), Some(0x7ff6_dfe2_3430));
    assert_eq!(p["location"], "D4C+0x3430");
    assert_eq!(p["same_in_all"], true);
    assert_eq!(p["class"], "d4c::Record");
    assert_eq!(p["references"][0]["location"], "D4C+0x1500");
    assert_eq!(p["references"][0]["function"], "D4C+0x1500");
    // The text after the vtable is still found, and still leads to D4C+0x36b0.
    assert_eq!(c["text_offset"].as_u64(), Some(8));
    assert_eq!(c["pattern"], "==> Allocated addr: 0x%x");
    assert_eq!(c["locations"][0]["location"], "D4C+0x36b0");
    assert!(
        v["leak"]["conclusion"]
            .as_str()
            .unwrap()
            .contains("objects of class d4c::Record")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn heap_leaks_groups_the_unreached_blocks_by_size_and_content() {
    let dir = common::heap_leak_demo("demo-heap-leaks");
    let after = dir.join("D4C-after.dmp");
    let v = common::dumpscope_json(&["heap", "--leaks", "--json", after.to_str().unwrap()]);
    let g = &v["by_size"][0];
    assert_eq!(g["size"].as_u64(), Some(0x41f80));
    assert_eq!(g["count"].as_u64(), Some(80));
    assert_eq!(g["content"], "text: ==> Allocated addr: 0x%x");
    assert_eq!(
        (g["matching"].as_u64(), g["sampled"].as_u64()),
        (Some(8), Some(8))
    );
    let _ = std::fs::remove_dir_all(&dir);
}
