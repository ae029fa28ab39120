//! Helpers shared by the CLI tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The corpus folder beside the repository.
pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

/// A corpus file, or `None` after a visible SKIP line when it is absent.
pub fn corpus_file(rel: &str) -> Option<PathBuf> {
    let p = corpus().join(rel);
    if p.is_file() {
        Some(p)
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: {} not found (../shared/corpus is absent)",
            p.display()
        );
        None
    }
}

/// Runs the built `dumpscope` with these arguments.
pub fn dumpscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .expect("run dumpscope")
}

/// Runs `dumpscope` and parses its stdout as JSON, requiring success.
pub fn dumpscope_json(args: &[&str]) -> serde_json::Value {
    let out = dumpscope(args);
    assert!(
        out.status.success(),
        "dumpscope {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// An empty scratch folder `dumpscope-NAME` in the temporary directory (emptied if it exists).
pub fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dumpscope-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The demo's D4C.exe-style heap-leak pair written into a fresh `dumpscope-NAME` folder
/// (`D4C-before.dmp`, `D4C-after.dmp`); returns the folder.
pub fn heap_leak_demo(name: &str) -> PathBuf {
    let dir = fresh_dir(name);
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
    dir
}

/// The unreached blocks of `heap --leaks --json` as (user address, size, kind).
pub fn leaked_blocks(v: &serde_json::Value) -> Vec<(u64, u64, String)> {
    v["leaked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["user_address"].as_u64().unwrap(),
                l["size"].as_u64().unwrap(),
                l["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
