//! `dumpscope leak` on a kernel dump: the pool-leak and handle-leak investigations a support
//! engineer runs in WinDbg, automated, each step with its evidence:
//!
//! 1. `!vm`: which pool is exhausted or excessive, and failed pool allocations;
//! 2. `!poolused`: which tags hold that pool (bytes, allocations not yet freed), described;
//! 3. the tags' owners: the description (pooltag.txt or the built-in table) and the drivers
//!    whose code uses the tag as an instruction immediate ([`owners`]);
//! 4. Driver Verifier, when it tracks pool: the suspect drivers' outstanding allocations by tag
//!    and caller, with their allocation stacks from the verifier's pool log;
//! 5. when the top tag is an object type (`Thre`, `Proc`, `File`, ...): the processes holding the
//!    most handles, their handles by type, whether the objects are dead (terminated threads,
//!    exited processes) and what created them ([`objects`]);
//! 6. ranked suspects and a conclusion naming the driver and the process holding the leak.
//!
//! On a crash dump the `analyze` summary comes first. A dump that lacks what a step needs
//! (triage dumps carry no pool, no ISF file names the kernel's globals) says so and goes on.

use std::path::PathBuf;

use serde::Serialize;

use crate::kernel::{analyze, pool, verifier, vm};
use crate::report::{human_size, percent_x100, thousands};
use crate::target::KernelTarget;

pub mod objects;
pub mod owners;
mod text;

pub(crate) use text::reference_text;

/// Tags listed in step 2.
const LISTED_TAGS: usize = 10;
/// Tags whose owners are looked for in step 3.
const OWNER_TAGS: usize = 3;
/// Code references kept per tag.
const MAX_REFERENCES: usize = 8;
/// Allocations whose verifier log is read in step 4.
const LOGGED_ALLOCATIONS: usize = 3;

/// What `leak` on a kernel dump reads besides the dump.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// A `pooltag.txt` (else the built-in table of common tags).
    pub pooltag: Option<PathBuf>,
    /// A folder of driver files for the tag owners (`--images`).
    pub images: Option<PathBuf>,
}

/// The crash this dump was written for (`analyze`'s summary).
#[derive(Debug, Clone, Serialize)]
pub struct Crash {
    /// Bugcheck code.
    pub bugcheck_code: u32,
    /// Its name.
    pub bugcheck_name: String,
    /// The four parameters.
    pub bugcheck_params: [u64; 4],
    /// `MODULE_NAME`.
    pub module_name: Option<String>,
    /// `IMAGE_NAME`.
    pub image_name: Option<String>,
    /// `PROCESS_NAME`.
    pub process_name: Option<String>,
    /// `FAILURE_BUCKET_ID`.
    pub failure_bucket_id: String,
}

/// Which pool.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PoolKind {
    /// Non-paged pool.
    NonPaged,
    /// Paged pool.
    Paged,
}

impl PoolKind {
    /// `non-paged pool`, `paged pool`.
    pub fn words(self) -> &'static str {
        match self {
            PoolKind::NonPaged => "non-paged pool",
            PoolKind::Paged => "paged pool",
        }
    }
}

/// Step 1: `!vm`.
#[derive(Debug, Clone, Serialize)]
pub struct VmStep {
    /// The pool lines (usage and maxima) as `!vm` prints them: label, kilobytes.
    pub pool_lines: Vec<(String, u64)>,
    /// WinDbg's warnings.
    pub warnings: Vec<String>,
    /// The pool `!vm` calls excessive, if any.
    pub pressure: Option<PoolKind>,
    /// Pool allocations that failed.
    pub failed_allocations: u64,
}

/// One tag in step 2.
#[derive(Debug, Clone, Serialize)]
pub struct TagStep {
    /// The tag.
    pub tag: String,
    /// Which pool it is counted in (the one with more bytes).
    pub pool: PoolKind,
    /// Allocations not yet freed (`Diff`).
    pub outstanding: u64,
    /// Bytes in use.
    pub bytes: u64,
    /// Share of all tagged bytes of that pool, in hundredths of a percent.
    pub percent_x100: u64,
    /// Description (`Thread objects, Binary: nt!ps`).
    pub description: Option<String>,
}

