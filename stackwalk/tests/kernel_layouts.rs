//! The raw kernel frame layouts against PDB-derived layouts in the corpus: the volatility3
//! ISF files of ntoskrnl 7601, 9600 and 22000 (x64) and the Vergilius headers of Windows XP
//! and 7 (x86) and 11 22631 (x64).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::mem::offset_of;

use common::corpus;
use stackwalk::raw::{KExceptionFrame, KTrapFrame, KTrapFrameX86};

/// The `fields` of one type of a pretty-printed ISF file: name -> offset.
fn isf_fields(json: &str, ty: &str) -> HashMap<String, usize> {
    let start = json
        .find(&format!("\n    \"{ty}\": {{"))
        .unwrap_or_else(|| panic!("{ty} not in the ISF"));
    let body = &json[start + 1..];
    let end = body.find("\n    }").unwrap();
    let body = &body[..end];
    let mut out = HashMap::new();
    let mut name = None;
    for line in body.lines() {
        if line.starts_with("        \"") && line.ends_with("{") {
            name = Some(
                line.trim()
                    .trim_end_matches(": {")
                    .trim_matches('"')
                    .to_string(),
            );
        } else if let (Some(n), Some(v)) = (&name, line.trim().strip_prefix("\"offset\": ")) {
            out.insert(n.clone(), v.trim_end_matches(',').parse().unwrap());
            name = None;
        }
    }
    out
}

/// The `// offset: 0x..` comments of a struct in a Vergilius header.
fn vergilius_fields(h: &str, ty: &str) -> HashMap<String, usize> {
    let start = h.find(&format!("struct {ty} {{")).unwrap();
    let body = &h[start..];
    let body = &body[..body.find("\n};").unwrap()];
    let mut out = HashMap::new();
    for line in body.lines().skip(1) {
        let Some((decl, off)) = line.split_once("// offset: 0x") else {
            continue;
        };
        let name = decl
            .trim()
            .trim_end_matches(';')
            .rsplit([' ', '*'])
            .next()
            .unwrap();
        let name = name.split('[').next().unwrap().to_string();
        let off = usize::from_str_radix(off.split_whitespace().next().unwrap(), 16).unwrap();
        out.entry(name).or_insert(off);
    }
    out
}

fn xz(path: &std::path::Path) -> Option<String> {
    match std::process::Command::new("xz")
        .arg("-dc")
        .arg(path)
        .output()
    {
        Ok(o) if o.status.success() => Some(String::from_utf8(o.stdout).unwrap()),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIP: xz cannot decompress {}",
                path.display()
            );
            None
        }
    }
}

fn x64_trap_offsets() -> Vec<(&'static str, usize)> {
    vec![
        ("PreviousMode", offset_of!(KTrapFrame, previous_mode)),
        ("PreviousIrql", offset_of!(KTrapFrame, previous_irql)),
        ("ExceptionActive", offset_of!(KTrapFrame, exception_active)),
        ("Rax", offset_of!(KTrapFrame, rax)),
        ("Rcx", offset_of!(KTrapFrame, rcx)),
        ("Rdx", offset_of!(KTrapFrame, rdx)),
        ("R8", offset_of!(KTrapFrame, r8)),
        ("R9", offset_of!(KTrapFrame, r9)),
        ("R10", offset_of!(KTrapFrame, r10)),
        ("R11", offset_of!(KTrapFrame, r11)),
        ("Xmm0", offset_of!(KTrapFrame, xmm0_5)),
        ("FaultAddress", offset_of!(KTrapFrame, fault_address)),
        ("Dr7", offset_of!(KTrapFrame, dr7)),
        ("SegDs", offset_of!(KTrapFrame, seg_ds)),
        ("TrapFrame", offset_of!(KTrapFrame, trap_frame)),
        ("Rbx", offset_of!(KTrapFrame, rbx)),
        ("Rdi", offset_of!(KTrapFrame, rdi)),
        ("Rsi", offset_of!(KTrapFrame, rsi)),
        ("Rbp", offset_of!(KTrapFrame, rbp)),
        ("ErrorCode", offset_of!(KTrapFrame, error_code)),
        ("Rip", offset_of!(KTrapFrame, rip)),
        ("SegCs", offset_of!(KTrapFrame, seg_cs)),
        ("EFlags", offset_of!(KTrapFrame, e_flags)),
        ("Rsp", offset_of!(KTrapFrame, rsp)),
        ("SegSs", offset_of!(KTrapFrame, seg_ss)),
    ]
}

