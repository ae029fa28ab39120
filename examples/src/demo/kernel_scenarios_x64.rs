//! The handle-leak scenario on other Windows builds, so the kernel-object commands can be shown
//! to give the same answers whatever the build: next to the x86 Windows Server 2003 dump of
//! [`handle_leak`], an x64 Windows 10 2004 (build 19041) dump whose object headers hold
//! `TypeIndex` encoded with `ObHeaderCookie`, and Windows 7 SP1 (build 7601) dumps, x64 and x86,
//! with plain type indexes through `ObTypeIndexTable`.
//!
//! Each is built from `pooltrack`'s story of the scenario laid out with that build's object
//! layout, placed in a full `dumpfile` kernel dump with the kernel variables named by an ISF
//! file (`DUMP.isf.json`) and KDBG. The leaked thread objects are one template array in the
//! story's memory; their pages are generated while the dump is written, so a 143,425-thread x64
//! dump (320 MB of thread objects) is written without holding its memory twice
//! ([`write_handle_leak_on`] streams it to a file).
//!
//! Only the objects side of the scenario is in these dumps (processes, handle tables, object
//! headers, threads); the pool side (`!vm`, `!poolused`) is in the x86 dump only.

// The builder computes addresses from its own plan (the story's layout, not dump data), so
// plain arithmetic is used; every read of what it wrote goes through the checked readers.
#![allow(clippy::arithmetic_side_effects)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
use pe_sections::synth::PeBuilder;
use pooltrack::object_synth::{LeakStory, SynthKernel, SynthMemory};
use pooltrack::{PointerWidth, ReadMemory};

use super::kernel_scenarios::{HANDLE_LEAK_MAX, KernelScenario, handle_leak};
use crate::CliError;

/// The Windows build a handle-leak scenario dump is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// x86 Windows Server 2003 (build 3790), the scenario's own machine: [`handle_leak`].
    X86Server2003,
    /// x64 Windows 10 2004 (build 19041): `TypeIndex` encoded with `ObHeaderCookie`.
    X64Win10,
    /// x64 Windows 7 SP1 / Server 2008 R2 (build 7601): plain `TypeIndex`.
    X64Win7,
    /// x86 Windows 7 SP1 (build 7601): plain `TypeIndex`, x86 handle entries.
    X86Win7,
}

impl Flavor {
    /// Every flavor.
    pub const ALL: [Flavor; 4] = [
        Flavor::X86Server2003,
        Flavor::X64Win10,
        Flavor::X64Win7,
        Flavor::X86Win7,
    ];

    /// A short name (`x86-2003`, `x64-win10`, `x64-win7`, `x86-win7`), for file names.
    pub fn name(self) -> &'static str {
        match self {
            Flavor::X86Server2003 => "x86-2003",
            Flavor::X64Win10 => "x64-win10",
            Flavor::X64Win7 => "x64-win7",
            Flavor::X86Win7 => "x86-win7",
        }
    }

    /// The build number.
    pub fn build(self) -> u32 {
        match self {
            Flavor::X86Server2003 => 3790,
            Flavor::X64Win10 => 19041,
            Flavor::X64Win7 | Flavor::X86Win7 => 7601,
        }
    }

    /// Whether the machine is x64.
    pub fn is_x64(self) -> bool {
        matches!(self, Flavor::X64Win10 | Flavor::X64Win7)
    }
}

/// The handle-leak scenario (`iexplore.exe` holding `leaked` handles to terminated threads
/// `mydriver.sys` started) as a kernel dump of `flavor`'s build. At most
/// [`HANDLE_LEAK_MAX`] leaked threads.
///
/// The dump is built in memory: an x64 dump of 143,425 leaked threads is 330 MB; prefer
/// [`write_handle_leak_on`] for those.
pub fn handle_leak_on(flavor: Flavor, leaked: u64) -> Result<KernelScenario, CliError> {
    if flavor == Flavor::X86Server2003 {
        let mut s = handle_leak(leaked)?;
        live_threads(flavor, leaked, &mut s.addresses);
        return Ok(s);
    }
    let (mut b, isf, addresses) = build(flavor, leaked)?;
    let dump = b.write().map_err(|e| CliError::new(e.to_string()))?;
    Ok(KernelScenario {
        dump,
        isf,
        addresses,
    })
}

