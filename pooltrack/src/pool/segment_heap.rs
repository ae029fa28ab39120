//! The segment-heap kernel pool (x64 from Windows 10 1809, build 17763; x86 from 1903, build
//! 18362): `!pool ADDR` inside LFH and VS subsegments, and `!poolfind` over the subsegments of
//! every pool heap.
//!
//! The heaps come from `nt!ExPoolState` (`PoolNode[].Heaps[]`, `SpecialHeaps[]`); the keys from
//! `nt!RtlpHpHeapGlobals`. An address's page segment is `addr & SegmentMask` of one of the
//! heap's two segment contexts, confirmed by the encoded signature
//! (`Signature ^ segment ^ HeapKey ^ 0xA2E64EADA2E64EAD == &SegContext`); its range descriptor
//! says which subsegment holds it. LFH blocks: `BlockOffsets ^ LfhKey ^ (subsegment >> 12)` gives
//! the block size and first block; the bitmap has two bits per block (bit 0: allocated); each
//! block starts with a `_POOL_HEADER`. VS chunks: `HeaderBits ^ chunk ^ HeapKey` gives the size
//! (in pool units), the previous size and the allocated flag; a `_POOL_HEADER` follows the
//! chunk header (16 bytes on x64, 8 on x86).
//!
//! x86 (pointers, keys, signatures and `HeaderBits` of 32 bits): the `HeaderBits` fields are
//! the x86 PDB's (`UnsafeSize` bits 1..16, `UnsafePrevSize` 16..31, `Allocated` bit 31); that
//! the kernel encodes them and the page segment signature as on x64 with 32-bit values (the
//! constant truncated to 0xA2E64EAD), that VS sizes count 8-byte units and that the first VS
//! chunk follows the 0x18-byte subsegment header are inferred from the x64 code and the x86
//! granularity, not confirmed on a real x86 dump.

use std::collections::BTreeSet;

use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

use super::context::Pool;
use super::pool_header::{PoolHeader, pool_unit};
use super::pool_page::{PAGE_SIZE, PoolBlock, PoolPage, PoolPageKind};
use super::scan::{PoolFind, PoolFindHit, ScanProgress};
use super::segment_heap_layout::SegmentHeapLayouts;
use super::tag::PoolTag;
use crate::layout::{Arch, Field, KernelBuild};

/// `_SEGMENT_HEAP.Signature`.
pub const SEGMENT_HEAP_SIGNATURE: u32 = 0xDDEE_DDEE;
/// `Size ^ Signature` of a VS subsegment.
pub const VS_SUBSEGMENT_KEY: u16 = 0x2BED;

/// `_HEAP_PAGE_RANGE_DESCRIPTOR.RangeFlags`: bit 0 allocated, bit 1 first unit of a range,
/// bits 2-3 the range type (`_HEAP_SEG_RANGE_TYPE`: user 0, internal 1, LFH 2, VS 3), so a
/// back-end allocation's first unit reads 0x03, an LFH subsegment's 0x0B, a VS subsegment's
/// 0x0F and a free range's 0x02. This is the reading of MemProcFS and of the enum in the 22000
/// kernel's types; the x86 PDB keeps the flags in 5 bits (`RangeFlagBits:5`) under
/// `CommittedPageCount`. (An earlier reading, from Windows 10 1607 write-ups, had an LFH bit
/// 0x01 and a VS bit 0x20, which cannot fit those 5 bits.)
pub mod range_flags {
    /// The range is allocated.
    pub const ALLOCATED: u8 = 0x01;
    /// First descriptor of a range (holds `UnitSize`; the others hold `UnitOffset`).
    pub const FIRST: u8 = 0x02;
    /// The range type's bits.
    pub const TYPE_MASK: u8 = 0x0c;
    /// The type bits of an LFH subsegment (`HeapSegRangeLFH` = 2).
    pub const LFH_SUBSEGMENT: u8 = 0x08;
    /// The type bits of a VS subsegment (`HeapSegRangeVS` = 3).
    pub const VS_SUBSEGMENT: u8 = 0x0c;
    /// The bits that are flags on x86 (`RangeFlagBits:5`).
    pub const X86_MASK: u8 = 0x1f;

    /// An allocated LFH subsegment's flags.
    pub const fn is_lfh(flags: u8) -> bool {
        flags & ALLOCATED != 0 && flags & TYPE_MASK == LFH_SUBSEGMENT
    }

