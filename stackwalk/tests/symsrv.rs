//! Symbol paths, stores and servers: WinDbg's path syntax, store layouts (flat, two-tier,
//! `file.ptr`, CAB-compressed entries), and downloads from a symbol server served over
//! loopback by a minimal HTTP server written here (bounded: it stops when the test ends).
#![cfg(all(feature = "symsrv", feature = "cab", feature = "http"))]
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::corpus;
use proptest::prelude::*;
use stackwalk::symsrv::*;
use stackwalk::{ImageLayout, PdbIdentity};

// ---------------------------------------------------------------------------------------
// Helpers: temp dirs, a tiny PE, CABs, the loopback server.

/// A fresh, empty directory under the system temp directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p =
            std::env::temp_dir().join(format!("stackwalk-symsrv-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The smallest PE32+ image `ImageLayout::parse` accepts: DOS header, NT headers, no
/// sections; `pad` bytes of filler make it bigger.
fn tiny_pe(time_date_stamp: u32, size_of_image: u32, pad: usize) -> Vec<u8> {
    let mut b = vec![0u8; 0x58 + 240];
    b[0..2].copy_from_slice(b"MZ");
    b[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    b[0x40..0x44].copy_from_slice(b"PE\0\0");
    b[0x44..0x46].copy_from_slice(&0x8664u16.to_le_bytes());
    b[0x48..0x4c].copy_from_slice(&time_date_stamp.to_le_bytes());
    b[0x54..0x56].copy_from_slice(&240u16.to_le_bytes());
    b[0x58..0x5a].copy_from_slice(&0x20bu16.to_le_bytes());
    b[0x58 + 56..0x58 + 60].copy_from_slice(&size_of_image.to_le_bytes());
    b[0x58 + 108..0x58 + 112].copy_from_slice(&16u32.to_le_bytes());
    b.extend((0..pad).map(|i| (i * 7 + 3) as u8));
    b
}

/// A one-file cabinet holding `data` as `name`.
fn make_cab(name: &str, data: &[u8], ctype: cab::CompressionType) -> Vec<u8> {
    let mut builder = cab::CabinetBuilder::new();
    builder.add_folder(ctype).add_file(name);
    let mut writer = builder.build(Cursor::new(Vec::new())).unwrap();
    while let Some(mut file) = writer.next_file().unwrap() {
        file.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A minimal HTTP/1.1 file server over a directory, on 127.0.0.1, counting requests by
/// path. It answers `GET` with 200 and the file, 404 when there is none, and 503 for the
/// first `flaky` requests of a path. It stops when dropped (and after 120 s regardless).
struct Server {
    port: u16,
    hits: Arc<Mutex<HashMap<String, u32>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(root: &Path, flaky: HashMap<String, u32>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (root, h, s) = (root.to_path_buf(), hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut flaky = flaky;
            while !s.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => serve(stream, &root, &h, &mut flaky),
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
        format!("http://127.0.0.1:{}/", self.port)
    }

    fn hits(&self, path: &str) -> u32 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    fn total(&self) -> u32 {
        self.hits.lock().unwrap().values().sum()
    }

    fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.halt();
    }
}

fn serve(
    mut stream: TcpStream,
    root: &Path,
    hits: &Mutex<HashMap<String, u32>>,
    flaky: &mut HashMap<String, u32>,
) {
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
    let file = root.join(percent_decode(&path));
    let response = match flaky.get_mut(&path) {
        Some(n) if *n > 0 => {
            *n -= 1;
            (503, Vec::new())
        }
        _ if path.split('/').any(|c| c == "..") => (404, Vec::new()),
        _ => match std::fs::read(&file) {
            Ok(body) if file.is_file() => (200, body),
            _ => (404, Vec::new()),
        },
    };
    let reason = match response.0 {
        200 => "OK",
        404 => "Not Found",
        _ => "Service Unavailable",
    };
    let head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.0,
        response.1.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&response.1);
    let _ = stream.flush();
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn options(cache: &Path) -> SymbolOptions {
    SymbolOptions::default()
        .with_default_cache(cache.join("default"))
        .with_timeouts(
            Duration::from_secs(5),
            Duration::from_secs(5),
            Duration::from_secs(30),
        )
        .with_retries(1)
}

/// The corpus PDBs and PEs the store tests serve.
const CORPUS_PDBS: [&str; 5] = [
    "pe/x64-msvc-CrashWithException.pdb",
    "pe/x64-msvc-dump_syms_regtest64.pdb",
    "pe/x86-clang-basic32-min.pdb",
    "pe/x86-msvc-crash.pdb",
    "user/win10-16299-x64-sigsegv.pdb",
];
const CORPUS_PES: [&str; 7] = [
    "pe/arm64-test.exe",
    "pe/x64-basic64-unwindv2.dll",
    "pe/x64-msvc-CrashWithException.exe",
    "pe/x64-msvc-dump_syms_regtest64.exe",
    "pe/x64-rust-mozwer.dll",
    "pe/x86-clang-basic32-min.dll",
    "pe/x86-msvc-crash.exe",
];

/// One corpus file and what it is wanted as.
struct Entry {
    source: PathBuf,
    wanted: Wanted,
}

fn corpus_entries() -> Option<Vec<Entry>> {
    let mut out = Vec::new();
    for rel in CORPUS_PDBS {
        let source = corpus(rel)?;
        let id = PdbIdentity::from_pdb_file(&source).unwrap();
        let name = source.file_name().unwrap().to_str().unwrap().to_string();
        out.push(Entry {
            wanted: Wanted::pdb(&name, id).unwrap(),
            source,
        });
    }
    for rel in CORPUS_PES {
        let source = corpus(rel)?;
        let bytes = std::fs::read(&source).unwrap();
        let layout = ImageLayout::parse(&bytes).unwrap();
        let name = source.file_name().unwrap().to_str().unwrap().to_string();
        out.push(Entry {
            wanted: Wanted::image(&name, layout.time_date_stamp, layout.size_of_image).unwrap(),
            source,
        });
    }
    Some(out)
}

fn find(locator: &SymbolLocator, w: &Wanted) -> Result<Option<PathBuf>, stackwalk::Error> {
    match w {
        Wanted::Pdb { name, identity } => locator.find_pdb(name, identity.guid, identity.age),
        Wanted::Image {
            name,
            time_date_stamp,
            size_of_image,
        } => locator.find_image(name, *time_date_stamp, *size_of_image),
    }
}

// ---------------------------------------------------------------------------------------
// Symbol path syntax.

#[test]
fn symbol_path_syntax() {
    let p = SymbolPath::parse(
        " SRV*C:\\cache*https://msdl.microsoft.com/download/symbols/ ;; D:\\mine ; \
         cache*E:\\c ;srv*https://sym.example/ ; symsrv*symsrv.dll*F:\\s*http://h/x;srv**http://h/y;cache*;srv*;srv*G:\\store",
    );
    let e = p.elements();
    assert_eq!(e.len(), 9, "{e:#?}");
    assert_eq!(
        e[0],
        PathElement::Server(vec![
            Store::Local("C:\\cache".into()),
            Store::Http("https://msdl.microsoft.com/download/symbols".into()),
        ])
    );
    assert_eq!(e[1], PathElement::Folder("D:\\mine".into()));
    assert_eq!(e[2], PathElement::Cache(Some("E:\\c".into())));
    assert_eq!(
        e[3],
        PathElement::Server(vec![
            Store::DefaultCache,
            Store::Http("https://sym.example".into())
        ])
    );
    assert_eq!(
        e[4],
        PathElement::Server(vec![
            Store::Local("F:\\s".into()),
            Store::Http("http://h/x".into())
        ])
    );
    assert_eq!(
        e[5],
        PathElement::Server(vec![Store::DefaultCache, Store::Http("http://h/y".into())])
    );
    assert_eq!(e[6], PathElement::Cache(None));
    assert_eq!(
        e[7],
        PathElement::Server(vec![
            Store::DefaultCache,
            Store::Http(MICROSOFT_SYMBOL_SERVER.into())
        ])
    );
    assert_eq!(
        e[8],
        PathElement::Server(vec![Store::Local("G:\\store".into())])
    );
    assert!(p.has_remote());
    // Display round-trips.
    assert_eq!(SymbolPath::parse(&p.to_string()), p);
    assert!(SymbolPath::parse(" ; ;").is_empty());
    assert!(!SymbolPath::parse("/a;/b").has_remote());
}

#[test]
fn store_keys_and_layout() {
    let id = PdbIdentity {
        guid: [
            0x80, 0x5e, 0x9e, 0x6b, 0xe2, 0x38, 0x0e, 0x42, 0x8e, 0x7c, 0x62, 0xea, 0x60, 0xdd,
            0xb0, 0x69,
        ],
        age: 0x2a,
    };
    let w = Wanted::pdb("C:\\build\\out\\ntdll.pdb", id).unwrap();
    assert_eq!(w.name(), "ntdll.pdb");
    assert_eq!(w.key(), "6B9E5E8038E2420E8E7C62EA60DDB0692A");
    assert_eq!(
        w.store_path(false),
        "ntdll.pdb/6B9E5E8038E2420E8E7C62EA60DDB0692A/ntdll.pdb"
    );
    assert_eq!(
        w.store_path(true),
        "nt/ntdll.pdb/6B9E5E8038E2420E8E7C62EA60DDB0692A/ntdll.pdb"
    );
    assert_eq!(w.compressed_name(), "ntdll.pd_");
    let i = Wanted::image("ntdll.dll", 0x0001_2345, 0x1e_f000).unwrap();
    assert_eq!(i.key(), "000123451ef000");
    assert_eq!(i.compressed_name(), "ntdll.dl_");
    assert_eq!(image_key(0xDEADBEEF, 0x1000), "DEADBEEF1000");
    // Names from dumps never become more than one path component.
    for bad in ["", "..", "a/..", "x:y", "a\u{0}b", "dir/", "C:\\dir\\"] {
        assert_eq!(store_file_name(bad), None, "{bad:?}");
    }
    assert_eq!(store_file_name("/usr/../ntdll.dll"), Some("ntdll.dll"));
    assert_eq!(
        Pointer::parse(b"PATH:\\\\srv\\share\\a.pdb\r\n"),
        Some(Pointer::Path("\\\\srv\\share\\a.pdb".into()))
    );
    assert_eq!(
        Pointer::parse(b"MSG: withheld"),
        Some(Pointer::Message("withheld".into()))
    );
    assert_eq!(Pointer::parse(b"garbage"), None);
}

// ---------------------------------------------------------------------------------------
// CABs.

#[test]
fn cab_expands_mszip_and_uncompressed() {
    let data: Vec<u8> = (0..200_000u32)
        .map(|i| (i % 251) as u8 ^ (i >> 9) as u8)
        .collect();
    for ctype in [cab::CompressionType::MsZip, cab::CompressionType::None] {
        let bytes = make_cab("app.pdb", &data, ctype);
        let mut out = Vec::new();
        let n = expand_cab(Cursor::new(&bytes), "APP.PDB", &mut out, 1 << 20).unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(out, data, "{ctype:?}");
        // The size cap holds.
        let err = expand_cab(Cursor::new(&bytes), "app.pdb", &mut Vec::new(), 1000).unwrap_err();
        assert!(err.contains("limit"), "{err}");
    }
}

/// A file entry that claims to start past its folder's data: the `cab` crate's reader
/// would index out of bounds on this one; the structure check refuses it first.
#[test]
fn cab_file_past_its_folder_is_an_error() {
    let bytes = make_cab("a.bin", b"hello world", cab::CompressionType::None);
    let files_at = u32::from_le_bytes(bytes[16..20].try_into().unwrap()) as usize;
    for (offset, size) in [(1_000_000u32, 1u32), (5, 100), (u32::MAX, 2)] {
        let mut evil = bytes.clone();
        evil[files_at..files_at + 4].copy_from_slice(&size.to_le_bytes());
        evil[files_at + 4..files_at + 8].copy_from_slice(&offset.to_le_bytes());
        let err = expand_cab(Cursor::new(&evil), "a.bin", &mut Vec::new(), 1 << 20).unwrap_err();
        assert!(err.contains("beyond"), "{err}");
    }
}

#[test]
fn truncated_cabs_are_errors() {
    let data: Vec<u8> = (0..70_000u32).map(|i| (i * 31 % 253) as u8).collect();
    for ctype in [cab::CompressionType::MsZip, cab::CompressionType::None] {
        let bytes = make_cab("t.bin", &data, ctype);
        for cut in (0..bytes.len()).step_by(7).chain([bytes.len() - 1]) {
            let r = expand_cab(
                Cursor::new(&bytes[..cut]),
                "t.bin",
                &mut Vec::new(),
                1 << 20,
            );
            assert!(r.is_err(), "{ctype:?} cut at {cut} of {}", bytes.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Mutated cabinets (random bytes overwritten, MSZIP or stored) never panic; when one
    /// still expands, it yields at most the cap.
    #[test]
    fn mutated_cabs_never_panic(
        seed in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        stored in any::<bool>(),
    ) {
        let data: Vec<u8> = (0..40_000u32).map(|i| (i * 13 % 241) as u8).collect();
        let ctype = if stored { cab::CompressionType::None } else { cab::CompressionType::MsZip };
        let mut bytes = make_cab("m.bin", &data, ctype);
        for (at, v) in &seed {
            let i = at.index(bytes.len());
            bytes[i] = *v;
        }
        let mut out = Vec::new();
        if let Ok(n) = expand_cab(Cursor::new(&bytes), "m.bin", &mut out, 100_000) {
            prop_assert_eq!(n, out.len() as u64);
            prop_assert!(n <= 100_000);
        }
    }

    /// Any text parses, and what a path prints parses back to the same path.
    #[test]
    fn symbol_path_round_trips(text in "[a-zA-Z:/\\\\*; .]{0,60}|(srv|SRV|cache|symsrv|http://|https://|[*;]| |x){0,12}") {
        let path = SymbolPath::parse(&text);
        prop_assert_eq!(SymbolPath::parse(&path.to_string()), path);
    }

    /// Mutations aimed at the header, folder and file tables (the first 80 bytes).
    #[test]
    fn mutated_cab_headers_never_panic(
        seed in prop::collection::vec((0usize..80, any::<u8>()), 1..6),
    ) {
        let bytes0 = make_cab("h.bin", b"header mutation test data", cab::CompressionType::None);
        let mut bytes = bytes0.clone();
        for (at, v) in &seed {
            if let Some(b) = bytes.get_mut(*at) {
                *b = *v;
            }
        }
        let _ = expand_cab(Cursor::new(&bytes), "h.bin", &mut Vec::new(), 1 << 16);
    }
}

// ---------------------------------------------------------------------------------------
// Local stores (no corpus needed: images made here).

#[test]
fn local_stores_two_tier_compressed_and_file_ptr() {
    let store = TempDir::new("local");
    let elsewhere = TempDir::new("elsewhere");
    let cache = TempDir::new("local-cache");
    std::fs::write(store.path().join("index2.txt"), b"").unwrap();

    let plain = tiny_pe(0x1111_1111, 0x5000, 100);
    let packed = tiny_pe(0x2222_2222, 0x6000, 5000);
    let pointed = tiny_pe(0x3333_3333, 0x7000, 10);
    let w_plain = Wanted::image("plain.dll", 0x1111_1111, 0x5000).unwrap();
    let w_packed = Wanted::image("packed.dll", 0x2222_2222, 0x6000).unwrap();
    let w_pointed = Wanted::image("pointed.dll", 0x3333_3333, 0x7000).unwrap();
    let w_msg = Wanted::image("secret.dll", 0x4444_4444, 0x8000).unwrap();
    let w_absent = Wanted::image("absent.dll", 1, 0x1000).unwrap();

    write(&store.path().join(w_plain.store_path(true)), &plain);
    write(
        &store
            .path()
            .join(w_packed.store_path_of("packed.dl_", true)),
        &make_cab("packed.dll", &packed, cab::CompressionType::MsZip),
    );
    let target = elsewhere.path().join("pointed.dll");
    write(&target, &pointed);
    write(
        &store.path().join(w_pointed.store_path_of("file.ptr", true)),
        format!("PATH:{}", target.display()).as_bytes(),
    );
    write(
        &store.path().join(w_msg.store_path_of("file.ptr", true)),
        b"MSG: withheld by policy",
    );
    assert!(
        store.path().join("pl/plain.dll").is_dir(),
        "two-tier layout"
    );

    let path = SymbolPath::parse(&format!(
        "srv*{}*{}",
        cache.path().display(),
        store.path().display()
    ));
    let locator = SymbolLocator::new(path, options(cache.path()));

    let l = locator.lookup(&w_plain);
    let (p, origin) = l.found.clone().unwrap();
    assert_eq!(origin, Origin::Copied, "{l:#?}");
    assert!(p.starts_with(cache.path()));
    assert_eq!(std::fs::read(&p).unwrap(), plain);

    let l = locator.lookup(&w_packed);
    let (p, origin) = l.found.clone().unwrap();
    assert_eq!(origin, Origin::Expanded, "{l:#?}");
    assert!(
        p.starts_with(cache.path()),
        "expanded into the downstream store"
    );
    assert_eq!(std::fs::read(&p).unwrap(), packed);

    let l = locator.lookup(&w_pointed);
    let (p, _) = l.found.clone().unwrap();
    assert!(p.starts_with(cache.path()), "{l:#?}");
    assert_eq!(std::fs::read(&p).unwrap(), pointed);

    let strict = SymbolLocator::new(
        SymbolPath::parse(&format!("srv*{}", store.path().display())),
        options(cache.path()).with_follow_pointers(false),
    );
    let l = strict.lookup(&w_pointed);
    assert!(
        matches!(l.status(), Status::Failed(m) if m.contains("not followed")),
        "{l:#?}"
    );

    let l = locator.lookup(&w_msg);
    assert_eq!(l.status(), Status::Message("withheld by policy".into()));

    let l = locator.lookup(&w_absent);
    assert_eq!(l.status(), Status::NotFound);
    assert!(l.attempts.iter().all(|a| a.answer == Answer::NotInStore));

    // A same-named file of another build is refused, not returned.
    let w_other = Wanted::image("plain.dll", 0x1111_1111, 0x9000).unwrap();
    write(&store.path().join(w_other.store_path(true)), &plain);
    let l = locator.lookup(&w_other);
    assert!(
        matches!(l.status(), Status::Failed(m) if m.contains("not the")),
        "{l:#?}"
    );
    assert!(
        locator
            .find_image("plain.dll", 0x1111_1111, 0x9000)
            .is_err()
    );

    // The two-tier store named as a plain folder is searched as a store (index2.txt).
    let as_folder = SymbolLocator::new(
        SymbolPath::parse(&store.path().display().to_string()),
        options(cache.path()),
    );
    let l = as_folder.lookup(&w_packed);
    assert!(l.found.is_some(), "{l:#?}");
    let l = as_folder.lookup(&w_plain);
    assert_eq!(l.found.as_ref().map(|f| f.1), Some(Origin::Local), "{l:#?}");

    // The cache now answers by itself, with the store gone.
    drop(store);
    let again = SymbolLocator::new(
        SymbolPath::parse(&format!("srv*{}", cache.path().display())),
        options(cache.path()),
    );
    for w in [&w_plain, &w_packed, &w_pointed] {
        let l = again.lookup(w);
        assert_eq!(l.found.as_ref().map(|f| f.1), Some(Origin::Local), "{l:#?}");
    }

    // A plain folder: the file by name, checked by identity.
    let folder = TempDir::new("folder");
    write(&folder.path().join("plain.dll"), &plain);
    let flat = SymbolLocator::new(
        SymbolPath::parse(&folder.path().display().to_string()),
        options(cache.path()),
    );
    assert_eq!(
        flat.find_image("C:\\Windows\\plain.dll", 0x1111_1111, 0x5000)
            .unwrap(),
        Some(folder.path().join("plain.dll"))
    );
    assert_eq!(
        flat.find_image("plain.dll", 0x1111_1111, 0x5001).unwrap(),
        None
    );
    assert_eq!(
        flat.find_image("../plain.dll/..", 0x1111_1111, 0x5000)
            .unwrap(),
        None
    );
}

// ---------------------------------------------------------------------------------------
// HTTP symbol server over loopback (no corpus needed: images made here).

#[test]
fn server_download_negative_cache_retries_and_limits() {
    let root = TempDir::new("srv-root");
    let cache = TempDir::new("srv-cache");
    let img = tiny_pe(0x5555_5555, 0x3000, 300_000);
    let w = Wanted::image("big.dll", 0x5555_5555, 0x3000).unwrap();
    write(&root.path().join(w.store_path(false)), &img);
    let flaky_img = tiny_pe(0x6666_6666, 0x3000, 10);
    let wf = Wanted::image("flaky.dll", 0x6666_6666, 0x3000).unwrap();
    write(&root.path().join(wf.store_path(false)), &flaky_img);
    let mut flaky = HashMap::new();
    flaky.insert(wf.store_path(false), 1);
    let server = Server::start(root.path(), flaky);

    let text = format!("srv*{}*{}", cache.path().display(), server.url());
    let seen = Arc::new(Mutex::new(Vec::<(u64, Option<u64>, bool)>::new()));
    let s2 = seen.clone();
    let locator = SymbolLocator::new(SymbolPath::parse(&text), options(cache.path()))
        .with_progress(move |p| s2.lock().unwrap().push((p.received, p.total, p.done)));

    // Download with progress.
    let p = locator
        .find_image("big.dll", 0x5555_5555, 0x3000)
        .unwrap()
        .unwrap();
    assert!(p.starts_with(cache.path()));
    assert_eq!(std::fs::read(&p).unwrap(), img);
    let seen = seen.lock().unwrap().clone();
    let last = *seen.last().unwrap();
    assert_eq!(last, (img.len() as u64, Some(img.len() as u64), true));
    assert!(seen.len() > 2, "progress reported along the way: {seen:?}");
    assert_eq!(server.hits(&w.store_path(false)), 1);
    assert_eq!(server.hits("index2.txt"), 1);

    // A name that needs percent-encoding in the URL.
    let odd_img = tiny_pe(0x7777_7777, 0x3000, 10);
    let odd = Wanted::image("my app#1.dll", 0x7777_7777, 0x3000).unwrap();
    write(&root.path().join(odd.store_path(false)), &odd_img);
    let p = locator
        .find_image("C:\\dir\\my app#1.dll", 0x7777_7777, 0x3000)
        .unwrap()
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), odd_img);
    assert_eq!(
        server.hits("my%20app%231.dll/777777773000/my%20app%231.dll"),
        1
    );

    // A 503 is retried.
    let p = locator
        .find_image("flaky.dll", 0x6666_6666, 0x3000)
        .unwrap()
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), flaky_img);
    assert_eq!(server.hits(&wf.store_path(false)), 2);

    // A missing file: the plain, compressed and file.ptr URLs are each asked once.
    let absent = Wanted::image("absent.dll", 7, 0x1000).unwrap();
    let before = server.total();
    for _ in 0..3 {
        assert_eq!(locator.find_image("absent.dll", 7, 0x1000).unwrap(), None);
    }
    assert_eq!(server.total() - before, 3, "three URLs, each once");
    for f in ["absent.dll", "absent.dl_", "file.ptr"] {
        assert_eq!(server.hits(&absent.store_path_of(f, false)), 1, "{f}");
    }
    let l = locator.lookup(&absent);
    assert_eq!(l.status(), Status::ServerMissing);

    // The same server twice on one path: the second chain knows the answer already.
    let twice = SymbolLocator::new(
        SymbolPath::parse(&format!("{text};{text}")),
        options(cache.path()),
    );
    let before = server.total();
    let l = twice.lookup(&Wanted::image("gone.dll", 9, 0x1000).unwrap());
    assert_eq!(server.total() - before, 4, "index2.txt + three URLs, once");
    assert_eq!(
        l.attempts.last().unwrap().answer,
        Answer::KnownMissing,
        "{l:#?}"
    );

    // Response-size cap: refused, not truncated, and nothing left in the cache.
    let small_cache = TempDir::new("srv-cap");
    let capped = SymbolLocator::new(
        SymbolPath::parse(&format!(
            "srv*{}*{}",
            small_cache.path().display(),
            server.url()
        )),
        options(small_cache.path()).with_max_file_bytes(1000),
    );
    let err = capped
        .find_image("big.dll", 0x5555_5555, 0x3000)
        .unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
    assert!(!small_cache.path().join(w.store_path(false)).exists());

    // Offline: the server is not asked.
    let before = server.total();
    let offline = SymbolLocator::new(
        SymbolPath::parse(&format!(
            "srv*{}*{}",
            small_cache.path().display(),
            server.url()
        )),
        options(small_cache.path()).with_offline(true),
    );
    assert_eq!(
        offline.find_image("big.dll", 0x5555_5555, 0x3000).unwrap(),
        None
    );
    assert_eq!(offline.lookup(&w).status(), Status::Offline);
    assert_eq!(server.total(), before);

    // With the server stopped, the cache still answers.
    server.stop();
    let after = SymbolLocator::new(SymbolPath::parse(&text), options(cache.path()));
    let l = after.lookup(&w);
    assert_eq!(l.found.as_ref().map(|f| f.1), Some(Origin::Local), "{l:#?}");
}

/// The corpus PDBs and PEs in a store served over HTTP: plain, two-tier, CAB-compressed and
/// behind `file.ptr`; fetched into a cache, then found in the cache with the server stopped.
#[test]
fn corpus_store_over_http() {
    let Some(entries) = corpus_entries() else {
        return;
    };
    for two_tier in [false, true] {
        let root = TempDir::new("corpus-root");
        let cache = TempDir::new("corpus-cache");
        let outside = TempDir::new("corpus-outside");
        if two_tier {
            std::fs::write(root.path().join("index2.txt"), b"two-tier").unwrap();
        }
        // Every third entry compressed, every fifth behind file.ptr, the rest plain.
        let mut compressed = Vec::new();
        let mut pointed = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let bytes = std::fs::read(&e.source).unwrap();
            if i % 3 == 1 {
                let cabbed = make_cab(e.wanted.name(), &bytes, cab::CompressionType::MsZip);
                write(
                    &root.path().join(
                        e.wanted
                            .store_path_of(&e.wanted.compressed_name(), two_tier),
                    ),
                    &cabbed,
                );
                compressed.push(i);
            } else if i % 5 == 2 {
                let target = outside.path().join(format!("{i}-{}", e.wanted.name()));
                write(&target, &bytes);
                write(
                    &root
                        .path()
                        .join(e.wanted.store_path_of("file.ptr", two_tier)),
                    format!("PATH:{}", target.display()).as_bytes(),
                );
                pointed.push(i);
            } else {
                write(&root.path().join(e.wanted.store_path(two_tier)), &bytes);
            }
        }
        assert!(!compressed.is_empty() && !pointed.is_empty());
        let server = Server::start(root.path(), HashMap::new());
        let text = format!(
            "symsrv*symsrv.dll*{}*{}",
            cache.path().display(),
            server.url()
        );
        let locator = SymbolLocator::new(SymbolPath::parse(&text), options(cache.path()));
        for (i, e) in entries.iter().enumerate() {
            let p = find(&locator, &e.wanted).unwrap().unwrap_or_else(|| {
                panic!("{} not found: {:#?}", e.wanted, locator.lookup(&e.wanted))
            });
            assert!(p.starts_with(cache.path()), "{}", p.display());
            assert_eq!(
                std::fs::read(&p).unwrap(),
                std::fs::read(&e.source).unwrap(),
                "{}",
                e.wanted
            );
            if compressed.contains(&i) {
                assert!(
                    !p.with_file_name(e.wanted.compressed_name()).exists(),
                    "the downloaded CAB is not left behind"
                );
                assert_eq!(server.hits(&e.wanted.store_path(two_tier)), 1);
                assert_eq!(
                    server.hits(
                        &e.wanted
                            .store_path_of(&e.wanted.compressed_name(), two_tier)
                    ),
                    1
                );
            }
            if pointed.contains(&i) {
                assert_eq!(
                    server.hits(&e.wanted.store_path_of("file.ptr", two_tier)),
                    1
                );
            }
        }
        assert_eq!(server.hits("index2.txt"), 1, "probed once per run");
        // A PDB with the right name and GUID but another age is not served as the wanted one.
        let Wanted::Pdb { name, identity } = &entries[0].wanted else {
            unreachable!()
        };
        assert_eq!(
            locator
                .find_pdb(name, identity.guid, identity.age + 1)
                .unwrap(),
            None
        );
        let total = server.total();
        server.stop();

        // Second run: everything from the cache, with the server gone.
        let second = SymbolLocator::new(SymbolPath::parse(&text), options(cache.path()));
        for e in &entries {
            let l = second.lookup(&e.wanted);
            assert_eq!(l.found.as_ref().map(|f| f.1), Some(Origin::Local), "{l:#?}");
            assert_eq!(l.attempts.len(), 1);
        }
        let _ = total;
    }
}