/// [`handle_leak_on`] written straight to `path` (the dump) and `path.isf.json` (its symbols),
/// streaming the leaked threads' pages; returns the scenario's addresses by name
/// (`iexplore`, `system`, `worker`: a waiting System thread, `user`: iexplore's own thread).
pub fn write_handle_leak_on(
    flavor: Flavor,
    leaked: u64,
    path: &Path,
) -> Result<BTreeMap<&'static str, u64>, CliError> {
    let isf_path = crate::target::isf_path(path);
    if flavor == Flavor::X86Server2003 {
        let mut s = handle_leak(leaked)?;
        live_threads(flavor, leaked, &mut s.addresses);
        std::fs::write(path, &s.dump).map_err(|e| CliError::at(path, e))?;
        std::fs::write(&isf_path, &s.isf).map_err(|e| CliError::at(&isf_path, e))?;
        return Ok(s.addresses);
    }
    let (mut b, isf, addresses) = build(flavor, leaked)?;
    let file = std::fs::File::create(path).map_err(|e| CliError::at(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    b.write_to(&mut w)
        .map_err(|e| CliError::at(path, e.to_string()))?;
    w.flush().map_err(|e| CliError::at(path, e))?;
    std::fs::write(&isf_path, isf).map_err(|e| CliError::at(&isf_path, e))?;
    Ok(addresses)
}

fn layout_of(flavor: Flavor) -> Result<pooltrack::ObjectLayout, CliError> {
    let width = if flavor.is_x64() {
        PointerWidth::Bits64
    } else {
        PointerWidth::Bits32
    };
    pooltrack::ObjectLayout::for_build(flavor.build(), width).ok_or_else(|| {
        CliError::new(format!(
            "no built-in object layout for build {} {}",
            flavor.build(),
            flavor.name()
        ))
    })
}

/// Adds the first thread of System (`worker`, a waiting worker) and of iexplore.exe (`user`)
/// to `addresses` (the story is rebuilt: it is deterministic and costs one thread cell).
fn live_threads(flavor: Flavor, leaked: u64, addresses: &mut BTreeMap<&'static str, u64>) {
    let Ok(layout) = layout_of(flavor) else {
        return;
    };
    let (objects, story) = pooltrack::object_synth::handle_leak_story(layout, leaked);
    let k = objects.objects();
    for (name, process) in [("worker", story.system), ("user", story.iexplore)] {
        let first = k
            .process(process)
            .ok()
            .and_then(|p| k.threads(&p).find_map(Result::ok));
        if let Some(t) = first {
            addresses.insert(name, t.address);
        }
    }
}

/// KDBG offsets of the fields the object commands read.
const KDBG_PS_ACTIVE_PROCESS_HEAD: u16 = 0x50;
const KDBG_PSP_CID_TABLE: u16 = 0x58;

/// The first physical page of the leaked threads' generated pages (2 GiB), far above the
/// pages the dump builder allocates from 0x100 up.
const GENERATED_PFN: u64 = 0x8_0000;

type Built = (KernelDumpBuilder, String, BTreeMap<&'static str, u64>);

fn build(flavor: Flavor, leaked: u64) -> Result<Built, CliError> {
    if leaked > HANDLE_LEAK_MAX {
        return Err(CliError::new(format!(
            "at most {HANDLE_LEAK_MAX} leaked threads fit the synthetic dump"
        )));
    }
    let x64 = flavor.is_x64();
    let build = flavor.build();
    let layout = layout_of(flavor)?;
    let (objects, story) = pooltrack::object_synth::handle_leak_story(layout, leaked);
    let (arch, nt) = if x64 {
        (KernelArch::X64, 0xFFFF_F800_0240_0000u64)
    } else {
        (KernelArch::X86Pae, 0x8080_0000u64)
    };
    let mut b = KernelDumpBuilder::new(arch, KernelDumpType::Full);
    b.build_number(build).processors(4);
    b.bugcheck(0xE2, [0, 0, 0, 0]);
    let ntos = nt_image(x64, nt, &story);
    add_driver(&mut b, "ntoskrnl.exe", nt, &ntos, 0x60_0000);
    let (base, size) = story.driver;
    let rva = u32::try_from(story.start_address.wrapping_sub(base)).unwrap_or(0);
    let mydriver = image(x64, "mydriver.sys", base, Some(("StatusWaitThread", rva)));
    add_driver(
        &mut b,
        "mydriver.sys",
        base,
        &mydriver,
        u32::try_from(size).unwrap_or(0),
    );
    place(&mut b, &objects.memory);

    // Each process's DirBase: an address space sharing the kernel's mappings (made last, so
    // every kernel mapping is shared), so `.process` reads work.
    super::kernel_scenarios::own_address_spaces(&mut b, &objects, &layout)?;

    let isf = symbols(&mut b, nt, &objects, layout, &story.nt_functions);
    let mut a = BTreeMap::new();
    a.insert("iexplore", story.iexplore);
    a.insert("system", story.system);
    live_threads(flavor, leaked, &mut a);
    Ok((b, isf, a))
}

/// The kernel image of the handle-leak scenario loaded at `base`: one code section covering
/// the story's kernel functions ([`LeakStory::nt_functions`]), with a `call` before every
/// return address of the live threads' kernel stacks ([`LeakStory::stacks`]), so a stack
/// walker that checks return addresses (in code, after a call) accepts them. Symbols for those
/// functions come from the ISF file, not from the image.
pub fn nt_image(x64: bool, base: u64, story: &LeakStory) -> Vec<u8> {
    let mut pe = if x64 {
        PeBuilder::x64()
    } else {
        PeBuilder::x86()
    };
    pe.image_base(base).dll_name("ntoskrnl.exe");
    let text = u64::from(pe.next_rva());
    let end = story
        .nt_functions
        .iter()
        .map(|(_, a)| a.saturating_sub(base).saturating_add(0x1000))
        .max()
        .unwrap_or(0)
        .max(text + 0x1000);
    // Beyond the image's reserved 6 MiB nothing of the story is code.
    let len = usize::try_from(end.min(0x60_0000) - text).unwrap_or(0x1000);
    let mut code = vec![0xCCu8; len];
    for (_, frames) in &story.stacks {
        for &ret in frames {
            let at = ret
                .checked_sub(base)
                .and_then(|r| r.checked_sub(text))
                .and_then(|o| o.checked_sub(5))
                .and_then(|o| usize::try_from(o).ok());
            if let Some(call) = at.and_then(|o| code.get_mut(o..o + 5)) {
                // `call rel32` to the next instruction: the shape is what a walker checks.
                call.copy_from_slice(&[0xE8, 0, 0, 0, 0]);
            }
        }
    }
    pe.add_section(".text", 0x6000_0020, code);
    pe.build_mapped()
}

/// A driver image (PE32 or PE32+) with at most one exported function, so callers symbolize as
/// `module!Function+off`.
fn image(x64: bool, name: &str, base: u64, export: Option<(&str, u32)>) -> Vec<u8> {
    let mut pe = if x64 {
        PeBuilder::x64()
    } else {
        PeBuilder::x86()
    };
    pe.image_base(base).dll_name(name);
    let size = if export.is_some() { 0x10000 } else { 0x1000 };
    let text = pe.add_section("PAGE", 0x6000_0020, vec![0xCC; size]);
    if let Some((f, rva)) = export
        && rva >= text
    {
        pe.export(f, rva);
    }
    pe.build_mapped()
}

fn add_driver(b: &mut KernelDumpBuilder, name: &str, base: u64, image: &[u8], listed: u32) {
    let size = u32::try_from(image.len()).unwrap_or(u32::MAX).max(listed);
    b.driver(SynthDriver::new(name, base, size));
    b.map(base, image);
}

/// Copies the story's memory into the dump: byte regions page by page, and the whole pages
/// inside template arrays (the leaked threads) as generated pages read from the story's
/// memory while the dump is written.
fn place(b: &mut KernelDumpBuilder, mem: &SynthMemory) {
    const PAGE: u64 = 0x1000;
    let mut explicit = BTreeSet::new();
    // (first virtual page, first page frame, pages)
    let mut generated: Vec<(u64, u64, u64)> = Vec::new();
    let mut next_pfn = GENERATED_PFN;
    for (addr, len, is_array) in mem.extents() {
        let end = addr.saturating_add(len);
        if len == 0 {
            continue;
        }
        let first_page = addr & !(PAGE - 1);
        let last_page = (end - 1) & !(PAGE - 1);
        if is_array {
            // Interior pages are all array cells; the edge pages may share bytes with
            // neighbouring regions and are copied like them.
            let inner_start = addr.div_ceil(PAGE).saturating_mul(PAGE);
            let inner_end = end & !(PAGE - 1);
            if inner_end > inner_start {
                let pages = (inner_end - inner_start) / PAGE;
                generated.push((inner_start, next_pfn, pages));
                next_pfn = next_pfn.saturating_add(pages);
                if first_page < inner_start {
                    explicit.insert(first_page);
                }
                if last_page >= inner_end {
                    explicit.insert(last_page);
                }
                continue;
            }
        }
        let mut p = first_page;
        while p <= last_page {
            explicit.insert(p);
            p = p.saturating_add(PAGE);
        }
    }
    for &(va, pfn, pages) in &generated {
        for i in 0..pages {
            b.map_page(va + i * PAGE, Some((pfn + i) * PAGE));
        }
        b.physical_generated(pfn, pages);
    }
    if !generated.is_empty() {
        let shared = Arc::new(mem.clone());
        let runs = generated.clone();
        b.page_generator(move |pfn, buf| {
            let va = runs
                .iter()
                .find(|(_, p, n)| (*p..p.saturating_add(*n)).contains(&pfn))
                .map(|(va, p, _)| va + (pfn - p) * PAGE);
            if let Some(va) = va
                && shared.read(va, buf).is_err()
            {
                buf.fill(0);
            }
        });
    }
    for page in explicit {
        if let Some(bytes) = read_page(mem, page) {
            b.map(page, &bytes);
        }
    }
}

/// The 4 KiB page at `va` as far as the story's memory has it (the gaps between its objects
/// stay zero); `None` when nothing of it is mapped.
fn read_page(mem: &SynthMemory, va: u64) -> Option<Vec<u8>> {
    let mut page = vec![0u8; 0x1000];
    if mem.read(va, &mut page).is_ok() {
        return Some(page);
    }
    let mut any = false;
    for (i, cell) in page.chunks_mut(16).enumerate() {
        let at = va + i as u64 * 16;
        if mem.read(at, cell).is_ok() {
            any = true;
            continue;
        }
        for (j, byte) in cell.iter_mut().enumerate() {
            any |= mem.read(at + j as u64, std::slice::from_mut(byte)).is_ok();
        }
    }
    any.then_some(page)
}

/// Points KDBG at the story's process list and id table, and returns the ISF file naming the
/// kernel variables and the story's kernel functions (relative to the kernel base).
fn symbols(
    b: &mut KernelDumpBuilder,
    nt: u64,
    objects: &SynthKernel,
    layout: pooltrack::ObjectLayout,
    functions: &[(&'static str, u64)],
) -> String {
    let s = objects.symbols;
    let mut syms = serde_json::Map::new();
    let mut at = |name: &str, addr: Option<u64>| {
        if let Some(a) = addr.filter(|&a| a > nt) {
            syms.insert(name.to_string(), serde_json::json!({ "address": a - nt }));
        }
    };
    at("PsActiveProcessHead", s.ps_active_process_head);
    at("PspCidTable", s.psp_cid_table);
    at("ObTypeIndexTable", s.ob_type_index_table);
    if matches!(
        layout.object_header.type_ref,
        pooltrack::TypeRef::Index { cookie: true, .. }
    ) {
        at("ObHeaderCookie", s.ob_header_cookie);
    }
    for (name, addr) in functions {
        at(name, Some(*addr));
    }
    b.kdbg_at(nt.wrapping_add(0x5e_0000), 0x380);
    if let Some(h) = s.ps_active_process_head {
        b.kdbg_field(KDBG_PS_ACTIVE_PROCESS_HEAD, h, 8);
    }
    if let Some(c) = s.psp_cid_table {
        b.kdbg_field(KDBG_PSP_CID_TABLE, c, 8);
    }
    serde_json::json!({
        "metadata": {"format": "6.2.0"},
        "base_types": {},
        "user_types": {},
        "enums": {},
        "symbols": syms,
    })
    .to_string()
}
