//! `dumpscope diff` on the demo's before/after pair names the leaking size and string.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{dumpscope, dumpscope_json};

#[test]
fn diff_of_the_demo_pair_names_the_leaking_size_and_string() {
    let dir = common::heap_leak_demo("diff");
    let before = dir.join("D4C-before.dmp");
    let after = dir.join("D4C-after.dmp");
    let (b, a) = (before.to_str().unwrap(), after.to_str().unwrap());

    let v = dumpscope_json(&["diff", "--json", b, a]);
    assert_eq!(v["regions"][0]["name"], "Heap");
    assert!(v["regions"][0]["size"]["delta"].as_i64().unwrap() > 0);
    let h = &v["heaps"][0];
    assert_eq!(h["address"].as_u64(), Some(0x1f1_adb9_0000));
    assert_eq!(h["segments"]["before"].as_u64(), Some(4));
    assert_eq!(h["segments"]["after"].as_u64(), Some(40));
    let s = &v["sizes"][0];
    assert_eq!(s["size"].as_u64(), Some(0x41f80));
    assert_eq!(s["count"]["before"].as_u64(), Some(8));
    assert_eq!(s["count"]["after"].as_u64(), Some(80));
    assert_eq!(s["count"]["delta"].as_i64(), Some(72));
    assert_eq!(s["total"]["delta"].as_i64(), Some(72 * 0x41f80));
    assert_eq!(v["sizes"].as_array().unwrap().len(), 1, "nothing else grew");
    let g = &v["signatures"][0];
    assert_eq!(g["signature"], "text: ==> Allocated addr: 0x%x");
    assert_eq!(g["count"]["delta"].as_i64(), Some(72));
    assert!(
        v["different_processes"].is_null(),
        "one process at two moments"
    );
    let c = v["conclusion"].as_str().unwrap();
    assert!(c.contains("0x41f80"), "{c}");
    assert!(c.contains("\"==> Allocated addr: 0x%x\""), "{c}");

    // Reversed, the same blocks shrink.
    let r = dumpscope_json(&["diff", "--json", a, b]);
    assert_eq!(r["sizes"][0]["count"]["delta"].as_i64(), Some(-72));

    let text = dumpscope(&["diff", b, a]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("(+72 allocs) size 0x41f80"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_of_a_corpus_dump_with_itself_shows_no_growth() {
    let Some(p) = common::corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let p = p.to_str().unwrap();
    let v = dumpscope_json(&["diff", "--json", p, p]);
    assert!(v["sizes"].as_array().unwrap().is_empty());
    assert!(v["signatures"].as_array().unwrap().is_empty());
    assert!(
        v["regions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["size"]["delta"].as_i64() == Some(0))
    );
}

#[test]
fn diff_of_dumps_of_different_processes_says_so_first() {
    let Some(other) = common::corpus_file("user/win7-x64-notepad.dmp") else {
        return;
    };
    let dir = common::heap_leak_demo("diff-unrelated");
    let after = dir.join("D4C-after.dmp");
    let (o, a) = (other.to_str().unwrap(), after.to_str().unwrap());
    let text = String::from_utf8(dumpscope(&["diff", o, a]).stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "These dumps are not of one process (image notepad.exe vs d4c.exe, process id 0x1528 vs 0x159c, OS build 7601 vs 19041): growth from one to the other would compare unrelated processes."
    );
    assert!(!text.contains("Growth by heap"), "{text}");
    let v = dumpscope_json(&["diff", "--json", o, a]);
    assert_eq!(v["different_processes"].as_str(), Some(first));
    assert_eq!(v["conclusion"].as_str(), Some(first));
    let _ = std::fs::remove_dir_all(&dir);
}
