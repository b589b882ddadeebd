-- Fewer trigger calls for a touch and for a due item (issue 14, the work benchmark).
--
-- A touch fired three row-level triggers of its own (first attempts, first connected call, touch
-- days), each a PL/pgSQL call with its own setup and its own `plan_cache_mode` switch, and its
-- touch-days row went through a statement built for a correction: the old and the new row's
-- counts as two set-returning calls, appended, grouped, summed and sorted, eight aggregates set
-- up on every touch for one row of one touch. `track_functions` on the work benchmark: the three
-- 0.25-0.32 ms of a touch, the touch days alone 0.09-0.12 ms (two runs). Then the touch's item,
-- ended by it, fired two statement-level triggers on `due_items` (the list stamps, the counts by
-- reason), again two calls for one deleted row.
--
-- Now a touch fires one row-level trigger, `touches_summaries`, whose function does the three
-- parts in the order the three triggers fired (their names' order): first attempts, first
-- connected call, touch days; each part is its old function's body, unchanged, but for the touch
-- days of a new touch: its one row of `touch_days_rows` inserted as it is (`on conflict` adds it),
-- with no union, grouping or sort. A correction or a deletion still sums both halves in key
-- order. The list stamps' statement-level trigger on touches still
-- fires after all of them, as before.
--
-- And a change of due items fires one statement-level trigger per event, whose function moves
-- the list stamps and then the counts, as the two did in their names' order (so the counts'
-- writers still hold the users' stamps first).

create function touches_keep_summaries() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    -- First, second and latest attempts, attempt gaps, coverage days (`attempts_step_forward`).
    <<attempts>>
    begin
        if tg_op = 'UPDATE'
           and (old.team_id, old.decision_maker_id, old.author_id, old.occurred_at, old.deleted_at, old.direction, old.channel, old.outcome)
               is not distinct from
               (new.team_id, new.decision_maker_id, new.author_id, new.occurred_at, new.deleted_at, new.direction, new.channel, new.outcome) then
            exit attempts;
        end if;
        -- nested, not one condition: SQL does not promise to evaluate `and` left to right, and the
        -- step writes
        if tg_op = 'INSERT' and new.decision_maker_id is not null then
            if new.deleted_at is not null or not is_attempt(new.direction, new.channel, new.outcome) then
                exit attempts;
            end if;
            if dm_first_attempts_step(new.team_id, new.decision_maker_id, new.id, new.occurred_at) then
                exit attempts;
            end if;
        end if;
        if tg_op in ('INSERT', 'UPDATE') and new.decision_maker_id is not null then
            perform refresh_dm_first_attempts(new.team_id, new.decision_maker_id);
        end if;
        if tg_op in ('UPDATE', 'DELETE') and old.decision_maker_id is not null
           and (tg_op = 'DELETE' or (old.team_id, old.decision_maker_id) is distinct from (new.team_id, new.decision_maker_id)) then
            perform refresh_dm_first_attempts(old.team_id, old.decision_maker_id);
        end if;
    end;

    -- Each DM's first connected call (`attempts_step_forward`).
    <<connected>>
    begin
        if tg_op = 'UPDATE'
           and (old.team_id, old.decision_maker_id, old.author_id, old.occurred_at, old.deleted_at, old.channel, old.outcome)
               is not distinct from
               (new.team_id, new.decision_maker_id, new.author_id, new.occurred_at, new.deleted_at, new.channel, new.outcome) then
            exit connected;
        end if;
        if tg_op = 'INSERT' and new.deleted_at is null and new.decision_maker_id is not null
           and new.channel = 'call' and new.outcome = 'connected' then
            if dm_first_connected_call_holds(new.team_id, new.decision_maker_id, new.id, new.occurred_at) then
                exit connected;
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
    end;

    -- Touches per UTC day, author and channel (`create_report_summaries`).
    if tg_op = 'INSERT' then
        -- its one row, or none (`touch_days_rows` inlines: an insert over a filtered result)
        insert into touch_days as d (team_id, day, author_id, calls, voicemails, emails, texts, meetings,
                                     linkedins, referral_touches, referrals)
        select * from touch_days_rows(new, 1)
        on conflict (team_id, day, author_id) do update
            set calls = d.calls + excluded.calls, voicemails = d.voicemails + excluded.voicemails,
                emails = d.emails + excluded.emails, texts = d.texts + excluded.texts,
                meetings = d.meetings + excluded.meetings, linkedins = d.linkedins + excluded.linkedins,
                referral_touches = d.referral_touches + excluded.referral_touches,
                referrals = d.referrals + excluded.referrals;
    elsif tg_op = 'DELETE'
          or (old.team_id, old.author_id, old.occurred_at, old.deleted_at, old.channel, old.referrals)
             is distinct from (new.team_id, new.author_id, new.occurred_at, new.deleted_at, new.channel, new.referrals) then
        insert into touch_days as d (team_id, day, author_id, calls, voicemails, emails, texts, meetings, linkedins,
                                     referral_touches, referrals)
        select c.team_id, c.day, c.author_id, sum(c.calls), sum(c.voicemails), sum(c.emails), sum(c.texts),
               sum(c.meetings), sum(c.linkedins), sum(c.referral_touches), sum(c.referrals)
        from (select * from touch_days_rows(old, -1)
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
    end if;
    return null;
end $$;

drop trigger touches_dm_first_attempts on touches;
drop trigger touches_dm_first_connected_calls on touches;
drop trigger touches_touch_days on touches;
create trigger touches_summaries after insert or update or delete on touches
    for each row execute function touches_keep_summaries();
drop function touches_refresh_dm_first_attempts();
drop function touches_refresh_dm_first_connected_call();
drop function touches_count_days();

-- The list stamps of the users whose items changed, then their counts by reason (the bodies of
-- `due_items_bump_list_stamps` and `due_items_tally`, `due_counts_on_upsert`).
create function due_items_stamps_and_counts() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    if tg_op = 'INSERT' then
        perform bump_list_stamps(array(select distinct user_id from new_rows));
        insert into due_counts as c (team_id, user_id, reason_rank, items)
        select n.team_id, n.user_id, n.reason_rank, count(*) from new_rows n
        group by 1, 2, 3 order by 2, 3
        on conflict (user_id, reason_rank) do update set items = c.items + excluded.items;
    elsif tg_op = 'DELETE' then
        perform bump_list_stamps(array(select distinct user_id from old_rows));
        update due_counts c set items = c.items - o.n
          from (select user_id, reason_rank, count(*) as n from old_rows group by 1, 2) o
         where c.user_id = o.user_id and c.reason_rank = o.reason_rank;
    else
        perform bump_list_stamps(array(select user_id from new_rows union select user_id from old_rows));
        with d as (
            select x.team_id, x.user_id, x.reason_rank, sum(x.delta)::int as delta from (
                select n.team_id, n.user_id, n.reason_rank, 1 as delta from new_rows n
                union all
                select o.team_id, o.user_id, o.reason_rank, -1 from old_rows o) x
            group by 1, 2, 3
            having sum(x.delta) <> 0),
        kept as (
            update due_counts c set items = c.items + d.delta
              from d where c.user_id = d.user_id and c.reason_rank = d.reason_rank
            returning c.user_id, c.reason_rank)
        insert into due_counts (team_id, user_id, reason_rank, items)
        select d.team_id, d.user_id, d.reason_rank, d.delta from d
        where not exists (select 1 from kept k where k.user_id = d.user_id and k.reason_rank = d.reason_rank)
        order by 2, 3;
    end if;
    return null;
end $$;

drop trigger due_items_list_stamps_insert on due_items;
drop trigger due_items_list_stamps_update on due_items;
drop trigger due_items_list_stamps_delete on due_items;
drop trigger due_items_tally_insert on due_items;
drop trigger due_items_tally_update on due_items;
drop trigger due_items_tally_delete on due_items;
create trigger due_items_changes_insert after insert on due_items
    referencing new table as new_rows for each statement execute function due_items_stamps_and_counts();
create trigger due_items_changes_update after update on due_items
    referencing old table as old_rows new table as new_rows
    for each statement execute function due_items_stamps_and_counts();
create trigger due_items_changes_delete after delete on due_items
    referencing old table as old_rows for each statement execute function due_items_stamps_and_counts();
drop function due_items_bump_list_stamps();
drop function due_items_tally();
