-- A person's data: erasing a contact, and the suppression list that keeps an erased person out.
--
-- An erased contact keeps its row (its touches, history and report summaries point at it) with
-- the personal fields blanked, `erased_at` set, archived and do-not-contact (never due again).
alter table decision_makers add column erased_at timestamptz;
alter table candidates add column erased_at timestamptz;

-- The per-team key of the suppression hashes (HMAC-SHA256), made by the app on first use.
create table team_keys (
    team_id bigint primary key references teams (id),
    suppression_key bytea not null check (length(suppression_key) = 32),
    created_at timestamptz not null default now()
);

-- A keyed hash of an erased person's normalised email or phone: never the plain text. A create
-- or import with a matching value is refused (suppressed).
create table suppressions (
    id bigint generated always as identity primary key,
    team_id bigint not null references teams (id),
    kind text not null check (kind in ('email', 'phone')),
    hash bytea not null check (length(hash) = 32),
    created_at timestamptz not null default now(),
    constraint suppressions_team_hash_key unique (team_id, kind, hash)
);
