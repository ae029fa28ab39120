//! Light page heap on a synthetic process leaking session records: `!heap -p` counts the
//! normal heap's page-heap blocks, `!heap -p -a` gives the block and the stack written,
//! `leak` names the leaking size, content and allocation stack, `!heap -l` finds exactly the
//! unreferenced records (as the program sees them).
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;
#[path = "common/light_page_heap_process.rs"]
mod light_page_heap_process;

use common::{dumpscope, dumpscope_json};
use light_page_heap_process as lp;

fn dump(name: &str) -> (std::path::PathBuf, lp::Process) {
    let dir = std::env::temp_dir().join(format!("dumpscope-light-page-heap-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session-svc.dmp");
    let p = lp::write(&path);
    (path, p)
}

#[test]
fn page_heap_list_counts_the_normal_heap_blocks() {
    let (path, p) = dump("list");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["heap", "--page-heap", "--json", d]);
    let h = &v["page_heaps"][0];
    assert_eq!(h["handle"].as_u64(), Some(lp::PAGE_HEAP));
    assert_eq!(h["normal_heap"].as_u64(), Some(lp::NORMAL_HEAP));
    assert_eq!(h["mode"], "light");
    let n = &h["normal"];
    let busy = (p.leaked.len() + p.referenced.len()) as u64;
    assert_eq!(n["busy_blocks"].as_u64(), Some(busy));
    assert_eq!(
        n["busy_bytes"].as_u64(),
        Some(p.leaked.len() as u64 * lp::RECORD + p.referenced.len() as u64 * 0x30)
    );
    assert_eq!(n["freed_blocks"].as_u64(), Some(p.freed.len() as u64));
    assert_eq!(n["other_blocks"].as_u64(), Some(1));
    assert_eq!(n["corrupt_blocks"].as_u64(), Some(0));
    let _ = std::fs::remove_file(&path);
}

#[test]
fn find_gives_the_block_and_the_stack_written() {
    let (path, p) = dump("find");
    let d = path.to_str().unwrap();
    for b in &p.light.blocks {
        let a = format!("{:x}", b.user_address + b.requested_size - 1);
        let v = dumpscope_json(&["heap", "--page-heap", "--find", &a, "--json", d]);
        let l = &v["light"];
        assert_eq!(l["user_address"].as_u64(), Some(b.user_address), "{v}");
        assert_eq!(l["requested_size"].as_u64(), Some(b.requested_size));
        assert_eq!(l["busy"].as_bool(), Some(b.busy));
        assert_eq!(l["entry"].as_u64(), Some(b.entry));
        let frames: Vec<u64> = l["stack"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["address"].as_u64().unwrap())
            .collect();
        assert_eq!(frames, b.stack);
    }
    // Through the WinDbg dispatch too.
    let cmd = format!("!heap -p -a {:x}", p.leaked[3]);
    let out = dumpscope(&[d, "-c", &cmd]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("NormalHeap of light page heap"), "{text}");
    assert!(text.contains("session-svc+0x1b40"), "{text}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn leak_names_the_records_and_their_stack() {
    let (path, p) = dump("leak");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["leak", "--json", d]);
    let s = &v["suspects"][0];
    assert_eq!(s["heap"].as_u64(), Some(lp::NORMAL_HEAP), "{s}");
    assert_eq!(s["size"].as_u64(), Some(lp::RECORD), "{s}");
    assert_eq!(s["count"].as_u64(), Some(p.leaked.len() as u64), "{s}");
    let c = v["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["size"].as_u64() == Some(lp::RECORD))
        .unwrap();
    assert_eq!(c["pattern"], "session %d: cache entry 0x%x", "{c}");
    let stack: Vec<u64> = c["allocation_stacks"][0]["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_u64().unwrap())
        .collect();
    assert_eq!(stack, lp::leak_stack());
    let evidence = s["evidence"].to_string();
    assert!(
        evidence.contains(&format!(
            "{} of them are reached by no root",
            p.leaked.len()
        )),
        "{evidence}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn heap_leaks_finds_exactly_the_unreferenced_records() {
    let (path, p) = dump("leaks");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["heap", "--leaks", "--json", d]);
    let got = common::leaked_blocks(&v);
    let mut want: Vec<(u64, u64, String)> = p
        .leaked
        .iter()
        .map(|a| (*a, lp::RECORD, "light".to_string()))
        .collect();
    // The block without block information is referenced by nothing either.
    want.push((p.light.plain[0], 0x40, "nt".to_string()));
    want.sort();
    assert_eq!(got, want);
    let _ = std::fs::remove_file(&path);
}
