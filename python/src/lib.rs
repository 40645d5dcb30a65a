//! The `zhvec._zhvec` extension module: `Vocab`, `Embedder` and `segment` over the zhvec
//! library. The Python package `zhvec` re-exports them; `zhvec/_zhvec.pyi` documents them.

use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::Arc;

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyOSError, PyPermissionError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use self_cell::self_cell;

use zhvec::batch::{as_one_line, embed_texts};
use zhvec::embed::{Channels, Embedder as Core, Normalize, Recipe, Weighting};
use zhvec::normalize::{NormalizeBuf, Normalizer, TextNormalization};
use zhvec::pipeline;
use zhvec::segment::{SegDict, Segmenter};
use zhvec::{Error, Kind, Vocab as Table};

/// A library error as the Python exception for it, with the command line's message: a
/// file that cannot be opened is an `OSError` (its subclass for the cause), bad content or
/// a bad option a `ValueError`.
fn py_err(e: Error) -> PyErr {
    let msg = e.to_string();
    match &e {
        Error::Io { source, .. } => match source.kind() {
            ErrorKind::NotFound => PyFileNotFoundError::new_err(msg),
            ErrorKind::PermissionDenied => PyPermissionError::new_err(msg),
            ErrorKind::IsADirectory => PyIsADirectoryError::new_err(msg),
            ErrorKind::InvalidData | ErrorKind::UnexpectedEof => PyValueError::new_err(msg),
            _ => PyOSError::new_err(msg),
        },
        _ => PyValueError::new_err(msg),
    }
}

/// A `ValueError` for a bad value of the argument `arg`.
fn bad_arg(arg: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("`{arg}` {msg}"))
}

/// Vocab(path=None): a `.zv` table, memory-mapped; `None` is the embedded default table.
///
/// Raises OSError (FileNotFoundError, PermissionError) when the file cannot be opened and
/// ValueError when it is not a valid table, with the message `zhvec` prints.
#[pyclass(name = "Vocab", module = "zhvec", frozen)]
struct Vocab {
    table: Arc<Table>,
}

/// The table `vocab` names: a `Vocab`, a path, or `None` for the embedded default.
fn table_of(py: Python<'_>, vocab: Option<&Bound<'_, PyAny>>) -> PyResult<Arc<Table>> {
    match vocab {
        None => Ok(Arc::new(zhvec::default_vocab::open().map_err(py_err)?)),
        Some(v) if v.is_none() => table_of(py, None),
        Some(v) => match v.cast::<Vocab>() {
            Ok(v) => Ok(v.get().table.clone()),
            Err(_) => {
                let path: PathBuf = v.extract().map_err(|_| {
                    PyTypeError::new_err(format!("`vocab` must be a path, a zhvec.Vocab or None, not {}", type_name(v)))
                })?;
                py.detach(|| Table::open(&path)).map(Arc::new).map_err(py_err)
            }
        },
    }
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

fn kind_of(table: &str) -> PyResult<Kind> {
    match table {
        "word" => Ok(Kind::Word),
        "char" => Ok(Kind::Char),
        other => Err(bad_arg("table", format!("must be \"word\" or \"char\", not {other:?}"))),
    }
}

#[pymethods]
impl Vocab {
    #[new]
    #[pyo3(signature = (path=None))]
    fn new(py: Python<'_>, path: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(Vocab { table: table_of(py, path)? })
    }

    /// The words of the word table, most frequent first.
    #[getter]
    fn words(&self) -> Vec<&str> {
        self.table.entries(Kind::Word).map(|e| e.name).collect()
    }

    /// The characters of the character table, most frequent first.
    #[getter]
    fn chars(&self) -> Vec<&str> {
        self.table.entries(Kind::Char).map(|e| e.name).collect()
    }

    /// The width of a word-table row.
    #[getter]
    fn dim(&self) -> usize {
        self.table.dim(Kind::Word)
    }

    /// The width of a character-table row.
    #[getter]
    fn char_dim(&self) -> usize {
        self.table.dim(Kind::Char)
    }

    /// How rows are stored: "f32", "f16" or "int8".
    #[getter]
    fn dtype(&self) -> &'static str {
        self.table.dtype().name()
    }

    /// The table's path, or "embedded default vocab".
    #[getter]
    fn name(&self) -> &str {
        self.table.name()
    }

    /// vector(name, table="word"): the stored row of `name` in the word (or "char") table as
    /// float32, or None when the table does not have it.
    #[pyo3(signature = (name, table="word"))]
    fn vector<'py>(&self, py: Python<'py>, name: &str, table: &str) -> PyResult<Option<Bound<'py, PyArray1<f32>>>> {
        let (kind, view) = (kind_of(table)?, self.table.view());
        Ok(view.id(kind, name).map(|id| PyArray1::from_vec(py, view.row(kind, id).to_vec())))
    }

    /// count(name, table="word"): the stored frequency of `name`, or None.
    #[pyo3(signature = (name, table="word"))]
    fn count(&self, name: &str, table: &str) -> PyResult<Option<u64>> {
        let (kind, view) = (kind_of(table)?, self.table.view());
        Ok(view.id(kind, name).map(|id| view.count(kind, id)))
    }

    /// Reads the whole table as `zhvec vocab verify` does; raises ValueError on damage.
    fn verify(&self, py: Python<'_>) -> PyResult<()> {
        let table = &self.table;
        py.detach(|| table.verify()).map_err(py_err)
    }

    fn __len__(&self) -> usize {
        self.table.len(Kind::Word)
    }

    fn __contains__(&self, name: &str) -> bool {
        self.table.view().id(Kind::Word, name).is_some()
    }

    fn __repr__(&self) -> String {
        format!(
            "zhvec.Vocab({:?}: {} words, {} chars, dim {}, {})",
            self.table.name(),
            self.table.len(Kind::Word),
            self.table.len(Kind::Char),
            self.table.dim(Kind::Word),
            self.table.dtype().name()
        )
    }
}

