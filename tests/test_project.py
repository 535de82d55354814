"""The spaCy project end to end, in a temporary copy: `spacy project run all` and its outputs."""
import re
import shutil
import subprocess
import sys

import pytest
import srsly

from conftest import ROOT

# src too: commands name the package modules they run as deps.
COPIED = ["project.yml", "configs", "patterns", "scripts", "assets", "src"]


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


def test_weasel_reads_every_declared_path_as_one_path():
    """Guards against confection joining adjacent ${vars} list entries into one string."""
    from weasel.util import load_project_config

    config = load_project_config(ROOT)
    for command in config["commands"]:
        for key in ("deps", "outputs", "outputs_no_cache"):
            for path in command.get(key) or []:
                assert ", " not in path and "${" not in path, (command["name"], key, path)
