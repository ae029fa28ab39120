//! The `dumpscope` command line: `clap` definitions, turned into each command's `Options` and
//! run. Nothing below this module sees `clap`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::report::{Format, emit};
use crate::target::{Kind, OpenOptions, Target};
use crate::{CliError, demo, kernel, user, windbg};

mod args;
mod symbols;

pub use self::args::*;
pub use self::symbols::{SymbolPathArgs, default_cache};

/// Investigate Windows memory leaks and crashes from dump files, without WinDbg.
///
/// With no arguments at all, runs the built-in demo (`dumpscope demo`). With a DUMP and `-c`
/// commands, answers WinDbg commands: `dumpscope DUMP -c '!heap -s' -c '~*k'`.
#[derive(Debug, Parser)]
#[command(name = "dumpscope", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A user-mode minidump or kernel dump to run WinDbg commands (`-c`) against.
    dump: Option<PathBuf>,
    /// A WinDbg command (`!heap -s`, `!address -summary`, `~*k`, `lm`, ...); may be repeated.
    #[arg(short = 'c', long = "command", value_name = "CMD", requires = "dump")]
    commands: Vec<String>,
    #[command(flatten)]
    symbols: SymbolPathArgs,
    /// The kernel's symbols for kernel dumps: its PDB (`ntkrnlmp.pdb`, checked against the
    /// dump's kernel) or a Volatility 3 ISF JSON (plain or .xz). Default: `DUMP.isf.json`
    /// beside the dump, else the kernel's PDB identity on the symbol path (the PDB, or a
    /// Volatility symbol pack's `windows/NAME.pdb/GUID-AGE.json.xz` in a folder of the path).
    /// Gives the globals KDBG lacks (pool trackers, `!vm` counters, verifier data).
    #[arg(long, global = true, value_name = "FILE")]
    kernel_symbols: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// System, exception, threads, modules and memory ranges (`||`, `.exr -1`, `~`, `lm`); of a
    /// kernel dump: system, dump type, bugcheck, drivers (`vertarget`, `.bugcheck`, `lm`).
    Info(InfoArgs),
    /// Why it crashed: the bugcheck or exception explained, faulting module and symbol, stack,
    /// bucket id (`!analyze -v`).
    Analyze(AnalyzeArgs),
    /// User, kernel and elapsed time per thread (`!runaway 7`).
    Runaway(RunawayArgs),
    /// Regions of the address space with their usage (`!address`, `!address -summary`).
    Address(AddressArgs),
    /// NT heaps: list, summary, entries, find, statistics, size filter, layout (`!heap` family).
    Heap(HeapArgs),
    /// Every thread's call stack with symbols (`~*k`), incl. WOW64 32-bit stacks; of a kernel
    /// dump: the stack the bugcheck names (`k`).
    Stacks(StacksArgs),
    /// The images and PDBs the modules need, and where each was found on the symbol path or
    /// why not (`lm` with symbol status); fetches what servers have into the cache.
    Symbols(SymbolsArgs),
    /// PE headers and sections of a module in a dump or of a PE file (`!dh`, `!dh -s`, `!dh -f`).
    Dh(DhArgs),
    /// Find ASCII, UTF-16 or byte patterns in memory, a module or a section (`s -a`, `s -u`, `s -b`).
    Search(SearchArgs),
    /// Show the NUL-terminated string at an address (`da`, `du` with `--unicode`).
    Da(DaArgs),
    /// The instructions that reference an RVA of a module (what Ghidra's XREF column shows).
    Xref(XrefArgs),
    /// The leak investigation end to end, ranked suspects with evidence: on a user dump the
    /// heaps, sizes, contents and the code behind them; on a kernel dump the pool (`!vm`,
    /// `!poolused`, tag owners, `!verifier`) and the handles behind it (`!process`, `!handle`).
    Leak(LeakArgs),
    /// Write synthetic dumps of five investigations (a D4C.exe-style heap leak, large heap
    /// blocks, a pool leak under Driver Verifier, a 0xD1 bugcheck, a handle leak) and answer
    /// each with the command a user runs.
    Demo(DemoArgs),
    /// What grew between two dumps of the same process: by region usage, heap, requested size
    /// and content signature (UMDH-like, from dumps).
    Diff(DiffArgs),
    /// Kernel pool: usage per tag (`!poolused`), big pool, `!pool ADDR`, `!poolfind TAG`, tag
    /// descriptions.
    Pool(PoolArgs),
    /// The virtual memory summary and its warnings (`!vm`).
    Vm(VmArgs),
    /// Driver Verifier: verified drivers and their outstanding allocations (`!verifier 3`),
    /// the pool log (`!verifier 80 [ADDR]`).
    Verifier(VerifierArgs),
    /// Processes (`!process 0 0`, `!process ADDR FLAGS`).
    Process(ProcessArgs),
    /// A process's handles (`!handle`), or handles per object type (`--summary`).
    Handle(HandleArgs),
    /// One object's header: type, counts, name (`!object ADDR`).
    Object(AddressArg),
    /// One thread: state, process, start address (`!thread ADDR`).
    Thread(AddressArg),
    /// The kernel structure layouts in force for a build (built in, or from an ISF file/PDB).
    Layout(LayoutArgs),
}

