//! Layouts of the segment-heap kernel pool (x64 from Windows 10 1809, build 17763; x86 from
//! 1903, build 18362): `nt!ExPoolState`, `nt!RtlpHpHeapGlobals`, the segment heap, its page
//! segments and the LFH and VS subsegments.
//!
//! x64 is checked against the PDB-derived corpus: the Windows 11 22000 ISF (every type) and the
//! 22631 Vergilius header; the 19041 rows of the types the kernel shares with `ntdll` (all but
//! `_EX_POOL_HEAP_MANAGER_STATE` / `_EX_HEAP_POOL_NODE`) against the 19041 `ntdll.pdb`. Builds
//! 17763..19041 use the 19041 rows (not checked against a PDB).
//!
//! x86: the shared types against the 19041 `wntdll.pdb` (the kernel compiles the same `RtlpHp`
//! code: on x64 every field the 19041 `ntdll.pdb` and the 22000 kernel ISF share sits at the
//! same offset in `_HEAP_SEG_CONTEXT`, `_HEAP_PAGE_SEGMENT`, `_HEAP_PAGE_RANGE_DESCRIPTOR`, the
//! LFH and VS types and `_RTLP_HP_HEAP_GLOBALS`, and `_RTLP_HP_HEAP_MANAGER`'s size is where
//! the kernel's `NumberOfPools` starts). `_EX_POOL_HEAP_MANAGER_STATE` (`PoolNode[16]` at
//! 0x1C80, `SpecialHeaps[3]` at 0x22880, size 0x228C0) and `_EX_HEAP_POOL_NODE` (0x20C0) are
//! those of a PDB-derived dump of the 18362 x86 kernel's types (ntdiff/headers), whose
//! `NumberOfPools` (0x1C70) is the 19041 `wntdll.pdb`'s `_RTLP_HP_HEAP_MANAGER` size; the same
//! dump of the 17763 x86 kernel has no `_EX_POOL_HEAP_MANAGER_STATE`, so x86 17763 keeps the
//! classic pool. The x86 rows are used for 18362 and later (no x86 kernel PDB of 19041 was at
//! hand).

use crate::layout::{Arch, KernelBuild, f, layout_table};

layout_table! {
    /// `_EX_POOL_HEAP_MANAGER_STATE` (`nt!ExPoolState`).
    pub struct ExPoolHeapManagerStateLayout = "_EX_POOL_HEAP_MANAGER_STATE" {
        /// `NumberOfPools` (NUMA nodes in use).
        number_of_pools: "NumberOfPools",
        /// `PoolNode[64]` (`_EX_HEAP_POOL_NODE`).
        pool_node: "PoolNode",
        /// `SpecialHeaps[4]`.
        special_heaps: "SpecialHeaps",
    }
}

layout_table! {
    /// `_EX_HEAP_POOL_NODE`: one NUMA node's heaps.
    pub struct ExHeapPoolNodeLayout = "_EX_HEAP_POOL_NODE" {
        /// `Heaps[4]`: non-paged, non-paged NX, paged, paged (session).
        heaps: "Heaps",
    }
}

layout_table! {
    /// `_RTLP_HP_HEAP_GLOBALS` (`nt!RtlpHpHeapGlobals`): the encoding keys.
    pub struct RtlpHpHeapGlobalsLayout = "_RTLP_HP_HEAP_GLOBALS" {
        /// `HeapKey` (page segment signatures, VS chunk headers).
        heap_key: "HeapKey",
        /// `LfhKey` (LFH subsegment block offsets).
        lfh_key: "LfhKey",
    }
}

layout_table! {
    /// `_SEGMENT_HEAP`.
    pub struct SegmentHeapLayout = "_SEGMENT_HEAP" {
        /// `Signature` (0xDDEEDDEE).
        signature: "Signature",
        /// `LargeAllocMetadata` (`_RTL_RB_TREE`).
        large_alloc_metadata: "LargeAllocMetadata",
        /// `SegContexts[2]` (`_HEAP_SEG_CONTEXT`).
        seg_contexts: "SegContexts",
        /// `VsContext`.
        vs_context: "VsContext",
        /// `LfhContext`.
        lfh_context: "LfhContext",
    }
}

