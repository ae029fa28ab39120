//! `dumpscope leak`: the user-heap leak investigation of a D4C.exe-style heap leak (a process
//! whose heap grows with blocks of one size holding one printf-formatted text, and with `+ust`
//! the allocation stacks behind them) automated, each step with its evidence:
//!
//! 1. which region usage dominates (`!address -summary`) -- [`heaps::region_step`];
//! 2. which heap grew (`!heap -s`, including large `VirtualAllocdBlocks`) -- [`heaps::walk_heaps`];
//! 3. which requested sizes dominate (`!heap -stat`), by total bytes -- [`heaps::size_step`];
//! 4. what the blocks of the dominant sizes contain: shared ASCII/UTF-16 prefixes, printf-like
//!    patterns, a first pointer into a module (a vtable gives the class name through RTTI) --
//!    [`content`];
//! 5. where that text lives in a module (`s -a` over the modules' data sections) and which code
//!    references it (Ghidra's XREF), as `module+rva` -- [`locate`];
//! 6. which threads are busy (`!runaway 7`) and what they run (`~*k`, best effort) --
//!    [`threads`].
//!
//! The result is a ranked list of suspects with bytes, counts and evidence ([`suspects`]). A dump
//! that lacks what a step needs (no heap pages, no thread times, ...) gives a report that says
//! so, never an error.

use std::io::Write;

use serde::Serialize;

use crate::report::{addr, count, human_size, pct, percent_x100, runaway_time};
use crate::target::UserDump;
use crate::user::{address, runaway, stacks};

pub mod content;
pub mod heaps;
pub mod locate;
pub mod suspects;
mod text;
pub mod threads;

use self::content::{analyse_content, escape, literal_prefix};
pub use self::content::{ascii_text, generalize, utf16_text};
pub use self::heaps::{region_step, size_step, walk_heaps};
use self::locate::{function_of, locate, needle_of, pointer_references};
use self::suspects::{conclude, rank, thread_label};
use self::threads::thread_step;

/// How many size classes get their contents analysed.
const CONTENT_CLASSES: usize = 3;
/// Size classes listed in step 3.
const LISTED_SIZES: usize = 10;
/// Blocks sampled per size class.
const SAMPLES: usize = 32;
/// Bytes read from the start of each sampled block.
const SAMPLE_BYTES: u64 = 256;
/// Shortest text worth searching in the modules.
const MIN_NEEDLE: usize = 6;
/// Longest needle searched.
const MAX_NEEDLE: usize = 64;
/// Most string hits kept per size class.
const MAX_HITS: usize = 8;
/// Most code references kept per hit.
const MAX_REFS: usize = 8;
/// Busy threads shown.
const BUSY_THREADS: usize = 3;
/// Frames shown per busy thread.
const FRAMES: usize = 8;

/// One line of the region usage table (step 1).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UsageRow {
    /// Usage name (`Heap`, `Image`, `Stack`, ...).
    pub name: String,
    /// Regions.
    pub count: u64,
    /// Bytes.
    pub size: u64,
    /// Share of busy (non-free) bytes, in hundredths of a percent.
    pub percent_of_busy_x100: u64,
}

/// Step 1: region usage.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RegionStep {
    /// Where the regions came from (`MemoryInfoList` or `captured memory`).
    pub source: String,
    /// Busy (non-free) bytes.
    pub busy: u64,
    /// Busy usages, largest first.
    pub usage: Vec<UsageRow>,
    /// The usage holding the most busy bytes.
    pub dominant: Option<String>,
}

