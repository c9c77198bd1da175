"""Issue section 2: exchanges under threads, the cost of one exchange, the auth hook per call."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from requests.auth import AuthBase

from . import ours, sdk
from .context import BenchContext
from .harness import Call, Contender, Metrics, run_interleaved
from .report import Section
from .server import BenchServer

THREADS = 8
CLIENTS = 4
#: Pause between one thread's calls in the lifetime run.
PACE = 0.05
BARE_EXCHANGE = "bare requests.Session POST /auth/token (floor)"
STATIC_AUTH = "static-header AuthBase (floor)"


def _counted_run(
    server: BenchServer,
    forget: Callable[[], None],
    make: Callable[[], Any],
    call: Callable[[Any], Any],
    calls_per_thread: int,
) -> Metrics:
    """8 threads over 4 fresh clients, cold cache; exchanges counted by the server itself."""
    forget()
    clients = [make() for _ in range(CLIENTS)]
    counter = server.exchange_counter()
    started = time.perf_counter()

    def work(thread: int) -> None:
        for i in range(calls_per_thread):
            call(clients[(thread + i) % CLIENTS])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    elapsed = time.perf_counter() - started
    exchanges = counter.count()
    for client in clients:
        with contextlib.suppress(AttributeError):
            client.close()
    calls = THREADS * calls_per_thread
    return Metrics(
        {
            "calls/exchange": calls / exchanges if exchanges else float(calls),
            "exchanges": float(exchanges),
            "calls": float(calls),
            "run s": elapsed,
        }
    )


def _ours_run(server: BenchServer, calls: int) -> Callable[[contextlib.ExitStack], Call]:
    def prepare(_stack: contextlib.ExitStack) -> Call:
        return lambda: _counted_run(
            server,
            ours.clear_token_cache,
            lambda: ours.make_client(server),
            lambda client: client.list_sandboxes(limit=1),
            calls,
        )

    return prepare


def _sdk_run(server: BenchServer, calls: int) -> Callable[[contextlib.ExitStack], Call]:
    def prepare(_stack: contextlib.ExitStack) -> Call:
        return lambda: _counted_run(
            server, sdk.forget_sdk_tokens, lambda: sdk.make_sdk(server), sdk.list_one, calls
        )

    return prepare


def _threads_section(ctx: BenchContext) -> Section:
    calls = ctx.config.token_calls_per_thread
    contenders = []
    for server in (ctx.server, ctx.short_server):
        age = server.token_ttl
        contenders += [
            Contender(f"islo_jupyter, max_age={age}", _ours_run(server, calls)),
            Contender(f"official SDK, max_age={age}", _sdk_run(server, calls)),
        ]
    # Counts, not timings: one round says it all (the SDK's max_age=30 run alone takes ~30 s).
    outcomes = run_interleaved(contenders, rounds=1, warmup=0, log=ctx.log)
    return Section(
        "token_threads",
        f"Token exchanges: {THREADS} threads x {CLIENTS} clients, "
        f"{THREADS * calls} calls, cold cache",
        outcomes,
        metric="calls/exchange",
        higher_is_better=True,
        notes=["exchanges are counted by the server (GET /_local/stats), not by the client"],
    )


def _lifetime_run(server: BenchServer, seconds: float) -> Metrics:
    """Keep 8 threads x 4 clients calling for longer than one token lifetime (ours only)."""
    ours.clear_token_cache()
    clients = [ours.make_client(server) for _ in range(CLIENTS)]
    counter = server.exchange_counter()
    started = time.monotonic()
    calls = [0] * THREADS

    def work(thread: int) -> None:
        while time.monotonic() - started < seconds:
            clients[(thread + calls[thread]) % CLIENTS].list_sandboxes(limit=1)
            calls[thread] += 1
            time.sleep(PACE)  # a busy notebook, not a load test: leave CPU to the server

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(THREADS)))
    elapsed = time.monotonic() - started
    exchanges = counter.count()
    for client in clients:
        client.close()
    lifetimes = math.ceil(elapsed / server.token_ttl)
    return Metrics(
        {
            "exchanges/lifetime": exchanges / lifetimes,
            "exchanges": float(exchanges),
            "lifetimes": float(lifetimes),
            "calls": float(sum(calls)),
            "run s": elapsed,
        }
    )


def _lifetime_section(ctx: BenchContext) -> Section:
    seconds = ctx.config.token_lifetime_run_s
    server = ctx.short_server
    contender = Contender(
        f"islo_jupyter, max_age={server.token_ttl}, {seconds:g} s of calls",
        lambda _s: lambda: _lifetime_run(server, seconds),
    )
    outcomes = run_interleaved([contender], rounds=1, warmup=0, log=ctx.log)
    return Section(
        "token_lifetime",
        f"Token exchanges per lifetime: {THREADS} threads x {CLIENTS} clients for {seconds:g} s",
        outcomes,
        metric="exchanges/lifetime",
        notes=[
            "the official SDK is left out here: at max_age=30 it exchanges on every call "
            "(see the section above)"
        ],
    )


def _exchange_section(ctx: BenchContext) -> Section:
    server = ctx.server

    def ours_exchange(stack: contextlib.ExitStack) -> Callable[[], str]:
        from islo_jupyter.auth import TOKEN_CACHE

        client = stack.enter_context(ours.make_client(server))

        def exchange() -> str:
            TOKEN_CACHE.clear()  # a cold cache: the next get is one real exchange
            return TOKEN_CACHE.get_token(client.session, server.base_url, server.api_key)

        return exchange

    def bare_exchange(stack: contextlib.ExitStack) -> Callable[[], str]:
        session = stack.enter_context(requests.Session())
        return lambda: server.exchange(session)

    contenders = [
        Contender("islo_jupyter TOKEN_CACHE exchange (client session)", ours_exchange),
        Contender("official SDK exchange_access_key", lambda _s: lambda: sdk.exchange_once(server)),
        Contender(BARE_EXCHANGE, bare_exchange),
    ]
    outcomes = run_interleaved(
        contenders, rounds=ctx.config.exchange_rounds, warmup=ctx.config.warmup, log=ctx.log
    )
    return Section("token_exchange", "Cost of one token exchange", outcomes, baseline=BARE_EXCHANGE)


class StaticBearer(AuthBase):
    """The cheapest possible auth: a header that never changes."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._header
        return r