/// Step 2: `!poolused`.
#[derive(Debug, Clone, Serialize)]
pub struct PoolStep {
    /// The pool ranked (the exhausted one, else both summed).
    pub ranked: Option<PoolKind>,
    /// Bytes of every tag in that pool.
    pub total_bytes: u64,
    /// The top tags, most bytes first.
    pub tags: Vec<TagStep>,
    /// How the tracker tables were found when no symbols named them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One use of a tag in a driver's code (step 3).
#[derive(Debug, Clone, Serialize)]
pub struct TagReference {
    /// Driver file (`myfault.sys`).
    pub driver: String,
    /// RVA of the instruction.
    pub rva: u64,
    /// `driver+rva`.
    pub location: String,
    /// The function holding it (`myfault!PoolLeak+0x1c`) when exports or symbols name it.
    pub function: Option<String>,
    /// Where the function holding it starts (`myfault+0x6630`), from the driver's `.pdata`
    /// (x64).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_start: Option<String>,
    /// `push`, `mov reg`, `mov mem`, `cmp`.
    pub instruction: String,
    /// Where the code was read: `dump` or `file` (the `--images` folder).
    pub source: &'static str,
}

/// Step 3: who owns a tag.
#[derive(Debug, Clone, Serialize)]
pub struct TagOwner {
    /// The tag.
    pub tag: String,
    /// Its description.
    pub description: Option<String>,
    /// The binary the description names (`nt!ps`, `myfault.sys`).
    pub binary: Option<String>,
    /// Drivers whose code uses the tag.
    pub references: Vec<TagReference>,
    /// Drivers scanned, and code bytes read.
    pub drivers_scanned: u64,
    /// Code bytes read.
    pub code_bytes: u64,
    /// Code pages not in the dump.
    pub pages_missing: u64,
    /// Drivers read from their files (`--images`) because their code was not all in the dump.
    pub drivers_from_files: u64,
}

/// Outstanding allocations of one driver, tag and caller (step 4).
#[derive(Debug, Clone, Serialize)]
pub struct VerifierGroup {
    /// Driver.
    pub driver: String,
    /// Tag.
    pub tag: String,
    /// The caller as `module!symbol+off`.
    pub caller: String,
    /// Allocations.
    pub count: u64,
    /// Bytes.
    pub bytes: u64,
    /// Distinct sizes (up to 4).
    pub sizes: Vec<u64>,
    /// An allocation of the group, for `!verifier 80 ADDR`.
    pub example: u64,
}

/// An allocation stack from the verifier's pool log, with the allocations logged with it.
#[derive(Debug, Clone, Serialize)]
pub struct LoggedStack {
    /// The allocations whose log entry has this stack.
    pub addresses: Vec<u64>,
    /// Its size.
    pub size: u64,
    /// The thread that allocated it.
    pub thread: u64,
    /// The stack, symbolized.
    pub stack: Vec<String>,
}

/// Step 4: Driver Verifier.
#[derive(Debug, Clone, Serialize)]
pub struct VerifierStep {
    /// Verifier flags.
    pub level: u32,
    /// Whether pool tracking (flag 0x8) is on.
    pub pool_tracking: bool,
    /// Verified drivers (loaded or not).
    pub drivers: Vec<String>,
    /// Outstanding allocations grouped, most bytes first.
    pub groups: Vec<VerifierGroup>,
    /// Allocation stacks of a few of the suspect's allocations.
    pub stacks: Vec<LoggedStack>,
}

/// What a kernel suspect is: a driver, with the function, tag and process behind the leak.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Culprit {
    /// The driver (`myfault.sys`, `mydriver.sys`).
    pub driver: String,
    /// The function, when known (`myfault!PoolLeak+0x21`, `mydriver!StatusWaitThread`).
    pub function: Option<String>,
    /// The tag.
    pub tag: Option<String>,
    /// The process holding the leaked objects (handle leaks).
    pub process: Option<String>,
    /// Of the objects, those dead (terminated threads, exited processes).
    pub dead: u64,
}

/// A ranked suspect (the shape the user-heap leak shares): leaked allocations or objects and
/// their bytes.
pub type Suspect = crate::report::Suspect<Culprit>;

