"""A lookup lemmatizer that lower-cases first, so phrase patterns on LEMMA ignore case.

spaCy's lookup mode keys its table on the exact token text: "Cookies" in a heading
would keep the lemma "Cookies" and miss the pattern "cookie". Looking up the
lower-cased form gives one lemma for "Cookies", "cookies" and "COOKIES".
The table itself is spaCy's own ``lemma_lookup`` from spacy-lookups-data.
"""
from typing import Callable, List, Optional, Tuple

import numpy
from spacy.attrs import LEMMA, LOWER
from spacy.errors import Errors
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token
from thinc.api import Model


class LowercaseLookupLemmatizer(Lemmatizer):
    """spaCy's Lemmatizer with one extra mode, ``lower_lookup``."""

    @classmethod
    def get_lookups_config(cls, mode: str) -> Tuple[List[str], List[str]]:
        """Tables the mode needs: (required, optional)."""
        if mode == "lower_lookup":
            return (["lemma_lookup"], [])
        return super().get_lookups_config(mode)

    def __call__(self, doc: Doc) -> Doc:
        """Lemmatize a document. In ``lower_lookup`` mode the lemma is looked up once per distinct
        lower-case form (and remembered), and all lemmas are set in one ``Doc.from_array``,
        instead of a Python step per token; the lemmas are those of ``lower_lookup_lemmatize``.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        if self.mode != "lower_lookup" or not len(doc):
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            table = self.lookups.get_table("lemma_lookup", {})
            if getattr(self, "_lemma_memo_table", None) is not table:  # new or reloaded tables
                self._lemma_memo_table, self._lemma_memo = table, {}
            memo = self._lemma_memo
            strings = self.vocab.strings
            unique, inverse = numpy.unique(doc.to_array(LOWER), return_inverse=True)
            lemmas = []
            for lower_id in unique.tolist():
                lemma = memo.get(lower_id)
                if lemma is None:
                    lower = strings[lower_id]
                    lemma = memo[lower_id] = strings.add(table.get(lower, lower))
                lemmas.append(lemma)
            values = numpy.asarray(lemmas, dtype="uint64")[inverse.reshape(-1)]
            if not self.overwrite:
                current = doc.to_array(LEMMA)
                values = numpy.where(current == 0, values, current)
            doc.from_array([LEMMA], values.reshape(-1, 1))
            return doc
        except Exception as e:
            error_handler(self.name, self, [doc], e)

    def lower_lookup_lemmatize(self, token: Token) -> List[str]:
        """Lemmatize the lower-cased token text with the lookup table.

        token (Token): The token to lemmatize.
        RETURNS (List[str]): One lemma, lower case.
        """
        table = self.lookups.get_table("lemma_lookup", {})
        lower = token.lower_
        return [table.get(lower, lower)]


@Language.factory(
    "policylens_lemmatizer",
    assigns=["token.lemma"],
    default_config={"model": None, "mode": "lower_lookup", "overwrite": True},
)
def make_lemmatizer(
    nlp: Language, model: Optional[Model], name: str, mode: str, overwrite: bool
) -> LowercaseLookupLemmatizer:
    """Create the lower-case lookup lemmatizer.

    mode (str): "lower_lookup" (default) or any mode of spaCy's Lemmatizer.
    overwrite (bool): Whether to replace lemmas that are already set.
    RETURNS (LowercaseLookupLemmatizer): The component.
    """
    return LowercaseLookupLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite)
