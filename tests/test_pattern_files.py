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
