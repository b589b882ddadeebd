-- The never-attempted decision makers Today suggests, found by an index of them (issue 14).
--
-- Today's head looked for the owner's first five active DMs without a row in `dm_first_attempts`
-- by walking all of the owner's DMs in id order, one probe of that table each, until five had
-- none. The walk grows as a recruiter works: on the work benchmark (30% of 1,970 DMs untried) it
-- was 6-28 probes a load, at 95% tried it is about a hundred, and a recruiter with fewer than five
-- untried DMs left walked every DM they own on every load of Today.
--
-- Now each DM says whether it has been attempted (`tried`: it has a row in `dm_first_attempts`),
-- and a partial index holds the active untried ones per owner in id order, so the head reads five
-- index entries. The marker follows the summary it copies: a constraint trigger on
-- `dm_first_attempts` sets it from that table when a row is added or removed. It is deferred to
-- the commit, when the writer already holds the list stamps its touches moved: the marker's
-- update moves its owner's stamp too (the contacts' trigger), and taken earlier, in the middle of
-- the touch's statement, that stamp would come before the others the statement takes in id order
-- (two touches across two owners' DMs could then wait on each other). At the commit it is
-- already held, and the statement finds nothing left to move. A DM attempted and counted again in
-- one transaction is set once, from the state at the commit.

alter table decision_makers add column tried boolean not null default false;

update decision_makers d set tried = true
  from dm_first_attempts f
 where f.team_id = d.team_id and f.decision_maker_id = d.id;

create index decision_makers_untried_idx on decision_makers (team_id, owner_id, id)
    where not tried and archived_at is null and not do_not_contact;

create function dm_first_attempts_mark_tried() returns trigger
language plpgsql set plan_cache_mode = auto as $$
declare
    p_team bigint;
    p_dm bigint;
    attempted boolean;
begin
    if tg_op = 'INSERT' then
        p_team := new.team_id;
        p_dm := new.decision_maker_id;
    else
        p_team := old.team_id;
        p_dm := old.decision_maker_id;
    end if;
    attempted := exists (select 1 from dm_first_attempts f where f.team_id = p_team and f.decision_maker_id = p_dm);
    -- an update of no row still fires the contacts' statement-level triggers: look first
    if exists (select 1 from decision_makers d where d.team_id = p_team and d.id = p_dm and d.tried <> attempted) then
        update decision_makers d set tried = attempted where d.team_id = p_team and d.id = p_dm;
    end if;
    return null;
end $$;

create constraint trigger dm_first_attempts_mark_tried after insert or delete on dm_first_attempts
    deferrable initially deferred
    for each row execute function dm_first_attempts_mark_tried();
