//! `dumpscope heap --leaks`: WinDbg's `!heap -l`. Busy heap blocks (NT heaps, full page
//! heaps, and light page heaps' blocks as the program sees them) that no root reaches: a conservative mark from the threads' stacks and registers,
//! the TEBs and PEBs, the modules' writable sections, and transitively through the blocks it
//! reaches (a pointer to any byte of a block's user area counts). The leaked blocks are listed
//! and grouped by size.

use std::collections::BTreeMap;

use ntheap::reachability::{ScanLimits, UserBlock, mark};
use ntheap::report::is_user_allocation;
use ntheap::{EntryState, PointerWidth};
use serde::Serialize;

use crate::target::UserDump;

mod roots;
mod text;

/// A block offered to the mark: where it is for the mark, and how it is reported when
/// nothing reaches it.
fn candidate(
    width: PointerWidth,
    heap: u64,
    kind: &'static str,
    entry: u64,
    user_address: u64,
    size: u64,
) -> (PointerWidth, Candidate) {
    (
        width,
        Candidate {
            block: UserBlock {
                address: user_address,
                size,
            },
            leaked: Leaked {
                heap,
                kind,
                entry,
                user_address,
                size,
                pointer_size: pointer_size(width),
            },
        },
    )
}

/// One busy block nothing reaches.
#[derive(Debug, Clone, Serialize)]
pub struct Leaked {
    /// The heap (NT heap address, or the page heap's handle).
    pub heap: u64,
    /// `"nt"`, `"large"` (a large NT heap block or segment-heap allocation), `"page"` (full
    /// page heap), `"light"` (a light-page-heap block: the user data after its block
    /// information), or a segment-heap block kind (`"VS"`, `"LFH"`, `"backend"`).
    pub kind: &'static str,
    /// Header address (`_HEAP_ENTRY`; the `_DPH_HEAP_BLOCK` node for page-heap blocks).
    pub entry: u64,
    /// First byte of user data.
    pub user_address: u64,
    /// Requested size (the user area scanned).
    pub size: u64,
    /// 4 or 8.
    pub pointer_size: usize,
}

/// Leaked blocks of one size.
#[derive(Debug, Clone, Serialize)]
pub struct SizeGroup {
    /// Requested size.
    pub size: u64,
    /// How many.
    pub count: u64,
    /// `size × count`.
    pub total: u64,
    /// What most of the sampled blocks start with (`text: ==> Allocated addr: 0x%x`,
    /// `utf16: ...`), when they share it: the content grouping `leak` does too.
    pub content: Option<String>,
    /// Blocks sampled for `content`, and how many of them share it.
    pub sampled: u64,
    /// Of the sampled, those with the content.
    pub matching: u64,
}

/// Blocks of each size whose content is sampled.
const CONTENT_SAMPLES: usize = 8;
/// Size groups whose content is sampled.
const CONTENT_GROUPS: usize = 32;

/// The text a block starts with, generalized (numbers as `%x`/`%d`), as `leak` and `diff`
/// group blocks.
fn content_of(mem: &impl ntheap::ReadMemory, at: u64, size: u64) -> Option<String> {
    let mut b = vec![0u8; usize::try_from(size.min(64)).unwrap_or(0)];
    mem.read(at, &mut b).ok()?;
    if let Some(t) = crate::user::leak::ascii_text(&b, 4) {
        return Some(format!("text: {}", crate::user::leak::generalize(&t)));
    }
    crate::user::leak::utf16_text(&b, 4)
        .map(|t| format!("utf16: {}", crate::user::leak::generalize(&t)))
}

/// What the roots were.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Roots {
    /// Threads whose stacks and registers were roots.
    pub threads: usize,
    /// Register values.
    pub registers: usize,
    /// Memory ranges (stacks, TEBs, PEBs, module sections).
    pub ranges: usize,
    /// Bytes in those ranges.
    pub bytes: u64,
    /// Modules whose writable sections were roots (the whole captured image when its headers
    /// are not in the dump).
    pub modules: usize,
}

/// The report of `heap --leaks`.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Busy blocks checked.
    pub blocks: usize,
    /// Their user bytes.
    pub block_bytes: u64,
    /// The roots.
    pub roots: Roots,
    /// Bytes read and scanned (roots and reached blocks).
    pub bytes_scanned: u64,
    /// Root or block bytes not in the dump.
    pub bytes_not_captured: u64,
    /// Whether the scan stopped at its byte budget (then blocks beyond it look leaked).
    pub stopped: bool,
    /// The leaked blocks, by address.
    pub leaked: Vec<Leaked>,
    /// The leaked blocks grouped by size, largest total first.
    pub by_size: Vec<SizeGroup>,
    /// Heaps not walked and roots not read (text after the report).
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// A block to check, with what the report says of it.
struct Candidate {
    block: UserBlock,
    leaked: Leaked,
}

fn pointer_size(w: PointerWidth) -> usize {
    if w == PointerWidth::Bits32 { 4 } else { 8 }
}

