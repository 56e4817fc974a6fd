//! The `shanglou` command line: a thin layer of subcommands over the library.

mod cli;
mod export;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::dispatch(args) {
        Ok(code) => code,
        Err(e) => {
            let code = if e.downcast_ref::<cli::BadInput>().is_some() {
                2
            } else {
                1
            };
            eprintln!("error: {e:#}");
            ExitCode::from(code)
        }
    }
}
