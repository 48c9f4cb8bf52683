import Logging

/// A fixed-size set of connections, each leased to one task at a time.
///
/// Connections open lazily. A connection that broke (server restart) is handed out as is and
/// reconnects on its next statement (`ensureConnected`), so the pool itself never has to be
/// rebuilt after an outage.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    public let size: Int
    private let state: PoolState
    private let logger: Logger

    public init(configuration: PostgresConfiguration, size: Int, logger: Logger = Logger(label: "intake.postgres")) {
        precondition(size > 0, "pool size must be positive")
        self.configuration = configuration
        self.size = size
        self.logger = logger
        self.state = PoolState(limit: size)
    }

    /// Leases a connection for the duration of `body`.
    public func withConnection<T: Sendable>(
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await lease()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Leases a connection and runs `body` in a transaction on it.
    public func withTransaction<T: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try await connection.withTransaction(body)
        }
    }

    /// Runs one statement on a leased connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) async throws -> PostgresResult {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    public func lease() async throws -> PostgresConnection {
        switch await state.acquire() {
        case .existing(let connection):
            return connection
        case .create:
            do {
                return try await PostgresConnection.connect(configuration: configuration, logger: logger)
            } catch {
                await state.failedToCreate()
                throw error
            }
        }
    }

    public func release(_ connection: PostgresConnection) async {
        // A connection left inside a transaction (a cancelled task) must not leak it to the
        // next user.
        if await connection.inTransaction {
            await connection.rollbackQuietly()
        }
        await state.release(connection)
    }

    /// Closes idle connections; leased ones close when released afterwards.
    public func close() async {
        for connection in await state.drain() {
            await connection.close()
        }
    }
}

private actor PoolState {
    enum Acquired {
        case existing(PostgresConnection)
        case create
    }

    let limit: Int
    var idle: [PostgresConnection] = []
    var opened = 0
    var closed = false
    var waiters: [CheckedContinuation<Acquired, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async -> Acquired {
        if let connection = idle.popLast() { return .existing(connection) }
        if opened < limit {
            opened += 1
            return .create
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ connection: PostgresConnection) async {
        if closed {
            opened -= 1
            await connection.close()
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: .existing(connection))
        } else {
            idle.append(connection)
        }
    }

    func failedToCreate() {
        // Let a waiter try to open the connection that failed; it may succeed later.
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: .create)
        } else {
            opened -= 1
        }
    }

    func drain() -> [PostgresConnection] {
        closed = true
        let connections = idle
        opened -= idle.count
        idle.removeAll()
        return connections
    }
}
