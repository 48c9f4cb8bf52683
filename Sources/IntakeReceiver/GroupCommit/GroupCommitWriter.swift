import IntakePostgres
import IntakeSupport
import Logging
import ServiceLifecycle
import Synchronization

/// Records deliveries in shared commits.
///
/// Requests queue their drafts; each of a few writers, whenever it is free, takes everything
/// queued (up to `maxBatch`) and writes it in one statement on its own connection, then
/// answers each request. A batch therefore closes when it is full or when a writer frees up:
/// at low load a request is written at once, under load requests that arrive during one
/// commit share the next — no timer adds latency. With two writers one batch is being
/// committed while the next is sent.
///
/// Nobody is answered 2xx before their row is committed; if the database cannot be reached the
/// batch's requests get ``DeliveryStoreUnavailable``. Nobody waits longer than
/// `Settings.requestTimeout` either: a database that stops answering (frozen, black-holed)
/// would otherwise hold every request, so a reaper answers overdue requests
/// ``DeliveryStoreUnavailable`` while the writer's own connection deadline frees the writer.
/// Such a request's row may still commit later; the sender's retry then gets 200 duplicate.
public final class GroupCommitWriter: Service, Sendable {
    public struct Settings: Sendable {
        /// Concurrent writers, each with its own connection.
        public var writers: Int
        /// Most drafts per statement.
        public var maxBatch: Int
        /// After a failed connection attempt, requests fail at once for this long instead of
        /// each waiting for another attempt.
        public var reconnectBackoff: Duration
        /// Longest a request waits for its commit before it is answered unavailable.
        public var requestTimeout: Duration

        public init(
            writers: Int = 2, maxBatch: Int = 256, reconnectBackoff: Duration = .milliseconds(250),
            requestTimeout: Duration = .seconds(3)
        ) {
            self.writers = max(1, writers)
            self.maxBatch = max(1, maxBatch)
            self.reconnectBackoff = reconnectBackoff
            self.requestTimeout = max(requestTimeout, .milliseconds(100))
        }
    }

    struct Entry {
        var draft: DeliveryDraft
        var reply: PendingReply
    }

    struct State: ~Copyable {
        var queue: [Entry] = []
        /// Every request not known to be answered, in arrival (hence deadline) order.
        var watched: [PendingReply] = []
        var watchedHead = 0
        var sleepers: [CheckedContinuation<Void, Never>] = []
        var stopped = false
        var downUntil: ContinuousClock.Instant?
    }

    let settings: Settings
    let configuration: PostgresConfiguration
    let observer: any GroupCommitObserver
    let logger: Logger
    private let state = Mutex(State())

    public init(
        configuration: PostgresConfiguration, settings: Settings = Settings(),
        observer: any GroupCommitObserver = NoGroupCommitObserver(), logger: Logger
    ) {
        // The writers' connections give up no later than the requests they serve, so that a
        // writer stuck on a silent server comes back to reconnect.
        self.configuration = configuration.bounded(by: settings.requestTimeout)
        self.settings = settings
        self.observer = observer
        self.logger = logger
    }

    /// Records `draft` and returns once its row is committed (or was already there).
    public func record(_ draft: DeliveryDraft) async throws -> RecordedDelivery {
        try await withCheckedThrowingContinuation { continuation in
            let reply = PendingReply(continuation, deadline: ContinuousClock.now + settings.requestTimeout)
            let outcome = state.withLock { state -> (refuse: (any Error)?, wake: CheckedContinuation<Void, Never>?) in
                if state.stopped { return (DeliveryStoreUnavailable("the receiver is shutting down"), nil) }
                if let until = state.downUntil, ContinuousClock.now < until {
                    return (DeliveryStoreUnavailable("the database is unreachable"), nil)
                }
                state.queue.append(Entry(draft: draft, reply: reply))
                state.watched.append(reply)
                return (nil, state.sleepers.popLast())
            }
            if let refuse = outcome.refuse {
                reply.answer(.failure(refuse))
            } else {
                outcome.wake?.resume()
            }
        }
    }

