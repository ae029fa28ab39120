//! A synthetic x64 Windows 10 process run with full page heap (`gflags +hpa`): an NT heap and a
//! page heap listed in the PEB, one thread with a captured stack and registers, a module image
//! with data, and a known set of heap blocks that nothing references.
#![allow(
    clippy::unwrap_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::Path;

use dumpfile::synth::process::{peb64, teb64};
use dumpfile::synth::{
    SynthContext, SynthDump, SynthModule, SynthSystemInfo, SynthThread, X64Registers,
};
use ntheap::synth::{
    Block, HeapBuilder, PageHeapBuilder, SegmentHeapBuilder, SegmentSpec, SynthHeap, SynthPageHeap,
    SynthSegmentHeap,
};
use ntheap::{EntryState, HeapLayout, PointerWidth, Release};

pub const HEAP: u64 = 0x1f1_adb9_0000;
pub const PAGE_HEAP: u64 = 0x1d8_4a2e_0000;
pub const SEGMENT_HEAP: u64 = 0x21c_7a50_0000;
pub const PEB: u64 = 0x3d_d1ce_7000;
pub const TEB: u64 = 0x3d_d1ce_8000;
pub const STACK: u64 = 0x3d_d1f0_0000;
pub const APP: u64 = 0x7ff6_dfe2_0000;
pub const NTDLL: u64 = 0x7ffa_3a9c_0000;

/// What was built, for comparison with what `dumpscope` finds.
pub struct Process {
    /// The NT heap.
    pub heap: SynthHeap,
    /// The page heap.
    pub page: SynthPageHeap,
    /// A segment heap with VS chunks, LFH blocks, a back-end allocation and large
    /// allocations.
    pub segment: SynthSegmentHeap,
    /// User addresses of the busy NT heap blocks, in address order.
    pub blocks: Vec<(u64, u64)>,
    /// User addresses and requested sizes of the busy blocks (NT, page and segment heap)
    /// nothing reaches, by address.
    pub unreferenced: Vec<(u64, u64)>,
}

fn put(mem: &mut ntheap::synth::SynthMemory, at: u64, v: u64) {
    mem.write(at, &v.to_le_bytes());
}

/// Builds the process and writes its dump into a fresh temporary folder named by `folder`.
pub fn write_temp(folder: &str) -> (std::path::PathBuf, Process) {
    let dir = std::env::temp_dir().join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pageheap-app.dmp");
    let p = write(&path);
    (path, p)
}

/// Builds the process and writes its dump to `path`.
pub fn write(path: &Path) -> Process {
    write_with(path, None)
}

/// The segment heap's keys as the synthetic heap encodes them.
pub const SEGMENT_KEYS: (u64, u64) = (0x6a1f_93c4_25b7_e80d, 0x9e37_79b9);

/// The corpus 19041 x64 ntdll PDB's identity (`96EF4ED5-3740-2DAA-A51D-4A4212EA4B2C`, age 1),
/// as a CodeView record stores its GUID.
pub const NTDLL_19041_GUID: [u8; 16] = [
    0xd5, 0x4e, 0xef, 0x96, 0x40, 0x37, 0xaa, 0x2d, 0xa5, 0x1d, 0x4a, 0x42, 0x12, 0xea, 0x4b, 0x2c,
];

/// The process with its ntdll naming the corpus 19041 ntdll PDB and the segment heap's keys in
/// `ntdll!RtlpHpHeapGlobals` at `globals_rva` (from that PDB).
pub fn write_with_ntdll_globals(path: &Path, globals_rva: u64) -> Process {
    write_with(path, Some(globals_rva))
}

