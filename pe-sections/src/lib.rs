//! `pe-sections`: (crate docs to be written).
