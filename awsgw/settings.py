"""Settings: one pydantic-settings class, environment prefix ``AWSGW_``.

Region and endpoint are not here: boto3 reads ``AWS_REGION``/``AWS_DEFAULT_REGION`` and
``AWS_ENDPOINT_URL`` itself.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AWS_RATE_LIMITS: dict[str, tuple[float, int]] = {
    "elastic-load-balancing-v2": (10.0, 40),
    "ec2": (10.0, 50),
    "vpc-lattice": (5.0, 10),
    "acm": (5.0, 10),
}
"""Service id → (requests per second, burst), at or below AWS's own buckets per account and
Region (ELBv2: reads 40, refilled at 10/s, as the AWS Load Balancer Controller's default
throttle; EC2: reads 100 at 20/s, half of it), since the account's other tools share them;
VPC Lattice and ACM, which document no such bucket, a conservative 5/s."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AWSGW_", extra="ignore")

    cluster_name: str | None = Field(
        default=None,
        description="Owner of every AWS resource awsgw creates (tag awsgw.io/cluster). "
        "Required for anything that writes to AWS.",
    )
    vpc_id: str | None = Field(
        default=None, description="VPC for load balancers; else found from tagged subnets."
    )
    alb_rules_per_listener: int = Field(
        default=100, ge=1, le=1000, description="ELBv2 quota: rules per listener."
    )
    aws_max_attempts: int = Field(default=3, ge=1, le=10)
    aws_rate_limits: dict[str, tuple[float, int]] = Field(
        default_factory=lambda: dict(AWS_RATE_LIMITS),
        description="Client-side rate limit per AWS service id: [requests per second, burst] "
        '(JSON, e.g. {"elastic-load-balancing-v2": [10, 40]}); every worker shares it.',
    )
    workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description="Gateways reconciled at once (never two passes on one Gateway); the rate "
        "limits above bound what they ask of AWS together.",
    )
    lattice_security_groups: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Security groups of this VPC's VPC Lattice service network association "
        "(comma-separated or a JSON list of sg- ids; at most 5).",
        max_length=5,
    )

    # ---- `awsgw run`: the controller in a cluster
    identity: str | None = Field(
        default=None,
        description="This replica's name in the leader Lease and Events (default: "
        "host name plus a random suffix; in a Pod, set it from metadata.name).",
    )
    leader_elect: bool = Field(default=True, description="Take part in leader election.")
    lease_name: str = Field(default="awsgw-controller", min_length=1)
    shards: int = Field(
        default=0,
        ge=0,
        le=64,
        description="0: one leader does everything. N: Gateways are sharded over the replicas "
        "through N Leases <lease_name>-shard-<i> (and member Leases); each replica works on the "
        "shards it holds.",
    )
    lease_namespace: str | None = Field(
        default=None, description="Default: the service account's namespace, else default."
    )
    lease_duration: float = Field(default=15.0, gt=0, description="Seconds a lease is held.")
    lease_renew_deadline: float = Field(
        default=10.0, gt=0, description="A leader that could not renew for this long stops."
    )
    lease_retry_period: float = Field(default=2.0, gt=0, description="Seconds between tries.")
    metrics_address: str = Field(
        default=":8080", description="host:port of /healthz, /readyz and /metrics."
    )
    resync_period: float = Field(
        default=300.0, gt=0, description="Seconds between full passes (drift repair, GC)."
    )
    requeue_pending: float = Field(
        default=15.0,
        gt=0,
        description="Seconds before a Gateway whose ALB is not active yet is looked at again.",
    )
    watch_timeout: float = Field(
        default=300.0, gt=0, description="Server-side watch timeout (randomised up to 2x)."
    )
    kube_connect_timeout: float = Field(default=5.0, gt=0)
    kube_read_timeout: float = Field(default=30.0, gt=0)
    list_page_size: int = Field(default=500, ge=1)
    missing_crd_retry: float = Field(
        default=60.0,
        gt=0,
        description="Seconds between looks at an optional CRD the API does not serve "
        "(GRPCRoute, ServiceExport, ServiceImport).",
    )
    queue_qps: float = Field(default=10.0, gt=0, description="Reconciles per second, at most.")
    queue_burst: int = Field(default=100, ge=1)
    backoff_base: float = Field(default=1.0, gt=0, description="First retry delay of a key.")
    backoff_max: float = Field(default=300.0, gt=0)
    event_dedupe_window: float = Field(
        default=600.0, ge=0, description="Same object and reason within it: one Event."
    )
    shutdown_grace: float = Field(default=20.0, ge=0)
    log_level: str = Field(default="INFO")

    @field_validator("lattice_security_groups", mode="before")
    @classmethod
    def _security_groups(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if isinstance(value, list):
            value = [str(v).strip() for v in value if str(v).strip()]
            bad = [v for v in value if not re.fullmatch(r"sg-[0-9a-f]{8,17}", v)]
            if bad:
                raise ValueError(f"not security group ids: {bad}")
        return value

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,99}", value):
            raise ValueError("letters, digits and _.:/=+-@ only (an AWS tag value), ≤ 100 chars")
        return value

    @model_validator(mode="after")
    def _lease_timing(self) -> Settings:
        if not self.lease_retry_period < self.lease_renew_deadline < self.lease_duration:
            raise ValueError(
                "lease timing: need lease_retry_period < lease_renew_deadline < lease_duration"
            )
        return self

    def require_cluster(self) -> str:
        if not self.cluster_name:
            raise SettingsError("AWSGW_CLUSTER_NAME is required to write to AWS")
        return self.cluster_name


class SettingsError(Exception):
    """A setting needed for this action is missing or wrong."""