/// Step 2: one heap and how big it grew.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeapGrowth {
    /// Heap address.
    pub address: u64,
    /// Pointer width of the heap (32 or 64).
    pub bits: u32,
    /// Segments walked.
    pub segments: u64,
    /// Reserved bytes (segments and large blocks).
    pub reserved: u64,
    /// Committed bytes (segments and large blocks).
    pub committed: u64,
    /// Busy user blocks.
    pub busy_blocks: u64,
    /// Requested bytes of the busy user blocks.
    pub busy_bytes: u64,
    /// Large blocks on `VirtualAllocdBlocks`.
    pub virtual_blocks: u64,
    /// Committed bytes of the large blocks.
    pub virtual_block_bytes: u64,
    /// Corruption findings of the walk.
    pub corruption: u64,
    /// Why the heap could not be walked, if it could not.
    pub error: Option<String>,
    /// A segment heap: its large blocks are its large allocations, not `VirtualAllocdBlocks`.
    #[serde(skip)]
    pub segment_heap: bool,
}

/// Whether `heap` is a segment heap, whose large blocks are its large allocations rather than
/// `VirtualAllocdBlocks`.
pub(crate) fn is_segment_heap(heaps: &[HeapGrowth], heap: u64) -> bool {
    heaps.iter().any(|h| h.address == heap && h.segment_heap)
}

impl HeapGrowth {
    /// A heap with nothing counted: one that could not be walked (`error`), or absent from one
    /// of two dumps.
    pub fn empty(address: u64, bits: u32, error: Option<String>) -> Self {
        HeapGrowth {
            address,
            bits,
            segments: 0,
            reserved: 0,
            committed: 0,
            busy_blocks: 0,
            busy_bytes: 0,
            virtual_blocks: 0,
            virtual_block_bytes: 0,
            corruption: 0,
            error,
            segment_heap: false,
        }
    }

    /// Committed bytes of the segments plus those of the large blocks: what the heap holds
    /// (`!heap -s` commit misses gigabytes held in `VirtualAllocdBlocks`).
    pub fn footprint(&self) -> u64 {
        self.committed.saturating_add(self.virtual_block_bytes)
    }
}

/// Step 3: busy blocks of one requested size in one heap.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SizeClass {
    /// Heap address.
    pub heap: u64,
    /// Requested size.
    pub size: u64,
    /// Busy blocks.
    pub count: u64,
    /// `size × count`.
    pub total: u64,
    /// Share of all busy requested bytes of all heaps, in hundredths of a percent.
    pub percent_x100: u64,
    /// How many of them are large (`VirtualAllocdBlocks`) blocks.
    pub virtual_blocks: u64,
}

/// A pointer into a module found at the start of the blocks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PointerHint {
    /// Offset in the block.
    pub offset: u64,
    /// The pointer (of the first sample).
    pub value: u64,
    /// `module+0xrva`.
    pub location: String,
    /// Every sample holds the same pointer at that offset.
    pub same_in_all: bool,
    /// The class named by RTTI when the pointer is a vtable.
    pub class: Option<String>,
    /// Code referring to the pointer (for a vtable: the constructors storing it), when every
    /// sample holds it.
    pub references: Vec<CodeReference>,
}

/// A code reference to a string (step 5).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CodeReference {
    /// RVA of the instruction.
    pub rva: u32,
    /// Its address.
    pub address: u64,
    /// `module+0xrva`.
    pub location: String,
    /// How it refers to the string (`RipRelative`, `Absolute`, ...).
    pub kind: String,
    /// `module+0xrva` of the start of the function containing it (from `.pdata`).
    pub function: Option<String>,
    /// Start address of that function.
    pub function_address: Option<u64>,
    /// End address of that function (exclusive).
    pub function_end: Option<u64>,
}

/// Where the blocks' text lives in a module (step 5).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StringLocation {
    /// Module name as WinDbg shows it (`D4C`).
    pub module: String,
    /// Section name.
    pub section: String,
    /// RVA of the hit.
    pub rva: u32,
    /// Address of the hit.
    pub address: u64,
    /// `module+0xrva`.
    pub location: String,
    /// The whole NUL-terminated string there (as `da` shows it, escapes for control bytes).
    pub text: String,
    /// Code referencing it.
    pub references: Vec<CodeReference>,
}

