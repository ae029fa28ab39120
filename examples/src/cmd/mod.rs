//! The command families of `dumpscope`, one module each.

pub mod address;
pub mod demo;
pub mod diff;
pub mod heap;
pub mod info;
pub mod leak;
pub mod pe;
pub mod runaway;
pub mod stacks;
pub mod windbg;
