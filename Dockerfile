# syntax=docker/dockerfile:1.7
#
# One image for every Intake process: intake-receiver, intake-sqs-worker, intake-notify-worker,
# intake-inbox-worker and intakectl. The command picks the process, e.g.
#   docker run --rm intake:local intake-receiver
# Configuration comes from /etc/intake/intake.yaml (INTAKE_CONFIG) and the environment.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpq-dev libcurl4-openssl-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# The manifest alone first, so that a change to the sources does not fetch the dependencies
# again. .build lives in a cache mount: rebuilds reuse compiled dependencies, and nothing of it
# ends up in a layer.
COPY Package.swift ./
RUN --mount=type=cache,target=/src/.build,id=intake-swiftpm \
    swift package resolve

COPY Sources ./Sources
COPY Tests ./Tests

# STRIP=0 keeps symbols, for readable crash backtraces at the price of a larger image.
ARG STRIP=1
# The commit `--version` prints (.git is not in the build context):
#   docker build --build-arg REVISION="$(git rev-parse --short=12 HEAD)" .
ARG REVISION=unknown
RUN --mount=type=cache,target=/src/.build,id=intake-swiftpm \
    case "$REVISION" in *[!0-9A-Za-z._-]*|"") echo "REVISION must be a commit id, not '$REVISION'" >&2; exit 1 ;; esac \
 && swift build -c release --static-swift-stdlib -Xcc "-DINTAKE_COMMIT=\"$REVISION\"" \
 && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
 && mkdir -p /out \
 && for exe in intake-receiver intake-sqs-worker intake-notify-worker intake-inbox-worker intakectl; do \
      install -m 0755 "$bin/$exe" "/out/$exe"; \
      if [ "$STRIP" = "1" ]; then strip --strip-unneeded "/out/$exe"; fi; \
    done

# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="intake" \
      org.opencontainers.image.description="Queue-consumer workers that move S3 uploads, webhooks and database events into PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"

# The C libraries the binaries link (the Swift runtime itself is linked in statically), CA
# certificates for AWS over TLS, zone data for timestamps, and curl for container healthchecks.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpq5 libcurl4 libssl3 ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 intake \
 && useradd --system --uid 10001 --gid intake --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin intake \
 && mkdir -p /etc/intake

COPY --from=build /out/ /usr/local/bin/

# Fail the build, not the first start, when a shared library the binaries need is missing.
RUN set -e; for exe in /usr/local/bin/intake*; do \
      libs="$(ldd "$exe")"; \
      case "$libs" in *"not found"*) printf '%s:\n%s\n' "$exe" "$libs"; exit 1 ;; esac; \
    done

ENV INTAKE_CONFIG=/etc/intake/intake.yaml

# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

# 8080: intake-receiver's webhooks (receiver.listen).
# 9464: /healthz, /readyz, /metrics of every process (receiver.admin_listen, workers.metrics_listen).
EXPOSE 8080 9464

CMD ["intakectl", "--help"]
