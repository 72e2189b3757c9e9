//! What the users export's download and the page's progress bar share.

/// The response header that carries the number of users in the export
/// before the rows arrive, so the page can show how far the download is.
pub const EXPORT_TOTAL_HEADER: &str = "x-usher-total-rows";

/// How far an export download is: rows received of the total announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportProgress {
    pub rows: u64,
    pub total: u64,
    pub done: bool,
}

impl ExportProgress {
    /// Rows counted so far never read above the total (a quoted cell may
    /// hold a line break, which counts as a line).
    pub fn shown_rows(&self) -> u64 {
        if self.done {
            self.total
        } else {
            self.rows.min(self.total)
        }
    }

    /// "Exporting 12,345 of 1,000,000 users…" / "Exported 42 users."
    pub fn label(&self) -> String {
        use super::page::thousands;
        if self.done {
            format!("Exported {} users.", thousands(self.total))
        } else {
            format!(
                "Exporting {} of {} users…",
                thousands(self.shown_rows()),
                thousands(self.total)
            )
        }
    }
}

/// Line breaks in a chunk of CSV bytes: the rows it ends.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_rows_of_total_and_never_above() {
        let p = ExportProgress {
            rows: 12_345,
            total: 1_000_000,
            done: false,
        };
        assert_eq!(p.label(), "Exporting 12,345 of 1,000,000 users…");
        let over = ExportProgress {
            rows: 50,
            total: 42,
            done: false,
        };
        assert_eq!(over.shown_rows(), 42);
        let done = ExportProgress {
            rows: 43,
            total: 42,
            done: true,
        };
        assert_eq!(done.label(), "Exported 42 users.");
        assert_eq!(line_breaks(b"a,b\r\nc,d\r\n"), 2);
    }
}
