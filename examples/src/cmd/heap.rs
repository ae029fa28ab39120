//! `dumpscope heap`: WinDbg's `!heap`, `!heap -s`, `!heap -a`, `!heap -x`, `!heap -stat -h` and
//! `!heap -flt s` over the NT heaps of a user-mode minidump (both heap sets of a WOW64 process),
//! and the heap layout in force (`--layout`, optionally from an ntdll PDB).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use ntheap::report::{self, HeapSummary, SizeStat};
use ntheap::{
    Entry, EntryFlags, EntryState, Finding, FnMemory, FrontEndType, Heap, HeapKind, HeapLayout,
    HeapWalk, LayoutChoice, MemoryError, PointerWidth, Release,
};
use serde::Serialize;

use crate::fmt_util::addr;
use crate::{CliError, open_dump, write_json};

/// Arguments of `dumpscope heap`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Per-heap statistics (`!heap -s`).
    #[arg(long)]
    pub summary: bool,
    /// Segments and every block (`!heap -a`), of all heaps or of `--entries=HEAP`.
    #[arg(long, num_args = 0..=1, require_equals = true, value_name = "HEAP", default_missing_value = "")]
    pub entries: Option<String>,
    /// The heap, segment and block holding an address (`!heap -x ADDR`).
    #[arg(long, value_name = "ADDR")]
    pub find: Option<String>,
    /// Busy blocks grouped by requested size (`!heap -stat -h`).
    #[arg(long)]
    pub stat: bool,
    /// Restrict `--stat` / `--filter-size` to one heap (address).
    #[arg(long, value_name = "HEAP")]
    pub heap: Option<String>,
    /// Lines of `--stat` text output per heap.
    #[arg(long, default_value_t = 20)]
    pub max_display: usize,
    /// Busy blocks of a requested size or size range (`!heap -flt s SIZE` / `MIN-MAX`, hex).
    #[arg(long, value_name = "SIZE|MIN-MAX")]
    pub filter_size: Option<String>,
    /// Print the heap layout in force (field name -> offset).
    #[arg(long)]
    pub layout: bool,
    /// With `--layout`: compute the layout from this ntdll PDB.
    #[arg(long, value_name = "FILE")]
    pub pdb: Option<PathBuf>,
    /// The user-mode minidump (optional with `--layout --pdb`).
    pub dump: Option<PathBuf>,
}

/// Parses a hex number with or without `0x` (and WinDbg's backtick separator).
pub fn parse_hex(s: &str) -> Result<u64, CliError> {
    let t = s.trim().replace('`', "");
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    u64::from_str_radix(t, 16).map_err(|_| CliError::new(format!("not a hex number: {s}")))
}

/// Parses `SIZE` or `MIN-MAX` (hex).
pub fn parse_range(s: &str) -> Result<(u64, u64), CliError> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse_hex(a)?, parse_hex(b)?);
            if a > b {
                return Err(CliError::new(format!("empty size range: {s}")));
            }
            Ok((a, b))
        }
        None => {
            let v = parse_hex(s)?;
            Ok((v, v))
        }
    }
}

/// A heap of the process as found in its PEB(s), opened or not.
#[derive(Debug)]
pub struct FoundHeap {
    /// Heap address.
    pub address: u64,
    /// Width of the heap (x86 for the WOW64 set).
    pub width: PointerWidth,
    /// The opened heap, or why it could not be opened.
    pub heap: Result<Heap, ntheap::Error>,
    /// NT or segment heap, when the signature could be read.
    pub kind: Option<HeapKind>,
}

fn memory(dump: &dumpfile::Minidump) -> impl ntheap::ReadMemory + '_ {
    FnMemory::new(move |a, buf| {
        dump.memory().read(a, buf).map_err(|e| {
            if e.is_not_captured() {
                MemoryError::not_captured(a, buf.len())
            } else {
                MemoryError::failed(a, buf.len())
            }
        })
    })
}

/// Finds and opens every heap of `PEB.ProcessHeaps` (and `PEB32.ProcessHeaps`), choosing the
/// layout by the dump's OS version and confirming it on each heap. Problems reading the PEB go
/// to `warnings`.
pub fn find_heaps(dump: &dumpfile::Minidump, warnings: &mut Vec<String>) -> Vec<FoundHeap> {
    let mem = memory(dump);
    let release = match dump.system_info() {
        Ok(Some(s)) => Release::from_version(s.major, s.minor, s.build),
        _ => None,
    };
    let choice = release.map_or(LayoutChoice::Auto, LayoutChoice::Prefer);
    let native = if dump.arch() == dumpfile::Arch::X86 {
        PointerWidth::Bits32
    } else {
        PointerWidth::Bits64
    };
    let process = match dump.process() {
        Ok(p) => p,
        Err(e) => {
            warnings.push(format!("cannot read the PEB: {e}"));
            return Vec::new();
        }
    };
    warnings.extend(process.warnings.iter().cloned());
    let mut out = Vec::new();
    for h in process.heaps() {
        let (a, width) = (
            h.address,
            if h.peb32 {
                PointerWidth::Bits32
            } else {
                native
            },
        );
        let kind = Heap::kind_at(&mem, a, width).ok();
        let heap = Heap::open(&mem, a, width, choice.clone());
        out.push(FoundHeap {
            address: a,
            width,
            heap,
            kind,
        });
    }
    out
}

