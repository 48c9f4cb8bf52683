/// The example from SPEC §2, verbatim, and the environment it expects.
enum ConfigurationFixtures {
    static let specExample = """
        database:
          url: ${DATABASE_URL}
        aws:
          region: ${AWS_REGION:-us-east-1}
          endpoint: ${AWS_ENDPOINT_URL:-}        # empty = real AWS; LocalStack/moto = http://localhost:4566
          s3_path_style: true                     # needed by LocalStack and moto

        receiver:
          listen: 0.0.0.0:8080
          max_body_bytes: 1048576                 # per source override allowed

        sources:                                  # webhook sources; an unknown source is 404
          github:
            verify: { type: hmac-sha256, header: X-Hub-Signature-256, prefix: "sha256=", secret: "${GITHUB_SECRET}" }
            id: { header: X-GitHub-Delivery }     # idempotency key; fallbacks below
            handler: webhook.generic
          partner:
            verify: { type: standard-webhooks, secret: "${PARTNER_SECRET}", tolerance_seconds: 300 }
            handler: webhook.generic
          stripe:
            verify: { type: stripe, secret: "${STRIPE_SECRET}", tolerance_seconds: 300 }
            handler: webhook.generic
          drupal:
            verify: { type: api-key, header: X-API-Key }   # keys live hashed in ingest.drupal_sites
            handler: drupal.module_sync
            rate_limit: { requests: 60, per_seconds: 3600, key: api-key }
            max_body_bytes: 4194304
          fhir:
            verify: { type: bearer, token: "${FHIR_TOKEN}" }
            handler: fhir.subscription

        sqs:
          queue_url: ${INTAKE_SQS_QUEUE_URL}
          wait_seconds: 20
          max_messages: 10
          visibility_seconds: 120                 # extended by heartbeat while a message is worked on

        routes:                                   # S3 object -> handler; first match wins
          - { bucket: "*", key: "claims/*.csv",            handler: csv.pharmacy_claims, archive_prefix: "processed/" }
          - { bucket: "*", key: "audit/*.csv",             handler: csv.audit_records }
          - { bucket: "*", key: "commerce/*.ndjson",       handler: ndjson.commerce }

        retry:                                    # defaults; per-handler overrides below
          max_attempts: 8
          base_seconds: 1
          cap_seconds: 900
          handlers:
            webhook.generic: { max_attempts: 5 }

        workers:
          concurrency: 8                          # messages worked on at once per process
          batch: 32                               # rows claimed per round trip (table sources)
          lease_seconds: 60                       # renewed by heartbeat while a handler runs
          poll_interval_ms: 250                   # inbox polling when idle
          sweep_interval_seconds: 5               # notify worker's safety sweep
          shutdown_grace_seconds: 30
          metrics_listen: 0.0.0.0:9464

        subscribers:                              # outgoing, signed notifications of domain events
          - { events: [import.completed, import.failed], url: "https://ops.example.com/hooks/intake", secret: "${OPS_HOOK_SECRET}" }
        """

    static let environment: [String: String] = [
        "DATABASE_URL": "postgres://intake:pg-pass-123@db.internal:5432/intake",
        "GITHUB_SECRET": "gh-secret-value-1",
        "PARTNER_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "STRIPE_SECRET": "whsec_stripe-secret-value",
        "FHIR_TOKEN": "fhir-token-value",
        "INTAKE_SQS_QUEUE_URL": "http://localhost:4566/000000000000/intake-events",
        "OPS_HOOK_SECRET": "ops-hook-secret-value",
    ]

    /// Every secret value above, for "never printed" checks.
    static let secretValues = [
        "pg-pass-123", "gh-secret-value-1", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "stripe-secret-value",
        "fhir-token-value", "ops-hook-secret-value",
    ]

    /// A minimal valid file with one source, for tests that change one thing.
    static func minimal(_ extra: String = "") -> String {
        """
        sources:
          github:
            verify: { type: hmac-sha256, header: X-Hub-Signature-256, secret: s3cr3t-s3cr3t-s3cr3t }
            handler: webhook.generic
        \(extra)
        """
    }
}
