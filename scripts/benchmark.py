"""Benchmark policylens against spaCy's bare tokenizer: speed, parallel speed-up, memory, load time.

One corpus, one run, every phase in a fresh Python process (so that one phase's memory does not
count in the next): loading the assembled pipeline; the blank English tokenizer (the ceiling);
the full pipeline (``nlp.pipe``); ``policylens annotate`` end to end (read, annotate, write) in
one process, with ``--n-process 2``, and on ten times the corpus (peak memory must stay flat).
This virtual machine's two CPUs ran the same phase up to 1.7x apart in speed from one run to the
next, so within a round the bare tokenizer and the pipeline run on the same CPU (alternating
between rounds), also taking turns batch by batch in one process (which judges full / bare), and
one-process ``annotate`` runs once on each of two CPUs: --n-process 2 is compared with their
mean rate. Prints a table and writes JSON (``metrics/benchmark.json``).

    python scripts/benchmark.py                      # ../shared/eval if present, else the samples x 50
    python scripts/benchmark.py --corpus DIR_OR_FILE --repeat 3
    python scripts/benchmark.py --samples 200        # the bundled samples repeated 200 times
    python scripts/benchmark.py --profile            # ... and the CPU time of each component
"""
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

import srsly
import typer

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "assets" / "policies"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
RULERS = ("span_ruler", "policylens_span_ruler")
app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def make_corpus(sources: List[str], repeat: int, path: Path) -> Dict[str, int]:
    """Write the corpus as JSONL ({"text", "meta"} a line), the inputs ``repeat`` times over.

    sources (List[str]): Files or directories ``policylens annotate`` reads (gold JSONL works: its
        "text" is read, other keys are ignored).
    repeat (int): How many times to repeat the documents.
    path (Path): The JSONL file to write.
    RETURNS (Dict[str, int]): {"documents", "characters", "errors"}.
    """
    from policylens import readers

    documents, errors = [], 0
    for item in readers.iter_inputs(sources):
        if isinstance(item, readers.InputError):
            errors += 1
        else:
            documents.append({"text": item.text, "meta": {"source": os.path.basename(item.meta.get("source_path", ""))}})
    path.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_jsonl(path, ({**doc, "meta": {**doc["meta"], "copy": n}} for n in range(repeat) for doc in documents))
    return {"documents": len(documents) * repeat, "characters": sum(len(d["text"]) for d in documents) * repeat, "errors": errors}


def pattern_counts(nlp) -> Dict[str, dict]:
    """Patterns per span ruler: phrase and token patterns, and how the token patterns are matched.

    nlp (Language): The pipeline.
    RETURNS (Dict[str, dict]): Component name -> {"factory", "patterns", "phrase_patterns",
        "token_patterns", "compiled"} ("compiled": the fast ruler's counts, else None).
    """
    counts = {}
    for name in nlp.pipe_names:
        factory = nlp.get_pipe_meta(name).factory
        if factory not in RULERS:
            continue
        ruler = nlp.get_pipe(name)
        phrases = sum(isinstance(p["pattern"], str) for p in ruler.patterns)
        compiled = getattr(ruler, "compiled", None)
        counts[name] = {
            "factory": factory,
            "patterns": len(ruler.patterns),
            "phrase_patterns": phrases,
            "token_patterns": len(ruler.patterns) - phrases,
            "compiled": dict(compiled.counts) if compiled is not None else None,
        }
    return counts


