//! The modules a stack walk needs: unwind data from the dump's mapped images or from PE files
//! in `--images` directories or on the symbol path, symbols from matching PDBs in `--symbols`
//! directories or on the symbol path, or from the images' exports.

use std::path::{Path, PathBuf};

use stackwalk::{ImageUnwind, Module, Modules, PdbData, PdbIdentity, SymbolTable};

use super::{ModuleSource, Options};
use crate::adapt::{DumpMemory, pdb_identity};

/// A file in `dir` named `name`, compared case-insensitively.
fn find_ci(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.exists() {
        return Some(exact);
    }
    std::fs::read_dir(dir)
        .ok()?
        .take(100_000)
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name))
        .map(|e| e.path())
}

/// Candidate paths for `file` under `dirs`: flat, then `file/KEY/file`.
fn candidates(dirs: &[PathBuf], file: &str, key: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        if let Some(p) = find_ci(d, file) {
            if p.is_file() {
                out.push(p.clone());
            } else if let Some(k) = find_ci(&p, key).and_then(|k| find_ci(&k, file)) {
                out.push(k);
            }
        }
    }
    out
}

/// The image file `file_name` in `dirs` (flat or symbol-store layout) whose time stamp (when
/// known) and `SizeOfImage` match the loaded module's: its path and bytes.
pub(crate) fn image_file(
    dirs: &[PathBuf],
    file_name: &str,
    time_date_stamp: Option<u32>,
    size: u64,
) -> Option<(PathBuf, Vec<u8>)> {
    let key = time_date_stamp.map(|t| format!("{t:08X}{size:x}"));
    candidates(dirs, file_name, key.as_deref().unwrap_or(""))
        .into_iter()
        .find_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            let layout = stackwalk::ImageLayout::parse(&bytes).ok()?;
            let stamp_ok = time_date_stamp.is_none_or(|t| t == layout.time_date_stamp);
            (stamp_ok && u64::from(layout.size_of_image) == size).then_some((p, bytes))
        })
}

/// A module with where its unwind data and symbols came from.
pub(crate) struct Found<'a> {
    /// The module.
    pub(crate) module: Module<'a>,
    /// Its sources.
    pub(crate) source: ModuleSource,
}

/// Builds a module: unwind data from the dump (`mem`: a user dump's or a kernel dump's memory)
/// or from a file, symbols from a PDB or exports.
pub(crate) fn build_module<'a, M>(
    mem: M,
    name: &str,
    base: u64,
    size: u64,
    time_date_stamp: Option<u32>,
    pdb: Option<(String, PdbIdentity)>,
    opts: &Options,
) -> Found<'a>
where
    M: stackwalk::ReadMemory + pe_sections::ReadMemory + Copy + 'a,
{
    let short = dumpfile::module_short_name(name).to_string();
    let file_name = dumpfile::module_base_name(name).to_string();
    let mut module = Module::new(short.clone(), base, size);
    let mut source = ModuleSource {
        name: short,
        base,
        unwind: "none".into(),
        symbols: "none".into(),
    };

    // Unwind data: the mapped image if its .pdata is captured.
    let mut file_bytes: Option<Vec<u8>> = None;
    let mapped = ImageUnwind::from_mapped(mem, base).ok();
    let mapped_ok = mapped
        .as_ref()
        .is_some_and(|u| !u.is_empty() && u.entry(0).is_ok());
    match mapped {
        Some(u) if mapped_ok => {
            module = module.with_unwind(u);
            source.unwind = "dump".into();
        }
        _ => {
            if let Some((p, bytes)) =
                image_file(&opts.image_dirs, &file_name, time_date_stamp, size)
                && let Ok(u) = ImageUnwind::from_file(bytes.clone())
            {
                module = module.with_unwind(u);
                source.unwind = p.display().to_string();
                file_bytes = Some(bytes);
            }
            // The symbol path: a store or server keyed by the image's time stamp and size.
            if source.unwind == "none"
                && let (Some(locator), Some(stamp), Ok(size32)) =
                    (&opts.locator, time_date_stamp, u32::try_from(size))
                && let Ok(Some(p)) = locator.find_image(name, stamp, size32)
                && let Ok(bytes) = std::fs::read(&p)
                && let Ok(u) = ImageUnwind::from_file(bytes.clone())
            {
                module = module.with_unwind(u);
                source.unwind = p.display().to_string();
                file_bytes = Some(bytes);
            }
            if source.unwind == "none"
                && let Ok(u) = ImageUnwind::from_mapped(mem, base)
            {
                // Headers only: still gives executable ranges and captured code bytes.
                module = module.with_unwind(u);
                source.unwind = "dump (headers)".into();
            }
        }
    }

    // The PDB identity: from the module list, else from the image's own debug directory
    // (modules that no module list names, such as the 32-bit ntdll of a WOW64 process), in
    // the dump or in the image file found.
    let identity = |img: pe_sections::PeImage<'_>| {
        let cv = img.codeview().ok()??;
        match cv.kind {
            pe_sections::CodeViewKind::Pdb70 { guid } => {
                Some((cv.pdb_name, PdbIdentity { guid, age: cv.age }))
            }
            _ => None,
        }
    };
    let pdb = pdb
        .or_else(|| identity(pe_sections::PeImage::parse_mapped(&mem, base).ok()?))
        .or_else(|| identity(pe_sections::PeImage::parse_file(file_bytes.as_deref()?).ok()?));
    // Symbols: a matching PDB, else exports.
    if let Some((pdb_name, id)) = &pdb {
        // By GUID and DBI age, whatever the file is called: DIR/name, the symbol-store layout,
        // then every *.pdb in DIR.
        let found = opts
            .symbol_dirs
            .iter()
            .filter_map(|d| stackwalk::find_pdb(d, pdb_name, id).ok().flatten());
        // Then the symbol path (asked only when the directories have no match).
        let from_path = opts
            .locator
            .iter()
            .filter_map(|l| l.find_pdb(pdb_name, id.guid, id.age).ok().flatten());
        for p in found.chain(from_path) {
            let Ok(f) = std::fs::File::open(&p) else {
                continue;
            };
            let Ok(data) = PdbData::read(f) else {
                continue;
            };
            if !data.matches(id) {
                continue;
            }
            source.symbols = format!("pdb:{}", p.display());
            if !data.code_ranges.is_empty() {
                module = module.with_code_ranges(data.code_ranges);
            }
            if !data.frames.is_empty() {
                module = module.with_frame_data(data.frames);
            }
            module = module.with_symbols(data.symbols);
            break;
        }
    }
    if source.symbols == "none" {
        let exports = match &file_bytes {
            Some(b) => pe_sections::PeImage::parse_file(b)
                .ok()
                .and_then(|img| img.exports().ok().flatten()),
            None => pe_sections::PeImage::parse_mapped(&mem, base)
                .ok()
                .and_then(|img| img.exports().ok().flatten()),
        };
        if let Some(ex) = exports {
            let list: Vec<(u32, String)> = ex
                .entries
                .iter()
                .filter_map(|e| Some((e.rva()?, e.name.clone()?)))
                .collect();
            if !list.is_empty() {
                module = module.with_symbols(SymbolTable::from_exports(list));
                source.symbols = "exports".into();
            }
        }
    }
    Found { module, source }
}

