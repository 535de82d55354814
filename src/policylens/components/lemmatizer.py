"""A lookup lemmatizer that lower-cases first, so phrase patterns on LEMMA ignore case.

spaCy's lookup mode keys its table on the exact token text: "Cookies" in a heading
would keep the lemma "Cookies" and miss the pattern "cookie". Looking up the
lower-cased form gives one lemma for "Cookies", "cookies" and "COOKIES".
The table itself is spaCy's own ``lemma_lookup`` from spacy-lookups-data.
"""
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Tuple

import numpy
from spacy.attrs import LEMMA
from spacy.errors import Errors
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token
from thinc.api import Model

from .batch_pipe import BatchPipe
from .token_types import TypeValues

# Docs up to this many tokens are lemmatized token by token (cheaper than array steps on them).
SHORT_DOC = 64


class LowercaseLookupLemmatizer(BatchPipe, Lemmatizer):
    """spaCy's Lemmatizer with one extra mode, ``lower_lookup``."""

    @classmethod
    def get_lookups_config(cls, mode: str) -> Tuple[List[str], List[str]]:
        """Tables the mode needs: (required, optional)."""
        if mode == "lower_lookup":
            return (["lemma_lookup"], [])
        return super().get_lookups_config(mode)

    def __call__(self, doc: Doc) -> Doc:
        """Lemmatize a document. In ``lower_lookup`` mode the lemma is looked up once per distinct
        token text (``token_types``) and all lemmas are set in one ``Doc.from_array``, instead of
        a Python step per token; the lemmas are those of ``lower_lookup_lemmatize``.

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        if self.mode != "lower_lookup" or not len(doc):
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        error_handler = self.get_error_handler()
        try:
            if len(doc) <= SHORT_DOC:
                return self._lemmatize_short(doc)
            values = self._lemma_values()(doc)
            if not self.overwrite:
                current = doc.to_array(LEMMA)  # one column: as many values as tokens
                values = numpy.where(current == 0, values, current)
            doc.from_array([LEMMA], values.reshape(-1, 1))
            return doc
        except Exception as e:
            error_handler(self.name, self, [doc], e)

    def _lemmatize_short(self, doc: Doc) -> Doc:
        """Lemmatize a Doc of a few tokens token by token (the rulers' phrase patterns, thousands
        of them, pass through here when a pipeline is loaded: array steps cost more on them).

        doc (Doc): The document.
        RETURNS (Doc): The same document.
        """
        table = self.lookups.get_table("lemma_lookup", {})
        if getattr(self, "_short_table", None) is not table:
            self._short_table, self._short_lemmas = table, {}
        lemmas: Dict[int, int] = self._short_lemmas
        add = self.vocab.strings.add
        for token in doc:
            if self.overwrite or token.lemma == 0:
                lemma = lemmas.get(token.orth)
                if lemma is None:
                    lower = token.lower_
                    lemma = lemmas[token.orth] = add(table.get(lower, lower))
                token.lemma = lemma
        return doc

    def _lemma_values(self) -> TypeValues:
        """The lemma hash per distinct token text (anew when the tables are replaced or reloaded).

        RETURNS (TypeValues): Lemma hashes (uint64; 0, the empty string, marks "not looked up").
        """
        table = self.lookups.get_table("lemma_lookup", {})
        kept = getattr(self, "_lemmas_of", None)
        if kept is None or kept[0] is not table:
            strings = self.vocab.strings
            # spaCy's ``Table.get`` only turns a string key into its id before the dict's own
            # ``get``: with ids already, the dict's ``get`` gives the same at half the cost (once
            # per distinct text, but every text is new once per pipeline).
            get = OrderedDict.get if isinstance(table, OrderedDict) else type(table).get

            def lemmas(doc: Doc, orths: List[int]) -> List[int]:
                # The lexeme's LOWER id, as the token's ``lower_`` names it: the table is keyed on
                # such ids (``Table.get`` hashes a string key), so no string is read or hashed.
                vocab = doc.vocab
                lowers = [vocab[orth].lower for orth in orths]
                found = [get(table, lower) for lower in lowers]
                # A word without an entry is its own lemma: its LOWER id, in the strings already.
                return [lower if lemma is None else strings.add(lemma) for lower, lemma in zip(lowers, found)]

            # One assignment: a thread sharing the component sees a table and its lemmas.
            kept = self._lemmas_of = (table, TypeValues(lemmas, "uint64", 0))
        return kept[1]

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
