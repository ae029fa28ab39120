//! Synthetic NT heaps (feature `synth`): build a heap for any [`HeapLayout`] at any address,
//! with exact header encoding, several segments, uncommitted ranges, free and busy blocks,
//! large blocks, and injected corruption.
//!
//! The builder writes bytes at the layout's offsets with its own little-endian helpers; it does
//! not use the walker's code, so a walk of a built heap is an independent check of both.
//!
//! ```
//! use ntheap::synth::{Block, HeapBuilder, SegmentSpec};
//! use ntheap::{Heap, HeapLayout, LayoutChoice, PointerWidth, Release};
//!
//! let layout = HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64);
//! let built = HeapBuilder::new(layout, 0x1_0000_0000)
//!     .encoding(Some([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x00]))
//!     .segment(SegmentSpec::new(vec![Block::busy(0x20), Block::free(0x40), Block::busy(0x100)]).uncommitted_pages(4))
//!     .large_block(0x10_0000)
//!     .build()
//!     .unwrap();
//! let heap = Heap::open(&built.memory, built.address, PointerWidth::Bits64, LayoutChoice::Auto).unwrap();
//! let walk = heap.walk(&built.memory);
//! assert!(walk.findings.is_empty());
//! assert_eq!(walk.virtual_blocks[0].requested_size, Some(0x10_0000));
//! ```

mod fill;

pub use fill::{FilledHeap, UserBytes};

use crate::layout::{HeapLayout, PointerWidth};
use crate::memory::{MemoryError, ReadMemory};
pub use crate::synth_light_page_heap::{LightPageHeapBuilder, SynthLightBlock, SynthLightPageHeap};
pub use crate::synth_page_heap::{PageHeapBuilder, SynthPageHeap, link_page_heaps};
pub use crate::synth_segment_heap::{BuiltBlock, SegmentHeapBuilder, SynthSegmentHeap};
use crate::{EntryState, PAGE_SIZE};

/// Why a synthetic heap could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot build synthetic heap: {0}")]
pub struct BuildError(pub &'static str);

/// A block to place in a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A busy block holding `requested` user bytes.
    Busy {
        /// Requested bytes.
        requested: u64,
    },
    /// A busy internal block (flag 0x08, WinDbg's "Internal").
    Internal {
        /// Requested bytes.
        requested: u64,
    },
    /// A free block of `size` bytes (header included; rounded up to the granularity).
    Free {
        /// Size in bytes.
        size: u64,
    },
    /// An internal block carrying an LFH subsegment of `blocks.len()` blocks of `block_size`
    /// bytes (a multiple of the granularity); `Some(requested)` is a busy block, `None` a free
    /// one. Turns the LFH front end on.
    Lfh {
        /// Block size (stride) in bytes.
        block_size: u64,
        /// Per block: requested size if busy.
        blocks: Vec<Option<u64>>,
    },
}

impl Block {
    /// A busy block.
    pub fn busy(requested: u64) -> Block {
        Block::Busy { requested }
    }
    /// An internal block.
    pub fn internal(requested: u64) -> Block {
        Block::Internal { requested }
    }
    /// A free block.
    pub fn free(size: u64) -> Block {
        Block::Free { size }
    }
    /// An LFH carrier.
    pub fn lfh(block_size: u64, blocks: Vec<Option<u64>>) -> Block {
        Block::Lfh { block_size, blocks }
    }
}

/// One segment: its blocks, and how many reserved pages follow uncommitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSpec {
    /// Blocks after the segment header block.
    pub blocks: Vec<Block>,
    /// Uncommitted pages after the committed part (one uncommitted range when non-zero).
    pub uncommitted_pages: u32,
}

impl SegmentSpec {
    /// A fully committed segment with these blocks.
    pub fn new(blocks: Vec<Block>) -> SegmentSpec {
        SegmentSpec {
            blocks,
            uncommitted_pages: 0,
        }
    }
    /// Add an uncommitted range of `pages` pages at the end.
    pub fn uncommitted_pages(mut self, pages: u32) -> SegmentSpec {
        self.uncommitted_pages = pages;
        self
    }
}

/// What the builder placed, for comparison with a walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthEntry {
    /// Header address.
    pub address: u64,
    /// Size in bytes, header included.
    pub size: u64,
    /// State.
    pub state: EntryState,
    /// Requested size (busy blocks).
    pub requested: Option<u64>,
}

/// Memory made of byte regions; everything else is not captured.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthMemory {
    /// (base, bytes), non-overlapping.
    pub regions: Vec<(u64, Vec<u8>)>,
}

