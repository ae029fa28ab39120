//! The demo's two dumps, built from the crates' synthetic builders.

use std::io::Write;
use std::path::Path;

use dumpfile::synth::{
    MemoryStyle, SynthArch, SynthContext, SynthDump, SynthException, SynthMemoryInfo,
    SynthMiscInfo, SynthModule, SynthThread, SynthThreadInfo, X64Registers,
};
use ntheap::synth::{Block, HeapBuilder, SegmentSpec, SynthHeap};

use super::image::d4c_image;
use crate::CliError;
use crate::report::unix_to_filetime;

/// Variations of the demo dump.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `+ust` in the leaking heap.
    pub ust: bool,
    /// The leaked blocks start with a `d4c::Record` vtable.
    pub objects: bool,
    /// Instead of segments of 0x41f80-byte blocks, the leak loop allocates this many
    /// [`LARGE_SIZE`]-byte blocks, which the heap keeps on `VirtualAllocdBlocks` (with `+ust`):
    /// gigabytes that `!heap -s` commit misses. Only the first page of each is in the dump.
    pub large_blocks: u32,
}

/// Requested size of each leaked block when the leak allocates large blocks (16 MiB + 0x40).
pub const LARGE_SIZE: u64 = 0x100_0040;

/// D4C.exe's load address.
pub const D4C_BASE: u64 = 0x7ff6_dfe2_0000;
/// The leaking heap.
pub const LEAK_HEAP: u64 = 0x1f1_adb9_0000;
/// A small second heap, with one large block.
pub const HEAP_2: u64 = 0x1f1_ad70_0000;
/// A small third heap.
pub const HEAP_3: u64 = 0x1f1_ad60_0000;
/// Requested size of each leaked block.
pub const LEAK_SIZE: u64 = 0x41f80;
/// RVA of the format string in D4C's `.rdata`.
pub const FORMAT_RVA: u32 = 0x36b0;
/// RVA of the `lea r8, [rip+...]` that loads it.
pub const LEA_RVA: u32 = 0x161d;
/// RVA of the function containing it (Ghidra's `FUN_1400015a0`).
pub const LEAK_FUNCTION_RVA: u32 = 0x15a0;
/// RVA the leak loop's `malloc` call returns to.
pub const MALLOC_RETURN_RVA: u32 = 0x1612;
/// RVA the worker threads return to from `Sleep` (`D4C+0x1680`).
pub const SLEEP_RETURN_RVA: u32 = 0x1680;
/// The format string (as D4C.exe's `.rdata` holds it).
pub const FORMAT: &str = "==> Allocated addr: 0x%08x\n";
/// Process id.
pub const PROCESS_ID: u32 = 0x159c;
/// Thread ids.
pub const THREAD_IDS: [u32; 3] = [0x10d4, 0x2390, 0x1018];
/// Segments of the leaking heap in the "after" dump.
pub const AFTER_SEGMENTS: usize = 40;
/// Segments of the leaking heap in the "before" dump.
pub const BEFORE_SEGMENTS: usize = 4;
/// Leaked blocks per segment.
pub const BLOCKS_PER_SEGMENT: usize = 2;

pub(super) const PEB: u64 = 0x3d_d1ce_7000;
pub(super) const PROCESS_HEAPS_ARRAY: u64 = PEB + 0x800;
pub(super) const TEBS: [u64; 3] = [0x3d_d1ce_8000, 0x3d_d1cf_0000, 0x3d_d1cf_2000];
pub(super) const TEB_SIZE: u64 = 0x2000;
/// Stack bases (highest address) and the thread's RSP.
pub(super) const STACKS: [(u64, u64); 3] = [
    (0x3d_d1f0_0000, 0x3d_d1ef_f790),
    (0x3d_d230_0000, 0x3d_d22f_e8e0),
    (0x3d_d240_0000, 0x3d_d23f_eb10),
];
pub(super) const STACK_RESERVE: u64 = 0x10_0000;
pub(super) const STACK_COMMIT: u64 = 0x2000;
pub(super) const UNWIND_RVA: u32 = 0x3800;
/// UNWIND_INFO of a leaf function without prolog.
pub(super) const LEAF_UNWIND_RVA: u32 = 0x3810;
/// `d4c::Record`'s vtable in `.rdata` (its complete object locator pointer is just below).
pub const VTABLE_RVA: u32 = 0x3430;
pub(super) const COL_RVA: u32 = 0x3400;
/// `d4c::Record`'s RTTI type descriptor in `.data`.
pub(super) const TYPE_DESCRIPTOR_RVA: u32 = 0x7010;
/// `d4c::Record::Record`, which stores the vtable (`lea rax, [vtable]; mov [rcx], rax`).
pub const CONSTRUCTOR_RVA: u32 = 0x1500;

