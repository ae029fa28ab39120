//! Field offsets of the NT heap structures, per Windows release and pointer width.

pub use crate::memory::PointerWidth;

/// Heap-specific sizes of the template's [`PointerWidth`].
impl PointerWidth {
    /// Heap granularity: `sizeof(_HEAP_ENTRY)` (8 or 16).
    pub fn granularity(self) -> u64 {
        match self {
            PointerWidth::Bits32 => 8,
            PointerWidth::Bits64 => 16,
        }
    }
    /// Offset of the 8-byte header proper inside a `_HEAP_ENTRY` (0 on x86, 8 on x64).
    pub fn header_offset(self) -> u64 {
        match self {
            PointerWidth::Bits32 => 0,
            PointerWidth::Bits64 => 8,
        }
    }
}

/// The Windows releases with a built-in [`HeapLayout`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Release {
    /// Windows 7 SP1 (6.1.7601); still has `_HEAP.PointerKey`.
    Win7Sp1,
    /// Windows 8 / 8.1 and Windows 10 1507/1511.
    Win81,
    /// Windows 10 1607 to 1803 (`StackTraceInitVar` added).
    Win10Rs1,
    /// Windows 10 1809 to 22H2 and Windows 11 21H2 to 24H2 (`CommitLimitData` added).
    Win10Rs5,
}

impl Release {
    /// Every release with a table, oldest first.
    pub const ALL: [Release; 4] = [
        Release::Win7Sp1,
        Release::Win81,
        Release::Win10Rs1,
        Release::Win10Rs5,
    ];

    /// The release whose table applies to an OS version (PEB `OSMajorVersion`,
    /// `OSMinorVersion`, `OSBuildNumber`), or `None` for older systems.
    pub fn from_version(major: u32, minor: u32, build: u32) -> Option<Release> {
        match (major, minor) {
            (6, 1) => Some(Release::Win7Sp1),
            (6, 2) | (6, 3) => Some(Release::Win81),
            (10, 0) if build < 14393 => Some(Release::Win81),
            (10, 0) if build < 17763 => Some(Release::Win10Rs1),
            (10, _) | (11.., _) => Some(Release::Win10Rs5),
            _ => None,
        }
    }

    /// A short human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Release::Win7Sp1 => "Windows 7 SP1",
            Release::Win81 => "Windows 8.1 / 10 1507",
            Release::Win10Rs1 => "Windows 10 1607-1803",
            Release::Win10Rs5 => "Windows 10 1809+ / 11",
        }
    }
}

/// [`Release::name`].
impl core::fmt::Display for Release {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.pad(self.name())
    }
}

