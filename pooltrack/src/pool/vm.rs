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
    /// Locked I/O pages.
    pub locked_io_pages: Option<u64>,
    /// Free system PTEs.
    pub free_system_ptes: Option<u64>,
    /// `MmModifiedPageListHead.Total`.
    pub modified_pages: Option<u64>,
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
pub enum VmItem {
    /// A value line.
    Line(VmLine),
    /// A warning.
    Warning(VmWarning),
}

/// The `!vm` summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VmSummary {
    /// Lines and warnings in WinDbg's order.
    pub items: Vec<VmItem>,
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
        line("Available Pages:", i.available_pages, &mut items);
        line("ResAvail Pages:", i.resident_available_pages, &mut items);
        line("Locked IO Pages:", i.locked_io_pages, &mut items);
        line("Free System PTEs:", i.free_system_ptes, &mut items);
        line("Modified Pages:", i.modified_pages, &mut items);
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
        VmSummary { items }
    }

    /// The warnings.
    pub fn warnings(&self) -> Vec<&VmWarning> {
        self.items
            .iter()
            .filter_map(|i| match i {
                VmItem::Warning(w) => Some(w),
                VmItem::Line(_) => None,
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
    /// Per-pool paged usage (`ExpPagedPoolDescriptor`) is left to the caller.
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
        VmInputs {
            page_size: page,
            physical_pages: g.ptr("MmNumberOfPhysicalPages"),
            available_pages: g.ptr("MmAvailablePages"),
            resident_available_pages: g.ptr("MmResidentAvailablePages"),
            non_paged_pool_usage: g.ptr("MmAllocatedNonPagedPool"),
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
}
