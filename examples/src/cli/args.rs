//! The arguments of each subcommand, and their translation into the command's `Options`.

use std::path::PathBuf;

use pe_sections::Pattern;

use crate::report::{Format, emit};
use crate::windbg::parse_hex;
use crate::{CliError, user};

/// Arguments of `dumpscope info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// Print JSON (a stable contract) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump or kernel dump.
    pub dump: PathBuf,
}

/// Arguments of `dumpscope analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Print JSON (keys are WinDbg's in lower case) instead of text.
    #[arg(long)]
    pub json: bool,
    /// A directory with PDBs (flat or symbol-store layout); may be repeated.
    #[arg(long = "symbols")]
    pub symbols: Vec<PathBuf>,
    /// A directory with PE images (flat or symbol-store layout); may be repeated.
    #[arg(long = "images")]
    pub images: Vec<PathBuf>,
    /// The user-mode minidump or kernel dump.
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
    /// No progress on stderr (progress is shown only on a terminal, and not with `--json`
    /// into a pipe).
    #[arg(long)]
    pub quiet: bool,
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
    /// The full page heaps (`gflags +hpa`; `!heap -p`); with `--find ADDR`, the page-heap
    /// block holding ADDR and its allocation stack (`!heap -p -a ADDR`).
    #[arg(long)]
    pub page_heap: bool,
    /// Busy blocks nothing references (`!heap -l`): a conservative mark from the thread
    /// stacks and registers, TEB/PEB and module data, through the blocks it reaches.
    #[arg(long, short = 'l')]
    pub leaks: bool,
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
            progress: crate::progress::wanted(self.quiet, self.json),
        })
    }

    /// Runs `heap`: on the dump (opened with the command line's options: the symbol path
    /// gives ntdll's segment-heap keys), or on the PDB alone for `--layout --pdb`.
    pub fn run(
        &self,
        open: &crate::target::OpenOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), CliError> {
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
        let target = crate::target::Target::open_with(dump, open)?;
        let u = target.user("heap")?;
        {
            if self.leaks {
                return emit(&user::heapleaks::investigate(u), format, out);
            }
            if self.page_heap {
                let address = self.find.as_deref().map(hex).transpose()?;
                if let Some(r) = user::pageheap::report_or_none(u, address) {
                    return emit(&r, format, out);
                }
            }
            emit(&user::heap::investigate(u, &options)?, format, out)
        }
    }
}

/// Arguments of `dumpscope stacks`.
#[derive(Debug, clap::Args)]
pub struct StacksArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump or kernel dump.
    pub dump: PathBuf,
    /// Only this thread (id in hex, with or without `0x`, as WinDbg prints it).
    #[arg(long)]
    pub thread: Option<String>,
    /// A directory with PE images (flat or symbol-store layout); may be repeated. Images it
    /// lacks are looked up on the symbol path (`--symbol-path`, `_NT_SYMBOL_PATH`).
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
            locator: None,
            max_frames: self.max_frames,
        })
    }
}

/// Arguments of `dumpscope symbols`.
#[derive(Debug, clap::Args)]
pub struct SymbolsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

/// Arguments of `dumpscope dh`.
#[derive(Debug, clap::Args)]
pub struct DhArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Only the section headers (`!dh -s`).
    #[arg(short = 's', long = "sections")]
    pub sections_only: bool,
    /// Only the file and optional headers (`!dh -f`).
    #[arg(short = 'f', long = "file-headers")]
    pub file_only: bool,
    /// A user-mode minidump, or a PE file (`.exe`/`.dll`).
    pub target: PathBuf,
    /// The module (name such as `ntdll`, or base address) when TARGET is a dump.
    pub module: Option<String>,
}

