-- A touch's author and its contact belong to the touch's team, and the schema now says so: the
-- touch's own references are (team, author), (team, decision maker) and (team, candidate) instead
-- of the team, the author and the contact apart. Until here the actions checked the team of the
-- contact and the author (a touch of another team's contact answers 404), and nothing in the
-- schema stopped a touch whose team was not its contact's.
--
-- It also takes the last shared lock off the touch path. Every foreign key check locks the row it
-- finds (FOR KEY SHARE); the check on `teams` locked the one row the whole team shares, so each
-- touch logged while others were open added itself to that row's lockers: a new multixact, a lock
-- record in the WAL and the team's heap page written again, each time. On the work benchmark (64
-- recruiters of one team logging calls) that was about one and a half multixacts a touch, and none
-- since; the same work on the same data did 2-14% more cycles a second with this change, in each of
-- four runs side by side (BENCHMARKS.md, ninth pass). The composite checks lock the author's row
-- (which the touch's list stamp updates anyway) and the contact's, rows of one recruiter's work,
-- and the team is still there behind them: users, decision makers and candidates each reference it.

create unique index users_team_id_key on users (team_id, id);
create unique index decision_makers_team_id_key on decision_makers (team_id, id);
create unique index candidates_team_id_key on candidates (team_id, id);

alter table touches
    add constraint touches_author_in_team foreign key (team_id, author_id) references users (team_id, id),
    add constraint touches_decision_maker_in_team
        foreign key (team_id, decision_maker_id) references decision_makers (team_id, id),
    add constraint touches_candidate_in_team foreign key (team_id, candidate_id) references candidates (team_id, id),
    drop constraint touches_team_id_fkey,
    drop constraint touches_author_id_fkey,
    drop constraint touches_decision_maker_id_fkey,
    drop constraint touches_candidate_id_fkey;
