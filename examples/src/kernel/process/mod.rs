//! Processes as WinDbg's `!process 0 0` (every process on `PsActiveProcessHead`) and
//! `!process ADDR [FLAGS]` (one process, with its threads when FLAGS has 2 or 4, and each
//! thread's kernel stack when it has both) show them, and
//! `.process ADDR` (later reads through that process's `DirBase`).

use serde::Serialize;

use crate::CliError;
use crate::target::KernelTarget;

mod text;

/// Which processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Options {
    /// `!process 0 0`: every process.
    All,
    /// `!process ADDR FLAGS`: one process (threads too with flags 2 or 4).
    One {
        /// `EPROCESS` address.
        address: u64,
        /// WinDbg's flags.
        flags: u32,
    },
}

/// One process.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessRow {
    /// `EPROCESS` address.
    pub address: u64,
    /// Process id.
    pub pid: u64,
    /// Parent id.
    pub parent_pid: Option<u64>,
    /// Session.
    pub session_id: Option<u32>,
    /// Page directory base.
    pub dir_base: Option<u64>,
    /// Handle table.
    pub object_table: Option<u64>,
    /// Handles (counted from the table).
    pub handle_count: Option<u64>,
    /// Image name.
    pub image: String,
    /// Exited but still referenced.
    pub zombie: bool,
}

/// The report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The processes.
    pub processes: Vec<ProcessRow>,
    /// Processes the walk could not read.
    pub errors: Vec<String>,
    #[serde(skip)]
    pub(crate) windbg: String,
}

pub(crate) fn oerr(e: pooltrack::Error) -> CliError {
    CliError::new(if e.is_not_captured() {
        format!("not in the dump: {e}")
    } else {
        e.to_string()
    })
}

/// Lists the processes.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    let objs = k.objects()?;
    let width = crate::adapt::pool::pointer_width(&k.dump);
    let mut r = Report {
        processes: Vec::new(),
        errors: Vec::new(),
        windbg: String::new(),
    };
    let mut list = Vec::new();
    match o {
        Options::All => {
            r.windbg.push_str("**** NT ACTIVE PROCESS DUMP ****\n");
            for p in objs.processes().map_err(oerr)? {
                match p {
                    Ok(p) => list.push(p),
                    Err(e) => r.errors.push(e.to_string()),
                }
            }
        }
        Options::One { address, .. } => list.push(objs.process(*address).map_err(oerr)?),
    }
    let sym = |a: u64| k.symbolize(a);
    for p in list {
        let n = objs.handle_count(&p).ok();
        r.windbg
            .push_str(&p.windbg_text(width, n.or(p.handle_count.map(u64::from)).unwrap_or(0)));
        if let Options::One { flags, .. } = o
            && flags & 6 != 0
        {
            let ctx = pooltrack::ThreadTextContext::default()
                .with_process_image(p.name())
                .with_symbolize(&sym);
            for t in objs.threads(&p) {
                match t {
                    Ok(t) => {
                        r.windbg.push_str(&t.windbg_text(width, &ctx));
                        // Flags 2 and 4 together: each thread with its stack.
                        if flags & 6 == 6 {
                            let (stack, note) = crate::kernel::thread::kernel_stack(k, &objs, &t);
                            r.windbg.push_str(&crate::kernel::thread::stack_text(
                                &stack,
                                note.as_deref(),
                            ));
                        }
                        r.windbg.push('\n');
                    }
                    Err(e) => r.errors.push(e.to_string()),
                }
            }
        }
        r.processes.push(ProcessRow {
            address: p.address,
            pid: p.pid,
            parent_pid: p.parent_pid,
            session_id: p.session_id,
            dir_base: p.dir_base,
            object_table: p.object_table,
            handle_count: n,
            image: p.name().to_string(),
            zombie: p.is_zombie(),
        });
    }
    Ok(r)
}

/// `.process ADDR`: selects the process; later reads go through its `DirBase`.
pub fn select(k: &KernelTarget, address: u64) -> Result<String, CliError> {
    let objs = k.objects()?;
    let p = objs.process(address).map_err(oerr)?;
    let dir_base = p
        .dir_base
        .ok_or_else(|| CliError::new(format!("process {address:x}: no DirBase in the dump")))?;
    k.set_process(Some(address), Some(dir_base));
    Ok(format!(
        "Implicit process is now {address:x} ({}, DirBase {dir_base:x})\n",
        p.name()
    ))
}
