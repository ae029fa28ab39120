//! One thread as WinDbg's `!thread ADDR` shows it: ids, state (TERMINATED, or waiting and why),
//! owning process, times, stack bounds, the start address symbolized from the driver list, and
//! (x86) the kernel stack walked from its saved switch frame.

use serde::Serialize;

use crate::CliError;
use crate::kernel::process::oerr;
use crate::target::KernelTarget;

mod stack;
mod text;

pub(crate) use stack::kernel_stack;
pub(crate) use text::stack_text;

pub use stack::StackFrame;

/// The thread to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// `ETHREAD` address.
    pub address: u64,
}

/// The report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// `ETHREAD` address.
    pub address: u64,
    /// Process id.
    pub pid: Option<u64>,
    /// Thread id.
    pub tid: Option<u64>,
    /// State as WinDbg words it (`TERMINATED`, `WAIT`, ...).
    pub state: Option<String>,
    /// Whether it terminated.
    pub terminated: bool,
    /// Owning process (`EPROCESS`).
    pub process: Option<u64>,
    /// Start address.
    pub start_address: Option<u64>,
    /// Start address symbolized (`mydriver!StatusWaitThread`).
    pub start_symbol: Option<String>,
    /// The kernel stack from the saved switch frame, innermost first (x86; empty when not
    /// walked).
    pub stack: Vec<StackFrame>,
    /// Why the kernel stack is not shown (running, x64, not in the dump...).
    pub stack_note: Option<String>,
    #[serde(skip)]
    pub(crate) windbg: String,
}

/// Reads the thread.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    let objs = k.objects()?;
    let width = crate::adapt::pool::pointer_width(&k.dump);
    let t = objs.thread(o.address).map_err(oerr)?;
    let image = t
        .process
        .and_then(|p| objs.process(p).ok())
        .map(|p| p.name().to_string());
    let sym = |a: u64| k.symbolize(a);
    let mut ctx = pooltrack::ThreadTextContext::default().with_symbolize(&sym);
    if let Some(i) = image.as_deref() {
        ctx = ctx.with_process_image(i);
    }
    let windbg = t.windbg_text(width, &ctx);
    let (stack, stack_note) = stack::kernel_stack(k, &objs, &t);
    Ok(Report {
        address: t.address,
        pid: t.pid,
        tid: t.tid,
        state: t.state.map(|s| s.windbg_word().to_string()),
        terminated: t.is_terminated(),
        process: t.process,
        start_address: t.start_address,
        start_symbol: t.start_address.and_then(sym),
        stack,
        stack_note,
        windbg,
    })
}
