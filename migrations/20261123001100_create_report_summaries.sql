-- Two summaries of touches for the Team page, kept by triggers on touches like dm_first_attempts.
--
-- Measured on the engine's benchmark team (scripts/bench_reports.sh: 200 recruiters, 10M touches,
-- seed 42) on the shared 2-core machine, load average 2-4 from other work, JIT off, one query at a
-- time. Before, "touches a day by channel" read every touch of the period from an index and "new
-- DMs" probed every DM with a connected call in the period for an earlier one:
--
--   touches, 1 year (3.7 s; 4 weeks 0.8 s):
--   HashAggregate (actual time=3710..3719 rows=1200)   Group Key: t.author_id, t.channel
--     ->  Index Only Scan using touches_team_time_channel_idx on touches t
--           (actual rows=4.9 million)  Heap Fetches: 0
--
--   new DMs, 1 year (1.9 s; 4 weeks 0.77 s):
--   HashAggregate (actual time=763..763 rows=200)      -- 4 weeks shown
--     ->  Nested Loop (actual rows=52985)
--           ->  HashAggregate (rows=129302)   Group Key: t.decision_maker_id
--                 ->  Index Only Scan using touches_dm_connected_time_idx (rows=151863)
--           ->  Limit -> Index Only Scan using touches_dm_connected_idx (loops=129302)
--
-- touch_days: a team's touches per UTC day and author, by channel (notes aside), and the touches
-- with referrals. A period bounded by local midnights reads its whole UTC days here (200 rows a
-- day for 200 recruiters) and only the hours at either end from touches, so it stays exact in any
-- zone. Deleted touches are not counted; a correction moves the touch between rows.
create table touch_days (
    team_id bigint not null references teams (id),
    day date not null,
    author_id bigint not null references users (id),
    calls integer not null default 0,
    voicemails integer not null default 0,
    emails integer not null default 0,
    texts integer not null default 0,
    meetings integer not null default 0,
    linkedins integer not null default 0,
    referral_touches integer not null default 0,
    referrals integer not null default 0,
    created_at timestamptz not null default now(),
    primary key (team_id, day, author_id)
);

-- Adds (sign 1) or removes (sign -1) one touch's counts; both halves of a correction go in one
-- statement, summed per row and in key order, so two corrections never lock rows in turn.
create function touch_days_rows(r touches, sign integer)
returns table (team_id bigint, day date, author_id bigint, calls integer, voicemails integer, emails integer,
               texts integer, meetings integer, linkedins integer, referral_touches integer, referrals integer)
language sql immutable as $$
    select r.team_id, (r.occurred_at at time zone 'UTC')::date, r.author_id,
           sign * (r.channel = 'call')::int, sign * (r.channel = 'voicemail')::int, sign * (r.channel = 'email')::int,
           sign * (r.channel = 'text')::int, sign * (r.channel = 'meeting')::int, sign * (r.channel = 'linkedin')::int,
           sign * (r.referrals > 0)::int, sign * r.referrals
    where r.deleted_at is null and (r.channel <> 'note' or r.referrals > 0)
$$;

create function touches_count_days() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE'
       and (old.team_id, old.author_id, old.occurred_at, old.deleted_at, old.channel, old.referrals)
           is not distinct from (new.team_id, new.author_id, new.occurred_at, new.deleted_at, new.channel, new.referrals) then
        return null;
    end if;
    insert into touch_days as d (team_id, day, author_id, calls, voicemails, emails, texts, meetings, linkedins,
                                 referral_touches, referrals)
    select c.team_id, c.day, c.author_id, sum(c.calls), sum(c.voicemails), sum(c.emails), sum(c.texts),
           sum(c.meetings), sum(c.linkedins), sum(c.referral_touches), sum(c.referrals)
    from (select * from touch_days_rows(old, -1) where tg_op <> 'INSERT'
          union all
          select * from touch_days_rows(new, 1) where tg_op <> 'DELETE') c
    group by c.team_id, c.day, c.author_id
    order by c.team_id, c.day, c.author_id
    on conflict (team_id, day, author_id) do update
        set calls = d.calls + excluded.calls, voicemails = d.voicemails + excluded.voicemails,
            emails = d.emails + excluded.emails, texts = d.texts + excluded.texts,
            meetings = d.meetings + excluded.meetings, linkedins = d.linkedins + excluded.linkedins,
            referral_touches = d.referral_touches + excluded.referral_touches,
            referrals = d.referrals + excluded.referrals;
    return null;
