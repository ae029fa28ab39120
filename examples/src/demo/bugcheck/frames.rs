//! The kernel stack of the 0xD1 scenario, laid out so that `stackwalk` walks it from the saved
//! context at `nt!KeBugCheckEx` through the page fault's trap frame into `myfault.sys` and out
//! to the system call that sent the IOCTL. Code bytes, exports and (x64) unwind data live in
//! synthetic `ntoskrnl.exe` and `myfault.sys` images from `pe_sections`' builder.
//!
//! - x64 (build 19041): `KeBugCheckEx`, called by `KiBugCheckDispatch`, called by
//!   `KiPageFault` (its unwind data pushes a machine frame with an error code, saves RBP and
//!   keeps RBP at the `KTRAP_FRAME` plus 0x80, as the kernel's handler does); through the trap
//!   frame to `myfault!MyfaultDeviceControl`, called by `myfault!MyfaultDispatch`, called by
//!   `nt!IofCallDriver`, `nt!NtDeviceIoControlFile` and `nt!KiSystemServiceCopyEnd` (the system
//!   call's trap frame), back to user mode.
//! - x86 PAE (build 7601): the same path through EBP frames; `KiTrap0E` and `KiFastCallEntry`
//!   point EBP at the `KTRAP_FRAME` they built, with `DbgEbp`/`DbgEip` repeating EBP/EIP.
//!
//! The real kernel exports only some of these functions (the others are named through its
//! PDB), and the real driver exports none: the synthetic images export every function so the
//! export-based symbols name them without a PDB.

use dumpfile::synth::{SynthContext, X64_RBP, X64_RSP, X64Registers, X86Registers};
use pe_sections::synth::PeBuilder;

