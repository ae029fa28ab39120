//! Thread CONTEXT records for x86, x64 and ARM64, laid out as `winnt.h` defines them.
//!
//! Each record is built field by field in declaration order (no shared layout types with the
//! reader), so the unit tests can check the byte offsets against the published layouts.

/// `CONTEXT_i386 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG_REGISTERS | EXTENDED_REGISTERS`.
pub const CONTEXT_X86_ALL: u32 = 0x0001_003f;
/// `CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT | DEBUG_REGISTERS`.
pub const CONTEXT_AMD64_ALL: u32 = 0x0010_001f;
/// `CONTEXT_ARM64 | CONTROL | INTEGER | FLOATING_POINT`.
pub const CONTEXT_ARM64_FULL: u32 = 0x0040_0007;

/// Size of the x86 `CONTEXT` (0x2cc bytes).
pub const CONTEXT_X86_SIZE: usize = 716;
/// Size of the x64 `CONTEXT` (0x4d0 bytes).
pub const CONTEXT_AMD64_SIZE: usize = 1232;
/// Size of the ARM64 `CONTEXT` (0x390 bytes).
pub const CONTEXT_ARM64_SIZE: usize = 912;

/// A thread context to write into the dump.
// A builder value, written once per thread: boxing would only make construction noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SynthContext {
    /// A 716-byte x86 `CONTEXT`.
    X86(X86Registers),
    /// A 1232-byte x64 `CONTEXT`.
    X64(X64Registers),
    /// A 912-byte ARM64 `CONTEXT`.
    Arm64(Arm64Registers),
    /// Arbitrary bytes (e.g. a truncated or foreign record).
    Raw(Vec<u8>),
}

impl SynthContext {
    /// The record's bytes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::X86(r) => r.to_bytes(),
            Self::X64(r) => r.to_bytes(),
            Self::Arm64(r) => r.to_bytes(),
            Self::Raw(b) => b.clone(),
        }
    }
}

/// Register values of an x86 `CONTEXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X86Registers {
    /// `ContextFlags` (default [`CONTEXT_X86_ALL`]).
    pub context_flags: u32,
    /// `Dr0`, `Dr1`, `Dr2`, `Dr3`, `Dr6`, `Dr7`.
    pub debug: [u32; 6],
    /// `SegGs`.
    pub gs: u32,
    /// `SegFs`.
    pub fs: u32,
    /// `SegEs`.
    pub es: u32,
    /// `SegDs`.
    pub ds: u32,
    /// `Edi`.
    pub edi: u32,
    /// `Esi`.
    pub esi: u32,
    /// `Ebx`.
    pub ebx: u32,
    /// `Edx`.
    pub edx: u32,
    /// `Ecx`.
    pub ecx: u32,
    /// `Eax`.
    pub eax: u32,
    /// `Ebp`.
    pub ebp: u32,
    /// `Eip`.
    pub eip: u32,
    /// `SegCs`.
    pub cs: u32,
    /// `EFlags`.
    pub eflags: u32,
    /// `Esp`.
    pub esp: u32,
    /// `SegSs`.
    pub ss: u32,
}

impl Default for X86Registers {
    fn default() -> Self {
        Self {
            context_flags: CONTEXT_X86_ALL,
            debug: [0; 6],
            gs: 0x2b,
            fs: 0x53,
            es: 0x2b,
            ds: 0x2b,
            edi: 0,
            esi: 0,
            ebx: 0,
            edx: 0,
            ecx: 0,
            eax: 0,
            ebp: 0,
            eip: 0,
            cs: 0x23,
            eflags: 0x246,
            esp: 0,
            ss: 0x2b,
        }
    }
}

impl X86Registers {
    /// The 716-byte `CONTEXT` record.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(CONTEXT_X86_SIZE);
        put32(&mut b, self.context_flags);
        for d in self.debug {
            put32(&mut b, d);
        }
        // FLOATING_SAVE_AREA: 7 DWORDs, RegisterArea[80], Cr0NpxState.
        b.extend_from_slice(&[0; 112]);
        for v in [
            self.gs,
            self.fs,
            self.es,
            self.ds,
            self.edi,
            self.esi,
            self.ebx,
            self.edx,
            self.ecx,
            self.eax,
            self.ebp,
            self.eip,
            self.cs,
            self.eflags,
            self.esp,
            self.ss,
        ] {
            put32(&mut b, v);
        }
        // ExtendedRegisters[512].
        b.extend_from_slice(&[0; 512]);
        b
    }
}

