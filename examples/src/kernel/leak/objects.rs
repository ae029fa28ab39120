//! Step 5 of the kernel leak: when the pool is held by objects of one type (`Thre`, `Proc`,
//! `File`, ...), which processes hold the most handles (`!process 0 0`), their handles by type
//! (`!handle`), whether the objects are dead (terminated threads, exited processes) and what
//! created them (thread start addresses by module). One pass over each handle table, in memory
//! O(types + distinct start addresses).

use std::collections::HashMap;

use serde::Serialize;

use crate::CliError;
use crate::kernel::process::oerr;
use crate::target::KernelTarget;

/// Processes whose handle tables are walked.
const HOLDERS: usize = 2;
/// Types listed per holder.
const TYPES: usize = 5;
/// Creators listed per holder.
const CREATORS: usize = 5;
/// Distinct start addresses remembered.
const MAX_STARTS: usize = 4096;
/// Processes listed.
const PROCESSES: usize = 5;

/// The object types whose objects' pool tag is the type's name (first four characters).
const OBJECT_TYPES: [&str; 14] = [
    "Thread",
    "Process",
    "File",
    "Event",
    "Mutant",
    "Semaphore",
    "Section",
    "Token",
    "Key",
    "Job",
    "Timer",
    "Directory",
    "SymbolicLink",
    "Desktop",
];

/// The object type whose objects carry `tag` (`Thre` -> `Thread`), if it is one.
pub fn type_of_tag(tag: &str) -> Option<&'static str> {
    let tag = tag.trim_end();
    OBJECT_TYPES.iter().copied().find(|t| {
        let four: String = t.chars().take(4).collect();
        four == tag
    })
}

/// What objects of a dead state are called.
pub fn dead_word(type_name: &str) -> &'static str {
    match type_name {
        "Thread" => "TERMINATED",
        "Process" => "exited",
        _ => "dead",
    }
}

/// Dead objects of a type in a sentence: `TERMINATED threads`, `exited processes`,
/// `dead File objects`.
pub fn dead_plural(type_name: &str) -> String {
    match type_name {
        "Thread" => "TERMINATED threads".to_string(),
        "Process" => "exited processes".to_string(),
        t => format!("dead {t} objects"),
    }
}

/// A process and its handle count.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessHandles {
    /// `EPROCESS`.
    pub address: u64,
    /// Process id.
    pub pid: u64,
    /// Image name.
    pub image: String,
    /// Handles.
    pub handles: u64,
}

/// Objects of the type created at one place.
#[derive(Debug, Clone, Serialize)]
pub struct Creator {
    /// `mydriver!StatusWaitThread`.
    pub symbol: String,
    /// `mydriver.sys`.
    pub driver: String,
    /// Objects.
    pub count: u64,
    /// Of them dead.
    pub dead: u64,
}

/// One process holding handles, walked.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    /// `EPROCESS`.
    pub address: u64,
    /// Process id.
    pub pid: u64,
    /// Image name.
    pub image: String,
    /// Handles in its table.
    pub handles: u64,
    /// Handles to objects of the type.
    pub of_type: u64,
    /// Of them to dead objects.
    pub dead: u64,
    /// Handles per type, most first.
    pub types: Vec<(String, u64)>,
    /// What created the objects of the type (threads: start address), most first.
    pub creators: Vec<Creator>,
    /// A dead object of the type, for `!thread`/`!object`.
    pub example: Option<u64>,
    /// Handle-table pages not in the dump, and other read problems.
    pub notes: Vec<String>,
}

/// Step 5.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectStep {
    /// The pool tag.
    pub tag: String,
    /// Whether the type came from the top pool tag (else: the type the process with the most
    /// handles holds most of, when the dump has no pool data).
    pub from_pool: bool,
    /// The object type.
    pub type_name: String,
    /// Processes on the list.
    pub processes_total: u64,
    /// The processes with the most handles.
    pub top_processes: Vec<ProcessHandles>,
    /// The top ones, walked.
    pub holders: Vec<Holder>,
}

/// Runs step 5 for objects of `type_name`; without one (no pool data), for the type the
/// process with the most handles holds most of.
pub fn investigate(k: &KernelTarget, type_name: Option<&str>) -> Result<ObjectStep, CliError> {
    let objs = k.objects()?;
    let mut all = Vec::new();
    for p in objs.processes().map_err(oerr)?.flatten() {
        let n = objs.handle_count(&p).unwrap_or(0);
        all.push((n, p));
    }
    let processes_total = u64::try_from(all.len()).unwrap_or(u64::MAX);
    all.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.pid.cmp(&b.1.pid)));
    let top_processes = all
        .iter()
        .take(PROCESSES)
        .map(|(n, p)| ProcessHandles {
            address: p.address,
            pid: p.pid,
            image: p.name().to_string(),
            handles: *n,
        })
        .collect();
    let from_pool = type_name.is_some();
    let type_name = match type_name {
        Some(t) => t.to_string(),
        None => all
            .first()
            .and_then(|(_, p)| p.object_table)
            .and_then(|t| objs.handle_summary(t).ok())
            .and_then(|s| s.types.into_iter().find_map(|t| t.name))
            .ok_or_else(|| CliError::new("no process holds handles whose type can be read"))?,
    };
    let type_name = type_name.as_str();
    let tag: String = type_name.chars().take(4).collect();
    let mut holders = Vec::new();
    for (n, p) in all.iter().take(HOLDERS) {
        let Some(table) = p.object_table else {
            continue;
        };
        holders.push(walk(k, &objs, p, *n, table, type_name)?);
    }
    holders.sort_by_key(|h| std::cmp::Reverse(h.of_type));
    // A process among the top holders that has none of these objects says nothing.
    if holders.iter().any(|h| h.of_type > 0) {
        holders.retain(|h| h.of_type > 0);
    }
    Ok(ObjectStep {
        tag,
        from_pool,
        type_name: type_name.to_string(),
        processes_total,
        top_processes,
        holders,
    })
}

