-- Today reads a page of a user's stored list in list order (reason, due date, temperature, then
-- the contact), cutting the first 101 items before joining them to their contacts. The index it
-- used stopped at the temperature, so PostgreSQL read every item of the user's list that shared
-- the page's last (reason, due date, temperature) and sorted them (an incremental sort); with the
-- contact in the index the page is the first rows of one index range, in order. It replaces the
-- shorter index, which it serves for every other query (the same leading columns).
create index due_items_list_order_idx
    on due_items (team_id, user_id, reason_rank, due_on, temperature_rank, contact_kind, contact_id);
drop index due_items_user_idx;
