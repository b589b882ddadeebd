-- `due_items_tally` (20261129800300_due_counts.sql) added an update's changes with
-- `insert … on conflict do update`; PostgreSQL checks the proposed row against `items >= 0`
-- before it looks for the conflict, so an update that took an item away from a (user, reason)
-- (-1 there) failed its statement. It went unseen while a refresh replaced an item by a delete and
-- an insert; a refresh now updates the item in place. The update's changes now update the rows
-- that exist and insert only the (user, reason) pairs that had none, which gain items.
create or replace function due_items_tally() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    if tg_op = 'INSERT' then
        insert into due_counts as c (team_id, user_id, reason_rank, items)
        select n.team_id, n.user_id, n.reason_rank, count(*) from new_rows n
        group by 1, 2, 3 order by 2, 3
        on conflict (user_id, reason_rank) do update set items = c.items + excluded.items;
    elsif tg_op = 'DELETE' then
        update due_counts c set items = c.items - o.n
          from (select user_id, reason_rank, count(*) as n from old_rows group by 1, 2) o
         where c.user_id = o.user_id and c.reason_rank = o.reason_rank;
    else
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
