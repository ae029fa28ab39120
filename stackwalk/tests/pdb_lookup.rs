//! PDB identity read from the MSF header and lookup by identity (`find_pdb`), on the corpus
//! PDBs copied under other names.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};

use common::corpus;
use stackwalk::*;

const PDBS: [&str; 8] = [
    "pe/x64-msvc-CrashWithException.pdb",
    "pe/x64-msvc-dump_syms_regtest64.pdb",
    "pe/x86-clang-basic32-min.pdb",
    "pe/x86-msvc-crash.pdb",
    "user/win10-16299-x64-sigsegv.pdb",
    "pdb/win10-19041-x64-ntdll-96EF4ED5.pdb",
    "pdb/win10-x64-ntdll-CCC0E361.pdb",
    "pdb/win10-x86-wntdll-1C96EAD8.pdb",
];

/// A fresh, empty directory under the system temp directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("stackwalk-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn all_pdbs() -> Option<Vec<(&'static str, PathBuf)>> {
    PDBS.iter().map(|f| corpus(f).map(|p| (*f, p))).collect()
}

/// The cheap header read agrees with a full parse by the `pdb` crate for every corpus PDB,
/// and with the keys the corpus README records (GUID + DBI age, not the information age).
#[test]
fn header_identity_agrees_with_a_full_parse() {
    let Some(pdbs) = all_pdbs() else { return };
    for (name, path) in &pdbs {
        let cheap = PdbIdentity::from_pdb_file(path).unwrap();
        #[cfg(feature = "pdb")]
        {
            let full = PdbData::read(std::fs::File::open(path).unwrap()).unwrap();
            assert_eq!(cheap, full.identity, "{name}");
        }
        if let Some(prefix) = name.strip_prefix("pdb/") {
            let tag = prefix.rsplit('-').next().unwrap().trim_end_matches(".pdb");
            assert!(
                cheap.store_key().starts_with(tag),
                "{name}: {}",
                cheap.store_key()
            );
        }
    }
    let ntdll = PdbIdentity::from_pdb_file(&pdbs[5].1).unwrap();
    assert_eq!(ntdll.store_key(), "96EF4ED537402DAAA51D4A4212EA4B2C1");
    let wntdll = PdbIdentity::from_pdb_file(&pdbs[7].1).unwrap();
    assert_eq!(wntdll.store_key(), "1C96EAD80971326D3967ED72C983E1641");
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
    // The corpus is read-only; the copies must be removable.
    let mut perm = std::fs::metadata(to).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(to, perm).unwrap();
}

#[test]
fn finds_renamed_pdbs_by_guid_and_dbi_age() {
    let Some(pdbs) = all_pdbs() else { return };
    let dir = TempDir::new("find-pdb");
    // Every PDB under a name that says nothing, plus a file that is not a PDB.
    let mut expected = Vec::new();
    for (i, (_, p)) in pdbs.iter().enumerate() {
        let renamed = dir.0.join(format!(
            "renamed-{i}.{}",
            if i % 2 == 0 { "pdb" } else { "PDB" }
        ));
        copy(p, &renamed);
        expected.push((PdbIdentity::from_pdb_file(p).unwrap(), renamed));
    }
    std::fs::write(dir.0.join("garbage.pdb"), b"not a pdb at all").unwrap();
    // A decoy under the recorded name: the wrong PDB must not be taken.
    copy(&pdbs[0].1, &dir.0.join("sigsegv.pdb"));
    for (id, path) in &expected {
        let found = find_pdb(&dir.0, r"C:\build\sigsegv.pdb", id).unwrap();
        if *id == expected[0].0 {
            // The decoy is the same PDB as renamed-0: the flat name wins.
            assert_eq!(found, Some(dir.0.join("sigsegv.pdb")));
        } else {
            assert_eq!(found.as_deref(), Some(path.as_path()), "{}", id.store_key());
        }
    }
    // Same GUID, another age: nothing.
    let mut older = expected[4].0;
    older.age += 1;
    assert_eq!(find_pdb(&dir.0, "sigsegv.pdb", &older).unwrap(), None);
}

#[test]
fn finds_the_flat_name_and_the_symbol_store_layout() {
    let Some(pdbs) = all_pdbs() else { return };
    let (_, sigsegv) = &pdbs[4];
    let id = PdbIdentity::from_pdb_file(sigsegv).unwrap();
    let flat = TempDir::new("find-pdb-flat");
    copy(sigsegv, &flat.0.join("sigsegv.pdb"));
    assert_eq!(
        find_pdb(&flat.0, "D:/src/sigsegv.pdb", &id).unwrap(),
        Some(flat.0.join("sigsegv.pdb"))
    );
    let store = TempDir::new("find-pdb-store");
    let at = store
        .0
        .join("sigsegv.pdb")
        .join(id.store_key())
        .join("sigsegv.pdb");
    copy(sigsegv, &at);
    // Another build of the same name in the store is not it.
    let other = PdbIdentity::from_pdb_file(&pdbs[0].1).unwrap();
    assert_eq!(find_pdb(&store.0, "sigsegv.pdb", &id).unwrap(), Some(at));
    assert_eq!(find_pdb(&store.0, "sigsegv.pdb", &other).unwrap(), None);
    // The directory scan is not recursive.
    assert_eq!(find_pdb(&store.0, "elsewhere.pdb", &id).unwrap(), None);
    // A directory that does not exist is an I/O error.
    assert!(matches!(
        find_pdb(&store.0.join("missing"), "x.pdb", &id),
        Err(Error::Io { .. })
    ));
}

/// Truncated and mutated headers give errors or some identity, never a panic.
#[test]
fn hostile_headers_never_panic() {
    let Some(p) = corpus("user/win10-16299-x64-sigsegv.pdb") else {
        return;
    };
    let bytes = std::fs::read(p).unwrap();
    let good = PdbIdentity::from_pdb(std::io::Cursor::new(&bytes)).unwrap();
    for len in [0, 31, 32, 55, 56, 0x1000, 0x1fff] {
        let r = PdbIdentity::from_pdb(std::io::Cursor::new(&bytes[..len]));
        assert!(matches!(r, Err(Error::BadPdb { .. })), "{len}: {r:?}");
    }
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut errors = 0;
    for _ in 0..2000 {
        let mut m = bytes.clone();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Half in the superblock, half anywhere.
            let at = if seed & 1 == 0 {
                (seed as usize >> 8) % 56
            } else {
                (seed as usize >> 8) % m.len()
            };
            m[at] = (seed >> 40) as u8;
        }
        if PdbIdentity::from_pdb(std::io::Cursor::new(&m)).is_err() {
            errors += 1;
        }
    }
    assert!(errors > 0, "no mutation was refused");
    // The GUID is read from where it is stored (MSF files keep stale copies of old blocks
    // too): change every copy and the identity changes.
    let mut m = bytes.clone();
    let copies: Vec<usize> = bytes
        .windows(16)
        .enumerate()
        .filter(|(_, w)| *w == good.guid)
        .map(|(i, _)| i)
        .collect();
    assert!(!copies.is_empty());
    for at in copies {
        m[at] ^= 0xff;
    }
    let changed = PdbIdentity::from_pdb(std::io::Cursor::new(&m)).unwrap();
    assert_ne!(changed.guid, good.guid);
    assert_eq!(changed.age, good.age);
}
