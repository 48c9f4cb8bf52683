import Foundation
import IntakeCore
import IntakePostgres
import IntakeReceiver
import IntakeTestSupport
import Testing

/// A PostgreSQL of the test's own, started with the repository's `scripts/lib/services.sh`, so
/// that stopping it does not pull the database from under the tests running alongside.
struct PrivatePostgres {
    let directory: String
    let url: String

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func start() async throws -> PrivatePostgres {
        let directory = NSTemporaryDirectory() + "intake-outage-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        let script = """
            . "\(repositoryRoot.path)/scripts/lib/services.sh"
            intake_start_postgres "\(directory)/pg" "$(intake_free_port)" || exit 1
            printf '%s' "$DATABASE_URL" > "\(directory)/url"
            """
        try await run(["bash", "-c", script])
        let url = try String(contentsOfFile: directory + "/url", encoding: .utf8)
        return PrivatePostgres(directory: directory, url: url)
    }

    var configuration: PostgresConfiguration { PostgresConfiguration(conninfo: url, applicationName: "intake-outage-test") }

    func stop() async throws { try await Self.run(["\(directory)/pg/pgctl", "stop"]) }
    func start() async throws { try await Self.run(["\(directory)/pg/pgctl", "start"]) }
    /// SIGSTOP the postmaster and its backends: connections stay open, nothing answers.
    func freeze() async throws { try await Self.run(["\(directory)/pg/pgctl", "freeze"]) }
    func thaw() async throws { try await Self.run(["\(directory)/pg/pgctl", "thaw"]) }

    /// Starts a server, runs `body`, and stops and removes the server whatever happens.
    static func with(_ body: (PrivatePostgres) async throws -> Void) async throws {
        let postgres = try await start()
        do {
            try await body(postgres)
        } catch {
            await postgres.remove()
            throw error
        }
        await postgres.remove()
    }

    func remove() async {
        // A frozen server would not stop.
        try? await thaw()
        try? await stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var description: String { "\(command) exited with \(status)" }
    }

    /// Runs a command to completion on a thread of its own (it blocks). Not Foundation's
    /// `Process`: its exit detection waits for a descriptor that the background server inherits.
    /// The child gets /dev/null for its standard streams and none of our other descriptors.
    static func run(_ arguments: [String]) async throws {
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                defer { posix_spawn_file_actions_destroy(&actions) }
                for fd: Int32 in 0...2 {
                    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
                }
                // Closes every inherited descriptor above 2, then runs the command.
                let closing = "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done; exec \"$@\""
                let command = ["/bin/bash", "-c", closing, "bash"] + arguments
                let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
                defer { argv.forEach { free($0) } }
                var pid: pid_t = 0
                guard posix_spawnp(&pid, command[0], &actions, nil, argv, environ) == 0 else {
                    continuation.resume(returning: -1)
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                continuation.resume(returning: status)
            }.start()
        }
        guard status == 0 else {
            throw CommandFailed(command: arguments.joined(separator: " "), status: status)
        }
    }
}

/// A receiver on a server of the test's own, with one delivery accepted before the outage.
struct OutageScenario {
    let postgres: PrivatePostgres
    let running: RunningReceiver
    let client = TestClient(concurrency: 8)
    var acceptedIDs: [Int64] = []

    /// Starts a private server, runs `body` on a migrated database with a receiver in front,
    /// and stops and removes the server whatever happens (a frozen one is thawed first).
    static func run(_ body: (inout OutageScenario) async throws -> Void) async throws {
        try await PrivatePostgres.with { postgres in
            let setup = try await PostgresConnection.connect(configuration: postgres.configuration)
            try await Migrator(migrations: CoreSchema.migrations).migrate(on: setup)
            await setup.close()
            var scenario = OutageScenario(
                postgres: postgres, running: try await RunningReceiver.start(
                    database: postgres.configuration, options: Receiver.Options(unavailableRetryAfterSeconds: 2)))
            let before = try await scenario.post(delivery: "before")
            #expect(before.status == 202)
            scenario.acceptedIDs += [before.deliveryID].compactMap { $0 }
            try await body(&scenario)
        }
    }

    func post(delivery: String) async throws -> TestClient.Answer {
        try await client.postGitHub(running.base, body: #"{"delivery":"\#(delivery)"}"#, delivery: delivery)
    }

    /// After the outage: deliveries `prefix-1` … `prefix-count` are accepted again without a
    /// restart. Then the receiver stops, and every accepted delivery is a committed row,
    /// `count + 1` in all.
    mutating func expectRecovery(prefix: String, count: Int) async throws {
        let recovered = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            try await post(delivery: "\(prefix)-1").status / 100 == 2
        }
        #expect(recovered)
        for n in 1...count {
            let answer = try await post(delivery: "\(prefix)-\(n)")
            // 200 is possible: an insert the outage interrupted did commit.
            #expect(answer.status == 202 || answer.status == 200)
            acceptedIDs += [answer.deliveryID].compactMap { $0 }
        }
        try await running.stop()

        let db = try await PostgresConnection.connect(configuration: postgres.configuration)
        #expect(acceptedIDs.count == count + 1)
        #expect(try await receiverCount(db, "SELECT count(*) FROM intake.deliveries") == count + 1)
        #expect(
            try await receiverCount(db, "SELECT count(*) FROM intake.deliveries WHERE id = ANY($1::bigint[])", [PostgresArray(acceptedIDs)])
                == acceptedIDs.count)
        await db.close()
    }
}

@Suite("Receiver outage")
struct ReceiverOutageTests {
    @Test(
        .enabled(if: ProcessInfo.processInfo.environment["INTAKE_PGCTL"] != nil, "needs INTAKE_PGCTL and PostgreSQL binaries (run scripts/test)"),
        .timeLimit(.minutes(3)))
    func databaseDownMeans503AndNoAcceptanceThenRecoversWithoutRestart() async throws {
        try await OutageScenario.run { scenario in
            let postgres = scenario.postgres
            try await postgres.stop()
            var downAnswers: [TestClient.Answer] = []
            do {
                for n in 1...20 {
                    downAnswers.append(try await scenario.post(delivery: "down-\(n)"))
                }
                let ready = try await scenario.client.send("GET", scenario.running.adminBase + "/readyz")
                #expect(ready.status == 503)
            } catch {
                try? await postgres.start()
                throw error
            }
            try await postgres.start()

            #expect(downAnswers.allSatisfy { $0.status == 503 })
            #expect(downAnswers.allSatisfy { Int($0.headers["retry-after"] ?? "") ?? 0 >= 1 })
            #expect(downAnswers.allSatisfy { $0.json["error"] != nil })
            try await scenario.expectRecovery(prefix: "down", count: 20)
        }
    }
}
