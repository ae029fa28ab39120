//! `Context::from_raw` on raw Windows CONTEXT records (synthetic, at the documented offsets,
//! and real ones from the corpus dumps), and memory errors that carry their address.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{MiniDump, read_corpus};
use stackwalk::context::machine;
use stackwalk::*;

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn put64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn x86_context_at_the_winnt_offsets() {
    let mut raw = vec![0u8; 0x2cc];
    put32(&mut raw, 0, 0x1_003f);
    for (at, v) in [
        (0x9c, 7u32),
        (0xa0, 6),
        (0xa4, 3),
        (0xa8, 2),
        (0xac, 1),
        (0xb0, 0x10),
        (0xb4, 5),
        (0xb8, 0x401000),
        (0xc4, 4),
    ] {
        put32(&mut raw, at, v);
    }
    let Context::X86(c) = Context::from_raw(machine::I386, &raw).unwrap() else {
        panic!("not x86")
    };
    assert_eq!(c.eip, 0x401000);
    assert_eq!(c.gpr, [0x10, 1, 2, 3, 4, 5, 6, 7]);
    // An old context without extended registers (0xcc bytes) is enough.
    assert!(Context::from_raw(machine::I386, &raw[..0xcc]).is_ok());
    assert!(matches!(
        Context::from_raw(machine::I386, &raw[..0xc8]),
        Err(Error::BadContext { .. })
    ));
}

#[test]
fn x64_context_at_the_winnt_offsets() {
    let mut raw = vec![0u8; 0x4d0];
    put32(&mut raw, 0x30, 0x10_001f);
    for n in 0..16u64 {
        put64(&mut raw, 0x78 + 8 * n as usize, 0x100 + n);
    }
    put64(&mut raw, 0xf8, 0x7ff6_1234_5678);
    let Context::X64(c) = Context::from_raw(machine::AMD64, &raw).unwrap() else {
        panic!("not x64")
    };
    assert_eq!(c.rip, 0x7ff6_1234_5678);
    assert_eq!(c.rsp(), 0x104); // Rsp at 0x98
    assert_eq!(c.reg(5), Some(0x105)); // Rbp at 0xa0
    assert_eq!(c.reg(15), Some(0x10f)); // R15 at 0xf0
}

#[test]
fn arm64_context_at_the_winnt_offsets() {
    let mut raw = vec![0u8; 0x390];
    put32(&mut raw, 0, 0x40_0007);
    for n in 0..31u64 {
        put64(&mut raw, 8 + 8 * n as usize, 0x1000 + n);
    }
    put64(&mut raw, 0x100, 0x5000); // Sp
    put64(&mut raw, 0x108, 0x7ff6_0000_1000); // Pc
    let ctx = Context::from_raw(machine::ARM64, &raw).unwrap();
    assert_eq!(ctx.arch(), Arch::Arm64);
    assert_eq!(ctx.instruction_pointer(), 0x7ff6_0000_1000);
    assert_eq!(ctx.stack_pointer(), 0x5000);
    let Context::Arm64(c) = ctx else { panic!() };
    assert_eq!(c.fp(), Some(0x1000 + 29)); // Fp at 0xf0
    assert_eq!(c.lr(), Some(0x1000 + 30)); // Lr at 0xf8
    assert_eq!(c.reg(0), Some(0x1000));
}

#[test]
fn from_raw_refuses_what_it_cannot_read() {
    let mut raw = vec![0u8; 0x4d0];
    assert!(
        Context::from_raw(0x01c4, &raw).is_err(),
        "ARMNT is not supported"
    );
    put32(&mut raw, 0x30, 0x1_003f); // an x86 CONTEXT's flags where AMD64 keeps them
    assert!(Context::from_raw(machine::AMD64, &raw).is_err());
    put32(&mut raw, 0, 0x10_001f); // AMD64 flags at the x86 position
    assert!(Context::from_raw(machine::I386, &raw).is_err());
    assert!(Context::from_raw(machine::ARM64, &raw).is_err());
    for len in [0, 3, 0x50] {
        assert!(Context::from_raw(machine::AMD64, &raw[..len]).is_err());
        assert!(Context::from_raw(machine::ARM64, &raw[..len]).is_err());
    }
}

/// The exception context of a real Windows 10 x64 crash, and a real x86 thread context.
#[test]
fn real_dump_contexts() {
    if let Some(bytes) = read_corpus("user/win10-16299-x64-sigsegv.dmp") {
        let d = MiniDump::parse(bytes);
        let raw = d.exception_context.clone().unwrap();
        let ctx = Context::from_raw(machine::AMD64, &raw).unwrap();
        assert_eq!(ctx.instruction_pointer(), 0x7ff7a13110d9);
        assert_eq!(ctx, Context::X64(ContextX64::from_bytes(&raw).unwrap()));
    }
    if let Some(bytes) = read_corpus("user/win7-x86-fizzbuzz-threadinfo.dmp") {
        let d = MiniDump::parse(bytes);
        for t in &d.threads {
            let ctx = Context::from_raw(machine::I386, &t.context).unwrap();
            assert_eq!(
                ctx,
                Context::X86(ContextX86::from_bytes(&t.context).unwrap())
            );
            // The stack pointer lies in the thread's captured stack.
            let sp = ctx.stack_pointer();
            assert!(
                sp >= t.stack_start.saturating_sub(0x10)
                    && sp < t.stack_start + u64::from(t.stack_size),
                "esp {sp:#x}"
            );
            // Its ContextFlags (0x1003f) name x86: not an ARM64 record.
            assert!(Context::from_raw(machine::ARM64, &t.context).is_err());
        }
    }
}

/// A read outside the captured stack is a memory error that carries its address, and says it
/// is "not captured", not corrupt data.
#[test]
fn missing_stack_is_not_captured_with_its_address() {
    let image = {
        let mut b = stackwalk_image();
        b.truncate(0x100);
        b
    };
    let layout = ImageLayout {
        machine: 0x8664,
        time_date_stamp: 0,
        size_of_image: 0x100,
        exception: (0x10, 12),
        debug: (0, 0),
        export: (0, 0),
        sections: vec![],
    };
    let unwind = ImageUnwind::new(
        FileImage {
            bytes: image,
            sections: vec![],
        },
        &layout,
    );
    let stack = [0u8; 0x10]; // shorter than the 0x28 the prolog allocated
    let err = stackwalk::x64::unwind_x64(
        &ContextX64::new(0x1000 + 0x50, 0x8000),
        &unwind,
        0x1000,
        &SliceMemory::new(0x8000, &stack),
        true,
    )
    .unwrap_err();
    assert!(err.is_not_captured(), "{err}");
    assert_eq!(
        err,
        Error::Memory(MemoryError::NotCaptured {
            addr: 0x8028,
            len: 8
        })
    );
    let failed = Error::from(MemoryError::failed(0x10, 4));
    assert!(!failed.is_not_captured());
    assert!(!Error::Overflow { addr: 1 }.is_not_captured());
}

/// The README's tiny image: `.pdata` at 0x10, UNWIND_INFO at 0x20 (ALLOC_SMALL 0x28).
fn stackwalk_image() -> Vec<u8> {
    let mut image = vec![0u8; 0x100];
    image[0x10..0x1c].copy_from_slice(&[0x40, 0, 0, 0, 0x80, 0, 0, 0, 0x20, 0, 0, 0]);
    image[0x20..0x26].copy_from_slice(&[0x01, 0x04, 0x01, 0x00, 0x04, 0x42]);
    image
}
