//! WinDbg's text (`!poolused`, `!pool` from pooltrack's renderers), and tables for the big page
//! table, `!poolfind` and tag descriptions.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        match self.view {
            "used" | "page" => out.write_all(self.windbg.as_bytes())?,
            "owners" => {
                if let Some(o) = &self.owners {
                    writeln!(
                        out,
                        "{:<4} {}",
                        o.tag,
                        o.description.as_deref().unwrap_or("(no description)")
                    )?;
                    for r in &o.references {
                        writeln!(out, "  {}", crate::kernel::leak::reference_text(r))?;
                    }
                    writeln!(
                        out,
                        "{} use{} in {} {} code ({} read{}{})",
                        o.references.len(),
                        if o.references.len() == 1 { "" } else { "s" },
                        o.drivers_scanned,
                        if o.drivers_scanned == 1 {
                            "driver's"
                        } else {
                            "drivers'"
                        },
                        crate::report::human_size(o.code_bytes),
                        if o.drivers_from_files > 0 {
                            format!(", {} drivers from their files", o.drivers_from_files)
                        } else {
                            String::new()
                        },
                        if o.pages_missing > 0 {
                            format!(", {} code pages not in the dump", o.pages_missing)
                        } else {
                            String::new()
                        }
                    )?;
                }
            }
            "tags" => {
                for t in &self.tags {
                    writeln!(
                        out,
                        "{:<4} {}",
                        t.tag,
                        t.description.as_deref().unwrap_or("(no description)")
                    )?;
                }
            }
            _ => {
                writeln!(out, "{:<17} {:<4} {:>10} Pool", "Address", "Tag", "Size")?;
                for a in &self.allocations {
                    let pool = match a.paged {
                        Some(true) => "Paged",
                        Some(false) => "Nonpaged",
                        None => "?",
                    };
                    let free = if a.free { " (Free)" } else { "" };
                    writeln!(
                        out,
                        "{:<17} {:<4} {:>#10x} {pool}{free}",
                        format!("{:x}", a.address),
                        a.tag,
                        a.size
                    )?;
                }
                writeln!(out, "{} allocations", self.allocations.len())?;
            }
        }
        for n in &self.notes {
            writeln!(out, "Note: {n}")?;
        }
        Ok(())
    }
}
