//! Step 3 (and `pool owners`): who owns a pool tag. The description comes from `pooltag.txt` or
//! the built-in table; the drivers come from their code: every loaded driver's executable
//! sections, read from the dump, are searched for the tag as an instruction immediate
//! (`push 'kaeL'`, `mov r8d, 'kaeL'`), what users do by hand with `findstr /m /l TAG *.sys`, but
//! on the dump. A driver whose code is not all in the dump is read from its file in an
//! `--images` folder when one is given. Each use is named by the export or symbol before it,
//! and on x64 by the function `.pdata` says holds it.

use std::path::Path;

use pe_sections::PeImage;
use pooltrack::{CodeSection, ImmediateUse, PoolTag};

use super::{MAX_REFERENCES, TagOwner, TagReference};
use crate::target::KernelTarget;

/// Drivers scanned at most.
const MAX_DRIVERS: usize = 1024;
/// Bytes of one section read at most (larger sections are read up to this).
const MAX_SECTION: u64 = 64 << 20;
/// Bytes read at once.
const CHUNK: u64 = 0x10000;
const PAGE: usize = 0x1000;

fn instruction(k: ImmediateUse) -> String {
    match k {
        ImmediateUse::Push => "push imm32".to_string(),
        ImmediateUse::MovReg(r) => format!("mov r{r}d, imm32"),
        ImmediateUse::MovMem => "mov r/m32, imm32".to_string(),
        ImmediateUse::Cmp => "cmp r/m32, imm32".to_string(),
    }
}

/// The file of `driver` in `dir` (the name compared without case), when it is the same build
/// (its time stamp, when the dump knows it, agrees).
fn driver_file(dir: &Path, drv: &dumpfile::Driver) -> Option<Vec<u8>> {
    let want = drv.name.to_ascii_lowercase();
    let path = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find_map(|e| {
            let n = e.file_name().to_string_lossy().to_ascii_lowercase();
            (n == want).then(|| e.path())
        })?;
    let meta = std::fs::metadata(&path).ok()?;
    if meta.len() > MAX_SECTION.saturating_mul(4) {
        return None;
    }
    let bytes = std::fs::read(&path).ok()?;
    let pe = PeImage::parse_file(&bytes).ok()?;
    if drv
        .timestamp
        .is_some_and(|t| t != pe.file_header().time_date_stamp)
    {
        return None;
    }
    Some(bytes)
}

/// The owner of `tag`: its description and the drivers whose code uses it, reading drivers
/// whose code is not all in the dump from `images` (a folder of driver files, `--images`).
pub fn owner_with(
    k: &KernelTarget,
    tag: &str,
    d: &pooltrack::TagDescriptions,
    images: Option<&Path>,
) -> TagOwner {
    let parsed = PoolTag::parse(tag);
    let info = parsed.and_then(|t| d.get(t));
    let mut o = TagOwner {
        tag: tag.to_string(),
        description: info.map(pooltrack::TagInfo::windbg_text),
        binary: info.map(|i| i.binary.clone()).filter(|b| !b.is_empty()),
        references: Vec::new(),
        drivers_scanned: 0,
        code_bytes: 0,
        pages_missing: 0,
        drivers_from_files: 0,
    };
    let Some(tag) = parsed else {
        return o;
    };
    let arch = match k.dump.arch() {
        dumpfile::Arch::X86 => pooltrack::Arch::X86,
        _ => pooltrack::Arch::X64,
    };
    let mem = k.mem();
    for drv in k.driver_list().iter().take(MAX_DRIVERS) {
        if o.references.len() >= MAX_REFERENCES {
            break;
        }
        let in_dump = PeImage::parse_mapped(&mem, drv.base).ok();
        let complete = in_dump.as_ref().is_some_and(|pe| {
            pe.sections().iter().filter(|s| s.is_executable()).all(|s| {
                matches!(
                    pe.section_status(s),
                    Ok(pe_sections::SectionStatus::Captured)
                )
            })
        });
        if !complete
            && let Some(bytes) = images.and_then(|dir| driver_file(dir, drv))
            && let Ok(pe) = PeImage::parse_file(&bytes)
        {
            o.drivers_scanned = o.drivers_scanned.saturating_add(1);
            o.drivers_from_files = o.drivers_from_files.saturating_add(1);
            scan_image(k, drv, &pe, arch, tag, "file", &mut o);
            continue;
        }
        let Some(pe) = in_dump else {
            continue;
        };
        o.drivers_scanned = o.drivers_scanned.saturating_add(1);
        scan_image(k, drv, &pe, arch, tag, "dump", &mut o);
    }
    o
}

/// Scans one image's executable sections (from the dump or a file) for the tag.
fn scan_image(
    k: &KernelTarget,
    drv: &dumpfile::Driver,
    pe: &PeImage<'_>,
    arch: pooltrack::Arch,
    tag: PoolTag,
    source: &'static str,
    o: &mut TagOwner,
) {
    let functions = if arch == pooltrack::Arch::X64 {
        pe.runtime_functions().unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut buf = Vec::new();
    for s in pe.sections().iter().filter(|s| s.is_executable()) {
        let size = u64::from(s.mapped_size()).min(MAX_SECTION);
        let mut off = 0u64;
        while off < size && o.references.len() < MAX_REFERENCES {
            // Chunks overlap by 16 bytes so an instruction across a boundary is seen.
            let len = CHUNK.min(size.saturating_sub(off));
            let with_overlap = len.saturating_add(16).min(size.saturating_sub(off));
            let rva = u64::from(s.virtual_address).saturating_add(off);
            buf.resize(usize::try_from(with_overlap).unwrap_or(0), 0);
            read_image(pe, rva, &mut buf, &mut o.pages_missing);
            o.code_bytes = o.code_bytes.saturating_add(len);
            let section = CodeSection { rva, bytes: &buf };
            let left = MAX_REFERENCES.saturating_sub(o.references.len());
            for r in pooltrack::find_tag_references(arch, &[section], tag, left) {
                // An instruction starting in the overlap belongs to the next chunk.
                if r.rva >= rva.saturating_add(len) {
                    continue;
                }
                let at = drv.base.saturating_add(r.rva);
                let start = u32::try_from(r.rva)
                    .ok()
                    .and_then(|x| pe_sections::function_containing(&functions, x))
                    .map(|f| format!("{}+{:#x}", k.module_name(drv), f.begin()));
                o.references.push(TagReference {
                    driver: drv.name.clone(),
                    rva: r.rva,
                    location: format!("{}+{:#x}", k.module_name(drv), r.rva),
                    function: k.symbolize(at).filter(|f| f.contains('!')),
                    function_start: start,
                    instruction: instruction(r.kind),
                    source,
                });
            }
            off = off.saturating_add(len);
        }
    }
}

/// Reads `buf.len()` bytes at `rva` of an image, page by page where the whole range cannot be
/// read; the pages missing stay zero and are counted.
fn read_image(pe: &PeImage<'_>, rva: u64, buf: &mut [u8], missing: &mut u64) {
    let Ok(rva32) = u32::try_from(rva) else {
        buf.fill(0);
        return;
    };
    if pe.read_rva(rva32, buf).is_ok() {
        return;
    }
    for (i, page) in buf.chunks_mut(PAGE).enumerate() {
        let at = u32::try_from(i.saturating_mul(PAGE))
            .ok()
            .and_then(|o| rva32.checked_add(o));
        if at.is_none_or(|a| pe.read_rva(a, page).is_err()) {
            page.fill(0);
            *missing = missing.saturating_add(1);
        }
    }
}
