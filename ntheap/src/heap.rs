//! `_HEAP`: opening an NT heap, its flags, front end, counters and entry-header decoding.

use zerocopy::FromBytes;

use crate::error::{Error, HeapKind};
use crate::layout::{HeapLayout, PointerWidth, Release};
use crate::limits::Limits;
use crate::memory::ReadMemory;
use crate::raw::HeapEntryHeader;

/// `_HEAP_SEGMENT.SegmentSignature` of an NT heap.
pub const SEGMENT_SIGNATURE: u32 = 0xFFEE_FFEE;
/// `_HEAP.Signature` of an NT heap.
pub const HEAP_SIGNATURE: u32 = 0xEEFF_EEFF;
/// `_SEGMENT_HEAP.Signature`.
pub const SEGMENT_HEAP_SIGNATURE: u32 = 0xDDEE_DDEE;
/// Page size used by segment page counts.
pub const PAGE_SIZE: u64 = 0x1000;

bitflags::bitflags! {
    /// `_HEAP.Flags` (`HEAP_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct HeapFlags: u32 {
        /// HEAP_NO_SERIALIZE.
        const NO_SERIALIZE = 0x1;
        /// HEAP_GROWABLE.
        const GROWABLE = 0x2;
        /// HEAP_GENERATE_EXCEPTIONS.
        const GENERATE_EXCEPTIONS = 0x4;
        /// HEAP_ZERO_MEMORY.
        const ZERO_MEMORY = 0x8;
        /// HEAP_REALLOC_IN_PLACE_ONLY.
        const REALLOC_IN_PLACE_ONLY = 0x10;
        /// HEAP_TAIL_CHECKING_ENABLED.
        const TAIL_CHECKING_ENABLED = 0x20;
        /// HEAP_FREE_CHECKING_ENABLED.
        const FREE_CHECKING_ENABLED = 0x40;
        /// HEAP_DISABLE_COALESCE_ON_FREE.
        const DISABLE_COALESCE_ON_FREE = 0x80;
        /// HEAP_CREATE_ALIGN_16.
        const CREATE_ALIGN_16 = 0x1_0000;
        /// HEAP_CREATE_ENABLE_TRACING.
        const CREATE_ENABLE_TRACING = 0x2_0000;
        /// HEAP_CREATE_ENABLE_EXECUTE.
        const CREATE_ENABLE_EXECUTE = 0x4_0000;
        /// HEAP_FLAG_PAGE_ALLOCS (page heap).
        const FLAG_PAGE_ALLOCS = 0x0100_0000;
        /// HEAP_PROTECTION_ENABLED.
        const PROTECTION_ENABLED = 0x0200_0000;
        /// HEAP_CAPTURE_STACK_BACKTRACES (`+ust`).
        const CAPTURE_STACK_BACKTRACES = 0x0800_0000;
        /// HEAP_SKIP_VALIDATION_CHECKS.
        const SKIP_VALIDATION_CHECKS = 0x1000_0000;
        /// HEAP_VALIDATE_ALL_ENABLED.
        const VALIDATE_ALL_ENABLED = 0x2000_0000;
        /// HEAP_VALIDATE_PARAMETERS_ENABLED.
        const VALIDATE_PARAMETERS_ENABLED = 0x4000_0000;
        /// HEAP_LOCK_USER_ALLOCATED.
        const LOCK_USER_ALLOCATED = 0x8000_0000;
        // Unknown bits are retained.
        const _ = !0;
    }
}

/// `_HEAP.FrontEndHeapType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrontEndType {
    /// No front end (back end only).
    None,
    /// Lookaside lists (XP/2003 only).
    Lookaside,
    /// Low-fragmentation heap.
    Lfh,
}

/// `_HEAP.Counters`, as far as the walker uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Bytes reserved by segments.
    pub total_memory_reserved: u64,
    /// Bytes committed in segments.
    pub total_memory_committed: u64,
    /// Bytes of "large" uncommitted ranges.
    pub total_memory_large_ucr: u64,
    /// Bytes in virtual (large) blocks.
    pub total_size_in_virtual_blocks: u64,
    /// Segments.
    pub total_segments: u32,
    /// Uncommitted ranges.
    pub total_ucrs: u32,
    /// Lock collisions.
    pub lock_collisions: u32,
}

/// How to choose the layout of a heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutChoice {
    /// Try every built-in table of the width (newest first) and keep the first that passes.
    Auto,
    /// Try this release's table first, then the others.
    Prefer(Release),
    /// Use exactly this layout (it is still checked).
    Exact(Box<HeapLayout>),
}

