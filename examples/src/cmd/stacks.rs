//! `dumpscope stacks`: every thread's call stack, like WinDbg's `~*k`.
//!
//! Unwind data comes from the images mapped in the dump when their `.pdata` is captured (full
//! dumps), else from PE files found in `--images` directories (flat, or the symbol-store layout
//! `name/TTTTTTTTSSSS/name`, where the key is the image's time stamp and size). Symbols come from
//! PDBs found in `--symbols` directories (flat, or `name.pdb/GUIDAGE/name.pdb`), matched by GUID
//! and DBI age, else from the images' exports. WOW64 threads of x64 dumps also get their 32-bit
//! stack, from the 32-bit context in the 64-bit TEB.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use stackwalk::{
    Context, ContextX64, ContextX86, ImageUnwind, Limits, Module, Modules, PdbData, PdbIdentity,
    StopReason, SymbolTable, Walker,
};

use crate::fmt_util::addr;
use crate::{CliError, open_dump, write_json};

/// Arguments of `dumpscope stacks`.
#[derive(Debug, clap::Args)]
pub struct Args {
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
    /// A directory with PDBs (flat or symbol-store layout); may be repeated.
    #[arg(long = "symbols")]
    pub symbols: Vec<PathBuf>,
    /// Most frames per stack.
    #[arg(long, default_value_t = 256)]
    pub max_frames: usize,
}

/// Where to look for images and PDBs, and how deep to walk.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Directories with PE images.
    pub image_dirs: Vec<PathBuf>,
    /// Directories with PDBs.
    pub symbol_dirs: Vec<PathBuf>,
    /// Most frames per stack.
    pub max_frames: usize,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            image_dirs: Vec::new(),
            symbol_dirs: Vec::new(),
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
pub struct StacksReport {
    /// Process id, when the dump records it.
    pub process_id: Option<u32>,
    /// Pointer size of the dump (4 or 8).
    pub pointer_size: usize,
    /// The threads.
    pub threads: Vec<ThreadStacks>,
    /// Where each module's data came from.
    pub modules: Vec<ModuleSource>,
}

/// [`stackwalk::ReadMemory`] over the dump's memory.
#[derive(Debug, Clone, Copy)]
pub struct DumpMemory<'a>(pub &'a dumpfile::Minidump);

impl stackwalk::ReadMemory for DumpMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), stackwalk::Error> {
        self.0
            .memory()
            .read(addr, buf)
            .map_err(|_| stackwalk::Error::Unavailable {
                addr,
                len: buf.len() as u64,
            })
    }
}

impl pe_sections::ReadMemory for DumpMemory<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), pe_sections::MemoryError> {
        self.0.memory().read(addr, buf).map_err(|e| {
            let len = buf.len();
            if e.is_not_captured() {
                pe_sections::MemoryError::not_captured(addr, len)
            } else {
                pe_sections::MemoryError::failed(addr, len)
            }
        })
    }
}

/// A file in `dir` named `name`, compared case-insensitively.
fn find_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.exists() {
        return Some(exact);
    }
    std::fs::read_dir(dir)
        .ok()?
        .take(100_000)
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name))
        .map(|e| e.path())
}

/// Candidate paths for `file` under `dirs`: flat, then `file/KEY/file`.
fn candidates(dirs: &[PathBuf], file: &str, key: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        if let Some(p) = find_ci(d, file) {
            if p.is_file() {
                out.push(p.clone());
            } else if let Some(k) = find_ci(&p, key).and_then(|k| find_ci(&k, file)) {
                out.push(k);
            }
        }
    }
    out
}

struct Found<'a> {
    module: Module<'a>,
    source: ModuleSource,
}

