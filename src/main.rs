//! The `secondcall` binary: parse the command line, then hand over to the library.

use clap::Parser;

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
