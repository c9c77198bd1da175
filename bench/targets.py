"""The issue's targets, computed from this run's sections (met / not met, never an exception)."""

from __future__ import annotations

from . import sec_exec, sec_import, sec_panel, sec_stream
from .report import Section, Target


def _find(sections: list[Section], section_id: str) -> Section | None:
    return next((s for s in sections if s.id == section_id), None)


def _median(
    sections: list[Section], section_id: str, name: str, metric: str | None = None
) -> float | None:
    section = _find(sections, section_id)
    return section.median(name, metric) if section else None


def _names(sections: list[Section], section_id: str) -> list[str]:
    section = _find(sections, section_id)
    return [o.name for o in section.outcomes] if section else [""]


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _sub(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def _max_exchanges(sections: list[Section], age: int) -> float | None:
    section = _find(sections, "token_threads")
    outcome = section.outcome(f"islo_jupyter, max_age={age}") if section else None
    values = outcome.samples.get("exchanges") if outcome else None
    return max(values) if values else None


def evaluate(sections: list[Section]) -> list[Target]:
    m = lambda *args: _median(sections, *args)  # noqa: E731 - a local shorthand
    echo_ours, echo_floor = (
        m("exec_echo", sec_exec.OURS_CLIENT),
        m("exec_echo", sec_exec.REQUESTS_FLOOR),
    )
    stream_ours = m("stream", next(iter(sec_stream.CONTENDERS)), "MB/s")
    return [
        Target(
            "exec_echo_ratio",
            "`echo hi` via IsloClient.exec vs the requests floor",
            _div(echo_ours, echo_floor),
            1.25,
            "x",
        ),
        Target(
            "exec_sleep_ratio",
            "50 ms command via IsloClient.exec vs the process floor",
            _div(m("exec_sleep", sec_exec.OURS_CLIENT), m("exec_sleep", sec_exec.PROCESS_FLOOR)),
            1.15,
            "x",
        ),
        *(
            Target(
                f"exchanges_max_age_{age}",
                f"token exchanges per lifetime per kernel, max_age={age} (8 threads x 4 clients)",
                _max_exchanges(sections, age),
                1,
                "exchanges",
                detail="every run is far shorter than one token lifetime",
            )
            for age in (3600, 30)
        ),
        Target(
            "exchanges_per_lifetime_30",
            "token exchanges per 30 s lifetime, calls kept up across lifetimes",
            m(
                "token_lifetime",
                next(iter(_names(sections, "token_lifetime"))),
                "exchanges/lifetime",
            ),
            1,
            "exchanges",
        ),
        Target(
            "stream_throughput",
            "50 MB stream throughput vs the raw socket read",
            _div(stream_ours, m("stream", sec_stream.SOCKET_FLOOR, "MB/s")),
            0.9,
            "x",
            higher_is_better=True,
        ),
        Target(
            "stream_memory",
            "extra memory to stream 50 MB (peak RSS growth)",
            m("stream", next(iter(sec_stream.CONTENDERS)), "extra RSS MB"),
            5.0,
            "MB",
        ),
        Target(
            "import_cost",
            "`import islo_jupyter` minus `import requests` (fresh interpreter)",
            _sub(m("import", sec_import.OURS), m("import", sec_import.REQUESTS)),
            40.0,
            "ms",
        ),
        Target(
            "magic_overhead",
            "`%%islo_exec` minus IsloClient.exec (`echo hi`)",
            _sub(m("exec_echo", sec_exec.OURS_MAGIC), echo_ours),
            2.0,
            "ms",
        ),
        Target(
            "magic_ipython_overhead",
            "`%%islo_exec` minus the same client call (its argv, cancellable): IPython's share",
            _sub(m("exec_echo", sec_exec.OURS_MAGIC), m("exec_echo", sec_exec.OURS_AS_MAGIC)),
            2.0,
            "ms",
            detail="the rest of the magic's overhead is processes it starts in the sandbox",
        ),
        Target(
            "panel_first_page",
            "panel first page vs one raw list call",
            _div(m("panel", sec_panel.PANEL), m("panel", sec_panel.RAW_LIST)),
            1.5,
            "x",
        ),
    ]
