//! `dumpscope heap`: WinDbg's `!heap`, `!heap -s`, `!heap -a`, `!heap -x`, `!heap -p -a`,
//! `!heap -stat -h` and `!heap -flt s` over the NT heaps of a user-mode minidump (both heap sets
//! of a WOW64 process), and the heap layout in force (`--layout`, optionally from an ntdll PDB).
//!
//! Statistics (`!heap -s`, `!heap -stat`) walk each heap once with [`ntheap::Heap::walk_with`],
//! keeping no block (memory proportional to what they report), unless the [`UserDump`] cache
//! already holds the walks; block listings (`-a`, `-x`, `-flt`) use that cache, so several
//! `!heap` commands on one dump walk each heap once. Long walks show their progress on stderr
//! ([`crate::progress`]).

use std::borrow::Cow;

use ntheap::report::{self as heap_report, Found, HeapSummary, SizeCensus, SizeStat};
use ntheap::{FrontEndType, HeapLayout, HeapWalk};
use serde::Serialize;

use crate::CliError;
use crate::adapt::{FoundHeap, open_heap_at};
use crate::progress::{HeapWalkProgress, Progress};
use crate::target::UserDump;

mod json;
pub mod segment;
mod segment_text;
mod text;

/// What `heap` shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// The heaps of the process (`!heap`).
    #[default]
    List,
    /// Per-heap statistics (`!heap -s`).
    Summary,
    /// Segments and every block (`!heap -a`), of all heaps or of one.
    Entries(Option<u64>),
    /// The heap, segment and block holding an address, with its `+ust` allocation stack
    /// (`!heap -x ADDR`, `!heap -p -a ADDR`).
    Find(u64),
    /// Busy blocks grouped by requested size (`!heap -stat`).
    Stat,
    /// Busy blocks of a requested size range, inclusive (`!heap -flt s MIN MAX`).
    Filter(u64, u64),
    /// The heap layout in force for each heap (field name -> offset).
    Layout,
}

/// Options of `heap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// What to show.
    pub mode: Mode,
    /// Only this heap (`!heap -stat -h HEAP`); also opens a heap the PEB does not list.
    pub heap: Option<u64>,
    /// Lines of `Stat` text per heap.
    pub max_display: usize,
    /// Show the progress of long walks on stderr (`--summary`, `--stat`).
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::List,
            heap: None,
            max_display: 20,
            progress: false,
        }
    }
}

/// A heap's walk: from the dump's cache, or made for a heap the PEB does not list.
pub type Walk<'a> = Cow<'a, HeapWalk>;

/// The blocks a size filter found in one heap.
#[derive(Debug, Clone)]
pub struct FilterGroup {
    /// Heap address.
    pub heap: u64,
    /// Pointer size of the heap (4 or 8).
    pub pointer_size: usize,
    /// Allocation granularity of the heap (8 or 16).
    pub granularity: u64,
    /// The blocks, with their segments.
    pub blocks: Vec<Found>,
}

/// The heaps the PEB lists, and one at an address it does not list (`--heap ADDR`).
#[derive(Debug)]
pub struct HeapList<'a> {
    /// The heaps the PEB lists, in PEB order.
    pub listed: Vec<&'a FoundHeap>,
    /// The heap opened at the address given, when the PEB does not list it.
    pub extra: Option<Box<FoundHeap>>,
}

impl HeapList<'_> {
    /// All the heaps, the listed ones first.
    pub fn all(&self) -> Vec<&FoundHeap> {
        let mut all = self.listed.clone();
        all.extend(self.extra.as_deref());
        all
    }
}

