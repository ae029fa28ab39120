//! Blocking HTTP(S) downloads from symbol servers (feature `http`, the `ureq` client).

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use super::{Progress, SymbolOptions};

/// What a GET answered.
pub(crate) enum Fetched<T> {
    /// 200 and the body.
    Got(T),
    /// 404 or 410: the server does not have it.
    Missing,
}

/// A configured client: one connection pool for the whole run.
pub(crate) struct Client {
    agent: ureq::Agent,
    retries: u32,
    max_bytes: u64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("retries", &self.retries)
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

/// Transient failures are retried; answers are not.
enum Failure {
    Retry(String),
    Final(String),
}

impl Client {
    pub(crate) fn new(options: &SymbolOptions) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.response_timeout))
            .timeout_recv_body(Some(options.download_timeout))
            .http_status_as_error(false)
            .max_redirects(8)
            .user_agent(concat!("dumpscope-stackwalk/", env!("CARGO_PKG_VERSION")))
            .build();
        Client {
            agent: ureq::Agent::new_with_config(config),
            retries: options.retries,
            max_bytes: options.max_file_bytes,
        }
    }

    /// GETs `url` into `out` (at most `limit` bytes), retrying transient failures.
    fn get<W: Write>(
        &self,
        url: &str,
        limit: u64,
        out: &mut W,
        progress: &dyn Fn(&Progress<'_>),
    ) -> Result<Fetched<u64>, String> {
        let mut tries = 0u32;
        loop {
            match self.get_once(url, limit, out, progress) {
                Ok(f) => return Ok(f),
                Err(Failure::Final(m)) => return Err(m),
                Err(Failure::Retry(m)) => {
                    if tries >= self.retries {
                        return Err(m);
                    }
                    tries = tries.saturating_add(1);
                    std::thread::sleep(Duration::from_millis(
                        250u64.saturating_mul(u64::from(tries)),
                    ));
                }
            }
        }
    }

    fn get_once<W: Write>(
        &self,
        url: &str,
        limit: u64,
        out: &mut W,
        progress: &dyn Fn(&Progress<'_>),
    ) -> Result<Fetched<u64>, Failure> {
        let response = self
            .agent
            .get(url)
            .call()
            .map_err(|e| Failure::Retry(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        match status {
            200 => {}
            404 | 410 => return Ok(Fetched::Missing),
            429 | 500..=599 => return Err(Failure::Retry(format!("{url}: HTTP {status}"))),
            _ => return Err(Failure::Final(format!("{url}: HTTP {status}"))),
        }
        let total = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if total.is_some_and(|t| t > limit) {
            return Err(Failure::Final(format!(
                "{url}: {} bytes exceed the {limit}-byte limit",
                total.unwrap_or(0)
            )));
        }
        let mut body = response.into_body().into_reader();
        let mut buf = vec![0u8; 64 * 1024];
        let mut received = 0u64;
        let report = |received, done| {
            progress(&Progress {
                url,
                received,
                total,
                done,
            });
        };
        report(0, false);
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    report(received, true);
                    return Err(Failure::Retry(format!("{url}: {e}")));
                }
            };
            received = received.saturating_add(n as u64);
            if received > limit {
                report(received, true);
                return Err(Failure::Final(format!(
                    "{url}: more than the {limit}-byte limit"
                )));
            }
            let chunk = buf.get(..n).unwrap_or_default();
            out.write_all(chunk)
                .map_err(|e| Failure::Final(format!("writing {url}: {e}")))?;
            report(received, false);
        }
        report(received, true);
        Ok(Fetched::Got(received))
    }

    /// Downloads `url` into the file `dest` (created; left partial on error, the caller
    /// removes it).
    pub(crate) fn download(
        &self,
        url: &str,
        dest: &Path,
        progress: &dyn Fn(&Progress<'_>),
    ) -> Result<Fetched<u64>, String> {
        let mut file =
            File::create(dest).map_err(|e| format!("creating {}: {e}", dest.display()))?;
        let got = self.get(url, self.max_bytes, &mut file, progress)?;
        file.flush()
            .map_err(|e| format!("writing {}: {e}", dest.display()))?;
        Ok(got)
    }

    /// A small text (`file.ptr`, `index2.txt`), at most `limit` bytes, no progress.
    pub(crate) fn small(&self, url: &str, limit: u64) -> Result<Fetched<Vec<u8>>, String> {
        let mut out = Vec::new();
        Ok(match self.get(url, limit, &mut out, &|_| {})? {
            Fetched::Got(_) => Fetched::Got(out),
            Fetched::Missing => Fetched::Missing,
        })
    }
}
