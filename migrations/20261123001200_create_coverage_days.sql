-- 90-day coverage from summaries kept by triggers.
--
-- The figure: per owner, the active DMs (not archived, not do-not-contact, created before the
-- window's end E) with an attempt in [S, E), S being 90 local days before E. Read from the
-- touches it joined every DM with every attempt of the 90 days (393k DMs, 513k attempts on the
-- benchmark team): 1.0 s alone and 2.2 s next to the page's other figures.
--
-- Exact decomposition, with L = a DM's latest attempt ever:
--   covered(E) = #{L >= S}                                  coverage_days, plus the hours of S's
--                                                           UTC day from dm_first_attempts.last_at
--              - #{DMs attempted at or after E whose        dm_attempt_gaps: only attempts that
--                  previous attempt is before S (or none)}   follow a gap of over 85 days or none
--              - #{DMs created at or after E, covered}      a handful, checked one by one
-- A DM with L >= S but no attempt in [S, E) has all its attempts from S on at or after E, so
-- exactly one of them (the first) has its previous attempt before S: the second term counts it
-- once. Since E - S is 90 local days (over 85 days in any zone), that attempt followed a gap of
-- over 85 days, so it is in dm_attempt_gaps.
--
-- Writes: a touch on a DM already recomputed its first and second attempt (refresh, below); it now
-- also reads the latest one and the DM's attempts with their gaps (one index range, index-only),
-- and moves the DM between two coverage_days rows when its latest attempt changes UTC day (then
-- the DM's row is share-locked so an owner change or archive cannot interleave). A change of a
-- DM's owner, team, archive or do-not-contact moves it between rows, one statement per statement.

alter table dm_first_attempts add column last_at timestamptz;
create index dm_first_attempts_last_idx on dm_first_attempts (team_id, last_at);

-- Attempts on a DM that follow no attempt, or an attempt over 85 days earlier.
create table dm_attempt_gaps (
    team_id bigint not null references teams (id),
    decision_maker_id bigint not null references decision_makers (id),
    at timestamptz not null,
    prev_at timestamptz,
    primary key (team_id, decision_maker_id, at)
);
create index dm_attempt_gaps_at_idx on dm_attempt_gaps (team_id, at) include (prev_at, decision_maker_id);

-- Counted DMs (not archived, not do-not-contact) per owner by the UTC day of their latest
-- attempt; '-infinity' for those never attempted.
create table coverage_days (
    team_id bigint not null references teams (id),
    owner_id bigint not null references users (id),
    day date not null,
    dms integer not null default 0,
    primary key (team_id, owner_id, day)
);

-- DMs created after a window's end are taken out one by one.
create index decision_makers_created_idx on decision_makers (team_id, created_at);

create function coverage_day(at timestamptz) returns date
language sql immutable as $$ select coalesce((at at time zone 'UTC')::date, '-infinity'::date) $$;

-- Moves one DM of an owner from one day to another (rows in key order).
create function coverage_days_move(p_team bigint, p_owner bigint, p_from date, p_to date) returns void
language sql as $$
    insert into coverage_days as c (team_id, owner_id, day, dms)
    select p_team, p_owner, x.day, x.delta
    from (values (p_from, -1), (p_to, 1)) x(day, delta)
    where p_from <> p_to
    order by x.day
    on conflict (team_id, owner_id, day) do update set dms = c.dms + excluded.dms;
$$;

-- The refresh of the first-attempts migration, plus the latest attempt, the gaps and the move.
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
       and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
     order by t.occurred_at, t.id limit 1;
    if not found then
        delete from dm_first_attempts where team_id = p_team and decision_maker_id = p_dm;
        delete from dm_attempt_gaps where team_id = p_team and decision_maker_id = p_dm;
    else
        select t.occurred_at into s from touches t
         where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
           and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
           and (t.occurred_at, t.id) > (f.occurred_at, f.id)
         order by t.occurred_at, t.id limit 1;
        select t.occurred_at into l from touches t
         where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
           and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
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
                  and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')) a
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

-- A change of DMs moves them between coverage_days rows, at their latest attempt's day: -1 under
-- their old team, owner and state, +1 under the new. One statement per statement, in key order.
create function decision_makers_coverage_insert() returns trigger
language plpgsql as $$
begin
    insert into coverage_days as c (team_id, owner_id, day, dms)
    select x.team_id, x.owner_id, coverage_day(f.last_at), sum(x.delta)
    from (select n.id, n.team_id, n.owner_id, 1 as delta from new_rows n where n.archived_at is null and not n.do_not_contact) x
    left join dm_first_attempts f on f.team_id = x.team_id and f.decision_maker_id = x.id
    group by 1, 2, 3
    having sum(x.delta) <> 0
    order by 1, 2, 3
    on conflict (team_id, owner_id, day) do update set dms = c.dms + excluded.dms;
    return null;
end $$;

create function decision_makers_coverage_delete() returns trigger
language plpgsql as $$
begin
    insert into coverage_days as c (team_id, owner_id, day, dms)
    select x.team_id, x.owner_id, coverage_day(f.last_at), sum(x.delta)
    from (select o.id, o.team_id, o.owner_id, -1 as delta from old_rows o where o.archived_at is null and not o.do_not_contact) x
    left join dm_first_attempts f on f.team_id = x.team_id and f.decision_maker_id = x.id
    group by 1, 2, 3
    having sum(x.delta) <> 0
    order by 1, 2, 3
    on conflict (team_id, owner_id, day) do update set dms = c.dms + excluded.dms;
    return null;
end $$;

create function decision_makers_coverage_update() returns trigger
language plpgsql as $$
begin
    insert into coverage_days as c (team_id, owner_id, day, dms)
    select x.team_id, x.owner_id, coverage_day(f.last_at), sum(x.delta)
    from (select o.id, o.team_id, o.owner_id, -1 as delta from old_rows o where o.archived_at is null and not o.do_not_contact
          union all select n.id, n.team_id, n.owner_id, 1 as delta from new_rows n where n.archived_at is null and not n.do_not_contact) x
    left join dm_first_attempts f on f.team_id = x.team_id and f.decision_maker_id = x.id
    group by 1, 2, 3
    having sum(x.delta) <> 0
    order by 1, 2, 3
    on conflict (team_id, owner_id, day) do update set dms = c.dms + excluded.dms;
    return null;
end $$;

create trigger decision_makers_coverage_insert after insert on decision_makers
    referencing new table as new_rows for each statement execute function decision_makers_coverage_insert();
create trigger decision_makers_coverage_delete after delete on decision_makers
    referencing old table as old_rows for each statement execute function decision_makers_coverage_delete();
create trigger decision_makers_coverage_update after update on decision_makers
    referencing old table as old_rows new table as new_rows for each statement execute function decision_makers_coverage_update();

-- The data logged before this migration (the seed, whose bulk load skips triggers, runs the same
-- statements for its team: src/dev/seed.rs).
update dm_first_attempts f set last_at = (
    select t.occurred_at from touches t
     where t.team_id = f.team_id and t.decision_maker_id = f.decision_maker_id and t.deleted_at is null
       and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
     order by t.occurred_at desc, t.id desc limit 1);

insert into dm_attempt_gaps (team_id, decision_maker_id, at, prev_at)
select a.team_id, a.decision_maker_id, a.at, a.prev_at from (
    select t.team_id, t.decision_maker_id, t.occurred_at as at,
           lag(t.occurred_at) over (partition by t.team_id, t.decision_maker_id order by t.occurred_at, t.id) as prev_at
    from touches t
    where t.decision_maker_id is not null and t.deleted_at is null
      and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')) a
where a.prev_at is null or a.at - a.prev_at > interval '2040 hours';

insert into coverage_days (team_id, owner_id, day, dms)
select d.team_id, d.owner_id, coverage_day(f.last_at), count(*)
from decision_makers d
left join dm_first_attempts f on f.team_id = d.team_id and f.decision_maker_id = d.id
where d.archived_at is null and not d.do_not_contact
group by 1, 2, 3;