/// What `leak` finds on a kernel dump.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Always `kernel`.
    pub kind: &'static str,
    /// `x86`, `x64`.
    pub arch: String,
    /// Windows build.
    pub build: u32,
    /// The crash summary (when the dump was written for a bugcheck).
    pub crash: Option<Crash>,
    /// Step 1.
    pub vm: Option<VmStep>,
    /// Step 2.
    pub pool: Option<PoolStep>,
    /// Step 3.
    pub owners: Vec<TagOwner>,
    /// Step 4.
    pub verifier: Option<VerifierStep>,
    /// Step 5.
    pub objects: Option<objects::ObjectStep>,
    /// Ranked suspects.
    pub suspects: Vec<Suspect>,
    /// The answer, one paragraph.
    pub conclusion: String,
    /// What the dump lacks for a step, each a sentence.
    pub lacks: Vec<String>,
    /// Pointer size (text only).
    #[serde(skip)]
    pub pointer_size: usize,
}

/// Runs the investigation; never fails: what cannot be read is said in `lacks`.
pub fn investigate(k: &KernelTarget, o: &Options) -> Report {
    let mut lacks = Vec::new();
    let triage = k.dump.triage().is_some();
    if triage {
        lacks.push(
            "a triage dump holds the crashing thread, processes and drivers but no pool: steps 1 to 5 need a kernel or full memory dump"
                .to_string(),
        );
    }
    let crash = crash(k);
    let vm = if triage {
        None
    } else {
        match vm::investigate(k, &vm::Options) {
            Ok(r) => Some(vm_step(&r)),
            Err(e) => {
                lacks.push(format!("step 1 (!vm): {}", short(k, &e)));
                None
            }
        }
    };
    let descriptions = match pool::descriptions(o.pooltag.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            lacks.push(format!("tag descriptions: {e}; using the built-in table"));
            pooltrack::TagDescriptions::builtin()
        }
    };
    let pressure = vm.as_ref().and_then(|v| v.pressure);
    let pool_step = if triage {
        None
    } else {
        match pool_step(k, pressure, &descriptions) {
            Ok(p) => Some(p),
            Err(e) => {
                lacks.push(format!("step 2 (!poolused): {}", short(k, &e)));
                None
            }
        }
    };
    let mut owners = Vec::new();
    if let Some(p) = &pool_step {
        for t in p.tags.iter().take(OWNER_TAGS) {
            owners.push(owners::owner_with(
                k,
                &t.tag,
                &descriptions,
                o.images.as_deref(),
            ));
        }
    }
    let verifier = if triage {
        None
    } else {
        match verifier_step(k) {
            Ok(v) => v,
            Err(e) => {
                lacks.push(format!("step 4 (!verifier 3): {}", short(k, &e)));
                None
            }
        }
    };
    let top_tag = pool_step
        .as_ref()
        .and_then(|p| p.tags.first())
        .map(|t| t.tag.clone());
    // Without pool data the process with the most handles is still looked at: a handle
    // leak shows there even when the pool cannot be read.
    let object_type = match (&pool_step, top_tag.as_deref()) {
        (Some(_), Some(tag)) => objects::type_of_tag(tag).map(Some),
        (None, _) if !triage => Some(None),
        _ => None,
    };
    let objects = match object_type {
        Some(type_name) => match objects::investigate(k, type_name) {
            Ok(s) => Some(s),
            Err(e) => {
                lacks.push(format!("step 5 (!process 0 0, !handle): {}", short(k, &e)));
                None
            }
        },
        None => None,
    };
    let pointer_size = k.pointer_size();
    let suspects = rank(
        pool_step.as_ref(),
        &owners,
        verifier.as_ref(),
        objects.as_ref(),
    );
    // A full or kernel dump whose pool could not be read for want of the kernel's symbols
    // says how to give them, not that it holds no pool.
    let needs_symbols = (pool_step.is_none() && !triage && matches!(k.symbols(), Ok(None)))
        .then(|| k.symbols_hint());
    let conclusion = conclude(
        &suspects,
        vm.as_ref(),
        pool_step.as_ref(),
        crash.as_ref(),
        needs_symbols.as_deref(),
    );
    Report {
        kind: "kernel",
        arch: crate::kernel::info::arch_name(k.dump.arch()).to_string(),
        build: k.dump.build(),
        crash,
        vm,
        pool: pool_step,
        owners,
        verifier,
        objects,
        suspects,
        conclusion,
        lacks,
        pointer_size,
    }
}

/// An error's message without the dump's path in front.
fn short(k: &KernelTarget, e: &crate::CliError) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", k.path.display());
    text.strip_prefix(&prefix)
        .map_or(text.clone(), str::to_string)
}

