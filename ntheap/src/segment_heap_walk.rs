//! The whole walk of a segment heap: its two segment contexts, their page segments
//! (`_HEAP_PAGE_SEGMENT`) and range descriptors, back-end allocations, VS subsegments (encoded
//! `_HEAP_VS_CHUNK_HEADER`s), LFH subsegments (encoded `BlockOffsets`, 2-bit block bitmap) and
//! the large allocations.
//!
//! Range descriptors: a range starts at a descriptor whose `RangeFlags` has bit 1 (first
//! unit) and holds `UnitSize` units; bit 0 is "allocated" and bits 2-3 the range type
//! (`_HEAP_SEG_RANGE_TYPE`: user 0, internal 1, LFH 2, VS 3): 3 = back-end allocation,
//! 0xB = LFH subsegment, 0xF = VS subsegment (MemProcFS and dlg_help_utils use these three
//! values; the bit reading is inferred from the PDB's enum and the x86 `RangeFlagBits:5`).
//!
//! Blocks go to a [`WalkVisitor`] as [`Entry`]s with [`BlockSource::SegmentHeap`], so every
//! consumer of NT-heap walks (census, find, filter) takes them as they are.

use std::collections::HashSet;

use crate::entry::{Entry, EntryFlags, EntryState};
use crate::finding::{Finding, FindingKind};
use crate::heap::PAGE_SIZE;
use crate::memory::ReadMemory;
use crate::segment_heap::SegmentHeap;
use crate::segment_heap_keys::{
    Evidence, KeyReport, KeySource, LfhShift, SegmentHeapKeys, Snapshot, VS_SUBSEGMENT_XOR,
    VsChunkSizes, lfh_block_offsets, page_segment_signature, recover,
};
use crate::segment_heap_layout::SegmentHeapLayout;
use crate::walk::{BlockSource, WalkVisitor};

/// Descriptors in a page segment.
const DESCRIPTORS: u64 = 256;

/// Which part of a segment heap a block comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentBlockKind {
    /// A VS (variable size) chunk.
    Vs,
    /// A block of an LFH subsegment.
    Lfh,
    /// A back-end range (allocated: a block served by whole pages; free: free pages).
    Backend,
    /// A large allocation (`LargeAllocMetadata`).
    Large,
}

impl SegmentBlockKind {
    /// "VS", "LFH", "backend" or "large".
    pub fn name(self) -> &'static str {
        match self {
            SegmentBlockKind::Vs => "VS",
            SegmentBlockKind::Lfh => "LFH",
            SegmentBlockKind::Backend => "backend",
            SegmentBlockKind::Large => "large",
        }
    }
}

/// What a range of a page segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeKind {
    /// Free pages.
    Free,
    /// A back-end allocation.
    Backend,
    /// The heap's own metadata.
    Internal,
    /// An LFH subsegment.
    Lfh,
    /// A VS subsegment.
    Vs,
}

/// A range of units of a page segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRange {
    /// First byte.
    pub address: u64,
    /// Bytes (`UnitSize << UnitShift`).
    pub size: u64,
    /// `RangeFlags` (masked to the flag bits).
    pub flags: u8,
    /// What it is.
    pub kind: RangeKind,
    /// `UnusedBytes` of the first descriptor (back-end allocations).
    pub unused_bytes: u32,
}

/// A page segment of a segment context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSegment {
    /// Address (`_HEAP_PAGE_SEGMENT`).
    pub address: u64,
    /// Its segment context (0 or 1).
    pub context: u8,
    /// `UnitShift` of the context.
    pub unit_shift: u8,
    /// The stored `Signature`.
    pub signature: u64,
    /// Whether the signature agrees with the key in use (`None` without a whole key).
    pub signature_matches: Option<bool>,
    /// Its ranges, in address order (those the descriptors describe well).
    pub ranges: Vec<PageRange>,
}

/// One block of a segment heap, as kept by [`SegmentHeap::walk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentHeapBlock {
    /// Where it comes from.
    pub kind: SegmentBlockKind,
    /// The subsegment (VS, LFH), range (back end) or allocation (large) holding it.
    pub container: u64,
    /// The block: `address` is the chunk header (VS) or the block itself, `user_address` the
    /// user data, `size` the chunk/block/range bytes, `requested_size` what the program asked
    /// for (busy blocks).
    pub entry: Entry,
}

impl SegmentHeapBlock {
    /// Busy.
    pub fn is_busy(&self) -> bool {
        self.entry.is_busy()
    }
}