/// Opens a heap at an address the PEB does not list: the dump's native width first, then
/// 32-bit on x64 dumps (WOW64).
pub fn open_at(dump: &dumpfile::Minidump, address: u64) -> FoundHeap {
    let mem = memory(dump);
    let release = match dump.system_info() {
        Ok(Some(s)) => Release::from_version(s.major, s.minor, s.build),
        _ => None,
    };
    let choice = release.map_or(LayoutChoice::Auto, LayoutChoice::Prefer);
    let mut widths = vec![PointerWidth::Bits64, PointerWidth::Bits32];
    if dump.arch() == dumpfile::Arch::X86 {
        widths = vec![PointerWidth::Bits32];
    }
    let mut first = None;
    for width in widths {
        let kind = Heap::kind_at(&mem, address, width).ok();
        let heap = Heap::open(&mem, address, width, choice.clone());
        let f = FoundHeap {
            address,
            width,
            heap,
            kind,
        };
        if f.heap.is_ok() || f.kind.is_some() {
            return f;
        }
        first.get_or_insert(f);
    }
    first.unwrap_or(FoundHeap {
        address,
        width: PointerWidth::Bits64,
        heap: Err(ntheap::Error::NotCaptured {
            addr: address,
            len: 0,
        }),
        kind: None,
    })
}

/// Base and size of every heap segment reservation and large block of the dump's NT heaps, for
/// `address --summary` to classify as Heap.
pub fn heap_regions(dump: &dumpfile::Minidump) -> Vec<(u64, u64)> {
    let mem = memory(dump);
    let mut warnings = Vec::new();
    let mut out = Vec::new();
    for h in find_heaps(dump, &mut warnings) {
        let Ok(heap) = h.heap else { continue };
        let (segs, _) = heap.segments(&mem);
        for s in segs {
            out.push((s.base_address, s.reserved_bytes()));
        }
        let (vbs, _) = heap.virtual_blocks(&mem);
        for v in vbs {
            out.push((v.address, v.reserve_size.max(v.commit_size)));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn width_name(w: PointerWidth) -> &'static str {
    match w {
        PointerWidth::Bits32 => "x86",
        PointerWidth::Bits64 => "x64",
    }
}

fn psize(w: PointerWidth) -> usize {
    match w {
        PointerWidth::Bits32 => 4,
        PointerWidth::Bits64 => 8,
    }
}

fn front_end_name(f: FrontEndType) -> &'static str {
    match f {
        FrontEndType::None => "none",
        FrontEndType::Lookaside => "lookaside",
        FrontEndType::Lfh => "LFH",
    }
}

fn state_name(s: EntryState) -> &'static str {
    match s {
        EntryState::Busy => "busy",
        EntryState::Free => "free",
        EntryState::Internal => "internal",
        EntryState::VirtualAlloc => "virtual",
    }
}

/// WinDbg-style flag words for `!heap -x`.
fn flag_words(e: &Entry) -> String {
    let mut v = vec![if e.is_busy() { "busy" } else { "free" }];
    if e.flags.contains(EntryFlags::EXTRA_PRESENT) {
        v.push("extra");
    }
    if e.flags.contains(EntryFlags::FILL_PATTERN) {
        v.push("fill");
    }
    match e.state {
        EntryState::Internal => v.push("internal"),
        EntryState::VirtualAlloc => v.push("virtual"),
        _ => {}
    }
    if e.flags.contains(EntryFlags::LAST_ENTRY) {
        v.push("last");
    }
    v.join(" ")
}

/// One finding in JSON.
#[derive(Debug, Serialize)]
pub struct FindingJson {
    /// Where.
    pub address: u64,
    /// True for corruption, false for memory missing from the dump or a walk cap.
    pub corruption: bool,
    /// What, in words.
    pub message: String,
}

fn findings_json(f: &[Finding]) -> Vec<FindingJson> {
    f.iter()
        .map(|x| FindingJson {
            address: x.address,
            corruption: x.is_corruption(),
            message: x.to_string(),
        })
        .collect()
}