fn crash(k: &KernelTarget) -> Option<Crash> {
    if k.dump.bugcheck().code == 0 {
        return None;
    }
    let a = analyze::investigate(k, &analyze::Options::default());
    Some(Crash {
        bugcheck_code: a.bugcheck_code,
        bugcheck_name: a.bugcheck_name,
        bugcheck_params: a.bugcheck_params,
        module_name: a.module_name,
        image_name: a.image_name,
        process_name: a.process_name,
        failure_bucket_id: a.failure_bucket_id,
    })
}

fn vm_step(r: &vm::Report) -> VmStep {
    let mut pressure = None;
    let mut failed = 0;
    for i in &r.summary.items {
        if let pooltrack::VmItem::Warning(w) = i {
            match w {
                pooltrack::VmWarning::ExcessiveNonPagedPool => {
                    pressure.get_or_insert(PoolKind::NonPaged);
                }
                pooltrack::VmWarning::ExcessivePagedPool => {
                    pressure.get_or_insert(PoolKind::Paged);
                }
                pooltrack::VmWarning::PoolAllocationsFailed(n) => failed = *n,
                _ => {}
            }
        }
    }
    VmStep {
        pool_lines: r
            .lines
            .iter()
            .filter(|l| l.label.contains("Pool"))
            .map(|l| (l.label.clone(), l.kb))
            .collect(),
        warnings: r.warnings.clone(),
        pressure,
        failed_allocations: failed,
    }
}

fn pool_step(
    k: &KernelTarget,
    pressure: Option<PoolKind>,
    d: &pooltrack::TagDescriptions,
) -> Result<PoolStep, crate::CliError> {
    let p = k.pool()?;
    let usage = p.pool_usage(false).map_err(|e| pool::perr(k, e))?;
    let pick = |t: &pooltrack::TagUsage, kind: Option<PoolKind>| match kind {
        Some(PoolKind::NonPaged) => t.non_paged.bytes,
        Some(PoolKind::Paged) => t.paged.bytes,
        None => t.non_paged.bytes.saturating_add(t.paged.bytes),
    };
    let total = usage
        .tags
        .iter()
        .fold(0u64, |a, t| a.saturating_add(pick(t, pressure)));
    let mut sorted: Vec<&pooltrack::TagUsage> = usage.tags.iter().collect();
    sorted.sort_by(|a, b| {
        pick(b, pressure)
            .cmp(&pick(a, pressure))
            .then(a.tag.0.cmp(&b.tag.0))
    });
    let tags = sorted
        .into_iter()
        .filter(|t| pick(t, pressure) > 0)
        .take(LISTED_TAGS)
        .map(|t| {
            let kind = pressure.unwrap_or(if t.paged.bytes > t.non_paged.bytes {
                PoolKind::Paged
            } else {
                PoolKind::NonPaged
            });
            let c = match kind {
                PoolKind::NonPaged => t.non_paged,
                PoolKind::Paged => t.paged,
            };
            TagStep {
                tag: t.tag.to_string(),
                pool: kind,
                outstanding: c.allocs.saturating_sub(c.frees),
                bytes: c.bytes,
                percent_x100: percent_x100(pick(t, pressure), total),
                description: d.get(t.tag).map(pooltrack::TagInfo::windbg_text),
            }
        })
        .collect();
    Ok(PoolStep {
        ranked: pressure,
        total_bytes: total,
        tags,
        note: k.pool_note(),
    })
}

