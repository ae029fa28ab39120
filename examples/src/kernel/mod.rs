//! Commands on kernel dumps go here, one module each, in the same shape as the user commands
//! (`Options`, `Report: Serialize`, `investigate(&KernelDump, &Options)`, `text.rs`).
//!
//! None exists yet: `dumpfile` recognises kernel dumps (`PAGEDU64`/`PAGEDUMP`) and refuses them
//! with one line. When its `KernelDump` reader lands, [`crate::target::Target`] gains a `Kernel`
//! variant, the commands here take it (`!poolused`, `!vm`, `lm` of drivers, ...), and the WinDbg
//! dispatch table ([`crate::windbg`]) declares them as kernel commands, so a user dump given to
//! them (and a kernel dump given to a user command) gets one clear line.
