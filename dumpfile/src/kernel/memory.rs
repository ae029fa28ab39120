//! The virtual-address view of a kernel dump, under one directory table base.

use super::KernelDump;
use super::bytes::{get, len64, u32_at, u64_at};
use super::paging::{self, NotPresent, PageState, PagingMode, Translation};
use crate::Error;

/// Kernel (or process) virtual memory of a kernel dump: the read shape of
/// [`MemoryView`](crate::MemoryView) (`read`, `read_u32`, `read_u64`, `slice`), translated
/// through the page tables under one directory table base, or through the captured ranges of
/// a triage dump.
///
/// Errors tell why bytes are missing: [`Error::PageNotPresent`] (with the reason: paged out,
/// transition, demand-zero, prototype, not committed), [`Error::PhysicalNotInDump`], or
/// [`Error::NotCaptured`] (no triage range holds the address); all three answer
/// [`Error::is_not_captured`]. Corrupt paging structures are never read as data.
#[derive(Debug, Clone, Copy)]
pub struct KernelMemory<'a> {
    dump: &'a KernelDump,
    dtb: u64,
}

/// Where the bytes of one address are: file offset and how many follow contiguously.
struct Located {
    file_offset: u64,
    contiguous: u64,
}

impl<'a> KernelMemory<'a> {
    pub(crate) fn new(dump: &'a KernelDump, dtb: u64) -> KernelMemory<'a> {
        KernelMemory { dump, dtb }
    }

    /// The directory table base used (0 for a triage dump).
    pub fn dtb(&self) -> u64 {
        self.dtb
    }

    /// Pointer size of the dump (4 or 8).
    pub fn pointer_size(&self) -> usize {
        if self.dump.header().is_64bit { 8 } else { 4 }
    }

    /// Reads a physical entry of `size` bytes for the page walk of `va`.
    fn read_entry(&self, va: u64, pa: u64, size: u64) -> Result<u64, Error> {
        let bytes = self.dump.as_bytes();
        let missing = Error::PhysicalNotInDump {
            address: va,
            physical: pa,
        };
        let off = self.dump.physical_offset(pa).ok_or(missing)?;
        let v = if size == 8 {
            u64_at(bytes, off)
        } else {
            u32_at(bytes, off).map(u64::from)
        };
        v.ok_or(Error::PhysicalNotInDump {
            address: va,
            physical: pa,
        })
    }

    fn locate(&self, va: u64) -> Result<Located, Error> {
        self.locate_cached(va, &mut None)
    }

    /// [`locate`](Self::locate), reusing the page table of the previous page when `va` lies in
    /// the span it maps (`cache` is `(pt_key, page-table base)`, kept by the caller for one
    /// read of consecutive pages under one DTB).
    fn locate_cached(&self, va: u64, cache: &mut Option<(u64, u64)>) -> Result<Located, Error> {
        if let Some(t) = self.dump.triage() {
            let r = t.find(va).ok_or(Error::NotCaptured {
                address: va,
                len: 1,
            })?;
            let k = va.wrapping_sub(r.base);
            return Ok(Located {
                file_offset: r.file_offset.saturating_add(k),
                contiguous: r.size.saturating_sub(k),
            });
        }
        let read = |pa: u64, size: u64| self.read_entry(va, pa, size);
        let mode = self.dump.paging_mode();
        let key = paging::pt_key(mode, va);
        let w = match *cache {
            Some((k, pt)) if k == key => paging::leaf(mode, pt, va, &read)?,
            _ => {
                let w = paging::walk(mode, self.dtb, va, &read, &mut |_| {})?;
                *cache = w.pt_base.map(|b| (key, b));
                w
            }
        };
        match self.dump.physical_offset(w.physical) {
            Some(off) if off < len64(self.dump.as_bytes()) => Ok(Located {
                file_offset: off,
                contiguous: 0x1000u64.saturating_sub(w.physical & 0xFFF),
            }),
            _ if w.transition => Err(Error::PageNotPresent {
                address: va,
                pte: w.physical,
                reason: NotPresent::Transition {
                    pfn: w.physical >> 12,
                },
            }),
            _ => Err(Error::PhysicalNotInDump {
                address: va,
                physical: w.physical,
            }),
        }
    }

    /// Translates `va` and reports every paging entry read (what `!pte` shows). A page that is
    /// not present is an `Ok` translation with its [`PageState`]; a paging structure missing
    /// from the dump is an error.
    pub fn translate(&self, va: u64) -> Result<Translation, Error> {
        if self.dump.paging_mode() == PagingMode::None {
            return Err(Error::NotCaptured {
                address: va,
                len: 1,
            });
        }
        let mut levels = Vec::new();
        let read = |pa: u64, size: u64| self.read_entry(va, pa, size);
        let r = paging::walk(self.dump.paging_mode(), self.dtb, va, &read, &mut |l| {
            levels.push(l)
        });
        match r {
            Ok(w) => {
                let in_dump = self.dump.physical_offset(w.physical).is_some();
                Ok(Translation {
                    address: va,
                    levels,
                    state: if w.transition {
                        PageState::Transition
                    } else {
                        PageState::Valid
                    },
                    physical: Some(w.physical),
                    page_size: w.page_size,
                    in_dump,
                })
            }
            Err(Error::PageNotPresent { reason, .. }) => Ok(Translation {
                address: va,
                levels,
                state: PageState::NotPresent(reason),
                physical: None,
                page_size: 0x1000,
                in_dump: false,
            }),
            Err(e) => Err(e),
        }
    }

    /// Translates `va` to a physical address (valid or transition pages).
    pub fn virtual_to_physical(&self, va: u64) -> Result<u64, Error> {
        let read = |pa: u64, size: u64| self.read_entry(va, pa, size);
        paging::walk(self.dump.paging_mode(), self.dtb, va, &read, &mut |_| {}).map(|w| w.physical)
    }

    /// Zero-copy bytes at `addr`, which must lie in one stored page (or one triage range).
    ///
    /// Errors: [`Error::SpansRegions`] if the bytes are all present but not contiguous in the
    /// file; the not-present errors otherwise.
    pub fn slice(&self, addr: u64, len: usize) -> Result<&'a [u8], Error> {
        let len64 = u64::try_from(len).unwrap_or(u64::MAX);
        if addr.checked_add(len64).is_none() {
            return Err(Error::AddressOverflow {
                address: addr,
                len: len64,
            });
        }
        if len == 0 {
            return Ok(&[]);
        }
        let loc = self.locate(addr)?;
        if len64 <= loc.contiguous {
            return get(self.dump.as_bytes(), loc.file_offset, len64).ok_or(
                Error::PhysicalNotInDump {
                    address: addr,
                    physical: 0,
                },
            );
        }
        // Tell "not present" from "spans pages".
        let mut cur = addr.saturating_add(loc.contiguous);
        let end = addr.saturating_add(len64);
        while cur < end {
            let l = self.locate(cur)?;
            cur = cur.saturating_add(l.contiguous.max(1));
        }
        Err(Error::SpansRegions {
            address: addr,
            len: len64,
        })
    }

