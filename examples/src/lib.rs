//! The `dumpscope` CLI: the one place where the workspace's crates meet.
//!
//! - [`target`]: what a command runs against ([`target::Target::open`]), with the process facts,
//!   modules and heap walks read once and cached;
//! - [`adapt`]: the only conversions from `dumpfile` to the other crates' inputs;
//! - [`user`] (and [`kernel`]): one module per command, `Options` -> `investigate` -> `Report`;
//! - [`report`]: the [`report::Text`] trait, [`report::Format`] and [`report::emit`];
//! - [`windbg`]: WinDbg command lines (`-c '!heap -s'`) mapped to the commands' `Options`;
//! - [`cli`]: the `clap` command line; [`demo`]: the synthetic leaking process.
//!
//! Commands print what they could read before they return an error; the binary turns the error
//! into one line and a non-zero exit.

use std::fmt;
use std::path::Path;

pub mod adapt;
pub mod cli;
pub mod demo;
pub mod kernel;
pub mod progress;
pub mod report;
pub mod target;
pub mod user;
pub mod windbg;

/// The error a command ends with: one line for the user, naming the file and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// The message, without a trailing newline.
    pub message: String,
}

impl CliError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// An error about `path`: `PATH: message`.
    pub fn at(path: &Path, message: impl fmt::Display) -> Self {
        Self::new(format!("{}: {message}", path.display()))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::new(format!("cannot write output: {e}"))
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        Self::new(format!("cannot write JSON: {e}"))
    }
}
