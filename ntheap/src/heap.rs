//! Opening an NT heap and walking its segments, entries, large blocks and free list.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use zerocopy::FromBytes;

use crate::error::{Error, HeapKind};
use crate::layout::{HeapLayout, PointerWidth, Release};
use crate::limits::Limits;
use crate::memory::{MemoryError, ReadMemory};
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

bitflags::bitflags! {
    /// `_HEAP_ENTRY.Flags` (`HEAP_ENTRY_*`), decoded.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct EntryFlags: u8 {
        /// Allocated.
        const BUSY = 0x01;
        /// A `_HEAP_ENTRY_EXTRA` occupies the last granule.
        const EXTRA_PRESENT = 0x02;
        /// Filled with a pattern (tail/free checking).
        const FILL_PATTERN = 0x04;
        /// On back-end segment blocks: an internal block (WinDbg's "Internal"), e.g. LFH user blocks.
        const VIRTUAL_ALLOC = 0x08;
        /// Last entry of a committed range.
        const LAST_ENTRY = 0x10;
        /// Settable flag 1.
        const SETTABLE_FLAG1 = 0x20;
        /// Settable flag 2.
        const SETTABLE_FLAG2 = 0x40;
        /// Settable flag 3.
        const SETTABLE_FLAG3 = 0x80;
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
    limits: Limits,
}

/// One uncommitted range of a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UncommittedRange {
    /// First uncommitted address.
    pub address: u64,
    /// Size in bytes.
    pub size: u64,
}

impl UncommittedRange {
    /// One past the last address (saturating).
    pub fn end(&self) -> u64 {
        self.address.saturating_add(self.size)
    }
}

/// A heap segment (`_HEAP_SEGMENT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Segment address (also its header block).
    pub address: u64,
    /// `SegmentFlags`.
    pub flags: u32,
    /// `BaseAddress`.
    pub base_address: u64,
    /// `NumberOfPages` reserved.
    pub number_of_pages: u32,
    /// `FirstEntry`.
    pub first_entry: u64,
    /// `LastValidEntry` (end of the segment).
    pub last_valid_entry: u64,
    /// `NumberOfUnCommittedPages`.
    pub uncommitted_pages: u32,
    /// `NumberOfUnCommittedRanges`.
    pub uncommitted_range_count: u32,
    /// The uncommitted ranges read from `UCRSegmentList`, sorted by address.
    pub uncommitted: Vec<UncommittedRange>,
}

impl Segment {
    /// Reserved bytes.
    pub fn reserved_bytes(&self) -> u64 {
        u64::from(self.number_of_pages).saturating_mul(PAGE_SIZE)
    }
    /// Committed bytes according to the segment header.
    pub fn committed_bytes(&self) -> u64 {
        u64::from(self.number_of_pages.saturating_sub(self.uncommitted_pages))
            .saturating_mul(PAGE_SIZE)
    }
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryState {
    /// Allocated (a user allocation, or a heap/segment header block).
    Busy,
    /// Free.
    Free,
    /// Allocated for the heap's own use (`Flags & 8`), e.g. an LFH subsegment's user blocks.
    Internal,
    /// A large block from `VirtualAllocdBlocks`.
    VirtualAlloc,
}

/// One heap block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entry {
    /// Address of the `_HEAP_ENTRY` (for large blocks: of the `_HEAP_VIRTUAL_ALLOC_ENTRY`).
    pub address: u64,
    /// First byte of user data.
    pub user_address: u64,
    /// Size in bytes, header included (large blocks: committed size).
    pub size: u64,
    /// Previous block's size in bytes (0 for large blocks).
    pub previous_size: u64,
    /// Decoded flags.
    pub flags: EntryFlags,
    /// Decoded `UnusedBytes` byte.
    pub unused_bytes: u8,
    /// What the program asked for, for busy blocks when it can be computed.
    pub requested_size: Option<u64>,
    /// State.
    pub state: EntryState,
    /// An LFH (front-end) block inside an internal carrier block.
    pub front_end: bool,
}

impl Entry {
    /// Busy (allocated) in any form.
    pub fn is_busy(&self) -> bool {
        self.state != EntryState::Free
    }
    /// One past the last byte (saturating).
    pub fn end(&self) -> u64 {
        self.address.saturating_add(self.size)
    }
}

/// A large block (`_HEAP_VIRTUAL_ALLOC_ENTRY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VirtualBlock {
    /// Address of the `_HEAP_VIRTUAL_ALLOC_ENTRY`.
    pub address: u64,
    /// First byte of user data.
    pub user_address: u64,
    /// `CommitSize`.
    pub commit_size: u64,
    /// `ReserveSize`.
    pub reserve_size: u64,
    /// Requested size: `CommitSize - BusyBlock.Size`.
    pub requested_size: Option<u64>,
    /// Decoded `BusyBlock.Flags`.
    pub flags: EntryFlags,
}

impl VirtualBlock {
    /// The block as an [`Entry`] (state [`EntryState::VirtualAlloc`], size = commit size).
    pub fn as_entry(&self) -> Entry {
        Entry {
            address: self.address,
            user_address: self.user_address,
            size: self.commit_size,
            previous_size: 0,
            flags: self.flags,
            unused_bytes: 0,
            requested_size: self.requested_size,
            state: EntryState::VirtualAlloc,
            front_end: false,
        }
    }
}

