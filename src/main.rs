mod cli;
mod cmd;

/// Runs before the Rust runtime, which would point a closed standard output at /dev/null.
#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = zhvec::output::note_closed_stdout;

fn main() {
    let cli = cli::parse();
    zhvec::interrupt::install();
    let code = match cmd::run(cli) {
        Ok(()) => 0,
        Err(e) => {
            if !matches!(e, zhvec::Error::BrokenPipe) {
                eprintln!("zhvec: {}", cli::message(&e));
            }
            e.exit_code()
        }
    };
    std::process::exit(code);
}
