//! Every unwind operation, hand-assembled: one UNWIND_INFO per case in a tiny image.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use stackwalk::x64::unwind_x64;
use stackwalk::*;

const BASE: u64 = 0x7ff6_0000_0000;
const SP: u64 = 0x10_0000;

/// A tiny image: `.pdata` at 0x100, UNWIND_INFOs from 0x400, code from 0x1000.
struct Img {
    bytes: Vec<u8>,
    pdata: Vec<[u32; 3]>,
    next_info: usize,
}

impl Img {
    fn new() -> Self {
        Img {
            bytes: vec![0xcc; 0x4000],
            pdata: Vec::new(),
            next_info: 0x400,
        }
    }
    /// Adds a function `[begin, end)` with UNWIND_INFO `info` (header + codes + trailer).
    fn func(&mut self, begin: u32, end: u32, info: &[u8]) -> u32 {
        let at = self.next_info;
        self.bytes[at..at + info.len()].copy_from_slice(info);
        self.next_info = (at + info.len() + 3) & !3;
        self.pdata.push([begin, end, at as u32]);
        at as u32
    }
    fn code(&mut self, rva: u32, code: &[u8]) {
        self.bytes[rva as usize..rva as usize + code.len()].copy_from_slice(code);
    }
    fn build(mut self) -> ImageUnwind<FileImage<Vec<u8>>> {
        self.pdata.sort();
        for (i, e) in self.pdata.iter().enumerate() {
            for (k, v) in e.iter().enumerate() {
                let o = 0x100 + i * 12 + k * 4;
                self.bytes[o..o + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
        let layout = ImageLayout {
            machine: 0x8664,
            time_date_stamp: 0,
            size_of_image: 0x4000,
            exception: (0x100, (self.pdata.len() * 12) as u32),
            debug: (0, 0),
            export: (0, 0),
            sections: vec![],
        };
        ImageUnwind::new(
            FileImage {
                bytes: self.bytes,
                sections: vec![],
            },
            &layout,
        )
    }
}

fn stack(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn step(
    img: &dyn ModuleUnwind,
    ctx: &ContextX64,
    mem: &[u8],
    interrupted: bool,
) -> Result<Option<stackwalk::x64::X64Step>, Error> {
    unwind_x64(ctx, img, BASE, &SliceMemory::new(SP, mem), interrupted)
}

#[test]
fn push_alloc_small_large_and_save_nonvol_far() {
    let mut img = Img::new();
    // Prolog: push rbx (1), push r12 (3), sub rsp,0x10000 (10: ALLOC_LARGE info 1),
    // sub rsp, 0x800 (17: ALLOC_LARGE info 0, 0x100 * 8), sub rsp,0x18 (21: ALLOC_SMALL 2),
    // mov [rsp+0x20000], rsi (29: SAVE_NONVOL_FAR), mov [rsp+0x8], rdi (33: SAVE_NONVOL 1)
    let info = [
        0x01, 33, 13, 0x00, 33, 0x74, 0x01, 0x00, // SAVE_NONVOL rdi, 1*8
        29, 0x65, 0x00, 0x00, 0x02, 0x00, // SAVE_NONVOL_FAR rsi, 0x20000
        21, 0x22, // ALLOC_SMALL 2*8+8 = 0x18
        17, 0x01, 0x00, 0x01, // ALLOC_LARGE 0x100*8 = 0x800
        10, 0x11, 0x00, 0x00, 0x01, 0x00, // ALLOC_LARGE 0x10000
        3, 0xc0, // PUSH_NONVOL r12
        1, 0x30, // PUSH_NONVOL rbx
        0, 0, // padding (odd count)
    ];
    img.func(0x1000, 0x1100, &info);
    let img = img.build();
    let total = 0x18 + 0x800 + 0x10000;
    let mut words = vec![0u64; (total + 0x20000 + 0x40) / 8];
    words[1] = 0x7777; // rdi at rsp+8
    words[0x20000 / 8] = 0x6666; // rsi at rsp+0x20000
    words[total / 8] = 0xc12; // r12
    words[total / 8 + 1] = 0xb0b; // rbx
    words[total / 8 + 2] = BASE + 0x2000; // return address
    let mem = stack(&words);
    let ctx = ContextX64::new(BASE + 0x1050, SP);
    let s = step(&img, &ctx, &mem, true).unwrap().unwrap();
    assert_eq!(s.context.rip, BASE + 0x2000);
    assert_eq!(s.context.rsp(), SP + total as u64 + 24);
    assert_eq!(s.context.reg(3), Some(0xb0b));
    assert_eq!(s.context.reg(12), Some(0xc12));
    assert_eq!(s.context.reg(6), Some(0x6666));
    assert_eq!(s.context.reg(7), Some(0x7777));
    // Inside the prolog, after the first push only (offset 1..3): just that push is undone.
    let ctx = ContextX64::new(BASE + 0x1001, SP);
    let s = step(&img, &ctx, &stack(&[0xb0b, BASE + 0x2000]), true)
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.context.rip, s.context.rsp(), s.context.reg(3)),
        (BASE + 0x2000, SP + 16, Some(0xb0b))
    );
}

#[test]
fn set_fpreg_and_save_xmm128() {
    let mut img = Img::new();
    // push rbp (1); sub rsp,0x40 (5); lea rbp,[rsp+0x20] (10: SET_FPREG, offset 2*16);
    // movaps [rbp+...]: SAVE_XMM128 xmm6 at frame base + 1*16 (15);
    // SAVE_XMM128_FAR xmm7 at frame base + 0x30 (20).
    let info = [
        0x01, 20, 8, 0x25, // frame register rbp (5), offset 2
        20, 0x79, 0x30, 0x00, 0x00, 0x00, // SAVE_XMM128_FAR xmm7, 0x30
        15, 0x68, 0x01, 0x00, // SAVE_XMM128 xmm6, 1*16
        10, 0x03, // SET_FPREG
        5, 0x72, // ALLOC_SMALL 0x40
        1, 0x50, // PUSH_NONVOL rbp
        0, 0,
    ];
    img.func(0x1000, 0x1100, &info);
    let img = img.build();
    // Frame base = rbp - 0x20 = rsp after the allocation; the function later moved rsp
    // further down (alloca), which the frame register makes irrelevant.
    let frame_base = SP + 0x100;
    let mut words = vec![0u64; 0x100 / 8 + 0x40 / 8 + 4];
    let fb = 0x100 / 8;
    words[fb + 2] = 0x66; // xmm6 low at frame base + 0x10
    words[fb + 3] = 0x6600;
    words[fb + 6] = 0x77; // xmm7 low at frame base + 0x30
    words[fb + 8] = 0x5555; // saved rbp at frame base + 0x40
    words[fb + 9] = BASE + 0x3000; // return address
    let mem = stack(&words);
    let mut ctx = ContextX64::new(BASE + 0x1080, SP);
    ctx.set_reg(5, frame_base + 0x20);
    let s = step(&img, &ctx, &mem, true).unwrap().unwrap();
    assert_eq!(s.context.rip, BASE + 0x3000);
    assert_eq!(s.context.rsp(), frame_base + 0x50);
    assert_eq!(s.context.reg(5), Some(0x5555));
    assert_eq!(s.context.xmm[6], 0x66 | (0x6600u128 << 64));
    assert_eq!(s.context.xmm[7], 0x77);
}

#[test]
fn push_machframe_with_and_without_error_code() {
    for (info_bits, skip) in [(0x0a_u8, 0usize), (0x1a, 1)] {
        let mut img = Img::new();
        img.func(0x1000, 0x1100, &[0x01, 1, 1, 0x00, 1, info_bits, 0, 0]);
        let img = img.build();
        let mut words = vec![0u64; 8];
        words[skip] = BASE + 0x1234; // RIP
        words[skip + 3] = SP + 0x1000; // RSP
        let ctx = ContextX64::new(BASE + 0x1010, SP);
        let s = step(&img, &ctx, &stack(&words), true).unwrap().unwrap();
        assert!(s.machine_frame);
        assert_eq!(
            (s.context.rip, s.context.rsp()),
            (BASE + 0x1234, SP + 0x1000)
        );
    }
}

#[test]
fn version_3_and_bad_codes_are_refused() {
    let mut img = Img::new();
    img.func(0x1000, 0x1100, &[0x03, 0, 0, 0]);
    img.func(0x1100, 0x1200, &[0x01, 4, 1, 0, 4, 0x0b, 0, 0]); // op 11: unknown
    img.func(0x1200, 0x1300, &[0x01, 4, 1, 0, 4, 0x04, 0, 0]); // SAVE_NONVOL without operand
    let img = img.build();
    let mem = stack(&[BASE + 0x5000; 4]);
    let e = step(&img, &ContextX64::new(BASE + 0x1010, SP), &mem, true).unwrap_err();
    assert_eq!(
        e,
        Error::UnsupportedUnwindVersion {
            rva: 0x400,
            version: 3
        }
    );
    let e = step(&img, &ContextX64::new(BASE + 0x1110, SP), &mem, true).unwrap_err();
    assert!(matches!(e, Error::BadUnwindCode { op: 11, .. }), "{e:?}");
    let e = step(&img, &ContextX64::new(BASE + 0x1210, SP), &mem, true).unwrap_err();
    assert!(matches!(e, Error::BadUnwindCode { .. }), "{e:?}");
    // The walker falls back (here: scanning finds nothing) and reports the unwind error.
    let modules = Modules::new(vec![Module::new("m", BASE, 0x4000).with_unwind(img)]);
    let walk = Walker::new(SliceMemory::new(SP, &mem), &modules)
        .walk(Context::X64(ContextX64::new(BASE + 0x1010, SP)));
    assert_eq!(walk.frames.len(), 1);
    assert!(matches!(
        walk.stop,
        StopReason::NoCaller {
            error: Some(Error::UnsupportedUnwindVersion { .. })
        }
    ));
}

#[test]
fn leaf_without_pdata_and_indirect_entries() {
    let mut img = Img::new();
    img.func(0x1000, 0x1100, &[0x01, 1, 1, 0x00, 1, 0x30, 0, 0]); // push rbx
    img.pdata.push([0x1800, 0x1900, 0x100 + 1]); // indirect: entry at 0x100 (the 0x1000 one)
    let img = img.build();
    let mem = stack(&[0xb0b, BASE + 0x2000]);
    // Leaf at frame 0: the return address is at [rsp].
    let s = step(&img, &ContextX64::new(BASE + 0x3000, SP), &mem, true)
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.context.rip, s.context.rsp(), s.function),
        (0xb0b, SP + 8, None)
    );
    // The same PC as a return address: no answer (the caller must fall back).
    assert!(
        step(&img, &ContextX64::new(BASE + 0x3000, SP), &mem, false)
            .unwrap()
            .is_none()
    );
    // Indirect entry: uses the unwind info of the entry it points to.
    let s = step(&img, &ContextX64::new(BASE + 0x1810, SP), &mem, true)
        .unwrap()
        .unwrap();
    assert_eq!(
        (s.context.rip, s.context.reg(3)),
        (BASE + 0x2000, Some(0xb0b))
    );
}

