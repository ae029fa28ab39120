//! Text of the segment heaps' block views: `!heap -stat` rows after the NT heaps', and the
//! `!heap -a`-style listing (page segments, their ranges, every block).

use ntheap::{EntryState, RangeKind, SegmentHeapWalk};

use super::segment::SegmentStat;
use crate::report::addr;

/// `!heap -stat` text of the segment heaps, after the NT heaps'.
pub fn stat_text(
    rows: &[SegmentStat],
    max_display: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for r in rows {
        writeln!(
            out,
            " heap @ {} (segment heap)",
            addr(r.address, r.pointer_size)
        )?;
        super::text::stat_rows(&r.stats, max_display, out)?;
        for n in &r.notes {
            writeln!(out, "    note: {n}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn range_name(k: RangeKind) -> &'static str {
    match k {
        RangeKind::Free => "free",
        RangeKind::Backend => "backend allocation",
        RangeKind::Internal => "internal",
        RangeKind::Lfh => "LFH subsegment",
        RangeKind::Vs => "VS subsegment",
    }
}

/// `!heap -a`-style listing of the segment heaps: keys, page segments with their ranges,
/// then every block with its kind.
pub fn entries_text(
    walks: &[SegmentHeapWalk],
    keys_from: &[String],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for w in walks {
        let ps = usize::try_from(w.heap.width.bytes()).unwrap_or(8);
        let k = &w.keys;
        writeln!(out, "Segment heap {}", addr(w.heap.address, ps))?;
        writeln!(out, "    Global flags:         {:08x}", w.heap.global_flags)?;
        writeln!(
            out,
            "    HeapKey:              {} ({:?}; VS chains {}/{}, page segment signatures {}/{})",
            k.heap_key
                .map_or_else(|| "?".to_string(), |v| format!("{v:x}")),
            k.heap_key_source,
            k.vs_votes.0,
            k.vs_votes.1,
            k.signature_votes.0,
            k.signature_votes.1
        )?;
        writeln!(
            out,
            "    LfhKey:               {} ({:?}; LFH subsegments {}/{})",
            k.lfh_key
                .map_or_else(|| "?".to_string(), |v| format!("{v:08x}")),
            k.lfh_key_source,
            k.lfh_votes.0,
            k.lfh_votes.1
        )?;
        if k.heap_key_source == ntheap::KeySource::Given
            || k.lfh_key_source == ntheap::KeySource::Given
        {
            for f in keys_from {
                writeln!(out, "    Keys given:           {f}")?;
            }
        }
        for s in &w.segments {
            writeln!(out)?;
            writeln!(
                out,
                "Page segment at {} (context {}, {:x}-byte units)",
                addr(s.address, ps),
                s.context,
                1u64.checked_shl(u32::from(s.unit_shift)).unwrap_or(0)
            )?;
            for r in &s.ranges {
                writeln!(
                    out,
                    "    {}: {:08x}  flags {:02x}  {}",
                    addr(r.address, ps),
                    r.size,
                    r.flags,
                    range_name(r.kind)
                )?;
            }
        }
        writeln!(out)?;
        writeln!(out, "Blocks of segment heap {}", addr(w.heap.address, ps))?;
        writeln!(
            out,
            "    address: psize . size  kind     state (requested size)"
        )?;
        for b in &w.blocks {
            let e = &b.entry;
            let state = match e.state {
                EntryState::Free => "free".to_string(),
                _ => format!("busy ({:x})", e.requested_size.unwrap_or(0)),
            };
            writeln!(
                out,
                "    {}: {:05x} . {:05x}  {:<7}  {}",
                addr(e.address, ps),
                e.previous_size,
                e.size,
                b.kind.name(),
                state
            )?;
        }
        super::text::findings_text(&w.findings, out)?;
        writeln!(out)?;
    }
    Ok(())
}