/// Arguments of `dumpscope search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Search ASCII text (`s -a`, the default).
    #[arg(long, short = 'a', conflicts_with_all = ["unicode", "bytes"])]
    pub ascii: bool,
    /// Search UTF-16LE text (`s -u`).
    #[arg(long, short = 'u', conflicts_with = "bytes")]
    pub unicode: bool,
    /// Search bytes given in hex (`s -b`), e.g. `"4d 5a 90"` or `4d5a90`.
    #[arg(long, short = 'b')]
    pub bytes: bool,
    /// Restrict to the image of this module (name or base).
    #[arg(long)]
    pub module: Option<String>,
    /// With `--module`: restrict to this section (e.g. `.rdata`).
    #[arg(long, requires = "module")]
    pub section: Option<String>,
    /// Restrict to `ADDRESS LENGTH` (hex; the address may be `module+offset`), like
    /// `s -a ADDRESS LLENGTH`.
    #[arg(long, num_args = 2, value_names = ["ADDRESS", "LENGTH"], conflicts_with = "module")]
    pub range: Option<Vec<String>>,
    /// Most hits to report.
    #[arg(long, default_value_t = 1000)]
    pub max_hits: usize,
    /// What to look for.
    pub pattern: String,
    /// A user-mode minidump (or a PE file: addresses are then `ImageBase + RVA`).
    pub target: PathBuf,
}

/// Arguments of `dumpscope da`.
#[derive(Debug, clap::Args)]
pub struct DaArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Read UTF-16 (`du`) instead of 8-bit characters.
    #[arg(long, short = 'u')]
    pub unicode: bool,
    /// Most characters to read.
    #[arg(long, default_value_t = 0x100)]
    pub max: usize,
    /// The address: hex (backticks allowed) or `module+offset` (e.g. `hello+0xa064`).
    pub address: String,
    /// A user-mode minidump (or a PE file: the address is `ImageBase + RVA`).
    pub target: PathBuf,
}

/// Arguments of `dumpscope xref`.
#[derive(Debug, clap::Args)]
pub struct XrefArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// A user-mode minidump, or a PE file.
    pub target: PathBuf,
    /// `MODULE RVA` for a dump (module by name or base), or just `RVA` for a PE file. The RVA
    /// is hex; a full address inside the image is accepted too.
    #[arg(num_args = 1..=2, value_names = ["MODULE", "RVA"])]
    pub rest: Vec<String>,
}

impl DhArgs {
    /// The command's options.
    pub fn options(&self) -> user::dh::Options {
        user::dh::Options {
            module: self.module.clone(),
            sections_only: self.sections_only,
            file_only: self.file_only,
        }
    }
}

impl SearchArgs {
    /// The command's options.
    pub fn options(&self) -> Result<user::search::Options, CliError> {
        let pattern = if self.bytes {
            Pattern::parse_hex(&self.pattern)
                .ok_or_else(|| CliError::new(format!("bad byte pattern '{}'", self.pattern)))?
        } else if self.unicode {
            Pattern::Utf16(self.pattern.clone())
        } else {
            Pattern::Ascii(self.pattern.clone())
        };
        let range = match self.range.as_deref() {
            None => None,
            Some([a, l]) => Some((a.clone(), l.clone())),
            Some(_) => return Err(CliError::new("--range needs ADDRESS LENGTH")),
        };
        Ok(user::search::Options {
            pattern,
            module: self.module.clone(),
            section: self.section.clone(),
            range,
            max_hits: self.max_hits,
        })
    }
}

impl DaArgs {
    /// The command's options.
    pub fn options(&self) -> user::da::Options {
        user::da::Options {
            address: self.address.clone(),
            unicode: self.unicode,
            max: self.max,
        }
    }
}

impl XrefArgs {
    /// The command's options.
    pub fn options(&self) -> user::xref::Options {
        match self.rest.as_slice() {
            [module, rva] => user::xref::Options {
                module: Some(module.clone()),
                rva: rva.clone(),
            },
            rest => user::xref::Options {
                module: None,
                rva: rest.first().cloned().unwrap_or_default(),
            },
        }
    }
}

