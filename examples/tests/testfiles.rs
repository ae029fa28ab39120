//! The golden outputs of every command: `testfiles/<dump-stem>/<command>.{txt,json}`, one file
//! per command on every corpus dump, on the demo pair and on the kernel dump, compared byte for
//! byte with what `dumpscope` prints now. `DUMPSCOPE_BLESS=1 cargo test -p examples --test
//! testfiles` rewrites them (and removes goldens no case produces any more).
//!
//! Each golden holds stdout; when the command fails or writes to stderr, a `--- exit N` and a
//! `--- stderr` section follow. Paths that vary (the corpus folder, the demo's temporary folder)
//! are replaced by `<CORPUS>` and `<DIR>`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;
#[path = "common/light_page_heap_process.rs"]
mod light_page_heap_process;
#[path = "common/synth_process.rs"]
mod synth_process;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What the cases need to know about one corpus dump: its main module, and an address inside a
/// heap block where the dump holds a walkable heap.
struct Dump {
    stem: &'static str,
    main: &'static str,
    heap_address: Option<&'static str>,
}

const USER_DUMPS: &[Dump] = &[
    Dump {
        stem: "win10-14393-x64-electron",
        main: "electron",
        heap_address: None,
    },
    Dump {
        stem: "win10-16299-x64-sigsegv",
        main: "sigsegv",
        heap_address: None,
    },
    Dump {
        stem: "win10-17134-x64-invalid-parameter",
        main: "CrashTest",
        heap_address: None,
    },
    Dump {
        stem: "win10-18363-x64-unity-7934ranges",
        main: "KSP_x64",
        heap_address: None,
    },
    Dump {
        stem: "win7-x64-notepad",
        main: "notepad",
        heap_address: None,
    },
    Dump {
        stem: "win7-x64-wow64-hello-full",
        main: "hello",
        heap_address: Some("2d0b00"),
    },
    Dump {
        stem: "win7-x86-chrome-uaf",
        main: "chrome",
        heap_address: None,
    },
    Dump {
        stem: "win7-x86-fizzbuzz-threadinfo",
        main: "fizzbuzz",
        heap_address: None,
    },
    Dump {
        stem: "win7-x86-jusched-handles",
        main: "jusched",
        heap_address: None,
    },
    Dump {
        stem: "win7-x86-notepad-heaphdr",
        main: "notepad",
        heap_address: Some("8b0600"),
    },
    Dump {
        stem: "winxp-x86-breakpad-test",
        main: "test_app",
        heap_address: None,
    },
];

/// One golden: the file it is held in and the arguments that produce it.
struct Case {
    golden: String,
    args: Vec<String>,
}

fn case(golden: impl Into<String>, args: &[&str]) -> Case {
    Case {
        golden: golden.into(),
        args: args.iter().map(|s| (*s).to_string()).collect(),
    }
}

/// `name.txt` with `args`, and `name.json` with `args --json`.
fn both(cases: &mut Vec<Case>, name: &str, args: &[&str]) {
    cases.push(case(format!("{name}.txt"), args));
    let mut json = args.to_vec();
    json.push("--json");
    cases.push(case(format!("{name}.json"), &json));
}