/// Register values of an x64 (AMD64) `CONTEXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X64Registers {
    /// `ContextFlags` (default [`CONTEXT_AMD64_ALL`]).
    pub context_flags: u32,
    /// `MxCsr`.
    pub mx_csr: u32,
    /// `SegCs`.
    pub cs: u16,
    /// `SegDs`.
    pub ds: u16,
    /// `SegEs`.
    pub es: u16,
    /// `SegFs`.
    pub fs: u16,
    /// `SegGs`.
    pub gs: u16,
    /// `SegSs`.
    pub ss: u16,
    /// `EFlags`.
    pub eflags: u32,
    /// `Dr0`, `Dr1`, `Dr2`, `Dr3`, `Dr6`, `Dr7`.
    pub debug: [u64; 6],
    /// `Rax`, `Rcx`, `Rdx`, `Rbx`, `Rsp`, `Rbp`, `Rsi`, `Rdi`, `R8` … `R15`, in `CONTEXT` order.
    pub gpr: [u64; 16],
    /// `Rip`.
    pub rip: u64,
    /// `Xmm0` … `Xmm15` (in `FltSave.XmmRegisters`).
    pub xmm: [u128; 16],
}

impl Default for X64Registers {
    fn default() -> Self {
        Self {
            context_flags: CONTEXT_AMD64_ALL,
            mx_csr: 0x1f80,
            cs: 0x33,
            ds: 0x2b,
            es: 0x2b,
            fs: 0x53,
            gs: 0x2b,
            ss: 0x2b,
            eflags: 0x246,
            debug: [0; 6],
            gpr: [0; 16],
            rip: 0,
            xmm: [0; 16],
        }
    }
}

/// Index of `Rsp` in [`X64Registers::gpr`].
pub const X64_RSP: usize = 4;
/// Index of `Rbp` in [`X64Registers::gpr`].
pub const X64_RBP: usize = 5;

impl X64Registers {
    /// The 1232-byte `CONTEXT` record.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(CONTEXT_AMD64_SIZE);
        // P1Home .. P6Home.
        b.extend_from_slice(&[0; 48]);
        put32(&mut b, self.context_flags);
        put32(&mut b, self.mx_csr);
        for s in [self.cs, self.ds, self.es, self.fs, self.gs, self.ss] {
            b.extend_from_slice(&s.to_le_bytes());
        }
        put32(&mut b, self.eflags);
        for d in self.debug {
            put64(&mut b, d);
        }
        for r in self.gpr {
            put64(&mut b, r);
        }
        put64(&mut b, self.rip);
        // FltSave (XMM_SAVE_AREA32, 512 bytes): 24 bytes of x87 state, MxCsr, MxCsr_Mask,
        // FloatRegisters[8], XmmRegisters[16], Reserved4[96].
        b.extend_from_slice(&[0; 24]);
        put32(&mut b, self.mx_csr);
        put32(&mut b, 0xffff);
        b.extend_from_slice(&[0; 128]);
        for x in self.xmm {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b.extend_from_slice(&[0; 96]);
        // VectorRegister[26], VectorControl, DebugControl, LastBranchToRip, LastBranchFromRip,
        // LastExceptionToRip, LastExceptionFromRip.
        b.extend_from_slice(&[0; 26 * 16 + 6 * 8]);
        b
    }
}

/// Register values of an ARM64 `CONTEXT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm64Registers {
    /// `ContextFlags` (default [`CONTEXT_ARM64_FULL`]).
    pub context_flags: u32,
    /// `Cpsr`.
    pub cpsr: u32,
    /// `X0` … `X28`, `Fp` (X29), `Lr` (X30).
    pub x: [u64; 31],
    /// `Sp`.
    pub sp: u64,
    /// `Pc`.
    pub pc: u64,
    /// `V0` … `V31`.
    pub v: [u128; 32],
    /// `Fpcr`.
    pub fpcr: u32,
    /// `Fpsr`.
    pub fpsr: u32,
}

impl Default for Arm64Registers {
    fn default() -> Self {
        Self {
            context_flags: CONTEXT_ARM64_FULL,
            cpsr: 0,
            x: [0; 31],
            sp: 0,
            pc: 0,
            v: [0; 32],
            fpcr: 0,
            fpsr: 0,
        }
    }
}