/// Arguments of `dumpscope leak`.
#[derive(Debug, clap::Args)]
pub struct LeakArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress on stderr (progress is shown only on a terminal, and not with `--json`
    /// into a pipe).
    #[arg(long)]
    pub quiet: bool,
    /// The dump: a user-mode minidump (a full-memory dump, e.g. `procdump -ma`, gives the best
    /// answer) for a heap leak, or a kernel dump (full or kernel memory) for a pool or handle leak.
    pub dump: PathBuf,
    /// A pooltag.txt to describe pool tags with, on kernel dumps (default: `DUMPSCOPE_POOLTAG`,
    /// else the Debugging Tools' `triage\pooltag.txt` where installed, else a built-in table of
    /// common tags).
    #[arg(long, value_name = "FILE")]
    pub pooltag: Option<PathBuf>,
    /// On kernel dumps: a folder of driver files (`*.sys`), read for the tag owners when a
    /// driver's code is not all in the dump.
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
}

/// Arguments of `dumpscope diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress on stderr (progress is shown only on a terminal, and not with `--json`
    /// into a pipe).
    #[arg(long)]
    pub quiet: bool,
    /// The earlier dump.
    pub before: PathBuf,
    /// The later dump of the same process.
    pub after: PathBuf,
}

/// Arguments of `dumpscope demo`.
#[derive(Debug, Default, clap::Args)]
pub struct DemoArgs {
    /// Where to write the scenarios' dumps (default: a `dumpscope-demo` folder in the system's
    /// temporary directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Turn on `+ust` (`HEAP_CAPTURE_STACK_BACKTRACES`) in the leaking heap, as gflags does when
    /// tracing an unmanaged heap leak, so `leak` also shows where the blocks were allocated
    /// (a variation of the heap-leak scenario, which it then plays).
    #[arg(long)]
    pub ust: bool,
    /// Make the leaked blocks C++ objects of class `d4c::Record` (a vtable with MSVC RTTI
    /// first, the text after it), so `leak` names the class and the constructor (a variation of
    /// the heap-leak scenario, which it then plays).
    #[arg(long)]
    pub objects: bool,
    /// The story to play in full (default: all five, each with its conclusion): `heap-leak`
    /// (a D4C.exe-style heap leak: `leak` and `diff`), `large-blocks` (gigabytes in a heap's
    /// VirtualAllocdBlocks with +ust stacks: `leak`), `pool-verifier` (a driver leaking paged
    /// pool under Driver Verifier on Windows 8.1 x86: `leak`), `bugcheck-d1` (a driver touches
    /// paged memory at DISPATCH_LEVEL while NotMyFault runs: `analyze`), `handle-leak` (an x86
    /// server's non-paged pool exhausted by terminated threads: `leak`).
    #[arg(long, value_parser = ["heap-leak", "large-blocks", "pool-verifier", "bugcheck-d1", "handle-leak"])]
    pub scenario: Option<String>,
}

impl DemoArgs {
    /// What the demo does.
    pub fn demo(&self) -> crate::demo::Demo {
        crate::demo::Demo {
            out: self.out.clone(),
            options: crate::demo::Options {
                ust: self.ust,
                objects: self.objects,
                ..crate::demo::Options::default()
            },
        }
    }
}

/// Arguments of `dumpscope pool`.
#[derive(Debug, clap::Args)]
pub struct PoolArgs {
    /// The view.
    #[command(subcommand)]
    pub view: PoolView,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// A pooltag.txt to describe tags with (default: `DUMPSCOPE_POOLTAG`, else the Debugging
    /// Tools' `triage\pooltag.txt` where installed, else a built-in table of common tags).
    #[arg(long, global = true, value_name = "FILE")]
    pub pooltag: Option<PathBuf>,
}

