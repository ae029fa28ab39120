//! `dumpscope leak`: the user-heap leak investigation of seed 000 (and the first half of seed 004)
//! automated, each step with its evidence:
//!
//! 1. which region usage dominates (`!address -summary`);
//! 2. which heap grew (`!heap -s`, including large `VirtualAllocdBlocks`);
//! 3. which requested sizes dominate (`!heap -stat`), by total bytes;
//! 4. what the blocks of the dominant sizes contain: shared ASCII/UTF-16 prefixes, printf-like
//!    patterns, a first pointer into a module (a vtable gives the class name through RTTI);
//! 5. where that text lives in a module (`s -a` over the modules' data sections) and which code
//!    references it (Ghidra's XREF), as `module+rva`;
//! 6. which threads are busy (`!runaway 7`) and what they run (`~*k`, best effort).
//!
//! The result is a ranked list of suspects with bytes, counts and evidence. A dump that lacks
//! what a step needs (no heap pages, no thread times, ...) gives a report that says so, never an
//! error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::cmd::{address, runaway, stacks};
use crate::fmt_util::{addr, human_size, runaway_time};
use crate::{CliError, open_dump, write_json};

/// Arguments of `dumpscope leak`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump (a full-memory dump, e.g. `procdump -ma`, gives the best answer).
    pub dump: PathBuf,
}

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
}

impl HeapGrowth {
    /// Committed bytes of the segments plus those of the large blocks: what the heap holds
    /// (seed 004: `!heap -s` commit misses gigabytes held in `VirtualAllocdBlocks`).
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
    /// Allocation stacks of the sampled blocks (`+ust` heaps only), most common first.
    pub allocation_stacks: Vec<AllocationStack>,
    /// The text searched in the modules, if any.
    pub searched: Option<String>,
    /// Where that text lives in the modules.
    pub locations: Vec<StringLocation>,
}

/// One allocation stack recorded by `+ust` (`HEAP_CAPTURE_STACK_BACKTRACES`), seed 004.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AllocationStack {
    /// Sampled blocks allocated from this stack.
    pub count: u64,
    /// Frames, innermost first, as `module+0xrva` (or a hex address outside any module).
    pub frames: Vec<String>,
    /// Frame addresses.
    pub addresses: Vec<u64>,
    /// `module+0xrva` of the function holding the innermost frame (from `.pdata`).
    pub function: Option<String>,
}

/// The start of the function (from the module's `.pdata`) holding `address`, as `module+0xrva`.
fn function_of(dump: &dumpfile::Minidump, modules: &[Mod], address: u64) -> Option<String> {
    let m = modules.iter().find(|m| m.contains(address))?;
    let mem = stacks::DumpMemory(dump);
    let image = pe_sections::PeImage::parse_mapped(&mem, m.base).ok()?;
    let table = image.runtime_functions().ok()?;
    let rva = u32::try_from(address.checked_sub(m.base)?).ok()?;
    let f = pe_sections::function_containing(&table, rva)?;
    Some(m.at(m.base.saturating_add(u64::from(f.begin()))))
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

/// A ranked suspect.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Suspect {
    /// Rank, from 1.
    pub rank: u64,
    /// Heap address.
    pub heap: u64,
    /// Requested size.
    pub size: u64,
    /// Busy blocks.
    pub count: u64,
    /// Bytes.
    pub bytes: u64,
    /// One line per piece of evidence.
    pub evidence: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LeakReport {
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

/// Progress on stderr, only when stderr is a terminal.
#[derive(Debug)]
pub struct Progress {
    /// Whether anything is shown.
    pub on: bool,
}

impl Progress {
    /// Progress shown when stderr is a terminal.
    pub fn new() -> Self {
        Self {
            on: std::io::stderr().is_terminal(),
        }
    }

    /// Shows one step.
    pub fn step(&self, what: &str) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[2K{what}");
        }
    }

    /// Clears the line.
    pub fn done(&self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// [`ntheap::ReadMemory`] over the dump.
#[derive(Debug, Clone, Copy)]
pub struct HeapMemory<'a>(pub &'a dumpfile::Minidump);

impl ntheap::ReadMemory for HeapMemory<'_> {
    fn read(&self, address: u64, buf: &mut [u8]) -> Result<(), ntheap::MemoryError> {
        self.0.memory().read(address, buf).map_err(|e| {
            if e.is_not_captured() {
                ntheap::MemoryError::not_captured(address, buf.len())
            } else {
                ntheap::MemoryError::failed(address, buf.len())
            }
        })
    }
}

/// A loaded module: short name, base, size.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mod {
    name: String,
    base: u64,
    size: u64,
}

impl Mod {
    fn contains(&self, a: u64) -> bool {
        a >= self.base && a.checked_sub(self.base).is_some_and(|o| o < self.size)
    }
    fn at(&self, a: u64) -> String {
        format!("{}+{:#x}", self.name, a.saturating_sub(self.base))
    }
}

fn dump_modules(dump: &dumpfile::Minidump) -> Vec<Mod> {
    dump.modules()
        .unwrap_or_default()
        .iter()
        .map(|m| Mod {
            name: dumpfile::module_short_name(&m.name).to_string(),
            base: m.base,
            size: m.size,
        })
        .collect()
}

/// A walked heap.
#[derive(Debug)]
pub struct Walked {
    /// The walk.
    pub walk: ntheap::HeapWalk,
    /// Pointer width of the heap (32 or 64).
    pub bits: u32,
}

fn percent_x100(part: u64, whole: u64) -> u64 {
    let p = u128::from(part)
        .saturating_mul(10_000)
        .checked_div(u128::from(whole))
        .unwrap_or(0);
    u64::try_from(p).unwrap_or(u64::MAX)
}

/// `1 segment`, `40 segments`.
fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn pct(x100: u64) -> String {
    format!("{}.{:02}%", x100 / 100, x100 % 100)
}

