//! The crate's error type.

use crate::memory::MemoryError;

/// The kind of heap found at an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeapKind {
    /// An NT heap (`_HEAP`, segment signature 0xFFEEFFEE).
    Nt,
    /// A segment heap (`_SEGMENT_HEAP`, signature 0xDDEEDDEE), Windows 10+.
    Segment,
}

/// Errors of `ntheap`. Findings inside a heap that the walk can step over are not errors but
/// [`Finding`](crate::Finding)s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The memory at `addr` is not in the dump (not captured or not committed). Not corruption.
    #[error("memory at {addr:#x} ({len:#x} bytes) is not in the dump")]
    NotCaptured {
        /// First address of the failed read.
        addr: u64,
        /// Length of the failed read.
        len: u64,
    },
    /// The memory source failed at `addr` for another reason.
    #[error("reading memory at {addr:#x} ({len:#x} bytes) failed")]
    ReadFailed {
        /// First address of the failed read.
        addr: u64,
        /// Length of the failed read.
        len: u64,
    },
    /// The heap is of a kind this crate does not walk (yet).
    #[error("heap at {addr:#x} is a {kind:?} heap, which is not supported")]
    UnsupportedHeapKind {
        /// Heap address.
        addr: u64,
        /// What it is.
        kind: HeapKind,
    },
    /// No heap signature at `addr`.
    #[error("no heap at {addr:#x}: signature {found:#010x}")]
    NotAHeap {
        /// Heap address.
        addr: u64,
        /// The value found where a signature was expected.
        found: u32,
    },
    /// No layout (built-in or given) passed the run-time checks on this heap.
    #[error("no heap layout fits the heap at {addr:#x}: {reason}")]
    LayoutNotConfirmed {
        /// Heap address.
        addr: u64,
        /// The check that failed (for the last candidate tried).
        reason: &'static str,
    },
    /// Address arithmetic overflowed near `addr`.
    #[error("address arithmetic overflow near {addr:#x}")]
    Overflow {
        /// The base of the failed computation.
        addr: u64,
    },
    /// The PDB could not be read.
    #[error("PDB: {0}")]
    Pdb(String),
    /// The PDB lacks a type or member the layout needs.
    #[error("PDB has no type member {0}")]
    PdbMissing(&'static str),
}

impl Error {
    /// Whether the error is memory that is not in the dump (never captured, or reserved but not
    /// committed), as opposed to corrupt data or a failing source.
    pub fn is_not_captured(&self) -> bool {
        matches!(self, Error::NotCaptured { .. })
    }
}

impl From<MemoryError> for Error {
    fn from(e: MemoryError) -> Self {
        match e {
            MemoryError::NotCaptured { addr, len } => Error::NotCaptured { addr, len },
            MemoryError::Failed { addr, len } => Error::ReadFailed { addr, len },
        }
    }
}
