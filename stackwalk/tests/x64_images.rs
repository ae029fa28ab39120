//! Synthetic stacks over real x64 PE files from the corpus.
//!
//! For every function of an image, the test builds the stack that its prolog leaves behind by
//! executing the unwind codes *forward* (a model written here from the format description, not
//! with the crate's unwinder), then checks that one unwind step undoes it exactly: the return
//! address, the caller's stack pointer and every saved register.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;

use common::read_corpus;
use stackwalk::x64::{X64Step, unwind_x64};
use stackwalk::*;

const BASE: u64 = 0x1_8000_0000;
const TOP: u64 = 0x20_0000;
const RA: u64 = 0x7ff6_1234_5678;

fn marker(r: u8) -> u64 {
    0x5151_0000_0000_0000 | (u64::from(r) << 8) | 0xaa
}

fn xmarker(r: u8) -> u128 {
    0x7777_0000_0000_0000_0000_0000_0000_0000 | u128::from(r)
}

#[derive(Default)]
struct Mem(HashMap<u64, u8>);

impl Mem {
    fn put(&mut self, addr: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.0.insert(addr + i as u64, *b);
        }
    }
}

impl ReadMemory for Mem {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = *self
                .0
                .get(&(addr + i as u64))
                .ok_or(MemoryError::not_captured(addr, 1))?;
        }
        Ok(())
    }
}

struct Raw {
    version: u8,
    prolog: u8,
    frame_register: u8,
    frame_offset: u8,
    codes: Vec<(u8, u8, u8, u16, u16)>, // offset, op, info, next slot, slot after
    chained: Option<(u32, u32, u32)>,
}

/// Reads an UNWIND_INFO with plain byte arithmetic (independent of the crate's parser).
fn raw_info(img: &dyn ModuleUnwind, rva: u32) -> Option<Raw> {
    let mut h = [0u8; 4];
    img.read_rva(rva, &mut h).ok()?;
    let count = h[2] as usize;
    let mut c = vec![0u8; count * 2 + 12 + 2];
    img.read_rva(rva + 4, &mut c[..count * 2]).ok()?;
    let flags = h[0] >> 3;
    let slot = |i: usize| -> u16 {
        if i < count {
            u16::from_le_bytes([c[2 * i], c[2 * i + 1]])
        } else {
            0
        }
    };
    let mut codes = Vec::new();
    let version = h[0] & 7;
    let mut i = 0;
    while i < count {
        let (off, op, info) = (c[2 * i], c[2 * i + 1] & 15, c[2 * i + 1] >> 4);
        let n = match op {
            0 | 2 | 3 | 10 => 1,
            1 if info == 0 => 2,
            1 => 3,
            4 | 8 => 2,
            5 | 9 => 3,
            6 if version == 2 => 1,
            6 => 2,
            _ => 3,
        };
        codes.push((off, op, info, slot(i + 1), slot(i + 2)));
        i += n;
    }
    let chained = if flags & 4 != 0 {
        let mut b = [0u8; 12];
        img.read_rva(rva + 4 + ((count as u32 + 1) & !1) * 2, &mut b)
            .ok()?;
        let r = |k: usize| u32::from_le_bytes(b[k..k + 4].try_into().unwrap());
        Some((r(0), r(4), r(8)))
    } else {
        None
    };
    Some(Raw {
        version,
        prolog: h[1],
        frame_register: h[3] & 15,
        frame_offset: h[3] >> 4,
        codes,
        chained,
    })
}

struct Model {
    mem: Mem,
    ctx: ContextX64,
    /// Registers the prolog saved: (reg, marker).
    saved: Vec<(u8, u64)>,
    /// Registers saved with PUSH_NONVOL (the only ones an epilog still has to restore).
    pushed: Vec<u8>,
    xsaved: Vec<(u8, u128)>,
}