/// Builds a module: unwind data from the dump or from a file, symbols from a PDB or exports.
fn build_module<'a>(
    mem: DumpMemory<'a>,
    name: &str,
    base: u64,
    size: u64,
    time_date_stamp: Option<u32>,
    pdb: Option<(String, PdbIdentity)>,
    opts: &StackOptions,
) -> Found<'a> {
    let short = dumpfile::module_short_name(name).to_string();
    let file_name = name.rsplit(['\\', '/']).next().unwrap_or(name).to_string();
    let mut module = Module::new(short.clone(), base, size);
    let mut source = ModuleSource {
        name: short,
        base,
        unwind: "none".into(),
        symbols: "none".into(),
    };

    // Unwind data: the mapped image if its .pdata is captured.
    let mut file_bytes: Option<Vec<u8>> = None;
    let mapped = ImageUnwind::from_mapped(mem, base).ok();
    let mapped_ok = mapped
        .as_ref()
        .is_some_and(|u| !u.is_empty() && u.entry(0).is_ok());
    match mapped {
        Some(u) if mapped_ok => {
            module = module.with_unwind(u);
            source.unwind = "dump".into();
        }
        _ => {
            let key = time_date_stamp.map(|t| format!("{t:08X}{size:x}"));
            for p in candidates(&opts.image_dirs, &file_name, key.as_deref().unwrap_or("")) {
                let Ok(bytes) = std::fs::read(&p) else {
                    continue;
                };
                let Ok(layout) = stackwalk::ImageLayout::parse(&bytes) else {
                    continue;
                };
                let stamp_ok = time_date_stamp.is_none_or(|t| t == layout.time_date_stamp);
                if !stamp_ok || u64::from(layout.size_of_image) != size {
                    continue;
                }
                if let Ok(u) = ImageUnwind::from_file(bytes.clone()) {
                    module = module.with_unwind(u);
                    source.unwind = p.display().to_string();
                    file_bytes = Some(bytes);
                    break;
                }
            }
            if source.unwind == "none"
                && let Ok(u) = ImageUnwind::from_mapped(mem, base)
            {
                // Headers only: still gives executable ranges and captured code bytes.
                module = module.with_unwind(u);
                source.unwind = "dump (headers)".into();
            }
        }
    }

    // The PDB identity: from the module list, else from the image's own debug directory
    // (modules that no module list names, such as the 32-bit ntdll of a WOW64 process).
    let pdb = pdb.or_else(|| {
        let img = pe_sections::PeImage::parse_mapped(&mem, base).ok()?;
        let cv = img.codeview().ok()??;
        match cv.kind {
            pe_sections::CodeViewKind::Pdb70 { guid } => {
                Some((cv.pdb_name, PdbIdentity { guid, age: cv.age }))
            }
            _ => None,
        }
    });
    // Symbols: a matching PDB, else exports.
    if let Some((pdb_name, id)) = &pdb {
        let pdb_file = pdb_name.rsplit(['\\', '/']).next().unwrap_or(pdb_name);
        for p in candidates(&opts.symbol_dirs, pdb_file, &id.store_key()) {
            let Ok(f) = std::fs::File::open(&p) else {
                continue;
            };
            let Ok(data) = PdbData::read(f) else {
                continue;
            };
            if !data.matches(id) {
                continue;
            }
            source.symbols = format!("pdb:{}", p.display());
            if !data.code_ranges.is_empty() {
                module = module.with_code_ranges(data.code_ranges);
            }
            if !data.frames.is_empty() {
                module = module.with_frame_data(data.frames);
            }
            module = module.with_symbols(data.symbols);
            break;
        }
    }
    if source.symbols == "none" {
        let exports = match &file_bytes {
            Some(b) => pe_sections::PeImage::parse_file(b)
                .ok()
                .and_then(|img| img.exports().ok().flatten()),
            None => pe_sections::PeImage::parse_mapped(&mem, base)
                .ok()
                .and_then(|img| img.exports().ok().flatten()),
        };
        if let Some(ex) = exports {
            let list: Vec<(u32, String)> = ex
                .entries
                .iter()
                .filter_map(|e| Some((e.rva()?, e.name.clone()?)))
                .collect();
            if !list.is_empty() {
                module = module.with_symbols(SymbolTable::from_exports(list));
                source.symbols = "exports".into();
            }
        }
    }
    Found { module, source }
}

