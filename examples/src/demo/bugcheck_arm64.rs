//! A synthetic Windows 11 ARM64 crash: a driver's work item (`myfault!MyfaultWorkerRoutine`)
//! reads through a NULL pointer in a system worker thread, and the system stops with
//! SYSTEM_THREAD_EXCEPTION_NOT_HANDLED (0x1000007E: access violation, exception record and
//! ARM64 `CONTEXT` record on the stack). Written as an ARM64 triage dump (build 22000) by
//! `dumpfile`'s kernel synth writer, with ARM64 `ntoskrnl.exe` and `myfault.sys` images from
//! `pe_sections`' builder mapped in the dump (code, exports, `.pdata`): the faulting function
//! has an `.xdata` record, the kernel's functions packed unwind data, so `analyze` and `stacks`
//! walk from the `.cxr` context record with ARM64 unwinding out to `nt!KiStartSystemThread`.
//!
//! What it follows from a real Windows 11 22000 ARM64 triage dump (a power-button 0x1C8):
//! `MachineImageType` 0xAA64, the current process `System` with `EPROCESS.ImageFileName` at
//! 0x560, `UniqueProcessId` (4) at 0x3F8 and `ActiveProcessLinks` at 0x400 (its Blink is the
//! header's `PsActiveProcessHead`), an `EPROCESS` copy of 0xC80 bytes and an `ETHREAD` copy of
//! 0x910 bytes, the header's list heads, kernel addresses in the `fffff803` range and a kernel
//! stack in the `ffffe00e` range.

use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
use dumpfile::synth::{Arm64Registers, CONTEXT_ARM64_FULL, SynthContext};
use pe_sections::synth::PeBuilder;

use crate::CliError;

/// Where the scenario puts things, so tests can check what `analyze` and `stacks` find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BugcheckArm64 {
    /// The dump file's bytes.
    pub bytes: Vec<u8>,
    /// `myfault.sys` base.
    pub myfault_base: u64,
    /// The faulting instruction (Arg2).
    pub faulting_ip: u64,
    /// The address it read.
    pub address: u64,
    /// The `EXCEPTION_RECORD` (Arg3).
    pub exception_record: u64,
    /// The ARM64 `CONTEXT` record (Arg4).
    pub context_record: u64,
    /// The current process's image name.
    pub process: &'static str,
    /// The file version in `myfault.sys`'s version resource.
    pub myfault_version: [u16; 4],
    /// The stack as the scenario laid it out, from the `.cxr` context record: each frame's
    /// stack pointer (WinDbg's Child-SP), instruction and call site.
    pub frames: Vec<(u64, u64, String)>,
    /// The saved context's stack (at `nt!KeBugCheckEx`), as [`frames`](Self::frames).
    pub saved_frames: Vec<(u64, u64, String)>,
}

/// `brk #0xf000`: what fills the code between functions.
const BRK: u32 = 0xD43E_0000;
/// `mov x29, sp`.
const MOV_FP_SP: u32 = 0x9100_03FD;
/// `blr x8`.
const BLR_X8: u32 = 0xD63F_0100;
/// `ldr w0, [x8, #0x10]`: the read through the NULL pointer.
const LDR_W0_X8_10: u32 = 0xB940_1100;
/// `ret`.
const RET: u32 = 0xD65F_03C0;
/// The file version in `myfault.sys`'s version resource.
const MYFAULT_VERSION: [u16; 4] = [4, 20, 0, 0];

/// `stp x29, x30, [sp, #-size]!`.
fn stp_fp_lr_pre(size: u32) -> u32 {
    let imm7 = (0u32.wrapping_sub(size / 8)) & 0x7f;
    0xA980_0000 | (imm7 << 15) | (30 << 10) | (31 << 5) | 29
}

/// `ldp x29, x30, [sp], #size`.
fn ldp_fp_lr_post(size: u32) -> u32 {
    0xA8C0_0000 | (((size / 8) & 0x7f) << 15) | (30 << 10) | (31 << 5) | 29
}

/// How a function's unwind data is written.
enum Unwind {
    /// Packed data for the canonical chained prolog `stp x29, x30, [sp, #-frame]!;
    /// mov x29, sp` (CR 3, no saved registers).
    Chained { frame: u32 },
    /// An `.xdata` record: `stp x29, x30, [sp, #-0x40]!; str x19, [sp, #0x10]; mov x29, sp`,
    /// its epilog `ldr x19, [sp, #0x10]; ldp x29, x30, [sp], #0x40; ret` at the end.
    Xdata,
}

