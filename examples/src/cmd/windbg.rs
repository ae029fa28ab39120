//! WinDbg command syntax: `dumpscope DUMP -c '!heap -s' -c '!address -summary' -c '~*k'`.
//!
//! Each command is echoed as WinDbg shows it (`0:000> !heap -s`) and then answered by the same
//! code as the corresponding subcommand: the WinDbg words are translated to that subcommand's
//! arguments and parsed by its own `clap` definition, so both spellings always agree. A command
//! that fails or is unknown gets one clear line, and the following commands still run; the exit
//! status is non-zero when any failed.
//!
//! Supported: `!heap` (`-s`, `-a [HEAP]`, `-x ADDR`, `-p -a ADDR`, `-stat [-h HEAP]`,
//! `-flt s SIZE [MAX]`), `!address` (`-summary`, `ADDR`), `!runaway [FLAGS]`, `~*k`, `k`,
//! `~Nk`, `~`, `!dh [-s|-f] MODULE`, `s -a|-u|-b RANGE PATTERN`, `da ADDR`, `du ADDR`, `lm`,
//! `.exr -1`, `||`, `!peb`, `!teb`, and `!leak` (this tool's whole investigation). Addresses
//! may be hex numbers (with or without `0x` and WinDbg's backtick) or `[!]module[+offset]`
//! expressions.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use crate::cmd::{address, heap, info, leak, pe, runaway, stacks};
use crate::fmt_util::addr;
use crate::{CliError, open_dump};

/// Wraps one command's `clap::Args` so it can be parsed from translated WinDbg words.
#[derive(Debug, clap::Parser)]
#[command(no_binary_name = true, disable_help_flag = true)]
struct Wrap<T: clap::Args> {
    #[command(flatten)]
    inner: T,
}

fn parse<T: clap::Args>(argv: Vec<OsString>) -> Result<T, CliError> {
    <Wrap<T> as clap::Parser>::try_parse_from(argv)
        .map(|w| w.inner)
        .map_err(|e| {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("bad arguments").to_string();
            CliError::new(first.trim_start_matches("error: ").to_string())
        })
}

/// Splits a command line into words; double quotes group words (`"==> Allocated"`).
pub fn split_words(line: &str) -> Result<Vec<String>, CliError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return Err(CliError::new("unterminated quote"));
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn parse_number(s: &str) -> Option<u64> {
    let t = s.replace('`', "");
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(&t);
    if t.is_empty() {
        return None;
    }
    u64::from_str_radix(t, 16).ok()
}

/// Evaluates a WinDbg address expression: terms joined by `+`/`-`, each a hex number or a
/// module name (`!D4C`, `D4C`, `ntdll.dll`) standing for its base.
pub fn eval_address(dump: &dumpfile::Minidump, expr: &str) -> Result<u64, CliError> {
    let mut total: u64 = 0;
    let mut sign_negative = false;
    let mut term = String::new();
    let apply = |term: &str, negative: bool, total: &mut u64| -> Result<(), CliError> {
        let t = term.trim();
        if t.is_empty() {
            return Err(CliError::new(format!("bad address expression '{expr}'")));
        }
        let v = match parse_number(t) {
            Some(v) if !t.starts_with('!') => v,
            _ => pe::resolve_module(dump, t.trim_start_matches('!'))?.base,
        };
        *total = if negative {
            total.checked_sub(v)
        } else {
            total.checked_add(v)
        }
        .ok_or_else(|| CliError::new(format!("address expression '{expr}' overflows")))?;
        Ok(())
    };
    for c in expr.chars() {
        if c == '+' || c == '-' {
            apply(&term, sign_negative, &mut total)?;
            term.clear();
            sign_negative = c == '-';
        } else {
            term.push(c);
        }
    }
    apply(&term, sign_negative, &mut total)?;
    Ok(total)
}

