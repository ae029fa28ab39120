//! The segment heap's encodings and its keys (`ntdll!RtlpHpHeapGlobals.HeapKey` / `LfhKey`),
//! given by the caller or recovered from the heap's own data, without symbols.
//!
//! * VS chunk headers: `HeaderBits ^ chunk address ^ HeapKey` gives `UnsafeSize`,
//!   `UnsafePrevSize` and `Allocated` (x64: 16/16/8 bits at 16, 32, 48, in 16-byte units;
//!   x86: 15/15/1 bits at 1, 16, 31, in 8-byte units). Only those bits matter to a walk, so the
//!   key is recovered on those bits ([`KeyReport::heap_key_known_bits`]): the first chunk of a
//!   subsegment has `UnsafePrevSize` 0 and `Allocated` 0 or 1, the second chunk's
//!   `UnsafePrevSize` is the first one's size, and the chain of chunks must end exactly at the
//!   subsegment's end (`Size`, itself checked by `Size ^ Signature == 0x2BED`).
//! * Page segment signatures: `Signature == segment ^ context ^ HeapKey ^ C` with
//!   C = 0xA2E64EADA2E64EAD (MemProcFS, before 24H2) or 0: a candidate for the whole key, used
//!   as a vote (it is only confirmed when it agrees with the VS chains), never as a gate.
//! * LFH subsegments: `BlockOffsets ^ LfhKey ^ (subsegment >> 12)` gives the block size and
//!   the first block's offset. The first block follows the bitmap, and the blocks fill the
//!   subsegment, so each subsegment proposes a few keys; the one most subsegments propose wins.
//!   The shift is taken on the low 32 bits of the address (MemProcFS, before 24H2) or on the
//!   whole address; both are tried and voted on.

use std::collections::HashMap;

use crate::memory::{PointerWidth, ReadMemory};
use crate::segment_heap_layout::SegmentHeapLayout;

/// `_HEAP_VS_SUBSEGMENT`: `Size ^ Signature` (15 bits).
pub const VS_SUBSEGMENT_XOR: u16 = 0x2BED;
/// The constant XORed into page segment signatures before Windows 11 24H2 (MemProcFS).
pub const PAGE_SEGMENT_CONSTANT: u64 = 0xA2E6_4EAD_A2E6_4EAD;
/// Subsegments examined for key recovery, at most.
const MAX_SAMPLES: usize = 64;

/// Keys given by the caller (e.g. read from ntdll's `RtlpHpHeapGlobals` at a PDB-given
/// address): `HeapKey` and `LfhKey`. A key left `None` is recovered from the heap's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegmentHeapKeys {
    /// `RtlpHpHeapGlobals.HeapKey` (VS chunk headers, page segment signatures).
    pub heap_key: Option<u64>,
    /// `RtlpHpHeapGlobals.LfhKey` (LFH `BlockOffsets`; its low 32 bits are used).
    pub lfh_key: Option<u64>,
}

/// Where a key in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Given by the caller.
    Given,
    /// Recovered from the heap's data (votes in [`KeyReport`]).
    Recovered,
    /// Nothing needs it (no subsegment of that kind).
    NotNeeded,
    /// Needed but not found: the subsegments that need it are not walked.
    NotFound,
}

/// How the LFH `BlockOffsets` are keyed with the subsegment address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LfhShift {
    /// `(u32)subsegment >> 12` (before Windows 11 24H2, per MemProcFS).
    Truncated,
    /// `(u32)(subsegment >> 12)` (24H2 per MemProcFS; what the kernel-pool walker assumes).
    Full,
}

impl LfhShift {
    /// The address term XORed into `BlockOffsets`.
    pub fn term(self, subsegment: u64) -> u32 {
        match self {
            LfhShift::Truncated => u32::try_from(subsegment & 0xffff_ffff).unwrap_or(0) >> 12,
            LfhShift::Full => u32::try_from((subsegment >> 12) & 0xffff_ffff).unwrap_or(0),
        }
    }
}