/// Everything found in one segment heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentHeapWalk {
    /// The heap (header, statistics, large allocations).
    pub heap: SegmentHeap,
    /// The keys used, with their evidence.
    pub keys: KeyReport,
    /// The page segments of both contexts, with their ranges.
    pub segments: Vec<PageSegment>,
    /// Every block, in walk order (empty for [`SegmentHeap::walk_with`]).
    pub blocks: Vec<SegmentHeapBlock>,
    /// Whether `blocks` was kept.
    pub blocks_kept: bool,
    /// Findings (the header's first), capped by `Limits::max_findings`.
    pub findings: Vec<Finding>,
    /// Findings beyond the cap.
    pub findings_dropped: usize,
}

impl SegmentHeapWalk {
    /// Whether no corruption was found.
    pub fn is_clean(&self) -> bool {
        !self.findings.iter().any(Finding::is_corruption)
    }
}

fn bad(address: u64, reason: &'static str) -> Finding {
    Finding {
        address,
        kind: FindingKind::BadSegment { reason },
    }
}

/// A segment-heap block as an [`Entry`]: no header flags beyond busy, no `UnusedBytes` byte.
fn entry(
    address: u64,
    user_address: u64,
    size: u64,
    requested: Option<u64>,
    state: EntryState,
) -> Entry {
    Entry {
        address,
        user_address,
        size,
        previous_size: 0,
        flags: if state == EntryState::Free {
            EntryFlags::empty()
        } else {
            EntryFlags::BUSY
        },
        unused_bytes: 0,
        requested_size: requested,
        state,
        front_end: false,
    }
}

fn busy_or_free(busy: bool) -> EntryState {
    if busy {
        EntryState::Busy
    } else {
        EntryState::Free
    }
}

/// A range's kind from its (masked) flags; `None` when the flags are not a range's first unit
/// or have unknown bits.
fn range_kind(flags: u8) -> Option<RangeKind> {
    if flags & 1 == 0 {
        return Some(RangeKind::Free);
    }
    if flags & 2 == 0 || flags & !0x0f != 0 {
        return None;
    }
    Some(match (flags >> 2) & 3 {
        0 => RangeKind::Backend,
        1 => RangeKind::Internal,
        2 => RangeKind::Lfh,
        _ => RangeKind::Vs,
    })
}

/// The walk in progress.
struct Walker<'a, M: ?Sized, V: ?Sized> {
    mem: &'a M,
    l: SegmentHeapLayout,
    visitor: &'a mut V,
    keep: bool,
    out: SegmentHeapWalk,
}