/// The back-end free list (`_HEAP.FreeLists`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FreeList {
    /// (entry address, size in bytes) in list order.
    pub entries: Vec<(u64, u64)>,
}

impl FreeList {
    /// Number of blocks on the list (`!heap -s` "List length").
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Total bytes.
    pub fn total(&self) -> u64 {
        self.entries
            .iter()
            .fold(0u64, |a, (_, s)| a.saturating_add(*s))
    }
    /// Largest block in bytes.
    pub fn largest(&self) -> u64 {
        self.entries.iter().map(|(_, s)| *s).max().unwrap_or(0)
    }
}

/// What a validation check found, at [`Finding::address`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingKind {
    /// The memory is not in the dump. Not corruption.
    NotCaptured {
        /// Bytes that could not be read.
        len: u64,
    },
    /// The memory source failed. Not corruption.
    ReadFailed {
        /// Bytes that could not be read.
        len: u64,
    },
    /// A walk cap from [`Limits`] was hit. Not corruption.
    LimitReached {
        /// Which cap.
        what: &'static str,
    },
    /// Header checksum (`SmallTagIndex`) wrong after decoding.
    ChecksumMismatch {
        /// `size_lo ^ size_hi ^ flags`.
        expected: u8,
        /// The stored byte.
        found: u8,
    },
    /// `PreviousSize` does not match the previous block's size.
    PreviousSizeMismatch {
        /// Previous block's size, bytes.
        expected: u64,
        /// Stored previous size, bytes.
        found: u64,
    },
    /// A block of size zero.
    ZeroSize,
    /// A block runs past the end of its committed range or segment.
    CrossesSegmentEnd {
        /// End of the block.
        end: u64,
        /// The limit it crossed.
        limit: u64,
    },
    /// The segment header is inconsistent.
    BadSegment {
        /// What is wrong.
        reason: &'static str,
    },
    /// An uncommitted-range descriptor is inconsistent.
    BadUncommittedRange {
        /// What is wrong.
        reason: &'static str,
    },
    /// A null or misaligned list link.
    BadLink {
        /// The list head.
        head: u64,
        /// The link value.
        value: u64,
    },
    /// A node's `Blink` does not point back at the previous node.
    BadBackLink {
        /// Expected `Blink`.
        expected: u64,
        /// Found `Blink`.
        found: u64,
    },
    /// A list revisits a node without returning to its head.
    ListCycle {
        /// The list head.
        head: u64,
    },
    /// A block on the free list is not free.
    FreeListEntryBusy,
    /// A free-list node lies inside walked memory but is not a free block there.
    FreeListEntryNotInSegment {
        /// The walked block that contains the node's address.
        block: u64,
    },
    /// An LFH subsegment is inconsistent with its carrier block.
    BadLfhSubsegment {
        /// What is wrong.
        reason: &'static str,
    },
    /// An LFH subsegment's encoded offsets could not be decoded (key not recovered). Not
    /// corruption.
    LfhNotDecoded,
    /// `UnusedBytes` larger than the block.
    UnusedBytesTooLarge {
        /// Unused byte count.
        unused: u64,
        /// Block size.
        size: u64,
    },
}

impl FindingKind {
    /// Whether this is heap corruption (as opposed to missing memory or a walk cap).
    pub fn is_corruption(&self) -> bool {
        !matches!(
            self,
            FindingKind::NotCaptured { .. }
                | FindingKind::ReadFailed { .. }
                | FindingKind::LimitReached { .. }
                | FindingKind::LfhNotDecoded
        )
    }
}

/// A validation result with the address it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Finding {
    /// Where.
    pub address: u64,
    /// What.
    pub kind: FindingKind,
}

impl Finding {
    /// A finding for a failed memory read (not corruption).
    pub fn from_memory(e: MemoryError) -> Finding {
        Finding::from_mem(e)
    }
    fn from_mem(e: MemoryError) -> Finding {
        match e {
            MemoryError::NotCaptured { addr, len } => Finding {
                address: addr,
                kind: FindingKind::NotCaptured { len },
            },
            MemoryError::Failed { addr, len } => Finding {
                address: addr,
                kind: FindingKind::ReadFailed { len },
            },
        }
    }
    /// Whether this is heap corruption.
    pub fn is_corruption(&self) -> bool {
        self.kind.is_corruption()
    }
}

