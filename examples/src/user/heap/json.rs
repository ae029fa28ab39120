//! The JSON contract of `dumpscope heap`: `ntheap`'s own types written by `serialize_with`
//! helpers, field by field, so the report holds the library's walk and no mirror of it.

use std::collections::BTreeMap;

use ntheap::report::{Found, HeapSummary, SizeStat};
use ntheap::{Entry, EntryState, Finding, HeapKind, HeapLayout, HeapWalk};
use serde::Serializer;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, SerializeStruct};

use super::{FilterGroup, HeapList, front_end_name};
use crate::adapt::{FoundHeap, heap_width_name};

/// Serializes each item of `items` with `f`.
fn seq<S: Serializer, T>(
    s: S,
    items: impl ExactSizeIterator<Item = T>,
    f: impl Fn(T) -> Ser<T>,
) -> Result<S::Ok, S::Error>
where
    Ser<T>: Serialize,
{
    let mut q = s.serialize_seq(Some(items.len()))?;
    for i in items {
        q.serialize_element(&f(i))?;
    }
    q.end()
}

/// A library value, serialized in the form the JSON contract gives it.
pub(super) struct Ser<T>(pub T);

fn state_name(s: EntryState) -> &'static str {
    match s {
        EntryState::Busy => "busy",
        EntryState::Free => "free",
        EntryState::Internal => "internal",
        EntryState::VirtualAlloc => "virtual",
    }
}

impl Serialize for Ser<&Entry> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut st = s.serialize_struct("Entry", 9)?;
        st.serialize_field("address", &e.address)?;
        st.serialize_field("user_address", &e.user_address)?;
        st.serialize_field("size", &e.size)?;
        st.serialize_field("previous_size", &e.previous_size)?;
        st.serialize_field("busy", &e.is_busy())?;
        st.serialize_field("state", state_name(e.state))?;
        st.serialize_field("flags", &e.flags.bits())?;
        st.serialize_field("requested_size", &e.requested_size)?;
        st.serialize_field("front_end", &e.front_end)?;
        st.end()
    }
}

impl Serialize for Ser<&Finding> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut st = s.serialize_struct("Finding", 3)?;
        st.serialize_field("address", &f.address)?;
        st.serialize_field("corruption", &f.is_corruption())?;
        st.serialize_field("message", &f.to_string())?;
        st.end()
    }
}

struct Findings<'a>(&'a [Finding]);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        seq(s, self.0.iter(), Ser)
    }
}

struct Entries<'a>(&'a [Entry]);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        seq(s, self.0.iter(), Ser)
    }
}

/// One heap of the list (`heap` without a mode).
pub(super) fn found_heaps<S: Serializer>(v: &HeapList<'_>, s: S) -> Result<S::Ok, S::Error> {
    seq(s, v.all().into_iter(), Ser)
}

impl Serialize for Ser<&FoundHeap> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let h = f.heap.as_ref().ok();
        let mut st = s.serialize_struct("Heap", 7)?;
        st.serialize_field("address", &f.address)?;
        st.serialize_field("width", heap_width_name(f.width))?;
        st.serialize_field(
            "kind",
            &f.kind.map(|k| match k {
                HeapKind::Nt => "nt",
                HeapKind::Segment => "segment",
                _ => "other",
            }),
        )?;
        st.serialize_field("flags", &h.map(|h| h.flags.bits()))?;
        st.serialize_field("front_end", &h.map(|h| front_end_name(h.front_end_type)))?;
        st.serialize_field("layout", &h.map(|h| &h.layout.name))?;
        st.serialize_field("error", &f.heap.as_ref().err().map(ToString::to_string))?;
        st.end()
    }
}

/// Every walked heap with its segments and blocks (`--entries`).
pub(super) fn walks<S: Serializer, W: AsRef<HeapWalk>>(v: &[W], s: S) -> Result<S::Ok, S::Error> {
    seq(s, v.iter().map(AsRef::as_ref), Ser)
}

impl Serialize for Ser<&HeapWalk> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = self.0;
        let mut st = s.serialize_struct("HeapEntries", 7)?;
        st.serialize_field("address", &w.heap.address)?;
        st.serialize_field("width", heap_width_name(w.heap.width()))?;
        st.serialize_field("segments", &Segments(w))?;
        st.serialize_field("virtual_blocks", &VirtualBlocks(w))?;
        st.serialize_field("lfh_blocks", &Entries(&w.lfh.blocks))?;
        st.serialize_field("lfh_key", &w.lfh.key)?;
        st.serialize_field("findings", &Findings(&w.findings))?;
        st.end()
    }
}

struct Segments<'a>(&'a HeapWalk);

