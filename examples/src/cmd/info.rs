//! `dumpscope info`: system, exception, threads, modules and memory of a user-mode minidump, in the
//! spirit of WinDbg's `||`, `.exr -1`, `~` and `lm`.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::fmt_util::addr;
use crate::{CliError, open_dump, write_json};

/// Arguments of `dumpscope info`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON (a stable contract) instead of text.
    #[arg(long)]
    pub json: bool,
    /// The user-mode minidump.
    pub dump: PathBuf,
}

/// `system` of the JSON contract.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct SystemJson {
    /// "x86", "x64", "arm64" or "unknown(N)".
    pub arch: String,
    /// Major version of Windows.
    pub major: u32,
    /// Minor version of Windows.
    pub minor: u32,
    /// Build number.
    pub build: u32,
    /// Number of processors.
    pub processors: u32,
}

/// `exception` of the JSON contract.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ExceptionJson {
    /// The thread that raised it.
    pub thread_id: u32,
    /// NTSTATUS code.
    pub code: u32,
    /// Exception address.
    pub address: u64,
}

/// One element of `threads`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ThreadJson {
    /// Thread id.
    pub id: u32,
    /// Address of its TEB.
    pub teb: u64,
    /// Lowest address of the captured stack.
    pub stack_start: u64,
    /// Size of the captured stack.
    pub stack_size: u64,
}

/// One element of `modules`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ModuleJson {
    /// Image base.
    pub base: u64,
    /// Size of image.
    pub size: u64,
    /// Full path as recorded.
    pub name: String,
    /// PE time stamp.
    pub timestamp: u32,
    /// PE checksum.
    pub checksum: u32,
    /// PDB path from the CodeView record.
    pub pdb_name: Option<String>,
    /// Symbol-server key: GUID without dashes then age, upper-case hex.
    pub pdb_id: Option<String>,
}

/// One element of `thread_info`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct ThreadInfoJson {
    /// Thread id.
    pub id: u32,
    /// FILETIME of creation.
    pub create_time: u64,
    /// Kernel time, 100-ns units.
    pub kernel_time: u64,
    /// User time, 100-ns units.
    pub user_time: u64,
    /// Start address.
    pub start_address: u64,
}

/// The JSON contract of `dumpscope info --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct InfoJson {
    /// System information, or null when the stream is absent.
    pub system: Option<SystemJson>,
    /// The exception, or null.
    pub exception: Option<ExceptionJson>,
    /// Threads of ThreadList.
    pub threads: Vec<ThreadJson>,
    /// Modules of ModuleList.
    pub modules: Vec<ModuleJson>,
    /// Captured memory ranges, `[base, size]`, ascending.
    pub memory: Vec<[u64; 2]>,
    /// ThreadInfoList entries.
    pub thread_info: Vec<ThreadInfoJson>,
    /// Number of handles in HandleData, or null.
    pub handle_count: Option<u64>,
}

/// The name of the architecture as the JSON contract spells it.
pub fn arch_name(arch: dumpfile::Arch) -> String {
    match arch {
        dumpfile::Arch::X86 => "x86".to_string(),
        dumpfile::Arch::X64 => "x64".to_string(),
        dumpfile::Arch::Arm64 => "arm64".to_string(),
        other => format!("unknown({other:?})"),
    }
}

/// Pointer size of the dump's architecture (8 unless x86).
pub fn pointer_size(arch: dumpfile::Arch) -> usize {
    if arch == dumpfile::Arch::X86 { 4 } else { 8 }
}

/// A short description of well-known exception codes, as `.exr` prints them.
pub fn exception_name(code: u32) -> &'static str {
    match code {
        0x8000_0003 => "Break instruction exception",
        0x8000_0004 => "Single step exception",
        0x8000_0001 => "Guard page violation",
        0xC000_0005 => "Access violation",
        0xC000_0006 => "In-page I/O error",
        0xC000_000D => "Invalid parameter",
        0xC000_001D => "Illegal instruction",
        0xC000_008C => "Array bounds exceeded",
        0xC000_0094 => "Integer divide-by-zero",
        0xC000_00FD => "Stack overflow",
        0xC000_0374 => "Heap corruption",
        0xC000_0409 => "Security check failure or stack buffer overrun",
        0xC000_0420 => "Assertion failure",
        0xE06D_7363 => "C++ EH exception",
        0x4000_0015 => "Fatal application exit",
        _ => "Unknown exception",
    }
}

/// Everything `info` reads, with the problems met on the way.
#[derive(Debug)]
pub struct Collected {
    /// The JSON view.
    pub json: InfoJson,
    /// Errors met reading single streams: the rest was still read.
    pub problems: Vec<String>,
}

