//! WinDbg-style text for the pool commands, so a front end prints what WinDbg users expect.
//!
//! Matched line by line against WinDbg output quoted in public write-ups: `!poolused 3`
//! (x86 server, 2007), `!verifier 3` and `!verifier 80 ADDR` (Windows 8.1 x86). Layouts not
//! quoted there (the short `!poolused` form, both pools side by side, x64 widths, `!pool`) follow
//! the same conventions and are not confirmed.

use std::fmt::Write as _;

use crate::layout::{Arch, KernelBuild};

use super::pool_page::{PoolPage, PoolPageKind};
use super::pooltag::TagDescriptions;
use super::tracker::{PoolKind, PoolUsage, PoolUsedFlags, PoolUsedSort, TagCounts};
use super::verifier::{FlagGroup, PoolTraceLog, VerifiedDriver, VerifierStats, verifier_flags};

/// A pointer as WinDbg prints `%p`: 8 hex digits on x86, `xxxxxxxx`xxxxxxxx` on x64.
pub fn windbg_ptr(arch: Arch, v: u64) -> String {
    match arch {
        Arch::X86 => format!("{:08x}", v & 0xffff_ffff),
        Arch::X64 => format!("{:08x}`{:08x}", v >> 32, v & 0xffff_ffff),
    }
}

/// A symbolizer: `module!symbol+0xoff` for an address, when known.
pub type Symbolize<'a> = &'a dyn Fn(u64) -> Option<String>;

impl PoolUsage {
    /// `!poolused FLAGS [PATTERN]` text: the sort line, the pool headings, `Tag Allocs Frees
    /// Diff Used` (verbose) or `Tag Allocs Used` (outstanding allocations and bytes), then one
    /// line per tag with its description.
    pub fn windbg_text(
        &self,
        flags: PoolUsedFlags,
        pattern: Option<&str>,
        tags: &TagDescriptions,
    ) -> String {
        let mut s = String::new();
        let (sort_name, kinds): (&str, &[PoolKind]) = match flags.sort {
            PoolUsedSort::Bytes(PoolKind::NonPaged) | PoolUsedSort::Allocs(PoolKind::NonPaged) => {
                ("NonPaged Pool Consumed", &[PoolKind::NonPaged])
            }
            PoolUsedSort::Bytes(PoolKind::Paged) | PoolUsedSort::Allocs(PoolKind::Paged) => {
                ("Paged Pool Consumed", &[PoolKind::Paged])
            }
            PoolUsedSort::Tag => ("Tag", &[PoolKind::NonPaged, PoolKind::Paged]),
        };
        let _ = writeln!(s, "   Sorting by  {sort_name}\n\n  Pool Used:");
        let cols: &[&str] = if flags.verbose {
            &["Allocs", "Frees", "Diff", "Used"]
        } else {
            &["Allocs", "Used"]
        };
        let group_width = cols.len().saturating_mul(9);
        let mut heading = String::new();
        let mut header = String::from("Tag ");
        for (i, k) in kinds.iter().enumerate() {
            let name = match k {
                PoolKind::NonPaged => "NonPaged",
                PoolKind::Paged => "Paged",
            };
            let col = 12usize.saturating_add(i.saturating_mul(group_width));
            let _ = write!(
                heading,
                "{:w$}{name}",
                "",
                w = col.saturating_sub(heading.len())
            );
            for c in cols {
                let _ = write!(header, " {c:>8}");
            }
        }
        let _ = writeln!(s, "{heading}");
        let _ = writeln!(s, "{header}");
        let rows = self.sorted(flags.sort);
        for t in rows
            .iter()
            .filter(|t| pattern.is_none_or(|p| t.tag.matches(p)))
        {
            let mut line = format!("{}", t.tag);
            for k in kinds {
                let c: TagCounts = match k {
                    PoolKind::NonPaged => t.non_paged,
                    PoolKind::Paged => t.paged,
                };
                if flags.verbose {
                    let _ = write!(
                        line,
                        " {:>8} {:>8} {:>8} {:>8}",
                        c.allocs,
                        c.frees,
                        c.diff(),
                        c.bytes
                    );
                } else {
                    let _ = write!(line, " {:>8} {:>8}", c.diff(), c.bytes);
                }
            }
            let w = 4usize
                .saturating_add(group_width.saturating_mul(kinds.len()))
                .saturating_add(1);
            let _ = writeln!(s, "{line:<w$}  {}", tags.describe(t.tag));
        }
        s
    }
}

