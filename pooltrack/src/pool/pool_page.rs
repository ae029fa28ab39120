//! `!pool ADDR`: the walk of the `_POOL_HEADER` chain of the page holding an address.

use crate::error::Error;
use crate::memory::ReadMemory;

use super::bigpool::BigPoolEntry;
use super::context::Pool;
use super::pool_header::{PoolHeader, pool_unit};
use super::tag::PoolTag;

/// The size of a pool page.
pub const PAGE_SIZE: u64 = 0x1000;

/// [`PAGE_SIZE`] as a buffer length.
pub(crate) const PAGE_BYTES: usize = 0x1000;

/// One block of a pool page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolBlock {
    /// Address of its `_POOL_HEADER`.
    pub addr: u64,
    /// Size in bytes, header included (`BlockSize × unit`).
    pub size: u64,
    /// Previous block's size in bytes (`PreviousSize × unit`).
    pub previous_size: u64,
    /// The tag (protected bit cleared).
    pub tag: PoolTag,
    /// Whether the stored tag had the protected bit (before Windows 8: object blocks).
    pub protected: bool,
    /// Whether the block is free (pool type 0).
    pub free: bool,
    /// Whether the block is paged pool, from its header's pool type (allocated blocks only).
    pub paged: Option<bool>,
    /// The raw header.
    pub header: PoolHeader,
    /// Whether this block holds the address asked about (`*` in WinDbg).
    pub holds_address: bool,
}

/// What kind of page the address is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolPageKind {
    /// A classic pool page, walked block by block.
    Small,
    /// A big-pool allocation (from `PoolBigPageTable`; no header).
    Large(BigPoolEntry),
    /// Windows 10 1809+ segment-heap pool, not walked: `nt!ExPoolState` or the heap key
    /// (`nt!RtlpHpHeapGlobals`) is not known (no kernel symbols).
    SegmentHeap,
    /// A page of a segment-heap LFH subsegment (blocks of one size, from its bitmap).
    SegmentLfh {
        /// The `_HEAP_LFH_SUBSEGMENT`.
        subsegment: u64,
        /// The decoded block size in bytes (0 when it did not decode).
        block_size: u64,
    },
    /// A page of a segment-heap VS subsegment (chunks from their encoded headers).
    SegmentVs {
        /// The `_HEAP_VS_SUBSEGMENT`.
        subsegment: u64,
    },
    /// In a page segment of the pool, in a range that is neither an LFH nor a VS subsegment
    /// (the segment header, a free range, or a large allocation the big page table lacks).
    SegmentRange {
        /// The `_HEAP_PAGE_SEGMENT`.
        segment: u64,
        /// The start of the range.
        range: u64,
        /// Its `RangeFlags` (0 for the segment header).
        flags: u8,
    },
    /// Segment-heap build, but the address is in no page segment of the pool's heaps.
    SegmentNotFound,
}

/// The result of `!pool ADDR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolPage {
    /// The address asked about.
    pub addr: u64,
    /// The page start.
    pub page: u64,
    /// The kind of page.
    pub kind: PoolPageKind,
    /// Pool region from the context's ranges ("Nonpaged pool", "Paged pool"), if known.
    pub region: Option<&'static str>,
    /// Blocks walked (small pages).
    pub blocks: Vec<PoolBlock>,
    /// Where the header chain stopped making sense, if it did (WinDbg then "checks for freed
    /// (or corrupt) pool").
    pub corrupt_at: Option<u64>,
}

impl PoolPage {
    /// The block holding the address, if the walk reached it.
    pub fn holding_block(&self) -> Option<&PoolBlock> {
        self.blocks.iter().find(|b| b.holds_address)
    }
}

