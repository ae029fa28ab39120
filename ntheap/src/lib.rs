//! `ntheap`: (crate docs to be written).
