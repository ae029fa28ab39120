//! The arguments of each subcommand, and their translation into the command's `Options`.

use std::path::PathBuf;

use crate::user;

/// Arguments of `dumpscope info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Print JSON (a stable contract) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

/// Arguments of `dumpscope runaway`.
#[derive(Debug, clap::Args)]
pub struct RunawayArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

/// Arguments of `dumpscope address`.
#[derive(Debug, clap::Args)]
pub struct AddressArgs {
    /// Print the summary tables (`!address -summary`) instead of the region list.
    #[arg(long)]
    pub summary: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

impl AddressArgs {
    /// The command's options.
    pub fn options(&self) -> user::address::Options {
        user::address::Options {
            summary: self.summary,
        }
    }
}
