//! Steps 1 to 3: region usage, the heaps that grew, and the requested sizes that dominate.

use ntheap::report::{SizeCensus, SizeMap};
use ntheap::{BlockSource, Entry, LightCheck, PageHeapLayout, WalkVisitor};

use super::*;
use crate::progress::HeapWalkProgress;

/// Candidate blocks kept per requested size for the content step (twice the samples it
/// reads, so a few unreadable blocks do not leave it short).
const CANDIDATES: usize = SAMPLES * 2;
/// Requested sizes whose first blocks are kept; blocks of later sizes are found again by a
/// second walk if the content step needs them (a heap of more distinct sizes is rare).
const SAMPLED_SIZES: usize = 4096;

/// The first user blocks of each requested size met by a walk, in walk order; bounded by
/// [`CANDIDATES`] per size and [`SAMPLED_SIZES`] sizes.
#[derive(Debug)]
pub(crate) struct Samples {
    by_size: SizeMap<Vec<Entry>>,
    /// Sizes met after the cap on sizes: their blocks were not kept.
    overflow: bool,
    /// The cap on sizes ([`SAMPLED_SIZES`]).
    max_sizes: usize,
}

impl Default for Samples {
    fn default() -> Self {
        Samples {
            by_size: SizeMap::default(),
            overflow: false,
            max_sizes: SAMPLED_SIZES,
        }
    }
}

impl Samples {
    fn add(&mut self, e: &Entry) {
        let Some(r) = e.requested_size else { return };
        let full = self.by_size.len() >= self.max_sizes;
        match self.by_size.get_mut(&r) {
            Some(v) if v.len() < CANDIDATES => v.push(*e),
            Some(_) => {}
            None if full => self.overflow = true,
            None => {
                self.by_size.insert(r, vec![*e]);
            }
        }
    }

    /// The first user blocks of requested size `size` of `heap`, in walk order, [`CANDIDATES`]
    /// at most (walking the heap again only when the size was not among the sampled ones).
    fn candidates<M: ntheap::ReadMemory + ?Sized>(
        &self,
        heap: &HeapWalked,
        mem: &M,
        size: u64,
        light: Option<&PageHeapLayout>,
    ) -> Vec<Entry> {
        // A size met before the cap on sizes kept its first blocks from its first block on.
        if let Some(v) = self.by_size.get(&size) {
            return v.clone();
        }
        if !self.overflow {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut keep = |e: &Entry, s: BlockSource<'_>| {
            if out.len() >= CANDIDATES || !s.is_user_allocation(e) {
                return;
            }
            if let Some(e) = program_block(mem, light, e)
                && e.requested_size == Some(size)
            {
                out.push(e);
            }
        };
        match heap {
            HeapWalked::Nt(w) => {
                w.heap.walk_with(mem, &mut keep);
            }
            HeapWalked::Segment(w) => {
                w.heap.walk_with(mem, segment_keys(w), &mut keep);
            }
            HeapWalked::FullPageHeap(_) => {}
        }
        out
    }
}

/// A user block as the program sees it: in the normal heap of a light page heap, a block
/// with busy block information becomes its user data (after the header, of the requested
/// size), a block freed into the delayed free cache is none (`None`); any other block is
/// itself.
pub(crate) fn program_block<M: ntheap::ReadMemory + ?Sized>(
    mem: &M,
    light: Option<&PageHeapLayout>,
    e: &Entry,
) -> Option<Entry> {
    let Some(layout) = light else {
        return Some(*e);
    };
    match ntheap::light_block(mem, layout, e) {
        LightCheck::Block(b) if b.busy => Some(Entry {
            user_address: b.user_address,
            requested_size: Some(b.requested_size),
            ..*e
        }),
        LightCheck::Block(_) => None,
        LightCheck::NotPageHeap | LightCheck::Unreadable => Some(*e),
    }
}

