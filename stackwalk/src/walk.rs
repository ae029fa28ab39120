//! The stack walker: modules, frames, trust, stop reasons.

use std::fmt;

use crate::context::Arch;
use crate::context::{Context, ContextArm64, ContextX64, ContextX86, x64_reg, x86_reg};
use crate::image::ModuleUnwind;
use crate::symbols::Symbolize;
use crate::trap_frame::KTrapFrame;
use crate::trap_frame_x86::{KTrapFrameX86, X86TrapLayout};
use crate::x86::FrameTable;
use crate::{Error, Limits, ReadMemory};

/// How a frame was found, from most to least trustworthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trust {
    /// Frame 0: the thread's register context.
    Context,
    /// Unwind information (x64 `.pdata`/`.xdata`, x86 PDB frame data).
    Unwind,
    /// The frame-pointer chain (RBP/EBP).
    FramePointer,
    /// A stack scan found a plausible return address.
    Scan,
    /// A kernel trap frame (`KTRAP_FRAME`): the start of a `.trap` walk, or an x86 frame
    /// whose EBP pointed at one.
    TrapFrame,
}

impl Trust {
    /// `"context" | "unwind" | "frame_pointer" | "scan" | "trap_frame"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trust::Context => "context",
            Trust::Unwind => "unwind",
            Trust::FramePointer => "frame_pointer",
            Trust::Scan => "scan",
            Trust::TrapFrame => "trap_frame",
        }
    }
}

/// Why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The caller's instruction pointer is zero (the thread's first frame was reached).
    EndOfStack,
    /// [`Limits::max_frames`] frames were produced.
    FrameLimit,
    /// The unwound stack pointer did not move up.
    StackPointerNotIncreasing {
        /// The frame's stack pointer.
        from: u64,
        /// The unwound one.
        to: u64,
    },
    /// No method could unwind the last frame; `error` is the unwind-data error, if one occurred.
    NoCaller {
        /// The error of the unwind-info attempt, if any.
        error: Option<Error>,
    },
    /// The unwound instruction pointer is implausible (below 0x1000 or non-canonical).
    BadInstructionPointer {
        /// The value.
        ip: u64,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::EndOfStack => f.write_str("end of stack"),
            StopReason::FrameLimit => f.write_str("frame limit reached"),
            StopReason::StackPointerNotIncreasing { from, to } => {
                write!(f, "stack pointer did not increase ({from:#x} -> {to:#x})")
            }
            StopReason::NoCaller { error: Some(e) } => write!(f, "cannot unwind: {e}"),
            StopReason::NoCaller { error: None } => f.write_str("no caller found"),
            StopReason::BadInstructionPointer { ip } => {
                write!(f, "implausible instruction pointer {ip:#x}")
            }
        }
    }
}

/// One frame of a walked stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The instruction pointer: for frame 0 (and after a machine frame) the interrupted PC,
    /// otherwise the return address.
    pub instruction: u64,
    /// The stack pointer of this frame ("Child-SP").
    pub stack_pointer: u64,
    /// How it was found.
    pub trust: Trust,
    /// True when `instruction` is a return address (symbols are looked up at `instruction - 1`).
    pub is_return_address: bool,
    /// Index of the module holding `instruction` in [`Modules`], if any.
    pub module: Option<usize>,
    /// The registers known for this frame.
    pub context: Context,
    /// The kernel trap frame (`KTRAP_FRAME`) this frame's function built, when the walk went
    /// through it to the interrupted code (the next frame): WinDbg prints it as
    /// `TrapFrame @ ADDR` on this line, and `.trap ADDR` shows the next frame's registers.
    pub trap_frame: Option<u64>,
}

/// A walked stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    /// Frames, innermost first.
    pub frames: Vec<Frame>,
    /// Why the walk ended.
    pub stop: StopReason,
}

impl Stack {
    /// The return address of frame `i` (the next frame's instruction), as WinDbg's `RetAddr`.
    pub fn return_address(&self, i: usize) -> Option<u64> {
        self.frames.get(i.checked_add(1)?).map(|f| f.instruction)
    }
}

