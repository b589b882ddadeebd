-- `coverage_days_move` was a SQL function: PostgreSQL plans the statement of a SQL function it
-- cannot inline on every call, so each touch that moved a decision maker's latest attempt to
-- another day planned its upsert afresh (0.2 ms of a touch's 0.6 ms in its triggers, the work
-- benchmark of issue 14). As PL/pgSQL the plan is kept per connection. The same statement.
create or replace function coverage_days_move(p_team bigint, p_owner bigint, p_from date, p_to date) returns void
language plpgsql set plan_cache_mode = auto as $$
begin
    insert into coverage_days as c (team_id, owner_id, day, dms)
    select p_team, p_owner, x.day, x.delta
    from (values (p_from, -1), (p_to, 1)) x(day, delta)
    where p_from <> p_to
    order by x.day
    on conflict (team_id, owner_id, day) do update set dms = c.dms + excluded.dms;
end $$;