impl core::fmt::Display for Finding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let a = self.address;
        match self.kind {
            FindingKind::NotCaptured { len } => {
                write!(f, "{a:#x}: {len:#x} bytes not in the dump")
            }
            FindingKind::ReadFailed { len } => write!(f, "{a:#x}: read of {len:#x} bytes failed"),
            FindingKind::LimitReached { what } => write!(f, "{a:#x}: walk limit reached ({what})"),
            FindingKind::ChecksumMismatch { expected, found } => write!(
                f,
                "{a:#x}: header checksum mismatch (expected {expected:#04x}, found {found:#04x})"
            ),
            FindingKind::PreviousSizeMismatch { expected, found } => write!(
                f,
                "{a:#x}: previous size {found:#x} does not match previous block size {expected:#x}"
            ),
            FindingKind::ZeroSize => write!(f, "{a:#x}: block of size 0"),
            FindingKind::CrossesSegmentEnd { end, limit } => write!(
                f,
                "{a:#x}: block ends at {end:#x}, past the committed range end {limit:#x}"
            ),
            FindingKind::BadSegment { reason } => write!(f, "{a:#x}: bad segment: {reason}"),
            FindingKind::BadUncommittedRange { reason } => {
                write!(f, "{a:#x}: bad uncommitted range: {reason}")
            }
            FindingKind::BadLink { head, value } => {
                write!(f, "{a:#x}: bad link {value:#x} in list at {head:#x}")
            }
            FindingKind::BadBackLink { expected, found } => {
                write!(f, "{a:#x}: Blink is {found:#x}, expected {expected:#x}")
            }
            FindingKind::ListCycle { head } => write!(f, "{a:#x}: cycle in list at {head:#x}"),
            FindingKind::FreeListEntryBusy => write!(f, "{a:#x}: busy block on the free list"),
            FindingKind::FreeListEntryNotInSegment { block } => write!(
                f,
                "{a:#x}: free-list node is not a free block of the segment (inside block {block:#x})"
            ),
            FindingKind::BadLfhSubsegment { reason } => {
                write!(f, "{a:#x}: bad LFH subsegment: {reason}")
            }
            FindingKind::LfhNotDecoded => {
                write!(f, "{a:#x}: LFH subsegment offsets could not be decoded")
            }
            FindingKind::UnusedBytesTooLarge { unused, size } => write!(
                f,
                "{a:#x}: unused bytes {unused:#x} larger than the block ({size:#x})"
            ),
        }
    }
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
fn get_u8(buf: &[u8], off: u64) -> Option<u8> {
    buf.get(usize::try_from(off).ok()?).copied()
}
fn get_u32(buf: &[u8], off: u64) -> Option<u32> {
    let o = usize::try_from(off).ok()?;
    let b = buf.get(o..o.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}
fn get_u64(buf: &[u8], off: u64) -> Option<u64> {
    let o = usize::try_from(off).ok()?;
    let b = buf.get(o..o.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}
fn get_ptr(buf: &[u8], off: u64, width: PointerWidth) -> Option<u64> {
    match width {
        PointerWidth::Bits32 => get_u32(buf, off).map(u64::from),
        PointerWidth::Bits64 => get_u64(buf, off),
    }
}
fn get_bytes<const N: usize>(buf: &[u8], off: u64) -> Option<[u8; N]> {
    let o = usize::try_from(off).ok()?;
    buf.get(o..o.checked_add(N)?)?.try_into().ok()
}

fn read_buf<M: ReadMemory + ?Sized>(mem: &M, addr: u64, len: u64) -> Result<Vec<u8>, Error> {
    // Callers pass small, layout-derived lengths only.
    let n = usize::try_from(len).map_err(|_| Error::Overflow { addr })?;
    let mut v = vec![0u8; n];
    mem.read(addr, &mut v)?;
    Ok(v)
}

fn checksum(h: &HeapEntryHeader) -> u8 {
    let s = h.size.get().to_le_bytes();
    s[0] ^ s[1] ^ h.flags
}

fn header_from(bytes: [u8; 8]) -> HeapEntryHeader {
    HeapEntryHeader::read_from_bytes(&bytes).unwrap_or_default()
}

/// Outcome of walking one `LIST_ENTRY` list.
struct ListWalk {
    links: Vec<u64>,
    findings: Vec<Finding>,
}

fn walk_list<M: ReadMemory + ?Sized>(
    mem: &M,
    head: u64,
    width: PointerWidth,
    max: usize,
) -> ListWalk {
    let mut out = ListWalk {
        links: Vec::new(),
        findings: Vec::new(),
    };
    let ptr = width.bytes();
    let mut cur = match mem.read_ptr(head, width) {
        Ok(v) => v,
        Err(e) => {
            out.findings.push(Finding::from_mem(e));
            return out;
        }
    };
    let mut prev = head;
    let mut seen = HashSet::new();
    while cur != head {
        if cur == 0 || !cur.is_multiple_of(ptr) {
            out.findings.push(Finding {
                address: prev,
                kind: FindingKind::BadLink { head, value: cur },
            });
            break;
        }
        if !seen.insert(cur) {
            out.findings.push(Finding {
                address: cur,
                kind: FindingKind::ListCycle { head },
            });
            break;
        }
        if out.links.len() >= max {
            out.findings.push(Finding {
                address: cur,
                kind: FindingKind::LimitReached { what: "list steps" },
            });
            break;
        }
        let Some(blink_at) = cur.checked_add(ptr) else {
            break;
        };
        match mem.read_ptr(blink_at, width) {
            Ok(b) if b != prev => out.findings.push(Finding {
                address: cur,
                kind: FindingKind::BadBackLink {
                    expected: prev,
                    found: b,
                },
            }),
            Ok(_) => {}
            Err(e) => {
                out.findings.push(Finding::from_mem(e));
                break;
            }
        }
        out.links.push(cur);
        let next = match mem.read_ptr(cur, width) {
            Ok(v) => v,
            Err(e) => {
                out.findings.push(Finding::from_mem(e));
                break;
            }
        };
        prev = cur;
        cur = next;
    }
    out
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

    /// The heap's segments (from `SegmentList`), with their uncommitted ranges, plus findings.
    pub fn segments<M: ReadMemory + ?Sized>(&self, mem: &M) -> (Vec<Segment>, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let mut findings = Vec::new();
        let Some(head) = self.address.checked_add(l.heap_segment_list) else {
            return (Vec::new(), findings);
        };
        let list = walk_list(mem, head, w, self.limits.max_segments);
        findings.extend(list.findings);
        let mut segs: Vec<Segment> = Vec::new();
        for link in list.links {
            let addr = link.wrapping_sub(l.segment_list_entry);
            let Some(s) = self.read_segment(mem, addr, &mut findings) else {
                continue;
            };
            // Overlapping segments would make the same memory be walked many times.
            let overlaps = segs
                .iter()
                .any(|o| s.address < o.last_valid_entry && o.address < s.last_valid_entry);
            if overlaps {
                findings.push(Finding {
                    address: s.address,
                    kind: FindingKind::BadSegment {
                        reason: "overlaps another segment of the heap",
                    },
                });
                continue;
            }
            segs.push(s);
        }
        (segs, findings)
    }

    fn read_segment<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        addr: u64,
        findings: &mut Vec<Finding>,
    ) -> Option<Segment> {
        let l = &self.layout;
        let w = l.width;
        let buf = match read_buf(mem, addr, l.segment_size) {
            Ok(b) => b,
            Err(Error::NotCaptured { addr, len }) => {
                findings.push(Finding::from_mem(MemoryError::NotCaptured { addr, len }));
                return None;
            }
            Err(_) => {
                findings.push(Finding {
                    address: addr,
                    kind: FindingKind::ReadFailed {
                        len: l.segment_size,
                    },
                });
                return None;
            }
        };
        let bad = |reason| Finding {
            address: addr,
            kind: FindingKind::BadSegment { reason },
        };
        if get_u32(&buf, l.segment_signature) != Some(SEGMENT_SIGNATURE) {
            findings.push(bad("SegmentSignature is not 0xFFEEFFEE"));
            return None;
        }
        if get_ptr(&buf, l.segment_heap, w) != Some(self.address) {
            findings.push(bad("Heap does not point back at the heap"));
            return None;
        }
        let seg = Segment {
            address: addr,
            flags: get_u32(&buf, l.segment_flags)?,
            base_address: get_ptr(&buf, l.segment_base_address, w)?,
            number_of_pages: get_u32(&buf, l.segment_number_of_pages)?,
            first_entry: get_ptr(&buf, l.segment_first_entry, w)?,
            last_valid_entry: get_ptr(&buf, l.segment_last_valid_entry, w)?,
            uncommitted_pages: get_u32(&buf, l.segment_uncommitted_pages)?,
            uncommitted_range_count: get_u32(&buf, l.segment_uncommitted_ranges)?,
            uncommitted: Vec::new(),
        };
        let end = seg.base_address.checked_add(seg.reserved_bytes());
        let ok = seg.first_entry > addr
            && seg.first_entry < seg.last_valid_entry
            && seg.base_address <= addr
            && end.is_some_and(|e| seg.last_valid_entry <= e)
            && seg.uncommitted_pages <= seg.number_of_pages;
        if !ok {
            findings.push(bad("FirstEntry/LastValidEntry/NumberOfPages inconsistent"));
            return None;
        }
        let mut seg = seg;
        let head = addr.checked_add(l.segment_ucr_segment_list)?;
        let list = walk_list(mem, head, w, self.limits.max_list_steps);
        findings.extend(list.findings);
        for link in list.links {
            let d = link.wrapping_sub(l.ucr_segment_entry);
            let a = d
                .checked_add(l.ucr_address)
                .map(|a| mem.read_ptr(a, w))
                .unwrap_or(Err(MemoryError::not_captured(d, 0)));
            let s = d
                .checked_add(l.ucr_size)
                .map(|a| mem.read_ptr(a, w))
                .unwrap_or(Err(MemoryError::not_captured(d, 0)));
            match (a, s) {
                (Ok(address), Ok(size)) => {
                    let r = UncommittedRange { address, size };
                    let inside = address >= seg.first_entry
                        && address
                            .checked_add(size)
                            .is_some_and(|e| e <= seg.last_valid_entry)
                        && size != 0
                        && size.is_multiple_of(PAGE_SIZE);
                    if inside {
                        seg.uncommitted.push(r);
                    } else {
                        findings.push(Finding {
                            address: d,
                            kind: FindingKind::BadUncommittedRange {
                                reason: "range outside its segment or not page-sized",
                            },
                        });
                    }
                }
                (Err(e), _) | (_, Err(e)) => findings.push(Finding::from_mem(e)),
            }
        }
        seg.uncommitted.sort_by_key(|r| r.address);
        // Overlapping ranges would make the walk jump backwards: drop them.
        let mut kept: Vec<UncommittedRange> = Vec::with_capacity(seg.uncommitted.len());
        for r in seg.uncommitted.drain(..) {
            match kept.last() {
                Some(p) if r.address < p.end() => findings.push(Finding {
                    address: r.address,
                    kind: FindingKind::BadUncommittedRange {
                        reason: "overlaps another range",
                    },
                }),
                _ => kept.push(r),
            }
        }
        seg.uncommitted = kept;
        Some(seg)
    }

    /// Walk one segment's blocks lazily, from the segment header block to `LastValidEntry`,
    /// skipping uncommitted ranges.
    pub fn entries<'a, M: ReadMemory + ?Sized>(
        &'a self,
        mem: &'a M,
        segment: &'a Segment,
    ) -> SegmentEntries<'a, M> {
        SegmentEntries {
            heap: self,
            mem: Window {
                mem,
                seg: segment,
                buf: RefCell::new((0, Vec::new())),
                no_window_below: Cell::new(0),
            },
            seg: segment,
            cur: segment.address,
            prev_size: None,
            ucr_idx: 0,
            steps: 0,
            max_steps: self.limits.max_entries_per_segment,
            pending: None,
            done: false,
        }
    }

    /// Requested size of a busy back-end block.
    fn requested<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        addr: u64,
        h: &HeapEntryHeader,
        size: u64,
    ) -> (u64, Option<u64>, Option<Finding>) {
        let w = self.width();
        let gran = w.granularity();
        let user = addr.saturating_add(gran);
        if self.flags.contains(HeapFlags::CAPTURE_STACK_BACKTRACES) {
            // +ust: [block header][trace header whose last granule is an extended header]
            // (ExtendedBlockSignature 5, EntryOffset 2), user data after it.
            let ext = addr
                .saturating_add(gran.saturating_mul(2))
                .saturating_add(w.header_offset());
            let mut b = [0u8; 8];
            if mem.read(ext, &mut b).is_ok() && b[7] == 5 && b[6] == 2 {
                let ubl = u64::from(u16::from_le_bytes([b[4], b[5]]));
                let user = addr.saturating_add(gran.saturating_mul(3));
                return (user, size.checked_sub(ubl), None);
            }
        }
        let ub = u64::from(h.unused_bytes);
        let unused = if h.unused_bytes == 0x3f {
            // The real count does not fit: it is in the last pointer-sized word of the data
            // area (x64: the next block's PreviousBlockPrivateData).
            let at = match w {
                PointerWidth::Bits64 => addr.checked_add(size),
                PointerWidth::Bits32 => addr.checked_add(size).and_then(|e| e.checked_sub(4)),
            };
            match at.map(|a| mem.read_ptr(a, w)) {
                Some(Ok(v)) => v,
                _ => return (user, None, None),
            }
        } else {
            ub
        };
        match size.checked_sub(unused) {
            Some(r) => (user, Some(r), None),
            None => (
                user,
                None,
                Some(Finding {
                    address: addr,
                    kind: FindingKind::UnusedBytesTooLarge { unused, size },
                }),
            ),
        }
    }

    /// The large blocks on `VirtualAllocdBlocks`, plus findings.
    pub fn virtual_blocks<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
    ) -> (Vec<VirtualBlock>, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let mut findings = Vec::new();
        let Some(head) = self.address.checked_add(l.heap_virtual_allocd_blocks) else {
            return (Vec::new(), findings);
        };
        let list = walk_list(mem, head, w, self.limits.max_list_steps);
        findings.extend(list.findings);
        let mut out = Vec::new();
        let hdr_len = l.vae_busy_block.saturating_add(w.granularity());
        for vae in list.links {
            let buf = match read_buf(mem, vae, hdr_len) {
                Ok(b) => b,
                Err(Error::NotCaptured { addr, len }) => {
                    findings.push(Finding::from_mem(MemoryError::NotCaptured { addr, len }));
                    continue;
                }
                Err(_) => continue,
            };
            let (Some(commit), Some(reserve), Some(raw)) = (
                get_ptr(&buf, l.vae_commit_size, w),
                get_ptr(&buf, l.vae_reserve_size, w),
                get_bytes::<8>(&buf, l.vae_busy_block.saturating_add(w.header_offset())),
            ) else {
                continue;
            };
            let (h, _ok) = self.decode_header(raw);
            let mut user = vae.saturating_add(hdr_len);
            if self.flags.contains(HeapFlags::CAPTURE_STACK_BACKTRACES) {
                user = user.saturating_add(w.granularity().saturating_mul(2));
            }
            out.push(VirtualBlock {
                address: vae,
                user_address: user,
                commit_size: commit,
                reserve_size: reserve,
                requested_size: commit.checked_sub(u64::from(h.size.get())),
                flags: EntryFlags::from_bits_retain(h.flags),
            });
        }
        (out, findings)
    }

    /// The back-end free list (`FreeLists`), plus findings.
    pub fn free_list<M: ReadMemory + ?Sized>(&self, mem: &M) -> (FreeList, Vec<Finding>) {
        let l = &self.layout;
        let w = l.width;
        let mut findings = Vec::new();
        let mut fl = FreeList::default();
        let Some(head) = self.address.checked_add(l.heap_free_lists) else {
            return (fl, findings);
        };
        let list = walk_list(mem, head, w, self.limits.max_list_steps);
        findings.extend(list.findings);
        for link in list.links {
            let entry = link.wrapping_sub(l.free_entry_free_list);
            let mut raw = [0u8; 8];
            if let Err(e) = mem.read(entry.saturating_add(w.header_offset()), &mut raw) {
                findings.push(Finding::from_mem(e));
                continue;
            }
            let (h, ok) = self.decode_header(raw);
            if !ok {
                findings.push(Finding {
                    address: entry,
                    kind: FindingKind::ChecksumMismatch {
                        expected: checksum(&h),
                        found: h.small_tag_index,
                    },
                });
                continue;
            }
            if h.flags & 1 != 0 {
                findings.push(Finding {
                    address: entry,
                    kind: FindingKind::FreeListEntryBusy,
                });
            }
            let size = u64::from(h.size.get()).saturating_mul(w.granularity());
            fl.entries.push((entry, size));
        }
        (fl, findings)
    }

    /// Walk everything: segments and their entries, large blocks, the free list.
    pub fn walk<M: ReadMemory + ?Sized>(&self, mem: &M) -> HeapWalk {
        let limits = &self.limits;
        let mut walk = HeapWalk {
            heap: self.clone(),
            segments: Vec::new(),
            virtual_blocks: Vec::new(),
            free_list: FreeList::default(),
            lfh: crate::lfh::LfhBlocks::default(),
            findings: Vec::new(),
            findings_dropped: 0,
            seen: HashSet::new(),
        };
        let (segs, f) = self.segments(mem);
        walk.push_findings(f, limits);
        for seg in segs {
            let mut sw = SegmentWalk {
                segment: seg,
                entries: Vec::new(),
                uncommitted: Vec::new(),
            };
            let mut f = Vec::new();
            for item in self.entries(mem, &sw.segment) {
                match item {
                    WalkItem::Entry(e) => sw.entries.push(e),
                    WalkItem::Uncommitted(u) => sw.uncommitted.push(u),
                    WalkItem::Finding(x) => f.push(x),
                }
            }
            walk.push_findings(f, limits);
            walk.segments.push(sw);
        }
        if self.front_end_type == FrontEndType::Lfh {
            let carriers: Vec<Entry> = walk
                .segments
                .iter()
                .flat_map(|s| s.entries.iter())
                .filter(|e| e.state == EntryState::Internal)
                .copied()
                .collect();
            let (lfh, f) = self.lfh_blocks(mem, &carriers);
            walk.lfh = lfh;
            walk.push_findings(f, limits);
        }
        let (vb, f) = self.virtual_blocks(mem);
        walk.virtual_blocks = vb;
        walk.push_findings(f, limits);
        let (fl, f) = self.free_list(mem);
        walk.free_list = fl;
        walk.push_findings(f, limits);
        // Every free-list block that lies in walked memory must be a free block of the walk.
        let mut f = Vec::new();
        let mut spans: Vec<(u64, u64, usize)> = walk
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.segment.address, s.segment.last_valid_entry, i))
            .collect();
        spans.sort_unstable();
        for &(a, _) in &walk.free_list.entries {
            let j = spans.partition_point(|sp| sp.1 <= a);
            let Some(&(start, _, idx)) = spans.get(j) else {
                continue;
            };
            let Some(s) = walk.segments.get(idx) else {
                continue;
            };
            if start > a {
                continue;
            }
            let i = s.entries.partition_point(|e| e.end() <= a);
            let Some(e) = s.entries.get(i) else { continue };
            if e.address > a {
                continue;
            }
            if e.address != a || e.state != EntryState::Free {
                f.push(Finding {
                    address: a,
                    kind: FindingKind::FreeListEntryNotInSegment { block: e.address },
                });
            }
        }
        walk.push_findings(f, limits);
        walk
    }
}

