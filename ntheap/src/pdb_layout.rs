//! A [`HeapLayout`] computed from an ntdll PDB's type stream (feature `pdb`).
//!
//! The PDB is the authority: when its numbers differ from a built-in table, the PDB wins.

use std::collections::HashMap;
use std::io::Cursor;

use pdb::FallibleIterator;

use crate::error::Error;
use crate::layout::{HeapLayout, PointerWidth, Release};

const CLASSES: [&str; 23] = [
    "_SEGMENT_HEAP",
    "_HEAP_SEG_CONTEXT",
    "_HEAP_PAGE_SEGMENT",
    "_HEAP_PAGE_RANGE_DESCRIPTOR",
    "_HEAP_VS_SUBSEGMENT",
    "_HEAP_VS_CHUNK_HEADER",
    "_HEAP_LFH_SUBSEGMENT",
    "_HEAP_LARGE_ALLOC_DATA",
    "_HEAP_RUNTIME_MEMORY_STATS",
    "_DPH_HEAP_ROOT",
    "_DPH_HEAP_BLOCK",
    "_DPH_BLOCK_INFORMATION",
    "_HEAP",
    "_HEAP_ENTRY",
    "_HEAP_SEGMENT",
    "_HEAP_COUNTERS",
    "_HEAP_FREE_ENTRY",
    "_HEAP_VIRTUAL_ALLOC_ENTRY",
    "_HEAP_UCR_DESCRIPTOR",
    "_LFH_HEAP",
    "_HEAP_SUBSEGMENT",
    "_HEAP_USERDATA_HEADER",
    "_RTL_STACK_TRACE_ENTRY",
];

fn pdb_err(e: pdb::Error) -> Error {
    Error::Pdb(e.to_string())
}

/// Member offsets of the heap structures, read from a PDB.
#[derive(Debug, Clone, Default)]
struct Members {
    offsets: HashMap<(String, String), u64>,
    sizes: HashMap<String, u64>,
}

impl Members {
    #[cfg(test)]
    fn get(
        &self,
        class: &'static str,
        member: &'static str,
        full: &'static str,
    ) -> Result<u64, Error> {
        self.offsets
            .get(&(class.to_string(), member.to_string()))
            .copied()
            .ok_or(Error::PdbMissing(full))
    }
}

fn read_members<'s, S: pdb::Source<'s> + 's>(source: S) -> Result<Members, Error> {
    let mut pdb = pdb::PDB::open(source).map_err(pdb_err)?;
    let ti = pdb.type_information().map_err(pdb_err)?;
    let mut finder = ti.finder();
    let mut iter = ti.iter();
    let mut wanted: Vec<(String, pdb::TypeIndex, u64)> = Vec::new();
    while let Some(t) = iter.next().map_err(pdb_err)? {
        finder.update(&iter);
        // `_HEAP_PAGE_SEGMENT` is a union; the others are structures.
        let (name, fields, size, forward) = match t.parse() {
            Ok(pdb::TypeData::Class(c)) => {
                (c.name, c.fields, c.size, c.properties.forward_reference())
            }
            Ok(pdb::TypeData::Union(u)) => (
                u.name,
                Some(u.fields),
                u.size,
                u.properties.forward_reference(),
            ),
            _ => continue,
        };
        let name = name.to_string();
        if forward || !CLASSES.contains(&name.as_ref()) {
            continue;
        }
        if let Some(fields) = fields {
            wanted.push((name.into_owned(), fields, size));
        }
    }
    let mut m = Members::default();
    for (class, fields, size) in wanted {
        m.sizes.insert(class.clone(), size);
        let mut next = Some(fields);
        let mut steps = 0usize;
        while let Some(fi) = next.take() {
            steps = steps.saturating_add(1);
            if steps > 64 {
                break;
            }
            let item = finder.find(fi).map_err(pdb_err)?;
            if let Ok(pdb::TypeData::FieldList(list)) = item.parse() {
                for f in list.fields {
                    if let pdb::TypeData::Member(mem) = f {
                        m.offsets
                            .entry((class.clone(), mem.name.to_string().into_owned()))
                            .or_insert(mem.offset);
                    }
                }
                next = list.continuation;
            }
        }
    }
    Ok(m)
}

