//! The target cache: a dump is opened once and each heap walked once, whatever the commands ask;
//! every command takes the kind of file it declares.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use examples::report::{Format, emit};
use examples::target::{Kind, Target};
use examples::user::heap;

#[test]
fn heaps_are_walked_once_for_several_commands() {
    let Some(p) = common::corpus_file("user/win7-x64-wow64-hello-full.dmp") else {
        return;
    };
    let target = Target::open(&p).unwrap();
    assert_eq!(target.kind(), Kind::User);
    let u = target.user("test").unwrap();
    let first = u.walks();
    assert_eq!(first.len(), 1, "one NT heap at 0x2d0000");
    let mut out = Vec::new();
    for mode in [
        heap::Mode::Summary,
        heap::Mode::Stat,
        heap::Mode::Entries(None),
    ] {
        let options = heap::Options {
            mode,
            ..heap::Options::default()
        };
        emit(
            &heap::investigate(u, &options).unwrap(),
            Format::Text,
            &mut out,
        )
        .unwrap();
    }
    // The same walk, not a second one: the cache hands out the same slice.
    assert!(std::ptr::eq(first, u.walks()));
    assert!(std::ptr::eq(u.heaps(), u.heaps()));
    assert!(String::from_utf8(out).unwrap().contains("00000000002d0000"));
}

#[test]
fn a_pe_file_is_not_a_dump() {
    let Some(p) = common::corpus_file("pe/x64-msvc-CrashWithException.exe") else {
        return;
    };
    let target = Target::open(&p).unwrap();
    assert_eq!(target.kind(), Kind::PeFile);
    let e = target.user("leak").unwrap_err().to_string();
    assert!(
        e.ends_with("leak takes a user-mode minidump, not a PE file"),
        "{e}"
    );
}
