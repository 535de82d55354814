"""policylens: mark data types, third parties, retention and contact emails in privacy policies."""
from . import extensions  # noqa: F401  (registers the span attributes)
from . import components, lexeme_attrs, patterns, tokenizer  # noqa: F401  (registers factories and functions)
from .labels import LABELS, SPANS_KEY
from .pipeline import assemble, blank, load

__version__ = "0.1.0"
__all__ = ["LABELS", "SPANS_KEY", "__version__", "assemble", "blank", "load"]