/// A function of a synthetic image: name, offset in `.text`, length, unwind data.
struct Func {
    name: &'static str,
    off: u32,
    len: u32,
    unwind: Unwind,
}

/// A built image: mapped bytes, file bytes, function addresses.
struct Image {
    bytes: Vec<u8>,
    funcs: Vec<(&'static str, u64)>,
}

impl Image {
    /// The address `off` bytes into function `name`.
    fn at(&self, name: &str, off: u64) -> u64 {
        self.funcs
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, a)| a.wrapping_add(off))
    }
}

/// The `.xdata` record of [`Unwind::Xdata`] for a function of `len` bytes: unwind codes
/// `set_fp` (E1), `save_reg x19, #0x10` (D0 02), `save_fplr_x #0x40` (87), `end` (E4); one
/// epilog at the end whose codes start at index 1.
fn xdata(len: u32) -> Vec<u8> {
    let codes = [0xE1u8, 0xD0, 0x02, 0x87, 0xE4, 0xE3, 0xE3, 0xE3];
    let words = u32::try_from(codes.len() / 4).unwrap_or(0);
    let header = ((len / 4) & 0x3_FFFF) | (1 << 21) | (1 << 22) | (words << 27);
    let mut v = header.to_le_bytes().to_vec();
    v.extend(codes);
    v
}

/// Builds the image `pe` describes with a `.text` holding `funcs` (prolog, epilog, the
/// instructions of `code` at function offsets), their exports, `.pdata` and `.xdata`.
fn build(mut pe: PeBuilder, base: u64, funcs: &[Func], code: &[(&str, u32, u32)]) -> Image {
    let size = funcs
        .iter()
        .map(|f| f.off.saturating_add(f.len))
        .max()
        .unwrap_or(0);
    let words = usize::try_from(size / 4).unwrap_or(0);
    let mut text: Vec<u32> = vec![BRK; words];
    let mut put = |at: u32, insn: u32| {
        if let Some(w) = text.get_mut(usize::try_from(at / 4).unwrap_or(usize::MAX)) {
            *w = insn;
        }
    };
    let off_of = |name: &str| funcs.iter().find(|f| f.name == name).map_or(0, |f| f.off);
    for f in funcs {
        let end = f.off.saturating_add(f.len);
        match f.unwind {
            Unwind::Chained { frame } => {
                put(f.off, stp_fp_lr_pre(frame));
                put(f.off.saturating_add(4), MOV_FP_SP);
                put(end.saturating_sub(8), ldp_fp_lr_post(frame));
            }
            Unwind::Xdata => {
                put(f.off, stp_fp_lr_pre(0x40));
                put(f.off.saturating_add(4), 0xF900_0BF3); // str x19, [sp, #0x10]
                put(f.off.saturating_add(8), MOV_FP_SP);
                put(end.saturating_sub(12), 0xF940_0BF3); // ldr x19, [sp, #0x10]
                put(end.saturating_sub(8), ldp_fp_lr_post(0x40));
            }
        }
        put(end.saturating_sub(4), RET);
    }
    for (name, off, insn) in code {
        put(off_of(name).saturating_add(*off), *insn);
    }
    let text: Vec<u8> = text.iter().flat_map(|w| w.to_le_bytes()).collect();
    let text_rva = pe.add_section(".text", PeBuilder::CODE, text);
    let mut xdatas = Vec::new();
    let mut at = Vec::new();
    for f in funcs {
        at.push(u32::try_from(xdatas.len()).unwrap_or(0));
        if let Unwind::Xdata = f.unwind {
            xdatas.extend(xdata(f.len));
        }
    }
    let xdata_rva = if xdatas.is_empty() {
        0
    } else {
        pe.add_section(".xdata", PeBuilder::RDATA, xdatas)
    };
    for (f, x) in funcs.iter().zip(at) {
        let begin = text_rva.saturating_add(f.off);
        let word = match f.unwind {
            // Flag 1, FunctionLength, RegF 0, RegI 0, H 0, CR 3, FrameSize.
            Unwind::Chained { frame } => {
                1 | (((f.len / 4) & 0x7FF) << 2) | (3 << 21) | (((frame / 16) & 0x1FF) << 23)
            }
            Unwind::Xdata => xdata_rva.saturating_add(x),
        };
        pe.runtime_function(begin, 0, word);
        pe.export(f.name, begin);
    }
    pe.image_base(base);
    Image {
        bytes: pe.build_mapped(),
        funcs: funcs
            .iter()
            .map(|f| {
                (
                    f.name,
                    base.wrapping_add(u64::from(text_rva.saturating_add(f.off))),
                )
            })
            .collect(),
    }
}

