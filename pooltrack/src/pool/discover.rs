//! Finding `nt!PoolTrackTableSize` without symbols, so `!poolused` works on a dump whose KDBG
//! gives only `&PoolTrackTable` (KDBG+0x1B8).
//!
//! Where the size global sits relative to `PoolTrackTable` changes from build to build (−8 on
//! 7601 and 22000, +0x14F8 on 9600, −0x1478 on 14393, per their PDBs), so no fixed distance is
//! assumed: every pointer-sized value within ±0x2000 bytes of `&PoolTrackTable` that could be an
//! entry count (a power of two, or one more, between 64 and 131,072) is a candidate, and the
//! table itself decides. It is read once, up to the largest candidate or the first page not in
//! the dump, and each entry judged: an empty slot is all zeros, a used one has a printable tag.
//! The largest candidate whose entries are all plausible wins. A too-large count that runs into
//! zeroed memory gives the same rows as the right one (empty slots are skipped); one that runs
//! into other data is refused; a too-small one would lose rows, which is why the largest wins.

use crate::layout::KernelBuild;
use crate::memory::{PointerWidth, ReadMemory};

use super::{PoolTag, PoolTrackerTableLayout};

/// The largest entry count considered.
const MAX_ENTRIES: u64 = 131_072;
/// The smallest.
const MIN_ENTRIES: u64 = 64;
/// How far from `&PoolTrackTable` the size global is looked for, either way.
const WINDOW: u64 = 0x2000;
/// Used entries the table must hold for a candidate to count.
const MIN_USED: usize = 4;

/// Bytes in a pointer of the build.
fn pointer_bytes(build: KernelBuild) -> u64 {
    match build.pointer_width() {
        PointerWidth::Bits32 => 4,
        PointerWidth::Bits64 => 8,
    }
}

/// The pointer-sized values within `radius` bytes of `center`, as `(address, value)`, from the
/// pages the dump holds (others are skipped).
fn window_words<M: ReadMemory>(
    mem: &M,
    build: KernelBuild,
    center: u64,
    radius: u64,
) -> Vec<(u64, u64)> {
    let ps = pointer_bytes(build);
    let (start, end) = (center.saturating_sub(radius), center.saturating_add(radius));
    let mut words = Vec::new();
    let mut page = [0u8; 0x1000];
    let mut at = start & !0xfff;
    while at < end {
        if mem.read(at, &mut page).is_ok() {
            let mut addr = at;
            for c in page.chunks_exact(if ps == 4 { 4 } else { 8 }) {
                let mut b = [0u8; 8];
                if let Some(dst) = b.get_mut(..c.len()) {
                    dst.copy_from_slice(c);
                }
                if (start..=end).contains(&addr) {
                    words.push((addr, u64::from_le_bytes(b)));
                }
                addr = addr.saturating_add(ps);
            }
        }
        at = at.saturating_add(0x1000);
    }
    words
}

/// The little-endian u32 at `off` of `e`.
fn u32_at(e: &[u8], off: usize) -> Option<u32> {
    e.get(off..off.checked_add(4)?)
        .and_then(|k| <[u8; 4]>::try_from(k).ok())
        .map(u32::from_le_bytes)
}

/// How far from `&PoolTrackTable` the `ExPoolTagTables` array is looked for, either way
/// (+0x18 on 7601, +0x58 on 9600, −0x4038 on 22000, per their PDBs).
const TAG_TABLES_WINDOW: u64 = 0x8000;

/// Whether `bytes` (whole tracker entries of `esz` bytes, the key at `key_off`) look like a
/// tracker table: empty slots all zero, used ones with printable tags, at most 2 (or 1%) odd.
fn looks_like_tracker(bytes: &[u8], esz: usize, key_off: usize) -> Option<(usize, usize)> {
    let (mut used, mut wrong) = (0usize, 0usize);
    for e in bytes.chunks_exact(esz) {
        let key = u32_at(e, key_off)?;
        if key == 0 {
            if e.iter().any(|&b| b != 0) {
                wrong = wrong.saturating_add(1);
            }
        } else if PoolTag(key).is_printable() {
            used = used.saturating_add(1);
        } else {
            wrong = wrong.saturating_add(1);
        }
    }
    Some((used, wrong))
}

