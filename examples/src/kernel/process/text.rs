//! `!process` as WinDbg prints it (pooltrack's renderers).

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.windbg.as_bytes())?;
        for e in &self.errors {
            writeln!(out, "Note: {e}")?;
        }
        Ok(())
    }
}
