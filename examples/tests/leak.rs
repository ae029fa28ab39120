//! `dumpscope leak` on every corpus user dump: always a report, never an error exit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

mod common;

use common::{corpus, dumpscope};

#[test]
fn leak_reports_on_every_corpus_user_dump() {
    let dir = corpus().join("user");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", dir.display());
        return;
    };
    let mut dumps: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dmp"))
        .collect();
    dumps.sort();
    assert!(!dumps.is_empty());
    for p in &dumps {
        let path = p.to_str().unwrap();
        let out = dumpscope(&["leak", "--json", path]);
        assert!(
            out.status.success(),
            "leak {path} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let conclusion = v["conclusion"].as_str().unwrap();
        assert!(!conclusion.is_empty(), "{path}: a conclusion");
        let suspects = v["suspects"].as_array().unwrap();
        let lacks = v["lacks"].as_array().unwrap();
        assert!(
            !suspects.is_empty() || !lacks.is_empty(),
            "{path}: either suspects or a statement of what the dump lacks"
        );
        for h in v["heaps"].as_array().unwrap() {
            assert!(h["address"].is_u64() && h["committed"].is_u64());
        }
        for s in suspects {
            assert!(s["bytes"].is_u64() && s["count"].is_u64() && s["size"].is_u64());
            assert!(!s["evidence"].as_array().unwrap().is_empty());
        }
        // The text form finishes too, with the conclusion last.
        let text = dumpscope(&["leak", path]);
        assert!(text.status.success(), "leak (text) {path} failed");
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(text.contains("Step 6."), "{path}: all six steps");
        assert!(
            text.trim_end()
                .lines()
                .last()
                .unwrap()
                .starts_with("Conclusion: ")
        );
    }
}

#[test]
fn leak_on_the_wow64_full_dump_walks_its_heap() {
    let Some(p) = common::corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let v = common::dumpscope_json(&["leak", "--json", p.to_str().unwrap()]);
    let heaps = v["heaps"].as_array().unwrap();
    assert!(
        heaps
            .iter()
            .any(|h| h["error"].is_null() && h["busy_blocks"].as_u64().unwrap() > 0),
        "the 64-bit process heap is walked"
    );
    assert!(!v["sizes"].as_array().unwrap().is_empty());
    assert!(
        v["lacks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("ThreadInfoList"))
    );
}

#[test]
fn leak_says_when_no_heap_pages_are_captured() {
    let Some(p) = common::corpus_file("user/win10-14393-x64-electron.dmp") else {
        return;
    };
    let v = common::dumpscope_json(&["leak", "--json", p.to_str().unwrap()]);
    assert!(v["suspects"].as_array().unwrap().is_empty());
    assert!(
        v["lacks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l.as_str().unwrap().contains("no heap pages captured"))
    );
}

/// Damaged dumps (bytes flipped in the stream area, the PE image, the heap headers and
/// anywhere) still give a report, never a panic.
#[test]
fn leak_survives_damaged_demo_dumps() {
    use examples::demo::{Moment, Options, build_dump};
    use examples::target::UserDump;
    use examples::user::leak::{Options as LeakOptions, investigate};
    let open = |bytes: Vec<u8>| {
        dumpfile::Minidump::from_bytes(bytes).map(|d| UserDump::new("damaged.dmp".into(), d))
    };
    let clean = build_dump(Moment::Before, Options::default())
        .unwrap()
        .write()
        .unwrap();
    let clean_report = investigate(&open(clean.clone()).unwrap(), &LeakOptions::default());
    assert_eq!(clean_report.suspects[0].what.size, 0x41f80);
    // Where the interesting bytes are: the image and the heap headers.
    let find = |needle: &[u8]| clean.windows(needle.len()).position(|w| w == needle);
    let image = find(b"MZ").unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..24 {
        let mut bytes = clean.clone();
        for _ in 0..64 {
            let r = next();
            let at = match round % 4 {
                0 => (r % 0x2000) as usize,
                1 => image + (r % 0x6000) as usize,
                2 => (r as usize) % bytes.len(),
                _ => {
                    // The heap area follows the image in the file.
                    image + 0x9000 + (r % 0x4_0000) as usize
                }
            };
            if let Some(b) = bytes.get_mut(at) {
                *b ^= (r >> 32) as u8 | 1;
            }
        }
        if let Ok(dump) = open(bytes) {
            let r = investigate(&dump, &LeakOptions::default());
            assert!(!r.conclusion.is_empty(), "round {round}");
        }
    }
}

/// The D4C.exe-style heap leak at scale (three 16 MiB segments filled while writing): `leak`
/// names the leaked size with its text, and its counts agree with `heap --stat` and with what
/// the writer placed.
#[test]
fn leak_on_the_scaled_demo_dump() {
    let dir = std::env::temp_dir().join("dumpscope-leak_on_the_scaled_demo_dump");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("D4C-scaled.dmp");
    let (bytes, filled) =
        examples::demo::write_scaled_dump(40 << 20, &path).expect("scaled dump written");
    assert!(bytes > 40 << 20);
    let p = path.to_str().unwrap();
    let v = common::dumpscope_json(&["leak", "--json", p]);
    let top = &v["suspects"][0];
    assert_eq!(top["size"].as_u64(), Some(examples::demo::SCALED_LEAK_SIZE));
    assert_eq!(
        v["contents"][0]["pattern"].as_str(),
        Some("==> Allocated addr: 0x%x")
    );
    let grown = &v["heaps"][0];
    assert_eq!(grown["segments"].as_u64(), Some(3));
    assert_eq!(grown["corruption"].as_u64(), Some(0));
    let stat = common::dumpscope_json(&["heap", "--stat", "--json", p]);
    let lines = stat["heaps"][0]["stats"].as_array().unwrap();
    assert_eq!(lines[0]["size"], top["size"]);
    assert_eq!(lines[0]["count"], top["count"]);
    // Every block the writer filled in is counted, plus the five busy blocks built in segment
    // 0 and the one built in each other segment; not the segment headers, nor the heap's own
    // block before each filled range (UnusedBytes 3).
    let counted: u64 = lines.iter().map(|l| l["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, filled + 5 + 2);
    assert_eq!(grown["busy_blocks"].as_u64(), Some(counted));
    let summary = common::dumpscope_json(&["heap", "--summary", "--json", p]);
    assert_eq!(summary["heaps"][0]["segments"].as_u64(), Some(3));
    assert_eq!(summary["heaps"][0]["ucr_count"].as_u64(), Some(0));
    std::fs::remove_file(&path).unwrap();
}