/// What `heap` reports, by mode.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum View<'a> {
    /// `!heap`.
    List {
        /// The heaps, opened or not.
        #[serde(serialize_with = "json::found_heaps")]
        heaps: HeapList<'a>,
    },
    /// `!heap -s`.
    Summary {
        /// Each walked heap with its summary.
        #[serde(serialize_with = "json::summaries")]
        heaps: Vec<(Walk<'a>, HeapSummary)>,
        /// Heaps that could not be opened (text only).
        #[serde(skip)]
        not_walked: Vec<&'a FoundHeap>,
        /// Segment heaps (WinDbg's separate table).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        segment_heaps: Vec<segment::SegmentHeapRow>,
        /// Handles of page heaps (`+hpa`; `true`: light), which `!heap -p` shows (text
        /// only).
        #[serde(skip)]
        page_heap_handles: Vec<(u64, bool)>,
    },
    /// `!heap -a`.
    Entries {
        /// The walks.
        #[serde(serialize_with = "json::walks")]
        heaps: Vec<Walk<'a>>,
        /// The segment heaps' walks (blocks kept).
        #[serde(
            serialize_with = "json::segment_walks",
            skip_serializing_if = "Vec::is_empty"
        )]
        segment_heaps: Vec<ntheap::SegmentHeapWalk>,
        /// Where the segment heaps' keys were read when ntdll's PDB gave them
        /// (`ntdll!RtlpHpHeapGlobals` at ADDR, from PDB), by pointer width.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        segment_keys_from: Vec<String>,
    },
    /// `!heap -x`.
    Find {
        /// The address looked up.
        address: u64,
        /// The block holding it.
        #[serde(serialize_with = "json::found")]
        found: Option<Found>,
        /// Its allocation stack (`+ust` heaps).
        stack: Option<Vec<u64>>,
        /// Pointer size of the heap holding it (text only).
        #[serde(skip)]
        pointer_size: usize,
        /// The kind of segment-heap block holding it ("VS", "LFH", "backend", "large"), when
        /// a segment heap holds it.
        #[serde(skip_serializing_if = "Option::is_none")]
        segment_heap_block: Option<&'static str>,
    },
    /// `!heap -stat`.
    Stat {
        /// Each walked heap with its size statistics.
        #[serde(serialize_with = "json::stats")]
        heaps: Vec<(Walk<'a>, Vec<SizeStat>)>,
        /// Lines per heap (text only).
        #[serde(skip)]
        max_display: usize,
        /// The segment heaps, counted the same way.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        segment_heaps: Vec<segment::SegmentStat>,
    },
    /// `!heap -flt s`.
    Filter {
        /// Smallest requested size.
        min: u64,
        /// Largest requested size.
        max: u64,
        /// The blocks, by heap.
        #[serde(rename = "entries", serialize_with = "json::filtered")]
        groups: Vec<FilterGroup>,
    },
    /// The layouts in force.
    Layout {
        /// `(heap, layout)`; the heap is `None` for a layout read from a PDB.
        #[serde(serialize_with = "json::layouts")]
        layouts: Vec<(Option<u64>, HeapLayout)>,
    },
}

/// The report of `heap`: the view, and what the text adds after it.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Report<'a> {
    /// What was asked for.
    pub view: View<'a>,
    /// Problems reading the PEB (text only, after the view).
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// The error the command ends with (no heap at all).
    #[serde(skip)]
    pub failure: Option<String>,
}

/// "none", "lookaside" or "LFH".
pub fn front_end_name(f: FrontEndType) -> &'static str {
    match f {
        FrontEndType::None => "none",
        FrontEndType::Lookaside => "lookaside",
        FrontEndType::Lfh => "LFH",
    }
}

/// The layout report of an ntdll PDB's bytes (`heap --layout --pdb`): no dump needed.
pub fn layout_from_pdb(bytes: &[u8]) -> Result<Report<'static>, ntheap::Error> {
    let l = HeapLayout::from_pdb_bytes(bytes)?;
    Ok(Report {
        view: View::Layout {
            layouts: vec![(None, l)],
        },
        warnings: Vec::new(),
        failure: None,
    })
}

