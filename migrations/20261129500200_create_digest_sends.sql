-- The morning digest (DOMAIN.md, "The morning digest"): the team's digest hour, each user's
-- choice to turn it off, and one claim per user and local date, written before the mail is sent
-- (the unique constraint is what makes two instances or a restart send it once at most).
alter table team_settings
    add column digest_hour integer not null default 7 check (digest_hour between 0 and 23);

alter table users add column digest_off boolean not null default false;

create table digest_sends (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    user_id bigint not null references users (id),
    -- the user's local date the digest is for
    local_date date not null,
    -- sending: claimed, the mail is on its way (a crash here loses it, never doubles it);
    -- sent; retry: the mail server failed for now, tried again at next_try_at; failed: refused
    -- for good; given_up: still failing at the end of the user's day; empty: nothing was due;
    -- skipped: not a working day of the team, or the user is away (their coverer's digest has it)
    status text not null check (status in ('sending', 'sent', 'retry', 'failed', 'given_up', 'empty', 'skipped')),
    attempts integer not null default 0,
    items integer not null default 0,
    next_try_at timestamptz,
    last_error text not null default '',
    sent_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint digest_sends_once unique (user_id, local_date)
);
create index digest_sends_team_idx on digest_sends (team_id, id desc);
create index digest_sends_retry_idx on digest_sends (next_try_at) where status = 'retry';
