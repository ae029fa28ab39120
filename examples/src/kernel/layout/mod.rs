//! The kernel structure layouts the pool and object commands use for a build and architecture
//! (`layout --kernel --build N --arch x86|x64`), or the same types and fields derived from the
//! kernel's own ISF file or PDB (`--isf FILE`, `--pdb FILE`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use pooltrack::{Arch, KernelBuild, KernelLayouts, TypeLayout};
use serde::Serialize;

use crate::CliError;

mod text;

/// Which layouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Build number (e.g. 9600, 19041).
    pub build: u32,
    /// Architecture.
    pub arch: Arch,
    /// Derive the tables from this Volatility 3 ISF file (decompressed JSON).
    pub isf: Option<PathBuf>,
    /// Derive the tables from this kernel PDB (`ntkrnlmp.pdb`).
    pub pdb: Option<PathBuf>,
}

/// One type: size and field offsets.
#[derive(Debug, Clone, Serialize)]
pub struct TypeRow {
    /// Size in bytes.
    pub size: u32,
    /// Field offsets by (dotted) field name.
    pub fields: BTreeMap<String, u32>,
}

/// The layouts in force.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Types by name.
    pub types: BTreeMap<String, TypeRow>,
    /// Built-in fields the ISF/PDB does not have (`TYPE.FIELD`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    #[serde(skip)]
    pub(crate) source: String,
}

/// The built-in tables of a build: pool and kernel objects.
pub fn built_in(b: KernelBuild) -> KernelLayouts {
    let mut l = pooltrack::pool_layouts(b);
    if let Some(o) = pooltrack::object_layouts(b) {
        for t in o.types.into_values() {
            l.insert(t);
        }
    }
    l
}

fn row(t: &TypeLayout) -> TypeRow {
    TypeRow {
        size: t.size,
        fields: t
            .fields
            .iter()
            .map(|(n, f)| (n.clone(), f.offset))
            .collect(),
    }
}

/// Reads the layouts.
pub fn investigate(o: &Options) -> Result<Report, CliError> {
    let b = KernelBuild::new(o.arch, o.build);
    let ours = built_in(b);
    let truth = match (&o.isf, &o.pdb) {
        (Some(p), _) => {
            let bytes = std::fs::read(p).map_err(|e| CliError::at(p, e))?;
            Some((
                p,
                KernelLayouts::from_isf_json(&bytes).map_err(|e| CliError::at(p, e))?,
            ))
        }
        (None, Some(p)) => {
            let bytes = std::fs::read(p).map_err(|e| CliError::at(p, e))?;
            Some((
                p,
                KernelLayouts::from_pdb_bytes(&bytes).map_err(|e| CliError::at(p, e))?,
            ))
        }
        (None, None) => None,
    };
    let Some((path, truth)) = truth else {
        return Ok(Report {
            types: ours
                .types
                .iter()
                .map(|(n, t)| (n.clone(), row(t)))
                .collect(),
            missing: Vec::new(),
            source: format!("built-in tables for {} {:?}", o.build, o.arch),
        });
    };
    let mut types = BTreeMap::new();
    let mut missing = Vec::new();
    for (name, t) in &ours.types {
        let Some(tt) = truth.get(name) else {
            missing.push(name.clone());
            continue;
        };
        let mut fields = BTreeMap::new();
        for f in t.fields.keys() {
            match truth.resolve(name, f) {
                Some(fl) => {
                    fields.insert(f.clone(), fl.offset);
                }
                None => missing.push(format!("{name}.{f}")),
            }
        }
        types.insert(
            name.clone(),
            TypeRow {
                size: tt.size,
                fields,
            },
        );
    }
    Ok(Report {
        types,
        missing,
        source: format!("derived from {}", path.display()),
    })
}