    /// An allocated VS subsegment's flags.
    pub const fn is_vs(flags: u8) -> bool {
        flags & ALLOCATED != 0 && flags & TYPE_MASK == VS_SUBSEGMENT
    }
}

/// The constant XORed into page segment signatures (0 from build 26100; on x86 its low 32
/// bits, the signature being a ULONG_PTR).
pub const fn page_segment_constant(b: KernelBuild) -> u64 {
    if b.build >= 26100 {
        0
    } else if matches!(b.arch, Arch::X86) {
        0xA2E6_4EAD
    } else {
        0xA2E6_4EAD_A2E6_4EAD
    }
}

/// The encoded `_HEAP_PAGE_SEGMENT.Signature` of `segment` owned by the segment context at
/// `seg_context`: `segment ^ seg_context ^ HeapKey ^ constant` (as ntdll's
/// `RtlpHpSegHeapAddSegment` writes it), 32 bits on x86.
pub const fn encode_page_segment_signature(
    b: KernelBuild,
    segment: u64,
    seg_context: u64,
    heap_key: u64,
) -> u64 {
    let v = segment ^ seg_context ^ heap_key ^ page_segment_constant(b);
    match b.arch {
        Arch::X86 => v & 0xffff_ffff,
        Arch::X64 => v,
    }
}

/// Whether `sig` is the page segment signature of `segment` owned by segment context `ctx` of
/// the heap at `heap`: the form [`encode_page_segment_signature`] gives, or (x64) the later
/// form a decompiled newer `ntdll` checks with fixed 1 MiB segments,
/// `heap ^ HeapKey ^ Signature ^ (segment >> 20) == 0xA2E64EADA2E64EAD` (its build is not
/// known; a chance match of 64 bits is negligible, so both are accepted).
pub const fn page_segment_signature_matches(
    b: KernelBuild,
    sig: u64,
    segment: u64,
    ctx: u64,
    heap: u64,
    heap_key: u64,
) -> bool {
    sig == encode_page_segment_signature(b, segment, ctx, heap_key)
        || (matches!(b.arch, Arch::X64)
            && heap ^ heap_key ^ sig ^ (segment >> 20) == 0xA2E6_4EAD_A2E6_4EAD)
}

/// `_HEAP_LFH_SUBSEGMENT.BlockOffsets.EncodedData` for a block size and first block offset
/// (bytes) of the subsegment at `subsegment`. Its own inverse: decode with the same call.
pub const fn encode_lfh_offsets(plain: u32, subsegment: u64, lfh_key: u64) -> u32 {
    plain ^ (lfh_key & 0xffff_ffff) as u32 ^ ((subsegment >> 12) & 0xffff_ffff) as u32
}

/// A VS chunk header's decoded `Sizes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VsChunkSizes {
    /// Chunk size in 16-byte units (chunk header included).
    pub units: u16,
    /// Previous chunk's size in 16-byte units.
    pub prev_units: u16,
    /// Allocated.
    pub allocated: bool,
}

impl VsChunkSizes {
    /// The encoded `HeaderBits` of a chunk at `chunk` on `arch` (x86: 32 bits, `UnsafeSize`
    /// at bit 1, `UnsafePrevSize` at bit 16, `Allocated` bit 31, 15-bit sizes).
    pub const fn encode_for(&self, arch: Arch, chunk: u64, heap_key: u64) -> u64 {
        match arch {
            Arch::X64 => self.encode(chunk, heap_key),
            Arch::X86 => {
                let plain = (((self.units & 0x7fff) as u64) << 1)
                    | (((self.prev_units & 0x7fff) as u64) << 16)
                    | ((self.allocated as u64) << 31);
                (plain ^ chunk ^ heap_key) & 0xffff_ffff
            }
        }
    }
    /// Decode `HeaderBits` of a chunk at `chunk` on `arch`.
    pub const fn decode_for(
        arch: Arch,
        header_bits: u64,
        chunk: u64,
        heap_key: u64,
    ) -> VsChunkSizes {
        match arch {
            Arch::X64 => VsChunkSizes::decode(header_bits, chunk, heap_key),
            Arch::X86 => {
                let d = (header_bits ^ chunk ^ heap_key) & 0xffff_ffff;
                VsChunkSizes {
                    units: ((d >> 1) & 0x7fff) as u16,
                    prev_units: ((d >> 16) & 0x7fff) as u16,
                    allocated: (d >> 31) & 1 != 0,
                }
            }
        }
    }
    /// The encoded `HeaderBits` of a chunk at `chunk` (x64).
    pub const fn encode(&self, chunk: u64, heap_key: u64) -> u64 {
        let plain = ((self.units as u64) << 16)
            | ((self.prev_units as u64) << 32)
            | ((self.allocated as u64) << 48);
        plain ^ chunk ^ heap_key
    }
    /// Decode `HeaderBits` of a chunk at `chunk` (x64).
    pub const fn decode(header_bits: u64, chunk: u64, heap_key: u64) -> VsChunkSizes {
        let d = header_bits ^ chunk ^ heap_key;
        VsChunkSizes {
            units: ((d >> 16) & 0xffff) as u16,
            prev_units: ((d >> 32) & 0xffff) as u16,
            allocated: (d >> 48) & 0xff != 0,
        }
    }
}

