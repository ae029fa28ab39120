#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod heap;
pub mod layout;
pub mod lfh;
mod limits;
pub mod memory;
pub mod raw;
pub mod report;

#[cfg(feature = "pdb")]
pub mod pdb_layout;
#[cfg(feature = "synth")]
pub mod synth;

pub use error::{Error, HeapKind};
pub use heap::{
    Counters, Entry, EntryFlags, EntryState, Finding, FindingKind, FreeList, FrontEndType, Heap,
    HeapFlags, HeapWalk, LayoutChoice, Segment, SegmentEntries, SegmentWalk, UncommittedRange,
    VirtualBlock, WalkItem,
};
pub use layout::{HeapLayout, PointerWidth, Release};
pub use lfh::LfhBlocks;
pub use limits::Limits;
pub use memory::{FnMemory, MemoryError, ReadFn, ReadMemory, SliceMemory};