#[test]
fn epilog_jmp_out_is_a_tail_call_and_lea_rsp_epilog() {
    let mut img = Img::new();
    // push rbx; sub rsp,0x20 — body has `add rsp,0x20; pop rbx; jmp <outside>`.
    img.func(0x1000, 0x1100, &[0x01, 5, 2, 0x00, 5, 0x32, 1, 0x30]);
    img.code(
        0x1050,
        &[0x48, 0x83, 0xc4, 0x20, 0x5b, 0xe9, 0x00, 0x10, 0x00, 0x00],
    );
    // and `add rsp,0x20; pop rbx; jmp <inside>` is NOT an epilog.
    img.code(0x1060, &[0x48, 0x83, 0xc4, 0x20, 0x5b, 0xeb, 0x10]);
    // Frame-pointer function: push rbp; sub rsp,0x30; lea rbp,[rsp+0x10] ... lea rsp,[rbp+0x20]; pop rbp; ret
    img.func(
        0x1200,
        0x1300,
        &[0x01, 10, 3, 0x15, 10, 0x03, 5, 0x52, 1, 0x50, 0, 0],
    );
    img.code(0x1280, &[0x48, 0x8d, 0x65, 0x20, 0x5d, 0xc3]);
    let img = img.build();
    let mut words = vec![0u64; 16];
    words[4] = 0xb0b;
    words[5] = BASE + 0x2000;
    let mem = stack(&words);
    let s = step(&img, &ContextX64::new(BASE + 0x1050, SP), &mem, true)
        .unwrap()
        .unwrap();
    assert!(s.in_epilog);
    assert_eq!(
        (s.context.rip, s.context.rsp(), s.context.reg(3)),
        (BASE + 0x2000, SP + 0x30, Some(0xb0b))
    );
    let s = step(&img, &ContextX64::new(BASE + 0x1060, SP), &mem, true)
        .unwrap()
        .unwrap();
    assert!(!s.in_epilog);
    assert_eq!((s.context.rip, s.context.rsp()), (BASE + 0x2000, SP + 0x30));
    // lea rsp,[rbp+0x20] with rbp = SP + 0x10: rsp = SP + 0x30 → pop rbp; ret.
    let mut words = vec![0u64; 16];
    words[6] = 0x5555;
    words[7] = BASE + 0x2100;
    let mut ctx = ContextX64::new(BASE + 0x1280, SP);
    ctx.set_reg(5, SP + 0x10);
    let s = step(&img, &ctx, &stack(&words), true).unwrap().unwrap();
    assert!(s.in_epilog);
    assert_eq!(
        (s.context.rip, s.context.rsp(), s.context.reg(5)),
        (BASE + 0x2100, SP + 0x40, Some(0x5555))
    );
}