/// Bytes read ahead per segment-walk refill.
const WINDOW: u64 = 64 * 1024;

/// A read-ahead window over the committed range being walked: one large read serves many
/// 8-byte header reads. Falls back to direct reads where the range is not fully captured.
#[derive(Debug)]
struct Window<'a, M: ReadMemory + ?Sized> {
    mem: &'a M,
    seg: &'a Segment,
    buf: RefCell<(u64, Vec<u8>)>,
    no_window_below: Cell<u64>,
}

impl<M: ReadMemory + ?Sized> ReadMemory for Window<'_, M> {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), MemoryError> {
        let Ok(mut b) = self.buf.try_borrow_mut() else {
            return self.mem.read(addr, out);
        };
        let len = out.len();
        if let Some(off) = addr.checked_sub(b.0).and_then(|o| usize::try_from(o).ok())
            && let Some(src) = off.checked_add(len).and_then(|e| b.1.get(off..e))
        {
            out.copy_from_slice(src);
            return Ok(());
        }
        if addr >= self.no_window_below.get() {
            // Up to the next uncommitted range or the segment end.
            let i = self.seg.uncommitted.partition_point(|u| u.address <= addr);
            let limit = self
                .seg
                .uncommitted
                .get(i)
                .map_or(self.seg.last_valid_entry, |u| {
                    u.address.min(self.seg.last_valid_entry)
                });
            let want = WINDOW.min(limit.saturating_sub(addr));
            if let Ok(want) = usize::try_from(want)
                && want >= len
            {
                b.1.resize(want, 0);
                if self.mem.read(addr, &mut b.1).is_ok() {
                    b.0 = addr;
                    if let Some(src) = b.1.get(..len) {
                        out.copy_from_slice(src);
                        return Ok(());
                    }
                }
                b.1.clear();
                self.no_window_below.set(addr.saturating_add(WINDOW));
            }
        }
        self.mem.read(addr, out)
    }
}