/// `bl` from `from` to `to`.
fn bl(from: u64, to: u64) -> u32 {
    let rel = to.wrapping_sub(from) as i64 / 4;
    0x9400_0000 | (u32::try_from(rel & 0x3FF_FFFF).unwrap_or(0))
}

/// Writes `v` at `at` in `bytes`, which start at `base`.
fn poke(bytes: &mut [u8], base: u64, at: u64, v: &[u8]) {
    let Ok(off) = usize::try_from(at.wrapping_sub(base)) else {
        return;
    };
    if let Some(d) = bytes.get_mut(off..off.saturating_add(v.len())) {
        d.copy_from_slice(v);
    }
}

/// A frame at stack pointer `sp` whose instruction is `off` bytes into `name` of `image`.
fn frame(sp: u64, image: &Image, module: &str, name: &str, off: u64) -> (u64, u64, String) {
    (sp, image.at(name, off), format!("{module}!{name}+{off:#x}"))
}

/// Builds the 0x1000007E ARM64 triage dump with the images of `ntoskrnl.exe` and
/// `myfault.sys` in it.
pub fn bugcheck_7e_arm64() -> Result<BugcheckArm64, CliError> {
    BugcheckArm64::build(true)
}

impl BugcheckArm64 {
    /// Builds the 0x1000007E ARM64 triage dump; with `images_in_dump` false the images are
    /// left out (as a real triage dump lacks them), so a walk has only the frame records
    /// (x29/x30) and names frames `module+offset`.
    pub fn build(images_in_dump: bool) -> Result<BugcheckArm64, CliError> {
        build_7e(images_in_dump)
    }
}

