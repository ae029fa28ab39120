#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod entry;
mod error;
mod finding;
mod free_list;
mod heap;
mod layout;
mod lfh;
mod light_page_heap;
mod limits;
mod list;
mod memory;
mod page_heap;
pub mod raw;
pub mod reachability;
pub mod report;
mod segment;
mod segment_heap;
mod segment_heap_keys;
mod segment_heap_layout;
mod segment_heap_walk;
mod ust;
mod virtual_alloc;
mod walk;

#[cfg(feature = "pdb")]
pub mod pdb_layout;
#[cfg(feature = "synth")]
pub mod synth;
#[cfg(feature = "synth")]
mod synth_light_page_heap;
#[cfg(feature = "synth")]
mod synth_page_heap;
#[cfg(feature = "synth")]
mod synth_segment_heap;

pub use entry::{Entry, EntryFlags, EntryState, SegmentEntries, WalkItem};
pub use error::{Error, HeapKind};
pub use finding::{Finding, FindingKind};
pub use free_list::FreeList;
pub use heap::{
    Counters, FrontEndType, HEAP_SIGNATURE, Heap, HeapFlags, LayoutChoice, PAGE_SIZE,
    SEGMENT_HEAP_SIGNATURE, SEGMENT_SIGNATURE, heap_kind_at,
};
pub use layout::{HeapLayout, PointerWidth, Release};
pub use lfh::{LfhBlocks, USERDATA_SIGNATURE};
pub use light_page_heap::{
    DPH_LIGHT_BUSY_END_STAMP, DPH_LIGHT_BUSY_START_STAMP, DPH_LIGHT_FREE_END_STAMP,
    DPH_LIGHT_FREE_START_STAMP, DPH_LIGHT_RECYCLED_END_STAMP, DPH_LIGHT_SUFFIX, LightCheck,
    LightPageHeap, LightPageHeapBlock, light_block, light_stack_trace,
};
pub use limits::Limits;
pub use memory::{FnMemory, MemoryError, ReadFn, ReadMemory, SliceMemory};
pub use page_heap::{
    DPH_BUSY_END_STAMP, DPH_BUSY_START_STAMP, DPH_FREE_END_STAMP, DPH_FREE_START_STAMP,
    DPH_HEAP_ROOT_SIGNATURE, PageHeap, PageHeapBlock, PageHeapLayout, page_heap_root_of,
    page_heap_roots,
};
pub use segment::{Segment, UncommittedRange};
pub use segment_heap::{LargeAllocation, SegmentHeap, SegmentHeapLayout};
pub use segment_heap_keys::{
    KeyReport, KeySource, LfhShift, PAGE_SEGMENT_CONSTANT, SegmentHeapKeys, VS_SUBSEGMENT_XOR,
    VsChunkSizes, lfh_block_offsets, page_segment_signature,
};
pub use segment_heap_walk::{
    PageRange, PageSegment, RangeKind, SegmentBlockKind, SegmentHeapBlock, SegmentHeapWalk,
};
pub use ust::MAX_TRACE_FRAMES;
pub use virtual_alloc::VirtualBlock;
pub use walk::{BlockSource, HeapWalk, SegmentWalk, WalkVisitor};