impl PoolPage {
    /// `!pool ADDR` text: the page heading, one line per block (`*` marks the block holding the
    /// address), and the owner line of that block; or the large-allocation line; or the
    /// segment-heap note.
    pub fn windbg_text(&self, arch: Arch, tags: &TagDescriptions) -> String {
        let mut s = String::new();
        let owner = |tag: super::tag::PoolTag| match tags.get(tag) {
            Some(i) if !i.binary.is_empty() => format!(
                "\t\tPooltag {tag} : {}, Binary : {}",
                i.description, i.binary
            ),
            Some(i) => format!("\t\tPooltag {tag} : {}", i.description),
            None => "\t\tOwning component : Unknown (update pooltag.txt)".to_string(),
        };
        match &self.kind {
            PoolPageKind::Large(e) => {
                let _ = writeln!(
                    s,
                    "*{} : large page allocation, tag is {}, size is {:#x} bytes",
                    windbg_ptr(arch, e.va),
                    e.tag,
                    e.size
                );
                let _ = writeln!(s, "{}", owner(e.tag));
            }
            PoolPageKind::SegmentHeap => {
                let _ = writeln!(
                    s,
                    "Pool page {} is in the kernel segment heap (Windows 10 1809 and later); its blocks are not walked: that needs nt!ExPoolState and nt!RtlpHpHeapGlobals (the heap keys) from the kernel's symbols, and an x64 kernel.",
                    windbg_ptr(arch, self.addr)
                );
            }
            PoolPageKind::SegmentNotFound => {
                let _ = writeln!(
                    s,
                    "{} is not a valid large pool allocation, checking large session pool...",
                    windbg_ptr(arch, self.addr)
                );
                let _ = writeln!(
                    s,
                    "{} is not valid pool. Checking for freed (or corrupt) pool",
                    windbg_ptr(arch, self.addr)
                );
            }
            PoolPageKind::SegmentRange {
                segment,
                range,
                flags,
            } => {
                let region = self.region.unwrap_or("Unknown");
                let _ = writeln!(
                    s,
                    "Pool page {} region is {region}",
                    windbg_ptr(arch, self.addr)
                );
                let what = if *flags == 0 {
                    "the segment header"
                } else if flags & super::range_flags::ALLOCATED == 0 {
                    "a free range"
                } else {
                    "an allocated range with no small pool blocks"
                };
                let _ = writeln!(
                    s,
                    "{} is in {what} of segment-heap page segment {} (range {}, flags {flags:#x})",
                    windbg_ptr(arch, self.addr),
                    windbg_ptr(arch, *segment),
                    windbg_ptr(arch, *range)
                );
            }
            PoolPageKind::Small
            | PoolPageKind::SegmentLfh { .. }
            | PoolPageKind::SegmentVs { .. } => {
                let region = self.region.unwrap_or("Unknown");
                let _ = writeln!(
                    s,
                    "Pool page {} region is {region}",
                    windbg_ptr(arch, self.addr)
                );
                for b in &self.blocks {
                    let mark = if b.holds_address { "*" } else { " " };
                    let state = if b.free { "Free" } else { "Allocated" };
                    let prot = if b.protected { " (Protected)" } else { "" };
                    let _ = writeln!(
                        s,
                        "{mark}{} size: {:>4x} previous size: {:>4x}  ({state}) {mark}{}{prot}",
                        windbg_ptr(arch, b.addr),
                        b.size,
                        b.previous_size,
                        b.tag
                    );
                    if b.holds_address {
                        let _ = writeln!(s, "{}", owner(b.tag));
                    }
                }
                if let Some(c) = self.corrupt_at {
                    let _ = writeln!(
                        s,
                        "{} is not valid pool. Checking for freed (or corrupt) pool",
                        windbg_ptr(arch, c)
                    );
                }
            }
        }
        s
    }
}