#[test]
fn walker_limits_and_stack_pointer_rules() {
    // A function whose machine frame points the stack back down: the walk must stop.
    let mut img = Img::new();
    img.func(0x1000, 0x1100, &[0x01, 1, 1, 0x00, 1, 0x0a, 0, 0]);
    let img = img.build();
    let mem = stack(&[BASE + 0x1010, 0, 0, SP - 0x100]);
    let modules = Modules::new(vec![Module::new("m", BASE, 0x4000).with_unwind(img)]);
    let walk = Walker::new(SliceMemory::new(SP, &mem), &modules)
        .with_limits(Limits::default().with_max_stack_switches(0))
        .walk(Context::X64(ContextX64::new(BASE + 0x1010, SP)));
    assert_eq!(
        walk.stop,
        StopReason::StackPointerNotIncreasing {
            from: SP,
            to: SP - 0x100
        }
    );
    // By default a machine frame may switch stacks (kernel to user, DPC to thread stack): the
    // walk goes there, and stops because that stack is not captured.
    let walk = Walker::new(SliceMemory::new(SP, &mem), &modules)
        .walk(Context::X64(ContextX64::new(BASE + 0x1010, SP)));
    assert_eq!(walk.frames.len(), 2);
    assert_eq!(walk.frames[1].stack_pointer, SP - 0x100);
    match &walk.stop {
        StopReason::NoCaller { error: Some(e) } => assert!(e.is_not_captured(), "{e}"),
        other => panic!("{other:?}"),
    }
    // A self-similar stack of machine frames going up: the frame cap ends it.
    let mut words = Vec::new();
    for k in 0..64u64 {
        words.extend_from_slice(&[BASE + 0x1010, 0, 0, SP + (k + 1) * 32]);
    }
    let mem = stack(&words);
    let walk = Walker::new(SliceMemory::new(SP, &mem), &modules)
        .with_limits(Limits::default().with_max_frames(10))
        .walk(Context::X64(ContextX64::new(BASE + 0x1010, SP)));
    assert_eq!(walk.frames.len(), 10);
    assert_eq!(walk.stop, StopReason::FrameLimit);
}

