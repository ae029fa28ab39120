//! The command families not yet moved to [`crate::user`].

pub mod demo;
pub mod diff;
pub mod leak;
