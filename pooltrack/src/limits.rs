//! Bounds on the work one call may do over untrusted memory.
//!
//! Shape shared by every library crate of the workspace: `Copy`, `#[non_exhaustive]`, a
//! [`Default`] for real dumps, [`Limits::fuzzing`] for fuzzers, `with_*` setters, and held by the
//! entry object (no per-call limit arguments).

/// Bounds on walks over kernel pool and kernel objects.
///
/// Every count read from memory is also checked against the bytes actually readable, so these
/// limits only matter for memory that is both huge and hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Maximum steps of any list walk (default 1,000,000).
    pub max_list_steps: u64,
    /// Maximum in-use entries one handle-table walk yields (default 2^24, the most a Windows
    /// handle table holds).
    pub max_handles: u64,
    /// Most entries read from one table (tracker table, big page table, verifier log; default
    /// 16,777,216).
    pub max_table_entries: u64,
    /// Most bytes one pool scan (`!poolfind`) reads (default 64 GiB).
    pub max_scan_bytes: u64,
    /// Most findings one call returns (scan hits, outstanding allocations; default 1,000,000).
    pub max_findings: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_list_steps: 1_000_000,
            max_handles: 1 << 24,
            max_table_entries: 1 << 24,
            max_scan_bytes: 1 << 36,
            max_findings: 1_000_000,
        }
    }
}

impl Limits {
    /// Small limits for fuzzing: every walk stops early, so one input costs little.
    pub const fn fuzzing() -> Self {
        Limits {
            max_list_steps: 10_000,
            max_handles: 100_000,
            max_table_entries: 4096,
            max_scan_bytes: 1 << 20,
            max_findings: 1024,
        }
    }
    /// Set [`Limits::max_list_steps`].
    #[must_use]
    pub const fn with_max_list_steps(mut self, n: u64) -> Self {
        self.max_list_steps = n;
        self
    }
    /// Set [`Limits::max_handles`].
    #[must_use]
    pub const fn with_max_handles(mut self, n: u64) -> Self {
        self.max_handles = n;
        self
    }
    /// Set [`Limits::max_table_entries`].
    #[must_use]
    pub const fn with_max_table_entries(mut self, n: u64) -> Self {
        self.max_table_entries = n;
        self
    }
    /// Set [`Limits::max_scan_bytes`].
    #[must_use]
    pub const fn with_max_scan_bytes(mut self, n: u64) -> Self {
        self.max_scan_bytes = n;
        self
    }
    /// Set [`Limits::max_findings`].
    #[must_use]
    pub const fn with_max_findings(mut self, n: u64) -> Self {
        self.max_findings = n;
        self
    }
}
