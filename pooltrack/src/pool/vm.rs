//! `!vm`: the virtual-memory summary, computed from values the caller reads from KDBG and the
//! kernel's globals. A value a build does not have stays `None` and its line is left out.
//!
//! Warning rules (from the source of a public debugger extension of the Windows Server 2003
//! era; one source, not confirmed on newer WinDbg):
//! - "Excessive NonPaged Pool Usage": usage pages > 4 × (maximum pages / 5);
//! - "Excessive Paged Pool Usage": usage pages > 95 × (maximum pages / 100);
//! - "N pool allocations have failed": `ExPoolFailures` ≠ 0;
//! - "Number of committed pages is near limit": committed + 100 > limit;
//! - "N commit requests have failed": `MiChargeCommitmentFailures` ≠ 0.

use std::fmt::Write as _;

/// The inputs of `!vm`, all in pages unless said otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct VmInputs {
    /// Page size in bytes (4096 when 0).
    pub page_size: u64,
    /// `MmNumberOfPhysicalPages`.
    pub physical_pages: Option<u64>,
    /// `MmAvailablePages`.
    pub available_pages: Option<u64>,
    /// `MmResidentAvailablePages`.
    pub resident_available_pages: Option<u64>,
    /// The paging files (`MmPagingFile[0..MmNumberOfPagingFiles]`).
    pub paging_files: Vec<PagingFile>,
    /// Locked I/O pages (`MmSystemLockPagesCount`, XP/2003).
    pub locked_io_pages: Option<u64>,
    /// Free system PTEs (`MiSystemPteInfo.TotalFreeSystemPtes`; XP/2003
    /// `MmTotalFreeSystemPtes[0]`).
    pub free_system_ptes: Option<u64>,
    /// Free non-paged pool expansion PTEs (XP/2003 `MmTotalFreeSystemPtes[1]`).
    pub free_np_ptes: Option<u64>,
    /// `MmModifiedPageListHead.Total`.
    pub modified_pages: Option<u64>,
    /// Modified pages bound for a paging file (`MmTotalPagesForPagingFile`).
    pub modified_pf_pages: Option<u64>,
    /// Non-paged pool in use (pages).
    pub non_paged_pool_usage: Option<u64>,
    /// NonPagedPoolNx in use (Windows 8+).
    pub non_paged_pool_nx_usage: Option<u64>,
    /// Non-paged pool maximum (pages; `MmMaximumNonPagedPoolInBytes` / page size).
    pub non_paged_pool_max: Option<u64>,
    /// Usage of each paged pool (`ExpPagedPoolDescriptor[i]`), when read.
    pub paged_pool_usage_each: Vec<u64>,
    /// Paged pool in use (pages; the sum when `paged_pool_usage_each` is given).
    pub paged_pool_usage: Option<u64>,
    /// Paged pool maximum (pages; `MmSizeOfPagedPoolInBytes` / page size).
    pub paged_pool_max: Option<u64>,
    /// `MmSharedCommit`.
    pub shared_commit: Option<u64>,
    /// Special pool pages.
    pub special_pool: Option<u64>,
    /// `MmProcessCommit`.
    pub shared_process: Option<u64>,
    /// `MmPagedPoolCommit`.
    pub paged_pool_commit: Option<u64>,
    /// `MmDriverCommit`.
    pub driver_commit: Option<u64>,
    /// `MmTotalCommittedPages`.
    pub committed_pages: Option<u64>,
    /// `MmTotalCommitLimit`.
    pub commit_limit: Option<u64>,
    /// `ExPoolFailures` (a count, not pages).
    pub pool_allocation_failures: Option<u64>,
    /// `MiChargeCommitmentFailures` (a count).
    pub commit_failures: Option<u64>,
}

/// One paging file, sizes in pages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PagingFile {
    /// Its name (`\??\C:\pagefile.sys`).
    pub name: String,
    /// Pages it holds now (WinDbg's "Current").
    pub current: u64,
    /// Free pages in it.
    pub free: u64,
    /// Minimum size (pages).
    pub minimum: u64,
    /// Maximum size (pages).
    pub maximum: u64,
}

/// One `!vm` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmLine {
    /// Label including the colon (`"NonPagedPool Usage:"`).
    pub label: String,
    /// Pages.
    pub pages: u64,
    /// Kilobytes.
    pub kb: u64,
}