layout_table! {
    /// `_HEAP_SEG_CONTEXT`: one segment size class of a segment heap.
    pub struct HeapSegContextLayout = "_HEAP_SEG_CONTEXT" {
        /// `SegmentMask` (address & mask = the page segment).
        segment_mask: "SegmentMask",
        /// `UnitShift` (log2 of the bytes one range descriptor covers).
        unit_shift: "UnitShift",
        /// `FirstDescriptorIndex` (descriptors before it cover the segment header).
        first_descriptor_index: "FirstDescriptorIndex",
        /// `Heap` (back pointer).
        heap: "Heap",
        /// `SegmentListHead` (`_HEAP_PAGE_SEGMENT.ListEntry` links).
        segment_list_head: "SegmentListHead",
        /// `SegmentCount`.
        segment_count: "SegmentCount",
    }
}

layout_table! {
    /// `_HEAP_PAGE_SEGMENT`: the header of a segment, with its 256 range descriptors.
    pub struct HeapPageSegmentLayout = "_HEAP_PAGE_SEGMENT" {
        /// `ListEntry`.
        list_entry: "ListEntry",
        /// `Signature` (encoded).
        signature: "Signature",
        /// `DescArray[256]`.
        desc_array: "DescArray",
    }
}

layout_table! {
    /// `_HEAP_PAGE_RANGE_DESCRIPTOR`: one unit of a page segment.
    pub struct HeapPageRangeDescriptorLayout = "_HEAP_PAGE_RANGE_DESCRIPTOR" {
        /// `RangeFlags`.
        range_flags: "RangeFlags",
        /// `CommittedPageCount`.
        committed_page_count: "CommittedPageCount",
        /// `UnitOffset` (non-first units: how far back the first is).
        unit_offset: "UnitOffset",
        /// `UnitSize` (first unit: the range's units).
        unit_size: "UnitSize",
    }
}

layout_table! {
    /// `_HEAP_LFH_SUBSEGMENT`.
    pub struct HeapLfhSubsegmentLayout = "_HEAP_LFH_SUBSEGMENT" {
        /// `ListEntry`.
        list_entry: "ListEntry",
        /// `FreeCount`.
        free_count: "FreeCount",
        /// `BlockCount`.
        block_count: "BlockCount",
        /// `BlockOffsets` (`EncodedData`: BlockSize | FirstBlockOffset << 16, encoded).
        block_offsets: "BlockOffsets",
        /// `BlockBitmap` (2 bits per block; bit 0: allocated).
        block_bitmap: "BlockBitmap",
    }
}

layout_table! {
    /// `_HEAP_VS_SUBSEGMENT`.
    pub struct HeapVsSubsegmentLayout = "_HEAP_VS_SUBSEGMENT" {
        /// `ListEntry`.
        list_entry: "ListEntry",
        /// `Size` (16-byte units).
        size_field: "Size",
        /// `Signature` (15 bits; `Size ^ Signature == 0x2BED`).
        signature: "Signature",
    }
}

layout_table! {
    /// `_HEAP_VS_CHUNK_HEADER`: before every VS chunk.
    pub struct HeapVsChunkHeaderLayout = "_HEAP_VS_CHUNK_HEADER" {
        /// `Sizes` (`HeaderBits`, encoded with the chunk address and `HeapKey`).
        sizes: "Sizes",
        /// `AllocatedChunkBits`.
        allocated_chunk_bits: "AllocatedChunkBits",
    }
}

/// Every segment-heap table for one build (x64, build 17763 and later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SegmentHeapLayouts {
    /// `_EX_POOL_HEAP_MANAGER_STATE`.
    pub pool_state: ExPoolHeapManagerStateLayout,
    /// `_EX_HEAP_POOL_NODE`.
    pub pool_node: ExHeapPoolNodeLayout,
    /// `_RTLP_HP_HEAP_GLOBALS`.
    pub globals: RtlpHpHeapGlobalsLayout,
    /// `_SEGMENT_HEAP`.
    pub heap: SegmentHeapLayout,
    /// `_HEAP_SEG_CONTEXT`.
    pub seg_context: HeapSegContextLayout,
    /// `_HEAP_PAGE_SEGMENT`.
    pub page_segment: HeapPageSegmentLayout,
    /// `_HEAP_PAGE_RANGE_DESCRIPTOR`.
    pub range_descriptor: HeapPageRangeDescriptorLayout,
    /// `_HEAP_LFH_SUBSEGMENT`.
    pub lfh_subsegment: HeapLfhSubsegmentLayout,
    /// `_HEAP_VS_SUBSEGMENT`.
    pub vs_subsegment: HeapVsSubsegmentLayout,
    /// `_HEAP_VS_CHUNK_HEADER`.
    pub vs_chunk_header: HeapVsChunkHeaderLayout,
}

