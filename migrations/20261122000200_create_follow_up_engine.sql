-- The follow-up engine: companies and their news, decision makers, candidates, touches with their
-- audit trail, the team's cadence settings, today's due lists, their history, snoozes and runs.
-- Every table carries team_id and every query filters on it.

create extension if not exists pg_trgm;

create table team_settings (
    team_id bigint primary key references teams (id),
    interval_hot integer not null default 14,
    interval_warm integer not null default 30,
    interval_cold integer not null default 90,
    second_call_working_days integer not null default 5,
    strike_gap_1 integer not null default 2,
    strike_gap_2 integer not null default 3,
    gone_dark_touches integer not null default 3,
    gone_dark_min_days integer not null default 14,
    gone_dark_rearm_days integer not null default 7,
    working_days text[] not null default '{mon,tue,wed,thu,fri}',
    holidays date[] not null default '{}',
    nightly_hour integer not null default 2 check (nightly_hour between 0 and 23),
    second_call_window_days integer not null default 30,
    new_dm_daily_goal integer not null default 2,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table companies (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    name text not null check (length(name) between 1 and 200),
    website text not null default '',
    notes text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index companies_team_name_idx on companies (team_id, lower(name));
create index companies_name_trgm_idx on companies using gin (name gin_trgm_ops);

create table company_events (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    company_id bigint not null references companies (id),
    kind text not null check (kind in ('new_leader', 'move', 'funding', 'layoffs', 'acquisition', 'other')),
    summary text not null check (length(summary) between 1 and 500),
    occurred_on date not null,
    -- what makes calls due is when the news was logged, not when it happened
    logged_at timestamptz not null default now(),
    logged_by bigint references users (id),
    created_at timestamptz not null default now()
);
create index company_events_company_idx on company_events (team_id, company_id, logged_at);

create table decision_makers (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    owner_id bigint not null references users (id),
    company_id bigint references companies (id),
    name text not null check (length(name) between 1 and 200),
    title text not null default '',
    email text not null default '',
    phone text not null default '',
    temperature text not null default 'cold' check (temperature in ('hot', 'warm', 'cold')),
    source text not null default '',
    talking_points text not null default '',
    email_opt_out boolean not null default false,
    do_not_contact boolean not null default false,
    archived_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index decision_makers_owner_idx on decision_makers (team_id, owner_id, id);
create index decision_makers_company_idx on decision_makers (team_id, company_id);
create index decision_makers_name_idx on decision_makers (team_id, lower(name), id);
create index decision_makers_search_idx on decision_makers using gin ((name || ' ' || email || ' ' || phone) gin_trgm_ops);

create table candidates (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    owner_id bigint not null references users (id),
    -- the current employer: its news makes the candidate's call due too
    company_id bigint references companies (id),
    name text not null check (length(name) between 1 and 200),
    title text not null default '',
    email text not null default '',
    phone text not null default '',
    source text not null default '',
    talking_points text not null default '',
    email_opt_out boolean not null default false,
    do_not_contact boolean not null default false,
    archived_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index candidates_owner_idx on candidates (team_id, owner_id, id);
create index candidates_company_idx on candidates (team_id, company_id);
create index candidates_name_idx on candidates (team_id, lower(name), id);
create index candidates_search_idx on candidates using gin ((name || ' ' || email || ' ' || phone) gin_trgm_ops);

create table touches (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    decision_maker_id bigint references decision_makers (id),
    candidate_id bigint references candidates (id),
    author_id bigint not null references users (id),
    channel text not null check (channel in ('call', 'voicemail', 'email', 'text', 'meeting', 'linkedin', 'note')),
    direction text not null check (direction in ('outbound', 'inbound')),
    outcome text not null check (outcome in ('connected', 'voicemail_left', 'no_answer', 'wrong_number', 'sent', 'replied', 'bounced', 'opted_out')),
    occurred_at timestamptz not null,
    notes text not null default '',
    next_step_on date,
    approach text not null default 'standard' check (approach in ('standard', 'dropped_the_ball', 'value_add', 'other_contact')),
    referrals integer not null default 0 check (referrals between 0 and 1000),
    referral_names text not null default '',
    -- a deleted touch stays for the audit trail and no longer counts
    deleted_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint touches_one_contact check ((decision_maker_id is null) <> (candidate_id is null))
);
create index touches_dm_idx on touches (team_id, decision_maker_id, occurred_at) where decision_maker_id is not null;
create index touches_candidate_idx on touches (team_id, candidate_id, occurred_at) where candidate_id is not null;
create index touches_team_time_idx on touches (team_id, occurred_at);

-- Every correction or deletion keeps the version it replaced.
create table touch_revisions (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    touch_id bigint not null references touches (id),
    action text not null check (action in ('corrected', 'deleted')),
    previous jsonb not null,
    revised_by bigint not null references users (id),
    created_at timestamptz not null default now()
);
create index touch_revisions_touch_idx on touch_revisions (team_id, touch_id);

create table due_snoozes (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    contact_kind text not null check (contact_kind in ('decision_maker', 'candidate')),
    contact_id bigint not null,
    reason text not null,
    until date not null,
    note text not null default '',
    created_by bigint not null references users (id),
    created_at timestamptz not null default now()
);
create index due_snoozes_contact_idx on due_snoozes (team_id, contact_kind, contact_id, created_at);

-- Today's lists: at most one item per contact, owned by the contact's owner.
create table due_items (
    team_id bigint not null references teams (id),
    contact_kind text not null check (contact_kind in ('decision_maker', 'candidate')),
    contact_id bigint not null,
    user_id bigint not null references users (id),
    list_date date not null,
    reason text not null,
    reason_rank smallint not null,
    temperature_rank smallint not null,
    due_on date not null,
    suggested_channel text not null,
    suggested_approach text,
    strike smallint,
    script_hint text not null,
    why text not null,
    built_at timestamptz not null default now(),
    primary key (team_id, contact_kind, contact_id)
);
create index due_items_user_idx on due_items (team_id, user_id, reason_rank, due_on, temperature_rank);

-- Which date each user's list was last built for (the nightly task and the catch-up read it).
create table due_lists (
    user_id bigint primary key references users (id),
    team_id bigint not null references teams (id),
    list_date date not null,
    built_at timestamptz not null default now()
);

-- Every item that ever appeared, and what settled it; outlives the rebuilds and feeds the reports.
create table due_item_history (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    contact_kind text not null,
    contact_id bigint not null,
    owner_id bigint not null references users (id),
    reason text not null,
    strike smallint,
    approach text,
    first_due_on date not null,
    first_seen_at timestamptz not null default now(),
    settled_at timestamptz,
    settled_by_touch_id bigint references touches (id)
);
create unique index due_item_history_open_idx on due_item_history (team_id, contact_kind, contact_id)
    where settled_at is null;
create index due_item_history_reason_idx on due_item_history (team_id, reason, first_due_on);

create table due_runs (
    id bigint generated always as identity primary key,
    team_id bigint references teams (id),
    trigger text not null check (trigger in ('nightly', 'catch_up', 'manual', 'command', 'settings')),
    as_of date,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    users_rebuilt integer not null default 0,
    contacts integer not null default 0,
    items integer not null default 0,
    status text not null default 'running' check (status in ('running', 'ok', 'failed')),
    error text
);
create index due_runs_team_idx on due_runs (team_id, started_at desc);
