import Foundation
import IntakePostgres
import IntakeSupport
import Logging
import ServiceLifecycle
import Synchronization

/// Consumes a table-backed queue (`intake.deliveries` or `intake.jobs`).
///
/// `concurrency` lanes each own a connection and loop: claim up to `batch` due rows in one
/// statement (`FOR UPDATE SKIP LOCKED`), run their handlers one by one inside one transaction
/// (a savepoint per `.shared` handler, so one failure does not undo its neighbours), write
/// every outcome back in a few set-based statements and commit. The handlers' writes and the
/// rows' completion therefore commit together, and a batch costs a handful of round trips
/// and one WAL flush instead of several per message.
public final class TableConsumer: Service, Sendable {
    public let table: QueueTable
    let settings: ConsumerSettings
    let registry: HandlerRegistry
    let policies: RetryPolicies
    let pool: PostgresPool
    let workerID: String
    /// Maps a row's topic (source or kind) to a handler name; nil: no route configured.
    let route: @Sendable (String) -> String?
    let doorbell: Doorbell
    let logger: Logger
    let observer: any ConsumerObserver
    let leases: LeaseKeeper
    private let stopping = Atomic<Bool>(false)
    /// Rung once, on stop: cuts the timers of the sweeper and the lease keeper short.
    private let stopBell = Doorbell()

    public init(
        table: QueueTable, settings: ConsumerSettings, registry: HandlerRegistry, policies: RetryPolicies,
        pool: PostgresPool, workerID: String, doorbell: Doorbell = Doorbell(), logger: Logger,
        observer: any ConsumerObserver = NoObserver(), route: @escaping @Sendable (String) -> String?
    ) {
        self.table = table
        self.settings = settings
        self.registry = registry
        self.policies = policies
        self.pool = pool
        self.workerID = workerID
        self.route = route
        self.doorbell = doorbell
        self.logger = logger
        self.observer = observer
        self.leases = LeaseKeeper(table: table, pool: pool, workerID: workerID, leaseSeconds: settings.leaseSeconds,
                                  logger: logger, observer: observer)
    }

    /// Stop claiming; lanes finish the message in hand, hand back the rest, and return.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        stopBell.ring()
        doorbell.ring()
    }

    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.leases.run(stopBell: self.stopBell, until: { self.isStopping }) }
                group.addTask { await self.sweepExpiredLeases() }
                for lane in 0..<settings.concurrency {
                    group.addTask { await self.runLane(lane) }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        logger.info("consumer stopped", metadata: ["origin": "\(table.origin.rawValue)"])
    }

    // MARK: Lanes

    private func runLane(_ lane: Int) async {
        var failures = 0
        guard let connection = await leaseConnection() else { return }
        while !isStopping {
            let seen = doorbell.generation
            do {
                let claimed = try await processOneBatch(on: connection)
                failures = 0
                if claimed == 0 {
                    await doorbell.wait(after: seen, timeout: settings.idleWait)
                }
            } catch {
                failures += 1
                let wait = RetryPolicy.backoff(base: .milliseconds(200), cap: .seconds(5)).delay(afterAttempt: failures)
                logger.warning(
                    "lane failed; backing off",
                    metadata: ["lane": "\(lane)", "error": "\(error)", "backoff_ms": "\(wait.milliseconds)"])
                try? await Task.sleep(for: wait)
            }
        }
        await pool.release(connection)
    }

    private func leaseConnection() async -> PostgresConnection? {
        var failures = 0
        while !isStopping {
            do {
                return try await pool.lease()
            } catch {
                failures += 1
                logger.warning("cannot reach PostgreSQL; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: RetryPolicy.backoff(base: .milliseconds(200), cap: .seconds(5)).delay(afterAttempt: failures))
            }
        }
        return nil
    }

    /// Claims, handles and settles one batch. Returns how many rows it claimed.
    func processOneBatch(on connection: PostgresConnection) async throws -> Int {
        let claimed = try await claim(on: connection)
        if claimed.isEmpty { return 0 }
        let ids = claimed.map(\.rowID)
        leases.hold(ids)
        defer { leases.drop(ids) }
        observer.inFlightChanged(origin: table.origin, delta: claimed.count)
        defer { observer.inFlightChanged(origin: table.origin, delta: -claimed.count) }

        let handlers = claimed.map { route($0.message.topic).flatMap { registry.handler(named: $0) } }
        let needsTransaction = handlers.contains { $0?.transactionMode == .shared }
        let batch = Batch(consumer: self, claimed: claimed, handlers: handlers)
        do {
            if needsTransaction {
                try await connection.withTransaction { connection in
                    let settlement = await batch.run(transaction: connection)
                    try settlement.apply(on: connection, table: self.table, worker: self.workerID)
                }
            } else {
                let settlement = await batch.run(transaction: nil)
                if settlement.statementCount <= 1 {
                    // One statement commits by itself: no BEGIN/COMMIT round trips.
                    try await connection.withIsolation { connection in
                        try settlement.apply(on: connection, table: self.table, worker: self.workerID)
                    }
                } else {
                    try await connection.withTransaction { connection in
                        try settlement.apply(on: connection, table: self.table, worker: self.workerID)
                    }
                }
            }
        } catch {
            // Nothing was committed: hand the rows back rather than wait for their leases.
            if await connection.isConnected {
                _ = try? await connection.query(table.releaseSQL, [PostgresArray(ids), workerID])
            }
            throw error
        }
        if claimed.count == settings.batch { doorbell.ring() }
        return claimed.count
    }

    struct Claimed: Sendable {
        var rowID: Int64
        var message: Message
    }

    private func claim(on connection: PostgresConnection) async throws -> [Claimed] {
        let rows = try await connection.query(
            table.claimSQL, [workerID, settings.leaseSeconds, settings.batch])
        return try rows.map { row in
            let id = try row.decode(Int64.self, at: 0)
            let topic = try row.decode(String.self, at: 1)
            let body = try row.decode([UInt8].self, at: 2)
            let headersText = try row.decode(String.self, at: 3)
            var attributes: [String: String] = [:]
            if headersText != "{}", let object = try? JSONSerialization.jsonObject(with: Data(headersText.utf8)) as? [String: Any] {
                for (key, value) in object { attributes[key] = "\(value)" }
            }
            let message = Message(
                origin: table.origin, id: String(id), handler: route(topic) ?? "", attempt: try row.decode(Int.self, at: 4),
                body: body, attributes: attributes, topic: topic)
            return Claimed(rowID: id, message: message)
        }
    }

    private func sweepExpiredLeases() async {
        while !isStopping {
            do {
                let reclaimed = try await pool.withConnection { try await $0.query(self.table.reclaimExpiredSQL) }
                if reclaimed.affectedRows > 0 {
                    logger.warning(
                        "reclaimed rows whose lease expired", metadata: ["count": "\(reclaimed.affectedRows)"])
                    doorbell.ring()
                }
            } catch {
                logger.warning("lease sweep failed", metadata: ["error": "\(error)"])
            }
            await stopBell.wait(after: 0, timeout: settings.sweepInterval)
            // The sweep also wakes idle lanes: due retries and missed notifications get claimed.
            doorbell.ring()
        }
    }
}