impl SynthMemory {
    fn locate(&self, addr: u64, len: usize) -> Option<(usize, usize)> {
        for (i, (base, bytes)) in self.regions.iter().enumerate() {
            let Some(off) = addr.checked_sub(*base) else {
                continue;
            };
            let Ok(off) = usize::try_from(off) else {
                continue;
            };
            if off.checked_add(len).is_some_and(|e| e <= bytes.len()) {
                return Some((i, off));
            }
        }
        None
    }

    /// Mutable access to `len` bytes at `addr`, if they are all in one region.
    pub fn bytes_mut(&mut self, addr: u64, len: usize) -> Option<&mut [u8]> {
        let (i, off) = self.locate(addr, len)?;
        let r = self.regions.get_mut(i)?;
        r.1.get_mut(off..off.checked_add(len)?)
    }

    /// Overwrite bytes at `addr` (ignored where not mapped).
    pub fn write(&mut self, addr: u64, data: &[u8]) {
        if let Some(b) = self.bytes_mut(addr, data.len()) {
            b.copy_from_slice(data);
        }
    }

    /// Make `addr..addr+len` not captured (splitting regions).
    pub fn drop_range(&mut self, addr: u64, len: u64) {
        let end = addr.saturating_add(len);
        let mut out = Vec::new();
        for (base, bytes) in self.regions.drain(..) {
            let rend = base.saturating_add(bytes.len() as u64);
            if end <= base || addr >= rend {
                out.push((base, bytes));
                continue;
            }
            if addr > base {
                let n = usize::try_from(addr.saturating_sub(base)).unwrap_or(0);
                out.push((base, bytes.get(..n).unwrap_or_default().to_vec()));
            }
            if end < rend {
                let n = usize::try_from(end.saturating_sub(base)).unwrap_or(0);
                out.push((end, bytes.get(n..).unwrap_or_default().to_vec()));
            }
        }
        self.regions = out;
    }
}

impl ReadMemory for SynthMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let missing = MemoryError::not_captured(addr, buf.len());
        let (i, off) = self.locate(addr, buf.len()).ok_or(missing)?;
        let src = self
            .regions
            .get(i)
            .and_then(|r| r.1.get(off..off.checked_add(buf.len())?))
            .ok_or(missing)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// A built heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthHeap {
    /// The heap address.
    pub address: u64,
    /// The layout it was built for.
    pub layout: HeapLayout,
    /// Its memory.
    pub memory: SynthMemory,
    /// Segment addresses.
    pub segments: Vec<u64>,
    /// Every segment block placed, in address order per segment (segment order).
    pub entries: Vec<SynthEntry>,
    /// Large blocks: (address, commit size, requested size).
    pub large_blocks: Vec<(u64, u64, u64)>,
    /// Free blocks, sorted by size as on the free list: (address, size).
    pub free_blocks: Vec<(u64, u64)>,
    /// LFH blocks, carrier by carrier.
    pub lfh_blocks: Vec<SynthEntry>,
    /// The `_LFH_HEAP` address, when the LFH is on.
    pub lfh_heap: Option<u64>,
    /// The XOR key, if encoding is on.
    pub key: Option<[u8; 8]>,
}

impl SynthHeap {
    /// Address of the stored 8-byte header of the block at `entry` (x64: entry + 8).
    pub fn header_address(&self, entry: u64) -> u64 {
        entry.saturating_add(self.layout.width.header_offset())
    }

    /// XOR one stored header byte of the block at `entry` (0..8) with `mask`.
    pub fn corrupt_header_byte(&mut self, entry: u64, byte: u64, mask: u8) {
        let a = self.header_address(entry).saturating_add(byte);
        if let Some(b) = self.memory.bytes_mut(a, 1)
            && let Some(x) = b.first_mut()
        {
            *x ^= mask;
        }
    }

    /// Rewrite the block at `entry` with a correctly encoded header of the given fields.
    pub fn rewrite_header(
        &mut self,
        entry: u64,
        size_gran: u16,
        flags: u8,
        prev_gran: u16,
        unused: u8,
    ) {
        let h = encode_header(self.key, size_gran, flags, prev_gran, unused);
        let a = self.header_address(entry);
        self.memory.write(a, &h);
    }

    /// Overwrite a pointer-sized value.
    pub fn write_ptr(&mut self, addr: u64, value: u64) {
        match self.layout.width {
            PointerWidth::Bits32 => self.memory.write(
                addr,
                &u32::try_from(value).unwrap_or(u32::MAX).to_le_bytes(),
            ),
            PointerWidth::Bits64 => self.memory.write(addr, &value.to_le_bytes()),
        }
    }
}

