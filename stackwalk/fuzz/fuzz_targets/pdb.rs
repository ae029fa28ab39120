//! Fuzzes `PdbData::read` (MSF, DBI, publics, module procedures, frame data, section headers
//! through the `pdb` crate) and lookups in what it returns. Seed it with the corpus PDBs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackwalk::*;

fuzz_target!(|data: &[u8]| {
    let Ok(pdb) = PdbData::read(std::io::Cursor::new(data)) else {
        return;
    };
    let _ = pdb.identity.store_key();
    for rva in [0u32, 0x1000, 0x1010, 0x2000, u32::MAX] {
        let _ = pdb.symbols.lookup(rva);
        let _ = pdb.frames.lookup(rva);
    }
});
