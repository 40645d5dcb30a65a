//! The library speaks of its own options, not of command-line flags.

use zhvec::embed::{Channels, Recipe};
use zhvec::error::Error;
use zhvec::import::{self, BuildOptions};

/// Checks that `e` names `field` in its own message and `flag` when a caller names options.
fn names_option(e: &Error, field: &str, flag: &str) {
    let own = e.to_string();
    assert!(own.contains(&format!("`{field}`")) && !own.contains("--"), "{own}");
    let shown = e.message_with(|o| format!("--{}", o.name().replace('_', "-")));
    assert!(shown.contains(flag) && !shown.contains(&format!("`{field}`")), "{shown}");
    assert_eq!(e.exit_code(), zhvec::error::EXIT_BAD_INPUT);
}

#[test]
fn a_recipe_without_channels_names_the_channels_option() {
    let recipe = Recipe { channels: Channels { word: false, char: false }, ..Recipe::default() };
    names_option(&recipe.check().unwrap_err(), "channels", "--channels must name");
}

#[test]
fn a_recipe_with_a_bad_sif_a_names_the_sif_a_option() {
    for a in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        let recipe = Recipe { sif_a: a, ..Recipe::default() };
        names_option(&recipe.check().unwrap_err(), "sif_a", "--sif-a must be");
    }
}

#[test]
fn zero_threads_names_the_threads_option() {
    names_option(&zhvec::pipeline::threads(Some(0), true).unwrap_err(), "threads", "--threads must be at least 1");
}

#[test]
fn a_build_without_vectors_names_the_vectors_option() {
    let dir = tempfile::tempdir().unwrap();
    let chars = dir.path().join("chars.txt");
    std::fs::write(&chars, "京 0.5 0.25\n").unwrap();
    let mut opts = BuildOptions::new(&chars, dir.path().join("out.zv"));
    opts.char_vectors = Some(chars);
    opts.vectors.clear();
    names_option(&import::run(&opts).unwrap_err(), "vectors", "no --vectors given");
}

#[test]
fn a_row_count_mismatch_names_the_option_that_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = dir.path().join("w2v.txt");
    std::fs::write(&vectors, "3 2\n北京 0.5 0.25\n天气 0.125 1\n").unwrap();
    let opts = BuildOptions::new(&vectors, dir.path().join("out.zv"));
    let e = import::run(&opts).unwrap_err();
    names_option(&e, "allow_row_count_mismatch", "--allow-row-count-mismatch builds");
    assert!(e.to_string().contains("w2v.txt:1: the header says 3 rows, but the file has 2"), "{e}");
}
