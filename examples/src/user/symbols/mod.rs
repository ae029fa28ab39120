//! `dumpscope symbols`: which images and PDBs the dump's modules need, and where each was found
//! on the symbol path or why not (WinDbg's `lm` with symbol status, `!sym noisy` in brief).
//!
//! Images are keyed by `TimeDateStamp` and `SizeOfImage` (`name/TTTTTTTTSSSS/name` in a symbol
//! store), PDBs by GUID and age (`name.pdb/GUIDAGE/name.pdb`). Looking them up fetches what the
//! servers on the path have into the cache, so a later `stacks` finds them locally.

use std::sync::Arc;

use serde::Serialize;
use stackwalk::PdbIdentity;
use stackwalk::symsrv::{Lookup, Status, SymbolLocator, SymbolOptions, SymbolPath};

use crate::CliError;
use crate::target::UserDump;

mod text;

/// What to look up with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The symbol path; `None`: no path was given (every lookup says "not in any store").
    pub locator: Option<Arc<SymbolLocator>>,
}

impl Options {
    /// The locator, or one over an empty path (every lookup says "not in any store").
    fn locator_or_empty(&self) -> Arc<SymbolLocator> {
        self.locator.clone().unwrap_or_else(|| {
            Arc::new(SymbolLocator::new(
                SymbolPath::new(),
                SymbolOptions::default(),
            ))
        })
    }
}

/// One attempt of a lookup: a folder, store or server, and its answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AttemptOut {
    /// The folder, store or URL.
    pub place: String,
    /// What it answered (`found PATH`, `not there`, `server said 404`, ...).
    pub answer: String,
}

/// The lookup of one file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileStatus {
    /// File name (`ntdll.dll`, `ntdll.pdb`).
    pub file: String,
    /// Store key (`TIMESTAMPSIZE` or `GUIDAGE`).
    pub key: String,
    /// `found`, `not_found` (in no store), `server_missing` (404), `offline`, `withheld`
    /// (a `file.ptr` message) or `error`.
    pub status: &'static str,
    /// Where it is, when found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The reason, when not found: the message of a failure or of a `file.ptr`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Every place tried, in order.
    pub attempts: Vec<AttemptOut>,
}

/// One module of the dump.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ModuleSymbols {
    /// Short name (`ntdll`).
    pub name: String,
    /// Load address.
    pub base: u64,
    /// `SizeOfImage`.
    pub size: u64,
    /// The image (for its `.pdata` when the dump lacks it); `None` when the module list gives
    /// no usable file name.
    pub image: Option<FileStatus>,
    /// The PDB its CodeView record names; `None` when it names none (or not by GUID).
    pub pdb: Option<FileStatus>,
}

/// Everything `dumpscope symbols` prints.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The symbol path in force (empty when none was given).
    pub symbol_path: String,
    /// Pointer size of the dump (4 or 8), for the address columns.
    pub pointer_size: usize,
    /// The modules, in module-list order (a kernel dump's drivers, the kernel first).
    pub modules: Vec<ModuleSymbols>,
    /// On a kernel dump: the file the kernel's symbols (globals and type layouts for the pool,
    /// `!vm`, verifier and object commands) were read from, or what to do without them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel_symbols: Option<KernelSymbols>,
}

/// Where a kernel dump's symbols came from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KernelSymbols {
    /// The file read (`--kernel-symbols`, `DUMP.isf.json`, or found on the symbol path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Why there are none, or they could not be read, and where they can be given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

fn status_of(lookup: &Lookup) -> FileStatus {
    let (status, path, detail) = match lookup.status() {
        Status::Found(p) => ("found", Some(p.display().to_string()), None),
        Status::NotFound => ("not_found", None, None),
        Status::ServerMissing => ("server_missing", None, None),
        Status::Offline => ("offline", None, None),
        Status::Message(m) => ("withheld", None, Some(m)),
        Status::Failed(m) => ("error", None, Some(m)),
        _ => ("error", None, Some("unknown status".to_string())),
    };
    FileStatus {
        file: lookup.wanted.name().to_string(),
        key: lookup.wanted.key(),
        status,
        path,
        detail,
        attempts: lookup
            .attempts
            .iter()
            .map(|a| AttemptOut {
                place: a.place.clone(),
                answer: a.answer.to_string(),
            })
            .collect(),
    }
}

/// Looks up every module's image and PDB along the symbol path.
pub fn investigate(u: &UserDump, options: &Options) -> Result<Report, CliError> {
    let locator = options.locator_or_empty();
    let locator = locator.as_ref();
    let modules = u
        .modules()
        .map_err(|e| CliError::at(&u.path, format!("module list: {e}")))?;
    let mut out = Vec::with_capacity(modules.len());
    for m in modules {
        let pdb = match &m.codeview {
            Some(dumpfile::CodeView::Pdb70 {
                guid,
                age,
                pdb_name,
            }) => Some((pdb_name.as_str(), *guid, *age)),
            _ => None,
        };
        out.push(module_symbols(
            locator,
            dumpfile::module_short_name(&m.name).to_string(),
            (&m.name, m.base, m.size),
            Some(m.time_date_stamp),
            pdb,
        ));
    }
    Ok(Report {
        symbol_path: locator.path().to_string(),
        pointer_size: u.pointer_size(),
        modules: out,
        kernel_symbols: None,
    })
}

/// One module's image (by `time_stamp` and size) and PDB (by GUID and age) looked up.
pub(crate) fn module_symbols(
    locator: &SymbolLocator,
    name: String,
    (file, base, size): (&str, u64, u64),
    time_stamp: Option<u32>,
    pdb: Option<(&str, [u8; 16], u32)>,
) -> ModuleSymbols {
    let image = time_stamp
        .zip(u32::try_from(size).ok())
        .and_then(|(t, size)| locator.lookup_image(file, t, size))
        .map(|l| status_of(&l));
    let pdb = pdb
        .and_then(|(pdb_name, guid, age)| locator.lookup_pdb(pdb_name, PdbIdentity { guid, age }))
        .map(|l| status_of(&l));
    ModuleSymbols {
        name,
        base,
        size,
        image,
        pdb,
    }
}

/// Looks up every driver's image and PDB of a kernel dump along the symbol path, and says
/// where the kernel's own symbols came from.
pub fn investigate_kernel(
    k: &crate::target::KernelTarget,
    options: &Options,
) -> Result<Report, CliError> {
    let locator = options.locator_or_empty();
    let locator = locator.as_ref();
    let drivers = k
        .drivers()
        .map_err(|e| CliError::at(&k.path, format!("driver list: {e}")))?;
    let modules = drivers
        .iter()
        .map(|d| {
            module_symbols(
                locator,
                k.module_name(d),
                (&d.name, d.base, d.size),
                d.timestamp,
                d.codeview
                    .as_ref()
                    .map(|cv| (cv.pdb_name.as_str(), cv.guid, cv.age)),
            )
        })
        .collect();
    let kernel_symbols = match k.symbols() {
        Ok(Some(_)) => KernelSymbols {
            file: k.symbols_source().map(|p| p.display().to_string()),
            missing: None,
        },
        Ok(None) => KernelSymbols {
            file: None,
            missing: Some(k.symbols_hint()),
        },
        Err(e) => KernelSymbols {
            file: None,
            missing: Some(e.to_string()),
        },
    };
    Ok(Report {
        symbol_path: locator.path().to_string(),
        pointer_size: k.pointer_size(),
        modules,
        kernel_symbols: Some(kernel_symbols),
    })
}