fn x64_exception_offsets() -> Vec<(&'static str, usize)> {
    vec![
        ("Xmm6", offset_of!(KExceptionFrame, xmm6_15)),
        ("Xmm15", offset_of!(KExceptionFrame, xmm6_15) + 9 * 16),
        ("TrapFrame", offset_of!(KExceptionFrame, trap_frame)),
        ("MxCsr", offset_of!(KExceptionFrame, mx_csr)),
        ("Rbp", offset_of!(KExceptionFrame, rbp)),
        ("Rbx", offset_of!(KExceptionFrame, rbx)),
        ("Rdi", offset_of!(KExceptionFrame, rdi)),
        ("Rsi", offset_of!(KExceptionFrame, rsi)),
        ("R12", offset_of!(KExceptionFrame, r12)),
        ("R13", offset_of!(KExceptionFrame, r13)),
        ("R14", offset_of!(KExceptionFrame, r14)),
        ("R15", offset_of!(KExceptionFrame, r15)),
        ("Return", offset_of!(KExceptionFrame, return_address)),
    ]
}

#[test]
fn x64_frames_match_the_isf_layouts() {
    for file in [
        "kernel-layouts/win7-7601-x64-ntkrnlmp-339E7413.isf.json.xz",
        "kernel-layouts/win81-9600-x64-ntkrnlmp-169C6521.isf.json.xz",
        "kernel-layouts/win11-22000-x64-ntkrnlmp-0CE4A95C.isf.json.xz",
    ] {
        let Some(p) = corpus(file) else { return };
        let Some(json) = xz(&p) else { return };
        let trap = isf_fields(&json, "_KTRAP_FRAME");
        for (name, off) in x64_trap_offsets() {
            assert_eq!(trap.get(name), Some(&off), "{file}: _KTRAP_FRAME.{name}");
        }
        let ex = isf_fields(&json, "_KEXCEPTION_FRAME");
        for (name, off) in x64_exception_offsets() {
            assert_eq!(ex.get(name), Some(&off), "{file}: _KEXCEPTION_FRAME.{name}");
        }
        // The machine frame the hardware pushes sits at ErrorCode: RIP, CS, EFLAGS, RSP, SS.
        assert_eq!(trap["Rsp"] - trap["ErrorCode"], 0x20);
    }
}

#[test]
fn x64_frames_match_the_windows_11_headers() {
    let Some(p) = corpus("kernel-layouts/win11-22631-x64-vergilius.h") else {
        return;
    };
    let h = std::fs::read_to_string(p).unwrap();
    let trap = vergilius_fields(&h, "_KTRAP_FRAME");
    for (name, off) in x64_trap_offsets() {
        if name == "Xmm0" || name == "FaultAddress" || name == "ErrorCode" {
            continue; // inside unions the header nests differently
        }
        assert_eq!(trap.get(name), Some(&off), "_KTRAP_FRAME.{name}");
    }
    let ex = vergilius_fields(&h, "_KEXCEPTION_FRAME");
    for (name, off) in x64_exception_offsets() {
        if name == "Xmm15" {
            continue;
        }
        assert_eq!(ex.get(name), Some(&off), "_KEXCEPTION_FRAME.{name}");
    }
}

#[test]
fn x86_trap_frame_matches_xp_and_7() {
    for file in [
        "kernel-layouts/winxp-2600-x86-vergilius.h",
        "kernel-layouts/win7-7601-x86-vergilius.h",
    ] {
        let Some(p) = corpus(file) else { return };
        let h = std::fs::read_to_string(p).unwrap();
        let f = vergilius_fields(&h, "_KTRAP_FRAME");
        for (name, off) in [
            ("DbgEbp", offset_of!(KTrapFrameX86, dbg_ebp)),
            ("DbgEip", offset_of!(KTrapFrameX86, dbg_eip)),
            ("TempEsp", offset_of!(KTrapFrameX86, temp_esp)),
            ("Edx", offset_of!(KTrapFrameX86, edx)),
            ("Ecx", offset_of!(KTrapFrameX86, ecx)),
            ("Eax", offset_of!(KTrapFrameX86, eax)),
            ("Edi", offset_of!(KTrapFrameX86, edi)),
            ("Esi", offset_of!(KTrapFrameX86, esi)),
            ("Ebx", offset_of!(KTrapFrameX86, ebx)),
            ("Ebp", offset_of!(KTrapFrameX86, ebp)),
            ("ErrCode", offset_of!(KTrapFrameX86, err_code)),
            ("Eip", offset_of!(KTrapFrameX86, eip)),
            ("SegCs", offset_of!(KTrapFrameX86, seg_cs)),
            ("EFlags", offset_of!(KTrapFrameX86, e_flags)),
            ("HardwareEsp", offset_of!(KTrapFrameX86, hardware_esp)),
            ("HardwareSegSs", offset_of!(KTrapFrameX86, hardware_seg_ss)),
            ("V86Gs", offset_of!(KTrapFrameX86, v86_gs)),
        ] {
            assert_eq!(f.get(name), Some(&off), "{file}: _KTRAP_FRAME.{name}");
        }
        assert_eq!(
            stackwalk::trap_frame_x86::HARDWARE_ESP_OFFSET as usize,
            f["HardwareEsp"]
        );
    }
}
