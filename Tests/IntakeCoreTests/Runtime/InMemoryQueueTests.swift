import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport
import Logging
import Synchronization
import Testing

/// A handler whose outcome for each attempt the test scripts.
struct ScriptedHandler: Handler {
    let name: String
    let script: @Sendable (Message) async throws -> HandlerOutcome
    var transactionMode: TransactionMode { .none }
    func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome { try await script(message) }
}

@Suite("Runtime: the consumer loop over the in-memory queue")
struct InMemoryQueueTests {
    /// Never connected: handlers here do not touch the database.
    static let pool = PostgresPool(configuration: PostgresConfiguration(conninfo: "host=/nonexistent"), size: 1)

    func loop(
        _ queue: InMemoryQueue, _ handlers: [any Handler], policy: RetryPolicy, batch: Int = 10,
        lease: Duration = .seconds(30), worker: String = "w1"
    ) -> ConsumerLoop<InMemoryQueue> {
        ConsumerLoop(
            driver: queue, registry: HandlerRegistry(handlers), policies: RetryPolicies(defaultPolicy: policy),
            pool: Self.pool, workerID: worker, batch: batch, lease: lease, logger: Logger(label: "test"),
            now: { queue.date(at: .zero) })
    }

    @Test func retriesAfterItsBackoffThenSucceeds() async throws {
        let queue = InMemoryQueue()
        let id = await queue.enqueue(handler: "flaky")
        let handler = ScriptedHandler(name: "flaky") { message in
            message.attempt < 3 ? .retry(reason: "try \(message.attempt)", delay: .seconds(10)) : .success
        }
        let consumer = loop(queue, [handler], policy: RetryPolicy(maxAttempts: 5))
        #expect(try await consumer.processOneBatch() == 1)
        // Not due before its wait is over.
        await queue.advance(by: .seconds(9))
        #expect(try await consumer.processOneBatch() == 0)
        await queue.advance(by: .seconds(1))
        #expect(try await consumer.processOneBatch() == 1)
        await queue.advance(by: .seconds(10))
        #expect(try await consumer.processOneBatch() == 1)
        let entry = try #require(await queue.entry(id))
        #expect(entry.status == .succeeded)
        #expect(entry.attempts == 3)
        #expect(entry.history.map(\.message) == ["try 1", "try 2"])
        #expect(entry.history.map(\.retryIn) == [.seconds(10), .seconds(10)])
        #expect(await queue.deadLetters.isEmpty)
    }

    @Test func exhaustedRetriesEndInOneDeadLetterWithTheWholeHistory() async throws {
        let queue = InMemoryQueue()
        let id = await queue.enqueue(handler: "down")
        let handler = ScriptedHandler(name: "down") { _ in throw RetryableError("connection refused") }
        let consumer = loop(queue, [handler], policy: RetryPolicy(maxAttempts: 3, base: .seconds(1), cap: .seconds(1)))
        for _ in 1...3 {
            #expect(try await consumer.processOneBatch() == 1)
            await queue.advance(by: .seconds(1))
        }
        #expect(try await consumer.processOneBatch() == 0)
        let entry = try #require(await queue.entry(id))
        #expect(entry.status == .dead)
        #expect(entry.history.map(\.attempt) == [1, 2, 3])
        #expect(entry.history.map(\.errorClass) == ["RetryableError", "RetryableError", "RetryableError"])
        #expect(entry.history.last?.retryIn == nil)
        #expect(entry.history.allSatisfy { $0.retryable })
        #expect(await queue.deadLetters == [id])
    }

    @Test func aPermanentFailureIsDeadOnItsFirstAttempt() async throws {
        let queue = InMemoryQueue()
        let bad = await queue.enqueue(handler: "strict", body: Array("not json".utf8))
        let good = await queue.enqueue(handler: "strict")
        let handler = ScriptedHandler(name: "strict") { message in
            _ = try message.jsonObject()
            return .success
        }
        let unknown = await queue.enqueue(handler: "nobody")
        let consumer = loop(queue, [handler], policy: RetryPolicy(maxAttempts: 8))
        #expect(try await consumer.processOneBatch() == 3)
        #expect(await queue.entry(good)?.status == .succeeded)
        let entry = try #require(await queue.entry(bad))
        #expect(entry.status == .dead)
        #expect(entry.attempts == 1)
        #expect(entry.history.map(\.errorClass) == ["PermanentError"])
        #expect(await queue.entry(unknown)?.history.map(\.errorClass) == ["UnknownHandler"])
        #expect(await queue.deadLetters == [bad, unknown])
    }