/// An opened, confirmed NT heap. Owns no memory; every walk reads through a [`ReadMemory`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heap {
    /// Heap address (handle).
    pub address: u64,
    /// The layout that passed the run-time checks.
    pub layout: HeapLayout,
    /// `_HEAP.Flags`.
    pub flags: HeapFlags,
    /// `_HEAP.ForceFlags`.
    pub force_flags: u32,
    /// `_HEAP.EncodeFlagMask`.
    pub encode_flag_mask: u32,
    /// The 8-byte XOR key for entry headers (`_HEAP.Encoding`, header part).
    pub encoding: [u8; 8],
    /// `_HEAP.FrontEndHeap`.
    pub front_end_heap: u64,
    /// `_HEAP.FrontEndHeapType`.
    pub front_end_type: FrontEndType,
    /// `_HEAP.TotalFreeSize`, in bytes.
    pub total_free_size: u64,
    /// `_HEAP.Counters`, if that memory is in the dump.
    pub counters: Option<Counters>,
    /// Bounds on every walk of this heap ([`Heap::with_limits`]).
    pub(crate) limits: Limits,
}

/// What [`Heap::kind_at`] saw at an address.
pub fn heap_kind_at<M: ReadMemory + ?Sized>(
    mem: &M,
    addr: u64,
    width: PointerWidth,
) -> Result<HeapKind, Error> {
    let off = match width {
        PointerWidth::Bits32 => 8,
        PointerWidth::Bits64 => 0x10,
    };
    let at = addr.checked_add(off).ok_or(Error::Overflow { addr })?;
    let sig = mem.read_u32(at)?;
    match sig {
        SEGMENT_SIGNATURE => Ok(HeapKind::Nt),
        SEGMENT_HEAP_SIGNATURE => Ok(HeapKind::Segment),
        found => Err(Error::NotAHeap { addr, found }),
    }
}

