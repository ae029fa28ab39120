//! Kernel stacks on synthetic images and stacks: an x64 bugcheck stack from `KeBugCheckEx`
//! through `KiBugCheckDispatch` and the machine frame of `KiPageFault` into the faulting
//! driver (`myfault.sys`), `.trap` and `.cxr` walks, and the same through an x86 trap frame.
#![cfg(feature = "synth")]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use stackwalk::synth::{
    ImageBuilder, PrologOp, StackBuilder, UnwindInfoBuilder, encode_exception_frame,
    encode_trap_frame, encode_trap_frame_x86,
};
use stackwalk::*;

const NT: u64 = 0xffff_f800_1000_0000;
const MYFAULT: u64 = 0xffff_f801_2000_0000;
const APP: u64 = 0x7ff6_4000_0000;
/// Lowest address of the synthetic kernel stack.
const KSTACK: u64 = 0xffff_d000_0010_0000;

/// `call rel32` (the target does not matter to the walker).
const CALL: [u8; 5] = [0xe8, 0, 0, 0, 0];

/// `nt`: KeBugCheckEx, KiBugCheckDispatch (builds a KEXCEPTION_FRAME), KiPageFault (machine
/// frame with error code, RBP frame at trap + 0x80, as the real one), KiInterrupt (machine
/// frame without error code) and IofCallDriver.
fn nt_module() -> Module<'static> {
    let mut b = ImageBuilder::new(0x10000);
    b.function(
        0x1000,
        0x1100,
        &UnwindInfoBuilder::new(1)
            .prolog_size(4)
            .op(4, PrologOp::Alloc(0x38)),
    );
    let mut kbd = UnwindInfoBuilder::new(1)
        .prolog_size(0x40)
        .op(7, PrologOp::Alloc(0x138));
    for (i, (reg, off)) in [
        (5u8, 0xf8u32),
        (3, 0x100),
        (7, 0x108),
        (6, 0x110),
        (12, 0x118),
        (13, 0x120),
        (14, 0x128),
        (15, 0x130),
    ]
    .into_iter()
    .enumerate()
    {
        kbd = kbd.op(
            0x0f + 8 * i as u8,
            PrologOp::SaveNonvol { reg, offset: off },
        );
    }
    b.function(0x2000, 0x2100, &kbd);
    b.function(
        0x3000,
        0x3400,
        &UnwindInfoBuilder::new(1)
            .prolog_size(0x10)
            .frame(5, 8)
            .op(0, PrologOp::PushMachframe { error_code: true })
            .op(1, PrologOp::PushNonvol(5))
            .op(8, PrologOp::Alloc(0x158))
            .op(0x10, PrologOp::SetFpreg { info: 0 }),
    );
    b.function(
        0x3800,
        0x3900,
        &UnwindInfoBuilder::new(1)
            .prolog_size(5)
            .op(0, PrologOp::PushMachframe { error_code: false })
            .op(1, PrologOp::PushNonvol(5))
            .op(5, PrologOp::Alloc(0x20)),
    );
    b.function(
        0x4000,
        0x4100,
        &UnwindInfoBuilder::new(1)
            .prolog_size(4)
            .op(4, PrologOp::Alloc(0x38)),
    );
    for ra in [0x2069u32, 0x3105, 0x4055] {
        b.code(ra - 5, &CALL);
    }
    Module::new("nt", NT, 0x10000)
        .with_unwind(b.into_unwind())
        .with_symbols(SymbolTable::from_exports([
            (0x1000, "KeBugCheckEx"),
            (0x2000, "KiBugCheckDispatch"),
            (0x3000, "KiPageFault"),
            (0x3800, "KiInterrupt"),
            (0x4000, "IofCallDriver"),
        ]))
}

/// `myfault.sys`: MyfaultDispatch pushes RBX, allocates 0x20 and faults at +0x20.
fn myfault_module() -> Module<'static> {
    let mut b = ImageBuilder::new(0x3000);
    b.function(
        0x1000,
        0x1100,
        &UnwindInfoBuilder::new(1)
            .prolog_size(5)
            .op(1, PrologOp::PushNonvol(3))
            .op(5, PrologOp::Alloc(0x20)),
    );
    b.code(0x1020, &[0x48, 0xc7, 0x00, 0, 0, 0, 0]); // mov qword [rax], 0
    Module::new("myfault", MYFAULT, 0x3000)
        .with_unwind(b.into_unwind())
        .with_symbols(SymbolTable::from_exports([(0x1000, "MyfaultDispatch")]))
}

