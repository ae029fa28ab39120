//! Full page heap (`+hpa`), `!heap -l` and segment heaps in `!heap -s` on a synthetic process: what the CLI reports equals
//! what was built.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;
#[path = "common/synth_process.rs"]
mod synth_process;

use common::{dumpscope, dumpscope_json};

fn dump(name: &str) -> (std::path::PathBuf, synth_process::Process) {
    synth_process::write_temp(&format!("dumpscope-page-heap-{name}"))
}

#[test]
fn page_heap_list_and_find_give_what_was_built() {
    let (path, p) = dump("find");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["heap", "--page-heap", "--json", d]);
    let h = &v["page_heaps"][0];
    assert_eq!(v["page_heaps"].as_array().unwrap().len(), 1);
    assert_eq!(h["handle"].as_u64(), Some(p.page.handle));
    assert_eq!(h["root"].as_u64(), Some(p.page.root));
    assert_eq!(h["busy_blocks"].as_u64(), Some(p.page.busy.len() as u64));
    assert_eq!(h["free_blocks"].as_u64(), Some(p.page.free.len() as u64));
    assert!(h["findings"].as_array().unwrap().is_empty(), "{h}");
    for (b, stack) in p.page.busy.iter().zip(&p.page.busy_stacks) {
        let a = format!("{:x}", b.user_address + b.requested_size - 1);
        let v = dumpscope_json(&["heap", "--page-heap", "--find", &a, "--json", d]);
        let f = &v["found"];
        assert_eq!(f["busy"], true);
        assert_eq!(f["user_address"].as_u64(), Some(b.user_address));
        assert_eq!(f["requested_size"].as_u64(), Some(b.requested_size));
        let frames: Vec<u64> = f["stack"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["address"].as_u64().unwrap())
            .collect();
        assert_eq!(&frames, stack);
    }
    // Not in a page-heap block: `--find` falls back to the NT heaps.
    let a = format!("{:x}", p.blocks[0].0);
    let v = dumpscope_json(&["heap", "--page-heap", "--find", &a, "--json", d]);
    assert_eq!(v["found"]["heap"].as_u64(), Some(synth_process::HEAP));
    // And `!heap -p -a` through the WinDbg dispatch.
    let b = &p.page.busy[1];
    let cmd = format!("!heap -p -a {:x}", b.user_address);
    let out = dumpscope(&[d, "-c", &cmd]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("in busy allocation"), "{text}");
    assert!(text.contains("pageheap-app+0x17c0"), "{text}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn heap_leaks_finds_exactly_the_unreferenced_blocks() {
    let (path, p) = dump("leaks");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["heap", "--leaks", "--json", d]);
    let got: Vec<(u64, u64)> = common::leaked_blocks(&v)
        .into_iter()
        .map(|(a, s, _)| (a, s))
        .collect();
    assert_eq!(got, p.unreferenced);
    let segment_busy = p.segment.blocks.iter().filter(|b| b.busy).count() + p.segment.large.len();
    assert_eq!(
        v["blocks"].as_u64(),
        Some((p.blocks.len() + p.page.busy.len() + segment_busy) as u64)
    );
    assert_eq!(v["stopped"], false);
    let groups = v["by_size"].as_array().unwrap();
    let counted: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, p.unreferenced.len() as u64);
    // `-l` and `!heap -l` say the same.
    let short = dumpscope_json(&["heap", "-l", "--json", d]);
    assert_eq!(short, v);
    let out = dumpscope(&[d, "-c", "!heap -l"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!(
            "{} potential unreachable blocks were detected.",
            p.unreferenced.len()
        )),
        "{text}"
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn heap_summary_lists_the_segment_heap_in_its_own_table() {
    let (path, p) = dump("segment");
    let d = path.to_str().unwrap();
    let v = dumpscope_json(&["heap", "--summary", "--json", d]);
    let s = &v["segment_heaps"];
    assert_eq!(s.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(s[0]["address"].as_u64(), Some(p.segment.address));
    assert_eq!(s[0]["process_heap_list_index"].as_u64(), Some(2));
    assert_eq!(
        s[0]["large_allocations"].as_u64(),
        Some(p.segment.large.len() as u64)
    );
    let bytes: u64 = p.segment.large.iter().map(|l| l.1).sum();
    assert_eq!(s[0]["large_bytes"].as_u64(), Some(bytes));
    let out = dumpscope(&["heap", "--summary", d]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("SEGMENT HEAP STATS BELOW"), "{text}");
    assert!(!text.contains("not supported"), "{text}");
    let _ = std::fs::remove_file(&path);
}
