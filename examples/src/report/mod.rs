//! How a command's report reaches the user: WinDbg-style text ([`Text`]) or JSON (serde of the
//! report itself), chosen by [`Format`] and written by [`emit`].
//!
//! A report is plain data built by a command's `investigate`; it never reads the dump again when
//! it is rendered, so the text and the JSON always say the same thing.

use std::fmt;
use std::io;

use serde::Serialize;

use crate::CliError;

pub mod numbers;
pub mod suspect;

pub use self::numbers::{addr, hex_size, human_size, runaway_time, thousands, unix_to_filetime};
pub use self::suspect::{Suspect, rank_in_order, write_suspects};

/// A report rendered as WinDbg-style text.
pub trait Text {
    /// Writes the report as text.
    fn text(&self, out: &mut dyn io::Write) -> io::Result<()>;

    /// A problem the report ends with: shown after the report (text or JSON) as the command's
    /// one-line error, with a non-zero exit. `None` by default.
    fn failure(&self) -> Option<String> {
        None
    }
}

/// Text or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// WinDbg-style text.
    #[default]
    Text,
    /// Pretty JSON (a stable contract), followed by a newline.
    Json,
}

impl Format {
    /// `Json` when `json` is set.
    pub fn json_if(json: bool) -> Self {
        if json { Format::Json } else { Format::Text }
    }
}

/// Writes `report` in `format`; then its [`Text::failure`], if any, is the error.
pub fn emit<R: Serialize + Text + ?Sized>(
    report: &R,
    format: Format,
    out: &mut dyn io::Write,
) -> Result<(), CliError> {
    match format {
        Format::Text => return write_text(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
        }
    }
    match report.failure() {
        Some(f) => Err(CliError::new(f)),
        None => Ok(()),
    }
}

/// Writes `report` as text; then its [`Text::failure`], if any, is the error.
pub fn write_text<R: Text + ?Sized>(report: &R, out: &mut dyn io::Write) -> Result<(), CliError> {
    report.text(out)?;
    match report.failure() {
        Some(f) => Err(CliError::new(f)),
        None => Ok(()),
    }
}

/// A place in a module: `module+0x1a2b` (WinDbg's notation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Short module name (`ntdll`, no directory or extension).
    pub module: String,
    /// Offset from the module's base.
    pub rva: u64,
}

impl Location {
    /// `address` as an offset into the module `name` loaded at `base`.
    pub fn in_module(name: &str, base: u64, address: u64) -> Self {
        Location {
            module: name.to_string(),
            rva: address.saturating_sub(base),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{:#x}", self.module, self.rva)
    }
}

/// The `start end module name` header of WinDbg's module tables (`lm`), at the width of the
/// dump's addresses.
pub fn module_table_header(out: &mut dyn io::Write, pointer_size: usize) -> io::Result<()> {
    let w = address_width(pointer_size);
    writeln!(out, "{:<w$} {:<w$}   module name", "start", "end")
}

/// Characters of an address as [`addr`] writes it: 8 on 32-bit targets, 17 on 64-bit ones.
pub fn address_width(pointer_size: usize) -> usize {
    if pointer_size == 4 { 8 } else { 17 }
}

/// `1 segment`, `40 segments`.
pub fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A percentage held as an integer times 100: `93.16%`.
pub fn pct(x100: u64) -> String {
    format!("{}.{:02}%", x100 / 100, x100 % 100)
}

/// `part` as a percentage of `whole`, times 100, rounded down (0 when `whole` is 0).
pub fn percent_x100(part: u64, whole: u64) -> u64 {
    let p = u128::from(part)
        .saturating_mul(10_000)
        .checked_div(u128::from(whole))
        .unwrap_or(0);
    u64::try_from(p).unwrap_or(u64::MAX)
}

/// The end of an investigation's text: its notes (if any) and its conclusion.
pub fn notes_and_conclusion(
    out: &mut dyn io::Write,
    notes: &[String],
    conclusion: &str,
) -> io::Result<()> {
    if !notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "Notes")?;
        for n in notes {
            writeln!(out, "  - {n}")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Conclusion: {conclusion}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Probe {
        n: u64,
        #[serde(skip)]
        failure: Option<String>,
    }

    impl Text for Probe {
        fn text(&self, out: &mut dyn io::Write) -> io::Result<()> {
            writeln!(out, "n = {}", self.n)
        }
        fn failure(&self) -> Option<String> {
            self.failure.clone()
        }
    }

    #[test]
    fn emit_writes_text_or_json_then_the_failure() {
        let ok = Probe {
            n: 3,
            failure: None,
        };
        let mut out = Vec::new();
        emit(&ok, Format::Text, &mut out).unwrap();
        emit(&ok, Format::Json, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "n = 3\n{\n  \"n\": 3\n}\n");
        let bad = Probe {
            n: 4,
            failure: Some("x.dmp: no heap".into()),
        };
        let mut out = Vec::new();
        let e = emit(&bad, Format::Json, &mut out).unwrap_err();
        assert_eq!(e.to_string(), "x.dmp: no heap");
        assert!(!out.is_empty(), "the report is written before the failure");
    }

    #[test]
    fn locations_and_counts_as_windbg_writes_them() {
        assert_eq!(
            Location::in_module("D4C", 0x1000, 0x46b0).to_string(),
            "D4C+0x36b0"
        );
        assert_eq!(count(1, "segment"), "1 segment");
        assert_eq!(count(40, "segment"), "40 segments");
        assert_eq!(pct(percent_x100(1, 3)), "33.33%");
        assert_eq!(percent_x100(1, 0), 0);
    }
}