impl Serialize for Segments<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.segments.len()))?;
        for sw in &self.0.segments {
            q.serialize_element(&Segment(sw))?;
        }
        q.end()
    }
}

struct Segment<'a>(&'a ntheap::SegmentWalk);

impl Serialize for Segment<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (g, sw) = (&self.0.segment, self.0);
        let mut st = s.serialize_struct("Segment", 8)?;
        st.serialize_field("address", &g.address)?;
        st.serialize_field("base_address", &g.base_address)?;
        st.serialize_field("first_entry", &g.first_entry)?;
        st.serialize_field("last_valid_entry", &g.last_valid_entry)?;
        st.serialize_field("number_of_pages", &g.number_of_pages)?;
        st.serialize_field("uncommitted_pages", &g.uncommitted_pages)?;
        st.serialize_field("entries", &Entries(&sw.entries))?;
        st.serialize_field("uncommitted", &Uncommitted(&sw.uncommitted))?;
        st.end()
    }
}

struct Uncommitted<'a>(&'a [ntheap::UncommittedRange]);

impl Serialize for Uncommitted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for u in self.0 {
            q.serialize_element(&Ordered(vec![("address", u.address), ("size", u.size)]))?;
        }
        q.end()
    }
}

struct VirtualBlocks<'a>(&'a HeapWalk);

impl Serialize for VirtualBlocks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.virtual_blocks.len()))?;
        for v in &self.0.virtual_blocks {
            q.serialize_element(&VirtualBlock(v))?;
        }
        q.end()
    }
}

struct VirtualBlock<'a>(&'a ntheap::VirtualBlock);

impl Serialize for VirtualBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        let mut st = s.serialize_struct("VirtualBlock", 6)?;
        st.serialize_field("address", &v.address)?;
        st.serialize_field("user_address", &v.user_address)?;
        st.serialize_field("size", &v.commit_size)?;
        st.serialize_field("reserve_size", &v.reserve_size)?;
        st.serialize_field("busy", &true)?;
        st.serialize_field("requested_size", &v.requested_size)?;
        st.end()
    }
}

/// `!heap -s` rows (`--summary`).
pub(super) fn summaries<S: Serializer, W: AsRef<HeapWalk>>(
    v: &[(W, HeapSummary)],
    s: S,
) -> Result<S::Ok, S::Error> {
    seq(s, v.iter().map(|(w, h)| (w.as_ref(), h)), Ser)
}

impl Serialize for Ser<(&HeapWalk, &HeapSummary)> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (w, h) = self.0;
        let mut st = s.serialize_struct("Summary", 17)?;
        st.serialize_field("address", &h.address)?;
        st.serialize_field("width", heap_width_name(w.heap.width()))?;
        st.serialize_field("flags", &h.flags)?;
        st.serialize_field("reserved", &h.reserved)?;
        st.serialize_field("committed", &h.committed)?;
        st.serialize_field("virtual_bytes", &h.virtual_bytes)?;
        st.serialize_field("free", &h.free)?;
        st.serialize_field("free_list_length", &h.free_list_length)?;
        st.serialize_field("ucr_count", &h.ucr_count)?;
        st.serialize_field("virtual_blocks", &h.virtual_blocks)?;
        st.serialize_field("virtual_block_bytes", &h.virtual_block_bytes)?;
        st.serialize_field("lock_collisions", &h.lock_collisions)?;
        st.serialize_field("lfh", &h.lfh)?;
        st.serialize_field("segments", &h.segments)?;
        st.serialize_field("external_fragmentation", &h.external_fragmentation)?;
        st.serialize_field(
            "virtual_address_fragmentation",
            &h.virtual_address_fragmentation,
        )?;
        st.serialize_field("findings", &Findings(&w.findings))?;
        st.end()
    }
}

/// `!heap -stat` of each heap (`--stat`).
pub(super) fn stats<S: Serializer, W: AsRef<HeapWalk>>(
    v: &[(W, Vec<SizeStat>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    seq(s, v.iter().map(|(w, st)| (w.as_ref(), st.as_slice())), Ser)
}

impl Serialize for Ser<(&HeapWalk, &[SizeStat])> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (w, stats) = self.0;
        let limits = w.limits_reached();
        let mut st = s.serialize_struct("HeapStat", if limits.is_empty() { 2 } else { 3 })?;
        st.serialize_field("address", &w.heap.address)?;
        st.serialize_field("stats", &Stats(stats))?;
        // Only when a walk limit cut the walk short: the counts cover what was walked.
        if !limits.is_empty() {
            st.serialize_field("limits_reached", &limits)?;
        }
        st.end()
    }
}