    /// Copies `buf.len()` bytes at `addr` into `buf`, across pages. On error, the error names
    /// the first missing address; `buf` may be partly written.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        let total = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        if addr.checked_add(total).is_none() {
            return Err(Error::AddressOverflow {
                address: addr,
                len: total,
            });
        }
        let bytes = self.dump.as_bytes();
        let mut cur = addr;
        let mut out = buf;
        let mut cache = None;
        while !out.is_empty() {
            let loc = self.locate_cached(cur, &mut cache)?;
            let n = usize::try_from(loc.contiguous)
                .unwrap_or(usize::MAX)
                .min(out.len());
            let src = get(bytes, loc.file_offset, u64::try_from(n).unwrap_or(u64::MAX)).ok_or(
                Error::PhysicalNotInDump {
                    address: cur,
                    physical: 0,
                },
            )?;
            if n == 0 {
                return Err(Error::NotCaptured {
                    address: cur,
                    len: 1,
                });
            }
            let (head, tail) = out.split_at_mut(n);
            head.copy_from_slice(src);
            out = tail;
            cur = cur.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        }
        Ok(())
    }

    crate::memory::le_readers!();

    /// Reads a pointer of the dump's size (4 or 8 bytes), zero-extended.
    pub fn read_pointer(&self, addr: u64) -> Result<u64, Error> {
        if self.dump.header().is_64bit {
            self.read_u64(addr)
        } else {
            self.read_u32(addr).map(u64::from)
        }
    }
}
