//! Kernel pool: headers, tracker tables, big pages, pool pages, tags, Driver Verifier, `!vm`.

mod pool_header;
mod pool_tracker_big_pages;
mod pool_tracker_table;

pub use pool_header::{PoolHeader, PoolHeaderLayout, pool_unit};
pub use pool_tracker_big_pages::PoolTrackerBigPagesLayout;
pub use pool_tracker_table::PoolTrackerTableLayout;

use crate::layout::{KernelBuild, KernelLayouts};

/// Every built-in pool-side table for a build, as a [`KernelLayouts`] (for comparison with a PDB
/// and for `dumpscope layout --kernel --json`).
pub fn pool_layouts(b: KernelBuild) -> KernelLayouts {
    let mut l = KernelLayouts::new();
    l.arch = Some(b.arch);
    l.insert(PoolHeaderLayout::for_build(b).type_layout());
    l.insert(PoolTrackerTableLayout::for_build(b).type_layout());
    l.insert(PoolTrackerBigPagesLayout::for_build(b).type_layout());
    l
}
