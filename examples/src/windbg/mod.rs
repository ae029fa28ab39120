//! WinDbg command syntax: `dumpscope DUMP -c '!heap -s' -c '!address -summary' -c '~*k'`.
//!
//! Each command is echoed as WinDbg shows it (`0:000> !heap -s`) and answered by the same code as
//! the corresponding subcommand: one dispatch table ([`COMMANDS`]) maps each WinDbg command to a
//! function that turns its words into that command's `Options` (no command-line round trip) and
//! renders the report as text. The dump is opened once for all the commands, and its heaps are
//! walked once (see [`crate::target`]). A command that fails or is unknown gets one clear line,
//! and the following commands still run; the exit status is non-zero when any failed.
//!
//! Each command declares the kind of dump it takes: a kernel command (`!poolused`, `!vm`, ...)
//! given a user-mode dump says so in one line.
//!
//! Supported: `!heap` (`-s`, `-a [HEAP]`, `-x ADDR`, `-p -a ADDR`, `-stat [-h HEAP]`,
//! `-flt s SIZE [MAX]`), `!address` (`-summary`, `ADDR`), `!runaway [FLAGS]`, `~*k`, `k`,
//! `~Nk`, `~`, `!dh [-s|-f] MODULE`, `s -a|-u|-b RANGE PATTERN`, `da ADDR`, `du ADDR`, `lm`,
//! `.exr -1`, `||`, `!peb`, `!teb`, `!analyze -v`, and `!leak` (this tool's whole
//! investigation). On kernel dumps (prompt `0: kd>`): `vertarget`, `.bugcheck`, `lm`,
//! `db`/`dd`/`dq ADDR [L COUNT]`, `!pte ADDR`, `k`, `.trap ADDR`, `.cxr ADDR`, `.exr ADDR`, `!analyze -v`. Addresses
//! may be hex numbers (with or without `0x` and WinDbg's backtick) or `[!]module[+offset]`
//! expressions.

use std::io::Write;

use crate::CliError;
use crate::kernel::{info as kinfo, memory as kmemory};
use crate::report::{Text, write_text};
use crate::target::{KernelTarget, Kind, Source, Target, UserDump};
use crate::user::{address, analyze, da, dh, heap, leak, runaway, search, stacks};

mod expr;
mod kernel_cmds;
mod process;

use self::kernel_cmds::{
    display_command, handle_command, kernel_info, kernel_stack, keval, pool_command,
    process_command, thread_command, verifier_command,
};
use crate::kernel::stack as kstack;

pub use self::expr::{eval_address, parse_hex, split_words};

/// One WinDbg command: its names, the kind of dump it takes, and how it runs.
#[derive(Debug)]
pub struct Command {
    /// The names it answers to, lower-case (`!heap`; `k`, `kb`, `kn`).
    pub names: &'static [&'static str],
    /// The kind of dump it takes (for a command on both kinds: the user-mode one; see
    /// [`Command::takes_kernel`]).
    pub takes: Kind,
    /// How it runs on a user-mode dump: `None` for commands recognised but not supported yet.
    run: Option<Runner>,
    /// How it runs on a kernel dump, when it does.
    kernel: Option<KernelRunner>,
}

impl Command {
    /// Whether it runs on a kernel dump.
    pub fn takes_kernel(&self) -> bool {
        self.takes == Kind::Kernel || self.kernel.is_some()
    }
}

/// Runs one command: the dump, the command's name as typed, its words, the output.
type Runner = fn(&UserDump, &str, &[&str], &mut dyn Write) -> Result<(), CliError>;

/// Runs one command on a kernel dump.
type KernelRunner = fn(&KernelTarget, &str, &[&str], &mut dyn Write) -> Result<(), CliError>;

