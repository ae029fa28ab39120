//! Register contexts: what a frame knows about the CPU registers.

use crate::Error;

/// The CPU architecture of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Arch {
    /// 32-bit x86 (native or WOW64).
    X86,
    /// x86-64.
    X64,
    /// ARM64 (AArch64).
    Arm64,
}

/// `IMAGE_FILE_MACHINE_*` values accepted by [`Context::from_raw`].
pub mod machine {
    /// `IMAGE_FILE_MACHINE_I386`.
    pub const I386: u16 = 0x014c;
    /// `IMAGE_FILE_MACHINE_AMD64`.
    pub const AMD64: u16 = 0x8664;
    /// `IMAGE_FILE_MACHINE_ARM64`.
    pub const ARM64: u16 = 0xaa64;
}

/// `CONTEXT_i386`, the x86 CPU bit of `ContextFlags`.
const CONTEXT_I386: u32 = 0x0001_0000;
/// `CONTEXT_AMD64`.
const CONTEXT_AMD64: u32 = 0x0010_0000;
/// `CONTEXT_ARM64`.
const CONTEXT_ARM64: u32 = 0x0040_0000;

/// x64 general-purpose register numbers, as used by UNWIND_CODE and the CONTEXT layout.
pub mod x64_reg {
    /// RAX.
    pub const RAX: u8 = 0;
    /// RCX.
    pub const RCX: u8 = 1;
    /// RDX.
    pub const RDX: u8 = 2;
    /// RBX.
    pub const RBX: u8 = 3;
    /// RSP.
    pub const RSP: u8 = 4;
    /// RBP.
    pub const RBP: u8 = 5;
    /// RSI.
    pub const RSI: u8 = 6;
    /// RDI.
    pub const RDI: u8 = 7;
    /// R12 (R8..R15 are 8..15).
    pub const R12: u8 = 12;
    /// Names, indexed by number.
    pub const NAMES: [&str; 16] = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15",
    ];
}

/// Bit mask of the x64 registers that the Windows ABI calls non-volatile (kept across calls).
pub const X64_NONVOLATILE: u16 = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | 0xf000;

/// The registers of one x64 frame.
///
/// `gpr` is indexed by register number (0 RAX … 4 RSP, 5 RBP … 15 R15); `valid` has bit `n` set
/// when `gpr[n]` is known. After an unwind step the volatile registers become unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextX64 {
    /// Instruction pointer.
    pub rip: u64,
    /// General-purpose registers by number.
    pub gpr: [u64; 16],
    /// Which `gpr` entries are known (bit per register).
    pub valid: u16,
    /// XMM0–XMM15 (restored by SAVE_XMM128; zero when unknown).
    pub xmm: [u128; 16],
}

impl ContextX64 {
    /// A context with only RIP and RSP known.
    pub fn new(rip: u64, rsp: u64) -> Self {
        let mut gpr = [0u64; 16];
        gpr[4] = rsp;
        ContextX64 {
            rip,
            gpr,
            valid: 1 << 4,
            xmm: [0; 16],
        }
    }

    /// The stack pointer.
    pub fn rsp(&self) -> u64 {
        self.gpr[4]
    }

    /// Sets the stack pointer.
    pub fn set_rsp(&mut self, v: u64) {
        self.gpr[4] = v;
        self.valid |= 1 << 4;
    }

    /// Register `n` if known (`n` < 16).
    pub fn reg(&self, n: u8) -> Option<u64> {
        let n = usize::from(n);
        if n < 16 && self.valid & (1u16 << n) != 0 {
            self.gpr.get(n).copied()
        } else {
            None
        }
    }

    /// Sets register `n` (ignored when `n` >= 16).
    pub fn set_reg(&mut self, n: u8, v: u64) {
        if let Some(slot) = self.gpr.get_mut(usize::from(n)) {
            *slot = v;
            self.valid |= 1u16 << n;
        }
    }

