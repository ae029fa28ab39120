//! `dumpscope search`: WinDbg's `s -a`, `s -u` and `s -b`: text or bytes in a dump's captured
//! memory, a module's image or one of its sections, or a PE file.

use pe_sections::{Pattern, SectionStatus};
use serde::Serialize;

use crate::CliError;
use crate::report::Location;
use crate::target::{ModuleRef, PeFile, Source, UserDump};
use crate::windbg::{eval_address, parse_hex};

mod text;

/// What `search` looks for, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The pattern.
    pub pattern: Pattern,
    /// Only the image of this module (name or base).
    pub module: Option<String>,
    /// With `module` (or a PE file): only this section (e.g. `.rdata`).
    pub section: Option<String>,
    /// Only `ADDRESS LENGTH`: the address as an expression (`module+offset`), the length in hex
    /// (WinDbg's `L` prefix allowed).
    pub range: Option<(String, String)>,
    /// Most hits to report.
    pub max_hits: usize,
}

/// One hit.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Hit {
    /// Address of the first byte.
    pub address: u64,
    /// `module+rva` when the hit lies in a known module.
    pub symbol: Option<String>,
    /// The 16 bytes from the hit, as far as they are present (text only).
    #[serde(skip)]
    pub bytes: Vec<Option<u8>>,
}

/// The hits, ascending.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    /// The hits.
    pub hits: Vec<Hit>,
    /// Pointer size for addresses (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Searches the target.
pub fn investigate(target: Source<'_>, options: &Options) -> Result<Report, CliError> {
    if options.pattern.to_bytes().is_empty() {
        return Err(CliError::new("empty pattern"));
    }
    match target {
        Source::File(f) => in_file(f, options),
        Source::Dump(u) => in_dump(u, options),
    }
}

/// `ADDRESS LENGTH` of `--range`.
fn range(r: &(String, String), dump: Option<&UserDump>) -> Result<(u64, u64), CliError> {
    let a = eval_address(&r.0, dump)?;
    let l = r.1.strip_prefix(['L', 'l']).unwrap_or(&r.1);
    let l = parse_hex(l).ok_or_else(|| CliError::new(format!("bad length '{l}'")))?;
    Ok((a, l))
}

/// Up to 16 bytes from `read`, `None` past the first one that cannot be read.
fn sixteen(read: impl Fn(u64, &mut [u8]) -> bool, address: u64) -> Vec<Option<u8>> {
    let mut buf = [0u8; 16];
    if read(address, &mut buf) {
        return buf.iter().copied().map(Some).collect();
    }
    (0..16u64)
        .map(|i| {
            let mut b = [0u8; 1];
            address
                .checked_add(i)
                .filter(|a| read(*a, &mut b))
                .map(|_| b[0])
        })
        .collect()
}

fn in_file(f: &PeFile, options: &Options) -> Result<Report, CliError> {
    let image = f.image()?;
    let pe = &image.pe;
    let (start, len) = match (&options.section, &options.range) {
        (Some(s), _) => {
            let sec = pe
                .section_by_name(s)
                .ok_or_else(|| CliError::new(format!("no section '{s}'")))?;
            let (a, b) = pe.section_extent(sec);
            (a, u64::from(b.saturating_sub(a)))
        }
        (None, Some(r)) => {
            let (a, l) = range(r, None)?;
            let rva = pe
                .va_to_rva(a)
                .ok_or_else(|| CliError::new(format!("{a:#x} is outside the image")))?;
            (rva, l)
        }
        (None, None) => (0, u64::from(pe.size_of_image())),
    };
    let rvas = pe
        .search_rva(&options.pattern, start, len)
        .map_err(|e| CliError::at(&f.path, format!("search: {e}")))?;
    let hits = rvas
        .iter()
        .filter_map(|&r| Some((r, pe.rva_to_va(r)?)))
        .take(options.max_hits)
        .map(|(r, address)| Hit {
            address,
            symbol: Some(format!("{}+{r:#x}", image.name)),
            bytes: sixteen(
                |a, b| {
                    pe.va_to_rva(a)
                        .is_some_and(|rva| pe.read_rva(rva, b).is_ok())
                },
                address,
            ),
        })
        .collect();
    Ok(Report {
        hits,
        pointer_size: image.pointer_size,
    })
}

/// Searches a dump (what `s` in `-c` runs).
pub fn in_dump(u: &UserDump, options: &Options) -> Result<Report, CliError> {
    // The module named on the command line, with its image size, names the hits.
    let mut explicit: Option<(ModuleRef, u64)> = None;
    let ranges: Vec<(u64, u64)> = match (&options.module, &options.range) {
        (Some(m), _) => {
            let module = u.resolve_module(m)?;
            let image = u.image(&module)?;
            let pe = &image.pe;
            explicit = Some((module.clone(), u64::from(pe.size_of_image())));
            match &options.section {
                Some(s) => {
                    let sec = pe.section_by_name(s).ok_or_else(|| {
                        CliError::new(format!("{}: no section '{s}'", module.name))
                    })?;
                    if let Ok(SectionStatus::NotCaptured) = pe.section_status(sec) {
                        return Err(CliError::new(format!(
                            "{}: section {s} is not captured in the dump",
                            module.name
                        )));
                    }
                    let (a, b) = pe.section_extent(sec);
                    vec![(
                        module.base.saturating_add(u64::from(a)),
                        u64::from(b.saturating_sub(a)),
                    )]
                }
                None => vec![(module.base, u64::from(pe.size_of_image()))],
            }
        }
        (None, Some(r)) => vec![range(r, Some(u))?],
        (None, None) => u.dump.memory().ranges().map(|r| (r.base, r.size)).collect(),
    };
    let needle = options.pattern.to_bytes();
    let mut found = Vec::new();
    for (a, l) in ranges {
        let left = options.max_hits.saturating_sub(found.len());
        if left == 0 {
            break;
        }
        let more = pe_sections::search_memory(&u.dump, a, l, &needle, left)
            .map_err(|e| CliError::at(&u.path, format!("search: {e}")))?;
        found.extend(more);
    }
    let hits = found
        .into_iter()
        .map(|h| Hit {
            address: h,
            symbol: explicit
                .as_ref()
                .filter(|(m, size)| h >= m.base && h.saturating_sub(m.base) < *size)
                .map(|(m, _)| m.clone())
                .or_else(|| u.module_containing(h))
                .map(|m| Location::in_module(&m.name, m.base, h).to_string()),
            bytes: sixteen(|a, b| u.dump.memory().read(a, b).is_ok(), h),
        })
        .collect();
    Ok(Report {
        hits,
        pointer_size: u.pointer_size(),
    })
}
