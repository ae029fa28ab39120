//! `!heap -l` as WinDbg prints it, with the leaked blocks grouped by size after the list.

use std::io::{self, Write};

use super::Report;
use crate::report::{Text, addr};

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "Searching the memory for potential unreachable busy blocks."
        )?;
        writeln!(
            out,
            "Scanning VM: {} threads ({} registers), {} ranges ({:#x} bytes) of stacks, TEB/PEB and {} modules' data",
            self.roots.threads,
            self.roots.registers,
            self.roots.ranges,
            self.roots.bytes,
            self.roots.modules
        )?;
        writeln!(
            out,
            "Scanning references from {} busy blocks ({} MBytes) ...",
            self.blocks,
            self.block_bytes >> 20
        )?;
        if let Some(first) = self.leaked.first() {
            let ps = first.pointer_size;
            let w = if ps == 4 { 8 } else { 17 };
            writeln!(
                out,
                "{:<w$}  {:<w$}  {:<w$}  {:>8}  Kind",
                "Entry", "User", "Heap", "Size"
            )?;
            writeln!(out, "{:-<1$}", "", w.saturating_mul(3).saturating_add(20))?;
            for l in &self.leaked {
                writeln!(
                    out,
                    "{:<w$}  {:<w$}  {:<w$}  {:>8x}  {}",
                    addr(l.entry, l.pointer_size),
                    addr(l.user_address, l.pointer_size),
                    addr(l.heap, l.pointer_size),
                    l.size,
                    l.kind
                )?;
            }
            writeln!(out)?;
            writeln!(out, "    size     #blocks     total")?;
            for g in &self.by_size {
                match &g.content {
                    Some(c) => writeln!(
                        out,
                        "    {:x} {:x} - {:x}  ({c}: {} of {} sampled)",
                        g.size, g.count, g.total, g.matching, g.sampled
                    )?,
                    None => writeln!(out, "    {:x} {:x} - {:x}", g.size, g.count, g.total)?,
                }
            }
        }
        writeln!(
            out,
            "{} potential unreachable blocks were detected.",
            self.leaked.len()
        )?;
        if self.bytes_not_captured > 0 {
            writeln!(
                out,
                "note: {:#x} bytes of roots or blocks are not in the dump; blocks referenced only from there look unreachable",
                self.bytes_not_captured
            )?;
        }
        if self.stopped {
            writeln!(
                out,
                "note: the scan stopped at its byte budget; later blocks look unreachable"
            )?;
        }
        for w in &self.warnings {
            writeln!(out, "warning: {w}")?;
        }
        Ok(())
    }
}
