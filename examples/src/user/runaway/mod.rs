//! `dumpscope runaway`: WinDbg's `!runaway 7` from the ThreadInfoList stream: user, kernel and
//! elapsed time of every thread, each table sorted from the largest time down.

use serde::Serialize;

use crate::CliError;
use crate::report::unix_to_filetime;
use crate::target::UserDump;

mod text;

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
pub struct Report {
    /// The dump's time stamp, as a FILETIME.
    pub dump_time: u64,
    /// Sorted by user time.
    pub user: Vec<ThreadTimes>,
    /// Sorted by kernel time.
    pub kernel: Vec<ThreadTimes>,
    /// Sorted by elapsed time.
    pub elapsed: Vec<ThreadTimes>,
}

/// Computes `!runaway 7`. `Ok(None)` when the dump has no ThreadInfoList.
pub fn compute(dump: &dumpfile::Minidump) -> Result<Option<Report>, dumpfile::Error> {
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
    Ok(Some(Report {
        dump_time,
        user: sorted(|r| r.user_time),
        kernel: sorted(|r| r.kernel_time),
        elapsed: sorted(|r| r.elapsed_time),
    }))
}

/// Options of `runaway` (none: `!runaway 7` shows all three tables).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options;

/// `!runaway 7`, or an error when the dump has no thread times.
pub fn investigate(u: &UserDump, _options: &Options) -> Result<Report, CliError> {
    compute(&u.dump)
        .map_err(|e| CliError::at(&u.path, e))?
        .ok_or_else(|| {
            CliError::at(
                &u.path,
                "no ThreadInfoList stream: the dump has no thread times (!runaway needs a dump \
                 written with MiniDumpWithThreadInfo)",
            )
        })
}