/// A full-page-heap block as an entry of the census (busy, front end: a user allocation).
fn page_entry(b: &ntheap::PageHeapBlock) -> Entry {
    Entry {
        address: b.node,
        user_address: b.user_address,
        size: b.virtual_size,
        previous_size: 0,
        flags: ntheap::EntryFlags::empty(),
        unused_bytes: 0,
        requested_size: Some(b.requested_size),
        state: ntheap::EntryState::Busy,
        front_end: true,
    }
}

impl Walked {
    /// The first user blocks of requested size `size`, in walk order, [`CANDIDATES`] at most
    /// (walking the heap again only when the size was not among the sampled ones).
    pub(crate) fn candidates(&self, size: u64, u: &UserDump) -> Vec<Entry> {
        match &self.page {
            PageSource::Full(p) => p
                .busy
                .iter()
                .filter(|b| b.requested_size == size)
                .take(CANDIDATES)
                .map(page_entry)
                .collect(),
            PageSource::Light(l) => self
                .samples
                .candidates(&self.walk, &u.memory(), size, Some(l)),
            PageSource::None => self.samples.candidates(&self.walk, &u.memory(), size, None),
        }
    }

    /// The allocation stack of a sampled block: the page heap's own (`_DPH_HEAP_BLOCK` or
    /// block information `StackTrace`), else the `+ust` one of its NT heap.
    pub(crate) fn stack_of(&self, u: &UserDump, e: &Entry) -> Option<Vec<u64>> {
        let mem = u.memory();
        match &self.page {
            PageSource::Full(p) => {
                let i = p
                    .busy
                    .binary_search_by_key(&e.user_address, |b| b.user_address)
                    .ok()?;
                return p.stack_trace(&mem, p.busy.get(i)?).ok().flatten();
            }
            PageSource::Light(l) => {
                let nt = Entry {
                    user_address: e.user_address.saturating_sub(l.info_size),
                    requested_size: None,
                    ..*e
                };
                if let LightCheck::Block(b) = ntheap::light_block(&mem, l, &nt)
                    && let Ok(Some(frames)) = ntheap::light_stack_trace(&mem, l.width, &b)
                {
                    return Some(frames);
                }
            }
            PageSource::None => {}
        }
        match &self.walk {
            HeapWalked::Nt(w) => w.heap.stack_trace(&mem, e).ok().flatten(),
            HeapWalked::Segment(_) | HeapWalked::FullPageHeap(_) => None,
        }
    }
}

impl Walked {
    /// What records this heap's allocation stacks: `"page heap"` or `"+ust"`.
    pub(crate) fn stack_recorder(&self) -> &'static str {
        match self.page {
            PageSource::None => "+ust",
            PageSource::Light(_) | PageSource::Full(_) => "page heap",
        }
    }
}

/// Where a walked heap's blocks come from, for the page-heap cases.
#[derive(Debug)]
pub(crate) enum PageSource {
    /// An NT heap.
    None,
    /// The normal heap of a page-heap root: blocks carry block information of this layout.
    Light(PageHeapLayout),
    /// A full page heap's busy tree.
    Full(Box<ntheap::PageHeap>),
}

/// What one pass over a heap collects for the leak steps.
struct LeakVisitor<'f, 'm> {
    census: SizeCensus,
    samples: Samples,
    beyond_headers: bool,
    bits: u32,
    on_block: &'f mut dyn FnMut(u32, &Entry),
    /// The normal heap of a page-heap root: blocks are counted as the program sees them.
    light: Option<PageHeapLayout>,
    mem: &'m crate::adapt::DumpMemory<'m>,
}

impl<'f, 'm> LeakVisitor<'f, 'm> {
    fn new(
        bits: u32,
        on_block: &'f mut dyn FnMut(u32, &Entry),
        light: Option<PageHeapLayout>,
        mem: &'m crate::adapt::DumpMemory<'m>,
    ) -> Self {
        LeakVisitor {
            census: SizeCensus::new(),
            samples: Samples::default(),
            beyond_headers: false,
            bits,
            on_block,
            light,
            mem,
        }
    }
}

