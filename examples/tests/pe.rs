//! `dumpscope dh`, `search`, `da` and `xref` on the real corpus (the WOW64 full dump and PE
//! files), through the built binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

fn corpus_file(rel: &str) -> Option<String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(rel);
    if p.is_file() {
        Some(p.to_str().unwrap().to_string())
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout_ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout_ok(args)).unwrap()
}

const DUMP: &str = "user/win7-x64-wow64-hello-full.dmp";
const EXE: &str = "pe/x64-msvc-CrashWithException.exe";

#[test]
fn dh_json_contract_for_modules_in_the_dump() {
    let Some(d) = corpus_file(DUMP) else { return };
    let v = json(&["dh", "--json", &d, "ntdll"]);
    assert_eq!(v["machine"].as_u64(), Some(0x8664));
    assert_eq!(v["pdb_id"], "6B9E5E8038E2420E8E7C62EA60DDB0692");
    assert_eq!(v["pdb_name"], "ntdll.pdb");
    assert!(v["timestamp"].is_u64() && v["size_of_image"].is_u64() && v["image_base"].is_u64());
    let sections = v["sections"].as_array().unwrap();
    assert_eq!(sections[0]["name"], ".text");
    assert_eq!(sections[0]["virtual_address"].as_u64(), Some(0x1000));
    for s in sections {
        for k in [
            "virtual_address",
            "virtual_size",
            "raw_size",
            "raw_offset",
            "characteristics",
        ] {
            assert!(s[k].is_u64(), "{k} is an integer");
        }
        assert_eq!(s["status"], "captured");
    }
    // The 32-bit ntdll of the WOW64 process, by base address.
    let v = json(&["dh", "--json", &d, "0x77900000"]);
    assert_eq!(v["machine"].as_u64(), Some(0x14c));
    assert_eq!(v["image_base"].as_u64(), Some(0x7790_0000));
    assert_eq!(v["pdb_name"], "wntdll.pdb");
}

#[test]
fn dh_text_of_a_pe_file_looks_like_windbg() {
    let Some(f) = corpus_file(EXE) else { return };
    let text = stdout_ok(&["dh", &f]);
    assert!(text.contains("    8664 machine (x64)"));
    assert!(text.contains(
        "SECTION HEADER #2\n  .rdata name\n    134E virtual size\n    3000 virtual address"
    ));
    assert!(text.contains("40000040 flags\n         Initialized Data\n         (no align specified)\n         Read Only"));
    assert!(text.contains("Symbol server id F535C5FB2AE84BB8AA206C30BE566C5A1"));
    let only_sections = stdout_ok(&["dh", "-s", &f]);
    assert!(!only_sections.contains("FILE HEADER VALUES"));
    assert!(only_sections.contains("SECTION HEADER #1"));
    let v = json(&["dh", "--json", &f]);
    assert_eq!(v["image_base"].as_u64(), Some(0x1_4000_0000));
    assert_eq!(v["sections"][1]["raw_offset"].as_u64(), Some(0x1600));
    assert!(v["sections"][1]["status"].is_null());
}

