//! [`SymbolLocator`]: finds PDBs and images along a [`SymbolPath`].

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::ptr::{MAX_POINTER_BYTES, Pointer};
use super::{
    Answer, Attempt, Lookup, Origin, PathElement, Progress, Status, Store, SymbolOptions,
    SymbolPath, Wanted,
};
use crate::{Error, ImageLayout, PdbIdentity};

/// Bytes of an image read to check its `TimeDateStamp` and `SizeOfImage`.
const IMAGE_HEADER_BYTES: u64 = 64 * 1024;

/// The progress callback.
type ProgressFn = Box<dyn Fn(&Progress<'_>) + Send + Sync>;

/// Finds the PDBs and images modules need along a symbol path: plain folders, symbol stores
/// (flat or two-tier, compressed entries, `file.ptr`), and HTTP(S) symbol servers whose files
/// are downloaded into the downstream store (feature `http`).
///
/// Every file returned has been checked: a PDB's GUID and DBI age, an image's
/// `TimeDateStamp` and `SizeOfImage`. Each lookup is done once per locator: asking again
/// returns the same answer without touching disk or network, and a URL a server answered 404
/// for is never requested again by this locator (the negative cache).
///
/// ```no_run
/// use stackwalk::symsrv::{SymbolLocator, SymbolOptions, SymbolPath};
///
/// let path = SymbolPath::parse("srv*/tmp/symbols*https://msdl.microsoft.com/download/symbols");
/// let locator = SymbolLocator::new(path, SymbolOptions::default());
/// let guid = [0u8; 16];
/// if let Some(pdb) = locator.find_pdb("ntdll.pdb", guid, 1)? {
///     println!("{}", pdb.display());
/// }
/// # Ok::<(), stackwalk::Error>(())
/// ```
pub struct SymbolLocator {
    path: SymbolPath,
    options: SymbolOptions,
    progress: Option<ProgressFn>,
    state: Mutex<State>,
    #[cfg(feature = "http")]
    client: super::http::Client,
}

#[derive(Default)]
struct State {
    /// Lookups done, in order, and their index by what was wanted.
    done: Vec<Lookup>,
    index: HashMap<Wanted, usize>,
    /// URLs a server answered 404 for.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    missing: HashSet<String>,
    /// Servers probed for `index2.txt`: true when they are two-tier.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    two_tier: HashMap<String, bool>,
}

impl std::fmt::Debug for SymbolLocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SymbolLocator")
            .field("path", &self.path)
            .field("options", &self.options)
            .field("progress", &self.progress.is_some())
            .finish_non_exhaustive()
    }
}

/// A unique temporary name next to `dest`.
fn temp_beside(dest: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.{}.{n}.partial", std::process::id()))
}

