-- The strict login limit counts an account's failures per client address, so a stranger guessing
-- from elsewhere cannot lock the owner out; the looser account-wide ceiling still counts every
-- failure. Rows from before this have no address: they count towards the ceiling only.
alter table login_failures add column client text;
create index login_failures_email_client_idx on login_failures (lower(email), client, failed_at);