const MEM_COMMIT: u32 = dumpfile::MemState::COMMIT.bits();
const MEM_RESERVE: u32 = dumpfile::MemState::RESERVE.bits();
const MEM_PRIVATE: u32 = dumpfile::MemType::PRIVATE.bits();
const MEM_IMAGE: u32 = dumpfile::MemType::IMAGE.bits();
const PAGE_READONLY: u32 = dumpfile::PageProtection::READONLY.bits();
const PAGE_READWRITE: u32 = dumpfile::PageProtection::READWRITE.bits();
const PAGE_EXECUTE_READ: u32 = dumpfile::PageProtection::EXECUTE_READ.bits();

/// Which of the two dumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Early: a few segments, little thread time.
    Before,
    /// Late: the heap has grown to [`AFTER_SEGMENTS`] segments.
    After,
}

impl Moment {
    fn segments(self) -> usize {
        match self {
            Moment::Before => BEFORE_SEGMENTS,
            Moment::After => AFTER_SEGMENTS,
        }
    }
    /// Seconds from process start to the dump.
    fn elapsed_s(self) -> u64 {
        match self {
            Moment::Before => 3 * 60,
            Moment::After => 30 * 60 + 53,
        }
    }
    /// Thread times scale with the leak's progress: (user, kernel) per thread, 100-ns units.
    fn times(self) -> [(u64, u64); 3] {
        let after = [
            (0, 0),
            (270_310_000, 987_030_000),
            (110_930_000, 17_030_000),
        ];
        match self {
            Moment::After => after,
            Moment::Before => after.map(|(u, k)| (u / 10, k / 10)),
        }
    }
}

pub(super) fn err(e: impl std::fmt::Display) -> CliError {
    CliError::new(format!("demo: {e}"))
}