/// Finds the `ExPoolTagTables` array (per-processor tracker tables, slot 0 the global
/// `PoolTrackTable`) near `&PoolTrackTable` without symbols: `processors` pointers whose first is
/// `table` and whose others are distinct tables that look like tracker tables in their first
/// pages. `None` for one processor (the global table is all there is) or when no array fits.
pub fn find_tag_tables<M: ReadMemory>(
    mem: &M,
    build: KernelBuild,
    pool_track_table_global: u64,
    table: u64,
    processors: u32,
) -> Option<u64> {
    if !(2..=64).contains(&processors) || table == 0 {
        return None;
    }
    let layout = PoolTrackerTableLayout::for_build(build);
    let esz = usize::try_from(layout.size).ok().filter(|&e| e > 0)?;
    let key_off = usize::try_from(layout.key?.off()).ok()?;
    window_words(mem, build, pool_track_table_global, TAG_TABLES_WINDOW)
        .into_iter()
        .filter(|&(addr, v)| v == table && addr != pool_track_table_global)
        .map(|(addr, _)| addr)
        .find(|&addr| tag_tables_fit(mem, build, addr, processors, esz, key_off))
}

fn tag_tables_fit<M: ReadMemory>(
    mem: &M,
    build: KernelBuild,
    array: u64,
    processors: u32,
    esz: usize,
    key_off: usize,
) -> bool {
    let ps = pointer_bytes(build);
    let width = build.pointer_width();
    let mut seen = std::collections::HashSet::new();
    let mut sample = vec![
        0u8;
        0x4000usize
            .checked_div(esz)
            .unwrap_or(0)
            .saturating_mul(esz)
    ];
    for i in 0..u64::from(processors) {
        let Some(slot) = i.checked_mul(ps).and_then(|o| array.checked_add(o)) else {
            return false;
        };
        let Ok(t) = mem.read_ptr(slot, width) else {
            return false;
        };
        if t == 0 || !seen.insert(t) {
            return false;
        }
        if i == 0 {
            continue;
        }
        if mem.read(t, &mut sample).is_err() {
            return false;
        }
        match looks_like_tracker(&sample, esz, key_off) {
            Some((_, wrong)) if wrong <= 2 => {}
            _ => return false,
        }
    }
    true
}

/// A tracker table size found without symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundTableSize {
    /// Entries (the value of the global taken as `PoolTrackTableSize`).
    pub entries: u64,
    /// Where that value was read (the likely address of `nt!PoolTrackTableSize`).
    pub global: u64,
    /// Used entries in the table.
    pub used: usize,
}