    /// Parses the first 0x4d0 bytes of a Windows AMD64 `CONTEXT` (as stored in a minidump).
    ///
    /// Offsets: Rax 0x78 … R15 0xf0 (in register-number order), Rip 0xf8, Xmm0 0x1a0.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < 0x100 {
            return Err(Error::BadContext {
                what: "AMD64 CONTEXT shorter than 0x100 bytes",
            });
        }
        let mut gpr = [0u64; 16];
        for (n, slot) in gpr.iter_mut().enumerate() {
            *slot = le_u64(bytes, 0x78usize.saturating_add(n.saturating_mul(8)))?;
        }
        let rip = le_u64(bytes, 0xf8)?;
        let mut xmm = [0u128; 16];
        if bytes.len() >= 0x2a0 {
            for (n, slot) in xmm.iter_mut().enumerate() {
                let off = 0x1a0usize.saturating_add(n.saturating_mul(16));
                let lo = le_u64(bytes, off)?;
                let hi = le_u64(bytes, off.saturating_add(8))?;
                *slot = u128::from(lo) | (u128::from(hi) << 64);
            }
        }
        Ok(ContextX64 {
            rip,
            gpr,
            valid: 0xffff,
            xmm,
        })
    }
}

/// x86 register numbers used by [`ContextX86::gpr`] (the x86 instruction encoding order).
pub mod x86_reg {
    /// EAX.
    pub const EAX: u8 = 0;
    /// ECX.
    pub const ECX: u8 = 1;
    /// EDX.
    pub const EDX: u8 = 2;
    /// EBX.
    pub const EBX: u8 = 3;
    /// ESP.
    pub const ESP: u8 = 4;
    /// EBP.
    pub const EBP: u8 = 5;
    /// ESI.
    pub const ESI: u8 = 6;
    /// EDI.
    pub const EDI: u8 = 7;
    /// Names, indexed by number.
    pub const NAMES: [&str; 8] = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"];
}

/// Bit mask of the x86 registers kept across calls (EBX, ESP, EBP, ESI, EDI).
pub const X86_NONVOLATILE: u8 = (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7);

/// The registers of one x86 frame (native 32-bit or a WOW64 thread's 32-bit context).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextX86 {
    /// Instruction pointer.
    pub eip: u32,
    /// EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI.
    pub gpr: [u32; 8],
    /// Which `gpr` entries are known.
    pub valid: u8,
}

impl ContextX86 {
    /// A context with EIP, ESP and EBP known.
    pub fn new(eip: u32, esp: u32, ebp: u32) -> Self {
        let mut gpr = [0u32; 8];
        gpr[4] = esp;
        gpr[5] = ebp;
        ContextX86 {
            eip,
            gpr,
            valid: (1 << 4) | (1 << 5),
        }
    }

    /// The stack pointer.
    pub fn esp(&self) -> u32 {
        self.gpr[4]
    }

    /// Register `n` if known (`n` < 8).
    pub fn reg(&self, n: u8) -> Option<u32> {
        let n = usize::from(n);
        if n < 8 && self.valid & (1u8 << n) != 0 {
            self.gpr.get(n).copied()
        } else {
            None
        }
    }

    /// Sets register `n` (ignored when `n` >= 8).
    pub fn set_reg(&mut self, n: u8, v: u32) {
        if let Some(slot) = self.gpr.get_mut(usize::from(n)) {
            *slot = v;
            self.valid |= 1u8 << n;
        }
    }

    /// Parses a Windows x86 `CONTEXT` / `WOW64_CONTEXT` (at least 0xcc bytes).
    ///
    /// Offsets: Edi 0x9c, Esi 0xa0, Ebx 0xa4, Edx 0xa8, Ecx 0xac, Eax 0xb0, Ebp 0xb4, Eip 0xb8,
    /// Esp 0xc4.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < 0xcc {
            return Err(Error::BadContext {
                what: "x86 CONTEXT shorter than 0xcc bytes",
            });
        }
        let r = |off: usize| le_u32(bytes, off);
        let gpr = [
            r(0xb0)?,
            r(0xac)?,
            r(0xa8)?,
            r(0xa4)?,
            r(0xc4)?,
            r(0xb4)?,
            r(0xa0)?,
            r(0x9c)?,
        ];
        Ok(ContextX86 {
            eip: r(0xb8)?,
            gpr,
            valid: 0xff,
        })
    }
}