self_cell!(
    /// An embedder with the table it reads.
    struct Loaded {
        owner: Arc<Table>,
        #[covariant]
        dependent: Core,
    }
);

/// Embedder(vocab=None, *, seg_dict="jieba", weighting="uniform", normalize="none",
/// channels="word,char", normalize_text="auto", sif_a=1e-3, threads=None)
///
/// Embeds texts with one table (a path, a Vocab, or None for the embedded default) and the
/// recipe options of `zhvec embed`. A bad option value raises ValueError naming the argument.
/// `threads` is the worker threads of `embed` (None: all cores); rows do not depend on it.
#[pyclass(name = "Embedder", module = "zhvec", frozen)]
struct Embedder {
    loaded: Loaded,
    threads: usize,
    repr: String,
}

fn seg_dict(s: &str) -> PyResult<SegDict> {
    match s {
        "jieba" => Ok(SegDict::Jieba),
        "vocab" => Ok(SegDict::Vocab),
        other => Err(bad_arg("seg_dict", format!("must be \"jieba\" or \"vocab\", not {other:?}"))),
    }
}

fn normalize_text(s: &str) -> PyResult<Option<TextNormalization>> {
    TextNormalization::parse_or_auto(s).map_err(|e| bad_arg("normalize_text", format!("is invalid: {e}")))
}

/// The recipe from the Python arguments, checked.
fn recipe(weighting: &str, normalize: &str, channels: &str, normalize_text_: &str, sif_a: f32) -> PyResult<Recipe> {
    let weighting = match weighting {
        "uniform" => Weighting::Uniform,
        "sif" => Weighting::Sif,
        other => return Err(bad_arg("weighting", format!("must be \"uniform\" or \"sif\", not {other:?}"))),
    };
    let normalize = match normalize {
        "none" => Normalize::None,
        "channel" => Normalize::Channel,
        "all" => Normalize::All,
        other => return Err(bad_arg("normalize", format!("must be \"none\", \"channel\" or \"all\", not {other:?}"))),
    };
    let channels: Channels = channels.parse().map_err(|e| bad_arg("channels", format!("is invalid: {e}")))?;
    let recipe = Recipe { weighting, sif_a, normalize, channels, normalize_text: normalize_text(normalize_text_)? };
    recipe.check().map_err(py_err)?;
    Ok(recipe)
}

/// The worker threads for `threads=`: all cores for `None`, at most 4 per core.
fn threads(threads: Option<i64>) -> PyResult<usize> {
    let requested = match threads {
        None => None,
        Some(n) if n < 1 => return Err(bad_arg("threads", "must be at least 1")),
        Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
    };
    pipeline::threads(requested, true).map_err(py_err)
}

/// Each item of `texts` as a `str`, held while their text is used without the GIL.
fn strings<'py>(texts: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyString>>> {
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("`texts` must be an iterable of str, not a str: wrap one text in a list"));
    }
    let item = |(i, t): (usize, Bound<'py, PyAny>)| {
        t.cast_into::<PyString>().map_err(|e| {
            PyTypeError::new_err(format!("`texts[{i}]` must be a str, not {}", type_name(e.into_inner().as_any())))
        })
    };
    match texts.cast::<PyList>() {
        Ok(list) => list.iter().enumerate().map(item).collect(),
        Err(_) => texts.try_iter()?.enumerate().map(|(i, t)| item((i, t?))).collect(),
    }
}