impl<M: ReadMemory + ?Sized, V: WalkVisitor + ?Sized> Walker<'_, M, V> {
    fn note(&mut self, f: Finding) {
        if self.out.findings.len() < self.out.heap.limits.max_findings {
            self.out.findings.push(f);
        } else {
            self.out.findings_dropped = self.out.findings_dropped.saturating_add(1);
        }
    }

    fn emit(&mut self, kind: SegmentBlockKind, container: u64, entry: Entry) {
        self.visitor
            .block(&entry, BlockSource::SegmentHeap { kind, container });
        if self.keep {
            self.out.blocks.push(SegmentHeapBlock {
                kind,
                container,
                entry,
            });
        }
    }

    /// The page segments of context `i` with their ranges.
    fn context(&mut self, i: u8, ev: &mut Evidence) {
        let l = self.l;
        let w = l.width;
        let heap = self.out.heap.address;
        let Some(ctx) = l.seg_context(heap, u64::from(i)) else {
            return;
        };
        let read8 = |off: u64| ctx.checked_add(off).map(|a| self.mem.read_u8(a));
        let (Some(Ok(shift)), Some(Ok(first))) =
            (read8(l.ctx_unit_shift), read8(l.ctx_first_descriptor_index))
        else {
            self.note(Finding {
                address: ctx,
                kind: FindingKind::NotCaptured {
                    len: l.seg_context_size,
                },
            });
            return;
        };
        match ctx.checked_add(l.ctx_heap).map(|a| self.mem.read_ptr(a, w)) {
            Some(Ok(h)) if h == heap => {}
            Some(Ok(_)) => self.note(bad(ctx, "segment context does not point back to its heap")),
            _ => {}
        }
        if !(12..=24).contains(&shift) || u64::from(first) >= DESCRIPTORS {
            self.note(bad(
                ctx,
                "segment context UnitShift or FirstDescriptorIndex out of range",
            ));
            return;
        }
        let seg_size = DESCRIPTORS << shift;
        let Some(head) = ctx.checked_add(l.ctx_segment_list_head) else {
            return;
        };
        let mut link = match self.mem.read_ptr(head, w) {
            Ok(v) => v,
            Err(e) => return self.note(Finding::from_mem(e)),
        };
        let mut prev = head;
        let mut seen = HashSet::new();
        let limits = self.out.heap.limits;
        while link != head {
            if seen.len() >= limits.max_segments {
                self.note(Finding {
                    address: head,
                    kind: FindingKind::LimitReached {
                        what: "segment-heap page segments",
                    },
                });
                break;
            }
            let seg = link;
            if link == 0 || !seg.is_multiple_of(seg_size) {
                self.note(Finding {
                    address: prev,
                    kind: FindingKind::BadLink { head, value: link },
                });
                break;
            }
            if !seen.insert(seg) {
                self.note(Finding {
                    address: seg,
                    kind: FindingKind::ListCycle { head },
                });
                break;
            }
            let blink = seg.checked_add(w.bytes()).map(|a| self.mem.read_ptr(a, w));
            if let Some(Ok(b)) = blink
                && b != prev
            {
                self.note(Finding {
                    address: seg,
                    kind: FindingKind::BadBackLink {
                        expected: prev,
                        found: b,
                    },
                });
            }
            self.segment(seg, ctx, i, shift, first, ev);
            prev = link;
            link = match self.mem.read_ptr(seg, w) {
                Ok(v) => v,
                Err(e) => {
                    self.note(Finding::from_mem(e));
                    break;
                }
            };
        }
    }

    /// One page segment: its signature and its ranges.
    fn segment(&mut self, seg: u64, ctx: u64, i: u8, shift: u8, first: u8, ev: &mut Evidence) {
        let l = self.l;
        let len = DESCRIPTORS.saturating_mul(l.descriptor_size);
        let mut desc = vec![0u8; usize::try_from(len).unwrap_or(0)];
        if let Err(e) = self.mem.read(seg, &mut desc) {
            self.note(Finding::from_mem(e));
            return;
        }
        let field = |idx: u64, off: u64, n: usize| -> u64 {
            let at = idx
                .checked_mul(l.descriptor_size)
                .and_then(|o| o.checked_add(off))
                .and_then(|o| usize::try_from(o).ok());
            let mut b = [0u8; 8];
            if let Some(src) = at.and_then(|a| desc.get(a..a.checked_add(n)?))
                && let Some(dst) = b.get_mut(..n)
            {
                dst.copy_from_slice(src);
            }
            u64::from_le_bytes(b)
        };
        let sig_bytes = usize::try_from(l.width.bytes()).unwrap_or(8);
        let signature = field(0, l.page_segment_signature, sig_bytes);
        ev.segments.push((seg, ctx, signature));
        let mut ranges = Vec::new();
        let mut idx = u64::from(first);
        while idx < DESCRIPTORS {
            let flags =
                u8::try_from(field(idx, l.desc_range_flags, 1)).unwrap_or(0) & l.range_flags_mask;
            let units = field(idx, l.desc_unit_size, 1);
            let at = seg.saturating_add(idx << shift);
            let Some(kind) = range_kind(flags).filter(|_| units > 0) else {
                self.note(bad(at, "range descriptor is not the first unit of a range"));
                idx = idx.saturating_add(1);
                continue;
            };
            if idx.saturating_add(units) > DESCRIPTORS {
                self.note(bad(at, "range runs past the end of its page segment"));
                break;
            }
            let r = PageRange {
                address: at,
                size: units << shift,
                flags,
                kind,
                unused_bytes: u32::try_from(field(idx, l.desc_unused_bytes, 4)).unwrap_or(0),
            };
            match kind {
                RangeKind::Vs => {
                    if let Some(end) = self.vs_end(&r) {
                        ev.vs.push((r.address, end));
                    }
                }
                RangeKind::Lfh => {
                    let count = r
                        .address
                        .checked_add(l.lfh_block_count)
                        .map(|a| self.mem.read_u16(a));
                    let enc = r
                        .address
                        .checked_add(l.lfh_block_offsets)
                        .map(|a| self.mem.read_u32(a));
                    if let (Some(Ok(c)), Some(Ok(e))) = (count, enc) {
                        ev.lfh.push((r.address, r.size, c, e));
                    }
                }
                _ => {}
            }
            ranges.push(r);
            idx = idx.saturating_add(units);
        }
        self.out.segments.push(PageSegment {
            address: seg,
            context: i,
            unit_shift: shift,
            signature,
            signature_matches: None,
            ranges,
        });
    }

    /// The end of a VS subsegment from its `Size`, checked by its signature.
    fn vs_end(&self, r: &PageRange) -> Option<u64> {
        let l = self.l;
        let size = self.mem.read_u16(r.address.checked_add(l.vs_size)?).ok()?;
        let sig = self
            .mem
            .read_u16(r.address.checked_add(l.vs_signature)?)
            .ok()?;
        let end = r
            .address
            .checked_add(u64::from(size).checked_mul(l.chunk_header_size)?)?;
        ((size ^ VS_SUBSEGMENT_XOR) & 0x7fff == sig & 0x7fff
            && end <= r.address.saturating_add(r.size)
            && end > r.address.saturating_add(l.vs_first_chunk()))
        .then_some(end)
    }

    /// Requested size from a `_HEAP_LFH_UNUSED_BYTES_INFO` in the last two bytes of a block.
    fn unused_tail<R: ReadMemory + ?Sized>(
        &mut self,
        mem: &R,
        at: u64,
        end: u64,
        cap: u64,
    ) -> Option<u64> {
        let v = match end.checked_sub(2).map(|a| mem.read_u16(a)) {
            Some(Ok(v)) => v,
            _ => return None,
        };
        let unused = if v & 0x8000 != 0 {
            1
        } else {
            u64::from(v & 0x3fff)
        };
        if unused > cap {
            self.note(Finding {
                address: at,
                kind: FindingKind::UnusedBytesTooLarge { unused, size: cap },
            });
            return None;
        }
        Some(cap.saturating_sub(unused))
    }

    fn vs(&mut self, r: &PageRange) {
        let l = self.l;
        let w = l.width;
        let Some(end) = self.vs_end(r) else {
            self.note(bad(r.address, "VS subsegment Size/Signature do not agree"));
            return;
        };
        let Some(key) = self.out.keys.heap_key else {
            self.note(Finding {
                address: r.address,
                kind: FindingKind::LfhNotDecoded,
            });
            return;
        };
        let snap = Snapshot::new(self.mem, r.address, end);
        let big = end.saturating_sub(r.address) > Snapshot::MAX;
        let unit = l.chunk_header_size;
        let mut c = r.address.saturating_add(l.vs_first_chunk());
        let mut prev = 0u16;
        let mut steps = 0usize;
        while c < end {
            steps = steps.saturating_add(1);
            if steps > self.out.heap.limits.max_entries_per_segment {
                self.note(Finding {
                    address: c,
                    kind: FindingKind::LimitReached { what: "VS chunks" },
                });
                return;
            }
            let raw = if big {
                self.mem.read_ptr(c, w)
            } else {
                snap.read_ptr(c, w)
            };
            let raw = match raw {
                Ok(v) => v,
                Err(e) => return self.note(Finding::from_mem(e)),
            };
            let d = VsChunkSizes::decode(w, raw, c, key);
            let size = u64::from(d.size).saturating_mul(unit);
            if d.size == 0 || d.allocated > 1 {
                return self.note(Finding {
                    address: c,
                    kind: FindingKind::ZeroSize,
                });
            }
            if d.prev_size != prev {
                self.note(Finding {
                    address: c,
                    kind: FindingKind::PreviousSizeMismatch {
                        expected: u64::from(prev).saturating_mul(unit),
                        found: u64::from(d.prev_size).saturating_mul(unit),
                    },
                });
            }
            let next = c.saturating_add(size);
            if next > end || size <= unit {
                return self.note(Finding {
                    address: c,
                    kind: FindingKind::CrossesSegmentEnd {
                        end: next,
                        limit: end,
                    },
                });
            }
            let busy = d.allocated == 1;
            let cap = size.saturating_sub(unit);
            let requested = if busy {
                let bits = c.checked_add(l.chunk_allocated_bits).map(|a| {
                    if big {
                        self.mem.read_u32(a)
                    } else {
                        snap.read_u32(a)
                    }
                });
                match bits {
                    Some(Ok(b)) if b & 0x100 != 0 => {
                        if big {
                            self.unused_tail(self.mem, c, next, cap)
                        } else {
                            self.unused_tail(&snap, c, next, cap)
                        }
                    }
                    _ => Some(cap),
                }
            } else {
                None
            };
            let e = Entry {
                previous_size: u64::from(d.prev_size).saturating_mul(unit),
                ..entry(
                    c,
                    c.saturating_add(unit),
                    size,
                    requested,
                    busy_or_free(busy),
                )
            };
            self.emit(SegmentBlockKind::Vs, r.address, e);
            prev = d.size;
            c = next;
        }
    }

    fn lfh(&mut self, r: &PageRange) {
        let l = self.l;
        let gran = l.chunk_header_size;
        let (Some(key), shift) = (self.out.keys.lfh_key, self.out.keys.lfh_shift) else {
            self.note(Finding {
                address: r.address,
                kind: FindingKind::LfhNotDecoded,
            });
            return;
        };
        let read = |off: u64| r.address.checked_add(off).map(|a| self.mem.read_u32(a));
        let (Some(Ok(enc)), Some(Ok(cnt))) = (read(l.lfh_block_offsets), read(l.lfh_block_count))
        else {
            self.note(Finding {
                address: r.address,
                kind: FindingKind::NotCaptured {
                    len: l.lfh_block_bitmap,
                },
            });
            return;
        };
        let count = u64::from(cnt & 0xffff);
        let plain = lfh_block_offsets(enc, r.address, key, shift);
        let bs = u64::from(plain & 0xffff);
        let fo = u64::from(plain >> 16);
        let bitmap_len = count.saturating_mul(2).div_ceil(8);
        let bitmap_end = l.lfh_block_bitmap.saturating_add(bitmap_len);
        if bs < gran
            || count == 0
            || fo < bitmap_end
            || fo.saturating_add(bs.saturating_mul(count)) > r.size
        {
            self.note(Finding {
                address: r.address,
                kind: FindingKind::BadLfhSubsegment {
                    reason: "block size, count and first offset do not fit the subsegment",
                },
            });
            return;
        }
        let mut bitmap = vec![0u8; usize::try_from(bitmap_len).unwrap_or(0)];
        if let Err(e) = r
            .address
            .checked_add(l.lfh_block_bitmap)
            .map_or(Ok(()), |a| self.mem.read(a, &mut bitmap))
        {
            return self.note(Finding::from_mem(e));
        }
        let first = r.address.saturating_add(fo);
        let snap = Snapshot::new(self.mem, first, r.address.saturating_add(r.size));
        let big = r.size > Snapshot::MAX;
        let limit = self.out.heap.limits.max_entries_per_segment;
        for i in 0..count {
            if usize::try_from(i).map_or(true, |i| i >= limit) {
                self.note(Finding {
                    address: r.address,
                    kind: FindingKind::LimitReached { what: "LFH blocks" },
                });
                return;
            }
            let bits = bitmap
                .get(usize::try_from(i / 4).unwrap_or(usize::MAX))
                .map_or(0, |b| {
                    b.checked_shr(u32::try_from(i % 4).unwrap_or(0).saturating_mul(2))
                        .unwrap_or(0)
                        & 3
                });
            let at = first.saturating_add(i.saturating_mul(bs));
            let end = at.saturating_add(bs);
            let busy = bits & 1 != 0;
            let requested = match (busy, bits & 2 != 0) {
                (false, _) => None,
                (true, false) => Some(bs),
                (true, true) if big => self.unused_tail(self.mem, at, end, bs),
                (true, true) => self.unused_tail(&snap, at, end, bs),
            };
            let e = Entry {
                front_end: true,
                ..entry(at, at, bs, requested, busy_or_free(busy))
            };
            self.emit(SegmentBlockKind::Lfh, r.address, e);
        }
    }

    fn backend(&mut self, r: &PageRange) {
        let busy = r.kind == RangeKind::Backend;
        let unused = u64::from(r.unused_bytes);
        let requested = if !busy {
            None
        } else if unused >= r.size {
            self.note(Finding {
                address: r.address,
                kind: FindingKind::UnusedBytesTooLarge {
                    unused,
                    size: r.size,
                },
            });
            None
        } else {
            Some(r.size.saturating_sub(unused))
        };
        let e = entry(r.address, r.address, r.size, requested, busy_or_free(busy));
        self.emit(SegmentBlockKind::Backend, r.address, e);
    }
}