/// Step 4 (and 5): what the blocks of one size class contain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Content {
    /// Heap address.
    pub heap: u64,
    /// Requested size.
    pub size: u64,
    /// Blocks whose start was readable and compared.
    pub sampled: u64,
    /// Printable ASCII prefix shared by every sample.
    pub ascii_prefix: Option<String>,
    /// Printable UTF-16LE prefix shared by every sample.
    pub utf16_prefix: Option<String>,
    /// Sampled blocks whose text has the reported prefix/pattern (at least half of them).
    pub matching: u64,
    /// Offset of that text in the blocks (0, or one pointer in, after a vtable).
    pub text_offset: u64,
    /// A printf-like pattern the matching samples' texts fit (`0x%x`, `%d` for varying
    /// numbers).
    pub pattern: Option<String>,
    /// The text of the first sample.
    pub example: Option<String>,
    /// User address of the first sample.
    pub example_address: Option<u64>,
    /// The first pointer into a module at the start of the blocks.
    pub pointer: Option<PointerHint>,
    /// Allocation stacks of the sampled blocks (`+ust` heaps and page heaps), most common
    /// first.
    pub allocation_stacks: Vec<AllocationStack>,
    /// The text searched in the modules, if any.
    pub searched: Option<String>,
    /// Where that text lives in the modules.
    pub locations: Vec<StringLocation>,
}

/// One allocation stack recorded by `+ust` (`HEAP_CAPTURE_STACK_BACKTRACES`) or by page heap
/// (gflags `/p`, Application Verifier), as in an unmanaged heap leak traced with gflags.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AllocationStack {
    /// What recorded it: `"+ust"` or `"page heap"`.
    pub recorded_by: &'static str,
    /// Sampled blocks allocated from this stack.
    pub count: u64,
    /// Frames, innermost first, as `module+0xrva` (or a hex address outside any module).
    pub frames: Vec<String>,
    /// Frame addresses.
    pub addresses: Vec<u64>,
    /// `module+0xrva` of the function holding the innermost frame (from `.pdata`).
    pub function: Option<String>,
}

/// Step 6: one busy thread.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BusyThread {
    /// WinDbg's thread number.
    pub index: u64,
    /// Thread id.
    pub id: u32,
    /// User time, 100-ns units.
    pub user_time: u64,
    /// Kernel time, 100-ns units.
    pub kernel_time: u64,
    /// Call sites of its stack, innermost first (best effort).
    pub frames: Vec<String>,
    /// Instruction addresses of those frames.
    pub frame_addresses: Vec<u64>,
}

/// Step 6: threads.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ThreadStep {
    /// The dump has thread times (ThreadInfoList).
    pub times_available: bool,
    /// Threads with the most kernel + user time, busiest first (all threads, without times).
    pub busiest: Vec<BusyThread>,
}

/// What a user-heap suspect is: busy blocks of one requested size in one heap.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeapSize {
    /// Heap address.
    pub heap: u64,
    /// Requested size.
    pub size: u64,
}

/// A ranked suspect (the shape the kernel leak shares): its busy blocks and their bytes.
pub type Suspect = crate::report::Suspect<HeapSize>;

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Architecture of the dump.
    pub arch: String,
    /// Pointer size of the dump.
    pub pointer_size: u64,
    /// Step 1.
    pub regions: RegionStep,
    /// Step 2, largest committed first.
    pub heaps: Vec<HeapGrowth>,
    /// The heap that grew the most, if any heap was walked.
    pub grown_heap: Option<u64>,
    /// Step 3, largest total first.
    pub sizes: Vec<SizeClass>,
    /// Steps 4 and 5, per analysed size class.
    pub contents: Vec<Content>,
    /// Step 6.
    pub threads: ThreadStep,
    /// Ranked suspects.
    pub suspects: Vec<Suspect>,
    /// What the dump lacks for a full answer.
    pub lacks: Vec<String>,
    /// Problems met on the way.
    pub notes: Vec<String>,
    /// One-paragraph answer.
    pub conclusion: String,
}

pub use crate::progress::Progress;

