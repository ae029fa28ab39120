//! `_POOL_TRACKER_TABLE`: one tag's allocation counters in `PoolTrackTable` and the per-processor
//! `ExPoolTagTables[]` (the data behind `!poolused` and PoolMon).

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_POOL_TRACKER_TABLE` are for one build.
    pub struct PoolTrackerTableLayout = "_POOL_TRACKER_TABLE" {
        /// `Key`: the tag.
        key: "Key",
        /// `NonPagedAllocs`.
        non_paged_allocs: "NonPagedAllocs",
        /// `NonPagedFrees`.
        non_paged_frees: "NonPagedFrees",
        /// `NonPagedBytes`.
        non_paged_bytes: "NonPagedBytes",
        /// `PagedAllocs`.
        paged_allocs: "PagedAllocs",
        /// `PagedFrees`.
        paged_frees: "PagedFrees",
        /// `PagedBytes`.
        paged_bytes: "PagedBytes",
    }
}

impl PoolTrackerTableLayout {
    /// The layout for a build (x64 ≤ 15063: 0x28; 16299–19045: 0x38; 20348+: 0x50. x86 up to
    /// 15063: 0x1c; 16299–21291: 0x30; 21292+: 0x40).
    pub fn for_build(b: KernelBuild) -> PoolTrackerTableLayout {
        match b.arch {
            Arch::X64 if b.build <= 15063 => PoolTrackerTableLayout {
                size: 0x28,
                key: f(0, 4),
                non_paged_allocs: f(4, 4),
                non_paged_frees: f(8, 4),
                non_paged_bytes: f(0x10, 8),
                paged_allocs: f(0x18, 4),
                paged_frees: f(0x1c, 4),
                paged_bytes: f(0x20, 8),
            },
            Arch::X64 => PoolTrackerTableLayout {
                size: if b.build >= 20348 { 0x50 } else { 0x38 },
                key: f(0, 4),
                non_paged_bytes: f(8, 8),
                non_paged_allocs: f(0x10, 8),
                non_paged_frees: f(0x18, 8),
                paged_bytes: f(0x20, 8),
                paged_allocs: f(0x28, 8),
                paged_frees: f(0x30, 8),
            },
            Arch::X86 if b.build <= 15063 => PoolTrackerTableLayout {
                size: 0x1c,
                key: f(0, 4),
                non_paged_allocs: f(4, 4),
                non_paged_frees: f(8, 4),
                non_paged_bytes: f(0xc, 4),
                paged_allocs: f(0x10, 4),
                paged_frees: f(0x14, 4),
                paged_bytes: f(0x18, 4),
            },
            Arch::X86 => PoolTrackerTableLayout {
                size: if b.build >= 21292 { 0x40 } else { 0x30 },
                key: f(0, 4),
                non_paged_bytes: f(4, 4),
                non_paged_allocs: f(8, 8),
                non_paged_frees: f(0x10, 8),
                paged_bytes: f(0x18, 4),
                paged_allocs: f(0x20, 8),
                paged_frees: f(0x28, 8),
            },
        }
    }
}