/// One item of a segment walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkItem {
    /// A block.
    Entry(Entry),
    /// An uncommitted range that was skipped.
    Uncommitted(UncommittedRange),
    /// A validation finding; the walk goes on where it safely can.
    Finding(Finding),
}

/// Lazy walk of one segment (see [`Heap::entries`]). Always ends: every step moves forward and
/// the step count is capped.
#[derive(Debug)]
pub struct SegmentEntries<'a, M: ReadMemory + ?Sized> {
    heap: &'a Heap,
    mem: Window<'a, M>,
    seg: &'a Segment,
    cur: u64,
    prev_size: Option<u64>,
    ucr_idx: usize,
    steps: usize,
    max_steps: usize,
    pending: Option<WalkItem>,
    done: bool,
}

impl<M: ReadMemory + ?Sized> SegmentEntries<'_, M> {
    /// After an unrecoverable problem at `cur`: continue after the next uncommitted range
    /// (a new committed range starts with a new block), or stop.
    fn resume(&mut self) {
        self.prev_size = None;
        while let Some(u) = self.seg.uncommitted.get(self.ucr_idx) {
            if u.address > self.cur {
                self.cur = u.address;
                return;
            }
            self.ucr_idx = self.ucr_idx.saturating_add(1);
        }
        self.done = true;
    }

    fn fail(&mut self, f: Finding) -> Option<WalkItem> {
        self.resume();
        Some(WalkItem::Finding(f))
    }
}

