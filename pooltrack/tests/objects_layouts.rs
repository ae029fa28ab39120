//! The built-in kernel-object layout tables against the PDB-derived truth of
//! `../shared/corpus/kernel-layouts/` (skipped with a visible SKIP when absent): every field
//! each table defines must equal the truth, and a layout derived from the truth's types must
//! equal the built-in one.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod layout_corpus;

use pooltrack::{
    FieldLayout, KernelSymbols, MismatchKind, ObjectLayout, PointerWidth, object_layouts,
};

/// The corpus truths, with one repair: `layout_corpus::parse_vergilius` drops a member whose
/// declaration is wrapped over two lines (`struct _SE_AUDIT_PROCESS_CREATION_INFO` /
/// `SeAuditProcessCreationInfo; // offset: 0x1f4`), so such members are added back here from
/// the header text.
fn repaired_truths() -> Vec<layout_corpus::Truth> {
    let mut truths = layout_corpus::truths();
    let Some(dir) = layout_corpus::layouts_dir() else {
        return truths;
    };
    for t in &mut truths {
        if !t.file.ends_with("-vergilius.h") {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(&t.file)).unwrap();
        let mut current: Option<String> = None;
        let mut prev = "";
        for line in text.lines() {
            if let Some(name) = line
                .strip_prefix("struct ")
                .and_then(|r| r.strip_suffix(" {"))
            {
                current = Some(name.to_string());
            } else if line == "};" {
                current = None;
            }
            let l = line.trim();
            let wrapped = prev.trim_start().starts_with("struct ") && !prev.contains("//");
            if let (Some(ty), true) = (&current, wrapped)
                && let Some((decl, off)) = l.split_once("// offset: 0x")
                && let Some(name) = decl.trim().strip_suffix(';')
                && !name.contains(' ')
                && let Ok(off) = u32::from_str_radix(off.split_whitespace().next().unwrap(), 16)
                && let Some(tl) = t.layouts.types.get_mut(ty)
            {
                tl.fields
                    .entry(name.to_string())
                    .or_insert(FieldLayout::at(off));
            }
            prev = line;
        }
    }
    truths
}

#[test]
fn builtin_object_tables_match_pdb_truth() {
    let mut n = 0usize;
    let mut errors = Vec::new();
    for t in repaired_truths() {
        let Some(ours) = object_layouts(t.build) else {
            errors.push(format!("{}: no built-in object layout", t.file));
            continue;
        };
        for m in ours.check(&t.layouts) {
            if m.kind != MismatchKind::MissingType {
                errors.push(format!("{}: {m}", t.file));
            }
        }
        for (name, ty) in &ours.types {
            if t.layouts.get(name).is_some() {
                n += ty.fields.len() + 1;
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    if layout_corpus::layouts_dir().is_some() {
        // About 70 fields per layout; the ISF files need feature `isf`.
        let min = if cfg!(feature = "isf") {
            6 * 65
        } else {
            3 * 65
        };
        assert!(n >= min, "only {n} fields compared");
    }
}

#[test]
fn layouts_derived_from_the_truth_equal_the_builtin_ones() {
    let truths = repaired_truths();
    let mut compared = 0;
    for t in &truths {
        let Some(builtin) = ObjectLayout::for_kernel_build(t.build) else {
            panic!("no built-in object layout for {} ({:?})", t.file, t.build);
        };
        let derived = ObjectLayout::from_layouts(&t.layouts, t.build)
            .unwrap_or_else(|| panic!("{}: a field is missing", t.file));
        let mut expect = builtin;
        expect.source = derived.source;
        assert_eq!(derived, expect, "{}", t.file);
        compared += 1;
    }
    if layout_corpus::layouts_dir().is_some() {
        assert!(compared >= 3);
    }
}

#[test]
fn build_families_share_tables() {
    let a = ObjectLayout::for_build(19041, PointerWidth::Bits64).unwrap();
    let b = ObjectLayout::for_build(19045, PointerWidth::Bits64).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.process.unique_process_id, 0x440);
    assert!(ObjectLayout::for_build(2600, PointerWidth::Bits64).is_none());
    assert!(ObjectLayout::for_build(12345, PointerWidth::Bits64).is_none());
    for l in ObjectLayout::builtin() {
        assert_eq!(
            ObjectLayout::for_kernel_build(l.kernel_build()).as_ref(),
            Some(l)
        );
    }
}

#[test]
fn kernel_symbols_from_isf_symbol_tables() {
    let base = 0xfffff804_7ba00000u64;
    let mut seen = 0;
    for t in layout_corpus::truths() {
        if t.layouts.symbols.is_empty() {
            continue;
        }
        let s = KernelSymbols::from_symbols(base, &t.layouts);
        let rva = |n: &str| t.layouts.symbol(n).map(|r| base + r);
        assert_eq!(
            s.ps_active_process_head,
            rva("PsActiveProcessHead"),
            "{}",
            t.file
        );
        assert!(s.ps_active_process_head.is_some() && s.psp_cid_table.is_some());
        assert!(
            s.ob_type_index_table.is_some(),
            "{}: Windows 7+ has ObTypeIndexTable",
            t.file
        );
        // ObHeaderCookie exists from Windows 10 only.
        assert_eq!(
            s.ob_header_cookie.is_some(),
            t.build.build >= 10240,
            "{}",
            t.file
        );
        seen += 1;
    }
    if cfg!(feature = "isf") && layout_corpus::layouts_dir().is_some() {
        assert_eq!(seen, 3);
    }
}
