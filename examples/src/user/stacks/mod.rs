//! `dumpscope stacks`: every thread's call stack, like WinDbg's `~*k`.
//!
//! Unwind data comes from the images mapped in the dump when their `.pdata` is captured (full
//! dumps), else from PE files found in `--images` directories (flat, or the symbol-store layout
//! `name/TTTTTTTTSSSS/name`, where the key is the image's time stamp and size). Symbols come from
//! PDBs found in `--symbols` directories (flat, or `name.pdb/GUIDAGE/name.pdb`), matched by GUID
//! and DBI age, else from the images' exports. Images and PDBs the directories lack are looked
//! up along the symbol path (`--symbol-path`, `_NT_SYMBOL_PATH`: symbol stores and servers). WOW64 threads of x64 dumps also get their 32-bit
//! stack, from the 32-bit context in the 64-bit TEB.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use stackwalk::symsrv::SymbolLocator;
use stackwalk::{Context, Limits, Modules, StopReason, Walker};

use crate::CliError;
use crate::adapt::{DumpMemory, thread_context, wow64_context};
use crate::target::UserDump;

mod modules;
mod text;

pub use self::modules::load_modules;
pub(crate) use self::modules::{build_module, image_file};

/// Where to look for images and PDBs, and how deep to walk.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only this thread (id).
    pub thread: Option<u32>,
    /// Directories with PE images.
    pub image_dirs: Vec<PathBuf>,
    /// Directories with PDBs.
    pub symbol_dirs: Vec<PathBuf>,
    /// The symbol path (`--symbol-path`, `_NT_SYMBOL_PATH`): stores and servers searched for
    /// the images (their `.pdata`) and PDBs the directories above do not have.
    pub locator: Option<Arc<SymbolLocator>>,
    /// Most frames per stack.
    pub max_frames: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            thread: None,
            image_dirs: Vec::new(),
            symbol_dirs: Vec::new(),
            locator: None,
            max_frames: 256,
        }
    }
}

/// One frame, symbolized.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FrameOut {
    /// Instruction pointer (frame 0) or return address.
    pub instruction: u64,
    /// Stack pointer of the frame (WinDbg's Child-SP).
    pub stack_pointer: u64,
    /// x86 only: the frame's EBP (WinDbg's ChildEBP), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame_pointer: Option<u64>,
    /// The next frame's instruction (WinDbg's RetAddr).
    pub return_address: Option<u64>,
    /// `context`, `unwind`, `frame_pointer` or `scan`.
    pub trust: &'static str,
    /// Module name.
    pub module: Option<String>,
    /// Symbol name.
    pub symbol: Option<String>,
    /// Offset from the symbol, else from the module base.
    pub offset: Option<u64>,
    /// `module!symbol+0xoff` as WinDbg prints the call site.
    pub call_site: String,
}

/// One walked stack.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StackOut {
    /// `x64` or `x86`.
    pub arch: &'static str,
    /// Frames, innermost first.
    pub frames: Vec<FrameOut>,
    /// Why the walk ended.
    pub stop: String,
}

/// The stacks of one thread.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ThreadStacks {
    /// Index in the thread list (WinDbg's thread number).
    pub index: usize,
    /// Thread id.
    pub id: u32,
    /// Suspend count.
    pub suspend_count: u32,
    /// TEB address (the native TEB).
    pub teb: u64,
    /// The thread's native stack frames (empty when its context could not be read).
    pub frames: Vec<FrameOut>,
    /// Why the native walk ended.
    pub stop: String,
    /// For the thread of the exception stream: the stack from the exception context
    /// (WinDbg's `.ecxr; k`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<StackOut>,
    /// For a WOW64 thread of an x64 dump: its 32-bit stack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wow64: Option<StackOut>,
    /// What could not be read for this thread.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Per module: where unwind data and symbols came from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ModuleSource {
    /// Module name.
    pub name: String,
    /// Load address.
    pub base: u64,
    /// `dump` (mapped image), a file path, or `none`.
    pub unwind: String,
    /// `pdb:PATH`, `exports`, or `none`.
    pub symbols: String,
}

/// Everything `dumpscope stacks` prints.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Process id, when the dump records it.
    pub process_id: Option<u32>,
    /// Pointer size of the dump (4 or 8).
    pub pointer_size: usize,
    /// The threads.
    pub threads: Vec<ThreadStacks>,
    /// Where each module's data came from.
    pub modules: Vec<ModuleSource>,
}

fn stop_text(stop: &StopReason) -> String {
    stop.to_string()
}

