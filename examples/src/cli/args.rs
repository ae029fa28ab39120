//! The arguments of each subcommand, and their translation into the command's `Options`.

use std::path::PathBuf;

use crate::report::{Format, emit};
use crate::windbg::parse_hex;
use crate::{CliError, user};

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

/// Arguments of `dumpscope heap`.
#[derive(Debug, clap::Args)]
pub struct HeapArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Per-heap statistics (`!heap -s`).
    #[arg(long)]
    pub summary: bool,
    /// Segments and every block (`!heap -a`), of all heaps or of `--entries=HEAP`.
    #[arg(long, num_args = 0..=1, require_equals = true, value_name = "HEAP", default_missing_value = "")]
    pub entries: Option<String>,
    /// The heap, segment and block holding an address (`!heap -x ADDR`).
    #[arg(long, value_name = "ADDR")]
    pub find: Option<String>,
    /// Busy blocks grouped by requested size (`!heap -stat -h`).
    #[arg(long)]
    pub stat: bool,
    /// Restrict `--stat` / `--filter-size` to one heap (address).
    #[arg(long, value_name = "HEAP")]
    pub heap: Option<String>,
    /// Lines of `--stat` text output per heap.
    #[arg(long, default_value_t = 20)]
    pub max_display: usize,
    /// Busy blocks of a requested size or size range (`!heap -flt s SIZE` / `MIN-MAX`, hex).
    #[arg(long, value_name = "SIZE|MIN-MAX")]
    pub filter_size: Option<String>,
    /// Print the heap layout in force (field name -> offset).
    #[arg(long)]
    pub layout: bool,
    /// With `--layout`: compute the layout from this ntdll PDB.
    #[arg(long, value_name = "FILE")]
    pub pdb: Option<PathBuf>,
    /// The user-mode minidump (optional with `--layout --pdb`).
    pub dump: Option<PathBuf>,
}

/// A hex number as the command line takes it, or `not a hex number: TEXT`.
fn hex(s: &str) -> Result<u64, CliError> {
    parse_hex(s).ok_or_else(|| CliError::new(format!("not a hex number: {s}")))
}

/// `SIZE` or `MIN-MAX` (hex).
fn size_range(s: &str) -> Result<(u64, u64), CliError> {
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (hex(a)?, hex(b)?);
            if a > b {
                return Err(CliError::new(format!("empty size range: {s}")));
            }
            Ok((a, b))
        }
        None => {
            let v = hex(s)?;
            Ok((v, v))
        }
    }
}

impl HeapArgs {
    /// The command's options.
    pub fn options(&self) -> Result<user::heap::Options, CliError> {
        use user::heap::Mode;
        let mode = if self.layout {
            Mode::Layout
        } else if self.summary {
            Mode::Summary
        } else if let Some(e) = &self.entries {
            Mode::Entries(if e.is_empty() { None } else { Some(hex(e)?) })
        } else if let Some(a) = &self.find {
            Mode::Find(hex(a)?)
        } else if self.stat {
            Mode::Stat
        } else if let Some(r) = &self.filter_size {
            let (min, max) = size_range(r)?;
            Mode::Filter(min, max)
        } else {
            Mode::List
        };
        Ok(user::heap::Options {
            mode,
            heap: self.heap.as_deref().map(hex).transpose()?,
            max_display: self.max_display,
        })
    }

    /// Runs `heap`: on the dump, or on the PDB alone for `--layout --pdb`.
    pub fn run(&self, out: &mut dyn std::io::Write) -> Result<(), CliError> {
        let format = Format::json_if(self.json);
        if let (true, Some(p)) = (self.layout, &self.pdb) {
            let bytes = std::fs::read(p).map_err(|e| CliError::at(p, e))?;
            let report = user::heap::layout_from_pdb(&bytes).map_err(|e| CliError::at(p, e))?;
            return emit(&report, format, out);
        }
        let options = self.options()?;
        let dump = self
            .dump
            .as_ref()
            .ok_or_else(|| CliError::new("heap: a DUMP file is required"))?;
        user::with_user(dump, "heap", |u| {
            emit(&user::heap::investigate(u, &options)?, format, out)
        })
    }
}

/// Arguments of `dumpscope stacks`.
#[derive(Debug, clap::Args)]
pub struct StacksArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
    /// Only this thread (id in hex, with or without `0x`, as WinDbg prints it).
    #[arg(long)]
    pub thread: Option<String>,
    /// A directory with PE images (flat or symbol-store layout); may be repeated.
    #[arg(long = "images")]
    pub images: Vec<PathBuf>,
    /// A directory with PDBs (flat or symbol-store layout, any file name: matched by GUID and
    /// age); may be repeated.
    #[arg(long = "symbols")]
    pub symbols: Vec<PathBuf>,
    /// Most frames per stack.
    #[arg(long, default_value_t = 256)]
    pub max_frames: usize,
}

impl StacksArgs {
    /// The command's options.
    pub fn options(&self) -> Result<user::stacks::Options, CliError> {
        let thread = self
            .thread
            .as_deref()
            .map(|s| {
                parse_hex(s)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| {
                        CliError::new(format!("--thread {s}: not a hexadecimal thread id"))
                    })
            })
            .transpose()?;
        Ok(user::stacks::Options {
            thread,
            image_dirs: self.images.clone(),
            symbol_dirs: self.symbols.clone(),
            max_frames: self.max_frames,
        })
    }
}
