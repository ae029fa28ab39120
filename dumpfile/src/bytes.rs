//! Bounds-checked little-endian reads from file bytes, and the per-call copy budget.

use crate::{Error, Limits};

/// What one call may still copy out of the dump ([`Limits::max_copy_bytes`]).
#[derive(Debug)]
pub(crate) struct Budget {
    left: u64,
    limit: u64,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Budget {
        Budget {
            left: limits.max_copy_bytes,
            limit: limits.max_copy_bytes,
        }
    }

    /// Charges `n` bytes, or fails with [`Error::LimitExceeded`].
    pub(crate) fn take(&mut self, n: u64, what: &'static str) -> Result<(), Error> {
        match self.left.checked_sub(n) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(Error::LimitExceeded {
                what,
                limit: self.limit,
            }),
        }
    }
}

/// Little-endian `u16` at `off`, if in bounds.
pub(crate) fn le_u16(bytes: &[u8], off: usize) -> Option<u16> {
    let b = bytes.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

/// Little-endian `u32` at `off`, if in bounds.
pub(crate) fn le_u32(bytes: &[u8], off: usize) -> Option<u32> {
    let b = bytes.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// `bytes.len()` as `u64`.
pub(crate) fn len64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// `bytes[offset .. offset + size]`, or [`Error::InvalidRva`].
pub(crate) fn file_slice(bytes: &[u8], offset: u64, size: u64) -> Result<&[u8], Error> {
    let err = Error::InvalidRva { rva: offset, size };
    let start = usize::try_from(offset).map_err(|_| Error::InvalidRva { rva: offset, size })?;
    let len = usize::try_from(size).map_err(|_| Error::InvalidRva { rva: offset, size })?;
    let end = start
        .checked_add(len)
        .ok_or(Error::InvalidRva { rva: offset, size })?;
    bytes.get(start..end).ok_or(err)
}

/// Decodes UTF-16LE bytes (odd trailing byte ignored), stopping at the first NUL.
pub(crate) fn utf16_lossy(bytes: &[u8]) -> String {
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

/// Splits a `u32`-counted list (ThreadList, ModuleList, MemoryList), tolerating the 4 bytes of
/// padding some writers put after the count. Returns the entries' bytes.
pub(crate) fn counted_list(
    stream: &[u8],
    stream_type: u32,
    rva: u32,
    entry_size: usize,
) -> Result<(u32, &[u8]), Error> {
    let count_bytes = stream.get(..4).ok_or(Error::BadStream {
        stream_type,
        rva: u64::from(rva),
        reason: "shorter than its count field",
    })?;
    let mut c = [0u8; 4];
    c.copy_from_slice(count_bytes);
    let count = u32::from_le_bytes(c);
    let need = usize::try_from(count)
        .ok()
        .and_then(|n| n.checked_mul(entry_size))
        .ok_or(Error::CountTooLarge {
            stream_type,
            count: u64::from(count),
        })?;
    let rest = stream.get(4..).unwrap_or(&[]);
    // Padded variant: exactly 4 extra bytes after the count.
    if rest.len() == need.saturating_add(4) && rest.len() >= 4 {
        return Ok((count, rest.get(4..).unwrap_or(&[])));
    }
    match rest.get(..need) {
        Some(entries) => Ok((count, entries)),
        None => Err(Error::CountTooLarge {
            stream_type,
            count: u64::from(count),
        }),
    }
}
