-- How long the team keeps its security log (days); older entries are pruned by the background
-- tasks in small batches.
alter table team_settings
    add column audit_retention_days integer not null default 365
        check (audit_retention_days between 30 and 3650);
