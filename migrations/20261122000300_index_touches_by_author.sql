-- Today's "new decision makers" progress and the per-recruiter reports read a user's own touches
-- over a date range.
create index touches_author_idx on touches (team_id, author_id, occurred_at);
