-- One-time setup codes of a public server's first run: each starting instance adds the SHA-256 of
-- the code it printed in its log, so any instance accepts any of them. Creating the first team
-- deletes them all, in the same transaction.
create table setup_codes (
    id bigint generated always as identity primary key,
    code_hash bytea not null unique,
    created_at timestamptz not null default now()
);
