//! [`SymbolPath`]: WinDbg's symbol path syntax (`_NT_SYMBOL_PATH`, `.sympath`).

use std::fmt;
use std::path::PathBuf;

/// Microsoft's public symbol server, used by a bare `srv*` (what WinDbg's `.symfix` sets).
pub const MICROSOFT_SYMBOL_SERVER: &str = "https://msdl.microsoft.com/download/symbols";

/// One store of a `srv*` chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Store {
    /// A directory in symbol-store layout (`name/KEY/name`), local or on a mounted share.
    Local(PathBuf),
    /// An HTTP(S) symbol server, by its base URL (no trailing `/`).
    Http(String),
    /// The default downstream store (an empty entry, as in `srv**URL`, or the implicit cache
    /// of `srv*URL`); [`SymbolOptions::default_cache`](crate::symsrv::SymbolOptions) says
    /// where it is.
    DefaultCache,
}

impl Store {
    fn parse(text: &str) -> Store {
        let t = text.trim();
        if t.is_empty() {
            Store::DefaultCache
        } else if is_url(t) {
            let trimmed = t.trim_end_matches('/');
            Store::Http(if is_url(trimmed) { trimmed } else { t }.to_string())
        } else {
            Store::Local(PathBuf::from(t))
        }
    }

    /// True for [`Store::Http`].
    pub fn is_remote(&self) -> bool {
        matches!(self, Store::Http(_))
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Store::Local(p) => write!(f, "{}", p.display()),
            Store::Http(u) => f.write_str(u),
            Store::DefaultCache => Ok(()),
        }
    }
}

/// One `;`-separated element of a symbol path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// A plain folder: the file by name (`DIR/name`, checked by identity), the store layout
    /// `DIR/name/KEY/name`, or (for PDBs) any `*.pdb` in `DIR` with the wanted GUID and age.
    /// A folder with `pingme.txt` or `index2.txt` at its root is a symbol store and is searched
    /// as `srv*DIR` (compressed entries and `file.ptr` included).
    Folder(PathBuf),
    /// `srv*S1*S2*...` (or `symsrv*symsrv.dll*S1*...`): stores searched left to right; a file
    /// found in a later store is copied (or downloaded) into the first one, the downstream
    /// store. `srv*URL` has the default cache in front ([`Store::DefaultCache`]).
    Server(Vec<Store>),
    /// `cache*DIR` (`None`: `cache*` alone, the default cache): files fetched from servers by
    /// the elements to its right are kept in `DIR` when their own chain names no local store.
    Cache(Option<PathBuf>),
}

impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Folder(p) => write!(f, "{}", p.display()),
            PathElement::Server(stores) => {
                f.write_str("srv")?;
                for s in stores {
                    write!(f, "*{s}")?;
                }
                Ok(())
            }
            PathElement::Cache(Some(p)) => write!(f, "cache*{}", p.display()),
            PathElement::Cache(None) => f.write_str("cache*"),
        }
    }
}

/// A parsed symbol path: the elements of `_NT_SYMBOL_PATH` (or `--symbol-path`), in order.
///
/// ```
/// use stackwalk::symsrv::{PathElement, Store, SymbolPath};
///
/// let path = SymbolPath::parse(r"srv*C:\symbols*https://msdl.microsoft.com/download/symbols; D:\mine");
/// assert_eq!(path.elements().len(), 2);
/// assert_eq!(
///     path.elements()[0],
///     PathElement::Server(vec![
///         Store::Local(r"C:\symbols".into()),
///         Store::Http("https://msdl.microsoft.com/download/symbols".into()),
///     ])
/// );
/// assert_eq!(path.elements()[1], PathElement::Folder(r"D:\mine".into()));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SymbolPath {
    elements: Vec<PathElement>,
}

fn is_url(t: &str) -> bool {
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Splits `text` at `*`, trimming each part.
fn stars(text: &str) -> Vec<&str> {
    text.split('*').map(str::trim).collect()
}

impl SymbolPath {
    /// An empty path.
    pub fn new() -> Self {
        SymbolPath::default()
    }

    /// Parses WinDbg's symbol path syntax. Never fails: empty elements are skipped and
    /// anything that is not `srv*`, `symsrv*` or `cache*` is a plain folder.
    ///
    /// - `srv*CACHE*URL`, `srv*URL` (default cache in front), `srv**URL` (same), `srv*DIR`
    ///   (a local store), `srv*` (the default cache and [`MICROSOFT_SYMBOL_SERVER`]);
    /// - `symsrv*symsrv.dll*CACHE*URL` (the DLL name is ignored);
    /// - `cache*DIR`, `cache*`;
    /// - plain folders;
    ///
    /// separated by `;`, keywords case-insensitive, whitespace around every part ignored.
    pub fn parse(text: &str) -> Self {
        let mut elements = Vec::new();
        for raw in text.split(';') {
            let item = raw.trim();
            if item.is_empty() {
                continue;
            }
            let parts = stars(item);
            let head = parts.first().map(|h| h.to_ascii_lowercase());
            let rest: &[&str] = parts.get(1..).unwrap_or(&[]);
            match head.as_deref() {
                Some("srv") if parts.len() > 1 => elements.push(server(rest)),
                Some("symsrv") if parts.len() > 1 => {
                    // symsrv*DLL*stores...: the DLL is Windows' symbol-server plug-in.
                    elements.push(server(rest.get(1..).unwrap_or(&[])));
                }
                Some("cache") if parts.len() > 1 => {
                    let dir = rest.join("*");
                    let dir = dir.trim();
                    elements.push(PathElement::Cache(
                        (!dir.is_empty()).then(|| PathBuf::from(dir)),
                    ));
                }
                _ => elements.push(PathElement::Folder(PathBuf::from(item))),
            }
        }
        SymbolPath { elements }
    }

    /// The elements, in search order.
    pub fn elements(&self) -> &[PathElement] {
        &self.elements
    }

    /// True when the path has no element.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// Appends a plain folder (what `--symbols DIR` adds).
    pub fn push_folder(&mut self, dir: impl Into<PathBuf>) {
        self.elements.push(PathElement::Folder(dir.into()));
    }

    /// Appends an element.
    pub fn push(&mut self, element: PathElement) {
        self.elements.push(element);
    }

    /// Appends the elements of `other`.
    pub fn extend(&mut self, other: SymbolPath) {
        self.elements.extend(other.elements);
    }

    /// True when some element names an HTTP(S) server (including a bare `srv*`).
    pub fn has_remote(&self) -> bool {
        self.elements.iter().any(|e| match e {
            PathElement::Server(stores) => stores.iter().any(Store::is_remote),
            _ => false,
        })
    }
}

/// The stores of `srv*...` after the keyword.
fn server(stores: &[&str]) -> PathElement {
    let mut list: Vec<Store> = stores.iter().map(|s| Store::parse(s)).collect();
    // A trailing empty entry (`srv*DIR*`) means nothing.
    while list.len() > 1 && list.last() == Some(&Store::DefaultCache) {
        list.pop();
    }
    match list.as_slice() {
        [] | [Store::DefaultCache] => {
            list = vec![
                Store::DefaultCache,
                Store::Http(MICROSOFT_SYMBOL_SERVER.to_string()),
            ];
        }
        [Store::Http(_), ..] => list.insert(0, Store::DefaultCache),
        _ => {}
    }
    PathElement::Server(list)
}

impl fmt::Display for SymbolPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for SymbolPath {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SymbolPath::parse(s))
    }
}