/// Every WinDbg command `-c` knows, user-mode and kernel.
pub const COMMANDS: &[Command] = &[
    user(&["!heap"], heap_command),
    user(&["!address"], address_command),
    user(&["!runaway"], |u, _, _, out| {
        text(&runaway::investigate(u, &runaway::Options)?, out)
    }),
    user(&["~*k", "~*kb", "~*kn"], |u, _, _, out| {
        stacks_of(u, None, out)
    }),
    both(
        &["k", "kb", "kn"],
        |u, _, _, out| stacks_of(u, u.current_thread().map(|c| c.1), out),
        |k, _, _, out| kernel_stack(k, kstack::Start::Bugcheck, out),
    ),
    kernel(&[".trap"], |k, head, args, out| {
        let a = args
            .first()
            .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
        kernel_stack(k, kstack::Start::Trap(keval(k, a)?), out)
    }),
    user(&["~", "~*"], |u, _, _, out| {
        text(&process::threads(u)?, out)
    }),
    user(&["!dh"], dh_command),
    user(&["s"], search_command),
    user(&["da", "du"], da_command),
    both(
        &["lm"],
        |u, _, _, out| text(&process::module_list(u)?, out),
        |k, _, _, out| kernel_info(k, out, kinfo::write_lm),
    ),
    kernel(&[".bugcheck"], |k, _, _, out| {
        kernel_info(k, out, kinfo::write_bugcheck)
    }),
    kernel(&["vertarget"], |k, _, _, out| {
        kernel_info(k, out, kinfo::write_vertarget)
    }),
    kernel(&["db", "dd", "dq"], display_command),
    kernel(&["!pte"], |k, head, args, out| {
        let a = args
            .first()
            .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
        text(&kmemory::pte(k, keval(k, a)?)?, out)
    }),
    kernel(&[".cxr"], |k, head, args, out| {
        let a = args
            .first()
            .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
        kernel_stack(k, kstack::Start::Cxr(keval(k, a)?), out)
    }),
    kernel(&["!poolused", "!pool", "!poolfind"], pool_command),
    kernel(&["!verifier"], verifier_command),
    kernel(&["!process", ".process"], process_command),
    kernel(&["!handle", "!object"], handle_command),
    kernel(&["!thread"], thread_command),
    kernel(&["!vm"], |k, _, _, out| {
        text(
            &crate::kernel::vm::investigate(k, &crate::kernel::vm::Options)?,
            out,
        )
    }),
    both(
        &[".exr"],
        |u, _, args, out| {
            if args.first() != Some(&"-1") {
                return Err(not_supported(".exr with an address (only .exr -1)"));
            }
            text(&process::exception(u)?, out)
        },
        |k, head, args, out| {
            let a = args
                .first()
                .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
            text(&crate::kernel::exr::investigate(k, keval(k, a)?)?, out)
        },
    ),
    both(
        &["!analyze"],
        |u, _, _, out| text(&analyze::investigate(u, &analyze::Options::default())?, out),
        |k, _, _, out| {
            text(
                &crate::kernel::analyze::investigate(
                    k,
                    &crate::kernel::analyze::Options::default(),
                ),
                out,
            )
        },
    ),
    user(&["||"], |u, _, _, out| text(&process::dump_line(u), out)),
    user(&["!peb"], |u, _, _, out| text(&process::peb(u)?, out)),
    user(&["!teb"], |u, _, _, out| text(&process::teb(u)?, out)),
    user(&["!leak"], |u, _, _, out| {
        text(&leak::investigate(u, &leak::Options::default()), out)
    }),
    Command {
        names: &["!threads", "dt"],
        takes: Kind::User,
        run: None,
        kernel: None,
    },
    Command {
        names: &["!drivers"],
        takes: Kind::Kernel,
        run: None,
        kernel: None,
    },
];

const fn user(names: &'static [&'static str], run: Runner) -> Command {
    Command {
        names,
        takes: Kind::User,
        run: Some(run),
        kernel: None,
    }
}

const fn kernel(names: &'static [&'static str], run: KernelRunner) -> Command {
    Command {
        names,
        takes: Kind::Kernel,
        run: None,
        kernel: Some(run),
    }
}

