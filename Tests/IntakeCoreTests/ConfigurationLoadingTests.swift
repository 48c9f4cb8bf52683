import Foundation
import IntakeHTTP
import IntakeSupport
import Testing

@testable import IntakeCore

@Suite("Configuration loading")
struct ConfigurationLoadingTests {
    @Test("SPEC §2 example parses with every value and default in place")
    func specExample() throws {
        let config = try IntakeConfiguration.parse(
            yaml: ConfigurationFixtures.specExample, environment: ConfigurationFixtures.environment
        )
        #expect(config.database.url.value == ConfigurationFixtures.environment["DATABASE_URL"])
        #expect(config.aws == AWSSettings(region: "us-east-1", endpoint: nil, s3PathStyle: true))
        #expect(config.receiver.listen == ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(config.receiver.maxBodyBytes == 1_048_576)
        #expect(config.sources.keys.sorted() == ["drupal", "fhir", "github", "partner", "stripe"])

        let github = try #require(config.sources["github"])
        #expect(
            github.verify
                == .hmacSHA256(
                    header: "X-Hub-Signature-256", prefix: "sha256=", encoding: .hex, secret: Secret("gh-secret-value-1")
                )
        )
        #expect(github.idHeader == "X-GitHub-Delivery")
        #expect(github.handler == "webhook.generic")
        #expect(github.maxBodyBytes == 1_048_576)
        #expect(github.contentType == .json)
        #expect(github.rateLimit == nil)

        #expect(config.sources["partner"]?.verify.type == .standardWebhooks)
        #expect(config.sources["stripe"]?.verify == .stripe(secret: Secret("whsec_stripe-secret-value"), toleranceSeconds: 300))
        let drupal = try #require(config.sources["drupal"])
        #expect(drupal.verify == .apiKey(header: "X-API-Key", secret: nil))
        #expect(drupal.rateLimit == RateLimitSettings(requests: 60, perSeconds: 3600, key: .apiKey))
        #expect(drupal.maxBodyBytes == 4_194_304)
        #expect(config.sources["fhir"]?.verify == .bearer(token: Secret("fhir-token-value")))

        #expect(config.sqs == SQSSettings(queueURL: "http://localhost:4566/000000000000/intake-events"))
        #expect(config.routes.map(\.handler) == ["csv.pharmacy_claims", "csv.audit_records", "ndjson.commerce"])
        #expect(config.routes[0].archivePrefix == "processed/")
        #expect(config.route(bucket: "uploads", key: "audit/2024/x.csv")?.handler == "csv.audit_records")
        #expect(config.route(bucket: "uploads", key: "other/x.csv") == nil)

