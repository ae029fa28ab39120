//! Printable strings in a section, like `strings` (ASCII) and `strings -el` (UTF-16LE): the way
//! to list the text of `.rdata`.

use crate::{PeImage, Result, Run, SectionHeader};

/// Which encoding [`PeImage::strings`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringKind {
    /// Runs of printable ASCII bytes (0x20..=0x7e and tab).
    Ascii,
    /// Runs of UTF-16LE code units that are printable ASCII (the usual wide strings of Windows
    /// images), starting at even offsets of the section.
    Utf16,
}

/// A string found by [`PeImage::strings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundString {
    /// RVA of its first byte.
    pub rva: u32,
    /// Its encoding.
    pub kind: StringKind,
    /// The text; cut at [`Limits::max_string_len`](crate::Limits::max_string_len) bytes (the
    /// rest of the run is skipped).
    pub text: String,
}

/// The iterator [`PeImage::strings`] returns: strings in RVA order, over the captured parts of
/// the section (a missing page ends a string).
#[derive(Debug, Clone)]
pub struct Strings {
    runs: std::vec::IntoIter<Run>,
    current: Option<Run>,
    pos: usize,
    min_len: usize,
    max_len: usize,
    kind: StringKind,
}

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

impl Strings {
    /// The next string of the current run, advancing `pos`.
    fn next_in(&mut self, run: &Run) -> Option<FoundString> {
        let bytes = &run.bytes;
        let unit = match self.kind {
            StringKind::Ascii => 1,
            StringKind::Utf16 => 2,
        };
        // UTF-16 strings start at even RVAs.
        if unit == 2 && (u64::from(run.rva).wrapping_add(self.pos as u64)) % 2 == 1 {
            self.pos = self.pos.saturating_add(1);
        }
        while self.pos < bytes.len() {
            let start = self.pos;
            let mut n = 0usize;
            let mut text = String::new();
            loop {
                let at = start.saturating_add(n.saturating_mul(unit));
                let ch = match self.kind {
                    StringKind::Ascii => bytes.get(at).copied().filter(|&b| printable(b)),
                    StringKind::Utf16 => match (bytes.get(at), bytes.get(at.saturating_add(1))) {
                        (Some(&lo), Some(&0)) if printable(lo) => Some(lo),
                        _ => None,
                    },
                };
                let Some(c) = ch else { break };
                if text.len() < self.max_len {
                    text.push(char::from(c));
                }
                n = n.saturating_add(1);
            }
            self.pos = start.saturating_add(n.max(1).saturating_mul(unit));
            if n >= self.min_len.max(1) {
                let rva = u32::try_from(u64::from(run.rva).saturating_add(start as u64))
                    .unwrap_or(u32::MAX);
                return Some(FoundString {
                    rva,
                    kind: self.kind,
                    text,
                });
            }
        }
        None
    }
}

impl Iterator for Strings {
    type Item = FoundString;

    fn next(&mut self) -> Option<FoundString> {
        loop {
            let run = match self.current.take() {
                Some(r) => r,
                None => {
                    self.pos = 0;
                    self.runs.next()?
                }
            };
            let found = self.next_in(&run);
            if found.is_some() {
                self.current = Some(run);
                return found;
            }
        }
    }
}

impl PeImage<'_> {
    /// The printable strings of at least `min_len` characters (at least 1) in a section, e.g.
    /// `.rdata`, in one encoding. Reads the captured part of the section once (bounded by
    /// [`Limits::max_read_bytes`](crate::Limits::max_read_bytes)); each string is cut at
    /// [`Limits::max_string_len`](crate::Limits::max_string_len) bytes.
    pub fn strings(
        &self,
        section: &SectionHeader,
        min_len: usize,
        kind: StringKind,
    ) -> Result<Strings> {
        let runs = self.section_runs(section)?;
        Ok(Strings {
            runs: runs.into_iter(),
            current: None,
            pos: 0,
            min_len,
            max_len: self.limits().max_string_len,
            kind,
        })
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::synth::PeBuilder;

    fn image() -> (Vec<u8>, u32) {
        let mut b = PeBuilder::x64();
        let mut data = b"\x01\x02hello\0ab\0wide:".to_vec();
        for c in "Widestring".encode_utf16() {
            data.extend_from_slice(&c.to_le_bytes());
        }
        data.extend_from_slice(&[0, 0, 0xff]);
        data.extend_from_slice(b"tab\there");
        let rva = b.add_section(".rdata", PeBuilder::RDATA, data);
        (b.build(), rva)
    }

    #[test]
    fn ascii_and_utf16_strings_of_rdata() {
        let (img, rva) = image();
        let pe = PeImage::parse_file(&img).unwrap();
        let s = pe.section_by_name(".rdata").unwrap();
        let ascii: Vec<_> = pe.strings(s, 4, StringKind::Ascii).unwrap().collect();
        let texts: Vec<&str> = ascii.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["hello", "wide:W", "tab\there"]);
        assert_eq!(ascii[0].rva, rva + 2);
        assert_eq!(ascii[0].kind, StringKind::Ascii);
        let wide: Vec<_> = pe.strings(s, 4, StringKind::Utf16).unwrap().collect();
        assert_eq!(wide.len(), 1);
        assert_eq!(wide[0].text, "Widestring");
        assert_eq!(wide[0].rva, rva + 16);
        assert_eq!(wide[0].kind, StringKind::Utf16);
        // min_len 2 also finds "ab"; min_len 0 counts as 1.
        let short: Vec<_> = pe.strings(s, 2, StringKind::Ascii).unwrap().collect();
        assert!(short.iter().any(|f| f.text == "ab"));
        assert!(pe.strings(s, 0, StringKind::Ascii).unwrap().count() >= short.len());
    }

    #[test]
    fn long_strings_are_cut_at_the_limit() {
        let mut b = PeBuilder::x64();
        b.add_section(".rdata", PeBuilder::RDATA, vec![b'x'; 1000]);
        let img = b.build();
        let pe = PeImage::parse_file(&img)
            .unwrap()
            .with_limits(crate::Limits::default().with_max_string_len(10))
            .unwrap();
        let s = pe.section_by_name(".rdata").unwrap();
        let all: Vec<_> = pe.strings(s, 4, StringKind::Ascii).unwrap().collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].text, "xxxxxxxxxx");
    }
}