/// A `!vm` warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmWarning {
    /// Non-paged pool usage above 80% of its maximum.
    ExcessiveNonPagedPool,
    /// Paged pool usage above 95% of its maximum.
    ExcessivePagedPool,
    /// Pool allocations failed.
    PoolAllocationsFailed(u64),
    /// Committed pages within 100 of the limit.
    CommitNearLimit,
    /// Commit requests failed.
    CommitRequestsFailed(u64),
}

impl VmWarning {
    /// WinDbg's text for the warning.
    pub fn text(&self) -> String {
        match self {
            VmWarning::ExcessiveNonPagedPool => {
                "********** Excessive NonPaged Pool Usage *****".to_string()
            }
            VmWarning::ExcessivePagedPool => {
                "********** Excessive Paged Pool Usage *****".to_string()
            }
            VmWarning::PoolAllocationsFailed(n) => {
                format!("********** {n} pool allocations have failed **********")
            }
            VmWarning::CommitNearLimit => {
                "********** Number of committed pages is near limit ********".to_string()
            }
            VmWarning::CommitRequestsFailed(n) => {
                format!("********** {n} commit requests have failed  **********")
            }
        }
    }
}

/// One item of the `!vm` output, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VmItem {
    /// A value line.
    Line(VmLine),
    /// A warning.
    Warning(VmWarning),
    /// A paging file's block (sizes in kilobytes when printed).
    PageFile(PagingFile),
}

/// The `!vm` summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VmSummary {
    /// Lines and warnings in WinDbg's order.
    pub items: Vec<VmItem>,
    /// Kilobytes per page (for the paging files' sizes).
    pub kb_per_page: u64,
}

impl VmSummary {
    /// Compute the summary.
    pub fn compute(i: &VmInputs) -> VmSummary {
        let page = if i.page_size == 0 { 4096 } else { i.page_size };
        let kb_per_page = (page / 1024).max(1);
        let mut items = Vec::new();
        let line = |label: &str, v: Option<u64>, items: &mut Vec<VmItem>| {
            if let Some(p) = v {
                items.push(VmItem::Line(VmLine {
                    label: label.to_string(),
                    pages: p,
                    kb: p.saturating_mul(kb_per_page),
                }));
            }
        };
        line("Physical Memory:", i.physical_pages, &mut items);
        for p in &i.paging_files {
            items.push(VmItem::PageFile(p.clone()));
        }
        line("Available Pages:", i.available_pages, &mut items);
        line("ResAvail Pages:", i.resident_available_pages, &mut items);
        line("Locked IO Pages:", i.locked_io_pages, &mut items);
        line("Free System PTEs:", i.free_system_ptes, &mut items);
        line("Free NP PTEs:", i.free_np_ptes, &mut items);
        line("Modified Pages:", i.modified_pages, &mut items);
        line("Modified PF Pages:", i.modified_pf_pages, &mut items);
        line("NonPagedPool Usage:", i.non_paged_pool_usage, &mut items);
        line(
            "NonPagedPoolNx Usage:",
            i.non_paged_pool_nx_usage,
            &mut items,
        );
        line("NonPagedPool Max:", i.non_paged_pool_max, &mut items);
        if let (Some(u), Some(m)) = (i.non_paged_pool_usage, i.non_paged_pool_max)
            && u > (m / 5).saturating_mul(4)
        {
            items.push(VmItem::Warning(VmWarning::ExcessiveNonPagedPool));
        }
        for (n, u) in i.paged_pool_usage_each.iter().enumerate() {
            line(&format!("PagedPool {n} Usage:"), Some(*u), &mut items);
        }
        let paged = i.paged_pool_usage.or_else(|| {
            (!i.paged_pool_usage_each.is_empty()).then(|| {
                i.paged_pool_usage_each
                    .iter()
                    .fold(0u64, |a, b| a.saturating_add(*b))
            })
        });
        line("PagedPool Usage:", paged, &mut items);
        line("PagedPool Maximum:", i.paged_pool_max, &mut items);
        if let (Some(u), Some(m)) = (paged, i.paged_pool_max)
            && u > (m / 100).saturating_mul(95)
        {
            items.push(VmItem::Warning(VmWarning::ExcessivePagedPool));
        }
        if let Some(n) = i.pool_allocation_failures.filter(|n| *n != 0) {
            items.push(VmItem::Warning(VmWarning::PoolAllocationsFailed(n)));
        }
        line("Shared Commit:", i.shared_commit, &mut items);
        line("Special Pool:", i.special_pool, &mut items);
        line("Shared Process:", i.shared_process, &mut items);
        line("PagedPool Commit:", i.paged_pool_commit, &mut items);
        line("Driver Commit:", i.driver_commit, &mut items);
        line("Committed pages:", i.committed_pages, &mut items);
        line("Commit limit:", i.commit_limit, &mut items);
        if let (Some(c), Some(l)) = (i.committed_pages, i.commit_limit)
            && c.saturating_add(100) > l
        {
            items.push(VmItem::Warning(VmWarning::CommitNearLimit));
        }
        if let Some(n) = i.commit_failures.filter(|n| *n != 0) {
            items.push(VmItem::Warning(VmWarning::CommitRequestsFailed(n)));
        }
        VmSummary { items, kb_per_page }
    }