        #expect(config.retry.policy(for: "webhook.generic") == RetryPolicy(maxAttempts: 5, base: .seconds(1), cap: .seconds(900)))
        #expect(config.retry.policy(for: "csv.audit_records") == RetryPolicy(maxAttempts: 8, base: .seconds(1), cap: .seconds(900)))
        #expect(config.workers == WorkerSettings())
        #expect(config.subscribers.count == 1)
        #expect(config.subscribers(for: "import.failed").first?.url == "https://ops.example.com/hooks/intake")
        #expect(config.subscribers(for: "import.started").isEmpty)
    }

    @Test("an empty file gives SPEC's defaults and the environment's connection settings")
    func emptyFileDefaults() throws {
        let config = try IntakeConfiguration.parse(
            yaml: "# nothing here\n",
            environment: [
                "DATABASE_URL": "host=/tmp dbname=intake", "AWS_DEFAULT_REGION": "eu-west-3",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5001",
            ]
        )
        #expect(config.database.url.value == "host=/tmp dbname=intake")
        #expect(config.aws.region == "eu-west-3")
        #expect(config.aws.endpoint == "http://127.0.0.1:5000")
        #expect(config.aws.sqsEndpoint == "http://127.0.0.1:5000")
        #expect(config.aws.s3Endpoint == "http://127.0.0.1:5001")
        #expect(config.aws.s3PathStyle)
        #expect(config.receiver == ReceiverSettings())
        #expect(config.sqs == nil)
        #expect(config.retry.defaultPolicy == RetryPolicy(maxAttempts: 8, base: .seconds(1), cap: .seconds(900)))
        #expect(config.workers.concurrency == 8 && config.workers.batch == 32 && config.workers.leaseSeconds == 60)
        #expect(config.workers.pollInterval == .milliseconds(250))
        #expect(config.workers.metricsListen.port == 9464)

        let bare = try IntakeConfiguration.parse(yaml: "", environment: [:])
        #expect(bare.database.url.isEmpty)
        // No region anywhere: left to the AWS profile, then us-east-1 (AWSConfiguration).
        #expect(bare.aws.region == nil)
        #expect(bare.aws.endpoint == nil)
    }

    @Test("${NAME:-default} takes the default when unset or empty; an empty default is allowed")
    func substitutionDefaults() throws {
        let yaml = """
            aws:
              region: ${REGION:-ap-south-1}
              endpoint: ${ENDPOINT:-}
            workers:
              concurrency: ${CONCURRENCY:-4}
              metrics_listen: "${METRICS_HOST:-127.0.0.1}:${METRICS_PORT}"
            """
        let config = try IntakeConfiguration.parse(yaml: yaml, environment: ["REGION": "", "METRICS_PORT": "9999"])
        #expect(config.aws.region == "ap-south-1")
        #expect(config.aws.endpoint == nil)
        #expect(config.workers.concurrency == 4)
        #expect(config.workers.metricsListen == ListenAddress(host: "127.0.0.1", port: 9999))
    }

    @Test("substitution keeps YAML-special characters in values and ignores comments")
    func substitutionIsValueLevel() throws {
        let yaml = ConfigurationFixtures.minimal(
            """
            # ${NOT_SET_ANYWHERE} in a comment is not expanded
            database:
              url: ${DATABASE_URL}
            """
        )
        let url = "host=db password='a #b: c' dbname=x"
        let config = try IntakeConfiguration.parse(yaml: yaml, environment: ["DATABASE_URL": url])
        #expect(config.database.url.value == url)
    }

    @Test("expansion rules", arguments: [
        ("plain", "plain"), ("a${X}b", "axb"), ("${MISSING:-fallback}", "fallback"), ("${EMPTY:-d}", "d"),
        ("$${X}", "${X}"), ("cost $5", "cost $5"), ("${X:-}", "x"), ("${MISSING:-}", ""),
    ])
    func expansion(input: String, expected: String) {
        let result = EnvironmentSubstitution.expand(input, environment: ["X": "x", "EMPTY": ""])
        #expect(result == .success(expected))
    }

    @Test("--config, then INTAKE_CONFIG, then ./intake.yaml")
    func configPath() {
        #expect(IntakeConfiguration.path(arguments: ["w", "--config", "/etc/a.yaml"], environment: ["INTAKE_CONFIG": "/b"]) == "/etc/a.yaml")
        #expect(IntakeConfiguration.path(arguments: ["w", "--config=/etc/c.yaml"], environment: [:]) == "/etc/c.yaml")
        #expect(IntakeConfiguration.path(arguments: ["w"], environment: ["INTAKE_CONFIG": "/b.yaml"]) == "/b.yaml")
        #expect(IntakeConfiguration.path(arguments: ["w"], environment: [:]) == "intake.yaml")
    }

    @Test("load reads a file; a missing file says how to point at one")
    func loadFromFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID()).yaml").path
        try ConfigurationFixtures.minimal("workers: { concurrency: 3 }").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try IntakeConfiguration.load(path: path, for: .receiver, environment: [:])
        #expect(config.workers.concurrency == 3)

        let error = #expect(throws: ConfigurationError.self) {
            try IntakeConfiguration.load(path: path + ".missing", environment: [:])
        }
        #expect(error?.description.contains("does not exist") == true)
        #expect(error?.description.contains("--config") == true)
    }

    @Test("per-source overrides and options")
    func sourceOptions() throws {
        let yaml = """
            receiver: { max_body_bytes: 2048 }
            sources:
              shop:
                verify: { type: hmac-sha256, header: X-Sig, encoding: base64, secret: k-0123456789abcdef }
                handler: webhook.generic
                event_type: { header: X-Event }
                content_type: raw
                rate_limit: { requests: 10 }
              partner:
                verify: { type: standard-webhooks, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }
                handler: webhook.generic
                event_type: { json_field: data.type }
            """
        let config = try IntakeConfiguration.parse(yaml: yaml, environment: [:])
        let shop = try #require(config.sources["shop"])
        #expect(shop.verify == .hmacSHA256(header: "X-Sig", prefix: "", encoding: .base64, secret: Secret("k-0123456789abcdef")))
        #expect(shop.maxBodyBytes == 2048)
        #expect(shop.eventType == .header("X-Event"))
        #expect(shop.contentType == .raw)
        #expect(shop.rateLimit == RateLimitSettings(requests: 10, perSeconds: 60, key: .source))
        #expect(config.sources["partner"]?.verify == .standardWebhooks(secret: Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), toleranceSeconds: 300))
        #expect(config.sources["partner"]?.eventType == .jsonField("data.type"))
    }

    @Test("listen addresses", arguments: [
        ("0.0.0.0:8080", ListenAddress(host: "0.0.0.0", port: 8080)),
        (":9464", ListenAddress(host: "0.0.0.0", port: 9464)),
        ("[::1]:80", ListenAddress(host: "::1", port: 80)),
        ("localhost:0", ListenAddress(host: "localhost", port: 0)),
    ])
    func listenAddresses(text: String, expected: ListenAddress) {
        #expect(ListenAddress(parsing: text) == expected)
    }

    @Test("malformed listen addresses are rejected", arguments: ["8080", "host:http", "::1:80", "h:70000", "[::1:80"])
    func badListenAddresses(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }

    @Test("intake.example.yaml at the repository root loads for every process")
    func exampleFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("intake.example.yaml").path
        for process in IntakeProcess.allCases {
            let config = try IntakeConfiguration.load(path: path, for: process, environment: ConfigurationFixtures.environment)
            #expect(config.sources.count == 5)
        }
        let full = try IntakeConfiguration.load(path: path, environment: ConfigurationFixtures.environment)
        #expect(full.sources["github"]?.eventType == .header("X-GitHub-Event"))
        #expect(full.routes.count == 3)
        #expect(full.receiver == ReceiverSettings())
        #expect(full.workers == WorkerSettings())
    }

    @Test("receiver settings become the HTTP server's configuration")
    func receiverServerConfiguration() throws {
        let config = try IntakeConfiguration.parse(
            yaml: "receiver: { listen: \"127.0.0.1:9000\", max_body_bytes: 5000, idle_timeout_seconds: 7, max_connections: 9, event_loops: 2 }",
            environment: [:]
        )
        let server = HTTPServer.Configuration(receiver: config.receiver)
        #expect(server.host == "127.0.0.1" && server.port == 9000)
        #expect(server.maxBodyBytes == 5000 && server.maxConnections == 9 && server.eventLoops == 2)
        #expect(server.idleTimeout == .seconds(7))
    }
}