impl Arm64Registers {
    /// The 912-byte `CONTEXT` record.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(CONTEXT_ARM64_SIZE);
        put32(&mut b, self.context_flags);
        put32(&mut b, self.cpsr);
        for x in self.x {
            put64(&mut b, x);
        }
        put64(&mut b, self.sp);
        put64(&mut b, self.pc);
        for v in self.v {
            b.extend_from_slice(&v.to_le_bytes());
        }
        put32(&mut b, self.fpcr);
        put32(&mut b, self.fpsr);
        // Bcr[8] (DWORD), Bvr[8] (DWORD64), Wcr[2] (DWORD), Wvr[2] (DWORD64).
        b.extend_from_slice(&[0; 8 * 4 + 8 * 8 + 2 * 4 + 2 * 8]);
        b
    }
}

fn put32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn put64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], off: usize) -> u32 {
        u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
    }
    fn u64_at(b: &[u8], off: usize) -> u64 {
        u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
    }

    #[test]
    fn x86_offsets() {
        let r = X86Registers {
            eip: 0x1111,
            esp: 0x2222,
            ebp: 0x3333,
            eax: 0x4444,
            edi: 0x5555,
            ..X86Registers::default()
        };
        let b = r.to_bytes();
        assert_eq!(b.len(), 0x2cc);
        assert_eq!(u32_at(&b, 0), CONTEXT_X86_ALL);
        assert_eq!(u32_at(&b, 0x8c), 0x2b); // SegGs
        assert_eq!(u32_at(&b, 0x9c), 0x5555); // Edi
        assert_eq!(u32_at(&b, 0xb0), 0x4444); // Eax
        assert_eq!(u32_at(&b, 0xb4), 0x3333); // Ebp
        assert_eq!(u32_at(&b, 0xb8), 0x1111); // Eip
        assert_eq!(u32_at(&b, 0xbc), 0x23); // SegCs
        assert_eq!(u32_at(&b, 0xc0), 0x246); // EFlags
        assert_eq!(u32_at(&b, 0xc4), 0x2222); // Esp
        assert_eq!(u32_at(&b, 0xc8), 0x2b); // SegSs
    }

    #[test]
    fn x64_offsets() {
        let mut r = X64Registers::default();
        r.gpr[0] = 0xaaaa; // Rax
        r.gpr[X64_RSP] = 0xbbbb;
        r.gpr[15] = 0xcccc; // R15
        r.rip = 0xdddd;
        r.xmm[0] = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10;
        let b = r.to_bytes();
        assert_eq!(b.len(), 0x4d0);
        assert_eq!(u32_at(&b, 0x30), CONTEXT_AMD64_ALL);
        assert_eq!(u32_at(&b, 0x34), 0x1f80);
        assert_eq!(u16::from_le_bytes([b[0x38], b[0x39]]), 0x33);
        assert_eq!(u32_at(&b, 0x44), 0x246);
        assert_eq!(u64_at(&b, 0x78), 0xaaaa);
        assert_eq!(u64_at(&b, 0x98), 0xbbbb);
        assert_eq!(u64_at(&b, 0xf0), 0xcccc);
        assert_eq!(u64_at(&b, 0xf8), 0xdddd);
        assert_eq!(u32_at(&b, 0x118), 0x1f80); // FltSave.MxCsr
        assert_eq!(u64_at(&b, 0x1a0), 0x090a_0b0c_0d0e_0f10); // Xmm0 low half
    }

    #[test]
    fn arm64_offsets() {
        let mut r = Arm64Registers::default();
        r.x[0] = 1;
        r.x[29] = 0x2929;
        r.x[30] = 0x3030;
        r.sp = 0x5050;
        r.pc = 0x6060;
        r.fpcr = 7;
        let b = r.to_bytes();
        assert_eq!(b.len(), 0x390);
        assert_eq!(u32_at(&b, 0), CONTEXT_ARM64_FULL);
        assert_eq!(u64_at(&b, 8), 1);
        assert_eq!(u64_at(&b, 0xf0), 0x2929);
        assert_eq!(u64_at(&b, 0xf8), 0x3030);
        assert_eq!(u64_at(&b, 0x100), 0x5050);
        assert_eq!(u64_at(&b, 0x108), 0x6060);
        assert_eq!(u32_at(&b, 0x310), 7);
    }
}
