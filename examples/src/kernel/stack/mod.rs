//! Kernel stacks: `k` (the stack the bugcheck names: the `.cxr` context record of a 0x7E/0x3B,
//! the trap frame of a 0x8E, else the dump's saved context), `.trap ADDR` and `.cxr ADDR`,
//! walked by `stackwalk` over the dump's memory with each driver's `.pdata` and exports read
//! from its image in the dump when captured.

use serde::Serialize;

use crate::CliError;
use crate::adapt::KernelMem;
use crate::target::KernelTarget;
use stackwalk::context::machine;

mod text;

/// Where the walk starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Start {
    /// The context the bugcheck names, else the dump's saved context.
    #[default]
    Bugcheck,
    /// `.trap ADDR`: a `KTRAP_FRAME`.
    Trap(u64),
    /// `.cxr ADDR`: a `CONTEXT` record.
    Cxr(u64),
}

/// What to walk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Where the walk starts.
    pub start: Start,
}

/// One frame (`STACK_TEXT` line).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Frame {
    /// WinDbg's Child-SP.
    pub child_sp: u64,
    /// WinDbg's RetAddr.
    pub return_address: Option<u64>,
    /// `module+0xoff` or an address.
    pub call_site: String,
    /// How the frame was found (`context`, `unwind`, `scan`, ...).
    pub trust: String,
    /// The frame's instruction pointer (the return address but for frame 0 and frames
    /// reached through a trap frame).
    #[serde(skip)]
    pub instruction: u64,
    /// The trap frame this frame's function built, when the walk went through it.
    #[serde(skip)]
    pub trap_frame: Option<u64>,
}

/// A walked kernel stack.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// What the walk started from (`.cxr ffff...`, `.trap ...`, `saved context`).
    pub start: String,
    /// Frames, innermost first.
    pub frames: Vec<Frame>,
    /// Why the walk ended.
    pub stop: String,
    /// The registers of the starting context that the walk knows (`rax`, ..., `rip`), as
    /// `.cxr`/`.trap` print them.
    pub registers: Vec<(String, u64)>,
    /// Pointer size (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Where images and PDBs are looked for when the dump lacks them (`--images`, `--symbols`).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Directories with PE images (flat or symbol-store layout).
    pub image_dirs: Vec<std::path::PathBuf>,
    /// Directories with PDBs (flat or symbol-store layout).
    pub symbol_dirs: Vec<std::path::PathBuf>,
}

/// The drivers as `stackwalk` modules: unwind data from the image in the dump, else from an
/// image file in `src.image_dirs` with the driver's time stamp and size; symbols from a
/// matching PDB in `src.symbol_dirs` (by the CodeView id of the image in the dump or of the
/// file), else from the image's exports.
pub(crate) fn modules<'a>(
    k: &'a KernelTarget,
    src: &Sources,
) -> (
    stackwalk::Modules<'a>,
    Vec<crate::user::stacks::ModuleSource>,
) {
    let mem = KernelMem(&k.dump, None);
    let opts = crate::user::stacks::Options {
        image_dirs: src.image_dirs.clone(),
        symbol_dirs: src.symbol_dirs.clone(),
        ..Default::default()
    };
    let (list, sources) = k
        .driver_list()
        .iter()
        .map(|d| {
            let pdb = d.codeview.as_ref().map(|c| {
                (
                    c.pdb_name.clone(),
                    stackwalk::PdbIdentity {
                        guid: c.guid,
                        age: c.age,
                    },
                )
            });
            let mut f = crate::user::stacks::build_module(
                mem,
                &d.name,
                d.base,
                d.size,
                d.timestamp,
                pdb,
                &opts,
            );
            f.module.name = k.module_name(d);
            f.source.name = f.module.name.clone();
            (f.module, f.source)
        })
        .unzip();
    (stackwalk::Modules::new(list), sources)
}

/// `addr` as the stack prints it (`myfault!MyfaultDeviceControl+0x46`, `myfault+0x1346`),
/// with the drivers' symbols.
pub fn locate(
    k: &KernelTarget,
    src: &Sources,
    addr: u64,
    is_return_address: bool,
) -> stackwalk::Location {
    modules(k, src).0.locate(addr, is_return_address)
}

