-- The serving pool plans every statement anew (`plan_cache_mode = force_custom_plan`, set per
-- connection in src/db/mod.rs, for the list and search queries with optional filters). That
-- setting also reached every statement inside the triggers and the functions they call: each touch
-- logged re-planned about twenty statements of its triggers (first and latest attempts, the
-- gaps, coverage days, touch days, first connected calls, list stamps), about 3 ms of planning
-- per touch against well under 1 ms of running them (pg_stat_statements with track_planning, the
-- work benchmark of issue 14).
--
-- Every statement in these functions has one fixed shape and looks rows up by the key it was
-- given, so a plan kept per connection is the plan a fresh one would be: each function now runs
-- with PostgreSQL's default, `auto` (after five executions a statement keeps its generic plan
-- unless that plan looks costlier than the fresh ones), whoever calls it. A later `create or
-- replace` of one of them must repeat the clause (tests/api/plans.rs checks every function). The inlined SQL helpers (`is_attempt`,
-- `coverage_day`, `touch_days_rows`) are left alone: a SET clause would stop the planner from
-- inlining them, and `is_attempt` must inline to match the partial indexes' predicates.

alter function refresh_dm_first_attempts(bigint, bigint) set plan_cache_mode = auto;
alter function touches_refresh_dm_first_attempts() set plan_cache_mode = auto;
alter function refresh_dm_first_connected_call(bigint, bigint) set plan_cache_mode = auto;
alter function touches_refresh_dm_first_connected_call() set plan_cache_mode = auto;
alter function touches_count_days() set plan_cache_mode = auto;
alter function coverage_days_move(bigint, bigint, date, date) set plan_cache_mode = auto;
alter function decision_makers_coverage_insert() set plan_cache_mode = auto;
alter function decision_makers_coverage_delete() set plan_cache_mode = auto;
alter function decision_makers_coverage_update() set plan_cache_mode = auto;
alter function bump_list_stamps(bigint[]) set plan_cache_mode = auto;
alter function touches_bump_list_stamps() set plan_cache_mode = auto;
alter function contacts_bump_list_stamps() set plan_cache_mode = auto;
alter function companies_bump_list_stamps() set plan_cache_mode = auto;
alter function due_items_bump_list_stamps() set plan_cache_mode = auto;
alter function team_settings_bump_list_stamps() set plan_cache_mode = auto;
alter function away_periods_bump_list_stamps() set plan_cache_mode = auto;
alter function due_items_show_decision_maker() set plan_cache_mode = auto;
alter function due_items_show_candidate() set plan_cache_mode = auto;
alter function due_items_show_company() set plan_cache_mode = auto;