impl<M: ReadMemory> Pool<M> {
    /// Whether the build's pool is the segment heap (x64 from Windows 10 1809, build 17763; x86
    /// from 1903, build 18362).
    pub fn is_segment_heap_build(&self) -> bool {
        match self.ctx.build.arch {
            crate::layout::Arch::X64 => self.ctx.build.build >= 17763,
            // The 17763 x86 kernel has no `_EX_POOL_HEAP_MANAGER_STATE`: classic pool.
            crate::layout::Arch::X86 => self.ctx.build.build >= 18362,
        }
    }

    /// Whether a raw header pool type means paged pool (allocated blocks): Vista+ bit 0 set;
    /// XP/2003 store type + 1, so even values.
    pub fn header_type_is_paged(&self, pool_type: u8) -> Option<bool> {
        if pool_type == 0 {
            return None;
        }
        Some(if self.ctx.build.build < 6000 {
            pool_type.wrapping_sub(1) & 1 != 0
        } else {
            pool_type & 1 != 0
        })
    }

    fn region_of(&self, addr: u64) -> Option<&'static str> {
        let inside = |r: Option<(u64, u64)>| r.is_some_and(|(s, e)| addr >= s && addr < e);
        if inside(self.ctx.non_paged_pool) {
            Some("Nonpaged pool")
        } else if inside(self.ctx.paged_pool) {
            Some("Paged pool")
        } else {
            None
        }
    }

    /// `!pool ADDR`: the big-pool allocation holding `addr`, or the block chain of its page.
    pub fn pool_page(&self, addr: u64) -> Result<PoolPage, Error> {
        let page = addr & !(PAGE_SIZE - 1);
        let mut out = PoolPage {
            addr,
            page,
            kind: PoolPageKind::Small,
            region: self.region_of(addr),
            blocks: Vec::new(),
            corrupt_at: None,
        };
        if self.ctx.big_page_table != 0
            && let Some(e) = self.big_pool_containing(addr)?
        {
            out.kind = PoolPageKind::Large(e);
            return Ok(out);
        }
        if self.is_segment_heap_build() {
            self.segment_page(addr, &mut out)?;
            return Ok(out);
        }
        let mut buf = [0u8; PAGE_BYTES];
        self.mem.read(page, &mut buf)?;
        let (blocks, corrupt) = self.walk_page(page, &buf, Some(addr));
        out.blocks = blocks;
        out.corrupt_at = corrupt;
        Ok(out)
    }

    /// Walk the header chain of one page's bytes; returns the blocks and where the chain broke.
    pub(crate) fn walk_page(
        &self,
        page: u64,
        buf: &[u8],
        holding: Option<u64>,
    ) -> (Vec<PoolBlock>, Option<u64>) {
        let arch = self.ctx.build.arch;
        let unit = pool_unit(arch);
        let hdr = u64::from(self.header.size.max(8));
        let mut blocks = Vec::new();
        let mut off = 0u64;
        let mut prev_units: u16 = 0;
        let page_len = u64::try_from(buf.len()).unwrap_or(0);
        while off.saturating_add(hdr) <= page_len {
            let at = page.saturating_add(off);
            let Some(h) = usize::try_from(off)
                .ok()
                .and_then(|o| buf.get(o..))
                .and_then(|b| PoolHeader::decode(arch, b))
            else {
                return (blocks, Some(at));
            };
            let size = u64::from(h.block_size).saturating_mul(unit);
            if h.block_size == 0
                || h.previous_size != prev_units
                || off.saturating_add(size) > page_len
            {
                return (blocks, Some(at));
            }
            let tag = PoolTag(h.tag);
            blocks.push(PoolBlock {
                addr: at,
                size,
                previous_size: u64::from(h.previous_size).saturating_mul(unit),
                tag: tag.unprotected(),
                protected: tag.is_protected(),
                free: h.is_free(),
                paged: self.header_type_is_paged(h.pool_type),
                header: h,
                holds_address: holding.is_some_and(|a| a >= at && a < at.saturating_add(size)),
            });
            prev_units = h.block_size;
            off = off.saturating_add(size);
        }
        (blocks, None)
    }
}