#[test]
fn frame_pointer_and_scan_fallbacks() {
    // Module with code but no unwind entries; call sites at 0x1005 (E8) and 0x1105 (FF 15).
    let mut img = Img::new();
    img.code(0x1000, &[0xe8, 0, 0, 0, 0]);
    img.code(0x1100, &[0xff, 0x15, 0, 0, 0, 0]);
    let img = img.build();
    let modules = Modules::new(vec![Module::new("m", BASE, 0x4000).with_unwind(img)]);
    // rbp chain: [rbp] = 0, [rbp+8] = BASE+0x1005; then a scan finds BASE+0x1106 above.
    let mut words = vec![0u64; 32];
    words[4] = 0; // saved rbp
    words[5] = BASE + 0x1005;
    words[8] = BASE + 0x1003; // not after a call: skipped by the scan
    words[9] = BASE + 0x1106;
    let mem = stack(&words);
    let mut ctx = ContextX64::new(0x1234_5678, SP); // frame 0 outside every module
    ctx.set_reg(5, SP + 0x20);
    let walk = Walker::new(SliceMemory::new(SP, &mem), &modules).walk(Context::X64(ctx));
    let got: Vec<_> = walk
        .frames
        .iter()
        .map(|f| (f.instruction, f.stack_pointer, f.trust))
        .collect();
    assert_eq!(
        got,
        vec![
            (0x1234_5678, SP, Trust::Context),
            (BASE + 0x1005, SP + 0x30, Trust::FramePointer),
            (BASE + 0x1106, SP + 0x50, Trust::Scan),
        ]
    );
    assert!(matches!(walk.stop, StopReason::NoCaller { error: None }));
}

