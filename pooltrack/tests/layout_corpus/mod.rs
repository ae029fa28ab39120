//! Test helper: the PDB-derived kernel layouts of `../shared/corpus/kernel-layouts/` as
//! [`KernelLayouts`], to check the crate's built-in tables against.
//!
//! - `*.isf.json.xz`: Volatility 3 ISF (decompressed with the `lzma-rs` dev-dependency, read with
//!   [`KernelLayouts::from_isf_json`], feature `isf`);
//! - `*-vergilius.h`: C headers with `// offset: 0x..` comments, parsed here.
//!
//! Use from a test file: `mod layout_corpus;` then
//! `layout_corpus::check_all(|build| my_tables(build))`, which panics listing every field that
//! differs and returns how many fields were compared. Skips (returns 0, prints `SKIP`) when the
//! corpus is absent.
#![allow(
    dead_code,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use pooltrack::{Arch, FieldLayout, KernelBuild, KernelLayouts, MismatchKind, TypeLayout};

/// One truth file: its name, the build it describes and its layouts.
pub struct Truth {
    /// File name.
    pub file: String,
    /// Build from the file name (`win7-7601-x64-…`).
    pub build: KernelBuild,
    /// The layouts.
    pub layouts: KernelLayouts,
}

/// `../shared/corpus/kernel-layouts`, or `None` (with a visible SKIP) when absent.
pub fn layouts_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/kernel-layouts");
    if dir.is_dir() {
        Some(dir)
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIP: corpus folder {} not found",
            dir.display()
        );
        None
    }
}

fn build_from_name(name: &str) -> Option<KernelBuild> {
    let mut parts = name.split('-');
    let _release = parts.next()?;
    let build: u32 = parts.next()?.parse().ok()?;
    let arch = match parts.next()? {
        "x86" => Arch::X86,
        "x64" => Arch::X64,
        _ => return None,
    };
    Some(KernelBuild::new(arch, build))
}

/// Every truth file of the corpus (ISF only when the `isf` feature is on).
pub fn truths() -> Vec<Truth> {
    let Some(dir) = layouts_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let file = p.file_name().unwrap().to_string_lossy().into_owned();
        let Some(build) = build_from_name(&file) else {
            continue;
        };
        if file.ends_with(".isf.json.xz") {
            #[cfg(feature = "isf")]
            {
                let xz = std::fs::read(&p).unwrap();
                let mut json = Vec::new();
                lzma_rs::xz_decompress(&mut &xz[..], &mut json).unwrap();
                let layouts = KernelLayouts::from_isf_json(&json).unwrap();
                out.push(Truth {
                    file,
                    build,
                    layouts,
                });
            }
            #[cfg(not(feature = "isf"))]
            {
                let _ = writeln!(std::io::stderr(), "SKIP: {file} needs feature isf");
            }
        } else if file.ends_with("-vergilius.h") {
            let text = std::fs::read_to_string(&p).unwrap();
            let layouts = parse_vergilius(&text, build.arch);
            out.push(Truth {
                file,
                build,
                layouts,
            });
        }
    }
    out
}

/// Compare the built-in tables for each truth's build (`builtin(build)`; `None`: no table for
/// that build) with the truth. Types absent from a truth are not compared there (the truth files
/// hold only some types); every field a built-in type defines must match where the type exists.
/// Panics listing all differences; returns the number of fields compared.
pub fn check_all(builtin: impl Fn(KernelBuild) -> Option<KernelLayouts>) -> usize {
    let mut compared = 0usize;
    let mut errors = Vec::new();
    for t in truths() {
        let Some(ours) = builtin(t.build) else {
            continue;
        };
        for m in ours.check(&t.layouts) {
            if m.kind != MismatchKind::MissingType {
                errors.push(format!("{} ({}): {m}", t.file, t.build));
            }
        }
        for (name, ty) in &ours.types {
            if t.layouts.get(name).is_some() {
                compared += ty.fields.len() + 1;
            }
        }
    }
    assert!(
        errors.is_empty(),
        "built-in tables differ from the PDB-derived truth:\n{}",
        errors.join("\n")
    );
    compared
}

