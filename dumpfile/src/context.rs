//! Thread contexts (x86, x64, ARM64) and the WOW64 32-bit context.

use std::ops::Deref;

use zerocopy::FromBytes;

use crate::{Arch, Error, Location, Minidump, Thread, raw};

/// x86 `CONTEXT_i386` flag.
pub const CONTEXT_X86: u32 = 0x0001_0000;
/// AMD64 `CONTEXT_AMD64` flag.
pub const CONTEXT_AMD64: u32 = 0x0010_0000;
/// ARM64 `CONTEXT_ARM64` flag.
pub const CONTEXT_ARM64: u32 = 0x0040_0000;

/// Bytes of an x86 CONTEXT without `ExtendedRegisters` (old writers).
const X86_MIN: usize = 0xcc;

/// The registers of an x86 (or WOW64) thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextX86 {
    /// `ContextFlags`.
    pub context_flags: u32,
    /// EIP.
    pub eip: u32,
    /// ESP.
    pub esp: u32,
    /// EBP.
    pub ebp: u32,
    /// EAX.
    pub eax: u32,
    /// EBX.
    pub ebx: u32,
    /// ECX.
    pub ecx: u32,
    /// EDX.
    pub edx: u32,
    /// ESI.
    pub esi: u32,
    /// EDI.
    pub edi: u32,
    /// EFLAGS.
    pub eflags: u32,
    /// CS.
    pub cs: u32,
    /// DS.
    pub ds: u32,
    /// ES.
    pub es: u32,
    /// FS.
    pub fs: u32,
    /// GS.
    pub gs: u32,
    /// SS.
    pub ss: u32,
    /// Dr0, Dr1, Dr2, Dr3, Dr6, Dr7.
    pub dr: [u32; 6],
}

impl ContextX86 {
    /// Decodes an x86 `CONTEXT` (0x2cc bytes, or at least the 0xcc without extended registers).
    pub fn from_bytes(bytes: &[u8]) -> Option<ContextX86> {
        if bytes.len() < X86_MIN {
            return None;
        }
        let mut full = [0u8; size_of::<raw::ContextX86>()];
        let n = bytes.len().min(full.len());
        full.get_mut(..n)?.copy_from_slice(bytes.get(..n)?);
        let c = raw::ContextX86::read_from_bytes(&full).ok()?;
        let d = |i: usize| c.dr.get(i).map(|v| v.get()).unwrap_or(0);
        Some(ContextX86 {
            context_flags: c.context_flags.get(),
            eip: c.eip.get(),
            esp: c.esp.get(),
            ebp: c.ebp.get(),
            eax: c.eax.get(),
            ebx: c.ebx.get(),
            ecx: c.ecx.get(),
            edx: c.edx.get(),
            esi: c.esi.get(),
            edi: c.edi.get(),
            eflags: c.eflags.get(),
            cs: c.seg_cs.get(),
            ds: c.seg_ds.get(),
            es: c.seg_es.get(),
            fs: c.seg_fs.get(),
            gs: c.seg_gs.get(),
            ss: c.seg_ss.get(),
            dr: [d(0), d(1), d(2), d(3), d(4), d(5)],
        })
    }
}

/// The registers of an x64 thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextX64 {
    /// `ContextFlags`.
    pub context_flags: u32,
    /// MXCSR.
    pub mx_csr: u32,
    /// RIP.
    pub rip: u64,
    /// RSP.
    pub rsp: u64,
    /// RBP.
    pub rbp: u64,
    /// RAX.
    pub rax: u64,
    /// RBX.
    pub rbx: u64,
    /// RCX.
    pub rcx: u64,
    /// RDX.
    pub rdx: u64,
    /// RSI.
    pub rsi: u64,
    /// RDI.
    pub rdi: u64,
    /// R8.
    pub r8: u64,
    /// R9.
    pub r9: u64,
    /// R10.
    pub r10: u64,
    /// R11.
    pub r11: u64,
    /// R12.
    pub r12: u64,
    /// R13.
    pub r13: u64,
    /// R14.
    pub r14: u64,
    /// R15.
    pub r15: u64,
    /// EFLAGS.
    pub eflags: u32,
    /// CS.
    pub cs: u16,
    /// DS.
    pub ds: u16,
    /// ES.
    pub es: u16,
    /// FS.
    pub fs: u16,
    /// GS.
    pub gs: u16,
    /// SS.
    pub ss: u16,
    /// Dr0, Dr1, Dr2, Dr3, Dr6, Dr7.
    pub dr: [u64; 6],
}