/// Every offset a PDB can give, named as in [`HeapLayout::fields`] (`"STRUCT.Member"`).
const MEMBER_FIELDS: [&str; 50] = [
    "_HEAP.Flags",
    "_HEAP.ForceFlags",
    "_HEAP.EncodeFlagMask",
    "_HEAP.Encoding",
    "_HEAP.Signature",
    "_HEAP.TotalFreeSize",
    "_HEAP.UCRList",
    "_HEAP.VirtualAllocdBlocks",
    "_HEAP.SegmentList",
    "_HEAP.BlocksIndex",
    "_HEAP.FreeLists",
    "_HEAP.FrontEndHeap",
    "_HEAP.FrontEndHeapType",
    "_HEAP.Counters",
    "_HEAP_COUNTERS.TotalMemoryReserved",
    "_HEAP_COUNTERS.TotalMemoryCommitted",
    "_HEAP_COUNTERS.TotalMemoryLargeUCR",
    "_HEAP_COUNTERS.TotalSizeInVirtualBlocks",
    "_HEAP_COUNTERS.TotalSegments",
    "_HEAP_COUNTERS.TotalUCRs",
    "_HEAP_COUNTERS.LockCollisions",
    "_HEAP_SEGMENT.SegmentSignature",
    "_HEAP_SEGMENT.SegmentFlags",
    "_HEAP_SEGMENT.SegmentListEntry",
    "_HEAP_SEGMENT.Heap",
    "_HEAP_SEGMENT.BaseAddress",
    "_HEAP_SEGMENT.NumberOfPages",
    "_HEAP_SEGMENT.FirstEntry",
    "_HEAP_SEGMENT.LastValidEntry",
    "_HEAP_SEGMENT.NumberOfUnCommittedPages",
    "_HEAP_SEGMENT.NumberOfUnCommittedRanges",
    "_HEAP_SEGMENT.UCRSegmentList",
    "_HEAP_FREE_ENTRY.FreeList",
    "_HEAP_VIRTUAL_ALLOC_ENTRY.CommitSize",
    "_HEAP_VIRTUAL_ALLOC_ENTRY.ReserveSize",
    "_HEAP_VIRTUAL_ALLOC_ENTRY.BusyBlock",
    "_HEAP_UCR_DESCRIPTOR.ListEntry",
    "_HEAP_UCR_DESCRIPTOR.SegmentEntry",
    "_HEAP_UCR_DESCRIPTOR.Address",
    "_HEAP_UCR_DESCRIPTOR.Size",
    "_LFH_HEAP.Heap",
    "_HEAP_SUBSEGMENT.UserBlocks",
    "_HEAP_SUBSEGMENT.BlockSize",
    "_HEAP_SUBSEGMENT.BlockCount",
    "_HEAP_USERDATA_HEADER.Signature",
    "_HEAP_USERDATA_HEADER.EncodedOffsets",
    "_HEAP_USERDATA_HEADER.BusyBitmap",
    "_HEAP_USERDATA_HEADER.BitmapData",
    // Listed for completeness; `sizeof` entries are handled apart.
    "sizeof(_HEAP_SEGMENT)",
    "sizeof(_HEAP_USERDATA_HEADER)",
];