fn os(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

fn not_supported(cmd: &str) -> CliError {
    CliError::new(format!("{cmd}: not supported yet"))
}

/// The thread WinDbg makes current when a dump is opened: the exception thread, else the first.
fn current_thread(dump: &dumpfile::Minidump) -> Option<(usize, u32)> {
    let threads = dump.threads().ok()?;
    if let Ok(Some(e)) = dump.exception()
        && let Some(i) = threads.iter().position(|t| t.id == e.thread_id)
    {
        return Some((i, e.thread_id));
    }
    threads.first().map(|t| (0, t.id))
}

fn run_stacks(path: &Path, thread: Option<u32>, out: &mut dyn Write) -> Result<(), CliError> {
    let p = path.to_string_lossy().into_owned();
    let mut argv = vec![p];
    if let Some(id) = thread {
        argv.push("--thread".to_string());
        argv.push(format!("{id:x}"));
    }
    let a: stacks::Args = parse(argv.into_iter().map(OsString::from).collect())?;
    stacks::run(&a, out)
}

fn heap_command(
    path: &Path,
    dump: &dumpfile::Minidump,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let p = path.to_string_lossy().into_owned();
    let mut argv: Vec<String> = Vec::new();
    let mut i = 0usize;
    while let Some(w) = words.get(i) {
        let lower = w.to_ascii_lowercase();
        match lower.as_str() {
            "-s" => argv.push("--summary".into()),
            "-a" => match words.get(i.saturating_add(1)) {
                Some(h) if !h.starts_with('-') => {
                    let h = eval_address(dump, h)?;
                    argv.push(format!("--entries={h:x}"));
                    i = i.saturating_add(1);
                }
                _ => argv.push("--entries".into()),
            },
            "-x" => {
                let a = words
                    .get(i.saturating_add(1))
                    .ok_or_else(|| CliError::new("!heap -x needs an address"))?;
                argv.push("--find".into());
                argv.push(format!("{:x}", eval_address(dump, a)?));
                i = i.saturating_add(1);
            }
            "-stat" => argv.push("--stat".into()),
            "-h" => {
                let h = words
                    .get(i.saturating_add(1))
                    .ok_or_else(|| CliError::new("!heap -h needs a heap address"))?;
                argv.push("--heap".into());
                argv.push(format!("{:x}", eval_address(dump, h)?));
                i = i.saturating_add(1);
            }
            "-flt" => {
                let kind = words.get(i.saturating_add(1)).copied().unwrap_or("");
                if !kind.eq_ignore_ascii_case("s") {
                    return Err(CliError::new(
                        "!heap -flt: only 's SIZE [MAX]' is supported",
                    ));
                }
                let lo = words
                    .get(i.saturating_add(2))
                    .and_then(|s| parse_number(s))
                    .ok_or_else(|| CliError::new("!heap -flt s needs a size"))?;
                let hi = words.get(i.saturating_add(3)).and_then(|s| parse_number(s));
                argv.push("--filter-size".into());
                match hi {
                    Some(hi) => {
                        argv.push(format!("{lo:x}-{hi:x}"));
                        i = i.saturating_add(3);
                    }
                    None => {
                        argv.push(format!("{lo:x}"));
                        i = i.saturating_add(2);
                    }
                }
            }
            "-p" => {
                // `!heap -p -a ADDR`: the block holding ADDR with its +ust allocation stack.
                let (Some(flag), Some(a)) = (
                    words.get(i.saturating_add(1)),
                    words.get(i.saturating_add(2)),
                ) else {
                    return Err(not_supported("!heap -p without -a ADDR"));
                };
                if !flag.eq_ignore_ascii_case("-a") {
                    return Err(not_supported(&format!("!heap -p {flag}")));
                }
                argv.push("--find".into());
                argv.push(format!("{:x}", eval_address(dump, a)?));
                i = i.saturating_add(2);
            }
            _ => {
                return Err(CliError::new(format!("!heap: unknown option '{w}'")));
            }
        }
        i = i.saturating_add(1);
    }
    argv.push(p);
    let a: heap::Args = parse(argv.into_iter().map(OsString::from).collect())?;
    heap::run(&a, out)
}

fn search_command(
    path: &Path,
    dump: &dumpfile::Minidump,
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
    let start = eval_address(dump, start)?;
    let second = rest
        .get(1)
        .ok_or_else(|| CliError::new("s: needs a range and a pattern"))?;
    let length = match second
        .strip_prefix('L')
        .or_else(|| second.strip_prefix('l'))
    {
        Some(l) => {
            let l = l.strip_prefix('?').unwrap_or(l);
            parse_number(l).ok_or_else(|| CliError::new(format!("s: bad length '{second}'")))?
        }
        None => eval_address(dump, second)?
            .checked_sub(start)
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| CliError::new("s: the range ends before it starts"))?,
    };
    let pattern = rest
        .get(2..)
        .map(|p| p.join(" "))
        .filter(|p| !p.is_empty())
        .ok_or_else(|| CliError::new("s: needs a pattern"))?;
    let argv = vec![
        kind.to_string(),
        "--range".into(),
        format!("{start:x}"),
        format!("{length:x}"),
        pattern,
        path.to_string_lossy().into_owned(),
    ];
    let a: pe::SearchArgs = parse(argv.into_iter().map(OsString::from).collect())?;
    pe::run_search(&a, out)
}

