import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeSupport
import IntakeTestSupport
import Logging
import Testing

/// What the SQS worker tests need: PostgreSQL and the emulator that scripts/test starts, a
/// fresh queue and bucket per test, and an in-process consumer to drive.
enum SQSTestEnvironment {
    static let available =
        TestDatabase.available && !(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "").isEmpty
    static let skipReason: Comment = "needs DATABASE_URL and AWS_ENDPOINT_URL: run scripts/test"

    static let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 24, requestTimeout: .seconds(40)))

    static func clients() throws -> AWSClients {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "test"
        environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "test"
        let configuration = try AWSConfiguration.fromEnvironment(
            environment, region: environment["AWS_REGION"] ?? "us-east-1", s3PathStyle: true)
        return try AWSClients(configuration: configuration, http: http)
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    }

    static func makeQueue(_ aws: AWSClients, visibilitySeconds: Int) async throws -> String {
        try await aws.sqs.createQueue(
            name: uniqueName("intake-sqs-test"), attributes: ["VisibilityTimeout": String(visibilitySeconds)])
    }

    /// A bucket whose ObjectCreated events go to `queue`.
    static func makeNotifyingBucket(_ aws: AWSClients, queue: String) async throws -> String {
        let bucket = uniqueName("intake-sqs-bucket")
        try await aws.s3.createBucket(bucket: bucket)
        let arn = try #require(try await aws.sqs.getQueueAttributes(queueURL: queue, names: ["QueueArn"])["QueueArn"])
        try await aws.s3.putBucketNotificationConfiguration(bucket: bucket, queues: [S3QueueNotification(queueARN: arn)])
        return bucket
    }

    /// Visible plus in-flight plus delayed messages.
    static func depth(_ aws: AWSClients, _ queue: String) async throws -> (visible: Int, inFlight: Int) {
        let attributes = try await aws.sqs.getQueueAttributes(
            queueURL: queue, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return (
            Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? -1,
            Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? -1
        )
    }

    static func consumer(
        _ aws: AWSClients, queue: String, database: String, handlers: [any Handler], routes: [RouteSettings],
        visibilitySeconds: Int = 5, concurrency: Int = 4, retry: RetryPolicy = RetryPolicy(),
        metrics: SQSMetrics = SQSMetrics(registry: MetricsRegistry())
    ) -> SQSConsumer {
        var logger = Logger(label: "sqs-test")
        logger.logLevel = .warning
        return SQSConsumer(
            settings: SQSConsumerSettings(
                queueURL: queue, waitSeconds: 1, maxMessages: 10, visibilitySeconds: visibilitySeconds,
                concurrency: concurrency, shutdownGrace: .seconds(10)),
            sqs: aws.sqs, registry: HandlerRegistry(handlers), policies: RetryPolicies(defaultPolicy: retry),
            routes: routes, pool: PostgresPool(configuration: TestDatabase.configuration(database: database), size: 4),
            workerID: "test:\(getpid())", logger: logger, metrics: metrics)
    }

    /// Runs `consumer` for the duration of `body`, then stops it and waits for it to drain.
    static func running<T: Sendable>(_ consumers: [SQSConsumer], _ body: () async throws -> T) async throws -> T {
        let tasks = consumers.map { consumer in Task { try await consumer.run() } }
        func stop() async {
            for consumer in consumers { consumer.stop() }
            for task in tasks { _ = try? await task.value }
        }
        do {
            let value = try await body()
            await stop()
            return value
        } catch {
            await stop()
            throw error
        }
    }

    /// A native S3 notification naming `key`, encoded as S3 encodes it (form style).
    static func nativeEvent(bucket: String, key: String, size: Int = 5, event: String = "ObjectCreated:Put") -> String {
        """
        {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",\
        "eventTime":"2026-01-01T00:00:00.000Z","eventName":"\(event)","s3":{"s3SchemaVersion":"1.0",\
        "bucket":{"name":"\(bucket)","arn":"arn:aws:s3:::\(bucket)"},\
        "object":{"key":"\(formEncode(key))","size":\(size),"eTag":"0123456789abcdef"}}}]}
        """
    }

    static func formEncode(_ key: String) -> String {
        var result = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: " "): result += "+"
            default: result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }

    static func count(_ db: PostgresConnection, _ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await db.query(sql, parameters)[0].decode(Int.self, at: 0)
    }

    /// Deterministic bytes of any length.
    static func payload(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}

/// Runs a built executable of the package to completion; returns its status and output.
/// An empty value in `environment` removes that variable.
func runTool(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("intake-\(UUID().uuidString).log")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments =
        ["-c", "exec \"$0\" \"$@\" >\"$INTAKE_TOOL_LOG\" 2>&1", TestDatabase.productsDirectory.appendingPathComponent(name).path]
        + arguments
    var env = ProcessInfo.processInfo.environment
    // An empty value removes the variable.
    for (key, value) in environment { env[key] = value.isEmpty ? nil : value }
    env["INTAKE_TOOL_LOG"] = log.path
    process.environment = env
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + .seconds(60)
    while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning { process.terminate() }
    let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(at: log)
    return (process.isRunning ? -1 : process.terminationStatus, output)
}
