//! `_POOL_TRACKER_BIG_PAGES`: one entry of `PoolBigPageTable` (allocations of a page or more,
//! which have no `_POOL_HEADER`).

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// Where the fields of `_POOL_TRACKER_BIG_PAGES` are for one build.
    pub struct PoolTrackerBigPagesLayout = "_POOL_TRACKER_BIG_PAGES" {
        /// `Va` (bit 0 set: free entry).
        va: "Va",
        /// `Key`: the tag.
        key: "Key",
        /// `PoolType` (Windows 10+: a 12-bit field at bit 8 of this ULONG).
        pool_type: "PoolType",
        /// `NumberOfBytes` (Vista+).
        number_of_bytes: "NumberOfBytes",
        /// `NumberOfPages` (XP/2003).
        number_of_pages: "NumberOfPages",
        /// `ProcessBilled` (20348+ x64).
        process_billed: "ProcessBilled",
    }
}

impl PoolTrackerBigPagesLayout {
    /// The layout for a build.
    pub fn for_build(b: KernelBuild) -> PoolTrackerBigPagesLayout {
        let mut l = PoolTrackerBigPagesLayout::EMPTY;
        match b.arch {
            Arch::X64 => {
                l.va = f(0, 8);
                l.key = f(8, 4);
                if b.build < 6000 {
                    l.size = 0x10;
                    l.number_of_pages = f(0xc, 4);
                } else {
                    l.size = if b.build >= 20348 { 0x20 } else { 0x18 };
                    l.pool_type = f(0xc, 4);
                    l.number_of_bytes = f(0x10, 8);
                    if b.build >= 20348 {
                        l.process_billed = f(0x18, 8);
                    }
                }
            }
            Arch::X86 => {
                l.va = f(0, 4);
                l.key = f(4, 4);
                if b.build < 6000 {
                    l.size = 0xc;
                    l.number_of_pages = f(8, 4);
                } else {
                    l.size = 0x10;
                    l.pool_type = f(8, 4);
                    l.number_of_bytes = f(0xc, 4);
                }
            }
        }
        l
    }
    /// Whether the `PoolType` ULONG is the Windows 10 bitfield (`Pattern:8 PoolType:12
    /// SlushSize:12`) rather than a plain `POOL_TYPE`.
    pub fn pool_type_is_bitfield(b: KernelBuild) -> bool {
        b.build >= 10240
    }
}