impl<M: ReadMemory + ?Sized> Iterator for SegmentEntries<'_, M> {
    type Item = WalkItem;

    fn next(&mut self) -> Option<WalkItem> {
        if let Some(p) = self.pending.take() {
            return Some(p);
        }
        if self.done {
            return None;
        }
        if self.steps >= self.max_steps {
            self.done = true;
            return Some(WalkItem::Finding(Finding {
                address: self.cur,
                kind: FindingKind::LimitReached {
                    what: "entries per segment",
                },
            }));
        }
        self.steps = self.steps.saturating_add(1);
        let seg = self.seg;
        while let Some(u) = seg.uncommitted.get(self.ucr_idx) {
            if u.end() <= self.cur {
                self.ucr_idx = self.ucr_idx.saturating_add(1);
            } else {
                break;
            }
        }
        let next_ucr = seg.uncommitted.get(self.ucr_idx).copied();
        if let Some(u) = next_ucr
            && u.address == self.cur
        {
            self.cur = u.end();
            self.prev_size = None;
            self.ucr_idx = self.ucr_idx.saturating_add(1);
            return Some(WalkItem::Uncommitted(u));
        }
        if self.cur >= seg.last_valid_entry {
            self.done = true;
            return None;
        }
        let heap = self.heap;
        let w = heap.width();
        let gran = w.granularity();
        let addr = self.cur;
        let mut raw = [0u8; 8];
        if let Err(e) = self
            .mem
            .read(addr.saturating_add(w.header_offset()), &mut raw)
        {
            let mut f = Finding::from_mem(e);
            f.address = addr;
            return self.fail(f);
        }
        let (h, ok) = heap.decode_header(raw);
        if !ok {
            return self.fail(Finding {
                address: addr,
                kind: FindingKind::ChecksumMismatch {
                    expected: checksum(&h),
                    found: h.small_tag_index,
                },
            });
        }
        let size = u64::from(h.size.get()).saturating_mul(gran);
        if size == 0 {
            return self.fail(Finding {
                address: addr,
                kind: FindingKind::ZeroSize,
            });
        }
        let limit = match next_ucr {
            Some(u) if u.address > addr => u.address.min(seg.last_valid_entry),
            _ => seg.last_valid_entry,
        };
        let end = addr.saturating_add(size);
        if end > limit {
            return self.fail(Finding {
                address: addr,
                kind: FindingKind::CrossesSegmentEnd { end, limit },
            });
        }
        let previous_size = u64::from(h.previous_size.get()).saturating_mul(gran);
        if let Some(p) = self.prev_size
            && p != previous_size
        {
            self.pending = Some(WalkItem::Finding(Finding {
                address: addr,
                kind: FindingKind::PreviousSizeMismatch {
                    expected: p,
                    found: previous_size,
                },
            }));
        }
        let flags = EntryFlags::from_bits_retain(h.flags);
        let (state, user_address, requested) = if flags.contains(EntryFlags::BUSY) {
            let (user, req, f) = heap.requested(&self.mem, addr, &h, size);
            if let Some(f) = f
                && self.pending.is_none()
            {
                self.pending = Some(WalkItem::Finding(f));
            }
            let st = if flags.contains(EntryFlags::VIRTUAL_ALLOC) {
                EntryState::Internal
            } else {
                EntryState::Busy
            };
            (st, user, req)
        } else {
            (EntryState::Free, addr.saturating_add(gran), None)
        };
        // The header block of the segment must end at FirstEntry.
        if addr == seg.address && end != seg.first_entry && self.pending.is_none() {
            self.pending = Some(WalkItem::Finding(Finding {
                address: addr,
                kind: FindingKind::BadSegment {
                    reason: "segment header block does not end at FirstEntry",
                },
            }));
        }
        self.prev_size = Some(size);
        self.cur = end;
        Some(WalkItem::Entry(Entry {
            address: addr,
            user_address,
            size,
            previous_size,
            flags,
            unused_bytes: h.unused_bytes,
            requested_size: requested,
            state,
            front_end: false,
        }))
    }
}

