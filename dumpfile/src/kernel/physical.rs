//! Physical address -> file offset: the run list of a full dump, or the page bitmap of a
//! bitmap (kernel / automatic / complete) dump through a rank index.

use super::bytes::{get, len64, u32_at, u64_at};
use super::header::{KernelHeader, PAGE_SIZE};
use crate::{Error, Limits};

/// Which body a dump has, after looking at `DumpType` and the body signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DumpKind {
    /// `DumpType` 1: complete memory dump, physical memory as runs after the header.
    Full,
    /// `DumpType` 2: the old (pre-Vista) kernel summary dump with a 32-bit bitmap header.
    Summary,
    /// `DumpType` 4: triage / small memory dump (no physical memory).
    Triage,
    /// `DumpType` 5 or 6 with an `FDMP` bitmap header: complete memory dump as a bitmap.
    BitmapFull,
    /// `DumpType` 5 or 6 with an `SDMP` bitmap header: kernel or automatic memory dump.
    BitmapKernel,
}

impl DumpKind {
    /// A short stable name: "full", "kernel", "triage", "bitmap-full", "bitmap-kernel".
    pub fn name(&self) -> &'static str {
        match self {
            DumpKind::Full => "full",
            DumpKind::Summary => "kernel",
            DumpKind::Triage => "triage",
            DumpKind::BitmapFull => "bitmap-full",
            DumpKind::BitmapKernel => "bitmap-kernel",
        }
    }
}

/// One run of physical pages stored back to back in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhysicalRun {
    /// First page frame number.
    pub base_page: u64,
    /// Pages in the run.
    pub page_count: u64,
    /// File offset of the first page.
    pub file_offset: u64,
}

/// Set bits counted before each block of this many 64-bit bitmap words.
const RANK_BLOCK_WORDS: u64 = 8;

/// The physical memory index.
#[derive(Debug, Clone)]
pub(crate) enum PhysMap {
    /// No physical memory (triage dumps).
    None,
    /// Sorted, non-overlapping runs: binary search, O(log runs).
    Runs(Vec<PhysicalRun>),
    /// A page bitmap read in place from the file, with the number of set bits before each
    /// block of [`RANK_BLOCK_WORDS`] words: O(1) lookup, O(bitmap words / 8) memory.
    Bitmap {
        /// File offset of the bitmap.
        bitmap_offset: u64,
        /// Number of valid bits (pages covered).
        bits: u64,
        /// File offset of the first stored page.
        first_page: u64,
        /// Set bits before each block.
        ranks: Vec<u64>,
        /// Set bits in total.
        present: u64,
    },
}

/// Bitmap body header: `SDMP`.
pub(crate) const SDMP: u32 = 0x504D_4453;
/// Bitmap body header: `FDMP`.
pub(crate) const FDMP: u32 = 0x504D_4446;

impl PhysMap {
    /// Builds the index for the header's dump type.
    pub(crate) fn build(
        bytes: &[u8],
        h: &KernelHeader,
        limits: &Limits,
        warnings: &mut Vec<Error>,
    ) -> Result<(DumpKind, PhysMap), Error> {
        let hs = h.header_size();
        match h.dump_type {
            1 => Ok((DumpKind::Full, runs(bytes, h, limits, warnings)?)),
            4 => Ok((DumpKind::Triage, PhysMap::None)),
            2 => {
                let (kind, map) = summary_old(bytes, h, hs, warnings)?;
                Ok((kind, map))
            }
            5 | 6 => bitmap(bytes, hs, warnings),
            3 => Err(Error::UnsupportedDumpType {
                dump_type: 3,
                reason: "header-only dump: it holds no memory",
            }),
            7 => Err(Error::UnsupportedDumpType {
                dump_type: 7,
                reason: "'automatic' dump type number with no documented body layout",
            }),
            t @ 8..=10 => Err(Error::UnsupportedDumpType {
                dump_type: t,
                reason: "RDMP body (dbgeng .dump /k, /ka, /f) is documented by one source only and not supported",
            }),
            t => Err(Error::UnsupportedDumpType {
                dump_type: t,
                reason: "unknown dump type",
            }),
        }
    }