fn write_lm(dump: &dumpfile::Minidump, out: &mut dyn Write) -> Result<(), CliError> {
    let ps = dump.arch().pointer_size();
    let w = if ps == 4 { 8 } else { 17 };
    writeln!(out, "{:<w$} {:<w$}   module name", "start", "end")?;
    let mut modules = dump.modules().map_err(|e| CliError::new(e.to_string()))?;
    modules.sort_by_key(|m| m.base);
    for m in &modules {
        writeln!(
            out,
            "{} {}   {:<16} {}",
            addr(m.base, ps),
            addr(m.base.saturating_add(m.size), ps),
            dumpfile::module_short_name(&m.name).to_string(),
            m.name
        )?;
    }
    Ok(())
}

fn write_threads(dump: &dumpfile::Minidump, out: &mut dyn Write) -> Result<(), CliError> {
    let ps = dump.arch().pointer_size();
    let pid = dump
        .misc_info()
        .ok()
        .flatten()
        .and_then(|m| m.process_id)
        .unwrap_or(0);
    let current = current_thread(dump).map(|c| c.0);
    let threads = dump.threads().map_err(|e| CliError::new(e.to_string()))?;
    for (i, t) in threads.iter().enumerate() {
        writeln!(
            out,
            "{} {i:>2}  Id: {pid:x}.{:x} Suspend: {} Teb: {} Unfrozen",
            if Some(i) == current { '.' } else { ' ' },
            t.id,
            t.suspend_count,
            addr(t.teb, ps)
        )?;
    }
    Ok(())
}

fn write_exr(dump: &dumpfile::Minidump, out: &mut dyn Write) -> Result<(), CliError> {
    match dump.exception().map_err(|e| CliError::new(e.to_string()))? {
        None => {
            writeln!(out, "no exception record in the dump")?;
        }
        Some(e) => {
            writeln!(out, "ExceptionAddress: {:016x}", e.address)?;
            writeln!(
                out,
                "   ExceptionCode: {:08x} ({})",
                e.code,
                info::exception_name(e.code)
            )?;
            writeln!(out, "  ExceptionFlags: {:08x}", e.flags)?;
            writeln!(out, "NumberParameters: {}", e.parameters.len())?;
            for (i, p) in e.parameters.iter().enumerate() {
                writeln!(out, "   Parameter[{i}]: {p:016x}")?;
            }
        }
    }
    Ok(())
}

fn write_dump_line(
    path: &Path,
    dump: &dumpfile::Minidump,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    const MINIDUMP_WITH_FULL_MEMORY: u64 = 0x2;
    let kind = if dump.header().flags & MINIDUMP_WITH_FULL_MEMORY != 0 {
        "Full memory user mini dump"
    } else {
        "User mini dump"
    };
    writeln!(out, ".  0 {kind}: {}", path.display())?;
    Ok(())
}

/// `!address ADDR`: the region holding an address, with its usage.
fn address_of(dump: &dumpfile::Minidump, expr: &str, out: &mut dyn Write) -> Result<(), CliError> {
    let at = eval_address(dump, expr)?;
    let ps = dump.arch().pointer_size();
    let process = dump.process().ok();
    let (regions, source) = match address::regions(dump) {
        Ok(Some(r)) => (r, address::FROM_MEMORY_INFO),
        _ => (
            address::captured_regions(dump, process.as_ref()),
            address::FROM_CAPTURED,
        ),
    };
    let mut owners = address::owners(dump, process.as_ref());
    let (walked, _) = leak::walk_heaps(dump, &leak::Progress { on: false }, &mut Vec::new());
    for w in &walked {
        for s in &w.walk.segments {
            owners
                .heaps
                .push((s.segment.base_address, s.segment.reserved_bytes()));
        }
        for v in &w.walk.virtual_blocks {
            owners.heaps.push((v.address, v.reserve_size));
        }
    }
    let usages = address::classify(&regions, &owners);
    let Some((r, u)) = regions
        .iter()
        .zip(&usages)
        .find(|(r, _)| r.base <= at && at.checked_sub(r.base).is_some_and(|o| o < r.size))
    else {
        return Err(CliError::new(format!(
            "!address {expr}: {} is in no region of the dump ({source})",
            addr(at, ps)
        )));
    };
    writeln!(out, "Usage:                  {}", u.name())?;
    writeln!(out, "Base Address:           {}", addr(r.base, ps))?;
    writeln!(
        out,
        "End Address:            {}",
        addr(r.base.saturating_add(r.size), ps)
    )?;
    writeln!(out, "Region Size:            {}", addr(r.size, ps))?;
    writeln!(
        out,
        "State:                  {:08x}          {}",
        r.state,
        dumpfile::MemState::from_bits_retain(r.state)
    )?;
    writeln!(
        out,
        "Protect:                {:08x}          {}",
        r.protect,
        dumpfile::PageProtection::from_bits_retain(r.protect)
    )?;
    writeln!(
        out,
        "Type:                   {:08x}          {}",
        r.kind,
        dumpfile::MemType::from_bits_retain(r.kind)
    )?;
    writeln!(
        out,
        "Allocation Base:        {}",
        addr(r.allocation_base, ps)
    )?;
    if source == address::FROM_CAPTURED {
        writeln!(
            out,
            "(no MemoryInfoList: the region is a captured memory range)"
        )?;
    }
    Ok(())
}

