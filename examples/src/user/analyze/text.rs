//! `!analyze -v` layout for a user-mode dump.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;
use crate::report::numbers::addr;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        let Some(code) = self.exception_code else {
            writeln!(
                out,
                "The dump holds no exception: there is no crash to analyze."
            )?;
            if let Some(p) = &self.process_name {
                writeln!(out)?;
                writeln!(out, "PROCESS_NAME:  {p}")?;
            }
            return Ok(());
        };
        if let Some(a) = self.exception_address {
            writeln!(out, "EXCEPTION_RECORD:  (.exr -1)")?;
            writeln!(
                out,
                "ExceptionAddress: {} ({})",
                addr(a, ps),
                self.symbol_name.as_deref().unwrap_or("unknown")
            )?;
        }
        writeln!(
            out,
            "   ExceptionCode: {code:08x} ({})",
            self.exception_description.as_deref().unwrap_or("unknown")
        )?;
        if let (Some(k), Some(a)) = (&self.access, self.access_address) {
            let verb = match k.as_str() {
                "read" => "Attempt to read from address",
                "write" => "Attempt to write to address",
                _ => "Attempt to execute non-executable address",
            };
            writeln!(out, "{verb} {}", addr(a, ps))?;
        }
        writeln!(out)?;
        if let Some(p) = &self.process_name {
            writeln!(out, "PROCESS_NAME:  {p}")?;
            writeln!(out)?;
        }
        if let Some(n) = &self.exception_name {
            writeln!(out, "ERROR_CODE: ({n}) {code:#x}")?;
            writeln!(out)?;
        }
        if let (Some(k), Some(a)) = (&self.access, self.access_address) {
            let key = if k == "write" {
                "WRITE_ADDRESS"
            } else {
                "READ_ADDRESS"
            };
            writeln!(out, "{key}:  {}", addr(a, ps))?;
            writeln!(out)?;
        }
        writeln!(out, "STACK_TEXT:  ")?;
        for f in &self.stack_text {
            writeln!(
                out,
                "{} {} : {}",
                addr(f.child_sp, ps),
                f.return_address
                    .map_or_else(|| "-".repeat(if ps == 8 { 17 } else { 8 }), |r| addr(r, ps)),
                f.call_site
            )?;
        }
        writeln!(out)?;
        if let Some(s) = &self.symbol_name {
            writeln!(out, "SYMBOL_NAME:  {s}")?;
            writeln!(out)?;
        }
        if let Some(m) = &self.module_name {
            writeln!(out, "MODULE_NAME: {m}")?;
            writeln!(out)?;
        }
        if let Some(b) = &self.failure_bucket_id {
            writeln!(out, "FAILURE_BUCKET_ID:  {b}")?;
        }
        Ok(())
    }
}
