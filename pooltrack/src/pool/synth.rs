//! Synthetic kernel pool memory (feature `synth`): pool pages with headers, tracker tables
//! (per-processor too), the big page table, Driver Verifier data, its driver list and pool log,
//! laid out at virtual addresses with the crate's per-build layouts. Used by the tests, the
//! fuzz target and the benches, and by the CLI to put pool into a synthetic kernel dump.

use std::collections::BTreeMap;

use crate::layout::{Arch, Field, KernelBuild};
use crate::memory::{MemoryError, ReadMemory};

use super::context::PoolContext;
use super::pool_header::{PoolHeader, pool_unit};
use super::tag::PoolTag;
use super::tracker::{TagCounts, TagUsage};
use super::vm::VmInputs;
use super::{
    MiVerifierDriverEntryLayout, MmDriverVerifierDataLayout, PoolTrackerBigPagesLayout,
    PoolTrackerTableLayout, VfPoolTraceLayout, VfSuspectDriverEntryLayout,
    VfTargetVerifiedDriverDataLayout, ViPoolEntryInUseLayout, ViPoolPageHeaderLayout,
};

/// Memory made of regions at virtual addresses; a read must lie inside one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SynthMemory {
    regions: BTreeMap<u64, Vec<u8>>,
}

impl SynthMemory {
    /// Empty memory.
    pub fn new() -> Self {
        SynthMemory::default()
    }
    /// Add (or replace) a region.
    pub fn insert(&mut self, va: u64, bytes: Vec<u8>) {
        self.regions.insert(va, bytes);
    }
    /// The regions, by address.
    pub fn regions(&self) -> impl Iterator<Item = (u64, &[u8])> {
        self.regions.iter().map(|(a, b)| (*a, b.as_slice()))
    }
    /// The regions as `(va, bytes)` pairs (to place into a synthetic dump).
    pub fn into_regions(self) -> Vec<(u64, Vec<u8>)> {
        self.regions.into_iter().collect()
    }
    /// Mutable access to the region starting at `va`.
    pub fn region_mut(&mut self, va: u64) -> Option<&mut Vec<u8>> {
        self.regions.get_mut(&va)
    }
}

impl ReadMemory for SynthMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let missing = MemoryError::not_captured(addr, buf.len());
        let (base, bytes) = self.regions.range(..=addr).next_back().ok_or(missing)?;
        let start =
            usize::try_from(addr.checked_sub(*base).ok_or(missing)?).map_err(|_| missing)?;
        let end = start.checked_add(buf.len()).ok_or(missing)?;
        buf.copy_from_slice(bytes.get(start..end).ok_or(missing)?);
        Ok(())
    }
}