/// Runs `heap` on a dump.
pub fn investigate<'a>(u: &'a UserDump, options: &Options) -> Result<Report<'a>, CliError> {
    let heaps = u.heaps();
    if options.mode == Mode::Layout {
        let layouts: Vec<(Option<u64>, HeapLayout)> = heaps
            .found
            .iter()
            .filter_map(|f| Some((Some(f.address), f.heap.as_ref().ok()?.layout.clone())))
            .collect();
        if layouts.is_empty() {
            return Err(CliError::at(&u.path, "no NT heap could be opened"));
        }
        return Ok(Report {
            view: View::Layout { layouts },
            warnings: Vec::new(),
            failure: None,
        });
    }
    let entries_only = match options.mode {
        Mode::Entries(h) => h,
        _ => None,
    };
    let select = options.heap.or(entries_only);
    // A heap the PEB does not list (or the PEB is not in the dump): open it as given.
    let extra = select
        .filter(|h| !heaps.found.iter().any(|f| f.address == *h))
        .map(|h| open_heap_at(&u.dump, h));
    let has_extra = extra.is_some();
    let mut extra = extra;
    // The heaps to show: the one given, or those the PEB lists.
    let selected: Vec<&ntheap::Heap> = match &extra {
        Some(f) => f.heap.as_ref().ok().into_iter().collect(),
        None => heaps
            .found
            .iter()
            .filter_map(|f| f.heap.as_ref().ok())
            .filter(|h| select.is_none_or(|a| a == h.address))
            .collect(),
    };
    let progress = if options.progress {
        Progress::new()
    } else {
        Progress::off()
    };
    let streamed = matches!(options.mode, Mode::Summary | Mode::Stat);
    // Statistics walk each heap once and keep no block, unless the walks are already made.
    let made = u.walks_if_made().filter(|_| extra.is_none());
    let walks: Vec<Walk<'a>> = match (&extra, made) {
        (None, Some(made)) => made
            .iter()
            .filter(|w| select.is_none_or(|h| h == w.heap.address))
            .map(Cow::Borrowed)
            .collect(),
        // Statistics stream below; the heap list needs no walk.
        _ if streamed || options.mode == Mode::List => Vec::new(),
        (Some(_), _) => {
            let w: Vec<Walk<'a>> = selected
                .iter()
                .map(|h| {
                    let mut shown = HeapWalkProgress::new(
                        &progress,
                        0,
                        1,
                        h.address,
                        |_: &ntheap::Entry, _: ntheap::BlockSource<'_>| {},
                    );
                    Cow::Owned(h.walk_observed(&u.memory(), &mut shown))
                })
                .collect();
            progress.done();
            w
        }
        (None, None) => u
            .walks_with(&progress)
            .iter()
            .filter(|w| select.is_none_or(|h| h == w.heap.address))
            .map(Cow::Borrowed)
            .collect(),
    };
    // (walk, census) per heap, in one pass each.
    let counted = |want_census: bool| -> Vec<(Walk<'a>, SizeCensus)> {
        if !walks.is_empty() || selected.is_empty() {
            return walks
                .iter()
                .map(|w| {
                    let light = crate::user::pageheap::light::light_layout_of(
                        u,
                        w.heap.address,
                        w.heap.width(),
                    );
                    let c = if want_census && light.is_some() {
                        let mut c = SizeCensus::new();
                        w.visit_entries(&mut |e: &ntheap::Entry, s: ntheap::BlockSource<'_>| {
                            crate::user::pageheap::light::count(u, light.as_ref(), &mut c, e, s);
                        });
                        c
                    } else if want_census {
                        heap_report::census(w)
                    } else {
                        SizeCensus::new()
                    };
                    (w.clone(), c)
                })
                .collect();
        }
        let mem = u.memory();
        let out = selected
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let mut c = SizeCensus::new();
                let light = crate::user::pageheap::light::light_layout_of(u, h.address, h.width());
                let mut count = |e: &ntheap::Entry, s: ntheap::BlockSource<'_>| {
                    if want_census {
                        crate::user::pageheap::light::count(u, light.as_ref(), &mut c, e, s);
                    }
                };
                let mut v =
                    HeapWalkProgress::new(&progress, i, selected.len(), h.address, &mut count);
                let w = h.walk_with(&mem, &mut v);
                (Cow::Owned(w), c)
            })
            .collect();
        progress.done();
        out
    };
    // The segment heaps (walked with their blocks) for the block listings.
    let segment_walks = || -> Vec<ntheap::SegmentHeapWalk> {
        segment::walks(u)
            .into_iter()
            .filter(|w| select.is_none_or(|h| h == w.heap.address))
            .collect()
    };
    let view = match &options.mode {
        Mode::Summary => View::Summary {
            heaps: counted(false)
                .into_iter()
                .map(|(w, _)| {
                    let s = heap_report::summary(&w);
                    (w, s)
                })
                .collect(),
            not_walked: heaps.found.iter().filter(|f| f.heap.is_err()).collect(),
            segment_heaps: segment::segment_heaps(u),
            page_heap_handles: heaps
                .found
                .iter()
                .filter_map(|f| {
                    let root = ntheap::page_heap_root_of(&u.memory(), f.address)?;
                    // HeapFlags bit 0 (ENABLE_PAGE_HEAP): full page heap, else light.
                    let flags =
                        ntheap::ReadMemory::read_u32(&u.memory(), root.checked_add(4)?).ok()?;
                    Some((f.address, flags & 1 == 0))
                })
                .collect(),
        },
        Mode::Entries(_) => View::Entries {
            heaps: walks,
            segment_heaps: segment_walks(),
            segment_keys_from: [ntheap::PointerWidth::Bits64, ntheap::PointerWidth::Bits32]
                .into_iter()
                .filter_map(|w| u.ntdll_keys(w))
                .map(|k| {
                    format!(
                        "ntdll!RtlpHpHeapGlobals at {:#x} (from {})",
                        k.globals,
                        k.pdb.display()
                    )
                })
                .collect(),
        },
        Mode::Find(a) => find(u, &walks, *a),
        Mode::Stat => View::Stat {
            heaps: counted(true)
                .into_iter()
                .map(|(w, c)| (w, c.stats()))
                .collect(),
            max_display: options.max_display,
            segment_heaps: segment::stats(u)
                .into_iter()
                .filter(|r| select.is_none_or(|h| h == r.address))
                .collect(),
        },
        Mode::Filter(min, max) => View::Filter {
            min: *min,
            max: *max,
            groups: walks
                .iter()
                .map(|w| filter(w, *min, *max))
                .chain(segment::filter(&segment_walks(), *min, *max))
                .collect(),
        },
        Mode::List | Mode::Layout => View::List {
            heaps: HeapList {
                listed: heaps.found.iter().collect(),
                extra: extra.take().map(Box::new),
            },
        },
    };
    let failure = (heaps.found.is_empty() && !has_extra).then(|| {
        format!(
            "{}: no heap found (PEB.ProcessHeaps is empty or not in the dump)",
            u.path.display()
        )
    });
    Ok(Report {
        view,
        warnings: heaps.warnings.clone(),
        failure,
    })
}