end $$;

create trigger touches_touch_days after insert or update or delete on touches
    for each row execute function touches_count_days();

-- dm_first_connected_calls: each DM's first connected call ever (the day it became a "new DM"),
-- so a period's new DMs are one range of (team_id, first_at).
create table dm_first_connected_calls (
    team_id bigint not null references teams (id),
    decision_maker_id bigint not null references decision_makers (id),
    first_at timestamptz not null,
    first_touch_id bigint not null,
    author_id bigint not null references users (id),
    created_at timestamptz not null default now(),
    primary key (team_id, decision_maker_id)
);
create index dm_first_connected_calls_first_idx on dm_first_connected_calls (team_id, first_at) include (author_id);

create function refresh_dm_first_connected_call(p_team bigint, p_dm bigint) returns void
language plpgsql as $$
declare
    f record;
begin
    -- concurrent touches of one DM take turns, so the last one sees both
    perform pg_advisory_xact_lock(7312004, (p_dm % 2147483647)::int);
    select t.occurred_at, t.id, t.author_id into f from touches t
     where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
       and t.channel = 'call' and t.outcome = 'connected'
     order by t.occurred_at, t.id limit 1;
    if not found then
        delete from dm_first_connected_calls where team_id = p_team and decision_maker_id = p_dm;
        return;
    end if;
    insert into dm_first_connected_calls (team_id, decision_maker_id, first_at, first_touch_id, author_id)
    values (p_team, p_dm, f.occurred_at, f.id, f.author_id)
    on conflict (team_id, decision_maker_id) do update
        set first_at = excluded.first_at, first_touch_id = excluded.first_touch_id, author_id = excluded.author_id
        where (dm_first_connected_calls.first_at, dm_first_connected_calls.first_touch_id, dm_first_connected_calls.author_id)
              is distinct from (excluded.first_at, excluded.first_touch_id, excluded.author_id);
end $$;

-- Only a touch that is or was a connected call can change a DM's first one.
create function touches_refresh_dm_first_connected_call() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE'
       and (old.team_id, old.decision_maker_id, old.author_id, old.occurred_at, old.deleted_at, old.channel, old.outcome)
           is not distinct from
           (new.team_id, new.decision_maker_id, new.author_id, new.occurred_at, new.deleted_at, new.channel, new.outcome) then
        return null;
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

create trigger touches_dm_first_connected_calls after insert or update or delete on touches
    for each row execute function touches_refresh_dm_first_connected_call();

-- The touches logged before this migration (the seed, whose bulk load skips triggers, runs the
-- same two statements for its team).
insert into touch_days (team_id, day, author_id, calls, voicemails, emails, texts, meetings, linkedins,
                        referral_touches, referrals)
select t.team_id, (t.occurred_at at time zone 'UTC')::date, t.author_id,
       count(*) filter (where t.channel = 'call'), count(*) filter (where t.channel = 'voicemail'),
       count(*) filter (where t.channel = 'email'), count(*) filter (where t.channel = 'text'),
       count(*) filter (where t.channel = 'meeting'), count(*) filter (where t.channel = 'linkedin'),
       count(*) filter (where t.referrals > 0), coalesce(sum(t.referrals), 0)
from touches t
where t.deleted_at is null and (t.channel <> 'note' or t.referrals > 0)
group by 1, 2, 3;

insert into dm_first_connected_calls (team_id, decision_maker_id, first_at, first_touch_id, author_id)
select distinct on (t.team_id, t.decision_maker_id) t.team_id, t.decision_maker_id, t.occurred_at, t.id, t.author_id
from touches t
where t.decision_maker_id is not null and t.deleted_at is null and t.channel = 'call' and t.outcome = 'connected'
order by t.team_id, t.decision_maker_id, t.occurred_at, t.id;
