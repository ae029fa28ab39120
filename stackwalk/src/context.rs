//! Register contexts: what a frame knows about the CPU registers.

use crate::Error;

/// The CPU architecture of a thread (open for ARM64 later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Arch {
    /// 32-bit x86 (native or WOW64).
    X86,
    /// x86-64.
    X64,
}

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
}

impl Context {
    /// The architecture.
    pub fn arch(&self) -> Arch {
        match self {
            Context::X64(_) => Arch::X64,
            Context::X86(_) => Arch::X86,
        }
    }

    /// The instruction pointer.
    pub fn instruction_pointer(&self) -> u64 {
        match self {
            Context::X64(c) => c.rip,
            Context::X86(c) => u64::from(c.eip),
        }
    }

    /// The stack pointer.
    pub fn stack_pointer(&self) -> u64 {
        match self {
            Context::X64(c) => c.rsp(),
            Context::X86(c) => u64::from(c.esp()),
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