/// Pointer size of a walked heap (4 for the WOW64 heaps).
pub fn pointer_size(w: &HeapWalk) -> usize {
    if w.heap.width() == ntheap::PointerWidth::Bits32 {
        4
    } else {
        8
    }
}

/// `!heap -x ADDR`: the block holding `a`, with its allocation stack on `+ust` heaps.
fn find<'a>(u: &UserDump, walks: &[Walk<'a>], a: u64) -> View<'a> {
    let hit = walks
        .iter()
        .find_map(|w| Some((w, heap_report::find(std::slice::from_ref(w.as_ref()), a)?)));
    let stack = hit.and_then(|(w, f)| w.heap.stack_trace(&u.memory(), &f.entry).ok().flatten());
    if hit.is_none()
        && let Some((f, kind)) = segment::find(&segment::walks(u), a)
    {
        let ps = u
            .heaps()
            .found
            .iter()
            .find(|h| h.address == f.heap)
            .map_or(8, |h| usize::try_from(h.width.bytes()).unwrap_or(8));
        return View::Find {
            address: a,
            found: Some(f),
            stack: None,
            pointer_size: ps,
            segment_heap_block: Some(kind.name()),
        };
    }
    View::Find {
        address: a,
        found: hit.map(|(_, f)| f),
        stack,
        pointer_size: hit.map_or(8, |(w, _)| pointer_size(w)),
        segment_heap_block: None,
    }
}

/// `!heap -flt s MIN MAX` on one heap: each block with its segment.
fn filter(w: &HeapWalk, min: u64, max: u64) -> FilterGroup {
    let blocks = heap_report::filter(w, min, max)
        .into_iter()
        .map(|entry| Found {
            heap: w.heap.address,
            segment: w
                .segments
                .iter()
                .find(|s| {
                    entry.address >= s.segment.address && entry.address < s.segment.last_valid_entry
                })
                .map(|s| s.segment.address),
            entry,
        })
        .collect();
    FilterGroup {
        heap: w.heap.address,
        pointer_size: pointer_size(w),
        granularity: w.heap.width().granularity(),
        blocks,
    }
}
