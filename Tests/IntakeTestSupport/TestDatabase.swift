import Foundation
import IntakeCore
import IntakePostgres
import Testing

/// Integration tests need the PostgreSQL that `scripts/test` starts; without it they are
/// skipped, visibly, with this reason.
public enum TestDatabase {
    public static let url = ProcessInfo.processInfo.environment["DATABASE_URL"]
    /// Evaluated before any integration test runs (it gates them): also the place to route
    /// library logs through Intake's handler at the level scripts/test asks for.
    public static let available: Bool = {
        IntakeLogging.bootstrap()
        return url != nil
    }()
    public static let skipReason: Comment = "needs DATABASE_URL: run scripts/test"

    public static func configuration(database: String? = nil) -> PostgresConfiguration {
        PostgresConfiguration(conninfo: url ?? "", applicationName: "intake-tests", database: database)
    }

    public static func connect(database: String? = nil) async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration(database: database))
    }

    /// Creates an empty database, runs `body` against its name, drops it afterwards.
    /// A fresh database with every migration applied.
    public static func withMigratedDatabase<T: Sendable>(
        _ migrations: [Migration] = CoreSchema.migrations, _ body: (String) async throws -> T
    ) async throws -> T {
        try await withFreshDatabase { name in
            let connection = try await connect(database: name)
            try await Migrator(migrations: migrations).migrate(on: connection)
            await connection.close()
            return try await body(name)
        }
    }

    public static func withFreshDatabase<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let name = "intake_t_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await connect()
        try await admin.execute(script: "CREATE DATABASE \(name)")
        await admin.close()
        // Dropped on a new connection: a test may have restarted the server meanwhile.
        func drop() async {
            do {
                let admin = try await connect()
                try await admin.execute(script: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                await admin.close()
            } catch {
                print("could not drop test database \(name): \(error)")
            }
        }
        do {
            let value = try await body(name)
            await drop()
            return value
        } catch {
            await drop()
            throw error
        }
    }

    /// The directory holding the package's built executables (next to the test bundle).
    public static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while url.pathExtension == "xctest" || url.lastPathComponent == "MacOS" || url.lastPathComponent == "Contents" {
            url.deleteLastPathComponent()
        }
        return url
    }
}
