import CLibPQ

/// An error from PostgreSQL or libpq, with the SQLSTATE and a class the runtime acts on.
///
/// `description` carries the server's message (what a person needs); the server's `detail`,
/// which may quote row values, is only in `debugDescription`.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// Could not connect, or the connection broke.
        case connection
        /// The server rejected a statement (has a SQLSTATE).
        case server
        /// The client misused the API or could not decode a value.
        case client
        /// The connection settings cannot work as written (a malformed URL): never retryable.
        case configuration
    }

    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// Which statement failed, for logs (no parameter values).
    public var statement: String?

    public init(
        kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        statement: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    /// Whether trying again later can succeed: the connection (class 08), serialization failure
    /// (40001), deadlock (40P01), a statement or lock timeout (57014, 55P03: the deadlines of
    /// docs/ARCHITECTURE.md, which a busy or briefly frozen server trips), the server shutting
    /// down or restarting (57P01–57P03) and insufficient resources (class 53). Everything else
    /// is permanent.
    public var isRetryable: Bool {
        if kind == .connection { return true }
        guard let code = sqlState else { return false }
        if code.hasPrefix("08") || code.hasPrefix("53") { return true }
        return ["40001", "40P01", "57014", "55P03", "57P01", "57P02", "57P03"].contains(code)
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// Whether the connection settings themselves are wrong, so that waiting cannot help: a
    /// malformed URL, a wrong password (28P01), an unknown role or a refused `pg_hba.conf` entry
    /// (28000), an unknown database (3D000). A server that is down, refuses connections or
    /// times out is not: it may come back. At runtime these stay retryable (credentials may be
    /// rotated under a running process); at start-up they end the process.
    public var isConfigurationError: Bool {
        if kind == .configuration { return true }
        guard kind == .connection, let code = sqlState else { return false }
        return ["28000", "28P01", "3D000"].contains(code)
    }

    public var description: String {
        var text = "PostgreSQL \(kind.rawValue) error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    public var debugDescription: String {
        var text = description
        if let detail { text += "; detail: \(detail)" }
        if let statement { text += "; statement: \(statement.prefix(200))" }
        return text
    }

    static func from(result: OpaquePointer?, connection: OpaquePointer?, statement: String?) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let sqlState = field(Int32(UInt8(ascii: "C")))
        var message = field(Int32(UInt8(ascii: "M")))
        if message == nil, let connection, let text = PQerrorMessage(connection) {
            message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let broken = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PostgresError(
            kind: sqlState == nil && broken ? .connection : (sqlState == nil ? .client : .server),
            sqlState: sqlState,
            message: message ?? "unknown error",
            detail: field(Int32(UInt8(ascii: "D"))),
            hint: field(Int32(UInt8(ascii: "H"))),
            statement: statement
        )
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}

extension Set where Element == Character {
    fileprivate static let whitespacesAndNewlines: Set<Character> = [" ", "\n", "\r", "\t"]
}
