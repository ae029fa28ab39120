//! Offsets of the segment heap's structures (`_SEGMENT_HEAP`, `_HEAP_SEG_CONTEXT`,
//! `_HEAP_PAGE_SEGMENT`, `_HEAP_PAGE_RANGE_DESCRIPTOR`, `_HEAP_VS_SUBSEGMENT`,
//! `_HEAP_VS_CHUNK_HEADER`, `_HEAP_LFH_SUBSEGMENT`, `_HEAP_LARGE_ALLOC_DATA`) per build.
//!
//! Every number comes from a PDB-derived source and is checked by a test against it: the ntdll
//! 19041 PDBs (x64 `ntdll.pdb`, x86 `wntdll.pdb`) for Windows 10 19041-19045, the kernel 22000
//! ISF (the kernel has the same `RtlpHp` types) and the 22631 Vergilius header for Windows 11
//! 21H2-23H2 x64. Windows 10 1809 and 1903/1909 x64 (17763, 18362, 18363) use the 19041 x64
//! table: the kernel ISFs of 17763.379 and 18362.295 (public Volatility symbol tables, not in
//! the corpus) have every one of these types field for field as 19041. Other builds (1709,
//! 1803, 24H2, the x86 segment heap before 19041 and on Windows 11) have no table.

use crate::memory::PointerWidth;

/// Offsets of the segment-heap fields read. They move between builds: only builds whose PDB (or
/// PDB-derived ISF) has been checked have a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeapLayout {
    /// Pointer width.
    pub width: PointerWidth,
    /// `_SEGMENT_HEAP.LargeAllocMetadata` (`_RTL_RB_TREE`).
    pub large_alloc_metadata: u64,
    /// `_SEGMENT_HEAP.LargeReservedPages`.
    pub large_reserved_pages: u64,
    /// `_SEGMENT_HEAP.LargeCommittedPages`.
    pub large_committed_pages: u64,
    /// `_SEGMENT_HEAP.MemStats` (`TotalReservedPages` first, `TotalCommittedPages` next).
    pub mem_stats: u64,
    /// `_HEAP_LARGE_ALLOC_DATA.VirtualAddress` (low 16 bits: `UnusedBytes`).
    pub large_virtual_address: u64,
    /// `_HEAP_LARGE_ALLOC_DATA` bit-field word holding `AllocatedPages` (bits 12 and up).
    pub large_allocated_pages: u64,
    /// `_SEGMENT_HEAP.SegContexts` (two `_HEAP_SEG_CONTEXT`).
    pub seg_contexts: u64,
    /// `sizeof(_HEAP_SEG_CONTEXT)`.
    pub seg_context_size: u64,
    /// `_HEAP_SEG_CONTEXT.SegmentMask`.
    pub ctx_segment_mask: u64,
    /// `_HEAP_SEG_CONTEXT.UnitShift` (u8: log2 of the bytes one range descriptor covers).
    pub ctx_unit_shift: u64,
    /// `_HEAP_SEG_CONTEXT.FirstDescriptorIndex` (u8: units taken by the segment header).
    pub ctx_first_descriptor_index: u64,
    /// `_HEAP_SEG_CONTEXT.Heap` (back pointer).
    pub ctx_heap: u64,
    /// `_HEAP_SEG_CONTEXT.SegmentListHead` (`LIST_ENTRY` of `_HEAP_PAGE_SEGMENT.ListEntry`).
    pub ctx_segment_list_head: u64,
    /// `_HEAP_SEG_CONTEXT.SegmentCount`.
    pub ctx_segment_count: u64,
    /// `_HEAP_PAGE_SEGMENT.Signature` (encoded; pointer-sized).
    pub page_segment_signature: u64,
    /// `sizeof(_HEAP_PAGE_RANGE_DESCRIPTOR)`; `DescArray` is at +0 and has 256 of them.
    pub descriptor_size: u64,
    /// `_HEAP_PAGE_RANGE_DESCRIPTOR.UnusedBytes` (u32; allocated back-end ranges).
    pub desc_unused_bytes: u64,
    /// `_HEAP_PAGE_RANGE_DESCRIPTOR.RangeFlags` (u8).
    pub desc_range_flags: u64,
    /// The bits of the `RangeFlags` byte that are flags (x86: `RangeFlagBits:5`, the other
    /// three bits are `CommittedPageCount`).
    pub range_flags_mask: u8,
    /// `_HEAP_PAGE_RANGE_DESCRIPTOR.UnitSize` (u8; first unit of a range, in units).
    pub desc_unit_size: u64,
    /// `_HEAP_VS_SUBSEGMENT.Size` (u16, in chunk-header units).
    pub vs_size: u64,
    /// `_HEAP_VS_SUBSEGMENT.Signature` (15 bits; `Size ^ Signature == 0x2BED`).
    pub vs_signature: u64,
    /// `sizeof(_HEAP_VS_SUBSEGMENT)`; the first chunk header follows, aligned to the header size.
    pub vs_subsegment_size: u64,
    /// `sizeof(_HEAP_VS_CHUNK_HEADER)` (16 x64, 8 x86; also the VS size unit).
    pub chunk_header_size: u64,
    /// `_HEAP_VS_CHUNK_HEADER.AllocatedChunkBits` (u32; bit 8 `UnusedBytes`).
    pub chunk_allocated_bits: u64,
    /// `_HEAP_LFH_SUBSEGMENT.FreeCount` (u16).
    pub lfh_free_count: u64,
    /// `_HEAP_LFH_SUBSEGMENT.BlockCount` (u16).
    pub lfh_block_count: u64,
    /// `_HEAP_LFH_SUBSEGMENT.BlockOffsets` (u32, encoded with the LFH key).
    pub lfh_block_offsets: u64,
    /// `_HEAP_LFH_SUBSEGMENT.BlockBitmap` (2 bits per block).
    pub lfh_block_bitmap: u64,
}

