"""Pattern, taxonomy and catalogue files are validated: a bad line is reported with file, line and reason."""
import json
import shutil
from pathlib import Path

import pytest

import policylens
from policylens.patterns import PatternFileError, load_catalogue, load_pattern_file, load_taxonomy

ROOT = Path(__file__).resolve().parent.parent


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


@pytest.mark.parametrize("bad_line,reason", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a JSON object"),
    (json.dumps({"label": "PERSON", "pattern": "x", "id": "a/b"}), "label 'PERSON' is not one of"),
    (json.dumps({"label": "RETENTION", "pattern": "x", "id": "no-slash"}), "is not '<entry>/<variant>'"),
    (json.dumps({"label": "RETENTION", "pattern": 5, "id": "a/b"}), "'pattern' must be"),
    (json.dumps({"label": "RETENTION", "pattern": ["x"], "id": "a/b"}), "a token pattern must be a list of objects"),
])
def test_bad_pattern_line(tmp_path, bad_line, reason):
    good = json.dumps({"label": "RETENTION", "pattern": "for 30 days", "id": "stated_period/x"})
    path = write_lines(tmp_path / "p.jsonl", [good, "", bad_line])
    with pytest.raises(PatternFileError) as err:
        load_pattern_file(path)
    assert (err.value.path, err.value.line) == (str(path), 3)
    assert reason in err.value.reason and f"{path}, line 3: " in str(err.value)


def test_bad_taxonomy_and_catalogue_lines(tmp_path):
    taxonomy = write_lines(tmp_path / "taxonomy.jsonl", [
        json.dumps({"id": "contact.email", "opp115": "Contact", "terms": ["email"], "sensitive": False}),
        json.dumps({"id": "contact.email", "opp115": "Contact", "terms": ["e-mail"], "sensitive": False}),
    ])
    with pytest.raises(PatternFileError, match=r"taxonomy.jsonl, line 2: duplicate id 'contact.email'"):
        load_taxonomy(taxonomy)
    catalogue = write_lines(tmp_path / "catalogue.jsonl", [
        json.dumps({"id": "Acme Corp", "category": "advertising", "named": True, "names": ["Acme"]}),
    ])
    with pytest.raises(PatternFileError, match=r"catalogue.jsonl, line 1: id 'Acme Corp' must be lower case"):
        load_catalogue(catalogue)


def test_assembling_with_a_broken_pattern_file_names_file_and_line(tmp_path):
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    shutil.copytree(ROOT / "patterns", tmp_path / "patterns")
    retention = tmp_path / "patterns" / "retention.jsonl"
    lines = retention.read_text(encoding="utf8").splitlines()
    lines[4] = '{"label": "RETENTION", "pattern": "for ever", "id": "missing-variant"}'
    retention.write_text("\n".join(lines) + "\n", encoding="utf8")
    with pytest.raises(PatternFileError) as err:
        policylens.assemble(tmp_path / "configs" / "config.cfg")
    assert err.value.path == str(retention) and err.value.line == 5
    assert "'<entry>/<variant>'" in err.value.reason


def define(name, kind, items):
    return json.dumps({"define": name, kind: items})


def token_line(tokens, pattern_id="stated_period/x"):
    return json.dumps({"label": "RETENTION", "pattern": tokens, "id": pattern_id})


def test_named_lists_and_sequences_are_expanded_in_place(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", [
        "// lists may come after the patterns that use them and may be made of other lists",
        token_line([
            {"LOWER": {"IN": "$VERBS"}},
            {"LOWER": {"NOT_IN": ["$STOPS", "we", "$PUNCT"]}, "OP": "{0,3}"},
            "$PERIOD",
            {"_": {"kind": {"IN": ["$UNITS"]}}},
        ]),
        define("KEEP", "words", ["keep", "kept"]),
        define("VERBS", "words", ["$KEEP", "retain"]),
        define("STOPS", "words", ["unless", "$UNITS"]),
        define("UNITS", "words", ["day", "days"]),
        define("PUNCT", "words", [",", "."]),
        define("PERIOD", "tokens", [{"LIKE_NUM": True}, {"LOWER": {"IN": "$UNITS"}}]),
        json.dumps({"label": "RETENTION", "pattern": "for ever", "id": "indefinite/x"}),
    ])
    assert load_pattern_file(path) == [
        {"label": "RETENTION", "id": "stated_period/x", "pattern": [
            {"LOWER": {"IN": ["keep", "kept", "retain"]}},
            {"LOWER": {"NOT_IN": ["unless", "day", "days", "we", ",", "."]}, "OP": "{0,3}"},
            {"LIKE_NUM": True},
            {"LOWER": {"IN": ["day", "days"]}},
            {"_": {"kind": {"IN": ["day", "days"]}}},
        ]},
        {"label": "RETENTION", "pattern": "for ever", "id": "indefinite/x"},
    ]