/// The trap frame whose interrupted instruction is `ip`, searched in the triage dump's saved
/// call stack (a `KTRAP_FRAME` whose `Rip`/`Eip` slot holds `ip` and which `stackwalk` accepts
/// as a trap frame). What WinDbg prints as `TRAP_FRAME` for a 0xA/0xD1.
pub fn find_trap_frame(k: &KernelTarget, ip: u64) -> Option<u64> {
    let range = k
        .dump
        .triage()
        .and_then(|t| t.range(dumpfile::TriageRangeKind::Stack))?;
    let x64 = k.pointer_size() == 8;
    let (ip_offset, arch, step) = match k.dump.arch() {
        dumpfile::Arch::X64 => (0x168_u64, stackwalk::Arch::X64, 8_usize),
        dumpfile::Arch::X86 => (0x68, stackwalk::Arch::X86, 4),
        // The ARM64 KTRAP_FRAME is not read here.
        _ => return None,
    };
    let len = usize::try_from(range.size.min(0x10000)).ok()?;
    let mut bytes = vec![0u8; len];
    k.dump.memory().read(range.base, &mut bytes).ok()?;
    let mods = stackwalk::Modules::default();
    let walker = stackwalk::Walker::new(KernelMem(&k.dump, None), &mods);
    (0..len.saturating_sub(step)).step_by(step).find_map(|off| {
        let slot = bytes.get(off..off.checked_add(step)?)?;
        let v = if x64 {
            u64::from_le_bytes(slot.try_into().ok()?)
        } else {
            u64::from(u32::from_le_bytes(slot.try_into().ok()?))
        };
        if v != ip {
            return None;
        }
        let trap = range
            .base
            .checked_add(u64::try_from(off).ok()?)?
            .checked_sub(ip_offset)?;
        walker.walk_trap_frame(arch, trap).ok().map(|_| trap)
    })
}

/// Walks the stack `o` names.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    investigate_with(k, o, &Sources::default())
}

/// Walks the stack `o` names, with images and PDBs from `src` where the dump lacks them.
pub fn investigate_with(k: &KernelTarget, o: &Options, src: &Sources) -> Result<Report, CliError> {
    let (arch, m) = match k.dump.arch() {
        dumpfile::Arch::X86 => (stackwalk::Arch::X86, machine::I386),
        dumpfile::Arch::Arm64 => (stackwalk::Arch::Arm64, machine::ARM64),
        _ => (stackwalk::Arch::X64, machine::AMD64),
    };
    let (mods, _) = modules(k, src);
    let walker = stackwalk::Walker::new(KernelMem(&k.dump, None), &mods);
    let bc = k.dump.bugcheck();
    let base = dumpfile::bugcheck_info(bc.code).map_or(bc.code, dumpfile::BugCheckInfo::base_code);
    let saved = || -> Result<stackwalk::Stack, CliError> {
        let c = k
            .dump
            .context()
            .map_err(|e| CliError::new(format!("the dump's saved context: {e}")))?;
        if c.ip() == 0 || c.sp() == 0 {
            return Err(CliError::new(
                "the dump's saved context is empty (no instruction or stack pointer)",
            ));
        }
        Ok(walker.walk(crate::adapt::stack::kernel_context(&c)))
    };
    let start = match o.start {
        Start::Bugcheck => match base {
            0x7E => Start::Cxr(bc.parameters[3]),
            0x3B => Start::Cxr(bc.parameters[2]),
            0x8E => Start::Trap(bc.parameters[2]),
            _ => Start::Bugcheck,
        },
        s => s,
    };
    let fail = |what: String, e: stackwalk::Error| CliError::new(format!("{what}: {e}"));
    let (label, stack) = match start {
        Start::Cxr(a) => (
            format!(".cxr 0x{a:x}"),
            walker
                .walk_context_record(m, a)
                .map_err(|e| fail(format!(".cxr 0x{a:x}"), e))?,
        ),
        // No PDB-derived ARM64 KTRAP_FRAME layout is at hand: say so rather than call the
        // frame malformed.
        Start::Trap(a) if arch == stackwalk::Arch::Arm64 => {
            return Err(CliError::new(format!(
                ".trap 0x{a:x}: ARM64 trap frames are not read (their KTRAP_FRAME layout is not \
                 known here); walk a CONTEXT record with .cxr instead"
            )));
        }
        Start::Trap(a) => (
            format!(".trap 0x{a:x}"),
            walker
                .walk_trap_frame(arch, a)
                .map_err(|e| fail(format!(".trap 0x{a:x}"), e))?,
        ),
        // A 0xA/0xD1: the saved context (at `KeBugCheckEx`) when its walk reaches the faulting
        // instruction through the trap frame, else the trap frame found in the saved stack.
        Start::Bugcheck if matches!(base, 0xA | 0xD1) => {
            let ip = bc.parameters[3];
            match saved() {
                Ok(s)
                    if s.frames
                        .iter()
                        .any(|f| f.instruction == ip && !f.is_return_address) =>
                {
                    ("saved context".to_string(), s)
                }
                other => match find_trap_frame(k, ip) {
                    Some(a) => (
                        format!(".trap 0x{a:x}"),
                        walker
                            .walk_trap_frame(arch, a)
                            .map_err(|e| fail(format!(".trap 0x{a:x}"), e))?,
                    ),
                    None => ("saved context".to_string(), other?),
                },
            }
        }
        Start::Bugcheck => ("saved context".to_string(), saved()?),
    };
    let frames = stack
        .frames
        .iter()
        .enumerate()
        .map(|(i, f)| Frame {
            child_sp: f.stack_pointer,
            return_address: stack.return_address(i),
            call_site: mods.locate(f.instruction, f.is_return_address).to_string(),
            trust: format!("{:?}", f.trust).to_lowercase(),
            instruction: f.instruction,
            trap_frame: f.trap_frame,
        })
        .collect();
    let registers = stack
        .frames
        .first()
        .map_or_else(Vec::new, |f| registers(&f.context));
    Ok(Report {
        registers,
        start: label,
        frames,
        stop: stack.stop.to_string(),
        pointer_size: k.pointer_size(),
    })
}

