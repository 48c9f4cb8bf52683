/// Where and how to connect.
public struct PostgresConfiguration: Sendable {
    /// A libpq URI (`postgresql://…`) or `key=value` conninfo. Empty: libpq reads the `PG*`
    /// environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, …).
    public var conninfo: String
    /// Shown in `pg_stat_activity`, which operators read to tell workers apart.
    public var applicationName: String
    public var connectTimeoutSeconds: Int
    /// Overrides the database named by `conninfo` (tests create throwaway databases).
    public var database: String?

    public init(
        conninfo: String, applicationName: String = "intake", connectTimeoutSeconds: Int = 10,
        database: String? = nil
    ) {
        self.conninfo = conninfo
        self.database = database
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// `DATABASE_URL` when set, else the `PG*` variables.
    public static func fromEnvironment(applicationName: String = "intake") -> PostgresConfiguration {
        let url = ProcessEnvironment.value("DATABASE_URL") ?? ""
        return PostgresConfiguration(conninfo: url, applicationName: applicationName)
    }
}

enum ProcessEnvironment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