/// Every busy user block of the walked NT heaps and of the page heaps, by width.
fn candidates(u: &UserDump, warnings: &mut Vec<String>) -> Vec<(PointerWidth, Candidate)> {
    let mut out = Vec::new();
    let (page_heaps, page_warnings) = crate::user::pageheap::page_heaps(u);
    warnings.extend(page_warnings);
    let mem = u.memory();
    for walk in u.walks() {
        let w = walk.heap.width();
        let light = page_heaps
            .iter()
            .find(|p| p.normal_heap == walk.heap.address && p.layout.width == w)
            .map(|p| ntheap::PageHeapLayout::builtin(p.layout.width));
        for e in walk.all_entries() {
            if !is_user_allocation(walk, &e) {
                continue;
            }
            // Light page heap: the program's block is after the block information; a block
            // freed into the delayed free cache is no candidate.
            let Some(program) = crate::user::leak::heaps::program_block(&mem, light.as_ref(), &e)
            else {
                continue;
            };
            if program.user_address != e.user_address {
                let size = program.requested_size.unwrap_or(0);
                out.push(candidate(
                    w,
                    walk.heap.address,
                    "light",
                    e.address,
                    program.user_address,
                    size,
                ));
                continue;
            }
            let header = e.user_address.saturating_sub(e.address);
            let size = e
                .requested_size
                .unwrap_or_else(|| e.size.saturating_sub(header));
            let kind = if e.state == EntryState::VirtualAlloc {
                "large"
            } else {
                "nt"
            };
            out.push(candidate(
                w,
                walk.heap.address,
                kind,
                e.address,
                e.user_address,
                size,
            ));
        }
    }
    for p in &page_heaps {
        let w = p.layout.width;
        for b in &p.busy {
            out.push(candidate(
                w,
                p.handle(),
                "page",
                b.node,
                b.user_address,
                b.requested_size,
            ));
        }
    }
    // Segment heaps (builds with a layout): their busy VS, LFH, back-end and large blocks.
    for walk in crate::user::heap::segment::walks(u) {
        let w = walk.heap.width;
        for b in walk.blocks.iter().filter(|b| b.is_busy()) {
            let e = &b.entry;
            let size = e.requested_size.unwrap_or(e.size);
            out.push(candidate(
                w,
                walk.heap.address,
                b.kind.name(),
                e.address,
                e.user_address,
                size,
            ));
        }
        warnings.extend(
            walk.findings
                .iter()
                .filter(|f| f.is_corruption())
                .take(4)
                .map(|f| format!("segment heap {:x}: {f}", walk.heap.address)),
        );
    }
    out
}

/// Runs `heap --leaks` on a dump.
pub fn investigate(u: &UserDump) -> Report {
    let mut warnings: Vec<String> = u
        .heaps()
        .found
        .iter()
        .filter_map(|f| {
            let e = f.heap.as_ref().err()?;
            // A page heap's handle is no NT heap: its blocks come from its root. A segment
            // heap is walked apart, when its build has a layout.
            let segment_walked = f.kind == Some(ntheap::HeapKind::Segment)
                && crate::user::heap::segment::open_heap(u, f).is_ok_and(|h| h.layout.is_some());
            (ntheap::page_heap_root_of(&u.memory(), f.address).is_none() && !segment_walked)
                .then(|| format!("heap {:x} not walked: {e}", f.address))
        })
        .collect();
    let cands = candidates(u, &mut warnings);
    let (roots, ranges, values) = roots::roots(u, &mut warnings);
    let mem = u.memory();
    let mut leaked = Vec::new();
    let (mut scanned, mut missing, mut stopped) = (0u64, 0u64, false);
    for width in [PointerWidth::Bits64, PointerWidth::Bits32] {
        let set: Vec<&Candidate> = cands
            .iter()
            .filter(|(w, _)| *w == width)
            .map(|(_, c)| c)
            .collect();
        if set.is_empty() {
            continue;
        }
        let blocks: Vec<UserBlock> = set.iter().map(|c| c.block).collect();
        let r = mark(
            &mem,
            width,
            &blocks,
            &ranges,
            &values,
            ScanLimits::default(),
        );
        scanned = scanned.saturating_add(r.bytes_scanned);
        missing = missing.saturating_add(r.bytes_not_captured);
        stopped |= r.stopped;
        leaked.extend(
            r.unreached()
                .filter_map(|i| set.get(i))
                .map(|c| c.leaked.clone()),
        );
    }
    leaked.sort_by_key(|l| l.user_address);
    let mut groups: BTreeMap<u64, u64> = BTreeMap::new();
    for l in &leaked {
        let c = groups.entry(l.size).or_insert(0);
        *c = c.saturating_add(1);
    }
    let mut by_size: Vec<SizeGroup> = groups
        .into_iter()
        .map(|(size, count)| SizeGroup {
            size,
            count,
            total: size.saturating_mul(count),
            content: None,
            sampled: 0,
            matching: 0,
        })
        .collect();
    by_size.sort_by(|a, b| b.total.cmp(&a.total).then(b.size.cmp(&a.size)));
    for g in by_size.iter_mut().take(CONTENT_GROUPS) {
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        for l in leaked
            .iter()
            .filter(|l| l.size == g.size)
            .take(CONTENT_SAMPLES)
        {
            g.sampled = g.sampled.saturating_add(1);
            if let Some(c) = content_of(&mem, l.user_address, l.size) {
                let n = seen.entry(c).or_insert(0);
                *n = n.saturating_add(1);
            }
        }
        // The content most sampled blocks share (at least half of them).
        if let Some((c, n)) = seen
            .into_iter()
            .max_by_key(|(c, n)| (*n, std::cmp::Reverse(c.clone())))
            && n.saturating_mul(2) >= g.sampled
        {
            g.content = Some(c);
            g.matching = n;
        }
    }
    Report {
        blocks: cands.len(),
        block_bytes: cands
            .iter()
            .fold(0u64, |a, (_, c)| a.saturating_add(c.block.size)),
        roots,
        bytes_scanned: scanned,
        bytes_not_captured: missing,
        stopped,
        leaked,
        by_size,
        warnings,
    }
}