#[test]
fn call_instruction_forms() {
    use stackwalk::scan::ends_with_call;
    let yes: &[&[u8]] = &[
        &[0xe8, 1, 2, 3, 4],             // call rel32
        &[0xff, 0xd0],                   // call rax
        &[0x41, 0xff, 0xd3],             // call r11
        &[0xff, 0x15, 1, 2, 3, 4],       // call [rip+disp32]
        &[0xff, 0x50, 0x08],             // call [rax+8]
        &[0xff, 0x54, 0x24, 0x08],       // call [rsp+8]
        &[0xff, 0x90, 1, 2, 3, 4],       // call [rax+disp32]
        &[0x48, 0xff, 0x15, 1, 2, 3, 4], // rex.w call [rip+disp32]
        &[0xff, 0x14, 0x25, 1, 2, 3, 4], // call [disp32] via SIB
    ];
    for code in yes {
        let mut buf = vec![0x90u8; 8 - code.len()];
        buf.extend_from_slice(code);
        assert!(ends_with_call(&buf, true), "{code:02x?}");
    }
    let no: &[&[u8]] = &[
        &[0x90; 8],
        &[0xff, 0xe0],
        &[0xff, 0x25, 1, 2, 3, 4],
        &[0xc3],
    ];
    for code in no {
        let mut buf = vec![0x90u8; 8 - code.len()];
        buf.extend_from_slice(code);
        assert!(!ends_with_call(&buf, true), "{code:02x?}");
    }
}

#[test]
fn symbols_and_locations() {
    let t = SymbolTable::from_exports([(0x1000, "a"), (0x2000, "b")]);
    let modules = Modules::new(vec![Module::new("mod", BASE, 0x4000).with_symbols(t)]);
    assert_eq!(
        modules.locate(BASE + 0x1010, false).to_string(),
        "mod!a+0x10"
    );
    assert_eq!(modules.locate(BASE + 0x2000, false).to_string(), "mod!b");
    // A return address is looked up at ra-1 but printed from ra.
    assert_eq!(
        modules.locate(BASE + 0x2000, true).to_string(),
        "mod!a+0x1000"
    );
    assert_eq!(modules.locate(BASE + 0x10, false).to_string(), "mod+0x10");
    assert_eq!(modules.locate(0x42, false).to_string(), "0x42");
    assert_eq!(
        stackwalk::symbols::undecorate_c("_RtlGetLocaleFileMappingAddress@12"),
        "RtlGetLocaleFileMappingAddress"
    );
    assert_eq!(stackwalk::symbols::undecorate_c("@fast@8"), "fast");
    assert_eq!(stackwalk::symbols::undecorate_c("_main"), "main");
    assert_eq!(stackwalk::symbols::undecorate_c("?x@@YAXXZ"), "?x@@YAXXZ");
}

#[test]
fn contexts_from_raw_bytes() {
    let mut raw = vec![0u8; 0x4d0];
    raw[0xf8..0x100].copy_from_slice(&0x1122u64.to_le_bytes());
    raw[0x98..0xa0].copy_from_slice(&0x3344u64.to_le_bytes());
    raw[0xa0..0xa8].copy_from_slice(&0x5566u64.to_le_bytes());
    let c = ContextX64::from_bytes(&raw).unwrap();
    assert_eq!((c.rip, c.rsp(), c.reg(5)), (0x1122, 0x3344, Some(0x5566)));
    assert!(ContextX64::from_bytes(&raw[..0x80]).is_err());
    let mut raw = vec![0u8; 0x2cc];
    raw[0xb8..0xbc].copy_from_slice(&0x401000u32.to_le_bytes());
    raw[0xc4..0xc8].copy_from_slice(&0x12ff00u32.to_le_bytes());
    raw[0xb4..0xb8].copy_from_slice(&0x12ff80u32.to_le_bytes());
    let c = ContextX86::from_bytes(&raw).unwrap();
    assert_eq!(
        (c.eip, c.esp(), c.reg(5)),
        (0x401000, 0x12ff00, Some(0x12ff80))
    );
    assert!(ContextX86::from_bytes(&raw[..0x20]).is_err());
}

