//! The route through a line's words when two cuts are exactly as likely: Python jieba's
//! `max` over `(prob, x)` takes the larger `x`, the longer first word. The expected cuts
//! come from Python jieba 0.42.1 with the same user dictionaries. 龘, 龖 and 靐 are in
//! no word of jieba's dictionary, so only the user dictionary's words count.

mod common;

use common::{stderr_of, write, zhvec};

fn segment(user_dict: &str, input: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let dict = write(&dir, "user.txt", user_dict);
    let out = zhvec()
        .args(["segment", "--no-join", "--normalize-text", "none", "--user-dict"])
        .arg(&dict)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn equally_likely_cuts_take_the_longer_first_word() {
    // ln 10 + ln 5 either way: a tie, at every start.
    let dict = "龘龖 10\n龖靐 10\n龘 5\n靐 5\n";
    assert_eq!(segment(dict, "龘龖靐\n龘龖靐龘龖靐\n"), "龘龖 靐\n龘龖 靐 龘龖 靐\n");
}

#[test]
fn a_more_likely_cut_wins_either_way() {
    assert_eq!(segment("龘龖 10\n龖靐 20\n龘 5\n靐 5\n", "龘龖靐\n"), "龘 龖靐\n");
    assert_eq!(segment("龘龖 20\n龖靐 10\n龘 5\n靐 5\n", "龘龖靐\n"), "龘龖 靐\n");
}
