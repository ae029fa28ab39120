//! The handle-leak scenario on every build the synthetic dumps cover (x86 Windows Server 2003,
//! x64 Windows 10 2004 with `ObHeaderCookie`, x64 and x86 Windows 7 SP1): the kernel-object
//! commands (`process`, `handle --summary`, `handle`, `thread` and their `-c` forms) give the
//! same answers on each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use examples::demo::kernel_scenarios_x64::{Flavor, write_handle_leak_on};

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join("dumpscope-kobjects");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{args:?}: {out}\n{err}");
    out
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run(args)).unwrap()
}

/// The answers a user takes from the scenario, whatever the build.
#[derive(Debug, PartialEq, Eq)]
struct Answers {
    /// `(image, handle count, zombie)` of every process, in list order.
    processes: Vec<(String, u64, bool)>,
    /// `Thread: N of M` and the other summary lines, in order.
    summary: Vec<String>,
    /// Type names of the handles, in order.
    handle_types: Vec<String>,
    /// The leaked thread's `!thread` facts: state word, terminated, start symbol, owner image.
    thread: (String, bool, String, String),
}

fn answers(
    flavor: Flavor,
    leaked: u64,
    name: &str,
) -> (Answers, PathBuf, BTreeMap<&'static str, u64>) {
    let path = scratch().join(format!("{name}-{}.dmp", flavor.name()));
    let a = write_handle_leak_on(flavor, leaked, &path).unwrap();
    let p = path.to_str().unwrap();
    let ie = format!("{:x}", a["iexplore"]);

    let v = json(&["process", "--json", p]);
    let processes = v["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["image"].as_str().unwrap().to_string(),
                r["handle_count"].as_u64().unwrap(),
                r["zombie"].as_bool().unwrap(),
            )
        })
        .collect();
    let text = run(&["handle", "--summary", "--process", &ie, p]);
    let summary: Vec<String> = text.lines().skip(1).map(str::to_string).collect();

    let v = json(&["handle", "--json", "--process", &ie, p]);
    let handles = v["handles"].as_array().unwrap();
    let handle_types = handles
        .iter()
        .map(|h| h["type_name"].as_str().unwrap_or("?").to_string())
        .collect();
    // The fourth handle is the first leaked thread.
    let thread = handles[3]["object"].as_u64().unwrap();
    let t = json(&["thread", "--json", p, &format!("{thread:x}")]);
    let text = run(&["thread", p, &format!("{thread:x}")]);
    let owner = text
        .lines()
        .find_map(|l| l.split("Image:").nth(1))
        .unwrap()
        .trim()
        .to_string();
    let thread = (
        t["state"].as_str().unwrap().to_string(),
        t["terminated"].as_bool().unwrap(),
        t["start_symbol"].as_str().unwrap().to_string(),
        owner,
    );
    (
        Answers {
            processes,
            summary,
            handle_types,
            thread,
        },
        path,
        a,
    )
}

fn remove(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(examples::target::isf_path(path));
}

/// Removes a dump and its symbols file when dropped, also when an assertion fails.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        remove(&self.0);
    }
}

#[test]
fn every_build_gives_the_same_answers() {
    let (x86, p, _) = answers(Flavor::X86Server2003, 50, "same");
    remove(&p);
    // What the story says, read from the x86 dump.
    assert_eq!(x86.processes.len(), 13, "{x86:?}");
    assert_eq!(x86.processes[0].0, "System");
    let ie = x86
        .processes
        .iter()
        .find(|p| p.0 == "iexplore.exe")
        .unwrap();
    assert_eq!(ie.1, 53);
    assert!(x86.processes.iter().any(|p| p.0 == "notepad.exe" && p.2));
    assert_eq!(x86.summary[0], "Thread: 50 of 53");
    assert_eq!(
        x86.handle_types.iter().filter(|t| *t == "Thread").count(),
        50
    );
    assert_eq!(
        x86.thread,
        (
            "TERMINATED".to_string(),
            true,
            "mydriver!StatusWaitThread".to_string(),
            "System".to_string()
        )
    );
    for flavor in [Flavor::X64Win10, Flavor::X64Win7, Flavor::X86Win7] {
        let (other, p, _) = answers(flavor, 50, "same");
        remove(&p);
        assert_eq!(other, x86, "{}", flavor.name());
    }
}

