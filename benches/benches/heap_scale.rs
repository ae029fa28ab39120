//! Heap commands at scale (issue 14): `heap --summary`, `heap --stat` and `leak` of the
//! `dumpscope` binary on D4C.exe-style heap-leak dumps of 256 MiB, 2 GiB and 8 GiB, against a
//! raw sequential read of the same file, in one run.
//!
//! Each dump is written by the streaming `examples::demo::write_scaled_dump` (the leaking heap
//! is produced while the file is written, never held) under `target/tmp/`, measured, and
//! deleted. Each command runs as a child process (the release `dumpscope` next to this bench,
//! build it first: `cargo build --release -p examples --bin dumpscope`); its anonymous memory
//! (`RssAnon`) and peak RSS (`VmHWM`, which also counts the dump's mapped file pages) are
//! sampled from `/proc/PID/status` every 5 ms.
//!
//! `cargo bench -p benches --bench heap_scale` runs all three sizes; `HEAP_SCALE_MIB=256,2048`
//! picks sizes in MiB; `HEAP_SCALE_RUNS` (default 3) sets the runs per command (the table
//! gives the median wall time and the largest memory figures); `HEAP_SCALE_KEEP=1` keeps the
//! dumps in `target/tmp/` (delete them by hand); `HEAP_SCALE_BASELINE=PATH` also runs another
//! `dumpscope` binary (e.g. one built from an older commit) once per command, for a before/after
//! in the same run.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dumpscope() -> PathBuf {
    let exe = std::env::current_exe().expect("bench path");
    // target/release/deps/heap_scale-HASH -> target/release/dumpscope
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("dumpscope"))
        .expect("release folder");
    assert!(
        bin.is_file(),
        "{} not found: run `cargo build --release -p examples --bin dumpscope` first",
        bin.display()
    );
    bin
}

/// Reads the file sequentially in 1 MiB reads (what `cat FILE > /dev/null` does); seconds.
fn raw_read(path: &Path) -> f64 {
    let mut f = std::fs::File::open(path).expect("dump");
    let mut buf = vec![0u8; 1 << 20];
    let t = Instant::now();
    let mut sum = 0u64;
    loop {
        let n = f.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        sum = sum.wrapping_add(u64::from(buf[n - 1]));
    }
    std::hint::black_box(sum);
    t.elapsed().as_secs_f64()
}

/// `(kB of RssAnon, kB of VmHWM)` of a running process.
fn memory_of(pid: u32) -> Option<(u64, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = s.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("RssAnon:")?, field("VmHWM:")?))
}

struct Run {
    wall: f64,
    anon_kb: u64,
    hwm_kb: u64,
}

fn run(bin: &Path, args: &[&str]) -> Run {
    let t = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dumpscope runs");
    let (mut anon, mut hwm) = (0u64, 0u64);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "dumpscope {args:?} failed");
            break;
        }
        if let Some((a, h)) = memory_of(child.id()) {
            anon = anon.max(a);
            hwm = hwm.max(h);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Run {
        wall: t.elapsed().as_secs_f64(),
        anon_kb: anon,
        hwm_kb: hwm,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    let bin = dumpscope();
    let sizes: Vec<u64> = std::env::var("HEAP_SCALE_MIB")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![256, 2048, 8192]);
    let runs: usize = std::env::var("HEAP_SCALE_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&dir).expect("target/tmp");
    println!(
        "| dump | busy blocks | write | raw read | command | wall (median of {runs}) | vs raw read | RssAnon peak | VmHWM | load (1/5/15 min) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for mib in sizes {
        let path = dir.join(format!("heap-scale-{mib}MiB.dmp"));
        let t = Instant::now();
        let (bytes, blocks) =
            examples::demo::write_scaled_dump(mib << 20, &path).expect("dump written");
        let write = t.elapsed().as_secs_f64();
        // The writer is this process: its peak RSS so far bounds what writing held.
        if let Some((anon, hwm)) = memory_of(std::process::id()) {
            eprintln!(
                "wrote {} ({bytes} bytes) in {write:.2} s; writer RssAnon {:.1} MB, VmHWM {:.1} MB",
                path.display(),
                anon as f64 / 1024.0,
                hwm as f64 / 1024.0
            );
        }
        // Warm the page cache, then take the median of the raw reads.
        let _ = raw_read(&path);
        let raw = median((0..runs).map(|_| raw_read(&path)).collect());
        let p = path.to_str().expect("utf-8 path");
        let baseline = std::env::var_os("HEAP_SCALE_BASELINE").map(PathBuf::from);
        for (name, args) in [
            ("heap --summary", vec!["heap", "--summary", p]),
            ("heap --stat", vec!["heap", "--stat", p]),
            ("leak", vec!["leak", p]),
        ] {
            if let Some(old) = &baseline {
                let r = run(old, &args);
                println!(
                    "| {:.2} GiB | {blocks} | {write:.2} s | {raw:.3} s | `{name}` (baseline) | {:.3} s (1 run) | {:.1}× | {:.1} MB | {:.0} MB | {} |",
                    bytes as f64 / (1u64 << 30) as f64,
                    r.wall,
                    r.wall / raw,
                    r.anon_kb as f64 / 1024.0,
                    r.hwm_kb as f64 / 1024.0,
                    load()
                );
            }
            let rs: Vec<Run> = (0..runs).map(|_| run(&bin, &args)).collect();
            let wall = median(rs.iter().map(|r| r.wall).collect());
            let anon = rs.iter().map(|r| r.anon_kb).max().unwrap_or(0);
            let hwm = rs.iter().map(|r| r.hwm_kb).max().unwrap_or(0);
            println!(
                "| {:.2} GiB | {blocks} | {write:.2} s | {raw:.3} s | `{name}` | {wall:.3} s | {:.1}× | {:.1} MB | {:.0} MB | {} |",
                bytes as f64 / (1u64 << 30) as f64,
                wall / raw,
                anon as f64 / 1024.0,
                hwm as f64 / 1024.0,
                load()
            );
        }
        if std::env::var_os("HEAP_SCALE_KEEP").is_none() {
            std::fs::remove_file(&path).expect("dump deleted");
        }
    }
}
