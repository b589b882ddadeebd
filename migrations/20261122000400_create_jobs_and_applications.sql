-- Job orders, applications (a candidate in a job's pipeline) and the history of every stage and
-- status change: the board, the sign-off calls and the reports read them.

create table job_orders (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    company_id bigint not null references companies (id),
    decision_maker_id bigint references decision_makers (id),
    owner_id bigint not null references users (id),
    title text not null check (length(title) between 1 and 200),
    status text not null default 'open' check (status in ('open', 'on_hold', 'filled', 'cancelled')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index job_orders_team_status_idx on job_orders (team_id, status, id);
create index job_orders_dm_idx on job_orders (team_id, decision_maker_id, created_at);
create index job_orders_company_idx on job_orders (team_id, company_id);

create table job_status_changes (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    job_order_id bigint not null references job_orders (id),
    from_status text,
    to_status text not null,
    changed_by bigint references users (id),
    changed_at timestamptz not null default now()
);
create index job_status_changes_job_idx on job_status_changes (team_id, job_order_id, changed_at);

create table applications (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    job_order_id bigint not null references job_orders (id),
    candidate_id bigint not null references candidates (id),
    stage text not null default 'sourced' check (stage in
        ('sourced', 'contacted', 'screening', 'presented', 'interviewing', 'offer', 'placed', 'rejected', 'withdrawn')),
    -- bumped at every stage change: a move based on an older version is refused (409)
    version integer not null default 1,
    stage_changed_at timestamptz not null default now(),
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint applications_job_candidate_key unique (team_id, job_order_id, candidate_id)
);
create index applications_candidate_idx on applications (team_id, candidate_id);
create index applications_stage_idx on applications (team_id, stage, job_order_id);

create table application_stage_changes (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    application_id bigint not null references applications (id),
    from_stage text,
    to_stage text not null,
    changed_by bigint references users (id),
    changed_at timestamptz not null default now()
);
create index application_stage_changes_app_idx on application_stage_changes (team_id, application_id, changed_at);
