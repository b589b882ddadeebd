-- Cover (DOMAIN.md, "Cover"): a user away from `from_date` to `to_date` (their own local dates,
-- both included), whose due items appear meanwhile on the list of `covered_by`. The items are
-- read from the absent user's own list, never copied. Overlaps of one user's periods and the
-- coverer's own absence are refused by `actions::away` under the team's user-change lock.
create table away_periods (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    user_id bigint not null references users (id),
    from_date date not null,
    to_date date not null,
    covered_by bigint not null references users (id),
    created_by bigint references users (id),
    created_at timestamptz not null default now(),
    constraint away_periods_dates check (from_date <= to_date),
    constraint away_periods_not_self check (covered_by <> user_id)
);
create index away_periods_user_idx on away_periods (team_id, user_id, to_date);
create index away_periods_coverer_idx on away_periods (team_id, covered_by, to_date);

-- A period shows on both users' Today pages (the note of the absent one, the covered items of the
-- coverer): any change moves both list stamps, so no kept page outlives it.
create function away_periods_bump_list_stamps() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform bump_list_stamps(array(select user_id from new_rows union select covered_by from new_rows));
    elsif tg_op = 'DELETE' then
        perform bump_list_stamps(array(select user_id from old_rows union select covered_by from old_rows));
    else
        perform bump_list_stamps(array(
            select user_id from new_rows union select covered_by from new_rows
            union select user_id from old_rows union select covered_by from old_rows));
    end if;
    return null;
end $$;

create trigger away_periods_stamps_insert after insert on away_periods
    referencing new table as new_rows for each statement execute function away_periods_bump_list_stamps();
create trigger away_periods_stamps_update after update on away_periods
    referencing new table as new_rows old table as old_rows for each statement execute function away_periods_bump_list_stamps();
create trigger away_periods_stamps_delete after delete on away_periods
    referencing old table as old_rows for each statement execute function away_periods_bump_list_stamps();