/// A loaded module: its range, and optionally its unwind data, x86 frame data and symbols.
pub struct Module<'a> {
    /// Short name as WinDbg prints it (`ntdll`, `D4C`).
    pub name: String,
    /// Load address.
    pub base: u64,
    /// Size of the image in memory.
    pub size: u64,
    /// x64 unwind data.
    pub unwind: Option<Box<dyn ModuleUnwind + 'a>>,
    /// x86 FPO / frame data.
    pub frame_data: Option<FrameTable>,
    /// Symbols.
    pub symbols: Option<Box<dyn Symbolize + 'a>>,
    /// Executable ranges `[start, end)` as RVAs, when known from elsewhere than the unwind data
    /// (for example from a PDB's section headers).
    pub code_ranges: Option<Vec<(u32, u32)>>,
}

impl fmt::Debug for Module<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.name)
            .field("base", &format_args!("{:#x}", self.base))
            .field("size", &format_args!("{:#x}", self.size))
            .field("unwind", &self.unwind.is_some())
            .field("frame_data", &self.frame_data.as_ref().map(FrameTable::len))
            .field("symbols", &self.symbols.is_some())
            .finish()
    }
}

impl<'a> Module<'a> {
    /// A module with no unwind data or symbols yet.
    pub fn new(name: impl Into<String>, base: u64, size: u64) -> Self {
        Module {
            name: name.into(),
            base,
            size,
            unwind: None,
            frame_data: None,
            symbols: None,
            code_ranges: None,
        }
    }

    /// Sets the x64 unwind data.
    pub fn with_unwind(mut self, unwind: impl ModuleUnwind + 'a) -> Self {
        self.unwind = Some(Box::new(unwind));
        self
    }

    /// Sets the x86 frame data.
    pub fn with_frame_data(mut self, frames: FrameTable) -> Self {
        self.frame_data = Some(frames);
        self
    }

    /// Sets the symbols.
    pub fn with_symbols(mut self, symbols: impl Symbolize + 'a) -> Self {
        self.symbols = Some(Box::new(symbols));
        self
    }

    /// Sets the executable ranges (RVAs).
    pub fn with_code_ranges(mut self, ranges: Vec<(u32, u32)>) -> Self {
        self.code_ranges = Some(ranges);
        self
    }

    /// Whether `rva` is in an executable section, when known.
    pub fn is_executable(&self, rva: u32) -> Option<bool> {
        if let Some(r) = &self.code_ranges {
            return Some(r.iter().any(|&(s, e)| s <= rva && rva < e));
        }
        self.unwind.as_ref().and_then(|u| u.is_executable(rva))
    }

    /// True when `addr` lies in the module.
    pub fn contains(&self, addr: u64) -> bool {
        addr >= self.base && addr.wrapping_sub(self.base) < self.size
    }

    fn rva(&self, addr: u64) -> Option<u32> {
        if self.contains(addr) {
            u32::try_from(addr.wrapping_sub(self.base)).ok()
        } else {
            None
        }
    }
}

/// A symbolized location, printed like WinDbg: `ntdll!RtlUserThreadStart+0x21`,
/// `D4C+0x13b9`, or `0x7ff6a0001000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The address.
    pub address: u64,
    /// Module name.
    pub module: Option<String>,
    /// Symbol name.
    pub symbol: Option<String>,
    /// Offset from the symbol, else from the module base, else 0.
    pub offset: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.module, &self.symbol) {
            (Some(m), Some(s)) if self.offset == 0 => write!(f, "{m}!{s}"),
            (Some(m), Some(s)) => write!(f, "{m}!{s}+{:#x}", self.offset),
            (Some(m), None) => write!(f, "{m}+{:#x}", self.offset),
            (None, _) => write!(f, "{:#x}", self.address),
        }
    }
}

/// The modules of a process, sorted by base.
#[derive(Debug, Default)]
pub struct Modules<'a> {
    list: Vec<Module<'a>>,
}

impl<'a> Modules<'a> {
    /// From a list (sorted here).
    pub fn new(mut list: Vec<Module<'a>>) -> Self {
        list.sort_by_key(|m| m.base);
        Modules { list }
    }

    /// All modules, sorted by base.
    pub fn list(&self) -> &[Module<'a>] {
        &self.list
    }

