//! `dumpscope address`: WinDbg's `!address` and `!address -summary` from the MemoryInfoList stream.
//!
//! Every region is given a usage, as WinDbg does: `Free`, `Image`, `PEB`, `TEB`, `Stack`, `Heap`,
//! `Other` (the shared user data page), `MappedFile` (other mapped views) and `<unknown>` (private
//! memory nobody claimed). Stack, heap and image regions are recognised by allocation: every region
//! of the allocation that holds a thread's stack (or a heap segment) gets that usage.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::fmt_util::{addr, hex_size, human_size};
use crate::{CliError, open_dump, write_json};

/// `MEM_COMMIT`.
pub const MEM_COMMIT: u32 = dumpfile::MemState::COMMIT.bits();
/// `MEM_RESERVE`.
pub const MEM_RESERVE: u32 = dumpfile::MemState::RESERVE.bits();
/// `MEM_FREE`.
pub const MEM_FREE: u32 = dumpfile::MemState::FREE.bits();
/// `MEM_PRIVATE`.
pub const MEM_PRIVATE: u32 = dumpfile::MemType::PRIVATE.bits();
/// `MEM_MAPPED`.
pub const MEM_MAPPED: u32 = dumpfile::MemType::MAPPED.bits();
/// `MEM_IMAGE`.
pub const MEM_IMAGE: u32 = dumpfile::MemType::IMAGE.bits();
/// Where `KUSER_SHARED_DATA` is mapped in every user process.
pub const SHARED_USER_DATA: u64 = 0x7ffe_0000;

/// Arguments of `dumpscope address`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the summary tables (`!address -summary`) instead of the region list.
    #[arg(long)]
    pub summary: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

/// One region of the address space, as MemoryInfoList describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// First address.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
    /// Base of the allocation it belongs to.
    pub allocation_base: u64,
    /// `MEM_COMMIT`, `MEM_RESERVE` or `MEM_FREE`.
    pub state: u32,
    /// Current protection (`PAGE_*`).
    pub protect: u32,
    /// `MEM_PRIVATE`, `MEM_MAPPED` or `MEM_IMAGE` (0 for free regions).
    pub kind: u32,
}

/// What the process uses a region for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Usage {
    /// Not allocated.
    Free,
    /// A mapped image (EXE or DLL).
    Image,
    /// The process environment block.
    #[serde(rename = "PEB")]
    Peb,
    /// A thread environment block.
    #[serde(rename = "TEB")]
    Teb,
    /// A thread's stack allocation.
    Stack,
    /// A heap segment or a heap's large block.
    Heap,
    /// System structures mapped into the process (shared user data).
    Other,
    /// Other mapped views.
    MappedFile,
    /// Private memory that no known owner claims.
    #[serde(rename = "<unknown>")]
    Unknown,
}

impl Usage {
    /// The name WinDbg prints.
    pub fn name(self) -> &'static str {
        match self {
            Usage::Free => "Free",
            Usage::Image => "Image",
            Usage::Peb => "PEB",
            Usage::Teb => "TEB",
            Usage::Stack => "Stack",
            Usage::Heap => "Heap",
            Usage::Other => "Other",
            Usage::MappedFile => "MappedFile",
            Usage::Unknown => "<unknown>",
        }
    }
}

/// Known owners of memory, used to classify regions.
#[derive(Debug, Clone, Default)]
pub struct Owners {
    /// Thread stacks `(base, size)`.
    pub stacks: Vec<(u64, u64)>,
    /// TEB addresses (64-bit and 32-bit ones).
    pub tebs: Vec<u64>,
    /// PEB addresses (64-bit and 32-bit ones).
    pub pebs: Vec<u64>,
    /// Heap segments and large blocks `(base, size)`.
    pub heaps: Vec<(u64, u64)>,
}