/// Where an address lies in a page segment.
#[derive(Debug, Clone, Copy)]
struct SegHit {
    segment: u64,
    unit_shift: u32,
    first_descriptor: u64,
    paged: bool,
}

/// The range (subsegment) a descriptor index belongs to.
#[derive(Debug, Clone, Copy)]
struct Range {
    start: u64,
    len: u64,
    flags: u8,
}

/// The most bytes of one subsegment read at once (larger ones are read block by block).
const MAX_CACHED: u64 = 0x10_0000;

/// One subsegment's bytes read once (when the dump holds them all), so a walk over many small
/// blocks is not many small reads; reads outside it, or when it could not be read whole, go to
/// the memory.
struct Cached<'a, M> {
    mem: &'a M,
    base: u64,
    bytes: Vec<u8>,
}

impl<'a, M: ReadMemory> Cached<'a, M> {
    fn new(mem: &'a M, base: u64, end: u64) -> Self {
        let len = end.saturating_sub(base);
        let mut bytes = Vec::new();
        if len <= MAX_CACHED {
            bytes.resize(usize::try_from(len).unwrap_or(0), 0);
            if mem.read(base, &mut bytes).is_err() {
                bytes = Vec::new();
            }
        }
        Cached { mem, base, bytes }
    }
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), crate::memory::MemoryError> {
        let hit = addr
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
            .and_then(|o| self.bytes.get(o..o.checked_add(out.len())?));
        match hit {
            Some(b) => {
                out.copy_from_slice(b);
                Ok(())
            }
            None => self.mem.read(addr, out),
        }
    }
    fn ptr(&self, addr: u64, width: PointerWidth) -> Result<u64, crate::memory::MemoryError> {
        let mut b = [0u8; 8];
        let n = usize::try_from(width.bytes()).unwrap_or(8).min(8);
        self.read(addr, b.get_mut(..n).unwrap_or(&mut []))?;
        Ok(u64::from_le_bytes(b))
    }
}
const MAX_DESCRIPTORS: u64 = 256;

fn off(f: Option<Field>) -> u64 {
    f.map_or(0, |f| f.off())
}

impl<M: ReadMemory> Pool<M> {
    fn seg_layouts(&self) -> Result<&SegmentHeapLayouts, Error> {
        self.seg.as_ref().ok_or(Error::MissingSymbol {
            name: "segment-heap layouts",
            addr: 0,
        })
    }

    fn heap_key(&self, addr: u64) -> Result<u64, Error> {
        self.ctx.heap_key.ok_or(Error::MissingSymbol {
            name: "RtlpHpHeapGlobals",
            addr,
        })
    }

    /// The segment heaps of the pool: `ExPoolState.PoolNode[0..NumberOfPools].Heaps[]` and
    /// `SpecialHeaps[]`, non-null, each once, those whose `Signature` is 0xDDEEDDEE.
    pub fn segment_heaps(&self) -> Result<Vec<u64>, Error> {
        Ok(self.heaps_by_kind()?.into_iter().map(|(h, _)| h).collect())
    }

