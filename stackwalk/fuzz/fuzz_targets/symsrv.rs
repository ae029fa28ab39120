//! Hostile input for the symbol-store readers: a CAB-compressed store entry (`name.pd_`),
//! a `file.ptr`, and a symbol path. None may panic; a cabinet expands to at most the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackwalk::symsrv::{Pointer, SymbolPath, expand_cab};

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    if let Ok(n) = expand_cab(std::io::Cursor::new(data), "file.pdb", &mut out, 1 << 20) {
        assert_eq!(n, out.len() as u64);
        assert!(n <= 1 << 20);
    }
    let _ = Pointer::parse(data);
    let path = SymbolPath::parse(&String::from_utf8_lossy(data));
    assert_eq!(SymbolPath::parse(&path.to_string()), path);
});
