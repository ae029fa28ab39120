//! Properties: random stacks and unwind data never panic or hang; synthetic prologs round-trip.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use stackwalk::*;

const BASE: u64 = 0x1_4000_0000;
const SP: u64 = 0x8000;

fn image(pdata: &[[u32; 3]], blob: &[u8]) -> ImageUnwind<FileImage<Vec<u8>>> {
    let mut bytes = vec![0u8; 0x100];
    for e in pdata {
        for v in e {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
    }
    bytes.resize(0x400, 0);
    bytes.extend_from_slice(blob);
    let layout = ImageLayout {
        machine: 0x8664,
        time_date_stamp: 0,
        size_of_image: bytes.len() as u32,
        exception: (0x100, (pdata.len() * 12) as u32),
        debug: (0, 0),
        export: (0, 0),
        sections: vec![],
    };
    ImageUnwind::new(
        FileImage {
            bytes,
            sections: vec![],
        },
        &layout,
    )
}

/// The walk is bounded, and its stack pointer goes up except through a machine frame into
/// another stack (an interrupted PC), at most `max_stack_switches` times.
fn check_walk(stack: &Stack, max: usize) {
    assert!(!stack.frames.is_empty() && stack.frames.len() <= max);
    let mut switches = 0;
    for w in stack.frames.windows(2) {
        if w[1].stack_pointer <= w[0].stack_pointer {
            assert!(!w[1].is_return_address);
            switches += 1;
        }
    }
    assert!(switches <= Limits::default().max_stack_switches);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_x64_unwind_data_and_stacks_never_panic(
        pdata in prop::collection::vec((0u32..0x800, 1u32..0x100, 0x400u32..0x600), 0..6),
        blob in prop::collection::vec(any::<u8>(), 0..0x400),
        stack in prop::collection::vec(any::<u8>(), 0..0x400),
        rip_off in 0u32..0x900,
        regs in prop::collection::vec(any::<u64>(), 16),
    ) {
        let mut pd: Vec<[u32; 3]> = pdata.iter().map(|&(b, l, u)| [b, b + l, u]).collect();
        pd.sort();
        let img = image(&pd, &blob);
        let modules = Modules::new(vec![Module::new("fuzz", BASE, 0x1000).with_unwind(img)]);
        // Stack values sometimes point into the module.
        let mut stack = stack;
        for chunk in stack.chunks_exact_mut(8).step_by(3) {
            let v = u64::from_le_bytes(chunk.try_into().unwrap());
            chunk.copy_from_slice(&(BASE + (v % 0x1000)).to_le_bytes());
        }
        let mut ctx = ContextX64::new(BASE + u64::from(rip_off), SP);
        for (n, v) in regs.iter().enumerate() {
            if n != 4 {
                ctx.set_reg(n as u8, *v);
            }
        }
        let limits = Limits::default().with_max_frames(64);
        let walk = Walker::new(SliceMemory::new(SP, &stack), &modules)
            .with_limits(limits)
            .walk(Context::X64(ctx));
        check_walk(&walk, 64);
    }

    #[test]
    fn random_x86_frame_data_never_panics(
        entries in prop::collection::vec((0u32..0x100, 1u32..0x80, 0u32..64, 0u32..32, 0u16..32, any::<bool>(), prop::option::of("[$.a-zT0-9 ^=+@*/%-]{0,60}")), 0..6),
        stack in prop::collection::vec(any::<u8>(), 0..0x200),
        eip_off in 0u32..0x200,
        ebp in any::<u32>(),
    ) {
        let table = FrameTable::new(entries.into_iter().map(|(rva, size, locals, params, saved, bp, program)| FrameEntry {
            rva, code_size: size, kind: if program.is_some() { FrameKind::FrameData } else { FrameKind::Fpo },
            locals_size: locals, params_size: params, prolog_size: 0, saved_regs_size: saved,
            uses_base_pointer: bp, program,
        }).collect());
        let modules = Modules::new(vec![Module::new("fuzz", 0x40_0000, 0x1000).with_frame_data(table)]);
        let ctx = ContextX86::new(0x40_0000 + eip_off, SP as u32, ebp);
        let walk = Walker::new(SliceMemory::new(SP, &stack), &modules)
            .with_limits(Limits::default().with_max_frames(64))
            .walk(Context::X86(ctx));
        check_walk(&walk, 64);
    }

    #[test]
    fn random_pe_headers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..0x400), lfanew in 0u32..0x300) {
        let mut bytes = bytes;
        if bytes.len() >= 0x40 {
            bytes[0] = b'M';
            bytes[1] = b'Z';
            bytes[0x3c..0x40].copy_from_slice(&lfanew.to_le_bytes());
            let at = lfanew as usize;
            if at + 4 <= bytes.len() {
                bytes[at..at + 4].copy_from_slice(b"PE\0\0");
            }
        }
        if let Ok(img) = ImageUnwind::from_file(bytes) {
            for rva in [0u32, 0x10, 0x1000, u32::MAX] {
                let _ = img.function_entry(rva);
            }
        }
    }

    /// Round trip: a random prolog (pushes, then an allocation) encoded as UNWIND_INFO and
    /// executed forward on a stack; one unwind step restores everything.
    #[test]
    fn synthetic_prologs_round_trip(
        regs in prop::collection::vec(prop::sample::select(vec![3u8, 5, 6, 7, 12, 13, 14, 15]), 0..6),
        alloc in prop::sample::select(vec![0u32, 8, 0x28, 0x80, 0x88, 0x1000, 0x7fff8, 0x80000]),
        interrupted in any::<bool>(),
    ) {
        // Codes in execution order, with their prolog offsets.
        let mut exec: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut off = 0u8;
        for &r in &regs {
            off += if r >= 8 { 2 } else { 1 };
            exec.push((off, vec![off, r << 4]));
        }
        if alloc > 0 {
            if alloc <= 128 {
                off += 4;
                exec.push((off, vec![off, 0x02 | (((alloc / 8 - 1) as u8) << 4)]));
            } else if alloc / 8 <= 0xffff {
                off += 7;
                let s = ((alloc / 8) as u16).to_le_bytes();
                exec.push((off, vec![off, 0x01, s[0], s[1]]));
            } else {
                off += 7;
                let s = alloc.to_le_bytes();
                exec.push((off, vec![off, 0x11, s[0], s[1], s[2], s[3]]));
            }
        }
        let mut codes: Vec<u8> = exec.iter().rev().flat_map(|(_, c)| c.clone()).collect();
        let count = (codes.len() / 2) as u8;
        if count % 2 == 1 {
            codes.extend_from_slice(&[0, 0]);
        }
        let mut blob = vec![0x01, off, count, 0];
        blob.extend_from_slice(&codes);
        let img = image(&[[0x10, 0x200, 0x400]], &blob);
        // The stack: return address, pushes, allocation.
        let total = 8 * regs.len() as u64 + u64::from(alloc);
        let top = SP + total + 8;
        let mut mem = vec![0u8; (total + 8) as usize];
        let ra = BASE + 0x999;
        mem[(total as usize)..].copy_from_slice(&ra.to_le_bytes());
        for (k, r) in regs.iter().enumerate() {
            let at = total as usize - 8 * (k + 1);
            mem[at..at + 8].copy_from_slice(&(0xabc0 + u64::from(*r)).to_le_bytes());
        }
        let rip = BASE + 0x10 + u64::from(off) + u64::from(!interrupted);
        let mut ctx = ContextX64::new(rip, SP);
        for r in 0..16u8 {
            if r != 4 {
                ctx.set_reg(r, 0x1111);
            }
        }
        let step = stackwalk::x64::unwind_x64(&ctx, &img, BASE, &SliceMemory::new(SP, &mem), interrupted)
            .unwrap()
            .unwrap();
        prop_assert_eq!(step.context.rip, ra);
        prop_assert_eq!(step.context.rsp(), top);
        // Every pushed register gets its saved value back (a register pushed twice holds
        // the same marker both times).
        for r in &regs {
            prop_assert_eq!(step.context.reg(*r), Some(0xabc0 + u64::from(*r)));
        }
    }

    #[test]
    fn random_programs_never_panic(program in "[$.a-zT0-9 ^=+@*/%-]{0,80}", seed in any::<u32>()) {
        let mut vars = std::collections::HashMap::new();
        vars.insert("$esp".to_string(), seed);
        vars.insert("$ebp".to_string(), seed.wrapping_add(0x40));
        let mem = SliceMemory::new(u64::from(seed & !0xfff), &[0u8; 0x2000]);
        let _ = stackwalk::x86::eval_program(&program, &mut vars, &mem);
    }
}