    /// [`Pool::segment_heaps`] with whether each is paged (`Heaps[2]`, `Heaps[3]`: the order is
    /// non-paged, non-paged NX, paged, paged).
    fn heaps_by_kind(&self) -> Result<Vec<(u64, bool)>, Error> {
        let l = self.seg_layouts()?;
        let state = self.ctx.pool_state;
        if state == 0 {
            return Err(Error::MissingSymbol {
                name: "ExPoolState",
                addr: 0,
            });
        }
        let width = self.ctx.build.pointer_width();
        let psz = width.bytes();
        let n_at = state.saturating_add(off(l.pool_state.number_of_pools));
        let nodes = u64::from(self.mem.read_u32(n_at)?);
        if nodes == 0 || nodes > l.pool_nodes(self.ctx.build.arch) {
            return Err(Error::Corrupt {
                what: "ExPoolState.NumberOfPools",
                addr: n_at,
            });
        }
        let mut cands = Vec::new();
        let node0 = state.saturating_add(off(l.pool_state.pool_node));
        for i in 0..nodes {
            let node = node0.saturating_add(i.saturating_mul(u64::from(l.pool_node.size)));
            for j in 0..4u64 {
                cands.push((
                    node.saturating_add(off(l.pool_node.heaps))
                        .saturating_add(j.saturating_mul(psz)),
                    j >= 2,
                ));
            }
        }
        let special = state.saturating_add(off(l.pool_state.special_heaps));
        for j in 0..l.special_heaps(self.ctx.build.arch) {
            cands.push((special.saturating_add(j.saturating_mul(psz)), j >= 2));
        }
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        for (at, paged) in cands {
            let h = match self.mem.read_ptr(at, width) {
                Ok(h) => h,
                Err(e) if e.is_not_captured() => continue,
                Err(e) => return Err(Error::Memory(e)),
            };
            if h == 0 || !seen.insert(h) {
                continue;
            }
            let sig = self.mem.read_u32(h.saturating_add(off(l.heap.signature)));
            if sig.is_ok_and(|s| s == SEGMENT_HEAP_SIGNATURE) {
                out.push((h, paged));
            }
        }
        Ok(out)
    }

    /// The page segment holding `addr` in one of `heaps`, by signature.
    fn find_segment(&self, heaps: &[(u64, bool)], addr: u64) -> Result<Option<SegHit>, Error> {
        let l = self.seg_layouts()?;
        let key = self.heap_key(addr)?;
        let width = self.ctx.build.pointer_width();
        for &(h, paged) in heaps {
            for i in 0..2u64 {
                let ctx = h
                    .saturating_add(off(l.heap.seg_contexts))
                    .saturating_add(i.saturating_mul(u64::from(l.seg_context.size)));
                let Ok(mask) = self
                    .mem
                    .read_ptr(ctx.saturating_add(off(l.seg_context.segment_mask)), width)
                else {
                    continue;
                };
                if mask == 0 {
                    continue;
                }
                let seg = addr & mask;
                let Ok(sig) = self
                    .mem
                    .read_ptr(seg.saturating_add(off(l.page_segment.signature)), width)
                else {
                    continue;
                };
                if !page_segment_signature_matches(self.ctx.build, sig, seg, ctx, h, key) {
                    continue;
                }
                let shift = self
                    .mem
                    .read_u8(ctx.saturating_add(off(l.seg_context.unit_shift)))?;
                let first = self
                    .mem
                    .read_u8(ctx.saturating_add(off(l.seg_context.first_descriptor_index)))?;
                if !(12..=24).contains(&shift) {
                    return Err(Error::Corrupt {
                        what: "_HEAP_SEG_CONTEXT.UnitShift",
                        addr: ctx,
                    });
                }
                return Ok(Some(SegHit {
                    segment: seg,
                    unit_shift: u32::from(shift),
                    first_descriptor: u64::from(first),
                    paged,
                }));
            }
        }
        Ok(None)
    }

    /// The range (first descriptor's unit, length, flags) holding unit `idx` of a segment.
    fn range_of(&self, s: &SegHit, idx: u64) -> Result<Range, Error> {
        let l = self.seg_layouts()?;
        let dsz = u64::from(l.range_descriptor.size);
        let desc = |i: u64| -> Result<(u8, u8), Error> {
            let d = s
                .segment
                .saturating_add(off(l.page_segment.desc_array))
                .saturating_add(i.saturating_mul(dsz));
            let mask = if self.ctx.build.arch == Arch::X86 {
                range_flags::X86_MASK
            } else {
                0xff
            };
            let flags = self
                .mem
                .read_u8(d.saturating_add(off(l.range_descriptor.range_flags)))?
                & mask;
            let unit = self
                .mem
                .read_u8(d.saturating_add(off(l.range_descriptor.unit_size)))?;
            Ok((flags, unit))
        };
        let (mut flags, mut unit) = desc(idx)?;
        let mut first = idx;
        if flags & range_flags::FIRST == 0 {
            first = idx
                .checked_sub(u64::from(unit))
                .filter(|f| *f >= s.first_descriptor)
                .ok_or(Error::Corrupt {
                    what: "_HEAP_PAGE_RANGE_DESCRIPTOR.UnitOffset",
                    addr: s.segment,
                })?;
            (flags, unit) = desc(first)?;
            if flags & range_flags::FIRST == 0 {
                return Err(Error::Corrupt {
                    what: "_HEAP_PAGE_RANGE_DESCRIPTOR (no first unit)",
                    addr: s.segment,
                });
            }
        }
        let units = u64::from(unit).max(1);
        if first.saturating_add(units) > MAX_DESCRIPTORS {
            return Err(Error::Corrupt {
                what: "_HEAP_PAGE_RANGE_DESCRIPTOR.UnitSize",
                addr: s.segment,
            });
        }
        Ok(Range {
            start: s.segment.saturating_add(first << s.unit_shift),
            len: units << s.unit_shift,
            flags,
        })
    }