fn us(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Copy `bytes` to `buf[off..]` when it fits.
fn write(buf: &mut [u8], off: u64, bytes: &[u8]) {
    let o = us(off);
    if let Some(d) = o.checked_add(bytes.len()).and_then(|e| buf.get_mut(o..e)) {
        d.copy_from_slice(bytes);
    }
}

/// Write `v` little-endian into `field` of `buf` (field size, or `default` bytes when unstated).
fn put(buf: &mut [u8], field: Option<Field>, default: u32, v: u64) {
    let Some(f) = field else { return };
    let size = if f.size == 0 { default } else { f.size };
    let n = us(u64::from(size)).min(8);
    let le = v.to_le_bytes();
    write(buf, f.off(), le.get(..n).unwrap_or(&[]));
}

fn put_ptr(buf: &mut [u8], arch: Arch, off: u64, v: u64) {
    let n = us(arch.pointer_size()).min(8);
    let le = v.to_le_bytes();
    write(buf, off, le.get(..n).unwrap_or(&[]));
}

/// `a + b` (saturating).
fn add(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

/// `a × b` (saturating).
fn mul(a: u64, b: u64) -> u64 {
    a.saturating_mul(b)
}

/// A zeroed buffer of `n` bytes.
fn zeroed(n: u64) -> Vec<u8> {
    vec![0u8; us(n)]
}

/// The `i`-th `esz`-byte record of `buf`, when it exists.
fn record(buf: &mut [u8], i: u64, esz: u64) -> Option<&mut [u8]> {
    let s = us(mul(i, esz));
    buf.get_mut(s..s.saturating_add(us(esz)))
}

/// One block to place in a pool page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthBlock {
    /// Tag as stored (may carry the protected bit).
    pub tag: u32,
    /// Size in bytes, header included (rounded up to the pool unit).
    pub size: u64,
    /// Free block.
    pub free: bool,
    /// Paged pool.
    pub paged: bool,
}

/// A pool page with `_POOL_HEADER` chains: `blocks` in order, the rest of the page one free
/// block. Header pool types follow the build (XP/2003: type + 1; Vista+: type | 2, bit 0 paged).
pub fn pool_page(build: KernelBuild, blocks: &[SynthBlock]) -> Vec<u8> {
    let unit = pool_unit(build.arch);
    let mut page = zeroed(0x1000);
    let mut off = 0u64;
    let mut prev = 0u16;
    let mut all: Vec<SynthBlock> = blocks.to_vec();
    let used = all
        .iter()
        .map(|b| mul(b.size.div_ceil(unit), unit))
        .fold(0u64, add);
    if used < 0x1000 {
        all.push(SynthBlock {
            tag: u32::from_le_bytes(*b"Free"),
            size: 0x1000u64.saturating_sub(used),
            free: true,
            paged: false,
        });
    }
    for b in all {
        let units = b.size.div_ceil(unit);
        if add(off, mul(units, unit)) > 0x1000 {
            break;
        }
        let pool_type = if b.free {
            0
        } else if build.build < 6000 {
            u8::from(b.paged).saturating_add(1)
        } else {
            2 | u8::from(b.paged)
        };
        let units16 = u16::try_from(units).unwrap_or(0);
        let h = PoolHeader {
            previous_size: prev,
            pool_index: 0,
            block_size: units16,
            pool_type,
            tag: b.tag,
        };
        write(&mut page, off, &h.encode(build.arch));
        prev = units16;
        off = add(off, mul(units, unit));
    }
    page
}

/// A tracker table of `size` entries holding `tags` (placed by the kernel's tag hash with
/// linear probing; the last slot is the overflow slot).
pub fn tracker_table(build: KernelBuild, size: u64, tags: &[TagUsage]) -> Vec<u8> {
    let l = PoolTrackerTableLayout::for_build(build);
    let esz = u64::from(l.size);
    let mut t = zeroed(mul(esz, size));
    let mask = size.saturating_sub(2).max(1);
    for u in tags {
        let [b0, b1, b2, b3] = u.tag.bytes().map(u64::from);
        let h = ((((b0 << 2) ^ b1) << 2 ^ b2) << 2) ^ b3;
        let mut i = (mul(40543, h) >> 2) & mask;
        for _ in 0..size {
            let Some(e) = record(&mut t, i, esz) else {
                break;
            };
            if e.iter().all(|x| *x == 0) {
                put(e, l.key, 4, u64::from(u.tag.0));
                put(e, l.non_paged_allocs, 4, u.non_paged.allocs);
                put(e, l.non_paged_frees, 4, u.non_paged.frees);
                put(e, l.non_paged_bytes, 4, u.non_paged.bytes);
                put(e, l.paged_allocs, 4, u.paged.allocs);
                put(e, l.paged_frees, 4, u.paged.frees);
                put(e, l.paged_bytes, 4, u.paged.bytes);
                break;
            }
            i = add(i, 1).checked_rem(size).unwrap_or(0);
        }
    }
    t
}

/// One big-pool allocation to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthBigPage {
    /// Address (page aligned).
    pub va: u64,
    /// Tag.
    pub tag: PoolTag,
    /// Bytes.
    pub size: u64,
    /// Paged pool.
    pub paged: bool,
}

/// A big page table of `size` entries (free slots have `Va` bit 0 set).
pub fn big_page_table(build: KernelBuild, size: u64, pages: &[SynthBigPage]) -> Vec<u8> {
    let l = PoolTrackerBigPagesLayout::for_build(build);
    let esz = u64::from(l.size);
    let ptr = u32::try_from(build.arch.pointer_size()).unwrap_or(8);
    let mut t = zeroed(mul(esz, size));
    for i in 0..size {
        if let Some(e) = record(&mut t, i, esz) {
            put(e, l.va, ptr, 1);
        }
    }
    for (i, p) in (0u64..).zip(pages.iter()) {
        let Some(e) = record(&mut t, i, esz) else {
            break;
        };
        put(e, l.va, ptr, p.va);
        put(e, l.key, 4, u64::from(p.tag.0));
        let ty = u64::from(p.paged);
        let ty = if PoolTrackerBigPagesLayout::pool_type_is_bitfield(build) {
            ty << 8
        } else {
            ty
        };
        put(e, l.pool_type, 4, ty);
        put(e, l.number_of_bytes, ptr, p.size);
        put(e, l.number_of_pages, 4, p.size.div_ceil(0x1000));
    }
    t
}

/// A synthetic kernel: memory and the context pointing into it.
#[derive(Debug, Clone)]
pub struct SynthKernel {
    /// The memory.
    pub memory: SynthMemory,
    /// The globals.
    pub context: PoolContext,
    /// `!vm` inputs of the scenario, when it has them.
    pub vm: Option<VmInputs>,
    /// Pool ranges holding the synthetic pool pages (for `!poolfind`).
    pub pool_ranges: Vec<(u64, u64)>,
}

