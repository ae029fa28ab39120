//! The offsets `Minidump::process` and `Minidump::wow64_context` use, checked against the
//! type information of Microsoft's ntdll PDBs in `../shared/corpus/pdb/` (x64 ntdll for the
//! 64-bit layout, the WOW64 `wntdll.pdb` for the 32-bit one). Skipped when the corpus is absent.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use dumpfile::ProcessLayout;
use pdb::FallibleIterator;

fn pdb_path(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/pdb")
        .join(name);
    if p.is_file() {
        Some(p)
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

/// Field offsets of the named structures (non-forward definitions), `struct -> field -> offset`.
fn struct_fields(path: &Path, wanted: &[&str]) -> HashMap<String, HashMap<String, u64>> {
    let file = std::fs::File::open(path).unwrap();
    let mut pdb = pdb::PDB::open(file).unwrap();
    let info = pdb.type_information().unwrap();
    let mut finder = info.finder();
    let mut iter = info.iter();
    let mut classes = Vec::new();
    while let Some(t) = iter.next().unwrap() {
        finder.update(&iter);
        if let Ok(pdb::TypeData::Class(c)) = t.parse() {
            let name = c.name.to_string().into_owned();
            if wanted.contains(&name.as_str())
                && !c.properties.forward_reference()
                && let Some(fields) = c.fields
            {
                classes.push((name, fields));
            }
        }
    }
    let mut out = HashMap::new();
    for (name, mut fields) in classes {
        let mut map = HashMap::new();
        while let pdb::TypeData::FieldList(list) = finder.find(fields).unwrap().parse().unwrap() {
            for f in list.fields {
                if let pdb::TypeData::Member(m) = f {
                    map.insert(m.name.to_string().into_owned(), m.offset);
                }
            }
            match list.continuation {
                Some(c) => fields = c,
                None => break,
            }
        }
        out.insert(name, map);
    }
    out
}

fn check(layout: &ProcessLayout, pdb: &Path) {
    let s = struct_fields(
        pdb,
        &[
            "_TEB",
            "_NT_TIB",
            "_PEB",
            "_PEB_LDR_DATA",
            "_LDR_DATA_TABLE_ENTRY",
            "_UNICODE_STRING",
            "_RTL_USER_PROCESS_PARAMETERS",
        ],
    );
    let f = |st: &str, field: &str| -> u64 {
        *s.get(st)
            .unwrap_or_else(|| panic!("{st} not in {}", pdb.display()))
            .get(field)
            .unwrap_or_else(|| panic!("{st}.{field} not in {}", pdb.display()))
    };
    // NtTib is the first member of _TEB.
    assert_eq!(f("_TEB", "NtTib"), 0);
    assert_eq!(layout.teb_peb, f("_TEB", "ProcessEnvironmentBlock"));
    assert_eq!(layout.teb_stack_base, f("_NT_TIB", "StackBase"));
    assert_eq!(layout.teb_stack_limit, f("_NT_TIB", "StackLimit"));
    assert_eq!(layout.teb_self, f("_NT_TIB", "Self"));
    assert_eq!(layout.peb_image_base, f("_PEB", "ImageBaseAddress"));
    assert_eq!(layout.peb_ldr, f("_PEB", "Ldr"));
    assert_eq!(layout.peb_params, f("_PEB", "ProcessParameters"));
    assert_eq!(layout.peb_process_heap, f("_PEB", "ProcessHeap"));
    assert_eq!(layout.peb_number_of_heaps, f("_PEB", "NumberOfHeaps"));
    assert_eq!(layout.peb_process_heaps, f("_PEB", "ProcessHeaps"));
    assert_eq!(
        layout.ldr_in_load_order,
        f("_PEB_LDR_DATA", "InLoadOrderModuleList")
    );
    assert_eq!(f("_LDR_DATA_TABLE_ENTRY", "InLoadOrderLinks"), 0);
    assert_eq!(layout.entry_dll_base, f("_LDR_DATA_TABLE_ENTRY", "DllBase"));
    assert_eq!(
        layout.entry_size_of_image,
        f("_LDR_DATA_TABLE_ENTRY", "SizeOfImage")
    );
    assert_eq!(
        layout.entry_full_name,
        f("_LDR_DATA_TABLE_ENTRY", "FullDllName")
    );
    assert_eq!(
        layout.entry_base_name,
        f("_LDR_DATA_TABLE_ENTRY", "BaseDllName")
    );
    assert_eq!(layout.ustr_buffer, f("_UNICODE_STRING", "Buffer"));
    assert_eq!(
        layout.params_image_path,
        f("_RTL_USER_PROCESS_PARAMETERS", "ImagePathName")
    );
    assert_eq!(
        layout.params_command_line,
        f("_RTL_USER_PROCESS_PARAMETERS", "CommandLine")
    );
    if layout.ptr == 8 {
        // The WOW64 CPU-area pointer: TlsSlots[1] at 0x1480 + 8.
        assert_eq!(f("_TEB", "TlsSlots"), 0x1480);
        assert_eq!(f("_TEB", "WowTebOffset"), 0x180c);
    } else {
        assert_eq!(f("_TEB", "TlsSlots"), 0xe10);
    }
}

#[test]
fn x64_layout_matches_the_win10_ntdll_pdbs() {
    for name in [
        "win10-19041-x64-ntdll-96EF4ED5.pdb",
        "win10-x64-ntdll-CCC0E361.pdb",
    ] {
        if let Some(p) = pdb_path(name) {
            check(&ProcessLayout::X64, &p);
        }
    }
}

#[test]
fn x86_layout_matches_the_wow64_wntdll_pdb() {
    if let Some(p) = pdb_path("win10-x86-wntdll-1C96EAD8.pdb") {
        check(&ProcessLayout::X86, &p);
    }
}