    /// `!pool ADDR` on the segment-heap pool: fills `out` (kind, blocks, where it broke).
    pub(crate) fn segment_page(&self, addr: u64, out: &mut PoolPage) -> Result<(), Error> {
        if self.seg.is_none() || self.ctx.pool_state == 0 || self.ctx.heap_key.is_none() {
            out.kind = PoolPageKind::SegmentHeap;
            return Ok(());
        }
        let heaps = self.heaps_by_kind()?;
        let Some(s) = self.find_segment(&heaps, addr)? else {
            out.kind = PoolPageKind::SegmentNotFound;
            return Ok(());
        };
        if out.region.is_none() {
            out.region = Some(if s.paged {
                "Paged pool"
            } else {
                "Nonpaged pool"
            });
        }
        let idx = addr.saturating_sub(s.segment) >> s.unit_shift;
        if idx < s.first_descriptor || idx >= MAX_DESCRIPTORS {
            out.kind = PoolPageKind::SegmentRange {
                segment: s.segment,
                range: s.segment,
                flags: 0,
            };
            return Ok(());
        }
        let r = self.range_of(&s, idx)?;
        let page = out.page;
        let window = (page, page.saturating_add(PAGE_SIZE));
        if range_flags::is_vs(r.flags) {
            out.kind = PoolPageKind::SegmentVs {
                subsegment: r.start,
            };
            (out.blocks, out.corrupt_at) = self.vs_blocks(r, window, Some(addr))?;
        } else if range_flags::is_lfh(r.flags) {
            let bs = self.lfh_block_size(r).unwrap_or(0);
            out.kind = PoolPageKind::SegmentLfh {
                subsegment: r.start,
                block_size: bs,
            };
            (out.blocks, out.corrupt_at) = self.lfh_blocks(r, window, Some(addr))?;
        } else {
            out.kind = PoolPageKind::SegmentRange {
                segment: s.segment,
                range: r.start,
                flags: r.flags,
            };
        }
        Ok(())
    }

    /// Decoded (block size, first block offset) of an LFH subsegment, checked against its range.
    fn lfh_offsets(&self, r: Range) -> Result<(u64, u64), Error> {
        let l = self.seg_layouts()?;
        let lfh_key = self.ctx.lfh_key.ok_or(Error::MissingSymbol {
            name: "RtlpHpHeapGlobals.LfhKey",
            addr: r.start,
        })?;
        let at = r.start.saturating_add(off(l.lfh_subsegment.block_offsets));
        let dec = encode_lfh_offsets(self.mem.read_u32(at)?, r.start, lfh_key);
        let bs = u64::from(dec & 0xffff);
        let fo = u64::from(dec >> 16);
        if bs < pool_unit(self.ctx.build.arch)
            || fo < u64::from(l.lfh_subsegment.size)
            || fo >= r.len
        {
            return Err(Error::Corrupt {
                what: "_HEAP_LFH_SUBSEGMENT.BlockOffsets",
                addr: at,
            });
        }
        Ok((bs, fo))
    }

    fn lfh_block_size(&self, r: Range) -> Option<u64> {
        self.lfh_offsets(r).ok().map(|(bs, _)| bs)
    }

