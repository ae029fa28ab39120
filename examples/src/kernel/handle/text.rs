//! `!handle` and `!object` as WinDbg prints them (pooltrack's renderer for each handle), and the
//! per-type summary as `Thread: N of TOTAL`.

use crate::report::thousands;
use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.windbg.is_empty() {
            if let Some(p) = self.process {
                writeln!(out, "Handles of process {p:x} by object type:")?;
            }
            for t in &self.types {
                writeln!(
                    out,
                    "{}: {} of {}",
                    t.type_name.as_deref().unwrap_or("?"),
                    thousands(t.count),
                    thousands(self.total)
                )?;
            }
        } else {
            out.write_all(self.windbg.as_bytes())?;
        }
        for n in &self.notes {
            writeln!(out, "Note: {n}")?;
        }
        Ok(())
    }
}