fn verifier_step(k: &KernelTarget) -> Result<Option<VerifierStep>, crate::CliError> {
    // Level 0: Driver Verifier is off, and its driver list need not be known.
    let stats = k.pool()?.verifier_stats().map_err(|e| pool::perr(k, e))?;
    if stats.level == 0 {
        return Ok(None);
    }
    let r = verifier::investigate(k, &verifier::Options::Drivers)?;
    let level = r.level.unwrap_or(0);
    if level == 0 && r.drivers.is_empty() {
        return Ok(None);
    }
    let mut groups: Vec<VerifierGroup> = Vec::new();
    for d in &r.drivers {
        for a in &d.allocations {
            let caller = a
                .caller_symbol
                .clone()
                .unwrap_or_else(|| format!("{:#x}", a.caller));
            match groups
                .iter_mut()
                .find(|g| g.driver == d.name && g.tag == a.tag && g.caller == caller)
            {
                Some(g) => {
                    g.count = g.count.saturating_add(1);
                    g.bytes = g.bytes.saturating_add(a.length);
                    if g.sizes.len() < 4 && !g.sizes.contains(&a.length) {
                        g.sizes.push(a.length);
                    }
                }
                None => groups.push(VerifierGroup {
                    driver: d.name.clone(),
                    tag: a.tag.clone(),
                    caller,
                    count: 1,
                    bytes: a.length,
                    sizes: vec![a.length],
                    example: a.address,
                }),
            }
        }
    }
    groups.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.driver.cmp(&b.driver)));
    let mut stacks = Vec::new();
    if let Some(top) = groups.first() {
        let addresses = r
            .drivers
            .iter()
            .filter(|d| d.name == top.driver)
            .flat_map(|d| d.allocations.iter())
            .filter(|a| a.tag == top.tag)
            .map(|a| a.address)
            .take(LOGGED_ALLOCATIONS);
        for addr in addresses {
            let Ok(log) = verifier::investigate(k, &verifier::Options::Log(Some(addr))) else {
                continue;
            };
            // The newest entry of the allocation (the log is newest first).
            let Some(e) = log.log.into_iter().next() else {
                continue;
            };
            match stacks
                .iter_mut()
                .find(|s: &&mut LoggedStack| s.stack == e.stack)
            {
                Some(s) => s.addresses.push(e.address),
                None => stacks.push(LoggedStack {
                    addresses: vec![e.address],
                    size: e.size,
                    thread: e.thread,
                    stack: e.stack,
                }),
            }
        }
    }
    Ok(Some(VerifierStep {
        level,
        pool_tracking: level & 0x8 != 0,
        drivers: r.drivers.iter().map(|d| d.name.clone()).collect(),
        groups,
        stacks,
    }))
}

fn rank(
    pool: Option<&PoolStep>,
    owners: &[TagOwner],
    verifier: Option<&VerifierStep>,
    objects: Option<&objects::ObjectStep>,
) -> Vec<Suspect> {
    let mut out: Vec<Suspect> = Vec::new();
    let tag_line = |tag: &str| -> Option<String> {
        let t = pool?.tags.iter().find(|t| t.tag == tag)?;
        Some(format!(
            "tag {} holds {:#x} bytes ({}) of {} in {} outstanding allocations, {} of the tagged bytes",
            t.tag,
            t.bytes,
            human_size(t.bytes),
            t.pool.words(),
            thousands(t.outstanding),
            crate::report::pct(t.percent_x100)
        ))
    };
    // Handle leaks: the objects' creator, and the process holding them.
    if let Some(o) = objects
        && let Some(h) = o.holders.first()
        && let Some(c) = h.creators.first()
    {
        let mut evidence = Vec::new();
        if let Some(l) = tag_line(&o.tag) {
            evidence.push(l);
        }
        evidence.push(format!(
            "{} (Cid {:04x}) holds {} handles, {} of them to {} objects",
            h.image,
            h.pid,
            thousands(h.handles),
            thousands(h.of_type),
            o.type_name
        ));
        if h.dead > 0 {
            evidence.push(format!(
                "{} of those {} objects are dead ({})",
                thousands(h.dead),
                o.type_name,
                objects::dead_word(&o.type_name)
            ));
        }
        evidence.push(format!(
            "{} of them were started at {} ({})",
            thousands(c.count),
            c.symbol,
            c.driver
        ));
        if let Some(t) = h.example {
            evidence.push(format!("for example !thread {t:x}"));
        }
        out.push(Suspect::new(
            Culprit {
                driver: c.driver.clone(),
                function: Some(c.symbol.clone()),
                tag: Some(o.tag.clone()),
                process: Some(h.image.clone()),
                dead: c.dead,
            },
            c.count,
            0,
            evidence,
        ));
    }
    // Verifier: outstanding allocations by driver, tag and caller.
    if let Some(v) = verifier {
        for g in v.groups.iter().take(3) {
            let mut evidence = vec![format!(
                "Driver Verifier tracks {} outstanding allocations of {} tagged {} ({:#x} bytes, {}), made at {}",
                g.count,
                g.driver,
                g.tag,
                g.bytes,
                human_size(g.bytes),
                g.caller
            )];
            if let Some(l) = tag_line(&g.tag) {
                evidence.push(l);
            }
            if let Some(o) = owners.iter().find(|o| o.tag == g.tag)
                && let Some(r) = o.references.iter().find(|r| r.driver == g.driver)
            {
                evidence.push(format!(
                    "{}'s code uses the tag at {}{}",
                    g.driver,
                    r.location,
                    r.function
                        .as_ref()
                        .map_or(String::new(), |f| format!(" (in {f})"))
                ));
            }
            out.push(Suspect::new(
                Culprit {
                    driver: g.driver.clone(),
                    function: Some(g.caller.clone()),
                    tag: Some(g.tag.clone()),
                    process: None,
                    dead: 0,
                },
                g.count,
                g.bytes,
                evidence,
            ));
        }
    }
    // Tag owners by code: each top tag a driver's code uses.
    if let Some(p) = pool {
        for t in p.tags.iter().take(OWNER_TAGS) {
            let Some(o) = owners.iter().find(|o| o.tag == t.tag) else {
                continue;
            };
            for r in o.references.iter().take(2) {
                if out.iter().any(|s| {
                    s.what.driver.eq_ignore_ascii_case(&r.driver)
                        && s.what.tag.as_deref() == Some(&t.tag)
                }) {
                    continue;
                }
                let mut evidence = Vec::new();
                if let Some(l) = tag_line(&t.tag) {
                    evidence.push(l);
                }
                evidence.push(format!(
                    "{}'s code uses the tag at {}{}",
                    r.driver,
                    r.location,
                    r.function
                        .as_ref()
                        .map_or(String::new(), |f| format!(" (in {f})"))
                ));
                out.push(Suspect::new(
                    Culprit {
                        driver: r.driver.clone(),
                        function: r.function.clone(),
                        tag: Some(t.tag.clone()),
                        process: None,
                        dead: 0,
                    },
                    t.outstanding,
                    t.bytes,
                    evidence,
                ));
            }
        }
    }
    crate::report::rank_in_order(&mut out);
    out
}

