-- Each user's list stamp: a number that moves on whenever anything their Today page shows may
-- have changed (their due items, a contact they own, a company of one, a touch they wrote or on a
-- contact of theirs, the team's settings). Each app instance keeps rendered Today pages in memory
-- and serves one only while the stamp read with the signed-in user still matches, so a page is
-- never stale and many instances need no shared cache.
--
-- The triggers below move it, so no write path can forget to; they are per statement, so a bulk
-- change (a reassignment, a rebuild) moves each stamp once, not once per row.
--
-- The stamp's row is also the lock that serialises the writers of one user's list (rebuild,
-- touch, snooze): `bump_list_stamps` locks rows in id order, so two transactions that bump the
-- same users never wait on each other in a cycle. `for no key update` leaves the foreign-key
-- checks of other writers (key share) unblocked.

alter table users add column list_stamp bigint not null default 0;

create function bump_list_stamps(ids bigint[]) returns void
language sql as $$
    update users set list_stamp = list_stamp + 1
    where id in (select id from users where id = any (ids) order by id for no key update);
$$;

-- Touches: the author (their new-DM progress) and the contact's owner (last touches, due state).
create function touches_bump_list_stamps() returns trigger
language plpgsql as $$
begin
    perform bump_list_stamps(array(
        select t.author_id from changed_touches t
        union
        select d.owner_id from changed_touches t
          join decision_makers d on d.team_id = t.team_id and d.id = t.decision_maker_id
        union
        select c.owner_id from changed_touches t
          join candidates c on c.team_id = t.team_id and c.id = t.candidate_id));
    return null;
end $$;

create trigger touches_list_stamps_insert after insert on touches
    referencing new table as changed_touches
    for each statement execute function touches_bump_list_stamps();
create trigger touches_list_stamps_update after update on touches
    referencing new table as changed_touches
    for each statement execute function touches_bump_list_stamps();
create trigger touches_list_stamps_delete after delete on touches
    referencing old table as changed_touches
    for each statement execute function touches_bump_list_stamps();

-- Contacts: their owners before and after (name, phone, flags, a new never-called DM, a reassignment).
create function contacts_bump_list_stamps() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform bump_list_stamps(array(select distinct owner_id from new_rows));
    elsif tg_op = 'DELETE' then
        perform bump_list_stamps(array(select distinct owner_id from old_rows));
    else
        perform bump_list_stamps(array(select owner_id from new_rows union select owner_id from old_rows));
    end if;
    return null;
end $$;

create trigger decision_makers_list_stamps_insert after insert on decision_makers
    referencing new table as new_rows for each statement execute function contacts_bump_list_stamps();
create trigger decision_makers_list_stamps_update after update on decision_makers
    referencing old table as old_rows new table as new_rows
    for each statement execute function contacts_bump_list_stamps();
create trigger decision_makers_list_stamps_delete after delete on decision_makers
    referencing old table as old_rows for each statement execute function contacts_bump_list_stamps();
create trigger candidates_list_stamps_insert after insert on candidates
    referencing new table as new_rows for each statement execute function contacts_bump_list_stamps();
create trigger candidates_list_stamps_update after update on candidates
    referencing old table as old_rows new table as new_rows
    for each statement execute function contacts_bump_list_stamps();
create trigger candidates_list_stamps_delete after delete on candidates
    referencing old table as old_rows for each statement execute function contacts_bump_list_stamps();

-- Companies: a new name shows on every item of their contacts.
create function companies_bump_list_stamps() returns trigger
language plpgsql as $$
begin
    perform bump_list_stamps(array(
        select d.owner_id from new_rows n join old_rows o on o.id = n.id
          join decision_makers d on d.team_id = n.team_id and d.company_id = n.id
          where n.name is distinct from o.name
        union
        select c.owner_id from new_rows n join old_rows o on o.id = n.id
          join candidates c on c.team_id = n.team_id and c.company_id = n.id
          where n.name is distinct from o.name));
    return null;
end $$;

create trigger companies_list_stamps_update after update on companies
    referencing old table as old_rows new table as new_rows
    for each statement execute function companies_bump_list_stamps();

-- Due items: whatever rewrote them (a rebuild, a refresh, a user who leaves).
create function due_items_bump_list_stamps() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform bump_list_stamps(array(select distinct user_id from new_rows));
    elsif tg_op = 'DELETE' then
        perform bump_list_stamps(array(select distinct user_id from old_rows));
    else
        perform bump_list_stamps(array(select user_id from new_rows union select user_id from old_rows));
    end if;
    return null;
end $$;

create trigger due_items_list_stamps_insert after insert on due_items
    referencing new table as new_rows for each statement execute function due_items_bump_list_stamps();
create trigger due_items_list_stamps_update after update on due_items
    referencing old table as old_rows new table as new_rows
    for each statement execute function due_items_bump_list_stamps();
create trigger due_items_list_stamps_delete after delete on due_items
    referencing old table as old_rows for each statement execute function due_items_bump_list_stamps();

-- The team's settings: the daily goal, the suggested next-step dates, the working days.
create function team_settings_bump_list_stamps() returns trigger
language plpgsql as $$
begin
    perform bump_list_stamps(array(
        select u.id from users u join new_rows n on u.team_id = n.team_id));
    return null;
end $$;

create trigger team_settings_list_stamps_insert after insert on team_settings
    referencing new table as new_rows
    for each statement execute function team_settings_bump_list_stamps();
create trigger team_settings_list_stamps_update after update on team_settings
    referencing new table as new_rows
    for each statement execute function team_settings_bump_list_stamps();