    /// The module holding `addr`.
    pub fn find(&self, addr: u64) -> Option<(usize, &Module<'a>)> {
        let i = self
            .list
            .partition_point(|m| m.base <= addr)
            .checked_sub(1)?;
        let m = self.list.get(i)?;
        m.contains(addr).then_some((i, m))
    }

    /// Symbolizes `addr` (looked up at `addr - 1` when it is a return address; the offset is
    /// printed from `addr` itself, as WinDbg does).
    pub fn locate(&self, addr: u64, is_return_address: bool) -> Location {
        let lookup = if is_return_address {
            addr.saturating_sub(1)
        } else {
            addr
        };
        let Some((_, m)) = self.find(lookup) else {
            return Location {
                address: addr,
                module: None,
                symbol: None,
                offset: 0,
            };
        };
        let sym = m.rva(lookup).and_then(|rva| {
            let s = m.symbols.as_ref().and_then(|s| s.lookup(rva))?;
            // A nearest export is only trusted when it starts the function that holds the
            // address (per .pdata); otherwise it names an unrelated function. ARM64 tables
            // hold 8-byte entries, read as such.
            if s.kind == crate::symbols::SymbolKind::Export
                && let Some(u) = &m.unwind
                && u.machine() == Some(crate::context::machine::ARM64)
            {
                if let Ok(Some(f)) = crate::arm64::function_entry_arm64(u.as_ref(), rva)
                    && f.begin != s.rva
                {
                    return None;
                }
            } else if s.kind == crate::symbols::SymbolKind::Export
                && let Some(u) = &m.unwind
                && let Ok(Some(f)) = u.function_entry(rva)
            {
                let primary =
                    crate::x64::primary_entry(u.as_ref(), f, &Limits::default()).unwrap_or(f);
                if primary.begin != s.rva && f.begin != s.rva {
                    return None;
                }
            }
            Some(s)
        });
        match sym {
            Some(s) => Location {
                address: addr,
                module: Some(m.name.clone()),
                symbol: Some(s.name.clone()),
                offset: addr.wrapping_sub(m.base).wrapping_sub(u64::from(s.rva)),
            },
            None => Location {
                address: addr,
                module: Some(m.name.clone()),
                symbol: None,
                offset: addr.wrapping_sub(m.base),
            },
        }
    }

    /// Reads the 8 code bytes that end at `addr` (image first, then memory).
    fn code_before(&self, m: &Module<'_>, addr: u64, mem: &dyn ReadMemory) -> Option<[u8; 8]> {
        let start = addr.checked_sub(8)?;
        let mut b = [0u8; 8];
        if let (Some(u), Some(rva)) = (&m.unwind, m.rva(start))
            && u.read_rva(rva, &mut b).is_ok()
        {
            return Some(b);
        }
        mem.read(start, &mut b).ok().map(|_| b)
    }

    /// True when `addr` is a plausible return address: inside a module, in an executable
    /// section when that is known, covered by a symbol when the module has symbols, covered by
    /// a `.pdata` entry on x64 when the module's table is readable, and right after a `call`
    /// instruction when the code bytes can be read. (When nothing of the module is readable,
    /// membership in a module is all that is checked.)
    pub fn is_return_address(&self, addr: u64, x64: bool, mem: &dyn ReadMemory) -> bool {
        let Some((_, m)) = self.find(addr) else {
            return false;
        };
        let Some(rva) = m.rva(addr) else {
            return false;
        };
        if m.is_executable(rva) == Some(false) {
            return false;
        }
        // With symbols, the call site must resolve to one.
        if let Some(s) = &m.symbols
            && s.lookup(rva.saturating_sub(1)).is_none()
        {
            return false;
        }
        // x64: a function that calls is not a leaf, so it has a `.pdata` entry. When the
        // module's table can be read and has no entry for the call site, this is no return
        // address.
        if x64
            && let Some(u) = &m.unwind
            && !u.is_empty_table()
            && matches!(u.function_entry(rva.saturating_sub(1)), Ok(None))
        {
            return false;
        }
        match self.code_before(m, addr, mem) {
            Some(code) => crate::scan::ends_with_call(&code, x64),
            None => true,
        }
    }
}

