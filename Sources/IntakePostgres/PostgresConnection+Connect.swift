#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibPQ
import Foundation
import IntakeSupport

extension PostgresConnection {
    /// Opens the libpq connection: non-blocking start, `poll(2)` until done or
    /// `connectTimeoutSeconds` passed. Failures carry the server's SQLSTATE when it sent one,
    /// so that ``PostgresError/isConfigurationError`` can tell a wrong password from a server
    /// that is merely away.
    static func openConnection(_ configuration: PostgresConfiguration) throws -> OpaquePointer {
        try validateConninfo(configuration.conninfo)
        var keys = ["application_name", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                    "keepalives_count", "tcp_user_timeout"]
        // Dead peers and black-holed networks: keepalive probes after 15 s idle, and unacknowledged
        // data for 30 s, break the connection so the next statement reconnects. Before `dbname`
        // so that a URL's own settings override them.
        var values: [String?] = [configuration.applicationName, String(configuration.connectTimeoutSeconds), "1", "15", "5", "3", "30000"]
        if !configuration.conninfo.isEmpty {
            keys.append("dbname")
            values.append(configuration.conninfo)
        }
        if let database = configuration.database {
            // libpq expands only the first dbname as a conninfo; a second one is a plain name.
            keys.append("dbname")
            values.append(database)
        }
        let keyPointers = keys.map { strdup($0) }
        let valuePointers = values.map { $0.map { strdup($0) } ?? nil }
        defer {
            keyPointers.forEach { free($0) }
            valuePointers.forEach { free($0) }
        }
        let keyArray: [UnsafePointer<CChar>?] = keyPointers.map { UnsafePointer($0) } + [nil]
        let valueArray: [UnsafePointer<CChar>?] = valuePointers.map { $0.map { UnsafePointer($0) } } + [nil]
        guard let conn = PQconnectStartParams(keyArray, valueArray, 1) else {
            throw PostgresError(kind: .connection, message: "out of memory")
        }
        // Verbose messages carry the SQLSTATE ("FATAL:  28P01: …"); libpq has no other way to
        // report the code of a failed connection.
        PQsetErrorVerbosity(conn, PQERRORS_VERBOSE)
        do {
            try awaitConnection(conn, timeoutSeconds: configuration.connectTimeoutSeconds)
        } catch {
            PQfinish(conn)
            throw error
        }
        PQsetErrorVerbosity(conn, PQERRORS_DEFAULT)
        return conn
    }

    private static func awaitConnection(_ conn: OpaquePointer, timeoutSeconds: Int) throws {
        let deadline = ContinuousClock.now + .seconds(max(1, timeoutSeconds))
        var status = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING
        while true {
            switch status {
            case PGRES_POLLING_OK:
                return
            case PGRES_POLLING_FAILED:
                throw connectionFailure(String(cString: PQerrorMessage(conn)))
            default:
                let remaining = ContinuousClock.now.duration(to: deadline)
                guard remaining > .zero else {
                    throw PostgresError(kind: .connection, message: "timeout expired after \(timeoutSeconds) s while connecting")
                }
                let milliseconds = Int32(clamping: remaining.milliseconds + 1)
                var fd = pollfd(
                    fd: PQsocket(conn), events: Int16(status == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
                let ready = poll(&fd, 1, milliseconds)
                if ready < 0 && errno != EINTR {
                    throw PostgresError(kind: .connection, message: "poll failed: \(String(cString: strerror(errno)))")
                }
                if ready > 0 { status = PQconnectPoll(conn) }
            }
        }
    }

    /// A connection string that libpq cannot parse never works: a `.configuration` error, not
    /// one to wait out. Plain database names (no `=`, no URI scheme) are not conninfo.
    static func validateConninfo(_ conninfo: String) throws {
        let isURI = conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://")
        guard isURI || conninfo.contains("=") else { return }
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(conninfo, &errorMessage) {
            PQconninfoFree(options)
            return
        }
        let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
        if let errorMessage { PQfreemem(errorMessage) }
        throw PostgresError(kind: .configuration, message: "invalid connection string: \(scrub(reason))")
    }

    /// Turns libpq's verbose connection error into a `PostgresError` with the server's
    /// SQLSTATE, and its message in the usual form (without the code and `LOCATION:` lines).
    static func connectionFailure(_ verbose: String) -> PostgresError {
        var sqlState: String?
        var lines: [String] = []
        for line in verbose.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("LOCATION:") { continue }
            var text = String(line)
            if let match = text.firstMatch(of: #/(FATAL|ERROR|PANIC):  ([0-9A-Z]{5}): /#) {
                sqlState = sqlState ?? String(match.output.2)
                text.replaceSubrange(match.range, with: "\(match.output.1):  ")
            }
            lines.append(text)
        }
        return PostgresError(kind: .connection, sqlState: sqlState, message: scrub(lines.joined(separator: "\n")))
    }
}
