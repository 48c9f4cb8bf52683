import Foundation
import IntakeAWS
import IntakeCore
import IntakeCrypto
import IntakeHandlers
import IntakePostgres
import IntakeRuntime
import IntakeTestSupport
import Logging
import Testing

/// PostgreSQL and the S3 emulator that scripts/test starts, for the import tests.
enum ImportEnvironment {
    static let endpoint = ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? ""
    static let available = TestDatabase.available && !endpoint.isEmpty
    static let skipReason: Comment = "needs DATABASE_URL and AWS_ENDPOINT_URL: run scripts/test"

    static let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 16, requestTimeout: .seconds(60)))

    static func awsConfiguration() throws -> AWSConfiguration {
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = environment["AWS_ACCESS_KEY_ID"] ?? "test"
        environment["AWS_SECRET_ACCESS_KEY"] = environment["AWS_SECRET_ACCESS_KEY"] ?? "test"
        return try AWSConfiguration.fromEnvironment(environment, region: environment["AWS_REGION"] ?? "us-east-1")
    }

    static func s3() throws -> S3Client { try S3Client(configuration: awsConfiguration(), http: http) }

    /// A fresh bucket per test: tests run in parallel against one emulator.
    static func bucket(_ prefix: String) async throws -> String {
        let name = "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
        try await s3().createBucket(bucket: name)
        return name
    }

    static func services(
        routes: [RouteSettings] = [], subscribers: [SubscriberSettings] = [], retry: RetryPolicies = RetryPolicies()
    ) throws -> HandlerServices {
        HandlerServices(
            configuration: IntakeConfiguration(routes: routes, retry: retry, subscribers: subscribers), s3: try s3(),
            http: http)
    }

    static func context(pool: PostgresPool, worker: String = "import-test") -> HandlerContext {
        var logger = Logger(label: "import-test")
        logger.logLevel = .critical
        return HandlerContext(logger: logger, transaction: nil, pool: pool, workerID: worker)
    }

    static func message(_ task: S3ObjectTask, handler: String, id: String = "m-1") -> Message {
        Message(origin: .sqs, id: id, handler: handler, attempt: 1, body: task.encoded(), topic: "test-queue")
    }

    /// Uploads and returns the task an S3 event would carry for it.
    static func upload(_ bytes: [UInt8], bucket: String, key: String, archivePrefix: String? = nil) async throws
        -> S3ObjectTask
    {
        let put = try await s3().putObject(bucket: bucket, key: key, body: bytes, contentType: "text/csv")
        return S3ObjectTask(
            bucket: bucket, key: key, eTag: put.eTag, size: Int64(bytes.count), archivePrefix: archivePrefix)
    }

    static func claimsFile(rows: Int, invalidEvery: Int = 0, seed: UInt64 = 0x1D7A_4E11) -> [UInt8] {
        var bytes: [UInt8] = []
        for chunk in SampleData.generateClaimsCSV(rows: rows, invalidEvery: invalidEvery, seed: seed) {
            bytes.append(contentsOf: chunk)
        }
        return bytes
    }

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(bytes).hexString }
}

extension PostgresConnection {
    func count(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> Int {
        try await query(sql, parameters)[0].decode(Int.self, at: 0)
    }

    func text(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> String? {
        try await query(sql, parameters).first?.decode(String?.self, at: 0)
    }
}

extension HandlerOutcome {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    var isPermanentFailure: Bool {
        if case .permanentFailure = self { return true }
        return false
    }

    var resultText: String? {
        switch self {
        case .success(let result), .permanentFailure(_, let result): return result?.text
        case .retry: return nil
        }
    }
}

extension ImportEnvironment {
    /// Runs the notify worker's consumer in this process, with every built-in handler, until
    /// `condition` holds (or the timeout passes); returns whether it held.
    static func runJobs(
        database: String, services: HandlerServices, policies: RetryPolicies = RetryPolicies(),
        timeout: Duration = .seconds(60), until condition: () async throws -> Bool
    ) async throws -> Bool {
        let pool = PostgresPool(configuration: TestDatabase.configuration(database: database), size: 4)
        var logger = Logger(label: "import-jobs")
        logger.logLevel = .critical
        let registry = BuiltinHandlers.registry(services: services)
        let consumer = TableConsumer(
            table: .jobs,
            settings: ConsumerSettings(
                concurrency: 2, batch: 4, leaseSeconds: 30, idleWait: .milliseconds(50), sweepInterval: .milliseconds(200)),
            registry: registry, policies: policies, pool: pool, workerID: "import-jobs", logger: logger,
            route: { kind in registry.handler(named: kind) == nil ? nil : kind })
        let run = Task { try await consumer.run() }
        let held = try await eventually(timeout: timeout, every: .milliseconds(50), condition)
        consumer.stop()
        try await run.value
        await pool.close()
        return held
    }
}
