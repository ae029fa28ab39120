//! The synthetic ARM64 0x7E (a driver's work item reads through a NULL pointer in a system
//! thread on Windows 11 22000 ARM64): `analyze` names the driver, the process and the read,
//! and walks the `.cxr` ARM64 context record with `.pdata`/`.xdata` unwinding; `stacks` prints
//! the same frames; without the images the walk follows the frame records (x29/x30).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{dumpscope_json, fresh_dir};
use examples::demo::bugcheck_arm64::{BugcheckArm64, bugcheck_7e_arm64};

fn write(name: &str, s: &BugcheckArm64) -> (std::path::PathBuf, String) {
    let dir = fresh_dir(name);
    let p = dir.join(format!("{name}.dmp"));
    std::fs::write(&p, &s.bytes).unwrap();
    let ps = p.to_str().unwrap().to_string();
    (dir, ps)
}

/// The frames of a `stacks`/`analyze` JSON report: (Child-SP, call site, trust).
fn frames(v: &serde_json::Value) -> Vec<(u64, String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["child_sp"].as_u64().unwrap(),
                f["call_site"].as_str().unwrap().to_string(),
                f["trust"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn analyze_names_the_driver_and_walks_the_arm64_context_record() {
    let s = bugcheck_7e_arm64().unwrap();
    let (dir, p) = write("arm64-7e-analyze", &s);
    let v = dumpscope_json(&["analyze", "--json", &p]);
    assert_eq!(v["bugcheck_code"], 0x1000_007E);
    assert_eq!(v["osplatform_type"], "arm64");
    assert_eq!(v["module_name"], "myfault");
    assert_eq!(v["image_name"], "myfault.sys");
    assert_eq!(v["process_name"], s.process);
    assert_eq!(v["symbol_name"], "myfault!MyfaultWorkerRoutine+2c");
    assert_eq!(v["image_version"], "4.20.0.0");
    assert_eq!(v["faulting_ip"].as_u64().unwrap(), s.faulting_ip);
    assert_eq!(v["failure_bucket_id"], "AV_R_myfault!MyfaultWorkerRoutine");
    let keys: Vec<(String, String)> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().to_string(),
                k["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let key = |name: &str| {
        keys.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {keys:?}"))
    };
    assert_eq!(key("READ_ADDRESS"), format!("00000000`{:08x}", s.address));
    assert!(key("CONTEXT").ends_with(&format!("(.cxr 0x{:x})", s.context_record)));
    assert!(key("EXCEPTION_RECORD").ends_with(&format!("(.exr 0x{:x})", s.exception_record)));
    // Frame by frame: the context record's frame, then .pdata/.xdata unwinding.
    let got = frames(&v["stack_text"]);
    let want: Vec<(u64, String, String)> = s
        .frames
        .iter()
        .enumerate()
        .map(|(i, (sp, _, site))| {
            let trust = if i == 0 { "context" } else { "unwind" };
            (*sp, site.clone(), trust.to_string())
        })
        .collect();
    assert_eq!(got, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stacks_walks_the_cxr_and_each_return_address_is_the_next_frame() {
    let s = bugcheck_7e_arm64().unwrap();
    let (dir, p) = write("arm64-7e-stacks", &s);
    let v = dumpscope_json(&["stacks", "--json", &p]);
    assert_eq!(v["start"], format!(".cxr 0x{:x}", s.context_record));
    assert_eq!(v["stop"], "end of stack");
    // The context record's registers, as `.cxr` lists them: x0..x28, fp, lr, sp, pc.
    let regs: Vec<(String, u64)> = v["registers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_string(), r[1].as_u64().unwrap()))
        .collect();
    let names: Vec<&str> = regs.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names.len(), 33, "{names:?}");
    assert_eq!(&names[..2], ["x0", "x1"]);
    assert_eq!(&names[28..], ["x28", "fp", "lr", "sp", "pc"]);
    let reg = |n: &str| regs.iter().find(|r| r.0 == n).unwrap().1;
    assert_eq!(reg("pc"), s.faulting_ip);
    assert_eq!((reg("sp"), reg("fp")), (s.frames[0].0, s.frames[0].0));
    assert_eq!(reg("lr"), s.frames[1].1);
    assert_eq!(reg("x8"), 0, "the NULL pointer read through");
    let f = v["frames"].as_array().unwrap();
    assert_eq!(f.len(), s.frames.len());
    for (i, (sp, _, site)) in s.frames.iter().enumerate() {
        assert_eq!(f[i]["child_sp"].as_u64().unwrap(), *sp, "frame {i}");
        assert_eq!(f[i]["call_site"], site.as_str(), "frame {i}");
        let ret = s.frames.get(i + 1).map(|n| n.1);
        assert_eq!(f[i]["return_address"].as_u64(), ret, "frame {i}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn windbg_cxr_prints_the_arm64_registers_and_walks() {
    let s = bugcheck_7e_arm64().unwrap();
    let (dir, p) = write("arm64-7e-cxr", &s);
    let cmd = format!(".cxr 0x{:x}", s.context_record);
    let out = common::dumpscope(&[&p, "-c", &cmd]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        format!("pc={:016x}", s.faulting_ip),
        format!("sp={:016x}", s.frames[0].0),
        format!("x8={:016x}", 0),
        format!("{} myfault!MyfaultWorkerRoutine+0x2c", {
            let sp = s.frames[0].0;
            let ret = s.frames[1].1;
            format!(
                "{:08x}`{:08x} {:08x}`{:08x}",
                sp >> 32,
                sp & 0xffff_ffff,
                ret >> 32,
                ret & 0xffff_ffff
            )
        }),
    ] {
        assert!(text.contains(&want), "lacks {want:?}:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn trap_on_arm64_says_the_layout_is_not_known() {
    let s = bugcheck_7e_arm64().unwrap();
    let (dir, p) = write("arm64-7e-trap", &s);
    let cmd = format!(".trap 0x{:x}", s.context_record);
    let out = common::dumpscope(&[&p, "-c", &cmd]);
    assert!(!out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ARM64 trap frames are not read"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_the_images_the_frame_records_still_reach_the_thread_start() {
    let s = BugcheckArm64::build(false).unwrap();
    let (dir, p) = write("arm64-7e-records", &s);
    let v = dumpscope_json(&["stacks", "--json", &p]);
    let f = v["frames"].as_array().unwrap();
    let sites: Vec<&str> = f.iter().map(|x| x["call_site"].as_str().unwrap()).collect();
    // No image: no exports, so `module+offset`, from the same addresses.
    let want: Vec<String> = s
        .frames
        .iter()
        .map(|(_, ip, site)| {
            let (module, base) = if site.starts_with("myfault!") {
                ("myfault", s.myfault_base)
            } else {
                ("nt", 0xffff_f803_f2e0_0000)
            };
            format!("{module}+{:#x}", ip - base)
        })
        .collect();
    assert_eq!(sites, want);
    // Without unwind data the caller's stack pointer is not known: a frame found through the
    // callee's {x29, x30} record gets the address just above that record (record + 0x10).
    let sps: Vec<u64> = f.iter().map(|x| x["child_sp"].as_u64().unwrap()).collect();
    let mut want_sps = vec![s.frames[0].0];
    want_sps.extend(s.frames.windows(2).map(|w| w[0].0 + 0x10));
    assert_eq!(sps, want_sps);
    assert!(f[1..].iter().all(|x| x["trust"] != "unwind"), "{f:?}");
    let v = dumpscope_json(&["analyze", "--json", &p]);
    assert_eq!(v["module_name"], "myfault");
    assert_eq!(
        v["symbol_name"],
        format!("myfault+{:x}", s.faulting_ip - s.myfault_base)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_saved_context_walks_from_ke_bug_check_ex() {
    use examples::adapt::KernelMem;
    let s = bugcheck_7e_arm64().unwrap();
    let d = dumpfile::KernelDump::from_bytes(s.bytes.clone()).unwrap();
    let nt = d.drivers().unwrap()[0].base;
    let mem = KernelMem(&d, None);
    let unwind = stackwalk::ImageUnwind::from_mapped(mem, nt).unwrap();
    let mods = stackwalk::Modules::new(vec![stackwalk::Module {
        name: "nt".into(),
        base: nt,
        size: 0x10_0000,
        unwind: Some(Box::new(unwind)),
        frame_data: None,
        symbols: None,
        code_ranges: None,
    }]);
    let walker = stackwalk::Walker::new(mem, &mods);
    let c = d.context().unwrap();
    let stack = walker.walk(examples::adapt::stack::kernel_context(&c));
    let got: Vec<(u64, u64)> = stack
        .frames
        .iter()
        .map(|f| (f.stack_pointer, f.instruction))
        .collect();
    let want: Vec<(u64, u64)> = s.saved_frames.iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(got, want);
}

/// A power-button 0x1C8 shaped like the real Windows 11 22000 ARM64 triage dump: the saved
/// context stops in the bugcheck routine (lr 0, fp = sp) and every frame is in nt, with no
/// image of nt in the dump. `analyze` blames nt at the frame that called the bugcheck routine
/// instead of `unknown_image`, and names the kernel image as WinDbg does: `ntkrnlmp.exe` on a
/// multiprocessor system, the driver list's `ntoskrnl.exe` on a uniprocessor one.
#[test]
fn a_stack_entirely_in_nt_is_blamed_on_nt_past_the_bugcheck_frame() {
    use dumpfile::synth::kernel::{KernelArch, KernelDumpBuilder, KernelDumpType, SynthDriver};
    use dumpfile::synth::{Arm64Registers, SynthContext};
    let nt = 0xffff_f803_f2e0_0000_u64;
    let sp = 0xffff_e00e_0e4b_c4a0_u64;
    let dir = fresh_dir("arm64-1c8");
    for (processors, image) in [(8, "ntkrnlmp.exe"), (1, "ntoskrnl.exe")] {
        let mut b = KernelDumpBuilder::new(KernelArch::Arm64, KernelDumpType::Triage);
        b.build_number(22000).processors(processors);
        b.bugcheck(0x1C8, [0x1B58, 0xffff_f803_f3a2_0860, 0, 0]);
        let mut x = [0u64; 31];
        x[29] = sp;
        b.context(SynthContext::Arm64(Arm64Registers {
            cpsr: 0x8000_0144,
            x,
            sp,
            pc: nt + 0x4d_e014,
            ..Arm64Registers::default()
        }));
        let mut d = SynthDriver::new("ntoskrnl.exe", nt, 0x103_e000);
        d.path = "\\SystemRoot\\system32\\ntoskrnl.exe".into();
        b.driver(d);
        // Frame records: {fp, lr} at sp -> caller nt+0x5442a0, whose record ends the chain.
        let mut stack = vec![0u8; 0x100];
        stack[0..8].copy_from_slice(&(sp + 0x60).to_le_bytes());
        stack[8..16].copy_from_slice(&(nt + 0x54_42a0).to_le_bytes());
        b.triage_stack(sp, stack);
        let p = dir.join(format!("arm64-1c8-{processors}.dmp"));
        std::fs::write(&p, b.write().unwrap()).unwrap();
        let v = dumpscope_json(&["analyze", "--json", p.to_str().unwrap()]);
        let sites: Vec<&str> = v["stack_text"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["call_site"].as_str().unwrap())
            .collect();
        assert_eq!(sites, ["nt+0x4de014", "nt+0x5442a0"]);
        assert_eq!(v["module_name"], "nt");
        assert_eq!(v["image_name"], image);
        assert_eq!(v["symbol_name"], "nt+5442a0");
        assert_eq!(v["failure_bucket_id"], "0x1c8_nt!unknown_function");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
