"""The English tokenizer with a few extra splits that privacy policies need.

Email addresses must end up as whole tokens so that a CONTACT_EMAIL span can be
exactly the address as written: Markdown links glue the link text to its target
(``a@b.com](mailto:a@b.com``) and the ``mailto:`` scheme sticks to the address.
"""
import re
from typing import Callable

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, registry

# A closing bracket or parenthesis glued to the next opening one: "x](y", "x)(y".
EXTRA_INFIXES = [r"(?<=[^\s\[\(])[\]\)](?=[\[\(])", r"(?<=[\]\)])[\[\(]"]
# Zero-width characters that web pages leave around words ("privacy@example.com\u200b").
ZERO_WIDTH = r"[\u200b\u200c\u200d\u2060\ufeff]"
# The mailto: scheme in front of an address, and zero-width characters.
EXTRA_PREFIXES = [r"(?i:mailto:)", ZERO_WIDTH]
EXTRA_SUFFIXES = [ZERO_WIDTH]


def _url_match_without_link_glue(url_match):
    """spaCy's URL matcher, refusing strings with Markdown link glue or a mailto: scheme.

    Without this, "a@b.com](mailto:a@b.com" would be taken as one URL token. The result must
    be the ``match`` method of a compiled pattern: the tokenizer saves and loads it as a regex.

    url_match (Optional[Callable]): The language's URL matcher (a compiled pattern's ``match``).
    RETURNS (Optional[Callable]): The ``match`` method of the narrowed pattern.
    """
    if url_match is None:
        return None
    pattern = url_match.__self__.pattern
    flags = ""
    if pattern.startswith("(?u)"):
        flags, pattern = "(?u)", pattern[len("(?u)") :]
    # The look-aheads scan one candidate token, so they stay linear in the token's length.
    return re.compile(flags + r"(?!.*\]\()(?!.*[mM][aA][iI][lL][tT][oO]:)" + pattern).match


@registry.tokenizers("policylens.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """Build spaCy's default tokenizer for the language, plus the splits above.

    RETURNS (Callable[[Language], Tokenizer]): Factory that spaCy calls with the nlp object.
    """

    def make(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        prefixes = compile_prefix_regex(EXTRA_PREFIXES + list(defaults.prefixes or []))
        infixes = compile_infix_regex(list(defaults.infixes or []) + EXTRA_INFIXES)
        tokenizer = spacy.tokenizer.Tokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=prefixes.search,
            suffix_search=spacy.util.compile_suffix_regex(EXTRA_SUFFIXES + list(defaults.suffixes or [])).search,
            infix_finditer=infixes.finditer,
            token_match=defaults.token_match,
            url_match=_url_match_without_link_glue(defaults.url_match),
        )
        return tokenizer

    return make