/// One heap of the list.
#[derive(Debug, Serialize)]
pub struct HeapListJson {
    /// Heap address.
    pub address: u64,
    /// "x64" or "x86" (the WOW64 heaps).
    pub width: &'static str,
    /// "nt", "segment" or null when the header is not in the dump.
    pub kind: Option<&'static str>,
    /// `_HEAP.Flags`.
    pub flags: Option<u32>,
    /// "none", "lookaside", "LFH".
    pub front_end: Option<&'static str>,
    /// The layout that passed the checks.
    pub layout: Option<String>,
    /// Why the heap could not be opened.
    pub error: Option<String>,
}

/// One entry in JSON.
#[derive(Debug, Serialize)]
pub struct EntryJson {
    /// Header address.
    pub address: u64,
    /// User address.
    pub user_address: u64,
    /// Size in bytes, header included.
    pub size: u64,
    /// Previous block's size in bytes.
    pub previous_size: u64,
    /// Busy (allocated in any form).
    pub busy: bool,
    /// "busy", "free", "internal", "virtual".
    pub state: &'static str,
    /// Decoded `Flags`.
    pub flags: u8,
    /// Requested size, when known.
    pub requested_size: Option<u64>,
    /// An LFH (front-end) block inside an internal carrier block.
    pub front_end: bool,
}

impl From<&Entry> for EntryJson {
    fn from(e: &Entry) -> Self {
        EntryJson {
            address: e.address,
            user_address: e.user_address,
            size: e.size,
            previous_size: e.previous_size,
            busy: e.is_busy(),
            state: state_name(e.state),
            flags: e.flags.bits(),
            requested_size: e.requested_size,
            front_end: e.front_end,
        }
    }
}

/// An uncommitted range in JSON.
#[derive(Debug, Serialize)]
pub struct RangeJson {
    /// First address.
    pub address: u64,
    /// Size in bytes.
    pub size: u64,
}

/// A segment in JSON.
#[derive(Debug, Serialize)]
pub struct SegmentJson {
    /// Segment address.
    pub address: u64,
    /// `BaseAddress`.
    pub base_address: u64,
    /// `FirstEntry`.
    pub first_entry: u64,
    /// `LastValidEntry`.
    pub last_valid_entry: u64,
    /// `NumberOfPages`.
    pub number_of_pages: u32,
    /// `NumberOfUnCommittedPages`.
    pub uncommitted_pages: u32,
    /// Blocks.
    pub entries: Vec<EntryJson>,
    /// Uncommitted ranges skipped.
    pub uncommitted: Vec<RangeJson>,
}

/// A large block in JSON.
#[derive(Debug, Serialize)]
pub struct VirtualBlockJson {
    /// `_HEAP_VIRTUAL_ALLOC_ENTRY` address.
    pub address: u64,
    /// User address.
    pub user_address: u64,
    /// `CommitSize`.
    pub size: u64,
    /// `ReserveSize`.
    pub reserve_size: u64,
    /// Always true.
    pub busy: bool,
    /// Requested size.
    pub requested_size: Option<u64>,
}

/// A walked heap in JSON.
#[derive(Debug, Serialize)]
pub struct HeapEntriesJson {
    /// Heap address.
    pub address: u64,
    /// "x64" or "x86".
    pub width: &'static str,
    /// Segments.
    pub segments: Vec<SegmentJson>,
    /// Large blocks.
    pub virtual_blocks: Vec<VirtualBlockJson>,
    /// LFH blocks found inside the internal carrier blocks.
    pub lfh_blocks: Vec<EntryJson>,
    /// Low 32 bits of `RtlpLFHKey`, when recovered.
    pub lfh_key: Option<u32>,
    /// Findings.
    pub findings: Vec<FindingJson>,
}

fn entries_json(w: &HeapWalk) -> HeapEntriesJson {
    HeapEntriesJson {
        address: w.heap.address,
        width: width_name(w.heap.width()),
        segments: w
            .segments
            .iter()
            .map(|s| SegmentJson {
                address: s.segment.address,
                base_address: s.segment.base_address,
                first_entry: s.segment.first_entry,
                last_valid_entry: s.segment.last_valid_entry,
                number_of_pages: s.segment.number_of_pages,
                uncommitted_pages: s.segment.uncommitted_pages,
                entries: s.entries.iter().map(EntryJson::from).collect(),
                uncommitted: s
                    .uncommitted
                    .iter()
                    .map(|u| RangeJson {
                        address: u.address,
                        size: u.size,
                    })
                    .collect(),
            })
            .collect(),
        virtual_blocks: w
            .virtual_blocks
            .iter()
            .map(|v| VirtualBlockJson {
                address: v.address,
                user_address: v.user_address,
                size: v.commit_size,
                reserve_size: v.reserve_size,
                busy: true,
                requested_size: v.requested_size,
            })
            .collect(),
        lfh_blocks: w.lfh.blocks.iter().map(EntryJson::from).collect(),
        lfh_key: w.lfh.key,
        findings: findings_json(&w.findings),
    }
}

