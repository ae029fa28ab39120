//! Segment heaps (`_SEGMENT_HEAP`) in `!heap -s`: WinDbg's separate table, and their large
//! allocations where the build's layout is known.

use ntheap::{HeapKind, Limits, SegmentHeap, SegmentHeapLayout};
use serde::Serialize;

use crate::target::UserDump;

/// One segment heap of `!heap -s`.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentHeapRow {
    /// Heap address.
    pub address: u64,
    /// 4 or 8.
    pub pointer_size: usize,
    /// `GlobalFlags`.
    pub global_flags: u32,
    /// `ProcessHeapListIndex`.
    pub process_heap_list_index: u16,
    /// `MemStats.TotalReservedPages` × 4 KiB, when the build's layout is known.
    pub reserved: Option<u64>,
    /// `MemStats.TotalCommittedPages` × 4 KiB, when the build's layout is known.
    pub committed: Option<u64>,
    /// Large allocations: count and bytes, when the build's layout is known.
    pub large_allocations: Option<u64>,
    /// Their bytes.
    pub large_bytes: Option<u64>,
    /// Why the statistics are missing, or what the walk met.
    pub notes: Vec<String>,
}

/// The segment heaps the PEB lists.
pub fn segment_heaps(u: &UserDump) -> Vec<SegmentHeapRow> {
    let build = match u.dump.system_info() {
        Ok(Some(s)) => Some(s.build),
        _ => None,
    };
    let mem = u.memory();
    u.heaps()
        .found
        .iter()
        .filter(|f| f.kind == Some(HeapKind::Segment))
        .map(|f| {
            let layout = build.and_then(|b| SegmentHeapLayout::for_build(f.width, b));
            let ps = if f.width == ntheap::PointerWidth::Bits32 {
                4
            } else {
                8
            };
            match SegmentHeap::open(&mem, f.address, f.width, layout, &Limits::default()) {
                Ok(h) => {
                    let mut notes: Vec<String> = h.findings.iter().map(ToString::to_string).collect();
                    if layout.is_none() {
                        notes.push(
                            "segment heap layout of this build unknown: statistics and large allocations not read"
                                .into(),
                        );
                    }
                    let pages = |p: Option<u64>| p.map(|p| p.saturating_mul(ntheap::PAGE_SIZE));
                    SegmentHeapRow {
                        address: f.address,
                        pointer_size: ps,
                        global_flags: h.global_flags,
                        process_heap_list_index: h.process_heap_list_index,
                        reserved: pages(h.reserved_pages),
                        committed: pages(h.committed_pages),
                        large_allocations: h
                            .large
                            .as_ref()
                            .map(|l| u64::try_from(l.len()).unwrap_or(u64::MAX)),
                        large_bytes: h
                            .large
                            .as_ref()
                            .map(|l| l.iter().fold(0u64, |a, b| a.saturating_add(b.size))),
                        notes,
                    }
                }
                Err(e) => SegmentHeapRow {
                    address: f.address,
                    pointer_size: ps,
                    global_flags: 0,
                    process_heap_list_index: 0,
                    reserved: None,
                    committed: None,
                    large_allocations: None,
                    large_bytes: None,
                    notes: vec![e.to_string()],
                },
            }
        })
        .collect()
}

/// WinDbg's "SEGMENT HEAP STATS BELOW" table.
pub fn text(rows: &[SegmentHeapRow], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let k = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| (v / 1024).to_string());
    writeln!(out, "{:*<120}", "")?;
    writeln!(out, "{:>62}", "SEGMENT HEAP STATS BELOW")?;
    writeln!(out, "{:*<120}", "")?;
    let aw = if rows.iter().any(|r| r.pointer_size == 8) {
        16
    } else {
        8
    };
    writeln!(
        out,
        "{:>aw$}  Signature  Global Flags  Process Heap List Index  Total Reserved Bytes (K)  Total Committed Bytes (K)",
        "Heap Address"
    )?;
    writeln!(out, "{:-<1$}", "", aw.saturating_add(106))?;
    for r in rows {
        writeln!(
            out,
            "{:0aw$x}  ddeeddee  {:>12x}  {:>23}  {:>24}  {:>25}",
            r.address,
            r.global_flags,
            r.process_heap_list_index,
            k(r.reserved),
            k(r.committed)
        )?;
        if let (Some(n), Some(b)) = (r.large_allocations, r.large_bytes)
            && n > 0
        {
            writeln!(
                out,
                "    Large allocations  {n} - total {} KBytes",
                b / 1024
            )?;
        }
        for n in &r.notes {
            writeln!(out, "    note: {n}")?;
        }
    }
    writeln!(out, "{:-<1$}", "", aw.saturating_add(106))?;
    Ok(())
}
