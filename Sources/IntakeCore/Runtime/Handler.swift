import Logging
import IntakePostgres

/// What a handler decided.
public enum HandlerOutcome: Sendable {
    /// Done; the summary is stored as the row's `result`.
    case success(result: PostgresJSON? = nil)
    /// Try again later: after `delay` when given (e.g. honouring `Retry-After`), else after the
    /// retry policy's backoff for this attempt.
    case retry(reason: String, delay: Duration? = nil)
    /// Cannot succeed: dead-lettered now, with `result` stored on the row when given.
    case permanentFailure(reason: String, result: PostgresJSON? = nil)

    public static var success: HandlerOutcome { .success(result: nil) }
}

/// How a handler's database writes relate to the completion of its row (table sources).
public enum TransactionMode: Sendable {
    /// No database writes: runs outside any transaction; completion is batched.
    case none
    /// Writes through `context.transaction`, which commits together with the row's new status
    /// (inside a savepoint, so one failure does not undo its neighbours).
    case shared
    /// Manages its own transactions (long imports committing chunk by chunk).
    case own
}

/// Everything a handler may use besides its message.
public struct HandlerContext: Sendable {
    public var logger: Logger
    /// The open transaction the row's completion commits in (`.shared` mode, table sources).
    public var transaction: PostgresConnection?
    /// For `.own` handlers and reads outside the shared transaction.
    public var pool: PostgresPool
    /// The worker's identity, as stored in `locked_by` and error histories.
    public var workerID: String

    public init(logger: Logger, transaction: PostgresConnection?, pool: PostgresPool, workerID: String) {
        self.logger = logger
        self.transaction = transaction
        self.pool = pool
        self.workerID = workerID
    }

    /// The shared transaction; a programming error to ask for it in another mode.
    public func requireTransaction() throws -> PostgresConnection {
        guard let transaction else {
            throw PermanentError("handler needs the shared transaction but runs without one")
        }
        return transaction
    }
}

/// A strategy: turns one message into database writes (or an outgoing call).
///
/// Handlers are idempotent: every source may deliver a message more than once.
public protocol Handler: Sendable {
    /// The registry name used in configuration (`csv.pharmacy_claims`).
    var name: String { get }
    var transactionMode: TransactionMode { get }
    func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome
}

extension Handler {
    public var transactionMode: TransactionMode { .shared }
}

/// Handlers by name. Adding a strategy is one type plus one `register` line.
public struct HandlerRegistry: Sendable {
    private var handlers: [String: any Handler] = [:]

    public init(_ handlers: [any Handler] = []) {
        for handler in handlers { register(handler) }
    }

    public mutating func register(_ handler: any Handler) {
        handlers[handler.name] = handler
    }

    public func handler(named name: String) -> (any Handler)? { handlers[name] }
    public var names: [String] { handlers.keys.sorted() }
}

/// Succeeds at once: for benchmarks and smoke tests.
public struct NoopHandler: Handler {
    public init() {}
    public var name: String { "builtin.noop" }
    public var transactionMode: TransactionMode { .none }
    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome { .success }
}
