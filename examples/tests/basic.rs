//! `dumpscope info`, `runaway` and `address` on the real corpus dumps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]

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
fn user_command_on_a_kernel_dump_is_refused_with_one_clear_line() {
    let Some(p) = corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let out = dumpscope(&["heap", path(&p)]);
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

/// Writes a synthetic dump to a fresh temporary file.
fn write_temp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join("dumpscope-basic");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// `!address -summary` from a real MemoryInfoList: a synthetic x64 dump whose regions are known.
#[test]
fn address_summary_from_memory_info_list() {
    use dumpfile::synth::{SynthArch, SynthDump, SynthMemoryInfo, SynthThread};
    const COMMIT: u32 = 0x1000;
    const RESERVE: u32 = 0x2000;
    const FREE: u32 = 0x1_0000;
    const PRIVATE: u32 = 0x2_0000;
    const IMAGE: u32 = 0x100_0000;
    let region =
        |base: u64, size: u64, alloc: u64, state: u32, protect: u32, kind: u32| SynthMemoryInfo {
            base_address: base,
            allocation_base: alloc,
            allocation_protect: 4,
            region_size: size,
            state,
            protect,
            type_: kind,
        };
    let dump = SynthDump::new(SynthArch::X64)
        .thread(SynthThread {
            id: 0x10,
            teb: 0x7ff0_0000,
            stack_base: 0x0020_e000,
            stack_size: 0x2000,
            ..Default::default()
        })
        .memory(0x0020_e000, vec![0u8; 0x2000])
        .memory_info(region(0, 0x10_0000, 0, FREE, 1, 0))
        // The stack allocation: reserved bottom, guard page, committed top.
        .memory_info(region(0x10_0000, 0x10_d000, 0x10_0000, RESERVE, 0, PRIVATE))
        .memory_info(region(0x20_d000, 0x1000, 0x10_0000, COMMIT, 0x104, PRIVATE))
        .memory_info(region(0x20_e000, 0x2000, 0x10_0000, COMMIT, 4, PRIVATE))
        .memory_info(region(0x40_0000, 0x1000, 0x40_0000, COMMIT, 2, IMAGE))
        .memory_info(region(0x40_1000, 0x3000, 0x40_0000, COMMIT, 0x20, IMAGE))
        .memory_info(region(0x50_0000, 0x8000, 0x50_0000, COMMIT, 4, PRIVATE))
        .memory_info(region(0x7ff0_0000, 0x2000, 0x7ff0_0000, COMMIT, 4, PRIVATE))
        .write()
        .unwrap();
    let p = write_temp("address.dmp", &dump);
    let v = dumpscope_json(&["address", "--summary", "--json", path(&p)]);
    assert_eq!(v["source"], "MemoryInfoList");
    let total = 0x10_0000u64 + 0x10_d000 + 0x1000 + 0x2000 + 0x1000 + 0x3000 + 0x8000 + 0x2000;
    assert_eq!(v["total"].as_u64(), Some(total));
    assert_eq!(v["busy"].as_u64(), Some(total - 0x10_0000));
    let row = |table: &str, name: &str| {
        v[table]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| (r["count"].as_u64().unwrap(), r["size"].as_u64().unwrap()))
    };
    assert_eq!(row("usage", "Free"), Some((1, 0x10_0000)));
    assert_eq!(row("usage", "Stack"), Some((3, 0x11_0000)));
    assert_eq!(row("usage", "Image"), Some((2, 0x4000)));
    assert_eq!(row("usage", "TEB"), Some((1, 0x2000)));
    assert_eq!(row("usage", "<unknown>"), Some((1, 0x8000)));
    assert_eq!(row("type", "MEM_IMAGE"), Some((2, 0x4000)));
    assert_eq!(row("state", "MEM_RESERVE"), Some((1, 0x10_d000)));
    assert_eq!(
        row("protect", "PAGE_READWRITE | PAGE_GUARD"),
        Some((1, 0x1000))
    );
    assert_eq!(row("protect", "PAGE_EXECUTE_READ"), Some((1, 0x3000)));
    // Free memory has no share of busy memory; the busy shares add up to 100 %.
    let usage = v["usage"].as_array().unwrap();
    let free = usage.iter().find(|r| r["name"] == "Free").unwrap();
    assert!(free["percent_of_busy"].is_null());
    let busy_pct: f64 = usage
        .iter()
        .filter_map(|r| r["percent_of_busy"].as_f64())
        .sum();
    assert!((busy_pct - 100.0).abs() < 1e-6, "{busy_pct}");
    let text = String::from_utf8(dumpscope(&["address", "--summary", path(&p)]).stdout).unwrap();
    assert!(text.starts_with("--- Usage Summary ---"), "{text}");
    assert!(
        text.contains(
            "Stack                                    3               110000 (    1.062 MB)"
        ),
        "{text}"
    );
}

/// `!runaway` sorting on a synthetic dump: largest first, ties in thread order.
#[test]
fn runaway_sorts_like_windbg() {
    use dumpfile::synth::{SynthArch, SynthDump, SynthThread, SynthThreadInfo};
    let stamp: u32 = 1_700_000_000;
    let ft = |s: u64| s * 10_000_000 + 116_444_736_000_000_000;
    let mut d = SynthDump::new(SynthArch::X64).time_date_stamp(stamp);
    for (id, created, kernel, user) in [
        (0x10d4u32, 100u64, 0u64, 0u64),
        (0x2390, 108, 987_030_000, 270_310_000),
        (0x1018, 108, 17_030_000, 110_930_000),
    ] {
        d = d
            .thread(SynthThread {
                id,
                ..Default::default()
            })
            .thread_info(SynthThreadInfo {
                thread_id: id,
                create_time: ft(u64::from(stamp) - created),
                kernel_time: kernel,
                user_time: user,
                ..Default::default()
            });
    }
    let p = write_temp("runaway.dmp", &d.write().unwrap());
    let text = String::from_utf8(dumpscope(&["runaway", path(&p)]).stdout).unwrap();
    let expected: String = [
        " User Mode Time",
        "  Thread       Time",
        "    1:2390      0 days 0:00:27.031",
        "    2:1018      0 days 0:00:11.093",
        "    0:10d4      0 days 0:00:00.000",
        " Kernel Mode Time",
        "  Thread       Time",
        "    1:2390      0 days 0:01:38.703",
        "    2:1018      0 days 0:00:01.703",
        "    0:10d4      0 days 0:00:00.000",
        " Elapsed Time",
        "  Thread       Time",
        "    1:2390      0 days 0:01:48.000",
        "    2:1018      0 days 0:01:48.000",
        "    0:10d4      0 days 0:01:40.000",
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect();
    assert_eq!(text, expected);
}
