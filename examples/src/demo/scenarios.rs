//! The five stories `dumpscope demo` plays, each written by the crates' synthetic builders and
//! answered by the command a user runs on such a dump:
//!
//! - `heap-leak`: a D4C.exe-style heap leak (user dump, x64): `leak` and `diff`;
//! - `large-blocks`: a process holding gigabytes in `VirtualAllocdBlocks` with `+ust` (user
//!   dump, x64), where `!heap -s` commit misses them: `leak`;
//! - `pool-verifier`: a driver leaking paged pool under Driver Verifier's pool tracking
//!   (Windows 8.1 x86 kernel dump): `leak`;
//! - `bugcheck-d1`: DRIVER_IRQL_NOT_LESS_OR_EQUAL in a driver while NotMyFault runs (x64 and x86
//!   kernel triage dumps): `analyze`;
//! - `handle-leak`: an x86 server whose non-paged pool is exhausted by terminated thread objects
//!   a driver started and a process keeps handles to: `leak`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::CliError;
use crate::report::{Format, Text, emit};

use super::kernel_scenarios::{self, KernelScenario};

/// One of the stories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// A D4C.exe-style heap leak.
    HeapLeak,
    /// Gigabytes in `VirtualAllocdBlocks` with `+ust`.
    LargeBlocks,
    /// A pool leak under Driver Verifier.
    PoolVerifier,
    /// Bugcheck 0xD1 in a driver.
    BugcheckD1,
    /// A handle leak of terminated threads.
    HandleLeak,
}

impl Scenario {
    /// Every story, in the order `demo` plays them.
    pub const ALL: [Scenario; 5] = [
        Scenario::HeapLeak,
        Scenario::LargeBlocks,
        Scenario::PoolVerifier,
        Scenario::BugcheckD1,
        Scenario::HandleLeak,
    ];

    /// The name `--scenario` takes.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::HeapLeak => "heap-leak",
            Scenario::LargeBlocks => "large-blocks",
            Scenario::PoolVerifier => "pool-verifier",
            Scenario::BugcheckD1 => "bugcheck-d1",
            Scenario::HandleLeak => "handle-leak",
        }
    }

    /// The scenario named `name`.
    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// One line saying what the story is.
    pub fn title(self) -> &'static str {
        match self {
            Scenario::HeapLeak => {
                "a D4C.exe-style heap leak: a process whose heap grows with blocks of one size (user dump, x64)"
            }
            Scenario::LargeBlocks => {
                "a process holding gigabytes in its heap's VirtualAllocdBlocks, with +ust stacks (user dump, x64)"
            }
            Scenario::PoolVerifier => {
                "a driver leaking paged pool under Driver Verifier's pool tracking (kernel dump, Windows 8.1 x86)"
            }
            Scenario::BugcheckD1 => {
                "DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1) in a driver while NotMyFault runs (kernel triage dump, x64)"
            }
            Scenario::HandleLeak => {
                "a server whose non-paged pool is exhausted by terminated thread objects (kernel dump, x86)"
            }
        }
    }
}

/// Leaked threads in the handle-leak scenario (the story's iexplore.exe held 143,428 handles).
pub const HANDLE_LEAK_THREADS: u64 = 143_425;

/// Writes a kernel scenario's dump as `dir/file` and its kernel symbols next to it
/// (`file.isf.json`); returns the dump's path and size.
pub fn write_kernel(
    dir: &Path,
    file: &str,
    s: &KernelScenario,
) -> Result<(PathBuf, u64), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::at(dir, e))?;
    let path = dir.join(file);
    std::fs::write(&path, &s.dump).map_err(|e| CliError::at(&path, e))?;
    let isf = crate::target::isf_path(&path);
    std::fs::write(&isf, &s.isf).map_err(|e| CliError::at(&isf, e))?;
    Ok((path, u64::try_from(s.dump.len()).unwrap_or(u64::MAX)))
}