/// The stored 8 header bytes of a back-end block: `Size`, `Flags`, checksum
/// (`SmallTagIndex = size_lo ^ size_hi ^ flags`), `PreviousSize`, `SegmentOffset` 0,
/// `UnusedBytes`, XORed with `key` when given.
pub fn encode_header(key: Option<[u8; 8]>, size: u16, flags: u8, prev: u16, unused: u8) -> [u8; 8] {
    let s = size.to_le_bytes();
    let p = prev.to_le_bytes();
    let mut h = [
        s[0],
        s[1],
        flags,
        s[0] ^ s[1] ^ flags,
        p[0],
        p[1],
        0,
        unused,
    ];
    if let Some(k) = key {
        for (b, kb) in h.iter_mut().zip(k.iter()) {
            *b ^= *kb;
        }
    }
    h
}

/// Builds a synthetic heap. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct HeapBuilder {
    layout: HeapLayout,
    base: u64,
    key: Option<[u8; 8]>,
    flags: u32,
    segments: Vec<SegmentSpec>,
    large: Vec<u64>,
    lfh_key: u32,
    ust_frames: Vec<u64>,
    large_capture: Option<u64>,
}

fn round_up(v: u64, to: u64) -> Option<u64> {
    let r = v.checked_add(to.checked_sub(1)?)?;
    r.checked_div(to)?.checked_mul(to)
}

struct Writer<'a> {
    buf: &'a mut Vec<u8>,
    base: u64,
    width: PointerWidth,
}

impl Writer<'_> {
    fn put(&mut self, addr: u64, data: &[u8]) -> Result<(), BuildError> {
        let off = addr
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
            .ok_or(BuildError("write outside region"))?;
        let end = off
            .checked_add(data.len())
            .ok_or(BuildError("write outside region"))?;
        let dst = self
            .buf
            .get_mut(off..end)
            .ok_or(BuildError("write outside region"))?;
        dst.copy_from_slice(data);
        Ok(())
    }
    fn u8(&mut self, addr: u64, v: u8) -> Result<(), BuildError> {
        self.put(addr, &[v])
    }
    fn u32(&mut self, addr: u64, v: u32) -> Result<(), BuildError> {
        self.put(addr, &v.to_le_bytes())
    }
    fn ptr(&mut self, addr: u64, v: u64) -> Result<(), BuildError> {
        match self.width {
            PointerWidth::Bits32 => {
                let v = u32::try_from(v).map_err(|_| BuildError("pointer too wide for x86"))?;
                self.put(addr, &v.to_le_bytes())
            }
            PointerWidth::Bits64 => self.put(addr, &v.to_le_bytes()),
        }
    }
}

const OVF: BuildError = BuildError("address arithmetic overflow");

fn add(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_add(b).ok_or(OVF)
}

/// A planned list node: (node address, region index).
type Links = Vec<u64>;

impl HeapBuilder {
    /// A builder for a heap with `layout` at `base` (must be page-aligned).
    pub fn new(layout: HeapLayout, base: u64) -> HeapBuilder {
        HeapBuilder {
            layout,
            base,
            key: None,
            flags: 0x2,
            segments: Vec::new(),
            large: Vec::new(),
            lfh_key: 0x9c67_7c2a,
            ust_frames: Vec::new(),
            large_capture: None,
        }
    }
    /// Encode entry headers with this key (`None`: headers in clear, `EncodeFlagMask` 0).
    pub fn encoding(mut self, key: Option<[u8; 8]>) -> HeapBuilder {
        self.key = key;
        self
    }
    /// `_HEAP.Flags` (default `HEAP_GROWABLE`). With `HEAP_CAPTURE_STACK_BACKTRACES`
    /// (0x08000000, `+ust`) busy blocks get a trace header ending in an extended header, and
    /// large blocks move their user data two granules further.
    pub fn flags(mut self, flags: u32) -> HeapBuilder {
        self.flags = flags;
        self
    }
    /// Add a segment (the first one is the heap itself).
    pub fn segment(mut self, s: SegmentSpec) -> HeapBuilder {
        self.segments.push(s);
        self
    }
    /// The low 32 bits of `RtlpLFHKey` used to encode LFH offsets (Windows 8+ layouts).
    pub fn lfh_key(mut self, key: u32) -> HeapBuilder {
        self.lfh_key = key;
        self
    }
    /// With `+ust`: the allocation stack (1 to 32 frames) recorded for every busy block, in one
    /// shared `_RTL_STACK_TRACE_ENTRY` (without frames, the trace pointers are null).
    pub fn ust_frames(mut self, frames: Vec<u64>) -> HeapBuilder {
        self.ust_frames = frames;
        self
    }
    /// Add a large block on `VirtualAllocdBlocks` with `requested` user bytes.
    pub fn large_block(mut self, requested: u64) -> HeapBuilder {
        self.large.push(requested);
        self
    }

