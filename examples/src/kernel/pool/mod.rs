//! Kernel pool as WinDbg's `!poolused`, `!pool`, `!poolfind` show it, plus the big page table
//! and pool tag descriptions: `pooltrack` over the dump's memory, its context from KDBG and the
//! kernel's symbols (`DUMP.isf.json`).

use std::path::PathBuf;

use pooltrack::{PoolUsedFlags, TagDescriptions};
use serde::Serialize;

use crate::CliError;
use crate::target::KernelTarget;

mod text;

/// Which pool view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `!poolused FLAGS [TAG]`: usage per tag (flags: 1 verbose, 2 sort by non-paged bytes, 4 by
    /// paged bytes, 8 session pool).
    Used {
        /// WinDbg's flags.
        flags: u32,
        /// A tag pattern (`Thre`, `Th*`, `?hre`).
        tag: Option<String>,
    },
    /// The big page table's allocations.
    Big,
    /// `!pool ADDR`: the allocation or pool page holding an address.
    Page(u64),
    /// `!poolfind TAG`: allocations with a tag (big pool, then the pool ranges).
    Find(String),
    /// The description of every tag in use (or of the given pattern).
    Tags(Option<String>),
    /// The drivers whose code uses a tag.
    Owners {
        /// The tag.
        tag: String,
        /// A folder of driver files for drivers whose code is not all in the dump.
        images: Option<PathBuf>,
    },
}

/// What to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The view.
    pub mode: Mode,
    /// A `pooltag.txt` to describe tags with (else the built-in table).
    pub pooltag: Option<PathBuf>,
    /// Show progress on stderr for the long passes (`!poolfind`).
    pub progress: bool,
}

/// One tag's usage.
#[derive(Debug, Clone, Serialize)]
pub struct TagRow {
    /// The tag.
    pub tag: String,
    /// Non-paged allocations, frees, bytes.
    pub non_paged: [u64; 3],
    /// Paged allocations, frees, bytes.
    pub paged: [u64; 3],
    /// The tag's description (pooltag.txt or built-in), when known.
    pub description: Option<String>,
}

/// One allocation (big pool or found).
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    /// Address of the allocation (of its header for a small block).
    pub address: u64,
    /// Tag.
    pub tag: String,
    /// Size in bytes.
    pub size: u64,
    /// Paged pool (`None`: not known).
    pub paged: Option<bool>,
    /// Free block.
    pub free: bool,
}

/// The pool report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `used`, `big`, `page`, `find` or `tags`.
    pub view: &'static str,
    /// Tag usage (`used`, `tags`), in the order shown.
    pub tags: Vec<TagRow>,
    /// Allocations (`big`, `find`, and the blocks of `page`).
    pub allocations: Vec<Allocation>,
    /// Notes: tables not read, pages missing from the dump.
    pub notes: Vec<String>,
    /// `owners`: the tag's description and the drivers whose code uses it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<crate::kernel::leak::TagOwner>,
    /// `page`: what holds the address beyond a classic pool page (large allocation,
    /// segment-heap LFH or VS subsegment, not walked...), in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_kind: Option<String>,
    #[serde(skip)]
    pub(crate) windbg: String,
}

fn row(t: &pooltrack::TagUsage, d: &TagDescriptions) -> TagRow {
    let c = |c: pooltrack::TagCounts| [c.allocs, c.frees, c.bytes];
    TagRow {
        tag: t.tag.to_string(),
        non_paged: c(t.non_paged),
        paged: c(t.paged),
        description: d.get(t.tag).map(pooltrack::TagInfo::windbg_text),
    }
}

/// The tag descriptions: from the `pooltag.txt` given, else the first one found where the
/// Debugging Tools keep theirs ([`pooltag_locations`]), with the built-in table under it for
/// tags it lacks; else the built-in table alone.
pub(crate) fn descriptions(pooltag: Option<&std::path::Path>) -> Result<TagDescriptions, CliError> {
    let found;
    let file = match pooltag {
        Some(p) => Some(p),
        None => {
            found = pooltag_locations().into_iter().find(|p| p.is_file());
            found.as_deref()
        }
    };
    let mut d = match file {
        Some(p) => {
            let text = std::fs::read(p).map_err(|e| CliError::at(p, e))?;
            TagDescriptions::parse_pooltag_txt(&String::from_utf8_lossy(&text))
        }
        None => return Ok(TagDescriptions::builtin()),
    };
    d.merge(&TagDescriptions::builtin());
    Ok(d)
}

