"""Benchmark: `ctdl validate` against the peer `ctdl-validate` (PyPI), same files, same machine.

    python bench/peer_validate.py [--peer PATH] [--sizes 1000,2000,4000,8000] [--runs 3]

The peer is not a dependency of this project; install it in a venv of its own:

    python3 -m venv /tmp/peer && /tmp/peer/bin/pip install --ignore-requires-python ctdl-validate

(it declares Python >= 3.12 and runs on 3.11) and pass ``--peer /tmp/peer/bin/ctdl-validate``.
Both sides are timed as command-line runs (interpreter start included, wall clock, median of
``--runs``), with ``--format json``, on:

0. in process: each tool's ``validate_document`` on the real documents, already parsed;
1. competency frameworks of growing size, built by the bulk importer (bench/competencies.py);
2. the real documents under tests/data/registry and tests/data/modelling: a sample timed one
   command per file (the peer takes one file per command), ours also on all of them in one command;
3. a framework saved in Windows-1252 (a registrar's spreadsheet export): exit status, crash or not;
4. the same real registry document with one defect at a time: is the defect reported?
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
OURS = [sys.executable, "-m", "service.cli", "validate"]
SAMPLE = ROOT / "tests/data/registry/validation-test-data-2018/Certification_ce-683454f7-b878-479f-a96c-6b85d03344df.json"


# Both tools run as installed tools do: with byte-compiled modules (pip compiles the peer's at install;
# ours get theirs on the warm-up run), whatever PYTHONDONTWRITEBYTECODE this shell has.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=ENV)
    return time.perf_counter() - t, done


def timed(cmd: list[str], runs: int) -> tuple[float, subprocess.CompletedProcess]:
    results = [run(cmd) for _ in range(runs)]
    return statistics.median(t for t, _ in results), results[-1][1]


def crashed(done: subprocess.CompletedProcess) -> bool:
    return b"Traceback (most recent call last)" in done.stderr


def scaling(peer: str, sizes: list[int], runs: int, tmp: Path) -> None:
    from competencies import generate

    from transformer.bulk import import_framework

    print("\n1. Competency frameworks (wall clock per command, median)")
    print(f"{'competencies':>12} {'KiB':>6} {'ours s':>8} {'ratio':>6} {'peer s':>8} {'ratio':>6} {'peer/ours':>9}")
    prev = None
    for n in sizes:
        doc = import_framework(generate(n, "cass"), publisher="ce-5e5f6a4e-2a1b-4c3d-9e8f-7a6b5c4d3e2f").document
        path = tmp / f"framework-{n}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        ours, o = timed(OURS + [str(path), "--format", "json"], runs)
        theirs, p = timed([peer, str(path), "--format", "json"], runs)
        r1 = f"{ours / prev[0]:5.2f}x" if prev else "     -"
        r2 = f"{theirs / prev[1]:5.2f}x" if prev else "     -"
        prev = (ours, theirs)
        flag = " (peer crashed)" if crashed(p) else ""
        print(f"{n:>12} {path.stat().st_size // 1024:>6} {ours:>8.2f} {r1:>6} {theirs:>8.2f} {r2:>6} "
              f"{theirs / ours:>8.1f}x{flag}")


def real_files() -> list[Path]:
    return sorted((ROOT / "tests/data/registry").rglob("*.json")) + sorted((ROOT / "tests/data/modelling").rglob("*.json"))


IN_PROCESS = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
if sys.argv[1] == "peer":
    from ctdl_validate import validate_document
else:
    from transformer.pipeline import validate_document
docs = []
for f in sys.argv[4:]:
    try:
        docs.append(json.loads(Path(f).read_text(encoding="utf-8")))
    except ValueError:
        pass
def once():
    for d in docs:
        try:
            validate_document(d)
        except Exception:
            pass
once()
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    once()
    times.append(time.perf_counter() - t)
times.sort()
print(len(docs), times[len(times) // 2], times[0])
"""


