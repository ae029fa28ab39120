//! `dumpscope demo`: the main job with no dump at hand.
//!
//! Writes, from the crates' synthetic builders ([`dumpfile::synth`], [`ntheap::synth`],
//! [`pe_sections::synth`]), two full-memory x64 dumps of a D4C.exe-style heap leak
//! — a "before" dump taken early and an "after" dump taken once the leak has grown —
//! and runs [`leak`] on the "after" one:
//!
//! - a process heap (listed in `PEB.ProcessHeaps`) grown to dozens of segments of busy
//!   0x41f80-byte blocks, each holding `==> Allocated addr: 0x%08x`-formatted text, next to two
//!   small heaps (one with a large `VirtualAllocdBlocks` block);
//! - a `D4C.exe` image (module list and mapped image) whose `.rdata` holds the format string at
//!   RVA 0x36b0 and whose `.text` loads it with a RIP-relative `lea` at RVA 0x161d, inside the
//!   function at RVA 0x15a0 (with `.pdata` unwind data);
//! - three threads (TEBs, stacks, contexts) with a ThreadInfoList where thread 1 burns kernel
//!   time, both worker threads sitting at D4C+0x1680;
//! - a MemoryInfoList, so `address --summary` shows Heap dominating.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::CliError;
use crate::report::{Format, Text, emit};
use crate::target::UserDump;
use crate::user::{diff, leak};

mod bugcheck;
pub mod bugcheck_arm64;
mod build;
mod image;
pub mod kernel_scenarios;
pub mod kernel_scenarios_segment;
pub mod kernel_scenarios_x64;
pub mod scenarios;

pub use self::bugcheck::{BugcheckD1, FAULT_RVA, bugcheck_d1, run_bugcheck_d1};
pub use self::build::*;
pub use self::image::d4c_image;
pub use self::scenarios::Scenario;

/// What `demo` does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demo {
    /// Where to write `D4C-before.dmp` and `D4C-after.dmp` (default: [`default_dir`]).
    pub out: Option<PathBuf>,
    /// Variations of the dumps.
    pub options: Options,
}

/// What `demo` reports: the two dumps written, `leak` on the "after" one and `diff` of the two.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Path of the "before" dump.
    pub before: String,
    /// Path of the "after" dump.
    pub after: String,
    /// Size of the "before" dump file.
    pub before_bytes: u64,
    /// Size of the "after" dump file.
    pub after_bytes: u64,
    /// `leak` on the "after" dump.
    pub leak: leak::Report,
    /// `diff` from the "before" to the "after" dump.
    pub diff: diff::Report,
}

/// The default output folder.
pub fn default_dir() -> PathBuf {
    std::env::temp_dir().join("dumpscope-demo")
}

/// Writes the two dumps and investigates them.
pub fn investigate(demo: &Demo) -> Result<Report, CliError> {
    let dir = demo.out.clone().unwrap_or_else(default_dir);
    std::fs::create_dir_all(&dir).map_err(|e| CliError::at(&dir, e))?;
    let before = dir.join("D4C-before.dmp");
    let after = dir.join("D4C-after.dmp");
    let before_bytes = write_dump(Moment::Before, demo.options, &before)?;
    let after_bytes = write_dump(Moment::After, demo.options, &after)?;
    let (b, a) = (UserDump::open(&before)?, UserDump::open(&after)?);
    let options = leak::Options::default();
    Ok(Report {
        before: before.display().to_string(),
        after: after.display().to_string(),
        before_bytes,
        after_bytes,
        leak: leak::investigate(&a, &options),
        diff: diff::investigate(&b, &a, &options),
    })
}

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        writeln!(
            out,
            "dumpscope demo: a D4C.exe-style heap leak: a process whose heap grows with blocks of one size."
        )?;
        writeln!(out, "Wrote {} ({} bytes)", self.before, self.before_bytes)?;
        writeln!(out, "Wrote {} ({} bytes)", self.after, self.after_bytes)?;
        writeln!(out)?;
        writeln!(out, "$ dumpscope leak {}", self.after)?;
        self.leak.text(out)?;
        writeln!(out)?;
        writeln!(out, "$ dumpscope diff {} {}", self.before, self.after)?;
        self.diff.text(out)
    }
}

/// Runs `dumpscope demo` (the D4C.exe-style heap leak in full).
pub fn run(demo: &Demo, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    emit(&investigate(demo)?, format, out)
}

/// Runs `dumpscope demo [--scenario NAME]`: one story in full, or all five with their
/// conclusions.
pub fn run_scenario(
    scenario: Option<&str>,
    demo: &Demo,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let dir = demo.out.clone().unwrap_or_else(default_dir);
    // `--ust` and `--objects` vary the heap-leak story.
    let varied = demo.options.ust || demo.options.objects;
    let scenario = scenario.or(varied.then_some("heap-leak"));
    let Some(name) = scenario else {
        return emit(&scenarios::all(demo, &dir)?, format, out);
    };
    let s =
        Scenario::parse(name).ok_or_else(|| CliError::new(format!("no scenario named {name}")))?;
    match s {
        Scenario::HeapLeak => run(demo, format, out),
        Scenario::LargeBlocks => emit(&scenarios::large_blocks(&dir)?, format, out),
        Scenario::BugcheckD1 => run_bugcheck_d1(&dir, format, out),
        Scenario::PoolVerifier | Scenario::HandleLeak => {
            scenarios::run_kernel_leak(s, &dir, format, out)
        }
    }
}