fn user_cases(d: &Dump, dump: &str, corpus: &Path) -> Vec<Case> {
    let mut c = Vec::new();
    both(&mut c, "info", &["info", dump]);
    both(&mut c, "runaway", &["runaway", dump]);
    both(&mut c, "address", &["address", dump]);
    both(&mut c, "address-summary", &["address", "--summary", dump]);
    both(&mut c, "heap", &["heap", dump]);
    both(&mut c, "heap-summary", &["heap", "--summary", dump]);
    both(&mut c, "heap-entries", &["heap", "--entries", dump]);
    both(&mut c, "heap-stat", &["heap", "--stat", dump]);
    if let Some(a) = d.heap_address {
        both(&mut c, "heap-find", &["heap", "--find", a, dump]);
        both(
            &mut c,
            "heap-filter-size",
            &["heap", "--filter-size", "20-40", dump],
        );
        both(&mut c, "heap-leaks", &["heap", "--leaks", dump]);
    }
    both(&mut c, "stacks", &["stacks", dump]);
    both(&mut c, "analyze", &["analyze", dump]);
    if d.stem == "win10-16299-x64-sigsegv" {
        let symbols = corpus.join("user");
        both(
            &mut c,
            "analyze-symbols",
            &["analyze", "--symbols", symbols.to_str().unwrap(), dump],
        );
    }
    if d.stem == "win10-16299-x64-sigsegv" {
        let symbols = corpus.join("user");
        let symbols = symbols.to_str().unwrap();
        both(
            &mut c,
            "stacks-symbols",
            &["stacks", "--symbols", symbols, dump],
        );
    }
    both(&mut c, "dh-s", &["dh", "-s", dump, d.main]);
    both(&mut c, "search-a", &["search", "-a", "This program", dump]);
    let header_text = format!("{}+0x4e", d.main);
    both(&mut c, "da", &["da", &header_text, dump]);
    both(&mut c, "leak", &["leak", dump]);
    let mut windbg: Vec<String> = [
        "!heap -s",
        "!heap -a",
        "!heap -stat",
        "!address -summary",
        "!runaway",
        "~*k",
        "k",
        "~",
        "~0k",
        "lm",
        ".exr -1",
        "||",
        "!peb",
        "!teb",
        "!leak",
        "!vm",
        "!heap -bogus",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    windbg.push(format!("!dh -s {}", d.main));
    windbg.push(format!("!address {}", d.main));
    windbg.push(format!("da {}+0x4e", d.main));
    windbg.push(format!("s -a {0} L200 \"This program\"", d.main));
    if let Some(a) = d.heap_address {
        windbg.push(format!("!heap -x {a}"));
        windbg.push(format!("!heap -p -a {a}"));
        windbg.push("!heap -flt s 20 40".to_string());
    }
    let mut args = vec![dump.to_string()];
    for w in &windbg {
        args.push("-c".to_string());
        args.push(w.clone());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    c.push(case("windbg.txt", &args));
    c
}

/// Runs one case; the text a golden holds.
fn output(args: &[String], replace: &[(&str, &str)]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .expect("run dumpscope");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.is_empty() {
        text.push_str(&format!(
            "--- exit {}\n--- stderr\n{stderr}",
            out.status.code().unwrap_or(-1)
        ));
    }
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    text
}

fn testfiles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testfiles")
}

/// Checks (or, when blessing, writes) every case of one folder; returns the failures.
fn check_folder(folder: &str, cases: &[Case], replace: &[(&str, &str)]) -> Vec<String> {
    let bless = std::env::var_os("DUMPSCOPE_BLESS").is_some();
    let dir = testfiles_dir().join(folder);
    let mut failures = Vec::new();
    let mut produced = BTreeSet::new();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for c in cases {
        let actual = output(&c.args, replace);
        let path = dir.join(&c.golden);
        produced.insert(c.golden.clone());
        if bless {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Err(e) => failures.push(format!("{folder}/{}: {e}", c.golden)),
            Ok(expected) if expected != actual => {
                let first = expected
                    .lines()
                    .zip(actual.lines())
                    .enumerate()
                    .find(|(_, (e, a))| e != a)
                    .map_or_else(
                        || {
                            format!(
                                "{} vs {} lines",
                                expected.lines().count(),
                                actual.lines().count()
                            )
                        },
                        |(i, (e, a))| {
                            format!("line {}:\n    expected: {e}\n    actual:   {a}", i + 1)
                        },
                    );
                failures.push(format!(
                    "{folder}/{} (dumpscope {}) differs at {first}",
                    c.golden,
                    c.args.join(" ")
                ));
            }
            Ok(_) => {}
        }
    }
    // A golden no case produces any more is stale.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if !produced.contains(&name) {
                if bless {
                    std::fs::remove_file(e.path()).unwrap();
                } else {
                    failures.push(format!("{folder}/{name}: no case produces it any more"));
                }
            }
        }
    }
    failures
}