impl Modules<'_> {
    /// True when `addr` is a plausible ARM64 return address: inside a module, in an executable
    /// section when that is known, covered by a symbol when the module has symbols, 4-byte
    /// aligned, and right after a `BL`/`BLR` (or `BLRAA`-family) instruction when the code
    /// can be read.
    pub fn is_return_address_arm64(&self, addr: u64, mem: &dyn ReadMemory) -> bool {
        let Some((_, m)) = self.find(addr) else {
            return false;
        };
        let Some(rva) = m.rva(addr) else {
            return false;
        };
        if !addr.is_multiple_of(4) || m.is_executable(rva) == Some(false) {
            return false;
        }
        if let Some(s) = &m.symbols
            && s.lookup(rva.saturating_sub(1)).is_none()
        {
            return false;
        }
        let mut b = [0u8; 4];
        let read = match (&m.unwind, rva.checked_sub(4)) {
            (Some(u), Some(r)) if u.read_rva(r, &mut b).is_ok() => true,
            _ => addr
                .checked_sub(4)
                .is_some_and(|a| mem.read(a, &mut b).is_ok()),
        };
        if !read {
            return true;
        }
        is_arm64_call(u32::from_le_bytes(b))
    }
}

/// `BL imm26`, `BLR Xn`, or one of the pointer-authenticating `BLRAA`/`BLRAB`/`BLRAAZ`/`BLRABZ`.
fn is_arm64_call(insn: u32) -> bool {
    insn & 0xfc00_0000 == 0x9400_0000
        || insn & 0xffff_fc1f == 0xd63f_0000
        || insn & 0xfeff_f800 == 0xd63f_0800
}

/// The stack walker over one address space: the entry object, holding the memory, the
/// modules, the [`Limits`] and the x86 trap-frame layout.
pub struct Walker<'m, 'a, M> {
    memory: M,
    modules: &'m Modules<'a>,
    limits: Limits,
    x86_trap_layout: X86TrapLayout,
}

impl<M> fmt::Debug for Walker<'_, '_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Walker")
            .field("modules", &self.modules.list.len())
            .field("limits", &self.limits)
            .field("x86_trap_layout", &self.x86_trap_layout)
            .finish()
    }
}

struct Step {
    context: Context,
    trust: Trust,
    interrupted: bool,
    /// The caller may have the same stack pointer (an ARM64 leaf unwound through LR, once).
    same_sp: bool,
    /// The trap frame the step went through.
    trap_frame: Option<u64>,
}

impl<'m, 'a, M: ReadMemory> Walker<'m, 'a, M> {
    /// A walker with default limits.
    pub fn new(memory: M, modules: &'m Modules<'a>) -> Self {
        Walker {
            memory,
            modules,
            limits: Limits::default(),
            x86_trap_layout: X86TrapLayout::default(),
        }
    }

