use clap::Parser;

fn main() {
    let cli = zhvec::cli::Cli::parse();
    zhvec::interrupt::install();
    let code = match zhvec::cmd::run(cli) {
        Ok(()) => 0,
        Err(e) => {
            if !matches!(e, zhvec::Error::BrokenPipe) {
                eprintln!("zhvec: {e}");
            }
            e.exit_code()
        }
    };
    std::process::exit(code);
}
