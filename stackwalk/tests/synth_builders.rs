//! The synthetic UNWIND_INFO encoder agrees byte for byte with what MSVC and rustc wrote.
#![cfg(feature = "synth")]
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
use stackwalk::synth::{ImageBuilder, PrologOp, UnwindInfoBuilder};
use stackwalk::x64::{UnwindInfo, op};
use stackwalk::*;

#[test]
fn basic64_b830_bytes() {
    let Some(bytes) = read_corpus("pe/x64-basic64-unwindv2.dll") else {
        return;
    };
    let img = ImageUnwind::from_file(bytes).unwrap();
    let f = img.function_entry(0xb830).unwrap().unwrap();
    let mut real = [0u8; 12];
    img.read_rva(f.unwind_info, &mut real).unwrap();
    let built = UnwindInfoBuilder::new(2)
        .prolog_size(1)
        .epilog_v2(2, true, &[])
        .op(1, PrologOp::PushNonvol(7))
        .encode();
    assert_eq!(built, real);
}

/// Decodes each real UNWIND_INFO to prolog operations and re-encodes it with the builder.
fn reencode_all(file: &str) -> Option<usize> {
    let bytes = read_corpus(&format!("pe/{file}"))?;
    let img = ImageUnwind::from_file(bytes).unwrap();
    let mut n = 0;
    for i in 0..img.len() {
        let Some(f) = img.entry(i).unwrap() else {
            continue;
        };
        let info = UnwindInfo::read(&img, f.unwind_info).unwrap();
        let mut b = UnwindInfoBuilder::new(info.version)
            .prolog_size(info.prolog_size)
            .flags(info.flags & !4)
            .frame(info.frame_register, info.frame_offset);
        let mut ops = Vec::new();
        let mut k = 0;
        let mut epilog: Option<(u8, bool, Vec<u16>)> = None;
        let mut skip = false;
        while let Some(c) = info.code(k) {
            let slot = |j: usize| u32::from(info.slots[k + j]);
            let far = |j: usize| slot(j) | (slot(j + 1) << 16);
            let n_slots = info.slot_count(c).unwrap();
            let o = match c.op {
                op::PUSH_NONVOL => Some(PrologOp::PushNonvol(c.info)),
                op::ALLOC_SMALL => Some(PrologOp::Alloc(u32::from(c.info) * 8 + 8)),
                op::ALLOC_LARGE if c.info == 0 => Some(PrologOp::Alloc(slot(1) * 8)),
                op::ALLOC_LARGE => Some(PrologOp::Alloc(far(1))),
                op::SET_FPREG => Some(PrologOp::SetFpreg { info: c.info }),
                op::SAVE_NONVOL => Some(PrologOp::SaveNonvol {
                    reg: c.info,
                    offset: slot(1) * 8,
                }),
                op::SAVE_NONVOL_FAR => Some(PrologOp::SaveNonvol {
                    reg: c.info,
                    offset: far(1),
                }),
                op::SAVE_XMM128 => Some(PrologOp::SaveXmm128 {
                    reg: c.info,
                    offset: slot(1) * 16,
                }),
                op::SAVE_XMM128_FAR => Some(PrologOp::SaveXmm128 {
                    reg: c.info,
                    offset: far(1),
                }),
                op::PUSH_MACHFRAME => Some(PrologOp::PushMachframe {
                    error_code: c.info == 1,
                }),
                op::EPILOG if info.version == 2 => {
                    let off = u16::from(c.code_offset) | (u16::from(c.info) << 8);
                    match &mut epilog {
                        None => epilog = Some((c.code_offset, c.info & 1 != 0, Vec::new())),
                        Some(_) if off == 0 => {}
                        Some((_, _, others)) => others.push(off),
                    }
                    None
                }
                _ => {
                    skip = true;
                    None
                }
            };
            if let Some(o) = o {
                ops.push((c.code_offset, o));
            }
            k += n_slots;
        }
        if skip {
            continue;
        }
        if let Some((size, at_end, others)) = epilog {
            b = b.epilog_v2(size, at_end, &others);
        }
        for (off, o) in ops.into_iter().rev() {
            b = b.op(off, o);
        }
        if let Some(c) = info.chained {
            b = b.chained(c.begin, c.end, c.unwind_info);
        }
        let built = b.encode();
        let mut real = vec![0u8; built.len()];
        img.read_rva(f.unwind_info, &mut real).unwrap();
        assert_eq!(built, real, "{file} fn {:#x}", f.begin);
        n += 1;
    }
    Some(n)
}

#[test]
fn reencode_real_unwind_infos() {
    for (file, min) in [
        ("x64-msvc-CrashWithException.exe", 30),
        ("x64-basic64-unwindv2.dll", 1000),
        ("x64-rust-mozwer.dll", 1000),
    ] {
        if let Some(n) = reencode_all(file) {
            println!("{file}: {n} UNWIND_INFOs re-encoded identically");
            assert!(n >= min, "{file}: {n}");
        }
    }
}

#[test]
fn image_builder_and_stack_builder_walk() {
    let mut b = ImageBuilder::new(0x4000);
    b.function(
        0x1000,
        0x1100,
        &UnwindInfoBuilder::new(1)
            .prolog_size(5)
            .op(1, PrologOp::PushNonvol(3))
            .op(5, PrologOp::Alloc(0x20)),
    );
    b.code(0x2000, &[0xe8, 0, 0, 0, 0]);
    let base = 0x7ff7_0000_0000u64;
    let modules = Modules::new(vec![
        Module::new("m", base, 0x4000).with_unwind(b.into_unwind()),
    ]);
    let mut s = stackwalk::synth::StackBuilder::new(0x8000);
    s.zeros(0x20).u64(0xb0b).u64(base + 0x2005).u64(0);
    let walk = Walker::new(SliceMemory::new(s.base(), s.bytes()), &modules)
        .walk(Context::X64(ContextX64::new(base + 0x1040, 0x8000)));
    assert_eq!(walk.frames.len(), 2);
    assert_eq!(walk.frames[1].instruction, base + 0x2005);
    assert_eq!(walk.frames[1].stack_pointer, 0x8030);
    let Context::X64(c) = &walk.frames[1].context else {
        panic!()
    };
    assert_eq!(c.reg(3), Some(0xb0b));
}