/// The known registers of a context, in WinDbg's order.
fn registers(c: &stackwalk::Context) -> Vec<(String, u64)> {
    const X64: [(&str, u8); 16] = [
        ("rax", 0),
        ("rbx", 3),
        ("rcx", 1),
        ("rdx", 2),
        ("rsi", 6),
        ("rdi", 7),
        ("rsp", 4),
        ("rbp", 5),
        ("r8", 8),
        ("r9", 9),
        ("r10", 10),
        ("r11", 11),
        ("r12", 12),
        ("r13", 13),
        ("r14", 14),
        ("r15", 15),
    ];
    const X86: [(&str, u8); 8] = [
        ("eax", 0),
        ("ebx", 3),
        ("ecx", 1),
        ("edx", 2),
        ("esi", 6),
        ("edi", 7),
        ("esp", 4),
        ("ebp", 5),
    ];
    match c {
        stackwalk::Context::X64(x) => {
            let mut v: Vec<(String, u64)> = X64
                .iter()
                .filter_map(|(n, r)| x.reg(*r).map(|v| ((*n).to_string(), v)))
                .collect();
            v.push(("rip".to_string(), x.rip));
            v
        }
        stackwalk::Context::X86(x) => {
            let mut v: Vec<(String, u64)> = X86
                .iter()
                .filter_map(|(n, r)| x.reg(*r).map(|v| ((*n).to_string(), u64::from(v))))
                .collect();
            v.push(("eip".to_string(), u64::from(x.eip)));
            v
        }
        // ARM64: x0..x28, fp, lr, sp, pc, as WinDbg's `.cxr` lists them.
        stackwalk::Context::Arm64(a) => {
            let mut v: Vec<(String, u64)> = (0u8..31)
                .filter_map(|r| {
                    let name = match r {
                        29 => "fp".to_string(),
                        30 => "lr".to_string(),
                        _ => format!("x{r}"),
                    };
                    a.reg(r).map(|v| (name, v))
                })
                .collect();
            v.push(("sp".to_string(), a.sp));
            v.push(("pc".to_string(), a.pc));
            v
        }
        _ => Vec::new(),
    }
}
