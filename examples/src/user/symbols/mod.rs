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
    /// The modules, in module-list order.
    pub modules: Vec<ModuleSymbols>,
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
    let empty;
    let locator = match &options.locator {
        Some(l) => l.as_ref(),
        None => {
            empty = SymbolLocator::new(SymbolPath::new(), SymbolOptions::default());
            &empty
        }
    };
    let modules = u
        .modules()
        .map_err(|e| CliError::at(&u.path, format!("module list: {e}")))?;
    let mut out = Vec::with_capacity(modules.len());
    for m in modules {
        let image = u32::try_from(m.size)
            .ok()
            .and_then(|size| locator.lookup_image(&m.name, m.time_date_stamp, size))
            .map(|l| status_of(&l));
        let pdb = match &m.codeview {
            Some(dumpfile::CodeView::Pdb70 {
                guid,
                age,
                pdb_name,
            }) => locator
                .lookup_pdb(
                    pdb_name,
                    PdbIdentity {
                        guid: *guid,
                        age: *age,
                    },
                )
                .map(|l| status_of(&l)),
            _ => None,
        };
        out.push(ModuleSymbols {
            name: dumpfile::module_short_name(&m.name).to_string(),
            base: m.base,
            size: m.size,
            image,
            pdb,
        });
    }
    Ok(Report {
        symbol_path: locator.path().to_string(),
        pointer_size: u.pointer_size(),
        modules: out,
    })
}