/// `!peb`: the process facts the PEB holds.
fn write_peb(dump: &dumpfile::Minidump, out: &mut dyn Write) -> Result<(), CliError> {
    let p = dump
        .process()
        .map_err(|e| CliError::new(format!("!peb: {e}")))?;
    let ps = dump.arch().pointer_size();
    let Some(peb) = p.peb else {
        return Err(CliError::new(
            "!peb: no PEB in the dump (no thread TEB is readable)",
        ));
    };
    let opt = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| addr(v, ps));
    writeln!(out, "PEB at {}", addr(peb, ps))?;
    writeln!(out, "    ImageBaseAddress:  {}", opt(p.image_base))?;
    writeln!(out, "    ProcessHeap:       {}", opt(p.process_heap))?;
    writeln!(
        out,
        "    NumberOfHeaps:     {}",
        p.number_of_heaps
            .map_or_else(|| "?".to_string(), |n| n.to_string())
    )?;
    for h in &p.process_heaps {
        writeln!(out, "        {}", addr(*h, ps))?;
    }
    writeln!(
        out,
        "    ImagePathName:     {}",
        p.image_path.as_deref().unwrap_or("?")
    )?;
    writeln!(
        out,
        "    CommandLine:       '{}'",
        p.command_line.as_deref().unwrap_or("?")
    )?;
    writeln!(out, "    Ldr.InLoadOrderModuleList:")?;
    for m in &p.loader_modules {
        writeln!(
            out,
            "        {} {:>8x} {}",
            addr(m.base, ps),
            m.size,
            m.full_name
                .as_deref()
                .or(m.base_name.as_deref())
                .unwrap_or("?")
        )?;
    }
    if let Some(peb32) = p.peb32 {
        writeln!(out, "Wow64 PEB32 at {}", addr(peb32, 4))?;
    }
    for w in &p.warnings {
        writeln!(out, "    warning: {w}")?;
    }
    Ok(())
}

/// `!teb`: the current thread's TEB.
fn write_teb(dump: &dumpfile::Minidump, out: &mut dyn Write) -> Result<(), CliError> {
    let p = dump
        .process()
        .map_err(|e| CliError::new(format!("!teb: {e}")))?;
    let ps = dump.arch().pointer_size();
    let (_, id) = current_thread(dump).ok_or_else(|| CliError::new("!teb: no threads"))?;
    let t = p
        .threads
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CliError::new("!teb: no TEB for the current thread"))?;
    writeln!(out, "TEB at {}", addr(t.teb, ps))?;
    match t.stack_base_limit {
        Some((base, limit)) => {
            writeln!(out, "    StackBase:            {}", addr(base, ps))?;
            writeln!(out, "    StackLimit:           {}", addr(limit, ps))?;
        }
        None => writeln!(out, "    Stack:                not in the dump")?,
    }
    writeln!(out, "    ClientId:             {:x}", t.id)?;
    if let Some(peb) = p.peb {
        writeln!(out, "    PEB Address:          {}", addr(peb, ps))?;
    }
    if let Some(t32) = t.teb32 {
        writeln!(out, "Wow64 TEB32 at {}", addr(t32, 4))?;
    }
    Ok(())
}

