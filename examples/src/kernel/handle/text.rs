//! `!handle` and `!object` as WinDbg prints them (pooltrack's renderer for each handle), and the
//! per-type summary as `Thread: N of TOTAL`.

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

/// `143428` as `143,428`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && s.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
