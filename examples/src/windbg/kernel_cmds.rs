//! The kernel-dump commands of the WinDbg dispatch table: `lm`, `.bugcheck`, `vertarget`
//! sections, `db`/`dd`/`dq`, and kernel address expressions.

use std::io::Write;

use super::{parse_hex, text};
use crate::CliError;
use crate::kernel::{info as kinfo, memory as kmemory};
use crate::target::KernelTarget;

/// One section of the kernel `info` report (`lm`, `.bugcheck`, `vertarget`).
pub(super) fn kernel_info(
    k: &KernelTarget,
    out: &mut dyn Write,
    section: fn(&kinfo::Report, &mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let r = kinfo::investigate(k, &kinfo::Options);
    section(&r, out)?;
    Ok(())
}

/// A kernel address: hex, or `module[+offset]` of a loaded driver.
pub(super) fn keval(k: &KernelTarget, expr: &str) -> Result<u64, CliError> {
    if let Some(v) = parse_hex(expr) {
        return Ok(v);
    }
    let (name, off) = match expr.split_once('+') {
        Some((n, o)) => (
            n,
            parse_hex(o).ok_or_else(|| CliError::new(format!("bad offset in '{expr}'")))?,
        ),
        None => (expr, 0),
    };
    let name = name.trim_start_matches('!');
    k.driver_list()
        .iter()
        .find(|d| k.module_name(d).eq_ignore_ascii_case(name) || d.name.eq_ignore_ascii_case(name))
        .map(|d| d.base.wrapping_add(off))
        .ok_or_else(|| CliError::new(format!("cannot evaluate '{expr}'")))
}

/// `db`/`dd`/`dq ADDR [L COUNT]`.
pub(super) fn display_command(
    k: &KernelTarget,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let at = words
        .first()
        .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
    let count = match words.get(1) {
        Some(w) => {
            let l = w
                .strip_prefix('L')
                .or_else(|| w.strip_prefix('l'))
                .ok_or_else(|| CliError::new(format!("{head}: expected L COUNT, not '{w}'")))?;
            let l = l.strip_prefix('?').unwrap_or(l);
            Some(parse_hex(l).ok_or_else(|| CliError::new(format!("{head}: bad count '{w}'")))?)
        }
        None => None,
    };
    let unit = match head {
        "dd" => kmemory::Unit::Dword,
        "dq" => kmemory::Unit::Qword,
        _ => kmemory::Unit::Byte,
    };
    let options = kmemory::Options {
        address: keval(k, at)?,
        unit,
        count,
    };
    text(&kmemory::investigate(k, &options)?, out)
}

/// `k`, `.trap ADDR`, `.cxr ADDR`: the walked kernel stack.
pub(super) fn kernel_stack(
    k: &KernelTarget,
    start: crate::kernel::stack::Start,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let o = crate::kernel::stack::Options { start };
    text(&crate::kernel::stack::investigate(k, &o)?, out)
}

/// `!poolused [FLAGS [TAG]]`, `!pool ADDR`, `!poolfind TAG`.
pub(super) fn pool_command(
    k: &KernelTarget,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::kernel::pool::{Mode, Options, investigate};
    let first = words.first().copied();
    let mode = match head {
        "!poolused" => Mode::Used {
            flags: match first {
                Some(f) => parse_flags(f)
                    .ok_or_else(|| CliError::new(format!("{head}: bad flags '{f}'")))?,
                None => 0,
            },
            tag: words.get(1).map(ToString::to_string),
        },
        "!pool" => Mode::Page(keval(
            k,
            first.ok_or_else(|| CliError::new(format!("{head}: needs an address")))?,
        )?),
        _ => Mode::Find(
            first
                .ok_or_else(|| CliError::new(format!("{head}: needs a tag")))?
                .to_string(),
        ),
    };
    let o = Options {
        mode,
        pooltag: None,
        progress: crate::progress::wanted(false, false),
    };
    text(&investigate(k, &o)?, out)
}

/// WinDbg's numeric flags: hex with or without `0x`.
fn parse_flags(s: &str) -> Option<u32> {
    u32::try_from(parse_hex(s)?).ok()
}

/// `!verifier 3`, `!verifier 80 [ADDR]`.
pub(super) fn verifier_command(
    k: &KernelTarget,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::kernel::verifier::{Options, investigate};
    let flags = match words.first() {
        Some(f) => {
            parse_flags(f).ok_or_else(|| CliError::new(format!("{head}: bad flags '{f}'")))?
        }
        None => 3,
    };
    let o = if flags & 0x80 != 0 {
        Options::Log(words.get(1).map(|a| keval(k, a)).transpose()?)
    } else {
        Options::Drivers
    };
    text(&investigate(k, &o)?, out)
}

/// `!process 0 0`, `!process ADDR [FLAGS]`, `.process ADDR`.
pub(super) fn process_command(
    k: &KernelTarget,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::kernel::process::{Options, investigate, select};
    if head == ".process" {
        let a = words
            .first()
            .ok_or_else(|| CliError::new(format!("{head}: needs an EPROCESS address")))?;
        out.write_all(select(k, keval(k, a)?)?.as_bytes())?;
        return Ok(());
    }
    let address = match words.first() {
        Some(a) => keval(k, a)?,
        None => 0,
    };
    let flags = match words.get(1) {
        Some(f) => {
            parse_flags(f).ok_or_else(|| CliError::new(format!("{head}: bad flags '{f}'")))?
        }
        None => 0,
    };
    let o = if address == 0 {
        Options::All
    } else {
        Options::One { address, flags }
    };
    text(&investigate(k, &o)?, out)
}

/// `!handle [HANDLE] [FLAGS]` of the process `.process` selected, `!object ADDR`.
pub(super) fn handle_command(
    k: &KernelTarget,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::kernel::handle::{Options, investigate};
    let o = if head == "!object" {
        let a = words
            .first()
            .ok_or_else(|| CliError::new(format!("{head}: needs an address")))?;
        Options::Object(keval(k, a)?)
    } else {
        let number = |i: usize, what: &str| {
            words
                .get(i)
                .map(|h| {
                    parse_hex(h).ok_or_else(|| CliError::new(format!("{head}: bad {what} '{h}'")))
                })
                .transpose()
        };
        Options::Handles {
            handle: number(0, "handle")?,
            process: None,
            summary: false,
            flags: number(1, "flags")?.unwrap_or(3),
        }
    };
    text(&investigate(k, &o)?, out)
}

/// `!thread ADDR`.
pub(super) fn thread_command(
    k: &KernelTarget,
    head: &str,
    words: &[&str],
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let a = words
        .first()
        .ok_or_else(|| CliError::new(format!("{head}: needs an ETHREAD address")))?;
    let o = crate::kernel::thread::Options {
        address: keval(k, a)?,
    };
    text(&crate::kernel::thread::investigate(k, &o)?, out)
}