/// A walked segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentWalk {
    /// The segment header.
    pub segment: Segment,
    /// Its blocks, in address order.
    pub entries: Vec<Entry>,
    /// Uncommitted ranges met on the way.
    pub uncommitted: Vec<UncommittedRange>,
}

/// Everything found in one heap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapWalk {
    /// The heap.
    pub heap: Heap,
    /// Segments with their blocks.
    pub segments: Vec<SegmentWalk>,
    /// Large blocks.
    pub virtual_blocks: Vec<VirtualBlock>,
    /// The free list.
    pub free_list: FreeList,
    /// LFH blocks found in the internal carrier blocks (when the LFH front end is on).
    pub lfh: crate::lfh::LfhBlocks,
    /// Findings, in walk order (capped by [`Limits::max_findings`]).
    pub findings: Vec<Finding>,
    /// Findings beyond the cap.
    pub findings_dropped: usize,
    seen: HashSet<Finding>,
}

impl HeapWalk {
    fn push_findings(&mut self, f: Vec<Finding>, limits: &Limits) {
        for x in f {
            // The same block can be met twice (segment walk and free list): report it once.
            if !self.seen.insert(x) {
                continue;
            }
            if self.findings.len() < limits.max_findings {
                self.findings.push(x);
            } else {
                self.findings_dropped = self.findings_dropped.saturating_add(1);
            }
        }
    }