/// `!heap -s` row in JSON.
#[derive(Debug, Serialize)]
pub struct SummaryJson {
    /// Heap address.
    pub address: u64,
    /// "x64" or "x86".
    pub width: &'static str,
    /// `_HEAP.Flags`.
    pub flags: u32,
    /// Reserved bytes.
    pub reserved: u64,
    /// Committed bytes.
    pub committed: u64,
    /// "Virt" column, bytes.
    pub virtual_bytes: u64,
    /// Free bytes.
    pub free: u64,
    /// Free-list length.
    pub free_list_length: usize,
    /// Uncommitted ranges.
    pub ucr_count: u64,
    /// Large blocks.
    pub virtual_blocks: usize,
    /// Bytes in large blocks.
    pub virtual_block_bytes: u64,
    /// Lock collisions.
    pub lock_collisions: Option<u32>,
    /// LFH on.
    pub lfh: bool,
    /// Segments.
    pub segments: usize,
    /// External fragmentation, percent.
    pub external_fragmentation: u64,
    /// Virtual address fragmentation, percent.
    pub virtual_address_fragmentation: u64,
    /// Findings.
    pub findings: Vec<FindingJson>,
}

fn summary_json(w: &HeapWalk, s: &HeapSummary) -> SummaryJson {
    SummaryJson {
        address: s.address,
        width: width_name(w.heap.width()),
        flags: s.flags,
        reserved: s.reserved,
        committed: s.committed,
        virtual_bytes: s.virtual_bytes,
        free: s.free,
        free_list_length: s.free_list_length,
        ucr_count: s.ucr_count,
        virtual_blocks: s.virtual_blocks,
        virtual_block_bytes: s.virtual_block_bytes,
        lock_collisions: s.lock_collisions,
        lfh: s.lfh,
        segments: s.segments,
        external_fragmentation: s.external_fragmentation,
        virtual_address_fragmentation: s.virtual_address_fragmentation,
        findings: findings_json(&w.findings),
    }
}

/// One `-stat` line in JSON.
#[derive(Debug, Serialize)]
pub struct StatJson {
    /// Requested size.
    pub size: u64,
    /// Blocks.
    pub count: u64,
    /// size × count.
    pub total: u64,
    /// Percent of busy bytes × 100 (integer).
    pub percent_x100: u64,
}

/// `-stat` of one heap in JSON.
#[derive(Debug, Serialize)]
pub struct HeapStatJson {
    /// Heap address.
    pub address: u64,
    /// Lines, largest total first.
    pub stats: Vec<StatJson>,
}

fn stat_json(w: &HeapWalk, st: &[SizeStat]) -> HeapStatJson {
    HeapStatJson {
        address: w.heap.address,
        stats: st
            .iter()
            .map(|s| StatJson {
                size: s.size,
                count: s.count,
                total: s.total,
                percent_x100: s.percent_x100,
            })
            .collect(),
    }
}

/// A found or filtered block in JSON, with its heap.
#[derive(Debug, Serialize)]
pub struct FoundJson {
    /// Heap address.
    pub heap: u64,
    /// Segment address (null for large blocks).
    pub segment: Option<u64>,
    /// The block.
    pub entry: EntryJson,
}

/// The layout in JSON.
#[derive(Debug, Serialize)]
pub struct LayoutJson {
    /// The heap it is in force for (null for a PDB layout).
    pub heap: Option<u64>,
    /// Where the numbers come from.
    pub name: String,
    /// "x64" or "x86".
    pub width: &'static str,
    /// `"_HEAP.VirtualAllocdBlocks"` -> offset.
    pub fields: BTreeMap<String, u64>,
    /// Per structure: member name (as in the PDB) -> offset.
    pub structs: BTreeMap<String, BTreeMap<String, u64>>,
}

fn layout_json(heap: Option<u64>, l: &HeapLayout) -> LayoutJson {
    let mut fields = BTreeMap::new();
    let mut structs: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (name, off) in l.fields() {
        fields.insert(name.to_string(), off);
        if let Some((s, m)) = name.split_once('.') {
            structs
                .entry(s.to_string())
                .or_default()
                .insert(m.to_string(), off);
        }
    }
    LayoutJson {
        heap,
        name: l.name.clone(),
        width: width_name(l.width),
        fields,
        structs,
    }
}

