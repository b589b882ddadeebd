-- How many items each user's stored list holds per reason, kept by triggers on due_items.
--
-- Today's head and `GET /api/v1/due` showed the counts by reason, read by counting the user's
-- items on every load. On a quiet list that is 800 index entries; on a list being worked, every
-- touch replaces an item (a delete and an insert), the index fills with entries of rows no longer
-- there, and the count visited the table for each: 2 ms a page in the work benchmark (64
-- recruiters logging calls), the costliest statement of a Today page. Now a page reads one row
-- per reason.
--
-- Like touch_days and coverage_days: one statement-level trigger per kind of change adds the
-- statement's rows (+1 new, -1 old) per (user, reason), in key order. They fire after the list
-- stamp triggers of 20261123000300_list_stamps.sql (PostgreSQL fires a table's triggers for one
-- event in name order: `due_items_list_stamps_*` before `due_items_tally_*`), which lock the rows'
-- users first: every writer of a user's counts holds that user's list lock, so two writers never
-- wait for each other's counts rows in turn.

create table due_counts (
    team_id bigint not null references teams (id),
    user_id bigint not null references users (id),
    reason_rank smallint not null,
    items integer not null check (items >= 0),
    primary key (user_id, reason_rank)
);

create function due_items_tally() returns trigger
language plpgsql set plan_cache_mode = auto as $$
begin
    if tg_op = 'INSERT' then
        insert into due_counts as c (team_id, user_id, reason_rank, items)
        select n.team_id, n.user_id, n.reason_rank, count(*) from new_rows n
        group by 1, 2, 3 order by 2, 3
        on conflict (user_id, reason_rank) do update set items = c.items + excluded.items;
    elsif tg_op = 'DELETE' then
        update due_counts c set items = c.items - o.n
          from (select user_id, reason_rank, count(*) as n from old_rows group by 1, 2 order by 1, 2) o
         where c.user_id = o.user_id and c.reason_rank = o.reason_rank;
    else
        insert into due_counts as c (team_id, user_id, reason_rank, items)
        select x.team_id, x.user_id, x.reason_rank, sum(x.delta) from (
            select n.team_id, n.user_id, n.reason_rank, 1 as delta from new_rows n
            union all
            select o.team_id, o.user_id, o.reason_rank, -1 from old_rows o) x
        group by 1, 2, 3
        having sum(x.delta) <> 0
        order by 2, 3
        on conflict (user_id, reason_rank) do update set items = c.items + excluded.items;
    end if;
    return null;
end $$;

create trigger due_items_tally_insert after insert on due_items
    referencing new table as new_rows for each statement execute function due_items_tally();
create trigger due_items_tally_update after update on due_items
    referencing old table as old_rows new table as new_rows
    for each statement execute function due_items_tally();
create trigger due_items_tally_delete after delete on due_items
    referencing old table as old_rows for each statement execute function due_items_tally();

insert into due_counts (team_id, user_id, reason_rank, items)
select team_id, user_id, reason_rank, count(*) from due_items group by 1, 2, 3;