/// Writes `dest` through a temporary file renamed into place, so a reader never sees a
/// partial file; `fill` writes the temporary file.
fn write_atomically(
    dest: &Path,
    fill: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), String> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let tmp = temp_beside(dest);
    let result = fill(&tmp).and_then(|()| {
        std::fs::rename(&tmp, dest).map_err(|e| format!("renaming to {}: {e}", dest.display()))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn is_url(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Checks that `path` is the file wanted.
fn verify(path: &Path, wanted: &Wanted) -> Result<(), String> {
    match wanted {
        Wanted::Pdb { identity, .. } => {
            let got = PdbIdentity::from_pdb_file(path).map_err(|e| e.to_string())?;
            if got == *identity {
                Ok(())
            } else {
                Err(format!(
                    "{} is PDB {}, not the {} wanted",
                    path.display(),
                    got.store_key(),
                    identity.store_key()
                ))
            }
        }
        Wanted::Image {
            time_date_stamp,
            size_of_image,
            ..
        } => {
            let mut head = Vec::new();
            File::open(path)
                .and_then(|f| f.take(IMAGE_HEADER_BYTES).read_to_end(&mut head))
                .map_err(|e| format!("reading {}: {e}", path.display()))?;
            let layout =
                ImageLayout::parse(&head).map_err(|e| format!("{}: {e}", path.display()))?;
            if layout.time_date_stamp == *time_date_stamp && layout.size_of_image == *size_of_image
            {
                Ok(())
            } else {
                Err(format!(
                    "{} is image {}, not the {} wanted",
                    path.display(),
                    super::image_key(layout.time_date_stamp, layout.size_of_image),
                    wanted.key()
                ))
            }
        }
    }
}

/// A file that is the one wanted, or `Err` with why not; `Ok(None)` when there is no file.
fn verified(path: &Path, wanted: &Wanted) -> Result<Option<PathBuf>, String> {
    if !path.is_file() {
        return Ok(None);
    }
    verify(path, wanted).map(|()| Some(path.to_path_buf()))
}

/// Expands the CAB `cab` into `dest` (atomically) and checks the result.
fn expand_into(cab: &Path, dest: &Path, wanted: &Wanted, max: u64) -> Result<(), String> {
    #[cfg(feature = "cab")]
    {
        write_atomically(dest, |tmp| {
            let src = File::open(cab).map_err(|e| format!("reading {}: {e}", cab.display()))?;
            let mut out =
                File::create(tmp).map_err(|e| format!("creating {}: {e}", tmp.display()))?;
            super::cab::expand(std::io::BufReader::new(src), wanted.name(), &mut out, max)
                .map_err(|e| format!("{}: {e}", cab.display()))?;
            verify(tmp, wanted)
        })
    }
    #[cfg(not(feature = "cab"))]
    {
        let _ = (dest, wanted, max);
        Err(format!(
            "{} is compressed; this build has no CAB support (feature `cab`)",
            cab.display()
        ))
    }
}

/// Copies `src` into `dest` (atomically).
fn copy_into(src: &Path, dest: &Path) -> Result<(), String> {
    write_atomically(dest, |tmp| {
        std::fs::copy(src, tmp)
            .map(|_| ())
            .map_err(|e| format!("copying {}: {e}", src.display()))
    })
}

/// True when a local store is two-tier (has `index2.txt`).
fn local_two_tier(dir: &Path) -> bool {
    dir.join("index2.txt").is_file()
}

/// True when a folder on the path is a symbol store: `pingme.txt` (written by symstore) or
/// `index2.txt` (two-tier) at its root.
fn is_store(dir: &Path) -> bool {
    dir.join("pingme.txt").is_file() || local_two_tier(dir)
}

/// Reads a local `file.ptr` (bounded).
fn read_pointer(path: &Path) -> Result<Option<Pointer>, String> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_POINTER_BYTES).read_to_end(&mut bytes))
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(Pointer::parse(&bytes))
}

/// A path written in a `file.ptr`, as a local path (on non-Windows hosts `\` separators are
/// turned into `/` when the path as written does not exist).
fn pointer_path(text: &str) -> PathBuf {
    let p = PathBuf::from(text);
    if cfg!(windows) || p.exists() {
        p
    } else {
        PathBuf::from(text.replace('\\', "/"))
    }
}

/// The result of one place: what it answered and, when found, how.
type Outcome = (Answer, Option<Origin>);

fn found(path: PathBuf, origin: Origin) -> Outcome {
    (Answer::Found(path), Some(origin))
}

impl SymbolLocator {
    /// A locator over `path`.
    pub fn new(path: SymbolPath, options: SymbolOptions) -> Self {
        SymbolLocator {
            #[cfg(feature = "http")]
            client: super::http::Client::new(&options),
            path,
            options,
            progress: None,
            state: Mutex::new(State::default()),
        }
    }

