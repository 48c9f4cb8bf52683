import Foundation
import IntakePostgres
import IntakeSupport
import Logging
import Synchronization

/// The consumer loop over any ``QueueDriver``: claim a batch, run each message's handler,
/// let ``Verdict`` decide, settle the batch in one call, hand back what was not started when
/// stopping. Leases are renewed while the batch runs.
///
/// The in-memory queue runs on it; `TableConsumer` and `SQSConsumer` still have loops of
/// their own (transactions shared with handlers, visibility heartbeats, batched deletes) and
/// share the decision, the attempt record and the dead-letter writer with it.
public final class ConsumerLoop<Driver: QueueDriver>: Sendable {
    public let driver: Driver
    let registry: HandlerRegistry
    let policies: RetryPolicies
    let pool: PostgresPool
    let workerID: String
    let batch: Int
    let lease: Duration
    let logger: Logger
    let now: @Sendable () -> Date
    private let stopping = Atomic<Bool>(false)

    /// `pool` is handed to handlers in their context; the loop itself never uses it.
    public init(
        driver: Driver, registry: HandlerRegistry, policies: RetryPolicies, pool: PostgresPool, workerID: String,
        batch: Int = 32, lease: Duration = .seconds(60), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.driver = driver
        self.registry = registry
        self.policies = policies
        self.pool = pool
        self.workerID = workerID
        self.batch = batch
        self.lease = lease
        self.logger = logger
        self.now = now
    }

    /// Stop claiming; the message in hand finishes, the rest of the batch is released.
    public func stop() { stopping.store(true, ordering: .sequentiallyConsistent) }
    public var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Claims, handles and settles one batch; returns how many messages it claimed.
    @discardableResult
    public func processOneBatch() async throws -> Int {
        let claims = try await driver.claim(max: batch, lease: lease)
        guard !claims.isEmpty else { return 0 }
        var settled: [Settled<Driver.Receipt>] = []
        var released: [Driver.Receipt] = []
        for (index, claim) in claims.enumerated() {
            if isStopping {
                released = claims[index...].map(\.receipt)
                break
            }
            // The lease of what is still held runs from now, not from the claim.
            try await driver.renew(claims[index...].map(\.receipt), lease: lease)
            settled.append(Settled(claim: claim, verdict: await handle(claim.message)))
        }
        try await driver.settle(settled)
        if !released.isEmpty { try await driver.release(released) }
        return claims.count
    }

    /// Runs the handler and decides; never throws (a thrown error is an outcome).
    func handle(_ message: Message) async -> Verdict {
        let policy = policies.policy(for: message.handler)
        var attempt = Verdict.Attempt(number: message.attempt, worker: workerID, handler: message.handler, at: now())
        guard let handler = registry.handler(named: message.handler) else {
            return Verdict.decide(
                .permanentFailure(reason: "no handler named \(message.handler) in this build"),
                errorClass: "UnknownHandler", attempt: attempt, policy: policy)
        }
        if let exhausted = Verdict.beforeRunning(attempt: attempt, policy: policy) { return exhausted }
        var logger = self.logger
        logger[metadataKey: "message.id"] = "\(message.id)"
        logger[metadataKey: "handler"] = "\(handler.name)"
        let context = HandlerContext(logger: logger, transaction: nil, pool: pool, workerID: workerID)
        let (outcome, errorClass) = await HandlerOutcome.catching { try await handler.handle(message, context: context) }
        attempt.at = now()
        return Verdict.decide(outcome, errorClass: errorClass, attempt: attempt, policy: policy)
    }
}