/// Parse Vergilius-style C headers: `// 0xNN (D) bytes` then `struct NAME {`, members with
/// `// offset: 0xN (N)` comments (absolute within the outermost structure). Members of anonymous
/// nested structs/unions are fields of the outer type (as in a PDB); a named nested block
/// (`} Flags; // offset: 0x2`) is one field. Sizes of scalar and pointer members are recorded.
pub fn parse_vergilius(text: &str, arch: Arch) -> KernelLayouts {
    let ptr = arch.pointer_size() as u32;
    let mut out = KernelLayouts::new();
    out.arch = Some(arch);
    let mut pending_size: Option<u32> = None;
    let mut current: Option<TypeLayout> = None;
    // One frame per open brace: fields collected inside it.
    let mut stack: Vec<Vec<(String, FieldLayout)>> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if current.is_none() {
            if let Some(rest) = l.strip_prefix("// 0x") {
                if l.ends_with("bytes") {
                    pending_size =
                        u32::from_str_radix(rest.split_whitespace().next().unwrap(), 16).ok();
                }
                continue;
            }
            let head = l
                .strip_prefix("struct ")
                .or_else(|| l.strip_prefix("union "));
            if let (Some(h), true) = (head, l.ends_with('{')) {
                let name = h.trim_end_matches('{').trim();
                current = Some(TypeLayout::new(name, pending_size.take().unwrap_or(0)));
                stack = vec![Vec::new()];
            }
            continue;
        }
        let offset = l
            .split("// offset: 0x")
            .nth(1)
            .and_then(|r| u32::from_str_radix(r.split_whitespace().next()?, 16).ok());
        let code = l.split("//").next().unwrap().trim();
        if code.ends_with('{') {
            stack.push(Vec::new());
            continue;
        }
        if code.starts_with('}') {
            let inner = stack.pop().unwrap_or_default();
            if stack.is_empty() {
                let mut t = current.take().unwrap();
                for (n, f) in inner {
                    t.fields.entry(n).or_insert(f);
                }
                out.insert(t);
                continue;
            }
            let name = code
                .trim_start_matches('}')
                .trim()
                .trim_end_matches(';')
                .trim();
            let parent = stack.last_mut().unwrap();
            if name.is_empty() {
                parent.extend(inner);
            } else if let Some(o) = offset {
                parent.push((name.to_string(), FieldLayout::at(o)));
            }
            continue;
        }
        let (Some(o), true) = (offset, code.ends_with(';')) else {
            continue;
        };
        let decl = code.trim_end_matches(';');
        let (decl, bits) = match decl.split_once(" : ") {
            Some((d, b)) => (d.trim(), b.trim().parse::<u8>().ok()),
            None => (decl.trim(), None),
        };
        let (decl, count) = match decl.split_once('[') {
            Some((d, c)) => (d.trim(), c.trim_end_matches(']').parse::<u32>().ok()),
            None => (decl, Some(1)),
        };
        let Some((ty, name)) = decl.rsplit_once([' ', '*']) else {
            continue;
        };
        let name = name.trim().to_string();
        let ty = ty.trim();
        let mut f = FieldLayout::at(o);
        let base = ty
            .trim_start_matches("volatile ")
            .trim_start_matches("const ")
            .trim();
        let elem = if decl.contains('*') {
            Some(ptr)
        } else {
            scalar_size(base)
        };
        f.size = elem.zip(count).map(|(e, c)| e * c);
        if let Some(b) = bits {
            f.bits = Some((0, b));
        }
        if let Some(s) = base
            .strip_prefix("struct ")
            .or_else(|| base.strip_prefix("union "))
            && !decl.contains('*')
        {
            f.type_name = Some(s.trim().to_string());
        }
        stack.last_mut().unwrap().push((name, f));
    }
    // Sizes of embedded structures, now that all are known.
    let sizes: BTreeMap<String, u32> = out.types.iter().map(|(k, v)| (k.clone(), v.size)).collect();
    for t in out.types.values_mut() {
        for f in t.fields.values_mut() {
            if f.size.is_none()
                && let Some(n) = &f.type_name
            {
                f.size = sizes.get(n).copied();
            }
        }
    }
    out
}

fn scalar_size(t: &str) -> Option<u32> {
    Some(match t {
        "UCHAR" | "CHAR" | "BOOLEAN" => 1,
        "USHORT" | "SHORT" | "WCHAR" => 2,
        "ULONG" | "LONG" | "INT" | "UINT" => 4,
        "ULONGLONG" | "LONGLONG" => 8,
        _ => return None,
    })
}
