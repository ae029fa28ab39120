//! Step 3: who owns a pool tag. The description comes from `pooltag.txt` or the built-in table;
//! the drivers come from their code: every loaded driver's executable sections, read from the
//! dump, are searched for the tag as an instruction immediate (`push 'kaeL'`,
//! `mov r8d, 'kaeL'`), what users do by hand with `findstr /m /l TAG *.sys`, but on the dump.

use pe_sections::{PeImage, ReadMemory};
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

/// Reads `len` bytes at `addr`, page by page where the whole range is not in the dump; the
/// pages missing stay zero and are counted.
fn read_lenient(mem: &dyn ReadMemory, addr: u64, buf: &mut [u8], missing: &mut u64) {
    if mem.read(addr, buf).is_ok() {
        return;
    }
    for (i, page) in buf.chunks_mut(PAGE).enumerate() {
        let at = addr.saturating_add((i as u64).saturating_mul(PAGE as u64));
        if mem.read(at, page).is_err() {
            page.fill(0);
            *missing = missing.saturating_add(1);
        }
    }
}

/// The owner of `tag`: its description and the drivers whose code uses it.
pub fn owner(k: &KernelTarget, tag: &str, d: &pooltrack::TagDescriptions) -> TagOwner {
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
    };
    let Some(tag) = parsed else {
        return o;
    };
    let arch = match k.dump.arch() {
        dumpfile::Arch::X86 => pooltrack::Arch::X86,
        _ => pooltrack::Arch::X64,
    };
    let mem = k.mem();
    let mut buf = Vec::new();
    for drv in k.driver_list().iter().take(MAX_DRIVERS) {
        if o.references.len() >= MAX_REFERENCES {
            break;
        }
        let Ok(pe) = PeImage::parse_mapped(&mem, drv.base) else {
            continue;
        };
        o.drivers_scanned = o.drivers_scanned.saturating_add(1);
        for s in pe.sections().iter().filter(|s| s.is_executable()) {
            let size = u64::from(s.mapped_size()).min(MAX_SECTION);
            let mut off = 0u64;
            while off < size && o.references.len() < MAX_REFERENCES {
                // Chunks overlap by 16 bytes so an instruction across a boundary is seen.
                let len = CHUNK.min(size.saturating_sub(off));
                let with_overlap = len.saturating_add(16).min(size.saturating_sub(off));
                let rva = u64::from(s.virtual_address).saturating_add(off);
                buf.resize(usize::try_from(with_overlap).unwrap_or(0), 0);
                read_lenient(
                    &mem,
                    drv.base.saturating_add(rva),
                    &mut buf,
                    &mut o.pages_missing,
                );
                o.code_bytes = o.code_bytes.saturating_add(len);
                let section = CodeSection { rva, bytes: &buf };
                let left = MAX_REFERENCES.saturating_sub(o.references.len());
                for r in pooltrack::find_tag_references(arch, &[section], tag, left) {
                    // An instruction starting in the overlap belongs to the next chunk.
                    if r.rva >= rva.saturating_add(len) {
                        continue;
                    }
                    let at = drv.base.saturating_add(r.rva);
                    o.references.push(TagReference {
                        driver: drv.name.clone(),
                        rva: r.rva,
                        location: format!("{}+{:#x}", k.module_name(drv), r.rva),
                        function: k.symbolize(at).filter(|f| f.contains('!')),
                        instruction: instruction(r.kind),
                    });
                }
                off = off.saturating_add(len);
            }
        }
    }
    o
}
