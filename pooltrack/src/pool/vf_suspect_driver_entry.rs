//! `_VF_SUSPECT_DRIVER_ENTRY` (`nt!VfSuspectDriversList`, Vista+) and its XP/2003 predecessor
//! `_MI_VERIFIER_DRIVER_ENTRY` (`nt!MiSuspectDriverList`): the drivers Driver Verifier is set to
//! verify.

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_VF_SUSPECT_DRIVER_ENTRY` are for one build.
    pub struct VfSuspectDriverEntryLayout = "_VF_SUSPECT_DRIVER_ENTRY" {
        /// `Links` (LIST_ENTRY).
        links: "Links",
        /// `Loads`.
        loads: "Loads",
        /// `Unloads`.
        unloads: "Unloads",
        /// `BaseName` (UNICODE_STRING).
        base_name: "BaseName",
    }
}

impl VfSuspectDriverEntryLayout {
    /// The layout for a build (Vista+).
    pub fn for_build(b: KernelBuild) -> VfSuspectDriverEntryLayout {
        match b.arch {
            Arch::X86 => VfSuspectDriverEntryLayout {
                size: 0x18,
                links: f(0, 8),
                loads: f(8, 4),
                unloads: f(0xc, 4),
                base_name: f(0x10, 8),
            },
            Arch::X64 => VfSuspectDriverEntryLayout {
                size: 0x28,
                links: f(0, 0x10),
                loads: f(0x10, 4),
                unloads: f(0x14, 4),
                base_name: f(0x18, 0x10),
            },
        }
    }
}

layout_table! {
    /// Where the fields of `_MI_VERIFIER_DRIVER_ENTRY` (XP/2003) are.
    pub struct MiVerifierDriverEntryLayout = "_MI_VERIFIER_DRIVER_ENTRY" {
        /// `Links`.
        links: "Links",
        /// `Loads`.
        loads: "Loads",
        /// `Unloads`.
        unloads: "Unloads",
        /// `BaseName`.
        base_name: "BaseName",
        /// `StartAddress`.
        start_address: "StartAddress",
        /// `EndAddress`.
        end_address: "EndAddress",
        /// `Flags` (bit 0: verifying directly).
        flags: "Flags",
        /// `PoolHash`: array of `_VI_POOL_ENTRY`.
        pool_hash: "PoolHash",
        /// `PoolHashSize`.
        pool_hash_size: "PoolHashSize",
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

impl MiVerifierDriverEntryLayout {
    /// The layout (XP/2003 x86 only; `None` elsewhere).
    pub fn for_build(b: KernelBuild) -> Option<MiVerifierDriverEntryLayout> {
        (b.arch == Arch::X86 && b.build < 6000).then_some(MiVerifierDriverEntryLayout {
            size: 0x60,
            links: f(0, 8),
            loads: f(8, 4),
            unloads: f(0xc, 4),
            base_name: f(0x10, 8),
            start_address: f(0x18, 4),
            end_address: f(0x1c, 4),
            flags: f(0x20, 4),
            pool_hash: f(0x30, 4),
            pool_hash_size: f(0x34, 4),
            current_paged_pool_allocations: f(0x40, 4),
            current_non_paged_pool_allocations: f(0x44, 4),
            peak_paged_pool_allocations: f(0x48, 4),
            peak_non_paged_pool_allocations: f(0x4c, 4),
            paged_bytes: f(0x50, 4),
            non_paged_bytes: f(0x54, 4),
            peak_paged_bytes: f(0x58, 4),
            peak_non_paged_bytes: f(0x5c, 4),
        })
    }
}
