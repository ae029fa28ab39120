//! The x64 kernel trap frame (`_KTRAP_FRAME`): what `.trap ADDR` shows, and a register context
//! to start a walk from.
//!
//! Windows builds a trap frame when an interrupt, exception or system call enters the kernel:
//! the hardware pushes the machine frame (SS, RSP, EFLAGS, CS, RIP and, for some exceptions, an
//! error code), which lands at offset 0x160 of the trap frame; the handler (for example
//! `KiPageFault`) saves RBP at 0x158, allocates the rest and saves the volatile registers.
//! Non-volatile RBX, RDI, RSI are only saved on some paths (WinDbg prints them with a warning);
//! R12 to R15 never are (they are in a `KEXCEPTION_FRAME`, when there is one).

use zerocopy::FromBytes;

use crate::context::ContextX64;
use crate::raw;
use crate::{Error, ReadMemory};

/// `KGDT64_R0_CODE`: the kernel code selector of x64 Windows.
pub const KGDT64_R0_CODE: u16 = 0x10;
/// `KGDT64_R3_CODE | RPL 3`: the 64-bit user code selector.
pub const KGDT64_R3_CODE: u16 = 0x33;
/// `KGDT64_R3_CMCODE | RPL 3`: the 32-bit (WOW64) user code selector.
pub const KGDT64_R3_CMCODE: u16 = 0x23;

/// An x64 `_KTRAP_FRAME`, reduced to the fields `.trap` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KTrapFrame {
    /// Where the trap frame was read.
    pub address: u64,
    /// The interrupted instruction pointer.
    pub rip: u64,
    /// The interrupted stack pointer (from the machine frame).
    pub rsp: u64,
    /// The interrupted RBP (saved by the handler's prolog).
    pub rbp: u64,
    /// RAX (volatile, saved by the handler).
    pub rax: u64,
    /// RCX.
    pub rcx: u64,
    /// RDX.
    pub rdx: u64,
    /// R8.
    pub r8: u64,
    /// R9.
    pub r9: u64,
    /// R10.
    pub r10: u64,
    /// R11.
    pub r11: u64,
    /// RBX: only saved on some paths (system calls, exceptions); may be stale.
    pub rbx: u64,
    /// RDI: as RBX.
    pub rdi: u64,
    /// RSI: as RBX.
    pub rsi: u64,
    /// EFLAGS.
    pub eflags: u32,
    /// CS of the interrupted code (`0x10` kernel, `0x33`/`0x23` user).
    pub seg_cs: u16,
    /// SS of the interrupted code.
    pub seg_ss: u16,
    /// The error code the hardware pushed (or the exception frame pointer: a union).
    pub error_code: u64,
    /// `FaultAddress` (CR2 of a page fault; a union with `ContextRecord`).
    pub fault_address: u64,
    /// `PreviousMode` (0 kernel, 1 user).
    pub previous_mode: u8,
    /// `PreviousIrql`.
    pub previous_irql: u8,
    /// `ExceptionActive`.
    pub exception_active: u8,
}

impl KTrapFrame {
    /// Size of an x64 `_KTRAP_FRAME`.
    pub const SIZE: usize = 0x190;

    /// Parses the first [`KTrapFrame::SIZE`] bytes of `bytes`, the trap frame at `address`.
    pub fn parse(address: u64, bytes: &[u8]) -> Result<Self, Error> {
        let (t, _) = raw::KTrapFrame::read_from_prefix(bytes).map_err(|_| Error::BadTrapFrame {
            what: "KTRAP_FRAME (truncated)",
            addr: address,
        })?;
        Ok(KTrapFrame {
            address,
            rip: t.rip.get(),
            rsp: t.rsp.get(),
            rbp: t.rbp.get(),
            rax: t.rax.get(),
            rcx: t.rcx.get(),
            rdx: t.rdx.get(),
            r8: t.r8.get(),
            r9: t.r9.get(),
            r10: t.r10.get(),
            r11: t.r11.get(),
            rbx: t.rbx.get(),
            rdi: t.rdi.get(),
            rsi: t.rsi.get(),
            eflags: t.e_flags.get(),
            seg_cs: t.seg_cs.get(),
            seg_ss: t.seg_ss.get(),
            error_code: t.error_code.get(),
            fault_address: t.fault_address.get(),
            previous_mode: t.previous_mode,
            previous_irql: t.previous_irql,
            exception_active: t.exception_active,
        })
    }

    /// Reads and parses the trap frame at `address`.
    pub fn read(memory: &dyn ReadMemory, address: u64) -> Result<Self, Error> {
        let mut b = [0u8; Self::SIZE];
        memory.read(address, &mut b)?;
        Self::parse(address, &b)
    }

    /// True when the interrupted code ran in user mode (CS has RPL 3).
    pub fn is_user_mode(&self) -> bool {
        self.seg_cs & 3 == 3
    }

    /// True when the frame looks like one Windows wrote: EFLAGS bit 1 (always 1) set, CS with
    /// RPL 0 or 3, and an instruction pointer in the half of the address space CS says
    /// (kernel addresses for RPL 0, user addresses for RPL 3).
    pub fn is_plausible(&self) -> bool {
        let kernel_ip = self.rip >= 0xffff_8000_0000_0000;
        let user_ip = self.rip < 0x0000_8000_0000_0000;
        self.eflags & 2 != 0
            && match self.seg_cs & 3 {
                0 => kernel_ip,
                3 => user_ip,
                _ => false,
            }
    }

    /// The registers at the interruption: RIP, RSP, RBP and the volatile registers are known;
    /// RBX, RSI, RDI, R12 to R15 are not (see [`crate::context_from_kframes`] to add them
    /// from an exception frame).
    pub fn context(&self) -> ContextX64 {
        let mut c = ContextX64::new(self.rip, self.rsp);
        for (r, v) in [
            (0u8, self.rax),
            (1, self.rcx),
            (2, self.rdx),
            (5, self.rbp),
            (8, self.r8),
            (9, self.r9),
            (10, self.r10),
            (11, self.r11),
        ] {
            c.set_reg(r, v);
        }
        c
    }
}
