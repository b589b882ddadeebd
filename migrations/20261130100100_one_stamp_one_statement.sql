-- Two trigger paths every touch takes, made shorter (issue 14, the work benchmark).
--
-- `bump_list_stamps` locks its users rows in id order and then moves them, two statements, so that
-- two writers moving overlapping sets of stamps cannot take the rows in opposite orders
-- (`list_stamps_lock_then_bump`). A set of one row has no order to get wrong, and it is the usual
-- set: a touch moves its author's stamp, who is as a rule the contact's owner, and the item it
-- ends is on that same list. One row is now moved by one `update` (which locks it), and a row this
-- transaction already moved is left alone as before, so the second move of a touch's transaction
-- (its item's delete after its insert) writes nothing. An empty set does nothing.
--
-- `touches_count_days` adds a touch to its author's day. An insert has only the new row to add;
-- the sum over old and new rows (with its union, grouping and sort) stays for corrections and
-- deletions, which may move a touch from one day or author to another.
create or replace function bump_list_stamps(ids bigint[]) returns void
language plpgsql set plan_cache_mode = auto as $$
begin
    if cardinality(ids) = 1 then
        update users set list_stamp = list_stamp + 1
        where id = ids[1] and xmin <> xid(pg_current_xact_id());
        return;
    end if;
    if coalesce(cardinality(ids), 0) = 0 then
        return;
    end if;
    perform 1 from users where id = any (ids) order by id for no key update;
    update users set list_stamp = list_stamp + 1
    where id = any (ids) and xmin <> xid(pg_current_xact_id());
end $$;

create or replace function touches_count_days() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    if tg_op = 'UPDATE'
       and (old.team_id, old.author_id, old.occurred_at, old.deleted_at, old.channel, old.referrals)
           is not distinct from (new.team_id, new.author_id, new.occurred_at, new.deleted_at, new.channel, new.referrals) then
        return null;
    end if;
    if tg_op = 'INSERT' then
        insert into touch_days as d (team_id, day, author_id, calls, voicemails, emails, texts, meetings, linkedins,
                                     referral_touches, referrals)
        select * from touch_days_rows(new, 1)
        on conflict (team_id, day, author_id) do update
            set calls = d.calls + excluded.calls, voicemails = d.voicemails + excluded.voicemails,
                emails = d.emails + excluded.emails, texts = d.texts + excluded.texts,
                meetings = d.meetings + excluded.meetings, linkedins = d.linkedins + excluded.linkedins,
                referral_touches = d.referral_touches + excluded.referral_touches,
                referrals = d.referrals + excluded.referrals;
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