fn report(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} golden(s) differ (DUMPSCOPE_BLESS=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn user_dumps_match_their_goldens() {
    let corpus = common::corpus();
    if !corpus.join("user").is_dir() {
        eprintln!(
            "SKIP: {} not found (../shared/corpus is absent): corpus goldens not checked",
            corpus.join("user").display()
        );
        return;
    }
    let corpus = corpus.canonicalize().unwrap();
    let corpus_str = corpus.to_str().unwrap().to_string();
    let mut failures = Vec::new();
    for d in USER_DUMPS {
        let Some(path) = common::corpus_file(&format!("user/{}.dmp", d.stem)) else {
            continue;
        };
        let path = path.canonicalize().unwrap();
        let cases = user_cases(d, path.to_str().unwrap(), &corpus);
        failures.extend(check_folder(d.stem, &cases, &[(&corpus_str, "<CORPUS>")]));
    }
    report(&failures);
}

#[test]
fn pe_files_match_their_goldens() {
    let Some(pe) = common::corpus_file("pe/x64-msvc-CrashWithException.exe") else {
        return;
    };
    let pe = pe.canonicalize().unwrap();
    let corpus = common::corpus().canonicalize().unwrap();
    let p = pe.to_str().unwrap();
    let mut c = Vec::new();
    both(&mut c, "dh", &["dh", p]);
    both(&mut c, "dh-s", &["dh", "-s", p]);
    both(&mut c, "search-a", &["search", "-a", "exception", p]);
    both(&mut c, "da", &["da", "1400032c0", p]);
    both(&mut c, "xref", &["xref", p, "32c0"]);
    let failures = check_folder(
        "x64-msvc-CrashWithException",
        &c,
        &[(corpus.to_str().unwrap(), "<CORPUS>")],
    );
    report(&failures);
}

#[test]
fn kernel_dump_matches_its_golden() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let dump = dump.canonicalize().unwrap();
    let corpus = common::corpus().canonicalize().unwrap();
    let d = dump.to_str().unwrap();
    let mut c = Vec::new();
    both(&mut c, "info", &["info", d]);
    both(&mut c, "leak", &["leak", d]);
    both(&mut c, "analyze", &["analyze", d]);
    both(&mut c, "stacks", &["stacks", d]);
    let mut args = vec![d];
    for w in [
        "vertarget",
        ".bugcheck",
        "lm",
        // The saved call stack of the triage dump, and the exception record and context the
        // bugcheck's parameters point at inside it.
        "db ffff8504`29890ee8 L40",
        "dq ffff8504`29891ee8 L4",
        "dd ffff8504`29891720 L8",
        "db fffff804`8b58334c L10",
        "db 0 L10",
        "!pte fffff804`8b58334c",
        "!analyze -v",
        "k",
        ".cxr ffff8504`29891720",
        ".exr ffff8504`29891ee8",
        ".trap ffff8504`29891720",
        "!heap -s",
        "~*k",
        "!process 0 0",
    ] {
        args.push("-c");
        args.push(w);
    }
    c.push(case("windbg.txt", &args));
    let failures = check_folder(
        "win10-19041-x64-triage",
        &c,
        &[(corpus.to_str().unwrap(), "<CORPUS>")],
    );
    report(&failures);
}