/// Set the field named `name` (as in [`HeapLayout::fields`]); false for an unknown name.
fn set_field(l: &mut HeapLayout, name: &str, v: u64) -> bool {
    let slot = match name {
        "_HEAP.Flags" => &mut l.heap_flags,
        "_HEAP.ForceFlags" => &mut l.heap_force_flags,
        "_HEAP.EncodeFlagMask" => &mut l.heap_encode_flag_mask,
        "_HEAP.Encoding" => &mut l.heap_encoding,
        "_HEAP.Signature" => &mut l.heap_signature,
        "_HEAP.TotalFreeSize" => &mut l.heap_total_free_size,
        "_HEAP.UCRList" => &mut l.heap_ucr_list,
        "_HEAP.VirtualAllocdBlocks" => &mut l.heap_virtual_allocd_blocks,
        "_HEAP.SegmentList" => &mut l.heap_segment_list,
        "_HEAP.BlocksIndex" => &mut l.heap_blocks_index,
        "_HEAP.FreeLists" => &mut l.heap_free_lists,
        "_HEAP.FrontEndHeap" => &mut l.heap_front_end_heap,
        "_HEAP.FrontEndHeapType" => &mut l.heap_front_end_heap_type,
        "_HEAP.Counters" => &mut l.heap_counters,
        "_HEAP_COUNTERS.TotalMemoryReserved" => &mut l.counters_total_memory_reserved,
        "_HEAP_COUNTERS.TotalMemoryCommitted" => &mut l.counters_total_memory_committed,
        "_HEAP_COUNTERS.TotalMemoryLargeUCR" => &mut l.counters_total_memory_large_ucr,
        "_HEAP_COUNTERS.TotalSizeInVirtualBlocks" => &mut l.counters_total_size_in_virtual_blocks,
        "_HEAP_COUNTERS.TotalSegments" => &mut l.counters_total_segments,
        "_HEAP_COUNTERS.TotalUCRs" => &mut l.counters_total_ucrs,
        "_HEAP_COUNTERS.LockCollisions" => &mut l.counters_lock_collisions,
        "_HEAP_SEGMENT.SegmentSignature" => &mut l.segment_signature,
        "_HEAP_SEGMENT.SegmentFlags" => &mut l.segment_flags,
        "_HEAP_SEGMENT.SegmentListEntry" => &mut l.segment_list_entry,
        "_HEAP_SEGMENT.Heap" => &mut l.segment_heap,
        "_HEAP_SEGMENT.BaseAddress" => &mut l.segment_base_address,
        "_HEAP_SEGMENT.NumberOfPages" => &mut l.segment_number_of_pages,
        "_HEAP_SEGMENT.FirstEntry" => &mut l.segment_first_entry,
        "_HEAP_SEGMENT.LastValidEntry" => &mut l.segment_last_valid_entry,
        "_HEAP_SEGMENT.NumberOfUnCommittedPages" => &mut l.segment_uncommitted_pages,
        "_HEAP_SEGMENT.NumberOfUnCommittedRanges" => &mut l.segment_uncommitted_ranges,
        "_HEAP_SEGMENT.UCRSegmentList" => &mut l.segment_ucr_segment_list,
        "sizeof(_HEAP_SEGMENT)" => &mut l.segment_size,
        "_HEAP_FREE_ENTRY.FreeList" => &mut l.free_entry_free_list,
        "_HEAP_VIRTUAL_ALLOC_ENTRY.CommitSize" => &mut l.vae_commit_size,
        "_HEAP_VIRTUAL_ALLOC_ENTRY.ReserveSize" => &mut l.vae_reserve_size,
        "_HEAP_VIRTUAL_ALLOC_ENTRY.BusyBlock" => &mut l.vae_busy_block,
        "_HEAP_UCR_DESCRIPTOR.ListEntry" => &mut l.ucr_list_entry,
        "_HEAP_UCR_DESCRIPTOR.SegmentEntry" => &mut l.ucr_segment_entry,
        "_HEAP_UCR_DESCRIPTOR.Address" => &mut l.ucr_address,
        "_HEAP_UCR_DESCRIPTOR.Size" => &mut l.ucr_size,
        "_HEAP_SUBSEGMENT.UserBlocks" => &mut l.subsegment_user_blocks,
        "_HEAP_SUBSEGMENT.BlockSize" => &mut l.subsegment_block_size,
        "_HEAP_SUBSEGMENT.BlockCount" => &mut l.subsegment_block_count,
        "_HEAP_USERDATA_HEADER.Signature" => &mut l.userdata_signature,
        "_HEAP_USERDATA_HEADER.BitmapData" | "sizeof(_HEAP_USERDATA_HEADER)" => {
            &mut l.userdata_bitmap_data
        }
        "_LFH_HEAP.Heap" => {
            l.lfh_heap = Some(v);
            return true;
        }
        "_HEAP_USERDATA_HEADER.EncodedOffsets" => {
            l.userdata_encoded_offsets = Some(v);
            return true;
        }
        "_HEAP_USERDATA_HEADER.BusyBitmap" => {
            l.userdata_busy_bitmap = Some(v);
            return true;
        }
        _ => return false,
    };
    *slot = v;
    true
}

