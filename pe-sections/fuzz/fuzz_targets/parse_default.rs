#![no_main]
//! Like `parse`, with the default limits (finds work or memory amplified within them).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|input: &[u8]| common::run(input, pe_sections::Limits::default()));
