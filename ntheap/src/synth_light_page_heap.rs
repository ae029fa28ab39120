//! A synthetic light page heap (`gflags /p /enable` without `/full`, Application Verifier's
//! light mode): a `_DPH_HEAP_ROOT` with no full-page blocks whose `NormalHeap` is an ordinary
//! NT heap (from [`HeapBuilder`]); each page-heap block is an NT block whose user area starts
//! with a `_DPH_BLOCK_INFORMATION` (stamps, heap, requested and actual size, stack trace),
//! followed by the user data (0xE0 fill, then the given bytes) and the 0xA0 suffix up to the
//! NT block's requested end (the user size rounded up to the granularity). Freed blocks (in
//! page heap's delayed free cache) carry the freed stamps and 0xF0 fill.

use crate::EntryState;
use crate::heap::PAGE_SIZE;
use crate::layout::{HeapLayout, PointerWidth, Release};
use crate::light_page_heap::{
    DPH_LIGHT_BUSY_END_STAMP, DPH_LIGHT_BUSY_START_STAMP, DPH_LIGHT_FREE_END_STAMP,
    DPH_LIGHT_FREE_START_STAMP, DPH_LIGHT_SUFFIX,
};
use crate::page_heap::PageHeapLayout;
use crate::synth::{
    Block, BuildError, HeapBuilder, PageHeapBuilder, SegmentSpec, SynthHeap, SynthMemory,
    SynthPageHeap,
};

/// What one block of a light page heap is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Spec {
    /// A page-heap block: busy or freed, requested size, stack, user bytes.
    Dph(bool, u64, Vec<u64>, Vec<u8>),
    /// A busy NT block without block information.
    Plain(u64),
}

/// Builds a light page heap: its root (handle page + root page) and its normal heap.
#[derive(Debug, Clone)]
pub struct LightPageHeapBuilder {
    width: PointerWidth,
    handle: u64,
    normal_heap: u64,
    traces: Option<u64>,
    flags: u32,
    blocks: Vec<Spec>,
}

/// One built block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthLightBlock {
    /// The NT block's `_HEAP_ENTRY`.
    pub entry: u64,
    /// The `_DPH_BLOCK_INFORMATION` (the NT block's user address).
    pub info: u64,
    /// The program's address (after the block information).
    pub user_address: u64,
    /// Requested size.
    pub requested_size: u64,
    /// Busy, or freed into the delayed free cache.
    pub busy: bool,
    /// The stack written (empty: none).
    pub stack: Vec<u64>,
    /// The `_RTL_STACK_TRACE_ENTRY` address (0 without a stack).
    pub stack_trace: u64,
}

/// A built light page heap.
#[derive(Debug, Clone)]
pub struct SynthLightPageHeap {
    /// The page-heap root (no full-page blocks; `NormalHeap` set).
    pub page: SynthPageHeap,
    /// The normal heap.
    pub heap: SynthHeap,
    /// The page-heap blocks, in the order given.
    pub blocks: Vec<SynthLightBlock>,
    /// User addresses of the plain NT blocks (no block information), in the order given.
    pub plain: Vec<u64>,
    /// All of it: root pages, normal heap, stack traces.
    pub memory: SynthMemory,
}

fn add(a: u64, b: u64) -> Result<u64, BuildError> {
    a.checked_add(b).ok_or(BuildError("address overflow"))
}

fn usize_of(v: u64) -> Result<usize, BuildError> {
    usize::try_from(v).map_err(|_| BuildError("size"))
}

/// Write the low `n` bytes of `v` at `off`.
fn put(buf: &mut [u8], off: u64, v: u64, n: usize) -> Result<(), BuildError> {
    let o = usize_of(off)?;
    let dst = buf
        .get_mut(o..o.checked_add(n).ok_or(BuildError("offset"))?)
        .ok_or(BuildError("write outside the buffer"))?;
    dst.copy_from_slice(v.to_le_bytes().get(..n).ok_or(BuildError("width"))?);
    Ok(())
}

impl LightPageHeapBuilder {
    /// A light page heap whose handle is `handle` (page aligned; the root is one page above)
    /// and whose normal heap is at `normal_heap` (page aligned, away from the handle).
    pub fn new(width: PointerWidth, handle: u64, normal_heap: u64) -> LightPageHeapBuilder {
        LightPageHeapBuilder {
            width,
            handle,
            normal_heap,
            traces: None,
            flags: 0x2,
            blocks: Vec::new(),
        }
    }
    /// Where the stack trace entries go (default: handle + 0x8000).
    pub fn traces_at(mut self, addr: u64) -> LightPageHeapBuilder {
        self.traces = Some(addr);
        self
    }
    /// The root's `HeapFlags` (default 2: collect stack traces, page heap not enabled, i.e.
    /// light).
    pub fn flags(mut self, flags: u32) -> LightPageHeapBuilder {
        self.flags = flags;
        self
    }
    /// A busy block of `requested` bytes allocated from `frames` (at most 32; empty: none).
    pub fn busy(self, requested: u64, frames: Vec<u64>) -> LightPageHeapBuilder {
        self.busy_with(requested, frames, Vec::new())
    }
    /// A busy block whose user data starts with `data` (cut to `requested`).
    pub fn busy_with(
        mut self,
        requested: u64,
        frames: Vec<u64>,
        data: Vec<u8>,
    ) -> LightPageHeapBuilder {
        self.blocks.push(Spec::Dph(true, requested, frames, data));
        self
    }
    /// A block freed into page heap's delayed free cache (still busy in the NT heap).
    pub fn freed(mut self, requested: u64, frames: Vec<u64>) -> LightPageHeapBuilder {
        self.blocks
            .push(Spec::Dph(false, requested, frames, Vec::new()));
        self
    }
    /// A busy NT block of `requested` bytes without block information.
    pub fn plain(mut self, requested: u64) -> LightPageHeapBuilder {
        self.blocks.push(Spec::Plain(requested));
        self
    }

