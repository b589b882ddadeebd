-- The board shows each stage's first 50 cards, oldest in stage first. This index hands each column
-- its cards in that order, so the board reads about 50 entries a column and stops, however many
-- applications the team has (job_order_id is included to test "open job" without a heap visit; it
-- also covers the per-stage counts). On the bench data (300 open jobs, 2,000 applications) the
-- card query drops from sorting every application of open jobs to an index walk of the 300 shown.
create index applications_board_idx on applications (team_id, stage, stage_changed_at, id) include (job_order_id);