/// The heaps of the process: (address, width).
fn heap_list(
    dump: &dumpfile::Minidump,
    notes: &mut Vec<String>,
) -> Vec<(u64, ntheap::PointerWidth)> {
    let arch = dump.arch();
    let width = if arch.pointer_size() == 4 {
        ntheap::PointerWidth::Bits32
    } else {
        ntheap::PointerWidth::Bits64
    };
    let mut out: Vec<(u64, ntheap::PointerWidth)> = Vec::new();
    match dump.process() {
        Ok(p) => {
            for h in p.heaps() {
                let w = if h.peb32 {
                    ntheap::PointerWidth::Bits32
                } else {
                    width
                };
                out.push((h.address, w));
            }
        }
        Err(e) => notes.push(format!("process facts (PEB) unreadable: {e}")),
    }
    out
}

fn layout_choice(dump: &dumpfile::Minidump) -> ntheap::LayoutChoice {
    match dump.system_info() {
        Ok(Some(s)) => match ntheap::Release::from_version(s.major, s.minor, s.build) {
            Some(r) => ntheap::LayoutChoice::Prefer(r),
            None => ntheap::LayoutChoice::Auto,
        },
        _ => ntheap::LayoutChoice::Auto,
    }
}

/// Step 2: walks every heap of the process (64-bit and WOW64 32-bit ones).
pub fn walk_heaps(
    dump: &dumpfile::Minidump,
    progress: &Progress,
    notes: &mut Vec<String>,
) -> (Vec<Walked>, Vec<HeapGrowth>) {
    let mem = HeapMemory(dump);
    let list = heap_list(dump, notes);
    let choice = layout_choice(dump);
    let mut walked = Vec::new();
    let mut growth = Vec::new();
    let n = list.len();
    for (i, (address, width)) in list.into_iter().enumerate() {
        progress.step(&format!(
            "walking heap {}/{n} at {address:#x}",
            i.saturating_add(1)
        ));
        let bits = if width == ntheap::PointerWidth::Bits32 {
            32
        } else {
            64
        };
        match ntheap::Heap::open(&mem, address, width, choice.clone()) {
            Ok(heap) => {
                let walk = heap.walk(&mem);
                let s = ntheap::report::summary(&walk);
                let mut busy_blocks = 0u64;
                let mut busy_bytes = 0u64;
                for e in walk.all_entries() {
                    if ntheap::report::is_user_allocation(&walk, &e) {
                        busy_blocks = busy_blocks.saturating_add(1);
                        busy_bytes = busy_bytes.saturating_add(e.requested_size.unwrap_or(0));
                    }
                }
                growth.push(HeapGrowth {
                    address,
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
            Err(e) => growth.push(HeapGrowth {
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
                error: Some(e.to_string()),
            }),
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
pub fn region_step(
    dump: &dumpfile::Minidump,
    walked: &[Walked],
    lacks: &mut Vec<String>,
) -> RegionStep {
    let process = dump.process().ok();
    let (regions, source) = match address::regions(dump) {
        Ok(Some(r)) => (r, address::FROM_MEMORY_INFO),
        _ => {
            lacks.push(
                "no MemoryInfoList: region usage is estimated from the captured memory ranges"
                    .to_string(),
            );
            (
                address::captured_regions(dump, process.as_ref()),
                address::FROM_CAPTURED,
            )
        }
    };
    let mut owners = address::owners(dump, process.as_ref());
    for w in walked {
        for s in &w.walk.segments {
            owners
                .heaps
                .push((s.segment.base_address, s.segment.reserved_bytes()));
        }
        for v in &w.walk.virtual_blocks {
            owners.heaps.push((v.address, v.reserve_size));
        }
        owners.heaps.push((w.walk.heap.address, 1));
    }
    let usages = address::classify(&regions, &owners);
    let summary = address::summarize(&regions, &usages, source);
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
        source: source.to_string(),
        busy: summary.busy,
        usage,
        dominant,
    }
}

/// Step 3: size classes over all heaps.
pub fn size_step(walked: &[Walked]) -> Vec<SizeClass> {
    ntheap::report::stat_all(walked.iter().map(|w| &w.walk))
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

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

/// The printable text at the start of a buffer (ASCII), if at least `min` characters.
pub(crate) fn ascii_text(bytes: &[u8], min: usize) -> Option<String> {
    let n = bytes.iter().take_while(|b| printable(**b)).count();
    (n >= min).then(|| String::from_utf8_lossy(bytes.get(..n).unwrap_or_default()).into_owned())
}

/// The printable UTF-16LE text at the start of a buffer, if at least `min` characters.
pub(crate) fn utf16_text(bytes: &[u8], min: usize) -> Option<String> {
    let mut s = String::new();
    for pair in bytes.chunks_exact(2) {
        let (Some(lo), Some(hi)) = (pair.first(), pair.get(1)) else {
            break;
        };
        if *hi != 0 || !printable(*lo) {
            break;
        }
        s.push(char::from(*lo));
    }
    (s.chars().count() >= min).then_some(s)
}

fn common_prefix<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut it = items.into_iter();
    let mut prefix: String = it.next()?.to_string();
    for s in it {
        let n = prefix
            .bytes()
            .zip(s.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        prefix.truncate(n);
    }
    Some(prefix)
}

/// Replaces numbers by printf placeholders: hex digits after `0x` by `%x`, decimal runs by `%d`.
pub fn generalize(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        let next = b.get(i.saturating_add(1)).copied();
        if c == b'0' && matches!(next, Some(b'x' | b'X')) {
            let start = i.saturating_add(2);
            let n = b
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|x| x.is_ascii_hexdigit())
                .count();
            if n > 0 {
                out.push_str("0x%x");
                i = start.saturating_add(n);
                continue;
            }
        }
        if c.is_ascii_digit() {
            let n = b
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|x| x.is_ascii_digit())
                .count();
            out.push_str("%d");
            i = i.saturating_add(n.max(1));
            continue;
        }
        out.push(char::from(c));
        i = i.saturating_add(1);
    }
    out
}

/// The printf-like pattern all texts fit, when they differ only in numbers (at least two
/// samples, not all the same text).
fn shared_pattern(texts: &[&str]) -> Option<String> {
    let first_text = texts.first()?;
    if texts.len() < 2 || texts.iter().all(|t| t == first_text) {
        return None;
    }
    let first = generalize(first_text);
    (first.contains('%') && first.len() >= 4 && texts.iter().all(|t| generalize(t) == first))
        .then_some(first)
}

/// The texts of the largest group of samples sharing one printf-like shape.
#[derive(Debug)]
struct DominantText {
    prefix: Option<String>,
    pattern: Option<String>,
    example: String,
    matching: u64,
}

/// Groups sample texts by [`generalize`]d shape and describes the largest group, when it holds
/// at least half of `total` samples.
fn dominant_text(texts: Vec<Option<String>>, total: usize) -> Option<DominantText> {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for t in texts.into_iter().flatten() {
        groups.entry(generalize(&t)).or_default().push(t);
    }
    let (_, best) = groups
        .into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(&a.0)))?;
    if best.len().saturating_mul(2) < total {
        return None;
    }
    let refs: Vec<&str> = best.iter().map(String::as_str).collect();
    Some(DominantText {
        prefix: common_prefix(refs.iter().copied()).filter(|p| p.len() >= 4),
        pattern: shared_pattern(&refs),
        example: best.first()?.clone(),
        matching: best.len() as u64,
    })
}

/// The literal text before the first placeholder of a pattern.
fn literal_prefix(pattern: &str) -> &str {
    match pattern.find('%') {
        Some(i) => pattern.get(..i).unwrap_or(pattern),
        None => pattern,
    }
}

/// The class of a vtable through MSVC RTTI (`vtable[-1]` → complete object locator → type
/// descriptor name), when present.
fn rtti_class(dump: &dumpfile::Minidump, vtable: u64, ptr: usize, module: &Mod) -> Option<String> {
    let mem = pe_sections::FnMemory::new(|a, buf| {
        dump.memory().read(a, buf).map_err(|e| {
            if e.is_not_captured() {
                pe_sections::MemoryError::not_captured(a, buf.len())
            } else {
                pe_sections::MemoryError::failed(a, buf.len())
            }
        })
    });
    let width = if ptr == 8 {
        pe_sections::PointerWidth::Bits64
    } else {
        pe_sections::PointerWidth::Bits32
    };
    pe_sections::rtti_class_at(&mem, module.base, module.size, vtable, width)
        .ok()
        .flatten()
        .map(|c| c.name)
}

/// Escapes control bytes as `da` would need them to stay on one line.
fn escape(text: &[u8]) -> String {
    let mut s = String::new();
    for &b in text {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// Step 4: what the blocks of one size class contain.
fn analyse_content(
    dump: &dumpfile::Minidump,
    w: &Walked,
    class: &SizeClass,
    modules: &[Mod],
) -> Content {
    let ptr: usize = if w.bits == 32 { 4 } else { 8 };
    let mut samples: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut stacks: Vec<(Vec<u64>, u64)> = Vec::new();
    let hmem = HeapMemory(dump);
    let len = class.size.min(SAMPLE_BYTES);
    let len = usize::try_from(len).unwrap_or(0);
    for e in w.walk.all_entries() {
        if samples.len() >= SAMPLES {
            break;
        }
        if e.requested_size != Some(class.size) || !ntheap::report::is_user_allocation(&w.walk, &e)
        {
            continue;
        }
        let mut buf = vec![0u8; len];
        if dump.memory().read(e.user_address, &mut buf).is_ok() {
            samples.push((e.user_address, buf));
        }
        if let Ok(Some(frames)) = w.walk.heap.stack_trace(&hmem, &e) {
            match stacks.iter_mut().find(|(f, _)| *f == frames) {
                Some(slot) => slot.1 = slot.1.saturating_add(1),
                None => stacks.push((frames, 1)),
            }
        }
    }
    let mut content = Content {
        heap: class.heap,
        size: class.size,
        sampled: samples.len() as u64,
        ascii_prefix: None,
        utf16_prefix: None,
        matching: 0,
        text_offset: 0,
        pattern: None,
        example: None,
        example_address: samples.first().map(|s| s.0),
        pointer: None,
        allocation_stacks: Vec::new(),
        searched: None,
        locations: Vec::new(),
    };
    stacks.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    content.allocation_stacks = stacks
        .into_iter()
        .take(3)
        .map(|(frames, count)| AllocationStack {
            count,
            frames: frames
                .iter()
                .map(|a| match modules.iter().find(|m| m.contains(*a)) {
                    Some(m) => m.at(*a),
                    None => format!("{a:#x}"),
                })
                .collect(),
            function: frames.first().and_then(|a| function_of(dump, modules, *a)),
            addresses: frames,
        })
        .collect();
    if samples.is_empty() {
        return content;
    }
    // Text: the largest group of samples whose text has the same printf-like shape, when it
    // holds at least half of the samples (a few odd blocks do not hide the pattern).
    let total = samples.len();
    // At the start of the block, else after a first pointer (a C++ object's vtable).
    for offset in [0usize, ptr] {
        let at = |b: &[u8]| b.get(offset..).unwrap_or_default().to_vec();
        let ascii = dominant_text(
            samples.iter().map(|(_, b)| ascii_text(&at(b), 4)).collect(),
            total,
        );
        let text = match ascii {
            Some(t) => {
                content.ascii_prefix = t.prefix.clone();
                Some(t)
            }
            None => {
                let wide = dominant_text(
                    samples.iter().map(|(_, b)| utf16_text(&at(b), 4)).collect(),
                    total,
                );
                if let Some(t) = &wide {
                    content.utf16_prefix = t.prefix.clone();
                }
                wide
            }
        };
        if let Some(t) = text {
            content.example_address = samples
                .iter()
                .find(|(_, b)| {
                    ascii_text(&at(b), 4).as_deref() == Some(t.example.as_str())
                        || utf16_text(&at(b), 4).as_deref() == Some(t.example.as_str())
                })
                .map(|s| s.0.saturating_add(offset as u64));
            content.pattern = t.pattern;
            content.example = Some(t.example);
            content.matching = t.matching;
            content.text_offset = offset as u64;
            break;
        }
    }
    // First pointer into a module.
    let words = len.checked_div(ptr).unwrap_or(0).min(8);
    'outer: for i in 0..words {
        let off = i.saturating_mul(ptr);
        let value_of = |b: &[u8]| -> Option<u64> {
            let bytes = b.get(off..off.checked_add(ptr)?)?;
            let mut v = [0u8; 8];
            v.get_mut(..ptr)?.copy_from_slice(bytes);
            Some(u64::from_le_bytes(v))
        };
        let Some(first) = samples.first().and_then(|(_, b)| value_of(b)) else {
            continue;
        };
        for m in modules {
            if m.contains(first) {
                let same = samples.iter().all(|(_, b)| value_of(b) == Some(first));
                let class_name = if off == 0 {
                    rtti_class(dump, first, ptr, m)
                } else {
                    None
                };
                content.pointer = Some(PointerHint {
                    offset: off as u64,
                    value: first,
                    location: m.at(first),
                    same_in_all: same,
                    class: class_name,
                    references: Vec::new(),
                });
                break 'outer;
            }
        }
    }
    content
}

/// The needle to search: the pattern's literal prefix, else the common prefix without a
/// trailing number.
fn needle_of(c: &Content) -> Option<(String, bool)> {
    let (prefix, wide) = match (&c.ascii_prefix, &c.utf16_prefix) {
        (Some(p), _) => (p.clone(), false),
        (None, Some(p)) => (p.clone(), true),
        (None, None) => return None,
    };
    let mut n = match &c.pattern {
        Some(p) => {
            let lit = literal_prefix(p);
            if prefix.starts_with(lit) {
                lit.to_string()
            } else {
                prefix
            }
        }
        None => prefix
            .trim_end_matches(|ch: char| ch.is_ascii_digit())
            .to_string(),
    };
    if n.len() > MAX_NEEDLE {
        let mut cut = MAX_NEEDLE;
        while !n.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        n.truncate(cut);
    }
    (n.len() >= MIN_NEEDLE).then_some((n, wide))
}

/// The code of module `m` referring to `rva`, with the functions holding it.
fn references_to(
    image: &pe_sections::PeImage<'_>,
    m: &Mod,
    functions: &[pe_sections::RuntimeFunction],
    rva: u32,
    notes: &mut Vec<String>,
) -> Vec<CodeReference> {
    match image.code_references(rva) {
        Ok(refs) => refs
            .into_iter()
            .take(MAX_REFS)
            .map(|r| {
                let f = pe_sections::function_containing(functions, r.rva);
                let a = m.base.saturating_add(u64::from(r.rva));
                CodeReference {
                    rva: r.rva,
                    address: a,
                    location: m.at(a),
                    kind: format!("{:?}", r.kind),
                    function: f.map(|f| m.at(m.base.saturating_add(u64::from(f.begin())))),
                    function_address: f.map(|f| m.base.saturating_add(u64::from(f.begin()))),
                    function_end: f
                        .and_then(|f| f.end().map(|e| m.base.saturating_add(u64::from(e)))),
                }
            })
            .collect(),
        Err(e) => {
            notes.push(format!("{}: code references: {e}", m.name));
            Vec::new()
        }
    }
}

/// The code referring to the pointer the blocks start with (for a vtable: the constructors
/// that store it).
fn pointer_references(
    dump: &dumpfile::Minidump,
    modules: &[Mod],
    value: u64,
    notes: &mut Vec<String>,
) -> Vec<CodeReference> {
    let Some(m) = modules.iter().find(|m| m.contains(value)) else {
        return Vec::new();
    };
    let mem = stacks::DumpMemory(dump);
    let Ok(image) = pe_sections::PeImage::parse_mapped(&mem, m.base) else {
        return Vec::new();
    };
    let Ok(rva) = u32::try_from(value.saturating_sub(m.base)) else {
        return Vec::new();
    };
    let functions = image.runtime_functions().unwrap_or_default();
    references_to(&image, m, &functions, rva, notes)
}

/// Step 5: where the text lives in the modules and which code references it.
fn locate(
    dump: &dumpfile::Minidump,
    modules: &[Mod],
    needle: &str,
    wide: bool,
    progress: &Progress,
    notes: &mut Vec<String>,
) -> Vec<StringLocation> {
    let mem = stacks::DumpMemory(dump);
    let pattern = if wide {
        pe_sections::Pattern::Utf16(needle.to_string())
    } else {
        pe_sections::Pattern::Ascii(needle.to_string())
    };
    let mut out = Vec::new();
    let n = modules.len();
    for (i, m) in modules.iter().enumerate() {
        if out.len() >= MAX_HITS {
            break;
        }
        progress.step(&format!(
            "searching module {}/{n} {} for \"{needle}\"",
            i.saturating_add(1),
            m.name
        ));
        let Ok(image) = pe_sections::PeImage::parse_mapped(&mem, m.base) else {
            continue;
        };
        let data_sections: Vec<pe_sections::SectionHeader> = image
            .sections()
            .iter()
            .filter(|s| {
                let f = s.characteristics;
                f.contains(pe_sections::SectionFlags::CNT_INITIALIZED_DATA)
                    && !f.contains(pe_sections::SectionFlags::MEM_EXECUTE)
            })
            .cloned()
            .collect();
        let functions = image.runtime_functions().unwrap_or_default();
        for s in &data_sections {
            let (start, end) = image.section_extent(s);
            let hits = match image.search_rva(&pattern, start, u64::from(end.saturating_sub(start)))
            {
                Ok(h) => h,
                Err(e) => {
                    notes.push(format!("{}: searching {}: {e}", m.name, s.name()));
                    continue;
                }
            };
            for rva in hits.into_iter().take(MAX_HITS.saturating_sub(out.len())) {
                let text = if wide {
                    image
                        .read_wstr_rva(rva, 512)
                        .map(|w| String::from_utf16_lossy(&w))
                        .unwrap_or_default()
                } else {
                    image
                        .read_cstr_rva(rva, 512)
                        .map(|b| escape(&b))
                        .unwrap_or_default()
                };
                let references = references_to(&image, m, &functions, rva, notes);
                let a = m.base.saturating_add(u64::from(rva));
                out.push(StringLocation {
                    module: m.name.clone(),
                    section: s.name(),
                    rva,
                    address: a,
                    location: m.at(a),
                    text,
                    references,
                });
            }
        }
    }
    out
}

/// Step 6: busy threads and their stacks.
fn thread_step(
    dump: &dumpfile::Minidump,
    lacks: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> ThreadStep {
    let times = match runaway::compute(dump) {
        Ok(t) => t,
        Err(e) => {
            notes.push(format!("thread times unreadable: {e}"));
            None
        }
    };
    let mut busiest: Vec<BusyThread> = match &times {
        Some(r) => {
            let mut rows = r.user.clone();
            rows.sort_by(|a, b| {
                let ta = a.kernel_time.saturating_add(a.user_time);
                let tb = b.kernel_time.saturating_add(b.user_time);
                tb.cmp(&ta).then(a.index.cmp(&b.index))
            });
            rows.into_iter()
                .filter(|t| t.kernel_time.saturating_add(t.user_time) > 0)
                .take(BUSY_THREADS)
                .map(|t| BusyThread {
                    index: t.index as u64,
                    id: t.id,
                    user_time: t.user_time,
                    kernel_time: t.kernel_time,
                    frames: Vec::new(),
                    frame_addresses: Vec::new(),
                })
                .collect()
        }
        None => {
            lacks.push(
                "no ThreadInfoList: thread times are unknown, so busy threads cannot be told \
                 apart (write the dump with MiniDumpWithThreadInfo, e.g. procdump -ma)"
                    .to_string(),
            );
            dump.threads()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .take(BUSY_THREADS)
                .map(|(i, t)| BusyThread {
                    index: i as u64,
                    id: t.id,
                    user_time: 0,
                    kernel_time: 0,
                    frames: Vec::new(),
                    frame_addresses: Vec::new(),
                })
                .collect()
        }
    };
    if busiest.is_empty() {
        return ThreadStep {
            times_available: times.is_some(),
            busiest,
        };
    }
    match stacks::thread_stacks(dump, &stacks::StackOptions::default(), None) {
        Ok(report) => {
            for b in &mut busiest {
                if let Some(t) = report.threads.iter().find(|t| t.id == b.id) {
                    for f in t.frames.iter().take(FRAMES) {
                        b.frames.push(f.call_site.clone());
                        b.frame_addresses.push(f.instruction);
                    }
                }
            }
        }
        Err(e) => notes.push(format!("stacks: {e}")),
    }
    ThreadStep {
        times_available: times.is_some(),
        busiest,
    }
}

/// Runs the whole investigation on an open dump.
pub fn investigate(dump: &dumpfile::Minidump, progress: &Progress) -> LeakReport {
    let mut lacks = Vec::new();
    let mut notes = Vec::new();
    let pointer_size = dump.arch().pointer_size();
    let modules = dump_modules(dump);

    let (walked, heaps) = walk_heaps(dump, progress, &mut notes);
    progress.step("classifying regions");
    let regions = region_step(dump, &walked, &mut lacks);
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
    let sizes_empty = walked.iter().all(|w| {
        !w.walk
            .all_entries()
            .any(|e| ntheap::report::is_user_allocation(&w.walk, &e))
    });
    if !walked.is_empty() && sizes_empty {
        // Blocks beyond the segment headers: none means their pages were not captured.
        let beyond_headers = walked.iter().any(|w| {
            w.walk.all_entries().any(|e| {
                !w.walk
                    .segments
                    .iter()
                    .any(|s| s.segment.address == e.address)
            })
        });
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
        let Some(w) = walked.iter().find(|w| w.walk.heap.address == class.heap) else {
            continue;
        };
        progress.step(&format!("reading blocks of size {:#x}", class.size));
        let mut c = analyse_content(dump, w, class, &modules);
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
    let threads = thread_step(dump, &mut lacks, &mut notes);
    progress.done();

    let suspects = rank(&sizes, &heaps, &contents, &threads, &modules, pointer_size);
    let conclusion = conclude(
        &regions, &heaps, grown_heap, &suspects, &contents, &threads, &lacks,
    );
    LeakReport {
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

fn thread_label(t: &BusyThread) -> String {
    format!("thread {} (id {:x})", t.index, t.id)
}

/// The busy threads running inside a function (start, end).
fn threads_in(threads: &ThreadStep, start: u64, end: Option<u64>) -> Vec<(&BusyThread, u64)> {
    let mut out = Vec::new();
    for t in &threads.busiest {
        if let Some(a) = t
            .frame_addresses
            .iter()
            .find(|a| **a >= start && end.is_none_or(|e| **a < e))
        {
            out.push((t, *a));
        }
    }
    out
}

fn rank(
    sizes: &[SizeClass],
    heaps: &[HeapGrowth],
    contents: &[Content],
    threads: &ThreadStep,
    modules: &[Mod],
    pointer_size: usize,
) -> Vec<Suspect> {
    let mut out = Vec::new();
    for (i, s) in sizes.iter().take(CONTENT_CLASSES).enumerate() {
        if s.percent_x100 < 500 && i > 0 {
            continue;
        }
        let mut evidence = vec![format!(
            "{} busy blocks of requested size {:#x} = {:#x} bytes ({}), {} of all busy heap bytes",
            s.count,
            s.size,
            s.total,
            human_size(s.total),
            pct(s.percent_x100)
        )];
        if s.virtual_blocks > 0 {
            evidence.push(format!(
                "{} of them are large blocks on VirtualAllocdBlocks",
                s.virtual_blocks
            ));
        }
        if let Some(h) = heaps.iter().find(|h| h.address == s.heap) {
            evidence.push(format!(
                "in heap {} ({}, {} committed, {})",
                addr(h.address, pointer_size),
                count(h.segments, "segment"),
                human_size(h.committed),
                count(h.virtual_blocks, "large block")
            ));
        }
        if let Some(c) = contents
            .iter()
            .find(|c| c.heap == s.heap && c.size == s.size)
        {
            if let Some(p) = &c.pattern {
                evidence.push(format!(
                    "their text fits \"{p}\" ({} of {} sampled blocks)",
                    c.matching, c.sampled
                ));
            } else if let Some(p) = c.ascii_prefix.as_ref().or(c.utf16_prefix.as_ref()) {
                evidence.push(format!(
                    "they start with \"{p}\" ({} of {} sampled blocks)",
                    c.matching, c.sampled
                ));
            }
            if let Some(e) = &c.example {
                evidence.push(format!(
                    "e.g. at {}: \"{e}\"",
                    addr(c.example_address.unwrap_or(0), pointer_size)
                ));
            }
            for st in c.allocation_stacks.iter().take(1) {
                evidence.push(format!(
                    "allocated from {}{} ({} of {} sampled blocks, +ust)",
                    st.frames.join(" <- "),
                    st.function
                        .as_ref()
                        .map(|f| format!(" (in function {f})"))
                        .unwrap_or_default(),
                    st.count,
                    c.sampled
                ));
            }
            if let Some(p) = &c.pointer {
                let what = match &p.class {
                    Some(cls) => format!("the vtable of class {cls} at"),
                    None => "a pointer into".to_string(),
                };
                evidence.push(format!(
                    "offset {:#x} holds {what} {} ({}){}",
                    p.offset,
                    p.location,
                    addr(p.value, pointer_size),
                    if p.same_in_all {
                        ", the same in every sample"
                    } else {
                        ""
                    }
                ));
                for r in &p.references {
                    evidence.push(format!(
                        "that pointer is stored by code at {} ({}){}",
                        r.location,
                        r.kind,
                        r.function
                            .as_ref()
                            .map(|f| format!(" in function {f}"))
                            .unwrap_or_default()
                    ));
                }
            }
            for l in &c.locations {
                evidence.push(format!(
                    "that text is \"{}\" at {} ({}, {})",
                    l.text,
                    l.location,
                    l.section,
                    addr(l.address, pointer_size)
                ));
                for r in &l.references {
                    let f = r
                        .function
                        .as_ref()
                        .map(|f| format!(" in function {f}"))
                        .unwrap_or_default();
                    evidence.push(format!(
                        "referenced by code at {} ({}){f}",
                        r.location, r.kind
                    ));
                    if let Some(start) = r.function_address {
                        for (t, a) in threads_in(threads, start, r.function_end) {
                            let m = modules
                                .iter()
                                .find(|m| m.contains(a))
                                .map(|m| m.at(a))
                                .unwrap_or_else(|| addr(a, pointer_size));
                            evidence.push(format!(
                                "{} is running that function (frame {m})",
                                thread_label(t)
                            ));
                        }
                    }
                }
            }
        }
        out.push(Suspect {
            rank: 0,
            heap: s.heap,
            size: s.size,
            count: s.count,
            bytes: s.total,
            evidence,
        });
    }
    for (i, s) in out.iter_mut().enumerate() {
        s.rank = (i as u64).saturating_add(1);
    }
    out
}

fn conclude(
    regions: &RegionStep,
    heaps: &[HeapGrowth],
    grown: Option<u64>,
    suspects: &[Suspect],
    contents: &[Content],
    threads: &ThreadStep,
    lacks: &[String],
) -> String {
    let mut parts = Vec::new();
    if let Some(d) = &regions.dominant {
        let share = regions
            .usage
            .first()
            .map(|r| pct(r.percent_of_busy_x100))
            .unwrap_or_default();
        parts.push(format!("{d} dominates the busy address space ({share})."));
    }
    if let Some(h) = grown.and_then(|g| heaps.iter().find(|h| h.address == g)) {
        let large = if h.virtual_blocks > 0 {
            format!(
                " and {} large VirtualAllocdBlocks blocks ({})",
                h.virtual_blocks,
                human_size(h.virtual_block_bytes)
            )
        } else {
            String::new()
        };
        parts.push(format!(
            "The largest heap is {:#x}: {} segment{} ({} committed){large}.",
            h.address,
            h.segments,
            if h.segments == 1 { "" } else { "s" },
            human_size(h.committed)
        ));
    }
    if let Some(s) = suspects.first() {
        parts.push(format!(
            "Top suspect: {} blocks of requested size {:#x} ({}).",
            s.count,
            s.size,
            human_size(s.bytes)
        ));
        if let Some(c) = contents
            .iter()
            .find(|c| c.heap == s.heap && c.size == s.size)
        {
            if let Some(p) = c
                .pattern
                .as_ref()
                .or(c.ascii_prefix.as_ref())
                .or(c.utf16_prefix.as_ref())
            {
                parts.push(format!("They hold \"{p}\"."));
            }
            if let Some(st) = c.allocation_stacks.first()
                && let Some(f) = st.frames.first()
            {
                parts.push(format!("They are allocated from {f}."));
            }
            for l in c.locations.iter().take(1) {
                parts.push(format!("The text is \"{}\" at {}.", l.text, l.location));
                let refs: Vec<String> = l.references.iter().map(|r| r.location.clone()).collect();
                if !refs.is_empty() {
                    parts.push(format!("Code at {} references it.", refs.join(", ")));
                }
            }
            if let Some(p) = &c.pointer
                && let Some(cls) = &p.class
            {
                parts.push(format!("They are objects of class {cls}."));
            }
        }
    }
    if threads.times_available
        && let Some(t) = threads.busiest.first()
    {
        let kernel_heavy = t.kernel_time >= t.user_time;
        parts.push(format!(
            "The busiest thread is {}: {} time {}{}.",
            thread_label(t),
            if kernel_heavy { "kernel" } else { "user" },
            runaway_time(if kernel_heavy {
                t.kernel_time
            } else {
                t.user_time
            }),
            t.frames
                .first()
                .map(|f| format!(", at {f}"))
                .unwrap_or_default()
        ));
    }
    if parts.is_empty() || suspects.is_empty() {
        if let Some(l) = lacks.iter().find(|l| l.contains("heap")).or(lacks.first()) {
            parts.push(format!("No heap suspect: {l}."));
        } else {
            parts.push("No heap suspect: no busy heap blocks were found.".to_string());
        }
    }
    parts.join(" ")
}

/// Writes the report as text.
pub fn write_text(r: &LeakReport, out: &mut dyn Write) -> std::io::Result<()> {
    let ps = usize::try_from(r.pointer_size).unwrap_or(8);
    writeln!(out, "Leak investigation ({}, seed 000 steps)", r.arch)?;
    writeln!(out)?;
    writeln!(
        out,
        "Step 1. Region usage (!address -summary, from {})",
        r.regions.source
    )?;
    for u in &r.regions.usage {
        writeln!(
            out,
            "  {:<16} {:>6} regions {:>14} ({:>12}) {:>8} of busy",
            u.name,
            u.count,
            format!("{:#x}", u.size),
            human_size(u.size),
            pct(u.percent_of_busy_x100)
        )?;
    }
    if let Some(d) = &r.regions.dominant {
        writeln!(out, "  -> {d} dominates")?;
    }
    writeln!(out)?;
    writeln!(out, "Step 2. Heaps (!heap -s)")?;
    if r.heaps.is_empty() {
        writeln!(out, "  no heaps listed in the PEB")?;
    }
    if r.heaps.iter().any(|h| h.error.is_none()) {
        let w = if ps == 4 { 8 } else { 17 };
        writeln!(
            out,
            "  {:<w$}  Segments      Reserved     Committed  Busy blocks  Large blocks",
            "Heap"
        )?;
    }
    for h in &r.heaps {
        match &h.error {
            Some(e) => writeln!(out, "  {}  not walked: {e}", addr(h.address, ps))?,
            None => writeln!(
                out,
                "  {}  {:>8}  {:>12}  {:>12}  {:>11}  {:>4} ({}){}",
                addr(h.address, ps),
                h.segments,
                human_size(h.reserved),
                human_size(h.committed),
                h.busy_blocks,
                h.virtual_blocks,
                human_size(h.virtual_block_bytes),
                if h.corruption > 0 {
                    format!("  {} corruption findings", h.corruption)
                } else {
                    String::new()
                }
            )?,
        }
    }
    if let Some(h) = r
        .grown_heap
        .and_then(|g| r.heaps.iter().find(|h| h.address == g))
    {
        writeln!(
            out,
            "  -> heap {} is the largest: {} segment{}, {} committed{}",
            addr(h.address, ps),
            h.segments,
            if h.segments == 1 { "" } else { "s" },
            human_size(h.committed),
            if h.virtual_blocks > 0 {
                format!(" + {} in large blocks", human_size(h.virtual_block_bytes))
            } else {
                String::new()
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Step 3. Requested sizes (!heap -stat), by total bytes")?;
    if r.sizes.is_empty() {
        writeln!(out, "  no busy heap blocks")?;
    }
    for s in &r.sizes {
        writeln!(
            out,
            "  heap {}  size {:>8}  x {:>7}  = {:>10} ({:>12}) {:>7}{}",
            addr(s.heap, ps),
            format!("{:#x}", s.size),
            s.count,
            format!("{:#x}", s.total),
            human_size(s.total),
            pct(s.percent_x100),
            if s.virtual_blocks > 0 {
                format!("  ({} VirtualAllocdBlocks)", s.virtual_blocks)
            } else {
                String::new()
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Step 4. Block contents (db of sampled blocks)")?;
    if r.contents.is_empty() {
        writeln!(out, "  nothing to read")?;
    }
    for c in &r.contents {
        writeln!(
            out,
            "  size {:#x} in heap {}: {} sampled",
            c.size,
            addr(c.heap, ps),
            count(c.sampled, "block")
        )?;
        if let Some(p) = &c.ascii_prefix {
            writeln!(out, "    common ASCII prefix:  \"{p}\"")?;
        }
        if let Some(p) = &c.utf16_prefix {
            writeln!(out, "    common UTF-16 prefix: \"{p}\"")?;
        }
        if let Some(p) = &c.pattern {
            writeln!(out, "    printf-like pattern:  \"{p}\"")?;
        }
        if c.matching > 0 {
            writeln!(
                out,
                "    shared by {} of {} sampled blocks",
                c.matching, c.sampled
            )?;
        }
        if let Some(e) = &c.example {
            writeln!(
                out,
                "    example at {}: \"{e}\"",
                addr(c.example_address.unwrap_or(0), ps)
            )?;
        }
        if let Some(p) = &c.pointer {
            writeln!(
                out,
                "    pointer at +{:#x}: {} = {}{}{}",
                p.offset,
                addr(p.value, ps),
                p.location,
                p.class
                    .as_ref()
                    .map(|c| format!(" (vtable of {c})"))
                    .unwrap_or_default(),
                if p.same_in_all {
                    ", same in every sample"
                } else {
                    ""
                }
            )?;
        }
        if let Some(p) = &c.pointer {
            for x in &p.references {
                writeln!(
                    out,
                    "      stored by {} ({}){}",
                    x.location,
                    x.kind,
                    x.function
                        .as_ref()
                        .map(|f| format!(" in function {f}"))
                        .unwrap_or_default()
                )?;
            }
        }
        for st in &c.allocation_stacks {
            writeln!(
                out,
                "    allocated from (+ust, {} of {} sampled): {}",
                st.count,
                c.sampled,
                st.frames.join(" <- ")
            )?;
        }
        if c.ascii_prefix.is_none()
            && c.utf16_prefix.is_none()
            && c.pointer.is_none()
            && c.sampled > 0
        {
            writeln!(out, "    no shared text or module pointer")?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Step 5. Where the text lives (s -a over module data sections, xref)"
    )?;
    let mut any = false;
    for c in &r.contents {
        let Some(n) = &c.searched else { continue };
        any = true;
        if c.locations.is_empty() {
            writeln!(out, "  \"{n}\": not found in any module")?;
        }
        for l in &c.locations {
            writeln!(
                out,
                "  \"{n}\" found at {} ({}, {}): \"{}\"",
                l.location,
                l.section,
                addr(l.address, ps),
                l.text
            )?;
            if l.references.is_empty() {
                writeln!(out, "    no code reference found")?;
            }
            for x in &l.references {
                writeln!(
                    out,
                    "    referenced by {} ({}){}",
                    x.location,
                    x.kind,
                    x.function
                        .as_ref()
                        .map(|f| format!(" in function {f}"))
                        .unwrap_or_default()
                )?;
            }
        }
    }
    if !any {
        writeln!(out, "  no shared text to search")?;
    }
    writeln!(out)?;
    writeln!(out, "Step 6. Threads (!runaway 7, ~*k)")?;
    if !r.threads.times_available {
        writeln!(out, "  no thread times in the dump (no ThreadInfoList)")?;
    }
    for t in &r.threads.busiest {
        if r.threads.times_available {
            writeln!(
                out,
                "  {}: kernel {}, user {}",
                thread_label(t),
                runaway_time(t.kernel_time),
                runaway_time(t.user_time)
            )?;
        } else {
            writeln!(out, "  {}", thread_label(t))?;
        }
        for (i, f) in t.frames.iter().enumerate() {
            writeln!(out, "    {i:02} {f}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Suspects")?;
    if r.suspects.is_empty() {
        writeln!(out, "  none")?;
    }
    for s in &r.suspects {
        writeln!(
            out,
            "  #{} heap {} size {:#x}: {} blocks, {:#x} bytes ({})",
            s.rank,
            addr(s.heap, ps),
            s.size,
            s.count,
            s.bytes,
            human_size(s.bytes)
        )?;
        for e in &s.evidence {
            writeln!(out, "     - {e}")?;
        }
    }
    if !r.lacks.is_empty() {
        writeln!(out)?;
        writeln!(out, "What the dump lacks")?;
        for l in &r.lacks {
            writeln!(out, "  - {l}")?;
        }
    }
    if !r.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "Notes")?;
        for n in &r.notes {
            writeln!(out, "  - {n}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Conclusion: {}", r.conclusion)?;
    Ok(())
}

/// Runs `dumpscope leak`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let dump = open_dump(&args.dump)?;
    let report = investigate(&dump, &Progress::new());
    if args.json {
        write_json(out, &report)
    } else {
        Ok(write_text(&report, out)?)
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn generalizes_numbers() {
        assert_eq!(
            generalize("==> Allocated addr: 0x1f1ae5c0"),
            "==> Allocated addr: 0x%x"
        );
        assert_eq!(generalize("Count: 12 of 0xAB"), "Count: %d of 0x%x");
        assert_eq!(
            literal_prefix("==> Allocated addr: 0x%x"),
            "==> Allocated addr: 0x"
        );
    }

    #[test]
    fn rtti_names_the_class_of_a_vtable() {
        use dumpfile::synth::{SynthArch, SynthDump, SynthModule};
        let base = 0x1_4000_0000u64;
        let mut image = vec![0u8; 0x3000];
        let col = 0x1000usize;
        let td = 0x1100usize;
        let vtable = 0x2000usize;
        image[col..col + 4].copy_from_slice(&1u32.to_le_bytes());
        image[col + 12..col + 16].copy_from_slice(&(td as u32).to_le_bytes());
        image[td + 16..td + 16 + 16].copy_from_slice(b".?AVWidget@ui@@\0");
        image[vtable - 8..vtable].copy_from_slice(&(base + col as u64).to_le_bytes());
        let bytes = SynthDump::new(SynthArch::X64)
            .module(SynthModule::new(base, 0x3000, "C:\\app\\app.exe"))
            .memory(base, image)
            .write()
            .unwrap();
        let dump = dumpfile::Minidump::from_bytes(bytes).unwrap();
        let m = Mod {
            name: "app".into(),
            base,
            size: 0x3000,
        };
        assert_eq!(
            rtti_class(&dump, base + vtable as u64, 8, &m).as_deref(),
            Some("ui::Widget")
        );
        assert_eq!(rtti_class(&dump, base + 0x2800, 8, &m), None);
    }

    #[test]
    fn the_dominant_text_survives_odd_blocks() {
        let texts = vec![
            Some("item id=1 name=a".to_string()),
            Some("item id=22 name=a".to_string()),
            Some("something else".to_string()),
            None,
            Some("item id=333 name=a".to_string()),
        ];
        let d = dominant_text(texts, 5).unwrap();
        assert_eq!(d.pattern.as_deref(), Some("item id=%d name=a"));
        assert_eq!(d.prefix.as_deref(), Some("item id="));
        assert_eq!(d.matching, 3);
        assert!(dominant_text(vec![Some("abcd".into()), None, None], 3).is_none());
    }

    #[test]
    fn text_prefixes() {
        assert_eq!(ascii_text(b"abcd\0zz", 4).as_deref(), Some("abcd"));
        assert_eq!(ascii_text(b"ab\0", 4), None);
        assert_eq!(utf16_text(b"a\0b\0c\0d\0\0\0", 4).as_deref(), Some("abcd"));
        assert_eq!(
            common_prefix(["abcX", "abcY"].iter().copied()).as_deref(),
            Some("abc")
        );
    }
}
