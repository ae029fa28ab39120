//! Hostile inputs found by the robustness review: each test replays an input that used to
//! hang, panic or allocate without bound, and says what the root cause was.
#![cfg(feature = "synth")]
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use pe_sections::synth::PeBuilder;
use pe_sections::{PeImage, RefKind};

/// Root cause: `code_references_to` deduplicated relocation slots against operands already
/// found by scanning the whole result set (`found.iter().any(..)`) once per relocation, so
/// an x86 image with N instructions `mov ecx, [abs]` each carrying a HIGHLOW relocation on
/// its operand cost O(N²) (60 000 instructions: ~1.8e9 comparisons, minutes in a debug
/// build). The check is now a range query on the ordered set.
#[test]
fn many_relocated_operands_are_not_quadratic() {
    const N: u32 = 60_000;
    const TARGET: u32 = 0x50_0000;
    let mut b = PeBuilder::x86();
    let text_rva = b.next_rva();
    let abs = (0x40_0000u32 + TARGET).to_le_bytes();
    let mut code = Vec::with_capacity(N as usize * 6);
    for _ in 0..N {
        code.extend_from_slice(&[0x8b, 0x0d]);
        code.extend_from_slice(&abs);
    }
    let rva = b.add_section(".text", PeBuilder::CODE, code);
    assert_eq!(rva, text_rva);
    for i in 0..N {
        b.relocation(text_rva + i * 6 + 2, 3);
    }
    let img = b.build();
    let pe = PeImage::parse_file(&img).unwrap();
    assert_eq!(pe.relocations().unwrap().len(), N as usize);
    let refs = pe.code_references(TARGET).unwrap();
    // Every instruction is found once as an absolute operand; no slot is reported twice.
    assert_eq!(refs.len(), N as usize);
    assert!(refs.iter().all(|r| r.kind == RefKind::Absolute));
    assert_eq!(refs.first().map(|r| r.rva), Some(text_rva));
}

/// Root cause: in file layout, bytes of a section beyond its raw data read as zeros, so an
/// export directory could place `AddressOfNames`/`AddressOfNameOrdinals` in a `.bss`-like
/// section and claim `NumberOfNames` = 1 Mi: a 1.5 KiB file gave 1 048 576 exports all named
/// from RVA 0 ("MZ"), 270 MB of memory and seconds of work. A name RVA of 0 is never a
/// name: such slots are skipped, so only names backed by real table bytes cost anything.
#[test]
fn zero_filled_export_name_table_yields_no_aliases() {
    use pe_sections::dir;
    let mut b = PeBuilder::x64();
    let t = b.add_section(".text", PeBuilder::CODE, vec![0xc3; 16]);
    b.export("a", t);
    let bss = b.add_section_sized(".bss", PeBuilder::DATA, vec![], 0x100_0000);
    let mut img = b.build();
    let pe = PeImage::parse_file(&img).unwrap();
    let d = pe.data_directory(dir::EXPORT).unwrap();
    let off = pe.rva_to_file_offset(d.virtual_address).unwrap() as usize;
    // NumberOfNames, AddressOfNames, AddressOfNameOrdinals (IMAGE_EXPORT_DIRECTORY +24/+32/+36).
    img[off + 24..off + 28].copy_from_slice(&(1u32 << 20).to_le_bytes());
    img[off + 32..off + 36].copy_from_slice(&bss.to_le_bytes());
    img[off + 36..off + 40].copy_from_slice(&(bss + 0x80_0000).to_le_bytes());
    assert!(img.len() < 4096);
    let pe = PeImage::parse_file(&img).unwrap();
    let e = pe.exports().unwrap().unwrap();
    // The one real function remains, as an unnamed export.
    assert_eq!(e.entries.len(), 1);
    assert_eq!(e.entries[0].name, None);
    assert_eq!(e.entries[0].rva(), Some(t));
}

/// The limits are held by the image: `with_limits` parses the headers again under them, so a
/// lower section cap rejects the image and every later call obeys the new caps.
#[test]
fn limits_are_held_by_the_image() {
    use pe_sections::{Error, Limits};
    let mut b = PeBuilder::x64();
    b.add_section(".text", PeBuilder::CODE, vec![0xc3; 16]);
    b.add_section(".data", PeBuilder::DATA, vec![1; 16]);
    let img = b.build();
    let pe = PeImage::parse_file(&img).unwrap();
    assert_eq!(*pe.limits(), Limits::default());
    let r = pe
        .clone()
        .with_limits(Limits::default().with_max_sections(1));
    assert!(
        matches!(
            r,
            Err(Error::LimitExceeded {
                value: 2,
                limit: 1,
                ..
            })
        ),
        "{r:?}"
    );
    let small = pe
        .with_limits(Limits::fuzzing().with_max_read_bytes(8))
        .unwrap();
    assert_eq!(small.limits().max_read_bytes, 8);
    assert_eq!(small.sections().len(), 2);
}