/// The story's size on x64 Windows 10: 143,428 handles need a three-level handle table there
/// (256 entries per page), and every object's type is decoded with `ObHeaderCookie`.
#[test]
fn x64_windows_10_at_the_story_size() {
    let path = scratch().join("story-x64-win10.dmp");
    let _cleanup = Scratch(path.clone());
    let t0 = std::time::Instant::now();
    let a = write_handle_leak_on(Flavor::X64Win10, 143_425, &path).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    println!("wrote {size} bytes in {:?}", t0.elapsed());
    let p = path.to_str().unwrap();
    let ie = format!("{:x}", a["iexplore"]);
    let t0 = std::time::Instant::now();
    let summary = run(&["handle", "--summary", "--process", &ie, p]);
    let took = t0.elapsed();
    println!("{summary}({took:?})");
    assert!(summary.contains("Thread: 143,425 of 143,428"), "{summary}");
    let all = run(&[p, "-c", "!process 0 0"]);
    assert!(all.contains("HandleCount: 143428."), "{all}");
    // The last handle, a leaked thread at the far end of the table: handle values skip
    // entry 0 of every 256-entry page, so the 143,428th is the index k with k - k/256 = 143,428.
    let k = (1..200_000u64).find(|k| k - k / 256 == 143_428).unwrap();
    let last = json(&[
        "handle",
        "--json",
        "--process",
        &ie,
        p,
        &format!("{:x}", k * 4),
    ]);
    let object = last["handles"][0]["object"].as_u64();
    println!("{last}");
    assert_eq!(last["total"], 143_428);
    assert_eq!(last["handles"][0]["type_name"], "Thread", "{last}");
    assert!(object.is_some());
}

/// `!handle HANDLE FLAGS` prints what WinDbg's kernel-mode flags ask for: 1 the handle line,
/// 2 the object block (type, header, counts), 3 (the default) and f both.
#[test]
fn handle_flags_choose_the_lines() {
    for flavor in [Flavor::X86Server2003, Flavor::X64Win10] {
        let path = scratch().join(format!("flags-{}.dmp", flavor.name()));
        let a = write_handle_leak_on(flavor, 20, &path).unwrap();
        let p = path.to_str().unwrap();
        let ie = format!("{:x}", a["iexplore"]);
        let show = |flags: &str| {
            let out = run(&[
                p,
                "-c",
                &format!(".process {ie}"),
                "-c",
                &format!("!handle 10 {flags}"),
            ]);
            // The per-handle lines: what follows the handle table's address.
            let body: Vec<String> = out
                .lines()
                .skip_while(|l| !l.starts_with("Handle table at"))
                .skip(1)
                .map(str::to_string)
                .collect();
            body
        };
        let (one, two, three, f, default) = (show("1"), show("2"), show("3"), show("f"), show(""));
        println!(
            "{}:\n{}\n--\n{}",
            flavor.name(),
            one.join("\n"),
            two.join("\n")
        );
        assert_eq!(one.len(), 1, "{one:?}");
        assert!(one[0].starts_with("0010: Object: "), "{one:?}");
        assert!(one[0].contains("GrantedAccess: 001f03ff"), "{one:?}");
        assert!(two[0].starts_with("Object: "), "{two:?}");
        assert!(two[0].ends_with(" Thread"), "{two:?}");
        assert!(
            two.iter()
                .any(|l| l.trim() == "HandleCount: 1  PointerCount: 1")
        );
        assert!(two.iter().all(|l| !l.contains("GrantedAccess")), "{two:?}");
        let both: Vec<String> = one.iter().chain(&two).cloned().collect();
        assert_eq!(three, both);
        assert_eq!(f, both);
        assert_eq!(default, both);
        // The `handle` command takes the same flags.
        let cli = run(&["handle", "--process", &ie, p, "10", "1"]);
        assert!(cli.lines().any(|l| l == one[0]), "{cli}");
        assert!(!cli.contains("ObjectHeader"), "{cli}");
        remove(&path);
    }
}

/// `nt!Function+0xoff` for a return address of the story, from the story's own function list.
fn nt_name(functions: &[(&str, u64)], addr: u64) -> String {
    let (name, start) = functions
        .iter()
        .filter(|(_, a)| *a <= addr)
        .max_by_key(|(_, a)| *a)
        .unwrap();
    format!("nt!{name}+0x{:x}", addr - start)
}

