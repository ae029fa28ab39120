//! Commands on kernel dumps, one module each, in the same shape as the user commands
//! (`Options`, `Report: Serialize`, `investigate(&KernelTarget, &Options)`, `text.rs`). The
//! WinDbg dispatch table ([`crate::windbg`]) declares which of its commands take a kernel dump.

pub mod analyze;
pub mod exr;
pub mod handle;
pub mod info;
pub mod layout;
pub mod leak;
pub mod memory;
pub mod pool;
pub mod process;
pub mod stack;
pub mod thread;
pub mod verifier;
pub mod vm;