/// Reads what `info` shows from an open dump. Stream errors are collected, not fatal.
pub fn collect(dump: &dumpfile::Minidump) -> Collected {
    let mut problems = Vec::new();
    let system = match dump.system_info() {
        Ok(Some(s)) => Some(SystemJson {
            arch: arch_name(s.arch),
            major: s.major,
            minor: s.minor,
            build: s.build,
            processors: u32::from(s.processors),
        }),
        Ok(None) => None,
        Err(e) => {
            problems.push(format!("SystemInfo: {e}"));
            None
        }
    };
    let exception = match dump.exception() {
        Ok(Some(e)) => Some(ExceptionJson {
            thread_id: e.thread_id,
            code: e.code,
            address: e.address,
        }),
        Ok(None) => None,
        Err(e) => {
            problems.push(format!("Exception: {e}"));
            None
        }
    };
    let threads = match dump.threads() {
        Ok(t) => t
            .iter()
            .map(|t| ThreadJson {
                id: t.id,
                teb: t.teb,
                stack_start: t.stack.base,
                stack_size: t.stack.size,
            })
            .collect(),
        Err(e) => {
            problems.push(format!("ThreadList: {e}"));
            Vec::new()
        }
    };
    let modules = match dump.modules() {
        Ok(m) => m
            .iter()
            .map(|m| ModuleJson {
                base: m.base,
                size: m.size,
                name: m.name.clone(),
                timestamp: m.time_date_stamp,
                checksum: m.checksum,
                pdb_name: m.codeview.as_ref().map(|c| c.pdb_name().to_string()),
                pdb_id: m.codeview.as_ref().map(|c| c.pdb_id()),
            })
            .collect(),
        Err(e) => {
            problems.push(format!("ModuleList: {e}"));
            Vec::new()
        }
    };
    let memory = dump.memory().ranges().map(|r| [r.base, r.size]).collect();
    let thread_info = match dump.thread_info() {
        Ok(Some(list)) => list
            .iter()
            .map(|t| ThreadInfoJson {
                id: t.thread_id,
                create_time: t.create_time,
                kernel_time: t.kernel_time,
                user_time: t.user_time,
                start_address: t.start_address,
            })
            .collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            problems.push(format!("ThreadInfoList: {e}"));
            Vec::new()
        }
    };
    let handle_count = match dump.handles() {
        Ok(Some(h)) => Some(h.handles.len() as u64),
        Ok(None) => None,
        Err(e) => {
            problems.push(format!("HandleData: {e}"));
            None
        }
    };
    Collected {
        json: InfoJson {
            system,
            exception,
            threads,
            modules,
            memory,
            thread_info,
            handle_count,
        },
        problems,
    }
}

/// Runs `dumpscope info`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let dump = open_dump(&args.dump)?;
    let collected = collect(&dump);
    if args.json {
        write_json(out, &collected.json)?;
    } else {
        write_text(&dump, &collected.json, out)?;
    }
    match collected.problems.first() {
        None => Ok(()),
        Some(first) => Err(CliError::at(
            &args.dump,
            format!(
                "{first}{}",
                if collected.problems.len() > 1 {
                    format!(
                        " (and {} more problems)",
                        collected.problems.len().saturating_sub(1)
                    )
                } else {
                    String::new()
                }
            ),
        )),
    }
}

fn write_text(
    dump: &dumpfile::Minidump,
    info: &InfoJson,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let ps = pointer_size(dump.arch());
    let header = dump.header();
    writeln!(
        out,
        "User mini dump: {} streams, flags 0x{:x}, time stamp 0x{:08x}",
        header.number_of_streams, header.flags, header.time_date_stamp
    )?;
    match &info.system {
        Some(s) => writeln!(
            out,
            "System:  Windows {}.{}.{} {}, {} processor{}",
            s.major,
            s.minor,
            s.build,
            s.arch,
            s.processors,
            if s.processors == 1 { "" } else { "s" }
        )?,
        None => writeln!(out, "System:  (no SystemInfo stream)")?,
    }
    writeln!(out)?;
    writeln!(out, "Exception (.exr -1):")?;
    match &info.exception {
        Some(e) => {
            writeln!(out, "ExceptionAddress: {}", addr(e.address, ps))?;
            writeln!(
                out,
                "   ExceptionCode: {:08x} ({})",
                e.code,
                exception_name(e.code)
            )?;
            writeln!(out, "          Thread: {:x}", e.thread_id)?;
        }
        None => writeln!(out, "  (no exception record)")?,
    }
    writeln!(out)?;
    writeln!(out, "Threads (~): {}", info.threads.len())?;
    let exc_thread = info.exception.as_ref().map(|e| e.thread_id);
    for (i, t) in info.threads.iter().enumerate() {
        let mark = if Some(t.id) == exc_thread { '#' } else { ' ' };
        writeln!(
            out,
            "{mark}{i:3}  Id: {:x} Teb: {} Stack: {} size {:x}",
            t.id,
            addr(t.teb, ps),
            addr(t.stack_start, ps),
            t.stack_size
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Modules (lm): {}", info.modules.len())?;
    let w = if ps == 4 { 8 } else { 17 };
    writeln!(out, "{:w$} {:w$}   module name", "start", "end")?;
    for m in &info.modules {
        let short = m
            .name
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(&m.name)
            .to_string();
        writeln!(
            out,
            "{} {}   {:<20} {:08x}  {}",
            addr(m.base, ps),
            addr(m.base.saturating_add(m.size), ps),
            short,
            m.timestamp,
            m.pdb_id.as_deref().unwrap_or("-")
        )?;
    }
    writeln!(out)?;
    let total: u64 = info.memory.iter().map(|r| r[1]).sum();
    writeln!(
        out,
        "Memory: {} captured ranges, {} bytes ({})",
        info.memory.len(),
        total,
        crate::fmt_util::human_size(total)
    )?;
    if !info.thread_info.is_empty() {
        writeln!(out, "ThreadInfoList: {} entries", info.thread_info.len())?;
    }
    if let Some(h) = info.handle_count {
        writeln!(out, "Handles: {h}")?;
    }
    Ok(())
}
