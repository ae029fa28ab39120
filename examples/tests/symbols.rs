//! The symbol path on the command line: `stacks` unwinds through an image that only a symbol
//! server has (fetched into the cache, its `.pdata` used: frames from unwind info, not scans),
//! and `symbols` reports where each image and PDB was found or why not.
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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

/// Runs dumpscope with `_NT_SYMBOL_PATH` set as given (or removed) and a private cache home.
fn dumpscope(args: &[&str], nt_symbol_path: Option<&str>, home: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dumpscope"));
    c.args(args)
        .env_remove("_NT_ALT_SYMBOL_PATH")
        .env("XDG_CACHE_HOME", home);
    match nt_symbol_path {
        Some(p) => c.env("_NT_SYMBOL_PATH", p),
        None => c.env_remove("_NT_SYMBOL_PATH"),
    };
    c.output().expect("run dumpscope")
}

fn json(args: &[&str], nt: Option<&str>, home: &Path) -> serde_json::Value {
    let out = dumpscope(args, nt, home);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("dumpscope-symbols-{tag}"));
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

/// A minimal HTTP/1.1 file server over a directory on 127.0.0.1, counting requests; stops
/// when dropped (and after 120 s regardless).
struct Server {
    port: u16,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, h, s) = (root.to_path_buf(), hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !s.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &root, &h),
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Server {
            port,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn total(&self) -> u32 {
        self.hits.lock().unwrap().values().sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

fn serve(mut stream: TcpStream, root: &Path, hits: &Mutex<HashMap<String, u32>>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_string();
    *hits.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
    let file = root.join(&path);
    let (code, body) = match std::fs::read(&file) {
        Ok(b) if file.is_file() && !path.contains("..") => (200, b),
        _ => (404, Vec::new()),
    };
    let head = format!(
        "HTTP/1.1 {code} {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if code == 200 { "OK" } else { "Not Found" },
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// The synthetic dump of `stacks.rs`'s `--images` test: one module, a real PE of the corpus
/// that the dump does not hold (only the stack is captured), with the PDB's CodeView record.
fn synthetic_dump(exe: &[u8], pdb_guid: [u8; 16], pdb_age: u32) -> Vec<u8> {
    use dumpfile::synth::{
        SynthCodeView, SynthContext, SynthDump, SynthModule, SynthThread, X64Registers,
    };
    use stackwalk::{ImageLayout, ImageUnwind};
    let layout = ImageLayout::parse(exe).unwrap();
    let img = ImageUnwind::from_file(exe.to_vec()).unwrap();
    let base = 0x1_4000_0000u64;
    let call = (0x1000..exe.len() - 5).find(|&o| exe[o] == 0xe8).unwrap();
    let ret = base + u64::from(layout.sections[0].virtual_address) + (call as u64 + 5)
        - u64::from(layout.sections[0].pointer_to_raw_data);
    let f = img.entry(3).unwrap().unwrap();
    let rip = base + u64::from(f.begin) + 0x10;
    let sp = 0x10_0000u64;
    let stack: Vec<u8> = (0..0x200).flat_map(|_| ret.to_le_bytes()).collect();
    let mut gpr = [0u64; 16];
    gpr[4] = sp;
    let mut module = SynthModule::new(
        base,
        layout.size_of_image,
        r"C:\app\x64-msvc-CrashWithException.exe",
    );
    module.time_date_stamp = layout.time_date_stamp;
    module.codeview = Some(SynthCodeView::Pdb70 {
        guid: pdb_guid,
        age: pdb_age,
        pdb_name: r"C:\build\x64-msvc-CrashWithException.pdb".into(),
    });
    SynthDump::new(dumpfile::synth::SynthArch::X64)
        .module(module)
        .thread(SynthThread {
            id: 0x42,
            stack_base: sp,
            stack_size: stack.len() as u64,
            context: Some(SynthContext::X64(X64Registers {
                rip,
                gpr,
                ..Default::default()
            })),
            ..SynthThread::default()
        })
        .memory(sp, stack)
        .write()
        .unwrap()
}

#[test]
fn stacks_unwind_through_an_image_from_a_symbol_server() {
    use stackwalk::symsrv::Wanted;
    use stackwalk::{ImageLayout, PdbIdentity};
    let (Some(exe_path), Some(pdb_path)) = (
        corpus_file("pe/x64-msvc-CrashWithException.exe"),
        corpus_file("pe/x64-msvc-CrashWithException.pdb"),
    ) else {
        return;
    };
    let exe = std::fs::read(&exe_path).unwrap();
    let layout = ImageLayout::parse(&exe).unwrap();
    let pdb_id = PdbIdentity::from_pdb_file(&pdb_path).unwrap();
    let work = TempDir::new("work");
    let root = work.0.join("server");
    let cache = work.0.join("cache");
    let home = work.0.join("home");

    // The server's store: the image under name/TIMESTAMPSIZE/name, the PDB under
    // name/GUIDAGE/name.
    let image = Wanted::image(
        "x64-msvc-CrashWithException.exe",
        layout.time_date_stamp,
        layout.size_of_image,
    )
    .unwrap();
    let pdb = Wanted::pdb("x64-msvc-CrashWithException.pdb", pdb_id).unwrap();
    for (w, src) in [(&image, &exe_path), (&pdb, &pdb_path)] {
        let dest = root.join(w.store_path(false));
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(src, dest).unwrap();
    }
    let dump_path = work.0.join("app.dmp");
    std::fs::write(&dump_path, synthetic_dump(&exe, pdb_id.guid, pdb_id.age)).unwrap();
    let dump = dump_path.to_str().unwrap();

    let server = Server::start(&root);
    let path = format!("srv*{}*{}", cache.display(), server.url());

    // --symbol-path: the image comes from the server, and its .pdata drives the unwind.
    let with = json(
        &["stacks", "--json", dump, "--symbol-path", &path],
        None,
        &home,
    );
    let frames = with["threads"][0]["frames"].as_array().unwrap();
    let trust: Vec<&str> = frames
        .iter()
        .map(|f| f["trust"].as_str().unwrap())
        .collect();
    // The synthetic stack repeats one return address: unwind info gives the first frames
    // (until the frames it computes run past the captured stack), then scanning takes over.
    assert_eq!(
        trust[..4],
        ["context", "unwind", "unwind", "unwind"],
        "{trust:?}"
    );
    // Exactly the frames (and symbols) the image and PDB give when handed over directly.
    let images = exe_path.parent().unwrap().to_str().unwrap();
    let direct = json(
        &[
            "stacks",
            "--json",
            dump,
            "--images",
            images,
            "--symbols",
            images,
        ],
        None,
        &home,
    );
    assert_eq!(with["threads"][0]["frames"], direct["threads"][0]["frames"]);
    let unwind = with["modules"][0]["unwind"].as_str().unwrap();
    assert!(Path::new(unwind).starts_with(&cache), "{unwind}");
    let symbols = with["modules"][0]["symbols"].as_str().unwrap();
    assert!(
        symbols.starts_with(&format!("pdb:{}", cache.display())),
        "{symbols}"
    );
    assert!(frames[0]["symbol"].is_string(), "{:?}", frames[0]);
    let asked = server.total();
    assert!(asked >= 2, "image and PDB downloaded");

    // Without a symbol path the same dump only scans.
    let without = json(&["stacks", "--json", dump], None, &home);
    let frames = without["threads"][0]["frames"].as_array().unwrap();
    assert!(frames[1..].iter().all(|f| f["trust"] == "scan"));
    assert_eq!(without["modules"][0]["unwind"], "none");

    // _NT_SYMBOL_PATH, with the server stopped: everything from the cache.
    drop(server);
    let env = json(&["stacks", "--json", dump], Some(&path), &home);
    assert_eq!(env["threads"][0]["frames"], with["threads"][0]["frames"]);

    // WinDbg's `~*k` through -c walks with the symbol path too: what `stacks` prints.
    let text = |args: &[&str], nt: Option<&str>| {
        let out = dumpscope(args, nt, &home);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let stacks_text = text(&["stacks", dump], Some(&path));
    let k_with = text(&[dump, "-c", "~*k"], Some(&path));
    let k_without = text(&[dump, "-c", "~*k"], None);
    assert!(
        k_with.contains(stacks_text.trim_end()),
        "{k_with}\n---\n{stacks_text}"
    );
    assert_ne!(k_with, k_without);

    // `symbols`: found in the cache (offline); a PDB nobody has is reported as such.
    let report = json(
        &["symbols", "--json", "--offline", dump],
        Some(&path),
        &home,
    );
    let m = &report["modules"][0];
    assert_eq!(m["image"]["status"], "found", "{m}");
    assert_eq!(m["image"]["key"], image.key());
    assert!(Path::new(m["image"]["path"].as_str().unwrap()).starts_with(&cache));
    assert_eq!(m["pdb"]["status"], "found", "{m}");
    assert_eq!(m["pdb"]["key"], pdb.key());

    // The symbol options are global: before the subcommand too.
    let before = json(
        &[
            "--offline",
            "--symbol-path",
            &path,
            "symbols",
            "--json",
            dump,
        ],
        None,
        &home,
    );
    assert_eq!(before["modules"][0]["image"]["status"], "found");

    // An empty cache offline: the server is not asked, and the report says so.
    let other = format!("srv*{}*http://127.0.0.1:9", work.0.join("empty").display());
    let report = json(
        &["symbols", "--json", dump, "--offline"],
        Some(&other),
        &home,
    );
    assert_eq!(report["modules"][0]["image"]["status"], "offline");
    let text = dumpscope(&["symbols", dump, "--offline"], Some(&other), &home);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("offline"), "{text}");
    assert!(text.contains(&image.key()), "{text}");

    // No symbol path at all: said plainly.
    let text = dumpscope(&["symbols", dump], None, &home);
    assert!(text.status.success());
    assert!(String::from_utf8_lossy(&text.stdout).contains("_NT_SYMBOL_PATH"));
}
