//! Driver Verifier: `!verifier 3` (flags, global statistics, the driver verification list with
//! per-driver pool counters and tracked allocations) and `!verifier 80 ADDR` (the pool
//! allocate/free log).
//!
//! Inputs are addresses the caller resolves from symbols/KDBG, set on [`PoolContext`]:
//! `verifier_data` (`&nt!MmVerifierData`, KDBG+0x248), `suspect_drivers` (`&nt!VfSuspectDriversList`
//! on Vista+, `&nt!MiSuspectDriverList` on XP/2003), `target_drivers_avl`
//! (`&nt!ViTargetDriversAvl`, Vista+), and the values of `nt!VfPoolTraces`,
//! `nt!VfPoolTracesLength`, `nt!VfPoolTracesIndex`.
//!
//! [`PoolContext`]: super::PoolContext

use std::collections::{BTreeMap, BTreeSet};

use crate::error::Error;
use crate::layout::{Arch, KernelBuild};
use crate::memory::ReadMemory;

use super::MiVerifierDriverEntryLayout;
use super::context::{Pool, field_u64};
use super::tag::PoolTag;

/// Which section of `!verifier`'s flag list a flag is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagGroup {
    /// `STANDARD FLAGS:`.
    Standard,
    /// `ADDITIONAL FLAGS:`.
    Additional,
}

/// One Driver Verifier flag as `!verifier` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifierFlag {
    /// The bit (0 for "Automatic Checks", always on).
    pub mask: u32,
    /// WinDbg's name.
    pub name: &'static str,
    /// Section.
    pub group: FlagGroup,
}

const fn flag(mask: u32, name: &'static str, group: FlagGroup) -> VerifierFlag {
    VerifierFlag { mask, name, group }
}

/// The flags `!verifier` lists, in its order (as printed by WinDbg for Windows 8.1; the two
/// Windows 10 additions are named from Microsoft's documentation of the flags).
pub fn verifier_flags(build: KernelBuild) -> Vec<VerifierFlag> {
    use FlagGroup::{Additional as A, Standard as S};
    let mut v = vec![
        flag(0, "Automatic Checks", S),
        flag(0x1, "Special pool", S),
        flag(0x2, "Force IRQL checking", S),
        flag(0x8, "Pool tracking", S),
        flag(0x10, "I/O verification", S),
        flag(0x20, "Deadlock detection", S),
        flag(0x80, "DMA checking", S),
        flag(0x100, "Security checks", S),
        flag(0x800, "Miscellaneous checks", S),
        flag(0x20000, "DDI compliance checking", S),
        flag(0x4, "Randomized low resources simulation", A),
        flag(0x200, "Force pending I/O requests", A),
        flag(0x400, "IRP logging", A),
        flag(0x2000, "Invariant MDL checking for stack", A),
        flag(0x4000, "Invariant MDL checking for driver", A),
        flag(0x8000, "Power framework delay fuzzing", A),
        flag(0x40000, "Systematic low resources simulation", A),
        flag(0x80000, "DDI compliance checking (additional)", A),
        flag(0x200000, "NDIS/WIFI verification", A),
        flag(0x800000, "Kernel synchronization delay fuzzing", A),
        flag(0x1000000, "VM switch verification", A),
    ];
    if build.build >= 10240 {
        v.push(flag(0x10000, "Port/miniport interface checking", A));
        v.push(flag(0x2000000, "Code integrity checks", A));
    }
    v
}

/// `_MM_DRIVER_VERIFIER_DATA`: the global statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct VerifierStats {
    /// Verifier flags (`Verify Flags Level`).
    pub level: u32,
    pub raise_irqls: u64,
    pub acquire_spin_locks: u64,
    pub synchronize_executions: u64,
    pub trims: u64,
    pub allocations_attempted: u64,
    pub allocations_succeeded: u64,
    pub allocations_succeeded_special_pool: u64,
    pub allocations_with_no_tag: u64,
    pub allocations_failed: u64,
    pub current_paged_pool_allocations: u64,
    pub current_non_paged_pool_allocations: u64,
    pub peak_paged_pool_allocations: u64,
    pub peak_non_paged_pool_allocations: u64,
    pub paged_bytes: u64,
    pub non_paged_bytes: u64,
    pub peak_paged_bytes: u64,
    pub peak_non_paged_bytes: u64,
}