/// ARM64 register numbers used by [`ContextArm64::x`].
pub mod arm64_reg {
    /// X19, the first callee-saved register (X19..X28).
    pub const X19: u8 = 19;
    /// X29, the frame pointer.
    pub const FP: u8 = 29;
    /// X30, the link register.
    pub const LR: u8 = 30;
}

/// Bit mask of the ARM64 registers kept across calls (X19..X29).
pub const ARM64_NONVOLATILE: u32 = 0x3ff8_0000 | (1 << 29);

/// The registers of one ARM64 frame.
///
/// `x` holds X0..X30 (X29 is the frame pointer, X30 the link register); `valid` has bit `n`
/// set when `x[n]` is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextArm64 {
    /// Program counter.
    pub pc: u64,
    /// Stack pointer.
    pub sp: u64,
    /// X0..X30.
    pub x: [u64; 31],
    /// Which `x` entries are known (bit per register).
    pub valid: u32,
}

impl ContextArm64 {
    /// A context with PC, SP, the frame pointer (X29) and the link register (X30) known.
    pub fn new(pc: u64, sp: u64, fp: u64, lr: u64) -> Self {
        let mut x = [0u64; 31];
        x[29] = fp;
        x[30] = lr;
        ContextArm64 {
            pc,
            sp,
            x,
            valid: (1 << 29) | (1 << 30),
        }
    }

    /// Register `n` if known (`n` < 31).
    pub fn reg(&self, n: u8) -> Option<u64> {
        let n = usize::from(n);
        if n < 31 && self.valid & (1u32 << n) != 0 {
            self.x.get(n).copied()
        } else {
            None
        }
    }

    /// Sets register `n` (ignored when `n` >= 31).
    pub fn set_reg(&mut self, n: u8, v: u64) {
        if let Some(slot) = self.x.get_mut(usize::from(n)) {
            *slot = v;
            self.valid |= 1u32 << n;
        }
    }

    /// The frame pointer (X29), if known.
    pub fn fp(&self) -> Option<u64> {
        self.reg(arm64_reg::FP)
    }

    /// The link register (X30), if known.
    pub fn lr(&self) -> Option<u64> {
        self.reg(arm64_reg::LR)
    }

    /// Parses a Windows ARM64 `CONTEXT` (0x390 bytes; the first 0x110 hold the integer
    /// registers).
    ///
    /// Offsets: ContextFlags 0, Cpsr 4, X0 8 (Xn at 8 + 8n, X29 = Fp 0xf0, X30 = Lr 0xf8),
    /// Sp 0x100, Pc 0x108.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() < 0x110 {
            return Err(Error::BadContext {
                what: "ARM64 CONTEXT shorter than 0x110 bytes",
            });
        }
        let mut x = [0u64; 31];
        for (n, slot) in x.iter_mut().enumerate() {
            *slot = le_u64(bytes, 8usize.saturating_add(n.saturating_mul(8)))?;
        }
        Ok(ContextArm64 {
            pc: le_u64(bytes, 0x108)?,
            sp: le_u64(bytes, 0x100)?,
            x,
            valid: 0x7fff_ffff,
        })
    }
}

/// The registers of a frame, per architecture.
// Frames are few (capped by `Limits::max_frames`); boxing the x64 registers buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Context {
    /// An x86-64 frame.
    X64(ContextX64),
    /// An x86 frame.
    X86(ContextX86),
    /// An ARM64 frame.
    Arm64(ContextArm64),
}