/// The modules of the dump (and, for WOW64 processes, the 32-bit ones from PEB32.Ldr that the
/// module list lacks), with their unwind data and symbols.
pub fn load_modules<'a>(
    dump: &'a dumpfile::Minidump,
    opts: &StackOptions,
) -> (Modules<'a>, Vec<ModuleSource>) {
    let mem = DumpMemory(dump);
    let mut found = Vec::new();
    let mut seen: Vec<(u64, u64)> = Vec::new();
    for m in dump.modules().unwrap_or_default() {
        let pdb = match &m.codeview {
            Some(dumpfile::CodeView::Pdb70 {
                guid,
                age,
                pdb_name,
            }) => Some((
                pdb_name.clone(),
                PdbIdentity {
                    guid: *guid,
                    age: *age,
                },
            )),
            _ => None,
        };
        let f = build_module(
            mem,
            &m.name,
            m.base,
            m.size,
            Some(m.time_date_stamp),
            pdb,
            opts,
        );
        seen.push((m.base, m.base.saturating_add(m.size)));
        found.push(f);
    }
    if let Ok(p) = dump.process() {
        for lm in &p.loader_modules32 {
            let end = lm.base.saturating_add(u64::from(lm.size));
            if seen.iter().any(|&(b, e)| lm.base < e && b < end) {
                continue;
            }
            let name = lm
                .base_name
                .clone()
                .or_else(|| lm.full_name.clone())
                .unwrap_or_else(|| format!("image{:x}", lm.base));
            // 32-bit ntdll is listed under the same name as the 64-bit one: WinDbg calls it
            // ntdll_<base> in a 64-bit view; we keep a "32" suffix to tell them apart.
            let mut f = build_module(mem, &name, lm.base, u64::from(lm.size), None, None, opts);
            if found
                .iter()
                .any(|g: &Found<'_>| g.source.name == f.source.name)
            {
                f.source.name = format!("{}32", f.source.name);
                f.module.name = f.source.name.clone();
            }
            seen.push((lm.base, end));
            found.push(f);
        }
    }
    // Images found by their headers in captured memory (for example the 32-bit ntdll of a WOW64
    // process stopped before its loader ran, which no module list names).
    for img in dump.mapped_images() {
        let end = img.base.saturating_add(u64::from(img.size_of_image));
        if seen.iter().any(|&(b, e)| img.base < e && b < end) {
            continue;
        }
        let name = img
            .export_name
            .clone()
            .unwrap_or_else(|| format!("image{:x}", img.base));
        let mut f = build_module(
            mem,
            &name,
            img.base,
            u64::from(img.size_of_image),
            Some(img.time_date_stamp),
            None,
            opts,
        );
        if found
            .iter()
            .any(|g: &Found<'_>| g.source.name == f.source.name)
        {
            f.source.name = format!("{}32", f.source.name);
            f.module.name = f.source.name.clone();
        }
        seen.push((img.base, end));
        found.push(f);
    }
    let sources = found.iter().map(|f| f.source.clone()).collect();
    (
        Modules::new(found.into_iter().map(|f| f.module).collect()),
        sources,
    )
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

fn x86_from_dumpfile(c: &dumpfile::ContextX86) -> ContextX86 {
    let mut x = ContextX86::new(c.eip, c.esp, c.ebp);
    for (r, v) in [
        (0u8, c.eax),
        (1, c.ecx),
        (2, c.edx),
        (3, c.ebx),
        (6, c.esi),
        (7, c.edi),
    ] {
        x.set_reg(r, v);
    }
    x
}

/// Walks the stacks of the dump's threads (all, or only `only`).
///
/// Other commands use this to show the stacks of interesting threads. Modules are loaded once;
/// a thread whose context cannot be read gets a warning and no frames.
pub fn thread_stacks(
    dump: &dumpfile::Minidump,
    opts: &StackOptions,
    only: Option<u32>,
) -> Result<StacksReport, dumpfile::Error> {
    let threads = dump.threads()?;
    let (modules, sources) = load_modules(dump, opts);
    let mem = DumpMemory(dump);
    let limits = Limits::default().max_frames(opts.max_frames.max(1));
    let walker = Walker::new(mem, &modules).with_limits(limits);
    let arch = dump.arch();
    let exception = dump.exception().ok().flatten();
    let decode = |b: &[u8]| -> Result<Context, String> {
        match &arch {
            dumpfile::Arch::X64 => ContextX64::from_bytes(b)
                .map(Context::X64)
                .map_err(|e| e.to_string()),
            dumpfile::Arch::X86 => ContextX86::from_bytes(b)
                .map(Context::X86)
                .map_err(|e| e.to_string()),
            a => Err(format!("unwinding {} threads is not supported", a.name())),
        }
    };
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
                    let s = walker.walk(Context::X86(x86_from_dumpfile(&c)));
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
    Ok(StacksReport {
        process_id,
        pointer_size: if arch == dumpfile::Arch::X86 { 4 } else { 8 },
        threads: out,
        modules: sources,
    })
}

fn write_frames(
    out: &mut dyn Write,
    frames: &[FrameOut],
    x86: bool,
    pointer_size: usize,
) -> std::io::Result<()> {
    if x86 {
        writeln!(out, " # ChildEBP RetAddr  Call Site")?;
    } else {
        writeln!(out, " # Child-SP          RetAddr               Call Site")?;
    }
    for (i, f) in frames.iter().enumerate() {
        let ret = f.return_address.unwrap_or(0);
        if x86 {
            let ebp = f.frame_pointer.unwrap_or(0);
            writeln!(
                out,
                "{i:02x} {} {} {}",
                addr(ebp, 4),
                addr(ret, 4),
                f.call_site
            )?;
        } else {
            writeln!(
                out,
                "{i:02x} {} {}     {}",
                addr(f.stack_pointer, pointer_size),
                addr(ret, pointer_size),
                f.call_site
            )?;
        }
    }
    Ok(())
}

/// Writes the report like `~*k`.
pub fn write_text(r: &StacksReport, out: &mut dyn Write) -> std::io::Result<()> {
    let pid = r.process_id.unwrap_or(0);
    for (n, t) in r.threads.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{:>4}  Id: {pid:x}.{:x} Suspend: {} Teb: {} Unfrozen",
            t.index,
            t.id,
            t.suspend_count,
            addr(t.teb, r.pointer_size)
        )?;
        write_frames(out, &t.frames, r.pointer_size == 4, r.pointer_size)?;
        if t.stop != StopReason::EndOfStack.to_string() && !t.frames.is_empty() {
            writeln!(out, "   (walk ended: {})", t.stop)?;
        }
        if let Some(e) = &t.exception {
            writeln!(out, "  Exception context (.ecxr) stack:")?;
            write_frames(out, &e.frames, r.pointer_size == 4, r.pointer_size)?;
            if e.stop != StopReason::EndOfStack.to_string() {
                writeln!(out, "   (walk ended: {})", e.stop)?;
            }
        }
        if let Some(w) = &t.wow64 {
            writeln!(out, "  32-bit (WOW64) stack:")?;
            write_frames(out, &w.frames, true, 4)?;
            if w.stop != StopReason::EndOfStack.to_string() {
                writeln!(out, "   (walk ended: {})", w.stop)?;
            }
        }
        for w in &t.warnings {
            writeln!(out, "   warning: {w}")?;
        }
    }
    Ok(())
}

fn parse_thread_id(s: &str) -> Result<u32, CliError> {
    let hex = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    u32::from_str_radix(hex, 16)
        .map_err(|_| CliError::new(format!("--thread {s}: not a hexadecimal thread id")))
}

/// Runs `dumpscope stacks`.
pub fn run(args: &Args, out: &mut dyn Write) -> Result<(), CliError> {
    let only = args.thread.as_deref().map(parse_thread_id).transpose()?;
    let dump = open_dump(&args.dump)?;
    let opts = StackOptions {
        image_dirs: args.images.clone(),
        symbol_dirs: args.symbols.clone(),
        max_frames: args.max_frames,
    };
    let report = thread_stacks(&dump, &opts, only).map_err(|e| CliError::at(&args.dump, e))?;
    if let Some(id) = only
        && report.threads.is_empty()
    {
        return Err(CliError::at(
            &args.dump,
            format!("no thread with id {id:#x} in the dump"),
        ));
    }
    if args.json {
        write_json(out, &report)
    } else {
        write_text(&report, out)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_flat_and_in_symbol_store_layout() {
        let root = std::env::temp_dir().join(format!("stacks-find-{}", std::process::id()));
        let flat = root.join("flat");
        let store = root.join("store");
        std::fs::create_dir_all(&flat).unwrap();
        std::fs::create_dir_all(store.join("NTDLL.DLL").join("4CE7C8F91a9000")).unwrap();
        std::fs::write(flat.join("Foo.dll"), b"x").unwrap();
        std::fs::write(
            store
                .join("NTDLL.DLL")
                .join("4CE7C8F91a9000")
                .join("ntdll.dll"),
            b"y",
        )
        .unwrap();
        let dirs = vec![flat.clone(), store.clone()];
        assert_eq!(
            candidates(&dirs, "foo.dll", "00000000"),
            vec![flat.join("Foo.dll")]
        );
        let got = candidates(&dirs, "ntdll.dll", "4ce7c8f91a9000");
        assert_eq!(
            got,
            vec![
                store
                    .join("NTDLL.DLL")
                    .join("4CE7C8F91a9000")
                    .join("ntdll.dll")
            ]
        );
        assert!(candidates(&dirs, "ntdll.dll", "00000000").is_empty());
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(parse_thread_id("0x1a4").unwrap(), 0x1a4);
        assert_eq!(parse_thread_id("fd8").unwrap(), 0xfd8);
        assert!(parse_thread_id("xyz").is_err());
    }
}
