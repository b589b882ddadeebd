-- A run left 'running' by a process that died (killed, crashed, the machine lost power) is
-- marked 'interrupted' by the next server that starts, once it holds the team's rebuild lock:
-- nobody is working on it any more.
alter table due_runs drop constraint due_runs_status_check;
alter table due_runs add constraint due_runs_status_check
    check (status in ('running', 'ok', 'failed', 'interrupted'));

-- The nightly task's question, "which runs of this trigger ended lately", reads by trigger.
create index due_runs_trigger_idx on due_runs (trigger, started_at desc);
