-- Today's progress line ("2 new decision makers today, 7 this week") counts the user's own first
-- connected calls of the week. The index on (team_id, first_at) made that a walk over the whole
-- team's week, author filtered out row by row: 4,400 entries for one user's 69 in the work
-- benchmark (64 recruiters calling), 0.5 ms of a page. By author first, it is the user's own range.
create index dm_first_connected_calls_author_idx
    on dm_first_connected_calls (team_id, author_id, first_at);
