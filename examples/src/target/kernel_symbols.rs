//! Where a kernel dump's symbols come from when the command line names no file: the kernel's
//! own CodeView record (PDB name, GUID, age) looked up on the symbol path, as WinDbg's `.reload`
//! does, so `dumpscope leak MEMORY.DMP` with `_NT_SYMBOL_PATH` set needs nothing else.
//!
//! Two kinds of file answer:
//! - a Volatility 3 symbol table (ISF JSON, plain or `.xz`) in the layout of Volatility's symbol
//!   packs, `windows/ntkrnlmp.pdb/GUID-AGE.json.xz`, under any folder or local store of the path
//!   (also `NAME.pdb/GUIDAGE.json` and `symbols/windows/...`): read first, nothing is fetched;
//! - the PDB itself, by the locator: folders, local stores, caches and symbol servers (fetched
//!   into the cache unless `--offline`).

use std::path::{Path, PathBuf};

use stackwalk::symsrv::{PathElement, Store, SymbolLocator};

/// Kernel symbols files larger than this (decompressed) are refused: an ISF of a whole
/// ntkrnlmp.pdb is about 30 MB, a PDB about 15 MB.
const MAX_SYMBOLS_BYTES: u64 = 1 << 30;

/// The kernel's symbols found on the symbol path, and the file they came from.
#[derive(Debug)]
pub(crate) struct Found {
    /// The layouts and symbols.
    pub layouts: pooltrack::KernelLayouts,
    /// The file read.
    pub file: PathBuf,
}

/// The folders of a symbol path where a Volatility symbol table may sit: plain folders, local
/// stores of `srv*` chains, `cache*` folders and the default cache when the path uses it.
fn local_folders(locator: &SymbolLocator) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let cache = &locator.options().default_cache;
    for element in locator.path().elements() {
        match element {
            PathElement::Folder(d) => dirs.push(d.clone()),
            PathElement::Server(stores) => {
                for s in stores {
                    match s {
                        Store::Local(d) => dirs.push(d.clone()),
                        Store::DefaultCache => dirs.push(cache.clone()),
                        _ => {}
                    }
                }
            }
            PathElement::Cache(d) => dirs.push(d.clone().unwrap_or_else(|| cache.clone())),
        }
    }
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// The file names a Volatility symbol table of `pdb` (`ntkrnlmp.pdb`) with `guid` (registry
/// form without dashes, upper case) and `age` may have under `dir`.
fn isf_candidates(dir: &Path, pdb: &str, guid: &str, age: u32) -> Vec<PathBuf> {
    let names = [
        format!("{guid}-{age}.json.xz"),
        format!("{guid}-{age}.json"),
        format!("{guid}{age:X}.json.xz"),
        format!("{guid}{age:X}.json"),
    ];
    let mut out = Vec::new();
    for sub in ["", "windows", "symbols/windows"] {
        let base = if sub.is_empty() {
            dir.join(pdb)
        } else {
            dir.join(sub).join(pdb)
        };
        for n in &names {
            out.push(base.join(n));
        }
    }
    out
}

/// Reads a file of at most [`MAX_SYMBOLS_BYTES`], decompressing `.xz`.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut raw = Vec::new();
    f.take(MAX_SYMBOLS_BYTES.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if u64::try_from(raw.len()).unwrap_or(u64::MAX) > MAX_SYMBOLS_BYTES {
        return Err(format!("{}: larger than 1 GiB", path.display()));
    }
    if path.extension().is_some_and(|e| e == "xz") {
        let mut out = Bounded {
            bytes: Vec::new(),
            limit: MAX_SYMBOLS_BYTES,
        };
        lzma_rs::xz_decompress(&mut &raw[..], &mut out)
            .map_err(|e| format!("{}: not a readable .xz file: {e}", path.display()))?;
        return Ok(out.bytes);
    }
    Ok(raw)
}