/// Executes the prolog(s) of `f` forward. `None` for functions this model does not cover
/// (machine frames, chain errors, unknown ops).
fn model(img: &dyn ModuleUnwind, f: RuntimeFunction) -> Option<Model> {
    let mut chain = vec![raw_info(img, f.unwind_info)?];
    while let Some((_, _, u)) = chain.last().unwrap().chained {
        if chain.len() > 8 {
            return None;
        }
        chain.push(raw_info(img, u)?);
    }
    let primary = &chain[0];
    let mut mem = Mem::default();
    let mut rsp = TOP - 8;
    mem.put(rsp, &RA.to_le_bytes());
    let mut saved = Vec::new();
    let mut pushed = Vec::new();
    let mut xsaved = Vec::new();
    let mut deferred = Vec::new();
    let mut fp: Option<(u8, u64)> = None;
    for info in chain.iter().rev() {
        for &(_, op, reg, next, after) in info.codes.iter().rev() {
            match op {
                0 => {
                    rsp -= 8;
                    mem.put(rsp, &marker(reg).to_le_bytes());
                    saved.push((reg, marker(reg)));
                    pushed.push(reg);
                }
                1 => {
                    rsp -= if reg == 0 {
                        u64::from(next) * 8
                    } else {
                        u64::from(next) | (u64::from(after) << 16)
                    }
                }
                2 => rsp -= u64::from(reg) * 8 + 8,
                3 => fp = Some((info.frame_register, rsp + u64::from(info.frame_offset) * 16)),
                4 => deferred.push((false, reg, u64::from(next) * 8)),
                5 => deferred.push((false, reg, u64::from(next) | (u64::from(after) << 16))),
                8 => deferred.push((true, reg, u64::from(next) * 16)),
                9 => deferred.push((true, reg, u64::from(next) | (u64::from(after) << 16))),
                6 if info.version == 2 => {}
                _ => return None,
            }
        }
    }
    let frame_base = match fp {
        Some((_, v)) if primary.frame_register != 0 => v - u64::from(primary.frame_offset) * 16,
        _ => rsp,
    };
    for (xmm, reg, off) in deferred {
        if xmm {
            mem.put(frame_base + off, &xmarker(reg).to_le_bytes());
            xsaved.push((reg, xmarker(reg)));
        } else {
            mem.put(frame_base + off, &marker(reg).to_le_bytes());
            saved.push((reg, marker(reg)));
        }
    }
    let mut ctx = ContextX64::new(0, rsp);
    for r in 0..16u8 {
        if r != 4 {
            ctx.set_reg(r, 0xdead_0000 + u64::from(r));
        }
    }
    if let Some((r, v)) = fp {
        ctx.set_reg(r, v);
    }
    Some(Model {
        mem,
        ctx,
        saved,
        pushed,
        xsaved,
    })
}

fn check(step: &X64Step, m: &Model, what: &str) {
    assert_eq!(step.context.rip, RA, "{what}: return address");
    assert_eq!(step.context.rsp(), TOP, "{what}: caller rsp");
    for &(r, v) in &m.saved {
        assert_eq!(step.context.reg(r), Some(v), "{what}: register {r}");
    }
    for &(r, v) in &m.xsaved {
        assert_eq!(step.context.xmm[usize::from(r)], v, "{what}: xmm{r}");
    }
}

fn entries(img: &ImageUnwind<FileImage<Vec<u8>>>) -> Vec<RuntimeFunction> {
    (0..img.len())
        .filter_map(|i| img.entry(i).unwrap())
        .collect()
}

