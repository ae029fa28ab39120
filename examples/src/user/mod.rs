//! Commands on user-mode minidumps, one module each.
//!
//! Every command has the same shape: `Options` (plain data, no `clap`), a `Report` that derives
//! `Serialize` (its serde form is the command's JSON), `investigate(&UserDump, &Options) ->
//! Result<Report>` that reads the dump and never writes, and a `text` module with
//! `impl Text for Report` that writes and never reads the dump.

use std::io;
use std::path::Path;

use serde::Serialize;

use crate::CliError;
use crate::report::{Format, Text, emit};
use crate::target::{Target, UserDump};

pub mod address;
pub mod info;
pub mod runaway;

/// Opens `path` as a user-mode dump for `command`, investigates it with `investigate` and
/// writes the report in `format`.
pub fn run<R: Serialize + Text>(
    path: &Path,
    command: &str,
    format: Format,
    out: &mut dyn io::Write,
    investigate: impl FnOnce(&UserDump) -> Result<R, CliError>,
) -> Result<(), CliError> {
    let target = Target::open(path)?;
    let report = investigate(target.user(command)?)?;
    emit(&report, format, out)
}
