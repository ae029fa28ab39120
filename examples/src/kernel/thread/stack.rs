//! A switched-out thread's kernel stack, walked by `stackwalk` from the frame its last context
//! switch left at `KTHREAD.KernelStack` (what WinDbg's `!thread` prints under the thread).
//!
//! x86 only. The x86 switch frame follows the context-switch convention of the Windows
//! Research Kernel and ReactOS (`SwapContext` pushes the APC bypass flag and the exception
//! list below its return address into `KiSwapContext`, which saved `EBP`, `EDI`, `ESI`, `EBX`
//! below its own return address):
//!
//! | offset from `KernelStack` | value |
//! |---|---|
//! | +0x00 | exception list |
//! | +0x04 | APC bypass |
//! | +0x08 | return into `KiSwapContext` (frame 0) |
//! | +0x0C | saved `EBP` (the caller's frame) |
//! | +0x10..+0x18 | saved `EDI`, `ESI`, `EBX` |
//! | +0x1C | return from `KiSwapContext` (frame 1) |
//!
//! so the walk starts at frame 1 with `EIP = [+0x1C]`, `ESP = KernelStack + 0x20` and
//! `EBP = [+0x0C]`. No PDB-derived layout describes this frame (it is code, not a type). The
//! x64 `KSWITCH_FRAME` is a type, but the PDB-derived layouts the project checks against do
//! not carry it, so x64 stacks are not walked.

use serde::Serialize;

use crate::adapt::KernelMem;
use crate::target::KernelTarget;

/// One frame, as WinDbg's x86 `ChildEBP RetAddr` lines show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StackFrame {
    /// The frame's `EBP` (`KernelStack` for the switch frame).
    pub child_ebp: u64,
    /// Where this frame returns to (`None` for the outermost).
    pub return_address: Option<u64>,
    /// The return address (or instruction) as `module!symbol+off`.
    pub call_site: String,
    /// How the frame was found: `switch_frame`, `context`, `frame_pointer`, `scan`...
    pub trust: String,
}

/// Offsets in the x86 switch frame.
const RET_INTO_SWAP_CONTEXT: usize = 0x08;
const SAVED_EBP: usize = 0x0C;
const RET_FROM_SWAP_CONTEXT: usize = 0x1C;
const FRAME_SIZE: u64 = 0x20;

fn u32_at(bytes: &[u8], off: usize) -> Option<u32> {
    let b = bytes.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

/// The kernel stack of `t`, or why it is not shown (`None`: nothing to say, as for a
/// terminated thread, whose stack is gone).
pub(crate) fn kernel_stack<M: pooltrack::ReadMemory>(
    k: &KernelTarget,
    objs: &pooltrack::KernelObjects<M>,
    t: &pooltrack::Thread,
) -> (Vec<StackFrame>, Option<String>) {
    use pooltrack::ThreadState;
    match t.state {
        Some(ThreadState::Terminated) | None => return (Vec::new(), None),
        Some(ThreadState::Running) => {
            return (
                Vec::new(),
                Some("running: its stack is its processor's context (k)".to_string()),
            );
        }
        _ => {}
    }
    if k.pointer_size() == 8 {
        return (
            Vec::new(),
            Some("x64 kernel stacks are not walked (KSWITCH_FRAME layout not verified)".into()),
        );
    }
    let (ks, bytes) = match objs.kernel_stack_bytes(t) {
        Ok(s) => s,
        Err(e) if e.is_not_captured() => {
            return (
                Vec::new(),
                Some(format!("kernel stack not in the dump: {e}")),
            );
        }
        Err(e) => return (Vec::new(), Some(format!("kernel stack: {e}"))),
    };
    let (Some(ret0), Some(ebp), Some(ret1)) = (
        u32_at(&bytes, RET_INTO_SWAP_CONTEXT),
        u32_at(&bytes, SAVED_EBP),
        u32_at(&bytes, RET_FROM_SWAP_CONTEXT),
    ) else {
        return (
            Vec::new(),
            Some(format!(
                "kernel stack at {ks:x}: shorter than a switch frame"
            )),
        );
    };
    let name = |a: u64| k.symbolize(a).unwrap_or_else(|| format!("{a:08x}"));
    let mut frames = vec![StackFrame {
        child_ebp: ks,
        return_address: Some(u64::from(ret1)),
        call_site: name(u64::from(ret0)),
        trust: "switch_frame".to_string(),
    }];
    let esp = u32::try_from(ks.saturating_add(FRAME_SIZE)).unwrap_or(0);
    let mods = crate::kernel::stack::modules(k, &crate::kernel::stack::Sources::default()).0;
    let walker = stackwalk::Walker::new(KernelMem(&k.dump, None), &mods);
    let stack = walker.walk(stackwalk::Context::X86(stackwalk::ContextX86::new(
        ret1, esp, ebp,
    )));
    for (i, f) in stack.frames.iter().enumerate() {
        let child_ebp = match &f.context {
            stackwalk::Context::X86(c) => c.reg(5).map_or(0, u64::from),
            _ => 0,
        };
        frames.push(StackFrame {
            child_ebp,
            return_address: stack.return_address(i),
            call_site: name(f.instruction),
            trust: f.trust.as_str().to_string(),
        });
    }
    (frames, None)
}