/// Addresses of the synthetic bugcheck stack.
struct Bugcheck {
    stack: StackBuilder,
    /// Frame 0's RSP (in KeBugCheckEx).
    rsp0: u64,
    /// The KEXCEPTION_FRAME KiBugCheckDispatch built.
    exception_frame: u64,
    /// The KTRAP_FRAME of KiPageFault.
    trap: u64,
    /// The interrupted RSP (in MyfaultDispatch).
    fault_rsp: u64,
    trap_frame: KTrapFrame,
}

fn bugcheck_stack() -> Bugcheck {
    let trap = KSTACK + 0x200;
    let exception_frame = trap - 0x140;
    let rsp0 = exception_frame - 0x40;
    let fault_rsp = trap + 0x190;
    let mut s = StackBuilder::new(KSTACK);
    s.zeros(0x400);
    // KeBugCheckEx's return address into KiBugCheckDispatch.
    s.put_u64(exception_frame - 8, NT + 0x2069);
    let ef = KExceptionFrame {
        address: exception_frame,
        rbp: trap + 0x80,
        rbx: 0x5555,
        rdi: 0xd1d1,
        rsi: 0x5151,
        r12: 0x1212,
        r13: 0x1313,
        r14: 0x1414,
        r15: 0x1515,
        xmm6_15: [0; 10],
        trap_frame: trap,
        return_address: NT + 0x3105,
    };
    s.put(exception_frame, &encode_exception_frame(&ef));
    let tf = KTrapFrame {
        address: trap,
        rip: MYFAULT + 0x1020,
        rsp: fault_rsp,
        rbp: 0xfeed_0000,
        rax: 0,
        rcx: 0xc1c1,
        rdx: 0xd2d2,
        r8: 8,
        r9: 9,
        r10: 10,
        r11: 11,
        rbx: 0,
        rdi: 0,
        rsi: 0,
        eflags: 0x10282,
        seg_cs: 0x10,
        seg_ss: 0x18,
        error_code: 2,
        fault_address: 0,
        previous_mode: 0,
        previous_irql: 2,
        exception_active: 1,
    };
    s.put(trap, &encode_trap_frame(&tf));
    // MyfaultDispatch: 0x20 of locals, the caller's RBX, the return address into
    // IofCallDriver; IofCallDriver: 0x38 of locals and a zero return address.
    s.put_u64(fault_rsp + 0x20, 0xb0b0);
    s.put_u64(fault_rsp + 0x28, NT + 0x4055);
    s.put_u64(fault_rsp + 0x30 + 0x38, 0);
    Bugcheck {
        stack: s,
        rsp0,
        exception_frame,
        trap,
        fault_rsp,
        trap_frame: tf,
    }
}

fn names(stack: &Stack, modules: &Modules<'_>) -> Vec<String> {
    stack
        .frames
        .iter()
        .map(|f| {
            modules
                .locate(f.instruction, f.is_return_address)
                .to_string()
        })
        .collect()
}

fn x64(f: &Frame) -> &ContextX64 {
    match &f.context {
        Context::X64(c) => c,
        _ => panic!("not x64"),
    }
}