/// A writer that refuses to grow past [`MAX_SYMBOLS_BYTES`] (a hostile `.xz` cannot make the
/// decompressor allocate without bound).
struct Bounded {
    bytes: Vec<u8>,
    limit: u64,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let total = u64::try_from(self.bytes.len().saturating_add(buf.len())).unwrap_or(u64::MAX);
        if total > self.limit {
            return Err(std::io::Error::other("decompresses to more than its bound"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads a kernel symbols file the user named or that was found: a PDB (by its MSF magic) or
/// an ISF JSON (plain or `.xz`).
pub(crate) fn read_symbols_file(path: &Path) -> Result<pooltrack::KernelLayouts, String> {
    let bytes = read_bounded(path)?;
    if bytes.starts_with(b"Microsoft C/C++ MSF 7.00") {
        pooltrack::KernelLayouts::from_pdb_bytes(&bytes)
    } else {
        pooltrack::KernelLayouts::from_isf_json(&bytes)
    }
    .map_err(|e| format!("{}: {e}", path.display()))
}

/// The kernel's PDB identity: from its image in the dump, else (a triage dump keeps no image
/// headers) from its image file found on the symbol path by time stamp and size, as WinDbg
/// does.
pub(crate) fn kernel_identity(
    locator: &SymbolLocator,
    kernel: &dumpfile::Driver,
) -> Option<dumpfile::CodeViewId> {
    if let Some(cv) = &kernel.codeview {
        return Some(cv.clone());
    }
    let size = u32::try_from(kernel.size).ok()?;
    let file = locator
        .find_image(&kernel.name, kernel.timestamp?, size)
        .ok()
        .flatten()?;
    let bytes = read_bounded(&file).ok()?;
    let cv = pe_sections::PeImage::parse_file(&bytes)
        .ok()?
        .codeview()
        .ok()
        .flatten()?;
    match cv.kind {
        pe_sections::CodeViewKind::Pdb70 { guid } => Some(dumpfile::CodeViewId {
            pdb_name: cv.pdb_name,
            guid,
            age: cv.age,
        }),
        _ => None,
    }
}

/// Looks the kernel's PDB identity up on the symbol path: a Volatility symbol table first,
/// then the PDB. `Ok(None)` when neither is there; `Err` when a file was found but could not be
/// read (a server failing while nothing was found is `Ok(None)`: the caller says what is
/// missing, and `dumpscope symbols` says why).
pub(crate) fn find(
    locator: &SymbolLocator,
    cv: &dumpfile::CodeViewId,
) -> Result<Option<Found>, String> {
    let Some(pdb) = stackwalk::symsrv::store_file_name(&cv.pdb_name) else {
        return Ok(None);
    };
    let guid = cv.guid_string().replace('-', "").to_ascii_uppercase();
    for dir in local_folders(locator) {
        for file in isf_candidates(&dir, pdb, &guid, cv.age) {
            if file.is_file() {
                let layouts = read_symbols_file(&file)?;
                return Ok(Some(Found { layouts, file }));
            }
        }
    }
    match locator.find_pdb(&cv.pdb_name, cv.guid, cv.age) {
        Ok(Some(file)) => {
            let layouts = read_symbols_file(&file)?;
            Ok(Some(Found { layouts, file }))
        }
        Ok(None) | Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatility_pack_names_come_first_under_each_layout() {
        let c = isf_candidates(Path::new("/s"), "ntkrnlmp.pdb", "ABCD", 1);
        assert_eq!(c[0], Path::new("/s/ntkrnlmp.pdb/ABCD-1.json.xz"));
        assert!(c.contains(&PathBuf::from("/s/windows/ntkrnlmp.pdb/ABCD-1.json.xz")));
        assert!(c.contains(&PathBuf::from("/s/symbols/windows/ntkrnlmp.pdb/ABCD1.json")));
    }

    #[test]
    fn xz_files_decompress_within_their_bound() {
        let text = b"{\"symbols\": {}}".repeat(100);
        let mut xz = Vec::new();
        lzma_rs::xz_compress(&mut &text[..], &mut xz).unwrap();
        let mut out = Bounded {
            bytes: Vec::new(),
            limit: 10_000,
        };
        lzma_rs::xz_decompress(&mut &xz[..], &mut out).unwrap();
        assert_eq!(out.bytes, text);
        // The same stream with a smaller bound stops with an error instead of growing.
        let mut small = Bounded {
            bytes: Vec::new(),
            limit: 100,
        };
        assert!(lzma_rs::xz_decompress(&mut &xz[..], &mut small).is_err());
        assert!(small.bytes.len() <= 100);
    }
}
