-- A touch logged now moves a decision maker's attempt summaries forward instead of counting them
-- again. Until here every touch on a DM recomputed its first, second and latest attempt and its
-- attempt gaps from all its touches (eight statements, about 0.4 ms of the 1 ms a touch's insert
-- took on the work benchmark), and every connected call looked up the DM's first connected call
-- again, though the usual touch is the DM's latest and changes one date.
--
-- What a new touch changes, read from the summaries themselves (under the DM's advisory lock, the
-- same one the full count takes, so concurrent touches of one DM still take turns):
--   * not an attempt (a note, an inbound touch, a bounce, a wrong number), or logged as deleted:
--     nothing at all;
--   * an attempt at or after the latest one, and after the first one in (time, id) order: the
--     latest attempt becomes this one; the second attempt too if there was none; a gap row if it
--     comes over 85 days (2040 hours) after the latest; and the DM moves in `coverage_days` when
--     the day of its latest attempt changes;
--   * a connected call after the DM's first connected call: nothing.
-- Everything else (the DM's first attempt or first connected call, a touch logged before the
-- latest attempt, every correction and deletion) is counted again in full, as before:
-- `refresh_dm_first_attempts` and `refresh_dm_first_connected_call` are unchanged.
-- tests/api/reports/attempts.rs compares the summaries with a count from the touches after every
-- step of random sequences of touches, corrections and deletions.

create function dm_first_attempts_step(p_team bigint, p_dm bigint, p_touch bigint, p_at timestamptz)
returns boolean
language plpgsql set plan_cache_mode = auto as $$
declare
    x record;
    d record;
begin
    perform pg_advisory_xact_lock(7312003, (p_dm % 2147483647)::int);
    select a.first_at, a.first_touch_id, a.last_at into x from dm_first_attempts a
     where a.team_id = p_team and a.decision_maker_id = p_dm;
    if not found or x.last_at is null or p_at < x.last_at
       or (p_at, p_touch) <= (x.first_at, x.first_touch_id) then
        return false;
    end if;
    update dm_first_attempts a set second_at = coalesce(a.second_at, p_at), last_at = p_at
     where a.team_id = p_team and a.decision_maker_id = p_dm;
    -- The attempt before this one is at the old latest time (a tie of times makes a gap of zero,
    -- and the row of a gap is keyed by its time, so which of two tied touches comes first does
    -- not change the rows).
    if p_at - x.last_at > interval '2040 hours' then
        insert into dm_attempt_gaps (team_id, decision_maker_id, at, prev_at)
        values (p_team, p_dm, p_at, x.last_at)
        on conflict (team_id, decision_maker_id, at) do update set prev_at = excluded.prev_at
            where dm_attempt_gaps.prev_at is distinct from excluded.prev_at;
    end if;
    if coverage_day(x.last_at) <> coverage_day(p_at) then
        -- as in refresh_dm_first_attempts: an owner change or archive of this DM and this move
        -- take turns
        select c.team_id, c.owner_id, (c.archived_at is null and not c.do_not_contact) as counted
          into d from decision_makers c where c.id = p_dm for share;
        if found and d.counted then
            perform coverage_days_move(d.team_id, d.owner_id, coverage_day(x.last_at), coverage_day(p_at));
        end if;
    end if;
    return true;
end $$;

create or replace function touches_refresh_dm_first_attempts() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    if tg_op = 'UPDATE'
       and (old.team_id, old.decision_maker_id, old.author_id, old.occurred_at, old.deleted_at, old.direction, old.channel, old.outcome)
           is not distinct from
           (new.team_id, new.decision_maker_id, new.author_id, new.occurred_at, new.deleted_at, new.direction, new.channel, new.outcome) then
        return null;
    end if;
    -- nested, not one condition: SQL does not promise to evaluate `and` left to right, and the
    -- step writes
    if tg_op = 'INSERT' and new.decision_maker_id is not null then
        if new.deleted_at is not null or not is_attempt(new.direction, new.channel, new.outcome) then
            return null;
        end if;
        if dm_first_attempts_step(new.team_id, new.decision_maker_id, new.id, new.occurred_at) then
            return null;
        end if;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.decision_maker_id is not null then
        perform refresh_dm_first_attempts(new.team_id, new.decision_maker_id);
    end if;
    if tg_op in ('UPDATE', 'DELETE') and old.decision_maker_id is not null
       and (tg_op = 'DELETE' or (old.team_id, old.decision_maker_id) is distinct from (new.team_id, new.decision_maker_id)) then
        perform refresh_dm_first_attempts(old.team_id, old.decision_maker_id);
    end if;
    return null;
end $$;

create function dm_first_connected_call_holds(p_team bigint, p_dm bigint, p_touch bigint, p_at timestamptz)
returns boolean
language plpgsql set plan_cache_mode = auto as $$
begin
    perform pg_advisory_xact_lock(7312004, (p_dm % 2147483647)::int);
    return exists (select 1 from dm_first_connected_calls f
                    where f.team_id = p_team and f.decision_maker_id = p_dm
                      and (f.first_at, f.first_touch_id) < (p_at, p_touch));
end $$;

create or replace function touches_refresh_dm_first_connected_call() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    if tg_op = 'UPDATE'
       and (old.team_id, old.decision_maker_id, old.author_id, old.occurred_at, old.deleted_at, old.channel, old.outcome)
           is not distinct from
           (new.team_id, new.decision_maker_id, new.author_id, new.occurred_at, new.deleted_at, new.channel, new.outcome) then
        return null;
    end if;
    if tg_op = 'INSERT' and new.deleted_at is null and new.decision_maker_id is not null
       and new.channel = 'call' and new.outcome = 'connected' then
        if dm_first_connected_call_holds(new.team_id, new.decision_maker_id, new.id, new.occurred_at) then
            return null;
        end if;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.decision_maker_id is not null
       and new.channel = 'call' and new.outcome = 'connected' then
        perform refresh_dm_first_connected_call(new.team_id, new.decision_maker_id);
    end if;
    if tg_op in ('UPDATE', 'DELETE') and old.decision_maker_id is not null
       and old.channel = 'call' and old.outcome = 'connected'
       and (tg_op = 'DELETE' or (old.team_id, old.decision_maker_id) is distinct from (new.team_id, new.decision_maker_id)
            or not (new.channel = 'call' and new.outcome = 'connected')) then
        perform refresh_dm_first_connected_call(old.team_id, old.decision_maker_id);
    end if;
    return null;
end $$;