/// Every function of the image, unwound as a caller frame just past its prolog.
fn all_functions_unwind(file: &str, min_checked: usize) -> Option<ImageUnwind<FileImage<Vec<u8>>>> {
    let bytes = read_corpus(&format!("pe/{file}"))?;
    let img = ImageUnwind::from_file(bytes).unwrap();
    let mut checked = 0;
    for f in entries(&img) {
        let info = raw_info(&img, f.unwind_info).unwrap();
        if f.end - f.begin <= u32::from(info.prolog) + 1 {
            continue;
        }
        let Some(mut m) = model(&img, f) else {
            continue;
        };
        m.ctx.rip = BASE + u64::from(f.begin) + u64::from(info.prolog) + 1;
        let step = unwind_x64(&m.ctx, &img, BASE, &m.mem, false)
            .unwrap_or_else(|e| panic!("{file} {:#x}: {e}", f.begin))
            .unwrap();
        check(&step, &m, &format!("{file} fn {:#x}", f.begin));
        checked += 1;
    }
    println!("{file}: {checked} functions unwound");
    assert!(checked >= min_checked, "{checked}");
    Some(img)
}

#[test]
fn pdata_agrees_with_the_object_crate() {
    use object::read::pe::PeFile64;
    for file in [
        "x64-msvc-CrashWithException.exe",
        "x64-basic64-unwindv2.dll",
        "x64-rust-mozwer.dll",
    ] {
        let Some(bytes) = read_corpus(&format!("pe/{file}")) else {
            return;
        };
        let pe = PeFile64::parse(&*bytes).unwrap();
        let dir = pe
            .data_directory(object::pe::IMAGE_DIRECTORY_ENTRY_EXCEPTION)
            .unwrap();
        let data = dir.data(&*bytes, &pe.section_table()).unwrap();
        let img = ImageUnwind::from_file(bytes.clone()).unwrap();
        assert_eq!(img.len() as usize, data.len() / 12, "{file}");
        for (i, chunk) in data.chunks_exact(12).enumerate() {
            let begin = u32::from_le_bytes(chunk[0..4].try_into().unwrap());
            let found = img.function_entry(begin).unwrap();
            if begin != 0 {
                assert_eq!(found.map(|f| f.begin), Some(begin), "{file} entry {i}");
            }
        }
    }
}

#[test]
fn crash_with_exception_all_functions() {
    all_functions_unwind("x64-msvc-CrashWithException.exe", 30);
}

#[test]
fn basic64_all_functions() {
    all_functions_unwind("x64-basic64-unwindv2.dll", 1000);
}

#[test]
fn mozwer_all_functions() {
    all_functions_unwind("x64-rust-mozwer.dll", 1000);
}

/// In-function `jmp`s are not epilogs: frame 0 stopped on one unwinds through the prolog.
#[test]
fn crash_with_exception_in_function_jmps_are_not_epilogs() {
    let Some(bytes) = read_corpus("pe/x64-msvc-CrashWithException.exe") else {
        return;
    };
    let img = ImageUnwind::from_file(bytes).unwrap();
    let mut jmps = 0;
    for f in entries(&img) {
        let info = raw_info(&img, f.unwind_info).unwrap();
        if info.chained.is_some() {
            continue;
        }
        let mut code = vec![0u8; (f.end - f.begin) as usize];
        img.read_rva(f.begin, &mut code).unwrap();
        for p in usize::from(info.prolog)..code.len() {
            let target = match code[p] {
                0xeb if p + 2 <= code.len() => {
                    (f.begin as i64) + p as i64 + 2 + i64::from(code[p + 1] as i8)
                }
                0xe9 if p + 5 <= code.len() => {
                    (f.begin as i64)
                        + p as i64
                        + 5
                        + i64::from(i32::from_le_bytes(code[p + 1..p + 5].try_into().unwrap()))
                }
                _ => continue,
            };
            if target <= i64::from(f.begin) || target >= i64::from(f.end) {
                continue;
            }
            let Some(mut m) = model(&img, f) else {
                continue;
            };
            m.ctx.rip = BASE + u64::from(f.begin) + p as u64;
            let step = unwind_x64(&m.ctx, &img, BASE, &m.mem, true)
                .unwrap()
                .unwrap();
            assert!(
                !step.in_epilog,
                "fn {:#x} jmp at +{p:#x} taken for an epilog",
                f.begin
            );
            check(&step, &m, &format!("jmp at {:#x}", f.begin as usize + p));
            jmps += 1;
        }
    }
    println!("{jmps} in-function jmp positions checked");
    assert!(jmps >= 19, "{jmps}");
}