/// Opens the dump, or explains that one is needed.
fn need_dump(args: &Args) -> Result<(PathBuf, dumpfile::Minidump), CliError> {
    let p = args
        .dump
        .clone()
        .ok_or_else(|| CliError::new("heap: a DUMP file is required"))?;
    let d = open_dump(&p)?;
    Ok((p, d))
}

/// Runs `dumpscope heap`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    if args.layout {
        return run_layout(args, out);
    }
    let (path, dump) = need_dump(args)?;
    let mem = memory(&dump);
    let mut warnings = Vec::new();
    let mut found = find_heaps(&dump, &mut warnings);
    let only = args.heap.as_deref().map(parse_hex).transpose()?;
    let entries_only = match args.entries.as_deref() {
        Some("") | None => None,
        Some(h) => Some(parse_hex(h)?),
    };
    let select = only.or(entries_only);
    if let Some(h) = select
        && !found.iter().any(|f| f.address == h)
    {
        // Not listed in the PEB (or the PEB is not in the dump): open it as given.
        found.push(open_at(&dump, h));
    }
    let walks: Vec<HeapWalk> = found
        .iter()
        .filter(|f| select.is_none_or(|h| h == f.address))
        .filter_map(|f| f.heap.as_ref().ok())
        .map(|h| h.walk(&mem))
        .collect();

    if args.summary {
        write_summary(args, &found, &walks, out)?;
    } else if args.entries.is_some() {
        write_entries(args, &walks, out)?;
    } else if let Some(a) = &args.find {
        let a = parse_hex(a)?;
        write_find(args, &mem, a, &walks, out)?;
    } else if args.stat {
        write_stat(args, &walks, out)?;
    } else if let Some(r) = &args.filter_size {
        let (min, max) = parse_range(r)?;
        write_filter(args, min, max, &walks, out)?;
    } else {
        write_list(args, &found, out)?;
    }
    if !args.json {
        for w in &warnings {
            writeln!(out, "warning: {w}")?;
        }
    }
    if found.is_empty() {
        return Err(CliError::at(
            &path,
            "no heap found (PEB.ProcessHeaps is empty or not in the dump)",
        ));
    }
    Ok(())
}

fn run_layout(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let mut layouts = Vec::new();
    if let Some(p) = &args.pdb {
        let bytes = std::fs::read(p).map_err(|e| CliError::at(p, e))?;
        let l = HeapLayout::from_pdb_bytes(&bytes).map_err(|e| CliError::at(p, e))?;
        layouts.push(layout_json(None, &l));
    } else {
        let (path, dump) = need_dump(args)?;
        let mut warnings = Vec::new();
        for f in find_heaps(&dump, &mut warnings) {
            if let Ok(h) = &f.heap {
                layouts.push(layout_json(Some(f.address), &h.layout));
            }
        }
        if layouts.is_empty() {
            return Err(CliError::at(&path, "no NT heap could be opened"));
        }
    }
    if args.json {
        #[derive(Serialize)]
        struct All {
            layouts: Vec<LayoutJson>,
        }
        return write_json(out, &All { layouts });
    }
    for l in &layouts {
        match l.heap {
            Some(h) => writeln!(out, "Heap {h:x}: {} ({})", l.name, l.width)?,
            None => writeln!(out, "{} ({})", l.name, l.width)?,
        }
        for (k, v) in &l.fields {
            writeln!(out, "    {k:<45} +0x{v:03x}")?;
        }
    }
    Ok(())
}

fn write_list(args: &Args, found: &[FoundHeap], out: &mut dyn Write) -> Result<(), CliError> {
    let rows: Vec<HeapListJson> = found
        .iter()
        .map(|f| HeapListJson {
            address: f.address,
            width: width_name(f.width),
            kind: f.kind.map(|k| match k {
                HeapKind::Nt => "nt",
                HeapKind::Segment => "segment",
                _ => "other",
            }),
            flags: f.heap.as_ref().ok().map(|h| h.flags.bits()),
            front_end: f
                .heap
                .as_ref()
                .ok()
                .map(|h| front_end_name(h.front_end_type)),
            layout: f.heap.as_ref().ok().map(|h| h.layout.name.clone()),
            error: f.heap.as_ref().err().map(|e| e.to_string()),
        })
        .collect();
    if args.json {
        #[derive(Serialize)]
        struct All {
            heaps: Vec<HeapListJson>,
        }
        return write_json(out, &All { heaps: rows });
    }
    writeln!(
        out,
        "        Heap Address      NT/Segment Heap     Flags  Front end"
    )?;
    let mut last_width = None;
    for r in &rows {
        if r.width == "x86" && last_width == Some("x64") {
            writeln!(out, "    32-bit heaps (WOW64):")?;
        }
        last_width = Some(r.width);
        let kind = match r.kind {
            Some("nt") => "NT Heap",
            Some("segment") => "Segment Heap",
            _ => "(not in dump)",
        };
        let flags = r.flags.map(|f| format!("{f:08x}")).unwrap_or_default();
        writeln!(
            out,
            "{:>20x}{:>21}  {:>8}  {}",
            r.address,
            kind,
            flags,
            r.front_end.unwrap_or("")
        )?;
        if let Some(e) = &r.error {
            writeln!(out, "    ({e})")?;
        }
    }
    Ok(())
}

