"""How much flake8-seeds costs on top of flake8, measured on the installed torch sources.

    python benchmarks/bench.py            # every .py file of the torch package
    python benchmarks/bench.py --quick    # every 20th file (sorted by path): a smoke run
    python benchmarks/bench.py --profile FILE   # also dump a cProfile of the seeds pass

Four measurements:

1. Checker cost.  Each file is read and parsed once with ``ast.parse``; the same tree is then
   given to ``SeedsChecker(tree).run()`` (consumed fully, default settings) and to
   ``pyflakes.checker.Checker(tree, filename=...)``, the work flake8's ``F`` plugin does.
   Both are timed around the call only (parsing is not counted), in CPU seconds of this
   process (``time.process_time``) so that other load on the machine does not count.
2. Memory.  The seeds checker runs a second time on each tree under ``tracemalloc`` (not
   timed): the peak it allocates per file, and what it still holds after it returns.  Both
   must stay flat from the first 10% of the files to the end; the process's RSS is shown too.
3. Import time, as a flake8 user pays it: ``python -X importtime -c 'import
   flake8.main.application; import flake8_seeds.checker'``, summing the cumulative time of
   every flake8_seeds module not imported by another flake8_seeds module (this includes any
   stdlib module that flake8 itself had not already imported).  Median of several runs, with
   cached bytecode (as after ``pip install``) and without it.
4. End to end: ``flake8 -j 2`` over the same files, with the plugin and without it.  flake8
   runs every installed plugin whatever ``--select`` says, so "without" runs the same flake8
   in the same environment with flake8-seeds removed from flake8's plugin discovery
   (``flake8.plugins.finder._find_importlib_plugins`` filtered); "with" runs through the
   same wrapper, unfiltered.  ``--version`` of each is printed to show what was loaded.
   flake8's CPU time moves by several percent from run to run on a shared machine, more than
   the plugin adds; section 1 is the precise measure, this one the sanity check.
"""
from __future__ import annotations

import argparse
import ast
import cProfile
import importlib.util
import os
import pathlib
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyflakes.checker  # type: ignore[import-untyped]

from flake8_seeds.checker import SeedsChecker
from flake8_seeds.rules import Settings

QUICK_STRIDE = 20
IMPORT_RUNS = 9
IMPORT_STATEMENT = "import flake8.main.application; import flake8_seeds.checker"

# Runs flake8's command line with flake8-seeds hidden from plugin discovery when the first
# argument is "without", untouched when it is "with".  Both modes go through this wrapper so
# that they pay the same start-up cost.
FLAKE8_WRAPPER = """
import sys
from flake8.plugins import finder
mode = sys.argv.pop(1)
if mode == "without":
    _found = finder._find_importlib_plugins
    finder._find_importlib_plugins = lambda: (p for p in _found() if p.package != "flake8-seeds")
from flake8.main.cli import main
sys.argv[0] = "flake8"
sys.exit(main())
"""


@dataclass
class CheckerRun:
    files: int = 0
    lines: int = 0
    unparsable: list[str] = field(default_factory=list)
    seeds_s: float = 0.0
    pyflakes_s: float = 0.0
    parse_s: float = 0.0
    findings: int = 0
    # Per file, under tracemalloc: peak bytes the seeds checker allocated, and bytes it
    # allocated that were still alive after run() was consumed.
    peak_bytes: list[int] = field(default_factory=list)
    file_lines: list[int] = field(default_factory=list)
    retained_bytes: list[int] = field(default_factory=list)
    # What a second run on the same tree kept on top of the first.
    regrowth_bytes: list[int] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)


