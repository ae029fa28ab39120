//! [`SymbolOptions`]: where the default cache is, network bounds, the offline switch.

use std::path::PathBuf;
use std::time::Duration;

/// How a [`SymbolLocator`](crate::symsrv::SymbolLocator) looks things up.
///
/// `#[non_exhaustive]`: start from [`SymbolOptions::default`] and use the `with_*` setters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SymbolOptions {
    /// The default downstream store: where `srv*URL` and `cache*` keep downloads, and where
    /// compressed entries of stores with no downstream store are expanded. Default:
    /// `<temp dir>/dumpscope-symbols` (the command line uses the user's cache directory).
    pub default_cache: PathBuf,
    /// Never contact a server: lookups use local stores and caches only (default `false`).
    pub offline: bool,
    /// Time to connect to a server (default 10 s).
    pub connect_timeout: Duration,
    /// Time from connecting to the response headers (default 30 s).
    pub response_timeout: Duration,
    /// Time to receive one whole file (default 10 min; a large PDB is hundreds of MB).
    pub download_timeout: Duration,
    /// Extra tries after a failed request (connection error, timeout, 5xx, 429); a 404 is an
    /// answer and is never retried (default 2).
    pub retries: u32,
    /// Largest file downloaded or expanded from a CAB (default 2 GiB); a larger one is an
    /// error, not a truncated file.
    pub max_file_bytes: u64,
    /// Follow `file.ptr` entries (default `true`). A pointer leads to the file itself (a path
    /// or a URL), never to another pointer.
    pub follow_pointers: bool,
}

impl Default for SymbolOptions {
    fn default() -> Self {
        SymbolOptions {
            default_cache: std::env::temp_dir().join("dumpscope-symbols"),
            offline: false,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(30),
            download_timeout: Duration::from_secs(600),
            retries: 2,
            max_file_bytes: 2 << 30,
            follow_pointers: true,
        }
    }
}

impl SymbolOptions {
    /// Set [`SymbolOptions::default_cache`].
    #[must_use]
    pub fn with_default_cache(mut self, dir: impl Into<PathBuf>) -> Self {
        self.default_cache = dir.into();
        self
    }

    /// Set [`SymbolOptions::offline`].
    #[must_use]
    pub fn with_offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Set the three timeouts ([`SymbolOptions::connect_timeout`],
    /// [`SymbolOptions::response_timeout`], [`SymbolOptions::download_timeout`]).
    #[must_use]
    pub fn with_timeouts(
        mut self,
        connect: Duration,
        response: Duration,
        download: Duration,
    ) -> Self {
        self.connect_timeout = connect;
        self.response_timeout = response;
        self.download_timeout = download;
        self
    }

    /// Set [`SymbolOptions::retries`].
    #[must_use]
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Set [`SymbolOptions::max_file_bytes`].
    #[must_use]
    pub fn with_max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Set [`SymbolOptions::follow_pointers`].
    #[must_use]
    pub fn with_follow_pointers(mut self, follow: bool) -> Self {
        self.follow_pointers = follow;
        self
    }
}

/// A download in progress, given to the progress callback
/// ([`SymbolLocator::with_progress`](crate::symsrv::SymbolLocator::with_progress)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The URL being downloaded.
    pub url: &'a str,
    /// Bytes received so far.
    pub received: u64,
    /// The size announced by the server (`Content-Length`), when it announced one.
    pub total: Option<u64>,
    /// True on the last call for this URL (complete or abandoned).
    pub done: bool,
}