/// The keys a walk used, with the evidence for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyReport {
    /// `HeapKey` in use (its unknown bits are 0).
    pub heap_key: Option<u64>,
    /// The bits of `heap_key` that are known: every bit when given or confirmed by a page
    /// segment signature, else the bits that decode VS chunk sizes.
    pub heap_key_known_bits: u64,
    /// Where `heap_key` came from.
    pub heap_key_source: KeySource,
    /// VS subsegments whose whole chunk chain decodes with `heap_key`, of those examined.
    pub vs_votes: (usize, usize),
    /// Page segments whose signature agrees with `heap_key`, of those examined.
    pub signature_votes: (usize, usize),
    /// The signature constant that agreed (0xA2E64EADA2E64EAD or 0), when one did.
    pub signature_constant: Option<u64>,
    /// `LfhKey` in use (32 bits).
    pub lfh_key: Option<u64>,
    /// Where `lfh_key` came from.
    pub lfh_key_source: KeySource,
    /// LFH subsegments that propose `lfh_key`, of those examined.
    pub lfh_votes: (usize, usize),
    /// How `BlockOffsets` are keyed with the address. When every LFH subsegment lies in the
    /// same 4 GiB, both ways decode alike and the key reported is the truncated one's.
    pub lfh_shift: LfhShift,
    /// Other recovered LFH keys with as many votes that decode some subsegment differently
    /// (e.g. one subsegment whose block size several sizes fit): the walk uses the first and
    /// says so in a finding. 0 when given or unambiguous.
    pub lfh_alternatives: usize,
}

/// A VS chunk header's `Sizes`, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VsChunkSizes {
    /// `UnsafeSize`: the chunk's size in header units (16 bytes x64, 8 x86), header included.
    pub size: u16,
    /// `UnsafePrevSize`: the previous chunk's size in the same units.
    pub prev_size: u16,
    /// `Allocated` (x64: a byte, 0 or 1 when the key is right).
    pub allocated: u8,
    /// `MemoryCost` (not used by the walk; its key bits are not recovered from data).
    pub memory_cost: u16,
}

impl VsChunkSizes {
    /// The plain `HeaderBits`.
    pub fn plain(&self, width: PointerWidth) -> u64 {
        match width {
            PointerWidth::Bits64 => {
                u64::from(self.memory_cost)
                    | (u64::from(self.size) << 16)
                    | (u64::from(self.prev_size) << 32)
                    | (u64::from(self.allocated) << 48)
            }
            PointerWidth::Bits32 => {
                u64::from(self.memory_cost & 1)
                    | (u64::from(self.size & 0x7fff) << 1)
                    | (u64::from(self.prev_size & 0x7fff) << 16)
                    | (u64::from(self.allocated & 1) << 31)
            }
        }
    }
    /// `HeaderBits` as stored for a chunk at `chunk`.
    pub fn encode(&self, width: PointerWidth, chunk: u64, heap_key: u64) -> u64 {
        truncate(width, self.plain(width) ^ chunk ^ heap_key)
    }
    /// Decode stored `HeaderBits` of the chunk at `chunk`.
    pub fn decode(width: PointerWidth, raw: u64, chunk: u64, heap_key: u64) -> VsChunkSizes {
        let d = truncate(width, raw ^ chunk ^ heap_key);
        let f = |shift: u32, mask: u64| u16::try_from((d >> shift) & mask).unwrap_or(0);
        match width {
            PointerWidth::Bits64 => VsChunkSizes {
                memory_cost: f(0, 0xffff),
                size: f(16, 0xffff),
                prev_size: f(32, 0xffff),
                allocated: u8::try_from((d >> 48) & 0xff).unwrap_or(0),
            },
            PointerWidth::Bits32 => VsChunkSizes {
                memory_cost: f(0, 1),
                size: f(1, 0x7fff),
                prev_size: f(16, 0x7fff),
                allocated: u8::try_from((d >> 31) & 1).unwrap_or(0),
            },
        }
    }
    /// The key bits that decode `size`, `prev_size` and `allocated`.
    pub fn known_bits(width: PointerWidth) -> u64 {
        match width {
            PointerWidth::Bits64 => 0xffff_ffff_ffff_0000,
            PointerWidth::Bits32 => 0xffff_fffe,
        }
    }
}

