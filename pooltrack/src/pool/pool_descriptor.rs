//! `_POOL_DESCRIPTOR`: one pool's page counters (`nt!ExpPagedPoolDescriptor[i]`,
//! `nt!ExpNonPagedPoolDescriptor[i]`, `nt!PoolVector[0]`), what `!vm` prints as "PagedPool N
//! Usage" and "NonPagedPool Usage" up to Windows 10 1803.

use crate::layout::{KernelBuild, f, layout_table};

layout_table! {
    /// Where the page counters of `_POOL_DESCRIPTOR` are for one build.
    pub struct PoolDescriptorLayout = "_POOL_DESCRIPTOR" {
        /// `TotalPages`: pages of small-block pool.
        total_pages: "TotalPages",
        /// `TotalBigPages`: pages of big allocations.
        total_big_pages: "TotalBigPages",
    }
}

impl PoolDescriptorLayout {
    /// The layout for a build: XP/2003 `TotalPages`@0x10, `TotalBigPages`@0x14; Vista to
    /// Windows 10 1803 `TotalBigPages`@0x48, `TotalPages`@0xc0 (x86 and x64 alike); `None` from
    /// 1809 (segment-heap pool has no such descriptors).
    pub fn for_build(b: KernelBuild) -> Option<PoolDescriptorLayout> {
        if b.build >= 17763 {
            return None;
        }
        Some(if b.build < 6000 {
            PoolDescriptorLayout {
                size: 0,
                total_pages: f(0x10, 4),
                total_big_pages: f(0x14, 4),
            }
        } else {
            PoolDescriptorLayout {
                size: if matches!(b.build, 7600 | 7601 | 9600) {
                    0x1140
                } else {
                    0
                },
                total_pages: f(0xc0, 4),
                total_big_pages: f(0x48, 4),
            }
        })
    }
}
