//! `dumpscope info`, `runaway` and `address` on the real corpus dumps.

mod common;

use common::{corpus_file, dumpscope, dumpscope_json};

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn info_json_contract_on_the_wow64_full_dump() {
    let Some(p) = corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let v = dumpscope_json(&["info", "--json", path(&p)]);
    let sys = &v["system"];
    assert_eq!(sys["arch"], "x64");
    assert_eq!(
        (
            sys["major"].as_u64(),
            sys["minor"].as_u64(),
            sys["build"].as_u64()
        ),
        (Some(6), Some(1), Some(7601))
    );
    assert!(sys["processors"].as_u64().unwrap() >= 1);
    assert_eq!(v["exception"]["code"].as_u64(), Some(0x8000_0003));
    let threads = v["threads"].as_array().unwrap();
    assert!(!threads.is_empty());
    for t in threads {
        for k in ["id", "teb", "stack_start", "stack_size"] {
            assert!(t[k].is_u64(), "thread field {k} is an integer");
        }
    }
    let modules = v["modules"].as_array().unwrap();
    let ntdll = modules
        .iter()
        .find(|m| {
            m["name"]
                .as_str()
                .unwrap()
                .to_ascii_lowercase()
                .ends_with("ntdll.dll")
        })
        .expect("64-bit ntdll in the module list");
    assert_eq!(ntdll["pdb_id"], "6B9E5E8038E2420E8E7C62EA60DDB0692");
    for m in modules {
        for k in ["base", "size", "timestamp", "checksum"] {
            assert!(m[k].is_u64(), "module field {k} is an integer");
        }
    }
    let memory = v["memory"].as_array().unwrap();
    assert_eq!(memory.len(), 54, "the corpus README says 54 ranges");
    let bases: Vec<u64> = memory.iter().map(|r| r[0].as_u64().unwrap()).collect();
    assert!(bases.windows(2).all(|w| w[0] < w[1]), "ascending");
    assert!(v["thread_info"].is_array());
}

#[test]
fn info_text_names_the_exception_and_modules() {
    let Some(p) = corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let out = dumpscope(&["info", path(&p)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("c0000005 (Access violation)"), "{text}");
    assert!(text.contains("Windows 10.0.16299"), "{text}");
}

#[test]
fn info_runs_on_every_corpus_user_dump() {
    let Some(dir) = corpus_file("README.md").map(|p| p.parent().unwrap().join("user")) else {
        return;
    };
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("dmp") {
            continue;
        }
        let v = dumpscope_json(&["info", "--json", path(&p)]);
        assert!(v["system"].is_object(), "{}", p.display());
    }
}

#[test]
fn kernel_dump_is_refused_with_one_clear_line() {
    let Some(p) = corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let out = dumpscope(&["info", path(&p)]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("win10-19041-x64-triage.dmp"), "{err}");
    assert!(err.to_ascii_lowercase().contains("kernel"), "{err}");
}

#[test]
fn missing_file_is_one_line_and_non_zero() {
    let out = dumpscope(&["info", "/nonexistent/x.dmp"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("dumpscope: /nonexistent/x.dmp: "), "{err}");
}

/// Values computed by hand from the ThreadInfoList stream (header time stamp 0x563674cd;
/// elapsed = time stamp as FILETIME − CreateTime).
#[test]
fn runaway_matches_hand_computed_times_jusched() {
    let Some(p) = corpus_file("user/win7-x86-jusched-handles.dmp") else {
        return;
    };
    let out = dumpscope(&["runaway", path(&p)]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let expected: String = [
        " User Mode Time",
        "  Thread       Time",
        "    0:8a4       0 days 0:00:00.000",
        "    1:acc       0 days 0:00:00.000",
        "    2:6fc       0 days 0:00:00.000",
        "    3:3f8       0 days 0:00:00.000",
        " Kernel Mode Time",
        "  Thread       Time",
        "    0:8a4       0 days 0:00:00.015",
        "    1:acc       0 days 0:00:00.000",
        "    2:6fc       0 days 0:00:00.000",
        "    3:3f8       0 days 0:00:00.000",
        " Elapsed Time",
        "  Thread       Time",
        "    0:8a4       0 days 0:30:32.426",
        "    1:acc       0 days 0:25:31.707",
        "    2:6fc       0 days 0:25:31.645",
        "    3:3f8       0 days 0:25:31.645",
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    assert_eq!(text, expected);
    let v = dumpscope_json(&["runaway", "--json", path(&p)]);
    assert_eq!(v["kernel"][0]["id"].as_u64(), Some(0x8a4));
    assert_eq!(v["kernel"][0]["kernel_time"].as_u64(), Some(156_250));
    assert_eq!(
        v["elapsed"][0]["elapsed_time"].as_u64(),
        Some(18_324_265_625)
    );
    assert_eq!(
        v["elapsed"][3]["elapsed_time"].as_u64(),
        Some(15_316_451_739)
    );
}

#[test]
fn runaway_matches_hand_computed_times_fizzbuzz() {
    let Some(p) = corpus_file("user/win7-x86-fizzbuzz-threadinfo.dmp") else {
        return;
    };
    let v = dumpscope_json(&["runaway", "--json", path(&p)]);
    let e = &v["elapsed"][0];
    assert_eq!(e["id"].as_u64(), Some(0x2320));
    // 0x55f88f84 s as FILETIME − 130868266052699170 = 227300830 (22.730 s).
    assert_eq!(e["elapsed_time"].as_u64(), Some(227_300_830));
    let out = dumpscope(&["runaway", path(&p)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("    0:2320      0 days 0:00:22.730"),
        "{text}"
    );
}

#[test]
fn runaway_without_thread_info_says_so() {
    let Some(p) = corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let out = dumpscope(&["runaway", path(&p)]);
    if out.status.success() {
        return; // the dump has a ThreadInfoList after all: nothing to check here
    }
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("ThreadInfoList"), "{err}");
}

#[test]
fn address_summary_on_the_wow64_full_dump() {
    let Some(p) = corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    // This dump has no MemoryInfoList: the summary is made from its 54 captured ranges.
    let v = dumpscope_json(&["address", "--summary", "--json", path(&p)]);
    assert_eq!(v["source"], "captured memory");
    let total = v["total"].as_u64().unwrap();
    let busy = v["busy"].as_u64().unwrap();
    assert_eq!(busy, total, "nothing free is known without MemoryInfoList");
    let info = dumpscope_json(&["info", "--json", path(&p)]);
    let captured: u64 = info["memory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_u64().unwrap())
        .sum();
    assert_eq!(total, captured);
    let usage = v["usage"].as_array().unwrap();
    let names: Vec<&str> = usage.iter().map(|r| r["name"].as_str().unwrap()).collect();
    for expected in ["Image", "Stack", "TEB", "PEB", "Heap"] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let sum: u64 = usage.iter().map(|r| r["size"].as_u64().unwrap()).sum();
    assert_eq!(sum, total, "usage rows add up to the whole space");
    let text = String::from_utf8(dumpscope(&["address", "--summary", path(&p)]).stdout).unwrap();
    assert!(text.starts_with("Note: no MemoryInfoList stream"), "{text}");
    assert!(text.contains("--- Usage Summary ---"), "{text}");
    assert!(
        text.contains("--- Protect Summary (for commit) -"),
        "{text}"
    );
}