    /// Calls `callback` as downloads proceed (the command line draws a progress bar).
    #[must_use]
    pub fn with_progress(
        mut self,
        callback: impl Fn(&Progress<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// The symbol path.
    pub fn path(&self) -> &SymbolPath {
        &self.path
    }

    /// The options.
    pub fn options(&self) -> &SymbolOptions {
        &self.options
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Finds the PDB `name` (a file name or the path a CodeView record names) with `guid` (in
    /// `RSDS` byte order) and `age`.
    ///
    /// `Ok(None)` when no place has it (or `name` has no usable file name); `Err` when it was
    /// not found and some place failed (see [`SymbolLocator::lookup_pdb`] for the details).
    pub fn find_pdb(&self, name: &str, guid: [u8; 16], age: u32) -> Result<Option<PathBuf>, Error> {
        match self.lookup_pdb(name, PdbIdentity { guid, age }) {
            Some(l) => result_of(&l),
            None => Ok(None),
        }
    }

    /// Finds the image `name` with `time_date_stamp` and `size_of_image`; like
    /// [`SymbolLocator::find_pdb`].
    pub fn find_image(
        &self,
        name: &str,
        time_date_stamp: u32,
        size_of_image: u32,
    ) -> Result<Option<PathBuf>, Error> {
        match self.lookup_image(name, time_date_stamp, size_of_image) {
            Some(l) => result_of(&l),
            None => Ok(None),
        }
    }

    /// The full lookup of a PDB; `None` when `name` has no usable file name
    /// ([`store_file_name`](super::store_file_name)).
    pub fn lookup_pdb(&self, name: &str, identity: PdbIdentity) -> Option<Lookup> {
        Some(self.lookup(&Wanted::pdb(name, identity)?))
    }

    /// The full lookup of an image; `None` when `name` has no usable file name.
    pub fn lookup_image(
        &self,
        name: &str,
        time_date_stamp: u32,
        size_of_image: u32,
    ) -> Option<Lookup> {
        Some(self.lookup(&Wanted::image(name, time_date_stamp, size_of_image)?))
    }

    /// Every lookup done so far, in order (the report of `dumpscope symbols`).
    pub fn lookups(&self) -> Vec<Lookup> {
        self.state().done.clone()
    }

    /// Looks `wanted` up along the path (once per locator; later calls return the first
    /// answer).
    pub fn lookup(&self, wanted: &Wanted) -> Lookup {
        {
            let state = self.state();
            if let Some(l) = state.index.get(wanted).and_then(|&i| state.done.get(i)) {
                return l.clone();
            }
        }
        let mut lookup = Lookup {
            wanted: wanted.clone(),
            found: None,
            attempts: Vec::new(),
        };
        let mut cache: Option<PathBuf> = None;
        for element in self.path.elements() {
            let hit = match element {
                PathElement::Cache(dir) => {
                    cache = Some(
                        dir.clone()
                            .unwrap_or_else(|| self.options.default_cache.clone()),
                    );
                    None
                }
                PathElement::Folder(dir) => {
                    // A folder that is a symbol store (symstore's pingme.txt or a two-tier
                    // index2.txt at its root) is searched as `srv*DIR` would be, as dbghelp does.
                    let (answer, origin) = if is_store(dir) {
                        let expand_to = cache.as_deref().unwrap_or(&self.options.default_cache);
                        self.in_store(dir, expand_to, wanted)
                    } else {
                        self.in_folder(dir, wanted)
                    };
                    lookup.attempts.push(Attempt {
                        place: dir.display().to_string(),
                        answer: answer.clone(),
                    });
                    found_path(&answer, origin)
                }
                PathElement::Server(stores) => {
                    self.in_chain(stores, cache.as_deref(), wanted, &mut lookup.attempts)
                }
            };
            if let Some(hit) = hit {
                lookup.found = Some(hit);
                break;
            }
        }
        let mut state = self.state();
        let i = state.done.len();
        state.done.push(lookup.clone());
        state.index.insert(wanted.clone(), i);
        lookup
    }

    /// A plain folder: `DIR/name` and `DIR/name/KEY/name`, then (PDBs) any `*.pdb` in `DIR`
    /// with the wanted GUID and age ([`crate::find_pdb`]).
    fn in_folder(&self, dir: &Path, wanted: &Wanted) -> Outcome {
        if !dir.is_dir() {
            return (Answer::NotInStore, None);
        }
        match wanted {
            Wanted::Pdb { name, identity } => match crate::find_pdb(dir, name, identity) {
                Ok(Some(p)) => found(p, Origin::Local),
                Ok(None) => (Answer::NotInStore, None),
                Err(e) => (Answer::Failed(e.to_string()), None),
            },
            Wanted::Image { name, .. } => {
                for p in [dir.join(name), wanted.local_path(dir, name, false)] {
                    // A same-named file of another build is not an error here: keep looking.
                    if let Ok(Some(p)) = verified(&p, wanted) {
                        return found(p, Origin::Local);
                    }
                }
                (Answer::NotInStore, None)
            }
        }
    }

    /// A `srv*` chain: each store in order; what a later store has is copied (or downloaded)
    /// into the first, local, one.
    fn in_chain(
        &self,
        stores: &[Store],
        cache: Option<&Path>,
        wanted: &Wanted,
        attempts: &mut Vec<Attempt>,
    ) -> Option<(PathBuf, Origin)> {
        let default = cache.unwrap_or(&self.options.default_cache);
        let resolved: Vec<Store> = stores
            .iter()
            .map(|s| match s {
                Store::DefaultCache => Store::Local(default.to_path_buf()),
                other => other.clone(),
            })
            .collect();
        let downstream: PathBuf = match resolved.first() {
            Some(Store::Local(d)) => d.clone(),
            _ => default.to_path_buf(),
        };
        for (i, store) in resolved.iter().enumerate() {
            let (answer, origin) = match store {
                Store::Local(dir) => {
                    let (answer, origin) = self.in_store(dir, &downstream, wanted);
                    if let (Answer::Found(p), Some(Origin::Local)) = (&answer, origin)
                        && i > 0
                        && *dir != downstream
                    {
                        let dest = wanted.local_path(
                            &downstream,
                            wanted.name(),
                            local_two_tier(&downstream),
                        );
                        if copy_into(p, &dest).is_ok() {
                            attempts.push(Attempt {
                                place: dir.display().to_string(),
                                answer: Answer::Found(p.clone()),
                            });
                            return Some((dest, Origin::Copied));
                        }
                    }
                    (answer, origin)
                }
                Store::Http(url) => self.on_server(url, &downstream, wanted),
                Store::DefaultCache => (Answer::NotInStore, None),
            };
            attempts.push(Attempt {
                place: store.to_string(),
                answer: answer.clone(),
            });
            if let Some(hit) = found_path(&answer, origin) {
                return Some(hit);
            }
        }
        None
    }

    /// A local store: `name/KEY/name`, then `name/KEY/name.pd_` (expanded into `expand_to`,
    /// or beside itself when this is that store), then `name/KEY/file.ptr`.
    fn in_store(&self, dir: &Path, expand_to: &Path, wanted: &Wanted) -> Outcome {
        if !dir.is_dir() {
            return (Answer::NotInStore, None);
        }
        let two_tier = local_two_tier(dir);
        let plain = wanted.local_path(dir, wanted.name(), two_tier);
        match verified(&plain, wanted) {
            Ok(Some(p)) => return found(p, Origin::Local),
            Ok(None) => {}
            Err(e) => return (Answer::Failed(e), None),
        }
        let packed = wanted.local_path(dir, &wanted.compressed_name(), two_tier);
        if packed.is_file() {
            let dest = wanted.local_path(expand_to, wanted.name(), local_two_tier(expand_to));
            return match expand_into(&packed, &dest, wanted, self.options.max_file_bytes) {
                Ok(()) => found(dest, Origin::Expanded),
                Err(e) => (Answer::Failed(e), None),
            };
        }
        let ptr = wanted.local_path(dir, "file.ptr", two_tier);
        if ptr.is_file() && !self.options.follow_pointers {
            return (
                Answer::Failed(format!("{}: file.ptr not followed", ptr.display())),
                None,
            );
        }
        if ptr.is_file() {
            return match read_pointer(&ptr) {
                Ok(Some(Pointer::Path(target))) => {
                    if is_url(&target) {
                        let dest =
                            wanted.local_path(expand_to, wanted.name(), local_two_tier(expand_to));
                        self.download_verified(&target, &dest, wanted)
                    } else {
                        match verified(&pointer_path(&target), wanted) {
                            Ok(Some(p)) => found(p, Origin::Local),
                            Ok(None) => (
                                Answer::Failed(format!(
                                    "{} points to {target}, which does not exist",
                                    ptr.display()
                                )),
                                None,
                            ),
                            Err(e) => (Answer::Failed(e), None),
                        }
                    }
                }
                Ok(Some(Pointer::Message(m))) => (Answer::Message(m), None),
                Ok(None) => (
                    Answer::Failed(format!("{} is neither PATH: nor MSG:", ptr.display())),
                    None,
                ),
                Err(e) => (Answer::Failed(e), None),
            };
        }
        (Answer::NotInStore, None)
    }

    /// Reports progress, when someone listens.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    fn progress(&self, p: &Progress<'_>) {
        if let Some(f) = &self.progress {
            f(p);
        }
    }

    /// Downloads `url` to `dest` and checks it (a `file.ptr` that names a URL).
    fn download_verified(&self, url: &str, dest: &Path, wanted: &Wanted) -> Outcome {
        if self.options.offline {
            return (Answer::Offline, None);
        }
        #[cfg(feature = "http")]
        {
            use super::http::Fetched;
            if self.state().missing.contains(url) {
                return (Answer::KnownMissing, None);
            }
            let mut missing = false;
            let result = write_atomically(dest, |tmp| {
                match self.client.download(url, tmp, &|p| self.progress(p))? {
                    Fetched::Got(_) => verify(tmp, wanted),
                    Fetched::Missing => {
                        missing = true;
                        Err(String::new())
                    }
                }
            });
            match result {
                Ok(()) => found(dest.to_path_buf(), Origin::Downloaded),
                Err(_) if missing => {
                    self.state().missing.insert(url.to_string());
                    (Answer::ServerMissing, None)
                }
                Err(e) => (Answer::Failed(e), None),
            }
        }
        #[cfg(not(feature = "http"))]
        {
            let _ = (dest, wanted);
            (Answer::Failed(no_http(url)), None)
        }
    }

    /// An HTTP(S) server: `name/KEY/name`, then `name/KEY/name.pd_`, then `name/KEY/file.ptr`
    /// (each URL at most once per locator), into the downstream store `downstream`.
    fn on_server(&self, url: &str, downstream: &Path, wanted: &Wanted) -> Outcome {
        if self.options.offline {
            return (Answer::Offline, None);
        }
        #[cfg(feature = "http")]
        {
            self.on_server_http(url, downstream, wanted)
        }
        #[cfg(not(feature = "http"))]
        {
            let _ = (downstream, wanted);
            (Answer::Failed(no_http(url)), None)
        }
    }

    #[cfg(feature = "http")]
    fn on_server_http(&self, url: &str, downstream: &Path, wanted: &Wanted) -> Outcome {
        use super::http::Fetched;
        let two_tier = match self.server_two_tier(url) {
            Ok(t) => t,
            Err(e) => return (Answer::Failed(e), None),
        };
        let at = |file: &str| format!("{url}/{}", url_path(&wanted.store_path_of(file, two_tier)));
        let dest = wanted.local_path(downstream, wanted.name(), local_two_tier(downstream));
        let mut all_known = true;

        // 1. The file itself.
        let plain = at(wanted.name());
        if self.state().missing.contains(&plain) {
            // asked before in this run
        } else {
            all_known = false;
            match self.download_verified(&plain, &dest, wanted) {
                (Answer::ServerMissing, _) => {}
                other => return other,
            }
        }

        // 2. Its CAB-compressed form.
        let packed_url = at(&wanted.compressed_name());
        if !self.state().missing.contains(&packed_url) {
            all_known = false;
            let packed = dest.with_file_name(wanted.compressed_name());
            let mut missing = false;
            let result = write_atomically(&packed, |tmp| {
                match self
                    .client
                    .download(&packed_url, tmp, &|p| self.progress(p))?
                {
                    Fetched::Got(_) => Ok(()),
                    Fetched::Missing => {
                        missing = true;
                        Err(String::new())
                    }
                }
            });
            match result {
                Ok(()) => {
                    let r = expand_into(&packed, &dest, wanted, self.options.max_file_bytes);
                    let _ = std::fs::remove_file(&packed);
                    return match r {
                        Ok(()) => found(dest, Origin::Downloaded),
                        Err(e) => (Answer::Failed(e), None),
                    };
                }
                Err(_) if missing => {
                    self.state().missing.insert(packed_url);
                }
                Err(e) => return (Answer::Failed(e), None),
            }
        }

        // 3. A file.ptr.
        let ptr_url = at("file.ptr");
        if !self.state().missing.contains(&ptr_url) {
            all_known = false;
            match self.client.small(&ptr_url, MAX_POINTER_BYTES) {
                Ok(Fetched::Missing) => {
                    self.state().missing.insert(ptr_url);
                }
                Ok(Fetched::Got(bytes)) => {
                    return self.follow_server_pointer(&ptr_url, &bytes, &dest, wanted);
                }
                Err(e) => return (Answer::Failed(e), None),
            }
        }
        if all_known {
            (Answer::KnownMissing, None)
        } else {
            (Answer::ServerMissing, None)
        }
    }

    /// What a server's `file.ptr` points to: a URL (downloaded) or a path (checked and
    /// copied into the downstream store).
    #[cfg(feature = "http")]
    fn follow_server_pointer(
        &self,
        ptr_url: &str,
        bytes: &[u8],
        dest: &Path,
        wanted: &Wanted,
    ) -> Outcome {
        if !self.options.follow_pointers {
            return (
                Answer::Failed(format!("{ptr_url}: file.ptr not followed")),
                None,
            );
        }
        match Pointer::parse(bytes) {
            Some(Pointer::Message(m)) => (Answer::Message(m), None),
            Some(Pointer::Path(target)) if is_url(&target) => {
                self.download_verified(&target, dest, wanted)
            }
            Some(Pointer::Path(target)) => match verified(&pointer_path(&target), wanted) {
                Ok(Some(p)) => match copy_into(&p, dest) {
                    Ok(()) => found(dest.to_path_buf(), Origin::Copied),
                    Err(_) => found(p, Origin::Local),
                },
                Ok(None) => (
                    Answer::Failed(format!("{ptr_url} points to {target}, which is not here")),
                    None,
                ),
                Err(e) => (Answer::Failed(e), None),
            },
            None => (
                Answer::Failed(format!("{ptr_url} is neither PATH: nor MSG:")),
                None,
            ),
        }
    }

    /// Whether a server is a two-tier store (`index2.txt` at its root), asked once per run.
    #[cfg(feature = "http")]
    fn server_two_tier(&self, url: &str) -> Result<bool, String> {
        use super::http::Fetched;
        if let Some(&t) = self.state().two_tier.get(url) {
            return Ok(t);
        }
        let t = matches!(
            self.client.small(&format!("{url}/index2.txt"), 64 * 1024)?,
            Fetched::Got(_)
        );
        self.state().two_tier.insert(url.to_string(), t);
        Ok(t)
    }
}

/// Percent-encodes a store path for a URL: every byte but the unreserved ones and `/`
/// (module names may hold spaces, `#` or `%`).
#[cfg_attr(not(feature = "http"), allow(dead_code))]
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(not(feature = "http"))]
fn no_http(url: &str) -> String {
    format!("{url}: this build cannot download (feature `http`)")
}

fn found_path(answer: &Answer, origin: Option<Origin>) -> Option<(PathBuf, Origin)> {
    match (answer, origin) {
        (Answer::Found(p), Some(o)) => Some((p.clone(), o)),
        _ => None,
    }
}

fn result_of(lookup: &Lookup) -> Result<Option<PathBuf>, Error> {
    match lookup.status() {
        Status::Found(p) => Ok(Some(p)),
        Status::Failed(message) => Err(Error::Io {
            path: lookup
                .attempts
                .iter()
                .find(|a| matches!(a.answer, Answer::Failed(_)))
                .map(|a| a.place.clone())
                .unwrap_or_default(),
            message,
        }),
        _ => Ok(None),
    }
}
