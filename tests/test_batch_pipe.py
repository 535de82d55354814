"""Components annotate a batch of Docs before passing any on, with spaCy's error-handler rules."""
import spacy
from spacy.language import Language

from policylens.components.batch_pipe import BatchPipe

from conftest import sample_texts

BATCH_COMPONENTS = [
    "named_party_ruler", "sentencizer", "lemmatizer", "data_type_ruler", "third_party_ruler", "retention_ruler",
    "contact_emails", "sections", "span_resolver", "data_type_attributes", "third_party_attributes",
    "retention_attributes",
]


class Recorder(BatchPipe):
    """Logs (name, text) for every Doc it annotates; raises on texts containing "boom"."""

    def __init__(self, name, log):
        self.name = name
        self.log = log

    def __call__(self, doc):
        self.log.append((self.name, doc.text))
        if "boom" in doc.text:
            raise ValueError(f"cannot annotate {doc.text!r}")
        return doc


def two_recorders(log):
    nlp = spacy.blank("en")
    for name in ("first", "second"):
        Language.component(f"policylens_test_{name}", func=Recorder(name, log))
        nlp.add_pipe(f"policylens_test_{name}", name=name)
    return nlp


def test_each_component_finishes_the_batch_before_the_next_starts():
    log = []
    nlp = two_recorders(log)
    texts = [f"doc {i}" for i in range(6)]
    assert [doc.text for doc in nlp.pipe(texts, batch_size=3)] == texts
    names = [name for name, _ in log]
    assert names == ["first"] * 3 + ["second"] * 3 + ["first"] * 3 + ["second"] * 3


def test_a_failing_doc_goes_to_the_error_handler_and_its_batch_goes_on():
    log, failed = [], []
    nlp = two_recorders(log)
    nlp.set_error_handler(lambda name, proc, docs, error: failed.append((name, [d.text for d in docs], str(error))))
    texts = ["one", "boom", "three", "four"]
    assert [doc.text for doc in nlp.pipe(texts, batch_size=4)] == ["one", "three", "four"]
    assert failed == [("first", ["boom"], "cannot annotate 'boom'")]
    assert [text for name, text in log if name == "second"] == ["one", "three", "four"]


def test_without_a_handler_the_error_is_raised():
    nlp = two_recorders([])
    try:
        list(nlp.pipe(["one", "boom"]))
    except ValueError as error:
        assert "boom" in str(error)
    else:
        raise AssertionError("the failing Doc was swallowed")


def test_policylens_components_pipe_in_batches(nlp):
    for name in BATCH_COMPONENTS:
        assert isinstance(nlp.get_pipe(name), BatchPipe), name
    assert [name for name in nlp.pipe_names if name not in BATCH_COMPONENTS] == []


def test_batched_pipe_equals_one_doc_at_a_time(nlp):
    texts = sample_texts()
    assert len(texts) >= 3

    def spans(doc):
        return [(s.start, s.end, s.label_, s.id_, s._.attrs) for s in doc.spans["policylens"]], doc._.sections

    assert [spans(doc) for doc in nlp.pipe(texts, batch_size=8)] == [spans(nlp(text)) for text in texts]


def test_token_batches_cap_docs_and_tokens():
    from policylens.components.batch_pipe import token_batches

    nlp = spacy.blank("en")
    docs = [nlp.make_doc(" ".join(["w"] * n)) for n in (3, 3, 3, 10, 2, 2, 2, 2, 2)]
    sizes = [[len(d) for d in batch] for batch in token_batches(docs, size=4, max_tokens=8)]
    assert sizes == [[3, 3, 3], [10], [2, 2, 2, 2], [2]]
    assert [d for batch in token_batches(docs, 4, 8) for d in batch] == docs


def test_long_docs_do_not_pile_up_in_a_batch(monkeypatch):
    from policylens.components import batch_pipe

    monkeypatch.setattr(batch_pipe, "MAX_BATCH_TOKENS", 5)
    log = []
    nlp = two_recorders(log)
    texts = ["a b c", "d e f", "g h", "i j"]  # 3, 3, 2, 2 tokens
    assert [doc.text for doc in nlp.pipe(texts, batch_size=64)] == texts
    assert [name for name, _ in log] == ["first", "first", "second", "second"] * 2  # 6 tokens, then 4
