//! CSV files that open safely and correctly in a spreadsheet: UTF-8 with a byte-order mark (so
//! Excel does not read it as the local code page) and no cell that a spreadsheet would run as a
//! formula. Every CSV the app writes goes through [`Sheet`], so the rule has one home.

use std::borrow::Cow;

/// The UTF-8 byte-order mark: Excel reads a CSV without it in the machine's local code page.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell a spreadsheet would evaluate (first character `=`, `+`, `-`, `@`, tab or carriage
/// return) gets a leading `'`, which spreadsheets show as text; every other cell is unchanged.
pub fn safe_cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// A CSV being written: the header row first, then rows, every cell made safe.
pub struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    /// Why: the BOM must come before the first byte the CSV writer emits.
    pub fn new(header: &[&str]) -> Result<Self, csv::Error> {
        let mut sheet = Self {
            writer: csv::Writer::from_writer(BOM.to_vec()),
        };
        sheet.row(header.iter().copied())?;
        Ok(sheet)
    }

    /// Writes one row.
    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> Result<(), csv::Error> {
        self.writer
            .write_record(cells.into_iter().map(|c| safe_cell(c).into_owned()))
    }

    /// The finished file.
    pub fn finish(self) -> Result<Vec<u8>, csv::Error> {
        self.writer
            .into_inner()
            .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_quoted_and_the_rest_left_alone() {
        for v in ["=1+2", "+44 20", "-3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(safe_cell(v), format!("'{v}"));
        }
        for v in ["", "Ann", "a=b", " =x", "0044", "'quoted"] {
            assert_eq!(safe_cell(v), v);
        }
    }

    #[test]
    fn a_sheet_starts_with_the_bom_and_its_header() {
        let mut s = Sheet::new(&["name", "note"]).unwrap();
        s.row(["=HYPERLINK(\"x\")", "a, b"]).unwrap();
        let out = s.finish().unwrap();
        assert!(out.starts_with(BOM));
        let text = std::str::from_utf8(&out[3..]).unwrap();
        assert_eq!(text, "name,note\n\"'=HYPERLINK(\"\"x\"\")\",\"a, b\"\n");
    }
}