/// Little-endian field access in a byte buffer, `None` when out of range.
pub(crate) fn get_u8(buf: &[u8], off: u64) -> Option<u8> {
    buf.get(usize::try_from(off).ok()?).copied()
}
pub(crate) fn get_u32(buf: &[u8], off: u64) -> Option<u32> {
    let o = usize::try_from(off).ok()?;
    let b = buf.get(o..o.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}
pub(crate) fn get_u64(buf: &[u8], off: u64) -> Option<u64> {
    let o = usize::try_from(off).ok()?;
    let b = buf.get(o..o.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}
pub(crate) fn get_ptr(buf: &[u8], off: u64, width: PointerWidth) -> Option<u64> {
    match width {
        PointerWidth::Bits32 => get_u32(buf, off).map(u64::from),
        PointerWidth::Bits64 => get_u64(buf, off),
    }
}
pub(crate) fn get_bytes<const N: usize>(buf: &[u8], off: u64) -> Option<[u8; N]> {
    let o = usize::try_from(off).ok()?;
    buf.get(o..o.checked_add(N)?)?.try_into().ok()
}

pub(crate) fn read_buf<M: ReadMemory + ?Sized>(
    mem: &M,
    addr: u64,
    len: u64,
) -> Result<Vec<u8>, Error> {
    // Callers pass small, layout-derived lengths only.
    let n = usize::try_from(len).map_err(|_| Error::Overflow { addr })?;
    let mut v = vec![0u8; n];
    mem.read(addr, &mut v)?;
    Ok(v)
}

pub(crate) fn checksum(h: &HeapEntryHeader) -> u8 {
    let s = h.size.get().to_le_bytes();
    s[0] ^ s[1] ^ h.flags
}

pub(crate) fn header_from(bytes: [u8; 8]) -> HeapEntryHeader {
    HeapEntryHeader::read_from_bytes(&bytes).unwrap_or_default()
}

impl Heap {
    /// What kind of heap is at `addr` (NT or segment heap), from its signature.
    pub fn kind_at<M: ReadMemory + ?Sized>(
        mem: &M,
        addr: u64,
        width: PointerWidth,
    ) -> Result<HeapKind, Error> {
        heap_kind_at(mem, addr, width)
    }

    /// Open the NT heap at `addr`, choosing and confirming its layout.
    ///
    /// A segment heap gives [`Error::UnsupportedHeapKind`]; a heap whose header is not in the
    /// dump gives [`Error::NotCaptured`]; no layout passing the checks gives
    /// [`Error::LayoutNotConfirmed`].
    pub fn open<M: ReadMemory + ?Sized>(
        mem: &M,
        addr: u64,
        width: PointerWidth,
        choice: LayoutChoice,
    ) -> Result<Heap, Error> {
        match heap_kind_at(mem, addr, width)? {
            HeapKind::Nt => {}
            kind => return Err(Error::UnsupportedHeapKind { addr, kind }),
        }
        let candidates = match choice {
            LayoutChoice::Auto => HeapLayout::candidates(width, None),
            LayoutChoice::Prefer(r) => HeapLayout::candidates(width, Some(r)),
            LayoutChoice::Exact(l) => vec![*l],
        };
        let mut last_reason = "no candidate layout";
        let mut last_err = None;
        for layout in candidates {
            if layout.width != width {
                last_reason = "layout width differs from the requested width";
                continue;
            }
            match Heap::confirm(mem, addr, layout) {
                Ok(h) => return Ok(h),
                Err(Ok(reason)) => last_reason = reason,
                Err(Err(e)) => last_err = Some(e),
            }
        }
        if let Some(e) = last_err
            && last_reason == "no candidate layout"
        {
            return Err(e);
        }
        Err(Error::LayoutNotConfirmed {
            addr,
            reason: last_reason,
        })
    }

    /// Check one layout; `Err(Ok(reason))` = layout rejected, `Err(Err(e))` = unreadable.
    fn confirm<M: ReadMemory + ?Sized>(
        mem: &M,
        addr: u64,
        layout: HeapLayout,
    ) -> Result<Heap, Result<&'static str, Error>> {
        let width = layout.width;
        let ptr = width.bytes();
        let buf = read_buf(mem, addr, layout.heap_read_len()).map_err(Err)?;
        let sig = get_u32(&buf, layout.heap_signature).ok_or(Ok("short header"))?;
        if sig != HEAP_SIGNATURE {
            return Err(Ok("_HEAP.Signature is not 0xEEFFEEFF"));
        }
        let seg_sig = get_u32(&buf, layout.segment_signature).ok_or(Ok("short header"))?;
        if seg_sig != SEGMENT_SIGNATURE {
            return Err(Ok("SegmentSignature is not 0xFFEEFFEE"));
        }
        let seg_heap = get_ptr(&buf, layout.segment_heap, width).ok_or(Ok("short header"))?;
        if seg_heap != addr {
            return Err(Ok("_HEAP_SEGMENT.Heap does not point back at the heap"));
        }
        let fe_type = get_u8(&buf, layout.heap_front_end_heap_type).ok_or(Ok("short header"))?;
        let front_end_heap =
            get_ptr(&buf, layout.heap_front_end_heap, width).ok_or(Ok("short header"))?;
        let front_end_type = match fe_type {
            0 => FrontEndType::None,
            1 => FrontEndType::Lookaside,
            2 => FrontEndType::Lfh,
            _ => return Err(Ok("FrontEndHeapType is not 0, 1 or 2")),
        };
        if front_end_type == FrontEndType::Lfh {
            if front_end_heap == 0 {
                return Err(Ok("LFH front end with a null FrontEndHeap"));
            }
            if let Some(off) = layout.lfh_heap {
                let at = front_end_heap.checked_add(off).ok_or(Ok("overflow"))?;
                if let Ok(back) = mem.read_ptr(at, width)
                    && back != addr
                {
                    return Err(Ok("_LFH_HEAP.Heap does not point back at the heap"));
                }
            }
        }
        // Every list head must be a sane circular list head.
        for head_off in [
            layout.heap_segment_list,
            layout.heap_virtual_allocd_blocks,
            layout.heap_free_lists,
            layout.heap_ucr_list,
        ] {
            let head = addr.checked_add(head_off).ok_or(Ok("overflow"))?;
            let flink = get_ptr(&buf, head_off, width).ok_or(Ok("short header"))?;
            let blink =
                get_ptr(&buf, head_off.saturating_add(ptr), width).ok_or(Ok("short header"))?;
            if flink == 0 || blink == 0 || !flink.is_multiple_of(ptr) || !blink.is_multiple_of(ptr)
            {
                return Err(Ok("a list head in _HEAP is null or misaligned"));
            }
            if flink != head
                && let Ok(back) = mem.read_ptr(flink.saturating_add(ptr), width)
                && back != head
            {
                return Err(Ok("a list in _HEAP does not link back to its head"));
            }
        }
        // The first segment on SegmentList must be a segment of this heap.
        let first = get_ptr(&buf, layout.heap_segment_list, width).ok_or(Ok("short header"))?;
        let seg = first.wrapping_sub(layout.segment_list_entry);
        if let Ok(s) = mem.read_u32(seg.saturating_add(layout.segment_signature))
            && s != SEGMENT_SIGNATURE
        {
            return Err(Ok("SegmentList does not lead to a segment"));
        }
        let own_reserve = get_u32(&buf, layout.segment_number_of_pages)
            .map(|p| u64::from(p).saturating_mul(PAGE_SIZE))
            .unwrap_or(0);
        let counters = Heap::read_counters(mem, addr, &layout);
        if let Some(c) = &counters {
            let sane = c.total_memory_reserved != 0
                && c.total_memory_reserved.is_multiple_of(PAGE_SIZE)
                && c.total_memory_committed.is_multiple_of(PAGE_SIZE)
                && c.total_memory_committed <= c.total_memory_reserved
                && c.total_memory_reserved >= own_reserve;
            if !sane {
                return Err(Ok("_HEAP.Counters are not plausible"));
            }
        }
        let flags = get_u32(&buf, layout.heap_flags).ok_or(Ok("short header"))?;
        let force_flags = get_u32(&buf, layout.heap_force_flags).ok_or(Ok("short header"))?;
        let encode_flag_mask =
            get_u32(&buf, layout.heap_encode_flag_mask).ok_or(Ok("short header"))?;
        let encoding = get_bytes::<8>(
            &buf,
            layout.heap_encoding.saturating_add(width.header_offset()),
        )
        .ok_or(Ok("short header"))?;
        let total_free =
            get_ptr(&buf, layout.heap_total_free_size, width).ok_or(Ok("short header"))?;
        Ok(Heap {
            address: addr,
            flags: HeapFlags::from_bits_retain(flags),
            force_flags,
            encode_flag_mask,
            encoding,
            front_end_heap,
            front_end_type,
            total_free_size: total_free.saturating_mul(width.granularity()),
            counters,
            layout,
            limits: Limits::default(),
        })
    }

    /// The same heap, walked under `limits` from now on (the default is [`Limits::default`]).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Heap {
        self.limits = limits;
        self
    }

    /// The bounds on every walk of this heap.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    fn read_counters<M: ReadMemory + ?Sized>(
        mem: &M,
        addr: u64,
        layout: &HeapLayout,
    ) -> Option<Counters> {
        let at = addr.checked_add(layout.heap_counters)?;
        let buf = read_buf(mem, at, layout.counters_read_len()).ok()?;
        let w = layout.width;
        Some(Counters {
            total_memory_reserved: get_ptr(&buf, layout.counters_total_memory_reserved, w)?,
            total_memory_committed: get_ptr(&buf, layout.counters_total_memory_committed, w)?,
            total_memory_large_ucr: get_ptr(&buf, layout.counters_total_memory_large_ucr, w)?,
            total_size_in_virtual_blocks: get_ptr(
                &buf,
                layout.counters_total_size_in_virtual_blocks,
                w,
            )?,
            total_segments: get_u32(&buf, layout.counters_total_segments)?,
            total_ucrs: get_u32(&buf, layout.counters_total_ucrs)?,
            lock_collisions: get_u32(&buf, layout.counters_lock_collisions)?,
        })
    }

    /// Pointer width of the heap.
    pub fn width(&self) -> PointerWidth {
        self.layout.width
    }

    /// Decode an 8-byte stored header: XOR with the key when encoding is on, then check the
    /// checksum; a header that only passes in clear is accepted as stored in clear.
    /// Returns the header decoded with the key (or raw) and whether the checksum holds.
    pub fn decode_header(&self, raw: [u8; 8]) -> (HeapEntryHeader, bool) {
        if self.encode_flag_mask != 0 {
            let mut d = raw;
            for (b, k) in d.iter_mut().zip(self.encoding.iter()) {
                *b ^= *k;
            }
            let h = header_from(d);
            if checksum(&h) == h.small_tag_index {
                return (h, true);
            }
            let r = header_from(raw);
            if checksum(&r) == r.small_tag_index {
                return (r, true);
            }
            (h, false)
        } else {
            let r = header_from(raw);
            let ok = checksum(&r) == r.small_tag_index;
            (r, ok)
        }
    }
}
