//! `PeBuilder::arm64` writes what an ARM64 image holds: machine 0xAA64, a PE32+ optional
//! header and 8-byte `.pdata` entries (packed unwind data or an `.xdata` RVA), read back as
//! ARM64 entries.
#![cfg(feature = "synth")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use pe_sections::synth::PeBuilder;
use pe_sections::{Machine, PeImage, RuntimeFunction, function_containing};

#[test]
fn arm64_images_round_trip_their_pdata() {
    let mut b = PeBuilder::arm64();
    let text = b.add_section(".text", PeBuilder::CODE, vec![0; 0x200]);
    let xdata = b.add_section(".xdata", PeBuilder::RDATA, vec![0; 16]);
    // Packed: flag 1, 0x40 instructions (0x100 bytes), CR 3, frame 0x20.
    let packed: u32 = 1 | (0x40 << 2) | (3 << 21) | (2 << 23);
    b.runtime_function(text + 0x100, 0, xdata);
    b.runtime_function(text, 0, packed);
    b.export("Packed", text);
    let img = b.build();
    let pe = PeImage::parse_file(&img).unwrap();
    assert_eq!(pe.machine(), Machine::ARM64);
    let f = pe.runtime_functions().unwrap();
    // Sorted by start, 8 bytes each.
    assert_eq!(
        f,
        [
            RuntimeFunction::Arm64 {
                begin: text,
                unwind_data: packed
            },
            RuntimeFunction::Arm64 {
                begin: text + 0x100,
                unwind_data: xdata
            },
        ]
    );
    assert_eq!(f[0].end(), Some(text + 0x100));
    assert_eq!(f[1].unwind_rva(), Some(xdata));
    assert_eq!(function_containing(&f, text + 0x48), Some(f[0]));
}
