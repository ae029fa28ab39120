//! ARM64 unwinding on a real ARM64 image (`arm64-test.exe`, MSVC): for every function of its
//! `.pdata`, the prolog's instructions are executed on a synthetic stack, and one unwind step
//! from the body must restore SP, LR and the saved registers.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::read_corpus;
use stackwalk::arm64::{Arm64UnwindData, decode_entry, prolog_instructions, unwind_arm64};
use stackwalk::*;

const BASE: u64 = 0x1_4000_0000;
const TOP: u64 = 0x20_0000;
const LR: u64 = 0x1_4000_4444;

struct Machine {
    x: [u64; 31],
    sp: u64,
    stack: Vec<u8>,
}

impl Machine {
    fn store(&mut self, addr: u64, v: u64) {
        let o = (addr - (TOP - 0x10000)) as usize;
        self.stack[o..o + 8].copy_from_slice(&v.to_le_bytes());
    }
    fn reg(&self, r: u32) -> u64 {
        if r == 31 { 0 } else { self.x[r as usize] }
    }
    /// Executes one prolog instruction; false when it is not a prolog form handled here.
    fn exec(&mut self, insn: u32) -> bool {
        let rn = (insn >> 5) & 31;
        let rt = insn & 31;
        let rt2 = (insn >> 10) & 31;
        let imm7 = (((insn >> 15) & 0x7f) as i32) << 25 >> 25;
        let imm9 = (((insn >> 12) & 0x1ff) as i32) << 23 >> 23;
        let uimm12 = u64::from((insn >> 10) & 0xfff);
        match insn {
            // stp xN, xM, [sp, #imm]! / [sp, #imm] (and the d-register forms)
            _ if rn == 31 && matches!(insn & 0xffc0_0000, 0xa980_0000 | 0x6d80_0000) => {
                self.sp = self.sp.wrapping_add((imm7 * 8) as i64 as u64);
                let (a, b) = (self.reg(rt), self.reg(rt2));
                let sp = self.sp;
                let fp = insn & 0xffc0_0000 == 0x6d80_0000;
                self.store(sp, if fp { 0xdd } else { a });
                self.store(sp + 8, if fp { 0xdd } else { b });
            }
            _ if rn == 31 && matches!(insn & 0xffc0_0000, 0xa900_0000 | 0x6d00_0000) => {
                let at = self.sp.wrapping_add((imm7 * 8) as i64 as u64);
                let fp = insn & 0xffc0_0000 == 0x6d00_0000;
                let (a, b) = (self.reg(rt), self.reg(rt2));
                self.store(at, if fp { 0xdd } else { a });
                self.store(at + 8, if fp { 0xdd } else { b });
            }
            // str xN / dN, [sp, #imm]!
            _ if rn == 31 && matches!(insn & 0xffe0_0c00, 0xf800_0c00 | 0xfc00_0c00) => {
                self.sp = self.sp.wrapping_add(imm9 as i64 as u64);
                let v = if insn & 0xffe0_0c00 == 0xfc00_0c00 {
                    0xdd
                } else {
                    self.reg(rt)
                };
                let sp = self.sp;
                self.store(sp, v);
            }
            // str xN / dN, [sp, #uimm]
            _ if rn == 31 && matches!(insn & 0xffc0_0000, 0xf900_0000 | 0xfd00_0000) => {
                let v = if insn & 0xffc0_0000 == 0xfd00_0000 {
                    0xdd
                } else {
                    self.reg(rt)
                };
                let at = self.sp + uimm12 * 8;
                self.store(at, v);
            }
            // sub sp, sp, #imm{, lsl 12}
            _ if insn & 0xff80_03ff == 0xd100_03ff => {
                let sh = (insn >> 22) & 1;
                self.sp -= uimm12 << (12 * sh);
            }
            // add x29, sp, #imm (mov x29, sp)
            _ if insn & 0xff80_03ff == 0x9100_03fd => {
                let sh = (insn >> 22) & 1;
                self.x[29] = self.sp + (uimm12 << (12 * sh));
            }
            // pacibsp
            0xd503_237f => {}
            _ => return false,
        }
        true
    }
}

