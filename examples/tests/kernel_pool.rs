//! The kernel pool and kernel object commands end to end on the synthetic scenario dumps
//! (`examples::demo::kernel_scenarios`): a pool leak under Driver Verifier and a handle leak
//! exhausting non-paged pool on an x86 server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;
use std::process::Command;

fn write(name: &str, s: &examples::demo::kernel_scenarios::KernelScenario) -> PathBuf {
    let dir = std::env::temp_dir().join("dumpscope-kpool");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("{name}.dmp"));
    std::fs::write(&p, &s.dump).unwrap();
    std::fs::write(examples::target::isf_path(&p), &s.isf).unwrap();
    p
}

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{args:?}: {out}\n{err}");
    out
}

#[test]
fn pool_leak_under_verifier() {
    let s = examples::demo::kernel_scenarios::pool_verifier().unwrap();
    let p = write("pool-verifier", &s);
    let p = p.to_str().unwrap();
    let v3 = run(&[p, "-c", "!verifier 3"]);
    println!("{v3}");
    assert!(v3.contains("myfault.sys"), "{v3}");
    assert!(v3.contains("myfault!PoolLeak+0x21"), "{v3}");
    let v80 = run(&[p, "-c", "!verifier 80 9d2fb000"]);
    println!("{v80}");
    assert!(v80.contains("9d2fb000"), "{v80}");
    let used = run(&[p, "-c", "!poolused 4"]);
    println!("{used}");
    assert!(used.contains("Leak"), "{used}");
}

#[test]
fn handle_leak_on_a_server() {
    let s = examples::demo::kernel_scenarios::handle_leak(50).unwrap();
    let p = write("handle-leak", &s);
    let p = p.to_str().unwrap();
    let ie = format!("{:x}", s.addresses["iexplore"]);
    let out = run(&[
        p,
        "-c",
        "!vm",
        "-c",
        "!poolused 3",
        "-c",
        "!process 0 0",
        "-c",
        &format!(".process {ie}"),
        "-c",
        "!handle 0 f",
    ]);
    println!("{out}");
    assert!(out.contains("Excessive NonPaged Pool Usage"), "{out}");
    assert!(out.contains("iexplore.exe"), "{out}");
}

