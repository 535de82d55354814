"""The token columns shared between components: read once per Doc, equal to spaCy's, read-only."""
import numpy
import pytest
import spacy
from spacy.attrs import LOWER, ORTH

from policylens.components.doc_arrays import text_array, text_list


def test_columns_are_read_once_and_equal_to_spacys():
    nlp = spacy.blank("en")
    doc = nlp.make_doc("We share Your E-mail Address with Partners.")
    lower = text_array(doc, LOWER)
    assert text_array(doc, LOWER) is lower  # the second reader gets the first one's array
    assert numpy.array_equal(lower, doc.to_array(LOWER))
    assert numpy.array_equal(text_array(doc, ORTH), doc.to_array(ORTH))
    other = nlp.make_doc("We share Your E-mail Address with Partners.")
    assert text_array(other, LOWER) is not lower  # per Doc, not per text
    with pytest.raises(ValueError):
        lower[0] = 0  # shared: nobody may change it


def test_a_retokenized_doc_is_read_again():
    doc = spacy.blank("en").make_doc("an e mail address")
    before = text_array(doc, LOWER)
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3])
    after = text_array(doc, LOWER)
    assert len(after) == 3 and numpy.array_equal(after, doc.to_array(LOWER)) and len(before) == 4


def test_the_list_form_is_made_once_and_follows_the_column():
    doc = spacy.blank("en").make_doc("we keep it and we delete it")
    values = text_list(doc, LOWER)
    assert values == doc.to_array(LOWER).tolist() and text_list(doc, LOWER) is values
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])
    assert text_list(doc, LOWER) == doc.to_array(LOWER).tolist()  # read again after retokenizing