fn walk(
    k: &KernelTarget,
    objs: &pooltrack::KernelObjects<crate::adapt::KernelMem<'_>>,
    p: &pooltrack::Process,
    handles: u64,
    table: u64,
    type_name: &str,
) -> Result<Holder, CliError> {
    let mut h = Holder {
        address: p.address,
        pid: p.pid,
        image: p.name().to_string(),
        handles,
        of_type: 0,
        dead: 0,
        types: Vec::new(),
        creators: Vec::new(),
        example: None,
        notes: Vec::new(),
    };
    let mut type_names: HashMap<u64, Option<String>> = HashMap::new();
    let mut per_type: HashMap<String, u64> = HashMap::new();
    // Start address -> (objects, dead).
    let mut starts: HashMap<u64, (u64, u64)> = HashMap::new();
    let mut other_starts = (0u64, 0u64);
    let mut errors = 0u64;
    for e in objs.handles(table).map_err(oerr)? {
        let Ok(e) = e else {
            errors = errors.saturating_add(1);
            continue;
        };
        let Ok(hdr) = objs.object_header(e.pointer) else {
            errors = errors.saturating_add(1);
            continue;
        };
        let name = match hdr.type_object {
            Some(t) => type_names
                .entry(t)
                .or_insert_with(|| objs.type_of(&hdr).ok().flatten().and_then(|t| t.name))
                .clone(),
            None => None,
        };
        let name = name.unwrap_or_else(|| "?".to_string());
        let n = per_type.entry(name.clone()).or_insert(0);
        *n = n.saturating_add(1);
        if name != type_name {
            continue;
        }
        h.of_type = h.of_type.saturating_add(1);
        match type_name {
            "Thread" => {
                let Ok(t) = objs.thread(e.object) else {
                    errors = errors.saturating_add(1);
                    continue;
                };
                let dead = t.is_terminated();
                if dead {
                    h.dead = h.dead.saturating_add(1);
                    h.example.get_or_insert(e.object);
                }
                let start = t.start_address.unwrap_or(0);
                let slot = if starts.len() < MAX_STARTS || starts.contains_key(&start) {
                    starts.entry(start).or_insert((0, 0))
                } else {
                    &mut other_starts
                };
                slot.0 = slot.0.saturating_add(1);
                slot.1 = slot.1.saturating_add(u64::from(dead));
            }
            "Process" => {
                if let Ok(q) = objs.process(e.object)
                    && q.is_zombie()
                {
                    h.dead = h.dead.saturating_add(1);
                    h.example.get_or_insert(e.object);
                }
            }
            _ => {}
        }
    }
    if errors > 0 {
        h.notes
            .push(format!("{errors} handles whose object could not be read"));
    }
    let mut types: Vec<(String, u64)> = per_type.into_iter().collect();
    types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    types.truncate(TYPES);
    h.types = types;
    let mut creators: Vec<Creator> = starts
        .into_iter()
        .map(|(start, (count, dead))| {
            let symbol = k.symbolize(start).unwrap_or_else(|| format!("{start:#x}"));
            let driver = k
                .driver_at(start)
                .map_or_else(|| "?".to_string(), |d| d.name.clone());
            Creator {
                symbol,
                driver,
                count,
                dead,
            }
        })
        .collect();
    // Start addresses that symbolize alike (same function) are one creator.
    creators.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    creators.dedup_by(|b, a| {
        if a.symbol == b.symbol {
            a.count = a.count.saturating_add(b.count);
            a.dead = a.dead.saturating_add(b.dead);
            true
        } else {
            false
        }
    });
    creators.sort_by(|a, b| b.count.cmp(&a.count).then(a.symbol.cmp(&b.symbol)));
    creators.truncate(CREATORS);
    if other_starts.0 > 0 {
        h.notes.push(format!(
            "{} objects with more distinct start addresses than remembered",
            other_starts.0
        ));
    }
    h.creators = creators;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_type_tags() {
        assert_eq!(type_of_tag("Thre"), Some("Thread"));
        assert_eq!(type_of_tag("Proc"), Some("Process"));
        assert_eq!(type_of_tag("Key "), Some("Key"));
        assert_eq!(type_of_tag("Leak"), None);
        assert_eq!(dead_word("Thread"), "TERMINATED");
        assert_eq!(dead_plural("Thread"), "TERMINATED threads");
        assert_eq!(dead_plural("File"), "dead File objects");
    }
}
