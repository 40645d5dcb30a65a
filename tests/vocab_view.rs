//! The batched word lookup of `View` agrees with the single lookup.

mod common;

use zhvec::vocab::{Dtype, Kind, StartedWords};
use zhvec::Vocab;

#[test]
fn started_word_lookups_find_what_single_lookups_find() {
    let dir = tempfile::tempdir().unwrap();
    let vocab = Vocab::open(common::write_tiny(dir.path(), Dtype::F32)).unwrap();
    let view = vocab.view();
    let names = ["天气", "北京", "上海", "", "北", "今天", "北京大学", "今天"];
    // Every third name asks for no lookup.
    let wanted = |i: usize| i % 3 != 2;
    let mut started = StartedWords::default();
    view.start_words(names.iter().enumerate().map(|(i, &n)| wanted(i).then_some(n)), &mut started);
    let mut hits = 0;
    for (i, name) in names.iter().enumerate() {
        let got = view.find_started_word(&started, i, name);
        let want = if wanted(i) { view.id(Kind::Word, name) } else { None };
        assert_eq!(got, want, "{i}: {name}");
        hits += usize::from(got.is_some());
    }
    assert_eq!(hits, 3, "天气, 北京 and the second 今天");
    // Past the batch nothing is found, nor (with this table) for a name that is not the i-th.
    assert_eq!(view.find_started_word(&started, names.len(), "北京"), None);
    assert_eq!(view.find_started_word(&started, 0, "北京"), None);
}
