//! Gigabyte synthetic heaps that are never held in memory: [`SynthHeap::fill_tails`].

use std::sync::Arc;

use super::{BuildError, SynthHeap, encode_header};
use crate::{EntryState, PAGE_SIZE};

/// Bytes to place at the start of a filled block's user data: called with the user address
/// and the requested size of the block; `None` leaves the data zero.
pub type UserBytes = dyn Fn(u64, u64) -> Option<Vec<u8>> + Send + Sync;

/// The committed tail of one segment, filled with busy blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tail {
    /// The segment.
    segment: u64,
    /// First address of the tail (was uncommitted).
    start: u64,
    /// One past the last (the segment's `LastValidEntry`).
    end: u64,
    /// Size of the block before the tail.
    prev: u64,
    /// Blocks of the pattern placed.
    blocks: u64,
    /// Size of the final block that fills what is left.
    filler: u64,
}

/// A heap built small by [`HeapBuilder`](super::HeapBuilder) with an uncommitted range at the
/// end of each segment, whose ranges are then committed and filled with busy blocks that are
/// produced only when asked for ([`FilledHeap::fill`]), e.g. by a streaming dump writer. See
/// [`SynthHeap::fill_tails`].
#[derive(Clone)]
pub struct FilledHeap {
    /// The heap as built, with every segment header saying "no uncommitted range" and the
    /// segment regions cut to their built part (the tails are produced by [`FilledHeap::fill`]).
    pub heap: SynthHeap,
    tails: Vec<Tail>,
    /// (block size, requested size) of the pattern, repeated.
    pattern: Vec<(u64, u64)>,
    period: u64,
    user: Option<Arc<UserBytes>>,
}

impl std::fmt::Debug for FilledHeap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilledHeap")
            .field("address", &self.heap.address)
            .field("segments", &self.tails.len())
            .field("pattern", &self.pattern)
            .finish_non_exhaustive()
    }
}

