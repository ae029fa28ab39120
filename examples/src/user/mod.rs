//! Commands on user-mode minidumps, one module each.
//!
//! Every command has the same shape: `Options` (plain data, no `clap`), a `Report` that derives
//! `Serialize` (its serde form is the command's JSON), `investigate(&UserDump, &Options) ->
//! Result<Report>` that reads the dump and never writes, and a `text` module with
//! `impl Text for Report` that writes and never reads the dump.

use std::path::Path;

use crate::CliError;
use crate::target::{Target, UserDump};

pub mod address;
pub mod analyze;
pub mod da;
pub mod dh;
pub mod diff;
pub mod heap;
pub mod heapleaks;
pub mod info;
pub mod leak;
pub mod pageheap;
pub mod runaway;
pub mod search;
pub mod stacks;
pub mod symbols;
pub mod xref;

/// Opens `path` as a user-mode dump for `command` (one line naming the file's kind when it is
/// not one) and runs `f` on it.
pub fn with_user<T>(
    path: &Path,
    command: &str,
    f: impl FnOnce(&UserDump) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let target = Target::open(path)?;
    f(target.user(command)?)
}
