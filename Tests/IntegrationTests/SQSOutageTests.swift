import Foundation
import IntakeAWS
import IntakeCore
import IntakeHandlers
import IntakeRuntime
import IntakeSchema
import IntakeSupport
import IntakeTestSupport
import Testing

/// A moto_server of the test's own, on a port of its own, that the test may stop and start.
private final class PrivateEmulator: @unchecked Sendable {
    static let binary: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/moto_server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    let port: Int
    private var process: Process?

    init(port: Int) { self.port = port }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func start() async throws {
        guard let binary = Self.binary else { throw TestSkip("moto_server is not on PATH") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let probe = IntakeAWS.HTTPRequest(method: "GET", url: "\(endpoint)/moto-api/", timeout: .seconds(1))
        for _ in 0..<100 {
            if let response = try? await SQSTestEnvironment.http.execute(probe), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSkip("moto_server did not start on port \(port)")
    }

    func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }
}

@Suite(
    "SQS worker: emulator outage",
    .enabled(if: TestDatabase.available && PrivateEmulator.binary != nil, "needs DATABASE_URL and moto_server: run scripts/test"))
struct SQSOutageTests {
    @Test func consumerRidesOutTheEmulatorGoingAwayAndComingBack() async throws {
        try await TestDatabase.withMigratedDatabase(IntakeMigrations.all) { database in
            let emulator = PrivateEmulator(port: try SQSWorkerProcessTests.freePort())
            try await emulator.start()
            let configuration = AWSConfiguration(
                region: "us-east-1", credentials: AWSCredentials(accessKeyID: "test", secretAccessKey: "test"),
                endpoint: URL(string: emulator.endpoint), s3PathStyle: true)
            // Few client retries: the consumer's own backoff is what is under test.
            let aws = try AWSClients(
                configuration: configuration, http: SQSTestEnvironment.http,
                retry: RetryPolicy(maxAttempts: 2, base: .milliseconds(50), cap: .milliseconds(200)))
            let name = SQSTestEnvironment.uniqueName("intake-outage")
            let queue = try await aws.sqs.createQueue(name: name)
            let handled = Recorder<String>()
            let recording = ClosureHandler(name: "builtin.noop", mode: .none) { message, _ in
                handled.append(try S3ObjectTask(message: message).key)
                return .success
            }
            let consumer = SQSTestEnvironment.consumer(
                aws, queue: queue, database: database, handlers: [recording],
                routes: [RouteSettings(key: GlobPattern("*"), handler: "builtin.noop")])
            let run = Task { try await consumer.run() }
            try await aws.sqs.sendMessage(queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "before.csv"))
            #expect(try await eventually { handled.all == ["before.csv"] })

            emulator.kill()
            try await Task.sleep(for: .seconds(3))
            // The emulator comes back empty: the queue is made again under the same name.
            try await emulator.start()
            #expect(try await aws.sqs.createQueue(name: name) == queue)
            try await aws.sqs.sendMessage(queueURL: queue, body: SQSTestEnvironment.nativeEvent(bucket: "b", key: "after.csv"))
            #expect(try await eventually(timeout: .seconds(40)) { handled.all == ["before.csv", "after.csv"] })
            #expect(!consumer.isStopping)

            consumer.stop()
            try await run.value
            emulator.kill()
        }
    }
}
