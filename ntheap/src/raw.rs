//! Raw, fixed-size NT heap structures as zerocopy little-endian types.
//!
//! These layouts are the same on every supported release (Windows 7 SP1 to Windows 11 24H2); the
//! `_HEAP` structure itself moves between releases and is described by
//! [`HeapLayout`](crate::HeapLayout) instead. Field names follow the ntdll PDB.

use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `_LIST_ENTRY` (x64).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ListEntry64 {
    /// Next link.
    pub flink: U64,
    /// Previous link.
    pub blink: U64,
}
const _: () = assert!(size_of::<ListEntry64>() == 0x10);

/// `_LIST_ENTRY` (x86).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct ListEntry32 {
    /// Next link.
    pub flink: U32,
    /// Previous link.
    pub blink: U32,
}
const _: () = assert!(size_of::<ListEntry32>() == 8);

/// The 8-byte "header proper" of a `_HEAP_ENTRY` (the whole entry on x86; bytes 8..16 on x64).
/// Stored XOR-encoded with `_HEAP.Encoding` when the heap's `EncodeFlagMask` is set.
#[derive(Debug, Clone, Copy, Default, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapEntryHeader {
    /// Block size in granules (8 bytes on x86, 16 on x64).
    pub size: U16,
    /// `HEAP_ENTRY_*` flags.
    pub flags: u8,
    /// Checksum: `size_lo ^ size_hi ^ flags` once decoded.
    pub small_tag_index: u8,
    /// Size of the previous block, in granules.
    pub previous_size: U16,
    /// `SegmentOffset` / `LFHFlags`.
    pub segment_offset: u8,
    /// Unused bytes of the block (including the header), or a marker code.
    pub unused_bytes: u8,
}
const _: () = assert!(size_of::<HeapEntryHeader>() == 8);

/// `_HEAP_ENTRY` (x64, 16 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapEntry64 {
    /// Belongs to the previous block's user data.
    pub previous_block_private_data: U64,
    /// The (possibly encoded) header.
    pub header: HeapEntryHeader,
}
const _: () = assert!(size_of::<HeapEntry64>() == 0x10);

/// `_HEAP_ENTRY` (x86, 8 bytes).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapEntry32 {
    /// The (possibly encoded) header.
    pub header: HeapEntryHeader,
}
const _: () = assert!(size_of::<HeapEntry32>() == 8);

/// `_HEAP_FREE_ENTRY` (x64).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapFreeEntry64 {
    /// The block header.
    pub entry: HeapEntry64,
    /// Links in `_HEAP.FreeLists`.
    pub free_list: ListEntry64,
}
const _: () = assert!(size_of::<HeapFreeEntry64>() == 0x20);

/// `_HEAP_FREE_ENTRY` (x86).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapFreeEntry32 {
    /// The block header.
    pub entry: HeapEntry32,
    /// Links in `_HEAP.FreeLists`.
    pub free_list: ListEntry32,
}
const _: () = assert!(size_of::<HeapFreeEntry32>() == 0x10);

/// `_HEAP_SEGMENT` (x64).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapSegment64 {
    /// The segment's own header block.
    pub entry: HeapEntry64,
    /// 0xFFEEFFEE.
    pub segment_signature: U32,
    /// Segment flags.
    pub segment_flags: U32,
    /// Links in `_HEAP.SegmentList`.
    pub segment_list_entry: ListEntry64,
    /// Owning heap.
    pub heap: U64,
    /// First address of the segment's reservation.
    pub base_address: U64,
    /// Reserved pages.
    pub number_of_pages: U32,
    /// Padding.
    pub pad0: U32,
    /// First block after the segment header.
    pub first_entry: U64,
    /// End of the segment.
    pub last_valid_entry: U64,
    /// Pages not committed.
    pub number_of_uncommitted_pages: U32,
    /// Uncommitted ranges.
    pub number_of_uncommitted_ranges: U32,
    /// Back trace index.
    pub segment_allocator_back_trace_index: U16,
    /// Reserved.
    pub reserved: U16,
    /// Padding.
    pub pad1: U32,
    /// List of `_HEAP_UCR_DESCRIPTOR.SegmentEntry`.
    pub ucr_segment_list: ListEntry64,
}
const _: () = assert!(size_of::<HeapSegment64>() == 0x70);

/// `_HEAP_SEGMENT` (x86).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapSegment32 {
    /// The segment's own header block.
    pub entry: HeapEntry32,
    /// 0xFFEEFFEE.
    pub segment_signature: U32,
    /// Segment flags.
    pub segment_flags: U32,
    /// Links in `_HEAP.SegmentList`.
    pub segment_list_entry: ListEntry32,
    /// Owning heap.
    pub heap: U32,
    /// First address of the segment's reservation.
    pub base_address: U32,
    /// Reserved pages.
    pub number_of_pages: U32,
    /// First block after the segment header.
    pub first_entry: U32,
    /// End of the segment.
    pub last_valid_entry: U32,
    /// Pages not committed.
    pub number_of_uncommitted_pages: U32,
    /// Uncommitted ranges.
    pub number_of_uncommitted_ranges: U32,
    /// Back trace index.
    pub segment_allocator_back_trace_index: U16,
    /// Reserved.
    pub reserved: U16,
    /// List of `_HEAP_UCR_DESCRIPTOR.SegmentEntry`.
    pub ucr_segment_list: ListEntry32,
}
const _: () = assert!(size_of::<HeapSegment32>() == 0x40);