/// The offsets the PDB carries, named as in [`HeapLayout::fields`].
fn pdb_values(m: &Members) -> Vec<(&'static str, u64)> {
    let mut out = Vec::new();
    for name in MEMBER_FIELDS {
        if let Some((class, member)) = name.split_once('.')
            && let Some(v) = m.offsets.get(&(class.to_string(), member.to_string()))
        {
            out.push((name, *v));
        }
    }
    if let Some(v) = m.sizes.get("_HEAP_SEGMENT") {
        out.push(("sizeof(_HEAP_SEGMENT)", *v));
    }
    // Windows 7 has no bitmap: the first block starts after the header.
    let has = |n: &str| out.iter().any(|(k, _)| *k == n);
    if !has("_HEAP_USERDATA_HEADER.BitmapData")
        && !has("_HEAP_USERDATA_HEADER.BusyBitmap")
        && let Some(v) = m.sizes.get("_HEAP_USERDATA_HEADER")
    {
        out.push(("sizeof(_HEAP_USERDATA_HEADER)", *v));
    }
    out
}

/// Pointer width from the sizes of structures the PDB has.
fn pdb_width(m: &Members) -> Result<PointerWidth, Error> {
    let by = |class: &str, small: u64, large: u64| match m.sizes.get(class) {
        Some(s) if *s == small => Some(PointerWidth::Bits32),
        Some(s) if *s == large => Some(PointerWidth::Bits64),
        _ => None,
    };
    if let Some(w) = by("_HEAP_SEGMENT", 0x40, 0x70).or_else(|| by("_HEAP_ENTRY", 8, 0x10)) {
        return Ok(w);
    }
    match m.sizes.get("_HEAP_SEGMENT") {
        Some(seg) => Err(Error::Pdb(format!(
            "unexpected sizeof(_HEAP_SEGMENT) {seg:#x}"
        ))),
        None => Err(Error::PdbMissing("_HEAP_SEGMENT")),
    }
}

/// The layout from what the PDB carries; what it lacks comes from the built-in table (of the
/// PDB's width) that agrees with the most offsets it does carry.
fn layout_from_members(m: &Members) -> Result<HeapLayout, Error> {
    let width = pdb_width(m)?;
    let values = pdb_values(m);
    if !values.iter().any(|(k, _)| k.starts_with("_HEAP.")) {
        return Err(Error::PdbMissing("_HEAP"));
    }
    let mut best: Option<(usize, HeapLayout)> = None;
    // Newest first, so a tie picks the most common modern layout.
    for r in Release::ALL.iter().rev() {
        let b = HeapLayout::builtin(*r, width);
        let fields = b.fields();
        let score = values
            .iter()
            .filter(|(k, v)| fields.iter().any(|(fk, fv)| fk == k && fv == v))
            .count();
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, b));
        }
    }
    let Some((_, mut layout)) = best else {
        return Err(Error::PdbMissing("_HEAP"));
    };
    let table = layout.name.clone();
    for (k, v) in &values {
        set_field(&mut layout, k, *v);
    }
    layout.fallback = layout
        .fields()
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| !values.iter().any(|(vk, _)| vk == k))
        .collect();
    layout.name = if layout.fallback.is_empty() {
        "from PDB".to_string()
    } else {
        format!(
            "from PDB; {} fields it lacks from {table}",
            layout.fallback.len()
        )
    };
    Ok(layout)
}

impl HeapLayout {
    /// Compute the layout from the bytes of an ntdll (or wntdll) PDB with type information.
    ///
    /// The PDB gives every offset it has. Fields whose structure or member it lacks (some
    /// public ntdll PDBs have no `_HEAP_VIRTUAL_ALLOC_ENTRY`) come from the built-in table
    /// of the same width that agrees with the most offsets the PDB does give; they are named
    /// in [`HeapLayout::fallback`] and the table in [`HeapLayout::name`]. A PDB without
    /// `_HEAP` fields, or whose pointer width cannot be told, is an error.
    pub fn from_pdb_bytes(bytes: &[u8]) -> Result<HeapLayout, Error> {
        let m = read_members(Cursor::new(bytes))?;
        layout_from_members(&m)
    }
}

#[cfg(test)]
mod tests {
    use core::mem::offset_of;

    use crate::raw::{RtlStackTraceEntry32, RtlStackTraceEntry64};