/// Builds the three heaps; the leaking one has `segments` segments of leaked blocks.
pub(super) fn heaps(segments: usize, opts: Options) -> Result<Vec<(SynthHeap, u32)>, CliError> {
    let large = opts.large_blocks;
    let ust = opts.ust || large > 0;
    let (segments, per_segment) = if large > 0 {
        (2, 0)
    } else {
        (segments, BLOCKS_PER_SEGMENT)
    };
    let layout =
        ntheap::HeapLayout::builtin(ntheap::Release::Win10Rs5, ntheap::PointerWidth::Bits64);
    let vae_user = layout.vae_busy_block.saturating_add(0x30);
    let key = Some([0x5d, 0x2a, 0x91, 0x0c, 0x7e, 0x33, 0xa4, 0x00]);
    let uncommitted = 0x80u32;
    let mut main = HeapBuilder::new(layout.clone(), LEAK_HEAP).encoding(key);
    if ust {
        // HEAP_GROWABLE | HEAP_CAPTURE_STACK_BACKTRACES; every block allocated by the loop's
        // malloc call (returning to D4C+0x1612) from the thread procedure.
        main = main.flags(0x0800_0002).ust_frames(vec![
            D4C_BASE.saturating_add(u64::from(MALLOC_RETURN_RVA)),
            D4C_BASE.saturating_add(0x1a40),
        ]);
    }
    // User data follows the header (and, with +ust, the two-granule trace header).
    let user_offset: u64 = if ust { 0x30 } else { 0x10 };
    for i in 0..segments {
        let mut blocks = Vec::new();
        if i == 0 {
            blocks.extend([
                Block::busy(0x30),
                Block::busy(0x30),
                Block::busy(0x58),
                Block::busy(0x208),
                Block::free(0x400),
                Block::busy(0x100),
            ]);
        }
        blocks.extend(std::iter::repeat_n(Block::busy(LEAK_SIZE), per_segment));
        main = main.segment(SegmentSpec::new(blocks).uncommitted_pages(uncommitted));
    }
    if large > 0 {
        main = main.large_block_capture(0x1000);
        for _ in 0..large {
            main = main.large_block(LARGE_SIZE);
        }
    }
    let mut main = main.build().map_err(err)?;
    // strcpy_s(block, "==> Allocated addr: 0x%08x" formatted with the block's address).
    let leaked: Vec<u64> = main
        .entries
        .iter()
        .filter(|e| e.requested == Some(LEAK_SIZE))
        .map(|e| e.address.saturating_add(user_offset))
        .chain(
            main.large_blocks
                .iter()
                .map(|&(at, _, _)| at.saturating_add(vae_user)),
        )
        .collect();
    for user in leaked {
        let text = format!("==> Allocated addr: 0x{:08x}\n\0", user & 0xffff_ffff);
        if opts.objects {
            let vtable = D4C_BASE.saturating_add(u64::from(VTABLE_RVA));
            main.memory.write(user, &vtable.to_le_bytes());
            main.memory.write(user.saturating_add(8), text.as_bytes());
        } else {
            main.memory.write(user, text.as_bytes());
        }
    }
    // A UTF-16 path in one small block, as real heaps have.
    if let Some(e) = main.entries.iter().find(|e| e.requested == Some(0x208)) {
        let path: Vec<u8> = "C:\\D4C\\D4C.exe\0"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        main.memory
            .write(e.address.saturating_add(user_offset), &path);
    }
    let mut out = vec![(main, uncommitted)];
    out.extend(small_heaps(&layout, key)?);
    Ok(out)
}

/// The demo's second and third heaps (small, one with a large block).
fn small_heaps(
    layout: &ntheap::HeapLayout,
    key: Option<[u8; 8]>,
) -> Result<Vec<(SynthHeap, u32)>, CliError> {
    let second = HeapBuilder::new(layout.clone(), HEAP_2)
        .encoding(key)
        .segment(
            SegmentSpec::new(vec![
                Block::busy(0x80),
                Block::busy(0x40),
                Block::free(0x200),
            ])
            .uncommitted_pages(0x10),
        )
        .large_block(0x10_0000)
        .build()
        .map_err(err)?;
    let third = HeapBuilder::new(layout.clone(), HEAP_3)
        .encoding(key)
        .segment(
            SegmentSpec::new(vec![Block::busy(0x20), Block::busy(0x60)]).uncommitted_pages(0x8),
        )
        .build()
        .map_err(err)?;
    Ok(vec![(second, 0x10), (third, 0x8)])
}

/// Requested size of the leaked blocks of the scaled dump.
pub const SCALED_LEAK_SIZE: u64 = 0x1f8;
/// Pages of each segment of the scaled dump's leaking heap that are filled while writing.
const SCALED_SEGMENT_PAGES: u32 = 0x1000;

