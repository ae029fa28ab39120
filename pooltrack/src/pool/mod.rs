//! Kernel pool: headers, tracker tables, big pages, pool pages, tags, Driver Verifier, `!vm`.

mod bigpool;
mod context;
mod discover;
mod mm_driver_verifier_data;
mod owners;
mod pool_descriptor;
mod pool_header;
mod pool_page;
mod pool_tracker_big_pages;
mod pool_tracker_table;
mod pooltag;
mod render;
mod scan;
mod segment_heap;
mod segment_heap_layout;
#[cfg(feature = "synth")]
pub(crate) mod synth;
#[cfg(feature = "synth")]
pub(crate) mod synth_segment;
mod tag;
mod tracker;
mod tracker_sum;
mod verifier;
mod vf_pool_trace;
mod vf_suspect_driver_entry;
mod vf_target_verified_driver_data;
mod vi_pool_entry;
mod vm;
mod vm_layouts;

pub use bigpool::{BigPool, BigPoolEntry};
pub use context::{Pool, PoolContext};
pub use discover::{
    FoundBigPageTable, FoundTableSize, find_big_page_table, find_tag_tables, find_track_table_size,
};
pub use mm_driver_verifier_data::MmDriverVerifierDataLayout;
pub use owners::{CodeSection, ImmediateUse, TagReference, find_tag_references};
pub use pool_descriptor::PoolDescriptorLayout;
pub use pool_header::{PoolHeader, PoolHeaderLayout, pool_unit};
pub use pool_page::{PAGE_SIZE, PoolBlock, PoolPage, PoolPageKind};
pub use pool_tracker_big_pages::PoolTrackerBigPagesLayout;
pub use pool_tracker_table::PoolTrackerTableLayout;
pub use pooltag::{TagDescriptions, TagInfo};
pub use render::{Symbolize, verifier_windbg_text, windbg_ptr};
pub use scan::{PoolFind, PoolFindHit, ScanProgress};
pub use segment_heap::{
    SEGMENT_HEAP_SIGNATURE, VS_SUBSEGMENT_KEY, VsChunkSizes, encode_lfh_offsets,
    encode_page_segment_signature, page_segment_constant, page_segment_signature_matches,
    range_flags,
};
pub use segment_heap_layout::{
    ExHeapPoolNodeLayout, ExPoolHeapManagerStateLayout, HeapLfhSubsegmentLayout,
    HeapPageRangeDescriptorLayout, HeapPageSegmentLayout, HeapSegContextLayout,
    HeapVsChunkHeaderLayout, HeapVsSubsegmentLayout, RtlpHpHeapGlobalsLayout, SegmentHeapLayout,
    SegmentHeapLayouts,
};
pub use tag::{PROTECTED_BIT, PoolTag};
pub use tracker::{
    PoolKind, PoolUsage, PoolUsedFlags, PoolUsedSort, TagCounts, TagUsage, TrackerTableRead,
};
pub use verifier::{
    DriverLoadState, DriverPoolCounters, FlagGroup, PoolTraceEntry, PoolTraceLog,
    TrackedAllocation, VerifiedDriver, VerifierFlag, VerifierStats, verifier_flags,
};
pub use vf_pool_trace::VfPoolTraceLayout;
pub use vf_suspect_driver_entry::{MiVerifierDriverEntryLayout, VfSuspectDriverEntryLayout};
pub use vf_target_verified_driver_data::VfTargetVerifiedDriverDataLayout;
pub use vi_pool_entry::{ViPoolEntryInUseLayout, ViPoolPageHeaderLayout};
pub use vm::{PagingFile, VmInputs, VmItem, VmLine, VmSummary, VmWarning};
pub use vm_layouts::{MiSystemPteTypeLayout, MmPagingFileLayout, MmPfnListLayout};

use crate::layout::{KernelBuild, KernelLayouts};

/// Every built-in pool-side table for a build, as a [`KernelLayouts`] (for comparison with a PDB
/// and for `dumpscope layout --kernel --json`).
pub fn pool_layouts(b: KernelBuild) -> KernelLayouts {
    let mut l = KernelLayouts::new();
    l.arch = Some(b.arch);
    l.insert(PoolHeaderLayout::for_build(b).type_layout());
    l.insert(PoolTrackerTableLayout::for_build(b).type_layout());
    l.insert(PoolTrackerBigPagesLayout::for_build(b).type_layout());
    l.insert(MmDriverVerifierDataLayout::for_build(b).type_layout());
    l.insert(VfSuspectDriverEntryLayout::for_build(b).type_layout());
    if let Some(x) = MiVerifierDriverEntryLayout::for_build(b) {
        l.insert(x.type_layout());
    }
    if b.build >= 6000 {
        l.insert(VfTargetVerifiedDriverDataLayout::for_build(b).type_layout());
        l.insert(ViPoolPageHeaderLayout::for_build(b).type_layout());
        l.insert(VfPoolTraceLayout::for_build(b).type_layout());
    }
    l.insert(ViPoolEntryInUseLayout::for_build(b).type_layout());
    if let Some(x) = PoolDescriptorLayout::for_build(b) {
        l.insert(x.type_layout());
    }
    if let Some(x) = MmPagingFileLayout::for_build(b) {
        l.insert(x.type_layout());
    }
    if let Some(x) = MiSystemPteTypeLayout::for_build(b) {
        l.insert(x.type_layout());
    }
    l.insert(MmPfnListLayout::for_build(b).type_layout());
    if let Some(s) = SegmentHeapLayouts::for_build(b) {
        for t in s.type_layouts() {
            l.insert(t);
        }
    }
    l
}
