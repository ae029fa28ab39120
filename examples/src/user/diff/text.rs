//! The diff as text: the tables, largest growth first.

use std::io::{self, Write};

use super::*;
use crate::report::{Text, addr};

impl Text for Report {
    /// Writes the diff as text.
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        let r = self;
        let ps = usize::try_from(r.pointer_size).unwrap_or(8);
        if let Some(d) = &r.different_processes {
            writeln!(out, "{d}")?;
            return writeln!(
                out,
                "(the growth tables are left out; --json still holds them)"
            );
        }
        writeln!(out, "Growth by region usage (!address -summary)")?;
        for u in r.regions.iter().take(TEXT_ROWS) {
            writeln!(
                out,
                "  {:<14} {:>12} -> {:>12}  {:>13}  regions {} -> {}",
                u.name,
                human_size(u.size.before),
                human_size(u.size.after),
                signed_size(u.size.delta),
                u.count.before,
                u.count.after
            )?;
        }
        writeln!(out)?;
        writeln!(out, "Growth by heap (!heap -s)")?;
        for h in r.heaps.iter().take(TEXT_ROWS) {
            writeln!(
                out,
                "  {}  segments {:>4} -> {:<4} committed {:>12} -> {:>12} ({})  busy blocks {} -> {}  large blocks {} -> {}",
                addr(h.address, ps),
                h.segments.before,
                h.segments.after,
                human_size(h.committed.before),
                human_size(h.committed.after),
                signed_size(h.committed.delta),
                h.busy_blocks.before,
                h.busy_blocks.after,
                h.virtual_blocks.before,
                h.virtual_blocks.after
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "Growth by requested size (UMDH-like, from !heap -stat)"
        )?;
        if r.sizes.is_empty() {
            writeln!(out, "  no change")?;
        }
        for s in r.sizes.iter().take(TEXT_ROWS) {
            writeln!(
                out,
                "  {:>13} ({:+} allocs) size {:#x} in heap {}: {} -> {} blocks",
                signed_size(s.total.delta),
                s.count.delta,
                s.size,
                addr(s.heap, ps),
                s.count.before,
                s.count.after
            )?;
        }
        writeln!(out)?;
        writeln!(out, "Growth by content signature")?;
        if r.signatures.is_empty() {
            writeln!(out, "  no change")?;
        }
        for s in r.signatures.iter().take(TEXT_ROWS) {
            writeln!(
                out,
                "  {:>13} ({:+} blocks) {}",
                signed_size(s.bytes.delta),
                s.count.delta,
                s.signature
            )?;
        }
        crate::report::notes_and_conclusion(out, &r.notes, &r.conclusion)
    }
}