def in_process(peer: str, runs: int) -> None:
    """Docs/s of each tool's own validate_document on the real documents, already parsed, in one
    process (the peer in its own venv), median and best of ``runs`` passes after a warm-up."""
    files = [str(f) for f in real_files()]
    print(f"\n0. In process: validate_document on {len(files)} real documents (parsed once; "
          f"median / best of {runs} passes)")
    rates = {}
    for name, python in (("ours", sys.executable), ("peer", str(Path(peer).parent / "python"))):
        done = subprocess.run([python, "-c", IN_PROCESS, name, str(ROOT), str(runs), *files],
                              capture_output=True, text=True, cwd=ROOT, env=ENV)
        if done.returncode != 0:
            print(f"  {name}: failed: {done.stderr.strip().splitlines()[-1:]}")
            return
        n, median, best = done.stdout.split()
        rates[name] = int(n) / float(median)
        print(f"  {name}: {int(n)} documents, median {float(median):.3f} s ({rates[name]:,.0f} documents/s), "
              f"best {float(best):.3f} s")
    print(f"  ours / peer: {rates['ours'] / rates['peer']:.2f}x documents/s")


def real_documents(peer: str, tmp: Path, sample: int) -> None:
    files = real_files()
    folder = tmp / "real"
    folder.mkdir()
    for i, f in enumerate(files):
        shutil.copy(f, folder / f"{i:03d}-{f.name}")
    copies = sorted(folder.iterdir())
    some = copies[::max(1, len(copies) // sample)]
    run(OURS + [str(copies[0])])                      # warm-up: byte-compiled modules, compiled rules
    print(f"\n2. {len(files)} real registry and modelling documents")
    print(f"  one command per file, {len(some)} files (every {max(1, len(copies) // sample)}th):")
    for name, cmd in (("ours", OURS), ("peer", [peer])):
        times, crashes = [], []
        for f in some:
            t, done = run(cmd + [str(f), "--format", "json"])
            times.append(t)
            if crashed(done):
                crashes.append(f.name[4:])
        print(f"    {name}: median {statistics.median(times):.2f} s per file; crashed on {len(crashes)}"
              f"{': ' + ', '.join(crashes) if crashes else ''}")
    crashes = [f.name[4:] for f in copies if crashed(run([peer, str(f), "--format", "json"])[1])]
    print(f"  peer, every file: crashed on {len(crashes)}{': ' + ', '.join(crashes) if crashes else ''}")
    thousand = tmp / "thousand"
    thousand.mkdir()
    for i in range(1000):
        shutil.copy(copies[i % len(copies)], thousand / f"{i:04d}-{copies[i % len(copies)].name[4:]}")
    for label, args, n in (("the folder", [str(folder)], len(files)),
                           ("all files as arguments", [str(f) for f in copies], len(files)),
                           ("a folder of 1,000 copies", [str(thousand)], 1000)):
        t, done = run(OURS + args + ["--format", "json"])
        print(f"  ours, {label} in one command: {t:.2f} s ({n / t:.0f} documents/s), "
              f"exit {done.returncode}, crashed: {crashed(done)}")


def windows_1252(peer: str, tmp: Path) -> None:
    from competencies import generate

    from transformer.bulk import import_framework

    doc = import_framework(generate(50, "cass")).document
    doc["@graph"][0]["ceasn:name"] = {"en-US": "Compétences du technicien – niveau avancé"}
    path = tmp / "framework-cp1252.json"
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("cp1252"))
    print("\n3. A framework saved in Windows-1252")
    for name, cmd in (("ours", OURS), ("peer", [peer])):
        _, done = run(cmd + [str(path), "--format", "json"])
        tail = (done.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1][:100]
        print(f"  {name}: exit {done.returncode}, crashed: {crashed(done)}  {tail}")


def _defects() -> list[tuple[str, callable]]:
    """(label, edit of the document in place)."""
    def drop(key):
        return lambda d: d.pop(key, None)

    def put(key, value):
        return lambda d: d.__setitem__(key, value)

    def rename(old, new):
        return lambda d: d.__setitem__(new, d.pop(old))

    return [
        ("required name missing", drop("ceterms:name")),
        ("required description missing", drop("ceterms:description")),
        ("unknown vocabulary term (audience level)", put("ceterms:audienceLevelType", [
            {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "audLevel:NoSuchLevel",
             "ceterms:framework": "https://credreg.net/ctdl/terms/AudienceLevel"}])),
        ("typo in a property name (subjectWebPage)", rename("ceterms:subjectWebpage", "ceterms:subjectWebPage")),
        ("bare UUID as CTID", lambda d: d.__setitem__("ceterms:ctid", d["ceterms:ctid"][3:])),
        ("subject webpage not a URL", put("ceterms:subjectWebpage", "www example org")),
        ("date not a date", put("ceterms:dateEffective", "31/12/2017")),
        ("invalid language-map key", put("ceterms:name", {"english": "Certification"})),
    ]


def defects(peer: str, tmp: Path) -> None:
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    base.pop("ceterms:audienceLevelType", None)     # the defect-free document: no audience level at all
    clean_path = tmp / "clean.json"
    clean_path.write_text(json.dumps(base), encoding="utf-8")
    print(f"\n4. One defect at a time in a real registry document ({SAMPLE.name})")
    print(f"  {'defect':<44} {'ours':>6} {'peer':>6}")
    tools = (OURS, [peer])
    clean = [_errors(run(cmd + [str(clean_path), "--format", "json"])[1]) for cmd in tools]
    found = [0, 0]
    cases = _defects()
    for label, edit in cases:
        doc = json.loads(json.dumps(base))
        edit(doc)
        path = tmp / "defect.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        row = [bool(_errors(run(cmd + [str(path), "--format", "json"])[1]) - before)
               for cmd, before in zip(tools, clean)]
        found = [f + r for f, r in zip(found, row)]
        print(f"  {label:<44} {'yes' if row[0] else 'no':>6} {'yes' if row[1] else 'no':>6}")
    print(f"  reported: ours {found[0]}/{len(cases)}, peer {found[1]}/{len(cases)}")


