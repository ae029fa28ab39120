//! Pattern search (`s -a`, `s -u`, `s -b`) and string reads (`da`, `du`).

use crate::image::{PAGE, PeImage};
use crate::{Error, ReadMemory, Result};

/// A search pattern, turned into the bytes to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// ASCII / 8-bit text, searched byte for byte (`s -a`).
    Ascii(String),
    /// Text searched as UTF-16LE (`s -u`).
    Utf16(String),
    /// Raw bytes (`s -b`).
    Bytes(Vec<u8>),
}

impl Pattern {
    /// The bytes to look for.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Pattern::Ascii(s) => s.as_bytes().to_vec(),
            Pattern::Utf16(s) => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Pattern::Bytes(b) => b.clone(),
        }
    }

    /// Parses a WinDbg-style byte list such as `"4d 5a 90"` or `"4d5a90"`.
    pub fn parse_hex(text: &str) -> Option<Pattern> {
        let digits: Vec<u8> = text
            .bytes()
            .filter(|b| !b.is_ascii_whitespace() && *b != b',')
            .collect();
        if digits.is_empty() {
            return None;
        }
        // Either space-separated groups of 1-2 digits, or one even-length run.
        let groups: Vec<&str> = text
            .split(|c: char| c.is_ascii_whitespace() || c == ',')
            .filter(|g| !g.is_empty())
            .collect();
        let mut out = Vec::new();
        if groups.len() > 1 {
            for g in groups {
                out.push(u8::from_str_radix(g.trim_start_matches("0x"), 16).ok()?);
            }
        } else {
            let g = groups.first()?.trim_start_matches("0x");
            if g.len() % 2 != 0 {
                return None;
            }
            let b = g.as_bytes();
            for pair in b.chunks_exact(2) {
                let s = core::str::from_utf8(pair).ok()?;
                out.push(u8::from_str_radix(s, 16).ok()?);
            }
        }
        Some(Pattern::Bytes(out))
    }
}

/// Offsets of every occurrence of `needle` in `hay` (overlapping hits included), at most
/// `max_hits`.
pub fn find_all(hay: &[u8], needle: &[u8], max_hits: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let Some((&first, rest)) = needle.split_first() else {
        return out;
    };
    let mut i = 0usize;
    while let Some(tail) = hay.get(i..) {
        let Some(p) = tail.iter().position(|&b| b == first) else {
            break;
        };
        let at = i.saturating_add(p);
        let after = at.saturating_add(1);
        if hay.get(after..after.saturating_add(rest.len())) == Some(rest) {
            if out.len() >= max_hits {
                break;
            }
            out.push(at);
        }
        i = after;
    }
    out
}

/// Searches `[addr, addr+len)` of any memory for `needle`, page by page, skipping pages that
/// are not captured. Returns the hit addresses (at most `max_hits`). Hits that span two
/// captured adjacent pages are found.
pub fn search_memory(
    mem: &dyn ReadMemory,
    addr: u64,
    len: u64,
    needle: &[u8],
    max_hits: usize,
) -> Result<Vec<u64>> {
    if needle.is_empty() {
        return Err(Error::EmptyPattern);
    }
    let end = addr.checked_add(len).ok_or(Error::Overflow { at: addr })?;
    let mut hits = Vec::new();
    // Carry the tail of the previous captured page to catch hits across a page boundary.
    let mut carry: Vec<u8> = Vec::new();
    let mut carry_at = addr;
    let mut pos = addr;
    let mut page = vec![0u8; usize::try_from(PAGE).unwrap_or(4096)];
    while pos < end && hits.len() < max_hits {
        let next = (pos | (PAGE - 1)).saturating_add(1).min(end);
        let n = usize::try_from(next.saturating_sub(pos)).unwrap_or(0);
        let buf = page.get_mut(..n).unwrap_or(&mut []);
        match mem.read(pos, buf) {
            Ok(()) => {
                if carry.is_empty() {
                    carry_at = pos;
                }
                carry.extend_from_slice(buf);
                for off in find_all(&carry, needle, max_hits.saturating_sub(hits.len())) {
                    let a = carry_at.saturating_add(off as u64);
                    if hits.last().is_none_or(|&l| a > l) {
                        hits.push(a);
                    }
                }
                let keep = needle.len().saturating_sub(1).min(carry.len());
                let drop = carry.len().saturating_sub(keep);
                carry.drain(..drop);
                carry_at = carry_at.saturating_add(drop as u64);
            }
            Err(crate::MemoryError::NotCaptured { .. }) => carry.clear(),
            Err(e) => return Err(e.into()),
        }
        if next == pos {
            break;
        }
        pos = next;
    }
    Ok(hits)
}

