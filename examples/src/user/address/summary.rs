//! `!address -summary`: the usage, type, state and protection tables and the largest region of
//! each usage.

use std::collections::BTreeMap;

use serde::Serialize;

use super::regions::{MEM_COMMIT, MEM_FREE, Region, Usage, protect_name, state_name, type_name};

/// One row of a summary table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// What the row counts (usage, type, state or protection).
    pub name: String,
    /// Number of regions.
    pub count: u64,
    /// Bytes.
    pub size: u64,
    /// Percent of all busy (non-free) bytes; null for free memory.
    pub percent_of_busy: Option<f64>,
    /// Percent of the whole address space described.
    pub percent_of_total: f64,
}

/// The largest region of one usage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Largest {
    /// Usage name.
    pub usage: String,
    /// Base address of the largest region.
    pub base: u64,
    /// Its size.
    pub size: u64,
}

/// `!address -summary`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Where the regions came from: `"MemoryInfoList"`, or `"captured memory"` when the dump has
    /// no MemoryInfoList (then free and reserved memory are unknown, and every captured range
    /// counts as one committed region).
    pub source: &'static str,
    /// Bytes described by MemoryInfoList.
    pub total: u64,
    /// Bytes not free.
    pub busy: u64,
    /// By usage.
    pub usage: Vec<Row>,
    /// By type, for busy regions.
    #[serde(rename = "type")]
    pub kind: Vec<Row>,
    /// By state.
    pub state: Vec<Row>,
    /// By protection, for committed regions.
    pub protect: Vec<Row>,
    /// Largest region of each usage.
    pub largest: Vec<Largest>,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64) * 100.0 / (whole as f64)
    }
}

fn rows(groups: BTreeMap<String, (u64, u64, bool)>, total: u64, busy: u64) -> Vec<Row> {
    let mut rows: Vec<Row> = groups
        .into_iter()
        .map(|(name, (count, size, free))| Row {
            name,
            count,
            size,
            percent_of_busy: (!free).then(|| percent(size, busy)),
            percent_of_total: percent(size, total),
        })
        .collect();
    rows.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
    rows
}

/// Builds the four summary tables from classified regions.
pub fn summarize(regions: &[Region], usages: &[Usage], source: &'static str) -> Summary {
    let total = regions.iter().fold(0u64, |a, r| a.saturating_add(r.size));
    let free = regions
        .iter()
        .filter(|r| r.state == MEM_FREE)
        .fold(0u64, |a, r| a.saturating_add(r.size));
    let busy = total.saturating_sub(free);
    let mut by_usage = BTreeMap::new();
    let mut by_type = BTreeMap::new();
    let mut by_state = BTreeMap::new();
    let mut by_protect = BTreeMap::new();
    let mut largest: BTreeMap<Usage, (u64, u64)> = BTreeMap::new();
    let add = |m: &mut BTreeMap<String, (u64, u64, bool)>, k: String, size: u64, free: bool| {
        let e = m.entry(k).or_insert((0, 0, free));
        e.0 = e.0.saturating_add(1);
        e.1 = e.1.saturating_add(size);
    };
    for (r, u) in regions.iter().zip(usages) {
        let is_free = r.state == MEM_FREE;
        add(&mut by_usage, u.name().to_string(), r.size, is_free);
        add(&mut by_state, state_name(r.state), r.size, is_free);
        if !is_free {
            let name = if r.kind == 0 {
                "<unknown>".to_string()
            } else {
                type_name(r.kind)
            };
            add(&mut by_type, name, r.size, false);
        }
        if r.state == MEM_COMMIT {
            add(&mut by_protect, protect_name(r.protect), r.size, false);
        }
        let l = largest.entry(*u).or_insert((r.base, r.size));
        if r.size > l.1 {
            *l = (r.base, r.size);
        }
    }
    Summary {
        source,
        total,
        busy,
        usage: rows(by_usage, total, busy),
        kind: rows(by_type, total, busy),
        state: rows(by_state, total, busy),
        protect: rows(by_protect, total, busy),
        largest: largest
            .into_iter()
            .map(|(u, (base, size))| Largest {
                usage: u.name().to_string(),
                base,
                size,
            })
            .collect(),
    }
}
