//! Naming ARM64 addresses by exports: an export names an address only when the ARM64 `.pdata`
//! entry (8 bytes: start RVA, packed unwind data) holding the address starts at the export.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use stackwalk::{Error, Module, ModuleUnwind, Modules, RuntimeFunction, SymbolTable};

const BASE: u64 = 0xffff_f803_f2e0_0000;

/// An ARM64 image's `.pdata` at RVA 0x100: three functions of 0x100 bytes at 0x1000, 0x1100
/// and 0x1200 (packed data, CR 3, frame 0x20).
struct Arm64Table(Vec<u8>);

impl Arm64Table {
    fn new() -> Self {
        let mut v = vec![0u8; 0x100];
        for begin in [0x1000u32, 0x1100, 0x1200] {
            let word: u32 = 1 | ((0x100 / 4) << 2) | (3 << 21) | ((0x20 / 16) << 23);
            v.extend(begin.to_le_bytes());
            v.extend(word.to_le_bytes());
        }
        Arm64Table(v)
    }
}

impl ModuleUnwind for Arm64Table {
    fn function_entry(&self, _rva: u32) -> Result<Option<RuntimeFunction>, Error> {
        // Read as x64 12-byte entries, an ARM64 table would give garbage: never used here.
        Ok(None)
    }
    fn read_rva(&self, rva: u32, buf: &mut [u8]) -> Result<(), Error> {
        let at = rva as usize;
        buf.copy_from_slice(&self.0[at..at + buf.len()]);
        Ok(())
    }
    fn exception_directory(&self) -> Option<(u32, u32)> {
        Some((0x100, 24))
    }
    fn machine(&self) -> Option<u16> {
        Some(stackwalk::context::machine::ARM64)
    }
}

#[test]
fn exports_name_only_the_arm64_functions_they_start() {
    // Exports at the first two functions; the third (0x1200) has none.
    let symbols =
        SymbolTable::from_exports([(0x1000u32, "KeBugCheckEx"), (0x1100, "IopProcessWorkItem")]);
    let mods = Modules::new(vec![Module {
        name: "nt".into(),
        base: BASE,
        size: 0x2000,
        unwind: Some(Box::new(Arm64Table::new())),
        frame_data: None,
        symbols: Some(Box::new(symbols)),
        code_ranges: None,
    }]);
    assert_eq!(
        mods.locate(BASE + 0x1148, true).to_string(),
        "nt!IopProcessWorkItem+0x48"
    );
    assert_eq!(
        mods.locate(BASE + 0x1030, false).to_string(),
        "nt!KeBugCheckEx+0x30"
    );
    // 0x1234 is in the unexported function at 0x1200: the nearest export (0x1100) is not its
    // start, so the address is named by module offset.
    assert_eq!(mods.locate(BASE + 0x1234, true).to_string(), "nt+0x1234");
}
