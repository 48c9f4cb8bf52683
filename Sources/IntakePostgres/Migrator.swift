import Logging

/// One versioned schema change. Versions are applied in order, each once.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies embedded migrations and checks a database is recent enough.
///
/// Safe with many pods at once: every run takes the same session advisory lock first, so
/// runs queue up behind each other and later ones find nothing left to do.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    public let logger: Logger
    /// Arbitrary but fixed: the advisory lock key all `migrate` runs share.
    static let lockKey: Int64 = 0x1A7A_6B3E_0001

    public init(migrations: [Migration], logger: Logger = Logger(label: "intake.migrate")) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what is missing; returns the versions applied by this run.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query("SELECT pg_advisory_lock($1)", Self.lockKey)
        do {
            let applied = try await apply(on: connection)
            try await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
            return applied
        } catch {
            if await connection.isConnected {
                _ = try? await connection.query("SELECT pg_advisory_unlock($1)", Self.lockKey)
            }
            throw error
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.execute(
            script: """
                CREATE SCHEMA IF NOT EXISTS intake;
                CREATE TABLE IF NOT EXISTS intake.schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
        let done = Set(
            try await connection.query("SELECT version FROM intake.schema_migrations").map {
                try $0.decode(Int.self, at: 0)
            })
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info(
                "applying migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            try await connection.withTransaction { connection in
                try connection.execute(script: migration.sql)
                try connection.query(
                    "INSERT INTO intake.schema_migrations (version, name) VALUES ($1, $2)", migration.version,
                    migration.name)
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// The version the database is at (0 when never migrated).
    public func currentVersion(on connection: PostgresConnection) async throws -> Int {
        let exists = try await connection.query("SELECT to_regclass('intake.schema_migrations') IS NOT NULL")
        guard try exists[0].decode(Bool.self, at: 0) else { return 0 }
        let rows = try await connection.query("SELECT coalesce(max(version), 0) FROM intake.schema_migrations")
        return try rows[0].decode(Int.self, at: 0)
    }

    /// Throws `SchemaTooOld` when the database lacks migrations this build needs.
    public func requireCurrent(on connection: PostgresConnection) async throws {
        let current = try await currentVersion(on: connection)
        if current < latestVersion {
            throw SchemaTooOld(current: current, required: latestVersion)
        }
    }
}

public struct SchemaTooOld: Error, CustomStringConvertible {
    public var current: Int
    public var required: Int
    public var description: String {
        "the database schema is at version \(current) but this build needs version \(required): run `intakectl migrate`"
    }
}