fn write_with(path: &Path, globals_rva: Option<u64>) -> Process {
    let sizes = [
        0x40u64, 0x18, 0x100, 0x60, 0x30, 0x48, 0x20, 0x88, 0x28, 0x38,
    ];
    let mut blocks: Vec<Block> = sizes.iter().map(|s| Block::busy(*s)).collect();
    blocks.insert(4, Block::free(0x200));
    let mut heap = HeapBuilder::new(
        HeapLayout::builtin(Release::Win10Rs5, PointerWidth::Bits64),
        HEAP,
    )
    .encoding(Some([0x3b, 0x89, 0x6c, 0x24, 0x9c, 0x67, 0, 0]))
    .flags(0x0000_1002)
    .segment(SegmentSpec::new(blocks).uncommitted_pages(0x10))
    .build()
    .unwrap();
    let busy: Vec<(u64, u64)> = heap
        .entries
        .iter()
        .filter(|e| e.state == EntryState::Busy && e.requested.is_some() && e.address != HEAP)
        .map(|e| (e.address + 16, e.requested.unwrap()))
        .take(sizes.len())
        .collect();
    assert_eq!(busy.iter().map(|b| b.1).collect::<Vec<_>>(), sizes);
    let free = heap
        .entries
        .iter()
        .find(|e| e.state == EntryState::Free)
        .map(|e| e.address + 0x20)
        .unwrap();
    let b = |i: usize| busy[i].0;

    let frames = vec![NTDLL + 0x9_4a31, APP + 0x1680, APP + 0x2004];
    let mut page = PageHeapBuilder::new(PointerWidth::Bits64, PAGE_HEAP)
        .normal_heap(HEAP)
        .busy(0x18, frames.clone())
        .busy(0x100, vec![NTDLL + 0x9_4a31, APP + 0x17c0])
        .busy(0x2ff0, vec![])
        .free(0x40, frames)
        .build()
        .unwrap();
    let p = |i: usize| page.busy[i].user_address;
    let segment = SegmentHeapBuilder::new(PointerWidth::Bits64, SEGMENT_HEAP, 0x21c_8000_0000)
        .process_heap_list_index(2)
        .keys(SEGMENT_KEYS.0, SEGMENT_KEYS.1)
        .vs(vec![
            (true, 0x58),
            (true, 0x58),
            (false, 0x200),
            (true, 0x1000),
            (true, 0x58),
        ])
        .lfh(
            0x30,
            vec![Some(0x28), Some(0x28), None, Some(0x30), Some(0x28)],
        )
        .lfh(0x80, vec![Some(0x80), None, Some(0x78)])
        .backend(0x2_2000)
        .large(0x10_0000)
        .large(0x4_0123)
        .build()
        .unwrap();
    let mut segment = segment;
    // Segment-heap blocks: the first VS chunk (reached from the stack) -> the first LFH block.
    let seg_busy: Vec<(u64, u64)> = segment
        .blocks
        .iter()
        .filter_map(|b| Some((b.user_address, b.requested?)))
        .collect();
    let first = |k: ntheap::SegmentBlockKind| {
        segment
            .blocks
            .iter()
            .find(|b| b.kind == k && b.busy)
            .unwrap()
            .user_address
    };
    let (vs0, lfh0) = (
        first(ntheap::SegmentBlockKind::Vs),
        first(ntheap::SegmentBlockKind::Lfh),
    );
    put(&mut segment.memory, vs0 + 0x10, lfh0 + 4);

    // Heap blocks reach other blocks: b2 -> b3 (inside) -> b4; page block 0 -> b6.
    put(&mut heap.memory, b(2) + 8, b(3) + 0x10);
    put(&mut heap.memory, b(3), b(4));
    put(&mut page.memory, p(0), b(6));
    // A free block's stale pointer to b7 is no root.
    put(&mut heap.memory, free, b(7));

    let mut stack = vec![0u8; 0x2000];
    let mut word = |off: usize, v: u64| stack[off..off + 8].copy_from_slice(&v.to_le_bytes());
    word(0x1f00, b(0) + 8); // inside b0
    word(0x1f08, b(1));
    word(0x1f10, p(0) + 4); // inside page block 0
    word(0x1f18, b(8) + busy[8].1); // one past b8's user area: not a reference
    word(0x1f20, 0x4141_4141_4141_4141);
    word(0x1f28, vs0); // the first VS chunk's user data
    let mut image = vec![0u8; 0x3000];
    image[0x2010..0x2018].copy_from_slice(&b(2).to_le_bytes());
    let mut regs = X64Registers::default();
    regs.gpr[3] = b(5); // rbx
    regs.gpr[4] = STACK + 0x1f00; // rsp
    regs.rip = APP + 0x1680;

    let peb = peb64(PEB, 0x0200_0000, &[PAGE_HEAP, HEAP, SEGMENT_HEAP]);
    let teb = teb64(TEB, PEB, STACK, STACK + 0x2000);
    let mut d = SynthDump::new(dumpfile::synth::SynthArch::X64)
        .full_memory()
        .system_info(SynthSystemInfo::default())
        .module(SynthModule::new(APP, 0x3000, "C:\\app\\pageheap-app.exe"))
        .module({
            let mut m = SynthModule::new(NTDLL, 0x1f_0000, "C:\\Windows\\System32\\ntdll.dll");
            if globals_rva.is_some() {
                m.codeview = Some(dumpfile::synth::SynthCodeView::Pdb70 {
                    guid: NTDLL_19041_GUID,
                    age: 1,
                    pdb_name: "ntdll.pdb".to_string(),
                });
            }
            m
        })
        .thread(SynthThread {
            id: 0x1a2c,
            teb: TEB,
            stack_base: STACK,
            stack_size: 0x2000,
            context: Some(SynthContext::X64(regs)),
            ..SynthThread::default()
        })
        .memory(PEB, peb)
        .memory(TEB, teb)
        .memory(STACK, stack)
        .memory(APP, image);
    for (base, bytes) in heap
        .memory
        .regions
        .iter()
        .chain(&page.memory.regions)
        .chain(&segment.memory.regions)
    {
        d = d.memory(*base, bytes.clone());
    }
    if let Some(rva) = globals_rva {
        let mut g = SEGMENT_KEYS.0.to_le_bytes().to_vec();
        g.extend_from_slice(&SEGMENT_KEYS.1.to_le_bytes());
        d = d.memory(NTDLL + rva, g);
    }
    std::fs::write(path, d.write().unwrap()).unwrap();
    let mut unreferenced: Vec<(u64, u64)> = [7usize, 8, 9].iter().map(|i| busy[*i]).collect();
    // Page-heap blocks 1 and 2: nothing points at them either.
    unreferenced.extend(
        page.busy[1..]
            .iter()
            .map(|b| (b.user_address, b.requested_size)),
    );
    // Every other busy segment-heap block (large allocations included).
    unreferenced.extend(
        seg_busy
            .iter()
            .filter(|(a, _)| *a != vs0 && *a != lfh0)
            .copied()
            .chain(segment.large.iter().copied()),
    );
    unreferenced.sort_unstable();
    Process {
        heap,
        page,
        segment,
        blocks: busy,
        unreferenced,
    }
}
