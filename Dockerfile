# The awsgw controller image: `awsgw run`, configured by AWSGW_ environment variables
# (charts/awsgw sets them). Build and push it yourself, e.g.:
#   docker build -t <account>.dkr.ecr.<region>.amazonaws.com/awsgw:0.1.0 .
# Only runtime dependencies are installed, at the versions pinned in constraints.txt.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY awsgw ./awsgw
# No extras: neither `dev` nor `embedded` (moto) goes into the image.
RUN python -m venv /opt/awsgw \
    && /opt/awsgw/bin/pip install -c constraints.txt . \
    && /opt/awsgw/bin/pip uninstall -y pip \
    && /opt/awsgw/bin/python -m compileall -q /opt/awsgw/lib

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="awsgw" \
      org.opencontainers.image.description="Kubernetes Gateway API controller for AWS load balancers" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/awsgw/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=build /opt/awsgw /opt/awsgw
# Non-root, numeric (the chart's runAsNonRoot can verify it); no home, no shell login.
RUN groupadd --system --gid 65532 awsgw \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --shell /usr/sbin/nologin awsgw
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["awsgw", "run"]