#[test]
fn bugcheck_walks_through_kipagefault_into_the_driver() {
    let modules = Modules::new(vec![nt_module(), myfault_module()]);
    let b = bugcheck_stack();
    let walker = Walker::new(SliceMemory::new(b.stack.base(), b.stack.bytes()), &modules);
    let stack = walker.walk(Context::X64(ContextX64::new(NT + 0x1040, b.rsp0)));
    assert_eq!(
        names(&stack, &modules),
        [
            "nt!KeBugCheckEx+0x40",
            "nt!KiBugCheckDispatch+0x69",
            "nt!KiPageFault+0x105",
            "myfault!MyfaultDispatch+0x20",
            "nt!IofCallDriver+0x55",
        ]
    );
    assert_eq!(stack.stop, StopReason::EndOfStack);
    let sps: Vec<u64> = stack.frames.iter().map(|f| f.stack_pointer).collect();
    assert_eq!(
        sps,
        [
            b.rsp0,
            b.exception_frame,
            b.trap,
            b.fault_rsp,
            b.fault_rsp + 0x30
        ]
    );
    assert!(stack.frames[1..].iter().all(|f| f.trust == Trust::Unwind));
    // Through the machine frame the PC is the faulting instruction, not a return address.
    assert!(!stack.frames[3].is_return_address);
    assert!(stack.frames[2].is_return_address);
    // Non-volatile registers: KiBugCheckDispatch's exception frame gives RBX and R12 at the
    // fault; the trap frame gives RBP; MyfaultDispatch's push gives its caller's RBX.
    let fault = x64(&stack.frames[3]);
    assert_eq!(fault.reg(3), Some(0x5555));
    assert_eq!(fault.reg(12), Some(0x1212));
    assert_eq!(fault.reg(5), Some(0xfeed_0000));
    assert_eq!(x64(&stack.frames[4]).reg(3), Some(0xb0b0));
    // KiPageFault's line carries its trap frame (WinDbg's `TrapFrame @`), and the faulting
    // frame has the volatile registers saved there.
    let traps: Vec<Option<u64>> = stack.frames.iter().map(|f| f.trap_frame).collect();
    assert_eq!(traps, [None, None, Some(b.trap), None, None]);
    assert_eq!(
        (fault.reg(1), fault.reg(2), fault.reg(11)),
        (Some(0xc1c1), Some(0xd2d2), Some(11))
    );

    // The kernel's own reconstruction of the fault context agrees with the unwind.
    let mem = SliceMemory::new(b.stack.base(), b.stack.bytes());
    let trap = KTrapFrame::read(&mem, b.trap).unwrap();
    assert_eq!(trap, b.trap_frame);
    let ef = KExceptionFrame::read(&mem, b.exception_frame).unwrap();
    assert_eq!(ef.return_address, NT + 0x3105);
    let full = context_from_kframes(&trap, Some(&ef));
    assert_eq!(full.rip, fault_ip());
    for r in [3u8, 4, 5, 12, 13, 14, 15] {
        assert_eq!(full.reg(r), fault.reg(r), "register {r}");
    }
    assert_eq!(full.reg(1), Some(0xc1c1));
}

fn fault_ip() -> u64 {
    MYFAULT + 0x1020
}

#[test]
fn trap_and_cxr_walks_start_at_the_fault() {
    let modules = Modules::new(vec![nt_module(), myfault_module()]);
    let mut b = bugcheck_stack();
    // A CONTEXT record of the fault, as `.cxr` would be given, below the stack.
    let cxr = KSTACK + 0x1000;
    let mut raw = vec![0u8; 0x4d0];
    raw[0x30..0x34].copy_from_slice(&0x10_000bu32.to_le_bytes());
    raw[0x98..0xa0].copy_from_slice(&b.fault_rsp.to_le_bytes());
    raw[0x90..0x98].copy_from_slice(&0x5555u64.to_le_bytes());
    raw[0xf8..0x100].copy_from_slice(&fault_ip().to_le_bytes());
    b.stack.put(cxr, &raw);
    let walker = Walker::new(SliceMemory::new(b.stack.base(), b.stack.bytes()), &modules);

    let trap = walker.walk_trap_frame(Arch::X64, b.trap).unwrap();
    assert_eq!(
        names(&trap, &modules),
        ["myfault!MyfaultDispatch+0x20", "nt!IofCallDriver+0x55"]
    );
    assert_eq!(trap.frames[0].trust, Trust::TrapFrame);
    assert_eq!(x64(&trap.frames[0]).reg(2), Some(0xd2d2));
    assert_eq!(trap.stop, StopReason::EndOfStack);

    let cx = walker
        .walk_context_record(stackwalk::context::machine::AMD64, cxr)
        .unwrap();
    assert_eq!(names(&cx, &modules), names(&trap, &modules));
    assert_eq!(x64(&cx.frames[1]).reg(3), Some(0xb0b0));

    // Not a trap frame: EFLAGS bit 1 clear, or a kernel CS with a user RIP.
    for bad in [KSTACK, b.trap + 8] {
        assert!(matches!(
            walker.walk_trap_frame(Arch::X64, bad),
            Err(Error::BadTrapFrame { .. })
        ));
    }
    // Past the captured stack: not captured, with the address.
    let e = walker
        .walk_trap_frame(Arch::X64, KSTACK + 0x5000)
        .unwrap_err();
    assert!(e.is_not_captured(), "{e}");
}