/// Size statistics as in `!heap -stat` rows (for the segment heaps' rows).
pub(super) fn size_stats<S: Serializer>(v: &[SizeStat], s: S) -> Result<S::Ok, S::Error> {
    Stats(v).serialize(s)
}

struct Stats<'a>(&'a [SizeStat]);

impl Serialize for Stats<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for x in self.0 {
            q.serialize_element(&Ordered(vec![
                ("size", x.size),
                ("count", x.count),
                ("total", x.total),
                ("percent_x100", x.percent_x100),
            ]))?;
        }
        q.end()
    }
}

/// Numbers under names, in the given order.
struct Ordered(Vec<(&'static str, u64)>);

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A block with its heap and segment (`--find`, `--filter-size`).
pub(super) fn found<S: Serializer>(v: &Option<Found>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(f) => s.serialize_some(&Ser(f)),
        None => s.serialize_none(),
    }
}

impl Serialize for Ser<&Found> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut st = s.serialize_struct("Found", 3)?;
        st.serialize_field("heap", &f.heap)?;
        st.serialize_field("segment", &f.segment)?;
        st.serialize_field("entry", &Ser(&f.entry))?;
        st.end()
    }
}

/// The blocks of every filtered heap, in one list.
pub(super) fn filtered<S: Serializer>(v: &[FilterGroup], s: S) -> Result<S::Ok, S::Error> {
    let n = v.iter().map(|g| g.blocks.len()).sum();
    let mut q = s.serialize_seq(Some(n))?;
    for f in v.iter().flat_map(|g| &g.blocks) {
        q.serialize_element(&Ser(f))?;
    }
    q.end()
}

/// The layouts in force (`--layout`).
pub(super) fn layouts<S: Serializer>(
    v: &[(Option<u64>, HeapLayout)],
    s: S,
) -> Result<S::Ok, S::Error> {
    seq(s, v.iter().map(|(h, l)| (*h, l)), Ser)
}

impl Serialize for Ser<(Option<u64>, &HeapLayout)> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (heap, l) = self.0;
        let mut fields = BTreeMap::new();
        let mut structs: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (name, off) in l.fields() {
            fields.insert(name.to_string(), off);
            if let Some((st, m)) = name.split_once('.') {
                structs
                    .entry(st.to_string())
                    .or_default()
                    .insert(m.to_string(), off);
            }
        }
        let mut st = s.serialize_struct("Layout", 6)?;
        st.serialize_field("heap", &heap)?;
        st.serialize_field("name", &l.name)?;
        st.serialize_field("width", heap_width_name(l.width))?;
        st.serialize_field("fields", &fields)?;
        st.serialize_field("structs", &structs)?;
        // Fields the PDB lacked, taken from the built-in table `name` names.
        st.serialize_field("fallback", &l.fallback)?;
        st.end()
    }
}

/// The segment heaps' walks (`!heap -a`): keys, page segments with ranges, blocks, findings.
pub(super) fn segment_walks<S: Serializer>(
    v: &[ntheap::SegmentHeapWalk],
    s: S,
) -> Result<S::Ok, S::Error> {
    seq(s, v.iter(), Ser)
}

impl Serialize for Ser<&ntheap::SegmentHeapWalk> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = self.0;
        let k = &w.keys;
        let mut st = s.serialize_struct("SegmentHeapEntries", 7)?;
        st.serialize_field("address", &w.heap.address)?;
        st.serialize_field("width", heap_width_name(w.heap.width))?;
        st.serialize_field("heap_key", &k.heap_key)?;
        st.serialize_field("lfh_key", &k.lfh_key)?;
        let segments: Vec<Ordered> = w
            .segments
            .iter()
            .map(|g| {
                Ordered(vec![
                    ("address", g.address),
                    ("context", u64::from(g.context)),
                    ("ranges", u64::try_from(g.ranges.len()).unwrap_or(u64::MAX)),
                ])
            })
            .collect();
        st.serialize_field("page_segments", &segments)?;
        let blocks: Vec<SegmentBlock<'_>> = w.blocks.iter().map(SegmentBlock).collect();
        st.serialize_field("blocks", &blocks)?;
        st.serialize_field("findings", &Findings(&w.findings))?;
        st.end()
    }
}

struct SegmentBlock<'a>(&'a ntheap::SegmentHeapBlock);

impl Serialize for SegmentBlock<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b = self.0;
        let mut st = s.serialize_struct("SegmentHeapBlock", 3)?;
        st.serialize_field("kind", b.kind.name())?;
        st.serialize_field("container", &b.container)?;
        st.serialize_field("entry", &Ser(&b.entry))?;
        st.end()
    }
}