fn write_summary(
    args: &Args,
    found: &[FoundHeap],
    walks: &[HeapWalk],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let sums: Vec<(HeapSummary, &HeapWalk)> =
        walks.iter().map(|w| (report::summary(w), w)).collect();
    if args.json {
        #[derive(Serialize)]
        struct All {
            heaps: Vec<SummaryJson>,
        }
        let heaps = sums.iter().map(|(s, w)| summary_json(w, s)).collect();
        return write_json(out, &All { heaps });
    }
    writeln!(out, "{:*<120}", "")?;
    writeln!(out, "{:>62}", "NT HEAP STATS BELOW")?;
    writeln!(out, "{:*<120}", "")?;
    let wide = walks.iter().any(|w| w.heap.width() == PointerWidth::Bits64);
    let aw = if wide { 16 } else { 8 };
    writeln!(
        out,
        "{:>aw$}     Flags   Reserv  Commit  Virt   Free  List   UCR  Virt  Lock  Fast",
        "Heap"
    )?;
    writeln!(
        out,
        "{:>aw$}                (k)     (k)    (k)     (k) length      blocks cont. heap",
        ""
    )?;
    writeln!(out, "{:-<1$}", "", aw.saturating_add(69))?;
    for (s, w) in &sums {
        let lock = s
            .lock_collisions
            .map(|l| format!("{l:x}"))
            .unwrap_or_else(|| "?".into());
        writeln!(
            out,
            "{:0aw$x} {:08x} {:>8} {:>6} {:>6} {:>6} {:>5} {:>5} {:>5} {:>6}   {}",
            s.address,
            s.flags,
            s.reserved / 1024,
            s.committed / 1024,
            s.virtual_bytes / 1024,
            s.free / 1024,
            s.free_list_length,
            s.ucr_count,
            s.virtual_blocks,
            lock,
            if s.lfh { "LFH" } else { "" }
        )?;
        if s.free >= 1 << 20 {
            writeln!(
                out,
                "    External fragmentation  {} % ({} free blocks)",
                s.external_fragmentation, s.free_list_length
            )?;
            writeln!(
                out,
                "    Virtual address fragmentation  {} % ({} uncommited ranges)",
                s.virtual_address_fragmentation, s.ucr_count
            )?;
        }
        if s.virtual_blocks > 0 {
            writeln!(
                out,
                "    Virtual blocks  {} - total {} KBytes",
                s.virtual_blocks,
                s.virtual_block_bytes / 1024
            )?;
        }
        for f in &w.findings {
            writeln!(
                out,
                "    {}: {f}",
                if f.is_corruption() {
                    "CORRUPTION"
                } else {
                    "note"
                }
            )?;
        }
    }
    writeln!(out, "{:-<1$}", "", aw.saturating_add(69))?;
    for f in found.iter().filter(|f| f.heap.is_err()) {
        if let Err(e) = &f.heap {
            writeln!(out, "{:0aw$x} not walked: {e}", f.address)?;
        }
    }
    Ok(())
}

fn flag_box(e: &Entry) -> String {
    format!("[{:03x}]", 0x100 | u16::from(e.flags.bits() & !0x08))
}

