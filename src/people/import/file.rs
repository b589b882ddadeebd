//! Reading an imported CSV file as real tools write it: UTF-8 with or without a byte-order mark,
//! Windows line ends, `,` or `;` (or a tab) as the separator (sniffed from the header line),
//! quoted fields holding separators and line breaks, rows shorter or longer than the header.

/// A file's header and rows; a row's number is the one a spreadsheet shows (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    NotUtf8,
    Unreadable(String),
}

impl FileError {
    /// What the user is told.
    pub fn message(&self) -> String {
        match self {
            FileError::Empty => {
                "The file is empty: it needs a header row and at least one contact.".into()
            }
            FileError::NotUtf8 => {
                "The file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again.".into()
            }
            FileError::Unreadable(why) => format!("The file could not be read as CSV: {why}."),
        }
    }
}

/// The separator of the header line: the most frequent of `,`, `;` and tab outside quotes.
fn sniff(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads the whole file.
pub fn read(bytes: &[u8]) -> Result<Table, FileError> {
    let bytes = bytes.strip_prefix(crate::spreadsheet::BOM).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers: Vec<String> = match records.next() {
        Some(r) => r
            .map_err(|e| FileError::Unreadable(e.to_string()))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect(),
        None => return Err(FileError::Empty),
    };
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let record = record.map_err(|e| FileError::Unreadable(e.to_string()))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((i + 2, record.iter().map(String::from).collect()));
    }
    if rows.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_crlf_and_quoted_line_breaks_are_read() {
        let file = "\u{feff}First Name,Last Name,Company\r\nAnn,Lee,\"Acme, Inc.\"\r\n\"Bo\r\nB\",Ray,Beta\r\n";
        let t = read(file.as_bytes()).unwrap();
        assert_eq!(t.headers, ["First Name", "Last Name", "Company"]);
        assert_eq!(
            t.rows[0],
            (2, vec!["Ann".into(), "Lee".into(), "Acme, Inc.".into()])
        );
        assert_eq!(t.rows[1].1[0], "Bo\r\nB");
        assert_eq!(t.rows[1].0, 3);
    }

    #[test]
    fn semicolons_are_sniffed_and_bad_files_named() {
        let t = read(b"Name;Email\nAnn Lee;ann@x.test\n").unwrap();
        assert_eq!(t.rows[0].1, ["Ann Lee", "ann@x.test"]);
        assert_eq!(read(b""), Err(FileError::Empty));
        assert_eq!(read(b"Name\n"), Err(FileError::Empty));
        assert_eq!(read(b"Name\n\xff\xfe\n"), Err(FileError::NotUtf8));
    }
}
