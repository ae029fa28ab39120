//! `!runaway 7` as WinDbg prints it.

use std::io::{self, Write};

use super::{Report, ThreadTimes};
use crate::report::{Text, runaway_time};

/// One table of `!runaway`: title, rows in order, and the time it shows.
type Table<'a> = (&'static str, &'a [ThreadTimes], fn(&ThreadTimes) -> u64);

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let tables: [Table<'_>; 3] = [
            ("User Mode Time", &self.user, |t| t.user_time),
            ("Kernel Mode Time", &self.kernel, |t| t.kernel_time),
            ("Elapsed Time", &self.elapsed, |t| t.elapsed_time),
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
}