/// `!thread` of a waiting x86 thread walks its kernel stack from the switch frame saved at
/// `KernelStack` through the EBP chain, down to the thread's first frame.
#[test]
fn thread_walks_the_kernel_stack_from_its_switch_frame() {
    for flavor in [Flavor::X86Server2003, Flavor::X86Win7] {
        let path = scratch().join(format!("stack-{}.dmp", flavor.name()));
        let a = write_handle_leak_on(flavor, 4, &path).unwrap();
        let p = path.to_str().unwrap();
        let layout =
            pooltrack::ObjectLayout::for_build(flavor.build(), pooltrack::PointerWidth::Bits32)
                .unwrap();
        let (_, story) = pooltrack::object_synth::handle_leak_story(layout, 4);
        assert_eq!(story.stacks.len(), 2);
        for (thread, frames) in &story.stacks {
            let key = if a["worker"] == *thread {
                "worker"
            } else {
                "user"
            };
            assert_eq!(a[key], *thread);
            let v = json(&["thread", "--json", p, &format!("{thread:x}")]);
            let stack = v["stack"].as_array().unwrap();
            let sites: Vec<&str> = stack
                .iter()
                .map(|f| f["call_site"].as_str().unwrap())
                .collect();
            let expect: Vec<String> = frames
                .iter()
                .map(|&r| nt_name(&story.nt_functions, r))
                .collect();
            assert_eq!(sites, expect, "{}: {v}", flavor.name());
            assert_eq!(stack[0]["trust"], "switch_frame");
            assert_eq!(stack[1]["trust"], "context");
            assert!(
                stack[2..].iter().all(|f| f["trust"] == "frame_pointer"),
                "{v}"
            );
            // Each RetAddr is the next frame's return address; the first frame's EBP column is
            // KernelStack.
            for (i, f) in stack.iter().enumerate() {
                assert_eq!(
                    f["return_address"].as_u64(),
                    frames.get(i + 1).copied(),
                    "{v}"
                );
            }
            let text = run(&[p, "-c", &format!("!thread {thread:x}")]);
            let current = text
                .lines()
                .find_map(|l| l.split(" Current ").nth(1))
                .and_then(|r| r.split_whitespace().next())
                .unwrap();
            let first = text
                .lines()
                .skip_while(|l| !l.starts_with("ChildEBP RetAddr"))
                .nth(1);
            assert_eq!(
                first.unwrap(),
                format!("{current} {:08x} {}", frames[1], expect[0]),
                "{text}"
            );
        }
        // `!process ADDR 6`: every thread with its stack; 2 alone: no stacks.
        let system = format!("{:x}", a["system"]);
        let six = run(&[p, "-c", &format!("!process {system} 6")]);
        let worker_names: Vec<String> = story.stacks[0]
            .1
            .iter()
            .map(|&r| nt_name(&story.nt_functions, r))
            .collect();
        for n in &worker_names {
            assert!(six.contains(n.as_str()), "{n}: {six}");
        }
        let two = run(&[p, "-c", &format!("!process {system} 2")]);
        assert!(
            two.contains("THREAD ") && !two.contains("ChildEBP"),
            "{two}"
        );
        // A terminated thread's stack is gone: no stack, nothing said.
        let v = json(&[
            "handle",
            "--json",
            "--process",
            &format!("{:x}", a["iexplore"]),
            p,
            "10",
        ]);
        let leaked = v["handles"][0]["object"].as_u64().unwrap();
        let t = json(&["thread", "--json", p, &format!("{leaked:x}")]);
        assert_eq!(t["stack"].as_array().unwrap().len(), 0);
        assert!(t["stack_note"].is_null(), "{t}");
        remove(&path);
    }
    // x64: said, not guessed.
    let path = scratch().join("stack-x64-win10.dmp");
    let a = write_handle_leak_on(Flavor::X64Win10, 4, &path).unwrap();
    let t = json(&[
        "thread",
        "--json",
        path.to_str().unwrap(),
        &format!("{:x}", a["worker"]),
    ]);
    remove(&path);
    assert_eq!(t["stack"].as_array().unwrap().len(), 0);
    assert!(
        t["stack_note"].as_str().unwrap().contains("not walked"),
        "{t}"
    );
}
