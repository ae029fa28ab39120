//! The memory-reading trait this crate reads through, with a closure adapter and a flat-slice
//! implementation.
//!
//! This file is a template shared by every library crate of the workspace: the copies differ
//! only in the crate name in doc examples (`.ci/check-memory-template` checks it). A dump reader
//! of any kind is plugged in through [`FnMemory::new`] without a dependency between crates.

/// Why a read of target memory failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// The bytes are not in the dump: never captured, reserved but not committed, or (kernel
    /// memory) paged out, in transition, demand-zero.
    #[error("memory at {addr:#x} ({len:#x} bytes) is not in the dump")]
    NotCaptured {
        /// First address of the failed read.
        addr: u64,
        /// Length of the failed read.
        len: u64,
    },
    /// The memory source failed for another reason (I/O error, corrupt dump, bad page table).
    #[error("memory read at {addr:#x} ({len:#x} bytes) failed")]
    Failed {
        /// First address of the failed read.
        addr: u64,
        /// Length of the failed read.
        len: u64,
    },
}

impl MemoryError {
    /// `NotCaptured` for a read of `len` bytes at `addr`.
    pub fn not_captured(addr: u64, len: usize) -> Self {
        MemoryError::NotCaptured {
            addr,
            len: len as u64,
        }
    }
    /// `Failed` for a read of `len` bytes at `addr`.
    pub fn failed(addr: u64, len: usize) -> Self {
        MemoryError::Failed {
            addr,
            len: len as u64,
        }
    }
    /// The address of the failed read.
    pub fn addr(&self) -> u64 {
        match *self {
            MemoryError::NotCaptured { addr, .. } | MemoryError::Failed { addr, .. } => addr,
        }
    }
    /// The length of the failed read.
    pub fn byte_len(&self) -> u64 {
        match *self {
            MemoryError::NotCaptured { len, .. } | MemoryError::Failed { len, .. } => len,
        }
    }
    /// Whether the bytes are simply not in the dump (as opposed to a failure or corruption).
    pub fn is_not_captured(&self) -> bool {
        matches!(self, MemoryError::NotCaptured { .. })
    }
}

/// The width of a pointer in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointerWidth {
    /// 32-bit pointers (x86, WOW64, ARM32).
    Bits32,
    /// 64-bit pointers (x64, ARM64).
    Bits64,
}

impl PointerWidth {
    /// Size of a pointer in bytes (4 or 8).
    pub const fn bytes(self) -> u64 {
        match self {
            PointerWidth::Bits32 => 4,
            PointerWidth::Bits64 => 8,
        }
    }
}

/// A source of target memory, addressed by virtual address.
///
/// The only required method reads exactly `buf.len()` bytes at `addr`, or fails.
pub trait ReadMemory {
    /// Fill `buf` with the bytes at `addr..addr + buf.len()`, or return an error and leave the
    /// content of `buf` unspecified.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemoryError>;

    /// Read a `u8`.
    fn read_u8(&self, addr: u64) -> Result<u8, MemoryError> {
        let mut b = [0u8; 1];
        self.read(addr, &mut b)?;
        Ok(u8::from_le_bytes(b))
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
            PointerWidth::Bits32 => self.read_u32(addr).map(u64::from),
            PointerWidth::Bits64 => self.read_u64(addr),
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

/// The closure type [`FnMemory`] adapts: read `buf.len()` bytes at an address.
pub trait ReadFn: Fn(u64, &mut [u8]) -> Result<(), MemoryError> {}
impl<F: Fn(u64, &mut [u8]) -> Result<(), MemoryError>> ReadFn for F {}

/// Adapts a closure `Fn(addr, buf) -> Result<(), MemoryError>` to [`ReadMemory`].
///
/// [`FnMemory::new`] names the closure's signature, so its argument types are inferred.
///
/// ```
/// use ntheap::{FnMemory, MemoryError, ReadMemory};
/// let mem = FnMemory::new(|addr, buf| {
///     buf.fill(0xAB);
///     if addr == 0 { Err(MemoryError::not_captured(addr, buf.len())) } else { Ok(()) }
/// });
/// assert_eq!(mem.read_u16(0x10).unwrap(), 0xABAB);
/// assert!(mem.read_u16(0).unwrap_err().is_not_captured());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FnMemory<F>(F);

impl<F: ReadFn> FnMemory<F> {
    /// Wrap a closure that reads `buf.len()` bytes at an address.
    pub fn new(f: F) -> Self {
        FnMemory(f)
    }
}

impl<F: ReadFn> ReadMemory for FnMemory<F> {
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
        let missing = MemoryError::not_captured(addr, buf.len());
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