    /// The blocks of an LFH subsegment starting in `window` (and the one holding `holding`).
    fn lfh_blocks(
        &self,
        r: Range,
        window: (u64, u64),
        holding: Option<u64>,
    ) -> Result<(Vec<PoolBlock>, Option<u64>), Error> {
        let l = self.seg_layouts()?;
        let (bs, fo) = match self.lfh_offsets(r) {
            Ok(v) => v,
            Err(Error::Corrupt { addr, .. }) => return Ok((Vec::new(), Some(addr))),
            Err(e) => return Err(e),
        };
        let count_at = r.start.saturating_add(off(l.lfh_subsegment.block_count));
        let count = u64::from(self.mem.read_u16(count_at)?);
        let first = r.start.saturating_add(fo);
        let bitmap_at = r.start.saturating_add(off(l.lfh_subsegment.block_bitmap));
        let bitmap_len = count.saturating_mul(2).div_ceil(8);
        if bitmap_at.saturating_add(bitmap_len) > first
            || first.saturating_add(count.saturating_mul(bs)) > r.start.saturating_add(r.len)
        {
            return Ok((Vec::new(), Some(count_at)));
        }
        let mut bitmap = vec![0u8; usize::try_from(bitmap_len).unwrap_or(0)];
        self.mem.read(bitmap_at, &mut bitmap)?;
        let lo = window.0.max(first);
        let mut i = lo.saturating_sub(first).checked_div(bs).unwrap_or(0);
        if let Some(a) = holding
            && a >= first
            && a < window.0
        {
            i = i.min(a.saturating_sub(first).checked_div(bs).unwrap_or(0));
        }
        let from = first.saturating_add(i.saturating_mul(bs));
        let to = window
            .1
            .min(first.saturating_add(count.saturating_mul(bs)))
            .saturating_add(16);
        let cache = Cached::new(&self.mem, from, to);
        let mut blocks = Vec::new();
        let mut corrupt = None;
        let arch = self.ctx.build.arch;
        let unit = pool_unit(arch);
        let hsz = usize::try_from(unit).unwrap_or(16);
        let budget = self.limits.max_list_steps;
        let mut steps = 0u64;
        while i < count {
            let at = first.saturating_add(i.saturating_mul(bs));
            if at >= window.1 {
                break;
            }
            steps = steps.saturating_add(1);
            if steps > budget {
                return Err(Error::WalkLimit {
                    what: "LFH subsegment blocks",
                    addr: at,
                });
            }
            let bits = bitmap
                .get(usize::try_from(i / 4).unwrap_or(usize::MAX))
                .map_or(0, |b| {
                    b.checked_shr(u32::try_from(i % 4).unwrap_or(0).saturating_mul(2))
                        .unwrap_or(0)
                });
            let busy = bits & 1 != 0;
            let mut hb = [0u8; 16];
            cache.read(at, hb.get_mut(..hsz).unwrap_or(&mut []))?;
            let h = PoolHeader::decode(arch, &hb).ok_or(Error::Corrupt {
                what: "_POOL_HEADER",
                addr: at,
            })?;
            if busy && u64::from(h.block_size).saturating_mul(unit) != bs && corrupt.is_none() {
                corrupt = Some(at);
            }
            let tag = PoolTag(h.tag);
            blocks.push(PoolBlock {
                addr: at,
                size: bs,
                previous_size: 0,
                tag: tag.unprotected(),
                protected: tag.is_protected(),
                free: !busy,
                paged: if busy {
                    self.header_type_is_paged(h.pool_type)
                } else {
                    None
                },
                header: h,
                holds_address: holding.is_some_and(|a| a >= at && a < at.saturating_add(bs)),
            });
            i = i.saturating_add(1);
        }
        Ok((blocks, corrupt))
    }