/// A loaded module: short name, base, size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mod {
    pub(super) name: String,
    pub(super) base: u64,
    pub(super) size: u64,
}

impl Mod {
    pub(super) fn contains(&self, a: u64) -> bool {
        a >= self.base && a.checked_sub(self.base).is_some_and(|o| o < self.size)
    }
    pub(super) fn at(&self, a: u64) -> String {
        crate::report::Location::in_module(&self.name, self.base, a).to_string()
    }
}

pub(super) fn dump_modules(u: &UserDump) -> Vec<Mod> {
    u.module_list()
        .iter()
        .map(|m| Mod {
            name: m.short_name().to_string(),
            base: m.base,
            size: m.size,
        })
        .collect()
}

/// The walk of an NT heap (segments, large blocks, free list, findings) or of a segment heap
/// (page segments, keys, findings), without its blocks.
#[derive(Debug)]
pub enum HeapWalked {
    /// An NT heap.
    Nt(Box<ntheap::HeapWalk>),
    /// A segment heap.
    Segment(Box<ntheap::SegmentHeapWalk>),
    /// A full page heap (at its handle): its blocks come from its busy tree, not a walk.
    FullPageHeap(u64),
}

impl HeapWalked {
    /// The heap's address.
    pub fn address(&self) -> u64 {
        match self {
            HeapWalked::Nt(w) => w.heap.address,
            HeapWalked::Segment(w) => w.heap.address,
            HeapWalked::FullPageHeap(a) => *a,
        }
    }
}

/// A heap walked once for the leak steps: the walk without its blocks, and what the steps
/// need from the blocks (counts by size, the first blocks of each size).
#[derive(Debug)]
pub struct Walked {
    /// The heap's address (a full page heap's handle).
    pub address: u64,
    /// The walk (no blocks kept).
    pub walk: HeapWalked,
    /// Pointer width of the heap (32 or 64).
    pub bits: u32,
    /// Busy user blocks by requested size.
    pub census: ntheap::report::SizeCensus,
    /// Whether any block other than a segment header block was walked.
    pub beyond_headers: bool,
    /// The first user blocks of each requested size, in walk order (see [`heaps::Samples`]).
    pub(crate) samples: heaps::Samples,
    /// Page heap: the normal heap of a root (light) or a full page heap's busy tree.
    pub(crate) page: heaps::PageSource,
}

/// Options of `leak` (and of `diff`, which shares its steps).
#[derive(Debug, Default)]
pub struct Options {
    /// Steps shown on stderr while they run (only when stderr is a terminal).
    pub progress: Progress,
    /// The symbol path, for the busy threads' stacks (images' `.pdata` and PDBs).
    pub locator: Option<std::sync::Arc<stackwalk::symsrv::SymbolLocator>>,
}

