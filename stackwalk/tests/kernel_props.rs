//! Properties of the kernel frame parsers and walks: round trips through the synth encoders;
//! random and mutated frames and stacks give errors or bounded walks, never a panic.
#![cfg(feature = "synth")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use stackwalk::synth::{encode_exception_frame, encode_trap_frame, encode_trap_frame_x86};
use stackwalk::*;

const SP: u64 = 0xffff_d000_0000_0000;

fn bounded(s: &Stack) {
    let limits = Limits::default();
    assert!(!s.frames.is_empty() && s.frames.len() <= limits.max_frames);
    let mut switches = 0;
    for (i, w) in s.frames.windows(2).enumerate() {
        let arm64_leaf = i == 0 && matches!(w[1].context, Context::Arm64(_));
        if w[1].stack_pointer < w[0].stack_pointer
            || (w[1].stack_pointer == w[0].stack_pointer && !arm64_leaf)
        {
            assert!(!w[1].is_return_address);
            switches += 1;
        }
    }
    assert!(switches <= limits.max_stack_switches);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn trap_frames_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..0x200)) {
        match KTrapFrame::parse(0x1000, &bytes) {
            Ok(t) => {
                prop_assert!(bytes.len() >= KTrapFrame::SIZE);
                prop_assert_eq!(KTrapFrame::parse(0x1000, &encode_trap_frame(&t)).unwrap(), t);
                prop_assert_eq!(t.context().rip, t.rip);
            }
            Err(e) => {
                prop_assert!(bytes.len() < KTrapFrame::SIZE);
                let is_bad_trap_frame = matches!(e, Error::BadTrapFrame { .. });
                prop_assert!(is_bad_trap_frame);
            }
        }
        if let Ok(e) = KExceptionFrame::parse(0x2000, &bytes) {
            prop_assert_eq!(KExceptionFrame::parse(0x2000, &encode_exception_frame(&e)).unwrap(), e);
        }
        for layout in [X86TrapLayout::Xp, X86TrapLayout::Win10] {
            if let Ok(t) = KTrapFrameX86::parse(0x1000, &bytes, layout) {
                let again = KTrapFrameX86::parse(0x1000, &encode_trap_frame_x86(&t, layout), layout);
                prop_assert_eq!(again.unwrap(), t);
                let c = t.context();
                prop_assert_eq!(c.esp(), t.esp());
            }
        }
    }

    /// `.trap`, `.cxr` and ARM64 walks over random memory end, bounded.
    #[test]
    fn random_kernel_stacks_never_panic(
        stack in prop::collection::vec(any::<u8>(), 0..0x800),
        at in 0u64..0x800,
        ip in any::<u64>(),
    ) {
        let modules = Modules::new(vec![
            Module::new("nt", 0xffff_f800_0000_0000, 0x10_0000),
            Module::new("nt32", 0x8280_0000, 0x10_0000),
        ]);
        let mut mem = RegionMemory::new();
        mem.add(SP, &stack).add(0x8d00_0000, &stack);
        let walker = Walker::new(&mem, &modules);
        if let Ok(s) = walker.walk_trap_frame(Arch::X64, SP + at) {
            bounded(&s);
        }
        if let Ok(s) = walker.walk_trap_frame(Arch::X86, 0x8d00_0000 + at) {
            bounded(&s);
        }
        for machine in [0x14c, 0x8664, 0xaa64] {
            if let Ok(s) = walker.walk_context_record(machine, SP + at) {
                bounded(&s);
            }
        }
        bounded(&walker.walk(Context::Arm64(ContextArm64::new(ip, SP, SP + at, ip ^ 4))));
        let x86 = ContextX86::new(0x8280_1000, 0x8d00_0000, 0x8d00_0000 + at as u32);
        bounded(&walker.walk(Context::X86(x86)));
    }
}
