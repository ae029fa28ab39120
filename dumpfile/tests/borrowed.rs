//! A dump read from borrowed bytes (`Minidump::from_slice`) reads exactly like the same bytes
//! owned (`from_bytes`); modules are found by name as WinDbg names them.

#![cfg(feature = "synth")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dumpfile::synth::{SynthArch, SynthDump, SynthModule, SynthThread};
use dumpfile::{Minidump, module_short_name};

fn sample() -> Vec<u8> {
    SynthDump::new(SynthArch::X64)
        .thread(SynthThread {
            id: 0x10,
            teb: 0x7ff0_0000,
            ..SynthThread::default()
        })
        .module(SynthModule::new(
            0x1_4000_0000,
            0x5000,
            "C:\\Program Files\\D4C\\D4C.exe",
        ))
        .module(SynthModule::new(
            0x7ffa_0000_0000,
            0x20_0000,
            "C:\\Windows\\System32\\ntdll.dll",
        ))
        .memory(0x1000, (0..=255u8).collect::<Vec<_>>())
        .write()
        .unwrap()
}

#[test]
fn borrowed_bytes_read_like_owned_bytes() {
    let bytes = sample();
    let owned = Minidump::from_bytes(bytes.clone()).unwrap();
    let borrowed = Minidump::from_slice(&bytes).unwrap();
    assert_eq!(borrowed.header(), owned.header());
    assert_eq!(borrowed.streams(), owned.streams());
    assert_eq!(borrowed.modules().unwrap(), owned.modules().unwrap());
    assert_eq!(borrowed.threads().unwrap(), owned.threads().unwrap());
    assert_eq!(borrowed.arch(), owned.arch());
    let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
    borrowed.memory().read(0x10f0, &mut a).unwrap();
    owned.memory().read(0x10f0, &mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(a[0], 0xf0);
    // Nothing was copied: the memory slice points into the caller's bytes.
    let s = borrowed.memory().slice(0x1000, 4).unwrap();
    let range = bytes.as_ptr_range();
    assert!(range.contains(&s.as_ptr()));
    assert!(
        borrowed
            .memory()
            .read(0x2000, &mut a)
            .unwrap_err()
            .is_not_captured()
    );
    // Limits apply the same way.
    let again = borrowed.with_limits(dumpfile::Limits::fuzzing()).unwrap();
    assert_eq!(again.modules().unwrap().len(), 2);
}

#[test]
fn modules_by_name_and_short_name() {
    let bytes = sample();
    let dump = Minidump::from_slice(&bytes).unwrap();
    for wanted in [
        "ntdll",
        "NTDLL",
        "ntdll.dll",
        "NtDll.DLL",
        "C:\\Windows\\System32\\ntdll.dll",
    ] {
        let m = dump.module_by_name(wanted).unwrap().unwrap();
        assert_eq!(m.base, 0x7ffa_0000_0000, "{wanted}");
        assert_eq!(m.short_name(), "ntdll");
    }
    let app = dump.module_by_name("d4c").unwrap().unwrap();
    assert_eq!(app.short_name(), "D4C");
    assert_eq!(app.base_name(), "D4C.exe");
    assert!(dump.module_by_name("ntdl").unwrap().is_none());
    assert!(
        dump.module_by_name("System32\\ntdll.dll")
            .unwrap()
            .is_none()
    );
    assert_eq!(module_short_name("noext"), "noext");
    assert_eq!(module_short_name(".hidden"), ".hidden");
    assert_eq!(module_short_name("a/b/lib.so.1"), "lib.so");
}