    /// The chunks of a VS subsegment that overlap `window`, as pool blocks (the `_POOL_HEADER`
    /// after each chunk header).
    fn vs_blocks(
        &self,
        r: Range,
        window: (u64, u64),
        holding: Option<u64>,
    ) -> Result<(Vec<PoolBlock>, Option<u64>), Error> {
        let l = self.seg_layouts()?;
        let key = self.heap_key(r.start)?;
        let size_at = r.start.saturating_add(off(l.vs_subsegment.size_field));
        let units = self.mem.read_u16(size_at)?;
        let sig = self
            .mem
            .read_u16(r.start.saturating_add(off(l.vs_subsegment.signature)))?
            & 0x7fff;
        let arch = self.ctx.build.arch;
        let width = arch.pointer_width();
        // Sizes count pool units (16 bytes on x64, 8 on x86); the chunk header is 16 / 8 bytes.
        let unit = pool_unit(arch);
        let end = r
            .start
            .saturating_add(u64::from(units).saturating_mul(unit));
        if (units ^ VS_SUBSEGMENT_KEY) & 0x7fff != sig || end > r.start.saturating_add(r.len) {
            return Ok((Vec::new(), Some(size_at)));
        }
        let chdr = u64::from(l.vs_chunk_header.size.max(8));
        let cache = Cached::new(&self.mem, r.start, end.min(window.1.saturating_add(0x20)));
        let mut blocks = Vec::new();
        // The first chunk follows the subsegment header, rounded up to a unit (x64 0x30).
        let first = u64::from(l.vs_subsegment.size).next_multiple_of(unit);
        let mut cur = r.start.saturating_add(first);
        let mut prev = 0u16;
        let budget = self.limits.max_list_steps;
        let mut steps = 0u64;
        while cur.saturating_add(chdr) <= end && cur < window.1 {
            steps = steps.saturating_add(1);
            if steps > budget {
                return Err(Error::WalkLimit {
                    what: "VS subsegment chunks",
                    addr: cur,
                });
            }
            let hb = cache.ptr(cur.saturating_add(off(l.vs_chunk_header.sizes)), width)?;
            let c = VsChunkSizes::decode_for(arch, hb, cur, key);
            let size = u64::from(c.units).saturating_mul(unit);
            if c.units == 0 || c.prev_units != prev || cur.saturating_add(size) > end {
                return Ok((blocks, Some(cur)));
            }
            let next = cur.saturating_add(size);
            if next > window.0 {
                let ph = cur.saturating_add(chdr);
                let mut buf = [0u8; 16];
                let h = if size >= chdr.saturating_add(unit) {
                    cache.read(
                        ph,
                        buf.get_mut(..usize::try_from(unit).unwrap_or(16))
                            .unwrap_or(&mut []),
                    )?;
                    PoolHeader::decode(arch, &buf)
                } else {
                    None
                }
                .ok_or(Error::Corrupt {
                    what: "VS chunk size",
                    addr: cur,
                })?;
                let rest = size.saturating_sub(chdr);
                let bsize = u64::from(h.block_size).saturating_mul(unit);
                if c.allocated && (bsize == 0 || bsize > rest) {
                    return Ok((blocks, Some(ph)));
                }
                let tag = PoolTag(h.tag);
                blocks.push(PoolBlock {
                    addr: ph,
                    size: if c.allocated { bsize } else { rest },
                    previous_size: 0,
                    tag: tag.unprotected(),
                    protected: tag.is_protected(),
                    free: !c.allocated,
                    paged: if c.allocated {
                        self.header_type_is_paged(h.pool_type)
                    } else {
                        None
                    },
                    header: h,
                    holds_address: holding.is_some_and(|a| a >= cur && a < next),
                });
            }
            prev = c.units;
            cur = next;
        }
        Ok((blocks, None))
    }