#[test]
fn search_da_xref_the_heap_leak_story_on_the_dump() {
    // The D4C.exe-style heap leak: !dh -s, s -a over .rdata, da, RVA, and the code that loads the string.
    let Some(d) = corpus_file(DUMP) else { return };
    let text = stdout_ok(&[
        "search",
        "-a",
        "Hello World",
        &d,
        "--module",
        "hello",
        "--section",
        ".rdata",
    ]);
    assert_eq!(
        text,
        "00000000`0040a064  48 65 6c 6c 6f 20 57 6f-72 6c 64 21 00 00 00 00  Hello World!....\n"
    );
    let v = json(&["search", "--json", "Hello World", &d]);
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["address"].as_u64(), Some(0x40_a064));
    assert_eq!(hits[0]["symbol"], "hello+0xa064");
    let v = json(&[
        "search", "--json", "--range", "40a000", "L1000", "Hello", &d,
    ]);
    assert_eq!(v["hits"][0]["address"].as_u64(), Some(0x40_a064));

    assert_eq!(
        stdout_ok(&["da", "0x40a064", &d]),
        "00000000`0040a064  \"Hello World!\"\n"
    );
    let v = json(&["da", "--json", "40a064", &d]);
    assert_eq!(v["text"], "Hello World!");

    // hello.exe is 32-bit MinGW code: `mov dword [esp], 0x40a064` (c7 04 24 64 a0 40 00).
    let v = json(&["xref", "--json", &d, "hello", "a064"]);
    let refs = v["references"].as_array().unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0]["rva"].as_u64(), Some(0x144e));
    assert_eq!(refs[0]["kind"], "absolute");
    let text = stdout_ok(&["xref", &d, "hello", "0x40a064"]);
    assert!(text.contains("hello+0x144e  00000000`0040144e  absolute      c7 04 24 64 a0 40 00"));
}

#[test]
fn search_unicode_and_bytes() {
    let Some(d) = corpus_file(DUMP) else { return };
    let v = json(&["search", "--json", "-u", "hello.exe", &d]);
    assert!(!v["hits"].as_array().unwrap().is_empty());
    let first = v["hits"][0]["address"].as_u64().unwrap();
    let v = json(&["da", "--json", "-u", &format!("{first:x}"), &d]);
    assert!(v["text"].as_str().unwrap().starts_with("hello.exe"));
    let v = json(&[
        "search", "--json", "-b", "4d 5a 90", &d, "--module", "ntdll",
    ]);
    assert_eq!(v["hits"][0]["symbol"], "ntdll+0x0");
}

#[test]
fn xref_on_a_pe_file_finds_the_lea_of_each_string() {
    let Some(f) = corpus_file(EXE) else { return };
    // Pinned with objdump -d (see pe-sections/tests/corpus.rs).
    for (target, insn) in [
        ("32c0", 0x1094),
        ("32d4", 0x1100),
        ("32e0", 0x1110),
        ("3280", 0x1661),
    ] {
        let v = json(&["xref", "--json", &f, target]);
        let refs = v["references"].as_array().unwrap();
        assert_eq!(refs.len(), 1, "{target}");
        assert_eq!(refs[0]["rva"].as_u64(), Some(insn));
        assert_eq!(refs[0]["kind"], "rip-relative");
    }
    let v = json(&["search", "--json", "Unknown exception", &f]);
    assert_eq!(v["hits"][0]["address"].as_u64(), Some(0x1_4000_32c0));
}

#[test]
fn errors_are_one_line_and_nonzero() {
    let Some(d) = corpus_file(DUMP) else { return };
    let out = run(&["dh", &d, "nosuchmodule"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("nosuchmodule"));
    let out = run(&["da", "0x10", &d]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not captured"));
    let out = run(&["xref", &d, "hello"]);
    assert!(!out.status.success());
}

#[test]
fn xref_in_the_wow64_32bit_ntdll_by_base() {
    let Some(d) = corpus_file(DUMP) else { return };
    // "LdrpInitializeProcess" in the 32-bit ntdll; its user pushes the absolute address
    // (68 52 31 92 77 = push 0x77923152; the image is at its preferred base).
    let v = json(&[
        "search",
        "--json",
        "LdrpInitializeProcess",
        &d,
        "--module",
        "0x77900000",
    ]);
    assert_eq!(v["hits"][0]["address"].as_u64(), Some(0x7792_3152));
    assert_eq!(v["hits"][0]["symbol"], "ntdll+0x23152");
    let text = stdout_ok(&["xref", &d, "0x77900000", "23152"]);
    assert!(text.starts_with("References to ntdll+0x23152"), "{text}");
    assert!(
        text.contains("ntdll+0xa0d6e  00000000`779a0d6e  absolute      68 52 31 92 77"),
        "{text}"
    );
}