    @Test func anExpiredLeaseComesBackAsTheNextAttemptAndTheLateSettlementIsIgnored() async throws {
        let queue = InMemoryQueue()
        let id = await queue.enqueue(handler: "slow")
        // A worker claims it and dies (never settles).
        let lost = await queue.claim(max: 1, lease: .seconds(30))
        #expect(lost.count == 1)
        await queue.advance(by: .seconds(29))
        let consumer = loop(queue, [ScriptedHandler(name: "slow") { _ in .success }], policy: RetryPolicy(), worker: "w2")
        #expect(try await consumer.processOneBatch() == 0, "taken before its lease ran out")
        await queue.advance(by: .seconds(2))
        #expect(try await consumer.processOneBatch() == 1)
        let entry = try #require(await queue.entry(id))
        #expect(entry.status == .succeeded)
        #expect(entry.attempts == 2)
        #expect(entry.history.map(\.errorClass) == ["LeaseExpired"])
        // The first worker wakes up and reports a failure: too late, it changes nothing.
        await queue.settle([
            Settled(claim: lost[0], verdict: .deadLetter(record: entry.history[0], result: nil))
        ])
        #expect(await queue.entry(id)?.status == .succeeded)
        #expect(await queue.deadLetters.isEmpty)
    }

    @Test func leasesThatExpireOnEveryAttemptExhaustTheMessageWithoutRunningIt() async throws {
        let queue = InMemoryQueue()
        let id = await queue.enqueue(handler: "killer")
        for _ in 1...2 {
            _ = await queue.claim(max: 1, lease: .seconds(1))
            await queue.advance(by: .seconds(2))
        }
        let ran = Atomic<Int>(0)
        let handler = ScriptedHandler(name: "killer") { _ in
            ran.add(1, ordering: .relaxed)
            return .success
        }
        #expect(try await loop(queue, [handler], policy: RetryPolicy(maxAttempts: 2)).processOneBatch() == 1)
        let entry = try #require(await queue.entry(id))
        #expect(ran.load(ordering: .relaxed) == 0)
        #expect(entry.status == .dead)
        #expect(entry.history.map(\.errorClass) == ["LeaseExpired", "LeaseExpired", "AttemptsExhausted"])
    }

    @Test func onStopTheMessageInHandFinishesAndTheRestIsReleased() async throws {
        let queue = InMemoryQueue()
        let ids = [
            await queue.enqueue(handler: "stopper"), await queue.enqueue(handler: "stopper"),
            await queue.enqueue(handler: "stopper"),
        ]
        let box = Mutex<ConsumerLoop<InMemoryQueue>?>(nil)
        let handler = ScriptedHandler(name: "stopper") { _ in
            // SIGTERM arrives while the first message is in hand.
            box.withLock { $0?.stop() }
            return .success
        }
        let consumer = loop(queue, [handler], policy: RetryPolicy())
        box.withLock { $0 = consumer }
        #expect(try await consumer.processOneBatch() == 3)
        #expect(await queue.entry(ids[0])?.status == .succeeded)
        for id in ids.dropFirst() {
            let entry = try #require(await queue.entry(id))
            #expect(entry.status == .pending)
            #expect(entry.attempts == 0, "a released message keeps its attempts")
            #expect(entry.visibleAt <= (await queue.clock), "a released message is visible at once")
        }
        // Another worker takes them at once.
        let next = loop(queue, [ScriptedHandler(name: "stopper") { _ in .success }], policy: RetryPolicy(), worker: "w2")
        #expect(try await next.processOneBatch() == 2)
    }
}
