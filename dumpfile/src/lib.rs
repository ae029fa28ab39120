//! `dumpfile`: Windows minidumps (crate docs to be written).

#[cfg(feature = "synth")]
pub mod synth;
