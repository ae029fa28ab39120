//! The crate's error type.

/// Everything that can go wrong while reading memory, unwind data, frame data or symbols.
///
/// "Memory not in the dump" ([`Error::Unavailable`]) is kept apart from corrupt data: a walk
/// that runs into an uncaptured page reports that, not a broken frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The memory at `addr` (`len` bytes) is not available (not captured in the dump, not mapped).
    #[error("memory at {addr:#x} ({len} bytes) is not available")]
    Unavailable {
        /// First address requested.
        addr: u64,
        /// Number of bytes requested.
        len: u64,
    },
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
    /// A PDB could not be read.
    #[cfg(feature = "pdb")]
    #[error("PDB: {message}")]
    Pdb {
        /// The pdb crate's message.
        message: String,
    },
}

impl Error {
    /// True when the error means "this memory is not there" rather than "this data is wrong".
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Error::Unavailable { .. } | Error::RvaUnavailable { .. }
        )
    }
}
