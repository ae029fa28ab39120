//! `.exr` layout.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let w = self.pointer_size.saturating_mul(2);
        writeln!(
            out,
            "ExceptionAddress: {:0w$x} ({})",
            self.address,
            self.location.as_deref().unwrap_or("unknown")
        )?;
        writeln!(
            out,
            "   ExceptionCode: {:08x} ({})",
            self.code,
            self.description.as_deref().unwrap_or("unknown")
        )?;
        writeln!(out, "NumberParameters: {}", self.parameters.len())?;
        for (i, p) in self.parameters.iter().enumerate() {
            writeln!(out, "   Parameter[{i}]: {p:0w$x}")?;
        }
        if let Some((kind, a)) = &self.access {
            let verb = match kind.as_str() {
                "read" => "Attempt to read from address",
                "write" => "Attempt to write to address",
                _ => "Attempt to execute non-executable address",
            };
            writeln!(out, "{verb} {a:0w$x}")?;
        }
        Ok(())
    }
}