/// The demo pair is synthetic: these goldens run without the corpus.
#[test]
fn demo_matches_its_goldens() {
    let dir = std::env::temp_dir().join("dumpscope-testfiles");
    let _ = std::fs::remove_dir_all(&dir);
    let ust = dir.join("ust");
    let objects = dir.join("objects");
    let d = dir.to_str().unwrap();
    let before = dir.join("D4C-before.dmp");
    let after = dir.join("D4C-after.dmp");
    let (b, a) = (before.to_str().unwrap(), after.to_str().unwrap());
    let (u, o) = (ust.to_str().unwrap(), objects.to_str().unwrap());
    let mut c = Vec::new();
    // `demo` writes the pair the later cases read.
    both(
        &mut c,
        "demo",
        &["demo", "--scenario", "heap-leak", "--out", d],
    );
    both(&mut c, "demo-ust", &["demo", "--ust", "--out", u]);
    both(&mut c, "demo-objects", &["demo", "--objects", "--out", o]);
    let five = dir.join("five");
    c.push(case(
        "demo-five.txt",
        &["demo", "--out", five.to_str().unwrap()],
    ));
    let large = dir.join("large");
    both(
        &mut c,
        "demo-large-blocks",
        &[
            "demo",
            "--scenario",
            "large-blocks",
            "--out",
            large.to_str().unwrap(),
        ],
    );
    let large_dump = large.join("large-blocks.dmp");
    both(
        &mut c,
        "heap-summary-large-blocks",
        &["heap", "--summary", large_dump.to_str().unwrap()],
    );
    both(&mut c, "diff", &["diff", b, a]);
    both(&mut c, "leak", &["leak", a]);
    both(&mut c, "heap-summary", &["heap", "--summary", a]);
    both(&mut c, "heap-stat", &["heap", "--stat", a]);
    both(&mut c, "address-summary", &["address", "--summary", a]);
    both(&mut c, "stacks", &["stacks", a]);
    both(&mut c, "dh-s", &["dh", "-s", a, "D4C"]);
    c.push(case(
        "windbg.txt",
        &[
            a,
            "-c",
            "!heap -s",
            "-c",
            "!heap -stat -h 000001f1`adb90000",
            "-c",
            "!heap -flt s 41f80",
            "-c",
            "s -a !D4C+0x3000 L0x3600 \"==> Allocated addr:\"",
            "-c",
            "da D4C+0x36b0",
            "-c",
            "!address -summary",
            "-c",
            "~*k",
            "-c",
            "!runaway",
        ],
    ));
    let ust_after = ust.join("D4C-after.dmp");
    c.push(case(
        "windbg-ust.txt",
        &[
            ust_after.to_str().unwrap(),
            "-c",
            "!heap -p -a 000001f1`adba0050",
        ],
    ));
    let failures = check_folder("demo", &c, &[(d, "<DIR>")]);
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}

/// The synthetic 0xD1 (NotMyFault) dumps: `analyze`, `info` and `!analyze -v` on x64 and x86.
#[test]
fn bugcheck_d1_matches_its_goldens() {
    use dumpfile::synth::kernel::KernelArch;
    let dir = std::env::temp_dir().join("dumpscope-d1-golden");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let mut failures = Vec::new();
    for (arch, folder) in [
        (KernelArch::X64, "bugcheck-d1-x64"),
        (KernelArch::X86Pae, "bugcheck-d1-x86"),
    ] {
        if arch == KernelArch::X64 {
            // `demo --scenario bugcheck-d1` writes the same dumps and prints analyze of x64.
            let demo_dir = dir.join("demo");
            let c = [case(
                "demo.txt",
                &[
                    "demo",
                    "--scenario",
                    "bugcheck-d1",
                    "--out",
                    demo_dir.to_str().unwrap(),
                ],
            )];
            failures.extend(check_folder(
                "bugcheck-d1-demo",
                &c,
                &[(d.as_str(), "<DIR>")],
            ));
        }
        let s = examples::demo::bugcheck_d1(arch).unwrap();
        let path = dir.join(format!("{folder}.dmp"));
        std::fs::write(&path, &s.bytes).unwrap();
        let p = path.to_str().unwrap();
        let mut c = Vec::new();
        both(&mut c, "analyze", &["analyze", p]);
        both(&mut c, "info", &["info", p]);
        c.push(case(
            "windbg.txt",
            &[
                p,
                "-c",
                "!analyze -v",
                "-c",
                ".bugcheck",
                "-c",
                "lm",
                "-c",
                "db myfault L40",
                "-c",
                "k",
            ],
        ));
        failures.extend(check_folder(folder, &c, &[(d.as_str(), "<DIR>")]));
    }
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}

/// The synthetic ARM64 0x7E (a driver's work item reads through a NULL pointer in a system
/// thread, Windows 11 22000 ARM64 triage dump): `analyze`, `info` and `stacks`.
#[test]
fn bugcheck_arm64_matches_its_goldens() {
    let dir = std::env::temp_dir().join("dumpscope-arm64-golden");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let s = examples::demo::bugcheck_arm64::bugcheck_7e_arm64().unwrap();
    let path = dir.join("bugcheck-7e-arm64.dmp");
    std::fs::write(&path, &s.bytes).unwrap();
    let p = path.to_str().unwrap();
    let mut c = Vec::new();
    both(&mut c, "analyze", &["analyze", p]);
    both(&mut c, "info", &["info", p]);
    both(&mut c, "stacks", &["stacks", p]);
    let exr = format!(".exr {:x}", s.exception_record);
    c.push(case(
        "windbg.txt",
        &[
            p,
            "-c",
            "!analyze -v",
            "-c",
            ".bugcheck",
            "-c",
            &exr,
            "-c",
            "lm",
            "-c",
            "db myfault L40",
            "-c",
            "k",
        ],
    ));
    let failures = check_folder("bugcheck-7e-arm64", &c, &[(d.as_str(), "<DIR>")]);
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}

