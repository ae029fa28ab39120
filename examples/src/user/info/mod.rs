//! `dumpscope info`: system, exception, threads, modules and memory of a user-mode minidump, in the
//! spirit of WinDbg's `||`, `.exr -1`, `~` and `lm`.

use serde::Serialize;

use crate::target::UserDump;

mod text;

/// The system the dump was written on (`system` of the JSON contract).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct System {
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

/// The exception record (`exception` of the JSON contract).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Exception {
    /// The thread that raised it.
    pub thread_id: u32,
    /// NTSTATUS code.
    pub code: u32,
    /// Exception address.
    pub address: u64,
}

/// One element of `threads`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Thread {
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
pub struct Module {
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
pub struct ThreadInfo {
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

/// What `dumpscope info` reports; its serde form is the JSON contract of `info --json`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// System information, or null when the stream is absent.
    pub system: Option<System>,
    /// The exception, or null.
    pub exception: Option<Exception>,
    /// Threads of ThreadList.
    pub threads: Vec<Thread>,
    /// Modules of ModuleList.
    pub modules: Vec<Module>,
    /// Captured memory ranges, `[base, size]`, ascending.
    pub memory: Vec<[u64; 2]>,
    /// ThreadInfoList entries.
    pub thread_info: Vec<ThreadInfo>,
    /// Number of handles in HandleData, or null.
    pub handle_count: Option<u64>,
    /// The header's stream count, flags and time stamp (text only).
    #[serde(skip)]
    pub header: (u32, u64, u32),
    /// Pointer size of the dump's architecture (text only).
    #[serde(skip)]
    pub pointer_size: usize,
    /// Errors met reading single streams (the rest was still read), as the command's error.
    #[serde(skip)]
    pub failure: Option<String>,
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

/// `   ExceptionCode: c0000005 (Access violation)`, as `.exr` prints it.
pub fn exception_code_line(code: u32) -> String {
    format!("   ExceptionCode: {code:08x} ({})", exception_name(code))
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

/// Options of `info` (none yet: every command takes its `Options`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options;

/// Reads what `info` shows. Stream errors are collected, not fatal: the report holds what
/// could be read and names the first problem as its failure.
pub fn investigate(u: &UserDump, _options: &Options) -> Report {
    let dump = &u.dump;
    let mut problems = Vec::new();
    let system = match dump.system_info() {
        Ok(Some(s)) => Some(System {
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
        Ok(Some(e)) => Some(Exception {
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
            .map(|t| Thread {
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
            .map(|m| Module {
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
            .map(|t| ThreadInfo {
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
    let header = dump.header();
    let failure = problems.first().map(|first| {
        let more = if problems.len() > 1 {
            format!(" (and {} more problems)", problems.len().saturating_sub(1))
        } else {
            String::new()
        };
        format!("{}: {first}{more}", u.path.display())
    });
    Report {
        system,
        exception,
        threads,
        modules,
        memory,
        thread_info,
        handle_count,
        header: (
            header.number_of_streams,
            header.flags,
            header.time_date_stamp,
        ),
        pointer_size: dump.arch().pointer_size(),
        failure,
    }
}