#[test]
fn every_prolog_of_a_real_arm64_image_unwinds() {
    let Some(bytes) = read_corpus("pe/arm64-test.exe") else {
        return;
    };
    let layout = ImageLayout::parse(&bytes).unwrap();
    assert_eq!(layout.machine, 0xaa64);
    let img = ImageUnwind::from_file(bytes.clone()).unwrap();
    let (table, size) = layout.exception;
    let (mut checked, mut xdata, mut packed, mut unhandled, mut mid_prolog) = (0, 0, 0, 0, 0);
    let mut leaves = 0;
    for i in 0..size / 8 {
        let mut e = [0u8; 8];
        img.read_rva(table + 8 * i, &mut e).unwrap();
        let begin = u32::from_le_bytes(e[..4].try_into().unwrap());
        let word = u32::from_le_bytes(e[4..].try_into().unwrap());
        let f = decode_entry(&img, begin, word).unwrap();
        assert!(f.length > 0, "{begin:#x}");
        let want = prolog_instructions(&img, &f).unwrap();
        let mut m = Machine {
            x: std::array::from_fn(|n| 0x1000 + n as u64),
            sp: TOP - 0x8000,
            stack: vec![0; 0x10000],
        };
        m.x[30] = LR;
        let sp0 = m.sp;
        let mut done = 0;
        while done < want {
            // Interrupted in the middle of an .xdata prolog: only the codes of the executed
            // instructions are undone.
            if matches!(f.data, Arm64UnwindData::Xdata { .. }) && done > 0 {
                let ctx = ContextArm64 {
                    pc: BASE + u64::from(begin + 4 * done),
                    sp: m.sp,
                    x: m.x,
                    valid: 0x7fff_ffff,
                };
                let mem = SliceMemory::new(TOP - 0x10000, &m.stack);
                let step = unwind_arm64(&ctx, &img, BASE, &mem, true).unwrap().unwrap();
                assert_eq!(
                    (step.context.sp, step.context.pc),
                    (sp0, LR),
                    "{begin:#x} after {done} prolog instructions"
                );
                mid_prolog += 1;
            }
            let mut insn = [0u8; 4];
            img.read_rva(begin + 4 * done, &mut insn).unwrap();
            if !m.exec(u32::from_le_bytes(insn)) {
                break;
            }
            done += 1;
        }
        if done < want {
            // A prolog form not emulated here (`__chkstk` probes, home-register saves through
            // other registers...).
            unhandled += 1;
            continue;
        }
        let ctx = ContextArm64 {
            pc: BASE + u64::from(begin + 4 * want),
            sp: m.sp,
            x: m.x,
            valid: 0x7fff_ffff,
        };
        let mem = SliceMemory::new(TOP - 0x10000, &m.stack);
        // As a return address in the body (looked up at PC - 1).
        let ctx = ContextArm64 {
            pc: ctx.pc + 4,
            ..ctx
        };
        if !f.contains(begin + 4 * want + 3) {
            unhandled += 1;
            continue;
        }
        let step = unwind_arm64(&ctx, &img, BASE, &mem, false)
            .unwrap_or_else(|e| panic!("{begin:#x}: {e}"))
            .unwrap();
        assert_eq!(step.context.sp, sp0, "SP of {begin:#x} ({:?})", f.data);
        assert_eq!(step.context.pc, LR, "LR of {begin:#x}");
        for r in 19..=29u8 {
            if let Some(v) = step.context.reg(r) {
                assert_eq!(
                    v,
                    0x1000 + u64::from(r),
                    "x{r} of {begin:#x} ({:?})",
                    f.data
                );
            }
        }
        assert_eq!(step.context.fp(), Some(0x1000 + 29), "fp of {begin:#x}");
        checked += 1;
        leaves += usize::from(want == 0);
        match f.data {
            Arm64UnwindData::Xdata { .. } => xdata += 1,
            _ => packed += 1,
        }
    }
    println!(
        "{checked} functions unwound ({xdata} .xdata, {packed} packed, {leaves} without a \
         prolog), {mid_prolog} mid-prolog positions, {unhandled} prologs not emulated"
    );
    assert!(mid_prolog >= 500, "{mid_prolog}");
    assert!(checked >= 500, "{checked}");
    assert!(xdata >= 100 && packed >= 300, "{xdata} {packed}");
}

/// The walker uses the ARM64 unwind data of a module: frame 1 comes from `.xdata` or packed
/// data (trust `unwind`), not from the frame-record chain.
#[test]
fn walker_unwinds_arm64_frames_with_pdata() {
    let Some(bytes) = read_corpus("pe/arm64-test.exe") else {
        return;
    };
    let layout = ImageLayout::parse(&bytes).unwrap();
    let img = ImageUnwind::from_file(bytes.clone()).unwrap();
    let (table, size) = layout.exception;
    let mut walked = 0;
    for i in 0..size / 8 {
        let mut e = [0u8; 8];
        img.read_rva(table + 8 * i, &mut e).unwrap();
        let begin = u32::from_le_bytes(e[..4].try_into().unwrap());
        let f = decode_entry(&img, begin, u32::from_le_bytes(e[4..].try_into().unwrap())).unwrap();
        let want = prolog_instructions(&img, &f).unwrap();
        if want == 0 {
            continue;
        }
        let mut m = Machine {
            x: std::array::from_fn(|n| 0x1000 + n as u64),
            sp: TOP - 0x8000,
            stack: vec![0; 0x10000],
        };
        // LR: an address inside the image (the unwind step does not check it).
        m.x[30] = BASE + 0x1008;
        let sp0 = m.sp;
        let mut ok = true;
        for k in 0..want {
            let mut insn = [0u8; 4];
            img.read_rva(begin + 4 * k, &mut insn).unwrap();
            ok &= m.exec(u32::from_le_bytes(insn));
        }
        if !ok || !f.contains(begin + 4 * want) {
            continue;
        }
        let modules = Modules::new(vec![
            Module::new("test", BASE, u64::from(layout.size_of_image)).with_unwind(&img),
        ]);
        let mem = SliceMemory::new(TOP - 0x10000, &m.stack);
        let walker = Walker::new(&mem, &modules);
        let stack = walker.walk(Context::Arm64(ContextArm64 {
            pc: BASE + u64::from(begin + 4 * want),
            sp: m.sp,
            x: m.x,
            valid: 0x7fff_ffff,
        }));
        assert!(stack.frames.len() >= 2, "{begin:#x}: {:?}", stack.stop);
        assert_eq!(stack.frames[1].instruction, BASE + 0x1008);
        assert_eq!(stack.frames[1].stack_pointer, sp0);
        assert_eq!(stack.frames[1].trust, Trust::Unwind);
        walked += 1;
        if walked == 50 {
            break;
        }
    }
    assert_eq!(walked, 50);
}

