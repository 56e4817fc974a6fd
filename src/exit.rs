//! Exit codes: which errors are the input's fault (2), which are an interruption (130), and
//! the rest (1). Shared by the subcommands and the exporters, so neither needs the other.

/// Marks an error as bad input: the process exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

pub fn bad_input(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(msg.into()))
}

/// The exit code for an error that ended a command.
pub fn code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<BadInput>().is_some() {
        2
    } else if matches!(
        e.downcast_ref::<shanglou::mc::McError>(),
        Some(shanglou::mc::McError::Cancelled)
    ) || matches!(
        e.downcast_ref::<shanglou::sweep::SweepError>(),
        Some(shanglou::sweep::SweepError::Mc(
            shanglou::mc::McError::Cancelled
        ))
    ) {
        130
    } else {
        1
    }
}
