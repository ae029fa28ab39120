//! `dumpscope demo` plays five stories, each on dumps written by the crates' synthetic builders:
//! a D4C.exe-style heap leak, gigabytes in `VirtualAllocdBlocks` with `+ust`, a pool leak under
//! Driver Verifier (Windows 8.1 x86), a 0xD1 bugcheck in a driver, and a handle leak of
//! terminated threads (x86 server). Each conclusion is checked for the story's answer, and the
//! kernel `leak` report field by field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::process::Command;

use common::{dumpscope, dumpscope_json, fresh_dir};

fn has(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "lacks {n:?}:\n{text}");
    }
}

#[test]
fn no_arguments_plays_the_five_stories_with_their_conclusions() {
    let dir = fresh_dir("demo-five");
    let out = Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .env("TMPDIR", &dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let demo = dir.join("dumpscope-demo");
    for f in [
        "D4C-after.dmp",
        "large-blocks.dmp",
        "pool-verifier.dmp",
        "pool-verifier.dmp.isf.json",
        "NotMyFault-x64.dmp",
        "handle-leak.dmp",
    ] {
        assert!(demo.join(f).is_file(), "{f} not written");
    }
    let parts: Vec<&str> = text.split("\n\n").collect();
    let part = |name: &str| -> &str {
        parts
            .iter()
            .find(|p| p.contains(&format!(". {name}: ")))
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
    };
    has(
        part("heap-leak"),
        &["0x41f80", "==> Allocated addr: 0x%08x", "D4C+0x36b0"],
    );
    has(
        part("large-blocks"),
        &[
            "189 large VirtualAllocdBlocks blocks",
            "189 blocks of requested size 0x1000040",
            "allocated from D4C+0x1612",
        ],
    );
    has(
        part("pool-verifier"),
        &[
            "myfault.sys leaks pool",
            "10 allocations tagged Leak",
            "myfault!PoolLeak+0x21",
        ],
    );
    has(
        part("bugcheck-d1"),
        &[
            "DRIVER_IRQL_NOT_LESS_OR_EQUAL (d1)",
            "IMAGE_NAME: myfault.sys",
            "PROCESS_NAME: NotMyfault64.exe",
        ],
    );
    has(
        part("handle-leak"),
        &[
            "mydriver.sys",
            "143,425 TERMINATED threads",
            "mydriver!StatusWaitThread",
            "tag Thre",
            "iexplore.exe",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_five_stories_in_json() {
    let dir = fresh_dir("demo-five-json");
    let v = dumpscope_json(&["demo", "--json", "--out", dir.to_str().unwrap()]);
    let s = v["scenarios"].as_array().unwrap();
    let names: Vec<&str> = s.iter().map(|p| p["scenario"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "heap-leak",
            "large-blocks",
            "pool-verifier",
            "bugcheck-d1",
            "handle-leak"
        ]
    );
    assert!(
        s[3]["command"]
            .as_str()
            .unwrap()
            .starts_with("dumpscope analyze ")
    );
    for p in s {
        assert!(!p["conclusion"].as_str().unwrap().is_empty());
        assert!(!p["dumps"].as_array().unwrap().is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pool_verifier_leak_report_field_by_field() {
    let dir = fresh_dir("demo-pool-verifier");
    let v = dumpscope_json(&[
        "demo",
        "--scenario",
        "pool-verifier",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(v["scenario"], "pool-verifier");
    let l = &v["leak"];
    assert_eq!(l["kind"], "kernel");
    assert_eq!(l["arch"], "x86");
    assert_eq!(l["build"], 9600);
    assert_eq!(l["crash"]["bugcheck_code"], 0xc4);
    // Step 2: Leak tops the pool, paged, ten allocations of 0xfb000 bytes.
    let top = &l["pool"]["tags"][0];
    assert_eq!(top["tag"], "Leak");
    assert_eq!(top["pool"], "paged");
    assert_eq!(top["outstanding"], 10);
    assert_eq!(top["bytes"], 10 * 0xfb000);
    // Step 3: the tag in myfault.sys's code, inside PoolLeak.
    let o = &l["owners"][0];
    assert_eq!(o["tag"], "Leak");
    let r = &o["references"][0];
    assert_eq!(r["driver"], "myfault.sys");
    assert_eq!(r["rva"], 0x6638 + 0xf);
    assert_eq!(r["function"], "myfault!PoolLeak+0xf");
    assert_eq!(r["instruction"], "push imm32");
    // Step 4: the verifier's tracked allocations and their stack.
    let ver = &l["verifier"];
    assert_eq!(ver["pool_tracking"], true);
    assert_eq!(ver["drivers"][0], "myfault.sys");
    let g = &ver["groups"][0];
    assert_eq!(g["driver"], "myfault.sys");
    assert_eq!(g["tag"], "Leak");
    assert_eq!(g["caller"], "myfault!PoolLeak+0x21");
    assert_eq!(g["count"], 10);
    assert_eq!(g["sizes"][0], 0xfb000);
    let stack = ver["stacks"][0]["stack"].as_array().unwrap();
    assert!(stack.iter().any(|f| f == "myfault!PoolLeak+0x21"));
    assert_eq!(ver["stacks"][0]["addresses"][0], 0x9d2f_b000_u64);
    // Not an object type: no handle walk.
    assert!(l["objects"].is_null());
    let s = &l["suspects"][0];
    assert_eq!(s["rank"], 1);
    assert_eq!(s["driver"], "myfault.sys");
    assert_eq!(s["function"], "myfault!PoolLeak+0x21");
    assert_eq!(s["count"], 10);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn handle_leak_leak_report_field_by_field() {
    let dir = fresh_dir("demo-handle-leak");
    let v = dumpscope_json(&[
        "demo",
        "--scenario",
        "handle-leak",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let l = &v["leak"];
    assert_eq!(l["build"], 3790);
    assert_eq!(l["vm"]["pressure"], "non_paged");
    assert!(l["vm"]["failed_allocations"].as_u64().unwrap() > 0);
    assert_eq!(l["pool"]["ranked"], "non_paged");
    assert_eq!(l["pool"]["tags"][0]["tag"], "Thre");
    let o = &l["objects"];
    assert_eq!(o["type_name"], "Thread");
    assert_eq!(o["top_processes"][0]["image"], "iexplore.exe");
    assert_eq!(o["top_processes"][0]["handles"], 143_428);
    let h = &o["holders"][0];
    assert_eq!(h["image"], "iexplore.exe");
    assert_eq!(h["of_type"], 143_425);
    assert_eq!(h["dead"], 143_425);
    assert_eq!(h["creators"][0]["symbol"], "mydriver!StatusWaitThread");
    assert_eq!(h["creators"][0]["driver"], "mydriver.sys");
    assert_eq!(h["creators"][0]["dead"], 143_425);
    // The example is a thread `!thread` shows TERMINATED at mydriver!StatusWaitThread.
    let example = format!("{:x}", h["example"].as_u64().unwrap());
    let dump = v["dump"].as_str().unwrap();
    let t = dumpscope(&["thread", dump, &example]);
    let t = String::from_utf8(t.stdout).unwrap();
    has(&t, &["TERMINATED", "mydriver!StatusWaitThread"]);
    let s = &l["suspects"][0];
    assert_eq!(s["driver"], "mydriver.sys");
    assert_eq!(s["process"], "iexplore.exe");
    assert_eq!(s["tag"], "Thre");
    assert_eq!(s["dead"], 143_425);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn large_blocks_are_found_with_their_stack_though_heap_s_commit_misses_them() {
    let dir = fresh_dir("demo-large-blocks");
    let v = dumpscope_json(&[
        "demo",
        "--scenario",
        "large-blocks",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let l = &v["leak"];
    let heap = l["heaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["virtual_blocks"] == 189)
        .expect("the heap with the large blocks");
    // `!heap -s` commit (the segments) is small; the large blocks hold gigabytes.
    assert!(heap["committed"].as_u64().unwrap() < 1 << 20);
    assert_eq!(heap["virtual_block_bytes"], 189 * 0x100_1000_u64);
    let top = &l["sizes"][0];
    assert_eq!(top["size"], 0x100_0040);
    assert_eq!(top["count"], 189);
    assert_eq!(top["virtual_blocks"], 189);
    let c = &l["contents"][0];
    // No root reaches the leaked blocks (`!heap -l` as evidence).
    let evidence = l["suspects"][0]["evidence"].as_array().unwrap();
    assert!(
        evidence.iter().any(|e| e
            .as_str()
            .unwrap()
            .starts_with("189 of them are reached by no root")),
        "{evidence:?}"
    );
    // Every sampled block has the one stack.
    assert_eq!(c["allocation_stacks"][0]["count"], c["sampled"]);
    assert!(
        c["allocation_stacks"][0]["frames"][0]
            .as_str()
            .unwrap()
            .starts_with("D4C+0x1612")
    );
    // The dump holds only each block's first page.
    assert!(v["dump_bytes"].as_u64().unwrap() < 64 << 20);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kernel_leak_on_a_triage_dump_says_what_it_lacks() {
    let dir = fresh_dir("demo-triage-leak");
    let s = examples::demo::bugcheck_d1(dumpfile::synth::kernel::KernelArch::X64).unwrap();
    let p = dir.join("d1.dmp");
    std::fs::write(&p, &s.bytes).unwrap();
    let out = dumpscope(&["leak", p.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    has(
        &text,
        &[
            "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
            "IMAGE_NAME:  myfault.sys",
            "a triage dump holds the crashing thread, processes and drivers but no pool",
            "Conclusion: No pool data in this dump",
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kernel_leak_on_every_corpus_kernel_dump_reports() {
    let dir = common::corpus().join("kernel");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIP: {} is absent", dir.display());
        return;
    };
    let mut seen = 0;
    for e in entries {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("dmp") {
            continue;
        }
        seen += 1;
        let out = dumpscope(&["leak", p.to_str().unwrap()]);
        assert!(out.status.success(), "{}: {:?}", p.display(), out);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("\nConclusion: "), "{}:\n{text}", p.display());
        let v = dumpscope_json(&["leak", "--json", p.to_str().unwrap()]);
        assert_eq!(v["kind"], "kernel");
        assert!(
            v["crash"].is_object()
                || !v["lacks"].as_array().unwrap().is_empty()
                || v["pool"].is_object()
        );
    }
    if seen == 0 {
        eprintln!("SKIP: no kernel dumps in {}", dir.display());
    }
}

#[test]
fn kernel_leak_without_pool_data_still_finds_the_handle_leak() {
    // The x64 Windows 10 and Windows 7 handle-leak dumps carry the objects but no pool
    // trackers: the process with the most handles is followed all the same.
    use examples::demo::kernel_scenarios_x64::{Flavor, write_handle_leak_on};
    let dir = fresh_dir("leak-no-pool");
    for flavor in [Flavor::X64Win10, Flavor::X64Win7] {
        let p = dir.join(format!("{}.dmp", flavor.name()));
        write_handle_leak_on(flavor, 50, &p).unwrap();
        let v = dumpscope_json(&["leak", "--json", p.to_str().unwrap()]);
        assert!(v["pool"].is_null(), "{}", flavor.name());
        let o = &v["objects"];
        assert_eq!(o["from_pool"], false);
        assert_eq!(o["type_name"], "Thread");
        assert_eq!(o["holders"][0]["image"], "iexplore.exe");
        assert_eq!(o["holders"][0]["dead"], 50);
        let s = &v["suspects"][0];
        assert_eq!(s["driver"], "mydriver.sys");
        assert_eq!(s["function"], "mydriver!StatusWaitThread");
        let c = v["conclusion"].as_str().unwrap();
        assert!(c.contains("50 TERMINATED threads"), "{c}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
