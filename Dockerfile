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
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app secondcall
WORKDIR /app
COPY --from=build /src/target/release/secondcall /usr/local/bin/secondcall
COPY static /app/static
ENV BIND=0.0.0.0:8080 STATIC_DIR=/app/static LOG_FORMAT=json
USER secondcall
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["secondcall"]
CMD ["serve"]