    /// Findings that are corruption (not missing memory, not caps).
    pub fn corruption(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_corruption())
    }

    /// Whether no corruption was found.
    pub fn is_clean(&self) -> bool {
        self.corruption().next().is_none()
    }

    /// Whether some memory of the heap was not in the dump.
    pub fn is_incomplete(&self) -> bool {
        self.findings.iter().any(|f| !f.is_corruption())
    }

    /// All blocks: segment entries, LFH blocks, then large blocks (as entries).
    pub fn all_entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.segments
            .iter()
            .flat_map(|s| s.entries.iter().copied())
            .chain(self.lfh.blocks.iter().copied())
            .chain(self.virtual_blocks.iter().map(|v| v.as_entry()))
    }
}

/// Most frames an `_RTL_STACK_TRACE_ENTRY` holds.
pub const MAX_TRACE_FRAMES: u16 = 32;

impl Heap {
    /// The allocation stack of a busy block in a heap that captures stack traces (`+ust`,
    /// `HEAP_CAPTURE_STACK_BACKTRACES`): the first pointer after the block header (for a
    /// large block, after the `_HEAP_VIRTUAL_ALLOC_ENTRY`) points at an
    /// `_RTL_STACK_TRACE_ENTRY` whose frame count is read at the PDB's `Index` offset (x86 +8,
    /// x64 +0xc; `Depth` right after it is the fallback) and whose frames follow at +0xc / +0x10.
    ///
    /// `Ok(None)` when the heap has no traces, the block is free or the pointer is null;
    /// `Err` when the trace is not in the dump.
    pub fn stack_trace<M: ReadMemory + ?Sized>(
        &self,
        mem: &M,
        e: &Entry,
    ) -> Result<Option<Vec<u64>>, Error> {
        if !self.flags.contains(HeapFlags::CAPTURE_STACK_BACKTRACES) || !e.is_busy() {
            return Ok(None);
        }
        let w = self.width();
        let gran = w.granularity();
        let slot = match e.state {
            EntryState::VirtualAlloc => e
                .address
                .checked_add(self.layout.vae_busy_block)
                .and_then(|a| a.checked_add(gran)),
            _ => e.address.checked_add(gran),
        }
        .ok_or(Error::Overflow { addr: e.address })?;
        let trace = mem.read_ptr(slot, w)?;
        if trace == 0 {
            return Ok(None);
        }
        let (index_off, frames_off) = match w {
            PointerWidth::Bits32 => (8u64, 0xcu64),
            PointerWidth::Bits64 => (0xc, 0x10),
        };
        let at = |o: u64| trace.checked_add(o).ok_or(Error::Overflow { addr: trace });
        let mut count = mem.read_u16(at(index_off)?)?;
        if count == 0 || count > MAX_TRACE_FRAMES {
            count = mem.read_u16(at(index_off.saturating_add(2))?)?;
        }
        if count == 0 || count > MAX_TRACE_FRAMES {
            return Ok(None);
        }
        let mut frames = Vec::with_capacity(usize::from(count));
        for i in 0..u64::from(count) {
            let a = i
                .checked_mul(w.bytes())
                .and_then(|o| o.checked_add(frames_off))
                .and_then(|o| trace.checked_add(o))
                .ok_or(Error::Overflow { addr: trace })?;
            frames.push(mem.read_ptr(a, w)?);
        }
        Ok(Some(frames))
    }
}
