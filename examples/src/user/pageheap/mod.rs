//! `dumpscope heap --page-heap`: WinDbg's `!heap -p` (the page heaps of a process run with
//! `gflags +hpa`, `gflags /p /enable` or Application Verifier, full or light) and
//! `!heap -p -a ADDR` (the page-heap block holding an address, with its allocation stack).
//!
//! A page heap is found from `PEB.ProcessHeaps`: its `_DPH_HEAP_ROOT` (signature 0xFFEEDDCC)
//! sits one page above the handle, and its `NextHeap` list gives the other roots. Full page
//! heap blocks are the root's busy tree and free list; light page heap blocks (and full page
//! heap's small ones) are the blocks of the root's `NormalHeap` that start with a
//! `_DPH_BLOCK_INFORMATION` ([`light`]).
//!
//! The other heap commands see a light page heap's normal heap as the program does: `!heap
//! -stat` (`heap --stat`) counts each block with block information by its requested size and
//! leaves out the blocks freed into the delayed free cache; `!heap -s` keeps the NT heap's own
//! reserve/commit figures (the header and suffix page heap adds do take that memory) and names
//! the page heap's handle a light page heap; `leak` and `!heap -l` rank and mark the blocks by
//! their user data, with the page heap's allocation stacks.

use std::collections::BTreeSet;

use ntheap::{Limits, PageHeap, PageHeapBlock, PageHeapLayout, PointerWidth};
use serde::Serialize;

use crate::target::UserDump;

pub mod light;
mod text;

/// What `heap --page-heap` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// The block holding this address (`!heap -p -a ADDR`); `None` lists the page heaps.
    pub address: Option<u64>,
}

/// One page heap.
#[derive(Debug, Clone, Serialize)]
pub struct PageHeapInfo {
    /// The heap handle (root − one page).
    pub handle: u64,
    /// The `_DPH_HEAP_ROOT`.
    pub root: u64,
    /// 4 or 8.
    pub pointer_size: usize,
    /// `HeapFlags` (page-heap options).
    pub flags: u32,
    /// The option names of `flags` WinDbg prints.
    pub flag_names: Vec<&'static str>,
    /// `NormalHeap`: the NT heap of small and internal allocations.
    pub normal_heap: u64,
    /// `nBusyAllocations` as recorded.
    pub busy_allocations: u32,
    /// `nFreeAllocations` as recorded.
    pub free_allocations: u32,
    /// Busy blocks walked.
    pub busy_blocks: usize,
    /// Sum of their requested sizes.
    pub busy_bytes: u64,
    /// Freed blocks walked.
    pub free_blocks: usize,
    /// What the walk met and stepped over.
    pub findings: Vec<String>,
    /// `"full"` (`HeapFlags` has ENABLE_PAGE_HEAP) or `"light"` (blocks in `NormalHeap`).
    pub mode: &'static str,
    /// The page-heap blocks of `NormalHeap` (light page heap; full page heap's small
    /// blocks), when it could be walked.
    pub normal: Option<light::NormalHeapInfo>,
}

/// One frame of an allocation stack.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    /// Return address.
    pub address: u64,
    /// `module+0xOFFSET` when a loaded module holds it.
    pub location: Option<String>,
}

/// The page-heap block holding an address.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The `_DPH_HEAP_ROOT`.
    pub root: u64,
    /// The heap handle.
    pub handle: u64,
    /// 4 or 8.
    pub pointer_size: usize,
    /// The `_DPH_HEAP_BLOCK` node.
    pub node: u64,
    /// Busy or freed.
    pub busy: bool,
    /// `pUserAllocation`.
    pub user_address: u64,
    /// `nUserRequestedSize`.
    pub requested_size: u64,
    /// `pVirtualBlock`.
    pub virtual_block: u64,
    /// `nVirtualBlockSize`.
    pub virtual_size: u64,
    /// The allocation stack (empty when none was captured or it is not in the dump).
    pub stack: Vec<Frame>,
}

/// What `heap --page-heap` reports.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum View {
    /// `!heap -p`.
    List {
        /// The page heaps.
        page_heaps: Vec<PageHeapInfo>,
    },
    /// `!heap -p -a ADDR` on a light-page-heap block (in a root's `NormalHeap`).
    FindLight {
        /// The address looked up.
        address: u64,
        /// The block holding it.
        light: light::LightHit,
    },
    /// `!heap -p -a ADDR`.
    Find {
        /// The address looked up.
        address: u64,
        /// The block holding it, if a page heap has one.
        found: Option<Hit>,
    },
}

/// The report of `heap --page-heap`.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Report {
    /// What was asked for.
    pub view: View,
    /// Problems opening page heaps (text only).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// Every page heap of the process: roots found from the PEB's heap handles, then along their