/// v1 epilogs (`add rsp, N; pop ...; ret`) found in the code are emulated forward.
#[test]
fn crash_with_exception_v1_epilogs() {
    let Some(bytes) = read_corpus("pe/x64-msvc-CrashWithException.exe") else {
        return;
    };
    let img = ImageUnwind::from_file(bytes).unwrap();
    let mut n = 0;
    for f in entries(&img) {
        let mut code = vec![0u8; (f.end - f.begin) as usize];
        img.read_rva(f.begin, &mut code).unwrap();
        let info = raw_info(&img, f.unwind_info).unwrap();
        for p in usize::from(info.prolog)..code.len().saturating_sub(4) {
            if code[p..p + 3] != [0x48, 0x83, 0xc4] {
                continue;
            }
            let mut q = p + 4;
            while q < code.len() && (0x58..=0x5f).contains(&code[q])
                || (code.get(q) == Some(&0x41)
                    && code.get(q + 1).is_some_and(|b| (0x58..=0x5f).contains(b)))
            {
                q += if code[q] == 0x41 { 2 } else { 1 };
            }
            if code.get(q) != Some(&0xc3) {
                continue;
            }
            let Some(mut m) = model(&img, f) else {
                continue;
            };
            m.ctx.rip = BASE + u64::from(f.begin) + p as u64;
            let step = unwind_x64(&m.ctx, &img, BASE, &m.mem, true)
                .unwrap()
                .unwrap();
            assert!(step.in_epilog);
            // Registers saved with MOV were restored by the body before the epilog; only the
            // pushes are still on the stack.
            assert_eq!(step.context.rip, RA);
            assert_eq!(step.context.rsp(), TOP);
            for r in &m.pushed {
                assert_eq!(
                    step.context.reg(*r),
                    Some(marker(*r)),
                    "epilog at {:#x}",
                    f.begin as usize + p
                );
            }
            n += 1;
        }
    }
    println!("{n} v1 epilogs checked");
    assert!(n >= 10, "{n}");
}

fn v2_epilog_positions(file: &str) -> Option<usize> {
    let bytes = read_corpus(&format!("pe/{file}"))?;
    let img = ImageUnwind::from_file(bytes).unwrap();
    let mut n = 0;
    for f in entries(&img) {
        let info = raw_info(&img, f.unwind_info).unwrap();
        if info.version != 2 || info.codes.first().is_none_or(|c| c.1 != 6) {
            continue;
        }
        let (size, flags) = (u32::from(info.codes[0].0), info.codes[0].2);
        if flags & 1 == 0 {
            continue;
        }
        let Some(m) = model(&img, f) else { continue };
        // The stack at the epilog's start: allocations released, pushes still there.
        let pushes: Vec<u8> = info
            .codes
            .iter()
            .filter(|c| c.1 == 0)
            .map(|c| c.2)
            .collect();
        let start = f.end - size;
        let mut code = vec![0u8; size as usize];
        img.read_rva(start, &mut code).unwrap();
        assert_eq!(
            *code.last().unwrap(),
            0xc3,
            "fn {:#x}: the v2 epilog ends with ret",
            f.begin
        );
        // Walk through the epilog instruction by instruction: pops (1 or 2 bytes) then ret.
        let mut sp = TOP - 8 - 8 * pushes.len() as u64;
        let mut off = 0u32;
        for (k, r) in pushes.iter().enumerate() {
            let mut ctx = m.ctx.clone();
            ctx.rip = BASE + u64::from(start + off);
            ctx.set_rsp(sp);
            for done in &pushes[..k] {
                ctx.set_reg(*done, marker(*done));
            }
            let step = unwind_x64(&ctx, &img, BASE, &m.mem, true).unwrap().unwrap();
            assert!(step.in_epilog);
            assert_eq!(step.context.rip, RA, "fn {:#x} at pop {k}", f.begin);
            assert_eq!(step.context.rsp(), TOP);
            assert_eq!(step.context.reg(*r), Some(marker(*r)));
            off += if *r >= 8 { 2 } else { 1 };
            sp += 8;
            n += 1;
        }
        // At the final ret.
        let mut ctx = m.ctx.clone();
        ctx.rip = BASE + u64::from(f.end - 1);
        ctx.set_rsp(TOP - 8);
        let step = unwind_x64(&ctx, &img, BASE, &m.mem, true).unwrap().unwrap();
        assert!(step.in_epilog);
        assert_eq!(step.context.rip, RA, "fn {:#x} at ret", f.begin);
        assert_eq!(step.context.rsp(), TOP);
        n += 1;
    }
    Some(n)
}