/// Runs the whole investigation.
pub fn investigate(u: &UserDump, options: &Options) -> Report {
    let progress = &options.progress;
    let dump: &dumpfile::Minidump = &u.dump;
    let mut lacks = Vec::new();
    let mut notes = Vec::new();
    let pointer_size = dump.arch().pointer_size();
    let modules = dump_modules(u);

    let (walked, heaps) = walk_heaps(u, progress, &mut notes, &mut |_, _| {});
    progress.step("classifying regions");
    let regions = region_step(u, &mut lacks);
    if heaps.is_empty() {
        lacks.push(
            "no process heap list: the PEB (ProcessHeaps) is not in the dump, so no heap can \
             be walked"
                .to_string(),
        );
    } else if walked.is_empty() {
        let all_missing = heaps.iter().all(|h| {
            h.error
                .as_deref()
                .is_some_and(|e| e.contains("not in the dump"))
        });
        if all_missing {
            lacks.push(
                "no heap pages captured: the heaps' memory is not in the dump (take a \
                 full-memory dump, e.g. procdump -ma)"
                    .to_string(),
            );
        } else {
            lacks.push("no heap could be walked (see the heap errors)".to_string());
        }
    }
    let sizes_empty = walked.iter().all(|w| w.census.is_empty());
    if !walked.is_empty() && sizes_empty {
        // Blocks beyond the segment headers: none means their pages were not captured.
        let beyond_headers = walked.iter().any(|w| w.beyond_headers);
        lacks.push(if beyond_headers {
            "no busy heap blocks: every walked block is free or internal".to_string()
        } else {
            "no busy heap block could be read: the heaps' segment pages are not in the dump \
             (only their headers are)"
                .to_string()
        });
    }
    let grown_heap = heaps
        .iter()
        .filter(|h| h.error.is_none())
        .max_by_key(|h| (h.footprint(), std::cmp::Reverse(h.address)))
        .map(|h| h.address);

    let sizes = size_step(&walked);
    let mut contents = Vec::new();
    for class in sizes.iter().take(CONTENT_CLASSES) {
        let Some(w) = walked.iter().find(|w| w.address == class.heap) else {
            continue;
        };
        progress.step(&format!("reading blocks of size {:#x}", class.size));
        let mut c = analyse_content(u, w, class, &modules);
        if let Some(p) = &mut c.pointer
            && p.same_in_all
        {
            p.references = pointer_references(dump, &modules, p.value, &mut notes);
        }
        if let Some((needle, wide)) = needle_of(&c) {
            c.locations = locate(dump, &modules, &needle, wide, progress, &mut notes);
            c.searched = Some(needle);
        }
        contents.push(c);
    }
    progress.step("walking thread stacks");
    let threads = thread_step(dump, options.locator.clone(), &mut lacks, &mut notes);
    progress.done();

    let mut suspects = rank(&sizes, &heaps, &contents, &threads, &modules, pointer_size);
    reachability_evidence(u, &heaps, &mut suspects, &mut notes, progress);
    let conclusion = conclude(
        &regions, &heaps, grown_heap, &suspects, &contents, &threads, &lacks,
    );
    Report {
        arch: dump.arch().name().to_string(),
        pointer_size: pointer_size as u64,
        regions,
        heaps,
        grown_heap,
        sizes: sizes.into_iter().take(LISTED_SIZES).collect(),
        contents,
        threads,
        suspects,
        lacks,
        notes,
        conclusion,
    }
}

/// Busy blocks up to which `leak` runs `!heap -l`'s mark (it holds every block, O(blocks)
/// memory, which the rest of `leak` does not).
const MAX_REACH_BLOCKS: u64 = 500_000;

/// `!heap -l` as evidence: how many of each suspect's blocks no root reaches (stacks,
/// registers, TEBs/PEB, module data, other reached blocks).
fn reachability_evidence(
    u: &UserDump,
    heaps: &[HeapGrowth],
    suspects: &mut [Suspect],
    notes: &mut Vec<String>,
    progress: &Progress,
) {
    if suspects.is_empty() {
        return;
    }
    let blocks = heaps.iter().fold(0u64, |a, h| {
        a.saturating_add(h.busy_blocks)
            .saturating_add(h.virtual_blocks)
    });
    if blocks > MAX_REACH_BLOCKS {
        notes.push(format!(
            "!heap -l reachability left out: {blocks} busy blocks (it runs up to {MAX_REACH_BLOCKS}; dumpscope heap --leaks runs it on any heap)"
        ));
        return;
    }
    progress.step("marking blocks reachable from the roots (!heap -l)");
    let r = crate::user::heapleaks::investigate(u);
    progress.done();
    for s in suspects.iter_mut() {
        let unreached = r
            .leaked
            .iter()
            .filter(|l| l.heap == s.what.heap && l.size == s.what.size)
            .count();
        if unreached > 0 {
            let verb = if unreached == 1 { "is" } else { "are" };
            s.evidence.push(format!(
                "{unreached} of them {verb} reached by no root (!heap -l: stacks, registers, TEBs and PEB, module data, other reached blocks)"
            ));
        } else if !r.stopped {
            s.evidence
                .push("every one of them is still referenced from a root (!heap -l)".to_string());
        }
    }
}