fn truncate(width: PointerWidth, v: u64) -> u64 {
    match width {
        PointerWidth::Bits32 => v & 0xffff_ffff,
        PointerWidth::Bits64 => v,
    }
}

/// The `_HEAP_PAGE_SEGMENT.Signature` of `segment` owned by the context at `context`.
pub fn page_segment_signature(
    width: PointerWidth,
    segment: u64,
    context: u64,
    heap_key: u64,
    constant: u64,
) -> u64 {
    truncate(width, segment ^ context ^ heap_key ^ constant)
}

/// `BlockOffsets.EncodedData` of an LFH subsegment (its own inverse).
pub fn lfh_block_offsets(plain: u32, subsegment: u64, lfh_key: u64, shift: LfhShift) -> u32 {
    plain ^ u32::try_from(lfh_key & 0xffff_ffff).unwrap_or(0) ^ shift.term(subsegment)
}

/// What key recovery looks at: read by the walk's first pass.
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    /// (segment, its context, its stored signature).
    pub segments: Vec<(u64, u64, u64)>,
    /// VS subsegments: (start, end from `Size`).
    pub vs: Vec<(u64, u64)>,
    /// LFH subsegments: (start, range length, `BlockCount`, stored `BlockOffsets`).
    pub lfh: Vec<(u64, u64, u16, u32)>,
}

/// Follow a VS chunk chain from `first` to `end` with `key`: whether it lands exactly on `end`
/// with every previous size matching, and how many free chunks follow a free chunk (the heap
/// coalesces free neighbours, so a right key has none); `None` on missing memory or a step cap.
pub(crate) fn vs_chain<M: ReadMemory + ?Sized>(
    mem: &M,
    l: &SegmentHeapLayout,
    first: u64,
    end: u64,
    key: u64,
    max_steps: usize,
) -> Option<(bool, usize)> {
    let unit = l.chunk_header_size;
    let mut c = first;
    let mut prev = 0u16;
    let mut prev_free = false;
    let mut pairs = 0usize;
    for _ in 0..max_steps {
        if c == end {
            return Some((true, pairs));
        }
        let raw = mem.read_ptr(c, l.width).ok()?;
        let d = VsChunkSizes::decode(l.width, raw, c, key);
        if d.size == 0 || d.prev_size != prev || d.allocated > 1 {
            return Some((false, pairs));
        }
        let free = d.allocated == 0;
        pairs = pairs.saturating_add(usize::from(free && prev_free));
        prev_free = free;
        c = match c.checked_add(u64::from(d.size).saturating_mul(unit)) {
            Some(n) if n <= end => n,
            _ => return Some((false, pairs)),
        };
        prev = d.size;
    }
    None
}

/// The keys (on [`VsChunkSizes::known_bits`]) under which the first two chunks of a VS
/// subsegment are consistent and the whole chain reaches the end, with their count of free
/// chunks after free chunks.
fn vs_candidates<M: ReadMemory + ?Sized>(
    mem: &M,
    l: &SegmentHeapLayout,
    start: u64,
    end: u64,
    max_steps: usize,
) -> Vec<(u64, usize)> {
    let w = l.width;
    let unit = l.chunk_header_size.max(1);
    let mut out = Vec::new();
    let Some(c0) = start.checked_add(l.vs_first_chunk()) else {
        return out;
    };
    let Ok(e0) = mem.read_ptr(c0, w) else {
        return out;
    };
    let max_units = end.saturating_sub(c0).checked_div(unit).unwrap_or(0);
    let max_units = u16::try_from(max_units.min(match w {
        PointerWidth::Bits64 => 0xffff,
        PointerWidth::Bits32 => 0x7fff,
    }))
    .unwrap_or(0);
    let mask = VsChunkSizes::known_bits(w);
    for allocated in 0..=1u8 {
        for s0 in 1..=max_units {
            let plain0 = VsChunkSizes {
                size: s0,
                prev_size: 0,
                allocated,
                memory_cost: 0,
            };
            let key = (e0 ^ c0 ^ plain0.plain(w)) & mask;
            let c1 = c0.saturating_add(u64::from(s0).saturating_mul(unit));
            if c1 != end {
                let Ok(e1) = mem.read_ptr(c1, w) else {
                    continue;
                };
                let d1 = VsChunkSizes::decode(w, e1, c1, key);
                if d1.prev_size != s0 || d1.allocated > 1 || d1.size == 0 {
                    continue;
                }
            }
            if let Some((true, pairs)) = vs_chain(mem, l, c0, end, key, max_steps)
                && !out.iter().any(|(k, _)| *k == key)
            {
                out.push((key, pairs));
            }
        }
    }
    out
}

