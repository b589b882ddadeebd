-- Each session row names the user its auth record speaks for (written by the app's session store
-- with the record, src/auth/session_store.rs), so the read that starts every signed-in request
-- brings the user along in the same statement. Rows written before this have none; their
-- requests read the user on their own, as before, until the row is next saved.
alter table sessions add column user_id bigint;
