"""Settings: one pydantic-settings class, environment prefix ``AWSGW_``.

Region and endpoint are not here: boto3 reads ``AWS_REGION``/``AWS_DEFAULT_REGION`` and
``AWS_ENDPOINT_URL`` itself.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,99}", value):
            raise ValueError("letters, digits and _.:/=+-@ only (an AWS tag value), ≤ 100 chars")
        return value

    def require_cluster(self) -> str:
        if not self.cluster_name:
            raise SettingsError("AWSGW_CLUSTER_NAME is required to write to AWS")
        return self.cluster_name


class SettingsError(Exception):
    """A setting needed for this action is missing or wrong."""