impl ContextX64 {
    /// Decodes an AMD64 `CONTEXT` (at least 0x4d0 bytes; XSTATE beyond is ignored).
    pub fn from_bytes(bytes: &[u8]) -> Option<ContextX64> {
        let (c, _) = raw::ContextX64::read_from_prefix(bytes).ok()?;
        let g = |i: usize| c.gpr.get(i).map(|v| v.get()).unwrap_or(0);
        let d = |i: usize| c.dr.get(i).map(|v| v.get()).unwrap_or(0);
        Some(ContextX64 {
            context_flags: c.context_flags.get(),
            mx_csr: c.mx_csr.get(),
            rip: c.rip.get(),
            rax: g(0),
            rcx: g(1),
            rdx: g(2),
            rbx: g(3),
            rsp: g(4),
            rbp: g(5),
            rsi: g(6),
            rdi: g(7),
            r8: g(8),
            r9: g(9),
            r10: g(10),
            r11: g(11),
            r12: g(12),
            r13: g(13),
            r14: g(14),
            r15: g(15),
            eflags: c.eflags.get(),
            cs: c.seg_cs.get(),
            ds: c.seg_ds.get(),
            es: c.seg_es.get(),
            fs: c.seg_fs.get(),
            gs: c.seg_gs.get(),
            ss: c.seg_ss.get(),
            dr: [d(0), d(1), d(2), d(3), d(4), d(5)],
        })
    }
}

/// The registers of an ARM64 thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextArm64 {
    /// `ContextFlags`.
    pub context_flags: u32,
    /// CPSR.
    pub cpsr: u32,
    /// X0..X28.
    pub x: [u64; 29],
    /// Frame pointer (X29).
    pub fp: u64,
    /// Link register (X30).
    pub lr: u64,
    /// Stack pointer.
    pub sp: u64,
    /// Program counter.
    pub pc: u64,
    /// FPCR.
    pub fpcr: u32,
    /// FPSR.
    pub fpsr: u32,
}

impl ContextArm64 {
    /// Decodes an ARM64 `CONTEXT` (at least 0x390 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Option<ContextArm64> {
        let (c, _) = raw::ContextArm64::read_from_prefix(bytes).ok()?;
        let r = |i: usize| c.x.get(i).map(|v| v.get()).unwrap_or(0);
        let mut x = [0u64; 29];
        for (i, slot) in x.iter_mut().enumerate() {
            *slot = r(i);
        }
        Some(ContextArm64 {
            context_flags: c.context_flags.get(),
            cpsr: c.cpsr.get(),
            x,
            fp: r(29),
            lr: r(30),
            sp: c.sp.get(),
            pc: c.pc.get(),
            fpcr: c.fpcr.get(),
            fpsr: c.fpsr.get(),
        })
    }
}

/// A thread context of the dump's architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// x86.
    X86(ContextX86),
    /// x64.
    X64(ContextX64),
    /// ARM64.
    Arm64(ContextArm64),
}

impl Context {
    /// Instruction pointer.
    pub fn ip(&self) -> u64 {
        match self {
            Context::X86(c) => u64::from(c.eip),
            Context::X64(c) => c.rip,
            Context::Arm64(c) => c.pc,
        }
    }

    /// Stack pointer.
    pub fn sp(&self) -> u64 {
        match self {
            Context::X86(c) => u64::from(c.esp),
            Context::X64(c) => c.rsp,
            Context::Arm64(c) => c.sp,
        }
    }

    /// Frame pointer (EBP, RBP, X29).
    pub fn fp(&self) -> u64 {
        match self {
            Context::X86(c) => u64::from(c.ebp),
            Context::X64(c) => c.rbp,
            Context::Arm64(c) => c.fp,
        }
    }

    /// `ContextFlags`.
    pub fn flags(&self) -> u32 {
        match self {
            Context::X86(c) => c.context_flags,
            Context::X64(c) => c.context_flags,
            Context::Arm64(c) => c.context_flags,
        }
    }
}

/// Offset of `TlsSlots[1]` (`WOW64_TLS_CPURESERVED`) in the 64-bit TEB.
const TEB64_TLS_SLOT1: u64 = 0x1480 + 8;
/// `IMAGE_FILE_MACHINE_I386`.
const MACHINE_I386: u16 = 0x14c;

