"""What every section gets: the run's sizes (full or smoke), the servers and the sandboxes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .server import BenchServer

ECHO = "echo hi"
SLEEP = "sleep 0.05; echo hi"


@dataclass(frozen=True)
class RunConfig:
    """Sizes of one run. The smoke run keeps every contender but shrinks every loop."""

    smoke: bool = False
    rounds: int = 40  # interleaved rounds of the latency sections
    warmup: int = 3
    sdk_poll_samples: int = 5  # the official SDK's poll costs ~2 s a call
    token_calls_per_thread: int = 40
    token_lifetime_run_s: float = 35.0  # longer than one 30 s token lifetime
    hook_calls: int = 20000
    exchange_rounds: int = 30
    stream_mb: int = 50
    stream_rounds: int = 3
    import_rounds: int = 12
    panel_sandboxes: int = 10000
    panel_rounds: int = 10
    concurrent_execs: int = 32
    concurrent_sandboxes: int = 8
    concurrent_rounds: int = 5
    create_rounds: int = 10

    @classmethod
    def smoke_run(cls) -> RunConfig:
        return cls(
            smoke=True,
            rounds=3,
            warmup=0,  # a smoke run checks, it does not measure: no warm-up (saves a 2 s SDK poll)
            sdk_poll_samples=1,
            token_calls_per_thread=3,
            token_lifetime_run_s=1.0,
            hook_calls=500,
            exchange_rounds=3,
            stream_mb=2,
            stream_rounds=1,
            import_rounds=1,
            panel_sandboxes=60,
            panel_rounds=2,
            concurrent_execs=8,
            concurrent_sandboxes=2,
            concurrent_rounds=1,
            create_rounds=2,
        )


@dataclass
class BenchContext:
    """The servers of this run (token TTL 3600 and 30) and the sandboxes made for it."""

    config: RunConfig
    server: BenchServer
    short_server: BenchServer
    sandbox: str
    log: Callable[[str], None] = print
    sandboxes: list[str] = field(default_factory=list)
    #: Wall time each section took, for the JSON's meta.
    seconds: dict[str, float] = field(default_factory=dict)
    #: Where seeded server homes (the panel's thousands of sandboxes) are kept between runs.
    cache_dir: Path = Path(__file__).resolve().parent.parent / ".cache" / "bench"