/// Offsets (in bytes) of every field the walker reads, for one release and pointer width.
///
/// Built-in tables come from [`HeapLayout::builtin`]; with the `pdb` feature a layout can be
/// computed from an ntdll PDB; a caller may also fill one in by hand. Every offset is checked
/// against the heap before it is trusted (see [`crate::Heap::open`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapLayout {
    /// Where the numbers come from (e.g. "Windows 7 SP1 x64 (built-in)").
    pub name: String,
    /// Pointer width of the heap.
    pub width: PointerWidth,
    /// `_HEAP.Flags`.
    pub heap_flags: u64,
    /// `_HEAP.ForceFlags`.
    pub heap_force_flags: u64,
    /// `_HEAP.EncodeFlagMask`.
    pub heap_encode_flag_mask: u64,
    /// `_HEAP.Encoding` (a `_HEAP_ENTRY` holding the XOR key).
    pub heap_encoding: u64,
    /// `_HEAP.Signature` (0xEEFFEEFF).
    pub heap_signature: u64,
    /// `_HEAP.TotalFreeSize` (granules).
    pub heap_total_free_size: u64,
    /// `_HEAP.UCRList`.
    pub heap_ucr_list: u64,
    /// `_HEAP.VirtualAllocdBlocks`.
    pub heap_virtual_allocd_blocks: u64,
    /// `_HEAP.SegmentList`.
    pub heap_segment_list: u64,
    /// `_HEAP.BlocksIndex`.
    pub heap_blocks_index: u64,
    /// `_HEAP.FreeLists`.
    pub heap_free_lists: u64,
    /// `_HEAP.FrontEndHeap`.
    pub heap_front_end_heap: u64,
    /// `_HEAP.FrontEndHeapType` (u8).
    pub heap_front_end_heap_type: u64,
    /// `_HEAP.Counters` (`_HEAP_COUNTERS`).
    pub heap_counters: u64,
    /// `_HEAP_COUNTERS.TotalMemoryReserved`.
    pub counters_total_memory_reserved: u64,
    /// `_HEAP_COUNTERS.TotalMemoryCommitted`.
    pub counters_total_memory_committed: u64,
    /// `_HEAP_COUNTERS.TotalMemoryLargeUCR`.
    pub counters_total_memory_large_ucr: u64,
    /// `_HEAP_COUNTERS.TotalSizeInVirtualBlocks`.
    pub counters_total_size_in_virtual_blocks: u64,
    /// `_HEAP_COUNTERS.TotalSegments` (u32).
    pub counters_total_segments: u64,
    /// `_HEAP_COUNTERS.TotalUCRs` (u32).
    pub counters_total_ucrs: u64,
    /// `_HEAP_COUNTERS.LockCollisions` (u32).
    pub counters_lock_collisions: u64,
    /// `_HEAP_SEGMENT.SegmentSignature` (0xFFEEFFEE).
    pub segment_signature: u64,
    /// `_HEAP_SEGMENT.SegmentFlags`.
    pub segment_flags: u64,
    /// `_HEAP_SEGMENT.SegmentListEntry`.
    pub segment_list_entry: u64,
    /// `_HEAP_SEGMENT.Heap`.
    pub segment_heap: u64,
    /// `_HEAP_SEGMENT.BaseAddress`.
    pub segment_base_address: u64,
    /// `_HEAP_SEGMENT.NumberOfPages`.
    pub segment_number_of_pages: u64,
    /// `_HEAP_SEGMENT.FirstEntry`.
    pub segment_first_entry: u64,
    /// `_HEAP_SEGMENT.LastValidEntry`.
    pub segment_last_valid_entry: u64,
    /// `_HEAP_SEGMENT.NumberOfUnCommittedPages`.
    pub segment_uncommitted_pages: u64,
    /// `_HEAP_SEGMENT.NumberOfUnCommittedRanges`.
    pub segment_uncommitted_ranges: u64,
    /// `_HEAP_SEGMENT.UCRSegmentList`.
    pub segment_ucr_segment_list: u64,
    /// `sizeof(_HEAP_SEGMENT)`.
    pub segment_size: u64,
    /// `_HEAP_FREE_ENTRY.FreeList`.
    pub free_entry_free_list: u64,
    /// `_HEAP_VIRTUAL_ALLOC_ENTRY.CommitSize`.
    pub vae_commit_size: u64,
    /// `_HEAP_VIRTUAL_ALLOC_ENTRY.ReserveSize`.
    pub vae_reserve_size: u64,
    /// `_HEAP_VIRTUAL_ALLOC_ENTRY.BusyBlock`.
    pub vae_busy_block: u64,
    /// `_HEAP_UCR_DESCRIPTOR.ListEntry`.
    pub ucr_list_entry: u64,
    /// `_HEAP_UCR_DESCRIPTOR.SegmentEntry`.
    pub ucr_segment_entry: u64,
    /// `_HEAP_UCR_DESCRIPTOR.Address`.
    pub ucr_address: u64,
    /// `_HEAP_UCR_DESCRIPTOR.Size`.
    pub ucr_size: u64,
    /// `_LFH_HEAP.Heap` (back pointer checked when the LFH is on), if known.
    pub lfh_heap: Option<u64>,
    /// `_HEAP_SUBSEGMENT.UserBlocks`.
    pub subsegment_user_blocks: u64,
    /// `_HEAP_SUBSEGMENT.BlockSize` (u16, granules).
    pub subsegment_block_size: u64,
    /// `_HEAP_SUBSEGMENT.BlockCount` (u16).
    pub subsegment_block_count: u64,
    /// `_HEAP_USERDATA_HEADER.Signature` (0xF0E0D0C0).
    pub userdata_signature: u64,
    /// `_HEAP_USERDATA_HEADER.EncodedOffsets` (Windows 8+).
    pub userdata_encoded_offsets: Option<u64>,
    /// `_HEAP_USERDATA_HEADER.BusyBitmap` (Windows 8+).
    pub userdata_busy_bitmap: Option<u64>,
    /// `_HEAP_USERDATA_HEADER.BitmapData` on Windows 8+; on Windows 7, `sizeof` the header
    /// (where the first block starts).
    pub userdata_bitmap_data: u64,
    /// Fields (named as in [`HeapLayout::fields`]) a PDB did not carry, so their offsets come
    /// from the built-in table named in [`HeapLayout::name`]; empty for a built-in table and
    /// for a complete PDB.
    pub fallback: Vec<&'static str>,
}