impl Context {
    /// Parses a raw Windows `CONTEXT` record, as a dump stores it (the exception stream's
    /// context, a thread's context, a `.cxr` address), for the machine named by its
    /// `IMAGE_FILE_MACHINE_*` value: x86 (`0x14c`, 0x2cc bytes, or 0xcc without extended
    /// registers), x64 (`0x8664`, 0x4d0 bytes; the first 0x100 suffice) or ARM64 (`0xaa64`,
    /// 0x390 bytes; the first 0x110 suffice).
    ///
    /// When `ContextFlags` names a CPU, it must be the one of `machine`.
    ///
    /// ```
    /// use stackwalk::{Context, context::machine};
    /// let mut raw = vec![0u8; 0x4d0];
    /// raw[0x30..0x34].copy_from_slice(&0x10_001fu32.to_le_bytes()); // CONTEXT_AMD64 | ALL
    /// raw[0x98..0xa0].copy_from_slice(&0x1000u64.to_le_bytes()); // Rsp
    /// raw[0xf8..0x100].copy_from_slice(&0x7ff6_0000_1234u64.to_le_bytes()); // Rip
    /// let ctx = Context::from_raw(machine::AMD64, &raw).unwrap();
    /// assert_eq!(ctx.instruction_pointer(), 0x7ff6_0000_1234);
    /// assert_eq!(ctx.stack_pointer(), 0x1000);
    /// assert!(Context::from_raw(machine::I386, &raw[..0x10]).is_err());
    /// ```
    pub fn from_raw(machine: u16, bytes: &[u8]) -> Result<Self, Error> {
        let (flags_at, cpu) = match machine {
            machine::I386 => (0usize, CONTEXT_I386),
            machine::AMD64 => (0x30, CONTEXT_AMD64),
            machine::ARM64 => (0, CONTEXT_ARM64),
            _ => {
                return Err(Error::BadContext {
                    what: "unknown machine type",
                });
            }
        };
        let flags = le_u32(bytes, flags_at)?;
        let cpu_bits = flags & (CONTEXT_I386 | CONTEXT_AMD64 | CONTEXT_ARM64);
        if cpu_bits != 0 && cpu_bits != cpu {
            return Err(Error::BadContext {
                what: "ContextFlags names another CPU",
            });
        }
        Ok(match machine {
            machine::I386 => Context::X86(ContextX86::from_bytes(bytes)?),
            machine::AMD64 => Context::X64(ContextX64::from_bytes(bytes)?),
            _ => Context::Arm64(ContextArm64::from_bytes(bytes)?),
        })
    }

    /// The architecture.
    pub fn arch(&self) -> Arch {
        match self {
            Context::X64(_) => Arch::X64,
            Context::X86(_) => Arch::X86,
            Context::Arm64(_) => Arch::Arm64,
        }
    }

    /// The instruction pointer.
    pub fn instruction_pointer(&self) -> u64 {
        match self {
            Context::X64(c) => c.rip,
            Context::X86(c) => u64::from(c.eip),
            Context::Arm64(c) => c.pc,
        }
    }

    /// The stack pointer.
    pub fn stack_pointer(&self) -> u64 {
        match self {
            Context::X64(c) => c.rsp(),
            Context::X86(c) => u64::from(c.esp()),
            Context::Arm64(c) => c.sp,
        }
    }
}

fn le_u64(b: &[u8], off: usize) -> Result<u64, Error> {
    let end = off.checked_add(8).ok_or(Error::BadContext {
        what: "offset overflow",
    })?;
    let s = b.get(off..end).ok_or(Error::BadContext {
        what: "CONTEXT truncated",
    })?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Ok(u64::from_le_bytes(a))
}

fn le_u32(b: &[u8], off: usize) -> Result<u32, Error> {
    let end = off.checked_add(4).ok_or(Error::BadContext {
        what: "offset overflow",
    })?;
    let s = b.get(off..end).ok_or(Error::BadContext {
        what: "CONTEXT truncated",
    })?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Ok(u32::from_le_bytes(a))
}
