//! Paging of the API's lists: `limit` (default 50, 1 to 500, else 422) and opaque cursors.
//!
//! Name-ordered lists (companies, contacts) use a keyset cursor on (name, id): the hex of
//! `"<id>:<name>"` of the last row of the page, so the next page needs no look-up and stays right
//! when rows are added or removed meanwhile. Id-ordered lists (touches) use the last id.

use crate::accounts::FieldError;
use crate::text;

/// The page size when none is given.
pub const DEFAULT_LIMIT: i64 = 50;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: i64 = 500;

/// Checks `limit`: a caller asking for more than [`MAX_LIMIT`] learns it rather than getting
/// fewer rows silently.
pub fn limit(raw: Option<i64>) -> Result<i64, FieldError> {
    let n = raw.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&n) {
        Ok(n)
    } else {
        Err(FieldError::new(
            "limit",
            format!("Ask for 1 to {MAX_LIMIT} items per page."),
        ))
    }
}

fn bad_cursor() -> FieldError {
    FieldError::new(
        "cursor",
        "Pass the `next` value of the previous page unchanged.",
    )
}

/// Encodes the keyset position of a name-ordered row.
pub fn name_cursor(id: i64, name: &str) -> String {
    hex::encode(format!("{id}:{name}"))
}

/// Decodes a cursor of [`name_cursor`] into the (name, id) the db keysets take.
pub fn parse_name_cursor(raw: Option<&str>) -> Result<Option<(String, i64)>, FieldError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let text = hex::decode(raw)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad_cursor)?;
    let (id, name) = text.split_once(':').ok_or_else(bad_cursor)?;
    // The hex hides the name from the extractors' check, so the decoded text is checked here.
    if text::first_forbidden(name).is_some() {
        return Err(bad_cursor());
    }
    let id = id.parse().map_err(|_| bad_cursor())?;
    Ok(Some((name.to_string(), id)))
}

/// Decodes an id cursor (the last id of the previous page).
pub fn parse_id_cursor(raw: Option<&str>) -> Result<Option<i64>, FieldError> {
    raw.filter(|r| !r.is_empty())
        .map(|r| r.parse().map_err(|_| bad_cursor()))
        .transpose()
}

/// Cuts a page fetched with `limit + 1` rows to `limit`, and says where the next one starts.
pub fn split_page<T>(
    mut rows: Vec<T>,
    limit: i64,
    cursor: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(cursor);
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_cursor_round_trips_names_with_colons_and_accents() {
        let c = name_cursor(42, "Zoë: the CEO");
        assert_eq!(
            parse_name_cursor(Some(&c)).unwrap(),
            Some(("Zoë: the CEO".to_string(), 42))
        );
        assert_eq!(parse_name_cursor(Some("zz")).unwrap_err().field, "cursor");
        let hidden_nul = hex::encode("1:Ann\u{0}");
        assert_eq!(
            parse_name_cursor(Some(&hidden_nul)).unwrap_err().field,
            "cursor"
        );
        assert_eq!(parse_name_cursor(None).unwrap(), None);
    }

    #[test]
    fn limits_outside_one_to_five_hundred_are_refused() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(500)).unwrap(), 500);
        assert!(limit(Some(501)).is_err());
        assert!(limit(Some(0)).is_err());
    }

    #[test]
    fn a_full_page_says_where_the_next_starts() {
        let (rows, next) = split_page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((rows, next.as_deref()), (vec![1, 2], Some("2")));
        let (rows, next) = split_page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }
}