impl SynthHeap {
    /// Commit the uncommitted range at the end of every segment and fill it with busy blocks
    /// of the `requested` sizes, repeated in that order; the last block of each segment is
    /// sized to end exactly at `LastValidEntry`. `user` gives the first bytes of each filled
    /// block's data. The segment headers are patched to have no uncommitted range.
    ///
    /// The heap must have been built without `+ust`, and each segment with an uncommitted
    /// range (`SegmentSpec::uncommitted_pages`). Nothing of the tails is held: a heap of
    /// gigabytes costs a few bytes per segment until [`FilledHeap::fill`] produces its bytes.
    pub fn fill_tails(
        mut self,
        requested: &[u64],
        user: Option<Arc<UserBytes>>,
    ) -> Result<FilledHeap, BuildError> {
        let l = self.layout.clone();
        let w = l.width;
        let gran = w.granularity();
        let max_block = u64::from(u16::MAX).saturating_mul(gran);
        if requested.is_empty() {
            return Err(BuildError("no block size to fill with"));
        }
        let mut pattern = Vec::new();
        for &r in requested {
            let size = r
                .checked_add(gran)
                .and_then(|s| s.checked_add(gran.saturating_sub(1)))
                .and_then(|s| s.checked_div(gran)?.checked_mul(gran))
                .ok_or(BuildError("block too large"))?
                .max(gran.saturating_mul(2));
            // Unused bytes must fit the header byte (no 0x3f escape here).
            if size > max_block / 2 || size.saturating_sub(r) >= 0x3f {
                return Err(BuildError("block size out of range for filling"));
            }
            pattern.push((size, r));
        }
        let period = pattern.iter().map(|p| p.0).sum::<u64>();
        let biggest = pattern.iter().map(|p| p.0).max().unwrap_or(gran);
        let mut tails = Vec::new();
        let read_u32 = |m: &super::SynthMemory, a: u64| -> Option<u32> {
            let mut b = [0u8; 4];
            crate::ReadMemory::read(m, a, &mut b).ok()?;
            Some(u32::from_le_bytes(b))
        };
        for &seg in &self.segments.clone() {
            let pages = read_u32(&self.memory, seg.saturating_add(l.segment_number_of_pages))
                .ok_or(BuildError("segment header not built"))?;
            let uncommitted = read_u32(
                &self.memory,
                seg.saturating_add(l.segment_uncommitted_pages),
            )
            .ok_or(BuildError("segment header not built"))?;
            if uncommitted == 0 {
                return Err(BuildError(
                    "every segment needs an uncommitted range to fill",
                ));
            }
            let end = seg.saturating_add(u64::from(pages).saturating_mul(PAGE_SIZE));
            let start = end.saturating_sub(u64::from(uncommitted).saturating_mul(PAGE_SIZE));
            let holder = self
                .entries
                .iter()
                .find(|e| e.address.saturating_add(e.size) == start)
                .ok_or(BuildError(
                    "no block ends where the uncommitted range starts",
                ))?;
            if holder.state != EntryState::Busy {
                return Err(BuildError(
                    "the block before the uncommitted range is not busy",
                ));
            }
            let prev = holder.size;
            // Place whole periods while plenty is left, then block by block while the next
            // block still leaves room for a final block of two granules or more.
            let len = end.saturating_sub(start);
            let mut blocks = 0u64;
            let mut at = 0u64;
            let reserve = biggest.saturating_mul(2).saturating_add(period);
            if len > reserve {
                let periods = len.saturating_sub(reserve).checked_div(period).unwrap_or(0);
                blocks = periods.saturating_mul(pattern.len() as u64);
                at = periods.saturating_mul(period);
            }
            loop {
                let i = usize::try_from(blocks.checked_rem(pattern.len() as u64).unwrap_or(0))
                    .unwrap_or(0);
                let size = pattern.get(i).map_or(gran, |p| p.0);
                if len.saturating_sub(at) < size.saturating_add(gran.saturating_mul(2)) {
                    break;
                }
                at = at.saturating_add(size);
                blocks = blocks.saturating_add(1);
            }
            let filler = len.saturating_sub(at);
            if filler > max_block || filler < gran.saturating_mul(2) {
                return Err(BuildError("uncommitted range too small to fill"));
            }
            // The segment header: no uncommitted range any more.
            let put32 = |m: &mut super::SynthMemory, a: u64, v: u32| m.write(a, &v.to_le_bytes());
            put32(
                &mut self.memory,
                seg.saturating_add(l.segment_uncommitted_pages),
                0,
            );
            put32(
                &mut self.memory,
                seg.saturating_add(l.segment_uncommitted_ranges),
                0,
            );
            let head = seg.saturating_add(l.segment_ucr_segment_list);
            self.write_ptr(head, head);
            self.write_ptr(head.saturating_add(w.bytes()), head);
            let built_len = self
                .memory
                .regions
                .iter()
                .find(|r| r.0 == seg)
                .map_or(0, |r| r.1.len() as u64);
            if seg.saturating_add(built_len) != start {
                return Err(BuildError(
                    "the built segment does not end at its uncommitted range",
                ));
            }
            tails.push(Tail {
                segment: seg,
                start,
                end,
                prev,
                blocks,
                filler,
            });
        }
        Ok(FilledHeap {
            heap: self,
            tails,
            pattern,
            period,
            user,
        })
    }
}

