//! `!heap` and its options as WinDbg prints them.

use std::io::{self, Write};

use ntheap::{Entry, EntryFlags, EntryState, FrontEndType, HeapKind, PointerWidth};

use super::{Report, View, front_end_name, pointer_size};
use crate::adapt::heap_width_name;
use crate::report::{Text, addr};

impl Text for Report<'_> {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        self.view.text(out)?;
        if !matches!(self.view, View::Layout { .. }) {
            for w in &self.warnings {
                writeln!(out, "warning: {w}")?;
            }
        }
        Ok(())
    }

    fn failure(&self) -> Option<String> {
        self.failure.clone()
    }
}

impl Text for View<'_> {
    fn text(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            View::List { heaps } => {
                writeln!(
                    out,
                    "        Heap Address      NT/Segment Heap     Flags  Front end"
                )?;
                let mut last_width = None;
                for r in heaps.all() {
                    if r.width == PointerWidth::Bits32 && last_width == Some(PointerWidth::Bits64) {
                        writeln!(out, "    32-bit heaps (WOW64):")?;
                    }
                    last_width = Some(r.width);
                    let kind = match r.kind {
                        Some(HeapKind::Nt) => "NT Heap",
                        Some(HeapKind::Segment) => "Segment Heap",
                        _ => "(not in dump)",
                    };
                    let h = r.heap.as_ref().ok();
                    let flags = h
                        .map(|h| format!("{:08x}", h.flags.bits()))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "{:>20x}{:>21}  {:>8}  {}",
                        r.address,
                        kind,
                        flags,
                        h.map_or("", |h| front_end_name(h.front_end_type))
                    )?;
                    if let Err(e) = &r.heap {
                        writeln!(out, "    ({e})")?;
                    }
                }
            }
            View::Summary {
                heaps,
                not_walked,
                segment_heaps,
                page_heap_handles,
            } => {
                let heaps = heaps.iter().map(|(w, s)| (w.as_ref(), s));
                let walks: Vec<_> = heaps.clone().map(|(w, _)| w).collect();
                writeln!(out, "{:*<120}", "")?;
                writeln!(out, "{:>62}", "NT HEAP STATS BELOW")?;
                writeln!(out, "{:*<120}", "")?;
                let wide = walks.iter().any(|w| w.heap.width() == PointerWidth::Bits64);
                let aw = if wide { 16 } else { 8 };
                writeln!(
                    out,
                    "{:>aw$}     Flags   Reserv  Commit  Virt   Free  List   UCR  Virt  Lock  Fast",
                    "Heap"
                )?;
                writeln!(
                    out,
                    "{:>aw$}                (k)     (k)    (k)     (k) length      blocks cont. heap",
                    ""
                )?;
                writeln!(out, "{:-<1$}", "", aw.saturating_add(69))?;
                for (w, s) in heaps {
                    let lock = s
                        .lock_collisions
                        .map(|l| format!("{l:x}"))
                        .unwrap_or_else(|| "?".into());
                    writeln!(
                        out,
                        "{:0aw$x} {:08x} {:>8} {:>6} {:>6} {:>6} {:>5} {:>5} {:>5} {:>6}   {}",
                        s.address,
                        s.flags,
                        s.reserved / 1024,
                        s.committed / 1024,
                        s.virtual_bytes / 1024,
                        s.free / 1024,
                        s.free_list_length,
                        s.ucr_count,
                        s.virtual_blocks,
                        lock,
                        if s.lfh { "LFH" } else { "" }
                    )?;
                    if s.free >= 1 << 20 {
                        writeln!(
                            out,
                            "    External fragmentation  {} % ({} free blocks)",
                            s.external_fragmentation, s.free_list_length
                        )?;
                        writeln!(
                            out,
                            "    Virtual address fragmentation  {} % ({} uncommited ranges)",
                            s.virtual_address_fragmentation, s.ucr_count
                        )?;
                    }
                    if s.virtual_blocks > 0 {
                        writeln!(
                            out,
                            "    Virtual blocks  {} - total {} KBytes",
                            s.virtual_blocks,
                            s.virtual_block_bytes / 1024
                        )?;
                    }
                    for f in &w.findings {
                        writeln!(
                            out,
                            "    {}: {f}",
                            if f.is_corruption() {
                                "CORRUPTION"
                            } else {
                                "note"
                            }
                        )?;
                    }
                }
                writeln!(out, "{:-<1$}", "", aw.saturating_add(69))?;
                for f in not_walked {
                    if f.kind == Some(HeapKind::Segment) {
                        continue;
                    }
                    if let Some((_, light)) =
                        page_heap_handles.iter().find(|(a, _)| *a == f.address)
                    {
                        if *light {
                            writeln!(
                                out,
                                "{:0aw$x} light page heap (gflags /p): its blocks are in its NormalHeap, see !heap -p",
                                f.address
                            )?;
                        } else {
                            writeln!(
                                out,
                                "{:0aw$x} full page heap (gflags +hpa): see !heap -p",
                                f.address
                            )?;
                        }
                        continue;
                    }
                    if let Err(e) = &f.heap {
                        writeln!(out, "{:0aw$x} not walked: {e}", f.address)?;
                    }
                }
                super::segment::text(segment_heaps, out)?;
            }
            View::Entries {
                heaps,
                segment_heaps,
                segment_keys_from,
            } => {
                let heaps = heaps.iter().map(AsRef::as_ref);
                for w in heaps {
                    let ps = pointer_size(w);
                    let h = &w.heap;
                    writeln!(out, "Heap {}", addr(h.address, ps))?;
                    for s in &w.segments {
                        writeln!(
                            out,
                            "    Segment at {} to {} ({:08x} bytes committed)",
                            addr(s.segment.base_address, ps),
                            addr(s.segment.last_valid_entry, ps),
                            s.segment.committed_bytes()
                        )?;
                    }
                    writeln!(out, "    Flags:                {:08x}", h.flags.bits())?;
                    writeln!(out, "    ForceFlags:           {:08x}", h.force_flags)?;
                    writeln!(
                        out,
                        "    Granularity:          {} bytes",
                        h.width().granularity()
                    )?;
                    writeln!(out, "    Layout:               {}", h.layout.name)?;
                    writeln!(
                        out,
                        "    Front end:            {}",
                        front_end_name(h.front_end_type)
                    )?;
                    writeln!(out, "    Total free size:      {:08x}", h.total_free_size)?;
                    writeln!(
                        out,
                        "    Virtual Alloc List:   {:x}",
                        h.address
                            .saturating_add(h.layout.heap_virtual_allocd_blocks)
                    )?;
                    writeln!(
                        out,
                        "    Uncommitted ranges:   {:x}",
                        h.address.saturating_add(h.layout.heap_ucr_list)
                    )?;
                    writeln!(
                        out,
                        "    FreeList[ 00 ] at {:x}: {} blocks",
                        h.address.saturating_add(h.layout.heap_free_lists),
                        w.free_list.len()
                    )?;
                    for (i, s) in w.segments.iter().enumerate() {
                        let g = &s.segment;
                        writeln!(out)?;
                        writeln!(out, "Segment{i:02} at {:x}:", g.address)?;
                        writeln!(out, "    Flags:           {:08x}", g.flags)?;
                        writeln!(out, "    Base:            {}", addr(g.base_address, ps))?;
                        writeln!(out, "    First Entry:     {:x}", g.first_entry)?;
                        writeln!(out, "    Last Entry:      {}", addr(g.last_valid_entry, ps))?;
                        writeln!(out, "    Total Pages:     {:08x}", g.number_of_pages)?;
                        writeln!(out, "    Total UnCommit:  {:08x}", g.uncommitted_pages)?;
                        writeln!(
                            out,
                            "    UnCommitted Ranges: ({})",
                            g.uncommitted_range_count
                        )?;
                        writeln!(out)?;
                        writeln!(
                            out,
                            "Heap entries for Segment{i:02} in Heap {}",
                            addr(h.address, ps)
                        )?;
                        writeln!(
                            out,
                            "    address: psize . size  flags   state (requested size)"
                        )?;
                        let mut items: Vec<(u64, String)> = s
                            .entries
                            .iter()
                            .map(|e| {
                                let state = match e.state {
                                    EntryState::Free => String::new(),
                                    EntryState::Internal => {
                                        format!(
                                            " - busy ({:x}) Internal ",
                                            e.requested_size.unwrap_or(0)
                                        )
                                    }
                                    _ => format!(" - busy ({:x})", e.requested_size.unwrap_or(0)),
                                };
                                (
                                    e.address,
                                    format!(
                                        "    {}: {:05x} . {:05x} {}{}",
                                        addr(e.address, ps),
                                        e.previous_size,
                                        e.size,
                                        flag_box(e),
                                        state
                                    ),
                                )
                            })
                            .collect();
                        for u in &s.uncommitted {
                            items.push((
                                u.address,
                                format!(
                                    "    {}:      {:08x}      - uncommitted bytes.",
                                    addr(u.address, ps),
                                    u.size
                                ),
                            ));
                        }
                        items.sort_by_key(|i| i.0);
                        for (_, line) in items {
                            writeln!(out, "{line}")?;
                        }
                    }
                    if h.front_end_type == FrontEndType::Lfh {
                        writeln!(out)?;
                        let busy = w.lfh.blocks.iter().filter(|e| e.is_busy()).count();
                        writeln!(
                            out,
                            "Front-end (LFH) blocks: {} in {} subsegments ({busy} busy){}",
                            w.lfh.blocks.len(),
                            w.lfh.subsegments,
                            w.lfh
                                .key
                                .map(|k| format!(", LFH key (low 32 bits) {k:08x}"))
                                .unwrap_or_default()
                        )?;
                    }
                    if !w.virtual_blocks.is_empty() {
                        writeln!(out)?;
                        writeln!(out, "Virtual blocks of Heap {}", addr(h.address, ps))?;
                        for v in &w.virtual_blocks {
                            writeln!(
                                out,
                                "    {}: {:08x} . {:08x} - busy VirtualAlloc ({:x})",
                                addr(v.address, ps),
                                v.commit_size,
                                v.reserve_size,
                                v.requested_size.unwrap_or(0)
                            )?;
                        }
                    }
                    findings_text(&w.findings, out)?;
                    writeln!(out)?;
                }
                super::segment_text::entries_text(segment_heaps, segment_keys_from, out)?;
            }
            View::Find {
                address,
                found,
                stack,
                pointer_size,
                segment_heap_block,
            } => {
                let pointer_size = *pointer_size;
                let Some(f) = found else {
                    writeln!(out, "address {address:x} is not in any walked heap block")?;
                    return Ok(());
                };
                let ps = pointer_size;
                let e = &f.entry;
                let width = if ps == 4 { 8 } else { 16 };
                writeln!(
                    out,
                    "{:<w$}  {:<w$}  {:<w$}  {:<w$}  {:>8}  {:>8}  {:>8}  Flags",
                    "Entry",
                    "User",
                    "Heap",
                    "Segment",
                    "Size",
                    "PrevSize",
                    "Unused",
                    w = width
                )?;
                writeln!(
                    out,
                    "{:-<1$}",
                    "",
                    width.saturating_mul(4).saturating_add(45)
                )?;
                let unused = e.requested_size.map_or(0, |r| e.size.saturating_sub(r));
                let seg = f
                    .segment
                    .map_or_else(|| "(virtual)".to_string(), |s| format!("{s:0width$x}"));
                writeln!(
                    out,
                    "{:0w$x}  {:0w$x}  {:0w$x}  {:<w$}  {:>8x}  {:>8x}  {:>8x}  {}",
                    e.address,
                    e.user_address,
                    f.heap,
                    seg,
                    e.size,
                    e.previous_size,
                    unused,
                    flag_words(e),
                    w = width
                )?;
                if let Some(frames) = stack {
                    writeln!(out, "    allocation stack:")?;
                    for fr in frames {
                        writeln!(out, "        {}", addr(*fr, ps))?;
                    }
                }
                if let Some(kind) = segment_heap_block {
                    writeln!(
                        out,
                        "    segment heap {kind} block (Segment: its subsegment or range)"
                    )?;
                }
            }
            View::Stat {
                heaps,
                max_display,
                segment_heaps,
            } => {
                let heaps = heaps.iter().map(|(w, s)| (w.as_ref(), s));
                for (w, st) in heaps {
                    writeln!(out, " heap @ {}", addr(w.heap.address, pointer_size(w)))?;
                    stat_rows(st, *max_display, out)?;
                    let limits = w.limits_reached();
                    if !limits.is_empty() {
                        writeln!(
                            out,
                            "    (the walk was cut short by a limit: {}; the counts cover only \
                             what was walked)",
                            limits.join(", ")
                        )?;
                    }
                    writeln!(out)?;
                }
                super::segment_text::stat_text(segment_heaps, *max_display, out)?;
            }
            View::Filter { groups, .. } => {
                for g in groups {
                    if g.blocks.is_empty() {
                        continue;
                    }
                    let (ps, gran) = (g.pointer_size, g.granularity);
                    writeln!(out, "    _HEAP @ {:x}", g.heap)?;
                    writeln!(
                        out,
                        "      HEAP_ENTRY Size Prev Flags    UserPtr UserSize - state"
                    )?;
                    for e in g.blocks.iter().map(|f| &f.entry) {
                        let state = match e.state {
                            EntryState::VirtualAlloc => "(busy VirtualAlloc)",
                            _ => "(busy)",
                        };
                        writeln!(
                            out,
                            "        {} {:04x} {:04x}  [{:02x}]   {}    {:05x} - {}",
                            addr(e.address, ps),
                            e.size.checked_div(gran).unwrap_or(0),
                            e.previous_size.checked_div(gran).unwrap_or(0),
                            e.flags.bits(),
                            addr(e.user_address, ps),
                            e.requested_size.unwrap_or(0),
                            state
                        )?;
                    }
                }
            }
            View::Layout { layouts } => {
                for (heap, l) in layouts {
                    let width = heap_width_name(l.width);
                    match heap {
                        Some(h) => writeln!(out, "Heap {h:x}: {} ({width})", l.name)?,
                        None => writeln!(out, "{} ({width})", l.name)?,
                    }
                    for (k, v) in l.fields() {
                        if l.fallback.contains(&k) {
                            writeln!(out, "    {k:<45} +0x{v:03x}  (built-in: not in the PDB)")?;
                        } else {
                            writeln!(out, "    {k:<45} +0x{v:03x}")?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// WinDbg-style flag words for `!heap -x`.
fn flag_words(e: &Entry) -> String {
    let mut v = vec![if e.is_busy() { "busy" } else { "free" }];
    if e.flags.contains(EntryFlags::EXTRA_PRESENT) {
        v.push("extra");
    }
    if e.flags.contains(EntryFlags::FILL_PATTERN) {
        v.push("fill");
    }
    match e.state {
        EntryState::Internal => v.push("internal"),
        EntryState::VirtualAlloc => v.push("virtual"),
        _ => {}
    }
    if e.flags.contains(EntryFlags::LAST_ENTRY) {
        v.push("last");
    }
    v.join(" ")
}

fn flag_box(e: &Entry) -> String {
    format!("[{:03x}]", 0x100 | u16::from(e.flags.bits() & !0x08))
}

/// The `!heap -stat -h` rows of one heap (after its ` heap @` line).
pub(super) fn stat_rows(
    st: &[ntheap::report::SizeStat],
    max_display: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(out, "group-by: TOTSIZE max-display: {max_display}")?;
    writeln!(
        out,
        "    size     #blocks     total     ( %) (percent of total busy bytes)"
    )?;
    for s in st.iter().take(max_display) {
        writeln!(
            out,
            "    {:x} {:x} - {:x}  ({}.{:02})",
            s.size,
            s.count,
            s.total,
            s.percent_x100 / 100,
            s.percent_x100 % 100
        )?;
    }
    Ok(())
}

/// A walk's findings, one a line, corruption marked.
pub(super) fn findings_text(findings: &[ntheap::Finding], out: &mut dyn Write) -> io::Result<()> {
    for f in findings {
        let what = if f.is_corruption() {
            "CORRUPTION"
        } else {
            "note"
        };
        writeln!(out, "{what}: {f}")?;
    }
    Ok(())
}