    /// Lay it all out.
    pub fn build(self) -> Result<SynthLightPageHeap, BuildError> {
        let w = self.width;
        let l = PageHeapLayout::builtin(w);
        let gran = w.granularity();
        let p = usize_of(w.bytes())?;
        let page = PageHeapBuilder::new(w, self.handle)
            .normal_heap(self.normal_heap)
            .flags(self.flags)
            .build()?;
        let mut nt_blocks = Vec::new();
        for s in &self.blocks {
            nt_blocks.push(match s {
                Spec::Dph(_, r, f, _) => {
                    if f.len() > 32 {
                        return Err(BuildError("more than 32 frames"));
                    }
                    let rounded = r
                        .checked_next_multiple_of(gran)
                        .ok_or(BuildError("size overflow"))?;
                    Block::busy(add(l.info_size, rounded)?)
                }
                Spec::Plain(r) => Block::busy(*r),
            });
        }
        let mut heap =
            HeapBuilder::new(HeapLayout::builtin(Release::Win10Rs5, w), self.normal_heap)
                .segment(SegmentSpec::new(nt_blocks))
                .build()?;
        let busy: Vec<(u64, u64)> = heap
            .entries
            .iter()
            .filter(|e| e.state == EntryState::Busy && e.address != self.normal_heap)
            .filter_map(|e| Some((e.address, e.requested?)))
            .collect();
        if busy.len() != self.blocks.len() {
            return Err(BuildError(
                "normal heap blocks differ from the blocks asked for",
            ));
        }
        let (trace_size, frames_off, depth_off) = match w {
            PointerWidth::Bits32 => (0x8c_u64, 0xc_u64, 0xa_u64),
            PointerWidth::Bits64 => (0x110, 0x10, 0xe),
        };
        let traces_at = match self.traces {
            Some(a) => a,
            None => add(self.handle, 0x8000)?,
        };
        let n = u64::try_from(self.blocks.len()).map_err(|_| BuildError("count"))?;
        let traces_len = n
            .saturating_mul(trace_size)
            .max(1)
            .div_ceil(PAGE_SIZE)
            .saturating_mul(PAGE_SIZE);
        let mut trace_buf = vec![0u8; usize_of(traces_len)?];
        let mut blocks = Vec::new();
        let mut plain = Vec::new();
        for (i, (spec, (entry, nt_size))) in self.blocks.iter().zip(busy).enumerate() {
            let info = add(entry, gran)?;
            let Spec::Dph(is_busy, requested, frames, data) = spec else {
                plain.push(info);
                continue;
            };
            let i = u64::try_from(i).map_err(|_| BuildError("count"))?;
            let trace = if frames.is_empty() {
                0
            } else {
                let t = i.saturating_mul(trace_size);
                let count = u64::try_from(frames.len()).map_err(|_| BuildError("count"))?;
                put(&mut trace_buf, add(t, depth_off)?, count, 2)?;
                for (k, f) in frames.iter().enumerate() {
                    let k = u64::try_from(k).map_err(|_| BuildError("count"))?;
                    put(
                        &mut trace_buf,
                        add(add(t, frames_off)?, k.saturating_mul(w.bytes()))?,
                        *f,
                        p,
                    )?;
                }
                add(traces_at, t)?
            };
            let mut b = vec![0u8; usize_of(nt_size)?];
            let (start, end) = if *is_busy {
                (DPH_LIGHT_BUSY_START_STAMP, DPH_LIGHT_BUSY_END_STAMP)
            } else {
                (DPH_LIGHT_FREE_START_STAMP, DPH_LIGHT_FREE_END_STAMP)
            };
            put(&mut b, 0, u64::from(start), 4)?;
            put(&mut b, l.info_heap, page.root, p)?;
            put(&mut b, l.info_requested_size, *requested, p)?;
            put(&mut b, l.info_actual_size, nt_size, p)?;
            put(&mut b, l.info_stack_trace, trace, p)?;
            put(&mut b, l.info_end_stamp, u64::from(end), 4)?;
            let u0 = usize_of(l.info_size)?;
            let u1 = u0
                .checked_add(usize_of(*requested)?)
                .ok_or(BuildError("size"))?;
            for (k, byte) in b.iter_mut().enumerate().skip(u0) {
                *byte = if k >= u1 {
                    DPH_LIGHT_SUFFIX
                } else if !*is_busy {
                    0xF0
                } else {
                    data.get(k.saturating_sub(u0)).copied().unwrap_or(0xE0)
                };
            }
            heap.memory.write(info, &b);
            blocks.push(SynthLightBlock {
                entry,
                info,
                user_address: add(info, l.info_size)?,
                requested_size: *requested,
                busy: *is_busy,
                stack: frames.clone(),
                stack_trace: trace,
            });
        }
        let mut memory = SynthMemory::default();
        memory.regions.extend(page.memory.regions.iter().cloned());
        memory.regions.extend(heap.memory.regions.iter().cloned());
        memory.regions.push((traces_at, trace_buf));
        memory.regions.sort_by_key(|r| r.0);
        if memory
            .regions
            .windows(2)
            .any(|r| match (r.first(), r.get(1)) {
                (Some(a), Some(b)) => {
                    a.0.saturating_add(u64::try_from(a.1.len()).unwrap_or(u64::MAX)) > b.0
                }
                _ => false,
            })
        {
            return Err(BuildError("root, normal heap and traces overlap"));
        }
        Ok(SynthLightPageHeap {
            page,
            heap,
            blocks,
            plain,
            memory,
        })
    }
}