fn write_entries(args: &Args, walks: &[HeapWalk], out: &mut dyn Write) -> Result<(), CliError> {
    if args.json {
        #[derive(Serialize)]
        struct All {
            heaps: Vec<HeapEntriesJson>,
        }
        let heaps = walks.iter().map(entries_json).collect();
        return write_json(out, &All { heaps });
    }
    for w in walks {
        let ps = psize(w.heap.width());
        let h = &w.heap;
        writeln!(out, "Heap {}", addr(h.address, ps))?;
        for s in &w.segments {
            writeln!(
                out,
                "    Segment at {} to {} ({:08x} bytes committed)",
                addr(s.segment.base_address, ps),
                addr(s.segment.last_valid_entry, ps),
                s.segment.committed_bytes()
            )?;
        }
        writeln!(out, "    Flags:                {:08x}", h.flags.bits())?;
        writeln!(out, "    ForceFlags:           {:08x}", h.force_flags)?;
        writeln!(
            out,
            "    Granularity:          {} bytes",
            h.width().granularity()
        )?;
        writeln!(out, "    Layout:               {}", h.layout.name)?;
        writeln!(
            out,
            "    Front end:            {}",
            front_end_name(h.front_end_type)
        )?;
        writeln!(out, "    Total free size:      {:08x}", h.total_free_size)?;
        writeln!(
            out,
            "    Virtual Alloc List:   {:x}",
            h.address
                .saturating_add(h.layout.heap_virtual_allocd_blocks)
        )?;
        writeln!(
            out,
            "    Uncommitted ranges:   {:x}",
            h.address.saturating_add(h.layout.heap_ucr_list)
        )?;
        writeln!(
            out,
            "    FreeList[ 00 ] at {:x}: {} blocks",
            h.address.saturating_add(h.layout.heap_free_lists),
            w.free_list.len()
        )?;
        for (i, s) in w.segments.iter().enumerate() {
            let g = &s.segment;
            writeln!(out)?;
            writeln!(out, "Segment{i:02} at {:x}:", g.address)?;
            writeln!(out, "    Flags:           {:08x}", g.flags)?;
            writeln!(out, "    Base:            {}", addr(g.base_address, ps))?;
            writeln!(out, "    First Entry:     {:x}", g.first_entry)?;
            writeln!(out, "    Last Entry:      {}", addr(g.last_valid_entry, ps))?;
            writeln!(out, "    Total Pages:     {:08x}", g.number_of_pages)?;
            writeln!(out, "    Total UnCommit:  {:08x}", g.uncommitted_pages)?;
            writeln!(
                out,
                "    UnCommitted Ranges: ({})",
                g.uncommitted_range_count
            )?;
            writeln!(out)?;
            writeln!(
                out,
                "Heap entries for Segment{i:02} in Heap {}",
                addr(h.address, ps)
            )?;
            writeln!(
                out,
                "    address: psize . size  flags   state (requested size)"
            )?;
            let mut items: Vec<(u64, String)> = s
                .entries
                .iter()
                .map(|e| {
                    let state = match e.state {
                        EntryState::Free => String::new(),
                        EntryState::Internal => {
                            format!(" - busy ({:x}) Internal ", e.requested_size.unwrap_or(0))
                        }
                        _ => format!(" - busy ({:x})", e.requested_size.unwrap_or(0)),
                    };
                    (
                        e.address,
                        format!(
                            "    {}: {:05x} . {:05x} {}{}",
                            addr(e.address, ps),
                            e.previous_size,
                            e.size,
                            flag_box(e),
                            state
                        ),
                    )
                })
                .collect();
            for u in &s.uncommitted {
                items.push((
                    u.address,
                    format!(
                        "    {}:      {:08x}      - uncommitted bytes.",
                        addr(u.address, ps),
                        u.size
                    ),
                ));
            }
            items.sort_by_key(|i| i.0);
            for (_, line) in items {
                writeln!(out, "{line}")?;
            }
        }
        if h.front_end_type == FrontEndType::Lfh {
            writeln!(out)?;
            let busy = w.lfh.blocks.iter().filter(|e| e.is_busy()).count();
            writeln!(
                out,
                "Front-end (LFH) blocks: {} in {} subsegments ({busy} busy){}",
                w.lfh.blocks.len(),
                w.lfh.subsegments,
                w.lfh
                    .key
                    .map(|k| format!(", LFH key (low 32 bits) {k:08x}"))
                    .unwrap_or_default()
            )?;
        }
        if !w.virtual_blocks.is_empty() {
            writeln!(out)?;
            writeln!(out, "Virtual blocks of Heap {}", addr(h.address, ps))?;
            for v in &w.virtual_blocks {
                writeln!(
                    out,
                    "    {}: {:08x} . {:08x} - busy VirtualAlloc ({:x})",
                    addr(v.address, ps),
                    v.commit_size,
                    v.reserve_size,
                    v.requested_size.unwrap_or(0)
                )?;
            }
        }
        for f in &w.findings {
            let what = if f.is_corruption() {
                "CORRUPTION"
            } else {
                "note"
            };
            writeln!(out, "{what}: {f}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_find(
    args: &Args,
    mem: &dyn ntheap::ReadMemory,
    a: u64,
    walks: &[HeapWalk],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let f = report::find(walks, a);
    // The allocation stack (+ust heaps), as `!heap -p -a` prints it.
    let stack: Option<Vec<u64>> = f.and_then(|f| {
        let w = walks.iter().find(|w| w.heap.address == f.heap)?;
        w.heap.stack_trace(mem, &f.entry).ok().flatten()
    });
    if args.json {
        #[derive(Serialize)]
        struct One {
            address: u64,
            found: Option<FoundJson>,
            stack: Option<Vec<u64>>,
        }
        let found = f.map(|f| FoundJson {
            heap: f.heap,
            segment: f.segment,
            entry: EntryJson::from(&f.entry),
        });
        return write_json(
            out,
            &One {
                address: a,
                found,
                stack,
            },
        );
    }
    let Some(f) = f else {
        writeln!(out, "address {a:x} is not in any walked heap block")?;
        return Ok(());
    };
    let ps = walks
        .iter()
        .find(|w| w.heap.address == f.heap)
        .map_or(8, |w| psize(w.heap.width()));
    let e = &f.entry;
    let width = if ps == 4 { 8 } else { 16 };
    writeln!(
        out,
        "{:<w$}  {:<w$}  {:<w$}  {:<w$}  {:>8}  {:>8}  {:>8}  Flags",
        "Entry",
        "User",
        "Heap",
        "Segment",
        "Size",
        "PrevSize",
        "Unused",
        w = width
    )?;
    writeln!(
        out,
        "{:-<1$}",
        "",
        width.saturating_mul(4).saturating_add(45)
    )?;
    let unused = e.requested_size.map_or(0, |r| e.size.saturating_sub(r));
    let seg = f
        .segment
        .map_or_else(|| "(virtual)".to_string(), |s| format!("{s:0width$x}"));
    writeln!(
        out,
        "{:0w$x}  {:0w$x}  {:0w$x}  {:<w$}  {:>8x}  {:>8x}  {:>8x}  {}",
        e.address,
        e.user_address,
        f.heap,
        seg,
        e.size,
        e.previous_size,
        unused,
        flag_words(e),
        w = width
    )?;
    if let Some(frames) = stack {
        writeln!(out, "    allocation stack:")?;
        for fr in frames {
            writeln!(out, "        {}", addr(fr, ps))?;
        }
    }
    Ok(())
}

fn write_stat(args: &Args, walks: &[HeapWalk], out: &mut dyn Write) -> Result<(), CliError> {
    let stats: Vec<(&HeapWalk, Vec<SizeStat>)> =
        walks.iter().map(|w| (w, report::stat(w))).collect();
    if args.json {
        #[derive(Serialize)]
        struct All {
            heaps: Vec<HeapStatJson>,
        }
        let heaps = stats.iter().map(|(w, s)| stat_json(w, s)).collect();
        return write_json(out, &All { heaps });
    }
    for (w, st) in &stats {
        writeln!(
            out,
            " heap @ {}",
            addr(w.heap.address, psize(w.heap.width()))
        )?;
        writeln!(out, "group-by: TOTSIZE max-display: {}", args.max_display)?;
        writeln!(
            out,
            "    size     #blocks     total     ( %) (percent of total busy bytes)"
        )?;
        for s in st.iter().take(args.max_display) {
            writeln!(
                out,
                "    {:x} {:x} - {:x}  ({}.{:02})",
                s.size,
                s.count,
                s.total,
                s.percent_x100 / 100,
                s.percent_x100 % 100
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn write_filter(
    args: &Args,
    min: u64,
    max: u64,
    walks: &[HeapWalk],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let per: Vec<(&HeapWalk, Vec<Entry>)> = walks
        .iter()
        .map(|w| (w, report::filter(w, min, max)))
        .collect();
    if args.json {
        #[derive(Serialize)]
        struct All {
            min: u64,
            max: u64,
            entries: Vec<FoundJson>,
        }
        let mut entries = Vec::new();
        for (w, es) in &per {
            for e in es {
                let seg = w
                    .segments
                    .iter()
                    .find(|s| {
                        e.address >= s.segment.address && e.address < s.segment.last_valid_entry
                    })
                    .map(|s| s.segment.address);
                entries.push(FoundJson {
                    heap: w.heap.address,
                    segment: seg,
                    entry: EntryJson::from(e),
                });
            }
        }
        return write_json(out, &All { min, max, entries });
    }
    for (w, es) in &per {
        if es.is_empty() {
            continue;
        }
        let ps = psize(w.heap.width());
        let gran = w.heap.width().granularity();
        writeln!(out, "    _HEAP @ {:x}", w.heap.address)?;
        writeln!(
            out,
            "      HEAP_ENTRY Size Prev Flags    UserPtr UserSize - state"
        )?;
        for e in es {
            let state = match e.state {
                EntryState::VirtualAlloc => "(busy VirtualAlloc)",
                _ => "(busy)",
            };
            writeln!(
                out,
                "        {} {:04x} {:04x}  [{:02x}]   {}    {:05x} - {}",
                addr(e.address, ps),
                e.size.checked_div(gran).unwrap_or(0),
                e.previous_size.checked_div(gran).unwrap_or(0),
                e.flags.bits(),
                addr(e.user_address, ps),
                e.requested_size.unwrap_or(0),
                state
            )?;
        }
    }
    Ok(())
}