/// The views of `dumpscope pool`.
#[derive(Debug, clap::Subcommand)]
pub enum PoolView {
    /// Usage per tag (`!poolused FLAGS [TAG]`; flags 1 verbose, 2/4 sort by non-paged/paged
    /// bytes, 8 session pool).
    Used {
        /// The kernel dump.
        dump: PathBuf,
        /// WinDbg's flags (hex).
        flags: Option<String>,
        /// A tag pattern (`Thre`, `Th*`, `?hre`).
        tag: Option<String>,
    },
    /// The big page table's allocations.
    Big {
        /// The kernel dump.
        dump: PathBuf,
    },
    /// The allocation or pool page holding an address (`!pool ADDR`).
    Page {
        /// The kernel dump.
        dump: PathBuf,
        /// The address (hex).
        address: String,
    },
    /// Allocations with a tag (`!poolfind TAG`).
    Find {
        /// The kernel dump.
        dump: PathBuf,
        /// The tag (or pattern).
        tag: String,
    },
    /// Descriptions of the tags in use.
    Tags {
        /// The kernel dump.
        dump: PathBuf,
        /// A tag pattern.
        tag: Option<String>,
    },
    /// Which drivers' code uses a tag (`findstr /m /l TAG *.sys`, on the dump): the tag as an
    /// instruction immediate in every loaded driver's code.
    Owners {
        /// The kernel dump.
        dump: PathBuf,
        /// The tag (`Leak`).
        tag: String,
        /// A folder of driver files (`*.sys`), read for drivers whose code is not all in the
        /// dump.
        #[arg(long, value_name = "DIR")]
        images: Option<PathBuf>,
    },
}

impl PoolArgs {
    /// The dump and the command's options.
    pub fn options(&self) -> Result<(PathBuf, crate::kernel::pool::Options), CliError> {
        use crate::kernel::pool::Mode;
        let hex = |s: &str| parse_hex(s).ok_or_else(|| CliError::new(format!("bad number '{s}'")));
        let (dump, mode) = match &self.view {
            PoolView::Used { dump, flags, tag } => (
                dump,
                Mode::Used {
                    flags: match flags {
                        Some(f) => u32::try_from(hex(f)?)
                            .map_err(|_| CliError::new(format!("bad flags '{f}'")))?,
                        None => 0,
                    },
                    tag: tag.clone(),
                },
            ),
            PoolView::Big { dump } => (dump, Mode::Big),
            PoolView::Page { dump, address } => (dump, Mode::Page(hex(address)?)),
            PoolView::Find { dump, tag } => (dump, Mode::Find(tag.clone())),
            PoolView::Tags { dump, tag } => (dump, Mode::Tags(tag.clone())),
            PoolView::Owners { dump, tag, images } => (
                dump,
                Mode::Owners {
                    tag: tag.clone(),
                    images: images.clone(),
                },
            ),
        };
        Ok((
            dump.clone(),
            crate::kernel::pool::Options {
                mode,
                pooltag: self.pooltag.clone(),
                progress: crate::progress::wanted(false, self.json),
            },
        ))
    }
}

/// Arguments of `dumpscope vm`.
#[derive(Debug, clap::Args)]
pub struct VmArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The kernel dump.
    pub dump: PathBuf,
}

/// Arguments of `dumpscope verifier`.
#[derive(Debug, clap::Args)]
pub struct VerifierArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The kernel dump.
    pub dump: PathBuf,
    /// WinDbg's flags: 3 (drivers and their allocations, the default) or 80 (the pool log).
    pub flags: Option<String>,
    /// With 80: only the log entries of this pool address.
    pub address: Option<String>,
}

impl VerifierArgs {
    /// The command's options.
    pub fn options(&self) -> Result<crate::kernel::verifier::Options, CliError> {
        let hex = |s: &str| parse_hex(s).ok_or_else(|| CliError::new(format!("bad number '{s}'")));
        let flags = self.flags.as_deref().map(hex).transpose()?.unwrap_or(3);
        Ok(if flags & 0x80 != 0 {
            crate::kernel::verifier::Options::Log(self.address.as_deref().map(hex).transpose()?)
        } else {
            crate::kernel::verifier::Options::Drivers
        })
    }
}

/// Arguments of `dumpscope process`.
#[derive(Debug, clap::Args)]
pub struct ProcessArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The kernel dump.
    pub dump: PathBuf,
    /// `0` (every process, the default) or an EPROCESS address (hex).
    pub address: Option<String>,
    /// WinDbg's flags (2 or 4 add the process's threads).
    pub flags: Option<String>,
}

