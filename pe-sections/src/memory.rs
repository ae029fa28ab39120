//! The memory-reading trait through which mapped images are read.

/// Why a memory read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// The requested bytes are not present in the dump.
    #[error("memory not captured at {address:#x} (+{len:#x})")]
    NotCaptured {
        /// Start of the read.
        address: u64,
        /// Length of the read.
        len: u64,
    },
    /// Any other failure of the underlying source.
    #[error("memory read failed at {address:#x} (+{len:#x})")]
    Failed {
        /// Start of the read.
        address: u64,
        /// Length of the read.
        len: u64,
    },
}

impl From<MemoryError> for crate::Error {
    fn from(e: MemoryError) -> Self {
        match e {
            MemoryError::NotCaptured { address, len } => crate::Error::NotCaptured { address, len },
            MemoryError::Failed { address, len } => crate::Error::ReadFailed { address, len },
        }
    }
}

/// A virtual address space that can be read, such as the memory of a dump.
///
/// Implementations fill the whole buffer or fail; a partial read is a failure.
pub trait ReadMemory {
    /// Reads `buf.len()` bytes starting at `addr`.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError>;
}

impl<M: ReadMemory + ?Sized> ReadMemory for &M {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        (**self).read(addr, buf)
    }
}

impl<M: ReadMemory + ?Sized> ReadMemory for Box<M> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        (**self).read(addr, buf)
    }
}

/// Adapts a closure `Fn(u64, &mut [u8]) -> Result<(), MemoryError>` to [`ReadMemory`].
///
/// This is how another crate's memory view (for example a minidump reader) is plugged in
/// without this crate depending on it.
#[derive(Clone, Copy)]
pub struct FnMemory<F>(pub F);

impl<F> core::fmt::Debug for FnMemory<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("FnMemory(..)")
    }
}

impl<F> ReadMemory for FnMemory<F>
where
    F: Fn(u64, &mut [u8]) -> Result<(), MemoryError>,
{
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        (self.0)(addr, buf)
    }
}

/// A flat byte slice mapped at a base address; everything else is "not captured".
#[derive(Debug, Clone, Copy)]
pub struct SliceMemory<'a> {
    /// Address of the first byte.
    pub base: u64,
    /// The bytes.
    pub bytes: &'a [u8],
}

impl<'a> SliceMemory<'a> {
    /// Maps `bytes` at `base`.
    pub fn new(base: u64, bytes: &'a [u8]) -> Self {
        SliceMemory { base, bytes }
    }
}

impl ReadMemory for SliceMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let len = buf.len();
        let err = MemoryError::NotCaptured {
            address: addr,
            len: len as u64,
        };
        let start = addr.checked_sub(self.base).ok_or(err)?;
        let start = usize::try_from(start).map_err(|_| err)?;
        let end = start.checked_add(len).ok_or(err)?;
        let src = self.bytes.get(start..end).ok_or(err)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}
