//! The crate's error type.

/// Everything that can go wrong while reading a PE image.
///
/// "Memory not captured" ([`Error::NotCaptured`]) is kept apart from corrupt data: a dump may
/// simply not contain some pages of a mapped image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes at this address (or RVA, for file images) are not in the dump.
    #[error("memory not captured at {address:#x} (+{len:#x})")]
    NotCaptured {
        /// Virtual address (mapped images) or RVA.
        address: u64,
        /// Length of the failed read.
        len: u64,
    },
    /// The memory source failed for another reason.
    #[error("memory read failed at {address:#x} (+{len:#x})")]
    ReadFailed {
        /// Virtual address of the failed read.
        address: u64,
        /// Length of the failed read.
        len: u64,
    },
    /// A structure runs past the end of the data.
    #[error(
        "truncated {what} at offset {offset:#x}: need {needed:#x} bytes, {available:#x} available"
    )]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// File offset or RVA of the structure.
        offset: u64,
        /// Bytes needed.
        needed: u64,
        /// Bytes available.
        available: u64,
    },
    /// The DOS header does not start with `MZ`.
    #[error("bad DOS signature {found:#06x} (expected 0x5a4d 'MZ')")]
    BadDosSignature {
        /// The value found.
        found: u16,
    },
    /// The NT headers do not start with `PE\0\0`.
    #[error("bad PE signature {found:#010x} at offset {offset:#x}")]
    BadPeSignature {
        /// Offset of the NT headers (`e_lfanew`).
        offset: u64,
        /// The value found.
        found: u32,
    },
    /// The optional header magic is neither 0x10b (PE32) nor 0x20b (PE32+).
    #[error("bad optional header magic {magic:#06x} at offset {offset:#x}")]
    BadOptionalHeader {
        /// Offset of the optional header.
        offset: u64,
        /// The magic found.
        magic: u16,
    },
    /// A count or size in the headers exceeds a configured [`Limits`](crate::Limits) cap.
    #[error("{what} {value:#x} at {offset:#x} exceeds the limit {limit:#x}")]
    LimitExceeded {
        /// What was counted.
        what: &'static str,
        /// Where the count was read (offset or RVA).
        offset: u64,
        /// The value found.
        value: u64,
        /// The configured limit.
        limit: u64,
    },
    /// An RVA is not inside the headers or any section.
    #[error("RVA {rva:#x} (+{len:#x}) is not mapped by any section")]
    UnmappedRva {
        /// The RVA.
        rva: u64,
        /// Length of the access.
        len: u64,
    },
    /// Arithmetic on an offset, RVA or address overflowed.
    #[error("address arithmetic overflow at {at:#x}")]
    Overflow {
        /// The base value of the failed computation.
        at: u64,
    },
    /// A data structure is malformed.
    #[error("malformed {what} at RVA {rva:#x}: {reason}")]
    Malformed {
        /// The structure.
        what: &'static str,
        /// Its RVA (or offset).
        rva: u64,
        /// What is wrong.
        reason: &'static str,
    },
    /// The operation is not supported for this machine type.
    #[error("operation not supported for machine {machine:#06x}")]
    UnsupportedMachine {
        /// The `IMAGE_FILE_HEADER.Machine` value.
        machine: u16,
    },
    /// An empty search pattern was given.
    #[error("empty search pattern")]
    EmptyPattern,
}

impl Error {
    /// True if this error means "these bytes are not in the dump" rather than corrupt data.
    pub fn is_not_captured(&self) -> bool {
        matches!(self, Error::NotCaptured { .. })
    }
}

impl From<crate::MemoryError> for Error {
    fn from(e: crate::MemoryError) -> Self {
        let (address, len) = (e.addr(), e.byte_len());
        if e.is_not_captured() {
            Error::NotCaptured { address, len }
        } else {
            Error::ReadFailed { address, len }
        }
    }
}

/// Shorthand for `Result<T, pe_sections::Error>`.
pub type Result<T> = core::result::Result<T, Error>;
