//! `dumpscope stacks` on the real corpus dumps.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output};

fn corpus_file(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus")
        .join(rel);
    if p.is_file() {
        Some(p)
    } else {
        let _ = writeln!(std::io::stderr(), "SKIP: {} not found", p.display());
        None
    }
}

fn dumpscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dumpscope"))
        .args(args)
        .output()
        .expect("run dumpscope")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = dumpscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn wow64_full_dump_native_and_32bit_stacks() {
    let Some(p) = corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let v = json(&["stacks", "--json", p.to_str().unwrap()]);
    let threads = v["threads"].as_array().unwrap();
    assert_eq!(threads.len(), 1);
    let t = &threads[0];
    assert_eq!(t["id"], 0xfd8);
    let frames = t["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 4);
    assert_eq!(frames[0]["trust"], "context");
    for f in &frames[1..] {
        assert_eq!(f["trust"], "unwind");
        assert_eq!(f["module"], "ntdll");
        assert!(f["instruction"].is_u64() && f["stack_pointer"].is_u64() && f["offset"].is_u64());
    }
    assert_eq!(frames[3]["symbol"], "LdrInitializeThunk");
    assert_eq!(frames[3]["offset"], 0xe);
    assert_eq!(t["stop"], "end of stack");
    // The 32-bit side sits at the initial thread context in the 32-bit ntdll, which only the
    // headers in memory reveal (the module list has 64-bit modules only).
    let w = &t["wow64"]["frames"][0];
    assert_eq!(w["module"], "ntdll32");
    assert_eq!(w["symbol"], "RtlUserThreadStart");
    assert_eq!(w["stack_pointer"], 0x28fff0);

    let text = dumpscope(&["stacks", p.to_str().unwrap()]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(" # Child-SP          RetAddr               Call Site"),
        "{text}"
    );
    assert!(
        text.contains("03 00000000`0008f7d0 00000000`00000000     ntdll!LdrInitializeThunk+0xe"),
        "{text}"
    );
}

#[test]
fn sigsegv_exception_stack_with_pdb_from_a_symbol_store() {
    let Some(dmp) = corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let Some(pdb) = corpus_file("user/win10-16299-x64-sigsegv.pdb") else {
        return;
    };
    // A symbol-store tree: sigsegv.pdb/<GUID><AGE>/sigsegv.pdb (the key comes from the dump).
    let store = std::env::temp_dir().join("dumpscope-stacks");
    let info = json(&["info", "--json", dmp.to_str().unwrap()]);
    let module = info["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"].as_str().unwrap().ends_with("sigsegv.exe"))
        .unwrap()
        .clone();
    let key = module["pdb_id"].as_str().unwrap().to_string();
    let dir = store.join("sigsegv.pdb").join(&key);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&pdb, dir.join("sigsegv.pdb")).unwrap();
    let v = json(&[
        "stacks",
        "--json",
        dmp.to_str().unwrap(),
        "--symbols",
        store.to_str().unwrap(),
    ]);
    let _ = std::fs::remove_dir_all(&store);
    let t = &v["threads"][0];
    let e = &t["exception"]["frames"];
    assert_eq!(e[0]["instruction"], 0x7ff7_a131_10d9u64);
    assert_eq!(e[0]["module"], "sigsegv");
    assert_eq!(e[0]["symbol"], "crash");
    assert_eq!(e[1]["symbol"], "foo");
    assert_eq!(e[2]["symbol"], "main");
    let src = v["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "sigsegv")
        .unwrap();
    assert!(
        src["symbols"].as_str().unwrap().starts_with("pdb:"),
        "{src}"
    );
    // Without the PDB, the module has no symbols: module+offset, as WinDbg prints it.
    let v = json(&["stacks", "--json", dmp.to_str().unwrap()]);
    let f0 = &v["threads"][0]["exception"]["frames"][0];
    assert_eq!(f0["call_site"], "sigsegv+0x10d9");
}