    /// Keep at most `bytes` (rounded up to whole pages) of each large block in
    /// [`SynthHeap::memory`], as a dump that captured only the start of each block: the headers
    /// and the first user bytes are written, the rest is not captured. [`SynthHeap::large_blocks`]
    /// still gives each block's whole committed size. Lets a test describe gigabytes of large
    /// blocks without holding them.
    pub fn large_block_capture(mut self, bytes: u64) -> HeapBuilder {
        self.large_capture = Some(bytes);
        self
    }

    /// Build it.
    pub fn build(self) -> Result<SynthHeap, BuildError> {
        let l = self.layout.clone();
        let w = l.width;
        let gran = w.granularity();
        let ptr = w.bytes();
        if !self.base.is_multiple_of(PAGE_SIZE) {
            return Err(BuildError("base not page-aligned"));
        }
        let mut segments = self.segments.clone();
        if segments.is_empty() {
            segments.push(SegmentSpec::new(Vec::new()));
        }
        let heap = self.base;
        let ust = self.flags & 0x0800_0000 != 0;
        // The shared trace entry lives one 64 KiB unit below the heap.
        let trace_at = if ust && !self.ust_frames.is_empty() {
            heap.checked_sub(0x1_0000).ok_or(OVF)?
        } else {
            0
        };
        let heap_hdr = round_up(
            [
                l.heap_read_len(),
                l.heap_counters.saturating_add(l.counters_read_len()),
            ]
            .into_iter()
            .max()
            .unwrap_or(0)
            .saturating_add(0x40),
            gran,
        )
        .ok_or(OVF)?;
        let seg_hdr = round_up(l.segment_size, gran).ok_or(OVF)?;
        let ucr_desc =
            round_up(l.ucr_size.saturating_add(ptr).saturating_add(gran), gran).ok_or(OVF)?;
        let max_block = u64::from(u16::MAX).saturating_mul(gran);

        let mut out = SynthHeap {
            address: heap,
            layout: l.clone(),
            memory: SynthMemory::default(),
            segments: Vec::new(),
            entries: Vec::new(),
            large_blocks: Vec::new(),
            free_blocks: Vec::new(),
            lfh_blocks: Vec::new(),
            lfh_heap: None,
            key: self.key,
        };
        let mut seg_links: Links = Vec::new();
        let mut ucr_list_links: Links = Vec::new();
        let mut free_links: Vec<(u64, u64)> = Vec::new();
        // Per segment: (address, its UCR descriptor address if any).
        let mut seg_ucr: Vec<Option<u64>> = Vec::new();
        let mut total_reserved = 0u64;
        let mut total_committed = 0u64;
        let mut total_ucrs = 0u32;
        let mut next_base = heap;
        let mut deferred_words: Vec<(u64, u64)> = Vec::new();
        // (UserBlocks, stride, first offset, blocks) of every LFH carrier.
        let mut lfh_carriers: Vec<(u64, u64, u64, Vec<Option<u64>>)> = Vec::new();

        for (si, spec) in segments.iter().enumerate() {
            let seg = next_base;
            let hdr = if si == 0 { heap_hdr } else { seg_hdr };
            // Plan blocks: (size, flags, unused, state, requested).
            let mut plan: Vec<(u64, u8, u64, EntryState, Option<u64>)> = Vec::new();
            // (plan index, stride, first offset, blocks) of LFH carriers.
            let mut lfh_plan: Vec<(usize, u64, u64, Vec<Option<u64>>)> = Vec::new();
            plan.push((hdr, 1, 1, EntryState::Busy, Some(hdr.saturating_sub(1))));
            for b in &spec.blocks {
                let (req, flags, state) = match b {
                    Block::Lfh { block_size, blocks } => {
                        let stride = *block_size;
                        let count = u64::try_from(blocks.len()).map_err(|_| OVF)?;
                        if stride == 0 || !stride.is_multiple_of(gran) || count == 0 {
                            return Err(BuildError(
                                "LFH block size must be a non-zero multiple of the granularity",
                            ));
                        }
                        for r in blocks.iter().flatten() {
                            if r.saturating_add(gran) > stride || stride.saturating_sub(*r) > 0x7f {
                                return Err(BuildError(
                                    "LFH requested size does not fit its block",
                                ));
                            }
                        }
                        let fo = if l.userdata_busy_bitmap.is_some() {
                            crate::lfh::first_offset(l.userdata_bitmap_data, count, w)
                        } else {
                            l.userdata_bitmap_data
                        };
                        let req = add(fo, count.checked_mul(stride).ok_or(OVF)?)?;
                        let size = round_up(add(req, gran)?, gran).ok_or(OVF)?;
                        lfh_plan.push((plan.len(), stride, fo, blocks.clone()));
                        plan.push((
                            size,
                            9,
                            size.saturating_sub(req),
                            EntryState::Internal,
                            Some(req),
                        ));
                        continue;
                    }
                    Block::Busy { requested } => (Some(*requested), 1u8, EntryState::Busy),
                    Block::Internal { requested } => (Some(*requested), 9u8, EntryState::Internal),
                    Block::Free { size } => {
                        let s = round_up((*size).max(gran.saturating_mul(2)), gran).ok_or(OVF)?;
                        plan.push((s, 0, 0, EntryState::Free, None));
                        continue;
                    }
                };
                let r = req.unwrap_or(0);
                // +ust busy blocks carry a trace header of two granules before the user data.
                let overhead = if ust && state == EntryState::Busy {
                    gran.saturating_mul(3)
                } else {
                    gran
                };
                let size = round_up(add(r, overhead)?, gran).ok_or(OVF)?;
                let size = size.max(gran.saturating_mul(2));
                plan.push((size, flags, size.saturating_sub(r), state, req));
            }
            for p in &plan {
                if p.0 > max_block {
                    return Err(BuildError("block larger than 0xffff granules"));
                }
            }
            let used = plan.iter().fold(0u64, |a, p| a.saturating_add(p.0));
            // A final block: the UCR descriptor holder, or free padding to a page boundary.
            let tail_min = if spec.uncommitted_pages > 0 {
                ucr_desc
            } else {
                gran.saturating_mul(2)
            };
            let committed = round_up(add(used, tail_min)?, PAGE_SIZE).ok_or(OVF)?;
            let mut tail = committed.saturating_sub(used);
            while tail > max_block {
                plan.push((
                    max_block.saturating_sub(gran.saturating_mul(16)),
                    0,
                    0,
                    EntryState::Free,
                    None,
                ));
                tail = tail.saturating_sub(max_block.saturating_sub(gran.saturating_mul(16)));
            }
            if spec.uncommitted_pages > 0 {
                plan.push((tail, 1, 3, EntryState::Busy, Some(tail.saturating_sub(3))));
            } else {
                plan.push((tail, 0, 0, EntryState::Free, None));
            }
            let uncommitted = u64::from(spec.uncommitted_pages).saturating_mul(PAGE_SIZE);
            let reserved = add(committed, uncommitted)?;
            let pages =
                u32::try_from(reserved.checked_div(PAGE_SIZE).unwrap_or(0)).map_err(|_| OVF)?;
            let committed_len = usize::try_from(committed).map_err(|_| OVF)?;
            let mut buf = vec![0u8; committed_len];
            let mut wr = Writer {
                buf: &mut buf,
                base: seg,
                width: w,
            };
            // Blocks.
            let mut a = seg;
            let mut prev = 0u64;
            let mut holder = None;
            for (pi, (size, flags, unused, state, req)) in plan.iter().enumerate() {
                if let Some((_, stride, fo, blocks)) = lfh_plan.iter().find(|p| p.0 == pi) {
                    lfh_carriers.push((add(a, gran)?, *stride, *fo, blocks.clone()));
                }
                let size_g = u16::try_from(size.checked_div(gran).unwrap_or(0)).map_err(|_| OVF)?;
                let prev_g = u16::try_from(prev.checked_div(gran).unwrap_or(0)).map_err(|_| OVF)?;
                let stored_unused = u8::try_from(*unused).unwrap_or(0x3f).min(0x3f);
                if *unused >= 0x3f {
                    let at = match w {
                        PointerWidth::Bits64 => add(a, *size)?,
                        PointerWidth::Bits32 => add(a, *size)?.saturating_sub(4),
                    };
                    deferred_words.push((at, *unused));
                }
                let h = encode_header(self.key, size_g, *flags, prev_g, stored_unused);
                wr.put(add(a, w.header_offset())?, &h)?;
                if ust && *state == EntryState::Busy && *flags == 1 && *unused != 3 && a != seg {
                    // Trace pointer, then the extended header (FunctionIndex 1, ContextValue 0,
                    // UnusedBytesLength, EntryOffset 2, ExtendedBlockSignature 5), in clear.
                    wr.ptr(add(a, gran)?, trace_at)?;
                    let ubl = u16::try_from(*unused).map_err(|_| OVF)?.to_le_bytes();
                    let ext = [1, 0, 0, 0, ubl[0], ubl[1], 2, 5];
                    wr.put(
                        add(add(a, gran.saturating_mul(2))?, w.header_offset())?,
                        &ext,
                    )?;
                }
                if *state == EntryState::Free {
                    free_links.push((a, *size));
                }
                if *flags == 1 && *unused == 3 {
                    holder = Some(a);
                }
                out.entries.push(SynthEntry {
                    address: a,
                    size: *size,
                    state: *state,
                    requested: *req,
                });
                prev = *size;
                a = add(a, *size)?;
            }
            // Segment header fields.
            let last_valid = add(seg, reserved)?;
            wr.u32(add(seg, l.segment_signature)?, 0xFFEE_FFEE)?;
            wr.u32(add(seg, l.segment_flags)?, 0)?;
            wr.ptr(add(seg, l.segment_heap)?, heap)?;
            wr.ptr(add(seg, l.segment_base_address)?, seg)?;
            wr.u32(add(seg, l.segment_number_of_pages)?, pages)?;
            wr.ptr(add(seg, l.segment_first_entry)?, add(seg, hdr)?)?;
            wr.ptr(add(seg, l.segment_last_valid_entry)?, last_valid)?;
            wr.u32(
                add(seg, l.segment_uncommitted_pages)?,
                spec.uncommitted_pages,
            )?;
            wr.u32(
                add(seg, l.segment_uncommitted_ranges)?,
                u32::from(spec.uncommitted_pages > 0),
            )?;
            let ucr_head = add(seg, l.segment_ucr_segment_list)?;
            let desc = match holder {
                Some(h) if spec.uncommitted_pages > 0 => {
                    let d = add(h, gran)?;
                    wr.ptr(add(d, l.ucr_address)?, add(seg, committed)?)?;
                    wr.ptr(add(d, l.ucr_size)?, uncommitted)?;
                    // Segment UCR list: head <-> d.SegmentEntry.
                    let se = add(d, l.ucr_segment_entry)?;
                    wr.ptr(ucr_head, se)?;
                    wr.ptr(add(ucr_head, ptr)?, se)?;
                    wr.ptr(se, ucr_head)?;
                    wr.ptr(add(se, ptr)?, ucr_head)?;
                    ucr_list_links.push(add(d, l.ucr_list_entry)?);
                    total_ucrs = total_ucrs.saturating_add(1);
                    Some(d)
                }
                _ => {
                    wr.ptr(ucr_head, ucr_head)?;
                    wr.ptr(add(ucr_head, ptr)?, ucr_head)?;
                    None
                }
            };
            seg_ucr.push(desc);
            seg_links.push(add(seg, l.segment_list_entry)?);
            out.segments.push(seg);
            out.memory.regions.push((seg, buf));
            total_reserved = total_reserved.saturating_add(reserved);
            total_committed = total_committed.saturating_add(committed);
            next_base = round_up(add(seg, reserved)?, 0x1_0000).ok_or(OVF)?;
        }

        // The LFH: an `_LFH_HEAP` page followed by the subsegments, then each carrier's
        // user-data header, bitmap and block headers.
        let mut lfh_addr = 0u64;
        if !lfh_carriers.is_empty() {
            lfh_addr = next_base;
            let ss_size = 0x40u64;
            let n = u64::try_from(lfh_carriers.len()).map_err(|_| OVF)?;
            let len =
                round_up(add(0x100, n.checked_mul(ss_size).ok_or(OVF)?)?, PAGE_SIZE).ok_or(OVF)?;
            let mut buf = vec![0u8; usize::try_from(len).map_err(|_| OVF)?];
            let mut wr = Writer {
                buf: &mut buf,
                base: lfh_addr,
                width: w,
            };
            if let Some(off) = l.lfh_heap {
                wr.ptr(add(lfh_addr, off)?, heap)?;
            }
            let mut ss = add(lfh_addr, 0x100)?;
            let mut subsegments = Vec::new();
            for (ub, stride, _, blocks) in &lfh_carriers {
                wr.ptr(add(ss, l.subsegment_user_blocks)?, *ub)?;
                let bs = u16::try_from(stride.checked_div(gran).unwrap_or(0)).map_err(|_| OVF)?;
                let count = u16::try_from(blocks.len()).map_err(|_| OVF)?;
                wr.put(add(ss, l.subsegment_block_size)?, &bs.to_le_bytes())?;
                wr.put(add(ss, l.subsegment_block_count)?, &count.to_le_bytes())?;
                subsegments.push(ss);
                ss = add(ss, ss_size)?;
            }
            out.memory.regions.push((lfh_addr, buf));
            out.lfh_heap = Some(lfh_addr);
            next_base = round_up(add(lfh_addr, len)?, 0x1_0000).ok_or(OVF)?;
            let lfh32 = u32::try_from(lfh_addr & 0xffff_ffff).unwrap_or(0);
            for ((ub, stride, fo, blocks), ss) in lfh_carriers.iter().zip(subsegments) {
                out.write_ptr(*ub, ss);
                out.memory.write(
                    add(*ub, l.userdata_signature)?,
                    &0xF0E0_D0C0u32.to_le_bytes(),
                );
                let count = u64::try_from(blocks.len()).map_err(|_| OVF)?;
                if let (Some(enc), Some(bm)) = (l.userdata_encoded_offsets, l.userdata_busy_bitmap)
                {
                    let plain = u32::try_from(*fo).map_err(|_| OVF)?
                        | (u32::try_from(*stride).map_err(|_| OVF)? << 16);
                    let ub32 = u32::try_from(ub & 0xffff_ffff).unwrap_or(0);
                    let e = plain ^ ub32 ^ lfh32 ^ self.lfh_key;
                    out.memory.write(add(*ub, enc)?, &e.to_le_bytes());
                    out.write_ptr(add(*ub, bm)?, count);
                    out.write_ptr(
                        add(add(*ub, bm)?, w.bytes())?,
                        add(*ub, l.userdata_bitmap_data)?,
                    );
                }
                for (i, b) in blocks.iter().enumerate() {
                    let i64_ = u64::try_from(i).map_err(|_| OVF)?;
                    let at = add(add(*ub, *fo)?, i64_.checked_mul(*stride).ok_or(OVF)?)?;
                    if let Some(r) = b {
                        let unused = u8::try_from(stride.saturating_sub(*r)).map_err(|_| OVF)?;
                        out.memory.write(
                            add(at, w.header_offset())?,
                            &[0, 0, 0, 0, 0, 0, 0, 0x80 | unused],
                        );
                        if l.userdata_busy_bitmap.is_some() {
                            let byte_at = add(add(*ub, l.userdata_bitmap_data)?, i64_ / 8)?;
                            let mut cur = [0u8; 1];
                            if out.memory.read(byte_at, &mut cur).is_ok() {
                                cur[0] |= 1u8 << (i % 8);
                                out.memory.write(byte_at, &cur);
                            }
                        }
                    }
                    out.lfh_blocks.push(SynthEntry {
                        address: at,
                        size: *stride,
                        state: if b.is_some() {
                            EntryState::Busy
                        } else {
                            EntryState::Free
                        },
                        requested: *b,
                    });
                }
            }
        }

        // The +ust trace entry.
        if trace_at != 0 {
            let n = u16::try_from(self.ust_frames.len().min(32)).map_err(|_| OVF)?;
            let mut buf = vec![0u8; 0x1000];
            let mut wr = Writer {
                buf: &mut buf,
                base: trace_at,
                width: w,
            };
            let (index_off, frames_off) = match w {
                PointerWidth::Bits32 => (8u64, 0xcu64),
                PointerWidth::Bits64 => (0xc, 0x10),
            };
            wr.put(add(trace_at, index_off)?, &n.to_le_bytes())?;
            wr.put(
                add(trace_at, index_off.saturating_add(2))?,
                &n.to_le_bytes(),
            )?;
            for (i, f) in self.ust_frames.iter().take(32).enumerate() {
                let o = u64::try_from(i).map_err(|_| OVF)?.saturating_mul(ptr);
                wr.ptr(add(add(trace_at, frames_off)?, o)?, *f)?;
            }
            out.memory.regions.push((trace_at, buf));
        }

        // Large blocks, each in its own region.
        let mut large_links: Links = Vec::new();
        let mut large_total = 0u64;
        let vae_hdr = add(l.vae_busy_block, gran)?;
        for req in &self.large {
            let at = next_base;
            let user_off = if self.flags & 0x0800_0000 != 0 {
                add(vae_hdr, gran.saturating_mul(2))?
            } else {
                vae_hdr
            };
            let commit = round_up(add(user_off, *req)?, PAGE_SIZE).ok_or(OVF)?;
            let unused = commit.saturating_sub(*req);
            let unused_g =
                u16::try_from(unused).map_err(|_| BuildError("large block slack too big"))?;
            let kept = match self.large_capture {
                Some(cap) => round_up(cap.max(user_off), PAGE_SIZE)
                    .ok_or(OVF)?
                    .min(commit),
                None => commit,
            };
            let len = usize::try_from(kept).map_err(|_| OVF)?;
            let mut buf = vec![0u8; len];
            let mut wr = Writer {
                buf: &mut buf,
                base: at,
                width: w,
            };
            wr.ptr(add(at, l.vae_commit_size)?, commit)?;
            wr.ptr(add(at, l.vae_reserve_size)?, commit)?;
            let h = encode_header(self.key, unused_g, 0x09, 0, 0);
            wr.put(add(add(at, l.vae_busy_block)?, w.header_offset())?, &h)?;
            if ust {
                wr.ptr(add(at, vae_hdr)?, trace_at)?;
            }
            out.memory.regions.push((at, buf));
            out.large_blocks.push((at, commit, *req));
            large_links.push(at);
            large_total = large_total.saturating_add(commit);
            next_base = round_up(add(at, commit)?, 0x1_0000).ok_or(OVF)?;
        }

        // The heap header and the lists it heads.
        free_links.sort_by_key(|&(a, s)| (s, a));
        out.free_blocks = free_links.clone();
        let free_nodes: Links = free_links
            .iter()
            .map(|&(a, _)| a.saturating_add(l.free_entry_free_list))
            .collect();
        let total_free = free_links.iter().fold(0u64, |a, &(_, s)| {
            a.saturating_add(s.checked_div(gran).unwrap_or(0))
        });
        let heads = [
            (l.heap_segment_list, seg_links),
            (l.heap_ucr_list, ucr_list_links),
            (l.heap_virtual_allocd_blocks, large_links),
            (l.heap_free_lists, free_nodes),
        ];
        for (off, nodes) in heads {
            let head = add(heap, off)?;
            let n = nodes.len();
            for i in 0..n {
                let node = nodes.get(i).copied().unwrap_or(head);
                let next = if i.saturating_add(1) < n {
                    nodes.get(i.saturating_add(1)).copied().unwrap_or(head)
                } else {
                    head
                };
                let prev = if i == 0 {
                    head
                } else {
                    nodes.get(i.saturating_sub(1)).copied().unwrap_or(head)
                };
                out.write_ptr(node, next);
                out.write_ptr(add(node, ptr)?, prev);
            }
            out.write_ptr(head, nodes.first().copied().unwrap_or(head));
            out.write_ptr(add(head, ptr)?, nodes.last().copied().unwrap_or(head));
        }
        for (at, v) in deferred_words {
            out.write_ptr(at, v);
        }
        let region = out
            .memory
            .regions
            .first_mut()
            .ok_or(BuildError("no segment"))?;
        let mut wr = Writer {
            buf: &mut region.1,
            base: heap,
            width: w,
        };
        wr.u32(add(heap, l.heap_signature)?, 0xEEFF_EEFF)?;
        wr.u32(add(heap, l.heap_flags)?, self.flags)?;
        wr.u32(add(heap, l.heap_force_flags)?, self.flags & 0x6000_0060)?;
        wr.u32(
            add(heap, l.heap_encode_flag_mask)?,
            if self.key.is_some() { 0x0010_0000 } else { 0 },
        )?;
        if let Some(k) = self.key {
            wr.put(add(add(heap, l.heap_encoding)?, w.header_offset())?, &k)?;
        }
        wr.ptr(add(heap, l.heap_total_free_size)?, total_free)?;
        wr.ptr(add(heap, l.heap_front_end_heap)?, lfh_addr)?;
        wr.u8(
            add(heap, l.heap_front_end_heap_type)?,
            if lfh_addr != 0 { 2 } else { 0 },
        )?;
        let c = add(heap, l.heap_counters)?;
        wr.ptr(add(c, l.counters_total_memory_reserved)?, total_reserved)?;
        wr.ptr(add(c, l.counters_total_memory_committed)?, total_committed)?;
        wr.ptr(add(c, l.counters_total_memory_large_ucr)?, 0)?;
        wr.ptr(
            add(c, l.counters_total_size_in_virtual_blocks)?,
            large_total,
        )?;
        wr.u32(
            add(c, l.counters_total_segments)?,
            u32::try_from(out.segments.len()).map_err(|_| OVF)?,
        )?;
        wr.u32(add(c, l.counters_total_ucrs)?, total_ucrs)?;
        wr.u32(add(c, l.counters_lock_collisions)?, 0)?;
        Ok(out)
    }
}