/// How a call site calls: `call rel32` to a function of the same image, or the bytes of an
/// indirect call (`call rax`, `call r10`).
#[derive(Clone, Copy)]
enum Call {
    Direct(&'static str),
    Indirect(&'static [u8]),
}

/// A function of a synthetic image.
struct Func {
    name: &'static str,
    /// Offset in `.text`.
    off: u32,
    len: u32,
    /// Its first instructions.
    prolog: &'static [u8],
    /// x64 `UNWIND_INFO` (empty on x86).
    unwind: Vec<u8>,
}

/// A built image: its mapped bytes and each function's address.
pub(super) struct Image {
    /// The image as the loader maps it.
    pub bytes: Vec<u8>,
    /// The image file.
    pub file: Vec<u8>,
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

const PUSH_NONVOL: u8 = 0;
const ALLOC_LARGE: u8 = 1;
const ALLOC_SMALL: u8 = 2;
const SET_FPREG: u8 = 3;
const PUSH_MACHFRAME: u8 = 10;

/// A version-1 x64 `UNWIND_INFO`: prolog size, frame register | (offset / 16) << 4, and the
/// codes (offset in the prolog, operation, info, extra slots), last prolog instruction first.
fn unwind(prolog: u8, frame: u8, codes: &[(u8, u8, u8, &[u16])]) -> Vec<u8> {
    let slots: usize = codes.iter().map(|c| c.3.len().saturating_add(1)).sum();
    let mut v = vec![1, prolog, u8::try_from(slots).unwrap_or(0), frame];
    for (off, op, info, extra) in codes {
        v.push(*off);
        v.push(op | (info << 4));
        for e in *extra {
            v.extend(e.to_le_bytes());
        }
    }
    if slots % 2 == 1 {
        v.extend([0, 0]);
    }
    v
}

/// Builds the image `pe` describes plus a `.text` holding `funcs` (prologs, `extra` bytes at
/// function offsets, the call instruction before each return address of `calls`), their
/// exports and, on x64, their `.pdata` and unwind data.
fn build(
    mut pe: PeBuilder,
    base: u64,
    funcs: &[Func],
    calls: &[(&str, u32, Call)],
    extra: &[(&str, u32, &[u8])],
) -> Image {
    let size = funcs
        .iter()
        .map(|f| f.off.saturating_add(f.len))
        .max()
        .unwrap_or(0);
    let mut text = vec![0xCC_u8; usize::try_from(size).unwrap_or(0)];
    let off_of = |name: &str| funcs.iter().find(|f| f.name == name).map_or(0, |f| f.off);
    let mut put = |at: u32, bytes: &[u8]| {
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        if let Some(d) = text.get_mut(at..at.saturating_add(bytes.len())) {
            d.copy_from_slice(bytes);
        }
    };
    for f in funcs {
        put(f.off, f.prolog);
    }
    for (name, off, bytes) in extra {
        put(off_of(name).saturating_add(*off), bytes);
    }
    for (caller, ra, call) in calls {
        let ra = off_of(caller).saturating_add(*ra);
        match call {
            Call::Direct(callee) => {
                let rel = i64::from(off_of(callee)).saturating_sub(i64::from(ra));
                let rel = i32::try_from(rel).unwrap_or(0);
                let mut b = vec![0xE8];
                b.extend(rel.to_le_bytes());
                put(ra.saturating_sub(5), &b);
            }
            Call::Indirect(b) => put(ra.saturating_sub(u32::try_from(b.len()).unwrap_or(0)), b),
        }
    }
    let text_rva = pe.add_section(".text", PeBuilder::CODE, text);
    let mut infos = Vec::new();
    let mut at = Vec::new();
    for f in funcs {
        at.push(u32::try_from(infos.len()).unwrap_or(0));
        infos.extend(&f.unwind);
    }
    if !infos.is_empty() {
        let rdata = pe.add_section(".rdata", PeBuilder::RDATA, infos);
        for (f, u) in funcs.iter().zip(at) {
            let begin = text_rva.saturating_add(f.off);
            pe.runtime_function(begin, begin.saturating_add(f.len), rdata.saturating_add(u));
        }
    }
    for f in funcs {
        pe.export(f.name, text_rva.saturating_add(f.off));
    }
    pe.image_base(base);
    Image {
        bytes: pe.build_mapped(),
        file: pe.build(),
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

/// The scenario's stack: the images, the saved context, the stack bytes and what a walk must
/// find.
pub(super) struct Stack {
    pub nt: Image,
    pub myfault: Image,
    /// The faulting instruction (Arg4).
    pub faulting_ip: u64,
    /// The bugcheck's parameters: a read of `address` at IRQL 2 by `faulting_ip`.
    pub params: [u64; 4],
    /// The crashing processor's context (at `nt!KeBugCheckEx`).
    pub context: SynthContext,
    /// The stack bytes, from `stack`.
    pub bytes: Vec<u8>,
    /// The page fault's `KTRAP_FRAME`.
    pub trap: u64,
    /// The frames as `k` must print them: Child-SP, instruction and call site.
    pub frames: Vec<(u64, u64, String)>,
}

/// A frame at stack pointer `sp` whose instruction is `off` bytes into function `name` of
/// `image` (module `module`).
fn frame(sp: u64, image: &Image, module: &str, name: &str, off: u64) -> (u64, u64, String) {
    let site = if off == 0 {
        format!("{module}!{name}")
    } else {
        format!("{module}!{name}+{off:#x}")
    };
    (sp, image.at(name, off), site)
}

/// Writes `v` (`w` bytes) at `at` in `bytes`, which start at `base`.
fn poke(bytes: &mut [u8], base: u64, at: u64, v: u64, w: usize) {
    let Ok(off) = usize::try_from(at.wrapping_sub(base)) else {
        return;
    };
    let le = v.to_le_bytes();
    if let (Some(d), Some(s)) = (bytes.get_mut(off..off.saturating_add(w)), le.get(..w)) {
        d.copy_from_slice(s);
    }
}

/// The user-mode return of the IOCTL system call (`ntdll!NtDeviceIoControlFile`, not in the
/// module list of a kernel triage dump).
const USER_IP_X64: u64 = 0x0000_7ffb_8c6e_ce14;
const USER_SP_X64: u64 = 0x0000_00a1_2f7f_e3c8;
const USER_IP_X86: u64 = 0x77af_70b4;
const USER_SP_X86: u64 = 0x0012_f8a0;

/// The x64 stack at `stack` (0x1000 bytes) of a read of `address`; `driver` is myfault's
/// builder (headers, name, version resource).
pub(super) fn x64(nt: u64, myfault: u64, stack: u64, address: u64, driver: PeBuilder) -> Stack {
    let nt_funcs = [
        Func {
            name: "KeBugCheckEx",
            off: 0x100,
            len: 0x100,
            // mov [rsp+8..20h], rcx/rdx/r8/r9; pushfq; sub rsp, 30h
            prolog: &[
                0x48, 0x89, 0x4c, 0x24, 0x08, 0x48, 0x89, 0x54, 0x24, 0x10, 0x4c, 0x89, 0x44, 0x24,
                0x18, 0x4c, 0x89, 0x4c, 0x24, 0x20, 0x9c, 0x48, 0x83, 0xec, 0x30,
            ],
            unwind: unwind(
                25,
                0,
                &[(25, ALLOC_SMALL, 5, &[]), (21, ALLOC_SMALL, 0, &[])],
            ),
        },
        Func {
            name: "KiBugCheckDispatch",
            off: 0x300,
            len: 0x100,
            prolog: &[0x48, 0x81, 0xec, 0x38, 0x01, 0, 0], // sub rsp, 138h
            unwind: unwind(7, 0, &[(7, ALLOC_LARGE, 0, &[0x138 / 8])]),
        },
        Func {
            name: "KiPageFault",
            off: 0x600,
            len: 0x500,
            // (machine frame + error code) push rbp; sub rsp, 158h; lea rbp, [rsp+80h]
            prolog: &[
                0x55, 0x48, 0x81, 0xec, 0x58, 0x01, 0, 0, 0x48, 0x8d, 0xac, 0x24, 0x80, 0, 0, 0,
            ],
            unwind: unwind(
                16,
                5 | (8 << 4),
                &[
                    (16, SET_FPREG, 0, &[]),
                    (8, ALLOC_LARGE, 0, &[0x158 / 8]),
                    (1, PUSH_NONVOL, 5, &[]),
                    (0, PUSH_MACHFRAME, 1, &[]),
                ],
            ),
        },
        Func {
            name: "IofCallDriver",
            off: 0x1000,
            len: 0x100,
            prolog: &[0x48, 0x83, 0xec, 0x38], // sub rsp, 38h
            unwind: unwind(4, 0, &[(4, ALLOC_SMALL, 6, &[])]),
        },
        Func {
            name: "NtDeviceIoControlFile",
            off: 0x1200,
            len: 0x100,
            prolog: &[0x48, 0x83, 0xec, 0x68], // sub rsp, 68h
            unwind: unwind(4, 0, &[(4, ALLOC_SMALL, 12, &[])]),
        },
        Func {
            name: "KiSystemServiceCopyEnd",
            off: 0x1400,
            len: 0x100,
            // (machine frame) sub rsp, 8; push rbp; sub rsp, 158h; lea rbp, [rsp+80h]
            prolog: &[
                0x48, 0x83, 0xec, 0x08, 0x55, 0x48, 0x81, 0xec, 0x58, 0x01, 0, 0, 0x48, 0x8d, 0xac,
                0x24, 0x80, 0, 0, 0,
            ],
            unwind: unwind(
                20,
                5 | (8 << 4),
                &[
                    (20, SET_FPREG, 0, &[]),
                    (12, ALLOC_LARGE, 0, &[0x158 / 8]),
                    (5, PUSH_NONVOL, 5, &[]),
                    (4, ALLOC_SMALL, 0, &[]),
                    (0, PUSH_MACHFRAME, 0, &[]),
                ],
            ),
        },
    ];
    let nt_calls = [
        ("KiBugCheckDispatch", 0x69, Call::Direct("KeBugCheckEx")),
        ("KiPageFault", 0x469, Call::Direct("KiBugCheckDispatch")),
        ("IofCallDriver", 0x55, Call::Indirect(&[0xff, 0xd0])), // call rax
        ("NtDeviceIoControlFile", 0x56, Call::Direct("IofCallDriver")),
        (
            "KiSystemServiceCopyEnd",
            0x25,
            Call::Indirect(&[0x41, 0xff, 0xd2]),
        ), // call r10
    ];
    let mut ntoskrnl = PeBuilder::x64();
    ntoskrnl.dll_name("ntoskrnl.exe");
    let nt_image = build(ntoskrnl, nt, &nt_funcs, &nt_calls, &[]);
    let my_funcs = [
        Func {
            name: "MyfaultDeviceControl",
            off: 0x300,
            len: 0x100,
            prolog: &[0x53, 0x48, 0x81, 0xec, 0x20, 0x01, 0, 0], // push rbx; sub rsp, 120h
            unwind: unwind(
                8,
                0,
                &[(8, ALLOC_LARGE, 0, &[0x120 / 8]), (1, PUSH_NONVOL, 3, &[])],
            ),
        },
        Func {
            name: "MyfaultDispatch",
            off: 0x500,
            len: 0x80,
            prolog: &[0x48, 0x83, 0xec, 0x28], // sub rsp, 28h
            unwind: unwind(4, 0, &[(4, ALLOC_SMALL, 4, &[])]),
        },
    ];
    let my_calls = [(
        "MyfaultDispatch",
        0x3d,
        Call::Direct("MyfaultDeviceControl"),
    )];
    // mov eax, [rcx]: the read of the paged address.
    let fault: [(&str, u32, &[u8]); 1] = [("MyfaultDeviceControl", 0x46, &[0x8b, 0x01])];
    let my_image = build(driver, myfault, &my_funcs, &my_calls, &fault);
    let faulting_ip = my_image.at("MyfaultDeviceControl", 0x46);
    let params = [address, 2, 0, faulting_ip];

    let mut b = vec![0u8; 0x1000];
    let mut w = |at: u64, v: u64| poke(&mut b, stack, at, v, 8);
    let t = stack.wrapping_add(0x400); // the page fault's KTRAP_FRAME
    let r0 = t.wrapping_sub(0x148); // KeBugCheckEx's stack pointer
    let s = t.wrapping_add(0x190); // myfault's, as the trap frame holds it
    let t2 = s.wrapping_add(0x210); // the system call's KTRAP_FRAME
    w(r0, nt_image.at("KiBugCheckDispatch", 0x69));
    for (i, v) in [0xD1, params[0], params[1], params[2], params[3]]
        .into_iter()
        .enumerate()
    {
        w(
            r0.wrapping_add(8u64.saturating_mul(i as u64).saturating_add(8)),
            v,
        ); // home slots
    }
    w(t.wrapping_sub(8), nt_image.at("KiPageFault", 0x469));
    // The trap frame: PreviousIrql 2, Rcx holds the address read, FaultAddress, the RBP of the
    // interrupted code (the system call handler's, passed down), error code 0 (read, page not
    // present), then the machine frame.
    w(t.wrapping_add(0x28), 0x0200);
    w(t.wrapping_add(0x38), params[0]);
    w(t.wrapping_add(0xd0), params[0]);
    w(t.wrapping_add(0x158), t2.wrapping_add(0x80));
    w(t.wrapping_add(0x168), faulting_ip);
    w(t.wrapping_add(0x170), 0x10);
    w(t.wrapping_add(0x178), 0x10282);
    w(t.wrapping_add(0x180), s);
    w(t.wrapping_add(0x188), 0x18);
    w(s.wrapping_add(0x128), my_image.at("MyfaultDispatch", 0x3d));
    w(s.wrapping_add(0x158), nt_image.at("IofCallDriver", 0x55));
    w(
        s.wrapping_add(0x198),
        nt_image.at("NtDeviceIoControlFile", 0x56),
    );
    w(
        s.wrapping_add(0x208),
        nt_image.at("KiSystemServiceCopyEnd", 0x25),
    );
    // The system call's trap frame: user mode, back to ntdll.
    w(t2.wrapping_add(0x28), 0x01);
    w(t2.wrapping_add(0x168), USER_IP_X64);
    w(t2.wrapping_add(0x170), 0x33);
    w(t2.wrapping_add(0x178), 0x246);
    w(t2.wrapping_add(0x180), USER_SP_X64);
    w(t2.wrapping_add(0x188), 0x2b);

    let mut gpr = [0u64; 16];
    gpr[1] = 0xD1;
    gpr[2] = params[0];
    gpr[8] = params[1];
    gpr[9] = params[2];
    gpr[X64_RSP] = r0;
    gpr[X64_RBP] = t.wrapping_add(0x80);
    let context = SynthContext::X64(X64Registers {
        cs: 0x10,
        ss: 0x18,
        eflags: 0x282,
        gpr,
        rip: nt_image.at("KeBugCheckEx", 0),
        ..X64Registers::default()
    });
    let (nt_i, my_i) = (&nt_image, &my_image);
    let frames = vec![
        frame(r0, nt_i, "nt", "KeBugCheckEx", 0),
        frame(r0.wrapping_add(8), nt_i, "nt", "KiBugCheckDispatch", 0x69),
        frame(t, nt_i, "nt", "KiPageFault", 0x469),
        frame(s, my_i, "myfault", "MyfaultDeviceControl", 0x46),
        frame(
            s.wrapping_add(0x130),
            my_i,
            "myfault",
            "MyfaultDispatch",
            0x3d,
        ),
        frame(s.wrapping_add(0x160), nt_i, "nt", "IofCallDriver", 0x55),
        frame(
            s.wrapping_add(0x1a0),
            nt_i,
            "nt",
            "NtDeviceIoControlFile",
            0x56,
        ),
        frame(t2, nt_i, "nt", "KiSystemServiceCopyEnd", 0x25),
        (USER_SP_X64, USER_IP_X64, format!("{USER_IP_X64:#x}")),
    ];
    Stack {
        nt: nt_image,
        myfault: my_image,
        faulting_ip,
        params,
        context,
        bytes: b,
        trap: t,
        frames,
    }
}

/// The x86 stack at `stack` (0x1000 bytes), as [`x64`].
pub(super) fn x86(nt: u64, myfault: u64, stack: u64, address: u64, driver: PeBuilder) -> Stack {
    const EBP_PROLOG: &[u8] = &[0x8b, 0xff, 0x55, 0x8b, 0xec]; // mov edi, edi; push ebp; mov ebp, esp
    let f = |name, off, len| Func {
        name,
        off,
        len,
        prolog: EBP_PROLOG,
        unwind: Vec::new(),
    };
    let nt_funcs = [
        f("KeBugCheckEx", 0x100, 0x100),
        f("KiTrap0E", 0x600, 0x400),
        f("IofCallDriver", 0x1000, 0x100),
        f("NtDeviceIoControlFile", 0x1200, 0x100),
        f("KiFastCallEntry", 0x1400, 0x200),
    ];
    let nt_calls = [
        ("KiTrap0E", 0x2cf, Call::Direct("KeBugCheckEx")),
        ("IofCallDriver", 0x63, Call::Indirect(&[0xff, 0xd0])), // call eax
        ("NtDeviceIoControlFile", 0x2a, Call::Direct("IofCallDriver")),
        ("KiFastCallEntry", 0x12a, Call::Indirect(&[0xff, 0xd3])), // call ebx
    ];
    let mut ntoskrnl = PeBuilder::x86();
    ntoskrnl.dll_name("ntoskrnl.exe");
    let nt_image = build(ntoskrnl, nt, &nt_funcs, &nt_calls, &[]);
    let my_funcs = [
        f("MyfaultDeviceControl", 0x300, 0x100),
        f("MyfaultDispatch", 0x500, 0x80),
    ];
    let my_calls = [(
        "MyfaultDispatch",
        0x2d,
        Call::Direct("MyfaultDeviceControl"),
    )];
    let fault: [(&str, u32, &[u8]); 1] = [("MyfaultDeviceControl", 0x46, &[0x8b, 0x01])];
    let my_image = build(driver, myfault, &my_funcs, &my_calls, &fault);
    let faulting_ip = my_image.at("MyfaultDeviceControl", 0x46);
    let params = [address, 2, 0, faulting_ip];

    let mut b = vec![0u8; 0x1000];
    let mut w = |at: u64, v: u64| poke(&mut b, stack, at, v, 4);
    let t = stack.wrapping_add(0x400); // KiTrap0E's KTRAP_FRAME (its EBP)
    let e0 = t.wrapping_sub(0x1c); // KeBugCheckEx's EBP
    let f1 = t.wrapping_add(0x84); // myfault's frames
    let f2 = f1.wrapping_add(0x20);
    let f3 = f2.wrapping_add(0x18); // IofCallDriver's
    let f4 = f3.wrapping_add(0x30); // NtDeviceIoControlFile's
    let t2 = f4.wrapping_add(0x30); // KiFastCallEntry's KTRAP_FRAME
    w(e0, t);
    w(e0.wrapping_add(4), nt_image.at("KiTrap0E", 0x2cf));
    for (i, v) in [0xD1, params[0], params[1], params[2], params[3]]
        .into_iter()
        .enumerate()
    {
        w(
            e0.wrapping_add(4u64.saturating_mul(i as u64).saturating_add(8)),
            v,
        );
    }
    // The trap frame (Windows XP to 7 layout): DbgEbp/DbgEip, DS/ES, Ecx (the address read),
    // FS, EBP, error code 0, EIP, CS, EFLAGS.
    for (off, v) in [
        (0x00, f1),
        (0x04, faulting_ip),
        (0x34, 0x23),
        (0x38, 0x23),
        (0x40, params[0]),
        (0x4c, 0xffff_ffff),
        (0x50, 0x30),
        (0x60, f1),
        (0x68, faulting_ip),
        (0x6c, 0x08),
        (0x70, 0x10282),
    ] {
        w(t.wrapping_add(off), v);
    }
    w(f1, f2);
    w(f1.wrapping_add(4), my_image.at("MyfaultDispatch", 0x2d));
    w(f2, f3);
    w(f2.wrapping_add(4), nt_image.at("IofCallDriver", 0x63));
    w(f3, f4);
    w(
        f3.wrapping_add(4),
        nt_image.at("NtDeviceIoControlFile", 0x2a),
    );
    w(f4, t2);
    w(f4.wrapping_add(4), nt_image.at("KiFastCallEntry", 0x12a));
    // The system call's trap frame: user mode, back to ntdll.
    let user_ebp = USER_SP_X86.wrapping_add(0x28);
    for (off, v) in [
        (0x00, user_ebp),
        (0x04, USER_IP_X86),
        (0x34, 0x23),
        (0x38, 0x23),
        (0x50, 0x3b),
        (0x60, user_ebp),
        (0x68, USER_IP_X86),
        (0x6c, 0x1b),
        (0x70, 0x246),
        (0x74, USER_SP_X86),
        (0x78, 0x23),
    ] {
        w(t2.wrapping_add(off), v);
    }
    let lo = |v: u64| u32::try_from(v & 0xffff_ffff).unwrap_or(0);
    let esp = e0.wrapping_sub(0x18);
    let context = SynthContext::X86(X86Registers {
        cs: 0x08,
        ss: 0x10,
        ds: 0x23,
        es: 0x23,
        fs: 0x30,
        gs: 0,
        eflags: 0x282,
        esp: lo(esp),
        ebp: lo(e0),
        eip: lo(nt_image.at("KeBugCheckEx", 0x1e)),
        ..X86Registers::default()
    });
    let (nt_i, my_i) = (&nt_image, &my_image);
    let frames = vec![
        frame(esp, nt_i, "nt", "KeBugCheckEx", 0x1e),
        frame(e0.wrapping_add(8), nt_i, "nt", "KiTrap0E", 0x2cf),
        frame(
            t.wrapping_add(0x74),
            my_i,
            "myfault",
            "MyfaultDeviceControl",
            0x46,
        ),
        frame(f1.wrapping_add(8), my_i, "myfault", "MyfaultDispatch", 0x2d),
        frame(f2.wrapping_add(8), nt_i, "nt", "IofCallDriver", 0x63),
        frame(
            f3.wrapping_add(8),
            nt_i,
            "nt",
            "NtDeviceIoControlFile",
            0x2a,
        ),
        frame(f4.wrapping_add(8), nt_i, "nt", "KiFastCallEntry", 0x12a),
        (USER_SP_X86, USER_IP_X86, format!("{USER_IP_X86:#x}")),
    ];
    Stack {
        nt: nt_image,
        myfault: my_image,
        faulting_ip,
        params,
        context,
        bytes: b,
        trap: t,
        frames,
    }
}