impl SynthKernel {
    /// An empty kernel for `build`.
    pub fn new(build: KernelBuild) -> Self {
        SynthKernel {
            memory: SynthMemory::new(),
            context: PoolContext::new(build),
            vm: None,
            pool_ranges: Vec::new(),
        }
    }

    /// Place system tracker tables: one per processor (slot 0 is `PoolTrackTable`), each of
    /// `size` entries, at `base` (tables) and `base_array` (`ExPoolTagTables`).
    pub fn add_tracker_tables(
        &mut self,
        base: u64,
        base_array: u64,
        size: u64,
        per_cpu: &[Vec<TagUsage>],
    ) {
        let b = self.context.build;
        let stride = mul(u64::from(PoolTrackerTableLayout::for_build(b).size), size)
            .next_multiple_of(0x1000);
        let ptr = b.arch.pointer_size();
        let n = u64::try_from(per_cpu.len()).unwrap_or(0);
        let mut array = zeroed(mul(ptr, n.max(1)));
        for (i, tags) in (0u64..).zip(per_cpu.iter()) {
            let va = add(base, mul(stride, i));
            self.memory.insert(va, tracker_table(b, size, tags));
            put_ptr(&mut array, b.arch, mul(ptr, i), va);
        }
        self.memory.insert(base_array, array);
        self.context.track_table = base;
        self.context.track_table_size = size;
        self.context.tag_tables = base_array;
        self.context.tag_tables_count = u32::try_from(n).unwrap_or(0);
    }

    /// Place a big page table of `size` entries at `va`.
    pub fn add_big_page_table(&mut self, va: u64, size: u64, pages: &[SynthBigPage]) {
        let b = self.context.build;
        self.memory.insert(va, big_page_table(b, size, pages));
        self.context.big_page_table = va;
        self.context.big_page_table_size = size;
    }

    /// Place a pool page at `va` (page aligned) and record it as pool.
    pub fn add_pool_page(&mut self, va: u64, blocks: &[SynthBlock]) {
        let b = self.context.build;
        self.memory.insert(va, pool_page(b, blocks));
        match self.pool_ranges.last_mut() {
            Some((_, end)) if *end == va => *end = add(va, 0x1000),
            _ => self.pool_ranges.push((va, add(va, 0x1000))),
        }
    }
}

/// Tag usage in one line.
pub fn usage(tag: &str, np: (u64, u64, u64), p: (u64, u64, u64)) -> TagUsage {
    TagUsage {
        tag: PoolTag::parse(tag).unwrap_or(PoolTag(0)),
        non_paged: TagCounts {
            allocs: np.0,
            frees: np.1,
            bytes: np.2,
        },
        paged: TagCounts {
            allocs: p.0,
            frees: p.1,
            bytes: p.2,
        },
    }
}

/// One driver for [`SynthVerifier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthVerifiedDriver {
    /// Base name.
    pub name: String,
    /// Loads.
    pub loads: u32,
    /// Unloads.
    pub unloads: u32,
    /// Image base and size (a target-driver node is made when loaded).
    pub image: (u64, u64),
    /// (current paged allocs, paged bytes, current non-paged allocs, non-paged bytes).
    pub current: (u64, u64, u64, u64),
    /// Peak values, same order.
    pub peak: (u64, u64, u64, u64),
    /// Tracked allocations: (address, length, tag, caller).
    pub allocations: Vec<(u64, u64, PoolTag, u64)>,
}

/// One pool log record for [`SynthVerifier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthTrace {
    /// Block address.
    pub address: u64,
    /// Size.
    pub size: u64,
    /// Thread.
    pub thread: u64,
    /// Stack, innermost first.
    pub stack: Vec<u64>,
}

/// Driver Verifier state to lay out: global statistics, drivers, pool log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SynthVerifier {
    /// `Level`.
    pub level: u32,
    /// (attempted, succeeded, special pool, no tag, failed).
    pub allocations: (u64, u64, u64, u64, u64),
    /// Global (current paged allocs, paged bytes, current non-paged allocs, non-paged bytes).
    pub current: (u64, u64, u64, u64),
    /// Global peaks, same order.
    pub peak: (u64, u64, u64, u64),
    /// Drivers of the verification list.
    pub drivers: Vec<SynthVerifiedDriver>,
    /// Log capacity (entries).
    pub log_capacity: u64,
    /// Log records, oldest first (written from slot 0).
    pub log: Vec<SynthTrace>,
}