/// An `.xdata` function with one epilog scope: interrupted before, inside and at the `ret` of
/// its epilog, and in its body, the unwind gives the same caller.
#[test]
fn xdata_epilog_scopes() {
    // Prolog: stp x29, lr, [sp, #-16]!; mov x29, sp; sub sp, sp, #32.
    // Epilog at 0x34: add sp, sp, #32; ldp x29, lr, [sp], #16; ret.
    let mut image = vec![0u8; 0x400];
    image[0x10..0x18].copy_from_slice(&[0x00, 0x10, 0, 0, 0x00, 0x02, 0, 0]);
    let header: u32 = 16 | (1 << 22) | (2 << 27);
    image[0x200..0x204].copy_from_slice(&header.to_le_bytes());
    let scope: u32 = 13 | (4 << 22);
    image[0x204..0x208].copy_from_slice(&scope.to_le_bytes());
    image[0x208..0x210].copy_from_slice(&[0x02, 0xe1, 0x81, 0xe4, 0x02, 0x81, 0xe4, 0xe3]);
    let layout = ImageLayout {
        machine: 0xaa64,
        time_date_stamp: 0,
        size_of_image: 0x2000,
        exception: (0x10, 8),
        debug: (0, 0),
        export: (0, 0),
        sections: vec![],
    };
    let img = ImageUnwind::new(
        FileImage {
            bytes: image,
            sections: vec![],
        },
        &layout,
    );
    let s = 0x8000u64;
    let mut stack = vec![0u8; 0x100];
    stack[32..40].copy_from_slice(&0x9999u64.to_le_bytes()); // caller's x29
    stack[40..48].copy_from_slice(&(BASE + 0x1800).to_le_bytes()); // LR
    let mem = SliceMemory::new(s, &stack);
    let ctx = |offset: u64, sp: u64, fp: u64, lr: u64| {
        ContextArm64::new(BASE + 0x1000 + offset, sp, fp, lr)
    };
    for (what, c) in [
        ("body", ctx(0x20, s, s + 32, 0x1)),
        ("epilog start", ctx(0x34, s, s + 32, 0x1)),
        ("after add", ctx(0x38, s + 32, s + 32, 0x1)),
        ("at ret", ctx(0x3c, s + 48, 0x9999, BASE + 0x1800)),
    ] {
        let step = unwind_arm64(&c, &img, BASE, &mem, true).unwrap().unwrap();
        assert_eq!(
            (step.context.pc, step.context.sp, step.context.fp()),
            (BASE + 0x1800, s + 48, Some(0x9999)),
            "{what}"
        );
    }
    // A PC outside every `.pdata` entry is a leaf: LR, same SP (only for an interrupted PC).
    let leaf = ctx(0x800, s, s + 32, BASE + 0x1010);
    let step = unwind_arm64(&leaf, &img, BASE, &mem, true)
        .unwrap()
        .unwrap();
    assert_eq!((step.context.pc, step.context.sp), (BASE + 0x1010, s));
    assert!(step.function.is_none());
    assert_eq!(unwind_arm64(&leaf, &img, BASE, &mem, false).unwrap(), None);
    // The walker: leaf, then its caller through the caller's unwind data.
    let modules = Modules::new(vec![Module::new("t", BASE, 0x2000).with_unwind(&img)]);
    let walk = Walker::new(&mem, &modules).walk(Context::Arm64(leaf));
    let ips: Vec<u64> = walk.frames.iter().map(|f| f.instruction).collect();
    assert_eq!(ips[..3], [BASE + 0x1800, BASE + 0x1010, BASE + 0x1800]);
}
