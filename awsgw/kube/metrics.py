"""Prometheus metrics, hand-written: counters, gauges, histograms and scrape-time collectors,
rendered in the text exposition format (version 0.0.4)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
Labels = tuple[tuple[str, str], ...]


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def samples(text: str) -> dict[str, float]:
    """The samples of a text exposition by their full name with labels, e.g.
    ``awsgw_leader`` or ``awsgw_reconcile_total{kind="gateway",result="success"}``."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def format_value(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(value)


def _labels(labels: Labels, extra: Labels = ()) -> str:
    pairs = labels + extra
    if not pairs:
        return ""
    return "{" + ",".join(f'{k}="{escape_label(v)}"' for k, v in pairs) + "}"


@dataclass
class Family:
    """One metric name: its help, type, label names, and values by label values."""

    name: str
    help: str
    type: str
    label_names: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()
    values: dict[Labels, float] = field(default_factory=dict)
    histograms: dict[Labels, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _key(self, labels: dict[str, str]) -> Labels:
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name}: labels {sorted(labels)} != {self.label_names}")
        return tuple((n, str(labels[n])) for n in self.label_names)

    def inc(self, value: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self.values[key] = self.values.get(key, 0.0) + value

    def set(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self.values[key] = value

    def observe(self, value: float, **labels: str) -> None:
        """Histograms: counts per bucket (not cumulative yet), then sum and count."""
        key = self._key(labels)
        with self._lock:
            row = self.histograms.setdefault(key, [0.0] * (len(self.buckets) + 2))
            index = next((i for i, b in enumerate(self.buckets) if value <= b), len(self.buckets))
            row[index] += 1
            row[-1] += value

    def get(self, **labels: str) -> float:
        with self._lock:
            return self.values.get(self._key(labels), 0.0)

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {escape_help(self.help)}", f"# TYPE {self.name} {self.type}"]
        with self._lock:
            if self.type != "histogram":
                for labels, value in sorted(self.values.items()):
                    lines.append(f"{self.name}{_labels(labels)} {format_value(value)}")
                return lines
            for labels, row in sorted(self.histograms.items()):
                running = 0.0
                for bound, count in zip((*self.buckets, math.inf), row[:-1], strict=True):
                    running += count
                    le = (("le", format_value(float(bound))),)
                    lines.append(f"{self.name}_bucket{_labels(labels, le)} {format_value(running)}")
                lines.append(f"{self.name}_sum{_labels(labels)} {format_value(row[-1])}")
                lines.append(f"{self.name}_count{_labels(labels)} {format_value(running)}")
        return lines


class Registry:
    def __init__(self) -> None:
        self._families: dict[str, Family] = {}
        self._collectors: list[Callable[[], Iterable[Family]]] = []

    def _add(self, family: Family) -> Family:
        if family.name in self._families:
            raise ValueError(f"metric {family.name} registered twice")
        self._families[family.name] = family
        return family

    def counter(self, name: str, help: str, labels: tuple[str, ...] = ()) -> Family:
        return self._add(Family(name, help, "counter", labels))

    def gauge(self, name: str, help: str, labels: tuple[str, ...] = ()) -> Family:
        return self._add(Family(name, help, "gauge", labels))

    def histogram(
        self,
        name: str,
        help: str,
        labels: tuple[str, ...] = (),
        buckets: tuple[float, ...] = DURATION_BUCKETS,
    ) -> Family:
        return self._add(Family(name, help, "histogram", labels, tuple(sorted(buckets))))

    def collector(self, collect: Callable[[], Iterable[Family]]) -> None:
        """Families computed at scrape time (e.g. from the AWS call counters)."""
        self._collectors.append(collect)

    def render(self) -> str:
        families = list(self._families.values())
        for collect in self._collectors:
            families += list(collect())
        lines: list[str] = []
        for family in sorted(families, key=lambda f: f.name):
            lines += family.render()
        return "\n".join(lines) + "\n"


def aws_calls(outcomes: dict[tuple[str, str, str], int]) -> Family:
    """``awsgw_aws_calls_total`` from the session's outcome counter."""
    family = Family(
        "awsgw_aws_calls_total",
        "AWS API calls (after botocore retries) by service, operation and outcome.",
        "counter",
        ("service", "operation", "outcome"),
    )
    for (service, operation, outcome), n in outcomes.items():
        family.inc(float(n), service=service, operation=operation, outcome=outcome)
    return family


class ControllerMetrics:
    """The controller's own families; scrape-time ones are added with ``collector``."""

    def __init__(self, registry: Registry | None = None) -> None:
        r = self.registry = registry or Registry()
        self.reconcile_duration = r.histogram(
            "awsgw_reconcile_duration_seconds",
            "Time to process one work-queue key (gateway, full pass or classes).",
            ("kind",),
        )
        self.reconciles = r.counter(
            "awsgw_reconcile_total", "Work-queue keys processed, by result.", ("kind", "result")
        )
        self.errors = r.counter("awsgw_errors_total", "Errors by component.", ("component",))
        self.kube_requests = r.counter(
            "awsgw_kube_requests_total",
            "Kubernetes API requests by verb, resource and HTTP code (0: no answer).",
            ("verb", "resource", "code"),
        )
        self.status_writes = r.counter(
            "awsgw_status_writes_total", "Status subresource patches sent.", ("kind",)
        )
        self.events = r.counter(
            "awsgw_events_total", "Kubernetes Events recorded.", ("type", "reason")
        )
