//! Steps 1 to 3: region usage, the heaps that grew, and the requested sizes that dominate.

use ntheap::report::{SizeCensus, SizeMap};
use ntheap::{BlockSource, Entry, WalkVisitor};

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
            if out.len() < CANDIDATES && e.requested_size == Some(size) && s.is_user_allocation(e) {
                out.push(*e);
            }
        };
        match heap {
            HeapWalked::Nt(w) => {
                w.heap.walk_with(mem, &mut keep);
            }
            HeapWalked::Segment(w) => {
                w.heap.walk_with(mem, segment_keys(w), &mut keep);
            }
        }
        out
    }
}

impl Walked {
    /// The first user blocks of requested size `size`, in walk order, [`CANDIDATES`] at most
    /// (walking the heap again only when the size was not among the sampled ones).
    pub(crate) fn candidates(&self, size: u64, u: &UserDump) -> Vec<Entry> {
        self.samples.candidates(&self.walk, &u.memory(), size)
    }
}

/// What one pass over a heap collects for the leak steps.
struct LeakVisitor<'f> {
    census: SizeCensus,
    samples: Samples,
    beyond_headers: bool,
    bits: u32,
    on_block: &'f mut dyn FnMut(u32, &Entry),
}

impl<'f> LeakVisitor<'f> {
    fn new(bits: u32, on_block: &'f mut dyn FnMut(u32, &Entry)) -> Self {
        LeakVisitor {
            census: SizeCensus::new(),
            samples: Samples::default(),
            beyond_headers: false,
            bits,
            on_block,
        }
    }
}

impl WalkVisitor for LeakVisitor<'_> {
    fn block(&mut self, e: &Entry, source: BlockSource<'_>) {
        if !source.is_segment_header(e) {
            self.beyond_headers = true;
        }
        if self.census.add(e, source) {
            self.samples.add(e);
            (self.on_block)(self.bits, e);
        }
    }
}

/// Step 2: the heaps of the process (64-bit and WOW64 32-bit ones), each walked once, each
/// with its growth figures, largest footprint first. The walk keeps no block: it counts them
/// by size (step 3), keeps the first ones of each size (step 4), and hands every user block to
/// `on_block` (with the heap's pointer width) in walk order.
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
            Err(_) if f.kind == Some(ntheap::HeapKind::Segment) => {
                let visitor = LeakVisitor::new(bits, &mut *on_block);
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
        let visitor = LeakVisitor::new(bits, &mut *on_block);
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
        });
        walked.push(Walked {
            walk: HeapWalked::Nt(Box::new(walk)),
            bits,
            census,
            beyond_headers,
            samples,
        });
    }
    growth.sort_by(|a, b| {
        b.footprint()
            .cmp(&a.footprint())
            .then(a.address.cmp(&b.address))
    });
    (walked, growth)
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
    mut v: LeakVisitor<'_>,
) -> (HeapGrowth, Option<Walked>) {
    let h = match crate::user::heap::segment::open_heap(u, f) {
        Ok(h) if h.layout.is_some() => h,
        Ok(_) => {
            let why = "segment heap layout of this build unknown: blocks not walked";
            return (HeapGrowth::empty(f.address, bits, Some(why.into())), None);
        }
        Err(e) => return (HeapGrowth::empty(f.address, bits, Some(e)), None),
    };
    let walk = h.walk_with(&u.memory(), ntheap::SegmentHeapKeys::default(), &mut v);
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
    };
    let w = Walked {
        walk: HeapWalked::Segment(Box::new(walk)),
        bits,
        census: v.census,
        beyond_headers: v.beyond_headers,
        samples: v.samples,
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
    ntheap::report::stat_all_of(walked.iter().map(|w| (w.walk.address(), &w.census)))
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
            let want = all.candidates(&heap, mem, size);
            assert_eq!(want.len(), CANDIDATES);
            assert!(want.iter().all(|e| e.requested_size == Some(size)));
            assert_eq!(capped.candidates(&heap, mem, size), want);
        }
        assert!(all.candidates(&heap, mem, 0x50).is_empty());
        assert!(capped.candidates(&heap, mem, 0x50).is_empty());
    }
}
