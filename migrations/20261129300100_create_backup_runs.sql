-- The nightly backups of the whole database (BACKUP_DIR): one row per attempt, like due_runs.
-- Not team-scoped on purpose: a backup holds every team. At most one a day across instances
-- (an advisory lock and this record); finished rows older than 90 days are pruned.
create table backup_runs (
    id bigint generated always as identity primary key,
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null default 'running'
        check (status in ('running', 'ok', 'failed', 'interrupted')),
    -- the file written (its full path on the server that took it)
    file text not null,
    size_bytes bigint,
    error text
);
create index backup_runs_started_idx on backup_runs (started_at desc);
