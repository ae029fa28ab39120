//! Helpers shared by the benches in `benches/`: the synthetic full-memory dump they all read
//! (written once to a temporary file by the streaming [`SynthDump::write_to`] and reused),
//! and a checksum that every reader under test applies to the bytes it returns, so all of
//! them touch every captured byte.
//!
//! ```
//! use benches::{FullDumpSpec, word_pattern_byte};
//! let spec = FullDumpSpec { regions: 3, total_bytes: 3 * 4096 };
//! let dump = spec.synth().write().expect("small dump");
//! assert_eq!(&dump[..4], b"MDMP");
//! assert_eq!(word_pattern_byte(0x1_0008), 0x08);
//! ```

use std::fs;
use std::io::{self, BufWriter};
use std::path::PathBuf;

use dumpfile::synth::{SynthArch, SynthDump, SynthMemoryInfo};

/// Page size used to lay out the synthetic regions.
pub const PAGE: u64 = 4096;
/// Address of the first synthetic region.
pub const FIRST_REGION: u64 = 0x1_0000;

/// Shape of a synthetic full-memory dump: `regions` Memory64List ranges holding
/// `total_bytes` in all (rounded down to whole pages), each followed by a one-page hole so
/// no two ranges are adjacent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FullDumpSpec {
    /// Number of memory ranges.
    pub regions: usize,
    /// Total captured bytes.
    pub total_bytes: u64,
}

impl FullDumpSpec {
    /// What the issue asks for: 2 GiB in 100,000 ranges.
    pub const ISSUE: FullDumpSpec = FullDumpSpec {
        regions: 100_000,
        total_bytes: 2 << 30,
    };

    /// [`Self::ISSUE`], unless `DUMPSCOPE_BENCH_BYTES` / `DUMPSCOPE_BENCH_REGIONS` override
    /// it (for a quicker run on a small machine).
    #[must_use]
    pub fn from_env() -> FullDumpSpec {
        let var = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        FullDumpSpec {
            regions: var("DUMPSCOPE_BENCH_REGIONS")
                .and_then(|v| usize::try_from(v).ok())
                .unwrap_or(Self::ISSUE.regions),
            total_bytes: var("DUMPSCOPE_BENCH_BYTES").unwrap_or(Self::ISSUE.total_bytes),
        }
    }

    /// `(base, size)` of every range, ascending. Pages are spread evenly: the first
    /// `pages % regions` ranges get one page more.
    #[must_use]
    pub fn ranges(&self) -> Vec<(u64, u64)> {
        let regions = u64::try_from(self.regions.max(1)).unwrap_or(u64::MAX);
        let pages = self.total_bytes.div_euclid(PAGE);
        let per = pages.checked_div(regions).unwrap_or(0);
        let extra = pages.checked_rem(regions).unwrap_or(0);
        let mut out = Vec::with_capacity(self.regions);
        let mut base = FIRST_REGION;
        for i in 0..regions {
            let size = per
                .saturating_add(u64::from(i < extra))
                .saturating_mul(PAGE);
            if size == 0 {
                continue;
            }
            out.push((base, size));
            base = base.saturating_add(size).saturating_add(PAGE);
        }
        out
    }

    /// The dump: an x64 SystemInfo, a MemoryInfoList entry per range (udmp-parser requires
    /// one) and the ranges in a Memory64List, filled by [`word_pattern_byte`].
    #[must_use]
    pub fn synth(&self) -> SynthDump {
        let mut dump = SynthDump::new(SynthArch::X64).full_memory();
        for (base, size) in self.ranges() {
            dump = dump
                .memory_info(SynthMemoryInfo {
                    base_address: base,
                    allocation_base: base,
                    allocation_protect: 0x04,
                    region_size: size,
                    state: 0x1000,
                    protect: 0x04,
                    type_: 0x20000,
                })
                .memory_fill(base, size, move |off, buf| {
                    fill_words(base.wrapping_add(off), buf);
                });
        }
        dump
    }

    /// Where [`ensure_file`](Self::ensure_file) keeps the dump.
    #[must_use]
    pub fn path(&self) -> PathBuf {
        std::env::temp_dir().join(format!(
            "dumpscope-bench-full-{}r-{}b.dmp",
            self.regions, self.total_bytes
        ))
    }