impl VerifierStats {
    /// Whether pool tracking (flag 0x8) is on, so allocations are listed.
    pub fn pool_tracking(&self) -> bool {
        self.level & 0x8 != 0
    }
}

/// Load state of a driver in the verification list (from its load and unload counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverLoadState {
    /// Never loaded (`Hasn't loaded`).
    NotLoaded,
    /// Loaded now.
    Loaded,
    /// Loaded and unloaded, loaded again (`Loaded&Unloaded`).
    LoadedAndUnloaded,
    /// Unloaded.
    Unloaded,
}

impl DriverLoadState {
    /// From the counts: both 0 → not loaded; equal → unloaded; loads > unloads with unloads 0
    /// → loaded, otherwise loaded&unloaded.
    pub fn from_counts(loads: u32, unloads: u32) -> Self {
        if loads == 0 && unloads == 0 {
            DriverLoadState::NotLoaded
        } else if loads == unloads {
            DriverLoadState::Unloaded
        } else if unloads == 0 {
            DriverLoadState::Loaded
        } else {
            DriverLoadState::LoadedAndUnloaded
        }
    }
    /// WinDbg's words.
    pub fn text(&self) -> &'static str {
        match self {
            DriverLoadState::NotLoaded => "Hasn't loaded",
            DriverLoadState::Loaded => "Loaded",
            DriverLoadState::LoadedAndUnloaded => "Loaded&Unloaded",
            DriverLoadState::Unloaded => "Unloaded",
        }
    }
}

/// One driver's pool counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(missing_docs)]
pub struct DriverPoolCounters {
    pub current_paged_allocations: u64,
    pub current_non_paged_allocations: u64,
    pub peak_paged_allocations: u64,
    pub peak_non_paged_allocations: u64,
    pub paged_bytes: u64,
    pub non_paged_bytes: u64,
    pub peak_paged_bytes: u64,
    pub peak_non_paged_bytes: u64,
    /// Contiguous memory bytes (Vista+).
    pub contiguous_memory_bytes: Option<u64>,
    /// Peak contiguous memory bytes (Vista+).
    pub peak_contiguous_memory_bytes: Option<u64>,
}

/// One allocation Driver Verifier tracks for a driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackedAllocation {
    /// Address of the allocation.
    pub address: u64,
    /// Length in bytes.
    pub length: u64,
    /// Tag.
    pub tag: PoolTag,
    /// The caller of the allocator (the CLI symbolizes it as `module!symbol+off`).
    pub caller: u64,
}

/// One driver of the verification list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDriver {
    /// Address of its list entry (`MODULE: 0x…`).
    pub entry: u64,
    /// Base name (`myfault.sys`).
    pub name: String,
    /// Times loaded.
    pub loads: u32,
    /// Times unloaded.
    pub unloads: u32,
    /// Image base and size, when the driver is loaded (Vista+ target-driver tree).
    pub image: Option<(u64, u64)>,
    /// Pool counters, when the driver has verifier data.
    pub counters: Option<DriverPoolCounters>,
    /// Tracked allocations, when pool tracking is on and they could be read.
    pub allocations: Vec<TrackedAllocation>,
    /// Whether the number of tracked allocations found equals the current allocation counters
    /// (`None` when not checked).
    pub allocations_consistent: Option<bool>,
}

impl VerifiedDriver {
    /// The load state.
    pub fn state(&self) -> DriverLoadState {
        DriverLoadState::from_counts(self.loads, self.unloads)
    }
}

/// One `_VF_POOL_TRACE` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolTraceEntry {
    /// Index in the log.
    pub index: u64,
    /// Pool block address.
    pub address: u64,
    /// Size.
    pub size: u64,
    /// Thread (`_ETHREAD`).
    pub thread: u64,
    /// Return addresses, innermost first (stops at the first 0). The first frame tells an
    /// allocation (`…AllocatePool…`) from a free (`…FreePool…`) once symbolized.
    pub stack: Vec<u64>,
}