#[test]
fn basic64_v2_function_b830() {
    let Some(bytes) = read_corpus("pe/x64-basic64-unwindv2.dll") else {
        return;
    };
    let img = ImageUnwind::from_file(bytes).unwrap();
    let f = img.function_entry(0xb838).unwrap().unwrap();
    assert_eq!((f.begin, f.end), (0xb830, 0xb840));
    let info = stackwalk::x64::UnwindInfo::read(&img, f.unwind_info).unwrap();
    assert_eq!(info.version, 2);
    let mut mem = Mem::default();
    mem.put(TOP - 16, &marker(7).to_le_bytes());
    mem.put(TOP - 8, &RA.to_le_bytes());
    // (rip, rsp, rdi restored from the stack?)
    for (rip, rsp, pops_rdi) in [
        (0xb830, TOP - 8, false), // before push rdi
        (0xb831, TOP - 16, true), // after push rdi
        (0xb838, TOP - 16, true), // body (rep stosb)
        (0xb83e, TOP - 16, true), // pop rdi (epilog)
        (0xb83f, TOP - 8, false), // final ret
    ] {
        let mut ctx = ContextX64::new(BASE + rip, rsp);
        ctx.set_reg(7, 0x1234);
        let step = unwind_x64(&ctx, &img, BASE, &mem, true).unwrap().unwrap();
        assert_eq!(step.context.rip, RA, "rip {rip:#x}");
        assert_eq!(step.context.rsp(), TOP, "rip {rip:#x}");
        let rdi = if pops_rdi { marker(7) } else { 0x1234 };
        assert_eq!(step.context.reg(7), Some(rdi), "rip {rip:#x}");
    }
}

#[test]
fn basic64_v2_epilogs() {
    if let Some(n) = v2_epilog_positions("x64-basic64-unwindv2.dll") {
        assert!(n >= 2, "{n}");
    }
}

#[test]
fn mozwer_v2_epilogs() {
    if let Some(n) = v2_epilog_positions("x64-rust-mozwer.dll") {
        println!("{n} v2 epilog positions");
        assert!(n >= 1, "{n}");
    }
}

#[test]
fn chained_unwind_loop_stops_with_an_error() {
    let Some(bytes) = read_corpus("pe/x64-chained-unwind-loop.exe") else {
        return;
    };
    let img = ImageUnwind::from_file(bytes).unwrap();
    let f = entries(&img)[0];
    let mut stack = vec![0u8; 0x400];
    stack[0x100..0x108].copy_from_slice(&RA.to_le_bytes());
    let mem = SliceMemory::new(TOP - 0x400, &stack);
    let ctx = ContextX64::new(BASE + u64::from(f.begin) + 1, TOP - 0x400);
    let err = unwind_x64(&ctx, &img, BASE, &mem, false).unwrap_err();
    assert!(matches!(err, Error::UnwindChainTooLong { .. }), "{err:?}");
    let modules = Modules::new(vec![Module::new("loop", BASE, 0x10000).with_unwind(img)]);
    let stack = Walker::new(mem, &modules).walk(Context::X64(ctx));
    assert_eq!(stack.frames.len(), 1);
    assert!(
        matches!(
            stack.stop,
            StopReason::NoCaller {
                error: Some(Error::UnwindChainTooLong { .. })
            }
        ),
        "{:?}",
        stack.stop
    );
}