/// Where a `pooltag.txt` is looked for when none is named: `DUMPSCOPE_POOLTAG`, then the
/// `triage` folder of the Debugging Tools for Windows (Windows Kits 10 and 8.1, each
/// architecture, under `ProgramFiles(x86)` and `ProgramFiles`), as WinDbg's `!poolused` reads it.
pub(crate) fn pooltag_locations() -> Vec<std::path::PathBuf> {
    use std::path::PathBuf;
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("DUMPSCOPE_POOLTAG") {
        out.push(PathBuf::from(p));
    }
    let roots = ["ProgramFiles(x86)", "ProgramFiles"]
        .iter()
        .filter_map(|v| std::env::var_os(v).map(PathBuf::from))
        .chain([
            PathBuf::from(r"C:\Program Files (x86)"),
            PathBuf::from(r"C:\Program Files"),
        ]);
    for root in roots {
        for kit in ["10", "8.1"] {
            for arch in ["x64", "x86", "arm64"] {
                out.push(
                    root.join("Windows Kits")
                        .join(kit)
                        .join("Debuggers")
                        .join(arch)
                        .join("triage")
                        .join("pooltag.txt"),
                );
            }
        }
        out.push(
            root.join("Debugging Tools for Windows (x64)")
                .join("triage")
                .join("pooltag.txt"),
        );
    }
    out.dedup();
    out
}

/// `pooltrack`'s error as one line; a global the dump's KDBG lacks (and no ISF file named)
/// says where the kernel's symbols go.
pub(crate) fn perr(k: &KernelTarget, e: pooltrack::Error) -> CliError {
    if let pooltrack::Error::Corrupt { what, addr: 0 } = &e
        && let Some(name) = what.strip_suffix(" (not given)")
    {
        return CliError::at(
            &k.path,
            format!(
                "{name} is not known from this dump (KDBG, captured memory) without the kernel's symbols: {}",
                k.symbols_hint()
            ),
        );
    }
    CliError::new(if e.is_not_captured() {
        format!("not in the dump: {e}")
    } else {
        e.to_string()
    })
}

/// What `!pool`'s page kind adds for `--json` readers (the text says it in WinDbg's words).
fn page_note(kind: &pooltrack::PoolPageKind) -> Option<String> {
    use pooltrack::PoolPageKind as K;
    Some(match kind {
        K::Small => return None,
        K::Large(e) => format!("large allocation {:#x} (big page table)", e.va),
        K::SegmentHeap => "segment-heap pool not walked: nt!ExPoolState and nt!RtlpHpHeapGlobals need the kernel's symbols".to_string(),
        K::SegmentLfh { subsegment, block_size } => format!(
            "segment-heap LFH subsegment {subsegment:#x}, blocks of {block_size:#x} bytes"
        ),
        K::SegmentVs { subsegment } => format!("segment-heap VS subsegment {subsegment:#x}"),
        K::SegmentRange { segment, range, flags } => format!(
            "segment-heap page segment {segment:#x}, range {range:#x} (flags {flags:#x}): no small pool blocks"
        ),
        K::SegmentNotFound => "in no page segment of the pool's segment heaps".to_string(),
    })
}

