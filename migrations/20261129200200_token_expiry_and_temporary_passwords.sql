-- A token may expire (null: it lasts until revoked); an expired one answers 401 like a revoked one.
alter table api_tokens add column expires_at timestamptz;

-- A manager's (or the operator's) reset gives a temporary password that lasts 7 days; null for a
-- password the user chose.
alter table users add column temporary_password_expires_at timestamptz;