/// The leaking heap at scale: about `bytes` of segments of 16 MiB, each filled with blocks
/// averaging 432 bytes (six leaked `SCALED_LEAK_SIZE` blocks holding the formatted text, then
/// blocks of 0x30, 0x58 and 0x208 bytes, repeated), produced while the dump is written.
fn scaled_heap(bytes: u64) -> Result<ntheap::synth::FilledHeap, CliError> {
    let layout =
        ntheap::HeapLayout::builtin(ntheap::Release::Win10Rs5, ntheap::PointerWidth::Bits64);
    let key = Some([0x5d, 0x2a, 0x91, 0x0c, 0x7e, 0x33, 0xa4, 0x00]);
    let per_segment = u64::from(SCALED_SEGMENT_PAGES).saturating_mul(0x1000);
    let segments = bytes.div_ceil(per_segment).max(1);
    let mut main = HeapBuilder::new(layout, LEAK_HEAP).encoding(key);
    for i in 0..segments {
        let blocks = if i == 0 {
            vec![
                Block::busy(0x30),
                Block::busy(0x30),
                Block::busy(0x58),
                Block::busy(0x208),
                Block::free(0x400),
                Block::busy(0x100),
            ]
        } else {
            vec![Block::busy(0x30)]
        };
        main = main.segment(SegmentSpec::new(blocks).uncommitted_pages(SCALED_SEGMENT_PAGES));
    }
    let mut pattern = vec![SCALED_LEAK_SIZE; 6];
    pattern.extend([0x30, 0x58, 0x208]);
    let text: std::sync::Arc<ntheap::synth::UserBytes> = std::sync::Arc::new(|user, req| {
        (req == SCALED_LEAK_SIZE)
            .then(|| format!("==> Allocated addr: 0x{:08x}\n\0", user & 0xffff_ffff).into_bytes())
    });
    main.build()
        .map_err(err)?
        .fill_tails(&pattern, Some(text))
        .map_err(err)
}

