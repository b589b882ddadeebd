-- The security log: who did what to whose account, from where. Ids and kinds only in the
-- detail, never a password, token, session id or a contact's name.
create table audit_events (
    id bigserial primary key,
    team_id bigint not null references teams (id),
    at timestamptz not null,
    kind text not null check (kind in (
        'login', 'login_failed', 'logout', 'password_changed', 'password_reset', 'role_changed',
        'user_created', 'user_deactivated', 'user_reactivated', 'token_created', 'token_revoked',
        'settings_changed', 'contact_exported', 'contact_erased', 'import')),
    actor_id bigint references users (id),
    target_user_id bigint references users (id),
    ip inet,
    detail text not null default '' check (length(detail) <= 500)
);

-- Newest first per team; the filters by kind and user narrow that scan.
create index audit_events_team_at_idx on audit_events (team_id, at desc, id desc);