impl<D: Deref<Target = [u8]>> Minidump<D> {
    /// Decodes the context at `location` for the dump's architecture.
    ///
    /// With no SystemInfo, the architecture is guessed from the CPU bits of `ContextFlags`.
    pub fn context(&self, location: Location) -> Result<Context, Error> {
        let bytes = self.location_bytes(location)?;
        let arch = match self.arch() {
            Arch::Unknown(a) => {
                let flags = crate::bytes::le_u32(bytes, 0).unwrap_or(0);
                let flags64 = crate::bytes::le_u32(bytes, 0x30).unwrap_or(0);
                if flags64 & CONTEXT_AMD64 != 0 {
                    Arch::X64
                } else if flags & CONTEXT_ARM64 != 0 {
                    Arch::Arm64
                } else if flags & CONTEXT_X86 != 0 {
                    Arch::X86
                } else {
                    return Err(Error::UnsupportedArch(a));
                }
            }
            a => a,
        };
        let bad = |name: &'static str| Error::BadContext {
            rva: u64::from(location.rva),
            size: u64::from(location.size),
            arch: name,
        };
        match arch {
            Arch::X86 => ContextX86::from_bytes(bytes)
                .map(Context::X86)
                .ok_or(bad("x86")),
            Arch::X64 => ContextX64::from_bytes(bytes)
                .map(Context::X64)
                .ok_or(bad("x64")),
            Arch::Arm64 => ContextArm64::from_bytes(bytes)
                .map(Context::Arm64)
                .ok_or(bad("arm64")),
            Arch::Unknown(a) => Err(Error::UnsupportedArch(a)),
        }
    }

    /// The context recorded with the exception, if there is an Exception stream.
    pub fn exception_context(&self) -> Result<Option<Context>, Error> {
        match self.exception()? {
            Some(e) => self.context(e.context).map(Some),
            None => Ok(None),
        }
    }

    /// The context of a thread from the ThreadList.
    pub fn thread_context(&self, thread: &Thread) -> Result<Context, Error> {
        self.context(thread.context)
    }

    /// The 32-bit (x86) context of a WOW64 thread in an x64 dump, read from the 64-bit TEB.
    ///
    /// `TEB64.TlsSlots[1]` (`WOW64_TLS_CPURESERVED`, TEB64+0x1488) points to the WOW64 CPU area.
    /// On Windows 7 the `WOW64_CONTEXT` starts 4 bytes into it; on Windows 8 and later the area
    /// starts with `WOW64_CPURESERVED { u16 Flags; u16 Machine; }` and the context follows at
    /// offset 4 as well (an x86 context needs only 4-byte alignment); there the machine must be
    /// i386.
    ///
    /// Errors: [`Error::NotWow64`] if the dump is not x64, its module list has no `wow64.dll`,
    /// or the slot is 0;
    /// [`Error::Wow64ContextNotRecoverable`] if the TEB slot or the CPU area is not in the dump.
    pub fn wow64_context(&self, thread: &Thread) -> Result<ContextX86, Error> {
        let sys = self.system_info()?;
        if sys.as_ref().map(|s| s.arch) != Some(Arch::X64) || thread.teb == 0 {
            return Err(Error::NotWow64 {
                thread_id: thread.id,
            });
        }
        // Native x64 processes use TLS slot 1 for their own purposes: only follow it when the
        // module list (if there is one) shows the WOW64 layer.
        let (has_modules, wow64_module) = self.module_facts();
        if has_modules && !wow64_module {
            return Err(Error::NotWow64 {
                thread_id: thread.id,
            });
        }
        let slot_addr = thread
            .teb
            .checked_add(TEB64_TLS_SLOT1)
            .ok_or(Error::AddressOverflow {
                address: thread.teb,
                len: TEB64_TLS_SLOT1,
            })?;
        let not_recoverable = |address| Error::Wow64ContextNotRecoverable {
            thread_id: thread.id,
            address,
        };
        let cpu_area = match self.memory().read_u64(slot_addr) {
            Ok(v) => v,
            Err(e) if e.is_not_captured() => return Err(not_recoverable(slot_addr)),
            Err(e) => return Err(e),
        };
        if cpu_area == 0 {
            return Err(Error::NotWow64 {
                thread_id: thread.id,
            });
        }
        let win8_or_later = sys
            .as_ref()
            .is_some_and(|s| s.major > 6 || (s.major == 6 && s.minor >= 2));
        if win8_or_later {
            match self.memory().read_u16(cpu_area.saturating_add(2)) {
                Ok(MACHINE_I386) => {}
                Ok(_) => {
                    return Err(Error::NotWow64 {
                        thread_id: thread.id,
                    });
                }
                Err(e) if e.is_not_captured() => return Err(not_recoverable(cpu_area)),
                Err(e) => return Err(e),
            }
        }
        let ctx_addr = cpu_area.checked_add(4).ok_or(Error::AddressOverflow {
            address: cpu_area,
            len: 4,
        })?;
        let mut buf = [0u8; size_of::<raw::ContextX86>()];
        match self.memory().read(ctx_addr, &mut buf) {
            Ok(()) => {}
            Err(Error::NotCaptured { address, .. }) => return Err(not_recoverable(address)),
            Err(e) => return Err(e),
        }
        ContextX86::from_bytes(&buf).ok_or(Error::BadContext {
            rva: ctx_addr,
            size: 0x2cc,
            arch: "x86 (WOW64)",
        })
    }
}
