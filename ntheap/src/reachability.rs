//! WinDbg's `!heap -l`: which busy heap blocks no root reaches.
//!
//! A conservative mark: every pointer-aligned, pointer-sized value in the roots (thread stacks
//! and registers, TEB/PEB, module data; whatever ranges the caller gives) that points at any
//! byte of a block's user area marks that block, and the user area of every marked block is
//! scanned in turn. Blocks never marked are leak candidates: nothing in the captured memory
//! refers to them (an application that hides pointers, e.g. by XOR or in memory the dump did
//! not capture, makes a live block look leaked; a stale value that happens to look like a
//! pointer makes a leaked block look live).
//!
//! Work is linear in the bytes scanned (each root range once, each block at most once) plus a
//! binary search per value that falls inside the blocks' address span; memory is one bit per
//! block for the marks, plus a sorted index of the blocks (24 bytes each) and a work list of at
//! most one entry per block.

use crate::memory::{PointerWidth, ReadMemory};

/// The user area of one busy block: `[address, address + size)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserBlock {
    /// First byte of user data.
    pub address: u64,
    /// Bytes of user data (the requested size when known).
    pub size: u64,
}

/// Bounds on one reachability scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanLimits {
    /// Most bytes read in all (roots and blocks, readable or not); the scan stops there and
    /// says so in [`Reachability::stopped`] (default 64 GiB).
    pub max_bytes: u64,
    /// Bytes read at once (default 64 KiB; a failed chunk is retried page by page).
    pub chunk: usize,
}

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits {
            max_bytes: 64 << 30,
            chunk: 64 << 10,
        }
    }
}

impl ScanLimits {
    /// Set [`ScanLimits::max_bytes`].
    #[must_use]
    pub const fn with_max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
        self
    }
}

/// The result of a mark: which blocks some root reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reachability {
    marks: Vec<u64>,
    len: usize,
    /// Bytes read and scanned.
    pub bytes_scanned: u64,
    /// Bytes of roots or blocks that are not in the dump (skipped).
    pub bytes_not_captured: u64,
    /// Whether [`ScanLimits::max_bytes`] stopped the scan (then more blocks look unreachable
    /// than are).
    pub stopped: bool,
}

impl Reachability {
    /// Whether block `i` (index into the slice given to [`mark`]) is reached.
    pub fn is_reached(&self, i: usize) -> bool {
        self.marks
            .get(i / 64)
            .is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
    /// Indices of the blocks no root reaches, ascending.
    pub fn unreached(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len).filter(|i| !self.is_reached(*i))
    }
    fn set(&mut self, i: usize) -> bool {
        let Some(w) = self.marks.get_mut(i / 64) else {
            return false;
        };
        let bit = 1u64 << (i % 64);
        let new = *w & bit == 0;
        *w |= bit;
        new
    }
}

/// Blocks sorted by address, for "which block holds this value": (start, size, index) in one
/// array, so a lookup touches one cache line per probe.
struct Index {
    sorted: Vec<(u64, u64, u32)>,
    lo: u64,
    hi: u64,
}

impl Index {
    fn holder(&self, v: u64) -> Option<usize> {
        if v < self.lo || v >= self.hi {
            return None;
        }
        // Last block starting at or below v.
        let n = self.sorted.partition_point(|e| e.0 <= v);
        let (start, size, i) = *self.sorted.get(n.checked_sub(1)?)?;
        (v.checked_sub(start)? < size).then_some(usize::try_from(i).ok()?)
    }
}

/// The marks and the work list.
struct Mark {
    index: Index,
    r: Reachability,
    work: Vec<usize>,
}

impl Mark {
    fn hit(&mut self, v: u64) {
        if let Some(i) = self.index.holder(v)
            && self.r.set(i)
        {
            self.work.push(i);
        }
    }
}

struct Scanner<'m, M: ?Sized> {
    mem: &'m M,
    width: PointerWidth,
    limits: ScanLimits,
    budget: u64,
    buf: Vec<u8>,
    scanned: u64,
    not_captured: u64,
    stopped: bool,
}

