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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_list_steps: 1_000_000,
            max_handles: 1 << 24,
        }
    }
}

impl Limits {
    /// Small limits for fuzzing: every walk stops early, so one input costs little.
    pub const fn fuzzing() -> Self {
        Limits {
            max_list_steps: 10_000,
            max_handles: 100_000,
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
}
