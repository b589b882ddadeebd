-- One SQL definition of "counts as an attempt" (docs/rules.md, Attempt; the Rust one is
-- `TouchFact::is_attempt` in src/domain/cadence/facts.rs): an outbound touch on any channel but a
-- note, unless the email bounced or the number was wrong. A deleted touch counts for nothing, but
-- that is the touch's state, not its kind: callers still say `deleted_at is null` themselves.
--
-- A plain SQL function of its arguments (one expression, no SET, not strict, not security
-- definer, each argument used once): the planner inlines it into the calling statement before it
-- plans, so a condition written `is_attempt(t.direction, t.channel, t.outcome)` is planned exactly
-- as the condition written out, and still matches the predicates of the partial indexes
-- `touches_dm_attempt_idx` and `touches_dm_attempt_time_idx` (tests/api/codes.rs checks that the
-- plans use them).
create function is_attempt(direction text, channel text, outcome text) returns boolean
language sql immutable parallel safe
as $$ select direction = 'outbound' and channel <> 'note' and outcome not in ('bounced', 'wrong_number') $$;

-- The partial indexes of 20261122000500_index_reports.sql keep their predicates written out:
-- redefining them with the call would rebuild two indexes over every touch (10M rows on the
-- benchmark team) for the same rows. Written out or called, the condition is the same
-- expression once inlined, so queries using the function still use these indexes. Their
-- predicates and this function's body must change together, if ever.
--
-- The one-off backfills of the earlier migrations ran once and are left as they were (a shipped
-- migration is never edited). What still runs is the refresh of a DM's attempts, re-created here
-- from its latest definition (20261123001200_create_coverage_days.sql) with the call in place of
-- the four written-out conditions; nothing else changes.
create or replace function refresh_dm_first_attempts(p_team bigint, p_dm bigint) returns void
language plpgsql as $$
declare
    f record;
    s timestamptz;
    l timestamptz;
    old_last timestamptz;
    d record;
begin
    -- concurrent touches of one DM take turns, so the last one sees both
    perform pg_advisory_xact_lock(7312003, (p_dm % 2147483647)::int);
    select x.last_at into old_last from dm_first_attempts x where x.team_id = p_team and x.decision_maker_id = p_dm;
    select t.occurred_at, t.id, t.author_id into f from touches t
     where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
       and is_attempt(t.direction, t.channel, t.outcome)
     order by t.occurred_at, t.id limit 1;
    if not found then
        delete from dm_first_attempts where team_id = p_team and decision_maker_id = p_dm;
        delete from dm_attempt_gaps where team_id = p_team and decision_maker_id = p_dm;
    else
        select t.occurred_at into s from touches t
         where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
           and is_attempt(t.direction, t.channel, t.outcome)
           and (t.occurred_at, t.id) > (f.occurred_at, f.id)
         order by t.occurred_at, t.id limit 1;
        select t.occurred_at into l from touches t
         where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
           and is_attempt(t.direction, t.channel, t.outcome)
         order by t.occurred_at desc, t.id desc limit 1;
        insert into dm_first_attempts (team_id, decision_maker_id, first_at, first_touch_id, first_author_id, second_at, last_at)
        values (p_team, p_dm, f.occurred_at, f.id, f.author_id, s, l)
        on conflict (team_id, decision_maker_id) do update
            set first_at = excluded.first_at, first_touch_id = excluded.first_touch_id,
                first_author_id = excluded.first_author_id, second_at = excluded.second_at, last_at = excluded.last_at;
        -- the gaps: one statement, so the rows it drops and the ones it writes are apart
        with want as (
            select a.at, a.prev_at from (
                select t.occurred_at as at, lag(t.occurred_at) over (order by t.occurred_at, t.id) as prev_at
                from touches t
                where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
                  and is_attempt(t.direction, t.channel, t.outcome)) a
            where a.prev_at is null or a.at - a.prev_at > interval '2040 hours'),
        gone as (
            delete from dm_attempt_gaps g where g.team_id = p_team and g.decision_maker_id = p_dm
               and g.at not in (select w.at from want w))
        insert into dm_attempt_gaps (team_id, decision_maker_id, at, prev_at)
        select p_team, p_dm, w.at, w.prev_at from want w
        on conflict (team_id, decision_maker_id, at) do update set prev_at = excluded.prev_at
            where dm_attempt_gaps.prev_at is distinct from excluded.prev_at;
    end if;
    if coverage_day(old_last) <> coverage_day(l) then
        -- An owner change or archive of this DM waits for this transaction, or this waits for it
        -- and reads its result (the DM's trigger reads last_at once this has committed).
        select x.team_id, x.owner_id, (x.archived_at is null and not x.do_not_contact) as counted into d
          from decision_makers x where x.id = p_dm for share;
        if found and d.counted then
            perform coverage_days_move(d.team_id, d.owner_id, coverage_day(old_last), coverage_day(l));
        end if;
    end if;
end $$;