#[pymethods]
impl Embedder {
    #[new]
    #[pyo3(signature = (
        vocab=None, *, seg_dict="jieba", weighting="uniform", normalize="none", channels="word,char",
        normalize_text="auto", sif_a=1e-3, threads=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        vocab: Option<&Bound<'_, PyAny>>,
        seg_dict: &str,
        weighting: &str,
        normalize: &str,
        channels: &str,
        normalize_text: &str,
        sif_a: f32,
        threads: Option<i64>,
    ) -> PyResult<Self> {
        let dict = self::seg_dict(seg_dict)?;
        let recipe = self::recipe(weighting, normalize, channels, normalize_text, sif_a)?;
        let threads = self::threads(threads)?;
        let table = table_of(py, vocab)?;
        let repr = format!(
            "zhvec.Embedder({:?}, seg_dict={seg_dict:?}, weighting={weighting:?}, normalize={normalize:?}, \
             channels={channels:?}, normalize_text={normalize_text:?}, sif_a={sif_a}, threads={threads})",
            table.name()
        );
        // The whole dictionary, once: about 0.1 s for jieba's.
        let loaded = py
            .detach(|| {
                Loaded::try_new(table, |t| {
                    let segmenter = Segmenter::new(dict, Some(t), None)?;
                    Core::new(t, segmenter, recipe)
                })
            })
            .map_err(py_err)?;
        Ok(Embedder { loaded, threads, repr })
    }

    /// The length of a row.
    #[getter]
    fn dim(&self) -> usize {
        self.loaded.borrow_dependent().dim()
    }

    /// The worker threads `embed` uses.
    #[getter]
    fn threads(&self) -> usize {
        self.threads
    }

    /// The table this embedder reads.
    #[getter]
    fn vocab(&self) -> Vocab {
        Vocab { table: self.loaded.borrow_owner().clone() }
    }

    /// embed(texts): a float32 array of shape (len(texts), dim), row i bit-identical to the row
    /// `zhvec embed` writes for the line texts[i], for any number of threads.
    ///
    /// `texts` is a list or any iterable of str. A text is one row even with line breaks in
    /// it: each \n and \r counts as a space (whitespace separates tokens and is never
    /// embedded). Runs on `threads` threads with the GIL released.
    fn embed<'py>(&self, py: Python<'py>, texts: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let held = strings(texts)?;
        let texts = held.iter().map(|s| s.to_str()).collect::<PyResult<Vec<&str>>>()?;
        let (n, dim, threads) = (texts.len(), self.dim(), self.threads);
        let core = self.loaded.borrow_dependent();
        let rows = py.detach(|| {
            let mut rows = vec![0.0f32; n * dim];
            embed_texts(core, &texts, &mut rows, threads);
            rows
        });
        PyArray1::from_vec(py, rows).reshape([n, dim])
    }

    /// segment(text): the tokens this embedder sees for `text`, as `zhvec segment` prints them.
    fn segment(&self, text: &str) -> Vec<String> {
        let core = self.loaded.borrow_dependent();
        tokens(core.segmenter(), core.normalizer(), text)
    }

    fn __repr__(&self) -> &str {
        &self.repr
    }
}

/// The tokens of `text` as one line, normalized by `normalizer` first.
fn tokens(segmenter: &Segmenter, normalizer: &Normalizer, text: &str) -> Vec<String> {
    let (mut line, mut buf) = (String::new(), NormalizeBuf::default());
    let text = normalizer.normalize(as_one_line(text, &mut line), &mut buf);
    let mut out = Vec::new();
    segmenter.for_each_token(text, |t| out.push(t.to_string()));
    out
}

/// segment(text, *, vocab=None, seg_dict="jieba", normalize_text="auto"): the tokens of
/// `text` as `zhvec segment` prints them for that line; line breaks count as spaces.
#[pyfunction]
#[pyo3(signature = (text, *, vocab=None, seg_dict="jieba", normalize_text="auto"))]
fn segment(
    py: Python<'_>,
    text: &str,
    vocab: Option<&Bound<'_, PyAny>>,
    seg_dict: &str,
    normalize_text: &str,
) -> PyResult<Vec<String>> {
    let dict = self::seg_dict(seg_dict)?;
    let steps = self::normalize_text(normalize_text)?;
    let table = table_of(py, vocab)?;
    let recipe = Recipe { normalize_text: steps, ..Recipe::default() };
    let normalizer = Normalizer::new(recipe.text_normalization(&table).map_err(py_err)?);
    py.detach(|| {
        // A segmenter with just the dictionary words of this text cuts it as the whole one.
        let (mut line, mut buf) = (String::new(), NormalizeBuf::default());
        let normalized = normalizer.normalize(as_one_line(text, &mut line), &mut buf).to_string();
        let segmenter = Segmenter::new(dict, Some(&table), Some(&normalized))?;
        Ok(tokens(&segmenter, &normalizer, text))
    })
    .map_err(py_err)
}

#[pymodule]
fn _zhvec(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Vocab>()?;
    m.add_class::<Embedder>()?;
    m.add_function(wrap_pyfunction!(segment, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
