//! Commands on kernel dumps, one module each, in the same shape as the user commands
//! (`Options`, `Report: Serialize`, `investigate(&KernelTarget, &Options)`, `text.rs`). The
//! WinDbg dispatch table ([`crate::windbg`]) declares which of its commands take a kernel dump.

pub mod analyze;
pub mod exr;
pub mod info;
pub mod memory;
pub mod stack;