/// Per-release `_HEAP` offsets: (x86, x64) pairs.
struct HeapColumn {
    signature: (u64, u64),
    total_free_size: (u64, u64),
    ucr_list: (u64, u64),
    virtual_allocd_blocks: (u64, u64),
    segment_list: (u64, u64),
    blocks_index: (u64, u64),
    free_lists: (u64, u64),
    front_end_heap: (u64, u64),
    front_end_heap_type: (u64, u64),
    counters: (u64, u64),
    lfh_heap: (u64, u64),
    ss_block_size: (u64, u64),
    ss_block_count: (u64, u64),
    ud_signature: (u64, u64),
    ud_encoded: bool,
    ud_bitmap_data: (u64, u64),
}

const WIN7: HeapColumn = HeapColumn {
    signature: (0x64, 0xa0),
    total_free_size: (0x78, 0xc8),
    ucr_list: (0x90, 0xf8),
    virtual_allocd_blocks: (0xa0, 0x118),
    segment_list: (0xa8, 0x128),
    blocks_index: (0xb8, 0x140),
    free_lists: (0xc4, 0x158),
    front_end_heap: (0xd4, 0x178),
    front_end_heap_type: (0xda, 0x182),
    counters: (0xdc, 0x188),
    lfh_heap: (0x24, 0x40),
    ss_block_size: (0x10, 0x18),
    ss_block_count: (0x14, 0x1c),
    ud_signature: (0xc, 0x18),
    ud_encoded: false,
    ud_bitmap_data: (0x10, 0x20),
};

const WIN81: HeapColumn = HeapColumn {
    signature: (0x60, 0x98),
    total_free_size: (0x74, 0xc0),
    ucr_list: (0x8c, 0xf0),
    virtual_allocd_blocks: (0x9c, 0x110),
    segment_list: (0xa4, 0x120),
    blocks_index: (0xb4, 0x138),
    free_lists: (0xc0, 0x150),
    front_end_heap: (0xd0, 0x170),
    front_end_heap_type: (0xd6, 0x17a),
    counters: (0x1e0, 0x210),
    lfh_heap: (0xc, 0x18),
    ss_block_size: (0x14, 0x24),
    ss_block_count: (0x18, 0x28),
    ud_signature: (0xc, 0x14),
    ud_encoded: true,
    ud_bitmap_data: (0x1c, 0x30),
};

const WIN10_RS1: HeapColumn = HeapColumn {
    front_end_heap: (0xd4, 0x178),
    front_end_heap_type: (0xda, 0x182),
    counters: (0x1e4, 0x218),
    ..WIN81
};

const WIN10_RS5: HeapColumn = HeapColumn {
    front_end_heap: (0xe4, 0x198),
    front_end_heap_type: (0xea, 0x1a2),
    counters: (0x1f4, 0x238),
    ..WIN81
};

fn pick(pair: (u64, u64), width: PointerWidth) -> u64 {
    match width {
        PointerWidth::Bits32 => pair.0,
        PointerWidth::Bits64 => pair.1,
    }
}

