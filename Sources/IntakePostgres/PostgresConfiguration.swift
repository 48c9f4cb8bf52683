import IntakeSupport

/// Where and how to connect.
public struct PostgresConfiguration: Sendable {
    /// A libpq URI (`postgresql://…`) or `key=value` conninfo. Empty: libpq reads the `PG*`
    /// environment variables (`PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, …).
    public var conninfo: String
    /// Shown in `pg_stat_activity`, which operators read to tell workers apart.
    public var applicationName: String
    /// Bounds the whole connection attempt (TCP, TLS, authentication, session set-up).
    public var connectTimeoutSeconds: Int
    /// Overrides the database named by `conninfo` (tests create throwaway databases).
    public var database: String?
    /// Longest a statement (or a whole COPY) may take. nil: no limit.
    ///
    /// Sent as the session's `statement_timeout`, so a slow but answering server cancels the
    /// statement itself (SQLSTATE 57014) and the connection stays usable. A server that does not
    /// answer at all — its process stopped, a network that drops packets — leaves the TCP
    /// connection open and a blocking libpq call would wait forever; ``answerDeadline`` later the
    /// client drops the connection, the call throws a retryable `.connection` error and the
    /// next statement reconnects.
    public var queryTimeout: Duration?

    public init(
        conninfo: String, applicationName: String = "intake", connectTimeoutSeconds: Int = 10,
        database: String? = nil, queryTimeout: Duration? = nil
    ) {
        self.conninfo = conninfo
        self.database = database
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.queryTimeout = queryTimeout
    }

    /// When the client stops waiting for an answer: `queryTimeout` plus a grace that leaves
    /// the server time to report its own timeout first.
    public var answerDeadline: Duration? {
        queryTimeout.map { $0 + min($0, .seconds(2)) }
    }

    /// These settings with no statement and no connection attempt allowed to take longer than
    /// `limit`: for connections that serve someone waiting (a webhook sender).
    public func bounded(by limit: Duration) -> PostgresConfiguration {
        var bounded = self
        bounded.queryTimeout = min(queryTimeout ?? limit, limit)
        bounded.connectTimeoutSeconds = min(connectTimeoutSeconds, max(1, Int(limit.seconds.rounded(.up))))
        return bounded
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
import IntakeSupport
#endif