impl FilledHeap {
    /// The heap's captured memory as `(base, length)`: each segment whole (its built part
    /// and its filled tail), then the other built regions.
    pub fn regions(&self) -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = self
            .tails
            .iter()
            .map(|t| (t.segment, t.end.saturating_sub(t.segment)))
            .collect();
        for (base, bytes) in &self.heap.memory.regions {
            if !self.tails.iter().any(|t| t.segment == *base) {
                out.push((*base, bytes.len() as u64));
            }
        }
        out
    }

    /// Busy blocks placed in the tails (fillers included).
    pub fn filled_blocks(&self) -> u64 {
        self.tails
            .iter()
            .fold(0u64, |a, t| a.saturating_add(t.blocks).saturating_add(1))
    }

    /// Fill `buf` with the bytes at `offset` into the region starting at `base` (one of
    /// [`FilledHeap::regions`]); bytes outside the heap's memory are zero.
    pub fn fill(&self, base: u64, offset: u64, buf: &mut [u8]) {
        buf.fill(0);
        let from = base.saturating_add(offset);
        let to = from.saturating_add(buf.len() as u64);
        // Built bytes.
        for (b, bytes) in &self.heap.memory.regions {
            let rend = b.saturating_add(bytes.len() as u64);
            if rend <= from || *b >= to {
                continue;
            }
            let lo = from.max(*b);
            let hi = to.min(rend);
            let src = usize::try_from(lo.saturating_sub(*b)).unwrap_or(0);
            let dst = usize::try_from(lo.saturating_sub(from)).unwrap_or(0);
            let n = usize::try_from(hi.saturating_sub(lo)).unwrap_or(0);
            if let (Some(d), Some(s)) = (
                buf.get_mut(dst..dst.saturating_add(n)),
                bytes.get(src..src.saturating_add(n)),
            ) {
                d.copy_from_slice(s);
            }
        }
        if let Some(t) = self
            .tails
            .iter()
            .find(|t| t.start < to && from < t.end && t.segment == base)
        {
            self.fill_tail(t, from, buf);
        }
    }

    fn fill_tail(&self, t: &Tail, from: u64, buf: &mut [u8]) {
        let w = self.heap.layout.width;
        let gran = w.granularity();
        let to = from.saturating_add(buf.len() as u64);
        let p = self.pattern.len() as u64;
        let mut put = |addr: u64, data: &[u8]| {
            let end = addr.saturating_add(data.len() as u64);
            if end <= from || addr >= to {
                return;
            }
            let lo = addr.max(from);
            let hi = end.min(to);
            let s = usize::try_from(lo.saturating_sub(addr)).unwrap_or(0);
            let d = usize::try_from(lo.saturating_sub(from)).unwrap_or(0);
            let n = usize::try_from(hi.saturating_sub(lo)).unwrap_or(0);
            if let (Some(dst), Some(src)) = (
                buf.get_mut(d..d.saturating_add(n)),
                data.get(s..s.saturating_add(n)),
            ) {
                dst.copy_from_slice(src);
            }
        };
        let header = |size: u64, prev: u64, unused: u64| {
            encode_header(
                self.heap.key,
                u16::try_from(size.checked_div(gran).unwrap_or(0)).unwrap_or(0),
                1,
                u16::try_from(prev.checked_div(gran).unwrap_or(0)).unwrap_or(0),
                u8::try_from(unused).unwrap_or(0),
            )
        };
        // The first block that can touch `from` (a block starts at most one block before it;
        // user bytes may reach 256 bytes further, so start one period earlier).
        let rel = from.saturating_sub(t.start);
        let first_period = rel.checked_div(self.period).unwrap_or(0).saturating_sub(1);
        let mut k = first_period.saturating_mul(p);
        let mut addr = t
            .start
            .saturating_add(first_period.saturating_mul(self.period));
        while k < t.blocks && addr < to {
            let i = usize::try_from(k.checked_rem(p).unwrap_or(0)).unwrap_or(0);
            let (size, req) = self.pattern.get(i).copied().unwrap_or((gran, 0));
            let prev = if k == 0 {
                t.prev
            } else {
                let j =
                    usize::try_from(k.saturating_sub(1).checked_rem(p).unwrap_or(0)).unwrap_or(0);
                self.pattern.get(j).map_or(gran, |x| x.0)
            };
            if addr.saturating_add(size) > from {
                put(
                    addr.saturating_add(w.header_offset()),
                    &header(size, prev, size.saturating_sub(req)),
                );
                let user = addr.saturating_add(gran);
                if let Some(f) = &self.user
                    && let Some(mut bytes) = f(user, req)
                {
                    bytes.truncate(usize::try_from(req).unwrap_or(0));
                    put(user, &bytes);
                }
            }
            addr = addr.saturating_add(size);
            k = k.saturating_add(1);
        }
        // The filler.
        let filler_at = t.end.saturating_sub(t.filler);
        if filler_at < to && t.end > from {
            let prev = if t.blocks == 0 {
                t.prev
            } else {
                let j = usize::try_from(t.blocks.saturating_sub(1).checked_rem(p).unwrap_or(0))
                    .unwrap_or(0);
                self.pattern.get(j).map_or(gran, |x| x.0)
            };
            put(
                filler_at.saturating_add(w.header_offset()),
                &header(t.filler, prev, gran),
            );
        }
    }
}
