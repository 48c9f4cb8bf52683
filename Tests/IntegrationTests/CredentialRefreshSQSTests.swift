import Foundation
import IntakeAWS
import IntakeSupport
import IntakeHTTP
import IntakeTestSupport
import NIOHTTP1
import Synchronization
import Testing

/// Temporary credentials from a container endpoint of the test's own that hands out
/// credentials living a few seconds: they are refreshed ahead of expiry, once at a time,
/// callers keep the current ones meanwhile, and failures back off and are logged.
@Suite("AWS credential refresh (serial phase with SQS: refresh timing and SQS load)")
struct CredentialRefreshSQSTests {
    let scratch: CredentialScratch

    init() throws { scratch = try CredentialScratch() }

    func containerEnvironment(_ server: LocalCredentialServer) -> [String: String] {
        scratch.environment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds"])
    }

    @Test func oneBackgroundRefreshWhileCallersKeepTheCurrentCredentials() async throws {
        let fetches = Counter()
        let gate = Gate()
        let server = try await LocalCredentialServer { _ in
            let number = fetches.next()
            if number >= 2 { await gate.wait() }
            return .json(.ok, LocalCredentialServer.credentialsJSON(key: "ASIAROT\(number)", expiresIn: 12))
        }
        defer { Task { await server.stop() } }
        let provider = RefreshingCredentialProvider(source: try CredentialScratch.source(containerEnvironment(server)))
        #expect(try await provider.credentials().accessKeyID == "ASIAROT1")
        // Lifetime 12 s: the refresh starts after 6 s; callers would wait only after 9 s.
        try await Task.sleep(for: .milliseconds(6300))
        for _ in 0..<5 {
            #expect(try await provider.credentials().accessKeyID == "ASIAROT1")
        }
        #expect(try await eventually(timeout: .seconds(1)) { fetches.current == 2 })
        #expect(fetches.current == 2, "one refresh at a time")
        gate.open()
        #expect(
            try await eventually(timeout: .seconds(3)) { try await provider.credentials().accessKeyID == "ASIAROT2" })
        #expect(fetches.current == 2)
    }

    @Test func aFailedRefreshIsRetriedWithBackoffAndLoggedWithoutSecrets() async throws {
        let fetches = Counter()
        let secrets = Recorder<String>()
        let server = try await LocalCredentialServer { _ in
            let number = fetches.next()
            if number == 2 || number == 3 {
                return .json(.internalServerError, #"{"code":"Unavailable","message":"agent restarting"}"#)
            }
            let secret = "very-secret-\(number)-\(UUID().uuidString)"
            secrets.append(secret)
            return .json(
                .ok, LocalCredentialServer.credentialsJSON(key: "ASIARETRY\(number)", secret: secret, expiresIn: 12))
        }
        defer { Task { await server.stop() } }
        let log = RecordingLogHandler()
        let provider = RefreshingCredentialProvider(
            source: try CredentialScratch.source(containerEnvironment(server)), logger: log.logger,
            backoff: RetryPolicy(maxAttempts: .max, base: .milliseconds(200), cap: .milliseconds(400)))
        #expect(try await provider.credentials().accessKeyID == "ASIARETRY1")
        try await Task.sleep(for: .milliseconds(6200))
        // Every call succeeds: the old credentials until the fourth fetch brings new ones.
        var seen: Set<String> = []
        let refreshed = try await eventually(timeout: .seconds(2), every: .milliseconds(20)) {
            let key = try await provider.credentials().accessKeyID
            seen.insert(key)
            return key == "ASIARETRY4"
        }
        #expect(refreshed)
        #expect(seen == ["ASIARETRY1", "ASIARETRY4"])
        #expect(fetches.current == 4)
        let warnings = log.lines.all.filter { $0.level == .warning }.map(\.text)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.allSatisfy { $0.contains("aws.credentials.source=container") && $0.contains("500") })
        let everything = log.lines.all.map(\.text).joined(separator: "\n")
        #expect(secrets.all.allSatisfy { !everything.contains($0) })
        #expect(!everything.contains("token-ASIARETRY"))
    }

    @Test func aRequestWithoutCredentialsFailsRetryablyNamingTheSource() async throws {
        let server = try await LocalCredentialServer { _ in .json(.serviceUnavailable, #"{"message":"agent down"}"#) }
        defer { Task { await server.stop() } }
        let configuration = try AWSConfiguration.fromEnvironment(containerEnvironment(server))
        let sqs = try SQSClient(configuration: configuration, http: MotoSTS.http, retry: .none)
        // Retryable: a message is retried later rather than dead-lettered for the agent's outage.
        await #expect {
            try await sqs.sendMessage(queueURL: "http://127.0.0.1:1/000000000000/q", body: "x")
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.kind == .credentials && error.isRetryable && "\(error)".contains("AWS credentials (container)")
                && "\(error)".contains("agent down")
        }
    }

    @Test(.enabled(if: MotoSTS.available, MotoSTS.skipReason))
    func credentialsLivingThreeSecondsRotateUnderLoadAndNoRequestFails() async throws {
        let fetches = Counter()
        let server = try await LocalCredentialServer { _ in
            let number = fetches.next()
            return .json(.ok, LocalCredentialServer.credentialsJSON(key: "ASIALOAD\(number)", expiresIn: 3))
        }
        defer { Task { await server.stop() } }
        let environment = containerEnvironment(server)
        let configuration = try AWSConfiguration.fromEnvironment(environment)
        #expect(configuration.credentialProvider.name == "container")
        let sqs = try SQSClient(configuration: configuration, http: MotoSTS.http)
        let queue = try await sqs.createQueue(name: "intake-rotation-\(UInt32.random(in: 0...UInt32.max))")

        let deadline = ContinuousClock.now + .seconds(10)
        let outcomes = try await withThrowingTaskGroup(of: (sent: Int, failures: [String]).self) { group in
            for lane in 0..<4 {
                group.addTask {
                    var sent = 0
                    var failures: [String] = []
                    while ContinuousClock.now < deadline {
                        do {
                            _ = try await sqs.sendMessage(queueURL: queue, body: "lane \(lane) message \(sent)")
                            sent += 1
                        } catch {
                            failures.append("\(error)")
                        }
                    }
                    return (sent, failures)
                }
            }
            return try await group.reduce(into: [(sent: Int, failures: [String])]()) { $0.append($1) }
        }
        let sent = outcomes.map(\.sent).reduce(0, +)
        let failures = outcomes.flatMap(\.failures)
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(sent > 40)
        // Refreshed about every 1.5 s: several times, but once per refresh, not per request.
        #expect(fetches.current >= 4 && fetches.current <= 12, "\(fetches.current) fetches for \(sent) requests")
        let depth = try await sqs.getQueueAttributes(queueURL: queue, names: ["ApproximateNumberOfMessages"])
        #expect(depth["ApproximateNumberOfMessages"] == String(sent))
        try await sqs.deleteQueue(queueURL: queue)
    }
}