impl SegmentHeap {
    /// Walk everything and keep every block ([`SegmentHeapWalk::blocks`]).
    pub fn walk<M: ReadMemory + ?Sized>(&self, mem: &M, keys: SegmentHeapKeys) -> SegmentHeapWalk {
        self.walk_inner(mem, keys, &mut |_: &Entry, _: BlockSource<'_>| {}, true)
    }

    /// Walk everything in one pass, handing each block to `visitor` (as an [`Entry`] with
    /// [`BlockSource::SegmentHeap`]) instead of keeping it: page segments and their ranges in
    /// list order (each range's VS chunks or LFH blocks in address order, free and back-end
    /// ranges as blocks), then the large allocations. Keys not given in `keys` are recovered
    /// from the heap ([`SegmentHeapWalk::keys`] says how). A heap without a layout
    /// ([`SegmentHeap::layout`] `None`) gives an empty walk with one finding. Memory is
    /// proportional to the page segments and their ranges, never to the blocks.
    pub fn walk_with<M: ReadMemory + ?Sized, V: WalkVisitor + ?Sized>(
        &self,
        mem: &M,
        keys: SegmentHeapKeys,
        visitor: &mut V,
    ) -> SegmentHeapWalk {
        self.walk_inner(mem, keys, visitor, false)
    }

    fn walk_inner<M: ReadMemory + ?Sized, V: WalkVisitor + ?Sized>(
        &self,
        mem: &M,
        keys: SegmentHeapKeys,
        visitor: &mut V,
        keep: bool,
    ) -> SegmentHeapWalk {
        let empty_keys = KeyReport {
            heap_key: None,
            heap_key_known_bits: 0,
            heap_key_source: KeySource::NotFound,
            vs_votes: (0, 0),
            signature_votes: (0, 0),
            signature_constant: None,
            lfh_key: None,
            lfh_key_source: KeySource::NotFound,
            lfh_votes: (0, 0),
            lfh_shift: LfhShift::Truncated,
            lfh_alternatives: 0,
        };
        let out = SegmentHeapWalk {
            heap: self.clone(),
            keys: empty_keys,
            segments: Vec::new(),
            blocks: Vec::new(),
            blocks_kept: keep,
            findings: self.findings.clone(),
            findings_dropped: 0,
        };
        let Some(l) = self.layout else {
            let mut out = out;
            out.findings.push(bad(
                self.address,
                "segment heap layout of this build unknown: not walked",
            ));
            return out;
        };
        let mut wk = Walker {
            mem,
            l,
            visitor,
            keep,
            out,
        };
        let mut ev = Evidence::default();
        wk.context(0, &mut ev);
        wk.context(1, &mut ev);
        let limits = self.limits;
        wk.out.keys = recover(mem, &l, &ev, keys, limits.max_entries_per_segment);
        let k = wk.out.keys;
        if k.lfh_alternatives > 0 {
            wk.note(Finding {
                address: self.address,
                kind: FindingKind::KeyAmbiguous {
                    key: "LfhKey",
                    alternatives: k.lfh_alternatives,
                },
            });
        }
        let full = k.heap_key_known_bits
            == match l.width {
                crate::memory::PointerWidth::Bits32 => 0xffff_ffff,
                crate::memory::PointerWidth::Bits64 => u64::MAX,
            };
        let segments = std::mem::take(&mut wk.out.segments);
        for (mut s, (seg, ctx, sig)) in segments.into_iter().zip(ev.segments.iter().copied()) {
            if let (Some(key), Some(c), true) = (k.heap_key, k.signature_constant, full) {
                let ok = page_segment_signature(l.width, seg, ctx, key, c) == sig;
                s.signature_matches = Some(ok);
                if !ok {
                    wk.note(bad(
                        seg,
                        "page segment signature does not match the heap key",
                    ));
                }
            }
            for r in &s.ranges {
                match r.kind {
                    RangeKind::Vs => wk.vs(r),
                    RangeKind::Lfh => wk.lfh(r),
                    RangeKind::Backend | RangeKind::Free => wk.backend(r),
                    RangeKind::Internal => {}
                }
            }
            wk.out.segments.push(s);
        }
        for a in self.large.iter().flatten() {
            let size = a.pages.saturating_mul(PAGE_SIZE);
            let e = entry(
                a.address,
                a.address,
                size,
                Some(a.size),
                EntryState::VirtualAlloc,
            );
            wk.emit(SegmentBlockKind::Large, a.node, e);
        }
        wk.out
    }
}