def test_a_spliced_sequence_is_a_copy_in_each_pattern(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", [
        define("NUM", "tokens", [{"LIKE_NUM": True}]),
        token_line(["$NUM"], "stated_period/a"),
        token_line(["$NUM"], "stated_period/b"),
    ])
    first, second = load_pattern_file(path)
    first["pattern"][0]["OP"] = "?"
    assert second["pattern"] == [{"LIKE_NUM": True}]


@pytest.mark.parametrize("lines,line,reason", [
    ([token_line([{"LOWER": {"IN": "$NOPE"}}])], 1, "unknown word list '$NOPE'"),
    ([define("A", "words", ["x", "$NOPE"]), token_line([{"LOWER": {"IN": "$A"}}])], 1,
     "unknown word list '$NOPE'"),
    ([token_line(["$NOPE"])], 1, "unknown token sequence '$NOPE'"),
    ([define("A", "words", ["x"]), token_line(["$A"])], 2, "'$A' is a word list (line 1), not a token sequence"),
    ([define("T", "tokens", [{"ORTH": "x"}]), token_line([{"LOWER": {"NOT_IN": ["$T"]}}])], 2,
     "'$T' is a token sequence (line 1), not a word list"),
    ([define("A", "words", ["$B"]), define("B", "words", ["x", "$A"]), token_line([{"LOWER": {"IN": "$A"}}])],
     1, "cycle: $A -> $B -> $A"),
    ([define("T", "tokens", [{"ORTH": "x"}, "$T"])], 1, "cycle: $T -> $T"),
    ([define("A", "words", ["x"]), define("A", "words", ["y"])], 2, "'$A' is already defined on line 1"),
    ([define("a", "words", ["x"])], 1, "name 'a' must be upper case"),
    ([define("A", "words", ["x", 3])], 1, "'words' must be a list of non-empty strings"),
    ([define("A", "words", [])], 1, "'words' must be a non-empty list"),
    ([define("T", "tokens", ["x"])], 1, "'tokens' must be a list of token objects"),
    ([json.dumps({"define": "A", "words": ["x"], "tokens": [{}]})], 1, "a definition is"),
    ([define("A", "words", ["x"]), token_line([{"LOWER": "$A"}])], 2, "can only stand in an IN or NOT_IN list"),
    ([define("A", "words", ["x"]), token_line(["x", {"LOWER": {"IN": "$A"}}])], 2,
     "a token pattern must be a list of objects"),
])
def test_bad_named_lists(tmp_path, lines, line, reason):
    path = write_lines(tmp_path / "p.jsonl", lines)
    with pytest.raises(PatternFileError) as err:
        load_pattern_file(path)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert reason in err.value.reason, err.value.reason


def references(value):
    """Every "$NAME" in a parsed JSON value (value), to find definitions no line uses."""
    if isinstance(value, dict):
        return [ref for v in value.values() for ref in references(v)]
    if isinstance(value, list):
        return [ref for v in value for ref in references(v)]
    return [value] if isinstance(value, str) and value.startswith("$") and value[1:].isupper() else []


@pytest.mark.parametrize("name", ["retention.jsonl", "data_types.jsonl", "third_parties_extra.jsonl"])
def test_every_named_list_of_a_pattern_file_is_used(name):
    entries = [json.loads(line) for line in (ROOT / "patterns" / name).read_text(encoding="utf8").splitlines()
               if line.strip() and not line.startswith("//")]
    defined = {entry["define"] for entry in entries if "define" in entry}
    bodies = [entry.get("words", entry.get("tokens", entry)) for entry in entries]
    used = {ref[1:] for body in bodies for ref in references(body)}
    assert defined <= used, f"defined but never used: {sorted(defined - used)}"