/// The plaintexts an LFH subsegment's `BlockOffsets` may hold: (block size | first offset << 16,
/// whether the first block directly follows the bitmap).
fn lfh_plaintexts(l: &SegmentHeapLayout, len: u64, count: u16) -> Vec<(u32, bool)> {
    let gran = l.chunk_header_size.max(1);
    let n = u64::from(count);
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let bitmap_end = l
        .lfh_block_bitmap
        .saturating_add(n.saturating_mul(2).div_ceil(8));
    let first = bitmap_end.div_ceil(gran).saturating_mul(gran);
    for k in 0..16u64 {
        let fo = first.saturating_add(k.saturating_mul(gran));
        let Some(room) = len.checked_sub(fo) else {
            break;
        };
        // Blocks fill the subsegment: `n` blocks fit and a block more does not, so the block
        // size lies in (room / (n + 1), room / n].
        let hi = room
            .checked_div(n)
            .unwrap_or(0)
            .checked_div(gran)
            .unwrap_or(0)
            .saturating_mul(gran);
        let mut bs = hi;
        while bs >= gran && bs.saturating_mul(n.saturating_add(1)) > room && out.len() < 256 {
            if let (Ok(b), Ok(f)) = (u16::try_from(bs), u16::try_from(fo)) {
                out.push((u32::from(b) | (u32::from(f) << 16), k == 0));
            }
            bs = bs.saturating_sub(gran);
        }
    }
    out
}