    /// The warnings.
    pub fn warnings(&self) -> Vec<&VmWarning> {
        self.items
            .iter()
            .filter_map(|i| match i {
                VmItem::Warning(w) => Some(w),
                VmItem::Line(_) | VmItem::PageFile(_) => None,
            })
            .collect()
    }

    /// WinDbg-style text: `Label:   pages (   kb Kb)`, values right-aligned to column 28.
    pub fn to_text(&self) -> String {
        let mut s = String::from("*** Virtual Memory Usage ***\n");
        for i in &self.items {
            match i {
                VmItem::Line(l) => {
                    let w = 28usize.saturating_sub(l.label.len()).max(1);
                    let _ = writeln!(s, "{}{:>w$} ({:>10} Kb)", l.label, l.pages, l.kb);
                }
                VmItem::Warning(w) => {
                    let _ = writeln!(s, "{}", w.text());
                }
                VmItem::PageFile(p) => {
                    let kb = |pages: u64| pages.saturating_mul(self.kb_per_page);
                    let _ = writeln!(s, "Page File: {}", p.name);
                    let _ = writeln!(
                        s,
                        "   Current:{:>10} Kb  Free Space:{:>10} Kb",
                        kb(p.current),
                        kb(p.free)
                    );
                    let _ = writeln!(
                        s,
                        "   Minimum:{:>10} Kb  Maximum:{:>13} Kb",
                        kb(p.minimum),
                        kb(p.maximum)
                    );
                }
            }
        }
        s
    }
}

