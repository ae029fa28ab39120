//! Steps 1 to 3: region usage, the heaps that grew, and the requested sizes that dominate.

use super::*;

/// Step 2: the heaps of the process (64-bit and WOW64 32-bit ones), walked (once, by the
/// dump's cache), each with its growth figures, largest footprint first.
pub fn walk_heaps<'a>(
    u: &'a UserDump,
    progress: &Progress,
    notes: &mut Vec<String>,
) -> (Vec<Walked<'a>>, Vec<HeapGrowth>) {
    if let Err(e) = u.process() {
        notes.push(format!("process facts (PEB) unreadable: {e}"));
    }
    let found = &u.heaps().found;
    progress.step(&format!("walking {} heaps", found.len()));
    let walks = u.walks();
    let mut walked = Vec::new();
    let mut growth = Vec::new();
    for f in found {
        let bits = if f.width == ntheap::PointerWidth::Bits32 {
            32
        } else {
            64
        };
        let walk = walks.iter().find(|w| w.heap.address == f.address);
        match (&f.heap, walk) {
            (Ok(_), Some(walk)) => {
                let s = ntheap::report::summary(walk);
                let mut busy_blocks = 0u64;
                let mut busy_bytes = 0u64;
                for e in walk.all_entries() {
                    if ntheap::report::is_user_allocation(walk, &e) {
                        busy_blocks = busy_blocks.saturating_add(1);
                        busy_bytes = busy_bytes.saturating_add(e.requested_size.unwrap_or(0));
                    }
                }
                growth.push(HeapGrowth {
                    address: f.address,
                    bits,
                    segments: u64::try_from(s.segments).unwrap_or(u64::MAX),
                    reserved: s.reserved,
                    committed: s.committed,
                    busy_blocks,
                    busy_bytes,
                    virtual_blocks: u64::try_from(s.virtual_blocks).unwrap_or(u64::MAX),
                    virtual_block_bytes: s.virtual_block_bytes,
                    corruption: u64::try_from(walk.corruption().count()).unwrap_or(u64::MAX),
                    error: None,
                });
                walked.push(Walked { walk, bits });
            }
            (result, _) => growth.push(HeapGrowth::empty(
                f.address,
                bits,
                Some(
                    result
                        .as_ref()
                        .err()
                        .map_or_else(|| "not walked".to_string(), ToString::to_string),
                ),
            )),
        }
    }
    growth.sort_by(|a, b| {
        b.footprint()
            .cmp(&a.footprint())
            .then(a.address.cmp(&b.address))
    });
    (walked, growth)
}

/// Step 1: region usage, with the walked heaps as owners.
pub fn region_step(u: &UserDump, lacks: &mut Vec<String>) -> RegionStep {
    let c = address::classified_or_captured(u);
    if c.source == address::FROM_CAPTURED {
        lacks.push(
            "no MemoryInfoList: region usage is estimated from the captured memory ranges"
                .to_string(),
        );
    }
    let summary = address::summarize(&c.regions, &c.usages, c.source);
    let usage: Vec<UsageRow> = summary
        .usage
        .iter()
        .filter(|r| r.name != address::Usage::Free.name())
        .map(|r| UsageRow {
            name: r.name.clone(),
            count: r.count,
            size: r.size,
            percent_of_busy_x100: percent_x100(r.size, summary.busy),
        })
        .collect();
    let dominant = usage.first().map(|r| r.name.clone());
    RegionStep {
        source: c.source.to_string(),
        busy: summary.busy,
        usage,
        dominant,
    }
}

/// Step 3: size classes over all heaps.
pub fn size_step(walked: &[Walked]) -> Vec<SizeClass> {
    ntheap::report::stat_all(walked.iter().map(|w| w.walk))
        .into_iter()
        .map(|s| SizeClass {
            heap: s.heap,
            size: s.size,
            count: s.count,
            total: s.total,
            percent_x100: s.percent_x100,
            virtual_blocks: s.virtual_blocks,
        })
        .collect()
}