def torch_root() -> pathlib.Path:
    """The installed torch package's folder, found without importing torch."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torch is not installed in this environment")
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def select_files(root: pathlib.Path, quick: bool) -> list[pathlib.Path]:
    files = sorted(root.rglob("*.py"))
    return files[::QUICK_STRIDE] if quick else files


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_seeds(tree: ast.AST) -> list[tuple[int, int, str, type]]:
    return list(SeedsChecker(tree).run())


def count_seeds(tree: ast.AST) -> int:
    """Like run_seeds, but keeps nothing: what is still allocated afterwards was retained."""
    return sum(1 for _ in SeedsChecker(tree).run())


def run_pyflakes(tree: ast.AST, filename: str) -> int:
    return len(pyflakes.checker.Checker(tree, filename=filename).messages)


def measure_checkers(files: list[pathlib.Path], profile: cProfile.Profile | None) -> CheckerRun:
    SeedsChecker.settings = Settings()  # what flake8 sets when no option is given
    result = CheckerRun()
    clock = time.process_time  # CPU time: robust to other processes sharing the cores
    for path in files:
        source = path.read_bytes()
        start = clock()
        try:
            tree = ast.parse(source, filename=str(path))
        except (SyntaxError, ValueError):
            result.unparsable.append(str(path))
            continue
        result.parse_s += clock() - start
        result.files += 1
        result.lines += source.count(b"\n")
        result.file_lines.append(source.count(b"\n"))

        start = clock()
        findings = run_seeds(tree)
        result.seeds_s += clock() - start
        result.findings += len(findings)

        # Memory of the same work, untimed: tracing slows every allocation.
        tracemalloc.start()
        count_seeds(tree)
        retained, peak = tracemalloc.get_traced_memory()
        count_seeds(tree)  # again: a leak keeps more with every run, warm free lists do not
        result.regrowth_bytes.append(tracemalloc.get_traced_memory()[0] - retained)
        tracemalloc.stop()
        result.peak_bytes.append(peak)
        result.retained_bytes.append(retained)

        if profile is not None:
            profile.enable()
            run_seeds(tree)
            profile.disable()

        # pyflakes last: it annotates the tree's nodes (_pyflakes_parent, _pyflakes_depth).
        start = clock()
        run_pyflakes(tree, str(path))
        result.pyflakes_s += clock() - start
        result.rss_mib.append(current_rss_mib())
    return result


# -- import time ----------------------------------------------------------------------

_IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)\s*$")


def plugin_import_us(stderr: str) -> tuple[int, list[tuple[str, int]]]:
    """Microseconds spent importing flake8_seeds (and what it alone pulls in).

    ``-X importtime`` lists modules in post-order with the nesting depth as indentation.
    A flake8_seeds module counts with its cumulative time unless an enclosing module is
    also a flake8_seeds module (which already counts it).
    """
    entries: list[tuple[int, int, str]] = []  # (depth, cumulative us, name)
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            entries.append((len(match.group(3)), int(match.group(2)), match.group(4)))
    counted: list[tuple[str, int]] = []
    # Walk backwards (pre-order): keep the stack of enclosing modules.
    stack: list[tuple[int, str]] = []
    for depth, cumulative, name in reversed(entries):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        inside_plugin = any(outer.startswith("flake8_seeds") for _, outer in stack)
        if name.split(".", 1)[0] == "flake8_seeds" and not inside_plugin:
            counted.append((name, cumulative))
        stack.append((depth, name))
    return sum(us for _, us in counted), counted


def measure_import(cached_bytecode: bool) -> tuple[float, list[tuple[str, int]]]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if cached_bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache  # write .pyc files here, not into the checkout
        else:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        command = [sys.executable, "-X", "importtime", "-c", IMPORT_STATEMENT]
        if cached_bytecode:
            subprocess.run(command, env=env, capture_output=True, check=True)  # writes the cache
        totals: list[int] = []
        detail: list[tuple[str, int]] = []
        for _ in range(IMPORT_RUNS):
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            total, detail = plugin_import_us(done.stderr)
            totals.append(total)
        return statistics.median(totals) / 1000, detail


# -- end to end -------------------------------------------------------------------------

def flake8_command(mode: str, *args: str) -> list[str]:
    return [sys.executable, "-c", FLAKE8_WRAPPER, mode, *args]


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_flake8(mode: str, files: list[pathlib.Path], workdir: str) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of flake8 and its workers, findings, SEED findings) of one run."""
    # Paths go on the command line (flake8 has no file-list option): ~230 kB for all of torch.
    command = flake8_command(mode, "--isolated", "-j", "2", "--exit-zero", *map(str, files))
    cpu, start = children_cpu_s(), time.perf_counter()
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, children_cpu_s() - cpu
    if done.returncode != 0 or done.stderr:
        sys.exit(f"flake8 ({mode}) failed or wrote to stderr:\n{done.stderr[-2000:]}")
    lines = done.stdout.splitlines()
    return elapsed, cpu, len(lines), sum(1 for line in lines if ": SEED" in line)


