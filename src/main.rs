//! The `secondcall` binary: parse the command line, then hand over to the library.

use clap::Parser;

/// mimalloc rather than the system allocator: a page is hundreds of small strings made and dropped
/// on many threads at once, where glibc's allocator spent a tenth of the server's time
/// (BENCHMARKS.md, issue 14).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    let cli = secondcall::config::Cli::parse();
    secondcall::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("secondcall: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(secondcall::cli::run(cli))
}
