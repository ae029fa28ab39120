//! The virtual-address view of the captured memory.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The little-endian reads every memory reader offers over its own `read(addr, buf)`:
/// `read_u8`, `read_u16`, `read_u32`, `read_u64` and `read_ptr`, written once for the
/// minidump view and the kernel dump's memory.
macro_rules! le_readers {
    () => {
        /// Reads a `u8`.
        pub fn read_u8(&self, addr: u64) -> Result<u8, Error> {
            let mut b = [0u8; 1];
            self.read(addr, &mut b)?;
            Ok(u8::from_le_bytes(b))
        }

        /// Reads a little-endian `u16`.
        pub fn read_u16(&self, addr: u64) -> Result<u16, Error> {
            let mut b = [0u8; 2];
            self.read(addr, &mut b)?;
            Ok(u16::from_le_bytes(b))
        }

        /// Reads a little-endian `u32`.
        pub fn read_u32(&self, addr: u64) -> Result<u32, Error> {
            let mut b = [0u8; 4];
            self.read(addr, &mut b)?;
            Ok(u32::from_le_bytes(b))
        }

        /// Reads a little-endian `u64`.
        pub fn read_u64(&self, addr: u64) -> Result<u64, Error> {
            let mut b = [0u8; 8];
            self.read(addr, &mut b)?;
            Ok(u64::from_le_bytes(b))
        }

        /// Reads a pointer of `pointer_size` bytes (4 or 8), zero-extended to `u64`.
        ///
        /// Any other size reads 8 bytes if it is larger than 4, else 4.
        pub fn read_ptr(&self, addr: u64, pointer_size: usize) -> Result<u64, Error> {
            if pointer_size <= 4 {
                self.read_u32(addr).map(u64::from)
            } else {
                self.read_u64(addr)
            }
        }
    };
}
pub(crate) use le_readers;

use crate::Error;

/// The bytes of a dump opened by [`Minidump::open`](crate::Minidump::open) (a read-only memory
/// map) or [`Minidump::from_bytes`](crate::Minidump::from_bytes) (an owned buffer): the default
/// data type of [`Minidump`](crate::Minidump) and [`MemoryView`]. Borrowed bytes are read through
/// [`Minidump::from_slice`](crate::Minidump::from_slice) instead.
pub struct DumpData(pub(crate) Source);

impl std::fmt::Debug for DumpData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.0 {
            Source::Mapped(_) => "mapped",
            Source::Owned(_) => "owned",
        };
        write!(f, "DumpData({kind}, {} bytes)", self.len())
    }
}

impl Deref for DumpData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// Where the bytes of a [`DumpData`] live.
#[derive(Debug)]
pub(crate) enum Source {
    /// A read-only memory map of the file.
    Mapped(memmap2::Mmap),
    /// Bytes owned by the reader.
    Owned(Vec<u8>),
}

impl Deref for Source {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Source::Mapped(m) => m,
            Source::Owned(v) => v,
        }
    }
}

/// A range of virtual addresses: `base .. base + size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MemoryRange {
    /// First address.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
}

impl MemoryRange {
    /// One past the last address, saturating at `u64::MAX`.
    pub fn end(&self) -> u64 {
        self.base.saturating_add(self.size)
    }

    /// True if `addr` lies in the range.
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr.wrapping_sub(self.base) < self.size
    }
}

/// One indexed region: virtual range and where its bytes are in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) base: u64,
    pub(crate) size: u64,
    pub(crate) file_offset: u64,
}

impl Region {
    fn end(&self) -> u64 {
        // Regions are validated at build time so that base + size does not overflow.
        self.base.saturating_add(self.size)
    }
}

/// The captured memory of the process, addressed by virtual address.
///
/// Built once at open from the MemoryList and/or Memory64List stream: the regions are sorted by
/// base address, overlaps in hostile input are clipped deterministically (the earlier-sorted
/// region wins), and every lookup is a binary search, O(log n) in the number of regions (O(1)
/// when it hits the region of the previous lookup). No captured byte is copied until
/// [`read`](Self::read) is asked to.
pub struct MemoryView<D = DumpData> {
    data: Arc<D>,
    regions: Vec<Region>,
    /// `regions[i].base`, on their own: the binary search touches only these 8-byte keys, three
    /// times denser in cache than the region records (this is what keeps a random lookup among
    /// thousands of ranges cheap).
    bases: Vec<u64>,
    total: u64,
    /// Index of the region found last: walks over heaps and stacks read neighbouring
    /// addresses, so checking it first makes most lookups O(1). Only a hint.
    last: AtomicUsize,
}