impl HeapLayout {
    /// The built-in table for a release and width.
    pub fn builtin(release: Release, width: PointerWidth) -> HeapLayout {
        let col = match release {
            Release::Win7Sp1 => &WIN7,
            Release::Win81 => &WIN81,
            Release::Win10Rs1 => &WIN10_RS1,
            Release::Win10Rs5 => &WIN10_RS5,
        };
        let w = |pair| pick(pair, width);
        let arch = match width {
            PointerWidth::Bits32 => "x86",
            PointerWidth::Bits64 => "x64",
        };
        HeapLayout {
            name: format!("{} {} (built-in)", release.name(), arch),
            width,
            heap_flags: w((0x40, 0x70)),
            heap_force_flags: w((0x44, 0x74)),
            heap_encode_flag_mask: w((0x4c, 0x7c)),
            heap_encoding: w((0x50, 0x80)),
            heap_signature: w(col.signature),
            heap_total_free_size: w(col.total_free_size),
            heap_ucr_list: w(col.ucr_list),
            heap_virtual_allocd_blocks: w(col.virtual_allocd_blocks),
            heap_segment_list: w(col.segment_list),
            heap_blocks_index: w(col.blocks_index),
            heap_free_lists: w(col.free_lists),
            heap_front_end_heap: w(col.front_end_heap),
            heap_front_end_heap_type: w(col.front_end_heap_type),
            heap_counters: w(col.counters),
            counters_total_memory_reserved: 0,
            counters_total_memory_committed: w((4, 8)),
            counters_total_memory_large_ucr: w((8, 0x10)),
            counters_total_size_in_virtual_blocks: w((0xc, 0x18)),
            counters_total_segments: w((0x10, 0x20)),
            counters_total_ucrs: w((0x14, 0x24)),
            counters_lock_collisions: w((0x24, 0x34)),
            segment_signature: w((8, 0x10)),
            segment_flags: w((0xc, 0x14)),
            segment_list_entry: w((0x10, 0x18)),
            segment_heap: w((0x18, 0x28)),
            segment_base_address: w((0x1c, 0x30)),
            segment_number_of_pages: w((0x20, 0x38)),
            segment_first_entry: w((0x24, 0x40)),
            segment_last_valid_entry: w((0x28, 0x48)),
            segment_uncommitted_pages: w((0x2c, 0x50)),
            segment_uncommitted_ranges: w((0x30, 0x54)),
            segment_ucr_segment_list: w((0x38, 0x60)),
            segment_size: w((0x40, 0x70)),
            free_entry_free_list: w((8, 0x10)),
            vae_commit_size: w((0x10, 0x20)),
            vae_reserve_size: w((0x14, 0x28)),
            vae_busy_block: w((0x18, 0x30)),
            ucr_list_entry: 0,
            ucr_segment_entry: w((8, 0x10)),
            ucr_address: w((0x10, 0x20)),
            ucr_size: w((0x14, 0x28)),
            lfh_heap: Some(w(col.lfh_heap)),
            subsegment_user_blocks: w((4, 8)),
            subsegment_block_size: w(col.ss_block_size),
            subsegment_block_count: w(col.ss_block_count),
            userdata_signature: w(col.ud_signature),
            userdata_encoded_offsets: col.ud_encoded.then(|| w((0x10, 0x18))),
            userdata_busy_bitmap: col.ud_encoded.then(|| w((0x14, 0x20))),
            userdata_bitmap_data: w(col.ud_bitmap_data),
            fallback: Vec::new(),
        }
    }

    /// All built-in tables for a width, with the one for `preferred` (if any) first.
    pub fn candidates(width: PointerWidth, preferred: Option<Release>) -> Vec<HeapLayout> {
        let mut out = Vec::with_capacity(Release::ALL.len());
        if let Some(p) = preferred {
            out.push(HeapLayout::builtin(p, width));
        }
        // Newest first: on ambiguity, prefer the most common modern layout.
        for r in Release::ALL.iter().rev() {
            if Some(*r) != preferred {
                out.push(HeapLayout::builtin(*r, width));
            }
        }
        out
    }