impl SynthKernel {
    /// Lay out Driver Verifier state from `area` upwards and set the context's verifier fields:
    /// Vista+ (`VfSuspectDriversList`, target-driver tree, record pages, pool log) or, for XP/2003
    /// x86, `MiSuspectDriverList` entries holding their counters and `PoolHash` record array.
    pub fn add_verifier(&mut self, area: u64, v: &SynthVerifier) {
        if let Some(xl) = MiVerifierDriverEntryLayout::for_build(self.context.build) {
            self.add_verifier_xp(area, v, &xl);
            return;
        }
        let b = self.context.build;
        let a = b.arch;
        let ps = a.pointer_size();
        let p32 = u32::try_from(ps).unwrap_or(8);
        let mut next = area;
        let mut alloc = |n: u64, align: u64| {
            let at = next.next_multiple_of(align);
            next = add(at, n);
            at
        };
        // Global statistics.
        let dl = MmDriverVerifierDataLayout::for_build(b);
        let data_va = alloc(0x100, 0x10);
        let mut d = zeroed(0x100);
        let stats = [
            (dl.level, u64::from(v.level)),
            (dl.allocations_attempted, v.allocations.0),
            (dl.allocations_succeeded, v.allocations.1),
            (dl.allocations_succeeded_special_pool, v.allocations.2),
            (dl.allocations_with_no_tag, v.allocations.3),
            (dl.allocations_failed, v.allocations.4),
            (dl.current_paged_pool_allocations, v.current.0),
            (dl.paged_bytes, v.current.1),
            (dl.current_non_paged_pool_allocations, v.current.2),
            (dl.non_paged_bytes, v.current.3),
            (dl.peak_paged_pool_allocations, v.peak.0),
            (dl.peak_paged_bytes, v.peak.1),
            (dl.peak_non_paged_pool_allocations, v.peak.2),
            (dl.peak_non_paged_bytes, v.peak.3),
        ];
        for (f, x) in stats {
            put(&mut d, f, 4, x);
        }
        self.memory.insert(data_va, d);
        self.context.verifier_data = data_va;

        // Suspect list.
        let sl = VfSuspectDriverEntryLayout::for_build(b);
        let head = alloc(mul(2, ps), 0x10);
        let entries: Vec<u64> = v.drivers.iter().map(|_| alloc(0x100, 0x10)).collect();
        let mut h = zeroed(mul(2, ps));
        put_ptr(&mut h, a, 0, entries.first().copied().unwrap_or(head));
        put_ptr(&mut h, a, ps, entries.last().copied().unwrap_or(head));
        self.memory.insert(head, h);
        for (i, (drv, &e)) in v.drivers.iter().zip(&entries).enumerate() {
            let mut buf = zeroed(0x100);
            let flink = entries.get(i.saturating_add(1)).copied().unwrap_or(head);
            let blink = i
                .checked_sub(1)
                .and_then(|j| entries.get(j).copied())
                .unwrap_or(head);
            put_ptr(&mut buf, a, 0, flink);
            put_ptr(&mut buf, a, ps, blink);
            put(&mut buf, sl.loads, 4, u64::from(drv.loads));
            put(&mut buf, sl.unloads, 4, u64::from(drv.unloads));
            let mut name: Vec<u8> = drv.name.encode_utf16().flat_map(u16::to_le_bytes).collect();
            name.truncate(0x80);
            let len = u16::try_from(name.len()).unwrap_or(0).to_le_bytes();
            let bn = sl.base_name.map_or(0, |f| f.off());
            write(&mut buf, bn, &len);
            write(&mut buf, add(bn, 2), &len);
            put_ptr(&mut buf, a, add(bn, ps), add(e, 0x80));
            write(&mut buf, 0x80, &name);
            self.memory.insert(e, buf);
        }
        self.context.suspect_drivers = head;

        // Target-driver tree: one table, nodes chained as right children.
        let loaded: Vec<&SynthVerifiedDriver> =
            v.drivers.iter().filter(|d| d.loads > d.unloads).collect();
        let loaded_entries: Vec<u64> = v
            .drivers
            .iter()
            .zip(&entries)
            .filter(|(d, _)| d.loads > d.unloads)
            .map(|(_, e)| *e)
            .collect();
        let avl = alloc(0x40, 0x10);
        let table = alloc(0x100, 0x40);
        let (t_off, n_off) = match a {
            Arch::X86 if b.build <= 7601 => (0x10u64, 0x14u64),
            Arch::X86 => (0x8, 0xc),
            Arch::X64 if b.build <= 7601 => (0x20, 0x28),
            Arch::X64 => (0x10, 0x18),
        };
        let mut t = zeroed(0x40);
        put_ptr(&mut t, a, t_off, table);
        write(&mut t, n_off, &1u32.to_le_bytes());
        self.memory.insert(avl, t);
        let links = mul(4, ps);
        let nodes: Vec<u64> = loaded.iter().map(|_| alloc(0x100, 0x10)).collect();
        let mut tb = zeroed(0x100);
        put_ptr(&mut tb, a, 0, table);
        put_ptr(&mut tb, a, mul(2, ps), nodes.first().copied().unwrap_or(0));
        self.memory.insert(table, tb);
        self.context.target_drivers_avl = avl;

        let vl = VfTargetVerifiedDriverDataLayout::for_build(b);
        let el = ViPoolEntryInUseLayout::for_build(b);
        let hl = ViPoolPageHeaderLayout::for_build(b);
        let esz = u64::from(el.size).max(1);
        let total = 0x1000u64.checked_div(esz).unwrap_or(1);
        let per_page = us(total.saturating_sub(1)).max(1);
        for (k, ((drv, &node), &suspect)) in
            loaded.iter().zip(&nodes).zip(&loaded_entries).enumerate()
        {
            let vd = alloc(0x200, 0x10);
            let parent = k
                .checked_sub(1)
                .and_then(|j| nodes.get(j).copied())
                .unwrap_or(table);
            let mut nb = zeroed(0x100);
            put_ptr(&mut nb, a, 0, parent);
            put_ptr(
                &mut nb,
                a,
                mul(2, ps),
                nodes.get(k.saturating_add(1)).copied().unwrap_or(0),
            );
            put_ptr(&mut nb, a, links, drv.image.0);
            put_ptr(&mut nb, a, add(links, ps), drv.image.1);
            // VerifiedData: x86 0x14 (Windows 7), x64 0x28 (7) / 0x30 (8.1) / 0x38 (10+).
            let vd_off = match a {
                Arch::X86 => 0x14,
                Arch::X64 if b.build <= 7601 => 0x28,
                Arch::X64 if b.build <= 9600 => 0x30,
                Arch::X64 => 0x38,
            };
            put_ptr(&mut nb, a, add(links, vd_off), vd);
            self.memory.insert(node, nb);

            let mut db = zeroed(0x200);
            put_ptr(&mut db, a, 0, suspect);
            let counters = [
                (vl.current_paged_pool_allocations, drv.current.0),
                (vl.paged_bytes, drv.current.1),
                (vl.current_non_paged_pool_allocations, drv.current.2),
                (vl.non_paged_bytes, drv.current.3),
                (vl.peak_paged_pool_allocations, drv.peak.0),
                (vl.peak_paged_bytes, drv.peak.1),
                (vl.peak_non_paged_pool_allocations, drv.peak.2),
                (vl.peak_non_paged_bytes, drv.peak.3),
            ];
            for (f, x) in counters {
                put(&mut db, f, p32, x);
            }
            let chunks: Vec<&[(u64, u64, PoolTag, u64)]> =
                drv.allocations.chunks(per_page).collect();
            let pages: Vec<u64> = chunks.iter().map(|_| alloc(0x1000, 0x1000)).collect();
            let ph = vl.pool_page_headers.map_or(0, |f| f.off());
            let first_page = pages.first().copied().unwrap_or(0);
            match a {
                Arch::X86 => put_ptr(&mut db, a, ph, first_page),
                Arch::X64 => put_ptr(&mut db, a, add(ph, 8), first_page | 1),
            }
            self.memory.insert(vd, db);
            for (pi, (chunk, &pva)) in chunks.iter().zip(&pages).enumerate() {
                let mut pb = zeroed(0x1000);
                let next_page = pages.get(pi.saturating_add(1)).copied().unwrap_or(0);
                put(&mut pb, hl.next_page, p32, next_page);
                put(&mut pb, hl.verifier_entry, p32, vd);
                put(&mut pb, hl.signature, p32, 0x5650_4f4f);
                for (j, &(va, len, tag, caller)) in (1u64..).zip(chunk.iter()) {
                    if let Some(r) = record(&mut pb, j, esz) {
                        put(r, el.virtual_address, p32, va);
                        put(r, el.calling_address, p32, caller);
                        put(r, el.number_of_bytes, p32, len);
                        put(r, el.tag, 4, u64::from(tag.0));
                    }
                }
                // Free records after the used ones link to each other.
                let used = add(u64::try_from(chunk.len()).unwrap_or(0), 1);

                for j in used..total {
                    let link = if add(j, 1) < total {
                        add(pva, mul(add(j, 1), esz))
                    } else {
                        0
                    };
                    put_ptr(&mut pb, a, mul(j, esz), link);
                }
                self.memory.insert(pva, pb);
            }
        }

        // Pool log.
        if v.log_capacity > 0 {
            let tl = VfPoolTraceLayout::for_build(b);
            let esz = u64::from(tl.size);
            let log_va = alloc(mul(esz, v.log_capacity), 0x1000);
            let mut lb = zeroed(mul(esz, v.log_capacity));
            for (i, tr) in (0u64..).zip(v.log.iter()) {
                let Some(r) = record(&mut lb, i, esz) else {
                    break;
                };
                put(r, tl.address, p32, tr.address);
                put(r, tl.size_field, p32, tr.size);
                put(r, tl.thread, p32, tr.thread);
                if let Some(st) = tl.stack_trace {
                    let slots = us(u64::from(st.size.checked_div(p32).unwrap_or(0)));
                    for (k, f) in (0u64..).zip(tr.stack.iter().take(slots)) {
                        put_ptr(r, a, add(st.off(), mul(k, ps)), *f);
                    }
                }
            }
            self.memory.insert(log_va, lb);
            self.context.pool_traces = log_va;
            self.context.pool_traces_length = v.log_capacity;
            let n = u64::try_from(v.log.len()).unwrap_or(0);
            self.context.pool_traces_index = n.checked_rem(v.log_capacity);
        }
    }
}