const fn both(names: &'static [&'static str], run: Runner, kernel: KernelRunner) -> Command {
    Command {
        names,
        takes: Kind::User,
        run: Some(run),
        kernel: Some(kernel),
    }
}

pub(super) fn text<R: Text>(report: &R, out: &mut dyn Write) -> Result<(), CliError> {
    write_text(report, out)
}

fn not_supported(cmd: &str) -> CliError {
    CliError::new(format!("{cmd}: not supported yet"))
}

fn eval(u: &UserDump, expr: &str) -> Result<u64, CliError> {
    eval_address(expr, Some(u))
}

fn stacks_of(u: &UserDump, thread: Option<u32>, out: &mut dyn Write) -> Result<(), CliError> {
    let options = stacks::Options {
        thread,
        locator: u.locator.clone(),
        ..stacks::Options::default()
    };
    text(&stacks::investigate(u, &options)?, out)
}

fn heap_command(
    u: &UserDump,
    _: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if let [l] = words
        && l.eq_ignore_ascii_case("-l")
    {
        return text(&crate::user::heapleaks::investigate(u), out);
    }
    if let Some(page) = page_heap_words(u, words)?
        && let Some(r) = crate::user::pageheap::report_or_none(u, page)
    {
        return text(&r, out);
    }
    let options = heap_options(u, words)?;
    text(&heap::investigate(u, &options)?, out)
}

/// `!heap -p` (`Some(None)`) and `!heap -p -a ADDR` (`Some(Some(ADDR))`).
fn page_heap_words(u: &UserDump, words: &[&str]) -> Result<Option<Option<u64>>, CliError> {
    match words {
        [p] if p.eq_ignore_ascii_case("-p") => Ok(Some(None)),
        [p, a, addr] if p.eq_ignore_ascii_case("-p") && a.eq_ignore_ascii_case("-a") => {
            Ok(Some(Some(eval(u, addr)?)))
        }
        _ => Ok(None),
    }
}

/// `!heap` words as the options of `heap`.
fn heap_options(u: &UserDump, words: &[&str]) -> Result<heap::Options, CliError> {
    use heap::Mode;
    let mut o = heap::Options::default();
    let mut i = 0usize;
    let next = |i: usize| words.get(i.saturating_add(1)).copied();
    while let Some(w) = words.get(i) {
        match w.to_ascii_lowercase().as_str() {
            "-s" => o.mode = Mode::Summary,
            "-a" => match next(i) {
                Some(h) if !h.starts_with('-') => {
                    o.mode = Mode::Entries(Some(eval(u, h)?));
                    i = i.saturating_add(1);
                }
                _ => o.mode = Mode::Entries(None),
            },
            "-x" => {
                let a = next(i).ok_or_else(|| CliError::new("!heap -x needs an address"))?;
                o.mode = Mode::Find(eval(u, a)?);
                i = i.saturating_add(1);
            }
            "-stat" => o.mode = Mode::Stat,
            "-h" => {
                let h = next(i).ok_or_else(|| CliError::new("!heap -h needs a heap address"))?;
                o.heap = Some(eval(u, h)?);
                i = i.saturating_add(1);
            }
            "-flt" => {
                let kind = next(i).unwrap_or("");
                if !kind.eq_ignore_ascii_case("s") {
                    return Err(CliError::new(
                        "!heap -flt: only 's SIZE [MAX]' is supported",
                    ));
                }
                let lo = words
                    .get(i.saturating_add(2))
                    .and_then(|s| parse_hex(s))
                    .ok_or_else(|| CliError::new("!heap -flt s needs a size"))?;
                match words.get(i.saturating_add(3)).and_then(|s| parse_hex(s)) {
                    Some(hi) => {
                        if lo > hi {
                            return Err(CliError::new(format!("empty size range: {lo:x}-{hi:x}")));
                        }
                        o.mode = Mode::Filter(lo, hi);
                        i = i.saturating_add(3);
                    }
                    None => {
                        o.mode = Mode::Filter(lo, lo);
                        i = i.saturating_add(2);
                    }
                }
            }
            "-p" => {
                // `!heap -p -a ADDR`: the block holding ADDR with its +ust allocation stack.
                let (Some(flag), Some(a)) = (next(i), words.get(i.saturating_add(2))) else {
                    return Err(not_supported("!heap -p without -a ADDR"));
                };
                if !flag.eq_ignore_ascii_case("-a") {
                    return Err(not_supported(&format!("!heap -p {flag}")));
                }
                o.mode = Mode::Find(eval(u, a)?);
                i = i.saturating_add(2);
            }
            _ => {
                return Err(CliError::new(format!("!heap: unknown option '{w}'")));
            }
        }
        i = i.saturating_add(1);
    }
    Ok(o)
}