/// The modules of the dump (and, for WOW64 processes, the 32-bit ones from PEB32.Ldr that the
/// module list lacks), with their unwind data and symbols.
pub fn load_modules<'a>(
    dump: &'a dumpfile::Minidump,
    opts: &Options,
) -> (Modules<'a>, Vec<ModuleSource>) {
    let mem = DumpMemory(dump);
    let mut found = Vec::new();
    let mut seen: Vec<(u64, u64)> = Vec::new();
    for m in dump.modules().unwrap_or_default() {
        let pdb = m.codeview.as_ref().and_then(pdb_identity);
        let f = build_module(
            mem,
            &m.name,
            m.base,
            m.size,
            Some(m.time_date_stamp),
            pdb,
            opts,
        );
        seen.push((m.base, m.base.saturating_add(m.size)));
        found.push(f);
    }
    // Modules the module list lacks: the 32-bit ones of PEB32.Ldr, then images found by their
    // headers in captured memory (the 32-bit ntdll of a WOW64 process stopped before its loader
    // ran, which no list names): (name, base, size, time stamp).
    let mut unlisted: Vec<(String, u64, u64, Option<u32>)> = Vec::new();
    if let Ok(p) = dump.process() {
        for lm in &p.loader_modules32 {
            let name = lm
                .base_name
                .clone()
                .or_else(|| lm.full_name.clone())
                .unwrap_or_else(|| format!("image{:x}", lm.base));
            unlisted.push((name, lm.base, u64::from(lm.size), None));
        }
    }
    for img in dump.mapped_images() {
        let name = img
            .export_name
            .clone()
            .unwrap_or_else(|| format!("image{:x}", img.base));
        let size = u64::from(img.size_of_image);
        unlisted.push((name, img.base, size, Some(img.time_date_stamp)));
    }
    for (name, base, size, stamp) in unlisted {
        let end = base.saturating_add(size);
        if seen.iter().any(|&(b, e)| base < e && b < end) {
            continue;
        }
        let mut f = build_module(mem, &name, base, size, stamp, None, opts);
        // 32-bit ntdll is listed under the same name as the 64-bit one: WinDbg calls it
        // ntdll_<base> in a 64-bit view; we keep a "32" suffix to tell them apart.
        if found
            .iter()
            .any(|g: &Found<'_>| g.source.name == f.source.name)
        {
            f.source.name = format!("{}32", f.source.name);
            f.module.name = f.source.name.clone();
        }
        seen.push((base, end));
        found.push(f);
    }
    let sources = found.iter().map(|f| f.source.clone()).collect();
    (
        Modules::new(found.into_iter().map(|f| f.module).collect()),
        sources,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_files_flat_and_in_symbol_store_layout() {
        let root = std::env::temp_dir().join(format!("stacks-find-{}", std::process::id()));
        let flat = root.join("flat");
        let store = root.join("store");
        std::fs::create_dir_all(&flat).unwrap();
        std::fs::create_dir_all(store.join("NTDLL.DLL").join("4CE7C8F91a9000")).unwrap();
        std::fs::write(flat.join("Foo.dll"), b"x").unwrap();
        std::fs::write(
            store
                .join("NTDLL.DLL")
                .join("4CE7C8F91a9000")
                .join("ntdll.dll"),
            b"y",
        )
        .unwrap();
        let dirs = vec![flat.clone(), store.clone()];
        assert_eq!(
            candidates(&dirs, "foo.dll", "00000000"),
            vec![flat.join("Foo.dll")]
        );
        let got = candidates(&dirs, "ntdll.dll", "4ce7c8f91a9000");
        assert_eq!(
            got,
            vec![
                store
                    .join("NTDLL.DLL")
                    .join("4CE7C8F91a9000")
                    .join("ntdll.dll")
            ]
        );
        assert!(candidates(&dirs, "ntdll.dll", "00000000").is_empty());
        let _ = std::fs::remove_dir_all(&root);
    }
}
