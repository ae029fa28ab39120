//! WinDbg command syntax: `dumpscope DUMP -c CMD ...` prints what the subcommands print, each
//! after a `0:000> CMD` line; unknown commands get one line and the rest still run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::path::PathBuf;

use common::dumpscope;

fn demo_dump(tag: &str) -> PathBuf {
    common::heap_leak_demo(&format!("windbg-{tag}")).join("D4C-after.dmp")
}

/// Splits `0:000> CMD` sections: (command, output).
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(cmd) = line.strip_prefix("0:000> ") {
            out.push((cmd.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    for s in &mut out {
        // The blank separator line before the next command.
        if s.1.ends_with("\n\n") {
            s.1.pop();
        }
    }
    out
}

fn stdout_of(args: &[&str]) -> String {
    let out = dumpscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn windbg_commands_print_what_the_subcommands_print() {
    let dump = demo_dump("same");
    let d = dump.to_str().unwrap();
    let commands = [
        "!heap -s",
        "!heap -stat",
        "!heap -flt s 41f80",
        "!heap -a",
        "!address -summary",
        "!address",
        "!runaway 7",
        "~*k",
        "!dh -s !D4C",
        "s -a !D4C+0x3000 L0x3600 \"==> Allocated addr:\"",
        "da 00007ff6`dfe236b0",
    ];
    let mut args = vec![d];
    for c in &commands {
        args.push("-c");
        args.push(c);
    }
    let text = stdout_of(&args);
    let got = sections(&text);
    assert_eq!(
        got.iter().map(|s| s.0.as_str()).collect::<Vec<_>>(),
        commands.to_vec(),
        "each command echoed, in order"
    );
    let expected: [&[&str]; 11] = [
        &["heap", "--summary", d],
        &["heap", "--stat", d],
        &["heap", "--filter-size", "41f80", d],
        &["heap", "--entries", d],
        &["address", "--summary", d],
        &["address", d],
        &["runaway", d],
        &["stacks", d],
        &["dh", "-s", d, "D4C"],
        &[
            "search",
            "-a",
            "--range",
            "7ff6dfe23000",
            "3600",
            "==> Allocated addr:",
            d,
        ],
        &["da", "7ff6dfe236b0", d],
    ];
    for ((cmd, output), sub) in got.iter().zip(expected) {
        assert_eq!(output, &stdout_of(sub), "{cmd} vs dumpscope {sub:?}");
    }
    // The scenario's answers.
    assert!(
        got[9]
            .1
            .starts_with("00007ff6`dfe236b0  3d 3d 3e 20 41 6c 6c 6f")
    );
    assert!(got[10].1.contains("\"==> Allocated addr: 0x%08x.\""));
    assert!(got[6].1.contains("1:2390      0 days 0:01:38.703"));
}

#[test]
fn unknown_and_unsupported_commands_get_one_line_and_the_rest_still_run() {
    let dump = demo_dump("unknown");
    let d = dump.to_str().unwrap();
    let out = dumpscope(&[
        d, "-c", "!bogus", "-c", "!handle", "-c", "lm", "-c", "k", "-c", "!leak",
    ]);
    assert!(
        !out.status.success(),
        "a failed command makes the exit non-zero"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let got = sections(&text);
    assert_eq!(got.len(), 5);
    assert_eq!(got[0].1, "!bogus: unknown command\n");
    assert_eq!(
        got[1].1,
        "!handle: takes a kernel dump; this is a user-mode minidump\n"
    );
    assert!(got[2].1.contains("D4C              C:\\D4C\\D4C.exe"));
    assert!(
        got[3].1.contains("D4C+0x13b9"),
        "k shows the current thread"
    );
    assert_eq!(got[4].1, stdout_of(&["leak", d]), "!leak is dumpscope leak");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("2 of 5 commands failed"), "{err}");
}

#[test]
fn process_commands_on_a_corpus_dump() {
    let Some(p) = common::corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let p = p.to_str().unwrap();
    let text = stdout_of(&[
        p, "-c", "||", "-c", ".exr -1", "-c", "~", "-c", "lm", "-c", "!heap",
    ]);
    let got = sections(&text);
    assert!(got[0].1.starts_with(".  0 Full memory user mini dump: "));
    assert!(
        got[1]
            .1
            .contains("ExceptionCode: 80000003 (Break instruction exception)")
    );
    assert!(got[2].1.starts_with(".  0  Id: "));
    assert!(got[3].1.to_ascii_lowercase().contains("ntdll"));
    assert_eq!(got[4].1, stdout_of(&["heap", p]));
}

#[test]
fn a_dump_without_commands_is_an_error() {
    let dump = demo_dump("nocmd");
    let out = dumpscope(&[dump.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-c"));
}

#[test]
fn heap_p_a_shows_the_ust_allocation_stack() {
    let dir = std::env::temp_dir().join("dumpscope-windbg-ust");
    let _ = std::fs::remove_dir_all(&dir);
    let out = dumpscope(&["demo", "--ust", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let dump = dir.join("D4C-after.dmp");
    let d = dump.to_str().unwrap();
    // A user address of a leaked block, from leak's JSON.
    let v = common::dumpscope_json(&["leak", "--json", d]);
    let user = v["contents"][0]["example_address"].as_u64().unwrap();
    let text = stdout_of(&[d, "-c", &format!("!heap -p -a {user:x}")]);
    let got = sections(&text);
    assert_eq!(
        got[0].1,
        stdout_of(&["heap", "--find", &format!("{user:x}"), d])
    );
    assert!(got[0].1.contains("00007ff6`dfe21612"), "{}", got[0].1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn address_of_an_address_gives_its_region_and_usage() {
    let dump = demo_dump("addr");
    let d = dump.to_str().unwrap();
    let text = stdout_of(&[
        d,
        "-c",
        "!address 1f1adb90ae0",
        "-c",
        "!address !D4C+0x36b0",
        "-c",
        "!address 3d`d22fe8e0",
    ]);
    let got = sections(&text);
    assert!(got[0].1.starts_with("Usage:                  Heap\n"));
    assert!(
        got[0]
            .1
            .contains("Allocation Base:        000001f1`adb90000")
    );
    assert!(got[1].1.starts_with("Usage:                  Image\n"));
    assert!(got[1].1.contains("PAGE_READONLY"));
    assert!(got[2].1.starts_with("Usage:                  Stack\n"));
    let bad = dumpscope(&[d, "-c", "!address 5"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).contains("is in no region of the dump"));
}

#[test]
fn peb_and_teb() {
    let dump = demo_dump("peb");
    let d = dump.to_str().unwrap();
    let text = stdout_of(&[d, "-c", "!peb", "-c", "!teb"]);
    let got = sections(&text);
    assert!(
        got[0].1.starts_with("PEB at 0000003d`d1ce7000\n"),
        "{}",
        got[0].1
    );
    assert!(got[0].1.contains("ImageBaseAddress:  00007ff6`dfe20000"));
    assert!(got[0].1.contains("NumberOfHeaps:     3"));
    assert!(got[0].1.contains("        000001f1`adb90000"));
    assert!(
        got[0]
            .1
            .contains("CommandLine:       '\"C:\\D4C\\D4C.exe\" 2'")
    );
    assert!(got[0].1.contains("C:\\D4C\\D4C.exe"));
    assert!(!got[0].1.contains("warning"), "{}", got[0].1);
    assert!(
        got[1].1.starts_with("TEB at 0000003d`d1ce8000\n"),
        "{}",
        got[1].1
    );
    assert!(got[1].1.contains("StackBase:            0000003d`d1f00000"));
    assert!(got[1].1.contains("ClientId:             10d4"));
}
