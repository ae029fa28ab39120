//! `stackwalk`: (crate docs to be written).
