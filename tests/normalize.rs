//! Input normalization (`zhvec::normalize`): the golden cases, OpenCC's own test cases, the
//! fast path for simplified text, and line breaks.

use std::collections::BTreeMap;

use proptest::prelude::*;
use zhvec::normalize::{NormalizeBuf, Normalizer, TextNormalization};

fn data(name: &str) -> String {
    let path = format!("{}/testdata/normalize/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rows of a tab-separated test file, without `#` comments.
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(|l| l.split('\t').collect()).collect()
}

fn steps(s: &str) -> TextNormalization {
    s.parse().unwrap()
}

#[test]
fn golden_lines() {
    let text = data("golden.tsv");
    let n = Normalizer::new(TextNormalization::ALL);
    let mut buf = NormalizeBuf::default();
    let mut failures = Vec::new();
    let golden = rows(&text);
    assert!(golden.len() >= 100, "{} golden lines", golden.len());
    for row in &golden {
        let [input, expected] = row[..] else { panic!("golden.tsv: not input<TAB>expected: {row:?}") };
        let out = n.normalize(input, &mut buf);
        if out != expected {
            failures.push(format!("{input} -> {out} (expected {expected})"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn golden_outputs_are_fixed_points() {
    let text = data("golden.tsv");
    let n = Normalizer::new(TextNormalization::ALL);
    let mut buf = NormalizeBuf::default();
    for row in rows(&text) {
        let out = n.normalize(row[1], &mut buf);
        assert!(std::ptr::eq(out, row[1]), "{} -> {out}", row[1]);
    }
}

/// OpenCC's test cases for `tw2sp` and `hk2sp`, the configurations that convert regional
/// phrases as our one combined mode does. (Against `t2s`, `tw2s` and `hk2s`, which keep
/// phrases such as 電腦 or 資訊 as they are, it differs wherever a phrase is converted.)
/// The cases where it gives another answer, and why:
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    // OpenCC first cuts the text with TSPhrases (畫/素藉/由, 圖示覆/蓋) and converts within the
    // pieces; each stage here takes the longest key anywhere, so 畫素 and 圖示 convert.
    ("BYVoid_OpenCC_Issue_475_tw2sp/tw2sp", "畫素藉由 → 像素借由, 圖示覆蓋 → 图标覆盖"),
    // One mode for both regions: Taiwan's 機率 (概率) wins over Hong Kong's (几率) ...
    ("BYVoid_OpenCC_Issue_506/hk2sp", "機率 → 概率"),
    // ... and Hong Kong's 機會率 (概率) applies to Taiwan text too.
    ("BYVoid_OpenCC_Issue_506/tw2sp", "機會率 → 概率"),
    // 演算法 holds no character that only traditional script uses, so the line is left alone.
    ("ByVoid_OpenCC_Issue950_AlgorithmConversionRev/tw2sp", "演算法 stays"),
];

#[test]
fn opencc_test_cases() {
    let text = data("opencc-cases.tsv");
    let n = Normalizer::new(steps("t2s"));
    let mut buf = NormalizeBuf::default();
    let mut differ = BTreeMap::new();
    let cases: Vec<_> = rows(&text).into_iter().filter(|r| r[1] == "tw2sp" || r[1] == "hk2sp").collect();
    assert!(cases.len() > 50, "{} cases", cases.len());
    for row in &cases {
        let [id, config, input, expected] = row[..] else { panic!("opencc-cases.tsv: {row:?}") };
        let out = n.normalize(input, &mut buf);
        if out != expected {
            differ.insert(format!("{id}/{config}"), format!("{input} -> {out} (OpenCC {expected})"));
        }
    }
    let unexpected: Vec<_> = differ.iter().filter(|(k, _)| !KNOWN_DIFFERENCES.iter().any(|(id, _)| id == k)).collect();
    assert!(unexpected.is_empty(), "new differences from OpenCC: {unexpected:#?}");
    let gone: Vec<_> = KNOWN_DIFFERENCES.iter().filter(|(id, _)| !differ.contains_key(*id)).collect();
    assert!(gone.is_empty(), "these now agree with OpenCC: {gone:?}");
}

#[test]
fn simplified_headlines_come_back_untouched_without_allocating() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/headlines.txt")).unwrap();
    let n = Normalizer::new(steps("t2s"));
    let mut buf = NormalizeBuf::default();
    let mut lines = 0;
    for line in text.lines() {
        let out = n.normalize(line, &mut buf);
        assert!(std::ptr::eq(out, line), "{line} -> {out}");
        lines += 1;
    }
    assert!(lines > 10);
    let nfkc = Normalizer::new(TextNormalization::ALL);
    for line in ["国务院常务会议部署进一步扩大内需，促进消费！", "乾隆皇帝下江南（上）", "NBA：湖人队 102-99 胜"]
    {
        assert!(std::ptr::eq(nfkc.normalize(line, &mut buf), line), "{line}");
    }
    assert_eq!(format!("{buf:?}"), format!("{:?}", NormalizeBuf::default()), "no buffer was used");
}

/// The test headlines in Taiwan script and phrasing (OpenCC 1.4.2 `s2twp`) come back as they
/// were, but for phrases where the Taiwan form has two mainland readings.
#[test]
fn taiwan_headlines_come_back_simplified() {
    let simplified = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/headlines.txt")).unwrap();
    let taiwan = data("headlines-tw.txt");
    let n = Normalizer::new(TextNormalization::ALL);
    let mut buf = NormalizeBuf::default();
    let mut differ = Vec::new();
    let pairs: Vec<_> = taiwan.lines().zip(simplified.lines()).collect();
    assert_eq!(pairs.len(), simplified.lines().count());
    for (tw, sc) in pairs {
        let out = n.normalize(tw, &mut buf);
        if out != sc {
            differ.push(out.to_string());
        }
    }
    // 线上→線上→在线 (線上 is also Taiwan's 在线), 影片 (film or video), 設定 (设置 or 设定).
    let known = [
        "故宫博物院推出在线展览 足不出户也能看文物",
        "电影春节档票房突破五十亿元 多部国产视频口碑良好",
        "外卖骑手权益保障新规出台 平台须合理设置配送时间",
    ];
    assert_eq!(differ, known);
}

#[test]
fn one_buffer_serves_many_lines() {
    let n = Normalizer::new(TextNormalization::ALL);
    let mut buf = NormalizeBuf::default();
    let mut outs = Vec::new();
    for line in ["臺灣的經濟發展", "ＡＢＣ１２３", "简体", "網路與軟體　２０１６"] {
        outs.push(n.normalize(line, &mut buf).to_string());
    }
    assert_eq!(outs, ["台湾的经济发展", "ABC123", "简体", "网络与软件　2016"]);
}

#[test]
fn line_breaks_stay_where_they_are() {
    let n = Normalizer::new(TextNormalization::ALL);
    let mut buf = NormalizeBuf::default();
    let text = "臺灣的經濟發展\n\nＡＢＣ１２３\r\n網路\u{2028}軟體\n乾隆\n";
    let out = n.normalize(text, &mut buf);
    assert_eq!(out, "台湾的经济发展\n\nABC123\r\n网络\u{2028}软件\n乾隆\n");
    let lines_in: Vec<&str> = text.split('\n').collect();
    for (i, line) in out.split('\n').enumerate() {
        assert_eq!(line, n.normalize(lines_in[i], &mut NormalizeBuf::default()), "line {i}");
    }
}

/// Text from the characters normalization cares about: traditional and simplified Han,
/// full-width and kept punctuation, combining marks, line breaks, ASCII.
fn tricky() -> impl Strategy<Value = String> {
    let pool: Vec<char> =
        "臺灣軟體網路資訊乾隆干台后著麼綫衞ＡＢ１２，。！？（）　…①ﬁｱﾞ\u{301}\u{308}\u{fa11}\u{2f800}𡞵\n\r a1"
            .chars()
            .collect();
    prop::collection::vec(prop::sample::select(pool), 0..40).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn never_changes_the_number_of_line_breaks(s in prop_oneof![any::<String>(), tricky()], which in 0usize..4) {
        let steps = ["none", "nfkc", "t2s", "nfkc,t2s"][which].parse().unwrap();
        let out = Normalizer::new(steps).normalize(&s, &mut NormalizeBuf::default()).to_string();
        prop_assert_eq!(out.matches('\n').count(), s.matches('\n').count(), "{:?} -> {:?}", s, out);
        if which == 0 {
            prop_assert_eq!(&out, &s);
        }
    }

}