def _hook_loop(auth: Callable[[requests.PreparedRequest], Any], calls: int) -> Metrics:
    request = requests.Request("GET", "http://127.0.0.1:9/sandboxes").prepare()
    hooks = request.hooks["response"]
    started = time.perf_counter()
    for _ in range(calls):
        hooks.clear()  # both contenders pay this; it keeps the hook list from growing
        auth(request)
    return Metrics({"us/call": (time.perf_counter() - started) / calls * 1e6})


def _hook_section(ctx: BenchContext) -> Section:
    server, calls = ctx.server, ctx.config.hook_calls

    def ours_hook(stack: contextlib.ExitStack) -> Callable[[], Metrics]:
        from islo_jupyter.auth import IsloAuth

        client = stack.enter_context(ours.make_client(server))
        auth = IsloAuth(client.session, server.base_url, server.api_key)
        auth(requests.Request("GET", server.base_url).prepare())  # warm: the cache holds a token
        return lambda: _hook_loop(auth, calls)

    static = StaticBearer(server.exchange())
    contenders = [
        Contender("islo_jupyter IsloAuth, cache hit", ours_hook),
        Contender(STATIC_AUTH, lambda _s: lambda: _hook_loop(static, calls)),
    ]
    rounds = max(ctx.config.rounds // 4, 2)
    outcomes = run_interleaved(
        contenders, rounds=rounds, warmup=min(ctx.config.warmup, 1), log=ctx.log
    )
    return Section(
        "token_hook",
        "Auth hook per request, token cached (in process, no HTTP)",
        outcomes,
        metric="us/call",
        baseline=STATIC_AUTH,
    )


def run(ctx: BenchContext) -> list[Section]:
    ctx.log("[token] exchanges under threads, exchange cost, hook overhead")
    return [
        _threads_section(ctx),
        _lifetime_section(ctx),
        _exchange_section(ctx),
        _hook_section(ctx),
    ]
