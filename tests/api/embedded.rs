//! The embedded default, end to end: the real binary with no DATABASE_URL in a temp folder.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_secondcall");

pub(crate) fn temp_root() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "secondcall-embedded-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    // As root the cluster runs as `postgres`, which must be able to enter the folder.
    Command::new("chmod").arg("755").arg(&dir).status().unwrap();
    dir
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn secondcall(root: &Path, port: u16) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("DATABASE_URL")
        .env("SECONDCALL_DATA_DIR", root.join("data"))
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info");
    cmd
}

pub(crate) async fn wait_healthy(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let url = format!("http://127.0.0.1:{port}/healthz");
    while Instant::now() < deadline {
        if let Ok(resp) = reqwest::get(&url).await
            && resp.status().is_success()
        {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the server exited before it was healthy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become healthy in 60 s");
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop within 30 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn cluster_running(root: &Path) -> bool {
    root.join("data/postgres/postmaster.pid").exists()
}

#[tokio::test]
async fn serve_runs_its_own_cluster_stops_it_on_sigterm_and_reuses_it() {
    let root = temp_root();
    let port = free_port();
    let mut server = secondcall(&root, port)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_healthy(port, &mut server).await;
    assert!(
        cluster_running(&root),
        "the cluster runs while the server does"
    );
    let ready = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);

    // A second server on the same folder is refused with a clear message, not a second cluster.
    let second = secondcall(&root, free_port()).output().unwrap();
    assert_eq!(second.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&second.stderr)
            .contains("Another `secondcall serve` is already running")
    );

    // A command while the server runs uses the same cluster.
    let mut create = secondcall(&root, port)
        .args([
            "admin",
            "create-team",
            "--team",
            "Acme",
            "--email",
            "mia@acme.test",
            "--name",
            "Mia",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = create.wait_with_output().unwrap();
    assert!(out.status.success(), "create-team failed");
    let team_id: i64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(team_id > 0);

    let status = terminate(&mut server);
    assert!(status.success(), "a clean exit after SIGTERM: {status:?}");
    assert!(
        !cluster_running(&root),
        "the cluster stopped with the server"
    );

    // A restart reuses the cluster and its data: the team is still there (login, not setup).
    let mut again = secondcall(&root, port)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(port, &mut again).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .get(format!("http://127.0.0.1:{port}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        login.status(),
        200,
        "a team exists, so the login page is shown rather than setup"
    );
    assert!(terminate(&mut again).success());
    assert!(!cluster_running(&root));

    // A command with no server running starts the cluster for itself and stops it afterwards.
    let token = secondcall(&root, port)
        .args(["admin", "create-token", "--email", "mia@acme.test"])
        .output()
        .unwrap();
    assert!(token.status.success());
    assert!(String::from_utf8_lossy(&token.stdout).starts_with("sc_"));
    assert!(!cluster_running(&root));
    std::fs::remove_dir_all(&root).ok();
}

#[tokio::test]
async fn without_binaries_or_database_url_the_server_explains_both_ways_out() {
    let root = temp_root();
    let out = secondcall(&root, free_port())
        .env("PG_BIN_DIR", root.join("nothing-here"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DATABASE_URL=postgres://"), "{err}");
    assert!(err.contains("apt-get install postgresql"), "{err}");
    std::fs::remove_dir_all(&root).ok();
}

/// A URL for the child process pointing at a test database.
pub(crate) fn url_of(options: &sqlx::postgres::PgConnectOptions) -> String {
    let db = options.get_database().unwrap_or("postgres");
    let user = options.get_username();
    match options.get_socket() {
        Some(dir) => format!("postgres://{user}@localhost/{db}?host={}", dir.display()),
        None => format!(
            "postgres://{user}@{}:{}/{db}",
            options.get_host(),
            options.get_port()
        ),
    }
}

#[tokio::test]
async fn rebuild_due_replays_a_date_and_prints_counts() {
    let (pool, options) = crate::helpers::fresh_database().await;
    let team: i64 = sqlx::query_scalar("insert into teams (name) values ('Acme') returning id")
        .fetch_one(&pool)
        .await
        .unwrap();
    let out = Command::new(BIN)
        .env("DATABASE_URL", url_of(&options))
        .args([
            "rebuild-due",
            "--team-id",
            &team.to_string(),
            "--as-of",
            "2026-01-05",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("team {team}: 0 users")) && text.contains("(2026-01-05)"),
        "{text}"
    );
    let runs: Vec<(String, Option<chrono::NaiveDate>)> =
        sqlx::query_as("select trigger, as_of from due_runs")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        runs,
        vec![(
            "command".to_string(),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
        )]
    );
    let missing = Command::new(BIN)
        .env("DATABASE_URL", url_of(&options))
        .args(["rebuild-due", "--team-id", "999999"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no team with id 999999"));
}

/// The administrator's connection to the app's database in a temp root's embedded cluster.
async fn admin_of(root: &Path) -> sqlx::PgPool {
    let options = sqlx::postgres::PgConnectOptions::new()
        .socket(root.join("data/postgres"))
        .username("postgres")
        .database("secondcall");
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

/// The roles of the server's own connections to the app's database, and whether each is a
/// superuser.
async fn server_roles(admin: &sqlx::PgPool) -> Vec<(String, bool)> {
    sqlx::query_as(
        "select distinct a.usename::text, r.rolsuper from pg_stat_activity a \
         join pg_roles r on r.oid = a.usesysid \
         where a.datname = 'secondcall' and a.pid <> pg_backend_pid() and a.backend_type = 'client backend'",
    )
    .fetch_all(admin)
    .await
    .unwrap()
}

/// What in the public schema does not belong to the app's role.
async fn not_owned_by_app(admin: &sqlx::PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where n.nspname = 'public' and c.relkind in ('r', 'S', 'v') \
           and pg_get_userbyid(c.relowner) <> 'secondcall' \
         union all \
         select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace \
         where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> 'secondcall' \
           and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')",
    )
    .fetch_all(admin)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_embedded_app_connects_as_its_own_role_which_is_no_superuser() {
    let root = temp_root();
    let port = free_port();
    let mut server = secondcall(&root, port)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(port, &mut server).await;
    // the migrations ran as the app's role, which now owns everything they made
    let admin = admin_of(&root).await;
    assert_eq!(
        server_roles(&admin).await,
        vec![("secondcall".to_string(), false)]
    );
    assert_eq!(not_owned_by_app(&admin).await, Vec::<String>::new());
    let owner: String = sqlx::query_scalar(
        "select pg_get_userbyid(datdba)::text from pg_database where datname = 'secondcall'",
    )
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(owner, "secondcall");
    admin.close().await;

    // the connection the app makes, asked directly
    let cluster = secondcall::embedded::EmbeddedPostgres::start(
        &root.join("data"),
        secondcall::embedded::Mode::Command,
        "",
    )
    .unwrap();
    let mut app = <sqlx::PgConnection as sqlx::Connection>::connect_with(&cluster.app_options())
        .await
        .unwrap();
    let superuser: bool =
        sqlx::query_scalar("select rolsuper from pg_roles where rolname = current_user")
            .fetch_one(&mut app)
            .await
            .unwrap();
    assert!(!superuser, "the app's connection is no superuser");
    drop(app);
    cluster.stop().unwrap();
    assert!(terminate(&mut server).success());
    std::fs::remove_dir_all(&root).ok();
}

#[tokio::test]
async fn a_data_folder_from_before_the_app_role_is_handed_over_on_start() {
    // The old layout: the database made and migrated by the administrator.
    let root = temp_root();
    let cluster = secondcall::embedded::EmbeddedPostgres::start(
        &root.join("data"),
        secondcall::embedded::Mode::Command,
        "",
    )
    .unwrap();
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(cluster.admin_options())
        .await
        .unwrap();
    sqlx::query("create database secondcall")
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let old = admin_of(&root).await;
    secondcall::db::migrate(&old).await.unwrap();
    sqlx::query("insert into teams (name) values ('Acme')")
        .execute(&old)
        .await
        .unwrap();
    assert!(!not_owned_by_app(&old).await.is_empty());
    old.close().await;
    cluster.stop().unwrap();

    let port = free_port();
    let mut server = secondcall(&root, port)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_healthy(port, &mut server).await;
    let admin = admin_of(&root).await;
    assert_eq!(not_owned_by_app(&admin).await, Vec::<String>::new());
    assert_eq!(
        server_roles(&admin).await,
        vec![("secondcall".to_string(), false)]
    );
    admin.close().await;
    // the app reads and writes its old data as its own role
    let mut create = secondcall(&root, port)
        .args([
            "admin",
            "create-user",
            "--team-id",
            "1",
            "--email",
            "rita@acme.test",
            "--name",
            "Rita",
            "--role",
            "recruiter",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    assert!(create.wait().unwrap().success(), "create-user failed");
    let login = reqwest::get(format!("http://127.0.0.1:{port}/login"))
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "a team exists: the login page");
    assert!(terminate(&mut server).success());
    std::fs::remove_dir_all(&root).ok();
}
