//! Caps on the work and memory that reading an untrusted dump may cost.
//!
//! Shape shared by every library crate of the workspace: `Copy`, `#[non_exhaustive]`, a
//! [`Default`] for real dumps, [`Limits::fuzzing`] for fuzzers, `with_*` setters, and held by the
//! entry object ([`Minidump::with_limits`](crate::Minidump::with_limits); no per-call limit
//! arguments).

/// Caps on the work and memory that parsing an untrusted dump may cost.
///
/// Every count in a dump is also checked against the bytes actually present, so these limits
/// only matter for files that are both huge and hostile. Fuzzers lower them; forensic users with
/// enormous dumps raise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum entries in the stream directory (default 65,536).
    pub max_streams: u32,
    /// Maximum memory ranges (MemoryList + Memory64List) indexed at open (default 16 Mi).
    pub max_memory_ranges: u64,
    /// Maximum bytes of one `MINIDUMP_STRING` or in-memory `UNICODE_STRING` (default 64 KiB).
    pub max_string_bytes: u32,
    /// Maximum steps of any list walk: loader list, handle object-information chain (default 100,000).
    pub max_list_steps: u32,
    /// Maximum heaps read from `PEB.ProcessHeaps` (default 4,096).
    pub max_heaps: u32,
    /// Maximum bytes one call may copy out of the dump into strings and record buffers
    /// (module names, CodeView records, handle names and object information, loader names;
    /// default 64 MiB). Bounds the amplification of records that all point at one large string.
    pub max_copy_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_streams: 65_536,
            max_memory_ranges: 16 * 1024 * 1024,
            max_string_bytes: 64 * 1024,
            max_list_steps: 100_000,
            max_heaps: 4_096,
            max_copy_bytes: 64 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// Small limits for fuzzing: every walk and copy stops early, so one input costs little.
    pub const fn fuzzing() -> Self {
        Limits {
            max_streams: 1_024,
            max_memory_ranges: 65_536,
            max_string_bytes: 4_096,
            max_list_steps: 10_000,
            max_heaps: 256,
            max_copy_bytes: 4 * 1024 * 1024,
        }
    }
    /// Set [`Limits::max_streams`].
    #[must_use]
    pub const fn with_max_streams(mut self, v: u32) -> Self {
        self.max_streams = v;
        self
    }
    /// Set [`Limits::max_memory_ranges`].
    #[must_use]
    pub const fn with_max_memory_ranges(mut self, v: u64) -> Self {
        self.max_memory_ranges = v;
        self
    }
    /// Set [`Limits::max_string_bytes`].
    #[must_use]
    pub const fn with_max_string_bytes(mut self, v: u32) -> Self {
        self.max_string_bytes = v;
        self
    }
    /// Set [`Limits::max_list_steps`].
    #[must_use]
    pub const fn with_max_list_steps(mut self, v: u32) -> Self {
        self.max_list_steps = v;
        self
    }
    /// Set [`Limits::max_heaps`].
    #[must_use]
    pub const fn with_max_heaps(mut self, v: u32) -> Self {
        self.max_heaps = v;
        self
    }
    /// Set [`Limits::max_copy_bytes`].
    #[must_use]
    pub const fn with_max_copy_bytes(mut self, v: u64) -> Self {
        self.max_copy_bytes = v;
        self
    }
}