/// `!verifier 80`: the log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolTraceLog {
    /// Entries in the log (`There are up to 0x… entries`).
    pub capacity: u64,
    /// Entries parsed.
    pub parsed: u64,
    /// Entries kept (matching the address), newest first.
    pub entries: Vec<PoolTraceEntry>,
    /// Entries not in the dump.
    pub missing: u64,
}

/// Suspect entry → (verified data, (image base, image size)).
type TargetMap = BTreeMap<u64, (u64, (u64, u64))>;

fn verr(what: &'static str, addr: u64) -> Error {
    Error::Corrupt { what, addr }
}

impl<M: ReadMemory> Pool<M> {
    fn ptr(&self, addr: u64) -> Result<u64, Error> {
        Ok(self.mem.read_ptr(addr, self.ctx.build.pointer_width())?)
    }

    fn read_struct(&self, addr: u64, size: u32) -> Result<Vec<u8>, Error> {
        let mut b = vec![0u8; usize::try_from(size.max(8)).unwrap_or(8)];
        self.mem.read(addr, &mut b)?;
        Ok(b)
    }

    /// A `UNICODE_STRING` at `addr` (at most 1 KiB of text).
    pub(crate) fn unicode_string(&self, addr: u64) -> Result<String, Error> {
        let len = self.mem.read_u16(addr)?;
        let buf_off = self.ctx.build.arch.pointer_size();
        let buf = self.ptr(addr.checked_add(buf_off).ok_or(verr("string", addr))?)?;
        let n = usize::from(len.min(1024) & !1);
        let mut b = vec![0u8; n];
        self.mem.read(buf, &mut b)?;
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|c| {
                u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        Ok(String::from_utf16_lossy(&units))
    }

    /// `!verifier`: the global statistics from `_MM_DRIVER_VERIFIER_DATA`.
    pub fn verifier_stats(&self) -> Result<VerifierStats, Error> {
        let a = self.ctx.verifier_data;
        if a == 0 {
            return Err(verr("MmVerifierData (not given)", 0));
        }
        let l = self.layouts.verifier_data;
        let b = self.read_struct(
            a,
            l.peak_non_paged_bytes
                .map_or(0x80, |f| f.offset.saturating_add(8)),
        )?;
        let g = |f| field_u64(&b, f, 4);
        Ok(VerifierStats {
            level: u32::try_from(g(l.level) & 0xffff_ffff).unwrap_or(0),
            raise_irqls: g(l.raise_irqls),
            acquire_spin_locks: g(l.acquire_spin_locks),
            synchronize_executions: g(l.synchronize_executions),
            trims: g(l.trims),
            allocations_attempted: g(l.allocations_attempted),
            allocations_succeeded: g(l.allocations_succeeded),
            allocations_succeeded_special_pool: g(l.allocations_succeeded_special_pool),
            allocations_with_no_tag: g(l.allocations_with_no_tag),
            allocations_failed: g(l.allocations_failed),
            current_paged_pool_allocations: g(l.current_paged_pool_allocations),
            current_non_paged_pool_allocations: g(l.current_non_paged_pool_allocations),
            peak_paged_pool_allocations: g(l.peak_paged_pool_allocations),
            peak_non_paged_pool_allocations: g(l.peak_non_paged_pool_allocations),
            paged_bytes: g(l.paged_bytes),
            non_paged_bytes: g(l.non_paged_bytes),
            peak_paged_bytes: g(l.peak_paged_bytes),
            peak_non_paged_bytes: g(l.peak_non_paged_bytes),
        })
    }

    /// Walk a `LIST_ENTRY` list from its head; returns the entry addresses (not the head).
    pub(crate) fn list_entries(&self, head: u64) -> Result<Vec<u64>, Error> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut cur = self.ptr(head)?;
        let mut steps = 0u64;
        while cur != head {
            if cur == 0 {
                return Err(verr("list (null link)", head));
            }
            steps = steps.saturating_add(1);
            if steps > self.limits.max_list_steps || !seen.insert(cur) {
                return Err(Error::WalkLimit {
                    what: "list",
                    addr: cur,
                });
            }
            out.push(cur);
            cur = self.ptr(cur)?;
        }
        Ok(out)
    }

