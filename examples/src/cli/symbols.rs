//! The symbol path of the command line: `--symbol-path`, else `_NT_SYMBOL_PATH` (with
//! `_NT_ALT_SYMBOL_PATH` in front, as WinDbg does); `--offline`; the default cache; and a
//! progress bar on stderr while files download.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use stackwalk::symsrv::{Progress, SymbolLocator, SymbolOptions, SymbolPath};

/// Global options: where images and PDBs come from, for every command that walks stacks.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SymbolPathArgs {
    /// Symbol path in WinDbg's syntax, e.g.
    /// `srv*CACHE*https://msdl.microsoft.com/download/symbols;DIR` (`;`-separated: plain
    /// folders, `srv*` stores and servers, `cache*DIR`). Default: `_NT_SYMBOL_PATH`.
    #[arg(long, global = true, value_name = "PATH")]
    pub symbol_path: Option<String>,
    /// Never download: use folders, local stores and caches only.
    #[arg(long, global = true)]
    pub offline: bool,
}

/// The default downstream store (`srv*URL`, `cache*`): `$XDG_CACHE_HOME/dumpscope/symbols`,
/// `~/.cache/dumpscope/symbols`, `%LOCALAPPDATA%\dumpscope\symbols`, else the temp directory.
pub fn default_cache() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_CACHE_HOME")
        .or_else(|| env("LOCALAPPDATA"))
        .or_else(|| env("HOME").map(|h| h.join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("dumpscope")
        .join("symbols")
}

/// A one-line progress bar on stderr (only when stderr is a terminal).
fn progress_bar(p: &Progress<'_>) {
    let mut err = std::io::stderr().lock();
    let name = p.url.rsplit('/').next().unwrap_or(p.url);
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let _ = match p.total {
        Some(total) if total > 0 => {
            let filled = usize::try_from(
                p.received
                    .saturating_mul(30)
                    .checked_div(total)
                    .unwrap_or(30),
            )
            .unwrap_or(30)
            .min(30);
            write!(
                err,
                "\r{name}: [{}{}] {:.1}/{:.1} MB",
                "#".repeat(filled),
                " ".repeat(30usize.saturating_sub(filled)),
                mb(p.received),
                mb(total)
            )
        }
        _ => write!(err, "\r{name}: {:.1} MB", mb(p.received)),
    };
    if p.done {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

impl SymbolPathArgs {
    /// The symbol path text in force: `--symbol-path`, else the environment; `None` when
    /// neither gives one.
    pub fn text(&self) -> Option<String> {
        if let Some(p) = &self.symbol_path {
            return Some(p.clone());
        }
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        match (var("_NT_ALT_SYMBOL_PATH"), var("_NT_SYMBOL_PATH")) {
            (Some(a), Some(b)) => Some(format!("{a};{b}")),
            (a, b) => a.or(b),
        }
    }

    /// The locator for the symbol path in force, or `None` when there is none.
    pub fn locator(&self) -> Option<Arc<SymbolLocator>> {
        let path = SymbolPath::parse(&self.text()?);
        if path.is_empty() {
            return None;
        }
        let options = SymbolOptions::default()
            .with_default_cache(default_cache())
            .with_offline(self.offline);
        let mut locator = SymbolLocator::new(path, options);
        if std::io::stderr().is_terminal() {
            locator = locator.with_progress(progress_bar);
        }
        Some(Arc::new(locator))
    }
}