/// `!verifier 3` text: flags, global statistics, the driver verification list with each
/// driver's pool statistics and (with pool tracking) its outstanding allocations, the caller
/// symbolized by `symbolize`.
pub fn verifier_windbg_text(
    build: KernelBuild,
    stats: &VerifierStats,
    drivers: &[VerifiedDriver],
    symbolize: Symbolize<'_>,
) -> String {
    let arch = build.arch;
    let hexw = match arch {
        Arch::X86 => 8,
        Arch::X64 => 16,
    };
    let mut s = String::new();
    let _ = writeln!(s, "Verify Flags Level 0x{:08x}\n", stats.level);
    let flags = verifier_flags(build);
    for (group, title) in [
        (FlagGroup::Standard, "STANDARD FLAGS:"),
        (FlagGroup::Additional, "ADDITIONAL FLAGS:"),
    ] {
        let _ = writeln!(s, "  {title}");
        for f in flags.iter().filter(|f| f.group == group) {
            let on = f.mask == 0 || stats.level & f.mask != 0;
            let _ = writeln!(
                s,
                "    [{}] (0x{:08x}) {}",
                if on { "X" } else { " " },
                f.mask,
                f.name
            );
        }
        s.push('\n');
    }
    let _ = writeln!(s, "    [X] Indicates flag is enabled\n\n");
    let _ = writeln!(s, "Summary of All Verifier Statistics\n");
    let _ = writeln!(s, "  RaiseIrqls           {:#x}", stats.raise_irqls);
    let _ = writeln!(s, "  AcquireSpinLocks     {:#x}", stats.acquire_spin_locks);
    let _ = writeln!(
        s,
        "  Synch Executions     {:#x}",
        stats.synchronize_executions
    );
    let _ = writeln!(s, "  Trims                {:#x}\n", stats.trims);
    let _ = writeln!(
        s,
        "  Pool Allocations Attempted             {:#x}",
        stats.allocations_attempted
    );
    let _ = writeln!(
        s,
        "  Pool Allocations Succeeded             {:#x}",
        stats.allocations_succeeded
    );
    let _ = writeln!(
        s,
        "  Pool Allocations Succeeded SpecialPool {:#x}",
        stats.allocations_succeeded_special_pool
    );
    let _ = writeln!(
        s,
        "  Pool Allocations With NO TAG           {:#x}",
        stats.allocations_with_no_tag
    );
    let _ = writeln!(
        s,
        "  Pool Allocations Failed                {:#x}\n",
        stats.allocations_failed
    );
    for (what, n, b) in [
        (
            "Current paged pool allocations   ",
            stats.current_paged_pool_allocations,
            stats.paged_bytes,
        ),
        (
            "Peak paged pool allocations      ",
            stats.peak_paged_pool_allocations,
            stats.peak_paged_bytes,
        ),
        (
            "Current nonpaged pool allocations",
            stats.current_non_paged_pool_allocations,
            stats.non_paged_bytes,
        ),
        (
            "Peak nonpaged pool allocations   ",
            stats.peak_non_paged_pool_allocations,
            stats.peak_non_paged_bytes,
        ),
    ] {
        let _ = writeln!(s, "  {what}      {n:#x} for {b:0hexw$X} bytes");
    }
    let _ = writeln!(s, "\nDriver Verification List\n------------------------\n");
    for d in drivers {
        let _ = writeln!(
            s,
            "  MODULE: 0x{:0hexw$x} {} ({})\n",
            d.entry,
            d.name,
            d.state().text()
        );
        let Some(c) = d.counters else { continue };
        let _ = writeln!(
            s,
            "    Pool Allocation Statistics: ( NonPagedPool / PagedPool )\n"
        );
        for (what, np, p) in [
            (
                "Current Pool Allocations:",
                c.current_non_paged_allocations,
                c.current_paged_allocations,
            ),
            (
                "Current Pool Bytes:      ",
                c.non_paged_bytes,
                c.paged_bytes,
            ),
            (
                "Peak Pool Allocations:   ",
                c.peak_non_paged_allocations,
                c.peak_paged_allocations,
            ),
            (
                "Peak Pool Bytes:         ",
                c.peak_non_paged_bytes,
                c.peak_paged_bytes,
            ),
        ] {
            let _ = writeln!(s, "      {what} ( 0x{np:08x} / 0x{p:08x} )");
        }
        if let (Some(cm), Some(pcm)) = (c.contiguous_memory_bytes, c.peak_contiguous_memory_bytes) {
            let _ = writeln!(s, "      Contiguous Memory Bytes:       0x{cm:08x}");
            let _ = writeln!(s, "      Peak Contiguous Memory Bytes:  0x{pcm:08x}");
        }
        s.push('\n');
        if !d.allocations.is_empty() {
            let _ = writeln!(s, "    Pool Allocations:\n");
            let dash = "-".repeat(hexw.saturating_add(2));
            let _ = writeln!(
                s,
                "      {:<w$}  {:<10}  Tag   Caller",
                "Address",
                "Length",
                w = hexw.saturating_add(2)
            );
            let _ = writeln!(s, "      {dash}  ----------  ----  {dash}");
            for a in &d.allocations {
                let sym = symbolize(a.caller).unwrap_or_default();
                let line = format!(
                    "      0x{:0hexw$x}  0x{:08x}  {}  0x{:0hexw$x}  {sym}",
                    a.address, a.length, a.tag, a.caller
                );
                let _ = writeln!(s, "{}", line.trim_end());
            }
            s.push('\n');
        }
    }
    s
}