    /// File offset of physical address `pa`, if its page is in the dump.
    pub(crate) fn lookup(&self, bytes: &[u8], pa: u64) -> Option<u64> {
        let pfn = pa >> 12;
        let in_page = pa & 0xfff;
        match self {
            PhysMap::None => None,
            PhysMap::Runs(runs) => {
                let i = runs
                    .partition_point(|r| r.base_page <= pfn)
                    .checked_sub(1)?;
                let r = runs.get(i)?;
                let k = pfn.checked_sub(r.base_page)?;
                if k >= r.page_count {
                    return None;
                }
                r.file_offset
                    .checked_add(k.checked_mul(PAGE_SIZE)?)?
                    .checked_add(in_page)
            }
            PhysMap::Bitmap {
                bitmap_offset,
                bits,
                first_page,
                ranks,
                ..
            } => {
                if pfn >= *bits {
                    return None;
                }
                let w = pfn / 64;
                let word = word_at(bytes, *bitmap_offset, w, *bits);
                let b = pfn % 64;
                if (word >> b) & 1 == 0 {
                    return None;
                }
                let block = w / RANK_BLOCK_WORDS;
                let mut rank = *ranks.get(usize::try_from(block).ok()?)?;
                let mut i = block.checked_mul(RANK_BLOCK_WORDS)?;
                while i < w {
                    rank = rank.checked_add(u64::from(
                        word_at(bytes, *bitmap_offset, i, *bits).count_ones(),
                    ))?;
                    i = i.checked_add(1)?;
                }
                let below = word & ((1u64 << b).wrapping_sub(1));
                rank = rank.checked_add(u64::from(below.count_ones()))?;
                first_page
                    .checked_add(rank.checked_mul(PAGE_SIZE)?)?
                    .checked_add(in_page)
            }
        }
    }

    /// File offset where the stored pages begin (None without physical memory).
    pub(crate) fn data_start(&self) -> Option<u64> {
        match self {
            PhysMap::None => None,
            PhysMap::Runs(r) => r.iter().map(|r| r.file_offset).min(),
            PhysMap::Bitmap { first_page, .. } => Some(*first_page),
        }
    }

    /// Number of physical pages stored.
    pub(crate) fn present_pages(&self) -> u64 {
        match self {
            PhysMap::None => 0,
            PhysMap::Runs(r) => r.iter().fold(0u64, |a, r| a.saturating_add(r.page_count)),
            PhysMap::Bitmap { present, .. } => *present,
        }
    }

    /// The runs of present pages (coalesced from the bitmap for bitmap dumps), at most
    /// `max` of them.
    pub(crate) fn runs_list(&self, bytes: &[u8], max: usize) -> Vec<PhysicalRun> {
        match self {
            PhysMap::None => Vec::new(),
            PhysMap::Runs(r) => r.iter().take(max).copied().collect(),
            PhysMap::Bitmap {
                bitmap_offset,
                bits,
                first_page,
                ..
            } => {
                let mut out: Vec<PhysicalRun> = Vec::new();
                let mut k = 0u64;
                let words = bits.div_ceil(64);
                for w in 0..words {
                    let mut word = word_at(bytes, *bitmap_offset, w, *bits);
                    while word != 0 {
                        let b = u64::from(word.trailing_zeros());
                        word &= word.wrapping_sub(1);
                        let pfn = w.saturating_mul(64).saturating_add(b);
                        let off = first_page.saturating_add(k.saturating_mul(PAGE_SIZE));
                        k = k.saturating_add(1);
                        if let Some(last) = out.last_mut()
                            && last.base_page.saturating_add(last.page_count) == pfn
                        {
                            last.page_count = last.page_count.saturating_add(1);
                            continue;
                        }
                        if out.len() >= max {
                            return out;
                        }
                        out.push(PhysicalRun {
                            base_page: pfn,
                            page_count: 1,
                            file_offset: off,
                        });
                    }
                }
                out
            }
        }
    }
}