fn conclude(
    suspects: &[Suspect],
    vm: Option<&VmStep>,
    pool: Option<&PoolStep>,
    crash: Option<&Crash>,
    needs_symbols: Option<&str>,
) -> String {
    let exhausted = vm
        .and_then(|v| v.pressure)
        .map(|p| format!("{} is exhausted", capitalize(p.words())));
    let Some(s) = suspects.first() else {
        let mut text = match (pool.and_then(|p| p.tags.first()), &exhausted) {
            (Some(t), Some(x)) => format!(
                "{x}; tag {} holds the most ({}), but no driver's code in the dump uses it and no verifier data names one",
                t.tag,
                human_size(t.bytes)
            ),
            (Some(t), None) => format!(
                "No pool is exhausted; tag {} holds the most pool ({}), and no driver in the dump is tied to it",
                t.tag,
                human_size(t.bytes)
            ),
            (None, _) => match needs_symbols {
                Some(hint) => format!(
                    "The pool cannot be read without the kernel's symbols, so no leak can be named yet: {hint}"
                ),
                None => "No pool data in this dump: no leak can be named from it".to_string(),
            },
        };
        if let Some(c) = crash
            && let Some(m) = &c.image_name
        {
            text.push_str(&format!(". The crash ({}) is in {m}", c.bugcheck_name));
        }
        return text + ".";
    };
    let c = &s.what;
    let what = match (&c.process, &c.tag) {
        (Some(p), Some(tag)) => format!(
            "{} is behind a handle leak: {} {} it started at {} stay in pool (tag {tag}) because {p} holds handles to them and never closes them",
            c.driver,
            thousands(if c.dead > 0 { c.dead } else { s.count }),
            match objects::type_of_tag(tag) {
                Some(t) if c.dead > 0 => objects::dead_plural(t),
                Some(t) => format!("{t} objects"),
                None => "objects".to_string(),
            },
            c.function.as_deref().unwrap_or("?"),
        ),
        (None, Some(tag)) => format!(
            "{} leaks pool: {} allocations tagged {tag} ({:#x} bytes, {}) are outstanding, made at {}",
            c.driver,
            thousands(s.count),
            s.bytes,
            human_size(s.bytes),
            c.function.as_deref().unwrap_or("an unknown caller")
        ),
        _ => format!("{} is the first suspect", c.driver),
    };
    match exhausted {
        Some(x) => format!("{x}. {what}."),
        None => format!("{what}."),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalized_pool_words() {
        assert_eq!(capitalize(PoolKind::NonPaged.words()), "Non-paged pool");
        assert_eq!(capitalize(""), "");
    }
}