#[test]
fn handle_leak_threads_and_summary() {
    let s = examples::demo::kernel_scenarios::handle_leak(143_425).unwrap();
    let p = write("handle-leak-143425", &s);
    let p = p.to_str().unwrap();
    let ie = format!("{:x}", s.addresses["iexplore"]);
    let t0 = std::time::Instant::now();
    let summary = run(&["handle", "--summary", "--process", &ie, p]);
    let took = t0.elapsed();
    println!("{summary}\n({took:?})");
    assert!(summary.contains("Thread: 143,425 of 143,428"), "{summary}");
    assert!(took.as_secs_f64() < 1.0, "handle --summary took {took:?}");
    // The fourth handle names a leaked thread: terminated, started by mydriver.
    let json = run(&["handle", "--json", "--process", &ie, p, "10"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let thread = v["handles"][0]["object"].as_u64().unwrap();
    assert_eq!(v["handles"][0]["type_name"], "Thread");
    let t = run(&[p, "-c", &format!("!thread {thread:x}")]);
    println!("{t}");
    assert!(t.contains("TERMINATED"), "{t}");
    assert!(t.contains("mydriver!StatusWaitThread"), "{t}");
    let o = run(&["object", p, &format!("{thread:x}")]);
    assert!(o.contains("Thread"), "{o}");
}

#[test]
fn layout_prints_the_tables_in_force() {
    let json = run(&[
        "layout", "--kernel", "--build", "3790", "--arch", "x86", "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let layout = pooltrack::ObjectLayout::for_build(3790, pooltrack::PointerWidth::Bits32).unwrap();
    assert_eq!(
        v["types"]["_KPROCESS"]["fields"]["DirectoryTableBase"],
        u64::from(layout.process.directory_table_base)
    );
    assert!(v["types"]["_POOL_HEADER"]["fields"].is_object(), "{json}");
}

#[test]
fn pool_tags_from_the_sdk_pooltag_txt() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/pooltag/pooltag-sdk-10.0.25967.txt");
    if !file.exists() {
        println!("SKIP: {} is absent", file.display());
        return;
    }
    let s = examples::demo::kernel_scenarios::handle_leak(10).unwrap();
    let p = write("handle-leak-tags", &s);
    let out = run(&[
        "pool",
        "tags",
        p.to_str().unwrap(),
        "Thre",
        "--pooltag",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out, "Thre Thread objects , Binary: nt!ps\n");
}

/// Without `--pooltag`, the `pooltag.txt` where the Debugging Tools keep it is read (here named
/// by `DUMPSCOPE_POOLTAG`, the first place looked at); tags it lacks keep the built-in text.
#[test]
fn pool_tags_from_the_usual_pooltag_txt_with_the_builtin_table_under_it() {
    let dir = std::env::temp_dir().join("dumpscope-kpool-usual");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("pooltag.txt");
    std::fs::write(
        &file,
        "rem a site's own table\nMmCm - nt!mm        - Calls made to MmAllocateContiguousMemory\n",
    )
    .unwrap();
    let s = examples::demo::kernel_scenarios::handle_leak(10).unwrap();
    let p = write("handle-leak-usual-tags", &s);
    let tags = |tag: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_dumpscope"))
            .args(["pool", "tags", p.to_str().unwrap(), tag])
            .env("DUMPSCOPE_POOLTAG", &file)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    assert_eq!(
        tags("MmCm"),
        "MmCm Calls made to MmAllocateContiguousMemory , Binary: nt!mm\n"
    );
    assert_eq!(tags("Thre"), "Thre Thread objects , Binary: nt!ps\n");
    // Without it, the built-in text.
    let out = run(&["pool", "tags", p.to_str().unwrap(), "MmCm"]);
    assert!(
        out.starts_with("MmCm Contiguous memory allocations"),
        "{out}"
    );
}

/// `pool owners TAG`: the drivers whose code uses a tag. A driver whose code is not in the dump
/// (a triage dump's) is read from its file in `--images`, and on x64 the use is placed in its
/// function by the file's `.pdata`.
#[test]
fn pool_owners_reads_drivers_missing_from_the_dump_from_their_files() {
    let d1 =
        examples::demo::BugcheckD1::build(dumpfile::synth::kernel::KernelArch::X64, false).unwrap();
    let dir = std::env::temp_dir().join("dumpscope-kpool-owners");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("drivers")).unwrap();
    let dump = dir.join("d1.dmp");
    std::fs::write(&dump, &d1.bytes).unwrap();
    // myfault.sys as built (the dump's time stamp): `mov r8d, 'kaeL'` at .text+0x20, in a
    // function .pdata places at .text+0x10 .. +0x40.
    let mut code = vec![0xcc_u8; 0x200];
    code[0x20..0x26].copy_from_slice(&[0x41, 0xb8, b'L', b'e', b'a', b'k']);
    let mut pe = pe_sections::synth::PeBuilder::x64();
    pe.image_base(d1.myfault_base).timestamp(0x5F3E_2C11);
    let text = pe.add_section(".text", 0x6000_0020, code);
    let unwind = pe.add_section(".rdata", 0x4000_0040, vec![1, 0, 0, 0, 0, 0, 0, 0]);
    pe.runtime_function(text + 0x10, text + 0x40, unwind);
    std::fs::write(dir.join("drivers").join("MyFault.SYS"), pe.build()).unwrap();
    let d = dump.to_str().unwrap();

    // Without the files: no use found, and the missing code is said.
    let out = run(&["pool", "owners", d, "Leak"]);
    assert!(out.contains("0 uses in"), "{out}");
    // With them.
    let images = dir.join("drivers");
    let out = run(&[
        "pool",
        "owners",
        d,
        "Leak",
        "--images",
        images.to_str().unwrap(),
    ]);
    let want = format!(
        "  myfault.sys: mov r8d, imm32 at myfault+{:#x} (in the function at myfault+{:#x}) [read from its file]\n",
        text + 0x20,
        text + 0x10
    );
    assert!(out.contains(&want), "{out}");
    assert!(out.contains("1 driver"), "{out}");
    let json = run(&[
        "pool",
        "owners",
        "--json",
        d,
        "Leak",
        "--images",
        images.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["owners"]["references"][0]["source"], "file");
    assert_eq!(v["owners"]["drivers_from_files"], 1);
    // A file of another build (time stamp) is not used.
    pe.timestamp(0x1234_5678);
    std::fs::write(dir.join("drivers").join("MyFault.SYS"), pe.build()).unwrap();
    let out = run(&[
        "pool",
        "owners",
        d,
        "Leak",
        "--images",
        images.to_str().unwrap(),
    ]);
    assert!(out.contains("0 uses in"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A triage dump holds no pool: the pool, `!vm` and verifier commands say so instead of asking
/// for symbols that would not help; tag owners still scan the drivers' code it has.
#[test]
fn triage_dumps_say_they_hold_no_pool() {
    let Some(t) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let t = t.to_str().unwrap();
    for args in [
        vec!["pool", "used", t],
        vec!["pool", "big", t],
        vec!["vm", t],
        vec!["verifier", t],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_dumpscope"))
            .args(&args)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("which a triage dump does not hold (take a kernel or full memory dump)"),
            "{args:?}: {err}"
        );
    }
    let out = run(&["pool", "owners", t, "Leak"]);
    assert!(out.contains("0 uses in 1 driver's code"), "{out}");
}