impl SegmentHeapLayouts {
    /// The built-in tables of a build: `None` for the classic pool (x64 before 17763, x86
    /// before 18362).
    pub fn for_build(b: KernelBuild) -> Option<SegmentHeapLayouts> {
        if b.arch == Arch::X86 {
            return (b.build >= 18362).then(x86_19041);
        }
        if b.build < 17763 {
            return None;
        }
        let win11 = b.build >= 22000;
        Some(SegmentHeapLayouts {
            pool_state: ExPoolHeapManagerStateLayout {
                size: 0x86940,
                number_of_pools: if win11 { f(0x38e0, 4) } else { f(0x38d0, 4) },
                pool_node: f(0x3900, 0),
                special_heaps: f(0x86900, 0),
            },
            pool_node: ExHeapPoolNodeLayout {
                size: 0x20c0,
                heaps: f(0, 0),
            },
            globals: RtlpHpHeapGlobalsLayout {
                size: if win11 { 0x40 } else { 0x38 },
                heap_key: f(0, 8),
                lfh_key: f(8, 8),
            },
            heap: SegmentHeapLayout {
                size: if win11 { 0x840 } else { 0x800 },
                signature: f(0x10, 4),
                large_alloc_metadata: f(0x48, 0),
                seg_contexts: if win11 { f(0x140, 0) } else { f(0x100, 0) },
                vs_context: if win11 { f(0x2c0, 0) } else { f(0x280, 0) },
                lfh_context: if win11 { f(0x380, 0) } else { f(0x340, 0) },
            },
            seg_context: HeapSegContextLayout {
                size: 0xc0,
                segment_mask: f(0, 8),
                unit_shift: f(8, 1),
                first_descriptor_index: f(0xa, 1),
                heap: f(0x38, 8),
                segment_list_head: f(0x48, 0),
                segment_count: f(0x58, 8),
            },
            page_segment: HeapPageSegmentLayout {
                size: 0x2000,
                list_entry: f(0, 0),
                signature: f(0x10, 8),
                desc_array: f(0, 0),
            },
            range_descriptor: HeapPageRangeDescriptorLayout {
                size: 0x20,
                range_flags: f(0x18, 1),
                committed_page_count: f(0x19, 1),
                unit_offset: f(0x1f, 1),
                unit_size: f(0x1f, 1),
            },
            lfh_subsegment: HeapLfhSubsegmentLayout {
                size: 0x38,
                list_entry: f(0, 0),
                free_count: f(0x20, 2),
                block_count: f(0x22, 2),
                block_offsets: f(0x28, 0),
                block_bitmap: f(0x30, 0),
            },
            vs_subsegment: HeapVsSubsegmentLayout {
                size: 0x28,
                list_entry: f(0, 0),
                size_field: f(0x20, 2),
                signature: f(0x22, 2),
            },
            vs_chunk_header: HeapVsChunkHeaderLayout {
                size: 0x10,
                sizes: f(0, 0),
                allocated_chunk_bits: f(8, 4),
            },
        })
    }

    /// How many `PoolNode[]` entries `ExPoolState` has: the field's size over the node size
    /// when a PDB states the whole array, else x64 64, x86 16 (the 19041 x64 and 18362 x86
    /// kernel PDBs).
    pub fn pool_nodes(&self, arch: Arch) -> u64 {
        let n = u64::from(self.pool_node.size);
        match self.pool_state.pool_node {
            Some(f) if n != 0 && u64::from(f.size) >= n.saturating_mul(2) => {
                u64::from(f.size).checked_div(n).unwrap_or(64)
            }
            _ => match arch {
                Arch::X64 => 64,
                Arch::X86 => 16,
            },
        }
    }

