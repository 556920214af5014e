"""Prometheus text rendering, AWS call outcomes from the session, the HTTP endpoints."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from awsgw.kube.metrics import ControllerMetrics, Family, Registry, aws_calls, samples
from awsgw.kube.server import HealthServer, parse_address
from awsgw.providers.aws.common.session import Aws
from tests.conftest import MotoVpc


def test_counters_gauges_and_label_escaping() -> None:
    r = Registry()
    c = r.counter("t_requests_total", "Requests.\nTwo lines", ("code", "path"))
    c.inc(code="200", path='/a"b\\c\nd')
    c.inc(2, code="200", path='/a"b\\c\nd')
    g = r.gauge("t_depth", "Depth.")
    g.set(3)
    assert r.render() == (
        "# HELP t_depth Depth.\n"
        "# TYPE t_depth gauge\n"
        "t_depth 3\n"
        "# HELP t_requests_total Requests.\\nTwo lines\n"
        "# TYPE t_requests_total counter\n"
        't_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 3\n'
    )
    with pytest.raises(ValueError):
        c.inc(code="200")
    with pytest.raises(ValueError):
        r.gauge("t_depth", "again")


def test_samples_read_back_what_render_writes() -> None:
    r = Registry()
    r.counter("t_calls_total", "Calls.", ("op",)).inc(2, op="Describe")
    r.gauge("t_up", "Up.").set(1.5)
    assert samples(r.render()) == {'t_calls_total{op="Describe"}': 2.0, "t_up": 1.5}


def test_histogram_buckets_are_cumulative_with_sum_and_count() -> None:
    r = Registry()
    h = r.histogram("t_seconds", "Durations.", ("kind",), buckets=(0.1, 1.0))
    for v in (0.05, 0.5, 0.7, 3.0):
        h.observe(v, kind="gateway")
    lines = r.render().splitlines()
    assert lines[2:] == [
        't_seconds_bucket{kind="gateway",le="0.1"} 1',
        't_seconds_bucket{kind="gateway",le="1"} 3',
        't_seconds_bucket{kind="gateway",le="+Inf"} 4',
        't_seconds_sum{kind="gateway"} 4.25',
        't_seconds_count{kind="gateway"} 4',
    ]


def test_collectors_render_at_scrape_time_sorted_by_name() -> None:
    m = ControllerMetrics()
    depth = {"n": 1}

    def collect() -> list[Family]:
        f = Family("awsgw_workqueue_depth", "Depth.", "gauge")
        f.set(depth["n"])
        return [f, aws_calls({("ec2", "DescribeVpcs", "success"): 2})]

    m.registry.collector(collect)
    depth["n"] = 7
    text = m.registry.render()
    assert "awsgw_workqueue_depth 7\n" in text
    assert (
        'awsgw_aws_calls_total{service="ec2",operation="DescribeVpcs",outcome="success"} 2' in text
    )
    names = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert names == sorted(names)
    assert "# TYPE awsgw_reconcile_duration_seconds histogram" in text


def test_session_counts_outcomes_of_logical_calls(aws_env: MotoVpc) -> None:
    aws = Aws.create(max_attempts=1)
    elbv2 = aws.client("elbv2")
    elbv2.describe_load_balancers()
    with pytest.raises(ClientError):
        elbv2.describe_load_balancers(Names=["missing"])
    assert aws.outcomes.snapshot() == {
        ("elastic-load-balancing-v2", "DescribeLoadBalancers", "success"): 1,
        ("elastic-load-balancing-v2", "DescribeLoadBalancers", "client_error"): 1,
    }
    assert aws.counter.reads == 2, "the existing call counter is unchanged"


def test_session_counts_no_answer_as_network_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    aws = Aws.create(max_attempts=1, region_name="us-east-1")
    ec2 = aws.session.client("ec2", endpoint_url="http://127.0.0.1:9", config=aws.config)
    with pytest.raises(Exception):  # noqa: B017 (any connection error)
        ec2.describe_vpcs()
    assert aws.outcomes.snapshot() == {("ec2", "DescribeVpcs", "network_error"): 1}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_health_readiness_and_metrics_endpoints() -> None:
    state = {"ready": False}
    server = HealthServer(
        "127.0.0.1:0", lambda: True, lambda: state["ready"], lambda: "awsgw_up 1\n"
    )
    server.start()
    try:
        base = f"http://{server.address}"
        assert get(base + "/healthz") == (200, "ok\n")
        assert get(base + "/readyz")[0] == 503
        state["ready"] = True
        assert get(base + "/readyz") == (200, "ok\n")
        assert get(base + "/metrics") == (200, "awsgw_up 1\n")
        assert get(base + "/nope")[0] == 404
    finally:
        server.stop()


def test_parse_address() -> None:
    assert parse_address(":8080") == ("", 8080)
    assert parse_address("127.0.0.1:0") == ("127.0.0.1", 0)
    with pytest.raises(ValueError):
        parse_address("8080")
