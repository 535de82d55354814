"""Load the data files in ``patterns/`` and turn them into span-ruler patterns.

Three kinds of file, all JSONL with one entry a line:

- ``taxonomy.jsonl``: data-type categories, ``{"id", "opp115", "sensitive", "terms"}``;
  each term becomes a phrase pattern with the id ``<category>/<term-slug>``.
- ``third_parties.jsonl``: recipients, ``{"id", "category", "named", "organization",
  "service", "names" | "terms", "case_sensitive"}``; each name or term becomes a
  phrase pattern with the id ``<entry id>/<slug>``.
- EntityRuler-format pattern files (``data_types.jsonl``, ``retention.jsonl``, ...):
  ``{"label", "pattern", "id"}`` with token or phrase patterns written by hand. Such a file
  may also name word lists and token sequences once (``{"define": "KEEP_VERBS", "words":
  [...]}``, ``{"define": "CLAUSE_END", "tokens": [...]}``) and refer to them as ``"$KEEP_VERBS"``
  in an ``IN``/``NOT_IN`` list or in place of a token; they are expanded when the file is loaded
  (see ``expand_pattern_file``).

Every loader reports a bad line with its file, line number and reason.
"""
import copy
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Union

import srsly
from spacy.util import registry

from .labels import DATA_TYPE, LABELS, THIRD_PARTY, THIRD_PARTY_CATEGORIES

PathLike = Union[str, Path]
# A pattern's id: "<entry>/<variant>", lower case, no spaces, stable across edits.
ID_RE = re.compile(r"^[a-z0-9_.\-]+/[a-z0-9_.\-]+$")
# The name of a word list or token sequence defined in a pattern file, and a reference to it.
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
REF_RE = re.compile(r"^\$[A-Z][A-Z0-9_]*$")
# The keys of a token attribute whose value is a list of words (spaCy's set membership).
WORD_LIST_KEYS = ("IN", "NOT_IN")


class PatternFileError(ValueError):
    """A line of a pattern, taxonomy or catalogue file is not valid."""

    def __init__(self, path: PathLike, line: int, reason: str):
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}, line {line}: {reason}")


def slug(text: str) -> str:
    """Turn a surface form into the variant part of a pattern id.

    text (str): A term such as "E-mail address (work)".
    RETURNS (str): "e-mail-address-work".
    """
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "x"


