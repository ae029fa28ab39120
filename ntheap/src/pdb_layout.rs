//! A [`HeapLayout`] computed from an ntdll PDB's type stream (feature `pdb`).
//!
//! The PDB is the authority: when its numbers differ from a built-in table, the PDB wins.

use std::collections::HashMap;
use std::io::Cursor;

use pdb::FallibleIterator;

use crate::error::Error;
use crate::layout::{HeapLayout, PointerWidth};

const CLASSES: [&str; 10] = [
    "_HEAP",
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
        if let Ok(pdb::TypeData::Class(c)) = t.parse() {
            let name = c.name.to_string();
            if c.properties.forward_reference() || !CLASSES.contains(&name.as_ref()) {
                continue;
            }
            if let Some(fields) = c.fields {
                wanted.push((name.into_owned(), fields, c.size));
            }
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

impl HeapLayout {
    /// Compute the layout from the bytes of an ntdll (or wntdll) PDB with type information.
    pub fn from_pdb_bytes(bytes: &[u8]) -> Result<HeapLayout, Error> {
        let m = read_members(Cursor::new(bytes))?;
        let seg_size = *m
            .sizes
            .get("_HEAP_SEGMENT")
            .ok_or(Error::PdbMissing("_HEAP_SEGMENT"))?;
        let width = match seg_size {
            0x40 => PointerWidth::Bits32,
            0x70 => PointerWidth::Bits64,
            _ => {
                return Err(Error::Pdb(format!(
                    "unexpected sizeof(_HEAP_SEGMENT) {seg_size:#x}"
                )));
            }
        };
        let counters = m.get("_HEAP", "Counters", "_HEAP.Counters")?;
        let h = |f: &'static str, full: &'static str| m.get("_HEAP", f, full);
        let s = |f: &'static str, full: &'static str| m.get("_HEAP_SEGMENT", f, full);
        let c = |f: &'static str, full: &'static str| m.get("_HEAP_COUNTERS", f, full);
        let v = |f: &'static str, full: &'static str| m.get("_HEAP_VIRTUAL_ALLOC_ENTRY", f, full);
        let u = |f: &'static str, full: &'static str| m.get("_HEAP_UCR_DESCRIPTOR", f, full);
        Ok(HeapLayout {
            name: "from PDB".to_string(),
            width,
            heap_flags: h("Flags", "_HEAP.Flags")?,
            heap_force_flags: h("ForceFlags", "_HEAP.ForceFlags")?,
            heap_encode_flag_mask: h("EncodeFlagMask", "_HEAP.EncodeFlagMask")?,
            heap_encoding: h("Encoding", "_HEAP.Encoding")?,
            heap_signature: h("Signature", "_HEAP.Signature")?,
            heap_total_free_size: h("TotalFreeSize", "_HEAP.TotalFreeSize")?,
            heap_ucr_list: h("UCRList", "_HEAP.UCRList")?,
            heap_virtual_allocd_blocks: h("VirtualAllocdBlocks", "_HEAP.VirtualAllocdBlocks")?,
            heap_segment_list: h("SegmentList", "_HEAP.SegmentList")?,
            heap_blocks_index: h("BlocksIndex", "_HEAP.BlocksIndex")?,
            heap_free_lists: h("FreeLists", "_HEAP.FreeLists")?,
            heap_front_end_heap: h("FrontEndHeap", "_HEAP.FrontEndHeap")?,
            heap_front_end_heap_type: h("FrontEndHeapType", "_HEAP.FrontEndHeapType")?,
            heap_counters: counters,
            counters_total_memory_reserved: c(
                "TotalMemoryReserved",
                "_HEAP_COUNTERS.TotalMemoryReserved",
            )?,
            counters_total_memory_committed: c(
                "TotalMemoryCommitted",
                "_HEAP_COUNTERS.TotalMemoryCommitted",
            )?,
            counters_total_memory_large_ucr: c(
                "TotalMemoryLargeUCR",
                "_HEAP_COUNTERS.TotalMemoryLargeUCR",
            )?,
            counters_total_size_in_virtual_blocks: c(
                "TotalSizeInVirtualBlocks",
                "_HEAP_COUNTERS.TotalSizeInVirtualBlocks",
            )?,
            counters_total_segments: c("TotalSegments", "_HEAP_COUNTERS.TotalSegments")?,
            counters_total_ucrs: c("TotalUCRs", "_HEAP_COUNTERS.TotalUCRs")?,
            counters_lock_collisions: c("LockCollisions", "_HEAP_COUNTERS.LockCollisions")?,
            segment_signature: s("SegmentSignature", "_HEAP_SEGMENT.SegmentSignature")?,
            segment_flags: s("SegmentFlags", "_HEAP_SEGMENT.SegmentFlags")?,
            segment_list_entry: s("SegmentListEntry", "_HEAP_SEGMENT.SegmentListEntry")?,
            segment_heap: s("Heap", "_HEAP_SEGMENT.Heap")?,
            segment_base_address: s("BaseAddress", "_HEAP_SEGMENT.BaseAddress")?,
            segment_number_of_pages: s("NumberOfPages", "_HEAP_SEGMENT.NumberOfPages")?,
            segment_first_entry: s("FirstEntry", "_HEAP_SEGMENT.FirstEntry")?,
            segment_last_valid_entry: s("LastValidEntry", "_HEAP_SEGMENT.LastValidEntry")?,
            segment_uncommitted_pages: s(
                "NumberOfUnCommittedPages",
                "_HEAP_SEGMENT.NumberOfUnCommittedPages",
            )?,
            segment_uncommitted_ranges: s(
                "NumberOfUnCommittedRanges",
                "_HEAP_SEGMENT.NumberOfUnCommittedRanges",
            )?,
            segment_ucr_segment_list: s("UCRSegmentList", "_HEAP_SEGMENT.UCRSegmentList")?,
            segment_size: seg_size,
            free_entry_free_list: m.get(
                "_HEAP_FREE_ENTRY",
                "FreeList",
                "_HEAP_FREE_ENTRY.FreeList",
            )?,
            vae_commit_size: v("CommitSize", "_HEAP_VIRTUAL_ALLOC_ENTRY.CommitSize")?,
            vae_reserve_size: v("ReserveSize", "_HEAP_VIRTUAL_ALLOC_ENTRY.ReserveSize")?,
            vae_busy_block: v("BusyBlock", "_HEAP_VIRTUAL_ALLOC_ENTRY.BusyBlock")?,
            ucr_list_entry: u("ListEntry", "_HEAP_UCR_DESCRIPTOR.ListEntry")?,
            ucr_segment_entry: u("SegmentEntry", "_HEAP_UCR_DESCRIPTOR.SegmentEntry")?,
            ucr_address: u("Address", "_HEAP_UCR_DESCRIPTOR.Address")?,
            ucr_size: u("Size", "_HEAP_UCR_DESCRIPTOR.Size")?,
            lfh_heap: m.get("_LFH_HEAP", "Heap", "_LFH_HEAP.Heap").ok(),
            subsegment_user_blocks: m.get(
                "_HEAP_SUBSEGMENT",
                "UserBlocks",
                "_HEAP_SUBSEGMENT.UserBlocks",
            )?,
            subsegment_block_size: m.get(
                "_HEAP_SUBSEGMENT",
                "BlockSize",
                "_HEAP_SUBSEGMENT.BlockSize",
            )?,
            subsegment_block_count: m.get(
                "_HEAP_SUBSEGMENT",
                "BlockCount",
                "_HEAP_SUBSEGMENT.BlockCount",
            )?,
            userdata_signature: m.get(
                "_HEAP_USERDATA_HEADER",
                "Signature",
                "_HEAP_USERDATA_HEADER.Signature",
            )?,
            userdata_encoded_offsets: m.get("_HEAP_USERDATA_HEADER", "EncodedOffsets", "").ok(),
            userdata_busy_bitmap: m.get("_HEAP_USERDATA_HEADER", "BusyBitmap", "").ok(),
            userdata_bitmap_data: match m.get("_HEAP_USERDATA_HEADER", "BitmapData", "") {
                Ok(v) => v,
                Err(_) => *m
                    .sizes
                    .get("_HEAP_USERDATA_HEADER")
                    .ok_or(Error::PdbMissing("_HEAP_USERDATA_HEADER"))?,
            },
        })
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
}
