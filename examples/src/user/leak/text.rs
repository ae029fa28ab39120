//! The leak report as text, step by step.

use super::*;
use crate::report::Text;

impl Text for Report {
    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_text(self, out)
    }
}

/// Writes the report as text.
pub fn write_text(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let ps = usize::try_from(r.pointer_size).unwrap_or(8);
    writeln!(
        out,
        "Leak investigation ({}, the steps of a D4C.exe-style heap leak)",
        r.arch
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "Step 1. Region usage (!address -summary, from {})",
        r.regions.source
    )?;
    for u in &r.regions.usage {
        writeln!(
            out,
            "  {:<16} {:>6} regions {:>14} ({:>12}) {:>8} of busy",
            u.name,
            u.count,
            format!("{:#x}", u.size),
            human_size(u.size),
            pct(u.percent_of_busy_x100)
        )?;
    }
    if let Some(d) = &r.regions.dominant {
        writeln!(out, "  -> {d} dominates")?;
    }
    writeln!(out)?;
    writeln!(out, "Step 2. Heaps (!heap -s)")?;
    if r.heaps.is_empty() {
        writeln!(out, "  no heaps listed in the PEB")?;
    }
    if r.heaps.iter().any(|h| h.error.is_none()) {
        let w = if ps == 4 { 8 } else { 17 };
        writeln!(
            out,
            "  {:<w$}  Segments      Reserved     Committed  Busy blocks  Large blocks",
            "Heap"
        )?;
    }
    for h in &r.heaps {
        match &h.error {
            Some(e) => writeln!(out, "  {}  not walked: {e}", addr(h.address, ps))?,
            None => writeln!(
                out,
                "  {}  {:>8}  {:>12}  {:>12}  {:>11}  {:>4} ({}){}",
                addr(h.address, ps),
                h.segments,
                human_size(h.reserved),
                human_size(h.committed),
                h.busy_blocks,
                h.virtual_blocks,
                human_size(h.virtual_block_bytes),
                if h.corruption > 0 {
                    format!("  {} corruption findings", h.corruption)
                } else {
                    String::new()
                }
            )?,
        }
    }
    if let Some(h) = r
        .grown_heap
        .and_then(|g| r.heaps.iter().find(|h| h.address == g))
    {
        writeln!(
            out,
            "  -> heap {} is the largest: {} segment{}, {} committed{}",
            addr(h.address, ps),
            h.segments,
            if h.segments == 1 { "" } else { "s" },
            human_size(h.committed),
            if h.virtual_blocks > 0 {
                format!(" + {} in large blocks", human_size(h.virtual_block_bytes))
            } else {
                String::new()
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Step 3. Requested sizes (!heap -stat), by total bytes")?;
    if r.sizes.is_empty() {
        writeln!(out, "  no busy heap blocks")?;
    }
    for s in &r.sizes {
        writeln!(
            out,
            "  heap {}  size {:>8}  x {:>7}  = {:>10} ({:>12}) {:>7}{}",
            addr(s.heap, ps),
            format!("{:#x}", s.size),
            s.count,
            format!("{:#x}", s.total),
            human_size(s.total),
            pct(s.percent_x100),
            if s.virtual_blocks > 0 {
                format!(
                    "  ({} {})",
                    s.virtual_blocks,
                    if super::is_segment_heap(&r.heaps, s.heap) {
                        "large allocations"
                    } else {
                        "VirtualAllocdBlocks"
                    }
                )
            } else {
                String::new()
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Step 4. Block contents (db of sampled blocks)")?;
    if r.contents.is_empty() {
        writeln!(out, "  nothing to read")?;
    }
    for c in &r.contents {
        writeln!(
            out,
            "  size {:#x} in heap {}: {} sampled",
            c.size,
            addr(c.heap, ps),
            count(c.sampled, "block")
        )?;
        if let Some(p) = &c.ascii_prefix {
            writeln!(out, "    common ASCII prefix:  \"{p}\"")?;
        }
        if let Some(p) = &c.utf16_prefix {
            writeln!(out, "    common UTF-16 prefix: \"{p}\"")?;
        }
        if let Some(p) = &c.pattern {
            writeln!(out, "    printf-like pattern:  \"{p}\"")?;
        }
        if c.matching > 0 {
            writeln!(
                out,
                "    shared by {} of {} sampled blocks",
                c.matching, c.sampled
            )?;
        }
        if let Some(e) = &c.example {
            writeln!(
                out,
                "    example at {}: \"{e}\"",
                addr(c.example_address.unwrap_or(0), ps)
            )?;
        }
        if let Some(p) = &c.pointer {
            writeln!(
                out,
                "    pointer at +{:#x}: {} = {}{}{}",
                p.offset,
                addr(p.value, ps),
                p.location,
                p.class
                    .as_ref()
                    .map(|c| format!(" (vtable of {c})"))
                    .unwrap_or_default(),
                if p.same_in_all {
                    ", same in every sample"
                } else {
                    ""
                }
            )?;
        }
        if let Some(p) = &c.pointer {
            for x in &p.references {
                writeln!(
                    out,
                    "      stored by {} ({}){}",
                    x.location,
                    x.kind,
                    x.function
                        .as_ref()
                        .map(|f| format!(" in function {f}"))
                        .unwrap_or_default()
                )?;
            }
        }
        for st in &c.allocation_stacks {
            writeln!(
                out,
                "    allocated from ({}, {} of {} sampled): {}",
                st.recorded_by,
                st.count,
                c.sampled,
                st.frames.join(" <- ")
            )?;
        }
        if c.ascii_prefix.is_none()
            && c.utf16_prefix.is_none()
            && c.pointer.is_none()
            && c.sampled > 0
        {
            writeln!(out, "    no shared text or module pointer")?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Step 5. Where the text lives (s -a over module data sections, xref)"
    )?;
    let mut any = false;
    for c in &r.contents {
        let Some(n) = &c.searched else { continue };
        any = true;
        if c.locations.is_empty() {
            writeln!(out, "  \"{n}\": not found in any module")?;
        }
        for l in &c.locations {
            writeln!(
                out,
                "  \"{n}\" found at {} ({}, {}): \"{}\"",
                l.location,
                l.section,
                addr(l.address, ps),
                l.text
            )?;
            if l.references.is_empty() {
                writeln!(out, "    no code reference found")?;
            }
            for x in &l.references {
                writeln!(
                    out,
                    "    referenced by {} ({}){}",
                    x.location,
                    x.kind,
                    x.function
                        .as_ref()
                        .map(|f| format!(" in function {f}"))
                        .unwrap_or_default()
                )?;
            }
        }
    }
    if !any {
        writeln!(out, "  no shared text to search")?;
    }
    writeln!(out)?;
    writeln!(out, "Step 6. Threads (!runaway 7, ~*k)")?;
    if !r.threads.times_available {
        writeln!(out, "  no thread times in the dump (no ThreadInfoList)")?;
    }
    for t in &r.threads.busiest {
        if r.threads.times_available {
            writeln!(
                out,
                "  {}: kernel {}, user {}",
                thread_label(t),
                runaway_time(t.kernel_time),
                runaway_time(t.user_time)
            )?;
        } else {
            writeln!(out, "  {}", thread_label(t))?;
        }
        for (i, f) in t.frames.iter().enumerate() {
            writeln!(out, "    {i:02} {f}")?;
        }
    }
    writeln!(out)?;
    crate::report::write_suspects(out, &r.suspects, |s| {
        format!(
            "#{} heap {} size {:#x}: {} blocks, {:#x} bytes ({})",
            s.rank,
            addr(s.what.heap, ps),
            s.what.size,
            s.count,
            s.bytes,
            human_size(s.bytes)
        )
    })?;
    if !r.lacks.is_empty() {
        writeln!(out)?;
        writeln!(out, "What the dump lacks")?;
        for l in &r.lacks {
            writeln!(out, "  - {l}")?;
        }
    }
    crate::report::notes_and_conclusion(out, &r.notes, &r.conclusion)
}