/// Finds `PoolTrackTableSize` near `pool_track_table_global` (the address of
/// `nt!PoolTrackTable`, from KDBG) for the tracker table at `table` (its value). `None` when no
/// candidate fits: the caller keeps asking for symbols.
pub fn find_track_table_size<M: ReadMemory>(
    mem: &M,
    build: KernelBuild,
    pool_track_table_global: u64,
    table: u64,
) -> Option<FoundTableSize> {
    let layout = PoolTrackerTableLayout::for_build(build);
    let esz = u64::from(layout.size);
    let key_off = usize::try_from(layout.key?.off()).ok()?;
    if esz == 0 || table == 0 {
        return None;
    }
    // Candidates: (value, where), nearest first.
    let mut candidates: Vec<(u64, u64)> = window_words(mem, build, pool_track_table_global, WINDOW)
        .into_iter()
        .filter(|&(addr, v)| {
            let pow = v.is_power_of_two() || v.checked_sub(1).is_some_and(u64::is_power_of_two);
            addr != pool_track_table_global && pow && (MIN_ENTRIES..=MAX_ENTRIES).contains(&v)
        })
        .map(|(addr, v)| (v, addr))
        .collect();
    if candidates.is_empty() {
        return None;
    }
    candidates.sort_by_key(|&(v, a)| (std::cmp::Reverse(v), a.abs_diff(pool_track_table_global)));
    let largest = candidates.first()?.0;
    // Read the table once, page by page, up to the largest candidate or the first gap.
    let want = largest.checked_mul(esz)?;
    let mut bytes: Vec<u8> = Vec::new();
    let mut off = 0u64;
    while off < want {
        let chunk = want
            .checked_sub(off)?
            .min(0x1000u64.checked_sub(table.wrapping_add(off) & 0xfff)?);
        let n = usize::try_from(chunk).ok()?;
        let before = bytes.len();
        bytes.resize(before.checked_add(n)?, 0);
        if mem
            .read(table.checked_add(off)?, bytes.get_mut(before..)?)
            .is_err()
        {
            // Part of the page may be there: keep the whole entries that are.
            bytes.truncate(before);
            let mut piece = vec![0u8; usize::try_from(esz).ok()?];
            let mut at = off.checked_sub(off.checked_rem(esz)?)?;
            bytes.truncate(usize::try_from(at).ok()?);
            while at < want && mem.read(table.checked_add(at)?, &mut piece).is_ok() {
                bytes.extend_from_slice(&piece);
                at = at.checked_add(esz)?;
            }
            break;
        }
        off = off.checked_add(chunk)?;
    }
    // Judge each entry: running counts of used and implausible ones.
    let entry = usize::try_from(esz).ok()?;
    let mut used = Vec::new();
    let mut bad = Vec::new();
    let (mut count, mut wrong) = (0usize, 0usize);
    for e in bytes.chunks_exact(entry) {
        let (u, w) = looks_like_tracker(e, entry, key_off)?;
        count = count.saturating_add(u);
        wrong = wrong.saturating_add(w);
        used.push(count);
        bad.push(wrong);
    }
    // A real table may hold a tag or two a driver wrote oddly; a candidate that runs into other
    // data meets many.
    candidates.iter().find_map(|&(v, global)| {
        let last = usize::try_from(v).ok()?.checked_sub(1)?;
        let used_then = *used.get(last)?;
        let bad_then = *bad.get(last)?;
        (used_then >= MIN_USED && bad_then <= (used_then / 100).max(2)).then_some(FoundTableSize {
            entries: v,
            global,
            used: used_then,
        })
    })
}

/// The most big-page entries considered (4 Mi: 96 MiB of x64 table).
const MAX_BIG_ENTRIES: u64 = 1 << 22;

/// A big page table found without symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundBigPageTable {
    /// The table (the value taken as `nt!PoolBigPageTable`).
    pub table: u64,
    /// Its entries (the value taken as `nt!PoolBigPageTableSize`).
    pub entries: u64,
    /// Entries in use.
    pub used: usize,
}

/// Judges big-page entries: `(used, wrong)`. Empty slots are all zero, free ones have bit 0 of
/// `Va` set, used ones a page-aligned kernel address and a printable tag.
fn looks_like_big_pages(bytes: &[u8], build: KernelBuild) -> Option<(usize, usize)> {
    let l = super::PoolTrackerBigPagesLayout::for_build(build);
    let esz = usize::try_from(l.size).ok().filter(|&e| e > 0)?;
    let va_f = l.va?;
    let key_f = l.key?;
    let (va_off, va_len) = (
        usize::try_from(va_f.off()).ok()?,
        usize::try_from(va_f.size).ok()?,
    );
    let key_off = usize::try_from(key_f.off()).ok()?;
    let floor = match build.arch {
        crate::layout::Arch::X86 => 0x8000_0000u64,
        crate::layout::Arch::X64 => 0xFFFF_8000_0000_0000,
    };
    let (mut used, mut wrong) = (0usize, 0usize);
    for e in bytes.chunks_exact(esz) {
        let mut b = [0u8; 8];
        b.get_mut(..va_len)?
            .copy_from_slice(e.get(va_off..va_off.checked_add(va_len)?)?);
        let va = u64::from_le_bytes(b);
        let key = u32_at(e, key_off)?;
        if va == 0 {
            if e.iter().any(|&x| x != 0) {
                wrong = wrong.saturating_add(1);
            }
        } else if va & 1 != 0 {
            // A free entry keeps whatever it held.
        } else if va & 0xfff == 0 && va >= floor && PoolTag(key).is_printable() {
            used = used.saturating_add(1);
        } else {
            wrong = wrong.saturating_add(1);
        }
    }
    Some((used, wrong))
}