impl<D> std::fmt::Debug for MemoryView<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryView")
            .field("regions", &self.regions.len())
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl<D> Clone for MemoryView<D> {
    fn clone(&self) -> Self {
        MemoryView {
            data: Arc::clone(&self.data),
            regions: self.regions.clone(),
            bases: self.bases.clone(),
            total: self.total,
            last: AtomicUsize::new(self.last.load(Ordering::Relaxed)),
        }
    }
}

impl<D: Deref<Target = [u8]>> MemoryView<D> {
    /// Builds the view from unsorted regions, all already validated against the file length.
    pub(crate) fn new(data: Arc<D>, mut regions: Vec<Region>) -> MemoryView<D> {
        regions.retain(|r| r.size != 0);
        regions.sort_unstable_by(|a, b| {
            a.base
                .cmp(&b.base)
                .then(b.size.cmp(&a.size))
                .then(a.file_offset.cmp(&b.file_offset))
        });
        let mut out: Vec<Region> = Vec::new();
        let mut total = 0u64;
        for r in regions {
            let mut r = r;
            if let Some(prev) = out.last() {
                let prev_end = prev.end();
                if r.end() <= prev_end {
                    continue; // fully covered by an earlier region
                }
                if r.base < prev_end {
                    // Clip the front of r. prev_end > r.base, and prev_end < r.end().
                    let cut = prev_end.saturating_sub(r.base);
                    r.base = prev_end;
                    r.size = r.size.saturating_sub(cut);
                    r.file_offset = r.file_offset.saturating_add(cut);
                }
            }
            total = total.saturating_add(r.size);
            out.push(r);
        }
        let bases = out.iter().map(|r| r.base).collect();
        MemoryView {
            data,
            regions: out,
            bases,
            total,
            last: AtomicUsize::new(0),
        }
    }

