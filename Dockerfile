# Production image: a release build, then a small Debian runtime running as a non-root user.
# The app needs a PostgreSQL server: set DATABASE_URL (see docker-compose.yml).
FROM rust:1.95-bookworm AS build
WORKDIR /src
# Dependencies first, so a source change does not rebuild them.
COPY Cargo.toml Cargo.lock build.rs askama.toml ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked && rm -rf src
COPY src src
COPY templates templates
COPY migrations migrations
COPY static static
RUN touch src/main.rs src/lib.rs && cargo build --release --locked

FROM debian:bookworm-slim
# postgresql-client-15 (Debian 12's own): pg_dump, pg_restore and psql for `secondcall admin
# backup|restore`, matching docker-compose.yml's postgres:15 server. pg_dump must be at least the
# server's major version: a newer server needs the matching client (PostgreSQL's apt repository).
# /backups: where the nightly backup writes (BACKUP_DIR), owned by the app's user so a named
# volume mounted there starts writable.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app secondcall \
    && mkdir /backups && chown secondcall /backups
WORKDIR /app
COPY --from=build /src/target/release/secondcall /usr/local/bin/secondcall
COPY static /app/static
ENV BIND=0.0.0.0:8080 STATIC_DIR=/app/static LOG_FORMAT=json
USER secondcall
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["secondcall"]
CMD ["serve"]