    /// Every offset, named as in the ntdll PDB (`"_HEAP.VirtualAllocdBlocks"`, ...).
    pub fn fields(&self) -> Vec<(&'static str, u64)> {
        let mut v = vec![
            ("_HEAP.Flags", self.heap_flags),
            ("_HEAP.ForceFlags", self.heap_force_flags),
            ("_HEAP.EncodeFlagMask", self.heap_encode_flag_mask),
            ("_HEAP.Encoding", self.heap_encoding),
            ("_HEAP.Signature", self.heap_signature),
            ("_HEAP.TotalFreeSize", self.heap_total_free_size),
            ("_HEAP.UCRList", self.heap_ucr_list),
            ("_HEAP.VirtualAllocdBlocks", self.heap_virtual_allocd_blocks),
            ("_HEAP.SegmentList", self.heap_segment_list),
            ("_HEAP.BlocksIndex", self.heap_blocks_index),
            ("_HEAP.FreeLists", self.heap_free_lists),
            ("_HEAP.FrontEndHeap", self.heap_front_end_heap),
            ("_HEAP.FrontEndHeapType", self.heap_front_end_heap_type),
            ("_HEAP.Counters", self.heap_counters),
            (
                "_HEAP_COUNTERS.TotalMemoryReserved",
                self.counters_total_memory_reserved,
            ),
            (
                "_HEAP_COUNTERS.TotalMemoryCommitted",
                self.counters_total_memory_committed,
            ),
            (
                "_HEAP_COUNTERS.TotalMemoryLargeUCR",
                self.counters_total_memory_large_ucr,
            ),
            (
                "_HEAP_COUNTERS.TotalSizeInVirtualBlocks",
                self.counters_total_size_in_virtual_blocks,
            ),
            ("_HEAP_COUNTERS.TotalSegments", self.counters_total_segments),
            ("_HEAP_COUNTERS.TotalUCRs", self.counters_total_ucrs),
            (
                "_HEAP_COUNTERS.LockCollisions",
                self.counters_lock_collisions,
            ),
            ("_HEAP_SEGMENT.SegmentSignature", self.segment_signature),
            ("_HEAP_SEGMENT.SegmentFlags", self.segment_flags),
            ("_HEAP_SEGMENT.SegmentListEntry", self.segment_list_entry),
            ("_HEAP_SEGMENT.Heap", self.segment_heap),
            ("_HEAP_SEGMENT.BaseAddress", self.segment_base_address),
            ("_HEAP_SEGMENT.NumberOfPages", self.segment_number_of_pages),
            ("_HEAP_SEGMENT.FirstEntry", self.segment_first_entry),
            (
                "_HEAP_SEGMENT.LastValidEntry",
                self.segment_last_valid_entry,
            ),
            (
                "_HEAP_SEGMENT.NumberOfUnCommittedPages",
                self.segment_uncommitted_pages,
            ),
            (
                "_HEAP_SEGMENT.NumberOfUnCommittedRanges",
                self.segment_uncommitted_ranges,
            ),
            (
                "_HEAP_SEGMENT.UCRSegmentList",
                self.segment_ucr_segment_list,
            ),
            ("sizeof(_HEAP_SEGMENT)", self.segment_size),
            ("_HEAP_FREE_ENTRY.FreeList", self.free_entry_free_list),
            ("_HEAP_VIRTUAL_ALLOC_ENTRY.CommitSize", self.vae_commit_size),
            (
                "_HEAP_VIRTUAL_ALLOC_ENTRY.ReserveSize",
                self.vae_reserve_size,
            ),
            ("_HEAP_VIRTUAL_ALLOC_ENTRY.BusyBlock", self.vae_busy_block),
            ("_HEAP_UCR_DESCRIPTOR.ListEntry", self.ucr_list_entry),
            ("_HEAP_UCR_DESCRIPTOR.SegmentEntry", self.ucr_segment_entry),
            ("_HEAP_UCR_DESCRIPTOR.Address", self.ucr_address),
            ("_HEAP_UCR_DESCRIPTOR.Size", self.ucr_size),
        ];
        if let Some(o) = self.lfh_heap {
            v.push(("_LFH_HEAP.Heap", o));
        }
        v.push(("_HEAP_SUBSEGMENT.UserBlocks", self.subsegment_user_blocks));
        v.push(("_HEAP_SUBSEGMENT.BlockSize", self.subsegment_block_size));
        v.push(("_HEAP_SUBSEGMENT.BlockCount", self.subsegment_block_count));
        v.push(("_HEAP_USERDATA_HEADER.Signature", self.userdata_signature));
        if let Some(o) = self.userdata_encoded_offsets {
            v.push(("_HEAP_USERDATA_HEADER.EncodedOffsets", o));
        }
        if let Some(o) = self.userdata_busy_bitmap {
            v.push(("_HEAP_USERDATA_HEADER.BusyBitmap", o));
            v.push((
                "_HEAP_USERDATA_HEADER.BitmapData",
                self.userdata_bitmap_data,
            ));
        } else {
            v.push(("sizeof(_HEAP_USERDATA_HEADER)", self.userdata_bitmap_data));
        }
        v
    }

