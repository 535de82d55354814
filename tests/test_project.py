"""The spaCy project end to end, in a temporary copy: `spacy project run all` and its outputs."""
import re
import shutil
import subprocess
import sys

import pytest
import srsly

from conftest import ROOT

COPIED = ["project.yml", "configs", "patterns", "scripts", "assets"]


def declared_outputs(project: dict, workflow: str):
    """The outputs that the commands of a workflow declare, with ${vars.x} filled in."""
    variables = project.get("vars", {})
    fill = lambda text: re.sub(r"\$\{vars\.(\w+)\}", lambda m: str(variables[m.group(1)]), text)
    commands = {c["name"]: c for c in project["commands"]}
    return [fill(out) for name in project["workflows"][workflow] for out in commands[name].get("outputs", [])]


@pytest.mark.slow
def test_project_run_all(tmp_path):
    for name in COPIED:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "project", "run", "all", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    project = srsly.read_yaml(tmp_path / "project.yml")
    outputs = declared_outputs(project, "all")
    assert outputs
    missing = [out for out in outputs if not (tmp_path / out).exists()]
    assert missing == []
    records = list(srsly.read_jsonl(tmp_path / "corpus" / "annotated.jsonl"))
    assert len(records) == len(list((ROOT / "assets" / "policies").iterdir()))
    assert srsly.read_json(tmp_path / "metrics" / "samples.json")["documents"] == len(records)
    assert (tmp_path / "corpus" / "annotated.errors.jsonl").read_text() == ""


def test_every_command_documents_itself():
    project = srsly.read_yaml(ROOT / "project.yml")
    for command in project["commands"]:
        assert command.get("help"), command["name"]
        assert command.get("deps") is not None, command["name"]
        assert command.get("outputs") or command.get("outputs_no_cache"), command["name"]