/// Gives each region its usage.
pub fn classify(regions: &[Region], owners: &Owners) -> Vec<Usage> {
    let mut sorted: Vec<(u64, u64, u64)> = regions
        .iter()
        .map(|r| (r.base, r.base.saturating_add(r.size), r.allocation_base))
        .collect();
    sorted.sort_unstable();
    let allocation_of = |address: u64| -> Option<u64> {
        let i = sorted.partition_point(|(base, _, _)| *base <= address);
        let (base, end, alloc) = *sorted.get(i.checked_sub(1)?)?;
        (base <= address && address < end).then_some(alloc)
    };
    let mut by_allocation: HashMap<u64, Usage> = HashMap::new();
    // Lower priority first: a later insert for the same allocation wins.
    for (base, size) in &owners.heaps {
        if let Some(a) = allocation_of(*base) {
            by_allocation.insert(a, Usage::Heap);
        }
        let _ = size;
    }
    for (base, size) in &owners.stacks {
        // The captured stack lies below the stack base; any byte of it finds the allocation.
        let probe = if *size > 0 {
            base.saturating_add(size.saturating_sub(1))
        } else {
            *base
        };
        if let Some(a) = allocation_of(probe) {
            by_allocation.insert(a, Usage::Stack);
        }
    }
    let contains = |r: &Region, a: u64| r.base <= a && a < r.base.saturating_add(r.size);
    regions
        .iter()
        .map(|r| {
            if r.state == MEM_FREE {
                Usage::Free
            } else if r.kind == MEM_IMAGE {
                Usage::Image
            } else if owners.pebs.iter().any(|p| contains(r, *p)) {
                Usage::Peb
            } else if owners.tebs.iter().any(|t| contains(r, *t)) {
                Usage::Teb
            } else if let Some(u) = by_allocation.get(&r.allocation_base) {
                *u
            } else if contains(r, SHARED_USER_DATA) {
                Usage::Other
            } else if r.kind == MEM_MAPPED {
                Usage::MappedFile
            } else {
                Usage::Unknown
            }
        })
        .collect()
}

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
        add(
            &mut by_state,
            dumpfile::MemState::from_bits_retain(r.state).to_string(),
            r.size,
            is_free,
        );
        if !is_free {
            let name = if r.kind == 0 {
                "<unknown>".to_string()
            } else {
                dumpfile::MemType::from_bits_retain(r.kind).to_string()
            };
            add(&mut by_type, name, r.size, false);
        }
        if r.state == MEM_COMMIT {
            add(
                &mut by_protect,
                dumpfile::PageProtection::from_bits_retain(r.protect).to_string(),
                r.size,
                false,
            );
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

/// Reads the regions of a dump's MemoryInfoList.
pub fn regions(dump: &dumpfile::Minidump) -> Result<Option<Vec<Region>>, dumpfile::Error> {
    Ok(dump.memory_info()?.map(|list| {
        list.iter()
            .map(|m| Region {
                base: m.base_address,
                size: m.region_size,
                allocation_base: m.allocation_base,
                state: m.state,
                protect: m.protect,
                kind: m.type_,
            })
            .collect()
    }))
}

/// Source name of regions read from MemoryInfoList.
pub const FROM_MEMORY_INFO: &str = "MemoryInfoList";
/// Source name of regions made from captured memory when MemoryInfoList is absent.
pub const FROM_CAPTURED: &str = "captured memory";

/// Regions made from the captured memory ranges, for dumps without MemoryInfoList: each range is
/// one committed region (its own allocation), of type `MEM_IMAGE` when it lies in a module of the
/// module list, of a loader list, or in an image found by its headers (`process`, when it could be
/// read, already holds the last two), and of unknown type (0) otherwise. Protection is unknown (0).
pub fn captured_regions(
    dump: &dumpfile::Minidump,
    process: Option<&dumpfile::ProcessInfo>,
) -> Vec<Region> {
    let mut modules: Vec<(u64, u64)> = dump
        .modules()
        .map(|m| {
            m.iter()
                .map(|m| (m.base, m.base.saturating_add(m.size)))
                .collect()
        })
        .unwrap_or_default();
    // Images that no list names (the 32-bit ntdll of a WOW64 process at its loader breakpoint)
    // are recognised by their own headers in captured memory.
    let image = |base: u64, size: u32| (base, base.saturating_add(u64::from(size)));
    match process {
        Some(p) => {
            for m in p.loader_modules.iter().chain(&p.loader_modules32) {
                modules.push(image(m.base, m.size));
            }
            for i in &p.unlisted_images {
                modules.push(image(i.base, i.size_of_image));
            }
        }
        None => {
            for i in dump.mapped_images() {
                modules.push(image(i.base, i.size_of_image));
            }
        }
    }
    dump.memory()
        .ranges()
        .map(|r| {
            let in_image = modules
                .iter()
                .any(|(start, end)| *start <= r.base && r.base < *end);
            Region {
                base: r.base,
                size: r.size,
                allocation_base: r.base,
                state: MEM_COMMIT,
                protect: 0,
                kind: if in_image { MEM_IMAGE } else { 0 },
            }
        })
        .collect()
}

/// The owners of memory that the dump's threads and `process` tell: stacks, TEBs and PEBs.
/// `heaps` is left empty for the caller, which usually has walked the heaps already
/// ([`heap_regions`](super::heap::heap_regions) walks them when it has not).
pub fn owners(dump: &dumpfile::Minidump, process: Option<&dumpfile::ProcessInfo>) -> Owners {
    let mut o = Owners::default();
    if let Ok(threads) = dump.threads() {
        for t in &threads {
            o.stacks.push((t.stack.base, t.stack.size));
            o.tebs.push(t.teb);
        }
    }
    if let Some(p) = process {
        o.pebs.extend(p.peb);
        o.pebs.extend(p.peb32);
    }
    o
}

fn write_table(out: &mut dyn Write, title: &str, rows: &[Row]) -> std::io::Result<()> {
    let head = format!("--- {title} ");
    writeln!(
        out,
        "{head:-<34} RgnCount ----------- Total Size -------- %ofBusy %ofTotal"
    )?;
    for r in rows {
        let busy = r
            .percent_of_busy
            .map(|p| format!("{p:6.2}%"))
            .unwrap_or_default();
        writeln!(
            out,
            "{:<33} {:>8} {:>20} ({:>12}) {:>8} {:>7.2}%",
            r.name,
            r.count,
            hex_size(r.size),
            human_size(r.size),
            busy,
            r.percent_of_total
        )?;
    }
    writeln!(out)
}

/// Writes the summary as `!address -summary` prints it.
pub fn write_summary(s: &Summary, pointer_size: usize, out: &mut dyn Write) -> std::io::Result<()> {
    write_table(out, "Usage Summary", &s.usage)?;
    write_table(out, "Type Summary (for busy)", &s.kind)?;
    write_table(out, "State Summary", &s.state)?;
    write_table(out, "Protect Summary (for commit)", &s.protect)?;
    writeln!(
        out,
        "--- Largest Region by Usage ----------- Base Address -------- Region Size ----------"
    )?;
    let mut largest = s.largest.clone();
    largest.sort_by_key(|l| std::cmp::Reverse(l.size));
    for l in &largest {
        writeln!(
            out,
            "{:<33} {:>20} {:>16} ({:>12})",
            l.usage,
            addr(l.base, pointer_size),
            hex_size(l.size),
            human_size(l.size)
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct RegionJson {
    base: u64,
    size: u64,
    allocation_base: u64,
    usage: Usage,
    state: u32,
    protect: u32,
    #[serde(rename = "type")]
    kind: u32,
}

/// Runs `dumpscope address`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let dump = open_dump(&args.dump)?;
    let process = dump.process().ok();
    let (regions, source) = match regions(&dump).map_err(|e| CliError::at(&args.dump, e))? {
        Some(r) => (r, FROM_MEMORY_INFO),
        None => (captured_regions(&dump, process.as_ref()), FROM_CAPTURED),
    };
    let mut owners = owners(&dump, process.as_ref());
    owners.heaps = super::heap::heap_regions(&dump);
    let usages = classify(&regions, &owners);
    let ps = super::info::pointer_size(dump.arch());
    if source == FROM_CAPTURED && !args.json {
        writeln!(
            out,
            "Note: no MemoryInfoList stream (the dump was written without \
             MiniDumpWithFullMemoryInfo); regions are the {} captured memory ranges, so free and \
             reserved memory and protections are unknown.",
            regions.len()
        )?;
        writeln!(out)?;
    }
    if args.summary {
        let s = summarize(&regions, &usages, source);
        if args.json {
            write_json(out, &s)?;
        } else {
            write_summary(&s, ps, out)?;
        }
        return Ok(());
    }
    if args.json {
        let list: Vec<RegionJson> = regions
            .iter()
            .zip(&usages)
            .map(|(r, u)| RegionJson {
                base: r.base,
                size: r.size,
                allocation_base: r.allocation_base,
                usage: *u,
                state: r.state,
                protect: r.protect,
                kind: r.kind,
            })
            .collect();
        write_json(
            out,
            &serde_json::json!({ "source": source, "regions": list }),
        )?;
        return Ok(());
    }
    let w = if ps == 4 { 8 } else { 17 };
    let kind_name = |r: &Region| match r.state {
        MEM_FREE => String::new(),
        _ if r.kind == 0 => "<unknown>".to_string(),
        _ => dumpfile::MemType::from_bits_retain(r.kind).to_string(),
    };
    writeln!(
        out,
        "{:>w$} {:>w$} {:>w$} {:<12} {:<12} {:<24} Usage",
        "BaseAddr", "EndAddr+1", "RgnSize", "Type", "State", "Protect"
    )?;
    for (r, u) in regions.iter().zip(&usages) {
        writeln!(
            out,
            "{} {} {:>w$} {:<12} {:<12} {:<24} {}",
            addr(r.base, ps),
            addr(r.base.saturating_add(r.size), ps),
            hex_size(r.size),
            kind_name(r),
            dumpfile::MemState::from_bits_retain(r.state).to_string(),
            if r.state == MEM_COMMIT {
                dumpfile::PageProtection::from_bits_retain(r.protect).to_string()
            } else {
                String::new()
            },
            u.name()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(base: u64, size: u64, alloc: u64, state: u32, kind: u32) -> Region {
        Region {
            base,
            size,
            allocation_base: alloc,
            state,
            protect: if state == MEM_COMMIT { 4 } else { 0 },
            kind,
        }
    }

    #[test]
    fn classifies_by_allocation_and_owner() {
        let regions = [
            region(0x0, 0x10000, 0, MEM_FREE, 0),
            // A stack allocation: reserve, guard, committed top.
            region(0x10000, 0x7d000, 0x10000, MEM_RESERVE, MEM_PRIVATE),
            region(0x8d000, 0x3000, 0x10000, MEM_COMMIT, MEM_PRIVATE),
            // A heap segment: committed then reserved.
            region(0x90000, 0x4000, 0x90000, MEM_COMMIT, MEM_PRIVATE),
            region(0x94000, 0xc000, 0x90000, MEM_RESERVE, MEM_PRIVATE),
            region(0x400000, 0x1000, 0x400000, MEM_COMMIT, MEM_IMAGE),
            region(0x7efdb000, 0x1000, 0x7efdb000, MEM_COMMIT, MEM_PRIVATE),
            region(0x7efdf000, 0x1000, 0x7efdf000, MEM_COMMIT, MEM_PRIVATE),
            region(0x7ffe0000, 0x1000, 0x7ffe0000, MEM_COMMIT, MEM_PRIVATE),
            region(0x800000, 0x1000, 0x800000, MEM_COMMIT, MEM_MAPPED),
            region(0x900000, 0x1000, 0x900000, MEM_COMMIT, MEM_PRIVATE),
        ];
        let owners = Owners {
            stacks: vec![(0x8e000, 0x2000)],
            tebs: vec![0x7efdb000],
            pebs: vec![0x7efdf000],
            heaps: vec![(0x90000, 0x10000)],
        };
        let u = classify(&regions, &owners);
        assert_eq!(
            u,
            vec![
                Usage::Free,
                Usage::Stack,
                Usage::Stack,
                Usage::Heap,
                Usage::Heap,
                Usage::Image,
                Usage::Teb,
                Usage::Peb,
                Usage::Other,
                Usage::MappedFile,
                Usage::Unknown,
            ]
        );
        let s = summarize(&regions, &u, FROM_MEMORY_INFO);
        assert_eq!(s.total, regions.iter().map(|r| r.size).sum::<u64>());
        assert_eq!(s.busy, s.total - 0x10000);
        let stack = s.usage.iter().find(|r| r.name == "Stack").unwrap();
        assert_eq!((stack.count, stack.size), (2, 0x80000));
        let free = s.usage.iter().find(|r| r.name == "Free").unwrap();
        assert_eq!(free.percent_of_busy, None);
        // Usage rows are sorted by size, largest first.
        assert!(s.usage.windows(2).all(|w| w[0].size >= w[1].size));
        let busy_pct: f64 = s.usage.iter().filter_map(|r| r.percent_of_busy).sum();
        assert!((busy_pct - 100.0).abs() < 1e-9);
        // Protect summary only counts committed regions.
        let committed: u64 = s.protect.iter().map(|r| r.size).sum();
        assert_eq!(
            committed,
            regions
                .iter()
                .filter(|r| r.state == MEM_COMMIT)
                .map(|r| r.size)
                .sum::<u64>()
        );
    }
}
