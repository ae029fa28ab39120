//! Kernel frames in a real Windows 10 2004 x64 triage dump (bugcheck 0x1000007E, an access
//! violation in a system thread): the CONTEXT record the bugcheck names (`.cxr Arg4`) and the
//! `KTRAP_FRAME` KiPageFault left on the captured kernel stack agree register for register, as
//! the kernel built the one from the other.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::read_corpus;
use stackwalk::context::machine;
use stackwalk::*;

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

/// `(bugcheck parameters, lowest stack address, captured stack bytes)`: DUMP_HEADER64
/// parameters at 0x40; TRIAGE_DUMP64 at 0x2000 with CallStackOffset 0x28, SizeOfCallStack
/// 0x2c, TopOfStack 0x48.
fn triage() -> Option<([u64; 4], u64, Vec<u8>)> {
    let b = read_corpus("kernel/win10-19041-x64-triage.dmp")?;
    assert_eq!(&b[..8], b"PAGEDU64");
    let params = [0, 1, 2, 3].map(|i| u64_at(&b, 0x40 + 8 * i));
    let off = u32_at(&b, 0x2000 + 0x28) as usize;
    let len = u32_at(&b, 0x2000 + 0x2c) as usize;
    let top = u64_at(&b, 0x2000 + 0x48);
    Some((params, top, b[off..off + len].to_vec()))
}

#[test]
fn cxr_and_trap_frame_of_a_real_bugcheck() {
    let Some((params, top, stack)) = triage() else {
        return;
    };
    assert_eq!(params[0], 0xffff_ffff_c000_0005);
    let mem = SliceMemory::new(top, &stack);
    let modules = Modules::default();
    let walker = Walker::new(&mem, &modules);

    // `.cxr Arg4`: frame 0 is the faulting instruction, Arg2.
    let cxr = walker
        .walk_context_record(machine::AMD64, params[3])
        .unwrap();
    assert_eq!(cxr.frames[0].instruction, params[1]);
    let Context::X64(c) = &cxr.frames[0].context else {
        panic!()
    };

    // Candidate trap frames: every place on the stack holding the faulting RIP at offset 0x168.
    let mut found = Vec::new();
    for at in (0x168..stack.len() - 0x28).step_by(8) {
        if u64_at(&stack, at) != params[1] {
            continue;
        }
        let addr = top + at as u64 - 0x168;
        let t = KTrapFrame::read(&mem, addr).unwrap();
        if t.is_plausible() {
            found.push(t);
        }
    }
    assert_eq!(found.len(), 1, "{found:x?}");
    let t = found[0];
    assert_eq!(t.seg_cs, stackwalk::trap_frame::KGDT64_R0_CODE);
    assert!(!t.is_user_mode());
    // The CONTEXT was built from this trap frame.
    let from_trap = t.context();
    assert_eq!(from_trap.rip, c.rip);
    for r in [0u8, 1, 2, 4, 5, 8, 9, 10, 11] {
        assert_eq!(from_trap.reg(r), c.reg(r), "register {r}");
    }
    // `.trap` starts where `.cxr` does.
    let trap = walker.walk_trap_frame(Arch::X64, t.address).unwrap();
    assert_eq!(
        (trap.frames[0].instruction, trap.frames[0].stack_pointer),
        (cxr.frames[0].instruction, cxr.frames[0].stack_pointer)
    );
    assert_eq!(trap.frames[0].trust, Trust::TrapFrame);
}