/// Finds `PoolBigPageTable` and `PoolBigPageTableSize` near `&PoolTrackTable` without symbols:
/// a kernel address next to (one pointer, or 8 bytes, before or after) a power of two between 64 and 4 Mi,
/// whose table reads as big-page entries (−0x28/−0x30 on 7601, +0x1468/+0x1470 on 9600,
/// −0x20/−0x18 on 22000, per their PDBs). `None` when no pair fits.
pub fn find_big_page_table<M: ReadMemory>(
    mem: &M,
    build: KernelBuild,
    pool_track_table_global: u64,
) -> Option<FoundBigPageTable> {
    let l = super::PoolTrackerBigPagesLayout::for_build(build);
    let esz = u64::from(l.size);
    if esz == 0 {
        return None;
    }
    let words = window_words(mem, build, pool_track_table_global, WINDOW);
    let is_size = |v: u64| v.is_power_of_two() && (64..=MAX_BIG_ENTRIES).contains(&v);
    let kernel = |v: u64| match build.arch {
        crate::layout::Arch::X86 => v >= 0x8000_0000 && v & 0xfff == 0,
        crate::layout::Arch::X64 => v >= 0xFFFF_8000_0000_0000 && v & 0xfff == 0,
    };
    let mut candidates: Vec<(u64, u64)> = Vec::new();
    for (i, &(a, v)) in words.iter().enumerate() {
        if !kernel(v) {
            continue;
        }
        // The size next to it: one pointer away, or 8 bytes when 32-bit globals are padded.
        let near = [
            i.checked_sub(2),
            i.checked_sub(1),
            i.checked_add(1),
            i.checked_add(2),
        ];
        for j in near.into_iter().flatten() {
            if let Some(&(b, s)) = words.get(j)
                && b.abs_diff(a) <= 8
                && is_size(s)
            {
                candidates.push((v, s));
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let esz_us = usize::try_from(esz).ok()?;
    for (table, entries) in candidates {
        // A first page, cheaply, then the whole table.
        let mut first = vec![0u8; 0x1000usize.checked_div(esz_us)?.saturating_mul(esz_us)];
        if mem.read(table, &mut first).is_err() {
            continue;
        }
        match looks_like_big_pages(&first, build) {
            Some((_, wrong)) if wrong <= 2 => {}
            _ => continue,
        }
        let total = entries.checked_mul(esz)?;
        let (mut used, mut wrong, mut off, mut ok) = (0usize, 0usize, 0u64, true);
        let mut chunk = vec![0u8; 0x10000usize.checked_div(esz_us)?.saturating_mul(esz_us)];
        while off < total {
            let n = usize::try_from(total.checked_sub(off)?)
                .ok()?
                .min(chunk.len());
            let buf = chunk.get_mut(..n)?;
            if mem.read(table.checked_add(off)?, buf).is_err() {
                ok = false;
                break;
            }
            let (u, w) = looks_like_big_pages(buf, build)?;
            used = used.saturating_add(u);
            wrong = wrong.saturating_add(w);
            off = off.checked_add(u64::try_from(n).ok()?)?;
        }
        if ok && used >= MIN_USED && wrong <= (used / 100).max(2) {
            return Some(FoundBigPageTable {
                table,
                entries,
                used,
            });
        }
    }
    None
}