    /// Size of the `_HEAP` prefix the walker reads (covers every `_HEAP` offset used).
    pub(crate) fn heap_read_len(&self) -> u64 {
        let ptr = self.width.bytes();
        let ends = [
            self.heap_flags.saturating_add(4),
            self.heap_force_flags.saturating_add(4),
            self.heap_encode_flag_mask.saturating_add(4),
            self.heap_encoding.saturating_add(self.width.granularity()),
            self.heap_signature.saturating_add(4),
            self.heap_total_free_size.saturating_add(ptr),
            self.heap_ucr_list.saturating_add(ptr.saturating_mul(2)),
            self.heap_virtual_allocd_blocks
                .saturating_add(ptr.saturating_mul(2)),
            self.heap_segment_list.saturating_add(ptr.saturating_mul(2)),
            self.heap_blocks_index.saturating_add(ptr),
            self.heap_free_lists.saturating_add(ptr.saturating_mul(2)),
            self.heap_front_end_heap.saturating_add(ptr),
            self.heap_front_end_heap_type.saturating_add(1),
            self.segment_size,
        ];
        ends.iter().copied().max().unwrap_or(0)
    }

    /// Size of the `_HEAP_COUNTERS` prefix the walker reads.
    pub(crate) fn counters_read_len(&self) -> u64 {
        let ptr = self.width.bytes();
        [
            self.counters_total_memory_reserved.saturating_add(ptr),
            self.counters_total_memory_committed.saturating_add(ptr),
            self.counters_total_memory_large_ucr.saturating_add(ptr),
            self.counters_total_size_in_virtual_blocks
                .saturating_add(ptr),
            self.counters_total_segments.saturating_add(4),
            self.counters_total_ucrs.saturating_add(4),
            self.counters_lock_collisions.saturating_add(4),
        ]
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::*;
    use core::mem::offset_of;

    #[test]
    fn builtin_segment_offsets_match_raw_types() {
        for r in Release::ALL {
            let l = HeapLayout::builtin(r, PointerWidth::Bits64);
            assert_eq!(
                l.segment_first_entry,
                offset_of!(HeapSegment64, first_entry) as u64
            );
            assert_eq!(
                l.segment_ucr_segment_list,
                offset_of!(HeapSegment64, ucr_segment_list) as u64
            );
            assert_eq!(l.segment_size, size_of::<HeapSegment64>() as u64);
            assert_eq!(
                l.vae_busy_block,
                offset_of!(HeapVirtualAllocEntry64, busy_block) as u64
            );
            assert_eq!(l.ucr_size, offset_of!(HeapUcrDescriptor64, size) as u64);
            assert_eq!(
                l.free_entry_free_list,
                offset_of!(HeapFreeEntry64, free_list) as u64
            );
            let l = HeapLayout::builtin(r, PointerWidth::Bits32);
            assert_eq!(
                l.segment_first_entry,
                offset_of!(HeapSegment32, first_entry) as u64
            );
            assert_eq!(
                l.segment_ucr_segment_list,
                offset_of!(HeapSegment32, ucr_segment_list) as u64
            );
            assert_eq!(l.segment_size, size_of::<HeapSegment32>() as u64);
            assert_eq!(
                l.vae_busy_block,
                offset_of!(HeapVirtualAllocEntry32, busy_block) as u64
            );
            assert_eq!(l.ucr_size, offset_of!(HeapUcrDescriptor32, size) as u64);
            assert_eq!(
                l.free_entry_free_list,
                offset_of!(HeapFreeEntry32, free_list) as u64
            );
        }
    }

    #[test]
    fn release_from_version() {
        assert_eq!(Release::from_version(6, 1, 7601), Some(Release::Win7Sp1));
        assert_eq!(Release::from_version(6, 3, 9600), Some(Release::Win81));
        assert_eq!(Release::from_version(10, 0, 10240), Some(Release::Win81));
        assert_eq!(Release::from_version(10, 0, 17134), Some(Release::Win10Rs1));
        assert_eq!(Release::from_version(10, 0, 19041), Some(Release::Win10Rs5));
        assert_eq!(Release::from_version(10, 0, 26100), Some(Release::Win10Rs5));
        assert_eq!(Release::from_version(5, 1, 2600), None);
    }
}