impl SegmentHeapLayout {
    /// The table for an OS build: Windows 10 19041-19045 x64 and x86 (the 19041 ntdll and wntdll
    /// PDBs), 17763/18362/18363 x64 (the same as 19041's), Windows 11 22000-22631 x64 (the
    /// 22000 ISF, the 22631 Vergilius header); `None` for other builds, whose offsets differ or
    /// are not checked.
    pub fn for_build(width: PointerWidth, build: u32) -> Option<SegmentHeapLayout> {
        let win10 = (19041..=19045).contains(&build);
        let rs5_19h2 = matches!(build, 17763 | 18362 | 18363);
        let win11 = (22000..=22631).contains(&build);
        match width {
            PointerWidth::Bits32 if win10 => Some(Self::X86_19041),
            PointerWidth::Bits64 if win10 || rs5_19h2 => Some(Self::X64_19041),
            PointerWidth::Bits64 if win11 => Some(SegmentHeapLayout {
                seg_contexts: 0x140,
                ..Self::X64_19041
            }),
            _ => None,
        }
    }

    const X64_19041: SegmentHeapLayout = SegmentHeapLayout {
        width: PointerWidth::Bits64,
        large_alloc_metadata: 0x48,
        large_reserved_pages: 0x58,
        large_committed_pages: 0x60,
        mem_stats: 0x80,
        large_virtual_address: 0x18,
        large_allocated_pages: 0x20,
        seg_contexts: 0x100,
        seg_context_size: 0xc0,
        ctx_segment_mask: 0,
        ctx_unit_shift: 8,
        ctx_first_descriptor_index: 0xa,
        ctx_heap: 0x38,
        ctx_segment_list_head: 0x48,
        ctx_segment_count: 0x58,
        page_segment_signature: 0x10,
        descriptor_size: 0x20,
        desc_unused_bytes: 4,
        desc_range_flags: 0x18,
        range_flags_mask: 0xff,
        desc_unit_size: 0x1f,
        vs_size: 0x20,
        vs_signature: 0x22,
        vs_subsegment_size: 0x28,
        chunk_header_size: 0x10,
        chunk_allocated_bits: 8,
        lfh_free_count: 0x20,
        lfh_block_count: 0x22,
        lfh_block_offsets: 0x28,
        lfh_block_bitmap: 0x30,
    };