def flake8_version(mode: str) -> str:
    done = subprocess.run(flake8_command(mode, "--version"), capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


# -- report -----------------------------------------------------------------------------

def mib(n: float) -> str:
    return f"{n / 2**20:.2f} MiB"


def report_memory(run: CheckerRun) -> Iterator[str]:
    tenth = max(1, len(run.peak_bytes) // 10)
    first, last = slice(None, tenth), slice(-tenth, None)
    biggest = max(range(len(run.peak_bytes)), key=run.peak_bytes.__getitem__)
    yield (f"  seeds peak allocation per file (tracemalloc): max {mib(max(run.peak_bytes))} over all files "
           f"(on a file of {run.file_lines[biggest]} lines), {mib(max(run.peak_bytes[first]))} over the first "
           f"10%; median {mib(statistics.median(run.peak_bytes))}")
    retained_first = statistics.mean(run.retained_bytes[first])
    retained_last = statistics.mean(run.retained_bytes[last])
    yield (f"  seeds allocations still alive after run() was consumed: mean {retained_first:.0f} B per file over "
           f"the first 10% of files, {retained_last:.0f} B over the last 10%, max {max(run.retained_bytes)} B "
           f"(interpreter free lists; nothing accumulates across files)")
    yield (f"  kept by a second run on the same tree on top of the first: mean "
           f"{statistics.mean(run.regrowth_bytes):.0f} B per file, max {max(run.regrowth_bytes)} B "
           f"(a leak would keep a share of the file's peak here)")
    yield (f"  process RSS (parse + both checkers, one tree at a time): {run.rss_mib[tenth - 1]:.1f} MiB "
           f"after the first 10% of files, {run.rss_mib[-1]:.1f} MiB at the end, "
           f"max {max(run.rss_mib):.1f} MiB; ru_maxrss "
           f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"every {QUICK_STRIDE}th file only")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the seeds checker")
    parser.add_argument("--no-e2e", action="store_true", help="skip the flake8 end-to-end runs")
    parser.add_argument("--e2e-runs", type=int, metavar="N",
                        help="flake8 runs per mode, alternating; the fastest counts (default: 3 quick, 1 full)")
    options = parser.parse_args()

    total_start = time.perf_counter()
    root = torch_root()
    files = select_files(root, options.quick)
    print(f"machine: {os.cpu_count()} CPUs (nproc), Python {sys.version.split()[0]} "
          f"({sys.implementation.name}), {sys.platform}")
    print(f"corpus: {root} -- {'every %dth' % QUICK_STRIDE if options.quick else 'every'} .py file, "
          f"{len(files)} files")

    profile = cProfile.Profile() if options.profile else None
    run = measure_checkers(files, profile)
    if profile is not None:
        profile.dump_stats(options.profile)
    print(f"parsed: {run.files} files, {run.lines} lines, in {run.parse_s:.2f} CPU s (not counted below); "
          f"{len(run.unparsable)} do not parse on this Python: "
          + ", ".join(str(pathlib.Path(p).relative_to(root)) for p in run.unparsable))
    print("\n[1] checker cost on the same trees (one process, one tree at a time; CPU seconds)")
    print(f"  flake8-seeds SeedsChecker.run(): {run.seeds_s:8.3f} s  "
          f"{run.lines / run.seeds_s:>12,.0f} lines/s  ({run.findings} findings)")
    print(f"  pyflakes Checker:                {run.pyflakes_s:8.3f} s  "
          f"{run.lines / run.pyflakes_s:>12,.0f} lines/s")
    print(f"  ratio seeds/pyflakes: {run.seeds_s / run.pyflakes_s:.3f}  (target <= 0.20, DESIGN.md, Speed)")
    print("\n[2] memory")
    for line in report_memory(run):
        print(line)

    print("\n[3] import time on top of flake8: python -X importtime -c "
          f"'{IMPORT_STATEMENT}' (median of {IMPORT_RUNS})")
    for cached in (True, False):
        ms, detail = measure_import(cached)
        label = "with cached .pyc (as installed by pip)" if cached else "without .pyc (compiled every run)"
        parts = ", ".join(f"{name} {us / 1000:.1f}" for name, us in detail)
        print(f"  {label}: {ms:.1f} ms  (target <= 15 ms){'' if not parts else '  [last run: ' + parts + ' ms]'}")

    if not options.no_e2e:
        print("\n[4] end to end: flake8 --isolated -j 2 --exit-zero <the same files>, default selection")
        with tempfile.TemporaryDirectory() as workdir:
            for mode in ("without", "with"):
                print(f"  {mode:7} plugins loaded: {flake8_version(mode)}")
            runs = options.e2e_runs or (3 if options.quick else 1)
            timings: dict[str, list[tuple[float, float, int, int]]] = {"without": [], "with": []}
            for _ in range(runs):
                for mode in ("without", "with"):
                    timings[mode].append(run_flake8(mode, files, workdir))
            # The fastest of the runs (by CPU) stands for each mode: other load only adds time.
            results = {mode: min(done, key=lambda r: r[1]) for mode, done in timings.items()}
            print(f"  {runs} run(s) per mode, alternating; the one with the least CPU time is shown")
            for mode, (seconds, cpu, lines, seeds) in results.items():
                print(f"  {mode:7} flake8-seeds: {seconds:7.2f} s wall, {cpu:7.2f} s CPU (flake8 + workers), "
                      f"{lines} findings ({seeds} SEED)")
            for index, unit in ((0, "wall"), (1, "CPU")):
                extra = results["with"][index] - results["without"][index]
                print(f"  difference ({unit}): {extra:+.2f} s ({100 * extra / results['without'][index]:+.1f}%)")
            extra_cpu = results["with"][1] - results["without"][1]
            if runs > 1:
                spread = max(max(r[1] for r in done) - min(r[1] for r in done) for done in timings.values())
                verdict = ("the difference is within it: not measurable end to end at this precision"
                           if abs(extra_cpu) <= spread else "the difference exceeds it")
                print(f"  run-to-run spread of CPU time within one mode: up to {spread:.2f} s; {verdict}")
            else:
                print("  one run per mode (a full run takes minutes): the difference includes run-to-run noise; "
                      "--e2e-runs 3 shows the spread")
            print(f"  for scale, section [1]: the seeds checker itself took {run.seeds_s:.2f} CPU s on these files, "
                  f"{100 * run.seeds_s / results['without'][1]:.1f}% of flake8's CPU time without it")
    print(f"\ntotal benchmark time: {time.perf_counter() - total_start:.0f} s")


if __name__ == "__main__":
    main()