def _peak_rss_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or the most of its finished children), in MB.

    On Linux this process's own peak is VmHWM of /proc/self/status: ``getrusage``'s ru_maxrss
    is kept across exec, so a child started by a big parent would report the parent's peak.
    """
    if not children and os.path.exists("/proc/self/status"):
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return round(usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10), 1)


def _texts(corpus: Path):
    for record in srsly.read_jsonl(corpus):
        yield record["text"]


def cores() -> List[int]:
    """The CPUs this process may run on (empty where the system cannot pin a process to one)."""
    if not hasattr(os, "sched_getaffinity") or not hasattr(os, "sched_setaffinity"):
        return []
    return sorted(os.sched_getaffinity(0))


def run_phase(
    phase: str, corpus: str, pipeline: str, repeat: int = 1, batch_size: int = 64, cpu: Optional[int] = None
) -> dict:
    """Run one phase in this process and measure it.

    phase (str): "load", "bare", "full", "annotate", "annotate2" (two worker processes),
        "interleaved" (the bare tokenizer and the pipeline taking turns, see ``interleaved``) or
        "components" (CPU time of each step of the pipeline, see ``profile_components``).
    corpus (str): The corpus JSONL.
    pipeline (str): The assembled pipeline directory.
    repeat (int): For "annotate": read the corpus this many times.
    batch_size (int): Documents per batch.
    cpu (Optional[int]): Run on this CPU only (``os.sched_setaffinity``); None: wherever the
        system schedules it.
    RETURNS (dict): {"phase", "seconds", "cpu_seconds", "documents", "tokens", "peak_rss_mb", ...}
        ("cpu_seconds": this process's CPU time, which other programs on the machine change less;
        "cpu": the CPU it was pinned to, when it was).
    """
    import spacy

    import policylens

    result: dict = {"phase": phase}
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
        result["cpu"] = cpu
    cpu_started = time.process_time()
    if phase == "load":
        started = time.perf_counter()
        nlp = policylens.load(pipeline)
        result["seconds"] = time.perf_counter() - started
        result["patterns"] = pattern_counts(nlp)
    elif phase in ("bare", "full"):
        nlp = spacy.blank("en") if phase == "bare" else policylens.load(pipeline)
        documents = tokens = 0
        started, cpu_started = time.perf_counter(), time.process_time()
        for doc in nlp.pipe(_texts(Path(corpus)), batch_size=batch_size):
            documents += 1
            tokens += len(doc)
        result.update(seconds=time.perf_counter() - started, documents=documents, tokens=tokens)
    elif phase in ("annotate", "annotate2"):
        from policylens import readers
        from policylens.annotate import annotate_stream
        from policylens.writer import JsonlWriter

        nlp = policylens.load(pipeline)
        inputs = [corpus] * repeat
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.jsonl"
            started, cpu_started = time.perf_counter(), time.process_time()
            with JsonlWriter(out) as output, JsonlWriter(Path(tmp) / "out.errors.jsonl") as errors:
                summary = annotate_stream(
                    readers.iter_inputs(inputs), nlp, output, errors, batch_size=batch_size,
                    n_process=2 if phase == "annotate2" else 1, progress=False,
                )
            result["seconds"] = time.perf_counter() - started
            result["output_mb"] = round(out.stat().st_size / (1 << 20), 1)
        result.update(documents=summary.documents, errors=summary.errors, repeat=repeat)
        if phase == "annotate2":
            result["workers_peak_rss_mb"] = _peak_rss_mb(children=True)
    elif phase == "interleaved":
        result.update(interleaved(spacy.blank("en"), policylens.load(pipeline), list(_texts(Path(corpus))), batch_size))
    elif phase == "components":
        result.update(profile_components(policylens.load(pipeline), list(_texts(Path(corpus))), batch_size))
    else:
        raise ValueError(f"unknown phase {phase!r}")
    result["cpu_seconds"] = time.process_time() - cpu_started
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def interleaved(bare, nlp, texts: List[str], batch_size: int = 64) -> dict:
    """The bare tokenizer and the pipeline over the same texts in one process, taking turns batch
    by batch: a change of the machine's speed (this VM's CPUs ran the same phase 1.7x apart from
    one run to the next) moves both sides of the ratio alike.

    bare (Language): spaCy's blank English pipeline. nlp (Language): The pipeline.
    texts (List[str]): The corpus. batch_size (int): Texts per turn.
    RETURNS (dict): {"bare_seconds", "full_seconds", "bare_tokens", "full_tokens", "documents"}.
    """
    seconds = {"bare": 0.0, "full": 0.0}
    tokens = {"bare": 0, "full": 0}
    for start in range(0, len(texts), batch_size):
        batch = texts[start : start + batch_size]
        for name, pipeline in (("bare", bare), ("full", nlp)):
            started = time.perf_counter()
            tokens[name] += sum(len(doc) for doc in pipeline.pipe(batch, batch_size=batch_size))
            seconds[name] += time.perf_counter() - started
    return {
        "bare_seconds": seconds["bare"], "full_seconds": seconds["full"], "bare_tokens": tokens["bare"],
        "full_tokens": tokens["full"], "documents": len(texts), "seconds": seconds["bare"] + seconds["full"],
    }


def profile_components(nlp, texts: List[str], batch_size: int = 64) -> dict:
    """CPU time of each step of annotating the texts: the bare blank English tokenizer (for
    comparison), the pipeline's tokenizer, each component as ``nlp.pipe`` runs it, and the
    records (``io.doc_to_record``), batch by batch.

    nlp (Language): The pipeline.
    texts (List[str]): The corpus.
    batch_size (int): Documents per batch.
    RETURNS (dict): {"components": {step: seconds}, "documents", "tokens", "seconds"}.
    """
    import spacy

    from policylens.io import doc_to_record

    bare = spacy.blank("en")
    steps: Dict[str, float] = {"bare tokenizer": 0.0, "tokenizer": 0.0, **{name: 0.0 for name in nlp.pipe_names}, "doc_to_record": 0.0}
    tokens = 0
    for first in range(0, len(texts), batch_size):
        batch = texts[first : first + batch_size]
        started = time.process_time()
        for text in batch:
            bare.make_doc(text)
        steps["bare tokenizer"] += time.process_time() - started
        started = time.process_time()
        docs = [nlp.make_doc(text) for text in batch]
        steps["tokenizer"] += time.process_time() - started
        for name, proc in nlp.pipeline:
            started = time.process_time()
            docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(doc) for doc in docs]
            steps[name] += time.process_time() - started
        started = time.process_time()
        for doc, text in zip(docs, batch):
            doc_to_record(doc, text=text)
        steps["doc_to_record"] += time.process_time() - started
        tokens += sum(len(doc) for doc in docs)
    pipeline = sum(seconds for step, seconds in steps.items() if step not in ("bare tokenizer", "doc_to_record"))
    return {"components": steps, "documents": len(texts), "tokens": tokens, "seconds": pipeline}


def format_components(run: dict) -> str:
    """The ``components`` phase as a table: CPU seconds, share of the pipeline and tokens/s per step."""
    steps = run["components"]
    pipeline = run["seconds"]
    lines = [f"{'step (CPU time, one process)':<30} {'ms':>9} {'share':>7} {'tokens/s':>12}"]
    for step, seconds in steps.items():
        share = f"{seconds / pipeline:.1%}" if step not in ("bare tokenizer", "doc_to_record") else ""
        lines.append(f"{step:<30} {seconds * 1000:>9.1f} {share:>7} {run['tokens'] / seconds if seconds else 0:>12,.0f}")
    lines.append(f"{'pipeline (tokenizer + components)':<30} {pipeline * 1000:>9.1f} {'100%':>7} {run['tokens'] / pipeline:>12,.0f}")
    return "\n".join(lines)


def run_child(
    phase: str, corpus: Path, pipeline: Path, repeat: int = 1, batch_size: int = 64, cpu: Optional[int] = None
) -> dict:
    """Run a phase in a fresh Python process (pinned to ``cpu`` unless None) and return its measurements."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import benchmark; "
        "cpu = None if sys.argv[7] == '-' else int(sys.argv[7]); "
        "print(json.dumps(benchmark.run_phase(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), cpu)))"
    )
    command = [sys.executable, "-c", code, str(Path(__file__).resolve().parent), phase, str(corpus), str(pipeline),
               str(repeat), str(batch_size), "-" if cpu is None else str(cpu)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratio_per_round(rounds: List[Dict[str, dict]], numerator: str, denominator: str, key: str) -> List[float]:
    """``run[key] / seconds`` of one phase over another's, for each round that ran both."""
    return [
        round(r[numerator][key] / r[numerator]["seconds"] / (r[denominator][key] / r[denominator]["seconds"]), 3)
        for r in rounds
        if r.get(numerator, {}).get("seconds") and r.get(denominator, {}).get("seconds")
    ]


def one_process_rate(round_runs: Dict[str, dict]) -> Optional[float]:
    """Documents/s of ``annotate`` in one process in a round: the mean of its rates on each CPU it
    ran on in turn ("annotate_per_cpu"), or of its one run ("annotate").

    round_runs (Dict[str, dict]): One round's runs. RETURNS (Optional[float]): None without a run.
    """
    runs = round_runs.get("annotate_per_cpu") or [round_runs.get("annotate", {})]
    rates = [run["documents"] / run["seconds"] for run in runs if run.get("seconds")]
    return statistics.mean(rates) if rates else None


def _n2_per_round(rounds: List[Dict[str, dict]]) -> List[float]:
    """``annotate2``'s documents/s over one process's (``one_process_rate``), for each round that ran both."""
    ratios = []
    for r in rounds:
        one, two = one_process_rate(r), r.get("annotate2", {})
        if one and two.get("seconds"):
            ratios.append(round(two["documents"] / two["seconds"] / one, 3))
    return ratios


def _rates_per_cpu(rounds: List[Dict[str, dict]]) -> Dict[str, float]:
    """The best documents/s of one-process ``annotate`` on each CPU it was pinned to."""
    best: Dict[str, float] = {}
    for r in rounds:
        for run in r.get("annotate_per_cpu", []):
            if run.get("cpu") is not None and run.get("seconds"):
                rate = round(run["documents"] / run["seconds"], 1)
                best[str(run["cpu"])] = max(rate, best.get(str(run["cpu"]), 0.0))
    return best


def summarise(runs: Dict[str, dict], corpus_info: dict, rounds: Optional[List[Dict[str, dict]]] = None) -> dict:
    """The figures of the issue from the phases' measurements.

    runs (Dict[str, dict]): Phase name -> ``run_phase`` result ("annotate10": the tenfold corpus);
        the fastest run of each timed phase.
    corpus_info (dict): What ``make_corpus`` returned, plus "source".
    rounds (Optional[List[Dict[str, dict]]]): Every round's runs, phase name -> result. With two
        rounds or more, the ratios are taken within each round (its phases ran seconds apart, so
        a change of the machine's speed between rounds moves both sides) and the targets are
        judged on their medians.
    RETURNS (dict): Figures, targets and whether each is met.
    """
    def rate(run: dict, key: str) -> float:
        return round(run[key] / run["seconds"], 1) if run.get("seconds") else 0.0

    bare, full = runs["bare"], runs["full"]
    one, two, ten = runs["annotate"], runs["annotate2"], runs["annotate10"]
    figures = {
        "bare_tokens_per_s": rate(bare, "tokens"),
        "bare_docs_per_s": rate(bare, "documents"),
        "full_tokens_per_s": rate(full, "tokens"),
        "full_docs_per_s": rate(full, "documents"),
        "full_over_bare": round(rate(full, "tokens") / rate(bare, "tokens"), 3),
        # The same ratio on CPU time, which other programs on a shared machine disturb less.
        "full_over_bare_cpu": round(bare["cpu_seconds"] / full["cpu_seconds"] * full["tokens"] / bare["tokens"], 3)
        if bare.get("cpu_seconds") and full.get("cpu_seconds") else None,
        "annotate_docs_per_s": rate(one, "documents"),
        "annotate_tokens_per_s": round(full["tokens"] / one["seconds"], 1),
        "annotate_n2_docs_per_s": rate(two, "documents"),
        "annotate_n2_tokens_per_s": round(full["tokens"] / two["seconds"], 1),
        "n2_speedup": round(one["seconds"] / two["seconds"], 3),
        "load_seconds": round(runs["load"]["seconds"], 3),
        "peak_rss_mb": {name: run["peak_rss_mb"] for name, run in runs.items()},
        "peak_rss_growth_10x": round(ten["peak_rss_mb"] / one["peak_rss_mb"] - 1, 3),
    }
    judged = {"full_over_bare": figures["full_over_bare"], "n2_speedup": figures["n2_speedup"]}
    if rounds and len(rounds) >= 2:
        per_round = {
            "full_over_bare": _ratio_per_round(rounds, "full", "bare", "tokens"),
            "n2_speedup": _n2_per_round(rounds),
        }
        for name, ratios in per_round.items():
            figures[f"{name}_per_round"] = ratios
            figures[f"{name}_median"] = judged[name] = round(statistics.median(ratios), 3)
    turns = [
        round(r["interleaved"]["full_tokens"] / r["interleaved"]["full_seconds"]
              / (r["interleaved"]["bare_tokens"] / r["interleaved"]["bare_seconds"]), 3)
        for r in rounds or [] if r.get("interleaved", {}).get("full_seconds") and r["interleaved"].get("bare_seconds")
    ]
    if turns:  # the steadier measure of the same ratio: it judges the target
        figures["full_over_bare_interleaved_per_round"] = turns
        figures["full_over_bare_interleaved_median"] = judged["full_over_bare"] = round(statistics.median(turns), 3)
    per_cpu = _rates_per_cpu(rounds or [])
    if per_cpu:
        figures["annotate_docs_per_s_per_cpu"] = per_cpu
    targets = {
        "full_over_bare >= 0.5": judged["full_over_bare"] >= 0.5,
        "n2_speedup >= 1.6": judged["n2_speedup"] >= 1.6,
        "peak_rss_growth_10x <= 0.10": figures["peak_rss_growth_10x"] <= 0.10,
        "load_seconds <= 2": figures["load_seconds"] <= 2,
    }
    return {"corpus": corpus_info, "figures": figures, "targets": targets, "patterns": runs["load"]["patterns"]}


def format_table(report: dict) -> str:
    """The report as a text table."""
    f = report["figures"]
    c = report["corpus"]
    lines = [
        f"corpus: {c['source']} x{c['repeat']}: {c['documents']} documents, {c['characters']:,} characters",
        "",
        f"{'phase':<34} {'tokens/s':>11} {'docs/s':>9} {'peak RSS MB':>12}",
        f"{'bare blank English tokenizer':<34} {f['bare_tokens_per_s']:>11,.0f} {f['bare_docs_per_s']:>9,.1f} {f['peak_rss_mb']['bare']:>12}",
        f"{'full pipeline (nlp.pipe)':<34} {f['full_tokens_per_s']:>11,.0f} {f['full_docs_per_s']:>9,.1f} {f['peak_rss_mb']['full']:>12}",
        f"{'annotate, 1 process (read+write)':<34} {f['annotate_tokens_per_s']:>11,.0f} {f['annotate_docs_per_s']:>9,.1f} {f['peak_rss_mb']['annotate']:>12}",
        f"{'annotate --n-process 2':<34} {f['annotate_n2_tokens_per_s']:>11,.0f} {f['annotate_n2_docs_per_s']:>9,.1f} {f['peak_rss_mb']['annotate2']:>12}",
        f"{'annotate, 10x the corpus':<34} {'':>11} {'':>9} {f['peak_rss_mb']['annotate10']:>12}",
        *(
            ["annotate, 1 process, best docs/s per CPU: "
             + ", ".join(f"CPU {cpu} {rate:,.1f}" for cpu, rate in f["annotate_docs_per_s_per_cpu"].items())]
            if f.get("annotate_docs_per_s_per_cpu") else []
        ),
        "",
        f"full / bare tokens/s: {f['full_over_bare']:.2f}"
        + (f" (CPU time: {f['full_over_bare_cpu']:.2f})" if f.get("full_over_bare_cpu") else "")
        + f"   --n-process 2 speed-up: {f['n2_speedup']:.2f}x   "
        f"peak RSS growth at 10x: {f['peak_rss_growth_10x']:+.1%}   load: {f['load_seconds']:.2f} s",
        *(
            [f"per round, phases seconds apart: full / bare {' '.join(f'{r:.2f}' for r in f['full_over_bare_per_round'])} "
             f"(median {f['full_over_bare_median']:.2f})"
             + ("" if "full_over_bare_interleaved_median" in f else ", judges the target"),
             f"per round: --n-process 2 against one process's mean over the CPUs "
             f"{' '.join(f'{r:.2f}x' for r in f['n2_speedup_per_round'])} (median {f['n2_speedup_median']:.2f}x), judges the target"]
            if "full_over_bare_median" in f else []
        ),
        *(
            [f"per round: full / bare taking turns batch by batch in one process "
             f"{' '.join(f'{r:.2f}' for r in f['full_over_bare_interleaved_per_round'])} "
             f"(median {f['full_over_bare_interleaved_median']:.2f}), judges the target"]
            if "full_over_bare_interleaved_median" in f else []
        ),
        "targets: " + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in report["targets"].items()),
        "",
        f"{'ruler':<20} {'factory':<22} {'patterns':>9} {'phrase':>7} {'token':>6}  token patterns matched as",
    ]
    for name, counts in report["patterns"].items():
        compiled = counts["compiled"]
        how = ", ".join(f"{k} {v}" for k, v in compiled.items() if v and k != "sequences") if compiled else "Matcher"
        lines.append(
            f"{name:<20} {counts['factory']:<22} {counts['patterns']:>9} {counts['phrase_patterns']:>7} {counts['token_patterns']:>6}  {how}"
        )
    return "\n".join(lines)