    const X86_19041: SegmentHeapLayout = SegmentHeapLayout {
        width: PointerWidth::Bits32,
        large_alloc_metadata: 0x44,
        large_reserved_pages: 0x4c,
        large_committed_pages: 0x50,
        mem_stats: 0x80,
        large_virtual_address: 0xc,
        large_allocated_pages: 0x10,
        seg_contexts: 0x100,
        seg_context_size: 0x80,
        ctx_segment_mask: 0,
        ctx_unit_shift: 4,
        ctx_first_descriptor_index: 6,
        ctx_heap: 0x24,
        ctx_segment_list_head: 0x44,
        ctx_segment_count: 0x4c,
        page_segment_signature: 8,
        descriptor_size: 0x10,
        desc_unused_bytes: 4,
        desc_range_flags: 0xc,
        range_flags_mask: 0x1f,
        desc_unit_size: 0xf,
        vs_size: 0x14,
        vs_signature: 0x16,
        vs_subsegment_size: 0x18,
        chunk_header_size: 8,
        chunk_allocated_bits: 4,
        lfh_free_count: 0x10,
        lfh_block_count: 0x12,
        lfh_block_offsets: 0x18,
        lfh_block_bitmap: 0x20,
    };

    /// Offset of the first VS chunk header in a VS subsegment: the subsegment header rounded up
    /// to the chunk-header size (0x30 x64, 0x18 x86; one source, MemProcFS).
    pub fn vs_first_chunk(&self) -> u64 {
        self.vs_subsegment_size
            .div_ceil(self.chunk_header_size.max(1))
            .saturating_mul(self.chunk_header_size)
    }

    /// Address of segment context `i` (0 or 1) of the heap at `heap`.
    pub fn seg_context(&self, heap: u64, i: u64) -> Option<u64> {
        heap.checked_add(self.seg_contexts)?
            .checked_add(i.checked_mul(self.seg_context_size)?)
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]
pub(crate) mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use super::SegmentHeapLayout;
    use crate::memory::PointerWidth;

