//! Reading an uploaded file: size, encoding and quoting are checked before
//! anything else, so a bad file is refused whole with one clear message.
//! Rows with the wrong number of fields are kept; the row checks report them.
use shared::model::import::MAX_FILE_BYTES;

use super::BOM;

/// The file as rows of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub delimiter: u8,
    pub header: Vec<String>,
    pub rows: Vec<Record>,
}

/// One data row and the line of the file it starts on (the header is 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Reads a CSV upload: UTF-8 with or without a BOM, `,` or `;`, RFC 4180 quoting.
pub fn read(bytes: &[u8]) -> Result<Table, String> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(format!(
            "The file is {:.1} MB; the limit is 50 MB. Split it into smaller files.",
            bytes.len() as f64 / 1_048_576.0
        ));
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("The file is empty.".into());
    }
    if looks_binary(bytes) {
        return Err(
            "This is not a CSV file: it holds binary data. Save the sheet as \"CSV UTF-8\" and upload that."
                .into(),
        );
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = line_at(bytes, e.valid_up_to());
        format!(
            "The file is not UTF-8 text (line {line} has a character in another encoding, \
             such as Latin-1). Save it as \"CSV UTF-8\" and upload it again."
        )
    })?;
    let delimiter = detect_delimiter(text);
    if let Some(line) = unclosed_quote(text, delimiter) {
        return Err(format!(
            "Row {line}: a quoted field is never closed (a \" is missing), so the rest of the file \
             cannot be read."
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut next = |record: &mut csv::StringRecord| {
        let start = reader.position().byte() as usize;
        reader
            .read_record(record)
            .map(|more| more.then_some(start))
            .map_err(|e| format!("The file cannot be read: {e}."))
    };
    if next(&mut record)?.is_none() {
        return Err("The file is empty.".into());
    }
    let header: Vec<String> = record.iter().map(|h| h.trim().to_string()).collect();
    if header.iter().all(String::is_empty) {
        return Err("The first row must be the header (the column names); it is empty.".into());
    }
    let mut rows = Vec::new();
    // Lines counted from byte offsets: a quoted field can span lines.
    let (mut seen_byte, mut seen_line) = (0usize, 1u64);
    while let Some(mut start) = next(&mut record)? {
        // The reader stops after `\r`; the record begins past the line breaks.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        seen_line += text.as_bytes()[seen_byte..start.max(seen_byte)]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        seen_byte = start.max(seen_byte);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Record {
            line: seen_line,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    if rows.is_empty() {
        return Err("The file has a header but no rows.".into());
    }
    Ok(Table {
        delimiter,
        header,
        rows,
    })
}

/// The header and first data row of a file `read` accepted, without reading
/// the rest (the wizard's page asks for them while a job runs).
pub fn head(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = detect_delimiter(&String::from_utf8_lossy(first_line));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records().map_while(Result::ok);
    let header = records
        .next()
        .map(|r| r.iter().map(|h| h.trim().to_string()).collect())
        .unwrap_or_default();
    let sample = records
        .find(|r| r.iter().any(|c| !c.trim().is_empty()))
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default();
    (header, sample)
}

/// NUL bytes, or many control characters, mean a binary file (a spreadsheet,
/// an image) rather than text in another encoding.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    head.contains(&0) || control * 100 > head.len()
}

fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// `;` when the header has more semicolons than commas (Excel in many
/// European locales), else `,`.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    let count = |c: char| header.chars().filter(|&x| x == c).count();
    if count(';') > count(',') {
        b';'
    } else {
        b','
    }
}

/// The line where a quoted field opens that never closes, if any.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<u64> {
    let bytes = text.as_bytes();
    let (mut quoted, mut field_start, mut line, mut opened) = (false, true, 1u64, 0u64);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            match b {
                b'"' if bytes.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => quoted = false,
                b'\n' => line += 1,
                _ => {}
            }
        } else {
            match b {
                b'"' if field_start => {
                    quoted = true;
                    opened = line;
                    field_start = false;
                }
                b'\n' => {
                    line += 1;
                    field_start = true;
                }
                b'\r' => {}
                _ if b == delimiter => field_start = true,
                _ => field_start = false,
            }
        }
        i += 1;
    }
    quoted.then_some(opened)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_commas_semicolons_bom_and_quotes() {
        let t = read(b"\xEF\xBB\xBFusername;email\r\nann;\"a;b@x.org\"\r\n").unwrap();
        assert_eq!(t.delimiter, b';');
        assert_eq!(t.header, ["username", "email"]);
        assert_eq!(t.rows[0].cells, ["ann", "a;b@x.org"]);
        assert_eq!(t.rows[0].line, 2);
        let t = read(b"username,email\n\"an\"\"n\",\"two\nlines\"\n\nbob,b@x.org\n").unwrap();
        assert_eq!(t.rows[0].cells, ["an\"n", "two\nlines"]);
        assert_eq!(t.rows[1].line, 5);
    }

    #[test]
    fn refuses_bad_files_with_a_reason() {
        let err = |b: &[u8]| read(b).unwrap_err();
        assert!(err(b"").contains("empty"));
        assert!(err(b"  \n").contains("empty"));
        assert!(err(b"username,email\n").contains("no rows"));
        assert!(err(b"username,email\nj\xF6rg,j@x.org\n").contains("line 2"));
        assert!(err(b"PK\x03\x04\x00\x00binary").contains("binary"));
        assert!(err(b"username,email\nann,\"a@x.org\nbob,b@x.org\n").contains("Row 2"));
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(err(&big).contains("50 MB"));
    }

    #[test]
    fn head_is_the_header_and_first_row() {
        let file = b"\xEF\xBB\xBFusername;email\r\n\r\n;;\r\n\"a\nb\";a@x.org\r\nc;c@x.org\r\n";
        let t = read(file).unwrap();
        assert_eq!(head(file), (t.header.clone(), t.rows[0].cells.clone()));
    }

    #[test]
    fn keeps_rows_with_the_wrong_field_count() {
        let t = read(b"a,b,c\n1,2\n1,2,3,4\n").unwrap();
        assert_eq!(t.rows[0].cells.len(), 2);
        assert_eq!(t.rows[1].cells.len(), 4);
    }
}