impl WalkVisitor for LeakVisitor<'_, '_> {
    fn block(&mut self, e: &Entry, source: BlockSource<'_>) {
        if !source.is_segment_header(e) {
            self.beyond_headers = true;
        }
        let e = if self.light.is_some() && source.is_user_allocation(e) {
            match program_block(self.mem, self.light.as_ref(), e) {
                Some(e) => e,
                None => return,
            }
        } else {
            *e
        };
        if self.census.add(&e, source) {
            self.samples.add(&e);
            (self.on_block)(self.bits, &e);
        }
    }
}

/// Step 2: the heaps of the process (64-bit and WOW64 32-bit ones), each walked once, each
/// with its growth figures, largest footprint first. The walk keeps no block: it counts them
/// by size (step 3), keeps the first ones of each size (step 4), and hands every user block to
/// `on_block` (with the heap's pointer width) in walk order.
///
/// Page heaps count as the program sees them: a full page heap (`gflags +hpa`) is one more
/// heap whose blocks are its busy tree's (at its handle); in the normal heap of any page-heap
/// root (light page heap, `gflags /p /enable` or Application Verifier), a block with block
/// information counts with its requested size and user address, and one freed into the
/// delayed free cache does not count.
pub fn walk_heaps(
    u: &UserDump,
    progress: &Progress,
    notes: &mut Vec<String>,
    on_block: &mut dyn FnMut(u32, &Entry),
) -> (Vec<Walked>, Vec<HeapGrowth>) {
    if let Err(e) = u.process() {
        notes.push(format!("process facts (PEB) unreadable: {e}"));
    }
    let found = &u.heaps().found;
    let mem = u.memory();
    let (page_heaps, page_warnings) = crate::user::pageheap::page_heaps(u);
    notes.extend(page_warnings);
    let light_of = |address: u64, width: ntheap::PointerWidth| {
        page_heaps
            .iter()
            .find(|p| p.normal_heap == address && p.layout.width == width)
            .map(|p| PageHeapLayout::builtin(p.layout.width))
    };
    let mut walked = Vec::new();
    let mut growth = Vec::new();
    for (i, f) in found.iter().enumerate() {
        let bits = if f.width == ntheap::PointerWidth::Bits32 {
            32
        } else {
            64
        };
        let heap = match &f.heap {
            Ok(h) => h,
            // A page heap's handle is no NT heap: its blocks come from its root (below).
            Err(_) if ntheap::page_heap_root_of(&mem, f.address).is_some() => continue,
            Err(_) if f.kind == Some(ntheap::HeapKind::Segment) => {
                let visitor = LeakVisitor::new(bits, &mut *on_block, None, &mem);
                let (g, w) = walk_segment_heap(u, f, bits, visitor);
                growth.push(g);
                walked.extend(w);
                continue;
            }
            Err(e) => {
                growth.push(HeapGrowth::empty(f.address, bits, Some(e.to_string())));
                continue;
            }
        };
        let light = light_of(f.address, f.width);
        let visitor = LeakVisitor::new(bits, &mut *on_block, light, &mem);
        let mut v = HeapWalkProgress::new(progress, i, found.len(), f.address, visitor);
        let walk = heap.walk_with(&mem, &mut v);
        let LeakVisitor {
            census,
            samples,
            beyond_headers,
            ..
        } = v.inner;
        let limits = walk.limits_reached();
        if !limits.is_empty() {
            notes.push(format!(
                "heap {:#x}: the walk was cut short by a limit ({}): its figures cover only \
                 what was walked",
                f.address,
                limits.join(", ")
            ));
        }
        let s = ntheap::report::summary(&walk);
        growth.push(HeapGrowth {
            address: f.address,
            bits,
            segments: u64::try_from(s.segments).unwrap_or(u64::MAX),
            reserved: s.reserved,
            committed: s.committed,
            busy_blocks: census.busy_blocks,
            busy_bytes: census.busy_bytes,
            virtual_blocks: u64::try_from(s.virtual_blocks).unwrap_or(u64::MAX),
            virtual_block_bytes: s.virtual_block_bytes,
            corruption: u64::try_from(walk.corruption().count()).unwrap_or(u64::MAX),
            error: None,
            segment_heap: false,
        });
        walked.push(Walked {
            address: f.address,
            walk: HeapWalked::Nt(Box::new(walk)),
            bits,
            census,
            beyond_headers,
            samples,
            page: light.map_or(PageSource::None, PageSource::Light),
        });
    }
    for p in page_heaps.into_iter().filter(|p| !p.busy.is_empty()) {
        let (w, g) = full_page_heap(p, on_block);
        walked.push(w);
        growth.push(g);
    }
    growth.sort_by(|a, b| {
        b.footprint()
            .cmp(&a.footprint())
            .then(a.address.cmp(&b.address))
    });
    (walked, growth)
}