fn frames_out(stack: &stackwalk::Stack, modules: &Modules<'_>) -> Vec<FrameOut> {
    stack
        .frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let loc = modules.locate(f.instruction, f.is_return_address);
            let frame_pointer = match &f.context {
                Context::X86(c) => c.reg(stackwalk::context::x86_reg::EBP).map(u64::from),
                _ => None,
            };
            FrameOut {
                instruction: f.instruction,
                stack_pointer: f.stack_pointer,
                frame_pointer,
                return_address: stack.return_address(i),
                trust: f.trust.as_str(),
                offset: loc.module.as_ref().map(|_| loc.offset),
                call_site: loc.to_string(),
                module: loc.module,
                symbol: loc.symbol,
            }
        })
        .collect()
}

/// Walks the stacks of the dump's threads (all, or only `only`).
///
/// Other commands use this to show the stacks of interesting threads. Modules are loaded once;
/// a thread whose context cannot be read gets a warning and no frames.
pub fn thread_stacks(
    dump: &dumpfile::Minidump,
    opts: &Options,
    only: Option<u32>,
) -> Result<Report, dumpfile::Error> {
    let threads = dump.threads()?;
    let (modules, sources) = load_modules(dump, opts);
    let mem = DumpMemory(dump);
    let limits = Limits::default().with_max_frames(opts.max_frames.max(1));
    let walker = Walker::new(mem, &modules).with_limits(limits);
    let arch = dump.arch();
    let exception = dump.exception().ok().flatten();
    let decode = |b: &[u8]| thread_context(arch, b);
    let mut out = Vec::new();
    for (index, t) in threads.iter().enumerate() {
        if only.is_some_and(|id| id != t.id) {
            continue;
        }
        let mut warnings = Vec::new();
        let ctx = match dump.location_bytes(t.context) {
            Ok(b) => decode(b),
            Err(e) => Err(e.to_string()),
        };
        let (frames, stop) = match ctx {
            Ok(c) => {
                let s = walker.walk(c);
                (frames_out(&s, &modules), stop_text(&s.stop))
            }
            Err(e) => {
                warnings.push(format!("context: {e}"));
                (Vec::new(), "no context".to_string())
            }
        };
        let exception_stack = match &exception {
            // Shown only when it differs from the thread's own context.
            Some(e) if e.thread_id == t.id && e.context != t.context => {
                match dump
                    .location_bytes(e.context)
                    .map_err(|e| e.to_string())
                    .and_then(decode)
                {
                    Ok(c)
                        if frames.first().map(|f| (f.instruction, f.stack_pointer))
                            == Some((c.instruction_pointer(), c.stack_pointer())) =>
                    {
                        None
                    }
                    Ok(c) => {
                        let s = walker.walk(c);
                        Some(StackOut {
                            arch: if arch == dumpfile::Arch::X86 {
                                "x86"
                            } else {
                                "x64"
                            },
                            frames: frames_out(&s, &modules),
                            stop: stop_text(&s.stop),
                        })
                    }
                    Err(e) => {
                        warnings.push(format!("exception context: {e}"));
                        None
                    }
                }
            }
            _ => None,
        };
        let wow64 = if arch == dumpfile::Arch::X64 {
            match dump.wow64_context(t) {
                Ok(c) => {
                    let s = walker.walk(wow64_context(&c));
                    Some(StackOut {
                        arch: "x86",
                        frames: frames_out(&s, &modules),
                        stop: stop_text(&s.stop),
                    })
                }
                Err(dumpfile::Error::NotWow64 { .. }) => None,
                Err(e) => {
                    warnings.push(format!("WOW64 context: {e}"));
                    None
                }
            }
        } else {
            None
        };
        out.push(ThreadStacks {
            index,
            id: t.id,
            suspend_count: t.suspend_count,
            teb: t.teb,
            frames,
            stop,
            exception: exception_stack,
            wow64,
            warnings,
        });
    }
    let process_id = dump.misc_info().ok().flatten().and_then(|m| m.process_id);
    Ok(Report {
        process_id,
        pointer_size: arch.pointer_size(),
        threads: out,
        modules: sources,
    })
}

/// The stacks of the dump's threads (`Options::thread`: only that one).
pub fn investigate(u: &UserDump, options: &Options) -> Result<Report, CliError> {
    let report =
        thread_stacks(&u.dump, options, options.thread).map_err(|e| CliError::at(&u.path, e))?;
    if let Some(id) = options.thread
        && report.threads.is_empty()
    {
        return Err(CliError::at(
            &u.path,
            format!("no thread with id {id:#x} in the dump"),
        ));
    }
    Ok(report)
}
