//! The body shared by the `parse` and `parse_default` targets: both parse modes over arbitrary
//! bytes, file layout and mapped layout through the memory trait (with a hole punched in the
//! middle to exercise "not captured" paths); only the limits differ.

use pe_sections::{FnMemory, Limits, MemoryError, Pattern, PeImage, SliceMemory, StringKind};

fn exercise(pe: &PeImage<'_>) {
    let _ = pe.symbol_store_key();
    for s in pe.sections() {
        let _ = s.flag_descriptions();
        let _ = pe.section_status(s);
        let _ = pe.rva_to_file_offset(s.virtual_address);
        for kind in [StringKind::Ascii, StringKind::Utf16] {
            if let Ok(it) = pe.strings(s, 4, kind) {
                for f in it.take(64) {
                    std::hint::black_box(f);
                }
            }
        }
    }
    if let Ok(Some(e)) = pe.exports() {
        let _ = e.nearest_at_or_below(0x1234);
    }
    let _ = pe.codeview();
    if let Ok(f) = pe.runtime_functions() {
        for r in f.iter().take(16) {
            if let Some(u) = r.unwind_rva() {
                let _ = pe.unwind_info_bytes(u);
            }
        }
    }
    let _ = pe.relocations();
    if let Ok(Some(v)) = pe.version_info() {
        let _ = v.file_version_string();
        let _ = v.string("FileVersion");
    }
    let _ = pe.search_rva(&Pattern::Utf16("ab".into()), 0, 0x10000);
    let _ = pe.read_cstr_rva(0x1000, 128);
    let _ = pe.code_references_to(&[0x1000, 0x2000]);
    // MSVC RTTI: every pointer-aligned address of the first pages as a vtable.
    let base = pe.base();
    let step = if pe.is_64() { 8 } else { 4 };
    for off in (0..0x2000u64).step_by(step) {
        let _ = pe.rtti_class_of_vtable(base.wrapping_add(off));
    }
}

/// A valid image (x64 or x86) with every directory, used as a template for patching.
fn template(is64: bool) -> Vec<u8> {
    use pe_sections::synth::PeBuilder;
    let mut b = if is64 {
        PeBuilder::x64()
    } else {
        PeBuilder::x86()
    };
    let r = b.add_section(".rdata", PeBuilder::RDATA, b"hello\0world\0".to_vec());
    let t = b.add_section(
        ".text",
        PeBuilder::CODE,
        vec![0x48, 0x8d, 0x0d, 0, 0, 0, 0, 0x68, 0, 0x10, 0x40, 0, 0xc3],
    );
    b.export("a", t).export_forwarder("b", "X.y");
    b.runtime_function(t, t + 13, r);
    b.relocation(t + 8, 3);
    b.codeview([7; 16], 1, "f.pdb");
    b.version_resource([10, 0, 19041, 1], &[("FileVersion", "10.0"), ("ProductName", "x")]);
    b.build()
}

/// Runs one input under `limits`: first byte 0/1 patches a valid template, anything else is raw.
pub fn run(input: &[u8], limits: Limits) {
    // First byte 0/1: patch a valid template with (u16 offset, u8 value) triples; else raw.
    let patched;
    let data: &[u8] = match input.split_first() {
        Some((&mode, rest)) if mode < 2 => {
            let mut img = template(mode == 1);
            for p in rest.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([p[0], p[1]]));
                if let Some(b) = img.get_mut(at) {
                    *b = p[2];
                }
            }
            patched = img;
            &patched
        }
        _ => input,
    };
    if let Ok(pe) = PeImage::parse_file(data).and_then(|p| p.with_limits(limits)) {
        exercise(&pe);
    }
    let flat = SliceMemory::new(0x1_0000, data);
    let hole_start = 0x1_0000u64.saturating_add((data.len() / 2) as u64);
    let mem = FnMemory::new(move |addr, buf| {
        let end = addr.saturating_add(buf.len() as u64);
        if addr < hole_start.saturating_add(0x1000) && end > hole_start {
            return Err(MemoryError::not_captured(addr, buf.len()));
        }
        pe_sections::ReadMemory::read(&flat, addr, buf)
    });
    if let Ok(pe) = PeImage::parse_mapped(&mem, 0x1_0000).and_then(|p| p.with_limits(limits)) {
        exercise(&pe);
    }
}
