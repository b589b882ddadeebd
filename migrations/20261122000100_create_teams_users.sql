-- Teams (the tenant), their users, browser sessions, API tokens and the login-failure log.

create table teams (
    id bigint generated always as identity primary key,
    name text not null check (length(name) between 1 and 200),
    created_at timestamptz not null default now()
);

create table users (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    email text not null check (length(email) between 3 and 320),
    name text not null check (length(name) between 1 and 200),
    role text not null check (role in ('recruiter', 'manager')),
    time_zone text not null,
    password_hash text not null,
    -- set by a manager's reset: the user must choose a new password at the next login
    must_change_password boolean not null default false,
    active boolean not null default true,
    -- bumped at every password change and deactivation: sessions carrying an older value end
    session_epoch integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
-- login is by email alone, so an address belongs to one account across all teams
create unique index users_email_key on users (lower(email));
create index users_team_id_idx on users (team_id, id);

-- The tower-sessions Postgres store reads and writes exactly these three columns.
create table sessions (
    id text primary key,
    data bytea not null,
    expiry_date timestamptz not null
);
create index sessions_expiry_date_idx on sessions (expiry_date);

create table api_tokens (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    user_id bigint not null references users (id),
    name text not null check (length(name) between 1 and 100),
    -- SHA-256 of the token: the token itself is shown once and never stored
    token_hash bytea not null unique,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
create index api_tokens_user_idx on api_tokens (team_id, user_id);

-- Recent failed logins per account: the per-account limit holds across app instances.
-- Not team-scoped on purpose: it is keyed by the email typed at the login form, before any team is known.
create table login_failures (
    id bigint generated always as identity primary key,
    email text not null,
    failed_at timestamptz not null default now()
);
create index login_failures_email_idx on login_failures (lower(email), failed_at);