    /// Every offset the segment-heap walk reads, against a PDB-derived source (`off`: member
    /// offset, `size`: type size).
    pub(crate) fn check_walk_layout(
        l: &crate::SegmentHeapLayout,
        off: &dyn Fn(&str, &str) -> Option<u64>,
        size: &dyn Fn(&str) -> Option<u64>,
        what: &str,
    ) {
        let rows: [(&str, &str, u64); 22] = [
            ("_SEGMENT_HEAP", "SegContexts", l.seg_contexts),
            ("_HEAP_SEG_CONTEXT", "SegmentMask", l.ctx_segment_mask),
            ("_HEAP_SEG_CONTEXT", "UnitShift", l.ctx_unit_shift),
            (
                "_HEAP_SEG_CONTEXT",
                "FirstDescriptorIndex",
                l.ctx_first_descriptor_index,
            ),
            ("_HEAP_SEG_CONTEXT", "Heap", l.ctx_heap),
            (
                "_HEAP_SEG_CONTEXT",
                "SegmentListHead",
                l.ctx_segment_list_head,
            ),
            ("_HEAP_SEG_CONTEXT", "SegmentCount", l.ctx_segment_count),
            ("_HEAP_PAGE_SEGMENT", "ListEntry", 0),
            ("_HEAP_PAGE_SEGMENT", "Signature", l.page_segment_signature),
            ("_HEAP_PAGE_SEGMENT", "DescArray", 0),
            (
                "_HEAP_PAGE_RANGE_DESCRIPTOR",
                "UnusedBytes",
                l.desc_unused_bytes,
            ),
            (
                "_HEAP_PAGE_RANGE_DESCRIPTOR",
                "RangeFlags",
                l.desc_range_flags,
            ),
            ("_HEAP_PAGE_RANGE_DESCRIPTOR", "UnitSize", l.desc_unit_size),
            ("_HEAP_VS_SUBSEGMENT", "Size", l.vs_size),
            ("_HEAP_VS_SUBSEGMENT", "Signature", l.vs_signature),
            ("_HEAP_VS_CHUNK_HEADER", "Sizes", 0),
            (
                "_HEAP_VS_CHUNK_HEADER",
                "AllocatedChunkBits",
                l.chunk_allocated_bits,
            ),
            ("_HEAP_LFH_SUBSEGMENT", "FreeCount", l.lfh_free_count),
            ("_HEAP_LFH_SUBSEGMENT", "BlockCount", l.lfh_block_count),
            ("_HEAP_LFH_SUBSEGMENT", "BlockOffsets", l.lfh_block_offsets),
            ("_HEAP_LFH_SUBSEGMENT", "BlockBitmap", l.lfh_block_bitmap),
            (
                "_SEGMENT_HEAP",
                "LargeAllocMetadata",
                l.large_alloc_metadata,
            ),
        ];
        for (c, f, want) in rows {
            assert_eq!(off(c, f), Some(want), "{what}: {c}.{f}");
        }
        let p = l.width.bytes();
        let sizes = [
            ("_HEAP_SEG_CONTEXT", l.seg_context_size),
            ("_HEAP_PAGE_RANGE_DESCRIPTOR", l.descriptor_size),
            ("_HEAP_PAGE_SEGMENT", l.descriptor_size * 256),
            ("_HEAP_VS_SUBSEGMENT", l.vs_subsegment_size),
            ("_HEAP_VS_CHUNK_HEADER", l.chunk_header_size),
        ];
        for (c, want) in sizes {
            assert_eq!(size(c), Some(want), "{what}: sizeof({c})");
        }
        // The LIST_ENTRY links are pointer-sized; the x86 RangeFlags byte shares its top three
        // bits with CommittedPageCount (RangeFlagBits:5), x64 has CommittedPageCount apart.
        assert_eq!(l.page_segment_signature, 2 * p, "{what}");
        let apart =
            off("_HEAP_PAGE_RANGE_DESCRIPTOR", "CommittedPageCount") != Some(l.desc_range_flags);
        assert_eq!(apart, l.range_flags_mask == 0xff, "{what}");
    }