impl PoolTraceLog {
    /// `!verifier 80 [ADDR]` text: the log heading, then each record (`Pool block …, Size …,
    /// Thread …` and its stack, symbolized by `symbolize`), newest first.
    pub fn windbg_text(&self, arch: Arch, addr: Option<u64>, symbolize: Symbolize<'_>) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Log of recent kernel pool Allocate and Free operations:\n"
        );
        let _ = writeln!(
            s,
            "There are up to {:#x} entries in the log.\n",
            self.capacity
        );
        match addr {
            Some(a) => {
                let _ = writeln!(
                    s,
                    "Parsing 0x{:08x} log entries, searching for address {:#x}.\n\n",
                    self.parsed, a
                );
            }
            None => {
                let _ = writeln!(s, "Parsing 0x{:08x} log entries.\n\n", self.parsed);
            }
        }
        for e in &self.entries {
            let _ = writeln!(s, "{}", "=".repeat(70));
            let _ = writeln!(
                s,
                "Pool block {}, Size {}, Thread {}",
                windbg_ptr(arch, e.address),
                windbg_ptr(arch, e.size),
                windbg_ptr(arch, e.thread)
            );
            for f in &e.stack {
                let sym = symbolize(*f).unwrap_or_default();
                let line = format!("{} {sym}", windbg_ptr(arch, *f));
                let _ = writeln!(s, "{}", line.trim_end());
            }
        }
        let _ = writeln!(s, "Parsed entry {:08x}/{:08x}...", self.parsed, self.parsed);
        let _ = writeln!(s, "Finished parsing all pool tracking information.");
        s
    }
}
