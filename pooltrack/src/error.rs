//! The crate's one error type.

use crate::memory::MemoryError;

/// Everything that can go wrong in this crate. Each variant carries the address it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A read of target memory failed (not in the dump, or the source failed).
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A structure at `addr` does not look like what it should be.
    #[error("corrupt {what} at {addr:#x}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// Where.
        addr: u64,
    },
    /// A walk went past [`crate::Limits`] or came back to an address it had visited.
    #[error("walk of {what} stopped at {addr:#x}: step limit or cycle")]
    WalkLimit {
        /// What was being walked.
        what: &'static str,
        /// The address reached when it stopped.
        addr: u64,
    },
    /// A kernel variable the operation needs was not given (see `KernelSymbols`).
    #[error("kernel variable {name} not known (needed at {addr:#x})")]
    MissingSymbol {
        /// The variable (`PsActiveProcessHead`, `ObHeaderCookie`...).
        name: &'static str,
        /// The address being decoded when it was needed (0 when none).
        addr: u64,
    },
    /// A symbol source (ISF JSON, PDB) could not be read; `offset` is where in the file (the
    /// line for JSON) when known, else 0.
    #[error("unreadable {what} symbol data (at {offset:#x})")]
    Symbols {
        /// Which source.
        what: &'static str,
        /// Position in the source, when known.
        offset: u64,
    },
}

impl Error {
    /// Whether the error is memory that is not in the dump (paged out, never captured), as
    /// opposed to corrupt data.
    pub fn is_not_captured(&self) -> bool {
        matches!(self, Error::Memory(m) if m.is_not_captured())
    }

    /// The address the error concerns (for [`Error::Symbols`], the position in the file).
    pub fn addr(&self) -> u64 {
        match *self {
            Error::Memory(m) => m.addr(),
            Error::Corrupt { addr, .. }
            | Error::WalkLimit { addr, .. }
            | Error::MissingSymbol { addr, .. } => addr,
            Error::Symbols { offset, .. } => offset,
        }
    }
}