fn address_command(
    u: &UserDump,
    _: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut options = address::Options::default();
    for a in words {
        match a.to_ascii_lowercase().as_str() {
            "-summary" => options.summary = true,
            other if other.starts_with('-') => {
                return Err(CliError::new(format!(
                    "!address: option '{other}' not supported yet"
                )));
            }
            _ => return text(&process::region_of(u, eval(u, a)?, a)?, out),
        }
    }
    text(&address::investigate(u, &options)?, out)
}

fn dh_command(u: &UserDump, _: &str, words: &[&str], out: &mut dyn Write) -> Result<(), CliError> {
    let mut options = dh::Options::default();
    for a in words {
        match *a {
            "-s" => options.sections_only = true,
            "-f" => options.file_only = true,
            "-a" => {}
            m => options.module = Some(m.to_string()),
        }
    }
    let module = options
        .module
        .take()
        .ok_or_else(|| CliError::new("!dh: needs a module"))?;
    // `!D4C` is a module name; a bare hex word is a base address.
    options.module = Some(match (module.strip_prefix('!'), parse_hex(&module)) {
        (Some(name), _) => name.to_string(),
        (None, Some(v)) => format!("{v:x}"),
        (None, None) => module,
    });
    text(&dh::investigate(Source::Dump(u), &options)?, out)
}

fn search_command(
    u: &UserDump,
    _: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut kind = "-a";
    let mut rest: Vec<&str> = Vec::new();
    for w in words {
        match *w {
            "-a" | "-u" | "-b" => kind = w,
            "-d" | "-q" | "-w" => return Err(not_supported(&format!("s {w}"))),
            _ => rest.push(w),
        }
    }
    // RANGE is START LLENGTH or START END; the pattern is the rest.
    let start = rest
        .first()
        .ok_or_else(|| CliError::new("s: needs a range and a pattern"))?;
    let start = eval(u, start)?;
    let second = rest
        .get(1)
        .ok_or_else(|| CliError::new("s: needs a range and a pattern"))?;
    let length = match second
        .strip_prefix('L')
        .or_else(|| second.strip_prefix('l'))
    {
        Some(l) => {
            let l = l.strip_prefix('?').unwrap_or(l);
            parse_hex(l).ok_or_else(|| CliError::new(format!("s: bad length '{second}'")))?
        }
        None => eval(u, second)?
            .checked_sub(start)
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| CliError::new("s: the range ends before it starts"))?,
    };
    let pattern = rest
        .get(2..)
        .map(|p| p.join(" "))
        .filter(|p| !p.is_empty())
        .ok_or_else(|| CliError::new("s: needs a pattern"))?;
    let options = search::Options {
        pattern: match kind {
            "-b" => pe_sections::Pattern::parse_hex(&pattern)
                .ok_or_else(|| CliError::new(format!("bad byte pattern '{pattern}'")))?,
            "-u" => pe_sections::Pattern::Utf16(pattern),
            _ => pe_sections::Pattern::Ascii(pattern),
        },
        module: None,
        section: None,
        range: Some((format!("{start:x}"), format!("{length:x}"))),
        max_hits: 1000,
    };
    text(&search::in_dump(u, &options)?, out)
}