/// `_HEAP_VIRTUAL_ALLOC_ENTRY` (x64): a large block on `_HEAP.VirtualAllocdBlocks`.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapVirtualAllocEntry64 {
    /// Links in `_HEAP.VirtualAllocdBlocks`.
    pub entry: ListEntry64,
    /// `_HEAP_ENTRY_EXTRA`.
    pub extra_stuff: [U64; 2],
    /// Committed bytes.
    pub commit_size: U64,
    /// Reserved bytes.
    pub reserve_size: U64,
    /// The block header; its `size` is the unused byte count.
    pub busy_block: HeapEntry64,
}
const _: () = assert!(size_of::<HeapVirtualAllocEntry64>() == 0x40);

/// `_HEAP_VIRTUAL_ALLOC_ENTRY` (x86).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapVirtualAllocEntry32 {
    /// Links in `_HEAP.VirtualAllocdBlocks`.
    pub entry: ListEntry32,
    /// `_HEAP_ENTRY_EXTRA`.
    pub extra_stuff: [U32; 2],
    /// Committed bytes.
    pub commit_size: U32,
    /// Reserved bytes.
    pub reserve_size: U32,
    /// The block header; its `size` is the unused byte count.
    pub busy_block: HeapEntry32,
}
const _: () = assert!(size_of::<HeapVirtualAllocEntry32>() == 0x20);

/// `_HEAP_UCR_DESCRIPTOR` (x64): one uncommitted range of a segment.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapUcrDescriptor64 {
    /// Links in `_HEAP.UCRList`.
    pub list_entry: ListEntry64,
    /// Links in `_HEAP_SEGMENT.UCRSegmentList`.
    pub segment_entry: ListEntry64,
    /// First uncommitted address.
    pub address: U64,
    /// Size in bytes.
    pub size: U64,
}
const _: () = assert!(size_of::<HeapUcrDescriptor64>() == 0x30);

/// `_HEAP_UCR_DESCRIPTOR` (x86).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapUcrDescriptor32 {
    /// Links in `_HEAP.UCRList`.
    pub list_entry: ListEntry32,
    /// Links in `_HEAP_SEGMENT.UCRSegmentList`.
    pub segment_entry: ListEntry32,
    /// First uncommitted address.
    pub address: U32,
    /// Size in bytes.
    pub size: U32,
}
const _: () = assert!(size_of::<HeapUcrDescriptor32>() == 0x18);

/// `_HEAP_LIST_LOOKUP` (x64), the free-list index (`_HEAP.BlocksIndex`).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapListLookup64 {
    /// Next lookup level.
    pub extended_lookup: U64,
    /// Number of size slots.
    pub array_size: U32,
    /// Extra item.
    pub extra_item: U32,
    /// Items.
    pub item_count: U32,
    /// Items beyond the array.
    pub out_of_range_items: U32,
    /// First size covered.
    pub base_index: U32,
    /// Padding.
    pub pad: U32,
    /// Free list head.
    pub list_head: U64,
    /// Bitmap of used slots.
    pub lists_in_use_ulong: U64,
    /// Per-size hints.
    pub list_hints: U64,
}
const _: () = assert!(size_of::<HeapListLookup64>() == 0x38);

/// `_HEAP_LIST_LOOKUP` (x86).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct HeapListLookup32 {
    /// Next lookup level.
    pub extended_lookup: U32,
    /// Number of size slots.
    pub array_size: U32,
    /// Extra item.
    pub extra_item: U32,
    /// Items.
    pub item_count: U32,
    /// Items beyond the array.
    pub out_of_range_items: U32,
    /// First size covered.
    pub base_index: U32,
    /// Free list head.
    pub list_head: U32,
    /// Bitmap of used slots.
    pub lists_in_use_ulong: U32,
    /// Per-size hints.
    pub list_hints: U32,
}
const _: () = assert!(size_of::<HeapListLookup32>() == 0x24);

/// `_RTL_STACK_TRACE_ENTRY` (x64): one allocation stack of the user-mode stack trace database
/// (`+ust`). For heap blocks, the frame count is in the field the PDB calls `Index` (`Depth` is
/// the fallback); offsets checked against ntdll PDBs.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RtlStackTraceEntry64 {
    /// `HashChain` (`_RTL_STD_LIST_ENTRY`).
    pub hash_chain: U64,
    /// `TraceCount` / `BlockDepth` bit fields.
    pub trace_count: U16,
    /// `IndexHigh`.
    pub index_high: U16,
    /// `Index`: the frame count of a heap allocation's trace.
    pub index: U16,
    /// `Depth`.
    pub depth: U16,
    /// `BackTrace[32]`.
    pub back_trace: [U64; 32],
}
const _: () = assert!(size_of::<RtlStackTraceEntry64>() == 0x110);

/// `_RTL_STACK_TRACE_ENTRY` (x86); see [`RtlStackTraceEntry64`].
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct RtlStackTraceEntry32 {
    /// `HashChain` (`_RTL_STD_LIST_ENTRY`).
    pub hash_chain: U32,
    /// `TraceCount` / `BlockDepth` bit fields.
    pub trace_count: U16,
    /// `IndexHigh`.
    pub index_high: U16,
    /// `Index`: the frame count of a heap allocation's trace.
    pub index: U16,
    /// `Depth`.
    pub depth: U16,
    /// `BackTrace[32]`.
    pub back_trace: [U32; 32],
}
const _: () = assert!(size_of::<RtlStackTraceEntry32>() == 0x8c);