impl SynthKernel {
    fn add_verifier_xp(&mut self, area: u64, v: &SynthVerifier, xl: &MiVerifierDriverEntryLayout) {
        let b = self.context.build;
        let a = b.arch;
        let el = ViPoolEntryInUseLayout::for_build(b);
        let dl = MmDriverVerifierDataLayout::for_build(b);
        let mut d = zeroed(0x100);
        put(&mut d, dl.level, 4, u64::from(v.level));
        put(&mut d, dl.allocations_attempted, 4, v.allocations.0);
        put(&mut d, dl.current_paged_pool_allocations, 4, v.current.0);
        put(&mut d, dl.paged_bytes, 4, v.current.1);
        put(
            &mut d,
            dl.current_non_paged_pool_allocations,
            4,
            v.current.2,
        );
        put(&mut d, dl.non_paged_bytes, 4, v.current.3);
        self.memory.insert(area, d);
        self.context.verifier_data = area;
        let head = add(area, 0x100);
        let entries: Vec<u64> = (1u64..)
            .take(v.drivers.len())
            .map(|i| add(head, mul(i, 0x1000)))
            .collect();
        let mut h = zeroed(8);
        put_ptr(&mut h, a, 0, entries.first().copied().unwrap_or(head));
        put_ptr(&mut h, a, 4, entries.last().copied().unwrap_or(head));
        self.memory.insert(head, h);
        let esz = u64::from(el.size);
        for (i, (drv, &e)) in v.drivers.iter().zip(&entries).enumerate() {
            let mut buf = zeroed(0x1000);
            put_ptr(
                &mut buf,
                a,
                0,
                entries.get(i.saturating_add(1)).copied().unwrap_or(head),
            );
            let blink = i
                .checked_sub(1)
                .and_then(|j| entries.get(j).copied())
                .unwrap_or(head);
            put_ptr(&mut buf, a, 4, blink);
            put(&mut buf, xl.loads, 4, u64::from(drv.loads));
            put(&mut buf, xl.unloads, 4, u64::from(drv.unloads));
            let mut name: Vec<u8> = drv.name.encode_utf16().flat_map(u16::to_le_bytes).collect();
            name.truncate(0x80);
            let len = u16::try_from(name.len()).unwrap_or(0).to_le_bytes();
            let bn = xl.base_name.map_or(0, |f| f.off());
            write(&mut buf, bn, &len);
            write(&mut buf, add(bn, 2), &len);
            put_ptr(&mut buf, a, add(bn, 4), add(e, 0x80));
            write(&mut buf, 0x80, &name);
            put(&mut buf, xl.start_address, 4, drv.image.0);
            put(&mut buf, xl.end_address, 4, add(drv.image.0, drv.image.1));
            put(&mut buf, xl.flags, 4, 1);
            let counters = [
                (xl.current_paged_pool_allocations, drv.current.0),
                (xl.paged_bytes, drv.current.1),
                (xl.current_non_paged_pool_allocations, drv.current.2),
                (xl.non_paged_bytes, drv.current.3),
                (xl.peak_paged_pool_allocations, drv.peak.0),
                (xl.peak_paged_bytes, drv.peak.1),
                (xl.peak_non_paged_pool_allocations, drv.peak.2),
                (xl.peak_non_paged_bytes, drv.peak.3),
            ];
            for (f, x) in counters {
                put(&mut buf, f, 4, x);
            }
            // PoolHash: the records, then a few free ones (FreeListNext indexes, small values).
            let hash = add(e, 0x200);
            let n = add(u64::try_from(drv.allocations.len()).unwrap_or(0), 4);
            put(&mut buf, xl.pool_hash, 4, hash);
            put(&mut buf, xl.pool_hash_size, 4, n);
            for (j, &(va, len, tag, caller)) in (0u64..).zip(drv.allocations.iter()) {
                let at = add(0x200, mul(j, esz));
                if let Some(r) = buf.get_mut(us(at)..us(add(at, esz))) {
                    put(r, el.virtual_address, 4, va);
                    put(r, el.calling_address, 4, caller);
                    put(r, el.number_of_bytes, 4, len);
                    put(r, el.tag, 4, u64::from(tag.0));
                }
            }
            self.memory.insert(e, buf);
        }
        self.context.suspect_drivers = head;
    }
}

