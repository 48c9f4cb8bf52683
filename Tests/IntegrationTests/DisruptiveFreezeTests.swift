import Foundation
import IntakeCore
import IntakePostgres
import IntakeTestSupport
import Testing

/// A PostgreSQL that stops answering without closing its connections (every process stopped
/// with SIGSTOP): keepalives still succeed, so only deadlines can notice. Timing-sensitive, so
/// it runs alone after the other tests (INTAKE_DISRUPTIVE_TESTS=1), on a server of its own.
@Suite(
    "Disruptive: frozen PostgreSQL", .serialized,
    .enabled(if: TestDatabase.disruptiveEnabled, "runs alone after the other tests (scripts/test sets INTAKE_DISRUPTIVE_TESTS=1)"))
struct DisruptiveFreezeTests {
    /// Runs `body` with the server frozen and thaws it afterwards, whether `body` returns or
    /// throws — and after `limit` at the latest, so that code under test that hangs on the
    /// frozen server is released (and its test fails on timing) instead of hanging for good.
    func whileFrozen<T>(_ postgres: PrivatePostgres, limit: Duration = .seconds(30), _ body: () async throws -> T) async throws -> T {
        try await postgres.freeze()
        let safety = Task {
            try await Task.sleep(for: limit)
            try await postgres.thaw()
        }
        defer { safety.cancel() }
        let result: Result<T, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        try await postgres.thaw()
        return try result.get()
    }

    @Test(.timeLimit(.minutes(3)))
    func receiverAnswers503WithinSecondsWhileFrozenAnd202AfterThaw() async throws {
        try await OutageScenario.run { scenario in
            let frozen = try await whileFrozen(scenario.postgres) { [scenario] in
                var frozen: [(answer: TestClient.Answer, seconds: Double)] = []
                // One at a time, then several at once: each is answered, none waits past 5 s.
                for n in 1...3 {
                    frozen.append(try await timed { try await scenario.post(delivery: "frozen-\(n)") })
                }
                try await withThrowingTaskGroup(of: (TestClient.Answer, Double).self) { group in
                    for n in 4...8 {
                        group.addTask { try await timed { try await scenario.post(delivery: "frozen-\(n)") } }
                    }
                    for try await result in group { frozen.append(result) }
                }
                return frozen
            }

            #expect(frozen.count == 8)
            for (answer, seconds) in frozen {
                #expect(answer.status == 503, "\(answer.status) \(answer.text)")
                #expect(seconds < 5, "answered after \(seconds) s")
                #expect(Int(answer.headers["retry-after"] ?? "") ?? 0 >= 1)
            }
            // Thawed: 2xx again without a restart, and every 2xx stands for a committed row.
            try await scenario.expectRecovery(prefix: "frozen", count: 8)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func connectionGivesUpOnAFrozenServerAndReconnectsAfterThaw() async throws {
        try await PrivatePostgres.with { postgres in
            var configuration = postgres.configuration
            configuration.queryTimeout = .seconds(1)
            configuration.connectTimeoutSeconds = 2
            let connection = try await PostgresConnection.connect(configuration: configuration)
            let before = await connection.backendPID

            let outcome: (error: PostgresError?, seconds: Double) = try await whileFrozen(postgres) {
                await timed {
                    do {
                        try await connection.query("SELECT 1")
                        return nil
                    } catch let error as PostgresError {
                        return error
                    } catch {
                        return PostgresError(kind: .client, message: "\(error)")
                    }
                }
            }

            #expect(outcome.error?.kind == .connection, "\(String(describing: outcome.error))")
            #expect(outcome.error?.isRetryable == true)
            // Deadline: the 1 s statement timeout plus 1 s of grace, with some slack.
            #expect(outcome.seconds < 4, "gave up after \(outcome.seconds) s")
            // The same connection object carries on, on a new session.
            #expect(try await connection.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
            #expect(await connection.backendPID != before)
            await connection.close()
        }
    }
}

/// Runs `body` and says how long it took.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = ContinuousClock.now
    let value = try await body()
    let elapsed = (ContinuousClock.now - start).components
    return (value, Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
}
