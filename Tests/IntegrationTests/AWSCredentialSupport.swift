import Foundation
import IntakeAWS
import IntakeHTTP
import IntakeTestSupport
import Logging
import NIOHTTP1
import Synchronization
import Testing

/// A credentials endpoint of the test's own (the container agent, the instance metadata
/// service, a recording STS) on loopback: answers decided by the test, requests recorded.
final class LocalCredentialServer: Sendable {
    struct Seen: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    let server: IntakeHTTP.HTTPServer
    let seen = Recorder<Seen>()
    let task: Task<Void, any Error>
    let port: Int

    init(_ answer: @escaping @Sendable (Seen) async -> IntakeHTTP.HTTPResponse) async throws {
        var logger = Logger(label: "credential-server")
        logger.logLevel = .critical
        let seen = self.seen
        let server = IntakeHTTP.HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), logger: logger) {
            request in
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.lowercased()] = value }
            let record = Seen(
                method: request.method.rawValue, path: String(request.uri), headers: headers,
                body: String(decoding: request.bodyBytes, as: UTF8.self))
            seen.append(record)
            return await answer(record)
        }
        self.server = server
        task = Task { try await server.run() }
        port = try await server.localPort()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        server.shutdown()
        _ = try? await task.value
    }

    /// The JSON the container agent and IMDS answer.
    static func credentialsJSON(key: String, secret: String = "secret-\(UUID().uuidString)", expiresIn seconds: Double)
        -> String
    {
        let expiration = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(
            Date().addingTimeInterval(seconds))
        return
            #"{"Code":"Success","AccessKeyId":"\#(key)","SecretAccessKey":"\#(secret)","Token":"token-\#(key)","Expiration":"\#(expiration)"}"#
    }
}

/// A counter the server closures share with the test.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
    var current: Int { value.withLock { $0 } }
}

/// A one-shot gate a server answer waits at until the test opens it.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

/// Log lines as a handler saw them (message, level, metadata flattened to text).
final class RecordingLogHandler: LogHandler, Sendable {
    let lines = Recorder<(level: Logger.Level, text: String)>()
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .debug }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        lines.append((event.level, ([event.message.description] + fields).joined(separator: " ")))
    }

    var logger: Logger { Logger(label: "intake.aws.credentials") { _ in self } }
}

/// Files and environments for credential tests: a scratch directory standing in for HOME (so
/// the machine's own ~/.aws never counts) and IMDS off unless a test turns it on.
struct CredentialScratch {
    let directory: URL
    static let roleARN = "arn:aws:iam::123456789012:role/intake-irsa"

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "intake-credentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The process environment without any credential variable, plus `values`.
    func environment(_ values: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in [
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
        ] {
            environment[name] = nil
        }
        environment["HOME"] = directory.path
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment["AWS_REGION"] = environment["AWS_REGION"] ?? "us-east-1"
        return environment.merging(values) { $1 }
    }

    /// The chain's chosen source without a cache, for tests that fetch on their own terms.
    static func source(
        _ environment: [String: String], containerBase: String = ContainerCredentialProvider.ecsHost
    ) throws -> any CredentialProvider {
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        return try CredentialChain(.init(environment: environment, containerBase: containerBase))
            .source(sts: try STSClient(configuration: configuration, http: MotoSTS.http))
    }

    /// The variables EKS IRSA puts in a pod, with a fresh token file.
    func webIdentity(sessionName: String = "intake-test") throws -> [String: String] {
        [
            "AWS_WEB_IDENTITY_TOKEN_FILE": try write("token", "eyJhbGciOiJSUzI1NiJ9.test-token.signature\n"),
            "AWS_ROLE_ARN": Self.roleARN, "AWS_ROLE_SESSION_NAME": sessionName,
        ]
    }
}

enum MotoSTS {
    static let available = !(ProcessInfo.processInfo.environment["AWS_ENDPOINT_URL"] ?? "").isEmpty
    static let skipReason: Comment = "needs the emulator in AWS_ENDPOINT_URL: run scripts/test"
    static let http = CurlHTTPClient(configuration: .init(maxConcurrentTransfers: 16, requestTimeout: .seconds(30)))
}
