//! `dumpscope analyze DUMP` and `-c '!analyze -v'` on a user-mode minidump: the exception with its
//! name, an access violation's kind and address, the faulting module and symbol, the `.ecxr`
//! stack, `PROCESS_NAME` and a WinDbg-shaped `FAILURE_BUCKET_ID`. A dump without an exception
//! says so.

use std::path::PathBuf;

use serde::Serialize;

use crate::CliError;
use crate::target::UserDump;
use crate::user::stacks;

mod text;

/// Where symbols and images come from.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Directories with PDBs.
    pub symbol_dirs: Vec<PathBuf>,
    /// Directories with PE images.
    pub image_dirs: Vec<PathBuf>,
}

/// One line of `STACK_TEXT`.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct StackLine {
    /// Stack pointer of the frame.
    pub child_sp: u64,
    /// Where it returns to.
    pub return_address: Option<u64>,
    /// `module!symbol+0xoff`.
    pub call_site: String,
}

/// What `analyze` reports on a user-mode dump; keys are WinDbg's in lower case.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Always `user`.
    pub kind: &'static str,
    /// Exception code, `null` when the dump holds no exception.
    pub exception_code: Option<u32>,
    /// Its name (`STATUS_ACCESS_VIOLATION`).
    pub exception_name: Option<String>,
    /// Its description.
    #[serde(skip)]
    pub exception_description: Option<String>,
    /// The exception address.
    pub exception_address: Option<u64>,
    /// `read`, `write` or `execute` for an access violation.
    pub access: Option<String>,
    /// The address an access violation touched.
    pub access_address: Option<u64>,
    /// The process image (`sigsegv.exe`).
    pub process_name: Option<String>,
    /// `module!symbol+0xoff` of the faulting frame.
    pub symbol_name: Option<String>,
    /// Its module (`sigsegv`).
    pub module_name: Option<String>,
    /// WinDbg-shaped bucket id.
    pub failure_bucket_id: Option<String>,
    /// The `.ecxr` stack.
    pub stack_text: Vec<StackLine>,
    /// Pointer size (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Builds the report.
pub fn investigate(u: &UserDump, o: &Options) -> Result<Report, CliError> {
    let e = u.dump.exception().map_err(|e| CliError::at(&u.path, e))?;
    let process_name = u
        .module_list()
        .first()
        .map(|m| dumpfile::module_base_name(&m.name).to_string());
    let mut r = Report {
        kind: "user",
        exception_code: None,
        exception_name: None,
        exception_description: None,
        exception_address: None,
        access: None,
        access_address: None,
        process_name,
        symbol_name: None,
        module_name: None,
        failure_bucket_id: None,
        stack_text: Vec::new(),
        pointer_size: u.pointer_size(),
    };
    let Some(e) = e else {
        return Ok(r);
    };
    let info = dumpfile::ntstatus_info(e.code);
    r.exception_code = Some(e.code);
    r.exception_name = info.map(|i| i.name.to_string());
    r.exception_description = info.map(|i| i.description.to_string());
    r.exception_address = Some(e.address);
    if e.code == 0xC000_0005
        && let Some((kind, a)) = dumpfile::access_violation(&e.parameters)
    {
        r.access = Some(
            match kind {
                dumpfile::AccessKind::Read => "read",
                dumpfile::AccessKind::Write => "write",
                _ => "execute",
            }
            .to_string(),
        );
        r.access_address = Some(a);
    }
    let so = stacks::Options {
        thread: Some(e.thread_id),
        image_dirs: o.image_dirs.clone(),
        symbol_dirs: o.symbol_dirs.clone(),
        max_frames: 256,
        locator: None,
    };
    let report = stacks::investigate(u, &so)?;
    let frames = report
        .threads
        .into_iter()
        .next()
        .map(|t| t.exception.map_or(t.frames, |s| s.frames))
        .unwrap_or_default();
    if let Some(f) = frames.first() {
        r.module_name = f.module.clone();
        r.symbol_name = Some(f.call_site.clone());
    }
    let func = match frames.first() {
        Some(f) => match (&f.module, &f.symbol) {
            (Some(m), Some(s)) => format!("{m}!{s}"),
            (Some(m), None) => format!("{m}!unknown_function"),
            _ => "unknown_image".to_string(),
        },
        None => "unknown_image".to_string(),
    };
    let name = info.map_or_else(|| format!("{:x}", e.code), |i| i.name.to_string());
    // WinDbg's user-mode buckets: NULL_POINTER_* below 64 KiB, INVALID_POINTER_* above.
    let null = r.access_address.is_some_and(|a| a < 0x10000);
    r.failure_bucket_id = Some(match (r.access.as_deref(), null) {
        (Some("read"), true) => format!("NULL_POINTER_READ_c0000005_{func}"),
        (Some("read"), false) => format!("INVALID_POINTER_READ_c0000005_{func}"),
        (Some("write"), true) => format!("NULL_POINTER_WRITE_c0000005_{func}"),
        (Some("write"), false) => format!("INVALID_POINTER_WRITE_c0000005_{func}"),
        _ => format!("APPLICATION_FAULT_{name}_{func}"),
    });
    r.stack_text = frames
        .iter()
        .map(|f| StackLine {
            child_sp: f.stack_pointer,
            return_address: f.return_address,
            call_site: f.call_site.clone(),
        })
        .collect();
    Ok(r)
}
