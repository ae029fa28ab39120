#![doc = include_str!("../README.md")]

mod error;
mod layout;
mod limits;
mod memory;
mod object;
mod pool;

/// Synthetic kernel memory builders (feature `synth`) for tests, fuzzing, benches and demos.
#[cfg(feature = "synth")]
pub mod synth {
    pub use crate::pool::synth::*;
    pub use crate::pool::synth_segment::*;
}

pub use error::Error;
pub use layout::{
    Arch, Field, FieldLayout, KernelBuild, KernelLayouts, LayoutMismatch, MismatchKind,
    PdbIdentity, TypeLayout,
};
pub use limits::Limits;
pub use memory::{FnMemory, MemoryError, PointerWidth, ReadFn, ReadMemory, SliceMemory};
#[cfg(feature = "synth")]
pub use object::synth as object_synth;
pub use object::{
    CidEntry, CidIter, CidKind, HandleEntry, HandleEntryEncoding, HandleIter, HandleSummary,
    HandleTableLayout, KernelObjects, KernelSymbols, LayoutCheck, ObjectHeader, ObjectHeaderLayout,
    ObjectLayout, ObjectType, ObjectTypeLayout, OptionalHeaders, Process, ProcessIter,
    ProcessLayout, Thread, ThreadIter, ThreadLayout, ThreadStack, ThreadState, ThreadTextContext,
    TypeCount, TypeRef, TypeTable, WaitReason, object_layouts,
};
pub use pool::{
    BigPool, BigPoolEntry, CodeSection, DriverLoadState, DriverPoolCounters, FlagGroup,
    FoundBigPageTable, FoundTableSize, ImmediateUse, MiSystemPteTypeLayout,
    MiVerifierDriverEntryLayout, MmDriverVerifierDataLayout, MmPagingFileLayout, MmPfnListLayout,
    PAGE_SIZE, PROTECTED_BIT, PagingFile, Pool, PoolBlock, PoolContext, PoolDescriptorLayout,
    PoolFind, PoolFindHit, PoolHeader, PoolHeaderLayout, PoolKind, PoolPage, PoolPageKind, PoolTag,
    PoolTraceEntry, PoolTraceLog, PoolTrackerBigPagesLayout, PoolTrackerTableLayout, PoolUsage,
    PoolUsedFlags, PoolUsedSort, ScanProgress, SegmentHeapLayouts, Symbolize, TagCounts,
    TagDescriptions, TagInfo, TagReference, TagUsage, TrackedAllocation, TrackerTableRead,
    VerifiedDriver, VerifierFlag, VerifierStats, VfPoolTraceLayout, VfSuspectDriverEntryLayout,
    VfTargetVerifiedDriverDataLayout, ViPoolEntryInUseLayout, ViPoolPageHeaderLayout, VmInputs,
    VmItem, VmLine, VmSummary, VmWarning, find_big_page_table, find_tag_references,
    find_tag_tables, find_track_table_size, pool_layouts, pool_unit, verifier_flags,
    verifier_windbg_text, windbg_ptr,
};
pub use pool::{
    ExHeapPoolNodeLayout, ExPoolHeapManagerStateLayout, HeapLfhSubsegmentLayout,
    HeapPageRangeDescriptorLayout, HeapPageSegmentLayout, HeapSegContextLayout,
    HeapVsChunkHeaderLayout, HeapVsSubsegmentLayout, RtlpHpHeapGlobalsLayout,
    SEGMENT_HEAP_SIGNATURE, SegmentHeapLayout, VS_SUBSEGMENT_KEY, VsChunkSizes, encode_lfh_offsets,
    encode_page_segment_signature, page_segment_constant, page_segment_signature_matches,
    range_flags,
};