/// Reads a NUL-terminated 8-bit string at `addr` (`da`), at most `max_len` bytes. The
/// terminator is not included. Stops early (without error) at the first uncaptured byte
/// after at least one byte was read.
pub fn read_cstr(mem: &dyn ReadMemory, addr: u64, max_len: usize) -> Result<Vec<u8>> {
    read_terminated(mem, addr, max_len, 1).map(|v| v.into_iter().flatten().collect())
}

/// Reads a NUL-terminated UTF-16LE string at `addr` (`du`), at most `max_chars` units.
pub fn read_wstr(mem: &dyn ReadMemory, addr: u64, max_chars: usize) -> Result<Vec<u16>> {
    read_terminated(mem, addr, max_chars, 2).map(|v| {
        v.into_iter()
            .map(|u| {
                u16::from_le_bytes([
                    u.first().copied().unwrap_or(0),
                    u.get(1).copied().unwrap_or(0),
                ])
            })
            .collect()
    })
}

fn read_terminated(
    mem: &dyn ReadMemory,
    addr: u64,
    max_units: usize,
    unit: usize,
) -> Result<Vec<Vec<u8>>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut pos = addr;
    let mut chunk = [0u8; 64];
    'outer: while out.len() < max_units {
        let to_page = (pos | (PAGE - 1)).saturating_add(1).saturating_sub(pos);
        let n = usize::try_from(to_page).unwrap_or(64).min(64);
        let n = n.saturating_sub(n.checked_rem(unit).unwrap_or(0)).max(unit);
        let buf = chunk.get_mut(..n).unwrap_or(&mut []);
        if let Err(e) = mem.read(pos, buf) {
            // The chunk may run past the end of captured memory: fall back to one unit at a
            // time so the string's last bytes before the hole are still read.
            let mut unit_buf = [0u8; 2];
            let ub = unit_buf.get_mut(..unit).unwrap_or(&mut []);
            let mut at = pos;
            loop {
                if out.len() >= max_units {
                    break 'outer;
                }
                if mem.read(at, ub).is_err() {
                    if out.is_empty() {
                        return Err(e.into());
                    }
                    break 'outer;
                }
                if ub.iter().all(|&b| b == 0) {
                    break 'outer;
                }
                out.push(ub.to_vec());
                at = at.checked_add(unit as u64).ok_or(Error::Overflow { at })?;
            }
        }
        for u in buf.chunks_exact(unit) {
            if u.iter().all(|&b| b == 0) || out.len() >= max_units {
                break 'outer;
            }
            out.push(u.to_vec());
        }
        pos = pos
            .checked_add(n as u64)
            .ok_or(Error::Overflow { at: pos })?;
    }
    Ok(out)
}

/// A memory view of an image by RVA (address = RVA).
struct RvaMemory<'i, 'a>(&'i PeImage<'a>);

impl ReadMemory for RvaMemory<'_, '_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> core::result::Result<(), crate::MemoryError> {
        let len = buf.len();
        let rva = u32::try_from(addr).map_err(|_| crate::MemoryError::not_captured(addr, len))?;
        self.0.read_rva(rva, buf).map_err(|e| match e {
            Error::ReadFailed { address, .. } => crate::MemoryError::failed(address, len),
            _ => crate::MemoryError::not_captured(addr, len),
        })
    }
}

pub(crate) fn read_cstr_image(image: &PeImage<'_>, rva: u32, max: usize) -> Result<Vec<u8>> {
    read_cstr(&RvaMemory(image), u64::from(rva), max)
}