/// `NextHeap` lists. Roots that fail to open are warnings.
pub fn page_heaps(u: &UserDump) -> (Vec<PageHeap>, Vec<String>) {
    let mem = u.memory();
    let limits = Limits::default();
    let mut roots: BTreeSet<(u64, bool)> = BTreeSet::new();
    let mut order: Vec<(u64, PointerWidth)> = Vec::new();
    for f in &u.heaps().found {
        let Some(root) = ntheap::page_heap_root_of(&mem, f.address) else {
            continue;
        };
        for r in ntheap::page_heap_roots(&mem, root, f.width, &limits) {
            if roots.insert((r, f.width == PointerWidth::Bits32)) {
                order.push((r, f.width));
            }
        }
    }
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (r, w) in order {
        match PageHeap::open(&mem, r, PageHeapLayout::builtin(w), &limits) {
            Ok(p) => out.push(p),
            Err(e) => warnings.push(format!("page heap root {r:x}: {e}")),
        }
    }
    (out, warnings)
}

pub(crate) fn pointer_size(p: &PageHeap) -> usize {
    if p.layout.width == PointerWidth::Bits32 {
        4
    } else {
        8
    }
}

/// The page-heap option names WinDbg prints for `HeapFlags`.
pub fn flag_names(flags: u32) -> Vec<&'static str> {
    let mut v = Vec::new();
    if flags & 1 != 0 {
        v.push("ENABLE_PAGE_HEAP");
    }
    if flags & 2 != 0 {
        v.push("COLLECT_STACK_TRACES");
    }
    v
}

fn info(u: &UserDump, p: &PageHeap) -> PageHeapInfo {
    PageHeapInfo {
        mode: if p.flags & 1 != 0 { "full" } else { "light" },
        normal: light::info(u, p),
        handle: p.handle(),
        root: p.root,
        pointer_size: pointer_size(p),
        flags: p.flags,
        flag_names: flag_names(p.flags),
        normal_heap: p.normal_heap,
        busy_allocations: p.busy_allocations,
        free_allocations: p.free_allocations,
        busy_blocks: p.busy.len(),
        busy_bytes: p
            .busy
            .iter()
            .fold(0u64, |a, b| a.saturating_add(b.requested_size)),
        free_blocks: p.free.len(),
        findings: p.findings.iter().map(ToString::to_string).collect(),
    }
}

pub(crate) fn frame(u: &UserDump, a: u64) -> Frame {
    let location = u.modules().ok().and_then(|ms| {
        ms.iter()
            .find(|m| a >= m.base && a.saturating_sub(m.base) < m.size)
            .map(|m| {
                let name = m.name.rsplit(['\\', '/']).next().unwrap_or(&m.name);
                let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
                format!("{stem}+0x{:x}", a.saturating_sub(m.base))
            })
    });
    Frame {
        address: a,
        location,
    }
}

/// A stack trace read from the dump (or why not) as frames; none when it could not be read.
pub(crate) fn frames<E>(u: &UserDump, stack: Result<Option<Vec<u64>>, E>) -> Vec<Frame> {
    stack
        .ok()
        .flatten()
        .unwrap_or_default()
        .into_iter()
        .map(|a| frame(u, a))
        .collect()
}

fn hit(u: &UserDump, p: &PageHeap, b: &PageHeapBlock) -> Hit {
    let stack = frames(u, p.stack_trace(&u.memory(), b));
    Hit {
        root: p.root,
        handle: p.handle(),
        pointer_size: pointer_size(p),
        node: b.node,
        busy: b.busy,
        user_address: b.user_address,
        requested_size: b.requested_size,
        virtual_block: b.virtual_block,
        virtual_size: b.virtual_size,
        stack,
    }
}

/// Runs `heap --page-heap` on a dump.
pub fn investigate(u: &UserDump, options: &Options) -> Report {
    let (heaps, warnings) = page_heaps(u);
    let view = match options.address {
        None => View::List {
            page_heaps: heaps.iter().map(|p| info(u, p)).collect(),
        },
        Some(a) => match heaps.iter().find_map(|p| Some(hit(u, p, p.find(a)?))) {
            Some(h) => View::Find {
                address: a,
                found: Some(h),
            },
            None => match light::find(u, &heaps, a) {
                Some(l) => View::FindLight {
                    address: a,
                    light: l,
                },
                None => View::Find {
                    address: a,
                    found: None,
                },
            },
        },
    };
    Report { view, warnings }
}

/// `!heap -p` always reports; `!heap -p -a ADDR` reports only when a page-heap block holds
/// ADDR (`None`: the caller looks in the NT heaps, as WinDbg's `!heap -p -a` does with `+ust`).
pub fn report_or_none(u: &UserDump, address: Option<u64>) -> Option<Report> {
    let r = investigate(u, &Options { address });
    match &r.view {
        View::Find { found: None, .. } => None,
        _ => Some(r),
    }
}
