//! `pool page` / `pool find` / `-c '!pool'` on the segment-heap pool scenario (x64 and x86
//! Windows 10 2004): the blocks the walk reports are those the builder laid out.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(o.status.success(), "{args:?}: {out}");
    out
}

#[test]
fn segment_heap_pool_pages_and_find() {
    pages_and_find(pooltrack::Arch::X64, 0xFFFF_C000_0400_0000);
}

#[test]
fn x86_segment_heap_pool_pages_and_find() {
    pages_and_find(pooltrack::Arch::X86, 0x9400_0000);
}

fn pages_and_find(arch: pooltrack::Arch, large: u64) {
    let s = examples::demo::kernel_scenarios_segment::segment_pool_for(arch).unwrap();
    let (_, placed) = pooltrack::synth::segment_heap_example_for(arch);
    let dir = std::env::temp_dir().join(format!("dumpscope-segpool-cli-{arch:?}"));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("segment-pool.dmp");
    std::fs::write(&p, &s.dump).unwrap();
    std::fs::write(examples::target::isf_path(&p), &s.isf).unwrap();
    let p = p.to_str().unwrap();
    let lfh = format!("{:x}", s.addresses["lfh"]);
    let v: serde_json::Value =
        serde_json::from_str(&run(&["pool", "page", p, &lfh, "--json"])).unwrap();
    let addrs: Vec<u64> = v["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_u64().unwrap())
        .collect();
    assert_eq!(addrs, placed.lfh_blocks);
    assert_eq!(v["allocations"][1]["tag"], "Leak");
    let vs = format!("{:x}", s.addresses["vs"]);
    let text = run(&[p, "-c", &format!("!pool {vs}")]);
    let held = format!("*{}", pooltrack::windbg_ptr(arch, placed.vs_blocks[2]));
    assert!(text.contains(&held), "{text}");
    assert!(text.contains("region is Nonpaged pool"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&run(&["pool", "find", p, "Leak", "--json"])).unwrap();
    let mut found: Vec<u64> = v["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["address"].as_u64().unwrap())
        .collect();
    found.sort_unstable();
    let mut want = vec![
        placed.lfh_blocks[1],
        placed.vs_blocks[0],
        placed.vs_blocks[2],
        large,
    ];
    want.sort_unstable();
    assert_eq!(found, want);
    let _ = std::fs::remove_dir_all(&dir);
}
