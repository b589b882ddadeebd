-- The first two attempts of every decision maker, kept by a trigger on touches.
--
-- The second-call rate counts the DMs whose first attempt EVER fell in a period. Read from the
-- touches, that means checking every DM attempted in the period for an earlier attempt (one index
-- probe each: 130 000 for four weeks of a 200-recruiter team, ten times that for the 12-week trend
-- and for a year). Kept here, it is a range of the (team_id, first_at) index. The trigger
-- recomputes a DM's row from its attempts (two probes of touches_dm_attempt_idx) whenever one of
-- its touches is logged, corrected, moved or deleted, so back-dated touches and corrections are
-- always reflected. Attempt = outbound, not a note, not bounced or a wrong number, not deleted.
create table dm_first_attempts (
    team_id bigint not null references teams (id),
    decision_maker_id bigint not null references decision_makers (id),
    first_at timestamptz not null,
    first_touch_id bigint not null,
    first_author_id bigint not null references users (id),
    -- the next attempt after the first, by anyone (null: none yet)
    second_at timestamptz,
    created_at timestamptz not null default now(),
    primary key (team_id, decision_maker_id)
);
create index dm_first_attempts_first_idx on dm_first_attempts (team_id, first_at);

create function refresh_dm_first_attempts(p_team bigint, p_dm bigint) returns void
language plpgsql as $$
declare
    f record;
    s timestamptz;
begin
    -- concurrent touches of one DM take turns, so the last one sees both
    perform pg_advisory_xact_lock(7312003, (p_dm % 2147483647)::int);
    select t.occurred_at, t.id, t.author_id into f from touches t
     where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
       and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
     order by t.occurred_at, t.id limit 1;
    if not found then
        delete from dm_first_attempts where team_id = p_team and decision_maker_id = p_dm;
        return;
    end if;
    select t.occurred_at into s from touches t
     where t.team_id = p_team and t.decision_maker_id = p_dm and t.deleted_at is null
       and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
       and (t.occurred_at, t.id) > (f.occurred_at, f.id)
     order by t.occurred_at, t.id limit 1;
    insert into dm_first_attempts (team_id, decision_maker_id, first_at, first_touch_id, first_author_id, second_at)
    values (p_team, p_dm, f.occurred_at, f.id, f.author_id, s)
    on conflict (team_id, decision_maker_id) do update
        set first_at = excluded.first_at, first_touch_id = excluded.first_touch_id,
            first_author_id = excluded.first_author_id, second_at = excluded.second_at;
end $$;

create function touches_refresh_dm_first_attempts() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE'
       and (old.team_id, old.decision_maker_id, old.author_id, old.occurred_at, old.deleted_at, old.direction, old.channel, old.outcome)
           is not distinct from
           (new.team_id, new.decision_maker_id, new.author_id, new.occurred_at, new.deleted_at, new.direction, new.channel, new.outcome) then
        return null;
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

create trigger touches_dm_first_attempts after insert or update or delete on touches
    for each row execute function touches_refresh_dm_first_attempts();

-- The DMs attempted before this migration.
insert into dm_first_attempts (team_id, decision_maker_id, first_at, first_touch_id, first_author_id, second_at)
select d.team_id, d.id, f.occurred_at, f.id, f.author_id, s.occurred_at
from decision_makers d
cross join lateral (select t.occurred_at, t.id, t.author_id from touches t
      where t.team_id = d.team_id and t.decision_maker_id = d.id and t.deleted_at is null
        and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
      order by t.occurred_at, t.id limit 1) f
left join lateral (select t.occurred_at from touches t
      where t.team_id = d.team_id and t.decision_maker_id = d.id and t.deleted_at is null
        and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
        and (t.occurred_at, t.id) > (f.occurred_at, f.id)
      order by t.occurred_at, t.id limit 1) s on true;
