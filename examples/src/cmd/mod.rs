//! The command families not yet moved to [`crate::user`].

pub mod demo;
pub mod diff;
pub mod heap;
pub mod leak;
pub mod pe;
pub mod stacks;
pub mod windbg;
