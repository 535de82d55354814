"""The id tests party_context runs before building text say "no" only where the text tests say "no"."""
from spacy.tokens import Doc

from policylens.components.doc_context import DocContext

TEXT = (
    "We share data with service providers, such as hosting companies, with partners , like "
    "ad networks, and vendors (e.g. payment processors) or third parties, including analytics "
    "firms, for example Acme, e.g Beta , , namely Gamma.\n\nVendors\nlike these; partners  "
    "for instance"
)


def opener_text_test(party_context, context, end):
    """The text test of ``example_category``: whether an opener starts after token ``end``."""
    head = party_context._text(context, end, end + 3).lstrip(" ,")
    return bool(party_context._example_opener_re.match(" " + head))


def test_opener_id_test_never_misses_an_opener(nlp):
    party_context = nlp.get_pipe("third_party_attributes").context
    doc = nlp.make_doc(TEXT)
    context = DocContext(doc)
    found = 0
    for end in range(len(doc) + 1):
        if opener_text_test(party_context, context, end):
            found += 1
            assert party_context._opener_may_follow(context, end), doc[end : end + 3].text
    assert found >= 8  # the openers of TEXT are seen at all


def test_opener_id_test_leaves_tokens_with_spaces_to_the_text_test(nlp):
    """A token holding a space ("such as" made one token) is never ruled out by its id."""
    party_context = nlp.get_pipe("third_party_attributes").context
    doc = Doc(nlp.vocab, words=["partners", "such as", "Acme"], spaces=[True, True, False])
    context = DocContext(doc)
    assert opener_text_test(party_context, context, 1)
    assert party_context._opener_may_follow(context, 1)


def test_sentence_of_is_the_sentence_doc_context_gives(nlp):
    from policylens.components.party_context import sentence_of

    docs = [
        nlp(TEXT),
        nlp("One."),
        nlp("Hello there. General Kenobi! You are a bold one"),
        nlp.make_doc("no sentence starts are set on these tokens"),  # DocContext: one sentence
    ]
    for doc in docs:
        for i in range(len(doc)):
            assert sentence_of(DocContext(doc), i) == DocContext(doc).sentence(i)
    assert len({sentence_of(DocContext(docs[2]), i) for i in range(len(docs[2]))}) == 3  # sentences seen at all
