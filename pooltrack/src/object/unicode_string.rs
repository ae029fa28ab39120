//! `_UNICODE_STRING`: `Length` (bytes), `MaximumLength`, `Buffer` (a pointer at +4 on x86, +8 on
//! x64).

use crate::error::Error;
use crate::memory::{PointerWidth, ReadMemory};

/// Read the `_UNICODE_STRING` at `addr` and its text. An empty string gives `Ok("")`; a length
/// that is odd or larger than `MaximumLength` is corrupt. At most 64 KiB is read (the field is
/// a `u16`).
pub(crate) fn read_unicode_string<M: ReadMemory + ?Sized>(
    mem: &M,
    addr: u64,
    width: PointerWidth,
) -> Result<String, Error> {
    let len = mem.read_u16(addr)?;
    let max = mem.read_u16(addr.checked_add(2).ok_or(Error::Corrupt {
        what: "UNICODE_STRING",
        addr,
    })?)?;
    if len == 0 {
        return Ok(String::new());
    }
    if len % 2 != 0 || len > max {
        return Err(Error::Corrupt {
            what: "UNICODE_STRING",
            addr,
        });
    }
    let buf_at = addr.checked_add(width.bytes()).ok_or(Error::Corrupt {
        what: "UNICODE_STRING",
        addr,
    })?;
    let buffer = mem.read_ptr(buf_at, width)?;
    let mut bytes = vec![0u8; usize::from(len)];
    mem.read(buffer, &mut bytes)?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_le_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

/// The text of a fixed `UCHAR[n]` name such as `_EPROCESS.ImageFileName`: up to the first NUL,
/// bytes outside printable ASCII replaced by `?`.
pub(crate) fn ansi_name(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| {
            if (0x20..0x7F).contains(&b) {
                char::from(b)
            } else {
                '?'
            }
        })
        .collect()
}