/// Writes the demo's "after" dump with its leaking heap scaled to about `heap_bytes` (a
/// D4C.exe-style heap leak at the size users bring), streamed: the heap's blocks are produced
/// while the file is written, never held. Returns the file size and the busy blocks filled in.
pub fn write_scaled_dump(heap_bytes: u64, path: &Path) -> Result<(u64, u64), CliError> {
    let filled = scaled_heap(heap_bytes)?;
    let blocks = filled.filled_blocks();
    let dump = build_dump_with(Moment::After, Options::default(), Some(filled))?;
    let file = std::fs::File::create(path).map_err(|e| CliError::at(path, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let n = dump.write_to(&mut w).map_err(|e| CliError::at(path, e))?;
    w.flush().map_err(|e| CliError::at(path, e))?;
    Ok((n, blocks))
}

pub(super) fn put_u64(buf: &mut [u8], off: usize, v: u64) {
    if let Some(d) = buf.get_mut(off..off.saturating_add(8)) {
        d.copy_from_slice(&v.to_le_bytes());
    }
}

pub(super) fn put_u32(buf: &mut [u8], off: usize, v: u32) {
    if let Some(d) = buf.get_mut(off..off.saturating_add(4)) {
        d.copy_from_slice(&v.to_le_bytes());
    }
}

/// Writes a `UNICODE_STRING` at `at` (PEB page offset) whose text is at `text_at`.
pub(super) fn put_unicode(peb: &mut [u8], at: usize, text_at: usize, text: &str) {
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let len = u16::try_from(units.len()).unwrap_or(0);
    if let Some(d) = peb.get_mut(at..at.saturating_add(2)) {
        d.copy_from_slice(&len.to_le_bytes());
    }
    if let Some(d) = peb.get_mut(at.saturating_add(2)..at.saturating_add(4)) {
        d.copy_from_slice(&len.saturating_add(2).to_le_bytes());
    }
    put_u64(
        peb,
        at.saturating_add(8),
        PEB.saturating_add(text_at as u64),
    );
    if let Some(d) = peb.get_mut(text_at..text_at.saturating_add(units.len())) {
        d.copy_from_slice(&units);
    }
}

/// `PEB.Ldr` (one `LDR_DATA_TABLE_ENTRY`, D4C.exe) and `PEB.ProcessParameters` (image path and
/// command line), laid out in the rest of the PEB page.
pub(super) fn write_loader_and_parameters(peb: &mut [u8], size_of_image: u32) {
    const LDR: usize = 0x840;
    const ENTRY: usize = 0x8a0;
    const PARAMS: usize = 0xb00;
    let va = |off: usize| PEB.saturating_add(off as u64);
    put_u64(peb, 0x18, va(LDR));
    put_u64(peb, 0x20, va(PARAMS));
    // PEB_LDR_DATA.InLoadOrderModuleList <-> the entry's InLoadOrderLinks.
    put_u32(peb, LDR, 0x58);
    put_u32(peb, LDR.saturating_add(4), 1);
    put_u64(peb, LDR.saturating_add(0x10), va(ENTRY));
    put_u64(peb, LDR.saturating_add(0x18), va(ENTRY));
    put_u64(peb, ENTRY, va(LDR.saturating_add(0x10)));
    put_u64(peb, ENTRY.saturating_add(8), va(LDR.saturating_add(0x10)));
    put_u64(peb, ENTRY.saturating_add(0x30), D4C_BASE);
    put_u64(
        peb,
        ENTRY.saturating_add(0x38),
        D4C_BASE.saturating_add(0x1a00),
    );
    put_u32(peb, ENTRY.saturating_add(0x40), size_of_image);
    put_unicode(peb, ENTRY.saturating_add(0x48), 0xc00, "C:\\D4C\\D4C.exe");
    put_unicode(peb, ENTRY.saturating_add(0x58), 0xc40, "D4C.exe");
    put_unicode(peb, PARAMS.saturating_add(0x60), 0xc00, "C:\\D4C\\D4C.exe");
    put_unicode(
        peb,
        PARAMS.saturating_add(0x70),
        0xc80,
        "\"C:\\D4C\\D4C.exe\" 2",
    );
}

pub(super) fn info(
    base: u64,
    alloc: u64,
    size: u64,
    state: u32,
    protect: u32,
    type_: u32,
) -> SynthMemoryInfo {
    SynthMemoryInfo {
        base_address: base,
        allocation_base: alloc,
        allocation_protect: if type_ == MEM_IMAGE {
            0x80
        } else {
            PAGE_READWRITE
        },
        region_size: size,
        state,
        protect,
        type_,
    }
}

/// The whole D4C.exe dump at one moment.
pub fn build_dump(moment: Moment, opts: Options) -> Result<SynthDump, CliError> {
    build_dump_with(moment, opts, None)
}

/// The whole D4C.exe dump at one moment, with `scaled` as its leaking heap when given.
fn build_dump_with(
    moment: Moment,
    opts: Options,
    scaled: Option<ntheap::synth::FilledHeap>,
) -> Result<SynthDump, CliError> {
    let dump_unix: u64 = moment.elapsed_s().saturating_add(0x6300_1000);
    let start_ft = unix_to_filetime(0x6300_1000);
    let mut d = SynthDump::new(SynthArch::X64)
        .time_date_stamp(u32::try_from(dump_unix).unwrap_or(u32::MAX))
        .memory_style(MemoryStyle::Full64)
        .misc_info(SynthMiscInfo {
            process_id: Some(PROCESS_ID),
            ..SynthMiscInfo::default()
        });
    let mut infos: Vec<SynthMemoryInfo> = Vec::new();

    // The image.
    let image = d4c_image();
    let size_of_image = u32::try_from(image.len()).map_err(err)?;
    {
        let mem = pe_sections::SliceMemory::new(D4C_BASE, &image);
        let pe = pe_sections::PeImage::parse_mapped(&mem, D4C_BASE).map_err(err)?;
        infos.push(info(
            D4C_BASE,
            D4C_BASE,
            0x1000,
            MEM_COMMIT,
            PAGE_READONLY,
            MEM_IMAGE,
        ));
        for s in pe.sections() {
            let protect = if s.is_executable() {
                PAGE_EXECUTE_READ
            } else if s
                .characteristics
                .contains(pe_sections::SectionFlags::MEM_WRITE)
            {
                PAGE_READWRITE
            } else {
                PAGE_READONLY
            };
            let size = u64::from(s.mapped_size())
                .div_ceil(0x1000)
                .saturating_mul(0x1000);
            infos.push(info(
                D4C_BASE.saturating_add(u64::from(s.virtual_address)),
                D4C_BASE,
                size,
                MEM_COMMIT,
                protect,
                MEM_IMAGE,
            ));
        }
    }
    let mut module = SynthModule::new(D4C_BASE, size_of_image, "C:\\D4C\\D4C.exe");
    module.time_date_stamp = 0x6300_0000;
    d = d.module(module).memory(D4C_BASE, image);

    // Heaps. The scaled heap's regions go last in the file, so that the memory other streams
    // point at with 32-bit RVAs (thread stacks) stays below 4 GiB.
    let mut deferred = Vec::new();
    let mut heap_addresses: Vec<u64> = Vec::new();
    let built = match scaled {
        Some(filled) => {
            heap_addresses.push(filled.heap.address);
            let filled = std::sync::Arc::new(filled);
            for (base, len) in filled.regions() {
                infos.push(info(
                    base,
                    base,
                    len.div_ceil(0x1000).saturating_mul(0x1000),
                    MEM_COMMIT,
                    PAGE_READWRITE,
                    MEM_PRIVATE,
                ));
                let f = std::sync::Arc::clone(&filled);
                deferred.push((base, len, f));
            }
            let layout = filled.heap.layout.clone();
            small_heaps(&layout, filled.heap.key)?
        }
        None => heaps(moment.segments(), opts)?,
    };
    heap_addresses.extend(built.iter().map(|(h, _)| h.address));
    for (h, uncommitted) in &built {
        for (base, bytes) in &h.memory.regions {
            // A large block is committed whole though only its start is in the dump.
            let len = h
                .large_blocks
                .iter()
                .find(|(at, _, _)| at == base)
                .map_or(bytes.len() as u64, |&(_, commit, _)| commit);
            infos.push(info(
                *base,
                *base,
                len,
                MEM_COMMIT,
                PAGE_READWRITE,
                MEM_PRIVATE,
            ));
            if h.segments.contains(base) && *uncommitted > 0 {
                infos.push(info(
                    base.saturating_add(len),
                    *base,
                    u64::from(*uncommitted).saturating_mul(0x1000),
                    MEM_RESERVE,
                    0,
                    MEM_PRIVATE,
                ));
            }
            d = d.memory(*base, bytes.clone());
        }
    }

    // PEB (with the ProcessHeaps array in its page).
    let mut peb = vec![0u8; 0x1000];
    put_u64(&mut peb, 0x10, D4C_BASE);
    put_u64(&mut peb, 0x30, LEAK_HEAP);
    put_u32(
        &mut peb,
        0xe8,
        u32::try_from(heap_addresses.len()).unwrap_or(0),
    );
    put_u32(&mut peb, 0xec, 16);
    put_u64(&mut peb, 0xf0, PROCESS_HEAPS_ARRAY);
    for (i, h) in heap_addresses.iter().enumerate() {
        put_u64(
            &mut peb,
            usize::try_from(PROCESS_HEAPS_ARRAY.saturating_sub(PEB))
                .unwrap_or(0)
                .saturating_add(i.saturating_mul(8)),
            *h,
        );
    }
    write_loader_and_parameters(&mut peb, size_of_image);
    infos.push(info(
        PEB,
        PEB,
        0x1000,
        MEM_COMMIT,
        PAGE_READWRITE,
        MEM_PRIVATE,
    ));
    d = d.memory(PEB, peb);

    // Threads: TEB, stack, context, times.
    let text = |rva: u32| D4C_BASE.saturating_add(u64::from(rva));
    // (RIP, return address stored at RSP+0x28).
    let frames = [
        (text(0x13b9), text(0x1a40)),
        (text(SLEEP_RETURN_RVA), 0),
        (text(SLEEP_RETURN_RVA), 0),
    ];
    let times = moment.times();
    let mut exception_context = None;
    for (i, &id) in THREAD_IDS.iter().enumerate() {
        let (Some(&teb), Some(&(base, rsp)), Some(&(rip, ret)), Some(&(user, kernel))) =
            (TEBS.get(i), STACKS.get(i), frames.get(i), times.get(i))
        else {
            continue;
        };
        let limit = base.saturating_sub(STACK_COMMIT);
        let mut teb_bytes = vec![0u8; usize::try_from(TEB_SIZE).unwrap_or(0)];
        put_u64(&mut teb_bytes, 0x08, base);
        put_u64(&mut teb_bytes, 0x10, limit);
        put_u64(&mut teb_bytes, 0x30, teb);
        put_u64(&mut teb_bytes, 0x40, u64::from(PROCESS_ID));
        put_u64(&mut teb_bytes, 0x48, u64::from(id));
        put_u64(&mut teb_bytes, 0x60, PEB);
        infos.push(info(
            teb,
            teb,
            TEB_SIZE,
            MEM_COMMIT,
            PAGE_READWRITE,
            MEM_PRIVATE,
        ));
        d = d.memory(teb, teb_bytes);

        let mut stack = vec![0u8; usize::try_from(STACK_COMMIT).unwrap_or(0)];
        let slot = rsp.saturating_add(0x28).saturating_sub(limit);
        put_u64(&mut stack, usize::try_from(slot).unwrap_or(usize::MAX), ret);
        if ret != 0 {
            // The caller's frame ends the stack.
            let slot = rsp.saturating_add(0x30 + 0x28).saturating_sub(limit);
            put_u64(&mut stack, usize::try_from(slot).unwrap_or(usize::MAX), 0);
        }
        let alloc = base.saturating_sub(STACK_RESERVE);
        infos.push(info(
            alloc,
            alloc,
            STACK_RESERVE.saturating_sub(STACK_COMMIT),
            MEM_RESERVE,
            0,
            MEM_PRIVATE,
        ));
        infos.push(info(
            limit,
            alloc,
            STACK_COMMIT,
            MEM_COMMIT,
            PAGE_READWRITE,
            MEM_PRIVATE,
        ));
        d = d.memory(limit, stack);

        let mut regs = X64Registers {
            rip,
            ..X64Registers::default()
        };
        if let Some(r) = regs.gpr.get_mut(4) {
            *r = rsp;
        }
        if i == 0 {
            exception_context = Some(SynthContext::X64(regs.clone()));
        }
        d = d
            .thread(SynthThread {
                id,
                teb,
                stack_base: limit,
                stack_size: STACK_COMMIT,
                context: Some(SynthContext::X64(regs)),
                ..SynthThread::default()
            })
            .thread_info(SynthThreadInfo {
                thread_id: id,
                create_time: start_ft.saturating_add(if i == 0 { 0 } else { 83_050_000 }),
                kernel_time: kernel,
                user_time: user,
                start_address: if i == 0 {
                    text(0x1a00)
                } else {
                    text(LEAK_FUNCTION_RVA)
                },
                ..SynthThreadInfo::default()
            });
    }
    // Process Explorer and procdump break into the process to write the dump.
    d = d.exception(SynthException {
        thread_id: THREAD_IDS[0],
        code: 0x8000_0003,
        flags: 0,
        record: 0,
        address: 0,
        parameters: Vec::new(),
        context: exception_context,
    });
    for (base, len, f) in deferred {
        d = d.memory_fill(base, len, move |off, buf| f.fill(base, off, buf));
    }
    infos.sort_by_key(|m| m.base_address);
    for m in infos {
        d = d.memory_info(m);
    }
    Ok(d)
}

/// Writes one demo dump; returns its size.
pub fn write_dump(moment: Moment, opts: Options, path: &Path) -> Result<u64, CliError> {
    let dump = build_dump(moment, opts)?;
    let file = std::fs::File::create(path).map_err(|e| CliError::at(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    let n = dump.write_to(&mut w).map_err(|e| CliError::at(path, e))?;
    w.flush().map_err(|e| CliError::at(path, e))?;
    Ok(n)
}