/// A three-frame walk: frame 0 in a function of CrashWithException.exe, returning to a real
/// call site of that function, whose own caller is the end of the stack.
#[test]
fn crash_with_exception_walk_to_a_real_call_site() {
    let Some(bytes) = read_corpus("pe/x64-msvc-CrashWithException.exe") else {
        return;
    };
    let img = ImageUnwind::from_file(bytes).unwrap();
    let fs = entries(&img);
    // Find a direct call `E8 rel32` from one function to another.
    let mut found = None;
    'outer: for caller in &fs {
        let mut code = vec![0u8; (caller.end - caller.begin) as usize];
        img.read_rva(caller.begin, &mut code).unwrap();
        for p in 0..code.len().saturating_sub(5) {
            if code[p] != 0xe8 {
                continue;
            }
            let t = (caller.begin as i64
                + p as i64
                + 5
                + i64::from(i32::from_le_bytes(code[p + 1..p + 5].try_into().unwrap())))
                as u32;
            if let Some(callee) = fs.iter().find(|f| f.begin == t) {
                let ci = raw_info(&img, caller.unwind_info).unwrap();
                let ki = raw_info(&img, callee.unwind_info).unwrap();
                if p > usize::from(ci.prolog)
                    && callee.end - callee.begin > u32::from(ki.prolog) + 1
                    && ci.chained.is_none()
                    && ki.chained.is_none()
                {
                    found = Some((*caller, *callee, caller.begin + p as u32 + 5));
                    break 'outer;
                }
            }
        }
    }
    let (caller, callee, ret) = found.expect("a direct call");
    // Caller frame: its prolog's stack, with return address 0 (end of stack).
    let cm = model(&img, caller).unwrap();
    let km = model(&img, callee).unwrap();
    // Stack: [callee frame][RA = ret][caller frame][0]
    let callee_size = TOP - km.ctx.rsp();
    let caller_size = TOP - cm.ctx.rsp();
    let mut mem = Mem::default();
    let caller_top = TOP;
    let callee_top = TOP - caller_size; // the callee returns to the caller's rsp
    for (a, b) in &cm.mem.0 {
        mem.0.insert(*a, *b);
    }
    mem.put(caller_top - 8, &0u64.to_le_bytes());
    for (a, b) in &km.mem.0 {
        mem.0.insert(a + callee_top - TOP, *b);
    }
    mem.put(
        callee_top - 8,
        &u64::from(ret).wrapping_add(BASE).to_le_bytes(),
    );
    let mut ctx = km.ctx.clone();
    ctx.set_rsp(callee_top - callee_size);
    if let Some(fr) =
        (0..16u8).find(|&r| r != 4 && km.ctx.reg(r).is_some_and(|v| v < TOP && v > 0x1000))
    {
        let v = km.ctx.reg(fr).unwrap();
        ctx.set_reg(fr, v + callee_top - TOP);
    }
    ctx.rip = BASE
        + u64::from(callee.begin)
        + u64::from(raw_info(&img, callee.unwind_info).unwrap().prolog);
    let modules = Modules::new(vec![
        Module::new("CrashWithException", BASE, 0x100000).with_unwind(img),
    ]);
    let stack = Walker::new(&mem, &modules).walk(Context::X64(ctx));
    for f in &stack.frames {
        println!(
            "{:x} {:x} {}",
            f.stack_pointer,
            f.instruction,
            f.trust.as_str()
        );
    }
    assert_eq!(stack.frames.len(), 2, "{:?}", stack.stop);
    assert_eq!(stack.frames[1].instruction, BASE + u64::from(ret));
    assert_eq!(stack.frames[1].stack_pointer, callee_top);
    assert_eq!(stack.frames[1].trust, Trust::Unwind);
    assert_eq!(stack.stop, StopReason::EndOfStack);
}
