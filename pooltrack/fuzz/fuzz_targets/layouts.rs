//! Fuzz the layout readers: the input as ISF JSON and as a PDB.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pooltrack::KernelLayouts;

fuzz_target!(|data: &[u8]| {
    if let Ok(l) = KernelLayouts::from_isf_json(data) {
        let _ = l.to_json();
    }
    if let Ok(l) = KernelLayouts::from_pdb_bytes(data) {
        let _ = l.to_json();
    }
});