impl VmInputs {
    /// The inputs read from the kernel's globals by symbol (RVAs from its PDB or ISF, plus the
    /// kernel base): `MmNumberOfPhysicalPages`, `MmAvailablePages`, `MmResidentAvailablePages`,
    /// `MmAllocatedNonPagedPool`, `MmMaximumNonPagedPoolInBytes`, `MmSizeOfPagedPoolInBytes`,
    /// `MmSharedCommit`, `MmProcessCommit`, `MmPagedPoolCommit`, `MmDriverCommit`,
    /// `MmTotalCommittedPages`, `MmTotalCommitLimit`, `ExPoolFailures`. These globals exist up
    /// to Windows 8.1; from Windows 10 most moved into `MiSystemPartition` and stay `None` here.
    /// Pool usage comes from the pool descriptors (`ExpPagedPoolDescriptor[]`,
    /// `ExpNonPagedPoolDescriptor[]` or `PoolVector[0]`, `TotalPages + TotalBigPages`, as the
    /// Server 2003-era debugger extension computes it), non-paged falling back to
    /// `MmAllocatedNonPagedPool`.
    pub fn from_symbols<M: crate::memory::ReadMemory>(
        mem: &M,
        build: crate::layout::KernelBuild,
        kernel_base: u64,
        symbols: &crate::layout::KernelLayouts,
    ) -> VmInputs {
        let g = super::context::Globals {
            mem,
            base: kernel_base,
            syms: symbols,
            build,
        };
        let page = 4096u64;
        // Pool descriptors: `ExpPagedPoolDescriptor[0..=ExpNumberOfPagedPools]` (pointers), and
        // for non-paged pool the `ExpNonPagedPoolDescriptor[]` array when there are several, else
        // `PoolVector[0]`.
        let ps = build.arch.pointer_size();
        let desc_pages = |d: u64| -> Option<u64> {
            let l = super::PoolDescriptorLayout::for_build(build)?;
            let a = mem.read_u32(d.checked_add(l.total_pages?.off())?).ok()?;
            let b = mem
                .read_u32(d.checked_add(l.total_big_pages?.off())?)
                .ok()?;
            Some(u64::from(a).saturating_add(u64::from(b)))
        };
        let array = |name: &str, count: u64| -> Vec<u64> {
            let Some(base) = g.addr(name) else {
                return Vec::new();
            };
            (0..count.min(64))
                .map_while(|i| {
                    let d = mem
                        .read_ptr(base.checked_add(i.checked_mul(ps)?)?, build.pointer_width())
                        .ok()?;
                    desc_pages(d)
                })
                .collect()
        };
        let paged_each = g
            .u32("ExpNumberOfPagedPools")
            .map(|n| array("ExpPagedPoolDescriptor", n.saturating_add(1)))
            .unwrap_or_default();
        let np_pools = g.u32("ExpNumberOfNonPagedPools").unwrap_or(1);
        let np_usage = if np_pools > 1 {
            let v = array("ExpNonPagedPoolDescriptor", np_pools);
            (!v.is_empty()).then(|| v.iter().fold(0u64, |a, b| a.saturating_add(*b)))
        } else {
            g.ptr("PoolVector").and_then(desc_pages)
        };
        let np_usage = np_usage.or_else(|| {
            // KDBG names the single non-paged pool's descriptor itself.
            g.addr("NonPagedPoolDescriptor").and_then(desc_pages)
        });
        let width = u32::try_from(ps).unwrap_or(8);
        let read_sized = |addr: u64, size: u32| -> Option<u64> {
            match size {
                4 => mem.read_u32(addr).ok().map(u64::from),
                8 => mem.read_u64(addr).ok(),
                _ => None,
            }
        };
        let field = |base: u64, fld: Option<crate::layout::Field>| -> Option<u64> {
            let fld = fld?;
            read_sized(base.checked_add(fld.off())?, fld.size)
        };
        let modified_pages = g.addr("MmModifiedPageListHead").and_then(|a| {
            let l = super::MmPfnListLayout::from_layouts(symbols)
                .unwrap_or_else(|| super::MmPfnListLayout::for_build(build));
            field(a, l.total)
        });
        let free_ptes = |i: u64| {
            g.addr("MmTotalFreeSystemPtes")
                .and_then(|a| a.checked_add(i.checked_mul(4)?))
                .and_then(|a| mem.read_u32(a).ok())
                .map(u64::from)
        };
        let free_system_ptes = g
            .addr("MiSystemPteInfo")
            .and_then(|a| {
                let l = super::MiSystemPteTypeLayout::from_layouts(symbols)
                    .or_else(|| super::MiSystemPteTypeLayout::for_build(build))?;
                field(a, l.total_free_system_ptes)
            })
            .or_else(|| free_ptes(0));
        let paging_files = (|| -> Option<Vec<PagingFile>> {
            let l = super::MmPagingFileLayout::from_layouts(symbols)
                .or_else(|| super::MmPagingFileLayout::for_build(build))?;
            let n = g.u32("MmNumberOfPagingFiles")?.min(16);
            let array = g.addr("MmPagingFile")?;
            let mut out = Vec::new();
            for i in 0..n {
                let p = mem
                    .read_ptr(
                        array.checked_add(i.checked_mul(ps)?)?,
                        build.pointer_width(),
                    )
                    .ok()?;
                if p == 0 {
                    continue;
                }
                let name = l
                    .page_file_name
                    .and_then(|f| p.checked_add(f.off()))
                    .and_then(|a| unicode_string(mem, a, width, build.pointer_width()))
                    .unwrap_or_default();
                out.push(PagingFile {
                    name,
                    current: field(p, l.size_pages)?,
                    free: field(p, l.free_space)?,
                    minimum: field(p, l.minimum_size)?,
                    maximum: field(p, l.maximum_size)?,
                });
            }
            Some(out)
        })()
        .unwrap_or_default();
        VmInputs {
            paged_pool_usage_each: paged_each,
            page_size: page,
            physical_pages: g.ptr("MmNumberOfPhysicalPages"),
            available_pages: g.ptr("MmAvailablePages"),
            resident_available_pages: g.ptr("MmResidentAvailablePages"),
            non_paged_pool_usage: np_usage.or_else(|| g.ptr("MmAllocatedNonPagedPool")),
            paging_files,
            locked_io_pages: g.u32("MmSystemLockPagesCount"),
            free_system_ptes,
            free_np_ptes: free_ptes(1).filter(|_| g.addr("MiSystemPteInfo").is_none()),
            modified_pages,
            modified_pf_pages: g.ptr("MmTotalPagesForPagingFile"),
            special_pool: g.ptr("MmSpecialPagesInUse"),
            non_paged_pool_max: g.ptr("MmMaximumNonPagedPoolInBytes").map(|b| b / page),
            paged_pool_max: g.ptr("MmSizeOfPagedPoolInBytes").map(|b| b / page),
            shared_commit: g.ptr("MmSharedCommit"),
            shared_process: g.ptr("MmProcessCommit"),
            paged_pool_commit: g.ptr("MmPagedPoolCommit"),
            driver_commit: g.ptr("MmDriverCommit"),
            committed_pages: g.ptr("MmTotalCommittedPages"),
            commit_limit: g.ptr("MmTotalCommitLimit"),
            pool_allocation_failures: g.u32("ExPoolFailures"),
            ..VmInputs::default()
        }
    }
}

