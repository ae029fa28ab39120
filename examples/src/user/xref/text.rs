//! `xref` as text: one line per referencing instruction.

use std::io::{self, Write};

use super::Report;
use crate::report::{Text, addr};

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let (name, ps) = (&self.name, self.pointer_size);
        writeln!(
            out,
            "References to {name}+{:#x} ({}):",
            self.target,
            addr(self.base.saturating_add(u64::from(self.target)), ps)
        )?;
        for r in &self.references {
            writeln!(
                out,
                "{name}+{:#x}  {}  {:<12}  {}{}",
                r.rva,
                addr(r.address, ps),
                r.kind,
                r.bytes,
                r.function
            )?;
        }
        if self.references.is_empty() {
            writeln!(out, "(no references found)")?;
        }
        Ok(())
    }

    fn failure(&self) -> Option<String> {
        (!self.missing_code.is_empty()).then(|| {
            format!(
                "{}: code sections not (fully) captured in the dump: {}",
                self.name,
                self.missing_code.join(", ")
            )
        })
    }
}