    /// The raw `_RTL_STACK_TRACE_ENTRY` layouts match the ntdll PDBs of the corpus.
    #[test]
    fn rtl_stack_trace_entry_matches_the_pdbs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pdb");
        let x64 = [
            ("HashChain", offset_of!(RtlStackTraceEntry64, hash_chain)),
            ("IndexHigh", offset_of!(RtlStackTraceEntry64, index_high)),
            ("Index", offset_of!(RtlStackTraceEntry64, index)),
            ("Depth", offset_of!(RtlStackTraceEntry64, depth)),
            ("BackTrace", offset_of!(RtlStackTraceEntry64, back_trace)),
        ];
        let x86 = [
            ("HashChain", offset_of!(RtlStackTraceEntry32, hash_chain)),
            ("IndexHigh", offset_of!(RtlStackTraceEntry32, index_high)),
            ("Index", offset_of!(RtlStackTraceEntry32, index)),
            ("Depth", offset_of!(RtlStackTraceEntry32, depth)),
            ("BackTrace", offset_of!(RtlStackTraceEntry32, back_trace)),
        ];
        for (file, want, size) in [
            (
                "win10-19041-x64-ntdll-96EF4ED5.pdb",
                &x64,
                size_of::<RtlStackTraceEntry64>(),
            ),
            (
                "win10-x64-ntdll-CCC0E361.pdb",
                &x64,
                size_of::<RtlStackTraceEntry64>(),
            ),
            (
                "win10-x86-wntdll-1C96EAD8.pdb",
                &x86,
                size_of::<RtlStackTraceEntry32>(),
            ),
        ] {
            let Ok(bytes) = std::fs::read(dir.join(file)) else {
                eprintln!("SKIP: {file} is not in ../shared/corpus/pdb");
                continue;
            };
            let m = super::read_members(std::io::Cursor::new(bytes)).unwrap();
            for (member, off) in want {
                let got = m.get("_RTL_STACK_TRACE_ENTRY", member, "").unwrap();
                assert_eq!(got, *off as u64, "{file}: _RTL_STACK_TRACE_ENTRY.{member}");
            }
            assert_eq!(m.sizes["_RTL_STACK_TRACE_ENTRY"], size as u64, "{file}");
        }
    }

    fn corpus_pdbs() -> Vec<(&'static str, Vec<u8>, crate::PointerWidth)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pdb");
        let mut out = Vec::new();
        for (file, w) in [
            (
                "win10-19041-x64-ntdll-96EF4ED5.pdb",
                crate::PointerWidth::Bits64,
            ),
            ("win10-x64-ntdll-CCC0E361.pdb", crate::PointerWidth::Bits64),
            ("win10-x86-wntdll-1C96EAD8.pdb", crate::PointerWidth::Bits32),
        ] {
            match std::fs::read(dir.join(file)) {
                Ok(b) => out.push((file, b, w)),
                Err(_) => eprintln!("SKIP: {file} is not in ../shared/corpus/pdb"),
            }
        }
        out
    }

    /// Every corpus PDB (Windows 10 19041 family) gives, field for field, the built-in table.
    #[test]
    fn corpus_pdbs_equal_the_builtin_tables() {
        for (file, bytes, w) in corpus_pdbs() {
            let l = crate::HeapLayout::from_pdb_bytes(&bytes).unwrap();
            assert_eq!(l.width, w, "{file}");
            assert!(l.fallback.is_empty(), "{file}: {:?}", l.fallback);
            assert_eq!(l.name, "from PDB");
            let b = crate::HeapLayout::builtin(crate::Release::Win10Rs5, w);
            assert_eq!(l.fields(), b.fields(), "{file}");
        }
    }

    /// A PDB without `_HEAP_VIRTUAL_ALLOC_ENTRY` (like a public Windows 7 x86 ntdll.pdb) still
    /// gives every other offset; the three missing ones come from the built-in table, marked.
    #[test]
    fn a_pdb_missing_a_type_still_yields_the_rest() {
        for (file, bytes, w) in corpus_pdbs() {
            let mut m = super::read_members(std::io::Cursor::new(bytes)).unwrap();
            m.offsets
                .retain(|(class, _), _| class != "_HEAP_VIRTUAL_ALLOC_ENTRY");
            m.sizes.remove("_HEAP_VIRTUAL_ALLOC_ENTRY");
            // And one member of a type that stays.
            m.offsets
                .remove(&("_HEAP".to_string(), "UCRList".to_string()));
            let l = super::layout_from_members(&m).unwrap();
            assert_eq!(
                l.fallback,
                [
                    "_HEAP.UCRList",
                    "_HEAP_VIRTUAL_ALLOC_ENTRY.CommitSize",
                    "_HEAP_VIRTUAL_ALLOC_ENTRY.ReserveSize",
                    "_HEAP_VIRTUAL_ALLOC_ENTRY.BusyBlock",
                ],
                "{file}"
            );
            assert!(l.name.contains("4 fields"), "{}", l.name);
            assert!(l.name.contains("Windows 10 1809+ / 11"), "{}", l.name);
            let b = crate::HeapLayout::builtin(crate::Release::Win10Rs5, w);
            assert_eq!(l.fields(), b.fields(), "{file}");
        }
    }

    /// A PDB whose offsets are shifted from every table keeps its own numbers; only the
    /// fields it lacks are filled, and the Windows 7 table wins when the PDB looks like one.
    #[test]
    fn pdb_numbers_win_and_the_closest_table_fills_the_gaps() {
        let w = crate::PointerWidth::Bits32;
        let win7 = crate::HeapLayout::builtin(crate::Release::Win7Sp1, w);
        let mut m = super::Members::default();
        for (k, v) in win7.fields() {
            if let Some((c, mem)) = k.split_once('.')
                && c != "_HEAP_VIRTUAL_ALLOC_ENTRY"
            {
                m.offsets.insert((c.to_string(), mem.to_string()), v);
            }
        }
        m.sizes
            .insert("_HEAP_SEGMENT".to_string(), win7.segment_size);
        m.sizes.insert(
            "_HEAP_USERDATA_HEADER".to_string(),
            win7.userdata_bitmap_data,
        );
        // A number no table has: the PDB's wins.
        m.offsets
            .insert(("_HEAP".to_string(), "Counters".to_string()), 0x1234);
        let l = super::layout_from_members(&m).unwrap();
        assert_eq!(l.heap_counters, 0x1234);
        assert!(l.name.contains("Windows 7 SP1 x86"), "{}", l.name);
        assert_eq!(l.fallback.len(), 3);
        assert_eq!(l.vae_busy_block, win7.vae_busy_block);
        // Nothing of _HEAP at all: an error, not a silent built-in table.
        let mut empty = super::Members::default();
        empty.sizes.insert("_HEAP_SEGMENT".to_string(), 0x40);
        assert!(super::layout_from_members(&empty).is_err());
    }

    /// The built-in page-heap layouts equal the corpus PDBs' `_DPH_*` types (the block
    /// information's fields are the light page heap's header too).
    #[test]
    fn page_heap_layouts_match_the_pdbs() {
        for (file, bytes, w) in corpus_pdbs() {
            let m = super::read_members(std::io::Cursor::new(bytes)).unwrap();
            let l = crate::PageHeapLayout::builtin(w);
            let off = |c: &'static str, f: &'static str| m.get(c, f, "").unwrap();
            let root = "_DPH_HEAP_ROOT";
            let blk = "_DPH_HEAP_BLOCK";
            let info = "_DPH_BLOCK_INFORMATION";
            assert_eq!(off(root, "Signature"), 0, "{file}");
            assert_eq!(off(root, "HeapFlags"), l.root_heap_flags, "{file}");
            assert_eq!(
                off(root, "BusyNodesTable"),
                l.root_busy_nodes_table,
                "{file}"
            );
            assert_eq!(
                off(root, "nBusyAllocations"),
                l.root_busy_allocations,
                "{file}"
            );
            assert_eq!(
                off(root, "pFreeAllocationListHead"),
                l.root_free_list_head,
                "{file}"
            );
            assert_eq!(
                off(root, "nFreeAllocations"),
                l.root_free_allocations,
                "{file}"
            );
            assert_eq!(off(root, "NextHeap"), l.root_next_heap, "{file}");
            assert_eq!(off(root, "ExtraFlags"), l.root_extra_flags, "{file}");
            assert_eq!(off(root, "NormalHeap"), l.root_normal_heap, "{file}");
            assert_eq!(m.sizes[root], l.root_size, "{file}");
            assert_eq!(off(blk, "pNextAlloc"), l.block_next_alloc, "{file}");
            assert_eq!(off(blk, "TableLinks"), 0, "{file}");
            assert_eq!(
                off(blk, "pUserAllocation"),
                l.block_user_allocation,
                "{file}"
            );
            assert_eq!(off(blk, "pVirtualBlock"), l.block_virtual_block, "{file}");
            assert_eq!(
                off(blk, "nVirtualBlockSize"),
                l.block_virtual_block_size,
                "{file}"
            );
            assert_eq!(
                off(blk, "nVirtualAccessSize"),
                l.block_virtual_access_size,
                "{file}"
            );
            assert_eq!(
                off(blk, "nUserRequestedSize"),
                l.block_user_requested_size,
                "{file}"
            );
            assert_eq!(
                off(blk, "nUserActualSize"),
                l.block_user_actual_size,
                "{file}"
            );
            assert_eq!(off(blk, "StackTrace"), l.block_stack_trace, "{file}");
            assert_eq!(m.sizes[blk], l.block_size, "{file}");
            assert_eq!(m.sizes[info], l.info_size, "{file}");
            assert_eq!(off(info, "StartStamp"), 0, "{file}");
            assert_eq!(off(info, "Heap"), l.info_heap, "{file}");
            assert_eq!(off(info, "RequestedSize"), l.info_requested_size, "{file}");
            assert_eq!(off(info, "ActualSize"), l.info_actual_size, "{file}");
            assert_eq!(off(info, "FreeQueue"), l.info_free_queue, "{file}");
            assert_eq!(off(info, "TraceIndex"), l.info_free_queue, "{file}");
            assert_eq!(off(info, "StackTrace"), l.info_stack_trace, "{file}");
            assert_eq!(off(info, "EndStamp"), l.info_end_stamp, "{file}");
        }
    }

    /// The segment-heap offsets equal the corpus PDBs (Windows 10 19041).
    #[test]
    fn segment_heap_layouts_match_the_pdbs() {
        for (file, bytes, w) in corpus_pdbs() {
            let m = super::read_members(std::io::Cursor::new(bytes)).unwrap();
            let l = crate::SegmentHeapLayout::for_build(w, 19041).unwrap();
            let off = |c: &'static str, f: &'static str| m.get(c, f, "").unwrap();
            let sh = "_SEGMENT_HEAP";
            let (sig, flags, index) = match w {
                crate::PointerWidth::Bits32 => (8, 0xc, 0x14),
                crate::PointerWidth::Bits64 => (0x10, 0x14, 0x1c),
            };
            assert_eq!(off(sh, "Signature"), sig, "{file}");
            assert_eq!(off(sh, "GlobalFlags"), flags, "{file}");
            assert_eq!(off(sh, "ProcessHeapListIndex"), index, "{file}");
            assert_eq!(
                off(sh, "LargeAllocMetadata"),
                l.large_alloc_metadata,
                "{file}"
            );
            assert_eq!(
                off(sh, "LargeReservedPages"),
                l.large_reserved_pages,
                "{file}"
            );
            assert_eq!(
                off(sh, "LargeCommittedPages"),
                l.large_committed_pages,
                "{file}"
            );
            assert_eq!(off(sh, "MemStats"), l.mem_stats, "{file}");
            let stats = "_HEAP_RUNTIME_MEMORY_STATS";
            assert_eq!(off(stats, "TotalReservedPages"), 0, "{file}");
            assert_eq!(off(stats, "TotalCommittedPages"), w.bytes(), "{file}");
            let la = "_HEAP_LARGE_ALLOC_DATA";
            assert_eq!(off(la, "TreeNode"), 0, "{file}");
            assert_eq!(off(la, "VirtualAddress"), l.large_virtual_address, "{file}");
            assert_eq!(off(la, "AllocatedPages"), l.large_allocated_pages, "{file}");
            crate::segment_heap_layout::tests::check_walk_layout(
                &l,
                &|c, f| m.offsets.get(&(c.to_string(), f.to_string())).copied(),
                &|c| m.sizes.get(c).copied(),
                file,
            );
        }
    }
}
