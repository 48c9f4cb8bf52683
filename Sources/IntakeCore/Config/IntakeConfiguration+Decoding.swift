import Foundation
import IntakeSupport
import Yams

extension IntakeConfiguration {
    static let topLevelKeys: Set<String> = [
        "database", "aws", "receiver", "sources", "sqs", "routes", "retry", "workers", "subscribers",
    ]

    /// Builds the configuration from the YAML tree; problems go to `reader`, and whatever is
    /// wrong falls back to its default so that every other key can still be checked.
    static func decode(root: Node?, reader: ConfigReader) -> IntakeConfiguration {
        var configuration = IntakeConfiguration()
        // An empty file still takes connection settings from the environment.
        let root = reader.table(root, at: "", keys: Self.topLevelKeys) ?? ConfigTable(reader: reader, path: "", pairs: [])
        configuration.database = Self.decodeDatabase(root.table("database", keys: ["url", "statement_timeout_seconds"]), reader: reader)
        configuration.aws = Self.decodeAWS(
            root.table("aws", keys: ["region", "endpoint", "sqs_endpoint", "s3_endpoint", "s3_path_style"]),
            reader: reader
        )
        configuration.receiver = Self.decodeReceiver(
            root.table(
                "receiver",
                keys: ["listen", "admin_listen", "max_body_bytes", "idle_timeout_seconds", "max_connections", "event_loops"]
            )
        )
        if let sources = root.table("sources", keys: nil) {
            for (name, node) in sources.pairs {
                let path = sources.path(name)
                if !Self.isValidSourceName(name) {
                    reader.report(path, "source names may use only letters, digits, '-', '_' and '.' (they appear in URLs)")
                }
                if let source = Self.decodeSource(
                    name: name, reader.table(node, at: path, keys: Self.sourceKeys), at: path,
                    receiver: configuration.receiver, reader: reader
                ) {
                    configuration.sources[name] = source
                }
            }
        }
        configuration.sqs = Self.decodeSQS(
            root.table("sqs", keys: ["queue_url", "wait_seconds", "max_messages", "visibility_seconds"])
        )
        for item in root.list("routes") ?? [] {
            if ConfigReader.isNull(item.node) {
                reader.report(item.path, "is empty: a route needs at least key and handler")
            } else if let table = reader.table(
                item.node, at: item.path, keys: ["bucket", "key", "handler", "archive_prefix"]
            ), let route = Self.decodeRoute(table) {
                configuration.routes.append(route)
            }
        }
        configuration.retry = Self.decodeRetry(
            root.table("retry", keys: ["max_attempts", "base_seconds", "cap_seconds", "handlers"]), reader: reader
        )
        configuration.workers = Self.decodeWorkers(
            root.table(
                "workers",
                keys: [
                    "concurrency", "batch", "lease_seconds", "poll_interval_ms", "sweep_interval_seconds",
                    "shutdown_grace_seconds", "metrics_listen",
                ]
            )
        )
        for item in root.list("subscribers") ?? [] {
            if let table = reader.table(item.node, at: item.path, keys: ["events", "url", "secret"]),
                let subscriber = Self.decodeSubscriber(table)
            {
                configuration.subscribers.append(subscriber)
            }
        }
        return configuration
    }

    private static func decodeDatabase(_ table: ConfigTable?, reader: ConfigReader) -> DatabaseSettings {
        let defaults = DatabaseSettings()
        let timeout = table?.int("statement_timeout_seconds", default: defaults.statementTimeoutSeconds, in: 1...86_400)
        let statementTimeoutSeconds = timeout ?? defaults.statementTimeoutSeconds
        if let table, table.contains("url") {
            // Checked by hand so that no message can ever quote the URL (it may hold a password).
            return DatabaseSettings(url: Secret(table.string("url") ?? ""), statementTimeoutSeconds: statementTimeoutSeconds)
        }
        return DatabaseSettings(
            url: Secret(reader.environment["DATABASE_URL"] ?? ""), statementTimeoutSeconds: statementTimeoutSeconds)
    }

    private static func decodeAWS(_ table: ConfigTable?, reader: ConfigReader) -> AWSSettings {
        let environment = reader.environment
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        func endpoint(_ key: String, environmentName: String) -> String? {
            let value: String?
            if let table, table.contains(key) {
                value = nonEmpty(table.string(key))
                if let value, URL(string: value)?.scheme.map({ ["http", "https"].contains($0) }) != true {
                    reader.report(table.path(key), "must be an http:// or https:// URL, got \"\(value)\"")
                }
            } else {
                value = nonEmpty(environment[environmentName])
            }
            return value
        }
        let region =
            nonEmpty(table?.string("region")) ?? nonEmpty(environment["AWS_REGION"])
            ?? nonEmpty(environment["AWS_DEFAULT_REGION"])
        let common = endpoint("endpoint", environmentName: "AWS_ENDPOINT_URL")
        return AWSSettings(
            region: region,
            endpoint: common,
            sqsEndpoint: endpoint("sqs_endpoint", environmentName: "AWS_ENDPOINT_URL_SQS"),
            s3Endpoint: endpoint("s3_endpoint", environmentName: "AWS_ENDPOINT_URL_S3"),
            s3PathStyle: table?.bool("s3_path_style", default: true) ?? true
        )
    }