/// Recover (or take) the keys and gather the votes.
pub(crate) fn recover<M: ReadMemory + ?Sized>(
    mem: &M,
    l: &SegmentHeapLayout,
    ev: &Evidence,
    given: SegmentHeapKeys,
    max_steps: usize,
) -> KeyReport {
    let w = l.width;
    let vs_mask = VsChunkSizes::known_bits(w);
    let all = truncate(w, u64::MAX);
    let vs_sample: Vec<(u64, u64)> = ev.vs.iter().copied().take(MAX_SAMPLES).collect();
    let chain_votes = |key: u64| {
        vs_sample
            .iter()
            .filter(|(s, e)| {
                s.checked_add(l.vs_first_chunk())
                    .and_then(|c| vs_chain(mem, l, c, *e, key, max_steps))
                    .is_some_and(|(ok, _)| ok)
            })
            .count()
    };
    let sig_votes = |key: u64, known: u64, constant: u64| {
        ev.segments
            .iter()
            .filter(|(seg, ctx, sig)| {
                page_segment_signature(w, *seg, *ctx, key, constant) & known == *sig & known
            })
            .count()
    };
    // HeapKey.
    let (mut heap_key, mut known, mut source) = (None, 0u64, KeySource::NotNeeded);
    if let Some(k) = given.heap_key {
        (heap_key, known, source) = (Some(truncate(w, k)), all, KeySource::Given);
    } else if !ev.vs.is_empty() || !ev.segments.is_empty() {
        // Whole keys from the signatures (either constant).
        let mut sig_cands: HashMap<u64, usize> = HashMap::new();
        for (seg, ctx, sig) in &ev.segments {
            for c in [PAGE_SEGMENT_CONSTANT, 0] {
                let k = page_segment_signature(w, *seg, *ctx, *sig, c);
                let v = sig_cands.entry(k).or_insert(0);
                *v = v.saturating_add(1);
            }
        }
        let sig_for = |masked: u64| {
            sig_cands
                .iter()
                .filter(|(k, _)| **k & vs_mask == masked)
                .max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))
                .map(|(k, v)| (*k, *v))
        };
        // Keys on the VS bits, by the VS subsegments whose chain they decode; among equals,
        // the one a signature confirms, then the one leaving fewer free chunks side by side
        // (`Allocated` flips on every chunk with one key bit, which chains cannot see).
        let mut votes: HashMap<u64, (usize, usize)> = HashMap::new();
        for (s, e) in vs_sample.iter().take(8) {
            let snap = Snapshot::new(mem, *s, *e);
            for (k, pairs) in vs_candidates(&snap, l, *s, *e, max_steps) {
                let v = votes.entry(k).or_insert((0, 0));
                v.0 = v.0.saturating_add(1);
                v.1 = v.1.saturating_add(pairs);
            }
        }
        let best_vs = votes
            .iter()
            .max_by_key(|(k, v)| {
                let sig = sig_for(**k).map_or(0, |s| s.1);
                (v.0, sig, std::cmp::Reverse(v.1), std::cmp::Reverse(**k))
            })
            .map(|(k, _)| *k);
        let best_sig = match best_vs {
            Some(b) => sig_for(b).map(|s| s.0),
            None => sig_cands
                .iter()
                .max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))
                .map(|(k, _)| *k),
        };
        (heap_key, known, source) = match (best_vs, best_sig, ev.vs.is_empty()) {
            (Some(_), Some(k), _) | (None, Some(k), true) => (Some(k), all, KeySource::Recovered),
            (Some(k), None, _) => (Some(k), vs_mask & all, KeySource::Recovered),
            _ => (None, 0, KeySource::NotFound),
        };
    }
    let vs_votes = (heap_key.map_or(0, chain_votes), vs_sample.len());
    let (mut sv, mut constant) = (0, None);
    if let Some(k) = heap_key {
        for c in [PAGE_SEGMENT_CONSTANT, 0] {
            let n = sig_votes(k, known, c);
            if n > sv {
                (sv, constant) = (n, Some(c));
            }
        }
    }
    // LfhKey.
    let lfh_sample: Vec<_> = ev.lfh.iter().copied().take(MAX_SAMPLES).collect();
    let (mut lfh_key, mut lfh_source, mut lfh_votes, mut shift) =
        (None, KeySource::NotNeeded, 0usize, LfhShift::Truncated);
    let mut lfh_alternatives = 0usize;
    if let Some(k) = given.lfh_key {
        (lfh_key, lfh_source) = (Some(k & 0xffff_ffff), KeySource::Given);
        let mut best = 0;
        for s in [LfhShift::Truncated, LfhShift::Full] {
            let n = lfh_sample
                .iter()
                .filter(|(sub, len, count, enc)| {
                    let p = lfh_block_offsets(*enc, *sub, k, s);
                    lfh_plaintexts(l, *len, *count).iter().any(|(x, _)| *x == p)
                })
                .count();
            if n > best {
                (best, shift) = (n, s);
            }
        }
        lfh_votes = best;
    } else if !lfh_sample.is_empty() {
        // (shift, key) -> (subsegments proposing it, of which with the tight first offset).
        let mut votes: HashMap<(bool, u64), (usize, usize)> = HashMap::new();
        for (sub, len, count, enc) in &lfh_sample {
            for (p, tight) in lfh_plaintexts(l, *len, *count) {
                for s in [LfhShift::Truncated, LfhShift::Full] {
                    let k = u64::from(lfh_block_offsets(*enc, *sub, u64::from(p), s));
                    let v = votes.entry((s == LfhShift::Full, k)).or_insert((0, 0));
                    v.0 = v.0.saturating_add(1);
                    v.1 = v.1.saturating_add(usize::from(tight));
                }
            }
        }
        let score = |full: bool, k: u64, v: (usize, usize)| (v, !full, std::cmp::Reverse(k));
        let best = votes
            .iter()
            .max_by_key(|((full, k), v)| score(*full, *k, **v))
            .map(|((full, k), v)| (*full, *k, *v));
        match best {
            Some((full, k, v)) => {
                lfh_key = Some(k);
                lfh_source = KeySource::Recovered;
                lfh_votes = v.0;
                shift = if full {
                    LfhShift::Full
                } else {
                    LfhShift::Truncated
                };
                // Other keys as good that decode some subsegment differently.
                let decode = |full: bool, key: u64| -> Vec<u32> {
                    let s = if full {
                        LfhShift::Full
                    } else {
                        LfhShift::Truncated
                    };
                    lfh_sample
                        .iter()
                        .map(|(sub, _, _, enc)| lfh_block_offsets(*enc, *sub, key, s))
                        .collect()
                };
                let mine = decode(full, k);
                let mut others: Vec<Vec<u32>> = Vec::new();
                for ((f2, k2), v2) in &votes {
                    if *v2 == v {
                        let d = decode(*f2, *k2);
                        if d != mine && !others.contains(&d) && others.len() < 64 {
                            others.push(d);
                        }
                    }
                }
                lfh_alternatives = others.len();
            }
            None => lfh_source = KeySource::NotFound,
        }
    }
    KeyReport {
        heap_key,
        heap_key_known_bits: known,
        heap_key_source: source,
        vs_votes,
        signature_votes: (sv, ev.segments.len()),
        signature_constant: constant,
        lfh_key,
        lfh_key_source: lfh_source,
        lfh_votes: (lfh_votes, lfh_sample.len()),
        lfh_alternatives,
        lfh_shift: shift,
    }
}