    /// `!verifier 3`: the drivers of the verification list, with pool counters and (when pool
    /// tracking is on) their tracked allocations.
    pub fn verifier_drivers(&self) -> Result<Vec<VerifiedDriver>, Error> {
        let head = self.ctx.suspect_drivers;
        if head == 0 {
            return Err(verr("driver verification list (not given)", 0));
        }
        if let Some(l) = self.layouts.mi_verifier_driver_entry {
            return self.verifier_drivers_xp(head, &l);
        }
        let sl = self.layouts.suspect_driver_entry;
        let mut drivers = Vec::new();
        for e in self.list_entries(head)? {
            let b = self.read_struct(e, sl.size)?;
            let name = sl
                .base_name
                .map(|f| self.unicode_string(e.saturating_add(f.off())))
                .transpose()
                .unwrap_or_default()
                .unwrap_or_default();
            drivers.push(VerifiedDriver {
                entry: e,
                name,
                loads: u32::try_from(field_u64(&b, sl.loads, 4)).unwrap_or(0),
                unloads: u32::try_from(field_u64(&b, sl.unloads, 4)).unwrap_or(0),
                image: None,
                counters: None,
                allocations: Vec::new(),
                allocations_consistent: None,
            });
        }
        if self.ctx.target_drivers_avl != 0 {
            let suspects: BTreeSet<u64> = drivers.iter().map(|d| d.entry).collect();
            let targets = self.target_drivers(&suspects)?;
            let tracking = self
                .verifier_stats()
                .map(|s| s.pool_tracking())
                .unwrap_or(true);
            for d in &mut drivers {
                if let Some(&(data, image)) = targets.get(&d.entry) {
                    d.image = Some(image);
                    let (c, allocs) = self.verified_data(data, tracking)?;
                    if let Some(a) = &allocs {
                        let cur = c
                            .current_paged_allocations
                            .saturating_add(c.current_non_paged_allocations);
                        d.allocations_consistent = Some(a.len() as u64 == cur);
                    }
                    d.counters = Some(c);
                    d.allocations = allocs.unwrap_or_default();
                }
            }
        }
        Ok(drivers)
    }