/// A full page heap as one more heap: its busy tree's blocks counted by requested size, its
/// virtual blocks as its footprint (each block's pages but the guard page are committed).
fn full_page_heap(
    p: ntheap::PageHeap,
    on_block: &mut dyn FnMut(u32, &Entry),
) -> (Walked, HeapGrowth) {
    let bits = if p.layout.width == ntheap::PointerWidth::Bits32 {
        32
    } else {
        64
    };
    let mut census = SizeCensus::new();
    let mut samples = Samples::default();
    let (mut reserved, mut committed) = (0u64, 0u64);
    for b in p.busy.iter().chain(&p.free) {
        reserved = reserved.saturating_add(b.virtual_size);
    }
    for b in &p.busy {
        committed = committed.saturating_add(b.virtual_size.saturating_sub(ntheap::PAGE_SIZE));
        let e = page_entry(b);
        if census.add(&e, BlockSource::Lfh) {
            samples.add(&e);
            on_block(bits, &e);
        }
    }
    let g = HeapGrowth {
        address: p.handle(),
        bits,
        segments: 0,
        reserved,
        committed,
        busy_blocks: census.busy_blocks,
        busy_bytes: census.busy_bytes,
        virtual_blocks: 0,
        virtual_block_bytes: 0,
        corruption: u64::try_from(p.findings.len()).unwrap_or(u64::MAX),
        error: None,
        segment_heap: false,
    };
    let w = Walked {
        address: p.handle(),
        walk: HeapWalked::FullPageHeap(p.handle()),
        bits,
        census,
        beyond_headers: true,
        samples,
        page: PageSource::Full(Box::new(p)),
    };
    (w, g)
}

/// The keys a segment heap's walk used, to walk it again alike.
fn segment_keys(w: &ntheap::SegmentHeapWalk) -> ntheap::SegmentHeapKeys {
    ntheap::SegmentHeapKeys {
        heap_key: w.keys.heap_key,
        lfh_key: w.keys.lfh_key,
    }
}