    /// Writes the dump to [`path`](Self::path) with the streaming writer unless a file of the
    /// right size is already there; returns the path.
    ///
    /// # Errors
    /// I/O errors, or the writer's if the layout does not fit.
    pub fn ensure_file(&self) -> io::Result<PathBuf> {
        let dump = self.synth();
        let want = dump.output_len().map_err(io::Error::other)?;
        let path = self.path();
        if fs::metadata(&path).is_ok_and(|m| m.len() == want) {
            return Ok(path);
        }
        let tmp = path.with_extension("partial");
        let file = fs::File::create(&tmp)?;
        dump.write_to(BufWriter::with_capacity(1 << 20, file))
            .map_err(io::Error::other)?;
        fs::rename(&tmp, &path)?;
        Ok(path)
    }
}

/// The byte the synthetic memory holds at `addr`: each 8-byte-aligned word holds its own
/// address, little-endian, so `read_u64(a) == a` for aligned `a`.
#[must_use]
pub fn word_pattern_byte(addr: u64) -> u8 {
    let word = addr & !7;
    let index = usize::try_from(addr & 7).unwrap_or(0);
    word.to_le_bytes().get(index).copied().unwrap_or(0)
}

/// Fills `buf` (memory starting at `addr`) with the [`word_pattern_byte`] pattern.
pub fn fill_words(addr: u64, buf: &mut [u8]) {
    if addr.is_multiple_of(8) {
        let mut word = addr;
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&word.to_le_bytes());
            word = word.wrapping_add(8);
        }
        for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
            *b = word_pattern_byte(word.wrapping_add(u64::try_from(i).unwrap_or(0)));
        }
    } else {
        let mut a = addr;
        for b in buf {
            *b = word_pattern_byte(a);
            a = a.wrapping_add(1);
        }
    }
}

/// A cheap checksum of `bytes` (wrapping sum of little-endian words plus the tail), used so
/// each reader under test must actually touch every byte it hands out.
#[must_use]
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    let mut sum = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        sum = sum.wrapping_add(u64::from_le_bytes(w));
    }
    for b in chunks.remainder() {
        sum = sum.wrapping_add(u64::from(*b));
    }
    sum
}

/// The checksum every reader must produce for the whole dump of `spec`, computed from the
/// pattern without any file.
#[must_use]
pub fn expected_checksum(spec: &FullDumpSpec) -> u64 {
    let mut sum = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    for (base, size) in spec.ranges() {
        let mut off = 0;
        while off < size {
            let n = usize::try_from(size.saturating_sub(off).min(1 << 16)).unwrap_or(1 << 16);
            let chunk = buf.get_mut(..n).unwrap_or_default();
            fill_words(base.wrapping_add(off), chunk);
            // Regions are page-multiples and chunks 8-aligned, so per-chunk sums add up.
            sum = sum.wrapping_add(checksum(chunk));
            off = off.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        }
    }
    sum
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_total_in_separate_pages() {
        let spec = FullDumpSpec {
            regions: 7,
            total_bytes: 30 * PAGE,
        };
        let r = spec.ranges();
        assert_eq!(r.len(), 7);
        assert_eq!(r.iter().map(|x| x.1).sum::<u64>(), 30 * PAGE);
        assert_eq!(
            r[0],
            (FIRST_REGION, 5 * PAGE),
            "the first 30 % 7 get a page more"
        );
        assert_eq!(r[6].1, 4 * PAGE);
        for w in r.windows(2) {
            assert_eq!(
                w[0].0 + w[0].1 + PAGE,
                w[1].0,
                "one-page hole between ranges"
            );
        }
    }

    #[test]
    fn the_written_dump_holds_the_pattern_and_the_expected_checksum() {
        let spec = FullDumpSpec {
            regions: 3,
            total_bytes: 5 * PAGE,
        };
        let dump = spec.synth();
        let bytes = dump.write().unwrap();
        assert_eq!(bytes.len() as u64, dump.output_len().unwrap());
        // Memory64List: the data is the last 5 pages of the file, ranges in order.
        let data = &bytes[bytes.len() - 5 * PAGE as usize..];
        let mut off = 0usize;
        let mut sum = 0u64;
        for (base, size) in spec.ranges() {
            let region = &data[off..off + size as usize];
            assert_eq!(&region[8..16], &(base + 8).to_le_bytes());
            sum = sum.wrapping_add(checksum(region));
            off += size as usize;
        }
        assert_eq!(sum, expected_checksum(&spec));
        let mut odd = [0u8; 8];
        fill_words(0x1001, &mut odd);
        assert_eq!(odd, [0x10, 0, 0, 0, 0, 0, 0, 0x08]);
    }
}
