//! Caps on the work and memory one image may cost.
//!
//! Shape shared by every library crate of the workspace: `Copy`, `#[non_exhaustive]`, a
//! [`Default`] for real images, [`Limits::fuzzing`] for fuzzers, `with_*` setters, and held by the
//! entry object ([`PeImage::with_limits`](crate::PeImage::with_limits); no per-call limit
//! arguments).

/// Caps on the work and memory spent on untrusted headers. The defaults suit real images;
/// fuzzers lower them, forensic users may raise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest accepted `NumberOfSections` (default 1024; the loader accepts up to 96 on old
    /// systems and more on new ones).
    pub max_sections: u16,
    /// Largest accepted `e_lfanew` (default 16 MiB).
    pub max_header_offset: u64,
    /// Largest single read or buffered range, in bytes (default 256 MiB).
    pub max_read_bytes: u64,
    /// Largest export count (default 1 Mi).
    pub max_exports: u32,
    /// Longest string read from the image, in bytes (default 4096).
    pub max_string_len: usize,
    /// Most debug directory entries (default 256).
    pub max_debug_entries: u32,
    /// Largest debug record read, in bytes (default 64 KiB).
    pub max_debug_data: u64,
    /// Most `.pdata` entries (default 4 Mi).
    pub max_runtime_functions: u32,
    /// Most base relocations (default 16 Mi).
    pub max_relocations: u32,
    /// Most search hits returned (default 1 Mi).
    pub max_hits: usize,
    /// Most code references returned (default 1 Mi).
    pub max_xrefs: usize,
    /// Most bytes of executable sections swept by one code-reference search (default 1 GiB).
    pub max_scan_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sections: 1024,
            max_header_offset: 16 << 20,
            max_read_bytes: 256 << 20,
            max_exports: 1 << 20,
            max_string_len: 4096,
            max_debug_entries: 256,
            max_debug_data: 64 << 10,
            max_runtime_functions: 4 << 20,
            max_relocations: 16 << 20,
            max_hits: 1 << 20,
            max_xrefs: 1 << 20,
            max_scan_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// Small caps for fuzzing: every operation stays in the low megabytes.
    pub const fn fuzzing() -> Self {
        Limits {
            max_sections: 64,
            max_header_offset: 1 << 16,
            max_read_bytes: 4 << 20,
            max_exports: 1 << 14,
            max_string_len: 256,
            max_debug_entries: 16,
            max_debug_data: 4096,
            max_runtime_functions: 1 << 16,
            max_relocations: 1 << 16,
            max_hits: 1 << 12,
            max_xrefs: 1 << 12,
            max_scan_bytes: 16 << 20,
        }
    }
    /// Set [`Limits::max_sections`].
    #[must_use]
    pub const fn with_max_sections(mut self, v: u16) -> Self {
        self.max_sections = v;
        self
    }
    /// Set [`Limits::max_header_offset`].
    #[must_use]
    pub const fn with_max_header_offset(mut self, v: u64) -> Self {
        self.max_header_offset = v;
        self
    }
    /// Set [`Limits::max_read_bytes`].
    #[must_use]
    pub const fn with_max_read_bytes(mut self, v: u64) -> Self {
        self.max_read_bytes = v;
        self
    }
    /// Set [`Limits::max_exports`].
    #[must_use]
    pub const fn with_max_exports(mut self, v: u32) -> Self {
        self.max_exports = v;
        self
    }
    /// Set [`Limits::max_string_len`].
    #[must_use]
    pub const fn with_max_string_len(mut self, v: usize) -> Self {
        self.max_string_len = v;
        self
    }
    /// Set [`Limits::max_debug_entries`].
    #[must_use]
    pub const fn with_max_debug_entries(mut self, v: u32) -> Self {
        self.max_debug_entries = v;
        self
    }
    /// Set [`Limits::max_debug_data`].
    #[must_use]
    pub const fn with_max_debug_data(mut self, v: u64) -> Self {
        self.max_debug_data = v;
        self
    }
    /// Set [`Limits::max_runtime_functions`].
    #[must_use]
    pub const fn with_max_runtime_functions(mut self, v: u32) -> Self {
        self.max_runtime_functions = v;
        self
    }
    /// Set [`Limits::max_relocations`].
    #[must_use]
    pub const fn with_max_relocations(mut self, v: u32) -> Self {
        self.max_relocations = v;
        self
    }
    /// Set [`Limits::max_hits`].
    #[must_use]
    pub const fn with_max_hits(mut self, v: usize) -> Self {
        self.max_hits = v;
        self
    }
    /// Set [`Limits::max_xrefs`].
    #[must_use]
    pub const fn with_max_xrefs(mut self, v: usize) -> Self {
        self.max_xrefs = v;
        self
    }
    /// Set [`Limits::max_scan_bytes`].
    #[must_use]
    pub const fn with_max_scan_bytes(mut self, v: u64) -> Self {
        self.max_scan_bytes = v;
        self
    }
}
