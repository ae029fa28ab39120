//! Driver Verifier as WinDbg's `!verifier 3` (level, global pool counters, the verified drivers
//! with their outstanding tracked allocations) and `!verifier 80 [ADDR]` (the pool allocate/free
//! log, newest first) show it; callers symbolized as `module!symbol+off` / `module+off` from the
//! driver list.

use serde::Serialize;

use crate::CliError;
use crate::kernel::pool::perr;
use crate::target::KernelTarget;

mod text;

/// Which view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Options {
    /// `!verifier 3`: statistics, drivers and their outstanding allocations.
    Drivers,
    /// `!verifier 80 [ADDR]`: the pool log, or the entries of one allocation.
    Log(Option<u64>),
}

/// One outstanding allocation of a verified driver.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    /// Address.
    pub address: u64,
    /// Length in bytes.
    pub length: u64,
    /// Tag.
    pub tag: String,
    /// The caller's return address.
    pub caller: u64,
    /// The caller as `module!symbol+off` or `module+off`.
    pub caller_symbol: Option<String>,
}

/// One verified driver.
#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    /// Image name.
    pub name: String,
    /// Loads and unloads.
    pub loads: u32,
    /// Unloads.
    pub unloads: u32,
    /// Outstanding tracked allocations.
    pub allocations: Vec<Allocation>,
}

/// One log entry.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    /// Pool address.
    pub address: u64,
    /// Size.
    pub size: u64,
    /// Thread.
    pub thread: u64,
    /// Stack, symbolized where a driver holds the address.
    pub stack: Vec<String>,
}

/// The verifier report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Verifier level (flags), for `!verifier 3`.
    pub level: Option<u32>,
    /// Current paged and non-paged allocations, and their bytes.
    pub current: Option<[u64; 4]>,
    /// The verified drivers.
    pub drivers: Vec<Driver>,
    /// The log entries (`!verifier 80`).
    pub log: Vec<LogEntry>,
    #[serde(skip)]
    pub(crate) windbg: String,
}

/// Reads the verifier's state.
pub fn investigate(k: &KernelTarget, o: &Options) -> Result<Report, CliError> {
    k.require_memory_dump("!verifier")?;
    let pool = k.pool()?;
    let build = k.build()?;
    let sym = |a: u64| k.symbolize(a);
    let mut r = Report {
        level: None,
        current: None,
        drivers: Vec::new(),
        log: Vec::new(),
        windbg: String::new(),
    };
    match o {
        Options::Drivers => {
            let stats = pool.verifier_stats().map_err(|e| perr(k, e))?;
            let drivers = pool.verifier_drivers().map_err(|e| perr(k, e))?;
            r.level = Some(stats.level);
            r.current = Some([
                stats.current_paged_pool_allocations,
                stats.current_non_paged_pool_allocations,
                stats.paged_bytes,
                stats.non_paged_bytes,
            ]);
            r.drivers = drivers
                .iter()
                .map(|d| Driver {
                    name: d.name.clone(),
                    loads: d.loads,
                    unloads: d.unloads,
                    allocations: d
                        .allocations
                        .iter()
                        .map(|a| Allocation {
                            address: a.address,
                            length: a.length,
                            tag: a.tag.to_string(),
                            caller: a.caller,
                            caller_symbol: sym(a.caller),
                        })
                        .collect(),
                })
                .collect();
            r.windbg = pooltrack::verifier_windbg_text(build, &stats, &drivers, &sym);
        }
        Options::Log(addr) => {
            let log = pool.verifier_pool_log(*addr).map_err(|e| perr(k, e))?;
            r.log = log
                .entries
                .iter()
                .map(|e| LogEntry {
                    address: e.address,
                    size: e.size,
                    thread: e.thread,
                    stack: e
                        .stack
                        .iter()
                        .map(|&a| sym(a).unwrap_or_else(|| format!("{a:#x}")))
                        .collect(),
                })
                .collect();
            r.windbg = log.windbg_text(build.arch, *addr, &sym);
        }
    }
    Ok(r)
}