def _errors(done: subprocess.CompletedProcess) -> set:
    """The error and warning findings of a JSON report of either tool, as (severity, code, where)
    (ours: "results", severity Violation / Warning / Info; the peer: "findings", ERROR / WARNING /
    UNVERIFIABLE / INFO). A defect is reported when its run has a finding the clean run has not:
    counting would miss a defect whose error replaces a warning the clean document had."""
    try:
        out = json.loads(done.stdout)
    except ValueError:
        return set()
    found = out.get("results", out.get("findings", []))
    return {(f.get("severity"), f.get("code"), f.get("path", f.get("entity")), f.get("property"))
            for f in found if f.get("severity") in ("Violation", "Warning", "ERROR", "WARNING")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", default=shutil.which("ctdl-validate"))
    ap.add_argument("--sizes", default="1000,2000,4000,8000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=45, help="files timed one command each (part 2)")
    args = ap.parse_args()
    if not args.peer:
        sys.exit("ctdl-validate not found: see this file's docstring, then pass --peer PATH")
    done = subprocess.run([args.peer, "--version"], capture_output=True, text=True)
    print(f"peer: {args.peer} {done.stdout.strip()}; ours: {' '.join(OURS[1:])}")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        in_process(args.peer, args.runs * 3)
        defects(args.peer, tmp)
        windows_1252(args.peer, tmp)
        real_documents(args.peer, tmp, args.sample)
        scaling(args.peer, [int(s) for s in args.sizes.split(",")], args.runs, tmp)


if __name__ == "__main__":
    main()