impl PeImage<'_> {
    /// Finds `pattern` in `[rva, rva+len)` of the image; returns hit RVAs. Only readable
    /// bytes are searched (missing pages are skipped, never treated as zeros).
    pub fn search_rva(&self, pattern: &Pattern, rva: u32, len: u64) -> Result<Vec<u32>> {
        let needle = pattern.to_bytes();
        if needle.is_empty() {
            return Err(Error::EmptyPattern);
        }
        let max = self.limits().max_hits;
        let mut hits = Vec::new();
        for run in self.captured_runs(rva, len)? {
            for off in find_all(&run.bytes, &needle, max.saturating_sub(hits.len())) {
                if let Some(r) = u32::try_from(off).ok().and_then(|o| run.rva.checked_add(o)) {
                    hits.push(r);
                }
            }
        }
        Ok(hits)
    }

    /// Finds `pattern` in a section (by name, e.g. `.rdata`); returns hit RVAs.
    pub fn search_section(&self, pattern: &Pattern, section: &str) -> Result<Vec<u32>> {
        let s = self.section_by_name(section).ok_or(Error::Malformed {
            what: "section",
            rva: 0,
            reason: "no section with this name",
        })?;
        let (start, end) = self.section_extent(s);
        self.search_rva(pattern, start, u64::from(end.saturating_sub(start)))
    }

    /// Reads a NUL-terminated 8-bit string at `rva` (at most `max_len` bytes).
    pub fn read_cstr_rva(&self, rva: u32, max_len: usize) -> Result<Vec<u8>> {
        read_cstr_image(self, rva, max_len)
    }

    /// Reads a NUL-terminated UTF-16LE string at `rva` (at most `max_chars` units).
    pub fn read_wstr_rva(&self, rva: u32, max_chars: usize) -> Result<Vec<u16>> {
        read_wstr(&RvaMemory(self), u64::from(rva), max_chars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FnMemory, MemoryError, SliceMemory};

    #[test]
    fn find_all_overlapping_and_capped() {
        assert_eq!(find_all(b"aaaa", b"aa", 10), vec![0, 1, 2]);
        assert_eq!(find_all(b"aaaa", b"aa", 2), vec![0, 1]);
        assert_eq!(find_all(b"abc", b"", 10), Vec::<usize>::new());
        assert_eq!(find_all(b"ab", b"abc", 10), Vec::<usize>::new());
    }

    #[test]
    fn search_crosses_pages_and_skips_holes() {
        let mut bytes = vec![0u8; 0x3000];
        bytes[0xffe..0x1003].copy_from_slice(b"HELLO"); // across the first page boundary
        bytes[0x2010..0x2015].copy_from_slice(b"HELLO"); // in the third page
        bytes[0x1800..0x1805].copy_from_slice(b"HELLO"); // in the missing second page
        let flat = SliceMemory::new(0x10_0000, &bytes);
        // The page at 0x101000 is missing.
        let mem = FnMemory::new(|a, b| {
            if a < 0x10_2000 && a + b.len() as u64 > 0x10_1000 {
                return Err(MemoryError::not_captured(a, b.len()));
            }
            flat.read(a, b)
        });
        // With page 2 missing, the hit spanning pages 1-2 is lost too; hits in page 3 remain.
        let hits = search_memory(&mem, 0x10_0000, 0x3000, b"HELLO", 10).unwrap();
        assert_eq!(hits, vec![0x10_2010]);
        // Fully captured: the boundary-spanning hit is found.
        let hits = search_memory(&flat, 0x10_0000, 0x3000, b"HELLO", 10).unwrap();
        assert_eq!(hits, vec![0x10_0ffe, 0x10_1800, 0x10_2010]);
        assert_eq!(
            search_memory(&flat, 0x10_0000, 0x3000, b"", 10),
            Err(Error::EmptyPattern)
        );
    }

    #[test]
    fn strings_stop_at_nul_max_and_missing_memory() {
        let bytes = b"abc\0def";
        let m = SliceMemory::new(0x1000, bytes);
        assert_eq!(read_cstr(&m, 0x1000, 100).unwrap(), b"abc");
        assert_eq!(read_cstr(&m, 0x1000, 2).unwrap(), b"ab");
        // Runs into the end of captured memory after some bytes: what was read is returned.
        assert_eq!(read_cstr(&m, 0x1004, 100).unwrap(), b"def");
        assert!(read_cstr(&m, 0x2000, 100).unwrap_err().is_not_captured());
        let w: Vec<u8> = "hé\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let m = SliceMemory::new(0, &w);
        assert_eq!(
            String::from_utf16(&read_wstr(&m, 0, 10).unwrap()).unwrap(),
            "hé"
        );
        assert_eq!(
            Pattern::parse_hex("4d 5a 90"),
            Some(Pattern::Bytes(vec![0x4d, 0x5a, 0x90]))
        );
        assert_eq!(
            Pattern::parse_hex("4d5a90"),
            Some(Pattern::Bytes(vec![0x4d, 0x5a, 0x90]))
        );
        assert_eq!(Pattern::parse_hex("4d5"), None);
        assert_eq!(
            Pattern::Utf16("ab".into()).to_bytes(),
            vec![b'a', 0, b'b', 0]
        );
    }
}
