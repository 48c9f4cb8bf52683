import CLibPQ
import Foundation
import IntakeSupport
import Logging

/// One libpq connection, confined to its own thread.
///
/// The actor runs on a `ThreadExecutor`, so every blocking libpq call happens on that thread
/// and never on Swift's cooperative pool. Use a connection from one task at a time (the pool
/// guarantees this): an actor is reentrant across `await`s, and a transaction must not
/// interleave with another caller's statements.
public actor PostgresConnection {
    private let executor: ThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public let configuration: PostgresConfiguration
    let logger: Logger
    nonisolated(unsafe) var handle: OpaquePointer?
    /// SQL text → prepared statement name, per physical connection.
    var prepared: [String: String] = [:]
    private static let maxPrepared = 512
    /// Written to wake `waitForNotification` early (shutdown).
    let wakePipe: (read: Int32, write: Int32)
    /// Cuts the socket off when the server does not answer in time (`answerDeadline`).
    let answerDeadline = AnswerDeadline()
    /// Open `withTransaction` scopes: a connection lost inside one must not silently reconnect,
    /// or the rest of the transaction's statements would commit one by one.
    var transactionDepth = 0

    private init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.executor = ThreadExecutor(name: "pg-\(configuration.applicationName)")
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        }
        self.wakePipe = (fds[0], fds[1])
    }

    /// Opens a connection. Throws a retryable `PostgresError` of kind `.connection` when the
    /// server cannot be reached.
    public static func connect(
        configuration: PostgresConfiguration,
        logger: Logger = Logger(label: "intake.postgres")
    ) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration, logger: logger)
        do {
            try await connection.open()
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    deinit {
        if let handle { PQfinish(handle) }
        Glibc.close(wakePipe.read)
        Glibc.close(wakePipe.write)
        executor.shutdown()
    }

    /// Closes the connection and stops its thread.
    public func close() {
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
        prepared.removeAll()
    }

    public var isConnected: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server's process id for this session (`pg_backend_pid()`).
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    private func open() throws {
        let conn = try Self.openConnection(configuration)
        // libpq prints NOTICEs ("relation already exists, skipping") to stderr by default;
        // they are not errors and would break the one-JSON-object-per-line log.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        handle = conn
        prepared.removeAll()
        try configureSession()
    }

    private func configureSession() throws {
        // Fixed formats make decoding cheap and exact: UTC ISO timestamps, hex bytea.
        var script = "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; SET bytea_output TO 'hex'"
        if let limit = configuration.queryTimeout {
            script += "; SET statement_timeout TO \(max(1, limit.milliseconds))"
        }
        try execute(script: script)
    }

    /// Reconnects when the connection was lost (server restart, network). Callers retry
    /// with backoff on the `.connection` error this throws while the server is away.
    public func ensureConnected() throws {
        if let handle, PQstatus(handle) == CONNECTION_OK { return }
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
        if transactionDepth > 0 {
            throw PostgresError(kind: .connection, message: "connection lost inside a transaction; it was rolled back")
        }
        logger.info("reconnecting to PostgreSQL")
        try open()
    }

    // MARK: Statements

    /// Runs one parameterized statement and returns its rows. Statements are prepared once
    /// per connection and reused, which saves the parse and plan on hot paths.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> PostgresResult {
        try ensureConnected()
        let binds = parameters.map(\.postgresBind)
        return try withAnswerDeadline {
            let name = try preparedName(for: sql, parameterCount: binds.count)
            let result = withParameterArrays(binds) { values, lengths, formats in
                if let name {
                    return PQexecPrepared(handle, name, Int32(binds.count), values, lengths, formats, 0)
                }
                return PQexecParams(handle, sql, Int32(binds.count), nil, values, lengths, formats, 0)
            }
            return try check(result, statement: sql)
        }
    }

    /// Variadic convenience: `query("… WHERE id = $1", id)`.
    @discardableResult
    public func query(_ sql: String, _ first: any PostgresEncodable, _ rest: any PostgresEncodable...) throws
        -> PostgresResult
    {
        try query(sql, [first] + rest)
    }

    /// Runs a fixed multi-statement script with no parameters (DDL, migrations, SET).
    public func execute(script: String) throws {
        guard let handle else { throw PostgresError(kind: .connection, message: "not connected") }
        try withAnswerDeadline {
            let result = PQexec(handle, script)
            _ = try check(result, statement: script)
        }
    }

    /// Runs one round trip (or a COPY) under `configuration.answerDeadline`. When the server
    /// did not answer in time the connection is closed (the next statement reconnects) and the
    /// call throws a retryable `.connection` error.
    func withAnswerDeadline<T>(_ body: () throws -> T) throws -> T {
        guard let limit = configuration.answerDeadline, let handle else { return try body() }
        answerDeadline.arm(socket: PQsocket(handle), after: limit)
        let result = Result { try body() }
        guard answerDeadline.disarm() else { return try result.get() }
        // The socket is shut down: even an answer that slipped in just before is the last one.
        close()
        if case .success(let value) = result { return value }
        logger.warning("PostgreSQL did not answer in time; connection dropped", metadata: ["deadline": "\(limit)"])
        throw PostgresError(
            kind: .connection,
            message: "PostgreSQL did not answer within \(limit) (server stopped or network down); the connection was dropped")
    }

    /// Quotes an identifier that must be spliced into SQL (a table or channel name).
    public func quoteIdentifier(_ identifier: String) throws -> String {
        try ensureConnected()
        guard let escaped = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError(kind: .client, message: "cannot quote identifier")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    private func preparedName(for sql: String, parameterCount: Int) throws -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < Self.maxPrepared else { return nil }
        let name = "intake_\(prepared.count)"
        let result = PQprepare(handle, name, sql, Int32(parameterCount), nil)
        _ = try check(result, statement: sql)
        prepared[sql] = name
        return name
    }

    func check(_ result: OpaquePointer?, statement: String?) throws -> PostgresResult {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let error = PostgresError.from(result: result, connection: handle, statement: statement)
            if let result { PQclear(result) }
            if error.kind == .connection { prepared.removeAll() }
            throw error
        }
    }

    /// Removes a password from a libpq message before it can reach a log.
    static func scrub(_ message: String) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if let range = text.range(of: #"://[^:/@\s]+:[^@\s]+@"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "://***@")
        }
        return text
    }
}

/// Converts parameters to the C arrays libpq wants, valid for the duration of `body`.
func withParameterArrays<T>(
    _ binds: [PostgresBind],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T
) -> T {
    if binds.isEmpty { return body(nil, nil, nil) }
    var storage: [UnsafeMutableRawPointer?] = []
    storage.reserveCapacity(binds.count)
    var lengths = [Int32](repeating: 0, count: binds.count)
    var formats = [Int32](repeating: 0, count: binds.count)
    for (index, bind) in binds.enumerated() {
        switch bind {
        case .null:
            storage.append(nil)
        case .text(let text):
            storage.append(UnsafeMutableRawPointer(strdup(text)))
        case .binary(let bytes):
            let buffer = malloc(max(bytes.count, 1))!
            bytes.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) } }
            storage.append(buffer)
            lengths[index] = Int32(bytes.count)
            formats[index] = 1
        }
    }
    defer { storage.forEach { $0.map { free($0) } } }
    let values: [UnsafePointer<CChar>?] = storage.map { $0.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) } }
    return values.withUnsafeBufferPointer { v in
        lengths.withUnsafeBufferPointer { l in
            formats.withUnsafeBufferPointer { f in body(v.baseAddress, l.baseAddress, f.baseAddress) }
        }
    }
}