def plural(term: str) -> str:
    """Pluralise the last word of a term, the way English regular nouns do.

    The lookup lemma table is not consistent for plurals ("cookies" -> "cooky"), so both
    forms become patterns; each is lemmatised like the text and matches that form.

    term (str): "cookie", "device identifier", "address".
    RETURNS (str): "cookies", "device identifiers", "addresses" (the term itself when it ends in "s").
    """
    head, _, last = term.rpartition(" ")
    if not last or not last[-1].isalpha() or last.isupper():
        return term
    if last.endswith("ss"):
        last += "es"
    elif last.endswith("s"):
        return term
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "o", "u"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "ch", "sh", "z")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def read_entries(path: PathLike) -> Iterator[tuple]:
    """Yield (line number, entry) for each non-blank line of a JSONL file.

    path (PathLike): The file to read.
    YIELDS (Tuple[int, dict]): 1-based line number and the parsed JSON object.
    RAISES PatternFileError: For a line that is not a JSON object.
    """
    path = Path(path)
    if not path.exists():
        raise PatternFileError(path, 0, "file not found")
    with path.open(encoding="utf8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                entry = srsly.json_loads(line)
            except ValueError as err:
                raise PatternFileError(path, number, f"not valid JSON ({err})") from None
            if not isinstance(entry, dict):
                raise PatternFileError(path, number, "not a JSON object")
            yield number, entry


def _require(entry: dict, field: str, kind: type, path: PathLike, number: int) -> Any:
    value = entry.get(field)
    if not isinstance(value, kind) or (kind in (str, list) and not value):
        raise PatternFileError(path, number, f"'{field}' must be a non-empty {kind.__name__}")
    return value


def _surface_forms(entry: dict, fields, path: PathLike, number: int) -> List[str]:
    forms: List[str] = []
    for field in fields:
        values = entry.get(field, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise PatternFileError(path, number, f"'{field}' must be a list of non-empty strings")
        forms.extend(values)
    if not forms:
        raise PatternFileError(path, number, f"needs at least one of {', '.join(fields)}")
    return forms


def _deduplicate(patterns: List[dict]) -> List[dict]:
    """Drop repeated (id, pattern) pairs, e.g. a term listed twice, keeping the first."""
    seen = set()
    unique = []
    for pattern in patterns:
        key = (pattern["id"], srsly.json_dumps(pattern["pattern"], sort_keys=True))
        if key not in seen:
            seen.add(key)
            unique.append(pattern)
    return unique


def load_taxonomy(path: PathLike) -> List[dict]:
    """Read and check the data-type taxonomy.

    path (PathLike): ``patterns/taxonomy.jsonl``.
    RETURNS (List[dict]): Entries with ``id``, ``opp115``, ``sensitive`` and ``terms``.
    """
    entries, seen = [], set()
    for number, entry in read_entries(path):
        entry_id = _require(entry, "id", str, path, number)
        if not re.match(r"^[a-z_]+(\.[a-z0-9_]+)+$", entry_id):
            raise PatternFileError(path, number, f"id {entry_id!r} is not a dotted category id")
        if entry_id in seen:
            raise PatternFileError(path, number, f"duplicate id {entry_id!r}")
        seen.add(entry_id)
        _require(entry, "opp115", str, path, number)
        if not isinstance(entry.get("sensitive"), bool):
            raise PatternFileError(path, number, "'sensitive' must be true or false")
        _surface_forms(entry, ("terms",), path, number)
        entries.append(entry)
    return entries


def load_catalogue(path: PathLike) -> List[dict]:
    """Read and check the third-party catalogue.

    path (PathLike): ``patterns/third_parties.jsonl``.
    RETURNS (List[dict]): Entries with ``id``, ``category``, ``named`` and their names or terms.
    """
    entries, seen = [], set()
    for number, entry in read_entries(path):
        entry_id = _require(entry, "id", str, path, number)
        if not re.match(r"^[a-z0-9_.\-]+$", entry_id):
            raise PatternFileError(path, number, f"id {entry_id!r} must be lower case without spaces")
        if entry_id in seen:
            raise PatternFileError(path, number, f"duplicate id {entry_id!r}")
        seen.add(entry_id)
        category = _require(entry, "category", str, path, number)
        if category not in THIRD_PARTY_CATEGORIES:
            raise PatternFileError(path, number, f"unknown category {category!r}")
        named = entry.get("named", False)
        if not isinstance(named, bool):
            raise PatternFileError(path, number, "'named' must be true or false")
        if named:
            _require(entry, "organization", str, path, number)
        _surface_forms(entry, ("names", "terms"), path, number)
        entries.append(entry)
    return entries


def _is_ref(value: Any) -> bool:
    return isinstance(value, str) and bool(REF_RE.match(value))


def _kind_name(kind: str) -> str:
    return "word list" if kind == "words" else "token sequence"


class _Definitions:
    """The word lists and token sequences a pattern file defines, expanded on demand.

    A definition line is ``{"define": NAME, "words": [...]}`` (strings and ``"$NAME"`` of other
    word lists) or ``{"define": NAME, "tokens": [...]}`` (token objects and ``"$NAME"`` of other
    token sequences). Definitions may come in any order; each is expanded once.
    """

    def __init__(self, path: PathLike):
        self.path = path
        self.raw: Dict[str, tuple] = {}  # name -> (line, "words" | "tokens", items)
        self.done: Dict[str, list] = {}
        self.active: List[str] = []  # the names being expanded, to report a cycle

    def add(self, number: int, entry: dict) -> None:
        """Check one definition line's shape and remember it (entry: the parsed line)."""
        name = entry.get("define")
        kinds = [kind for kind in ("words", "tokens") if kind in entry]
        if set(entry) - {"define", "words", "tokens"} or len(kinds) != 1:
            reason = 'a definition is {"define": NAME, "words" or "tokens": [...]}'
            raise PatternFileError(self.path, number, reason)
        if not isinstance(name, str) or not NAME_RE.match(name):
            reason = f"name {name!r} must be upper case letters, digits and _"
            raise PatternFileError(self.path, number, reason)
        if name in self.raw:
            reason = f"'${name}' is already defined on line {self.raw[name][0]}"
            raise PatternFileError(self.path, number, reason)
        kind = kinds[0]
        items = entry[kind]
        if not isinstance(items, list) or not items:
            raise PatternFileError(self.path, number, f"'{kind}' must be a non-empty list")
        if kind == "words" and not all(isinstance(w, str) and w for w in items):
            raise PatternFileError(self.path, number, "'words' must be a list of non-empty strings")
        if kind == "tokens" and not all(isinstance(t, dict) or _is_ref(t) for t in items):
            reason = "'tokens' must be a list of token objects and '$NAME's"
            raise PatternFileError(self.path, number, reason)
        self.raw[name] = (number, kind, items)

    def resolve(self, ref: str, kind: str, number: int) -> list:
        """Expand a reference.

        ref (str): "$NAME". kind (str): "words" or "tokens", what the place of the reference needs.
        number (int): The line the reference is on, for errors.
        RETURNS (list): The words or token objects, with every reference inside expanded.
        """
        name = ref[1:]
        if name not in self.raw:
            raise PatternFileError(self.path, number, f"unknown {_kind_name(kind)} '{ref}'")
        line, defined_kind, items = self.raw[name]
        if defined_kind != kind:
            reason = f"'{ref}' is a {_kind_name(defined_kind)} (line {line}), not a {_kind_name(kind)}"
            raise PatternFileError(self.path, number, reason)
        if name in self.active:
            cycle = " -> ".join(f"${n}" for n in self.active[self.active.index(name):] + [name])
            raise PatternFileError(self.path, line, f"definitions refer to each other in a cycle: {cycle}")
        if name not in self.done:
            self.active.append(name)
            if kind == "words":
                self.done[name] = self.words(items, line)
            else:
                self.done[name] = self.tokens(items, line)
            self.active.pop()
        return self.done[name]

    def words(self, items: list, number: int) -> List[str]:
        """Expand a list of words and "$NAME"s (items) found on line number, in order."""
        out: List[str] = []
        for item in items:
            out.extend(self.resolve(item, "words", number) if _is_ref(item) else [item])
        return out

    def tokens(self, items: list, number: int) -> List[dict]:
        """Expand a list of token objects and "$NAME"s (items) found on line number, in order."""
        out: List[dict] = []
        for item in items:
            if _is_ref(item):
                # a copy: the same sequence spliced into two patterns must not share token objects
                out.extend(copy.deepcopy(self.resolve(item, "tokens", number)))
            elif isinstance(item, dict):
                out.append(self.token(item, number))
            else:
                reason = "a token pattern must be a list of objects (or '$NAME's)"
                raise PatternFileError(self.path, number, reason)
        return out

    def token(self, value: Any, number: int, key: str = "") -> Any:
        """Expand the word-list references in a token object (value), recursively.

        A reference may stand for the whole value of an ``IN``/``NOT_IN`` key or for items of it;
        anywhere else it is an error (it would be matched as the literal text "$NAME").
        RETURNS: A copy of the value with the references replaced.
        """
        if isinstance(value, dict):
            return {k: self.token(v, number, k) for k, v in value.items()}
        if key in WORD_LIST_KEYS and _is_ref(value):
            return list(self.resolve(value, "words", number))
        if key in WORD_LIST_KEYS and isinstance(value, list):
            return self.words(value, number)
        if _is_ref(value) or (isinstance(value, list) and any(_is_ref(v) for v in value)):
            reason = f"a '$NAME' can only stand in an IN or NOT_IN list, not under {key!r}"
            raise PatternFileError(self.path, number, reason)
        return value


def expand_pattern_file(path: PathLike) -> Iterator[tuple]:
    """Read a pattern file and expand its named word lists and token sequences.

    Definition lines (``{"define": ...}``) are taken out; in every other line, a ``"$NAME"``
    that is the value or an item of an ``IN``/``NOT_IN`` list becomes the words of that list,
    and a ``"$NAME"`` in place of a token object becomes the tokens of that sequence.

    path (PathLike): A JSONL pattern file.
    YIELDS (Tuple[int, dict]): Line number and entry of each pattern line, references expanded.
    RAISES PatternFileError: For an unknown name, a name of the wrong kind, definitions that
        refer to each other in a cycle, or a badly shaped definition (with its line).
    """
    definitions = _Definitions(path)
    entries = list(read_entries(path))
    for number, entry in entries:
        if "define" in entry:
            definitions.add(number, entry)
    for number, entry in entries:
        if "define" in entry:
            definitions.resolve("$" + entry["define"], definitions.raw[entry["define"]][1], number)
            continue
        pattern = entry.get("pattern")
        if isinstance(pattern, list) and pattern:
            entry = {**entry, "pattern": definitions.tokens(pattern, number)}
        yield number, entry


def load_pattern_file(path: PathLike, labels=LABELS) -> List[dict]:
    """Read and check an EntityRuler-format pattern file.

    path (PathLike): A JSONL file of ``{"label", "pattern", "id"}`` lines, and definitions of
        word lists and token sequences (``expand_pattern_file``).
    labels (Iterable[str]): The labels allowed in this file.
    RETURNS (List[dict]): The patterns, with the named lists and sequences expanded.
    """
    patterns = []
    for number, entry in expand_pattern_file(path):
        label = _require(entry, "label", str, path, number)
        if label not in labels:
            raise PatternFileError(path, number, f"label {label!r} is not one of {', '.join(labels)}")
        pattern_id = _require(entry, "id", str, path, number)
        if not ID_RE.match(pattern_id):
            raise PatternFileError(path, number, f"id {pattern_id!r} is not '<entry>/<variant>'")
        pattern = entry.get("pattern")
        if isinstance(pattern, list):
            if not pattern or not all(isinstance(t, dict) for t in pattern):
                raise PatternFileError(path, number, "a token pattern must be a list of objects")
        elif not (isinstance(pattern, str) and pattern.strip()):
            raise PatternFileError(path, number, "'pattern' must be a string or a list of token objects")
        patterns.append({"label": label, "pattern": pattern, "id": pattern_id})
    return patterns


@registry.misc("policylens.data_type_patterns.v1")
def data_type_patterns(taxonomy: str, extra: Optional[str] = None) -> List[dict]:
    """Patterns for the DATA_TYPE ruler: one phrase pattern per taxonomy term, plus a hand-written file.

    taxonomy (str): Path of ``taxonomy.jsonl``.
    extra (Optional[str]): Path of an EntityRuler-format file of DATA_TYPE patterns whose ids
        start with a taxonomy category ("contact.email_address/...").
    RETURNS (List[dict]): Span-ruler patterns.
    """
    entries = load_taxonomy(taxonomy)
    patterns = [
        {"label": DATA_TYPE, "pattern": form, "id": f"{entry['id']}/{slug(term)}"}
        for entry in entries
        for term in entry["terms"]
        for form in (term, plural(term))
    ]
    if extra:
        categories = {entry["id"] for entry in entries}
        for pattern in load_pattern_file(extra, labels=(DATA_TYPE,)):
            if pattern["id"].split("/")[0] not in categories:
                raise PatternFileError(extra, 0, f"id {pattern['id']!r} names no taxonomy category")
            patterns.append(pattern)
    return _deduplicate(patterns)


@registry.misc("policylens.third_party_patterns.v1")
def third_party_patterns(
    catalogue: str, case_sensitive: bool = False, extra: Optional[str] = None
) -> List[dict]:
    """Patterns for a THIRD_PARTY ruler from the catalogue.

    catalogue (str): Path of ``third_parties.jsonl``.
    case_sensitive (bool): Select the entries marked ``case_sensitive`` (names that are also
        common words, "Segment", "Adjust"; for a ruler matching ORTH) or all others (for a ruler
        matching the lower-cased LEMMA).
    extra (Optional[str]): Path of an EntityRuler-format file of THIRD_PARTY patterns whose ids
        start with a catalogue id.
    RETURNS (List[dict]): Span-ruler patterns.
    """
    entries = load_catalogue(catalogue)
    patterns = [
        {"label": THIRD_PARTY, "pattern": form, "id": f"{entry['id']}/{slug(form)}"}
        for entry in entries
        if bool(entry.get("case_sensitive", False)) == case_sensitive
        for form in entry.get("names", []) + entry.get("terms", [])
    ]
    if extra:
        ids = {entry["id"] for entry in entries}
        for pattern in load_pattern_file(extra, labels=(THIRD_PARTY,)):
            if pattern["id"].split("/")[0] not in ids:
                raise PatternFileError(extra, 0, f"id {pattern['id']!r} names no catalogue entry")
            patterns.append(pattern)
    return _deduplicate(patterns)


@registry.misc("policylens.jsonl_patterns.v1")
def jsonl_patterns(path: str) -> List[dict]:
    """Patterns from one EntityRuler-format JSONL file, checked line by line.

    path (str): The file.
    RETURNS (List[dict]): Span-ruler patterns.
    """
    return load_pattern_file(path)


@registry.misc("policylens.taxonomy.v1")
def taxonomy_entries(path: str) -> List[dict]:
    """The checked taxonomy, for ``[initialize]`` blocks. path (str): ``taxonomy.jsonl``."""
    return load_taxonomy(path)


@registry.misc("policylens.catalogue.v1")
def catalogue_entries(path: str) -> List[dict]:
    """The checked catalogue, for ``[initialize]`` blocks. path (str): ``third_parties.jsonl``."""
    return load_catalogue(path)
