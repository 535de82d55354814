"""Build, load and find the policylens pipeline."""
import gc
import os
from functools import lru_cache
from pathlib import Path
from typing import Union

import spacy
from spacy.language import Language
from spacy.util import load_config, load_model_from_config

# The repository this package was installed from (editable install): configs/ and patterns/.
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO_ROOT / "configs" / "config.cfg"
PIPELINE_ENV = "POLICYLENS_PIPELINE"


def blank() -> Language:
    """A blank English pipeline with the policylens tokenizer and no components.

    Enough to read annotated JSONL back into Docs (same tokens as the full pipeline).
    RETURNS (Language): The pipeline.
    """
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "policylens.tokenizer.v1"}}})


def assemble(config_path: Union[str, Path] = DEFAULT_CONFIG, root: Union[str, Path, None] = None) -> Language:
    """Build and initialise the pipeline from a config, as ``spacy assemble`` does.

    config_path (Union[str, Path]): The pipeline config.
    root (Union[str, Path, None]): Directory that the ``[paths]`` of the config are relative to;
        defaults to the config's parent's parent (the repository root).
    RETURNS (Language): The initialised pipeline.
    """
    config_path = Path(config_path)
    root = Path(root) if root is not None else config_path.resolve().parent.parent
    config = load_config(config_path)
    overrides = {
        f"paths.{name}": str(root / value) if isinstance(value, str) else value
        for name, value in config.get("paths", {}).items()
    }
    config = load_config(config_path, overrides=overrides, interpolate=False)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    nlp.initialize()
    return nlp


@lru_cache(maxsize=1)
def _default_pipeline() -> Language:
    return _collected(assemble())


def _collected(nlp: Language) -> Language:
    """Run a full garbage collection once a pipeline is loaded, and return the pipeline.

    Loading makes ~50,000 objects that the collector tracks (patterns, tries, tables), more
    than its threshold for a full collection, which then fell due in the first batch the
    pipeline annotated (~80-100 ms of CPU there, a one-off cost of loading). Collected here,
    it is counted in the load, and the run starts with the collector's counts at zero.
    """
    gc.collect()
    return nlp


def load(path: Union[str, Path, None] = None) -> Language:
    """Load a saved policylens pipeline, or build the default one.

    path (Union[str, Path, None]): A directory written by ``spacy assemble`` / ``nlp.to_disk``.
        Without it: the directory named by the POLICYLENS_PIPELINE environment variable, else
        the pipeline assembled from this repository's ``configs/config.cfg`` (built once per
        process and shared).
    RETURNS (Language): The pipeline.
    """
    path = path or os.environ.get(PIPELINE_ENV)
    if path:
        return _collected(spacy.load(path))
    if not DEFAULT_CONFIG.exists():
        raise FileNotFoundError(
            f"no pipeline given and no {DEFAULT_CONFIG} to assemble one from; "
            f"pass a pipeline directory or set {PIPELINE_ENV}"
        )
    return _default_pipeline()

