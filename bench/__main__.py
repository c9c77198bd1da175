"""``python -m bench``: start the local servers, run every section, print the table, write JSON."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import sec_exec, sec_import, sec_panel, sec_server, sec_stream, sec_token, sec_wire
from .context import BenchContext, RunConfig
from .report import Section, render_header, render_markdown, update_readme, write_json
from .server import create_sandboxes, run_server
from .targets import evaluate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"
SECTIONS: dict[str, Callable[[BenchContext], list[Section]]] = {
    "wire": sec_wire.run,
    "exec": sec_exec.run,
    "token": sec_token.run,
    "stream": sec_stream.run,
    "import": sec_import.run,
    "panel": sec_panel.run,
    "server": sec_server.run,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="few iterations: check, not measure")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the JSON")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these sections")
    parser.add_argument("--rounds", type=int, help="override the interleaved rounds")
    parser.add_argument(
        "--cache-dir", type=Path, help="keep seeded server homes here (default .cache/bench)"
    )
    parser.add_argument(
        "--readme", type=Path, help="also put the tables into this README's results block"
    )
    parser.add_argument("--quiet", action="store_true", help="print only the final table")
    return parser.parse_args(argv)


def _git_commit() -> str | None:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return done.stdout.strip() or None
    return None


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in ("islo_jupyter", "islo", "requests", "ipython", "httpx"):
        try:
            from importlib.metadata import version

            found[dist] = version(dist)
        except Exception:
            found[dist] = None
    return found


def build_meta(
    config: RunConfig, started: float, seconds: dict[str, float], load_start: tuple[float, ...]
) -> dict[str, Any]:
    return {
        "section_seconds": seconds,
        "started_unix": started,
        "duration_s": time.time() - started,
        "smoke": config.smoke,
        "config": config.__dict__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "real_executable": str(Path(sys.executable).resolve()),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_start": load_start,
        "load_average_end": os.getloadavg(),
        "git_commit": _git_commit(),
        "versions": _versions(),
    }


def run_sections(ctx: BenchContext, names: list[str]) -> list[Section]:
    """Every section in turn; a section that crashes becomes a note, the others still run."""
    sections: list[Section] = []
    for name in names:
        started = time.perf_counter()
        try:
            sections += SECTIONS[name](ctx)
        except Exception as exc:
            ctx.log(traceback.format_exc())
            sections.append(
                Section(
                    name, f"{name} (section failed)", [], notes=[f"{type(exc).__name__}: {exc}"]
                )
            )
        ctx.seconds[name] = time.perf_counter() - started
        ctx.log(f"  ({name}: {ctx.seconds[name]:.1f} s)")
    return sections


def run(
    config: RunConfig, names: list[str], log: Callable[[str], None], cache_dir: Path | None = None
) -> tuple[dict[str, Any], list[Section]]:
    started, load_start = time.time(), os.getloadavg()
    with run_server(3600) as server, run_server(30) as short_server:
        boxes = [f"bench-{i}" for i in range(max(config.concurrent_sandboxes, 1))]
        log(
            f"servers up ({server.base_url}, {short_server.base_url}); "
            f"creating {len(boxes)} sandboxes"
        )
        create_sandboxes(server, boxes)
        ctx = BenchContext(config, server, short_server, boxes[0], log, boxes)
        if cache_dir is not None:
            ctx.cache_dir = cache_dir
        sections = run_sections(ctx, names)
    return build_meta(config, started, ctx.seconds, load_start), sections


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = RunConfig.smoke_run() if args.smoke else RunConfig()
    if args.rounds:
        config = RunConfig(**{**config.__dict__, "rounds": args.rounds})
    log: Callable[[str], None] = (
        (lambda _line: None)
        if args.quiet
        else (lambda line: print(line, file=sys.stderr, flush=True))
    )
    names = args.only or list(SECTIONS)
    meta, sections = run(config, names, log, args.cache_dir)
    targets = evaluate(sections)
    text = render_header(meta) + "\n" + render_markdown(sections, targets)
    print(text)
    if args.readme:
        update_readme(args.readme, text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.out, meta, sections, targets)
    log(f"wrote {args.out} in {meta['duration_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
