"""``awsgw explain`` on NLB Gateways: connections, TLS certificates by SNI, and HTTP
listeners followed into the chained ALB — read from AWS alone."""

from __future__ import annotations

import pytest

from awsgw.explain import ConnectionExplanation, ExplainError, explain
from awsgw.providers.aws.common.requests import Request
from tests.conftest import MotoVpc
from tests.providers.aws.nlb.test_provider import (
    BACKENDS,
    HTTP_GATEWAY,
    STATE,
    TLS_GATEWAY,
    _secret,
)
from tests.support import NLB_CLASS, NlbHarness


def test_a_tcp_connection_shows_listener_weights_and_targets(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(STATE)
    out = explain(h.aws, aws_env.cluster, "db/edge", Request("", port=5432), "TCP")
    assert isinstance(out, ConnectionExplanation)
    text = out.render()
    assert "listener: TCP 5432" in text
    assert "weight 3: 10.0.5.1:9000" in text and "weight 1: 10.0.5.2:9000, 10.0.5.3:9000" in text
    refused = explain(h.aws, aws_env.cluster, "db/edge", Request("", port=5432), "UDP").render()
    assert "refused: port 5432 has a TCP listener" in refused


def test_a_tls_connection_shows_the_certificate_for_the_sni_name(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(
        NLB_CLASS
        + TLS_GATEWAY
        + BACKENDS
        + _secret("a-cert", ["a.example.com"])
        + _secret("b-cert", ["b.example.com"])
    )
    text = explain(
        h.aws, aws_env.cluster, "db/tls", Request("", port=443), "TLS", "b.example.com"
    ).render()
    assert "listener: TLS 443" in text
    assert "(b.example.com)" in text and "covers b.example.com" in text


def test_an_http_request_is_followed_into_the_chained_alb(aws_env: MotoVpc) -> None:
    h = NlbHarness(aws_env.cluster, aws_env.vpc_id)
    h.run(NLB_CLASS + HTTP_GATEWAY + BACKENDS)
    text = explain(
        h.aws, aws_env.cluster, "db/mixed", Request("site.example.com", "/api/x", port=80)
    ).render()
    assert "listener: TCP 80" in text and "then, on the chained ALB:" in text
    assert "forward (200)" in text and "10.0.5.2:9000" in text


def test_a_connection_on_an_alb_gateway_is_refused_with_the_reason(aws_env: MotoVpc) -> None:
    from tests.providers.aws.alb.test_provider import STATE as ALB_STATE
    from tests.support import Harness

    h = Harness(aws_env.cluster, aws_env.vpc_id)
    h.run(ALB_STATE)
    with pytest.raises(ExplainError, match="serves requests"):
        explain(h.aws, aws_env.cluster, "shop/web", Request("", port=80), "TCP")
