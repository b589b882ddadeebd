-- A trigger path every touch takes twice, made shorter (issue 14, the work benchmark).
--
-- `bump_list_stamps` locks its users rows in id order and then moves them, two statements, so that
-- two writers moving overlapping sets of stamps cannot take the rows in opposite orders
-- (`list_stamps_lock_then_bump`). A set of one row has no order to get wrong, and it is the usual
-- set: a touch moves its author's stamp, who is as a rule the contact's owner, and the item it
-- ends is on that same list. One row is now moved by one `update` (which locks it), and a row this
-- transaction already moved is left alone as before, so the second move of a touch's transaction
-- (its item's delete after its insert) writes nothing. An empty set does nothing.
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
