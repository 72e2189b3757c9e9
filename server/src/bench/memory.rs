//! Memory figures of this process (Linux), for the benchmarks' reports.

/// This process's resident memory high-water mark, in kB (Linux).
pub fn peak_rss_kb() -> u64 {
    proc_status_kb("VmHWM:")
}

/// A `kB` figure of /proc/self/status (Linux), 0 when unreadable.
pub fn proc_status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// This process's anonymous resident memory (heap, not mapped files), in kB.
pub fn anon_rss_kb() -> u64 {
    proc_status_kb("RssAnon:")
}