    /// Replaces the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the layout of x86 kernel trap frames (default: Windows XP to 7; see
    /// [`X86TrapLayout::for_build`]).
    #[must_use]
    pub fn with_x86_trap_layout(mut self, layout: X86TrapLayout) -> Self {
        self.x86_trap_layout = layout;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Walks the stack of a thread from its register context. Never panics; always ends.
    ///
    /// A raw Windows `CONTEXT` (the exception stream's, a thread's, or what `.cxr` shows) is
    /// turned into a [`Context`] with [`Context::from_raw`].
    pub fn walk(&self, context: Context) -> Stack {
        self.walk_from(context, Trust::Context)
    }

    /// `.trap ADDR`: walks from the kernel trap frame at `address` (an x64 [`KTrapFrame`] or an
    /// x86 [`KTrapFrameX86`] in the walker's layout). Frame 0 is the interrupted instruction,
    /// with [`Trust::TrapFrame`].
    ///
    /// Fails when the frame cannot be read, or does not look like a trap frame (EFLAGS bit 1
    /// clear, a CS that is neither kernel nor user, an x64 instruction pointer outside the
    /// half of the address space CS names): [`Error::BadTrapFrame`].
    ///
    /// ```
    /// use stackwalk::*;
    /// // A KTRAP_FRAME at 0x1000 of a kernel-mode fault at 0xfffff801_20001020.
    /// let mut trap = vec![0u8; 0x190];
    /// trap[0x168..0x170].copy_from_slice(&0xffff_f801_2000_1020u64.to_le_bytes()); // Rip
    /// trap[0x170..0x172].copy_from_slice(&0x10u16.to_le_bytes()); // SegCs: kernel
    /// trap[0x178..0x17c].copy_from_slice(&0x10282u32.to_le_bytes()); // EFlags
    /// trap[0x180..0x188].copy_from_slice(&0x2000u64.to_le_bytes()); // Rsp
    /// let modules = Modules::default();
    /// let walker = Walker::new(SliceMemory::new(0x1000, &trap), &modules);
    /// let stack = walker.walk_trap_frame(Arch::X64, 0x1000).unwrap();
    /// assert_eq!(stack.frames[0].instruction, 0xffff_f801_2000_1020);
    /// assert_eq!(stack.frames[0].stack_pointer, 0x2000);
    /// assert_eq!(stack.frames[0].trust, Trust::TrapFrame);
    /// // Not captured: an error that says so.
    /// assert!(walker.walk_trap_frame(Arch::X64, 0x9000).unwrap_err().is_not_captured());
    /// ```
    pub fn walk_trap_frame(&self, arch: Arch, address: u64) -> Result<Stack, Error> {
        let bad = Error::BadTrapFrame {
            what: "KTRAP_FRAME (implausible registers)",
            addr: address,
        };
        let context = match arch {
            Arch::X64 => {
                let t = KTrapFrame::read(&self.memory, address)?;
                if !t.is_plausible() {
                    return Err(bad);
                }
                Context::X64(t.context())
            }
            Arch::X86 => {
                let at = u32::try_from(address).map_err(|_| bad.clone())?;
                let t = KTrapFrameX86::read(&self.memory, at, self.x86_trap_layout)?;
                if !t.is_plausible() {
                    return Err(bad);
                }
                Context::X86(t.context())
            }
            _ => {
                return Err(Error::BadTrapFrame {
                    what: "trap frame of an architecture without one here",
                    addr: address,
                });
            }
        };
        Ok(self.walk_from(context, Trust::TrapFrame))
    }

    /// `.cxr ADDR`: walks from the Windows `CONTEXT` record at `address` in memory, for the
    /// machine named by its `IMAGE_FILE_MACHINE_*` value (see [`Context::from_raw`]).
    pub fn walk_context_record(&self, machine: u16, address: u64) -> Result<Stack, Error> {
        let len = match machine {
            crate::context::machine::I386 => 0x2cc,
            crate::context::machine::AMD64 => 0x4d0,
            crate::context::machine::ARM64 => 0x390,
            _ => {
                return Err(Error::BadContext {
                    what: "unknown machine type",
                });
            }
        };
        let mut raw = vec![0u8; len];
        self.memory.read(address, &mut raw)?;
        Ok(self.walk(Context::from_raw(machine, &raw)?))
    }

    fn walk_from(&self, context: Context, trust: Trust) -> Stack {
        let mut frames: Vec<Frame> = Vec::new();
        let mut switches = 0u32;
        let mut cur = Step {
            context,
            trust,
            interrupted: true,
            same_sp: false,
            trap_frame: None,
        };
        // x86: parameter size of the function one frame deeper.
        let mut callee_params = 0u32;
        let stop = loop {
            let ip = cur.context.instruction_pointer();
            let sp = cur.context.stack_pointer();
            let lookup = if cur.interrupted {
                ip
            } else {
                ip.saturating_sub(1)
            };
            frames.push(Frame {
                instruction: ip,
                stack_pointer: sp,
                trust: cur.trust,
                is_return_address: !cur.interrupted,
                module: self.modules.find(lookup).map(|(i, _)| i),
                context: cur.context.clone(),
                trap_frame: None,
            });
            if frames.len() >= self.limits.max_frames {
                break StopReason::FrameLimit;
            }
            let next = match &cur.context {
                Context::X64(c) => self.step_x64(c, cur.interrupted, cur.trust),
                Context::X86(c) => self.step_x86(c, cur.interrupted, cur.trust, &mut callee_params),
                Context::Arm64(c) => self.step_arm64(c, cur.interrupted, cur.trust),
            };
            let next = match next {
                Ok(n) => n,
                Err(stop) => break stop,
            };
            if let Some(f) = frames.last_mut() {
                f.trap_frame = next.trap_frame;
            }
            let nip = next.context.instruction_pointer();
            let nsp = next.context.stack_pointer();
            if nip == 0 {
                break StopReason::EndOfStack;
            }
            if nsp < sp || (nsp == sp && !next.same_sp) {
                // Through a machine or trap frame the interrupted code may run on another
                // stack (user stack, thread stack below a DPC stack): allowed a few times.
                if next.interrupted && switches < self.limits.max_stack_switches {
                    switches = switches.saturating_add(1);
                } else {
                    break StopReason::StackPointerNotIncreasing { from: sp, to: nsp };
                }
            }
            if nip < 0x1000 || !canonical(nip, !matches!(next.context, Context::X86(_))) {
                break StopReason::BadInstructionPointer { ip: nip };
            }
            cur = next;
        };
        Stack { frames, stop }
    }

    fn scan_words(&self, trust: Trust) -> usize {
        if matches!(trust, Trust::Context | Trust::Unwind) {
            self.limits.scan_words_trusted
        } else {
            self.limits.scan_words
        }
    }

    fn step_x64(
        &self,
        c: &ContextX64,
        interrupted: bool,
        trust: Trust,
    ) -> Result<Step, StopReason> {
        let mem: &dyn ReadMemory = &self.memory;
        let lookup = if interrupted {
            c.rip
        } else {
            c.rip.saturating_sub(1)
        };
        let mut error = None;
        if let Some((_, m)) = self.modules.find(lookup)
            && let Some(u) = &m.unwind
        {
            match crate::x64::unwind_x64_limited(
                c,
                u.as_ref(),
                m.base,
                mem,
                interrupted,
                &self.limits,
            ) {
                Ok(Some(mut step)) => {
                    let trap_frame = step
                        .machine_frame_at
                        .and_then(|at| self.trap_frame_around(at, &mut step.context));
                    return Ok(Step {
                        context: Context::X64(step.context),
                        trust: Trust::Unwind,
                        interrupted: step.machine_frame,
                        same_sp: false,
                        trap_frame,
                    });
                }
                Ok(None) => {}
                Err(e) => error = Some(e),
            }
        }
        // Frame pointer: [rbp] = caller's rbp, [rbp+8] = return address.
        if let Some(rbp) = c.reg(x64_reg::RBP)
            && let Some(next) = self.fp_x64(c, rbp)
        {
            return Ok(next);
        }
        // Scan.
        let rsp = c.rsp();
        for k in 0..self.scan_words(trust) {
            let Some(at) = (k as u64).checked_mul(8).and_then(|o| rsp.checked_add(o)) else {
                break;
            };
            let Ok(v) = mem.read_u64(at) else { break };
            if self.modules.is_return_address(v, true, mem) {
                let mut n = c.clone();
                n.rip = v;
                n.valid &= crate::context::X64_NONVOLATILE;
                let Some(nsp) = at.checked_add(8) else { break };
                n.set_rsp(nsp);
                return Ok(Step {
                    context: Context::X64(n),
                    trust: Trust::Scan,
                    interrupted: false,
                    same_sp: false,
                    trap_frame: None,
                });
            }
        }
        Err(StopReason::NoCaller { error })
    }

    /// The `KTRAP_FRAME` around a machine frame whose RIP slot is at `rip_at` (RIP at offset
    /// 0x168), when it is one: plausible, and holding the RIP and RSP the unwind read. Its
    /// volatile registers are then known for the interrupted frame too.
    fn trap_frame_around(&self, rip_at: u64, ctx: &mut ContextX64) -> Option<u64> {
        let at = rip_at.checked_sub(0x168)?;
        let t = KTrapFrame::read(&self.memory, at).ok()?;
        if !t.is_plausible() || t.rip != ctx.rip || t.rsp != ctx.rsp() {
            return None;
        }
        for (r, v) in [
            (0u8, t.rax),
            (1, t.rcx),
            (2, t.rdx),
            (8, t.r8),
            (9, t.r9),
            (10, t.r10),
            (11, t.r11),
        ] {
            ctx.set_reg(r, v);
        }
        Some(at)
    }

    fn fp_x64(&self, c: &ContextX64, rbp: u64) -> Option<Step> {
        let mem: &dyn ReadMemory = &self.memory;
        if rbp < c.rsp() || !rbp.is_multiple_of(8) {
            return None;
        }
        let caller_rbp = mem.read_u64(rbp).ok()?;
        let ra = mem.read_u64(rbp.checked_add(8)?).ok()?;
        let nsp = rbp.checked_add(16)?;
        if !self.modules.is_return_address(ra, true, mem) {
            return None;
        }
        let mut n = c.clone();
        n.rip = ra;
        n.valid &= crate::context::X64_NONVOLATILE;
        n.set_reg(x64_reg::RBP, caller_rbp);
        n.set_rsp(nsp);
        Some(Step {
            context: Context::X64(n),
            trust: Trust::FramePointer,
            interrupted: false,
            same_sp: false,
            trap_frame: None,
        })
    }

    fn step_x86(
        &self,
        c: &ContextX86,
        interrupted: bool,
        trust: Trust,
        callee_params: &mut u32,
    ) -> Result<Step, StopReason> {
        let mem: &dyn ReadMemory = &self.memory;
        let eip = u64::from(c.eip);
        let lookup = if interrupted {
            eip
        } else {
            eip.saturating_sub(1)
        };
        let mut error = None;
        let entry = self.modules.find(lookup).and_then(|(_, m)| {
            m.frame_data
                .as_ref()
                .and_then(|t| m.rva(lookup).and_then(|rva| t.lookup(rva)))
        });
        // A trap handler (`KiTrap0E`...) points EBP at the trap frame it built.
        if let Some(ebp) = c.reg(x86_reg::EBP)
            && ebp >= c.esp()
            && let Ok(t) = KTrapFrameX86::read(mem, ebp, self.x86_trap_layout)
            && t.is_plausible()
            && (t.links_match() || entry.is_some_and(|e| e.kind == crate::x86::FrameKind::Trap))
        {
            *callee_params = 0;
            return Ok(Step {
                context: Context::X86(t.context()),
                trust: Trust::TrapFrame,
                interrupted: true,
                same_sp: false,
                trap_frame: Some(u64::from(ebp)),
            });
        }
        if let Some(entry) = entry
            && (entry.program.is_some() || entry.kind == crate::x86::FrameKind::Fpo)
        {
            match crate::x86::unwind_x86_frame_data(c, entry, *callee_params, mem) {
                Ok(n) => {
                    *callee_params = entry.params_size;
                    return Ok(Step {
                        context: Context::X86(n),
                        trust: Trust::Unwind,
                        interrupted: false,
                        same_sp: false,
                        trap_frame: None,
                    });
                }
                Err(e) => error = Some(e),
            }
        }
        *callee_params = 0;
        // The end of an EBP chain is a zero record (`[ebp]` = 0, `[ebp+4]` = 0): the thread's
        // first frame, reported as the end of the stack.
        if let Some(ebp) = c.reg(x86_reg::EBP)
            && ebp >= c.esp()
            && let Ok(n) = crate::x86::unwind_x86_ebp(c, mem)
            && (self.modules.is_return_address(u64::from(n.eip), false, mem)
                || (n.eip == 0 && n.reg(x86_reg::EBP) == Some(0)))
        {
            return Ok(Step {
                context: Context::X86(n),
                trust: Trust::FramePointer,
                interrupted: false,
                same_sp: false,
                trap_frame: None,
            });
        }
        let esp = c.esp();
        for k in 0..self.scan_words(trust) {
            let Some(at) = u32::try_from(k)
                .ok()
                .and_then(|k| k.checked_mul(4))
                .and_then(|o| esp.checked_add(o))
            else {
                break;
            };
            let Ok(v) = mem.read_u32(u64::from(at)) else {
                break;
            };
            if self.modules.is_return_address(u64::from(v), false, mem) {
                let mut n = c.clone();
                n.eip = v;
                n.valid &= crate::context::X86_NONVOLATILE;
                let Some(nsp) = at.checked_add(4) else { break };
                n.set_reg(x86_reg::ESP, nsp);
                return Ok(Step {
                    context: Context::X86(n),
                    trust: Trust::Scan,
                    interrupted: false,
                    same_sp: false,
                    trap_frame: None,
                });
            }
        }
        Err(StopReason::NoCaller { error })
    }
}

impl<M: ReadMemory> Walker<'_, '_, M> {
    /// One ARM64 step through the frame-record chain: X29 points at `{caller's X29, X30}`,
    /// and the caller's SP is X29 + 16 (MS Learn, ARM64 ABI: the frame pointer "must point to
    /// the previous {x29, x30} pair"). A frame-0 leaf that has not stored its record yet is
    /// unwound through LR when LR is a return address and the record's is not.
    fn step_arm64(
        &self,
        c: &ContextArm64,
        interrupted: bool,
        trust: Trust,
    ) -> Result<Step, StopReason> {
        let mem: &dyn ReadMemory = &self.memory;
        let mut error = None;
        // Unwind data first (`.pdata`/`.xdata`), then the frame-record chain.
        let lookup = if interrupted {
            c.pc
        } else {
            c.pc.saturating_sub(1)
        };
        if let Some((_, m)) = self.modules.find(lookup)
            && let Some(u) = &m.unwind
        {
            match crate::arm64::unwind_arm64(c, u.as_ref(), m.base, mem, interrupted) {
                Ok(Some(step))
                    if step.context.sp > c.sp || (step.context.sp == c.sp && interrupted) =>
                {
                    return Ok(Step {
                        context: Context::Arm64(step.context),
                        trust: Trust::Unwind,
                        interrupted: false,
                        same_sp: interrupted,
                        trap_frame: None,
                    });
                }
                Ok(_) => {}
                Err(e) => error = Some(e),
            }
        }
        if let Some(fp) = c.fp()
            && fp >= c.sp
            && fp.is_multiple_of(8)
        {
            let record = mem
                .read_u64(fp)
                .and_then(|caller_fp| Ok((caller_fp, mem.read_u64(fp.wrapping_add(8))?)));
            match (record, fp.checked_add(16)) {
                (Ok((caller_fp, lr)), Some(nsp)) => {
                    let ra = strip_pac(lr);
                    // A zero record ends the chain (the thread's first frame).
                    if self.modules.is_return_address_arm64(ra, mem) || (ra == 0 && caller_fp == 0)
                    {
                        let mut n = c.clone();
                        n.valid &= crate::context::ARM64_NONVOLATILE;
                        n.pc = ra;
                        n.sp = nsp;
                        n.set_reg(crate::context::arm64_reg::FP, caller_fp);
                        return Ok(Step {
                            context: Context::Arm64(n),
                            trust: Trust::FramePointer,
                            interrupted: false,
                            same_sp: false,
                            trap_frame: None,
                        });
                    }
                }
                (Err(e), _) => error = Some(Error::Memory(e)),
                (Ok(_), None) => {}
            }
        }
        if trust == Trust::Context
            && let Some(lr) = c.lr()
        {
            let ra = strip_pac(lr);
            if ra != c.pc && self.modules.is_return_address_arm64(ra, mem) {
                let mut n = c.clone();
                n.valid &= crate::context::ARM64_NONVOLATILE;
                n.pc = ra;
                // A leaf that has not stored its frame record has not moved SP either.
                return Ok(Step {
                    context: Context::Arm64(n),
                    trust: Trust::Scan,
                    interrupted: false,
                    same_sp: true,
                    trap_frame: None,
                });
            }
        }
        Err(StopReason::NoCaller { error })
    }
}

/// Removes pointer-authentication bits from an ARM64 return address: user addresses keep
/// 48 bits, kernel addresses (bit 55 set) get their upper bits set.
pub(crate) fn strip_pac(addr: u64) -> u64 {
    if addr & (1 << 55) != 0 {
        addr | 0xffff_0000_0000_0000
    } else {
        addr & 0x0000_ffff_ffff_ffff
    }
}

fn canonical(ip: u64, x64: bool) -> bool {
    if x64 {
        !(0x0000_8000_0000_0000..0xffff_8000_0000_0000).contains(&ip)
    } else {
        ip <= u64::from(u32::MAX)
    }
}