/// The stack of an allocation by `myfault!PoolLeak` as WinDbg showed it under Driver Verifier.
const LEAK_ALLOC_STACK: [u64; 11] = [
    0x8153_0238,
    0x8152_718e,
    0x9872_6659,
    0x9872_6ab3,
    0x9872_6b26,
    0x8152_58f3,
    0x810d_3a52,
    0x812e_765e,
    0x812e_a318,
    0x812e_9f22,
    0x8118_6377,
];

/// The pool leak under Driver Verifier on Windows 8.1 x86: `myfault.sys` (NotMyFault's driver)
/// made ten paged allocations of 0xfb000 bytes tagged `Leak` from `myfault!PoolLeak+0x21`
/// (return address 0x98726659) with pool tracking on (`Level` 0x8). The verifier's tracked
/// allocations, counters, pool log, the big page table and the tracker table agree.
pub fn pool_leak_story() -> SynthKernel {
    let build = KernelBuild::new(Arch::X86, 9600);
    let mut k = SynthKernel::new(build);
    let leak = PoolTag::parse("Leak").unwrap_or(PoolTag(0));
    let addrs: Vec<u64> = (0..10u64)
        .map(|i| {
            // 0x9d2fb000, 0x9d200000, 0x9d0fb000, 0x9d000000, … as WinDbg listed them.
            let hi = 0x9d20_0000u64.saturating_sub(mul(i / 2, 0x20_0000));
            if i.is_multiple_of(2) {
                add(hi, 0xf_b000)
            } else {
                hi
            }
        })
        .collect();
    let len = 0xf_b000u64;
    let caller = 0x9872_6659u64;
    k.add_tracker_tables(
        0x8400_0000,
        0x8300_0000,
        1025,
        &[vec![
            usage("Leak", (0, 0, 0), (10, 0, mul(10, len))),
            usage("Thre", (1200, 1100, mul(100, 0x2c8)), (0, 0, 0)),
            usage("Proc", (150, 110, mul(40, 0x2c0)), (0, 0, 0)),
            usage("File", (9000, 8200, mul(800, 0xb8)), (0, 0, 0)),
            usage("MmSt", (0, 0, 0), (5000, 2000, mul(3000, 0x200))),
        ]],
    );
    let big: Vec<SynthBigPage> = addrs
        .iter()
        .map(|&va| SynthBigPage {
            va,
            tag: leak,
            size: len,
            paged: true,
        })
        .collect();
    k.add_big_page_table(0x8500_0000, 0x200, &big);
    k.context.paged_pool = Some((0x9a00_0000, 0xa000_0000));
    let v = SynthVerifier {
        level: 0x8,
        allocations: (0xb, 0xb, 0xa, 0x1, 0),
        current: (0xa, mul(10, len), 0, 0),
        peak: (0xa, mul(10, len), 0, 0),
        drivers: vec![SynthVerifiedDriver {
            name: "myfault.sys".to_string(),
            loads: 1,
            unloads: 0,
            image: (0x9872_0000, 0x8000),
            current: (0xa, mul(10, len), 0, 0),
            peak: (0xa, mul(10, len), 0, 0),
            allocations: addrs.iter().map(|&a| (a, len, leak, caller)).collect(),
        }],
        log_capacity: 0x10000,
        log: addrs
            .iter()
            .rev()
            .map(|&a| SynthTrace {
                address: a,
                size: 0xf_a000,
                thread: 0x9809_0300,
                stack: LEAK_ALLOC_STACK.to_vec(),
            })
            .collect(),
    };
    k.add_verifier(0x8600_0000, &v);
    k
}

