//! `dumpscope runaway`: WinDbg's `!runaway 7` from the ThreadInfoList stream: user, kernel and
//! elapsed time of every thread, each table sorted from the largest time down.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::fmt_util::{runaway_time, unix_to_filetime};
use crate::{CliError, open_dump, write_json};

/// Arguments of `dumpscope runaway`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

/// Times of one thread, in 100-ns units.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ThreadTimes {
    /// Index in the dump's thread list (WinDbg's thread number).
    pub index: usize,
    /// Thread id.
    pub id: u32,
    /// User-mode time.
    pub user_time: u64,
    /// Kernel-mode time.
    pub kernel_time: u64,
    /// Dump time minus creation time (0 when the thread was created after the dump time stamp).
    pub elapsed_time: u64,
    /// Creation time (FILETIME).
    pub create_time: u64,
}

/// The three tables of `!runaway 7`, each sorted by its own time, largest first.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Runaway {
    /// The dump's time stamp, as a FILETIME.
    pub dump_time: u64,
    /// Sorted by user time.
    pub user: Vec<ThreadTimes>,
    /// Sorted by kernel time.
    pub kernel: Vec<ThreadTimes>,
    /// Sorted by elapsed time.
    pub elapsed: Vec<ThreadTimes>,
}

/// Computes `!runaway 7` for a dump. `Ok(None)` when the dump has no ThreadInfoList.
pub fn compute(dump: &dumpfile::Minidump) -> Result<Option<Runaway>, dumpfile::Error> {
    let Some(infos) = dump.thread_info()? else {
        return Ok(None);
    };
    // WinDbg numbers threads by their order in ThreadList; fall back to ThreadInfoList order.
    let order: Vec<u32> = dump
        .threads()
        .map(|t| t.iter().map(|t| t.id).collect())
        .unwrap_or_default();
    let dump_time = unix_to_filetime(u64::from(dump.header().time_date_stamp));
    let mut rows: Vec<ThreadTimes> = infos
        .iter()
        .enumerate()
        .map(|(i, t)| ThreadTimes {
            index: order.iter().position(|id| *id == t.thread_id).unwrap_or(i),
            id: t.thread_id,
            user_time: t.user_time,
            kernel_time: t.kernel_time,
            elapsed_time: if t.create_time == 0 {
                0
            } else {
                dump_time.saturating_sub(t.create_time)
            },
            create_time: t.create_time,
        })
        .collect();
    rows.sort_by_key(|r| r.index);
    let sorted = |key: fn(&ThreadTimes) -> u64| {
        let mut v = rows.clone();
        // Stable sort: ties keep thread order, as WinDbg prints them.
        v.sort_by_key(|r| std::cmp::Reverse(key(r)));
        v
    };
    Ok(Some(Runaway {
        dump_time,
        user: sorted(|r| r.user_time),
        kernel: sorted(|r| r.kernel_time),
        elapsed: sorted(|r| r.elapsed_time),
    }))
}

/// One table of `!runaway`: title, rows in order, and the time it shows.
type Table<'a> = (&'static str, &'a [ThreadTimes], fn(&ThreadTimes) -> u64);

/// Writes the three tables as `!runaway 7` does.
pub fn write_text(r: &Runaway, out: &mut dyn Write) -> std::io::Result<()> {
    let tables: [Table<'_>; 3] = [
        ("User Mode Time", &r.user, |t| t.user_time),
        ("Kernel Mode Time", &r.kernel, |t| t.kernel_time),
        ("Elapsed Time", &r.elapsed, |t| t.elapsed_time),
    ];
    for (title, rows, key) in tables {
        writeln!(out, " {title}")?;
        writeln!(out, "  Thread       Time")?;
        for t in rows {
            let id = format!("{:x}", t.id);
            writeln!(
                out,
                "  {:>3}:{id:<4}      {}",
                t.index,
                runaway_time(key(t))
            )?;
        }
    }
    Ok(())
}

/// Runs `dumpscope runaway`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let dump = open_dump(&args.dump)?;
    match compute(&dump).map_err(|e| CliError::at(&args.dump, e))? {
        Some(r) if args.json => write_json(out, &r),
        Some(r) => Ok(write_text(&r, out)?),
        None => Err(CliError::at(
            &args.dump,
            "no ThreadInfoList stream: the dump has no thread times (!runaway needs a dump \
             written with MiniDumpWithThreadInfo)",
        )),
    }
}