/// A segment heap for step 2: its growth figures (reserved and committed bytes from its
/// statistics, page segments as segments, large allocations as large blocks) and its walk,
/// when the build's layout is known.
fn walk_segment_heap(
    u: &UserDump,
    f: &crate::adapt::FoundHeap,
    bits: u32,
    mut v: LeakVisitor<'_, '_>,
) -> (HeapGrowth, Option<Walked>) {
    let h = match crate::user::heap::segment::open_heap(u, f) {
        Ok(h) if h.layout.is_some() => h,
        Ok(_) => {
            let why = "segment heap layout of this build unknown: blocks not walked";
            return (HeapGrowth::empty(f.address, bits, Some(why.into())), None);
        }
        Err(e) => return (HeapGrowth::empty(f.address, bits, Some(e)), None),
    };
    let walk = h.walk_with(&u.memory(), u.segment_heap_keys(f.width), &mut v);
    let large: Vec<&ntheap::LargeAllocation> = h.large.iter().flatten().collect();
    let pages = |p: Option<u64>| p.unwrap_or(0).saturating_mul(ntheap::PAGE_SIZE);
    let g = HeapGrowth {
        address: f.address,
        bits,
        segments: u64::try_from(walk.segments.len()).unwrap_or(u64::MAX),
        reserved: pages(h.reserved_pages),
        committed: pages(h.committed_pages),
        busy_blocks: v.census.busy_blocks,
        busy_bytes: v.census.busy_bytes,
        virtual_blocks: u64::try_from(large.len()).unwrap_or(u64::MAX),
        virtual_block_bytes: large.iter().fold(0u64, |a, l| a.saturating_add(l.size)),
        corruption: u64::try_from(walk.findings.iter().filter(|x| x.is_corruption()).count())
            .unwrap_or(u64::MAX),
        error: None,
        segment_heap: true,
    };
    let w = Walked {
        address: f.address,
        walk: HeapWalked::Segment(Box::new(walk)),
        bits,
        census: v.census,
        beyond_headers: v.beyond_headers,
        samples: v.samples,
        page: PageSource::None,
    };
    (g, Some(w))
}

/// Step 1: region usage, with the walked heaps as owners.
pub fn region_step(u: &UserDump, lacks: &mut Vec<String>) -> RegionStep {
    let c = address::classified_or_captured(u);
    if c.source == address::FROM_CAPTURED {
        lacks.push(
            "no MemoryInfoList: region usage is estimated from the captured memory ranges"
                .to_string(),
        );
    }
    let summary = address::summarize(&c.regions, &c.usages, c.source);
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
        source: c.source.to_string(),
        busy: summary.busy,
        usage,
        dominant,
    }
}

/// Step 3: size classes over all heaps.
pub fn size_step(walked: &[Walked]) -> Vec<SizeClass> {
    ntheap::report::stat_all_of(walked.iter().map(|w| (w.address, &w.census)))
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

#[cfg(test)]
mod tests {
    use ntheap::synth::{Block, HeapBuilder, SegmentSpec};
    use ntheap::{Heap, HeapLayout, LayoutChoice, PointerWidth, Release};

    use super::*;

    /// With the cap on sampled sizes reached, a size met later is found again by a second walk
    /// and gives the same first blocks as a heap whose sizes all fit the cap.
    #[test]
    fn sizes_past_the_cap_are_found_again() {
        let mut blocks = Vec::new();
        for i in 0..CANDIDATES as u64 * 3 {
            blocks.push(Block::busy(0x20 + (i % 3) * 0x10));
        }
        let built = HeapBuilder::new(
            HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64),
            0x10_0000,
        )
        .segment(SegmentSpec::new(blocks))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
        let mem = &built.memory;
        let heap = Heap::open(mem, built.address, PointerWidth::Bits64, LayoutChoice::Auto)
            .unwrap_or_else(|e| panic!("{e}"));
        let sample = |max_sizes: usize| {
            let mut s = Samples {
                max_sizes,
                ..Samples::default()
            };
            heap.walk_with(mem, &mut |e: &Entry, src: BlockSource<'_>| {
                if src.is_user_allocation(e) {
                    s.add(e);
                }
            });
            s
        };
        let all = sample(SAMPLED_SIZES);
        let capped = sample(1);
        let heap = HeapWalked::Nt(Box::new(
            heap.walk_with(mem, &mut |_: &Entry, _: BlockSource<'_>| {}),
        ));
        assert!(!all.overflow && capped.overflow);
        for size in [0x20u64, 0x30, 0x40] {
            let want = all.candidates(&heap, mem, size, None);
            assert_eq!(want.len(), CANDIDATES);
            assert!(want.iter().all(|e| e.requested_size == Some(size)));
            assert_eq!(capped.candidates(&heap, mem, size, None), want);
        }
        assert!(all.candidates(&heap, mem, 0x50, None).is_empty());
        assert!(capped.candidates(&heap, mem, 0x50, None).is_empty());
    }
}