/// The pool side of the handle leak on an x86 server (Windows Server 2003): thread objects
/// (`Thre`, protected) exhaust non-paged pool. The counters, spread over four processors'
/// tracker tables, sum to WinDbg's `!poolused 3` numbers (Thre 772672 allocs, 463590 frees,
/// 192867168 bytes; MmCm 42/9/12153104); pages of `Thre` blocks sit in non-paged pool; the
/// `!vm` inputs are those of the same report.
pub fn handle_leak_pool_story() -> SynthKernel {
    let build = KernelBuild::new(Arch::X86, 3790);
    let mut k = SynthKernel::new(build);
    let split = |v: u64, i: u64| add(v / 4, if i == 0 { v % 4 } else { 0 });
    let per_cpu: Vec<Vec<TagUsage>> = (0..4u64)
        .map(|i| {
            vec![
                usage(
                    "Thre",
                    (split(772_672, i), split(463_590, i), split(192_867_168, i)),
                    (0, 0, 0),
                ),
                usage(
                    "MmCm",
                    (split(42, i), split(9, i), split(12_153_104, i)),
                    (0, 0, 0),
                ),
                usage(
                    "File",
                    (
                        split(50_000, i),
                        split(49_000, i),
                        split(mul(1000, 0x98), i),
                    ),
                    (0, 0, 0),
                ),
                usage(
                    "Even",
                    (split(9000, i), split(8000, i), split(mul(1000, 0x40), i)),
                    (0, 0, 0),
                ),
                usage(
                    "CM31",
                    (0, 0, 0),
                    (
                        split(40_000, i),
                        split(30_000, i),
                        split(mul(10_000, 0x200), i),
                    ),
                ),
            ]
        })
        .collect();
    k.add_tracker_tables(0x8a00_0000, 0x8b00_0000, 2049, &per_cpu);
    // Thread objects in non-paged pool: blocks of 0x280 bytes with the protected tag.
    let thre = u32::from_le_bytes(*b"Thre") | super::tag::PROTECTED_BIT;
    let np_start = 0x8900_0000u64;
    for p in 0..64u64 {
        let blocks: Vec<SynthBlock> = (0..6)
            .map(|_| SynthBlock {
                tag: thre,
                size: 0x280,
                free: false,
                paged: false,
            })
            .collect();
        k.add_pool_page(add(np_start, mul(p, 0x1000)), &blocks);
    }
    k.context.non_paged_pool = Some((np_start, add(np_start, 0x1000_0000)));
    k.vm = Some(VmInputs {
        page_size: 4096,
        physical_pages: Some(1_048_352),
        available_pages: Some(697_734),
        resident_available_pages: Some(958_085),
        paging_files: vec![super::PagingFile {
            name: r"\??\C:\pagefile.sys".to_string(),
            current: 1_047_552,
            free: 937_433,
            minimum: 1_047_552,
            maximum: 1_047_552,
        }],
        locked_io_pages: Some(95),
        free_system_ptes: Some(199_971),
        free_np_ptes: Some(105),
        modified_pages: Some(195),
        modified_pf_pages: Some(195),
        non_paged_pool_usage: Some(65_244),
        non_paged_pool_max: Some(65_503),
        paged_pool_usage_each: vec![6576, 629, 624, 608, 625],
        paged_pool_max: Some(66_560),
        shared_commit: Some(7711),
        special_pool: Some(0),
        shared_process: Some(10_625),
        paged_pool_commit: Some(9102),
        driver_commit: Some(1759),
        committed_pages: Some(425_816),
        commit_limit: Some(2_052_560),
        pool_allocation_failures: Some(184),
        ..VmInputs::default()
    });
    k
}

