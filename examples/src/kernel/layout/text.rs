//! The layouts as `TYPE (size)` headings with `+0xOFF FIELD` lines.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "Kernel layouts: {}", self.source)?;
        for (name, t) in &self.types {
            writeln!(out, "\n{name} (size {:#x})", t.size)?;
            let mut fields: Vec<(&String, &u32)> = t.fields.iter().collect();
            fields.sort_by_key(|(n, o)| (**o, (*n).clone()));
            for (n, o) in fields {
                writeln!(out, "   +{o:#05x} {n}")?;
            }
        }
        for m in &self.missing {
            writeln!(out, "not in the file: {m}")?;
        }
        Ok(())
    }
}