    /// `!poolfind PATTERN` over the segment heaps: every block of every LFH and VS subsegment of
    /// every page segment on the heaps' segment lists, plus the big page table. Page segments
    /// not in the dump are counted in `pages_missing`; a subsegment that does not decode is
    /// skipped (counted in `pages_missing` too when not in the dump).
    pub fn segment_pool_find(
        &self,
        pattern: &str,
        progress: &mut dyn FnMut(ScanProgress) -> bool,
    ) -> Result<PoolFind, Error> {
        let l = *self.seg_layouts()?;
        let mut out = PoolFind::default();
        let max_hits = usize::try_from(self.limits.max_findings).unwrap_or(usize::MAX);
        if self.ctx.big_page_table != 0 {
            let big = match self.big_pool() {
                Ok(b) => b.entries,
                Err(e) if e.is_not_captured() => Vec::new(),
                Err(e) => return Err(e),
            };
            for e in big.into_iter().filter(|e| e.tag.matches(pattern)) {
                if out.hits.len() < max_hits {
                    out.hits.push(PoolFindHit {
                        addr: e.va,
                        tag: e.tag,
                        size: e.size,
                        free: false,
                        paged: e.is_paged(),
                        large: true,
                    });
                }
            }
        }
        let key = self.heap_key(0)?;
        let width = self.ctx.build.pointer_width();
        let heaps = self.heaps_by_kind()?;
        let mut done = 0u64;
        let mut steps = 0u64;
        let mut seen = BTreeSet::new();
        for &(h, paged) in &heaps {
            for i in 0..2u64 {
                let ctx = h
                    .saturating_add(off(l.heap.seg_contexts))
                    .saturating_add(i.saturating_mul(u64::from(l.seg_context.size)));
                let head = ctx.saturating_add(off(l.seg_context.segment_list_head));
                let (Ok(shift), Ok(first_desc)) = (
                    self.mem
                        .read_u8(ctx.saturating_add(off(l.seg_context.unit_shift))),
                    self.mem
                        .read_u8(ctx.saturating_add(off(l.seg_context.first_descriptor_index))),
                ) else {
                    continue;
                };
                if !(12..=24).contains(&shift) {
                    continue;
                }
                let mut link = match self.mem.read_ptr(head, width) {
                    Ok(v) => v,
                    Err(_) => continue,
                };
                while link != head && link != 0 {
                    steps = steps.saturating_add(1);
                    if steps > self.limits.max_list_steps || !seen.insert(link) {
                        return Err(Error::WalkLimit {
                            what: "segment heap segment list",
                            addr: link,
                        });
                    }
                    let seg = link.saturating_sub(off(l.page_segment.list_entry));
                    let sig = self
                        .mem
                        .read_ptr(seg.saturating_add(off(l.page_segment.signature)), width);
                    match sig {
                        Ok(s)
                            if page_segment_signature_matches(
                                self.ctx.build,
                                s,
                                seg,
                                ctx,
                                h,
                                key,
                            ) =>
                        {
                            let hit = SegHit {
                                segment: seg,
                                unit_shift: u32::from(shift),
                                first_descriptor: u64::from(first_desc),
                                paged,
                            };
                            self.find_in_segment(&hit, pattern, max_hits, &mut out)?;
                        }
                        Ok(_) => {
                            return Err(Error::Corrupt {
                                what: "_HEAP_PAGE_SEGMENT.Signature",
                                addr: seg,
                            });
                        }
                        Err(e) if e.is_not_captured() => {
                            out.pages_missing = out.pages_missing.saturating_add(1);
                            break;
                        }
                        Err(e) => return Err(Error::Memory(e)),
                    }
                    done = done.saturating_add(MAX_DESCRIPTORS << shift);
                    if out.hits.len() >= max_hits
                        || !progress(ScanProgress {
                            bytes_done: done,
                            bytes_total: 0,
                            hits: out.hits.len() as u64,
                        })
                    {
                        out.stopped_early = true;
                        return Ok(out);
                    }
                    link = match self.mem.read_ptr(link, width) {
                        Ok(v) => v,
                        Err(e) if e.is_not_captured() => break,
                        Err(e) => return Err(Error::Memory(e)),
                    };
                }
            }
        }
        Ok(out)
    }

    fn find_in_segment(
        &self,
        s: &SegHit,
        pattern: &str,
        max_hits: usize,
        out: &mut PoolFind,
    ) -> Result<(), Error> {
        let mut idx = s.first_descriptor;
        while idx < MAX_DESCRIPTORS {
            let r = match self.range_of(s, idx) {
                Ok(r) => r,
                Err(Error::Corrupt { .. }) => {
                    idx = idx.saturating_add(1);
                    continue;
                }
                Err(e) if e.is_not_captured() => {
                    out.pages_missing = out.pages_missing.saturating_add(1);
                    idx = idx.saturating_add(1);
                    continue;
                }
                Err(e) => return Err(e),
            };
            let units = r.len >> s.unit_shift;
            let all = (r.start, r.start.saturating_add(r.len));
            let blocks = if r.flags & range_flags::ALLOCATED == 0 {
                None
            } else if range_flags::is_vs(r.flags) {
                Some(self.vs_blocks(r, all, None))
            } else if range_flags::is_lfh(r.flags) {
                Some(self.lfh_blocks(r, all, None))
            } else {
                None
            };
            match blocks {
                Some(Ok((bl, _))) => {
                    out.pages_read = out.pages_read.saturating_add(r.len / PAGE_SIZE);
                    for b in bl.into_iter().filter(|b| b.tag.matches(pattern)) {
                        if out.hits.len() >= max_hits {
                            out.stopped_early = true;
                            return Ok(());
                        }
                        out.hits.push(PoolFindHit {
                            addr: b.addr,
                            tag: b.tag,
                            size: b.size,
                            free: b.free,
                            paged: b.paged,
                            large: false,
                        });
                    }
                }
                Some(Err(e)) if e.is_not_captured() => {
                    out.pages_missing = out.pages_missing.saturating_add(r.len / PAGE_SIZE);
                }
                Some(Err(Error::Corrupt { .. })) | None => {}
                Some(Err(e)) => return Err(e),
            }
            idx = idx.saturating_add(units.max(1));
        }
        Ok(())
    }
}
