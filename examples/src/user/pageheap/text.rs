//! `!heap -p` and `!heap -p -a` as WinDbg prints them.

use std::io::{self, Write};

use super::{Report, View};
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        match &self.view {
            View::List { page_heaps } => {
                if page_heaps.is_empty() {
                    writeln!(out, "    No page heap (gflags +hpa) in this process.")?;
                }
                writeln!(out, "    active heaps:")?;
                writeln!(out)?;
                for h in page_heaps {
                    writeln!(out, "    + {:x}", h.handle)?;
                    let mut names = h.flag_names.join(" ");
                    let other = h.flags & !3;
                    if other != 0 {
                        names.push_str(&format!(" {other:#x}"));
                    }
                    writeln!(out, "        {names}")?;
                    writeln!(out, "      NormalHeap - {:x}", h.normal_heap)?;
                    if let Some(n) = &h.normal
                        && (h.mode == "light" || n.busy_blocks != 0 || n.freed_blocks != 0)
                    {
                        writeln!(
                            out,
                            "      {} page heap blocks in NormalHeap: {} busy ({:#x} bytes requested), {} freed (delayed free cache), {} corrupt, {} without block information",
                            h.mode,
                            n.busy_blocks,
                            n.busy_bytes,
                            n.freed_blocks,
                            n.corrupt_blocks,
                            n.other_blocks
                        )?;
                        for f in &n.findings {
                            writeln!(out, "      finding: {f}")?;
                        }
                    }
                    writeln!(
                        out,
                        "      _DPH_HEAP_ROOT @ {:x}: {} busy blocks ({:#x} bytes requested), {} freed blocks",
                        h.root, h.busy_blocks, h.busy_bytes, h.free_blocks
                    )?;
                    for f in &h.findings {
                        writeln!(out, "      finding: {f}")?;
                    }
                }
            }
            View::FindLight { address, light: h } => {
                writeln!(out, "    address {address:x} found in")?;
                writeln!(
                    out,
                    "    _HEAP @ {:x} (NormalHeap of light page heap {:x}, _DPH_HEAP_ROOT @ {:x})",
                    h.normal_heap, h.handle, h.root
                )?;
                writeln!(
                    out,
                    "      HEAP_ENTRY Size _DPH_BLOCK_INFORMATION    UserPtr UserSize - state"
                )?;
                let state = if h.busy {
                    "(busy)"
                } else {
                    "(free-ed, in the delayed free cache)"
                };
                writeln!(
                    out,
                    "        {:x} {:04x} {:x}   {:x} {:08x} - {state}",
                    h.entry, h.entry_size, h.info, h.user_address, h.requested_size
                )?;
                if let Some(c) = &h.corruption {
                    writeln!(out, "    corrupted page heap block: {c}")?;
                }
                let w = if h.pointer_size == 4 { 8 } else { 16 };
                for f in &h.stack {
                    match &f.location {
                        Some(l) => writeln!(out, "    {:0w$x} {l}", f.address)?,
                        None => writeln!(out, "    {:0w$x}", f.address)?,
                    }
                }
            }
            View::Find { address, found } => {
                let Some(h) = found else {
                    writeln!(out, "    address {address:x} is not in a page-heap block")?;
                    return Ok(());
                };
                writeln!(out, "    address {address:x} found in")?;
                writeln!(out, "    _DPH_HEAP_ROOT @ {:x}", h.root)?;
                if h.busy {
                    writeln!(
                        out,
                        "    in busy allocation (  DPH_HEAP_BLOCK:         UserAddr         UserSize -         VirtAddr         VirtSize)"
                    )?;
                    writeln!(
                        out,
                        "    {:>36x}: {:>16x} {:>16x} - {:>16x} {:>16x}",
                        h.node, h.user_address, h.requested_size, h.virtual_block, h.virtual_size
                    )?;
                } else {
                    writeln!(
                        out,
                        "    in free-ed allocation (  DPH_HEAP_BLOCK:         VirtAddr         VirtSize)"
                    )?;
                    writeln!(
                        out,
                        "    {:>39x}: {:>16x} {:>16x}",
                        h.node, h.virtual_block, h.virtual_size
                    )?;
                }
                let w = if h.pointer_size == 4 { 8 } else { 16 };
                for f in &h.stack {
                    match &f.location {
                        Some(l) => writeln!(out, "    {:0w$x} {l}", f.address)?,
                        None => writeln!(out, "    {:0w$x}", f.address)?,
                    }
                }
            }
        }
        for w in &self.warnings {
            writeln!(out, "warning: {w}")?;
        }
        Ok(())
    }
}