#[test]
fn x86_fpo_record_without_program_and_ebp_chain() {
    // FPO: 8 bytes of locals, 4 of saved registers (ebp among them), no program.
    let fpo = FrameEntry {
        rva: 0x1000,
        code_size: 0x100,
        kind: FrameKind::Fpo,
        locals_size: 8,
        params_size: 8,
        prolog_size: 4,
        saved_regs_size: 4,
        uses_base_pointer: true,
        program: None,
    };
    // Breakpad's FPO rule: eip = [esp + locals + saved regs + callee params],
    // ebp = [esp + callee params + saved regs - 8], esp += frame size + 4.
    let esp: u32 = 0x0012_0000;
    let ctx = ContextX86::new(0x0040_1010, esp + 0x10, 0x1111);
    let mut mem2 = vec![0u8; 0x100];
    mem2[0x0c..0x10].copy_from_slice(&0x0012_0080u32.to_le_bytes()); // [esp + 4 - 8] = saved ebp
    mem2[0x1c..0x20].copy_from_slice(&0x0040_2005u32.to_le_bytes()); // [esp + 12] = return address
    let m = SliceMemory::new(u64::from(esp), &mem2);
    let out = stackwalk::x86::unwind_x86_frame_data(&ctx, &fpo, 0, &m).unwrap();
    assert_eq!(out.eip, 0x0040_2005);
    assert_eq!(out.esp(), esp + 0x10 + 16);
    assert_eq!(out.reg(5), Some(0x0012_0080));

    // EBP chain: two frames in a module without frame data, then a zero return address.
    let mut code = vec![0u8; 0x3000];
    code[0x2000..0x2005].copy_from_slice(&[0xe8, 0, 0, 0, 0]); // call at 0x402000, returns to 0x402005
    let layout = ImageLayout {
        machine: 0x14c,
        time_date_stamp: 0,
        size_of_image: 0x3000,
        exception: (0, 0),
        debug: (0, 0),
        export: (0, 0),
        sections: vec![],
    };
    let img = ImageUnwind::new(
        FileImage {
            bytes: code,
            sections: vec![],
        },
        &layout,
    );
    let modules = Modules::new(vec![Module::new("app", 0x40_0000, 0x3000).with_unwind(img)]);
    let mut st = vec![0u8; 0x100];
    // frame 0: ebp = esp + 0x20 → [ebp] = esp + 0x60, [ebp+4] = 0x402005
    st[0x20..0x24].copy_from_slice(&(esp + 0x60).to_le_bytes());
    st[0x24..0x28].copy_from_slice(&0x0040_2005u32.to_le_bytes());
    // frame 1: [ebp] = 0, [ebp+4] = 0 → end
    let walk = Walker::new(SliceMemory::new(u64::from(esp), &st), &modules)
        .walk(Context::X86(ContextX86::new(0x0040_1000, esp, esp + 0x20)));
    let got: Vec<_> = walk
        .frames
        .iter()
        .map(|f| (f.instruction, f.stack_pointer, f.trust))
        .collect();
    assert_eq!(
        got,
        vec![
            (0x40_1000, u64::from(esp), Trust::Context),
            (0x40_2005, u64::from(esp + 0x28), Trust::FramePointer),
        ]
    );
    // [esp+0x60] = 0 and [esp+0x64] = 0: a zero record ends the EBP chain, as at the base of
    // a thread's stack.
    assert_eq!(walk.stop, StopReason::EndOfStack);
}

#[test]
fn x64_scan_rejects_call_sites_outside_every_function() {
    let mut img = Img::new();
    img.func(0x1000, 0x1100, &[0x01, 1, 1, 0x00, 1, 0x30, 0, 0]);
    img.code(0x1050, &[0xe8, 0, 0, 0, 0]); // inside the function
    img.code(0x2000, &[0xe8, 0, 0, 0, 0]); // after a call, but no .pdata covers it
    let img = img.build();
    let modules = Modules::new(vec![Module::new("m", BASE, 0x4000).with_unwind(img)]);
    let mem = stack(&[BASE + 0x2005, BASE + 0x1055, 0]);
    assert!(!modules.is_return_address(BASE + 0x2005, true, &SliceMemory::new(SP, &mem)));
    assert!(modules.is_return_address(BASE + 0x1055, true, &SliceMemory::new(SP, &mem)));
    // Frame 0 outside every module: the scan skips the first candidate.
    let walk = Walker::new(SliceMemory::new(SP, &mem), &modules)
        .walk(Context::X64(ContextX64::new(0x1234_5678, SP)));
    assert_eq!(walk.frames[1].instruction, BASE + 0x1055);
    assert_eq!(walk.frames[1].stack_pointer, SP + 16);
    assert_eq!(walk.frames[1].trust, Trust::Scan);
}