    fn corpus(file: &str) -> Option<Vec<u8>> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/kernel-layouts")
            .join(file);
        match std::fs::read(&p) {
            Ok(b) => Some(b),
            Err(_) => {
                eprintln!("SKIP: {file} is not in ../shared/corpus/kernel-layouts");
                None
            }
        }
    }

    /// Windows 11 21H2 x64: the kernel 22000 ISF has the same `RtlpHp` types as ntdll.
    #[test]
    fn win11_table_matches_the_22000_isf() {
        let Some(xz) = corpus("win11-22000-x64-ntkrnlmp-0CE4A95C.isf.json.xz") else {
            return;
        };
        let mut json = Vec::new();
        lzma_rs::xz_decompress(&mut &xz[..], &mut json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let types = &v["user_types"];
        let off = |c: &str, f: &str| types[c]["fields"][f]["offset"].as_u64();
        let size = |c: &str| types[c]["size"].as_u64();
        let l = SegmentHeapLayout::for_build(PointerWidth::Bits64, 22000).unwrap();
        check_walk_layout(&l, &off, &size, "22000 ISF");
        for (f, want) in [
            ("LargeReservedPages", l.large_reserved_pages),
            ("LargeCommittedPages", l.large_committed_pages),
            ("MemStats", l.mem_stats),
        ] {
            assert_eq!(off("_SEGMENT_HEAP", f), Some(want), "_SEGMENT_HEAP.{f}");
        }
        assert_eq!(
            off("_HEAP_LARGE_ALLOC_DATA", "VirtualAddress"),
            Some(l.large_virtual_address)
        );
        assert_eq!(
            off("_HEAP_LARGE_ALLOC_DATA", "AllocatedPages"),
            Some(l.large_allocated_pages)
        );
        assert_eq!(off("_RTLP_HP_HEAP_GLOBALS", "HeapKey"), Some(0));
        assert_eq!(off("_RTLP_HP_HEAP_GLOBALS", "LfhKey"), Some(8));
    }

    /// Offsets and sizes of the top-level types of a Vergilius header (offsets are written
    /// on every member line, nested anonymous members included, from the type's start).
    fn vergilius(text: &str) -> (HashMap<(String, String), u64>, HashMap<String, u64>) {
        let (mut offs, mut sizes) = (HashMap::new(), HashMap::new());
        let mut cur: Option<String> = None;
        let mut last_size = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("// 0x") {
                last_size = rest
                    .split_whitespace()
                    .next()
                    .and_then(|h| u64::from_str_radix(h, 16).ok());
                continue;
            }
            let head = line
                .strip_prefix("struct ")
                .or_else(|| line.strip_prefix("union "));
            if let Some(name) = head.and_then(|h| h.strip_suffix(" {")) {
                cur = Some(name.to_string());
                if let Some(sz) = last_size.take() {
                    sizes.insert(name.to_string(), sz);
                }
                continue;
            }
            if line.starts_with("};") {
                cur = None;
                continue;
            }
            let (Some(c), Some((decl, comment))) = (&cur, line.split_once("// offset: 0x")) else {
                continue;
            };
            let decl = decl.trim().trim_end_matches(';');
            let decl = decl.split(" :").next().unwrap_or(decl);
            let name = decl
                .rsplit([' ', '*'])
                .next()
                .unwrap_or("")
                .split('[')
                .next()
                .unwrap_or("");
            let hex = comment.split_whitespace().next().unwrap_or("");
            if let Ok(o) = u64::from_str_radix(hex, 16) {
                offs.entry((c.clone(), name.to_string())).or_insert(o);
            }
        }
        (offs, sizes)
    }

    /// 1809 and 1903/1909 x64 share the 19041 x64 table (facts from their kernel ISFs, which
    /// the corpus does not hold); their x86 segment heap has no table.
    #[test]
    fn rs5_to_19h2_x64_share_the_19041_table() {
        let t = SegmentHeapLayout::for_build(PointerWidth::Bits64, 19041);
        for b in [17763, 18362, 18363] {
            assert_eq!(SegmentHeapLayout::for_build(PointerWidth::Bits64, b), t);
            assert_eq!(SegmentHeapLayout::for_build(PointerWidth::Bits32, b), None);
        }
        for b in [16299, 17134, 19040, 19046, 21999, 22632, 26100] {
            assert_eq!(
                SegmentHeapLayout::for_build(PointerWidth::Bits64, b),
                None,
                "{b}"
            );
        }
    }

    /// Windows 11 23H2 x64 (22631) has the same offsets as 22000: one table for 22000-22631.
    #[test]
    fn win11_table_matches_the_22631_vergilius_header() {
        let Some(h) = corpus("win11-22631-x64-vergilius.h") else {
            return;
        };
        let (offs, sizes) = vergilius(&String::from_utf8_lossy(&h));
        let off = |c: &str, f: &str| offs.get(&(c.to_string(), f.to_string())).copied();
        let size = |c: &str| sizes.get(c).copied();
        let l = SegmentHeapLayout::for_build(PointerWidth::Bits64, 22631).unwrap();
        assert_eq!(
            l,
            SegmentHeapLayout::for_build(PointerWidth::Bits64, 22000).unwrap()
        );
        check_walk_layout(&l, &off, &size, "22631 Vergilius");
    }
}