fn build_7e(images_in_dump: bool) -> Result<BugcheckArm64, CliError> {
    let nt = 0xffff_f803_f2e0_0000_u64;
    let hal = 0xffff_f803_f011_0000_u64;
    let myfault = 0xffff_f806_84e2_0000_u64;
    let objects = 0xffff_bb8e_b169_0000_u64;
    let stack = 0xffff_e00e_0e4b_b000_u64;
    let process = "System";
    // The kernel: the bugcheck path of the saved context, and the system worker thread.
    let chained = |name, off, frame| Func {
        name,
        off,
        len: 0x100,
        unwind: Unwind::Chained { frame },
    };
    let nt_funcs = [
        chained("KeBugCheckEx", 0x100, 0x20),
        chained("PspUnhandledExceptionInSystemThread", 0x300, 0x20),
        chained("KiStartSystemThread", 0x500, 0x10),
        chained("PspSystemThreadStartup", 0x700, 0x30),
        chained("ExpWorkerThread", 0x900, 0x60),
        chained("IopProcessWorkItem", 0xB00, 0x20),
    ];
    let nt_rva = |name: &str| {
        nt_funcs
            .iter()
            .find(|f| f.name == name)
            .map_or(0, |f| f.off)
    };
    // Call sites: (caller, offset of the return address, callee or None for `blr x8`).
    let nt_calls: [(&str, u32, Option<&str>); 5] = [
        (
            "PspUnhandledExceptionInSystemThread",
            0x2c,
            Some("KeBugCheckEx"),
        ),
        ("KiStartSystemThread", 0x34, Some("PspSystemThreadStartup")),
        ("PspSystemThreadStartup", 0x5c, None),
        ("ExpWorkerThread", 0xd8, None),
        ("IopProcessWorkItem", 0x48, None),
    ];
    let code: Vec<(&str, u32, u32)> = nt_calls
        .iter()
        .map(|&(caller, ra, callee)| {
            let at = ra.saturating_sub(4);
            let insn = match callee {
                Some(c) => bl(
                    u64::from(nt_rva(caller).saturating_add(at)),
                    u64::from(nt_rva(c)),
                ),
                None => BLR_X8,
            };
            (caller, at, insn)
        })
        .collect();
    let mut ntoskrnl = PeBuilder::arm64();
    ntoskrnl.dll_name("ntoskrnl.exe").timestamp(0xDF29_1B09);
    let nt_image = build(ntoskrnl, nt, &nt_funcs, &code);

    let my_funcs = [Func {
        name: "MyfaultWorkerRoutine",
        off: 0x300,
        len: 0x80,
        unwind: Unwind::Xdata,
    }];
    let fault_off = 0x2c_u64;
    let mut driver = PeBuilder::arm64();
    driver
        .dll_name("myfault.sys")
        .timestamp(0x5F3E_2C11)
        .version_resource(
            MYFAULT_VERSION,
            &[("FileVersion", "4.20"), ("ProductName", "NotMyfault")],
        );
    let my_image = build(
        driver,
        myfault,
        &my_funcs,
        &[(
            "MyfaultWorkerRoutine",
            u32::try_from(fault_off).unwrap_or(0),
            LDR_W0_X8_10,
        )],
    );
    let faulting_ip = my_image.at("MyfaultWorkerRoutine", fault_off);
    let address = 0x10_u64;

    // The stack (0x1000 bytes from `stack`, growing down): the saved context's frames at the
    // bottom, the exception's CONTEXT and EXCEPTION_RECORD above them, the worker thread's
    // frames at the top.
    let mut b = vec![0u8; 0x1000];
    let mut w = |at: u64, v: u64| poke(&mut b, stack, at, &v.to_le_bytes());
    let s0 = stack.wrapping_add(0x100); // KeBugCheckEx
    let s1 = s0.wrapping_add(0x20); // PspUnhandledExceptionInSystemThread
    let cxr = stack.wrapping_add(0x200);
    let exr = stack.wrapping_add(0x5A0);
    let f0 = stack.wrapping_add(0x800); // MyfaultWorkerRoutine
    let f1 = f0.wrapping_add(0x40); // IopProcessWorkItem
    let f2 = f1.wrapping_add(0x20); // ExpWorkerThread
    let f3 = f2.wrapping_add(0x60); // PspSystemThreadStartup
    let f4 = f3.wrapping_add(0x30); // KiStartSystemThread
    // Frame records {x29, x30} at each frame's stack pointer.
    let ra = |name: &str, off: u64| nt_image.at(name, off);
    w(s0, s1);
    w(
        s0.wrapping_add(8),
        ra("PspUnhandledExceptionInSystemThread", 0x2c),
    );
    w(s1, 0);
    w(s1.wrapping_add(8), 0);
    w(f0, f1);
    w(f0.wrapping_add(8), ra("IopProcessWorkItem", 0x48));
    w(f0.wrapping_add(0x10), objects.wrapping_add(0x4000)); // saved x19: the work item
    w(f1, f2);
    w(f1.wrapping_add(8), ra("ExpWorkerThread", 0xd8));
    w(f2, f3);
    w(f2.wrapping_add(8), ra("PspSystemThreadStartup", 0x5c));
    w(f3, f4);
    w(f3.wrapping_add(8), ra("KiStartSystemThread", 0x34));
    w(f4, 0);
    w(f4.wrapping_add(8), 0);
    // The exception: a read of 0x10 by the worker routine, and the registers at that moment.
    let mut x = [0u64; 31];
    x[8] = 0;
    x[19] = objects.wrapping_add(0x4000);
    x[29] = f0;
    x[30] = ra("IopProcessWorkItem", 0x48);
    let record = Arm64Registers {
        context_flags: CONTEXT_ARM64_FULL,
        cpsr: 0x6000_0005,
        x,
        sp: f0,
        pc: faulting_ip,
        ..Arm64Registers::default()
    };
    poke(&mut b, stack, cxr, &record.to_bytes());
    let mut e = Vec::new();
    e.extend(0xC000_0005_u32.to_le_bytes());
    e.extend(0u32.to_le_bytes()); // ExceptionFlags
    e.extend(0u64.to_le_bytes()); // ExceptionRecord
    e.extend(faulting_ip.to_le_bytes());
    e.extend(2u32.to_le_bytes()); // NumberParameters
    e.extend(0u32.to_le_bytes());
    e.extend(0u64.to_le_bytes()); // read
    e.extend(address.to_le_bytes());
    e.resize(0x98, 0);
    poke(&mut b, stack, exr, &e);

    let params = [0xC000_0005, faulting_ip, exr, cxr];
    let mut sx = [0u64; 31];
    sx[0] = 0x1000_007E;
    sx[1] = params[0];
    sx[2] = params[1];
    sx[3] = params[2];
    sx[4] = params[3];
    sx[29] = s0;
    sx[30] = ra("PspUnhandledExceptionInSystemThread", 0x2c);
    let saved = SynthContext::Arm64(Arm64Registers {
        cpsr: 0x8000_0144,
        x: sx,
        sp: s0,
        pc: nt_image.at("KeBugCheckEx", 0x30),
        ..Arm64Registers::default()
    });

    let size =
        |image: &[u8]| u32::try_from(image.len()).map_err(|_| CliError::new("image too large"));
    let mut kb = KernelDumpBuilder::new(KernelArch::Arm64, KernelDumpType::Triage);
    kb.build_number(22000).processors(8);
    // The kernel's list heads, as the real 22000 ARM64 triage dump's header gives them.
    let process_head = 0xffff_f803_f3a1_d1c0_u64;
    kb.triage_module_list(0xffff_f803_f3a2_aa20)
        .list_heads(process_head, 0xffff_f803_f3b1_9960);
    kb.bugcheck(0x1000_007E, params);
    kb.context(saved);
    let mut d = SynthDriver::new("ntoskrnl.exe", nt, size(&nt_image.bytes)?);
    d.path = "\\SystemRoot\\system32\\ntoskrnl.exe".to_string();
    d.timestamp = 0xDF29_1B09;
    kb.driver(d);
    let mut d = SynthDriver::new("hal.dll", hal, 0x5000);
    d.path = "\\SystemRoot\\system32\\hal.dll".to_string();
    kb.driver(d);
    let mut d = SynthDriver::new("myfault.sys", myfault, size(&my_image.bytes)?);
    d.timestamp = 0x5F3E_2C11;
    kb.driver(d);
    if images_in_dump {
        kb.map(nt, &nt_image.bytes);
        kb.map(myfault, &my_image.bytes);
    }
    // The current process: `System`, its ImageFileName at 0x560 as on 22000 ARM64.
    let mut eprocess = vec![0u8; 0xC80];
    if let Some(slot) = eprocess.get_mut(0x560..0x560_usize.saturating_add(process.len())) {
        slot.copy_from_slice(process.as_bytes());
    }
    // UniqueProcessId 4; ActiveProcessLinks: System is the first process, its Blink the head
    // (the next process, not in a triage dump, at a plausible address).
    for (at, v) in [
        (0x3F8_usize, 4_u64),
        (0x400, objects.wrapping_add(0x9400)),
        (0x408, process_head),
    ] {
        if let Some(slot) = eprocess.get_mut(at..at.saturating_add(8)) {
            slot.copy_from_slice(&v.to_le_bytes());
        }
    }
    // The thread: InitialStack (0x28), StackLimit (0x30), StackBase (0x38) around the saved
    // stack, State 2 (Running, 0x17C), as the real dump's ETHREAD copy and KDBG place them (the
    // real triage call stack runs from the context's SP up to StackBase).
    let mut ethread = vec![0u8; 0x910];
    let top = stack.wrapping_add(0x1000);
    for (at, v) in [
        (0x28_usize, top.wrapping_sub(0x250)),
        (0x30, stack.wrapping_sub(0x5000)),
        (0x38, top),
    ] {
        if let Some(slot) = ethread.get_mut(at..at.saturating_add(8)) {
            slot.copy_from_slice(&v.to_le_bytes());
        }
    }
    if let Some(state) = ethread.get_mut(0x17C) {
        *state = 2;
    }
    kb.triage_objects(
        (objects, vec![0u8; 0x400]),
        (objects.wrapping_add(0x1000), eprocess),
        (objects.wrapping_add(0x2000), ethread),
    );
    kb.triage_stack(stack, b);
    let bytes = kb
        .write()
        .map_err(|e| CliError::new(format!("cannot write the ARM64 0x7E dump: {e}")))?;
    let (n, m) = (&nt_image, &my_image);
    let frames = vec![
        frame(f0, m, "myfault", "MyfaultWorkerRoutine", fault_off),
        frame(f1, n, "nt", "IopProcessWorkItem", 0x48),
        frame(f2, n, "nt", "ExpWorkerThread", 0xd8),
        frame(f3, n, "nt", "PspSystemThreadStartup", 0x5c),
        frame(f4, n, "nt", "KiStartSystemThread", 0x34),
    ];
    let saved_frames = vec![
        frame(s0, n, "nt", "KeBugCheckEx", 0x30),
        frame(s1, n, "nt", "PspUnhandledExceptionInSystemThread", 0x2c),
    ];
    Ok(BugcheckArm64 {
        bytes,
        myfault_base: myfault,
        faulting_ip,
        address,
        exception_record: exr,
        context_record: cxr,
        process,
        myfault_version: MYFAULT_VERSION,
        frames,
        saved_frames,
    })
}
