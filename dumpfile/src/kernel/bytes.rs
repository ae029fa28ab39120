//! Bounds-checked little-endian reads from the file bytes, and the file source.

use std::ops::Deref;

/// The bytes of a kernel dump: a read-only memory map or an owned buffer.
#[derive(Debug)]
pub(crate) enum KernelSource {
    /// A read-only memory map of the file.
    Mapped(memmap2::Mmap),
    /// Bytes owned by the reader.
    Owned(Vec<u8>),
}

impl Deref for KernelSource {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            KernelSource::Mapped(m) => m,
            KernelSource::Owned(v) => v,
        }
    }
}

/// `bytes[off .. off + len]`, if in bounds.
pub(crate) fn get(bytes: &[u8], off: u64, len: u64) -> Option<&[u8]> {
    let s = usize::try_from(off).ok()?;
    let n = usize::try_from(len).ok()?;
    bytes.get(s..s.checked_add(n)?)
}

/// Little-endian `u8` at `off`.
pub(crate) fn u8_at(bytes: &[u8], off: u64) -> Option<u8> {
    get(bytes, off, 1)?.first().copied()
}

/// Little-endian `u16` at `off`.
pub(crate) fn u16_at(bytes: &[u8], off: u64) -> Option<u16> {
    Some(u16::from_le_bytes(get(bytes, off, 2)?.try_into().ok()?))
}

/// Little-endian `u32` at `off`.
pub(crate) fn u32_at(bytes: &[u8], off: u64) -> Option<u32> {
    Some(u32::from_le_bytes(get(bytes, off, 4)?.try_into().ok()?))
}

/// Little-endian `u64` at `off`.
pub(crate) fn u64_at(bytes: &[u8], off: u64) -> Option<u64> {
    Some(u64::from_le_bytes(get(bytes, off, 8)?.try_into().ok()?))
}

/// `bytes.len()` as `u64`.
pub(crate) fn len64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// Decodes UTF-16LE bytes (odd trailing byte ignored), stopping at the first NUL.
pub(crate) fn utf16(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .take_while(|&u| u != 0);
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// ASCII/Latin-1 bytes up to the first NUL.
pub(crate) fn ascii(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect()
}
