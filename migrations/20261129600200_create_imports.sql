-- CSV imports: the uploaded file between its preview and its run, the progress of a run, and its
-- result (counts, and the rows left out with why, as the CSV the result page offers). The file is
-- dropped when the run ends; rows older than a week are pruned.
create table imports (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    user_id bigint not null references users (id),
    owner_id bigint not null references users (id),
    kind text not null check (kind in ('decision_maker', 'candidate')),
    on_duplicate text not null check (on_duplicate in ('skip', 'update')),
    file_name text not null default '',
    body bytea,
    -- the field of each column (columns::Field codes); empty: guessed from the headers
    mapping text[] not null default '{}',
    status text not null default 'previewed' check (status in ('previewed', 'running', 'done', 'failed')),
    total_rows integer not null default 0,
    processed_rows integer not null default 0,
    created integer not null default 0,
    updated integer not null default 0,
    duplicates integer not null default 0,
    suppressed integer not null default 0,
    invalid integer not null default 0,
    left_out bytea,
    created_at timestamptz not null default now(),
    finished_at timestamptz
);
create index imports_team_idx on imports (team_id, id);
