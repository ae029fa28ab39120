//! `k` layout: `Child-SP RetAddr Call Site`.

use std::io::{self, Write};

use super::Report;
use crate::report::Text;
use crate::report::numbers::addr;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let ps = self.pointer_size;
        let w = if ps == 8 { 17 } else { 8 };
        for line in self.registers.chunks(3) {
            let regs: Vec<String> = line
                .iter()
                .map(|(n, v)| {
                    if ps == 8 {
                        format!("{n}={v:016x}")
                    } else {
                        format!("{n}={v:08x}")
                    }
                })
                .collect();
            writeln!(out, "{}", regs.join(" "))?;
        }
        if !self.registers.is_empty() {
            writeln!(out)?;
        }
        writeln!(out, "{:<w$} {:<w$} Call Site", "Child-SP", "RetAddr")?;
        for f in &self.frames {
            let ret = f
                .return_address
                .map_or_else(|| "-".repeat(w), |r| addr(r, ps));
            // WinDbg names the trap frame a frame's function built (`KiPageFault`).
            let trap = f
                .trap_frame
                .map_or_else(String::new, |t| format!(" (TrapFrame @ {})", addr(t, ps)));
            writeln!(out, "{} {ret} {}{trap}", addr(f.child_sp, ps), f.call_site)?;
        }
        writeln!(out, "({}; {})", self.start, self.stop)
    }
}
