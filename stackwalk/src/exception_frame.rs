//! The x64 kernel exception frame (`_KEXCEPTION_FRAME`): the non-volatile registers a kernel
//! path (exception dispatch, `KiBugCheckDispatch`, context switches) saved, and the full
//! register context of a trap from a trap frame and an exception frame together.

use zerocopy::FromBytes;

use crate::context::ContextX64;
use crate::raw;
use crate::trap_frame::KTrapFrame;
use crate::{Error, ReadMemory};

/// An x64 `_KEXCEPTION_FRAME`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KExceptionFrame {
    /// Where the exception frame was read.
    pub address: u64,
    /// RBP when the frame was built (the builder's RBP, not the interrupted one).
    pub rbp: u64,
    /// RBX.
    pub rbx: u64,
    /// RDI.
    pub rdi: u64,
    /// RSI.
    pub rsi: u64,
    /// R12.
    pub r12: u64,
    /// R13.
    pub r13: u64,
    /// R14.
    pub r14: u64,
    /// R15.
    pub r15: u64,
    /// XMM6 to XMM15.
    pub xmm6_15: [u128; 10],
    /// `TrapFrame` (not always filled in).
    pub trap_frame: u64,
    /// `Return`: the return address of the function that built the frame.
    pub return_address: u64,
}

impl KExceptionFrame {
    /// Size of an x64 `_KEXCEPTION_FRAME`.
    pub const SIZE: usize = 0x140;

    /// Parses the first [`KExceptionFrame::SIZE`] bytes of `bytes`, the frame at `address`.
    pub fn parse(address: u64, bytes: &[u8]) -> Result<Self, Error> {
        let (e, _) =
            raw::KExceptionFrame::read_from_prefix(bytes).map_err(|_| Error::BadTrapFrame {
                what: "KEXCEPTION_FRAME (truncated)",
                addr: address,
            })?;
        let mut xmm6_15 = [0u128; 10];
        for (slot, x) in xmm6_15.iter_mut().zip(e.xmm6_15.iter()) {
            *slot = u128::from_le_bytes(*x);
        }
        Ok(KExceptionFrame {
            address,
            rbp: e.rbp.get(),
            rbx: e.rbx.get(),
            rdi: e.rdi.get(),
            rsi: e.rsi.get(),
            r12: e.r12.get(),
            r13: e.r13.get(),
            r14: e.r14.get(),
            r15: e.r15.get(),
            xmm6_15,
            trap_frame: e.trap_frame.get(),
            return_address: e.return_address.get(),
        })
    }

    /// Reads and parses the exception frame at `address`.
    pub fn read(memory: &dyn ReadMemory, address: u64) -> Result<Self, Error> {
        let mut b = [0u8; Self::SIZE];
        memory.read(address, &mut b)?;
        Self::parse(address, &b)
    }
}

/// The registers at a trap, as the kernel rebuilds them (`KeContextFromKframes`): RIP, RSP,
/// RBP and the volatile registers from the trap frame; RBX, RDI, RSI, R12 to R15 and XMM6 to
/// XMM15 from the exception frame when there is one.
pub fn context_from_kframes(trap: &KTrapFrame, exception: Option<&KExceptionFrame>) -> ContextX64 {
    let mut c = trap.context();
    if let Some(e) = exception {
        for (r, v) in [
            (3u8, e.rbx),
            (6, e.rsi),
            (7, e.rdi),
            (12, e.r12),
            (13, e.r13),
            (14, e.r14),
            (15, e.r15),
        ] {
            c.set_reg(r, v);
        }
        for (slot, x) in c.xmm.iter_mut().skip(6).zip(e.xmm6_15.iter()) {
            *slot = *x;
        }
    }
    c
}
