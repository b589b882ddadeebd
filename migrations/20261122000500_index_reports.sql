-- Indexes for the Team page's reports (src/db/reports).
--
-- Measured on tests/bench/reports_seed.sql (one team, 200 recruiters, 400 000 DMs, 600 000
-- candidates, 10 000 000 touches over two years, 1 000 000 history rows) on the shared 2-core
-- machine under a load average of about 4.5 from other work. The slowest report for four weeks is
-- the 90-day coverage, which reads the attempts index below (before it: 2.2-3.2 s with heap
-- fetches; JIT off in both):
--
--   HashAggregate (actual time=927..931 rows=402)          -- per owner and status
--     ->  Hash Left Join (actual time=480..809 rows=400000)   Hash Cond: (d.id = t.decision_maker_id)
--           ->  Seq Scan on decision_makers d (actual time=0.06..116 rows=400000)
--           ->  Hash -> HashAggregate (actual time=329..402 rows=289509)   Group Key: t.decision_maker_id
--                 ->  Index Only Scan using touches_dm_attempt_time_idx on touches t
--                       (actual time=0.15..101 rows=513998)  Heap Fetches: 0
--   Execution Time: 959 ms
--
-- The reports read a contact's due-item history (has a three-strikes sequence already started
-- before the period?) without scanning every row of that reason.
create index due_item_history_contact_idx on due_item_history (team_id, contact_kind, contact_id, first_due_on);

-- Attempts on decision makers are the input of the second-call rate, the 90-day coverage and the
-- attempts before a first job order. Partial (attempts only) and covering, so the per-DM probes
-- (first attempt, second attempt, latest attempt) and the scan of a period are index-only.
create index touches_dm_attempt_idx on touches (team_id, decision_maker_id, occurred_at, id) include (author_id)
    where decision_maker_id is not null and deleted_at is null and direction = 'outbound'
      and channel <> 'note' and outcome not in ('bounced', 'wrong_number');
create index touches_dm_attempt_time_idx on touches (team_id, occurred_at) include (decision_maker_id)
    where decision_maker_id is not null and deleted_at is null and direction = 'outbound'
      and channel <> 'note' and outcome not in ('bounced', 'wrong_number');

-- Connected calls to decision makers (new DMs: the day of the first one): the DMs called in a
-- period, and each one's first connected call ever, read from the index alone.
create index touches_dm_connected_idx on touches (team_id, decision_maker_id, occurred_at, id) include (author_id)
    where decision_maker_id is not null and deleted_at is null and channel = 'call' and outcome = 'connected';
create index touches_dm_connected_time_idx on touches (team_id, occurred_at) include (decision_maker_id)
    where decision_maker_id is not null and deleted_at is null and channel = 'call' and outcome = 'connected';

-- Touches of a period by author and channel (touches a day, phone share) and the referrals they
-- brought, read from the index alone: a year of a big team is millions of rows.
create index touches_team_time_channel_idx on touches (team_id, occurred_at) include (author_id, channel)
    where deleted_at is null and channel <> 'note';
create index touches_referrals_idx on touches (team_id, occurred_at) include (author_id, referrals)
    where deleted_at is null and referrals > 0;
