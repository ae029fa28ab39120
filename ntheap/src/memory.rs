//! The memory-reading trait the walker reads through, with a closure adapter and a flat-slice
//! implementation.

use crate::layout::PointerWidth;

/// Why a read of target memory failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// The bytes are not in the dump (never captured, or reserved but not committed).
    #[error("memory at {addr:#x} ({len:#x} bytes) is not captured")]
    NotCaptured {
        /// First address of the failed read.
        addr: u64,
        /// Length of the failed read.
        len: usize,
    },
    /// The memory source failed for another reason (I/O error, bad dump).
    #[error("memory read at {addr:#x} ({len:#x} bytes) failed")]
    Failed {
        /// First address of the failed read.
        addr: u64,
        /// Length of the failed read.
        len: usize,
    },
}

impl MemoryError {
    /// The address of the failed read.
    pub fn addr(&self) -> u64 {
        match *self {
            MemoryError::NotCaptured { addr, .. } | MemoryError::Failed { addr, .. } => addr,
        }
    }
}

/// A source of target-process memory, addressed by virtual address.
///
/// The only required method reads exactly `buf.len()` bytes at `addr`, or fails.
pub trait ReadMemory {
    /// Fill `buf` with the bytes at `addr..addr + buf.len()`, or return an error and leave the
    /// content of `buf` unspecified.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError>;

    /// Read a little-endian `u8`.
    fn read_u8(&self, addr: u64) -> Result<u8, MemoryError> {
        let mut b = [0u8; 1];
        self.read(addr, &mut b)?;
        Ok(b[0])
    }
    /// Read a little-endian `u16`.
    fn read_u16(&self, addr: u64) -> Result<u16, MemoryError> {
        let mut b = [0u8; 2];
        self.read(addr, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    /// Read a little-endian `u32`.
    fn read_u32(&self, addr: u64) -> Result<u32, MemoryError> {
        let mut b = [0u8; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    /// Read a little-endian `u64`.
    fn read_u64(&self, addr: u64) -> Result<u64, MemoryError> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    /// Read a pointer of the given width, zero-extended to `u64`.
    fn read_ptr(&self, addr: u64, width: PointerWidth) -> Result<u64, MemoryError> {
        match width {
            PointerWidth::X86 => self.read_u32(addr).map(u64::from),
            PointerWidth::X64 => self.read_u64(addr),
        }
    }
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

/// Adapts a closure `Fn(addr, buf) -> Result<(), MemoryError>` to [`ReadMemory`].
///
/// This is how another crate's dump reader is plugged in without a dependency between crates.
///
/// ```
/// use ntheap::{FnMemory, MemoryError, ReadMemory};
/// let mem = FnMemory(|addr: u64, buf: &mut [u8]| {
///     buf.fill(0xAB);
///     if addr == 0 { Err(MemoryError::NotCaptured { addr, len: buf.len() }) } else { Ok(()) }
/// });
/// assert_eq!(mem.read_u16(0x10).unwrap(), 0xABAB);
/// assert!(mem.read_u16(0).is_err());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FnMemory<F>(pub F);

impl<F> ReadMemory for FnMemory<F>
where
    F: Fn(u64, &mut [u8]) -> Result<(), MemoryError>,
{
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        (self.0)(addr, buf)
    }
}

/// A flat byte slice mapped at a base address; everything outside it is not captured.
#[derive(Debug, Clone, Copy)]
pub struct SliceMemory<'a> {
    base: u64,
    bytes: &'a [u8],
}

impl<'a> SliceMemory<'a> {
    /// Map `bytes` at `base`.
    pub fn new(base: u64, bytes: &'a [u8]) -> Self {
        SliceMemory { base, bytes }
    }
    /// The base address.
    pub fn base(&self) -> u64 {
        self.base
    }
    /// The mapped bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl ReadMemory for SliceMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        let missing = MemoryError::NotCaptured {
            addr,
            len: buf.len(),
        };
        let start = addr
            .checked_sub(self.base)
            .and_then(|o| usize::try_from(o).ok())
            .ok_or(missing)?;
        let end = start.checked_add(buf.len()).ok_or(missing)?;
        let src = self.bytes.get(start..end).ok_or(missing)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// A flat byte slice is memory at address 0.
impl ReadMemory for [u8] {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError> {
        SliceMemory::new(0, self).read(addr, buf)
    }
}
