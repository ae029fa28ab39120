//! Step 6: the busy threads and what they run.

use super::*;

/// Step 6: busy threads and their stacks.
pub(super) fn thread_step(
    dump: &dumpfile::Minidump,
    locator: Option<std::sync::Arc<stackwalk::symsrv::SymbolLocator>>,
    lacks: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> ThreadStep {
    let times = match runaway::compute(dump) {
        Ok(t) => t,
        Err(e) => {
            notes.push(format!("thread times unreadable: {e}"));
            None
        }
    };
    let mut busiest: Vec<BusyThread> = match &times {
        Some(r) => {
            let mut rows = r.user.clone();
            rows.sort_by(|a, b| {
                let ta = a.kernel_time.saturating_add(a.user_time);
                let tb = b.kernel_time.saturating_add(b.user_time);
                tb.cmp(&ta).then(a.index.cmp(&b.index))
            });
            rows.into_iter()
                .filter(|t| t.kernel_time.saturating_add(t.user_time) > 0)
                .take(BUSY_THREADS)
                .map(|t| BusyThread {
                    index: t.index as u64,
                    id: t.id,
                    user_time: t.user_time,
                    kernel_time: t.kernel_time,
                    frames: Vec::new(),
                    frame_addresses: Vec::new(),
                })
                .collect()
        }
        None => {
            lacks.push(
                "no ThreadInfoList: thread times are unknown, so busy threads cannot be told \
                 apart (write the dump with MiniDumpWithThreadInfo, e.g. procdump -ma)"
                    .to_string(),
            );
            dump.threads()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .take(BUSY_THREADS)
                .map(|(i, t)| BusyThread {
                    index: i as u64,
                    id: t.id,
                    user_time: 0,
                    kernel_time: 0,
                    frames: Vec::new(),
                    frame_addresses: Vec::new(),
                })
                .collect()
        }
    };
    if busiest.is_empty() {
        return ThreadStep {
            times_available: times.is_some(),
            busiest,
        };
    }
    let options = stacks::Options {
        locator,
        ..stacks::Options::default()
    };
    match stacks::thread_stacks(dump, &options, None) {
        Ok(report) => {
            for b in &mut busiest {
                if let Some(t) = report.threads.iter().find(|t| t.id == b.id) {
                    for f in t.frames.iter().take(FRAMES) {
                        b.frames.push(f.call_site.clone());
                        b.frame_addresses.push(f.instruction);
                    }
                }
            }
        }
        Err(e) => notes.push(format!("stacks: {e}")),
    }
    ThreadStep {
        times_available: times.is_some(),
        busiest,
    }
}
