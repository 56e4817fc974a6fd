//! The `shanglou` command line: a thin layer of subcommands over the library.

mod cli;
mod exit;
mod export;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Ctrl-C asks a running Monte Carlo or sweep to stop (it then exits 130 without writing, so
    // the previous results stay intact); a second Ctrl-C exits at once.
    let _ = ctrlc::set_handler(|| {
        if cli::INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            let code = exit::code(&e);
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}