fn da_command(
    u: &UserDump,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let at = words
        .first()
        .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
    let options = da::Options {
        address: format!("{:x}", eval(u, at)?),
        unicode: head == "du",
        max: 0x100,
    };
    text(&da::investigate(Source::Dump(u), &options)?, out)
}

/// Runs one WinDbg command against an opened dump.
pub fn execute(u: &UserDump, line: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let words = split_words(line)?;
    let Some((head, args)) = words.split_first() else {
        return Ok(());
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let lower = head.to_ascii_lowercase();
    if let Some(c) = COMMANDS.iter().find(|c| c.names.contains(&lower.as_str())) {
        if c.takes != Kind::User || c.run.is_none() && c.kernel.is_some() {
            return Err(CliError::new(format!(
                "{head}: takes {}; this is {}",
                c.takes.name(),
                Kind::User.name()
            )));
        }
        return match c.run {
            Some(run) => run(u, &lower, &args, out),
            None => Err(not_supported(head)),
        };
    }
    // `~Nk`: the stack of thread N.
    if let Some(n) = lower.strip_prefix('~').and_then(|r| r.strip_suffix('k'))
        && let Ok(n) = n.parse::<usize>()
    {
        let threads = u.dump.threads().map_err(|e| CliError::new(e.to_string()))?;
        let t = threads
            .get(n)
            .ok_or_else(|| CliError::new(format!("{head}: no thread {n}")))?;
        return stacks_of(u, Some(t.id), out);
    }
    Err(CliError::new(format!("{head}: unknown command")))
}

/// Runs one WinDbg command against an opened kernel dump.
pub fn execute_kernel(k: &KernelTarget, line: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let words = split_words(line)?;
    let Some((head, args)) = words.split_first() else {
        return Ok(());
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let lower = head.to_ascii_lowercase();
    let user_only = || {
        CliError::new(format!(
            "{head}: takes {}; this is {}",
            Kind::User.name(),
            Kind::Kernel.name()
        ))
    };
    if let Some(c) = COMMANDS.iter().find(|c| c.names.contains(&lower.as_str())) {
        return match (c.kernel, c.takes_kernel()) {
            (Some(run), _) => run(k, &lower, &args, out),
            (None, true) => Err(not_supported(head)),
            (None, false) => Err(user_only()),
        };
    }
    if lower.starts_with('~') {
        return Err(user_only());
    }
    Err(CliError::new(format!("{head}: unknown command")))
}

/// Runs every command against the opened dump, each preceded by WinDbg's prompt
/// (`0:000> COMMAND` for a user-mode dump, `0: kd> COMMAND` for a kernel dump). Failing
/// commands print one line and the rest still run; the result is an error when any failed.
pub fn run_commands(
    target: &Target,
    commands: &[String],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let run = |c: &str, out: &mut dyn Write| match target {
        Target::Kernel(k) => execute_kernel(k, c, out),
        t => execute(t.user("-c")?, c, out),
    };
    let prompt = if target.kind() == Kind::Kernel {
        "0: kd>"
    } else {
        "0:000>"
    };
    if target.kind() == Kind::PeFile {
        target.user("-c")?;
    }
    let mut failed = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{prompt} {c}")?;
        if let Err(e) = run(c, out) {
            writeln!(out, "{e}")?;
            failed.push(c.clone());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "{} of {} commands failed: {}",
            failed.len(),
            commands.len(),
            failed.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_command_name_is_lower_case_and_in_one_entry() {
        let mut seen = std::collections::BTreeSet::new();
        for c in COMMANDS {
            for n in c.names {
                assert_eq!(*n, n.to_ascii_lowercase());
                assert!(seen.insert(*n), "{n} is in two entries");
            }
        }
        assert!(
            COMMANDS
                .iter()
                .any(|c| c.takes == Kind::Kernel && c.names.contains(&"!poolused"))
        );
    }
}
