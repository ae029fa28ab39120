//! `!thread` as WinDbg prints it (pooltrack's renderer), then the kernel stack in `k`'s x86
//! layout (`ChildEBP RetAddr` and the call site).

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(self.windbg.as_bytes())?;
        if !self.stack.is_empty() {
            writeln!(out, "ChildEBP RetAddr  ")?;
            for f in &self.stack {
                let ret = f
                    .return_address
                    .map_or_else(|| "--------".to_string(), |r| format!("{r:08x}"));
                writeln!(out, "{:08x} {ret} {}", f.child_ebp, f.call_site)?;
            }
        }
        if let Some(n) = &self.stack_note {
            writeln!(out, "Note: {n}")?;
        }
        Ok(())
    }
}
