//! `!vm`: the virtual memory summary (physical pages, pool usage and maxima, commit) and
//! WinDbg's warnings (excessive non-paged pool, failed allocations), from the kernel's globals
//! named by its symbols and, up to Windows 8.1, by the addresses KDBG holds for them.

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

/// A paging file, sizes in kilobytes.
#[derive(Debug, Clone, Serialize)]
pub struct PagingFile {
    /// Its name (`\??\C:\pagefile.sys`).
    pub name: String,
    /// Size now.
    pub current_kb: u64,
    /// Free space.
    pub free_kb: u64,
    /// Minimum size.
    pub minimum_kb: u64,
    /// Maximum size.
    pub maximum_kb: u64,
}

/// The `!vm` report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The value lines in WinDbg's order.
    pub lines: Vec<Line>,
    /// The warnings (WinDbg's text).
    pub warnings: Vec<String>,
    /// The paging files (sizes in kilobytes).
    pub paging_files: Vec<PagingFile>,
    #[serde(skip)]
    pub(crate) summary: pooltrack::VmSummary,
}

/// Computes the summary.
pub fn investigate(k: &KernelTarget, _: &Options) -> Result<Report, CliError> {
    k.require_memory_dump("!vm")?;
    let build = k.build()?;
    let symbols = k.symbols().map_err(|e| CliError::new(e.to_string()))?;
    let no_symbols = || {
        CliError::at(
            &k.path,
            format!(
                "!vm reads the kernel's globals by symbol{}: {}",
                if build.build < 10000 {
                    " (KDBG names too few of them here)"
                } else {
                    ""
                },
                k.symbols_hint()
            ),
        )
    };
    let inputs = crate::adapt::pool::vm_inputs(&k.mem(), build, k.kdbg().ok(), symbols)
        .ok_or_else(no_symbols)?;
    if symbols.is_none() && inputs.physical_pages.is_none() && inputs.committed_pages.is_none() {
        return Err(no_symbols());
    }
    let summary = pooltrack::VmSummary::compute(&inputs);
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let mut paging_files = Vec::new();
    for i in &summary.items {
        match i {
            pooltrack::VmItem::Line(l) => lines.push(Line {
                label: l.label.clone(),
                pages: l.pages,
                kb: l.kb,
            }),
            pooltrack::VmItem::Warning(w) => warnings.push(w.text()),
            pooltrack::VmItem::PageFile(p) => {
                let kb = |pages: u64| pages.saturating_mul(summary.kb_per_page);
                paging_files.push(PagingFile {
                    name: p.name.clone(),
                    current_kb: kb(p.current),
                    free_kb: kb(p.free),
                    minimum_kb: kb(p.minimum),
                    maximum_kb: kb(p.maximum),
                });
            }
            _ => {}
        }
    }
    Ok(Report {
        lines,
        warnings,
        paging_files,
        summary,
    })
}
