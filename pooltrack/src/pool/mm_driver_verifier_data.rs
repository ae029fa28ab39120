//! `_MM_DRIVER_VERIFIER_DATA` (`nt!MmVerifierData`): Driver Verifier's global statistics.

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_MM_DRIVER_VERIFIER_DATA` are for one build.
    pub struct MmDriverVerifierDataLayout = "_MM_DRIVER_VERIFIER_DATA" {
        /// `Level`: the verifier flags.
        level: "Level",
        /// `RaiseIrqls`.
        raise_irqls: "RaiseIrqls",
        /// `AcquireSpinLocks`.
        acquire_spin_locks: "AcquireSpinLocks",
        /// `SynchronizeExecutions`.
        synchronize_executions: "SynchronizeExecutions",
        /// `AllocationsAttempted`.
        allocations_attempted: "AllocationsAttempted",
        /// `AllocationsSucceeded`.
        allocations_succeeded: "AllocationsSucceeded",
        /// `AllocationsSucceededSpecialPool`.
        allocations_succeeded_special_pool: "AllocationsSucceededSpecialPool",
        /// `AllocationsWithNoTag`.
        allocations_with_no_tag: "AllocationsWithNoTag",
        /// `TrimRequests`.
        trim_requests: "TrimRequests",
        /// `Trims`.
        trims: "Trims",
        /// `AllocationsFailed`.
        allocations_failed: "AllocationsFailed",
        /// `AllocationsFailedDeliberately`.
        allocations_failed_deliberately: "AllocationsFailedDeliberately",
        /// `Loads`.
        loads: "Loads",
        /// `Unloads`.
        unloads: "Unloads",
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
    }
}

impl MmDriverVerifierDataLayout {
    /// The layout for a build: x86 all ULONG (XP, 7; 8.1 assumed the same); x64 up to 19041
    /// with u64 byte counters from 0x50; x64 20348+ with `AllocationFreed` inserted at 0x30.
    pub fn for_build(b: KernelBuild) -> MmDriverVerifierDataLayout {
        let mut l = MmDriverVerifierDataLayout {
            size: 0,
            level: f(0, 4),
            raise_irqls: f(4, 4),
            acquire_spin_locks: f(8, 4),
            synchronize_executions: f(0xc, 4),
            allocations_attempted: f(0x10, 4),
            allocations_succeeded: f(0x14, 4),
            allocations_succeeded_special_pool: f(0x18, 4),
            allocations_with_no_tag: f(0x1c, 4),
            trim_requests: f(0x20, 4),
            trims: f(0x24, 4),
            allocations_failed: f(0x28, 4),
            allocations_failed_deliberately: f(0x2c, 4),
            loads: f(0x30, 4),
            unloads: f(0x34, 4),
            current_paged_pool_allocations: f(0x40, 4),
            current_non_paged_pool_allocations: f(0x44, 4),
            peak_paged_pool_allocations: f(0x48, 4),
            peak_non_paged_pool_allocations: f(0x4c, 4),
            paged_bytes: f(0x50, 4),
            non_paged_bytes: f(0x54, 4),
            peak_paged_bytes: f(0x58, 4),
            peak_non_paged_bytes: f(0x5c, 4),
        };
        match b.arch {
            Arch::X86 => {
                l.size = match b.build {
                    2600 => 0x70,
                    7600 | 7601 => 0x84,
                    _ => 0,
                };
            }
            Arch::X64 if b.build < 20348 => {
                l.size = match b.build {
                    7600 | 7601 | 9600 => 0xa0,
                    19041..=19045 => 0xa8,
                    _ => 0,
                };
                l.paged_bytes = f(0x50, 8);
                l.non_paged_bytes = f(0x58, 8);
                l.peak_paged_bytes = f(0x60, 8);
                l.peak_non_paged_bytes = f(0x68, 8);
            }
            Arch::X64 => {
                l.size = 0xb0;
                l.loads = f(0x34, 4);
                l.unloads = f(0x38, 4);
                l.current_paged_pool_allocations = f(0x44, 4);
                l.current_non_paged_pool_allocations = f(0x48, 4);
                l.peak_paged_pool_allocations = f(0x4c, 4);
                l.peak_non_paged_pool_allocations = f(0x50, 4);
                l.paged_bytes = f(0x58, 8);
                l.non_paged_bytes = f(0x60, 8);
                l.peak_paged_bytes = f(0x68, 8);
                l.peak_non_paged_bytes = f(0x70, 8);
            }
        }
        l
    }
}