/// An interrupt from user mode: KiInterrupt's machine frame (no error code) holds a user RSP
/// below the kernel stack; the walk switches stacks and goes on in the application.
#[test]
fn interrupt_from_user_mode_switches_to_the_user_stack() {
    let mut app = ImageBuilder::new(0x2000);
    app.function(
        0x1000,
        0x1100,
        &UnwindInfoBuilder::new(1)
            .prolog_size(4)
            .op(4, PrologOp::Alloc(0x28)),
    );
    let modules = Modules::new(vec![
        nt_module(),
        Module::new("app", APP, 0x2000).with_unwind(app.into_unwind()),
    ]);
    let user_rsp = 0x00a0_0000u64;
    let mut regions = RegionMemory::new();
    // Kernel: KiInterrupt after `push rbp; sub rsp, 0x20`; the machine frame above.
    let mut k = StackBuilder::new(KSTACK);
    k.zeros(0x20)
        .u64(0x1111)
        .u64(APP + 0x1010)
        .u64(0x33)
        .u64(0x246)
        .u64(user_rsp)
        .u64(0x2b);
    let mut u = StackBuilder::new(user_rsp);
    u.zeros(0x28).u64(0);
    regions.add(k.base(), k.bytes()).add(u.base(), u.bytes());
    let walker = Walker::new(&regions, &modules);
    let ctx = Context::X64(ContextX64::new(NT + 0x3820, KSTACK));
    let stack = walker.walk(ctx.clone());
    assert_eq!(
        names(&stack, &modules),
        ["nt!KiInterrupt+0x20", "app+0x1010"]
    );
    assert_eq!(stack.frames[1].stack_pointer, user_rsp);
    assert!(!stack.frames[1].is_return_address);
    assert_eq!(x64(&stack.frames[1]).reg(5), Some(0x1111));
    // No KTRAP_FRAME around this machine frame (nothing captured below it): no annotation.
    assert_eq!(stack.frames[0].trap_frame, None);
    assert_eq!(x64(&stack.frames[1]).reg(0), None);
    assert_eq!(stack.stop, StopReason::EndOfStack);
    // Without stack switches the walk stops at the boundary, saying why.
    let strict =
        Walker::new(&regions, &modules).with_limits(Limits::default().with_max_stack_switches(0));
    let s = strict.walk(ctx);
    assert_eq!(s.frames.len(), 1);
    assert_eq!(
        s.stop,
        StopReason::StackPointerNotIncreasing {
            from: KSTACK,
            to: user_rsp
        }
    );
}

const NT32: u32 = 0x8280_0000;
const MYFAULT32: u32 = 0x9000_0000;
const KSTACK32: u32 = 0x8d00_0000;

fn x86_modules() -> Modules<'static> {
    Modules::new(vec![
        Module::new("nt", u64::from(NT32), 0x10000),
        Module::new("myfault", u64::from(MYFAULT32), 0x2000),
    ])
}

struct X86Bugcheck {
    stack: StackBuilder,
    trap: u32,
    frame0: ContextX86,
}

/// KeBugCheckEx (EBP frame) <- KiTrap0E (EBP = the trap frame) <- MyfaultDispatch (EBP
/// frame, interrupted) <- IofCallDriver (EBP frame) <- end.
fn x86_bugcheck(layout: X86TrapLayout, seg_cs: u32, hardware_esp: u32) -> X86Bugcheck {
    let b = KSTACK32;
    let ebp0 = b + 0x20;
    let trap = b + 0x40;
    let ebp_m = b + 0x100;
    let ebp_c = b + 0x120;
    let mut s = StackBuilder::new(u64::from(b));
    s.zeros(0x200);
    s.put_u32(u64::from(ebp0), trap)
        .put_u32(u64::from(ebp0 + 4), NT32 + 0x2105);
    let t = KTrapFrameX86 {
        address: trap,
        dbg_ebp: ebp_m,
        dbg_eip: MYFAULT32 + 0x1020,
        temp_seg_cs: 0,
        temp_esp: 0,
        eax: 0xa0,
        ecx: 0xc0,
        edx: 0xd0,
        ebx: 0xb0b0,
        esi: 0x5151,
        edi: 0xd1d1,
        ebp: ebp_m,
        error_code: 2,
        eip: MYFAULT32 + 0x1020,
        seg_cs,
        eflags: 0x10246,
        hardware_esp,
        hardware_seg_ss: 0x23,
    };
    s.put(u64::from(trap), &encode_trap_frame_x86(&t, layout));
    s.put_u32(u64::from(ebp_m), ebp_c)
        .put_u32(u64::from(ebp_m + 4), NT32 + 0x3055)
        .put_u32(u64::from(ebp_c), 0)
        .put_u32(u64::from(ebp_c + 4), 0);
    X86Bugcheck {
        stack: s,
        trap,
        frame0: ContextX86::new(NT32 + 0x1010, b + 0x10, ebp0),
    }
}