impl ProcessArgs {
    /// The command's options.
    pub fn options(&self) -> Result<crate::kernel::process::Options, CliError> {
        let hex = |s: &str| parse_hex(s).ok_or_else(|| CliError::new(format!("bad number '{s}'")));
        let address = self.address.as_deref().map(hex).transpose()?.unwrap_or(0);
        let flags = self.flags.as_deref().map(hex).transpose()?.unwrap_or(0);
        Ok(if address == 0 {
            crate::kernel::process::Options::All
        } else {
            crate::kernel::process::Options::One {
                address,
                flags: u32::try_from(flags).map_err(|_| CliError::new("bad flags"))?,
            }
        })
    }
}

/// Arguments of `dumpscope handle`.
#[derive(Debug, clap::Args)]
pub struct HandleArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The process (EPROCESS address, hex) whose handle table to read.
    #[arg(long, value_name = "ADDR")]
    pub process: String,
    /// Handles per object type instead of the list.
    #[arg(long)]
    pub summary: bool,
    /// The kernel dump.
    pub dump: PathBuf,
    /// One handle (hex; 0 or none: all).
    pub handle: Option<String>,
    /// WinDbg's flags (hex, default 3): 1 the handle line, 2 the object, type and counts.
    pub flags: Option<String>,
}

impl HandleArgs {
    /// The command's options.
    pub fn options(&self) -> Result<crate::kernel::handle::Options, CliError> {
        let hex = |s: &str| parse_hex(s).ok_or_else(|| CliError::new(format!("bad number '{s}'")));
        Ok(crate::kernel::handle::Options::Handles {
            handle: self.handle.as_deref().map(hex).transpose()?,
            process: Some(hex(&self.process)?),
            summary: self.summary,
            flags: self.flags.as_deref().map(hex).transpose()?.unwrap_or(3),
        })
    }
}

/// Arguments of `dumpscope object` and `dumpscope thread`.
#[derive(Debug, clap::Args)]
pub struct AddressArg {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The kernel dump.
    pub dump: PathBuf,
    /// The address (hex).
    pub address: String,
}

impl AddressArg {
    /// The address.
    pub fn address(&self) -> Result<u64, CliError> {
        parse_hex(&self.address)
            .ok_or_else(|| CliError::new(format!("bad address '{}'", self.address)))
    }
}

/// Arguments of `dumpscope layout`.
#[derive(Debug, clap::Args)]
pub struct LayoutArgs {
    /// Kernel structure layouts (the pool and kernel-object tables); required for now.
    #[arg(long, required = true)]
    pub kernel: bool,
    /// Windows build number (e.g. 3790, 7601, 9600, 19041).
    #[arg(long)]
    pub build: u32,
    /// Architecture: x86 or x64.
    #[arg(long, default_value = "x64")]
    pub arch: String,
    /// Derive the tables from the kernel's Volatility 3 ISF file (decompressed JSON).
    #[arg(long, value_name = "FILE")]
    pub isf: Option<PathBuf>,
    /// Derive the tables from the kernel's PDB (ntkrnlmp.pdb).
    #[arg(long, value_name = "FILE", conflicts_with = "isf")]
    pub pdb: Option<PathBuf>,
    /// Print JSON (`{"types": {NAME: {"size", "fields": {FIELD: offset}}}}`).
    #[arg(long)]
    pub json: bool,
}

impl LayoutArgs {
    /// The command's options.
    pub fn options(&self) -> Result<crate::kernel::layout::Options, CliError> {
        let arch = match self.arch.to_ascii_lowercase().as_str() {
            "x86" | "i386" => pooltrack::Arch::X86,
            "x64" | "amd64" => pooltrack::Arch::X64,
            a => {
                return Err(CliError::new(format!(
                    "unknown architecture '{a}' (x86 or x64)"
                )));
            }
        };
        Ok(crate::kernel::layout::Options {
            build: self.build,
            arch,
            isf: self.isf.clone(),
            pdb: self.pdb.clone(),
        })
    }
}
