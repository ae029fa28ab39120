//! `!poolfind TAG`: a linear scan of pool pages the dump holds for headers with a tag, plus the
//! big page table.

use crate::error::Error;
use crate::memory::ReadMemory;

use super::context::Pool;
use super::pool_header::{PoolHeader, pool_unit};
use super::pool_page::{PAGE_BYTES, PAGE_SIZE};
use super::tag::{PROTECTED_BIT, PoolTag};

/// One block found by [`Pool::pool_find`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolFindHit {
    /// Address of the `_POOL_HEADER` (or of the allocation, for big pool).
    pub addr: u64,
    /// The tag.
    pub tag: PoolTag,
    /// Size in bytes.
    pub size: u64,
    /// Whether the header says free.
    pub free: bool,
    /// Paged pool, when known.
    pub paged: Option<bool>,
    /// Found in the big page table rather than in a page.
    pub large: bool,
}

/// Progress of a scan, passed to the callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanProgress {
    /// Bytes of the ranges visited so far.
    pub bytes_done: u64,
    /// Bytes of all ranges.
    pub bytes_total: u64,
    /// Hits so far.
    pub hits: u64,
}

/// The result of a scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolFind {
    /// Hits, big pool first, then in address order.
    pub hits: Vec<PoolFindHit>,
    /// Pages read.
    pub pages_read: u64,
    /// Pages not in the dump.
    pub pages_missing: u64,
    /// Whether the scan stopped early (byte budget, findings limit, or the callback).
    pub stopped_early: bool,
}

/// Pages between progress callbacks.
const PROGRESS_EVERY: u64 = 256;

impl<M: ReadMemory> Pool<M> {
    /// `!poolfind PATTERN`: blocks whose tag matches `pattern` (see [`PoolTag::matches`]) in
    /// the big page table (when given) and in every page of `ranges` the dump holds. A header is
    /// reported when it lies at a pool-unit boundary, its tag matches, its size is non-zero and
    /// fits in the page. `progress` is called every few hundred pages; return `false` to stop.
    pub fn pool_find(
        &self,
        pattern: &str,
        ranges: &[(u64, u64)],
        progress: &mut dyn FnMut(ScanProgress) -> bool,
    ) -> Result<PoolFind, Error> {
        let mut out = PoolFind::default();
        let max_hits = usize::try_from(self.limits.max_findings).unwrap_or(usize::MAX);
        if self.ctx.big_page_table != 0 {
            // A big page table the dump lacks leaves the page scan to do the work.
            let big = match self.big_pool() {
                Ok(b) => b.entries,
                Err(e) if e.is_not_captured() => Vec::new(),
                Err(e) => return Err(e),
            };
            for e in big {
                if e.tag.matches(pattern) && out.hits.len() < max_hits {
                    out.hits.push(PoolFindHit {
                        addr: e.va,
                        tag: e.tag,
                        size: e.size,
                        free: false,
                        paged: e.is_paged(),
                        large: true,
                    });
                }
            }
        }
        // An exact four-character pattern compares one u32 per position.
        let exact = (!pattern.contains(['*', '?']))
            .then(|| PoolTag::parse(pattern))
            .flatten()
            .map(|t| t.0);
        let arch = self.ctx.build.arch;
        let unit = usize::try_from(pool_unit(arch)).unwrap_or(16);
        let hdr = usize::try_from(self.header.size.max(8)).unwrap_or(16);
        let total: u64 = ranges
            .iter()
            .map(|&(s, e)| e.saturating_sub(s))
            .fold(0u64, u64::saturating_add);
        let mut done = 0u64;
        let mut budget = self.limits.max_scan_bytes;
        let mut pages = 0u64;
        let mut buf = vec![0u8; PAGE_BYTES];
        'ranges: for &(start, end) in ranges {
            let mut page = start & !(PAGE_SIZE - 1);
            while page < end {
                if budget < PAGE_SIZE || out.hits.len() >= max_hits {
                    out.stopped_early = true;
                    break 'ranges;
                }
                budget = budget.saturating_sub(PAGE_SIZE);
                match self.mem.read(page, &mut buf) {
                    Ok(()) => {
                        out.pages_read = out.pages_read.saturating_add(1);
                        // Headers sit at pool-unit boundaries; the tag is at +4.
                        // The tag of each pool unit, with its index; an exact tag is a
                        // plain u32 compare over the page (the hot loop).
                        let mut found = Vec::new();
                        match (unit, exact) {
                            (16, Some(t)) => unit_tags::<16>(&buf, t, &mut found),
                            (8, Some(t)) => unit_tags::<8>(&buf, t, &mut found),
                            _ => {
                                for (i, u) in buf.chunks_exact(unit).enumerate() {
                                    if let Some(raw) = u
                                        .get(4..8)
                                        .and_then(|t| <[u8; 4]>::try_from(t).ok())
                                        .map(u32::from_le_bytes)
                                        && PoolTag(raw).matches(pattern)
                                    {
                                        found.push((i, raw));
                                    }
                                }
                            }
                        }
                        for (i, raw) in found {
                            let off = i.saturating_mul(unit);
                            if off.saturating_add(hdr) > buf.len() {
                                continue;
                            }
                            let Some(h) = buf.get(off..).and_then(|b| PoolHeader::decode(arch, b))
                            else {
                                continue;
                            };
                            let size = usize::from(h.block_size).saturating_mul(unit);
                            if h.block_size == 0 || off.saturating_add(size) > buf.len() {
                                continue;
                            }
                            if out.hits.len() >= max_hits {
                                out.stopped_early = true;
                                break 'ranges;
                            }
                            out.hits.push(PoolFindHit {
                                addr: page.saturating_add(off as u64),
                                tag: PoolTag(raw).unprotected(),
                                size: size as u64,
                                free: h.is_free(),
                                paged: self.header_type_is_paged(h.pool_type),
                                large: false,
                            });
                        }
                    }
                    Err(e) if e.is_not_captured() => {
                        out.pages_missing = out.pages_missing.saturating_add(1);
                    }
                    Err(e) => return Err(Error::Memory(e)),
                }
                done = done.saturating_add(PAGE_SIZE);
                pages = pages.saturating_add(1);
                if pages.is_multiple_of(PROGRESS_EVERY)
                    && !progress(ScanProgress {
                        bytes_done: done,
                        bytes_total: total,
                        hits: out.hits.len() as u64,
                    })
                {
                    out.stopped_early = true;
                    break 'ranges;
                }
                let Some(next) = page.checked_add(PAGE_SIZE) else {
                    break;
                };
                page = next;
            }
        }
        Ok(out)
    }
}