    /// How many `SpecialHeaps[]` pointers `ExPoolState` has: the field's size over the pointer
    /// size when a PDB states the whole array, else x64 4, x86 3.
    pub fn special_heaps(&self, arch: Arch) -> u64 {
        let p = arch.pointer_size();
        match self.pool_state.special_heaps {
            Some(f) if u64::from(f.size) >= p.saturating_mul(2) => {
                u64::from(f.size).checked_div(p).unwrap_or(4).min(8)
            }
            _ => match arch {
                Arch::X64 => 4,
                Arch::X86 => 3,
            },
        }
    }

    /// Replace each table `l` (a PDB or ISF) holds.
    pub fn update_from(&mut self, l: &crate::layout::KernelLayouts) {
        macro_rules! upd {
            ($($field:ident : $ty:ident),*) => {$(
                if let Some(t) = $ty::from_layouts(l) { self.$field = t; }
            )*};
        }
        upd!(pool_state: ExPoolHeapManagerStateLayout, pool_node: ExHeapPoolNodeLayout,
            globals: RtlpHpHeapGlobalsLayout, heap: SegmentHeapLayout,
            seg_context: HeapSegContextLayout, page_segment: HeapPageSegmentLayout,
            range_descriptor: HeapPageRangeDescriptorLayout,
            lfh_subsegment: HeapLfhSubsegmentLayout, vs_subsegment: HeapVsSubsegmentLayout,
            vs_chunk_header: HeapVsChunkHeaderLayout);
    }

    /// The generic views, for comparison with a PDB and for `layout --json`.
    pub fn type_layouts(&self) -> Vec<crate::layout::TypeLayout> {
        vec![
            self.pool_state.type_layout(),
            self.pool_node.type_layout(),
            self.globals.type_layout(),
            self.heap.type_layout(),
            self.seg_context.type_layout(),
            self.page_segment.type_layout(),
            self.range_descriptor.type_layout(),
            self.lfh_subsegment.type_layout(),
            self.vs_subsegment.type_layout(),
            self.vs_chunk_header.type_layout(),
        ]
    }
}

/// The x86 tables (18362 and later; see the module documentation for their sources).
fn x86_19041() -> SegmentHeapLayouts {
    SegmentHeapLayouts {
        pool_state: ExPoolHeapManagerStateLayout {
            size: 0x228c0,
            number_of_pools: f(0x1c70, 4),
            pool_node: f(0x1c80, 0),
            special_heaps: f(0x22880, 0),
        },
        pool_node: ExHeapPoolNodeLayout {
            size: 0x20c0,
            heaps: f(0, 0),
        },
        globals: RtlpHpHeapGlobalsLayout {
            size: 0x1c,
            heap_key: f(0, 4),
            lfh_key: f(4, 4),
        },
        heap: SegmentHeapLayout {
            size: 0x580,
            signature: f(8, 4),
            large_alloc_metadata: f(0x44, 0),
            seg_contexts: f(0x100, 0),
            vs_context: f(0x200, 0),
            lfh_context: f(0x2c0, 0),
        },
        seg_context: HeapSegContextLayout {
            size: 0x80,
            segment_mask: f(0, 4),
            unit_shift: f(4, 1),
            first_descriptor_index: f(6, 1),
            heap: f(0x24, 4),
            segment_list_head: f(0x44, 0),
            segment_count: f(0x4c, 4),
        },
        page_segment: HeapPageSegmentLayout {
            size: 0x1000,
            list_entry: f(0, 0),
            signature: f(8, 4),
            desc_array: f(0, 0),
        },
        range_descriptor: HeapPageRangeDescriptorLayout {
            size: 0x10,
            range_flags: f(0xc, 1),
            committed_page_count: f(0xc, 1),
            unit_offset: f(0xf, 1),
            unit_size: f(0xf, 1),
        },
        lfh_subsegment: HeapLfhSubsegmentLayout {
            size: 0x24,
            list_entry: f(0, 0),
            free_count: f(0x10, 2),
            block_count: f(0x12, 2),
            block_offsets: f(0x18, 0),
            block_bitmap: f(0x20, 0),
        },
        vs_subsegment: HeapVsSubsegmentLayout {
            size: 0x18,
            list_entry: f(0, 0),
            size_field: f(0x14, 2),
            signature: f(0x16, 2),
        },
        vs_chunk_header: HeapVsChunkHeaderLayout {
            size: 8,
            sizes: f(0, 0),
            allocated_chunk_bits: f(4, 4),
        },
    }
}
