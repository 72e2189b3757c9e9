//! The CSV export of every user, as `usher export` streams it.
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;

use super::memory::{anon_rss_kb, peak_rss_kb};

/// The CSV export of every user, bytes counted and dropped: rows/s and how
/// much the peak memory grew.
pub async fn export_all(db: &DatabaseConnection) -> anyhow::Result<()> {
    let before = peak_rss_kb();
    // The heap's high-water mark, sampled: SQLite's memory-mapped file pages
    // count in the resident set but are the database's cache, not growth.
    let anon_before = anon_rss_kb();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(anon_rss_kb());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        })
    };
    let started = Instant::now();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    let drain = tokio::spawn(async move {
        let mut bytes = 0usize;
        while let Some(chunk) = rx.recv().await {
            bytes += chunk.len();
        }
        bytes
    });
    let rows = usher_core::services::export::stream(db, &Default::default(), tx)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let bytes = drain.await?;
    let seconds = started.elapsed().as_secs_f64();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let anon_peak = sampler.await?;
    println!(
        "export               rows={rows} bytes={bytes} seconds={seconds:.2} rate={:.0} rows/s peak_heap_growth={:.1} MB peak_rss_growth={:.1} MB (with mapped database pages)",
        rows as f64 / seconds,
        anon_peak.saturating_sub(anon_before) as f64 / 1024.0,
        peak_rss_kb().saturating_sub(before) as f64 / 1024.0
    );
    Ok(())
}
