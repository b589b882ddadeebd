-- `bump_list_stamps` in two steps. As one `update … where id in (select … for no key update)`,
-- a row updated by another transaction while the update waited was re-checked by PostgreSQL with
-- the locking subquery run again, which could take the rows out of order and deadlock (seen with
-- touches on each other's contacts during a rebuild). Now the rows are locked first, in id order,
-- and only then updated; a row this transaction already moved on is not written again (a move or
-- a touch wrote the same users row two or three times).
create or replace function bump_list_stamps(ids bigint[]) returns void
language plpgsql as $$
begin
    perform 1 from users where id = any (ids) order by id for no key update;
    update users set list_stamp = list_stamp + 1
    where id = any (ids) and xmin <> xid(pg_current_xact_id());
end $$;