/// The synthetic kernel-pool scenarios (a pool leak under Driver Verifier; a handle leak
/// exhausting non-paged pool): the pool, verifier, `!vm` and kernel-object commands.
#[test]
fn kernel_scenarios_match_their_goldens() {
    use examples::demo::kernel_scenarios::{handle_leak, pool_verifier};
    let dir = std::env::temp_dir().join("dumpscope-kscen-golden");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let mut failures = Vec::new();
    let write = |name: &str, s: &examples::demo::kernel_scenarios::KernelScenario| {
        let p = dir.join(format!("{name}.dmp"));
        std::fs::write(&p, &s.dump).unwrap();
        std::fs::write(examples::target::isf_path(&p), &s.isf).unwrap();
        p.to_str().unwrap().to_string()
    };

    let s = pool_verifier().unwrap();
    let p = write("pool-verifier", &s);
    let leak = format!("{:x}", s.addresses["leak"]);
    let mut c = Vec::new();
    c.push(case(
        "windbg.txt",
        &[
            &p,
            "-c",
            "!verifier 3",
            "-c",
            &format!("!verifier 80 {leak}"),
            "-c",
            "!poolused 4",
            "-c",
            &format!("!pool {leak}"),
            "-c",
            "!poolfind Leak",
        ],
    ));
    both(&mut c, "verifier-3", &["verifier", &p, "3"]);
    both(&mut c, "verifier-80", &["verifier", &p, "80", &leak]);
    both(&mut c, "pool-used", &["pool", "used", &p, "4"]);
    both(&mut c, "pool-big", &["pool", "big", &p]);
    both(&mut c, "pool-tags", &["pool", "tags", &p]);
    both(&mut c, "leak", &["leak", &p]);
    failures.extend(check_folder("pool-verifier", &c, &[(d.as_str(), "<DIR>")]));

    let s = handle_leak(50).unwrap();
    let p = write("handle-leak", &s);
    let ie = format!("{:x}", s.addresses["iexplore"]);
    let json = output(
        &[
            "handle".into(),
            "--json".into(),
            "--process".into(),
            ie.clone(),
            p.clone(),
            "10".into(),
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let thread = format!("{:x}", v["handles"][0]["object"].as_u64().unwrap());
    let mut c = Vec::new();
    c.push(case(
        "windbg.txt",
        &[
            &p,
            "-c",
            "!vm",
            "-c",
            "!poolused 3",
            "-c",
            "!poolused 2 Thre",
            "-c",
            "!pool 89000010",
            "-c",
            "!process 0 0",
            "-c",
            &format!(".process {ie}"),
            "-c",
            "!handle 0 f",
            "-c",
            &format!("!thread {thread}"),
            "-c",
            &format!("!object {thread}"),
        ],
    ));
    both(&mut c, "vm", &["vm", &p]);
    both(&mut c, "pool-page", &["pool", "page", &p, "89000010"]);
    both(&mut c, "process", &["process", &p]);
    both(
        &mut c,
        "handle-summary",
        &["handle", "--summary", "--process", &ie, &p],
    );
    both(&mut c, "thread", &["thread", &p, &thread]);
    both(&mut c, "leak", &["leak", &p]);
    failures.extend(check_folder("handle-leak", &c, &[(d.as_str(), "<DIR>")]));
    let c = vec![
        case(
            "layout-3790-x86.json",
            &[
                "layout", "--kernel", "--build", "3790", "--arch", "x86", "--json",
            ],
        ),
        case(
            "layout-9600-x64.txt",
            &["layout", "--kernel", "--build", "9600", "--arch", "x64"],
        ),
    ];
    failures.extend(check_folder("kernel-layouts", &c, &[]));
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}

/// The handle-leak scenario on the other builds (x64 Windows 10 with `ObHeaderCookie`, x64 and
/// x86 Windows 7): `!process 0 0`, `!handle 0 f`, `!handle 10 1`, `!thread` of a leaked thread
/// and of the waiting threads, and the `process`, `handle --summary` and `thread` commands; and
/// the waiting threads' kernel stacks on the x86 Server 2003 dump.
#[test]
fn handle_leak_builds_match_their_goldens() {
    use examples::demo::kernel_scenarios_x64::{Flavor, write_handle_leak_on};
    let dir = std::env::temp_dir().join("dumpscope-kbuilds-golden");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let mut failures = Vec::new();
    for flavor in Flavor::ALL {
        let path = dir.join(format!("handle-leak-{}.dmp", flavor.name()));
        let a = write_handle_leak_on(flavor, 10, &path).unwrap();
        let p = path.to_str().unwrap().to_string();
        let hex = |k: &str| format!("{:x}", a[k]);
        let (ie, worker, user) = (hex("iexplore"), hex("worker"), hex("user"));
        let mut c = Vec::new();
        if flavor == Flavor::X86Server2003 {
            c.push(case(
                "windbg.txt",
                &[
                    &p,
                    "-c",
                    &format!("!thread {worker}"),
                    "-c",
                    &format!("!thread {user}"),
                    "-c",
                    &format!("!process {} 6", hex("system")),
                ],
            ));
            both(&mut c, "thread-worker", &["thread", &p, &worker]);
            failures.extend(check_folder(
                "handle-leak-threads",
                &c,
                &[(d.as_str(), "<DIR>")],
            ));
            continue;
        }
        let json = output(
            &[
                "handle".into(),
                "--json".into(),
                "--process".into(),
                ie.clone(),
                p.clone(),
                "10".into(),
            ],
            &[],
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let thread = format!("{:x}", v["handles"][0]["object"].as_u64().unwrap());
        c.push(case(
            "windbg.txt",
            &[
                &p,
                "-c",
                "!process 0 0",
                "-c",
                &format!(".process {ie}"),
                "-c",
                "!handle 0 f",
                "-c",
                "!handle 10 1",
                "-c",
                &format!("!thread {thread}"),
                "-c",
                &format!("!object {thread}"),
                "-c",
                &format!("!thread {worker}"),
                "-c",
                &format!("!thread {user}"),
            ],
        ));
        both(&mut c, "process", &["process", &p]);
        both(
            &mut c,
            "handle-summary",
            &["handle", "--summary", "--process", &ie, &p],
        );
        both(&mut c, "thread", &["thread", &p, &thread]);
        both(&mut c, "thread-worker", &["thread", &p, &worker]);
        failures.extend(check_folder(
            &format!("handle-leak-{}", flavor.name()),
            &c,
            &[(d.as_str(), "<DIR>")],
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}

/// The segment-heap pool scenario (x64 Windows 10 2004): `!pool` in an LFH subsegment, a VS
/// subsegment, a free LFH block and a large allocation, and `!poolfind` over the heaps; then the
/// same dump without its symbols file (the page is named, not walked).
#[test]
fn segment_pool_scenario_matches_its_goldens() {
    use examples::demo::kernel_scenarios_segment::segment_pool;
    let dir = std::env::temp_dir().join("dumpscope-segpool-golden");
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap().to_string();
    let s = segment_pool().unwrap();
    let p = dir.join("segment-pool.dmp");
    std::fs::write(&p, &s.dump).unwrap();
    std::fs::write(examples::target::isf_path(&p), &s.isf).unwrap();
    let bare = dir.join("segment-pool-nosyms.dmp");
    std::fs::write(&bare, &s.dump).unwrap();
    let p = p.to_str().unwrap().to_string();
    let bare = bare.to_str().unwrap().to_string();
    let a = |n: &str| format!("{:x}", s.addresses[n]);
    let (lfh, vs, free, large) = (a("lfh"), a("vs"), a("free"), a("large"));
    let mut c = Vec::new();
    c.push(case(
        "windbg.txt",
        &[
            &p,
            "-c",
            &format!("!pool {lfh}"),
            "-c",
            &format!("!pool {vs}"),
            "-c",
            &format!("!pool {large}"),
            "-c",
            "!poolfind Leak",
        ],
    ));
    both(&mut c, "pool-page-lfh", &["pool", "page", &p, &lfh]);
    both(&mut c, "pool-page-vs", &["pool", "page", &p, &vs]);
    both(&mut c, "pool-page-free", &["pool", "page", &p, &free]);
    both(&mut c, "pool-find", &["pool", "find", &p, "Leak"]);
    both(&mut c, "pool-page-nosyms", &["pool", "page", &bare, &vs]);
    let mut failures = check_folder("segment-pool", &c, &[(d.as_str(), "<DIR>")]);
    let _ = std::fs::remove_dir_all(&dir);
    failures.sort();
    report(&failures);
}

/// `!heap -p -a` of a busy and of a freed page-heap block.
fn page_heap_finds(c: &mut Vec<Case>, d: &str, busy: &str, freed: &str) {
    both(
        c,
        "heap-page-heap-find",
        &["heap", "--page-heap", "--find", busy, d],
    );
    both(
        c,
        "heap-page-heap-find-freed",
        &["heap", "--page-heap", "--find", freed, d],
    );
}

/// A synthetic process run with full page heap (`gflags +hpa`) and a segment heap:
/// `!heap -p`, `!heap -p -a`, `!heap -stat`.
#[test]
fn page_heap_matches_its_goldens() {
    let dir = std::env::temp_dir().join("dumpscope-testfiles-page-heap");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("pageheap-app.dmp");
    let p = synth_process::write(&dump);
    let d = dump.to_str().unwrap();
    let busy = format!("{:x}", p.page.busy[0].user_address + 8);
    let freed = format!("{:x}", p.page.free[0].virtual_block);
    let mut c = Vec::new();
    both(&mut c, "heap-page-heap", &["heap", "--page-heap", d]);
    both(&mut c, "heap-leaks", &["heap", "--leaks", d]);
    both(&mut c, "leak", &["leak", d]);
    // The segment heap's VS, LFH, back-end and large blocks counted with the NT heap's.
    both(&mut c, "heap-stat", &["heap", "--stat", d]);
    page_heap_finds(&mut c, d, &busy, &freed);
    c.push(case(
        "windbg.txt",
        &[
            d,
            "-c",
            "!heap -p",
            "-c",
            &format!("!heap -p -a {busy}"),
            "-c",
            "!heap -s",
            "-c",
            "!heap -l",
        ],
    ));
    let failures = check_folder("page-heap", &c, &[(dir.to_str().unwrap(), "<DIR>")]);
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}

/// A synthetic service run under light page heap (`gflags /p /enable` without `/full`,
/// Application Verifier's light mode) leaking session records: `!heap -p`, `!heap -p -a`,
/// `!heap -l` and `leak`, whose suspect carries the page heap's allocation stack.
#[test]
fn light_page_heap_matches_its_goldens() {
    let dir = std::env::temp_dir().join("dumpscope-testfiles-light-page-heap");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("session-svc.dmp");
    let p = light_page_heap_process::write(&dump);
    let d = dump.to_str().unwrap();
    let busy = format!("{:x}", p.leaked[3] + 8);
    let freed = format!("{:x}", p.freed[0]);
    let mut c = Vec::new();
    both(&mut c, "heap-page-heap", &["heap", "--page-heap", d]);
    page_heap_finds(&mut c, d, &busy, &freed);
    both(&mut c, "heap-leaks", &["heap", "--leaks", d]);
    both(&mut c, "leak", &["leak", d]);
    c.push(case(
        "windbg.txt",
        &[
            d,
            "-c",
            "!heap -p",
            "-c",
            &format!("!heap -p -a {busy}"),
            "-c",
            "!heap -s",
            "-c",
            &format!("!heap -stat -h {:x}", light_page_heap_process::NORMAL_HEAP),
            "-c",
            "!heap -l",
        ],
    ));
    let failures = check_folder("light-page-heap", &c, &[(dir.to_str().unwrap(), "<DIR>")]);
    let _ = std::fs::remove_dir_all(&dir);
    report(&failures);
}
