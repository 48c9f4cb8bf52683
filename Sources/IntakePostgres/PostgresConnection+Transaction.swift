import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// `body` is isolated to the connection, so its statements run on the connection's thread
    /// without a hop per statement.
    public func withTransaction<T: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) async throws -> T
    ) async throws -> T {
        try ensureConnected()
        try execute(script: "BEGIN")
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let value: T
        do {
            value = try await body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        try execute(script: "COMMIT")
        return value
    }

    /// Runs `body` on the connection's thread without a transaction: each statement commits
    /// by itself, and the statements run without a hop between them.
    public func withIsolation<T: Sendable>(
        _ body: @Sendable (isolated PostgresConnection) async throws -> T
    ) async throws -> T {
        try await body(self)
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to when it
    /// throws, leaving the surrounding transaction usable.
    public func withSavepoint<T: Sendable>(
        _ name: String = "intake_sp",
        _ body: @Sendable (isolated PostgresConnection) async throws -> T
    ) async throws -> T {
        let quoted = try quoteIdentifier(name)
        try execute(script: "SAVEPOINT \(quoted)")
        let value: T
        do {
            value = try await body(self)
        } catch {
            if isConnected {
                do {
                    try execute(script: "ROLLBACK TO SAVEPOINT \(quoted)")
                } catch let rollbackError {
                    logger.warning("rollback to savepoint failed", metadata: ["error": "\(rollbackError)"])
                }
            }
            throw error
        }
        try execute(script: "RELEASE SAVEPOINT \(quoted)")
        return value
    }

    /// Whether a transaction is open (or failed and awaiting ROLLBACK).
    public var inTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    func rollbackQuietly() {
        guard isConnected, inTransaction else { return }
        do {
            try execute(script: "ROLLBACK")
        } catch {
            logger.warning("rollback failed", metadata: ["error": "\(error)"])
        }
    }
}