/// A `_UNICODE_STRING` at `addr` (Length u16, then the buffer pointer at 4 or 8), at most 512
/// characters; `None` when it cannot be read.
fn unicode_string<M: crate::memory::ReadMemory>(
    mem: &M,
    addr: u64,
    width: u32,
    pw: crate::memory::PointerWidth,
) -> Option<String> {
    let mut len = [0u8; 2];
    mem.read(addr, &mut len).ok()?;
    let len = usize::from(u16::from_le_bytes(len) & !1).min(1024);
    let buf = mem.read_ptr(addr.checked_add(u64::from(width))?, pw).ok()?;
    let mut bytes = vec![0u8; len];
    mem.read(buf, &mut bytes).ok()?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes(<[u8; 2]>::try_from(c).unwrap_or([0, 0])))
        .collect();
    Some(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_leak_server_lines() {
        // The numbers of the non-paged pool exhaustion by thread objects on an x86 server.
        let i = VmInputs {
            physical_pages: Some(1_048_352),
            non_paged_pool_usage: Some(65_244),
            non_paged_pool_max: Some(65_503),
            paged_pool_usage_each: vec![6576, 629, 624, 608, 625],
            paged_pool_max: Some(66_560),
            pool_allocation_failures: Some(184),
            committed_pages: Some(425_816),
            commit_limit: Some(2_052_560),
            ..VmInputs::default()
        };
        let v = VmSummary::compute(&i);
        let t = v.to_text();
        assert!(
            t.contains("Physical Memory:     1048352 (   4193408 Kb)\n"),
            "{t}"
        );
        assert!(t.contains("NonPagedPool Usage:    65244 (    260976 Kb)\n********** Excessive NonPaged Pool Usage *****\n") || t.contains("NonPagedPool Max:      65503 (    262012 Kb)\n********** Excessive NonPaged Pool Usage *****\n"), "{t}");
        assert!(
            t.contains("PagedPool 0 Usage:      6576 (     26304 Kb)\n"),
            "{t}"
        );
        assert!(
            t.contains("PagedPool Usage:        9062 (     36248 Kb)\n"),
            "{t}"
        );
        assert!(t.contains("********** 184 pool allocations have failed **********"));
        assert_eq!(v.warnings().len(), 2);
    }

    #[test]
    fn paging_file_block_follows_physical_memory_as_windbg_prints_it() {
        let i = VmInputs {
            physical_pages: Some(1_048_352),
            paging_files: vec![PagingFile {
                name: r"\??\C:\pagefile.sys".to_string(),
                current: 1_047_552,
                free: 937_433,
                minimum: 1_047_552,
                maximum: 1_047_552,
            }],
            available_pages: Some(697_734),
            free_np_ptes: Some(105),
            modified_pf_pages: Some(195),
            ..VmInputs::default()
        };
        let t = VmSummary::compute(&i).to_text();
        assert_eq!(
            t,
            "*** Virtual Memory Usage ***\n\
             Physical Memory:     1048352 (   4193408 Kb)\n\
             Page File: \\??\\C:\\pagefile.sys\n\
             \x20  Current:   4190208 Kb  Free Space:   3749732 Kb\n\
             \x20  Minimum:   4190208 Kb  Maximum:      4190208 Kb\n\
             Available Pages:      697734 (   2790936 Kb)\n\
             Free NP PTEs:            105 (       420 Kb)\n\
             Modified PF Pages:       195 (       780 Kb)\n"
        );
    }
}