impl<M: ReadMemory + ?Sized> Scanner<'_, M> {
    /// Scans `[start, start + len)`, calling `hit` with each aligned pointer value.
    fn scan(&mut self, start: u64, len: u64, m: &mut Mark) {
        let p = self.width.bytes();
        // Align the start up to a pointer boundary.
        let skew = start.checked_rem(p).unwrap_or(0);
        let (mut a, mut left) = if skew == 0 {
            (start, len)
        } else {
            let d = p.saturating_sub(skew);
            (start.saturating_add(d), len.saturating_sub(d))
        };
        let chunk = u64::try_from(self.limits.chunk.max(4096)).unwrap_or(4096);
        while left >= p {
            if self.budget == 0 {
                self.stopped = true;
                return;
            }
            // Up to the next chunk boundary, so retries are page-aligned.
            let to_boundary = chunk.saturating_sub(a.checked_rem(chunk).unwrap_or(0));
            let n = left.min(to_boundary).min(self.budget);
            self.budget = self.budget.saturating_sub(n);
            self.read_and_scan(a, n, m);
            a = match a.checked_add(n) {
                Some(x) => x,
                None => return,
            };
            left = left.saturating_sub(n);
        }
    }

    fn read_and_scan(&mut self, a: u64, n: u64, m: &mut Mark) {
        let Ok(len) = usize::try_from(n) else { return };
        self.buf.resize(len, 0);
        if self.mem.read(a, &mut self.buf).is_ok() {
            self.scanned = self.scanned.saturating_add(n);
            self.values(m);
            return;
        }
        // Page by page: a chunk may be partly captured.
        let mut off = 0u64;
        while off < n {
            let pa = a.saturating_add(off);
            let page_left = 0x1000u64.saturating_sub(pa % 0x1000);
            let pl = page_left.min(n.saturating_sub(off));
            let Ok(len) = usize::try_from(pl) else { return };
            self.buf.resize(len, 0);
            if self.mem.read(pa, &mut self.buf).is_ok() {
                self.scanned = self.scanned.saturating_add(pl);
                self.values(m);
            } else {
                self.not_captured = self.not_captured.saturating_add(pl);
            }
            off = off.saturating_add(pl.max(1));
        }
    }

    fn values(&self, m: &mut Mark) {
        match self.width {
            PointerWidth::Bits32 => {
                for c in self.buf.chunks_exact(4) {
                    let mut b = [0u8; 4];
                    b.copy_from_slice(c);
                    m.hit(u64::from(u32::from_le_bytes(b)));
                }
            }
            PointerWidth::Bits64 => {
                for c in self.buf.chunks_exact(8) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(c);
                    m.hit(u64::from_le_bytes(b));
                }
            }
        }
    }
}

/// Marks every block reachable from the roots: `ranges` of memory (`(start, len)`: stacks,
/// TEB/PEB, module data) and `values` (register contents), then transitively through the user
/// areas of the blocks reached. `blocks` may be in any order and must not overlap (an
/// overlapping block may be missed as a holder).
pub fn mark<M: ReadMemory + ?Sized>(
    mem: &M,
    width: PointerWidth,
    blocks: &[UserBlock],
    ranges: &[(u64, u64)],
    values: &[u64],
    limits: ScanLimits,
) -> Reachability {
    let r = Reachability {
        marks: vec![0; blocks.len().div_ceil(64)],
        len: blocks.len(),
        bytes_scanned: 0,
        bytes_not_captured: 0,
        stopped: false,
    };
    // u32 indices keep the index at 24 bytes per block; more blocks are not indexed.
    let mut sorted: Vec<(u64, u64, u32)> = blocks
        .iter()
        .take(u32::MAX as usize)
        .enumerate()
        .filter_map(|(i, b)| Some((b.address, b.size, u32::try_from(i).ok()?)))
        .collect();
    sorted.sort_unstable_by_key(|e| e.0);
    let lo = sorted.first().map_or(0, |e| e.0);
    let hi = sorted
        .iter()
        .map(|e| e.0.saturating_add(e.1))
        .max()
        .unwrap_or(0);
    let index = Index { sorted, lo, hi };
    let mut m = Mark {
        index,
        r,
        work: Vec::new(),
    };
    let mut scanner = Scanner {
        mem,
        width,
        limits,
        budget: limits.max_bytes,
        buf: Vec::new(),
        scanned: 0,
        not_captured: 0,
        stopped: false,
    };
    for v in values {
        m.hit(*v);
    }
    for (start, len) in ranges {
        scanner.scan(*start, *len, &mut m);
    }
    while let Some(i) = m.work.pop() {
        if scanner.stopped {
            break;
        }
        let Some(b) = blocks.get(i) else { continue };
        scanner.scan(b.address, b.size, &mut m);
    }
    let mut r = m.r;
    r.bytes_scanned = scanner.scanned;
    r.bytes_not_captured = scanner.not_captured;
    r.stopped = scanner.stopped;
    r
}
