import Foundation
import IntakePostgres
import IntakeTestSupport
import Testing

@Suite("PostgreSQL errors", .enabled(if: TestDatabase.available, TestDatabase.skipReason))
struct ErrorClassificationTests {
    @Test func uniqueViolationIsPermanent() async throws {
        let db = try await TestDatabase.connect()
        try await db.execute(script: "CREATE TEMP TABLE t (id int PRIMARY KEY)")
        try await db.query("INSERT INTO t VALUES ($1)", 1)
        do {
            try await db.query("INSERT INTO t VALUES ($1)", 1)
            Issue.record("duplicate insert succeeded")
        } catch let error as PostgresError {
            #expect(error.sqlState == "23505")
            #expect(error.isUniqueViolation)
            #expect(!error.isRetryable)
            #expect(error.kind == .server)
            // The detail quotes row values: kept out of the plain description.
            #expect(error.detail?.contains("(id)=(1)") == true)
            #expect(!error.description.contains("(id)=(1)"))
        }
        // The connection stays usable after a statement error.
        #expect(try await db.query("SELECT 1")[0].decode(Int.self, at: 0) == 1)
    }

    @Test func statementAndLockTimeoutsAreRetryable() async throws {
        let db = try await TestDatabase.connect()
        try await db.execute(script: "SET statement_timeout = '50ms'")
        do {
            try await db.query("SELECT pg_sleep(1)")
            Issue.record("pg_sleep(1) did not time out")
        } catch let error as PostgresError {
            #expect(error.sqlState == "57014")
            #expect(error.isRetryable, "a statement timeout is a deadline, worth another attempt")
        }
        await db.close()
        #expect(PostgresError(kind: .server, sqlState: "55P03", message: "lock timeout").isRetryable)
        #expect(!PostgresError(kind: .server, sqlState: "22P02", message: "bad input").isRetryable)
    }

    @Test func deadlockIsRetryable() async throws {
        let setup = try await TestDatabase.connect()
        let table = "deadlock_\(UUID().uuidString.prefix(8).lowercased())"
        try await setup.execute(script: "CREATE TABLE \(table) (id int PRIMARY KEY, v int); INSERT INTO \(table) VALUES (1,0),(2,0)")
        let a = try await TestDatabase.connect()
        let b = try await TestDatabase.connect()
        try await a.execute(script: "BEGIN; UPDATE \(table) SET v = 1 WHERE id = 1")
        try await b.execute(script: "BEGIN; UPDATE \(table) SET v = 1 WHERE id = 2")
        // Each now waits for the other's row: the server picks one victim.
        async let first: Result<Void, PostgresError> = capture { try await a.query("UPDATE \(table) SET v = 2 WHERE id = 2") }
        async let second: Result<Void, PostgresError> = capture { try await b.query("UPDATE \(table) SET v = 2 WHERE id = 1") }
        let results = await [first, second]
        let failures = results.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        #expect(failures.count == 1)
        #expect(failures.first?.sqlState == "40P01")
        #expect(failures.first?.isRetryable == true)
        try await a.execute(script: "ROLLBACK")
        try await b.execute(script: "ROLLBACK")
        try await setup.execute(script: "DROP TABLE \(table)")
    }

    @Test func connectionFailureIsRetryableAndHidesPassword() async throws {
        let config = PostgresConfiguration(conninfo: "postgresql://someone:s3cretpw@127.0.0.1:1/nowhere", connectTimeoutSeconds: 2)
        do {
            _ = try await PostgresConnection.connect(configuration: config)
            Issue.record("connected to a closed port")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.isRetryable)
            // A server that is not there yet is waited for, not a configuration mistake.
            #expect(!error.isConfigurationError)
            #expect(!error.description.contains("s3cretpw"))
        }
    }

    /// What a connection attempt that can never succeed throws, so start-up can stop at once.
    func configurationFailure(_ configuration: PostgresConfiguration) async -> PostgresError? {
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration)
            await connection.close()
            Issue.record("connected with settings that should not work")
            return nil
        } catch let error as PostgresError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func unknownDatabaseIsAConfigurationErrorWithItsSQLState() async throws {
        let error = await configurationFailure(TestDatabase.configuration(database: "intake_no_such_database"))
        #expect(error?.sqlState == "3D000")
        #expect(error?.isConfigurationError == true)
        #expect(error?.description.contains(#"database "intake_no_such_database" does not exist"#) == true)
        // The verbose form libpq was asked for (to learn the code) does not leak into messages.
        #expect(error?.description.contains("LOCATION") == false)
        #expect(error?.description.contains("FATAL:  3D000") == false)
    }

    @Test func unknownRoleIsAConfigurationError() async throws {
        let url = try #require(TestDatabase.url)
        var components = try #require(URLComponents(string: url), "DATABASE_URL must be a URI for this test")
        components.user = "intake_no_such_role"
        components.password = "s3cretpw"
        let error = await configurationFailure(PostgresConfiguration(conninfo: try #require(components.string)))
        #expect(error?.sqlState == "28000")
        #expect(error?.isConfigurationError == true)
        #expect(error?.description.contains("s3cretpw") == false)
    }

    @Test(arguments: [
        "postgresql://127.0.0.1:5432/db?no_such_option=1",
        "host=127.0.0.1 no_such_option=1",
        "postgresql://user:s3cretpw@127.0.0.1:5432/db?sslmode",
    ])
    func malformedConnectionStringIsAConfigurationError(conninfo: String) async throws {
        let error = await configurationFailure(PostgresConfiguration(conninfo: conninfo, connectTimeoutSeconds: 2))
        #expect(error?.kind == .configuration)
        #expect(error?.isConfigurationError == true)
        #expect(error?.isRetryable == false)
        #expect(error?.description.contains("invalid connection string") == true)
        #expect(error?.description.contains("s3cretpw") == false)
    }

    @Test func transactionRollsBackOnThrow() async throws {
        let db = try await TestDatabase.connect()
        try await db.execute(script: "CREATE TEMP TABLE tx (id int)")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await db.withTransaction { conn in
                try conn.query("INSERT INTO tx VALUES ($1)", 1)
                throw Boom()
            }
        }
        try await db.withTransaction { conn in
            try conn.query("INSERT INTO tx VALUES ($1)", 2)
            try? await conn.withSavepoint { inner in
                try inner.query("INSERT INTO tx VALUES ($1)", 3)
                throw Boom()
            }
        }
        let rows = try await db.query("SELECT array_agg(id ORDER BY id)::text FROM tx")
        #expect(try rows[0].decode(String.self, at: 0) == "{2}")
    }
}

func capture(_ body: () async throws -> Void) async -> Result<Void, PostgresError> {
    do {
        try await body()
        return .success(())
    } catch let error as PostgresError {
        return .failure(error)
    } catch {
        return .failure(PostgresError(kind: .client, message: "\(error)"))
    }
}