#[test]
fn thread_filter_and_errors() {
    let Some(p) = corpus_file("user/win7-x86-chrome-uaf.dmp") else {
        return;
    };
    let all = json(&["stacks", "--json", p.to_str().unwrap()]);
    let threads = all["threads"].as_array().unwrap();
    assert!(threads.len() > 10);
    let id = threads[3]["id"].as_u64().unwrap();
    let one = json(&[
        "stacks",
        "--json",
        p.to_str().unwrap(),
        "--thread",
        &format!("{id:x}"),
    ]);
    assert_eq!(one["threads"].as_array().unwrap().len(), 1);
    assert_eq!(one["threads"][0]["index"], 3);
    assert_eq!(one["threads"][0], threads[3]);
    // Every walk ends, with strictly increasing stack pointers and a valid trust.
    for t in threads {
        let frames = t["frames"].as_array().unwrap();
        assert!(!frames.is_empty());
        for w in frames.windows(2) {
            assert!(w[1]["stack_pointer"].as_u64() > w[0]["stack_pointer"].as_u64());
        }
        for f in frames {
            let trust = f["trust"].as_str().unwrap();
            assert!(["context", "unwind", "frame_pointer", "scan"].contains(&trust));
        }
    }
    let out = dumpscope(&["stacks", p.to_str().unwrap(), "--thread", "0xdeadbeef"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no thread with id 0xdeadbeef"));
    let out = dumpscope(&["stacks", "/nonexistent.dmp"]);
    assert!(!out.status.success());
}

/// A synthetic dump whose module is a real PE from the corpus, not captured in the dump: the
/// unwind data must come from `--images`, and the CLI must give the same frames as the library
/// walking the file directly.
#[test]
fn unwind_data_from_an_images_directory() {
    use dumpfile::synth::{SynthContext, SynthDump, SynthModule, SynthThread, X64Registers};
    use stackwalk::{
        Context, ContextX64, ImageLayout, ImageUnwind, Module, Modules, SliceMemory, Walker,
    };
    let Some(exe) = corpus_file("pe/x64-msvc-CrashWithException.exe") else {
        return;
    };
    let bytes = std::fs::read(&exe).unwrap();
    let layout = ImageLayout::parse(&bytes).unwrap();
    let img = ImageUnwind::from_file(bytes.clone()).unwrap();
    let base = 0x1_4000_0000u64;
    // A call site inside the image: every stack slot holds it, so each frame returns there.
    let call = (0x1000..bytes.len() - 5)
        .find(|&o| bytes[o] == 0xe8)
        .unwrap();
    let ret = base + u64::from(layout.sections[0].virtual_address) + (call as u64 + 5)
        - u64::from(layout.sections[0].pointer_to_raw_data);
    let f = img.entry(3).unwrap().unwrap();
    let rip = base + u64::from(f.begin) + 0x10;
    let sp = 0x10_0000u64;
    let stack: Vec<u8> = (0..0x200).flat_map(|_| ret.to_le_bytes()).collect();

    // The library on the file.
    let modules = Modules::new(vec![
        Module::new(
            "x64-msvc-CrashWithException",
            base,
            u64::from(layout.size_of_image),
        )
        .with_unwind(img),
    ]);
    let expected = Walker::new(SliceMemory::new(sp, &stack), &modules)
        .walk(Context::X64(ContextX64::new(rip, sp)));
    assert!(expected.frames.len() > 3);

    // The CLI on a dump that holds only the stack.
    let mut gpr = [0u64; 16];
    gpr[4] = sp;
    let regs = X64Registers {
        rip,
        gpr,
        ..Default::default()
    };
    let mut module = SynthModule::new(
        base,
        layout.size_of_image,
        r"C:\app\x64-msvc-CrashWithException.exe",
    );
    module.time_date_stamp = layout.time_date_stamp;
    let dump = SynthDump::new(dumpfile::synth::SynthArch::X64)
        .module(module)
        .thread(SynthThread {
            id: 0x42,
            stack_base: sp,
            stack_size: stack.len() as u64,
            context: Some(SynthContext::X64(regs)),
            ..SynthThread::default()
        })
        .memory(sp, stack.clone())
        .write()
        .unwrap();
    let path = std::env::temp_dir().join("dumpscope-stacks-images.dmp");
    std::fs::write(&path, dump).unwrap();
    let images = exe.parent().unwrap().to_str().unwrap().to_string();
    let with = json(&[
        "stacks",
        "--json",
        path.to_str().unwrap(),
        "--images",
        &images,
    ]);
    let without = json(&["stacks", "--json", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);

    let frames = with["threads"][0]["frames"].as_array().unwrap();
    assert_eq!(frames.len(), expected.frames.len());
    for (got, want) in frames.iter().zip(&expected.frames) {
        assert_eq!(got["instruction"].as_u64(), Some(want.instruction));
        assert_eq!(got["stack_pointer"].as_u64(), Some(want.stack_pointer));
        assert_eq!(got["trust"], want.trust.as_str());
    }
    assert_eq!(frames[1]["trust"], "unwind");
    assert!(
        with["modules"][0]["unwind"]
            .as_str()
            .unwrap()
            .ends_with("x64-msvc-CrashWithException.exe")
    );
    // Without the image there is no unwind data: the frames come from scanning.
    let frames = without["threads"][0]["frames"].as_array().unwrap();
    assert_eq!(without["modules"][0]["unwind"], "none");
    assert!(
        frames[1..].iter().all(|f| f["trust"] == "scan"),
        "{frames:?}"
    );
}
