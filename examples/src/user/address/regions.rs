//! The regions of a process's address space and what each is used for (`!address` usage).
//!
//! Every region is given a usage, as WinDbg does: `Free`, `Image`, `PEB`, `TEB`, `Stack`, `Heap`,
//! `Other` (the shared user data page), `MappedFile` (other mapped views) and `<unknown>` (private
//! memory nobody claimed). Stack, heap and image regions are recognised by allocation: every region
//! of the allocation that holds a thread's stack (or a heap segment) gets that usage.

use std::collections::HashMap;

use serde::Serialize;

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

/// The name of a `MEM_*` state, as `dumpfile` spells it (`MEM_COMMIT`).
pub fn state_name(state: u32) -> String {
    dumpfile::MemState::from_bits_retain(state).to_string()
}

/// The name of a `MEM_*` type, as `dumpfile` spells it (`MEM_IMAGE`).
pub fn type_name(kind: u32) -> String {
    dumpfile::MemType::from_bits_retain(kind).to_string()
}

/// The name of a `PAGE_*` protection with its modifiers, as `dumpfile` spells it
/// (`PAGE_READWRITE | PAGE_GUARD`).
pub fn protect_name(protect: u32) -> String {
    dumpfile::PageProtection::from_bits_retain(protect).to_string()
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
/// `heaps` is left empty: [`UserDump::heap_regions`](crate::target::UserDump::heap_regions) fills it.
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

/// The heap owners of memory: every segment's reservation, every large block, and each heap's
/// own address (its header page).
pub fn heap_owners(walks: &[ntheap::HeapWalk]) -> Vec<(u64, u64)> {
    let mut heaps = Vec::new();
    for w in walks {
        for s in &w.segments {
            heaps.push((s.segment.base_address, s.segment.reserved_bytes()));
        }
        for v in &w.virtual_blocks {
            heaps.push((v.address, v.reserve_size.max(v.commit_size)));
        }
        heaps.push((w.heap.address, 1));
    }
    heaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::address::summary::summarize;

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