    /// The captured ranges, ascending by base, non-overlapping.
    pub fn ranges(&self) -> impl ExactSizeIterator<Item = MemoryRange> + '_ {
        self.regions.iter().map(|r| MemoryRange {
            base: r.base,
            size: r.size,
        })
    }

    /// The captured ranges with their bytes, ascending by base (for scans over all memory).
    pub fn regions(&self) -> impl ExactSizeIterator<Item = (MemoryRange, &[u8])> + '_ {
        self.regions.iter().map(|r| {
            (
                MemoryRange {
                    base: r.base,
                    size: r.size,
                },
                self.region_bytes(r),
            )
        })
    }

    /// Number of captured ranges.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// True if no memory is captured.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Total captured bytes.
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// Index of the region containing `addr`: the last hit if it matches, else a binary search.
    fn find(&self, addr: u64) -> Option<usize> {
        let hint = self.last.load(Ordering::Relaxed);
        if let Some(r) = self.regions.get(hint)
            && addr.wrapping_sub(r.base) < r.size
        {
            return Some(hint);
        }
        let i = self.bases.partition_point(|base| *base <= addr);
        let i = i.checked_sub(1)?;
        let r = self.regions.get(i)?;
        if addr.wrapping_sub(r.base) < r.size {
            self.last.store(i, Ordering::Relaxed);
            Some(i)
        } else {
            None
        }
    }

    fn region_bytes(&self, r: &Region) -> &[u8] {
        let start = usize::try_from(r.file_offset).unwrap_or(usize::MAX);
        let len = usize::try_from(r.size).unwrap_or(usize::MAX);
        start
            .checked_add(len)
            .and_then(|end| self.data.get(start..end))
            .unwrap_or(&[])
    }

    /// The captured region holding `addr`, with its bytes; O(log n).
    pub fn region_at(&self, addr: u64) -> Option<(MemoryRange, &[u8])> {
        let r = self.regions.get(self.find(addr)?)?;
        Some((
            MemoryRange {
                base: r.base,
                size: r.size,
            },
            self.region_bytes(r),
        ))
    }

    /// The first captured range that starts at or after `addr` (for scans that skip holes).
    pub fn next_range_from(&self, addr: u64) -> Option<MemoryRange> {
        if let Some(i) = self.find(addr) {
            let r = self.regions.get(i)?;
            return Some(MemoryRange {
                base: r.base,
                size: r.size,
            });
        }
        let i = self.bases.partition_point(|base| *base <= addr);
        self.regions.get(i).map(|r| MemoryRange {
            base: r.base,
            size: r.size,
        })
    }

    /// `len` bytes at `addr`, borrowed from the dump without copying.
    ///
    /// The range must lie in one captured region. Errors: [`Error::AddressOverflow`] if
    /// `addr + len` wraps, [`Error::NotCaptured`] if some byte is not in the dump,
    /// [`Error::SpansRegions`] if it is all captured but in several regions.
    pub fn slice(&self, addr: u64, len: usize) -> Result<&[u8], Error> {
        let len64 = u64::try_from(len).map_err(|_| Error::AddressOverflow {
            address: addr,
            len: u64::MAX,
        })?;
        if addr.checked_add(len64).is_none() {
            return Err(Error::AddressOverflow {
                address: addr,
                len: len64,
            });
        }
        if len == 0 {
            return Ok(&[]);
        }
        let Some(i) = self.find(addr) else {
            return Err(Error::NotCaptured {
                address: addr,
                len: len64,
            });
        };
        let r = self.regions.get(i).ok_or(Error::NotCaptured {
            address: addr,
            len: len64,
        })?;
        let off = addr.wrapping_sub(r.base);
        let avail = r.size.saturating_sub(off);
        if len64 <= avail {
            let bytes = self.region_bytes(r);
            let start = usize::try_from(off).map_err(|_| Error::AddressOverflow {
                address: addr,
                len: len64,
            })?;
            return start
                .checked_add(len)
                .and_then(|end| bytes.get(start..end))
                .ok_or(Error::NotCaptured {
                    address: addr,
                    len: len64,
                });
        }
        // Not all in this region: tell "not captured" from "spans regions".
        match self.check_captured(addr, len64) {
            Ok(()) => Err(Error::SpansRegions {
                address: addr,
                len: len64,
            }),
            Err(e) => Err(e),
        }
    }

    /// Checks that `addr .. addr + len` is captured, possibly across adjacent regions.
    fn check_captured(&self, addr: u64, len: u64) -> Result<(), Error> {
        let mut cur = addr;
        let mut remaining = len;
        while remaining > 0 {
            let r = self
                .find(cur)
                .and_then(|i| self.regions.get(i))
                .ok_or(Error::NotCaptured {
                    address: cur,
                    len: remaining,
                })?;
            let avail = r.size.saturating_sub(cur.wrapping_sub(r.base));
            let n = avail.min(remaining);
            if n == 0 {
                return Err(Error::NotCaptured {
                    address: cur,
                    len: remaining,
                });
            }
            remaining = remaining.saturating_sub(n);
            cur = cur.saturating_add(n);
        }
        Ok(())
    }

    /// Copies `buf.len()` bytes at `addr` into `buf`, crossing adjacent regions if needed.
    ///
    /// On [`Error::NotCaptured`], `address` is the first missing byte; `buf` may be partly
    /// written.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        let total = u64::try_from(buf.len()).map_err(|_| Error::AddressOverflow {
            address: addr,
            len: u64::MAX,
        })?;
        if addr.checked_add(total).is_none() {
            return Err(Error::AddressOverflow {
                address: addr,
                len: total,
            });
        }
        let mut cur = addr;
        let mut out = buf;
        while !out.is_empty() {
            let remaining = u64::try_from(out.len()).unwrap_or(u64::MAX);
            let r = self
                .find(cur)
                .and_then(|i| self.regions.get(i))
                .ok_or(Error::NotCaptured {
                    address: cur,
                    len: remaining,
                })?;
            let off = cur.wrapping_sub(r.base);
            let bytes = self.region_bytes(r);
            let src = usize::try_from(off)
                .ok()
                .and_then(|o| bytes.get(o..))
                .unwrap_or(&[]);
            let n = src.len().min(out.len());
            if n == 0 {
                return Err(Error::NotCaptured {
                    address: cur,
                    len: remaining,
                });
            }
            let (head, tail) = out.split_at_mut(n);
            head.copy_from_slice(src.get(..n).unwrap_or(&[]));
            out = tail;
            cur = cur.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        }
        Ok(())
    }

    crate::memory::le_readers!();

    /// Reads a zerocopy plain-old-data value (any layout with no invalid bit patterns).
    pub fn read_pod<T: zerocopy::FromBytes + zerocopy::IntoBytes>(
        &self,
        addr: u64,
    ) -> Result<T, Error> {
        let mut v = T::new_zeroed();
        self.read(addr, v.as_mut_bytes())?;
        Ok(v)
    }
}
