//! `_VF_TARGET_VERIFIED_DRIVER_DATA` (Vista+): one verified driver's pool counters and the
//! pages of its tracked allocations; reached from `nt!ViTargetDriversAvl` nodes
//! (`_VF_TARGET_DRIVER.VerifiedData`).

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_VF_TARGET_VERIFIED_DRIVER_DATA` are for one build.
    pub struct VfTargetVerifiedDriverDataLayout = "_VF_TARGET_VERIFIED_DRIVER_DATA" {
        /// `SuspectDriverEntry`: back to the `_VF_SUSPECT_DRIVER_ENTRY`.
        suspect_driver_entry: "SuspectDriverEntry",
        /// `PoolPageHeaders` (SLIST_HEADER of `_VI_POOL_PAGE_HEADER` pages).
        pool_page_headers: "PoolPageHeaders",
        /// `PoolTrackers` (SLIST_HEADER).
        pool_trackers: "PoolTrackers",
        /// `CurrentPagedPoolAllocations`.
        current_paged_pool_allocations: "CurrentPagedPoolAllocations",
        /// `CurrentNonPagedPoolAllocations`.
        current_non_paged_pool_allocations: "CurrentNonPagedPoolAllocations",
        /// `PeakPagedPoolAllocations`.
        peak_paged_pool_allocations: "PeakPagedPoolAllocations",
        /// `PeakNonPagedPoolAllocations`.
        peak_non_paged_pool_allocations: "PeakNonPagedPoolAllocations",
        /// `PagedBytes`.
        paged_bytes: "PagedBytes",
        /// `NonPagedBytes`.
        non_paged_bytes: "NonPagedBytes",
        /// `PeakPagedBytes`.
        peak_paged_bytes: "PeakPagedBytes",
        /// `PeakNonPagedBytes`.
        peak_non_paged_bytes: "PeakNonPagedBytes",
        /// `ContiguousMemoryBytes`.
        contiguous_memory_bytes: "ContiguousMemoryBytes",
        /// `PeakContiguousMemoryBytes`.
        peak_contiguous_memory_bytes: "PeakContiguousMemoryBytes",
    }
}

impl VfTargetVerifiedDriverDataLayout {
    /// The layout for a build. x86: Windows 7 (PDB), 8.1 assumed the same; x64: 7601/9600
    /// (PDB), 10240–19045 as 19041 (research notes, not checked against a PDB here), 20348+ as
    /// 22000 (PDB).
    pub fn for_build(b: KernelBuild) -> VfTargetVerifiedDriverDataLayout {
        match b.arch {
            Arch::X86 => VfTargetVerifiedDriverDataLayout {
                size: if matches!(b.build, 7600 | 7601) {
                    0x90
                } else {
                    0
                },
                suspect_driver_entry: f(0, 4),
                pool_page_headers: f(0x18, 8),
                pool_trackers: f(0x20, 8),
                current_paged_pool_allocations: f(0x28, 4),
                current_non_paged_pool_allocations: f(0x2c, 4),
                peak_paged_pool_allocations: f(0x30, 4),
                peak_non_paged_pool_allocations: f(0x34, 4),
                paged_bytes: f(0x38, 4),
                non_paged_bytes: f(0x3c, 4),
                peak_paged_bytes: f(0x40, 4),
                peak_non_paged_bytes: f(0x44, 4),
                contiguous_memory_bytes: f(0x80, 4),
                peak_contiguous_memory_bytes: f(0x84, 4),
            },
            Arch::X64 if b.build <= 9600 => VfTargetVerifiedDriverDataLayout {
                size: 0x100,
                suspect_driver_entry: f(0, 8),
                pool_page_headers: f(0x30, 0x10),
                pool_trackers: f(0x40, 0x10),
                current_paged_pool_allocations: f(0x50, 4),
                current_non_paged_pool_allocations: f(0x54, 4),
                peak_paged_pool_allocations: f(0x58, 4),
                peak_non_paged_pool_allocations: f(0x5c, 4),
                paged_bytes: f(0x60, 8),
                non_paged_bytes: f(0x68, 8),
                peak_paged_bytes: f(0x70, 8),
                peak_non_paged_bytes: f(0x78, 8),
                contiguous_memory_bytes: f(0xd8, 8),
                peak_contiguous_memory_bytes: f(0xe0, 8),
            },
            Arch::X64 if b.build < 20348 => VfTargetVerifiedDriverDataLayout {
                size: 0,
                suspect_driver_entry: f(0, 8),
                pool_page_headers: f(0x40, 0x10),
                pool_trackers: f(0x50, 0x10),
                current_paged_pool_allocations: f(0x68, 4),
                current_non_paged_pool_allocations: f(0x6c, 4),
                peak_paged_pool_allocations: f(0x70, 4),
                peak_non_paged_pool_allocations: f(0x74, 4),
                paged_bytes: f(0x78, 8),
                non_paged_bytes: f(0x80, 8),
                peak_paged_bytes: f(0x88, 8),
                peak_non_paged_bytes: f(0x90, 8),
                contiguous_memory_bytes: f(0xf0, 8),
                peak_contiguous_memory_bytes: f(0xf8, 8),
            },
            Arch::X64 => VfTargetVerifiedDriverDataLayout {
                size: 0x130,
                suspect_driver_entry: f(0, 8),
                pool_page_headers: f(0x40, 0x10),
                pool_trackers: f(0x50, 0x10),
                current_paged_pool_allocations: f(0x70, 4),
                current_non_paged_pool_allocations: f(0x74, 4),
                peak_paged_pool_allocations: f(0x78, 4),
                peak_non_paged_pool_allocations: f(0x7c, 4),
                paged_bytes: f(0x80, 8),
                non_paged_bytes: f(0x88, 8),
                peak_paged_bytes: f(0x90, 8),
                peak_non_paged_bytes: f(0x98, 8),
                contiguous_memory_bytes: f(0xf8, 8),
                peak_contiguous_memory_bytes: f(0x100, 8),
            },
        }
    }
}
