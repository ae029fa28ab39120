//! Step 5: where the blocks' text lives in a module and which code references it.

use super::*;

/// The start of the function (from the module's `.pdata`) holding `address`, as `module+0xrva`.
pub(super) fn function_of(
    dump: &dumpfile::Minidump,
    modules: &[Mod],
    address: u64,
) -> Option<String> {
    let m = modules.iter().find(|m| m.contains(address))?;
    let mem = crate::adapt::DumpMemory(dump);
    let image = pe_sections::PeImage::parse_mapped(&mem, m.base).ok()?;
    let table = image.runtime_functions().ok()?;
    let rva = u32::try_from(address.checked_sub(m.base)?).ok()?;
    let f = pe_sections::function_containing(&table, rva)?;
    Some(m.at(m.base.saturating_add(u64::from(f.begin()))))
}

/// The needle to search: the pattern's literal prefix, else the common prefix without a
/// trailing number.
pub(super) fn needle_of(c: &Content) -> Option<(String, bool)> {
    let (prefix, wide) = match (&c.ascii_prefix, &c.utf16_prefix) {
        (Some(p), _) => (p.clone(), false),
        (None, Some(p)) => (p.clone(), true),
        (None, None) => return None,
    };
    let mut n = match &c.pattern {
        Some(p) => {
            let lit = literal_prefix(p);
            if prefix.starts_with(lit) {
                lit.to_string()
            } else {
                prefix
            }
        }
        None => prefix
            .trim_end_matches(|ch: char| ch.is_ascii_digit())
            .to_string(),
    };
    if n.len() > MAX_NEEDLE {
        let mut cut = MAX_NEEDLE;
        while !n.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        n.truncate(cut);
    }
    (n.len() >= MIN_NEEDLE).then_some((n, wide))
}

/// The code of module `m` referring to `rva`, with the functions holding it.
pub(super) fn references_to(
    image: &pe_sections::PeImage<'_>,
    m: &Mod,
    functions: &[pe_sections::RuntimeFunction],
    rva: u32,
    notes: &mut Vec<String>,
) -> Vec<CodeReference> {
    match image.code_references(rva) {
        Ok(refs) => refs
            .into_iter()
            .take(MAX_REFS)
            .map(|r| {
                let f = pe_sections::function_containing(functions, r.rva);
                let a = m.base.saturating_add(u64::from(r.rva));
                CodeReference {
                    rva: r.rva,
                    address: a,
                    location: m.at(a),
                    kind: format!("{:?}", r.kind),
                    function: f.map(|f| m.at(m.base.saturating_add(u64::from(f.begin())))),
                    function_address: f.map(|f| m.base.saturating_add(u64::from(f.begin()))),
                    function_end: f
                        .and_then(|f| f.end().map(|e| m.base.saturating_add(u64::from(e)))),
                }
            })
            .collect(),
        Err(e) => {
            notes.push(format!("{}: code references: {e}", m.name));
            Vec::new()
        }
    }
}

/// The code referring to the pointer the blocks start with (for a vtable: the constructors
/// that store it).
pub(super) fn pointer_references(
    dump: &dumpfile::Minidump,
    modules: &[Mod],
    value: u64,
    notes: &mut Vec<String>,
) -> Vec<CodeReference> {
    let Some(m) = modules.iter().find(|m| m.contains(value)) else {
        return Vec::new();
    };
    let mem = crate::adapt::DumpMemory(dump);
    let Ok(image) = pe_sections::PeImage::parse_mapped(&mem, m.base) else {
        return Vec::new();
    };
    let Ok(rva) = u32::try_from(value.saturating_sub(m.base)) else {
        return Vec::new();
    };
    let functions = image.runtime_functions().unwrap_or_default();
    references_to(&image, m, &functions, rva, notes)
}

/// Step 5: where the text lives in the modules and which code references it.
pub(super) fn locate(
    dump: &dumpfile::Minidump,
    modules: &[Mod],
    needle: &str,
    wide: bool,
    progress: &Progress,
    notes: &mut Vec<String>,
) -> Vec<StringLocation> {
    let mem = crate::adapt::DumpMemory(dump);
    let pattern = if wide {
        pe_sections::Pattern::Utf16(needle.to_string())
    } else {
        pe_sections::Pattern::Ascii(needle.to_string())
    };
    let mut out = Vec::new();
    let n = modules.len();
    for (i, m) in modules.iter().enumerate() {
        if out.len() >= MAX_HITS {
            break;
        }
        progress.step(&format!(
            "searching module {}/{n} {} for \"{needle}\"",
            i.saturating_add(1),
            m.name
        ));
        let Ok(image) = pe_sections::PeImage::parse_mapped(&mem, m.base) else {
            continue;
        };
        let data_sections: Vec<pe_sections::SectionHeader> = image
            .sections()
            .iter()
            .filter(|s| {
                let f = s.characteristics;
                f.contains(pe_sections::SectionFlags::CNT_INITIALIZED_DATA)
                    && !f.contains(pe_sections::SectionFlags::MEM_EXECUTE)
            })
            .cloned()
            .collect();
        let functions = image.runtime_functions().unwrap_or_default();
        for s in &data_sections {
            let (start, end) = image.section_extent(s);
            let hits = match image.search_rva(&pattern, start, u64::from(end.saturating_sub(start)))
            {
                Ok(h) => h,
                Err(e) => {
                    notes.push(format!("{}: searching {}: {e}", m.name, s.name()));
                    continue;
                }
            };
            for rva in hits.into_iter().take(MAX_HITS.saturating_sub(out.len())) {
                let text = if wide {
                    image
                        .read_wstr_rva(rva, 512)
                        .map(|w| String::from_utf16_lossy(&w))
                        .unwrap_or_default()
                } else {
                    image
                        .read_cstr_rva(rva, 512)
                        .map(|b| escape(&b))
                        .unwrap_or_default()
                };
                let references = references_to(&image, m, &functions, rva, notes);
                let a = m.base.saturating_add(u64::from(rva));
                out.push(StringLocation {
                    module: m.name.clone(),
                    section: s.name(),
                    rva,
                    address: a,
                    location: m.at(a),
                    text,
                    references,
                });
            }
        }
    }
    out
}