/// Writes the dump of a kernel leak scenario into `dir`.
pub fn write_kernel_leak(scenario: Scenario, dir: &Path) -> Result<(PathBuf, u64), CliError> {
    match scenario {
        Scenario::PoolVerifier => write_kernel(
            dir,
            "pool-verifier.dmp",
            &kernel_scenarios::pool_verifier()?,
        ),
        Scenario::HandleLeak => write_kernel(
            dir,
            "handle-leak.dmp",
            &kernel_scenarios::handle_leak(HANDLE_LEAK_THREADS)?,
        ),
        _ => Err(CliError::new(format!(
            "{} is not a kernel leak scenario",
            scenario.name()
        ))),
    }
}

/// A kernel leak scenario played in full: the dump written and `leak` on it.
#[derive(Debug, Serialize)]
pub struct KernelLeakRun {
    /// The scenario.
    pub scenario: Scenario,
    /// The dump.
    pub dump: String,
    /// Its size.
    pub dump_bytes: u64,
    /// `leak` on it.
    pub leak: crate::kernel::leak::Report,
}

impl Text for KernelLeakRun {
    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "dumpscope demo: {}.", self.scenario.title())?;
        writeln!(
            out,
            "Wrote {} ({} bytes) and the kernel's symbols beside it ({}.isf.json)",
            self.dump, self.dump_bytes, self.dump
        )?;
        writeln!(out)?;
        writeln!(out, "$ dumpscope leak {}", self.dump)?;
        self.leak.text(out)
    }
}

/// Writes a kernel leak scenario's dump into `dir` and runs `leak` on it.
pub fn kernel_leak(scenario: Scenario, dir: &Path) -> Result<KernelLeakRun, CliError> {
    let (path, dump_bytes) = write_kernel_leak(scenario, dir)?;
    let k = crate::target::KernelTarget::open(&path)?;
    let leak = crate::kernel::leak::investigate(&k, &crate::kernel::leak::Options::default());
    Ok(KernelLeakRun {
        scenario,
        dump: path.display().to_string(),
        dump_bytes,
        leak,
    })
}

/// Runs one kernel leak scenario and prints it.
pub fn run_kernel_leak(
    scenario: Scenario,
    dir: &Path,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    emit(&kernel_leak(scenario, dir)?, format, out)
}

/// Large blocks in the large-blocks scenario: 189 blocks of 16 MiB, about 3 GiB (the story's
/// heap listed 189 in its `Virt blocks` column).
pub const LARGE_BLOCKS: u32 = 189;

/// The large-blocks scenario played in full: the dump written and `leak` on it.
#[derive(Debug, Serialize)]
pub struct LargeBlocksRun {
    /// The dump.
    pub dump: String,
    /// Its size (the blocks' pages beyond their first are not in it).
    pub dump_bytes: u64,
    /// `leak` on it.
    pub leak: crate::user::leak::Report,
}

impl Text for LargeBlocksRun {
    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(out, "dumpscope demo: {}.", Scenario::LargeBlocks.title())?;
        writeln!(
            out,
            "Wrote {} ({} bytes; each large block's first page is in it)",
            self.dump, self.dump_bytes
        )?;
        writeln!(out)?;
        writeln!(out, "$ dumpscope leak {}", self.dump)?;
        self.leak.text(out)
    }
}

/// Writes the large-blocks dump into `dir` and runs `leak` on it.
pub fn large_blocks(dir: &Path) -> Result<LargeBlocksRun, CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::at(dir, e))?;
    let path = dir.join("large-blocks.dmp");
    let opts = super::Options {
        ust: true,
        large_blocks: LARGE_BLOCKS,
        ..super::Options::default()
    };
    let dump_bytes = super::write_dump(super::Moment::After, opts, &path)?;
    let u = crate::target::UserDump::open(&path)?;
    let leak = crate::user::leak::investigate(&u, &crate::user::leak::Options::default());
    Ok(LargeBlocksRun {
        dump: path.display().to_string(),
        dump_bytes,
        leak,
    })
}

