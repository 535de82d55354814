"""A lookup lemmatizer that lower-cases first, so phrase patterns on LEMMA ignore case.

spaCy's lookup mode keys its table on the exact token text: "Cookies" in a heading
would keep the lemma "Cookies" and miss the pattern "cookie". Looking up the
lower-cased form gives one lemma for "Cookies", "cookies" and "COOKIES".
The table itself is spaCy's own ``lemma_lookup`` from spacy-lookups-data.
"""
from typing import Callable, List, Optional, Tuple

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Token
from thinc.api import Model


class LowercaseLookupLemmatizer(Lemmatizer):
    """spaCy's Lemmatizer with one extra mode, ``lower_lookup``."""

    @classmethod
    def get_lookups_config(cls, mode: str) -> Tuple[List[str], List[str]]:
        """Tables the mode needs: (required, optional)."""
        if mode == "lower_lookup":
            return (["lemma_lookup"], [])
        return super().get_lookups_config(mode)

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