    /// Runs the writers until graceful shutdown (or cancellation), then writes what is still
    /// queued and returns.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await runWriters()
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Runs the writers until ``stop()``: for an owner that decides itself when no more
    /// drafts can arrive (the receiver stops them after its last connection closed).
    public func runWriters() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.answerOverdue() }
            await withTaskGroup(of: Void.self) { writers in
                for index in 0..<settings.writers {
                    writers.addTask { await self.runWriter(index) }
                }
            }
            group.cancelAll()
        }
    }

    /// Stops taking drafts; writers finish the queue and return.
    public func stop() {
        let sleepers = state.withLock { state in
            state.stopped = true
            defer { state.sleepers.removeAll() }
            return state.sleepers
        }
        for sleeper in sleepers { sleeper.resume() }
    }

    private func runWriter(_ index: Int) async {
        var connection: PostgresConnection?
        while true {
            let batch = state.withLock { state -> [Entry]? in
                if state.queue.isEmpty { return state.stopped ? nil : [] }
                let count = min(state.queue.count, settings.maxBatch)
                let taken = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return taken
            }
            guard let batch else { break }
            if batch.isEmpty {
                await waitForWork()
                continue
            }
            // Requests already answered unavailable (overdue) are not written: their senders retry.
            let live = batch.filter { !$0.reply.isAnswered }
            if !live.isEmpty { connection = await write(live, on: connection) }
        }
        await connection?.close()
    }

    private func waitForWork() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if !state.queue.isEmpty || state.stopped { return true }
                state.sleepers.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Writes one batch and answers its requests; returns the connection to use next.
    private func write(_ batch: [Entry], on existing: PostgresConnection?) async -> PostgresConnection? {
        let connection: PostgresConnection
        do {
            if let existing {
                connection = existing
            } else {
                connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
            }
        } catch {
            fail(batch, error: error, markDown: true)
            return nil
        }
        let started = ContinuousClock.now
        do {
            let results = try await DeliveryBatch.write(batch.map(\.draft), on: connection)
            observer.batchCommitted(size: batch.count, seconds: (ContinuousClock.now - started).seconds)
            for (entry, result) in zip(batch, results) { entry.reply.answer(.success(result)) }
            return connection
        } catch let error as PostgresError
            where error.kind == .server && !error.isRetryable && error.sqlState != "57014" && batch.count > 1
        {
            // The server refused the statement for something in the data: write the drafts one
            // by one so that one bad request does not fail the others.
            logger.warning("batch refused; writing its deliveries one by one", metadata: ["error": "\(error)"])
            var current: PostgresConnection? = connection
            for entry in batch where !entry.reply.isAnswered { current = await write([entry], on: current) }
            return current
        } catch {
            let lost = !(await connection.isConnected)
            fail(batch, error: error, markDown: lost)
            if lost {
                await connection.close()
                return nil
            }
            return connection
        }
    }

    private func fail(_ batch: [Entry], error: any Error, markDown: Bool) {
        observer.batchFailed(size: batch.count)
        logger.warning(
            "cannot record deliveries",
            metadata: ["batch.size": "\(batch.count)", "error": "\(error)"])
        if markDown {
            state.withLock { $0.downUntil = ContinuousClock.now + settings.reconnectBackoff }
        }
        let reason = (error as? DeliveryStoreUnavailable)?.reason ?? "the database is unavailable"
        for entry in batch { entry.reply.answer(.failure(DeliveryStoreUnavailable(reason))) }
    }

    /// Answers requests whose deadline passed before their commit, until cancelled.
    private func answerOverdue() async {
        let tick = min(max(settings.requestTimeout / 10, .milliseconds(10)), .milliseconds(250))
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let overdue = state.withLock { state -> [PendingReply] in
                var overdue: [PendingReply] = []
                while state.watchedHead < state.watched.count {
                    let reply = state.watched[state.watchedHead]
                    let answered = reply.isAnswered
                    if !answered && reply.deadline > now { break }
                    if !answered { overdue.append(reply) }
                    state.watchedHead += 1
                }
                if state.watchedHead > 1024 && state.watchedHead * 2 > state.watched.count {
                    state.watched.removeFirst(state.watchedHead)
                    state.watchedHead = 0
                }
                return overdue
            }
            guard !overdue.isEmpty else { continue }
            let error = DeliveryStoreUnavailable("the database did not answer within \(settings.requestTimeout)")
            let late = overdue.filter { $0.answer(.failure(error)) }.count
            if late > 0 {
                logger.warning("requests answered unavailable after their deadline", metadata: ["requests": "\(late)"])
            }
        }
    }
}

/// One request's answer, given once: by a writer after the commit, or unavailable by the
/// reaper when the deadline came first (whoever is second is ignored).
final class PendingReply: Sendable {
    let deadline: ContinuousClock.Instant
    private let continuation: Mutex<CheckedContinuation<RecordedDelivery, any Error>?>

    init(_ continuation: CheckedContinuation<RecordedDelivery, any Error>, deadline: ContinuousClock.Instant) {
        self.continuation = Mutex(continuation)
        self.deadline = deadline
    }

    var isAnswered: Bool { continuation.withLock { $0 == nil } }

    /// Returns whether this call gave the answer.
    @discardableResult
    func answer(_ result: Result<RecordedDelivery, any Error>) -> Bool {
        guard let continuation = continuation.withLock({ $0.take() }) else { return false }
        continuation.resume(with: result)
        return true
    }
}