    /// The target-driver tree: suspect entry → (verified data, (image base, size)).
    fn target_drivers(&self, suspects: &BTreeSet<u64>) -> Result<TargetMap, Error> {
        let avl = self.ctx.target_drivers_avl;
        let ps = self.ctx.build.arch.pointer_size();
        // `_VF_AVL_TREE`: (Tables, TablesNo) offsets differ by build; confirmed by the first
        // table's BalancedRoot.Parent pointing to itself (RTL AVL tables are initialised so).
        let candidates: &[(u64, u64)] = match self.ctx.build.arch {
            Arch::X86 => &[(0x10, 0x14), (0x8, 0xc)],
            Arch::X64 => &[(0x10, 0x18), (0x20, 0x28)],
        };
        let mut found = None;
        for &(t_off, n_off) in candidates {
            let Ok(tables) = self.ptr(avl.saturating_add(t_off)) else {
                continue;
            };
            let Ok(n) = self.mem.read_u32(avl.saturating_add(n_off)) else {
                continue;
            };
            if tables != 0 && (1..=4096).contains(&n) && self.ptr(tables).ok() == Some(tables) {
                found = Some((tables, u64::from(n)));
                break;
            }
        }
        let Some((tables, n)) = found else {
            return Err(verr("ViTargetDriversAvl (layout not recognised)", avl));
        };
        // Table stride: confirmed the same way on the second table.
        let strides: &[u64] = match self.ctx.build.arch {
            Arch::X86 => &[0x3c, 0x40, 0x80, 0xc0],
            Arch::X64 => &[0xc0, 0x70, 0x80, 0x100],
        };
        let stride = if n > 1 {
            strides
                .iter()
                .copied()
                .find(|s| {
                    let t = tables.saturating_add(*s);
                    self.ptr(t).ok() == Some(t)
                })
                .ok_or(verr(
                    "ViTargetDriversAvl tables (stride not recognised)",
                    tables,
                ))?
        } else {
            0
        };
        let links = ps.saturating_mul(4); // _RTL_BALANCED_LINKS: 3 pointers + balance, padded
        let mut out = BTreeMap::new();
        let mut steps = 0u64;
        for i in 0..n {
            let table = tables.saturating_add(stride.saturating_mul(i));
            // A table or node not in the dump is skipped: the other drivers are still listed.
            let Ok(root) = self.ptr(table.saturating_add(ps.saturating_mul(2))) else {
                continue;
            };
            let mut stack = vec![root];
            let mut seen = BTreeSet::new();
            while let Some(node) = stack.pop() {
                if node == 0 || node == table || !seen.insert(node) {
                    continue;
                }
                steps = steps.saturating_add(1);
                if steps > self.limits.max_list_steps {
                    return Err(Error::WalkLimit {
                        what: "verifier target driver tree",
                        addr: node,
                    });
                }
                let user = node.saturating_add(links);
                let (Ok(left), Ok(right), Ok(base), Ok(size)) = (
                    self.ptr(node.saturating_add(ps)),
                    self.ptr(node.saturating_add(ps.saturating_mul(2))),
                    self.ptr(user),
                    self.ptr(user.saturating_add(ps)),
                ) else {
                    continue;
                };
                stack.push(left);
                stack.push(right);
                // VerifiedData: the pointer slot of `_VF_TARGET_DRIVER` whose target starts with a
                // pointer to one of the suspect entries.
                for k in 2..10u64 {
                    let Ok(p) = self.ptr(user.saturating_add(ps.saturating_mul(k))) else {
                        break;
                    };
                    if p != 0
                        && let Ok(s) = self.ptr(p)
                        && suspects.contains(&s)
                    {
                        out.insert(s, (p, (base, size)));
                        break;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Counters and tracked allocations of one `_VF_TARGET_VERIFIED_DRIVER_DATA`.
    fn verified_data(
        &self,
        data: u64,
        tracking: bool,
    ) -> Result<(DriverPoolCounters, Option<Vec<TrackedAllocation>>), Error> {
        let l = self.layouts.verified_driver_data;
        let end = l
            .peak_contiguous_memory_bytes
            .map_or(0x100, |f| f.offset.saturating_add(8));
        let b = self.read_struct(data, end)?;
        let g = |f| field_u64(&b, f, 4);
        let c = DriverPoolCounters {
            current_paged_allocations: g(l.current_paged_pool_allocations),
            current_non_paged_allocations: g(l.current_non_paged_pool_allocations),
            peak_paged_allocations: g(l.peak_paged_pool_allocations),
            peak_non_paged_allocations: g(l.peak_non_paged_pool_allocations),
            paged_bytes: g(l.paged_bytes),
            non_paged_bytes: g(l.non_paged_bytes),
            peak_paged_bytes: g(l.peak_paged_bytes),
            peak_non_paged_bytes: g(l.peak_non_paged_bytes),
            contiguous_memory_bytes: l.contiguous_memory_bytes.map(|f| g(Some(f))),
            peak_contiguous_memory_bytes: l.peak_contiguous_memory_bytes.map(|f| g(Some(f))),
        };
        if !tracking {
            return Ok((c, None));
        }
        let Some(ph) = l.pool_page_headers else {
            return Ok((c, None));
        };
        let allocs = match self.tracked_pages(data.saturating_add(ph.off())) {
            Ok(a) => Some(a),
            Err(e) if e.is_not_captured() => None,
            Err(e) => return Err(e),
        };
        Ok((c, allocs))
    }

    /// First entry of an `SLIST_HEADER` at `head`.
    fn slist_first(&self, head: u64) -> Result<u64, Error> {
        match self.ctx.build.arch {
            Arch::X86 => self.ptr(head),
            Arch::X64 => {
                let q0 = self.mem.read_u64(head)?;
                let q1 = self.mem.read_u64(head.saturating_add(8))?;
                if self.ctx.build.build >= 9200 || q1 & 1 != 0 {
                    // HeaderX64: NextEntry in bits 4..63 of the second quadword.
                    Ok(q1 & !0xf)
                } else if q0 >> 25 == 0 {
                    Ok(0)
                } else {
                    // Windows 7 8-byte header: NextEntry:39 at bit 25, 16-byte aligned, in the
                    // system range (not checked against a real dump).
                    Ok(((q0 >> 25) << 4) | 0xFFFF_F800_0000_0000)
                }
            }
        }
    }

    /// The in-use `_VI_POOL_ENTRY` records of the pages chained from an SLIST of
    /// `_VI_POOL_PAGE_HEADER`s: each page holds its header in the first record slot, records to
    /// the page end. A record is in use when its address is a kernel address outside the
    /// verifier's own record pages (free records link to other records) and its size is
    /// non-zero.
    fn tracked_pages(&self, head: u64) -> Result<Vec<TrackedAllocation>, Error> {
        let el = self.layouts.pool_entry;
        let esz = u64::from(el.size);
        let mut pages = Vec::new();
        let mut seen = BTreeSet::new();
        let mut cur = self.slist_first(head)?;
        while cur != 0 {
            if pages.len() as u64 >= self.limits.max_list_steps || !seen.insert(cur) {
                return Err(Error::WalkLimit {
                    what: "verifier pool page list",
                    addr: cur,
                });
            }
            pages.push(cur);
            cur = self.ptr(cur)?;
        }
        let page_of = |a: u64| a & !0xfff;
        let page_set: BTreeSet<u64> = pages.iter().map(|p| page_of(*p)).collect();
        let mut out = Vec::new();
        for p in pages {
            let end = page_of(p).saturating_add(0x1000);
            let mut rec = p.saturating_add(esz);
            let len = end.saturating_sub(rec);
            let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
            self.mem.read(rec, &mut buf)?;
            for r in buf.chunks_exact(usize::try_from(esz).unwrap_or(16)) {
                let ptr = u32::try_from(self.ctx.build.arch.pointer_size()).unwrap_or(8);
                let va = field_u64(r, el.virtual_address, ptr);
                let n = field_u64(r, el.number_of_bytes, ptr);
                if va >= self.system_range_start() && n != 0 && !page_set.contains(&page_of(va)) {
                    if out.len() as u64 >= self.limits.max_findings {
                        return Ok(out);
                    }
                    out.push(TrackedAllocation {
                        address: va,
                        length: n,
                        tag: PoolTag(
                            u32::try_from(field_u64(r, el.tag, 4) & 0xffff_ffff).unwrap_or(0),
                        ),
                        caller: field_u64(r, el.calling_address, ptr),
                    });
                }
                rec = rec.saturating_add(esz);
            }
        }
        Ok(out)
    }

    fn verifier_drivers_xp(
        &self,
        head: u64,
        l: &MiVerifierDriverEntryLayout,
    ) -> Result<Vec<VerifiedDriver>, Error> {
        let el = self.layouts.pool_entry;
        let tracking = self
            .verifier_stats()
            .map(|s| s.pool_tracking())
            .unwrap_or(true);
        let mut out = Vec::new();
        for e in self.list_entries(head)? {
            let b = self.read_struct(e, l.size)?;
            let g = |f| field_u64(&b, f, 4);
            let name = l
                .base_name
                .map(|f| self.unicode_string(e.saturating_add(f.off())))
                .transpose()
                .unwrap_or_default()
                .unwrap_or_default();
            let c = DriverPoolCounters {
                current_paged_allocations: g(l.current_paged_pool_allocations),
                current_non_paged_allocations: g(l.current_non_paged_pool_allocations),
                peak_paged_allocations: g(l.peak_paged_pool_allocations),
                peak_non_paged_allocations: g(l.peak_non_paged_pool_allocations),
                paged_bytes: g(l.paged_bytes),
                non_paged_bytes: g(l.non_paged_bytes),
                peak_paged_bytes: g(l.peak_paged_bytes),
                peak_non_paged_bytes: g(l.peak_non_paged_bytes),
                contiguous_memory_bytes: None,
                peak_contiguous_memory_bytes: None,
            };
            let start = g(l.start_address);
            let end = g(l.end_address);
            let mut allocs = Vec::new();
            let hash = g(l.pool_hash);
            let hash_n = g(l.pool_hash_size).min(self.limits.max_table_entries);
            if tracking && hash != 0 {
                let esz = u64::from(el.size);
                let _ =
                    super::context::read_table(&self.mem, hash, hash_n, esz, hash_n, |_, r| {
                        let va = field_u64(r, el.virtual_address, 4);
                        let n = field_u64(r, el.number_of_bytes, 4);
                        if va >= self.system_range_start() && n != 0 {
                            allocs.push(TrackedAllocation {
                                address: va,
                                length: n,
                                tag: PoolTag(u32::try_from(field_u64(r, el.tag, 4)).unwrap_or(0)),
                                caller: field_u64(r, el.calling_address, 4),
                            });
                        }
                    })?;
            }
            let cur = c
                .current_paged_allocations
                .saturating_add(c.current_non_paged_allocations);
            out.push(VerifiedDriver {
                entry: e,
                name,
                loads: u32::try_from(g(l.loads)).unwrap_or(0),
                unloads: u32::try_from(g(l.unloads)).unwrap_or(0),
                image: (start != 0).then_some((start, end.saturating_sub(start))),
                counters: Some(c),
                allocations_consistent: tracking.then_some(allocs.len() as u64 == cur),
                allocations: allocs,
            });
        }
        Ok(out)
    }

    /// `!verifier 80 [ADDR]`: the pool allocate/free log, newest first (from the entry before
    /// `VfPoolTracesIndex` backwards, when the index is given; else from the end), keeping the
    /// entries whose block holds `addr` (all when `None`).
    pub fn verifier_pool_log(&self, addr: Option<u64>) -> Result<PoolTraceLog, Error> {
        let base = self.ctx.pool_traces;
        let cap = self.ctx.pool_traces_length;
        if base == 0 || cap == 0 {
            return Err(verr("VfPoolTraces (not given)", base));
        }
        let l = self.layouts.pool_trace;
        let esz = u64::from(l.size);
        let ptr = u32::try_from(self.ctx.build.arch.pointer_size()).unwrap_or(8);
        let n = cap.min(self.limits.max_table_entries);
        let mut all: Vec<PoolTraceEntry> = Vec::new();
        let max = self.limits.max_findings;
        let missing = super::context::read_table(&self.mem, base, n, esz, n, |i, r| {
            let a = field_u64(r, l.address, ptr);
            let size = field_u64(r, l.size_field, ptr);
            if a == 0 {
                return;
            }
            let hit = addr.is_none_or(|x| x == a || (x > a && x < a.saturating_add(size)));
            if !hit || all.len() as u64 >= max {
                return;
            }
            let mut stack = Vec::new();
            if let Some(st) = l.stack_trace {
                let slots = st.size.checked_div(ptr).unwrap_or(0);
                for k in 0..slots {
                    let f = crate::layout::Field::new(
                        st.offset.saturating_add(k.saturating_mul(ptr)),
                        ptr,
                    );
                    let v = field_u64(r, Some(f), ptr);
                    if v == 0 {
                        break;
                    }
                    stack.push(v);
                }
            }
            all.push(PoolTraceEntry {
                index: i,
                address: a,
                size,
                thread: field_u64(r, l.thread, ptr),
                stack,
            });
        })?;
        // Newest first: the index is where the next record goes.
        let start = self
            .ctx
            .pool_traces_index
            .map_or(n, |x| x.checked_rem(n).unwrap_or(0));
        all.sort_by_key(|e| {
            start
                .saturating_add(n)
                .saturating_sub(1)
                .saturating_sub(e.index.checked_rem(n).unwrap_or(0))
                .checked_rem(n)
                .unwrap_or(0)
        });
        Ok(PoolTraceLog {
            capacity: cap,
            parsed: n,
            entries: all,
            missing,
        })
    }
}
