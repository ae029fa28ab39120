//! The small example programs (`examples/examples/*.rs`) run on corpus dumps and print what their
//! crate documentation promises. `cargo test` builds them next to the test binaries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;

/// The built example, or `None` after a SKIP line.
fn example(name: &str) -> Option<PathBuf> {
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let path = deps.parent()?.join("examples").join(name);
    let path = path.with_extension(std::env::consts::EXE_EXTENSION);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("SKIP: example {} is not built", path.display());
        None
    }
}

fn run(name: &str, args: &[PathBuf]) -> Option<String> {
    let out = Command::new(example(name)?).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn heap_stat_module_strings_and_crash_stack_on_corpus_dumps() {
    let (Some(hello), Some(sigsegv)) = (
        common::corpus_file("user/win7-x64-wow64-hello-full.dmp"),
        common::corpus_file("user/win10-16299-x64-sigsegv.dmp"),
    ) else {
        return;
    };
    if let Some(text) = run("heap_stat", std::slice::from_ref(&hello)) {
        assert!(
            text.starts_with("heap 0x2d0000 (Windows 7 SP1 x64"),
            "{text}"
        );
        assert!(text.contains("    cb4 1 - cb4  (31.31)"), "{text}");
    }
    if let Some(text) = run("module_strings", &[hello, "hello".into(), ".rdata".into()]) {
        assert!(text.contains("hello+0xa064  Hello World!"), "{text}");
    }
    let pdbs = common::corpus().join("user");
    if let Some(text) = run("crash_stack", &[sigsegv, pdbs]) {
        assert!(
            text.starts_with("00 000000addabaf6b0 sigsegv!crash+0x29\n"),
            "{text}"
        );
        assert!(text.contains("sigsegv!mainCRTStartup+0x9"), "{text}");
    }
}