/// Bitmap word `w`, with bits at or beyond `bits` cleared and bytes past the file read as 0.
fn word_at(bytes: &[u8], bitmap_offset: u64, w: u64, bits: u64) -> u64 {
    let off = bitmap_offset.saturating_add(w.saturating_mul(8));
    let mut v = match u64_at(bytes, off) {
        Some(v) => v,
        None => {
            let mut b = [0u8; 8];
            for (i, slot) in (0u64..).zip(b.iter_mut()) {
                *slot = get(bytes, off.saturating_add(i), 1)
                    .and_then(|s| s.first().copied())
                    .unwrap_or(0);
            }
            u64::from_le_bytes(b)
        }
    };
    let first_bit = w.saturating_mul(64);
    let valid = bits.saturating_sub(first_bit);
    if valid < 64 {
        v &= (1u64 << valid).wrapping_sub(1);
    }
    v
}

/// `DumpType` 1: `PhysicalMemoryBlock` runs, pages back to back after the header.
fn runs(
    bytes: &[u8],
    h: &KernelHeader,
    limits: &Limits,
    warnings: &mut Vec<Error>,
) -> Result<PhysMap, Error> {
    let l = h.layout();
    let pmb = l.physical_memory_block;
    let bad = |reason| Error::BadKernelDump {
        offset: pmb,
        reason,
    };
    let n = u64::from(u32_at(bytes, pmb).ok_or(bad("PhysicalMemoryBlock outside the header"))?);
    // 700-byte buffer: x86 8-byte head + 8-byte runs (86), x64 16-byte head + 16-byte runs (42).
    let (head, run_size, cap) = if h.is_64bit {
        (16u64, 16u64, 42u64)
    } else {
        (8, 8, 86)
    };
    if n > cap || n > limits.max_kernel_runs {
        return Err(bad(
            "NumberOfRuns exceeds the PhysicalMemoryBlock buffer or Limits::max_kernel_runs",
        ));
    }
    let mut out = Vec::new();
    let mut file = h.header_size();
    let file_len = len64(bytes);
    for i in 0..n {
        let at = pmb
            .saturating_add(head)
            .saturating_add(i.saturating_mul(run_size));
        let (base, count) = if h.is_64bit {
            (
                u64_at(bytes, at).unwrap_or(0),
                u64_at(bytes, at.saturating_add(8)).unwrap_or(0),
            )
        } else {
            (
                u64::from(u32_at(bytes, at).unwrap_or(0)),
                u64::from(u32_at(bytes, at.saturating_add(4)).unwrap_or(0)),
            )
        };
        let size = count
            .checked_mul(PAGE_SIZE)
            .ok_or(bad("run page count overflows"))?;
        if base
            .checked_add(count)
            .and_then(|e| e.checked_mul(PAGE_SIZE))
            .is_none()
        {
            return Err(bad("run end overflows the physical address space"));
        }
        let end = file
            .checked_add(size)
            .ok_or(bad("run file offset overflows"))?;
        if count > 0 {
            if end > file_len {
                warnings.push(Error::Truncated {
                    offset: file,
                    needed: size,
                    available: file_len.saturating_sub(file),
                });
            }
            out.push(PhysicalRun {
                base_page: base,
                page_count: count,
                file_offset: file,
            });
        }
        file = end;
    }
    out.sort_by_key(|r| r.base_page);
    for pair in out.windows(2) {
        if let [a, b] = pair
            && a.base_page.saturating_add(a.page_count) > b.base_page
        {
            return Err(bad("physical memory runs overlap"));
        }
    }
    Ok(PhysMap::Runs(out))
}