    private static func decodeReceiver(_ table: ConfigTable?) -> ReceiverSettings {
        let defaults = ReceiverSettings()
        guard let table else { return defaults }
        let listen = table.listen("listen", default: defaults.listen)
        let adminListen = table.listen("admin_listen", default: defaults.adminListen)
        if listen.port == adminListen.port, listen.port != 0 {
            table.reader.report(
                table.path("admin_listen"), "must differ from receiver.listen: metrics and probes stay off the webhook port")
        }
        return ReceiverSettings(
            listen: listen,
            adminListen: adminListen,
            maxBodyBytes: table.int("max_body_bytes", default: defaults.maxBodyBytes, in: 1...(1 << 30)),
            idleTimeoutSeconds: table.int("idle_timeout_seconds", default: defaults.idleTimeoutSeconds, in: 1...3600),
            maxConnections: table.int("max_connections", default: defaults.maxConnections, in: 1...1_000_000),
            eventLoops: table.int("event_loops", default: defaults.eventLoops, in: 1...64)
        )
    }

    private static func decodeSQS(_ table: ConfigTable?) -> SQSSettings? {
        guard let table else { return nil }
        let queueURL = table.requiredString("queue_url", what: "the SQS queue URL") ?? ""
        if !queueURL.isEmpty, URL(string: queueURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            table.reader.report(table.path("queue_url"), "must be an http:// or https:// URL, got \"\(queueURL)\"")
        }
        return SQSSettings(
            queueURL: queueURL,
            waitSeconds: table.int("wait_seconds", default: 20, in: 0...20),
            maxMessages: table.int("max_messages", default: 10, in: 1...10),
            visibilitySeconds: table.int("visibility_seconds", default: 120, in: 1...43_200)
        )
    }

    private static func decodeRoute(_ table: ConfigTable) -> RouteSettings? {
        let bucket = table.string("bucket").flatMap { $0.isEmpty ? nil : $0 } ?? "*"
        let key = table.requiredString("key", what: "a glob such as claims/*.csv")
        let handler = table.requiredString("handler", what: "the handler name")
        let archivePrefix = table.string("archive_prefix").flatMap { $0.isEmpty ? nil : $0 }
        guard let key, let handler else { return nil }
        return RouteSettings(
            bucket: GlobPattern(bucket), key: GlobPattern(key), handler: handler, archivePrefix: archivePrefix
        )
    }

    /// `retry:` straight into ``RetryPolicies``: an override's missing keys come from the
    /// defaults here, once.
    private static func decodeRetry(_ table: ConfigTable?, reader: ConfigReader) -> RetryPolicies {
        guard let table else { return RetryPolicies() }
        let maxAttempts = table.int("max_attempts", default: 8, in: 1...1000)
        let base = table.double("base_seconds", default: 1, in: 0.001...86_400)
        let cap = table.double("cap_seconds", default: 900, in: 0.001...604_800)
        if cap < base {
            reader.report(table.path("cap_seconds"), "must be at least base_seconds (\(base.compact)), got \(cap.compact)")
        }
        var handlers: [String: RetryPolicy] = [:]
        if let overrides = table.table("handlers", keys: nil) {
            for (name, node) in overrides.pairs {
                let path = overrides.path(name)
                guard let entry = reader.table(node, at: path, keys: ["max_attempts", "base_seconds", "cap_seconds"])
                else { continue }
                let handlerBase = entry.double("base_seconds", default: base, in: 0.001...86_400)
                let handlerCap = entry.double("cap_seconds", default: cap, in: 0.001...604_800)
                if handlerCap < handlerBase {
                    reader.report(
                        path, "cap_seconds (\(handlerCap.compact)) must be at least base_seconds (\(handlerBase.compact))")
                }
                handlers[name] = RetryPolicy(
                    maxAttempts: entry.int("max_attempts", default: maxAttempts, in: 1...1000),
                    base: .seconds(handlerBase), cap: .seconds(handlerCap))
            }
        }
        return RetryPolicies(
            defaultPolicy: RetryPolicy(maxAttempts: maxAttempts, base: .seconds(base), cap: .seconds(cap)),
            handlers: handlers)
    }

    private static func decodeWorkers(_ table: ConfigTable?) -> WorkerSettings {
        let defaults = WorkerSettings()
        guard let table else { return defaults }
        return WorkerSettings(
            concurrency: table.int("concurrency", default: defaults.concurrency, in: 1...1024),
            batch: table.int("batch", default: defaults.batch, in: 1...10_000),
            leaseSeconds: table.int("lease_seconds", default: defaults.leaseSeconds, in: 1...86_400),
            pollIntervalMilliseconds: table.int(
                "poll_interval_ms", default: defaults.pollIntervalMilliseconds, in: 1...60_000
            ),
            sweepIntervalSeconds: table.double(
                "sweep_interval_seconds", default: defaults.sweepIntervalSeconds, in: 0.01...3600
            ),
            shutdownGraceSeconds: table.double(
                "shutdown_grace_seconds", default: defaults.shutdownGraceSeconds, in: 0...3600
            ),
            metricsListen: table.listen("metrics_listen", default: defaults.metricsListen)
        )
    }

    private static func decodeSubscriber(_ table: ConfigTable) -> SubscriberSettings? {
        let events = table.strings("events") ?? []
        if events.isEmpty {
            table.reader.report(table.path("events"), "is required: a list of event names such as [import.completed]")
        }
        let url = table.requiredString("url", what: "where notifications are posted")
        if let url, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            table.reader.report(table.path("url"), "must be an http:// or https:// URL, got \"\(url)\"")
        }
        let secret = table.secret("secret", required: true)
        guard !events.isEmpty, let url, let secret else { return nil }
        return SubscriberSettings(events: events, url: url, secret: secret)
    }

    private static func isValidSourceName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0)
            }
    }
}
