//! `dumpscope`: investigate Windows memory leaks and crashes from dump files, on any OS.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use examples::CliError;
use examples::cmd;

/// Investigate Windows memory leaks and crashes from dump files, without WinDbg.
///
/// With no arguments at all, runs the built-in demo (`dumpscope demo`). With a DUMP and `-c`
/// commands, answers WinDbg commands: `dumpscope DUMP -c '!heap -s' -c '~*k'`.
#[derive(Debug, Parser)]
#[command(
    name = "dumpscope",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A user-mode minidump to run WinDbg commands (`-c`) against.
    dump: Option<std::path::PathBuf>,
    /// A WinDbg command (`!heap -s`, `!address -summary`, `~*k`, `lm`, ...); may be repeated.
    #[arg(short = 'c', long = "command", value_name = "CMD", requires = "dump")]
    commands: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// System, exception, threads, modules and memory ranges (`||`, `.exr -1`, `~`, `lm`).
    Info(cmd::info::Args),
    /// User, kernel and elapsed time per thread (`!runaway 7`).
    Runaway(cmd::runaway::Args),
    /// Regions of the address space with their usage (`!address`, `!address -summary`).
    Address(cmd::address::Args),
    /// NT heaps: list, summary, entries, find, statistics, size filter, layout (`!heap` family).
    Heap(cmd::heap::Args),
    /// Every thread's call stack with symbols (`~*k`), incl. WOW64 32-bit stacks.
    Stacks(cmd::stacks::Args),
    /// PE headers and sections of a module in a dump or of a PE file (`!dh`, `!dh -s`, `!dh -f`).
    Dh(cmd::pe::DhArgs),
    /// Find ASCII, UTF-16 or byte patterns in memory, a module or a section (`s -a`, `s -u`, `s -b`).
    Search(cmd::pe::SearchArgs),
    /// Show the NUL-terminated string at an address (`da`, `du` with `--unicode`).
    Da(cmd::pe::DaArgs),
    /// The instructions that reference an RVA of a module (what Ghidra's XREF column shows).
    Xref(cmd::pe::XrefArgs),
    /// The user-heap leak investigation end to end: regions, heaps, sizes, contents, the
    /// module text and code behind them, busy threads; ranked suspects with evidence.
    Leak(cmd::leak::Args),
    /// Write a synthetic dump shaped like seed 000's leaking D4C.exe (before and after) and
    /// run `leak` on it.
    Demo(cmd::demo::Args),
    /// What grew between two dumps of the same process: by region usage, heap, requested size
    /// and content signature (UMDH-like, from dumps).
    Diff(cmd::diff::Args),
}

fn run(cli: &Cli, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(command) = &cli.command else {
        return match &cli.dump {
            None => cmd::demo::run(&cmd::demo::Args::default(), out),
            Some(dump) if cli.commands.is_empty() => Err(CliError::at(
                dump,
                "give WinDbg commands with -c (e.g. -c '!heap -s'), or use a subcommand \
                 (dumpscope --help)",
            )),
            Some(dump) => cmd::windbg::run_commands(dump, &cli.commands, out),
        };
    };
    match command {
        Command::Info(a) => cmd::info::run(a, out),
        Command::Runaway(a) => cmd::runaway::run(a, out),
        Command::Address(a) => cmd::address::run(a, out),
        Command::Heap(a) => cmd::heap::run(a, out),
        Command::Stacks(a) => cmd::stacks::run(a, out),
        Command::Dh(a) => cmd::pe::run_dh(a, out),
        Command::Search(a) => cmd::pe::run_search(a, out),
        Command::Da(a) => cmd::pe::run_da(a, out),
        Command::Xref(a) => cmd::pe::run_xref(a, out),
        Command::Leak(a) => cmd::leak::run(a, out),
        Command::Demo(a) => cmd::demo::run(a, out),
        Command::Diff(a) => cmd::diff::run(a, out),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = run(&cli, &mut out);
    // Whatever was printed before an error is still shown.
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