/// Runs the pool view.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    // Tag owners read drivers' code (or their files), which a triage dump may have.
    if !matches!(o.mode, Mode::Owners { .. }) {
        k.require_memory_dump("The pool")?;
    }
    let pool = k.pool()?;
    let arch = k.build()?.arch;
    let d = descriptions(o.pooltag.as_deref())?;
    let mut r = Report {
        view: "used",
        tags: Vec::new(),
        allocations: Vec::new(),
        notes: Vec::new(),
        owners: None,
        page_kind: None,
        windbg: String::new(),
    };
    match &o.mode {
        Mode::Used { flags, tag } => {
            let f = PoolUsedFlags::from_bits(*flags);
            let usage = pool.pool_usage(flags & 8 != 0).map_err(|e| perr(k, e))?;
            let shown: Vec<pooltrack::TagUsage> = usage
                .sorted(f.sort)
                .into_iter()
                .filter(|t| tag.as_deref().is_none_or(|p| t.tag.matches(p)))
                .collect();
            r.tags = shown.iter().map(|t| row(t, &d)).collect();
            r.notes.extend(k.pool_note());
            if !usage.layout_confirmed() {
                r.notes.push(
                    "many tracker keys are not printable: the layout may not fit this dump"
                        .to_string(),
                );
            }
            r.windbg = usage.windbg_text(f, tag.as_deref(), &d);
        }
        Mode::Big => {
            r.view = "big";
            r.notes.extend(k.pool_note());
            let big = pool.big_pool().map_err(|e| perr(k, e))?;
            r.allocations = big
                .entries
                .iter()
                .map(|e| Allocation {
                    address: e.va,
                    tag: e.tag.to_string(),
                    size: e.size,
                    paged: e.pool_type.map(|t| t & 1 != 0),
                    free: false,
                })
                .collect();
            if big.missing > 0 {
                r.notes
                    .push(format!("{} table entries not in the dump", big.missing));
            }
        }
        Mode::Page(addr) => {
            r.view = "page";
            let page = pool.pool_page(*addr).map_err(|e| perr(k, e))?;
            r.windbg = page.windbg_text(arch, &d);
            r.allocations = page
                .blocks
                .iter()
                .map(|b| Allocation {
                    address: b.addr,
                    tag: b.tag.to_string(),
                    size: b.size,
                    paged: b.paged,
                    free: b.free,
                })
                .collect();
            r.page_kind = page_note(&page.kind);
        }
        Mode::Find(tag) => {
            r.view = "find";
            r.notes.extend(k.pool_note());
            let c = pool.context();
            let segment = pool.is_segment_heap_build() && c.pool_state != 0 && c.heap_key.is_some();
            let progress = crate::progress::Progress::with(o.progress);
            let mut tick = |p: pooltrack::ScanProgress| {
                progress.tick(|| {
                    format!(
                        "!poolfind {tag}: {} of {} of pool scanned, {} found",
                        crate::report::human_size(p.bytes_done),
                        crate::report::human_size(p.bytes_total),
                        p.hits
                    )
                });
                true
            };
            let found = if segment {
                r.notes.push(
                    "segment-heap pool: the LFH and VS subsegments of the heaps in nt!ExPoolState"
                        .to_string(),
                );
                pool.segment_pool_find(tag, &mut tick)
            } else {
                if pool.is_segment_heap_build() {
                    r.notes.push("segment-heap pool without nt!ExPoolState and nt!RtlpHpHeapGlobals (the kernel's symbols): a raw scan of the pool ranges for pool headers".to_string());
                }
                let ranges: Vec<(u64, u64)> = [c.non_paged_pool, c.paged_pool]
                    .into_iter()
                    .flatten()
                    .collect();
                pool.pool_find(tag, &ranges, &mut tick)
            }
            .map_err(|e| perr(k, e));
            progress.done();
            let found = found?;
            r.allocations = found
                .hits
                .iter()
                .map(|h| Allocation {
                    address: h.addr,
                    tag: h.tag.to_string(),
                    size: h.size,
                    paged: h.paged,
                    free: h.free,
                })
                .collect();
            if found.pages_missing > 0 {
                let what = if segment {
                    "the segment heaps"
                } else {
                    "the pool ranges"
                };
                r.notes.push(format!(
                    "{} pages of {what} are not in the dump",
                    found.pages_missing
                ));
            }
            if found.stopped_early {
                r.notes.push("stopped at the findings limit".to_string());
            }
        }
        Mode::Owners { tag, images } => {
            r.view = "owners";
            r.owners = Some(crate::kernel::leak::owners::owner_with(
                k,
                tag,
                &d,
                images.as_deref(),
            ));
        }
        Mode::Tags(pattern) => {
            r.view = "tags";
            let usage = pool.pool_usage(false).map_err(|e| perr(k, e))?;
            let v = match pattern {
                Some(p) => usage.filter(p),
                None => usage.tags.clone(),
            };
            r.tags = v.iter().map(|t| row(t, &d)).collect();
        }
    }
    Ok(r)
}
