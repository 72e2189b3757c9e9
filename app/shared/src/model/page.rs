use serde::{Deserialize, Serialize};

pub const PAGE_SIZES: [u64; 4] = [10, 25, 50, 100];

/// A page request as it appears in the URL query (`?page=2&per_page=25`),
/// clamped to sane values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Self {
        let per_page = per_page
            .filter(|p| PAGE_SIZES.contains(p))
            .unwrap_or(PAGE_SIZES[0]);
        Self {
            page: page.unwrap_or(1).max(1),
            per_page,
        }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub request: PageRequest,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.request.per_page).max(1)
    }

    /// "Showing 41–50 of 1,000,000" (or "No results").
    pub fn showing(&self) -> String {
        if self.items.is_empty() {
            return format!("Showing 0 of {}", thousands(self.total));
        }
        let first = self.request.offset() + 1;
        let last = self.request.offset() + self.items.len() as u64;
        format!(
            "Showing {}–{} of {}",
            thousands(first),
            thousands(last),
            thousands(self.total)
        )
    }
}

/// 1000000 → "1,000,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_requests() {
        assert_eq!(
            PageRequest::new(Some(0), Some(7)),
            PageRequest {
                page: 1,
                per_page: 10
            }
        );
        assert_eq!(PageRequest::new(Some(3), Some(25)).offset(), 50);
    }

    #[test]
    fn showing_line() {
        let page = Page {
            items: vec![(); 10],
            total: 1_000_000,
            request: PageRequest::new(Some(5), Some(10)),
        };
        assert_eq!(page.showing(), "Showing 41–50 of 1,000,000");
        assert_eq!(page.page_count(), 100_000);
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
