//! The kernel's symbols found on the symbol path by the kernel's PDB identity, as WinDbg's
//! `.reload` finds `ntkrnlmp.pdb`: a Volatility 3 symbol pack (`windows/NAME.pdb/GUID-AGE.json.xz`)
//! in a folder of the path, and, for a triage dump that keeps no image headers, the identity
//! taken from the kernel's image file found on the path by time stamp and size.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::dumpscope;

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_volatility_symbol_pack_on_the_symbol_path_gives_the_pool_commands_their_globals() {
    let dir = std::env::temp_dir().join("dumpscope-kernel-symbol-path");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = examples::demo::kernel_scenarios::pool_verifier().unwrap();
    let dump = dir.join("pool.dmp");
    std::fs::write(&dump, &s.dump).unwrap();
    let d = dump.to_str().unwrap();

    // No symbols anywhere: the message names the kernel's PDB identity and the ways to give it.
    let out = dumpscope(&["verifier", d, "3"]);
    assert!(!out.status.success());
    let err = text(&out);
    assert!(
        err.contains("ntkrpamp.pdb 215A1F3C0B644C4E9A07518E2D33106B1"),
        "{err}"
    );
    assert!(err.contains("--symbol-path"), "{err}");

    // `leak` still names the driver: the tracker table found near `&PoolTrackTable` (KDBG) and
    // the tag in myfault.sys's code; the verifier's list is what needs the symbols.
    let out = dumpscope(&["leak", d]);
    let t = text(&out);
    assert!(
        t.contains("Conclusion: myfault.sys leaks pool: 10 allocations tagged Leak"),
        "{t}"
    );
    assert!(
        t.contains("without the kernel's symbols, PoolTrackTableSize (1025 entries)")
            && t.contains("found by a scan of the kernel's data near PoolTrackTable"),
        "{t}"
    );
    assert!(
        t.contains(
            "Step 4 -- Driver Verifier: not available: driver verification list is not known"
        ),
        "{t}"
    );

    // `!poolfind Leak` finds the ten big allocations through the big page table found the same way.
    let t = text(&dumpscope(&["pool", "find", d, "Leak"]));
    assert!(t.contains("10 allocations"), "{t}");
    assert!(t.contains("9d2fb000          Leak    0xfb000 Paged"), "{t}");
    assert!(t.contains("PoolBigPageTable (512 entries)"), "{t}");

    // A symbol path without them says so.
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = dumpscope(&["--symbol-path", empty.to_str().unwrap(), "vm", d]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not on the symbol path"),
        "{}",
        text(&out)
    );

    // The pack's layout, compressed: every command that reads globals works.
    let pack = dir.join("symbols");
    let folder = pack.join("windows").join("ntkrpamp.pdb");
    std::fs::create_dir_all(&folder).unwrap();
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut s.isf.as_bytes(), &mut xz).unwrap();
    let file = folder.join("215A1F3C0B644C4E9A07518E2D33106B-1.json.xz");
    std::fs::write(&file, &xz).unwrap();
    let sp = pack.to_str().unwrap();
    let out = dumpscope(&["--symbol-path", sp, "verifier", d, "3"]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("myfault.sys"), "{t}");
    assert!(t.contains("Pool tracking"), "{t}");
    let out = dumpscope(&["--symbol-path", sp, "leak", d]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("myfault.sys leaks pool"),
        "{}",
        text(&out)
    );
    // The same through _NT_SYMBOL_PATH and the WinDbg command form.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args([d, "-c", "!verifier 3"])
        .env("_NT_SYMBOL_PATH", sp)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));

    // `symbols` says where the kernel's symbols came from, in text and JSON.
    let out = dumpscope(&["--symbol-path", sp, "symbols", d]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains(&format!("Kernel symbols: {}", file.display())),
        "{t}"
    );
    assert!(
        t.contains("pdb   ntkrpamp.pdb 215A1F3C0B644C4E9A07518E2D33106B1"),
        "{t}"
    );
    let out = dumpscope(&["--symbol-path", sp, "symbols", "--json", d]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["kernel_symbols"]["file"].as_str(),
        Some(file.to_str().unwrap())
    );
    assert_eq!(v["modules"][0]["name"], "nt");

    // A file beside the dump still comes first; a damaged pack is an error naming the file.
    std::fs::write(&file, b"\xfd7zXZ\0 not really").unwrap();
    let out = dumpscope(&["--symbol-path", sp, "vm", d]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not a readable .xz file"),
        "{}",
        text(&out)
    );
    std::fs::write(examples::target::isf_path(&dump), &s.isf).unwrap();
    let out = dumpscope(&["--symbol-path", sp, "vm", d]);
    assert!(out.status.success(), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A triage dump keeps no image headers: the kernel's PDB identity comes from its image file,
/// found on the symbol path by the time stamp and size the driver list records.
#[test]
fn a_triage_dump_takes_the_kernel_identity_from_its_image_on_the_symbol_path() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let dir = std::env::temp_dir().join("dumpscope-kernel-image-path");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The dump's kernel: ntoskrnl.exe, time stamp 0x0D8333E6, size 0x1046000.
    let guid = [
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
        0x01,
    ];
    let build = |bss: u32| {
        let mut b = pe_sections::synth::PeBuilder::x64();
        b.image_base(0x1_4000_0000).timestamp(0x0D83_33E6);
        b.add_section(".text", 0x6000_0020, vec![0xc3; 0x200]);
        b.codeview(guid, 1, "ntkrnlmp.pdb");
        b.add_section_sized(".bss", 0xc000_0040, Vec::new(), bss);
        b.build()
    };
    let size_of = |bytes: &[u8]| {
        pe_sections::PeImage::parse_file(bytes)
            .unwrap()
            .size_of_image()
    };
    let first = build(0x1000);
    let bss = 0x1000 + (0x0104_6000 - size_of(&first));
    let image = build(bss);
    assert_eq!(size_of(&image), 0x0104_6000);
    let store = dir.join("store");
    std::fs::create_dir_all(&store).unwrap();
    std::fs::write(store.join("ntoskrnl.exe"), &image).unwrap();
    // Its PDB identity is 44332211-6655-8877-99AA-BBCCDDEEFF01, age 1: a pack under that name.
    let folder = store.join("ntkrnlmp.pdb");
    std::fs::create_dir_all(&folder).unwrap();
    let isf = br#"{"metadata":{"format":"6.2.0"},"base_types":{},"enums":{},"user_types":{},"symbols":{"KeBugCheckEx":{"address":4096}}}"#;
    std::fs::write(folder.join("443322116655887799AABBCCDDEEFF01-1.json"), isf).unwrap();
    let d = dump.to_str().unwrap();
    let sp = store.to_str().unwrap();
    let out = dumpscope(&["--symbol-path", sp, "symbols", d]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("Kernel symbols: ") && t.contains("443322116655887799AABBCCDDEEFF01-1.json"),
        "{t}"
    );
    assert!(t.contains("image ntoskrnl.exe 0D8333E61046000  "), "{t}");
    // Without the image on the path, the hint says the identity is unknown.
    let out = dumpscope(&[
        "--symbol-path",
        dir.join("none").to_str().unwrap(),
        "symbols",
        d,
    ]);
    assert!(
        text(&out).contains("the kernel's image (for its PDB identity) is neither in the dump nor on the symbol path"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The handle-leak server's dump, alone (no symbols beside it) in a fresh folder.
fn server_dump(
    name: &str,
) -> (
    std::path::PathBuf,
    examples::demo::kernel_scenarios::KernelScenario,
    std::path::PathBuf,
) {
    let dir = std::env::temp_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let s = examples::demo::kernel_scenarios::handle_leak(100).unwrap();
    let dump = dir.join("server.dmp");
    std::fs::write(&dump, &s.dump).unwrap();
    (dir, s, dump)
}

/// Without any symbols, `!vm` on a Windows Server 2003-era dump still answers from the globals
/// KDBG holds the addresses of (as WinDbg's `!vm` does): the pools, their maxima, commit and
/// the exhaustion warning; what only a symbol names (the paging files, the failure counter)
/// is left out.
#[test]
fn vm_without_symbols_reads_the_globals_kdbg_names() {
    let (dir, s, dump) = server_dump("dumpscope-vm-kdbg");
    let d = dump.to_str().unwrap();
    let out = dumpscope(&["vm", d]);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    for line in [
        "Physical Memory:     1048352 (   4193408 Kb)\n",
        "Modified Pages:          195 (       780 Kb)\n",
        "NonPagedPool Max:      65503 (    262012 Kb)\n********** Excessive NonPaged Pool Usage *****\n",
        "PagedPool 4 Usage:       625 (      2500 Kb)\n",
        "Commit limit:        2052560 (   8210240 Kb)\n",
    ] {
        assert!(t.contains(line), "{line:?} missing from\n{t}");
    }
    assert!(!t.contains("Page File:"), "{t}");
    assert!(!t.contains("pool allocations have failed"), "{t}");
    // With the symbols, every line of the story's `!vm`.
    std::fs::write(examples::target::isf_path(&dump), &s.isf).unwrap();
    let t = text(&dumpscope(&["vm", d]));
    assert!(
        t.contains(
            "Physical Memory:     1048352 (   4193408 Kb)\nPage File: \\??\\C:\\pagefile.sys\n   Current:   4190208 Kb  Free Space:   3749732 Kb\n   Minimum:   4190208 Kb  Maximum:      4190208 Kb\n"
        ),
        "{t}"
    );
    assert!(
        t.contains("Free NP PTEs:            105 (       420 Kb)\n"),
        "{t}"
    );
    assert!(
        t.contains("********** 184 pool allocations have failed **********"),
        "{t}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The whole handle-leak investigation without symbols: `!poolused` from the tracker tables
/// found by a scan near `&PoolTrackTable` (KDBG), with a note saying so, and `leak`'s
/// conclusion the same as with the symbols.
#[test]
fn poolused_and_leak_without_symbols_find_the_tracker_tables() {
    let (dir, s, dump) = server_dump("dumpscope-poolused-kdbg");
    let d = dump.to_str().unwrap();
    let bare = text(&dumpscope(&["pool", "used", d, "3"]));
    assert!(
        bare.contains("Thre   772672   463590   309082 192867168  Thread objects"),
        "{bare}"
    );
    assert!(
        bare.contains("Note: without the kernel's symbols, PoolTrackTableSize (2049 entries)")
            && bare.contains("the per-processor tables (ExPoolTagTables)")
            && bare.contains("found by a scan"),
        "{bare}"
    );
    let leak_bare = text(&dumpscope(&["leak", d]));
    std::fs::write(examples::target::isf_path(&dump), &s.isf).unwrap();
    let with = text(&dumpscope(&["pool", "used", d, "3"]));
    assert!(
        !with.contains("Note: without the kernel's symbols"),
        "{with}"
    );
    // The same rows either way.
    let rows = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with("Note:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(rows(&bare), rows(&with));
    let leak_with = text(&dumpscope(&["leak", d]));
    let conclusion = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("Conclusion:"))
            .map(str::to_string)
    };
    assert!(
        conclusion(&leak_bare)
            .unwrap()
            .contains("mydriver.sys is behind a handle leak"),
        "{leak_bare}"
    );
    assert_eq!(conclusion(&leak_bare), conclusion(&leak_with));
    let _ = std::fs::remove_dir_all(&dir);
}