/// The bytes of one subsegment (at most [`Snapshot::MAX`]), read once, page by page where
/// the whole range is not in the dump: many small reads of headers become one.
#[derive(Debug)]
pub(crate) struct Snapshot {
    base: u64,
    bytes: Vec<u8>,
    present: Vec<bool>,
}

impl Snapshot {
    /// The most bytes kept.
    pub const MAX: u64 = 0x10_0000;

    /// `base..end` (cut to [`Snapshot::MAX`]).
    pub fn new<M: ReadMemory + ?Sized>(mem: &M, base: u64, end: u64) -> Snapshot {
        let len = end.saturating_sub(base).min(Self::MAX);
        let n = usize::try_from(len).unwrap_or(0);
        let mut bytes = vec![0u8; n];
        let pages = n.div_ceil(4096);
        let mut present = vec![true; pages];
        if mem.read(base, &mut bytes).is_err() {
            for (i, (chunk, p)) in bytes.chunks_mut(4096).zip(present.iter_mut()).enumerate() {
                let at = u64::try_from(i)
                    .ok()
                    .and_then(|i| i.checked_mul(4096))
                    .and_then(|o| base.checked_add(o));
                *p = at.is_some_and(|a| mem.read(a, chunk).is_ok());
            }
        }
        Snapshot {
            base,
            bytes,
            present,
        }
    }
}

impl ReadMemory for Snapshot {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), crate::memory::MemoryError> {
        let missing = || crate::memory::MemoryError::not_captured(addr, buf.len());
        let off = addr
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
            .ok_or_else(missing)?;
        let end = off.checked_add(buf.len()).ok_or_else(missing)?;
        let src = self.bytes.get(off..end).ok_or_else(missing)?;
        let first = off / 4096;
        let last = end.saturating_sub(1) / 4096;
        if !buf.is_empty()
            && !self
                .present
                .get(first..=last)
                .is_some_and(|p| p.iter().all(|x| *x))
        {
            return Err(missing());
        }
        buf.copy_from_slice(src);
        Ok(())
    }
}