/// Runs one WinDbg command against an open dump.
pub fn execute(
    path: &Path,
    dump: &dumpfile::Minidump,
    line: &str,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let words = split_words(line)?;
    let Some((head, args)) = words.split_first() else {
        return Ok(());
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let p = path.to_string_lossy().into_owned();
    let lower = head.to_ascii_lowercase();
    match lower.as_str() {
        "!heap" => heap_command(path, dump, &args, out),
        "!address" => {
            let mut argv = Vec::new();
            for a in &args {
                match a.to_ascii_lowercase().as_str() {
                    "-summary" => argv.push("--summary"),
                    other if other.starts_with('-') => {
                        return Err(CliError::new(format!(
                            "!address: option '{other}' not supported yet"
                        )));
                    }
                    _ => return address_of(dump, a, out),
                }
            }
            argv.push(&p);
            let a: address::Args = parse(os(&argv))?;
            address::run(&a, out)
        }
        "!runaway" => {
            let a: runaway::Args = parse(os(&[&p]))?;
            runaway::run(&a, out)
        }
        "~*k" | "~*kb" | "~*kn" => run_stacks(path, None, out),
        "k" | "kb" | "kn" => run_stacks(path, current_thread(dump).map(|c| c.1), out),
        "~" | "~*" => write_threads(dump, out),
        "!dh" => {
            let mut argv: Vec<String> = Vec::new();
            let mut module = None;
            for a in &args {
                match *a {
                    "-s" | "-f" => argv.push((*a).to_string()),
                    "-a" => {}
                    m => module = Some(m.to_string()),
                }
            }
            let module = module.ok_or_else(|| CliError::new("!dh: needs a module"))?;
            // `!D4C` is a module name; a bare hex word is a base address.
            let module = match (module.strip_prefix('!'), parse_number(&module)) {
                (Some(name), _) => name.to_string(),
                (None, Some(v)) => format!("{v:x}"),
                (None, None) => module,
            };
            argv.push(p);
            argv.push(module);
            let a: pe::DhArgs = parse(argv.into_iter().map(OsString::from).collect())?;
            pe::run_dh(&a, out)
        }
        "s" => search_command(path, dump, &args, out),
        "da" | "du" => {
            let at = args
                .first()
                .ok_or_else(|| CliError::new(format!("{lower}: needs an address")))?;
            let at = format!("{:x}", eval_address(dump, at)?);
            let mut argv: Vec<&str> = Vec::new();
            if lower == "du" {
                argv.push("-u");
            }
            argv.push(&at);
            argv.push(&p);
            let a: pe::DaArgs = parse(os(&argv))?;
            pe::run_da(&a, out)
        }
        "lm" => write_lm(dump, out),
        ".exr" => {
            if args.first() != Some(&"-1") {
                return Err(not_supported(".exr with an address (only .exr -1)"));
            }
            write_exr(dump, out)
        }
        "||" => write_dump_line(path, dump, out),
        "!peb" => write_peb(dump, out),
        "!teb" => write_teb(dump, out),
        "!leak" => {
            let r = leak::investigate(dump, &leak::Progress::new());
            Ok(leak::write_text(&r, out)?)
        }
        _ => {
            if let Some(n) = lower.strip_prefix('~').and_then(|r| r.strip_suffix('k'))
                && let Ok(n) = n.parse::<usize>()
            {
                let threads = dump.threads().map_err(|e| CliError::new(e.to_string()))?;
                let t = threads
                    .get(n)
                    .ok_or_else(|| CliError::new(format!("{head}: no thread {n}")))?;
                return run_stacks(path, Some(t.id), out);
            }
            if matches!(
                lower.as_str(),
                "!analyze"
                    | "!vm"
                    | "!poolused"
                    | "!verifier"
                    | "!process"
                    | "!handle"
                    | "!thread"
                    | "!threads"
                    | "dt"
            ) {
                return Err(not_supported(head));
            }
            Err(CliError::new(format!("{head}: unknown command")))
        }
    }
}

/// Runs every command against the dump at `path`, each preceded by `0:000> COMMAND`. Failing
/// commands print one line and the rest still run; the result is an error when any failed.
pub fn run_commands(path: &Path, commands: &[String], out: &mut dyn Write) -> Result<(), CliError> {
    let dump = open_dump(path)?;
    let mut failed = Vec::new();
    for (i, c) in commands.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "0:000> {c}")?;
        if let Err(e) = execute(path, &dump, c, out) {
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
    fn splits_quoted_words() {
        assert_eq!(
            split_words(r#"s -a !D4C+0x3000 L0x3600 "==> Allocated addr:""#).unwrap(),
            vec!["s", "-a", "!D4C+0x3000", "L0x3600", "==> Allocated addr:"]
        );
        assert!(split_words("s -a 0 L1 \"open").is_err());
        assert_eq!(split_words("  ~*k ").unwrap(), vec!["~*k"]);
    }

    #[test]
    fn numbers_as_windbg_writes_them() {
        assert_eq!(parse_number("00007ff6`dfe236b0"), Some(0x7ff6_dfe2_36b0));
        assert_eq!(parse_number("0x10"), Some(0x10));
        assert_eq!(parse_number("D4C"), Some(0xd4c));
        assert_eq!(parse_number("zz"), None);
    }
}
