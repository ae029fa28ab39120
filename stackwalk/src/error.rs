//! The crate's one error type.

use crate::memory::MemoryError;

/// Everything that can go wrong while reading memory, unwind data, frame data or symbols.
///
/// "Memory not in the dump" ([`Error::Memory`] with [`MemoryError::NotCaptured`], see
/// [`Error::is_not_captured`]) is kept apart from corrupt data: a walk that runs into an
/// uncaptured (or paged-out) page reports that, not a broken frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A read of target memory failed (not in the dump, or the source failed); the
    /// [`MemoryError`] carries the address and length.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// An address or size computation overflowed.
    #[error("address arithmetic overflowed at {addr:#x}")]
    Overflow {
        /// The base address of the failed computation.
        addr: u64,
    },
    /// An RVA cannot be read from the image (outside every section or beyond the file).
    #[error("RVA {rva:#x} ({len} bytes) is not readable in the image")]
    RvaUnavailable {
        /// The RVA requested.
        rva: u32,
        /// Number of bytes requested.
        len: u32,
    },
    /// The PE headers of an image are malformed.
    #[error("malformed PE header: {what}")]
    BadPeHeader {
        /// What is wrong.
        what: &'static str,
    },
    /// An UNWIND_INFO version this crate does not understand (for example the v3 preview).
    #[error("unsupported UNWIND_INFO version {version} at RVA {rva:#x}")]
    UnsupportedUnwindVersion {
        /// RVA of the UNWIND_INFO.
        rva: u32,
        /// The version found.
        version: u8,
    },
    /// An unwind code is invalid (unknown operation, truncated operands, bad register).
    #[error("invalid unwind code {op} at RVA {rva:#x}")]
    BadUnwindCode {
        /// RVA of the UNWIND_INFO holding the code.
        rva: u32,
        /// The operation number.
        op: u8,
    },
    /// Chained unwind information is longer than the limit or loops.
    #[error("chained unwind info starting at RVA {rva:#x} exceeds {limit} links or loops")]
    UnwindChainTooLong {
        /// RVA of the first function entry of the chain.
        rva: u32,
        /// The limit in force.
        limit: u32,
    },
    /// A RUNTIME_FUNCTION entry is malformed (end before begin, indirect loop).
    #[error("malformed RUNTIME_FUNCTION at RVA {rva:#x}")]
    BadFunctionEntry {
        /// RVA of the entry (or of the function).
        rva: u32,
    },
    /// A frame-data program (x86 PDB FrameData) failed to evaluate.
    #[error("frame-data program failed: {reason}")]
    BadProgram {
        /// Why evaluation failed.
        reason: &'static str,
    },
    /// The register context bytes are too short or of an unknown kind.
    #[error("register context is malformed: {what}")]
    BadContext {
        /// What is wrong.
        what: &'static str,
    },
    /// A file or directory could not be read (PDB lookup).
    #[error("I/O error on {path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A file is not a PDB in the MSF 7.00 format, or its header or stream directory is
    /// malformed.
    #[error("not a readable PDB: {what}")]
    BadPdb {
        /// What is wrong.
        what: &'static str,
    },
    /// A kernel trap or exception frame cannot be used (truncated bytes, or a frame whose
    /// saved registers are implausible).
    #[error("malformed {what} at {addr:#x}")]
    BadTrapFrame {
        /// Which frame (`KTRAP_FRAME`, `KEXCEPTION_FRAME`).
        what: &'static str,
        /// Its address.
        addr: u64,
    },
    /// A PDB could not be read.
    #[cfg(feature = "pdb")]
    #[error("PDB: {message}")]
    Pdb {
        /// The pdb crate's message.
        message: String,
    },
}

impl Error {
    /// True when the error means "these bytes are not in the dump" (never captured, or kernel
    /// memory paged out, in transition, demand-zero) rather than "this data is wrong".
    ///
    /// An RVA missing from an image file ([`Error::RvaUnavailable`]) is not counted: the file
    /// is what it is, nothing more can be captured.
    pub fn is_not_captured(&self) -> bool {
        matches!(self, Error::Memory(m) if m.is_not_captured())
    }
}