/// Call every reader of the crate on `mem` with `ctx` and return how many results came back
/// (errors count 0). Shared by the fuzz target and the mutation property tests: whatever the
/// bytes, this must return, never panic or hang.
pub fn exercise<M: ReadMemory>(mem: M, ctx: PoolContext, limits: crate::limits::Limits) -> usize {
    use super::context::Pool;
    // The symbol-free discovery reads around the globals, whatever they hold.
    let global = ctx.track_table.wrapping_sub(8);
    let found = super::find_track_table_size(&mem, ctx.build, global, ctx.track_table)
        .map_or(0, |f| f.used);
    let array = super::find_tag_tables(&mem, ctx.build, global, ctx.track_table, 4).is_some();
    let big = super::find_big_page_table(&mem, ctx.build, global).map_or(0, |f| f.used);
    let pool = Pool::new(mem, ctx.clone(), limits);
    let mut n = found.saturating_add(usize::from(array)).saturating_add(big);
    let mut count = |k: usize| n = n.saturating_add(k);
    if let Ok(u) = pool.pool_usage(false) {
        count(u.tags.len());
        count(
            u.sorted(super::tracker::PoolUsedSort::Bytes(
                super::tracker::PoolKind::Paged,
            ))
            .len(),
        );
        count(u.filter("T*").len());
    }
    if let Ok(u) = pool.pool_usage(true) {
        count(u.tags.len());
    }
    if let Ok(b) = pool.big_pool() {
        count(b.entries.len());
    }
    for addr in [ctx.track_table, ctx.big_page_table, ctx.verifier_data] {
        if let Ok(p) = pool.pool_page(addr.saturating_add(0x10)) {
            count(p.blocks.len());
        }
    }
    let ranges: Vec<(u64, u64)> = [ctx.non_paged_pool, ctx.paged_pool]
        .into_iter()
        .flatten()
        .collect();
    if let Ok(f) = pool.pool_find("T?re", &ranges, &mut |_| true) {
        count(f.hits.len());
    }
    if let Ok(s) = pool.verifier_stats() {
        count(usize::from(s.pool_tracking()));
    }
    if let Ok(d) = pool.verifier_drivers() {
        count(
            d.iter()
                .map(|x| x.allocations.len())
                .fold(0, usize::saturating_add),
        );
    }
    if let Ok(l) = pool.verifier_pool_log(None) {
        count(l.entries.len());
    }
    n
}
