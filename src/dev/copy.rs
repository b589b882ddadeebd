//! Streaming rows into PostgreSQL with `COPY … FROM STDIN` (text format): rows are formatted into
//! a buffer that is sent whenever it passes a megabyte, so memory stays flat whatever the size.

use std::fmt::Write as _;

use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

const FLUSH_AT: usize = 1 << 20;

/// One `COPY` in progress and its row buffer.
pub struct CopyWriter<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buf: String,
    rows: u64,
}

impl<'c> CopyWriter<'c> {
    /// Starts `copy {table_and_columns} from stdin` (text format: tab-separated, `\N` for null).
    pub async fn start(conn: &'c mut PgConnection, table_and_columns: &str) -> sqlx::Result<Self> {
        let copy = conn
            .copy_in_raw(&format!("copy {table_and_columns} from stdin"))
            .await?;
        Ok(Self {
            copy,
            buf: String::with_capacity(FLUSH_AT + 4096),
            rows: 0,
        })
    }

    /// The row being written; fields are appended with [`Row`]'s methods.
    pub fn row(&mut self) -> Row<'_> {
        self.rows += 1;
        Row {
            buf: &mut self.buf,
            first: true,
        }
    }

    /// Sends the buffer if it is full (call after each row).
    pub async fn maybe_flush(&mut self) -> sqlx::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.copy.send(self.buf.as_bytes()).await?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Sends the rest and ends the COPY; returns the rows PostgreSQL took.
    pub async fn finish(mut self) -> sqlx::Result<u64> {
        if !self.buf.is_empty() {
            self.copy.send(self.buf.as_bytes()).await?;
        }
        let n = self.copy.finish().await?;
        debug_assert_eq!(n, self.rows);
        Ok(n)
    }
}

/// The fields of one row, in column order; dropping it ends the line.
pub struct Row<'b> {
    buf: &'b mut String,
    first: bool,
}

impl Row<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{v}");
        self
    }

    pub fn opt_int(&mut self, v: Option<i64>) -> &mut Self {
        match v {
            Some(v) => self.int(v),
            None => self.null(),
        }
    }

    /// Text we generated ourselves: never a tab, newline or backslash.
    pub fn text(&mut self, v: &str) -> &mut Self {
        self.sep();
        debug_assert!(!v.contains(['\t', '\n', '\r', '\\']));
        self.buf.push_str(v);
        self
    }

    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.buf.push(if v { 't' } else { 'f' });
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.push_str("\\N");
        self
    }

    /// A `timestamptz` from Unix seconds (UTC).
    pub fn timestamp(&mut self, secs: i64) -> &mut Self {
        self.sep();
        let (date, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        push_date(self.buf, date);
        let _ = write!(
            self.buf,
            " {:02}:{:02}:{:02}+00",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        );
        self
    }

    pub fn opt_timestamp(&mut self, secs: Option<i64>) -> &mut Self {
        match secs {
            Some(s) => self.timestamp(s),
            None => self.null(),
        }
    }

    /// A `date` from days since 1970-01-01.
    pub fn date(&mut self, day: i64) -> &mut Self {
        self.sep();
        push_date(self.buf, day);
        self
    }

    pub fn opt_date(&mut self, day: Option<i64>) -> &mut Self {
        match day {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }
}

impl Drop for Row<'_> {
    fn drop(&mut self) {
        self.buf.push('\n');
    }
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`, which is
/// several times faster than formatting through chrono for ten million rows.
pub fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn push_date(buf: &mut String, days: i64) {
    let (y, m, d) = civil(days);
    let _ = write!(buf, "{y:04}-{m:02}-{d:02}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, NaiveDate};

    #[test]
    fn civil_dates_match_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for days in [
            -1_i64, 0, 59, 60, 365, 11_016, 20_000, 20_513, 20_700, 21_000,
        ] {
            let (y, m, d) = civil(days);
            let expected = epoch + chrono::Days::new(u64::try_from(days.max(0)).unwrap());
            if days >= 0 {
                assert_eq!(
                    format!("{y:04}-{m:02}-{d:02}"),
                    expected.format("%Y-%m-%d").to_string()
                );
            }
        }
        assert_eq!(civil(-1), (1969, 12, 31));
    }

    #[test]
    fn timestamps_are_written_as_utc() {
        let mut buf = String::new();
        let secs = 1_795_000_000;
        {
            let mut row = Row {
                buf: &mut buf,
                first: true,
            };
            row.timestamp(secs).null().bool(true);
        }
        let expected = DateTime::from_timestamp(secs, 0)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S+00")
            .to_string();
        assert_eq!(buf, format!("{expected}\t\\N\tt\n"));
    }
}
