//! Segment heaps (`_SEGMENT_HEAP`): WinDbg's separate table in `!heap -s`, and, where the
//! build's layout is known, their blocks (VS chunks, LFH blocks, back-end ranges, large
//! allocations) for `!heap -stat`, `!heap -x`, `!heap -flt s` and `!heap -a`.

use ntheap::report::{Found, SizeCensus};
use ntheap::{HeapKind, Limits, SegmentBlockKind, SegmentHeap, SegmentHeapLayout};
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

/// A segment heap the PEB lists, opened with the layout of the dump's build (its `layout`
/// is `None` when the build has no table).
pub fn open_heap(u: &UserDump, f: &crate::adapt::FoundHeap) -> Result<SegmentHeap, String> {
    let build = match u.dump.system_info() {
        Ok(Some(s)) => Some(s.build),
        _ => None,
    };
    let layout = build.and_then(|b| SegmentHeapLayout::for_build(f.width, b));
    SegmentHeap::open(&u.memory(), f.address, f.width, layout, &Limits::default())
        .map_err(|e| e.to_string())
}

/// The segment heaps the PEB lists, opened: (address, pointer size, heap).
fn opened(u: &UserDump) -> Vec<(u64, usize, Result<SegmentHeap, String>)> {
    u.heaps()
        .found
        .iter()
        .filter(|f| f.kind == Some(HeapKind::Segment))
        .map(|f| {
            let ps = if f.width == ntheap::PointerWidth::Bits32 {
                4
            } else {
                8
            };
            (f.address, ps, open_heap(u, f))
        })
        .collect()
}

/// Every segment heap whose build has a layout, walked with its blocks kept (keys recovered
/// from the heap's data).
pub fn walks(u: &UserDump) -> Vec<ntheap::SegmentHeapWalk> {
    let mem = u.memory();
    opened(u)
        .into_iter()
        .filter_map(|(_, _, h)| h.ok())
        .filter(|h| h.layout.is_some())
        .map(|h| {
            let keys = u.segment_heap_keys(h.width);
            h.walk(&mem, keys)
        })
        .collect()
}

/// `!heap -stat -h` of one segment heap.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentStat {
    /// Heap address.
    pub address: u64,
    /// 4 or 8 (text only).
    #[serde(skip)]
    pub pointer_size: usize,
    /// Busy user blocks (VS, LFH, back end, large) by requested size.
    #[serde(serialize_with = "super::json::size_stats")]
    pub stats: Vec<ntheap::report::SizeStat>,
    /// Why the heap was not walked, or what the walk met (capped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The most notes kept per segment heap in a report.
const MAX_NOTES: usize = 8;

fn walk_notes(w: &ntheap::SegmentHeapWalk) -> Vec<String> {
    let mut notes: Vec<String> = w
        .findings
        .iter()
        .take(MAX_NOTES)
        .map(ToString::to_string)
        .collect();
    let more = w
        .findings
        .len()
        .saturating_sub(MAX_NOTES)
        .saturating_add(w.findings_dropped);
    if more > 0 {
        notes.push(format!("... and {more} more findings"));
    }
    notes
}

/// `!heap -stat` over the segment heaps: one pass each, counting blocks without keeping them.
pub fn stats(u: &UserDump) -> Vec<SegmentStat> {
    let mem = u.memory();
    opened(u)
        .into_iter()
        .map(|(address, pointer_size, h)| {
            let h = match h {
                Ok(h) if h.layout.is_some() => h,
                Ok(_) => {
                    return SegmentStat {
                        address,
                        pointer_size,
                        stats: Vec::new(),
                        notes: vec![
                            "segment heap layout of this build unknown: blocks not walked".into(),
                        ],
                    };
                }
                Err(e) => {
                    return SegmentStat {
                        address,
                        pointer_size,
                        stats: Vec::new(),
                        notes: vec![e],
                    };
                }
            };
            let mut census = SizeCensus::new();
            let w = h.walk_with(
                &mem,
                u.segment_heap_keys(h.width),
                &mut |e: &ntheap::Entry, s: ntheap::BlockSource<'_>| {
                    census.add(e, s);
                },
            );
            SegmentStat {
                address,
                pointer_size,
                stats: census.stats(),
                notes: walk_notes(&w),
            }
        })
        .collect()
}

/// The segment-heap block holding `a` (busy or free), with its heap and container, and what
/// kind of block it is.
pub fn find(walks: &[ntheap::SegmentHeapWalk], a: u64) -> Option<(Found, SegmentBlockKind)> {
    walks.iter().find_map(|w| {
        let b = w
            .blocks
            .iter()
            .find(|b| a >= b.entry.address && a < b.entry.end())?;
        Some((
            Found {
                heap: w.heap.address,
                segment: Some(b.container),
                entry: b.entry,
            },
            b.kind,
        ))
    })
}

/// `!heap -flt s MIN MAX` over the segment heaps: busy blocks of a requested size in range.
pub fn filter(walks: &[ntheap::SegmentHeapWalk], min: u64, max: u64) -> Vec<super::FilterGroup> {
    walks
        .iter()
        .map(|w| super::FilterGroup {
            heap: w.heap.address,
            pointer_size: if w.heap.width == ntheap::PointerWidth::Bits32 {
                4
            } else {
                8
            },
            granularity: w.heap.width.granularity(),
            blocks: w
                .blocks
                .iter()
                .filter(|b| {
                    b.is_busy()
                        && b.entry
                            .requested_size
                            .is_some_and(|r| (min..=max).contains(&r))
                })
                .map(|b| Found {
                    heap: w.heap.address,
                    segment: Some(b.container),
                    entry: b.entry,
                })
                .collect(),
        })
        .collect()
}
