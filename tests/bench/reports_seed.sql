-- A synthetic team for timing the reports (not the engine's `secondcall dev seed`): one team,
-- its recruiters, DMs, candidates, touches spread uniformly over the last :days days, due-item
-- history and job orders. Run on a migrated, empty database:
--
--   psql "$URL" -v recruiters=200 -v dms=400000 -v candidates=600000 -v touches=10000000 \
--        -v days=730 -v history=1000000 -v jobs=20000 -f tests/bench/reports_seed.sql
--
-- Then `REPORTS_BENCH_URL=$URL cargo nextest run --run-ignored only reports_timing`.
\set ON_ERROR_STOP on
begin;
insert into teams (name) values ('Bench') returning id as team \gset
insert into users (team_id, email, name, role, time_zone, password_hash)
select :team, 'r' || g || '@bench.test', 'Recruiter ' || g, 'recruiter', 'America/New_York', 'x'
from generate_series(1, :recruiters) g;
select min(id) as u0 from users where team_id = :team \gset
insert into companies (team_id, name) select :team, 'Company ' || g from generate_series(1, :dms / 10) g;
select min(id) as co0 from companies where team_id = :team \gset
insert into decision_makers (team_id, owner_id, company_id, name, temperature, created_at)
select :team, :u0 + g % :recruiters, :co0 + g % (:dms / 10), 'DM ' || g,
       (array['hot', 'warm', 'cold', 'cold'])[1 + g % 4], now() - interval '3 years'
from generate_series(1, :dms) g;
select min(id) as dm0 from decision_makers where team_id = :team \gset
insert into candidates (team_id, owner_id, name, created_at)
select :team, :u0 + g % :recruiters, 'Candidate ' || g, now() - interval '3 years'
from generate_series(1, :candidates) g;
select min(id) as c0 from candidates where team_id = :team \gset
-- The first-attempts trigger is off for the bulk insert; the table is filled once at the end.
alter table touches disable trigger touches_dm_first_attempts;
insert into touches (team_id, decision_maker_id, candidate_id, author_id, channel, direction, outcome, occurred_at, referrals)
select :team,
       case when s.is_dm then :dm0 + s.h % :dms end,
       case when not s.is_dm then :c0 + s.h % :candidates end,
       :u0 + (s.h % (case when s.is_dm then :dms else :candidates end)) % :recruiters,
       s.channel,
       case when random() < 0.85 then 'outbound' else 'inbound' end,
       case s.channel
         when 'call' then (array['connected', 'no_answer', 'no_answer', 'voicemail_left', 'wrong_number'])[1 + floor(random() * 5)::int]
         when 'voicemail' then 'voicemail_left'
         when 'email' then (array['sent', 'sent', 'sent', 'replied', 'bounced'])[1 + floor(random() * 5)::int]
         when 'meeting' then 'connected'
         else (array['sent', 'sent', 'replied'])[1 + floor(random() * 3)::int] end,
       s.at,
       case when random() < 0.02 then 1 else 0 end
-- in time order, as an app logs them (back-dated touches aside): a period's rows sit together
from (select (random() * 2147483647)::bigint as h, random() < 0.6 as is_dm,
             now() - random() * (:days || ' days')::interval as at,
             (array['call', 'call', 'call', 'voicemail', 'voicemail', 'email', 'email', 'email', 'text', 'meeting', 'linkedin', 'note'])[1 + floor(random() * 12)::int] as channel
      from generate_series(1, :touches)) s
order by s.at;
alter table touches enable trigger touches_dm_first_attempts;
insert into dm_first_attempts (team_id, decision_maker_id, first_at, first_touch_id, first_author_id, second_at)
select d.team_id, d.id, f.occurred_at, f.id, f.author_id, s.occurred_at
from decision_makers d
cross join lateral (select t.occurred_at, t.id, t.author_id from touches t
      where t.team_id = d.team_id and t.decision_maker_id = d.id and t.deleted_at is null
        and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
      order by t.occurred_at, t.id limit 1) f
left join lateral (select t.occurred_at from touches t
      where t.team_id = d.team_id and t.decision_maker_id = d.id and t.deleted_at is null
        and t.direction = 'outbound' and t.channel <> 'note' and t.outcome not in ('bounced', 'wrong_number')
        and (t.occurred_at, t.id) > (f.occurred_at, f.id)
      order by t.occurred_at, t.id limit 1) s on true
where d.team_id = :team;
select min(id) as t0 from touches where team_id = :team \gset
-- History: open rows (one per contact at most) for the first 50 000, the rest settled.
insert into due_item_history (team_id, contact_kind, contact_id, owner_id, reason, strike, approach, first_due_on, first_seen_at, settled_at, settled_by_touch_id)
select :team, x.kind, x.contact, :u0 + x.contact % :recruiters, x.reason,
       case when x.reason = 'three_strikes' then 2 + g % 2 end,
       case when x.reason = 'gone_dark' then (array['standard', 'dropped_the_ball', 'value_add', 'other_contact'])[1 + g % 4] end,
       x.due::date, x.due + interval '2 hours',
       case when g > least(50000, :dms, :candidates) then x.due + random() * interval '5 days' end,
       case when g > least(50000, :dms, :candidates) and random() < 0.8 then :t0 + (random() * (:touches - 1))::bigint end
from generate_series(1, :history) g
cross join lateral (select case when g % 3 = 0 then 'candidate' else 'decision_maker' end as kind,
       case when g % 3 = 0 then :c0 + g % :candidates else :dm0 + g % :dms end as contact,
       (array['sign_off', 'second_call', 'promised_follow_up', 'company_news', 'gone_dark', 'three_strikes', 'contact_cycle'])[1 + g % 7] as reason,
       now() - random() * (:days || ' days')::interval as due) x
where x.reason <> 'three_strikes' or x.kind = 'candidate';
insert into job_orders (team_id, company_id, decision_maker_id, owner_id, title, created_at)
select :team, :co0 + g % (:dms / 10), :dm0 + (g * 7919) % :dms, :u0 + g % :recruiters, 'Job ' || g,
       now() - random() * (:days || ' days')::interval
from generate_series(1, :jobs) g;
commit;
vacuum analyze;
