import Foundation
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema
import IntakeTestSupport
import Testing

/// Connection settings that can never work end a process at start-up with the reason
/// (exit 2, like any configuration mistake) instead of retrying forever; a database that is
/// merely down is still waited for (`ErrorClassificationTests`).
@Suite("Start-up with a database URL that cannot work", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct StartupDatabaseURLTests {
    /// A configuration for any process (workers and receiver alike) connecting with `url`.
    static func config(url: String) -> String {
        let placeholder = "intake_placeholder"
        return TestDatabase.workerConfig(database: placeholder, extra: "receiver:\n  listen: 127.0.0.1:0")
            .replacingOccurrences(of: TestDatabase.url(database: placeholder), with: url)
    }

    static func url(_ base: String, user: String, password: String? = nil) -> String {
        guard var components = URLComponents(string: base) else { return base }
        components.user = user
        components.password = password
        return components.string ?? base
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var executable: String
        var url: String
        var reason: [String]
        var testDescription: String { "\(executable): \(reason.joined(separator: " "))" }
    }

    static let cases: [Case] = TestDatabase.url.map { base in
        [
            Case(
                executable: "intake-inbox-worker", url: TestDatabase.url(database: "intake_no_such_database"),
                reason: ["3D000", #"database "intake_no_such_database" does not exist"#]),
            Case(
                executable: "intake-notify-worker", url: url(base, user: "intake_no_such_role"),
                reason: ["28000", #"role "intake_no_such_role" does not exist"#]),
            Case(
                executable: "intake-receiver", url: TestDatabase.url(database: "postgres") + "?no_such_option=1",
                reason: ["invalid connection string", "no_such_option"]),
        ]
    } ?? []

    @Test(arguments: cases)
    func exitsAtOnceWithTheReason(_ item: Case) async throws {
        let process = try WorkerProcess(item.executable, config: Self.config(url: item.url))
        let status = await process.waitForExit(timeout: .seconds(20))
        #expect(status == 2, "log: \(process.log.suffix(1500))")
        for fragment in item.reason {
            #expect(process.log.contains(fragment), "log: \(process.log.suffix(1500))")
        }
    }

    /// The test server trusts every local connection; a server of the test's own gets a role that
    /// must give its password (scram-sha-256), so the wrong one really is refused.
    @Test(
        .enabled(if: TestDatabase.pgctl != nil, "needs INTAKE_PGCTL and PostgreSQL binaries (run scripts/test)"),
        .timeLimit(.minutes(3)))
    func wrongPasswordExitsAtOnceAndTheRightOneRuns() async throws {
        try await PrivatePostgres.with { try await exercisePasswords($0) }
    }

    func exercisePasswords(_ postgres: PrivatePostgres) async throws {
        let admin = try await PostgresConnection.connect(configuration: postgres.configuration)
        try await IntakeMigrations.migrator().migrate(on: admin)
        try await admin.execute(script: "CREATE ROLE intake_pw LOGIN SUPERUSER PASSWORD 'right-password-42'")
        let hba = postgres.directory + "/pg/pgdata/pg_hba.conf"
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        // In place (not atomically): the file keeps its owner, the server's user.
        try ("host all intake_pw 127.0.0.1/32 scram-sha-256\n" + rules).write(toFile: hba, atomically: false, encoding: .utf8)
        try await admin.query("SELECT pg_reload_conf()")
        await admin.close()

        let wrong = try WorkerProcess(
            "intake-receiver", config: Self.config(url: Self.url(postgres.url, user: "intake_pw", password: "not-the-password-17")))
        #expect(await wrong.waitForExit(timeout: .seconds(20)) == 2, "log: \(wrong.log.suffix(1500))")
        #expect(wrong.log.contains("28P01"), "log: \(wrong.log.suffix(1500))")
        #expect(wrong.log.contains(#"password authentication failed for user "intake_pw""#))
        #expect(!wrong.log.contains("not-the-password-17"))

        let right = try WorkerProcess(
            "intake-receiver", config: Self.config(url: Self.url(postgres.url, user: "intake_pw", password: "right-password-42")),
            environment: ["INTAKE_LOG_LEVEL": "info"])
        // Listening means past start-up and inside the service group, which handles SIGTERM.
        let started = try await eventually(timeout: .seconds(30)) { right.log.contains("HTTP server listening") }
        #expect(started, "log: \(right.log.suffix(1500))")
        right.signal(SIGTERM)
        let status = await right.waitForExit(timeout: .seconds(15))
        #expect(status == 0, "log: \(right.log.suffix(2000))")
    }
}
