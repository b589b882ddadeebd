//! The operator's kit: backup and restore with PostgreSQL's own tools (`backup`), the doctor's
//! checks of an installation (`doctor`), and how those tools are found (`pg_tools`). The nightly
//! backup and the pruning of old rows run in the server's background tasks (`background/`).

pub mod backup;
pub mod doctor;
pub mod pg_tools;

/// A size for people: bytes, kB, MB or GB (powers of 1000, one decimal).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["kB", "MB", "GB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(12_400), "12.4 kB");
        assert_eq!(human_size(3_210_000), "3.2 MB");
        assert_eq!(human_size(2_500_000_000), "2.5 GB");
    }
}
