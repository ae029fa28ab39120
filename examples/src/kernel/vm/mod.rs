//! `!vm`: the virtual memory summary (physical pages, pool usage and maxima, commit) and
//! WinDbg's warnings (excessive non-paged pool, failed allocations), from the kernel's globals
//! named by its symbols (`DUMP.isf.json`).

use serde::Serialize;

use crate::CliError;
use crate::target::KernelTarget;

mod text;

/// No options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options;

/// One line: label, pages, kilobytes.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// WinDbg's label (`NonPagedPool Usage:`).
    pub label: String,
    /// Pages.
    pub pages: u64,
    /// Kilobytes.
    pub kb: u64,
}

/// The `!vm` report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The value lines in WinDbg's order.
    pub lines: Vec<Line>,
    /// The warnings (WinDbg's text).
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub(crate) summary: pooltrack::VmSummary,
}

/// Computes the summary.
pub fn investigate(k: &KernelTarget, _: &Options) -> Result<Report, CliError> {
    let build = k.build()?;
    let symbols = k
        .symbols()
        .map_err(|e| CliError::new(e.to_string()))?
        .ok_or_else(|| {
            CliError::at(
                &k.path,
                format!(
                    "!vm reads the kernel's globals by symbol: {}",
                    k.symbols_hint()
                ),
            )
        })?;
    let inputs = crate::adapt::pool::vm_inputs(&k.mem(), build, k.kdbg().ok(), Some(symbols))
        .ok_or_else(|| CliError::at(&k.path, "KDBG gives no kernel base"))?;
    let summary = pooltrack::VmSummary::compute(&inputs);
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    for i in &summary.items {
        match i {
            pooltrack::VmItem::Line(l) => lines.push(Line {
                label: l.label.clone(),
                pages: l.pages,
                kb: l.kb,
            }),
            pooltrack::VmItem::Warning(w) => warnings.push(w.text()),
        }
    }
    Ok(Report {
        lines,
        warnings,
        summary,
    })
}
