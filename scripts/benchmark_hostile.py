"""Time per MB of the tokenizer and the email detector on adversarial strings, at growing sizes.

Hostile input must cost time in proportion to its size: for each case the text is built at
0.25, 0.5, 1 and 2 MB, tokenized (with an empty tokenizer cache) and run through the
``contact_emails`` component alone. The table shows seconds per MB at each size and the
growth factor from 1 to 2 MB (about 2 when linear, 4 when quadratic).

Usage: python scripts/benchmark_hostile.py [--pipeline DIR] [--sizes 0.25,0.5,1,2] [--output metrics/benchmark_hostile.json]
"""
import argparse
import json
import random
import time
from pathlib import Path
from typing import Callable, Dict

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def _mixed(n: int) -> str:
    """Fragments of addresses and obfuscations in random order (seeded: the same text every run)."""
    rng = random.Random(6)
    pieces = ["a", "@", ".", "[at]", "(at)", " at ", " dot ", "[", "]", "(", ")", "{", "}", " ",
              "mailto:", "x@y.com", "-", "at", "dot", "<", ">", "a@a.a.a"]
    out, size = [], 0
    while size < n:
        piece = rng.choice(pieces)
        out.append(piece)
        size += len(piece)
    return "".join(out)[:n]


CASES: Dict[str, Callable[[int], str]] = {
    "a@a.a.a... (one address-like run)": lambda n: ("a@" + "a." * n)[:n],
    "a@a.a@a. (glued @ and dots)": _repeat("a@a."),
    "dots": _repeat("."),
    "brackets [(<{": _repeat("[(<{"),
    "obfuscation words (spaced)": _repeat("a [at] b (at) c at d dot e {dot} "),
    "x@ (many at-signs)": _repeat("x@"),
    "mixed fragments (random)": _mixed,
}


def measure(nlp, text: str) -> Dict[str, float]:
    """Tokenize ``text`` with an empty cache and run the email component on it.

    RETURNS (Dict[str, float]): "tokenizer_s", "emails_s", "tokens", "emails".
    """
    tokenizer = nlp.tokenizer
    tokenizer._flush_cache()  # repeated pieces of an earlier size must not come from the cache
    started = time.perf_counter()
    doc = tokenizer(text)
    tokenized = time.perf_counter()
    component = nlp.get_pipe("contact_emails")
    found = list(component.find(doc))
    done = time.perf_counter()
    return {"tokenizer_s": tokenized - started, "emails_s": done - tokenized, "tokens": len(doc), "emails": len(found)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", default=None, help="Pipeline directory (default: assemble configs/config.cfg).")
    parser.add_argument("--sizes", default="0.25,0.5,1,2", help="Sizes in MB, comma-separated.")
    parser.add_argument("--output", default=str(ROOT / "metrics" / "benchmark_hostile.json"))
    args = parser.parse_args()

    import policylens

    nlp = policylens.load(args.pipeline) if args.pipeline else policylens.assemble(ROOT / "configs" / "config.cfg")
    sizes = [float(s) for s in args.sizes.split(",")]
    results = {}
    header = f"{'case':<36} {'stage':<10}" + "".join(f"{s:>9g}MB" for s in sizes) + f"{'growth':>9}"
    print("seconds per MB")
    print(header)
    for name, make in CASES.items():
        rows = {"tokenizer": [], "emails": []}
        runs = []
        for size in sizes:
            text = make(int(size * MB))
            run = measure(nlp, text)
            run["mb"] = size
            runs.append(run)
            rows["tokenizer"].append(run["tokenizer_s"] / size)
            rows["emails"].append(run["emails_s"] / size)
        for stage in ("tokenizer", "emails"):
            key = f"{stage}_s"
            # Growth of the time from the second-largest to the largest size.
            growth = runs[-1][key] / max(runs[-2][key], 1e-9) * (sizes[-2] / sizes[-1]) * 2 if len(runs) > 1 else float("nan")
            print(f"{name:<36} {stage:<10}" + "".join(f"{v:>11.3f}" for v in rows[stage]) + f"{growth:>9.2f}")
        results[name] = runs
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps({"unit": "seconds", "sizes_mb": sizes, "cases": results}, indent=2) + "\n")
    print(f"-> {args.output}")


if __name__ == "__main__":
    main()