/// The kinds of file each subcommand takes, for the grouped help and for messages.
const TAKES: &[(&str, &[Kind])] = &[
    ("info", &[Kind::User, Kind::Kernel]),
    ("analyze", &[Kind::User, Kind::Kernel]),
    ("runaway", &[Kind::User]),
    ("address", &[Kind::User]),
    ("heap", &[Kind::User]),
    ("stacks", &[Kind::User, Kind::Kernel]),
    ("symbols", &[Kind::User, Kind::Kernel]),
    ("dh", &[Kind::User, Kind::PeFile]),
    ("search", &[Kind::User, Kind::PeFile]),
    ("da", &[Kind::User, Kind::PeFile]),
    ("xref", &[Kind::User, Kind::PeFile]),
    ("leak", &[Kind::User, Kind::Kernel]),
    ("demo", &[]),
    ("diff", &[Kind::User]),
    ("pool", &[Kind::Kernel]),
    ("vm", &[Kind::Kernel]),
    ("verifier", &[Kind::Kernel]),
    ("process", &[Kind::Kernel]),
    ("handle", &[Kind::Kernel]),
    ("object", &[Kind::Kernel]),
    ("thread", &[Kind::Kernel]),
    ("layout", &[]),
];

/// The subcommands grouped by the dumps they take (user, kernel, both), for `--help`.
fn grouped_commands() -> String {
    let cmd = Cli::command();
    let takes = |name: &str| -> &[Kind] {
        TAKES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, k)| *k)
    };
    type Member = fn(&[Kind]) -> bool;
    let groups: [(&str, Member); 4] = [
        ("Commands on user-mode dumps", |k| {
            k.contains(&Kind::User) && !k.contains(&Kind::Kernel)
        }),
        ("Commands on kernel dumps", |k| {
            k.contains(&Kind::Kernel) && !k.contains(&Kind::User)
        }),
        ("Commands on both kinds of dump", |k| {
            k.contains(&Kind::Kernel) && k.contains(&Kind::User)
        }),
        ("Without a dump", <[Kind]>::is_empty),
    ];
    let mut text = String::new();
    for (title, member) in groups {
        let names: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|s| member(takes(s.get_name())))
            .collect();
        text.push_str(&format!("{title}:\n"));
        if names.is_empty() {
            text.push_str("  (none only for kernel dumps: see both kinds, and -c '!pte ADDR', 'db ADDR', '.trap ADDR')\n");
        }
        for s in names {
            let about = s.get_about().map(ToString::to_string).unwrap_or_default();
            let pe = if takes(s.get_name()).contains(&Kind::PeFile) {
                "  [or a PE file]"
            } else {
                ""
            };
            text.push_str(&format!("  {:<9} {about}{pe}\n", s.get_name()));
        }
        text.push('\n');
    }
    text
}

fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), CliError> {
    let options = OpenOptions {
        kernel_symbols: cli.kernel_symbols.clone(),
        locator: cli.symbols.locator(),
    };
    let open = |path: &std::path::Path| Target::open_with(path, &options);
    let Some(command) = &cli.command else {
        return match &cli.dump {
            None => demo::run_scenario(None, &DemoArgs::default().demo(), Format::Text, out),
            Some(dump) if cli.commands.is_empty() => Err(CliError::at(
                dump,
                "give WinDbg commands with -c (e.g. -c '!heap -s'), or use a subcommand \
                 (dumpscope --help)",
            )),
            Some(dump) => windbg::run_commands(&open(dump)?, &cli.commands, out),
        };
    };
    match command {
        Command::Info(a) => match open(&a.dump)? {
            Target::Kernel(k) => emit(
                &kernel::info::investigate(&k, &kernel::info::Options),
                Format::json_if(a.json),
                out,
            ),
            t => emit(
                &user::info::investigate(t.user("info")?, &user::info::Options),
                Format::json_if(a.json),
                out,
            ),
        },
        Command::Analyze(a) => match open(&a.dump)? {
            Target::Kernel(k) => emit(
                &kernel::analyze::investigate(
                    &k,
                    &kernel::analyze::Options {
                        sources: kernel::stack::Sources {
                            image_dirs: a.images.clone(),
                            symbol_dirs: a.symbols.clone(),
                        },
                    },
                ),
                Format::json_if(a.json),
                out,
            ),
            t => emit(
                &user::analyze::investigate(
                    t.user("analyze")?,
                    &user::analyze::Options {
                        symbol_dirs: a.symbols.clone(),
                        image_dirs: a.images.clone(),
                    },
                )?,
                Format::json_if(a.json),
                out,
            ),
        },
        Command::Runaway(a) => user::with_user(&a.dump, "runaway", |u| {
            emit(
                &user::runaway::investigate(u, &user::runaway::Options)?,
                Format::json_if(a.json),
                out,
            )
        }),
        Command::Address(a) => user::with_user(&a.dump, "address", |u| {
            emit(
                &user::address::investigate(u, &a.options())?,
                Format::json_if(a.json),
                out,
            )
        }),
        Command::Heap(a) => a.run(&options, out),
        Command::Stacks(a) => {
            let mut o = a.options()?;
            o.locator = options.locator.clone();
            match open(&a.dump)? {
                Target::Kernel(k) => emit(
                    &kernel::stack::investigate_with(
                        &k,
                        &kernel::stack::Options::default(),
                        &kernel::stack::Sources {
                            image_dirs: o.image_dirs.clone(),
                            symbol_dirs: o.symbol_dirs.clone(),
                        },
                    )?,
                    Format::json_if(a.json),
                    out,
                ),
                t => emit(
                    &user::stacks::investigate(t.user("stacks")?, &o)?,
                    Format::json_if(a.json),
                    out,
                ),
            }
        }
        Command::Symbols(a) => {
            let o = user::symbols::Options {
                locator: options.locator.clone(),
            };
            let report = match open(&a.dump)? {
                Target::Kernel(k) => user::symbols::investigate_kernel(&k, &o)?,
                t => user::symbols::investigate(t.user("symbols")?, &o)?,
            };
            emit(&report, Format::json_if(a.json), out)
        }
        Command::Dh(a) => {
            let t = open(&a.target)?;
            emit(
                &user::dh::investigate(t.source("dh")?, &a.options())?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Search(a) => {
            let o = a.options()?;
            let t = open(&a.target)?;
            emit(
                &user::search::investigate(t.source("search")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Da(a) => {
            let t = open(&a.target)?;
            emit(
                &user::da::investigate(t.source("da")?, &a.options())?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Xref(a) => {
            let t = open(&a.target)?;
            emit(
                &user::xref::investigate(t.source("xref")?, &a.options())?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Leak(a) => match open(&a.dump)? {
            Target::Kernel(k) => {
                let o = kernel::leak::Options {
                    pooltag: a.pooltag.clone(),
                    images: a.images.clone(),
                };
                emit(
                    &kernel::leak::investigate(&k, &o),
                    Format::json_if(a.json),
                    out,
                )
            }
            t => {
                let options = user::leak::Options {
                    locator: options.locator.clone(),
                    progress: crate::progress::Progress::with(crate::progress::wanted(
                        a.quiet, a.json,
                    )),
                };
                let r = user::leak::investigate(t.user("leak")?, &options);
                emit(&r, Format::json_if(a.json), out)
            }
        },
        Command::Demo(a) => demo::run_scenario(
            a.scenario.as_deref(),
            &a.demo(),
            Format::json_if(a.json),
            out,
        ),
        Command::Pool(a) => {
            let (dump, o) = a.options()?;
            let t = open(&dump)?;
            emit(
                &kernel::pool::investigate(t.kernel("pool")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Vm(a) => {
            let t = open(&a.dump)?;
            emit(
                &kernel::vm::investigate(t.kernel("vm")?, &kernel::vm::Options)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Verifier(a) => {
            let o = a.options()?;
            let t = open(&a.dump)?;
            emit(
                &kernel::verifier::investigate(t.kernel("verifier")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Process(a) => {
            let o = a.options()?;
            let t = open(&a.dump)?;
            emit(
                &kernel::process::investigate(t.kernel("process")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Handle(a) => {
            let o = a.options()?;
            let t = open(&a.dump)?;
            emit(
                &kernel::handle::investigate(t.kernel("handle")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Object(a) => {
            let o = kernel::handle::Options::Object(a.address()?);
            let t = open(&a.dump)?;
            emit(
                &kernel::handle::investigate(t.kernel("object")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Thread(a) => {
            let o = kernel::thread::Options {
                address: a.address()?,
            };
            let t = open(&a.dump)?;
            emit(
                &kernel::thread::investigate(t.kernel("thread")?, &o)?,
                Format::json_if(a.json),
                out,
            )
        }
        Command::Layout(a) => emit(
            &kernel::layout::investigate(&a.options()?)?,
            Format::json_if(a.json),
            out,
        ),
        Command::Diff(a) => user::with_user(&a.before, "diff", |b| {
            user::with_user(&a.after, "diff", |after| {
                let options = user::leak::Options {
                    progress: crate::progress::Progress::with(crate::progress::wanted(
                        a.quiet, a.json,
                    )),
                    ..user::leak::Options::default()
                };
                let r = user::diff::investigate(b, after, &options);
                emit(&r, Format::json_if(a.json), out)
            })
        }),
    }
}

/// Parses the command line, runs it, and turns an error into one line on stderr and a failing
/// exit status. Whatever was printed before an error is still shown.
pub fn main() -> ExitCode {
    let template = format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{}Arguments:\n{{positionals}}\n\nOptions:\n{{options}}{{after-help}}",
        grouped_commands()
    );
    let matches = Cli::command().help_template(template).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = run(&cli, &mut out);
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(()), Ok(())) => ExitCode::SUCCESS,
        (Err(e), _) => {
            eprintln!("dumpscope: {e}");
            ExitCode::FAILURE
        }
        (Ok(()), Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        (Ok(()), Err(e)) => {
            eprintln!("dumpscope: cannot write output: {e}");
            ExitCode::FAILURE
        }
    }
}
