-- The secret of each user's iCalendar feed URL, as a SHA-256 hash (the URL itself is shown once).
-- One per user: a new one replaces the old, which stops at once.
create table calendar_tokens (
    user_id bigint primary key references users (id),
    team_id bigint not null references teams (id),
    token_hash bytea not null unique,
    created_at timestamptz not null default now()
);