/// The pool units of a page whose tag (at +4) is `tag`, with or without the protected bit:
/// (unit index, raw tag). Fixed-size units let the compiler check no bounds in the loop.
fn unit_tags<const N: usize>(page: &[u8], tag: u32, out: &mut Vec<(usize, u32)>) {
    let (units, _) = page.as_chunks::<N>();
    // The raw tag of a unit: the high half of its first eight bytes (one load, no byte
    // shuffling, so the compiler can compare many units at once).
    let raw = |u: &[u8; N]| {
        u.first_chunk::<8>()
            .map_or(0, |h| (u64::from_le_bytes(*h) >> 32) as u32)
    };
    // Most pages hold no block of the tag: one branch-free pass says whether this one does,
    // and only then are the units listed.
    let any = |us: &[[u8; N]]| {
        us.iter()
            .fold(false, |any, u| any | (raw(u) & !PROTECTED_BIT == tag))
    };
    // A page where the tag is common shows it in its first units: list at once.
    let (head, rest) = units.split_at(units.len().min(96));
    if !any(head) && !any(rest) {
        return;
    }
    for (i, u) in units.iter().enumerate() {
        let (Some(&a), Some(&b), Some(&c), Some(&d)) = (u.get(4), u.get(5), u.get(6), u.get(7))
        else {
            continue;
        };
        let r = u32::from_le_bytes([a, b, c, d]);
        if r & !PROTECTED_BIT == tag {
            out.push((i, r));
        }
    }
}

#[cfg(test)]
mod unit_tag_tests {
    use super::*;

    /// The fast scan lists exactly the units a plain byte-by-byte scan lists, wherever the tag
    /// sits in the page (first units, the rest, none), with and without the protected bit.
    #[test]
    fn unit_tags_equals_a_plain_scan() {
        let tag = u32::from_le_bytes(*b"Leak");
        let plain = |page: &[u8], n: usize| -> Vec<(usize, u32)> {
            page.chunks_exact(n)
                .enumerate()
                .filter_map(|(i, u)| {
                    let r = u32::from_le_bytes(u.get(4..8)?.try_into().ok()?);
                    (r & !PROTECTED_BIT == tag).then_some((i, r))
                })
                .collect()
        };
        for places in [
            vec![],
            vec![0],
            vec![95],
            vec![96],
            vec![255],
            vec![3, 100, 200],
            (0..256).step_by(5).collect::<Vec<_>>(),
        ] {
            for protected in [false, true] {
                let mut page = vec![0x41u8; 4096];
                for &i in &places {
                    let t = if protected && i % 2 == 0 {
                        tag | PROTECTED_BIT
                    } else {
                        tag
                    };
                    page[i * 16 + 4..i * 16 + 8].copy_from_slice(&t.to_le_bytes());
                }
                let mut fast = Vec::new();
                unit_tags::<16>(&page, tag, &mut fast);
                assert_eq!(fast, plain(&page, 16), "{places:?} {protected}");
                let mut fast8 = Vec::new();
                unit_tags::<8>(&page, tag, &mut fast8);
                assert_eq!(fast8, plain(&page, 8));
            }
        }
    }
}