/// One story played by `demo` without `--scenario`.
#[derive(Debug, Serialize)]
pub struct Played {
    /// The scenario.
    pub scenario: Scenario,
    /// What it is.
    pub title: &'static str,
    /// The dumps written.
    pub dumps: Vec<String>,
    /// The command whose answer is shown.
    pub command: String,
    /// Its conclusion.
    pub conclusion: String,
}

/// `demo` without `--scenario`: the five stories, each with its conclusion.
#[derive(Debug, Serialize)]
pub struct AllScenarios {
    /// Where the dumps are.
    pub out: String,
    /// The stories.
    pub scenarios: Vec<Played>,
}

impl Text for AllScenarios {
    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "dumpscope demo: five investigations, each on dumps written by the crates' synthetic builders"
        )?;
        writeln!(
            out,
            "(dumps in {}; play one in full with: dumpscope demo --scenario NAME)",
            self.out
        )?;
        for (i, p) in (1u32..).zip(&self.scenarios) {
            writeln!(out)?;
            writeln!(out, "{i}. {}: {}", p.scenario.name(), p.title)?;
            writeln!(out, "   $ {}", p.command)?;
            writeln!(out, "   Conclusion: {}", p.conclusion)?;
        }
        Ok(())
    }
}

/// The 0xD1 conclusion as `!analyze -v`'s key lines say it.
fn analyze_conclusion(a: &crate::kernel::analyze::Report) -> String {
    let mut parts = vec![format!("{} ({:x})", a.bugcheck_name, a.bugcheck_code)];
    for (key, value) in [
        ("MODULE_NAME", &a.module_name),
        ("IMAGE_NAME", &a.image_name),
        ("SYMBOL_NAME", &a.symbol_name),
        ("PROCESS_NAME", &a.process_name),
    ] {
        if let Some(v) = value {
            parts.push(format!("{key}: {v}"));
        }
    }
    parts.push(format!("FAILURE_BUCKET_ID: {}", a.failure_bucket_id));
    parts.join("; ")
}

/// Plays every story into `dir`.
pub fn all(demo: &super::Demo, dir: &Path) -> Result<AllScenarios, CliError> {
    let mut scenarios = Vec::new();
    let d = dir.display();
    for s in Scenario::ALL {
        // Each story: the command whose answer is shown, the dumps written, the conclusion.
        let (command, dumps, conclusion) = match s {
            Scenario::HeapLeak => {
                let r = super::investigate(&super::Demo {
                    out: Some(dir.to_path_buf()),
                    options: demo.options,
                })?;
                let command = format!("dumpscope leak {}", r.after);
                (command, vec![r.before, r.after], r.leak.conclusion)
            }
            Scenario::LargeBlocks => {
                let r = large_blocks(dir)?;
                (
                    format!("dumpscope leak {}", r.dump),
                    vec![r.dump],
                    r.leak.conclusion,
                )
            }
            Scenario::BugcheckD1 => {
                let b = super::bugcheck_d1(dumpfile::synth::kernel::KernelArch::X64)?;
                std::fs::create_dir_all(dir).map_err(|e| CliError::at(dir, e))?;
                let path = dir.join("NotMyFault-x64.dmp");
                std::fs::write(&path, &b.bytes).map_err(|e| CliError::at(&path, e))?;
                let k = crate::target::KernelTarget::open(&path)?;
                let a = crate::kernel::analyze::investigate(
                    &k,
                    &crate::kernel::analyze::Options::default(),
                );
                let path = path.display().to_string();
                (
                    format!("dumpscope analyze {path}"),
                    vec![path],
                    analyze_conclusion(&a),
                )
            }
            Scenario::PoolVerifier | Scenario::HandleLeak => {
                let r = kernel_leak(s, dir)?;
                (
                    format!("dumpscope leak {}", r.dump),
                    vec![r.dump],
                    r.leak.conclusion,
                )
            }
        };
        let played = Played {
            scenario: s,
            title: s.title(),
            dumps,
            command,
            conclusion,
        };
        scenarios.push(played);
    }
    Ok(AllScenarios {
        out: d.to_string(),
        scenarios,
    })
}