/// Builds the rank index of a bitmap; validates that it lies in the file.
fn rank_index(
    bytes: &[u8],
    bitmap_offset: u64,
    bits: u64,
    first_page: u64,
    declared_present: Option<u64>,
    warnings: &mut Vec<Error>,
) -> Result<PhysMap, Error> {
    let bitmap_bytes = bits.div_ceil(8);
    let file_len = len64(bytes);
    if bitmap_offset
        .checked_add(bitmap_bytes)
        .is_none_or(|e| e > file_len)
    {
        return Err(Error::Truncated {
            offset: bitmap_offset,
            needed: bitmap_bytes,
            available: file_len.saturating_sub(bitmap_offset),
        });
    }
    if first_page < bitmap_offset.saturating_add(bitmap_bytes) {
        return Err(Error::BadKernelDump {
            offset: bitmap_offset,
            reason: "first page offset lies inside the bitmap",
        });
    }
    let words = bits.div_ceil(64);
    let mut ranks =
        Vec::with_capacity(usize::try_from(words.div_ceil(RANK_BLOCK_WORDS)).unwrap_or(0));
    let mut total = 0u64;
    for w in 0..words {
        if w % RANK_BLOCK_WORDS == 0 {
            ranks.push(total);
        }
        total = total.saturating_add(u64::from(
            word_at(bytes, bitmap_offset, w, bits).count_ones(),
        ));
    }
    if let Some(d) = declared_present
        && d != total
    {
        warnings.push(Error::BadKernelDump {
            offset: bitmap_offset,
            reason: "the bitmap's set bits differ from the declared page count (the bitmap wins)",
        });
    }
    let needed = total.saturating_mul(PAGE_SIZE);
    if first_page.saturating_add(needed) > file_len {
        warnings.push(Error::Truncated {
            offset: first_page,
            needed,
            available: file_len.saturating_sub(first_page),
        });
    }
    Ok(PhysMap::Bitmap {
        bitmap_offset,
        bits,
        first_page,
        ranks,
        present: total,
    })
}

/// `DumpType` 5/6: the `SDMP`/`FDMP` header after the dump header.
fn bitmap(bytes: &[u8], hs: u64, warnings: &mut Vec<Error>) -> Result<(DumpKind, PhysMap), Error> {
    let bad = |off: u64, reason| Error::BadKernelDump {
        offset: off,
        reason,
    };
    let sig = u32_at(bytes, hs).ok_or(Error::Truncated {
        offset: hs,
        needed: 0x38,
        available: len64(bytes).saturating_sub(hs),
    })?;
    let kind = match sig {
        SDMP => DumpKind::BitmapKernel,
        FDMP => DumpKind::BitmapFull,
        _ => return Err(bad(hs, "bitmap dump without an SDMP/FDMP header")),
    };
    let r = |o: u64| {
        u64_at(bytes, hs.saturating_add(o))
            .ok_or(bad(hs.saturating_add(o), "bitmap header truncated"))
    };
    let first_page = r(0x20)?;
    let present = r(0x28)?;
    let bits = r(0x30)?;
    let map = rank_index(
        bytes,
        hs.saturating_add(0x38),
        bits,
        first_page,
        Some(present),
        warnings,
    )?;
    Ok((kind, map))
}

/// `DumpType` 2: the old `SUMMARY_DUMP32`/`SUMMARY_DUMP64` with 32-bit fields.
fn summary_old(
    bytes: &[u8],
    h: &KernelHeader,
    hs: u64,
    warnings: &mut Vec<Error>,
) -> Result<(DumpKind, PhysMap), Error> {
    let bad = |off: u64, reason| Error::BadKernelDump {
        offset: off,
        reason,
    };
    let sig = u32_at(bytes, hs).ok_or(bad(hs, "summary header truncated"))?;
    if sig != SDMP && sig != FDMP {
        return Err(bad(hs, "summary dump without an SDMP/FDMP header"));
    }
    let r = |o: u64| {
        u32_at(bytes, hs.saturating_add(o))
            .map(u64::from)
            .ok_or(bad(hs, "summary header truncated"))
    };
    let header_size = r(0x0C)?;
    let bits = r(0x10)?;
    let pages = r(0x14)?;
    let buffer = if h.is_64bit { 0x28 } else { 0x20 };
    let map = rank_index(
        bytes,
        hs.saturating_add(buffer),
        bits,
        header_size,
        Some(pages),
        warnings,
    )?;
    Ok((DumpKind::Summary, map))
}
