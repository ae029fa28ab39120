//! Reading process memory: the [`ReadMemory`] trait and its adapters.

use crate::Error;

/// Read access to the address space of the thread being unwound (stack and, optionally, code).
///
/// Implementations return [`Error::Unavailable`] for memory they do not hold. The walker never
/// assumes that a read succeeds.
pub trait ReadMemory {
    /// Fills `buf` with the bytes at `addr`, or fails without partial guarantees.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error>;

    /// Reads a little-endian `u64`.
    fn read_u64(&self, addr: u64) -> Result<u64, Error> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Reads a little-endian `u32`.
    fn read_u32(&self, addr: u64) -> Result<u32, Error> {
        let mut b = [0u8; 4];
        self.read(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
}

impl<M: ReadMemory + ?Sized> ReadMemory for &M {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        (**self).read(addr, buf)
    }
}

impl<M: ReadMemory + ?Sized> ReadMemory for Box<M> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        (**self).read(addr, buf)
    }
}

/// Adapts a closure `Fn(addr, buf) -> Result<(), Error>` to [`ReadMemory`].
///
/// This is how a dump reader of another crate is plugged in without a dependency:
///
/// ```
/// use stackwalk::{Error, FnMemory, ReadMemory};
/// let mem = FnMemory(|addr: u64, buf: &mut [u8]| {
///     buf.fill(0xcc);
///     if addr < 0x1000 { Err(Error::Unavailable { addr, len: buf.len() as u64 }) } else { Ok(()) }
/// });
/// assert_eq!(mem.read_u32(0x2000).unwrap(), 0xcccc_cccc);
/// assert!(mem.read_u32(0).unwrap_err().is_unavailable());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FnMemory<F>(pub F);

impl<F> ReadMemory for FnMemory<F>
where
    F: Fn(u64, &mut [u8]) -> Result<(), Error>,
{
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        (self.0)(addr, buf)
    }
}

/// A flat run of bytes that starts at `base`.
#[derive(Debug, Clone, Copy)]
pub struct SliceMemory<'a> {
    /// Address of `bytes[0]`.
    pub base: u64,
    /// The bytes.
    pub bytes: &'a [u8],
}

impl<'a> SliceMemory<'a> {
    /// Memory holding `bytes` at `base`.
    pub fn new(base: u64, bytes: &'a [u8]) -> Self {
        SliceMemory { base, bytes }
    }
}

impl ReadMemory for SliceMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        let unavailable = Error::Unavailable {
            addr,
            len: buf.len() as u64,
        };
        let off = addr.checked_sub(self.base).ok_or(unavailable.clone())?;
        let off = usize::try_from(off).map_err(|_| unavailable.clone())?;
        let end = off.checked_add(buf.len()).ok_or(unavailable.clone())?;
        let src = self.bytes.get(off..end).ok_or(unavailable)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

/// Several [`SliceMemory`] regions; a read must fall inside one region.
#[derive(Debug, Clone, Default)]
pub struct RegionMemory<'a> {
    regions: Vec<SliceMemory<'a>>,
}

impl<'a> RegionMemory<'a> {
    /// No regions.
    pub fn new() -> Self {
        RegionMemory::default()
    }

    /// Adds a region (regions may be added in any order).
    pub fn add(&mut self, base: u64, bytes: &'a [u8]) -> &mut Self {
        self.regions.push(SliceMemory { base, bytes });
        self
    }
}

impl ReadMemory for RegionMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Error> {
        for r in &self.regions {
            if r.read(addr, buf).is_ok() {
                return Ok(());
            }
        }
        Err(Error::Unavailable {
            addr,
            len: buf.len() as u64,
        })
    }
}