@app.command()
def main(
    corpus: Optional[List[Path]] = typer.Option(None, "--corpus", help="Files or directories to benchmark on (default: ../shared/eval if present, else the samples)."),
    repeat: int = typer.Option(1, "--repeat", min=1, help="Repeat the corpus documents this many times."),
    samples: int = typer.Option(0, "--samples", min=0, help="Use the bundled samples repeated this many times."),
    pipeline: Optional[Path] = typer.Option(None, "--pipeline", help="Assembled pipeline (default: assemble configs/config.cfg into a temporary directory)."),
    output: Path = typer.Option(ROOT / "metrics" / "benchmark.json", "--output", "-o", help="JSON report."),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    rounds: int = typer.Option(
        5, "--rounds", min=1,
        help="Runs of each timed phase, interleaved: the fastest gives the rates; from 2 rounds on, the ratios are "
        "taken within each round and the targets judged on their medians.",
    ),
    profile: bool = typer.Option(False, "--profile", help="Also time each step of the pipeline (CPU time per component)."),
) -> None:
    """Measure the pipeline against spaCy's bare tokenizer on one corpus and write the report."""
    if samples:
        sources, repeat, source = [str(SAMPLES)], samples, "assets/policies"
    elif corpus:
        sources, source = [str(p) for p in corpus], ", ".join(str(p) for p in corpus)
    elif SHARED_EVAL.exists():
        sources, source = [str(p) for p in sorted(SHARED_EVAL.glob("*.jsonl"))], "../shared/eval"
    else:
        sources, repeat, source = [str(SAMPLES)], max(repeat, 50), "assets/policies"
    with tempfile.TemporaryDirectory() as tmp:
        corpus_path = Path(tmp) / "corpus.jsonl"
        info = make_corpus(sources, repeat, corpus_path)
        info.update(source=source, repeat=repeat)
        if pipeline is None:  # assembled in a child, so that this process stays small
            pipeline = Path(tmp) / "pipeline"
            code = "import sys, policylens; policylens.assemble(sys.argv[1]).to_disk(sys.argv[2])"
            subprocess.run([sys.executable, "-c", code, str(ROOT / "configs" / "config.cfg"), str(pipeline)],
                           check=True, capture_output=True)
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        runs: Dict[str, dict] = {}
        every_round: List[Dict[str, dict]] = []
        # The CPUs of a 2-core machine (the first two of a larger one). Their speeds can differ
        # (a virtual machine's CPUs share the host's cores with other machines): the bare
        # tokenizer and the pipeline run on the same CPU within a round, alternating between
        # rounds, and one process runs on each CPU in turn, so that --n-process 2, which runs
        # on both, is compared with one process on an average CPU of the machine.
        cpus = cores()[:2]
        # Other programs share the cores: each timed phase runs ``rounds`` times, interleaved;
        # the fastest run gives the rates, the ratios within each round give the targets.
        for round_number in range(rounds):
            here = cpus[round_number % len(cpus)] if cpus else None
            plan = [("load", None), ("bare", here), ("full", here), ("interleaved", here)]
            plan += [("annotate", cpu) for cpu in cpus or [None]]
            plan.append(("annotate2", None))
            this_round: Dict[str, dict] = {}
            every_round.append(this_round)
            for name, cpu in plan:
                where = f" on CPU {cpu}" if cpu is not None else ""
                typer.echo(f"benchmark: {name}{where} (round {round_number + 1} of {rounds}) ...", err=True)
                run = run_child(name, corpus_path, pipeline, batch_size=batch_size, cpu=cpu)
                if name == "annotate":
                    this_round.setdefault("annotate_per_cpu", []).append(run)
                else:
                    this_round[name] = run
                if name not in runs or run["seconds"] < runs[name]["seconds"]:
                    runs[name] = run
        typer.echo("benchmark: annotate, 10x the corpus ...", err=True)
        runs["annotate10"] = run_child("annotate", corpus_path, pipeline, repeat=10, batch_size=batch_size)
        report = summarise(runs, info, every_round)
        report["rounds"] = rounds
        if profile:
            typer.echo("benchmark: time per component ...", err=True)
            report["components"] = run_child("components", corpus_path, pipeline, batch_size=batch_size)
    report["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_before": load,
        "load_average_after": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    report["runs"] = runs
    report["every_round"] = every_round
    output.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_json(output, report)
    typer.echo(format_table(report))
    if profile:
        typer.echo("\n" + format_components(report["components"]))
    typer.echo(f"\n-> {output}", err=True)


if __name__ == "__main__":
    app()
