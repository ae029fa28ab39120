//! Fuzzes kernel frames: x64 `KTRAP_FRAME`/`KEXCEPTION_FRAME` and x86 `KTRAP_FRAME` parsing
//! (parse, encode, parse gives the same frame), and walks that start from a trap frame
//! (`.trap`), a CONTEXT record (`.cxr`) or an ARM64 context over arbitrary stack bytes, through
//! a `KiPageFault`-like function whose unwind info pushes a machine frame. Every walk must end
//! without a panic, within the frame limit, with the stack pointer going up except through a
//! bounded number of stack switches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackwalk::synth::{
    ImageBuilder, PrologOp, UnwindInfoBuilder, encode_exception_frame, encode_trap_frame,
    encode_trap_frame_x86,
};
use stackwalk::*;

const NT: u64 = 0xffff_f800_0000_0000;
const SP: u64 = 0xffff_d000_0000_0000;
const SP32: u32 = 0x8d00_0000;

fn check(s: &Stack) {
    let limits = Limits::fuzzing();
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

fuzz_target!(|data: &[u8]| {
    // Parsers: round trip through the synth encoders.
    if let Ok(t) = KTrapFrame::parse(0x1000, data) {
        assert_eq!(KTrapFrame::parse(0x1000, &encode_trap_frame(&t)).ok(), Some(t));
        let _ = t.is_plausible();
        let e = KExceptionFrame::parse(0x2000, data).ok();
        if let Some(e) = &e {
            assert_eq!(
                KExceptionFrame::parse(0x2000, &encode_exception_frame(e)).ok(),
                Some(*e)
            );
        }
        let _ = context_from_kframes(&t, e.as_ref());
    }
    for layout in [X86TrapLayout::Xp, X86TrapLayout::Win10] {
        if let Ok(t) = KTrapFrameX86::parse(0x1000, data, layout) {
            let again = KTrapFrameX86::parse(0x1000, &encode_trap_frame_x86(&t, layout), layout);
            assert_eq!(again.ok(), Some(t));
            let _ = (t.esp(), t.cs(), t.is_plausible(), t.links_match(), t.context());
        }
    }
    for machine in [0x14c, 0x8664, 0xaa64, 0x1c4] {
        let _ = Context::from_raw(machine, data);
    }

    // Walks over the bytes as a kernel stack.
    if data.len() < 8 {
        return;
    }
    let (head, stack) = data.split_at(8);
    let mut b = ImageBuilder::new(0x4000);
    b.function(
        0x1000,
        0x1400,
        &UnwindInfoBuilder::new(1)
            .prolog_size(0x10)
            .frame(5, 8)
            .op(0, PrologOp::PushMachframe { error_code: head[0] & 1 != 0 })
            .op(1, PrologOp::PushNonvol(5))
            .op(8, PrologOp::Alloc(0x158))
            .op(0x10, PrologOp::SetFpreg { info: 0 }),
    );
    b.function(
        0x2000,
        0x2100,
        &UnwindInfoBuilder::new(1)
            .prolog_size(5)
            .op(1, PrologOp::PushNonvol(3))
            .op(5, PrologOp::Alloc(0x20)),
    );
    // The same bytes as an ARM64 image: `.pdata` (8-byte entries) at 0x10, `.xdata` and
    // packed data wherever the entries point.
    let mut arm_image = stack.to_vec();
    arm_image.resize(0x1000, 0);
    let arm_layout = ImageLayout {
        machine: 0xaa64,
        time_date_stamp: 0,
        size_of_image: 0x1000,
        exception: (0x10, u32::from(head[7] & 31) * 8),
        debug: (0, 0),
        export: (0, 0),
        sections: vec![],
    };
    let arm_unwind = ImageUnwind::new(
        FileImage {
            bytes: arm_image,
            sections: vec![],
        },
        &arm_layout,
    );
    let modules = Modules::new(vec![
        Module::new("nt", NT, 0x4000).with_unwind(b.into_unwind()),
        Module::new("nt32", 0x8280_0000, 0x10000),
        Module::new("arm", 0x7ff6_0000_0000, 0x10000).with_unwind(arm_unwind),
    ]);
    let off = u64::from(head[1]) * 8;
    let mut memory = RegionMemory::new();
    memory.add(SP, stack).add(u64::from(SP32), stack);
    let walker = Walker::new(&memory, &modules)
        .with_limits(Limits::fuzzing())
        .with_x86_trap_layout(if head[2] & 1 == 0 {
            X86TrapLayout::Xp
        } else {
            X86TrapLayout::Win10
        });
    if let Ok(s) = walker.walk_trap_frame(Arch::X64, SP + off) {
        check(&s);
    }
    if let Ok(s) = walker.walk_trap_frame(Arch::X86, u64::from(SP32) + off) {
        check(&s);
    }
    for machine in [0x14c, 0x8664, 0xaa64] {
        if let Ok(s) = walker.walk_context_record(machine, SP + off) {
            check(&s);
        }
    }
    let rip = NT + 0x1000 + u64::from(head[3]) * 4;
    check(&walker.walk(Context::X64(ContextX64::new(rip, SP))));
    let mut ctx32 = ContextX86::new(0x8280_1000, SP32, SP32 + u32::from(head[4]) * 4);
    ctx32.set_reg(3, 0);
    check(&walker.walk(Context::X86(ctx32)));
    let fp = SP + u64::from(head[5]) * 8;
    check(&walker.walk(Context::Arm64(ContextArm64::new(
        0x7ff6_0000_0000 + u64::from(head[3]) * 4,
        SP,
        fp,
        0x7ff6_0000_2000 + u64::from(head[6]) * 4,
    ))));
});
