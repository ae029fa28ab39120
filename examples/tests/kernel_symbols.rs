//! `--kernel-symbols FILE`: the kernel's symbols from a file the user names (an ISF JSON or a
//! kernel PDB) instead of `DUMP.isf.json`, refused when the PDB is not the dump's kernel's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::dumpscope;

#[test]
fn kernel_symbols_from_a_named_file() {
    let dir = std::env::temp_dir().join("dumpscope-kernel-symbols");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = examples::demo::kernel_scenarios::pool_verifier().unwrap();
    let dump = dir.join("pool.dmp");
    std::fs::write(&dump, &s.dump).unwrap();
    let elsewhere = dir.join("kernel-symbols.json");
    std::fs::write(&elsewhere, &s.isf).unwrap();
    let d = dump.to_str().unwrap();

    // Without the symbols the verifier's data is not known.
    let out = dumpscope(&["verifier", d, "3"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("is not known from this dump"), "{err}");

    // Named on the command line (before or after the subcommand), they are read.
    for args in [
        vec![
            "--kernel-symbols",
            elsewhere.to_str().unwrap(),
            "verifier",
            d,
            "3",
        ],
        vec![
            "verifier",
            d,
            "3",
            "--kernel-symbols",
            elsewhere.to_str().unwrap(),
        ],
    ] {
        let out = dumpscope(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("myfault.sys"), "{text}");
    }
    // The same for the WinDbg commands.
    let out = dumpscope(&[
        d,
        "--kernel-symbols",
        elsewhere.to_str().unwrap(),
        "-c",
        "!verifier 3",
    ]);
    assert!(out.status.success());

    // A PDB that is not the dump's kernel's is refused, naming both.
    if let Some(pdb) = common::corpus_file("pdb/win10-19041-x64-ntdll-96EF4ED5.pdb") {
        let out = dumpscope(&["--kernel-symbols", pdb.to_str().unwrap(), "vm", d]);
        assert!(!out.status.success());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("is not the one the dump's kernel names (ntkrpamp.pdb 215A1F3C0B644C4E9A07518E2D33106B1)"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
