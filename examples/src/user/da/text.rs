//! `da`/`du` as WinDbg prints them: 32 characters a line, each line after its address.

use std::io::{self, Write};

use super::Report;
use crate::report::{Text, addr};

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        // WinDbg prints 32 characters per line, each line prefixed by its address; non-printable
        // characters show as '.'.
        let per_line = 32usize;
        let width: u64 = if self.unicode { 2 } else { 1 };
        let chars: Vec<char> = self.text.chars().collect();
        if chars.is_empty() {
            writeln!(out, "{}  \"\"", addr(self.address, ps))?;
        }
        for (i, chunk) in chars.chunks(per_line).enumerate() {
            let off = (i as u64)
                .saturating_mul(per_line as u64)
                .saturating_mul(width);
            let shown: String = chunk
                .iter()
                .map(|&c| if c.is_control() { '.' } else { c })
                .collect();
            let open = if i == 0 { "\"" } else { " " };
            let last = i.saturating_add(1).saturating_mul(per_line) >= chars.len();
            let close = if last { "\"" } else { "" };
            writeln!(
                out,
                "{}  {open}{shown}{close}",
                addr(self.address.saturating_add(off), ps)
            )?;
        }
        Ok(())
    }
}