#[test]
fn x86_bugcheck_walks_through_the_trap_frame() {
    let modules = x86_modules();
    for layout in [X86TrapLayout::Xp, X86TrapLayout::Win10] {
        let b = x86_bugcheck(layout, 0x8, 0);
        let walker = Walker::new(SliceMemory::new(b.stack.base(), b.stack.bytes()), &modules)
            .with_x86_trap_layout(layout);
        let stack = walker.walk(Context::X86(b.frame0.clone()));
        assert_eq!(
            names(&stack, &modules),
            ["nt+0x1010", "nt+0x2105", "myfault+0x1020", "nt+0x3055"],
            "{layout:?}"
        );
        let trusts: Vec<Trust> = stack.frames.iter().map(|f| f.trust).collect();
        assert_eq!(
            trusts,
            [
                Trust::Context,
                Trust::FramePointer,
                Trust::TrapFrame,
                Trust::FramePointer
            ]
        );
        assert_eq!(stack.stop, StopReason::EndOfStack);
        assert_eq!(stack.frames[1].trap_frame, Some(u64::from(b.trap)));
        assert!(
            stack
                .frames
                .iter()
                .filter(|f| f.trap_frame.is_some())
                .count()
                == 1
        );
        // A kernel-to-kernel trap: the interrupted ESP is the address of HardwareEsp.
        let f = &stack.frames[2];
        assert_eq!(f.stack_pointer, u64::from(b.trap + 0x74));
        assert!(!f.is_return_address);
        let Context::X86(c) = &f.context else {
            panic!()
        };
        assert_eq!(
            (c.reg(3), c.reg(0), c.reg(1)),
            (Some(0xb0b0), Some(0xa0), Some(0xc0))
        );

        // `.trap` on the same frame.
        let t = walker
            .walk_trap_frame(Arch::X86, u64::from(b.trap))
            .unwrap();
        assert_eq!(names(&t, &modules), ["myfault+0x1020", "nt+0x3055"]);
        let mem = SliceMemory::new(b.stack.base(), b.stack.bytes());
        let parsed = KTrapFrameX86::read(&mem, b.trap, layout).unwrap();
        assert_eq!((parsed.eax, parsed.edx, parsed.error_code), (0xa0, 0xd0, 2));
    }
}

#[test]
fn x86_trap_frame_esp_rules() {
    let layout = X86TrapLayout::Xp;
    // A user-mode frame: ESP is HardwareEsp (a user stack address).
    let b = x86_bugcheck(layout, 0x1b, 0x0012_f000);
    let mem = SliceMemory::new(b.stack.base(), b.stack.bytes());
    let t = KTrapFrameX86::read(&mem, b.trap, layout).unwrap();
    assert!(t.is_user_mode());
    assert_eq!(t.esp(), 0x0012_f000);
    // An edited kernel frame: SegCs has its FRAME_EDITED bits clear, ESP is in TempEsp.
    let mut e = t;
    e.seg_cs = 0;
    e.temp_seg_cs = 0x8;
    e.temp_esp = 0x8d00_0f00;
    let bytes = encode_trap_frame_x86(&e, layout);
    let e = KTrapFrameX86::parse(b.trap, &bytes, layout).unwrap();
    assert!(e.is_edited());
    assert_eq!((e.esp(), e.cs()), (0x8d00_0f00, 0x8));
    // A V86 frame: HardwareEsp even with a ring-0 CS.
    let mut v = t;
    v.seg_cs = 0x8;
    v.eflags |= 0x2_0000;
    let v = KTrapFrameX86::parse(b.trap, &encode_trap_frame_x86(&v, layout), layout).unwrap();
    assert_eq!(v.esp(), 0x0012_f000);
    // Layouts differ in TempEsp and EAX: reading a Windows 10 frame as XP gets them wrong.
    let w10 = encode_trap_frame_x86(&e, X86TrapLayout::Win10);
    let as_xp = KTrapFrameX86::parse(b.trap, &w10, X86TrapLayout::Xp).unwrap();
    assert_ne!(as_xp.eax, e.eax);
    assert_eq!(X86TrapLayout::for_build(7601), X86TrapLayout::Xp);
    assert_eq!(X86TrapLayout::for_build(19041), X86TrapLayout::Win10);
}

