//! `dumpscope` on kernel dumps: `info` and the WinDbg commands on the real 19041 triage dump.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

#[test]
fn info_of_the_real_triage_dump() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    let j = common::dumpscope_json(&["info", "--json", d]);
    assert_eq!(j["kind"], "kernel");
    assert_eq!(j["dump_type"], "triage");
    assert_eq!(j["system"]["arch"], "x64");
    assert_eq!(j["system"]["build"], 19041);
    assert_eq!(j["system"]["processors"], 16);
    assert_eq!(j["bugcheck"]["code"], 0x1000_007E_u64);
    let params: Vec<u64> = j["bugcheck"]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(
        params,
        [
            0xffff_ffff_c000_0005,
            0xfffff804_8b58334c,
            0xffff8504_29891ee8,
            0xffff8504_29891720
        ]
    );
    let modules = j["modules"].as_array().unwrap();
    assert_eq!(modules.len(), 151);
    assert_eq!(modules[0]["name"], "ntoskrnl.exe");
    assert_eq!(modules[0]["base"], 0xfffff804_7ba00000_u64);
    assert_eq!(modules[0]["size"], 0x104_6000);
    assert!(modules[0]["timestamp"].is_u64() && modules[0]["checksum"].is_u64());
    assert_eq!(j["unloaded_modules"].as_array().unwrap().len(), 4);
}

#[test]
fn windbg_commands_read_the_triage_call_stack_by_address() {
    let Some(dump) = common::corpus_file("kernel/win10-19041-x64-triage.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    // Parameter 3 of the 0x1000007E bugcheck is the exception record, inside the saved stack:
    // its first qword is the exception code and its fourth the exception address (parameter 2).
    let out = common::dumpscope(&[d, "-c", "dq ffff8504`29891ee8 L4", "-c", "!heap -s"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("0: kd> dq ffff8504`29891ee8 L4\n"), "{text}");
    assert!(
        text.contains("ffff8504`29891ee8  00000000`c0000005 00000000`00000000\n"),
        "{text}"
    );
    assert!(text.contains("ffff8504`29891ef8  fffff804`8b58334c"), "{text}");
    assert!(
        text.contains("!heap: takes a user-mode minidump; this is a kernel dump"),
        "{text}"
    );
    assert!(!out.status.success());
}

#[test]
fn kernel_commands_on_a_user_dump_say_so() {
    let Some(dump) = common::corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let d = dump.to_str().unwrap();
    let out = common::dumpscope(&[d, "-c", ".bugcheck", "-c", "!pte 0"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(".bugcheck: takes a kernel dump; this is a user-mode minidump"),
        "{text}"
    );
    assert!(text.contains("!pte: takes a kernel dump"), "{text}");
}

#[test]
fn user_info_says_user() {
    let Some(dump) = common::corpus_file("user/win10-16299-x64-sigsegv.dmp") else {
        return;
    };
    let j = common::dumpscope_json(&["info", "--json", dump.to_str().unwrap()]);
    assert_eq!(j["kind"], "user");
    assert_eq!(j["system"]["arch"], "x64");
}
