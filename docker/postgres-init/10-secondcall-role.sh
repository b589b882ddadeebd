#!/usr/bin/env bash
# Runs once, when the postgres image initialises an empty volume: the app's own role and database.
# POSTGRES_USER stays the cluster's administrator (a superuser); the app connects as
# SECONDCALL_DB_USER, which owns the secondcall database (so its migrations can create tables) and
# nothing more: no superuser, no role or database creation.
set -euo pipefail
: "${SECONDCALL_DB_USER:=secondcall}"
: "${SECONDCALL_DB_PASSWORD:?set SECONDCALL_DB_PASSWORD for the app role}"
: "${SECONDCALL_DB_NAME:=secondcall}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_user="$SECONDCALL_DB_USER" -v app_password="$SECONDCALL_DB_PASSWORD" -v app_db="$SECONDCALL_DB_NAME" <<'SQL'
create role :"app_user" login nosuperuser nocreatedb nocreaterole noreplication password :'app_password';
create database :"app_db" owner :"app_user";
revoke all on database :"app_db" from public;
grant connect, temporary on database :"app_db" to :"app_user";
SQL