/// Without the DbgEbp/DbgEip links an EBP that points at random stack data is no trap frame.
#[test]
fn x86_ebp_frames_are_not_mistaken_for_trap_frames() {
    let modules = x86_modules();
    let mut b = x86_bugcheck(X86TrapLayout::Xp, 0x8, 0);
    b.stack.put_u32(u64::from(b.trap), 0x1234); // DbgEbp no longer equals Ebp
    let walker = Walker::new(SliceMemory::new(b.stack.base(), b.stack.bytes()), &modules);
    let stack = walker.walk(Context::X86(b.frame0.clone()));
    assert!(stack.frames.iter().all(|f| f.trust != Trust::TrapFrame));
}

/// ARM64: the frame-record chain (X29 -> {caller X29, X30}), and a leaf unwound through LR.
#[test]
fn arm64_frame_records() {
    let base = 0x7ff6_8000_0000u64;
    let modules = Modules::new(vec![Module::new("arm", base, 0x10000)]);
    let sp = 0x10_0000u64;
    let mut s = StackBuilder::new(sp);
    s.zeros(0x100);
    // frame 0 (fp = sp + 0x10) -> caller fp sp + 0x40, lr base + 0x2004
    s.put_u64(sp + 0x10, sp + 0x40)
        .put_u64(sp + 0x18, base + 0x2004);
    // -> caller fp sp + 0x80 with a PAC-signed lr
    s.put_u64(sp + 0x40, sp + 0x80)
        .put_u64(sp + 0x48, 0x0023_0000_0000_0000 | (base + 0x3008));
    // -> end of the chain
    s.put_u64(sp + 0x80, 0).put_u64(sp + 0x88, 0);
    let mem = SliceMemory::new(s.base(), s.bytes());
    let walker = Walker::new(mem, &modules);
    let stack = walker.walk(Context::Arm64(ContextArm64::new(
        base + 0x1000,
        sp,
        sp + 0x10,
        base + 0x2004,
    )));
    let ips: Vec<u64> = stack.frames.iter().map(|f| f.instruction).collect();
    assert_eq!(ips, [base + 0x1000, base + 0x2004, base + 0x3008]);
    let sps: Vec<u64> = stack.frames.iter().map(|f| f.stack_pointer).collect();
    assert_eq!(sps, [sp, sp + 0x20, sp + 0x50]);
    assert_eq!(stack.stop, StopReason::EndOfStack);

    // A leaf without a frame record yet: FP is the caller's; LR gives the caller.
    let leaf = walker.walk(Context::Arm64(ContextArm64::new(
        base + 0x1800,
        sp + 0x8,
        sp + 0x10,
        base + 0x4000,
    )));
    let ips: Vec<u64> = leaf.frames.iter().map(|f| f.instruction).collect();
    assert_eq!(ips[..2], [base + 0x1800, base + 0x2004]);
}

/// A `FRAME_TRAP` frame-data record (as the kernel PDB gives for `KiTrap0E`) is enough to take
/// EBP as a trap frame, even when `DbgEbp`/`DbgEip` were not filled in.
#[test]
fn x86_frame_data_trap_record_marks_the_trap_handler() {
    let mut b = x86_bugcheck(X86TrapLayout::Xp, 0x8, 0);
    b.stack
        .put_u32(u64::from(b.trap), 0)
        .put_u32(u64::from(b.trap) + 4, 0);
    let trap_record = FrameEntry {
        rva: 0x2000,
        code_size: 0x200,
        kind: FrameKind::Trap,
        locals_size: 0,
        params_size: 0,
        prolog_size: 0,
        saved_regs_size: 0,
        uses_base_pointer: true,
        program: None,
    };
    let modules = Modules::new(vec![
        Module::new("nt", u64::from(NT32), 0x10000)
            .with_frame_data(FrameTable::new(vec![trap_record])),
        Module::new("myfault", u64::from(MYFAULT32), 0x2000),
    ]);
    let walker = Walker::new(SliceMemory::new(b.stack.base(), b.stack.bytes()), &modules);
    let stack = walker.walk(Context::X86(b.frame0.clone()));
    assert_eq!(
        names(&stack, &modules),
        ["nt+0x1010", "nt+0x2105", "myfault+0x1020", "nt+0x3055"]
    );
    assert_eq!(stack.frames[2].trust, Trust::TrapFrame);
    // Without the record (and without the links) it is an ordinary EBP frame.
    let plain = x86_modules();
    let walker = Walker::new(SliceMemory::new(b.stack.base(), b.stack.bytes()), &plain);
    let stack = walker.walk(Context::X86(b.frame0.clone()));
    assert!(stack.frames.iter().all(|f| f.trust != Trust::TrapFrame));
}
