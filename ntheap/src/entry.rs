//! `_HEAP_ENTRY`: the blocks of a segment, walked lazily through a read-ahead window.

use std::cell::{Cell, RefCell};

use crate::finding::*;
use crate::heap::*;
use crate::layout::PointerWidth;
use crate::memory::{MemoryError, ReadMemory};
use crate::raw::HeapEntryHeader;
use crate::segment::*;

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

impl Heap {
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
}

/// Bytes read ahead per segment-walk refill.
pub(crate) const WINDOW: u64 = 64 * 1024;

/// A read-ahead window over the committed range being walked: one large read serves many
/// 8-byte header reads. Falls back to direct reads where the range is not fully captured.
#[derive(Debug)]
pub(crate) struct Window<'a, M: ReadMemory + ?Sized> {
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
