#![no_main]
//! Both parse modes over arbitrary bytes, with the tight fuzzing limits (see `common.rs`).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|input: &[u8]| common::run(input, pe_sections::Limits::fuzzing()));
