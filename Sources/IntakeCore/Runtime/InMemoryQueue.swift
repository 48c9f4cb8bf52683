import Foundation
import IntakePostgres

/// A queue held in memory, with a clock of its own that only ``advance(by:)`` moves: the
/// runtime's unit tests cover retries, exhaustion, lease expiry and shutdown with it, without
/// PostgreSQL or SQS. It keeps the table queues' rules: a claim counts an attempt, a lease
/// that ran out puts the message back with a `LeaseExpired` entry, a settlement from a
/// worker that lost its lease is ignored, a release gives the attempt back.
public actor InMemoryQueue: QueueDriver {
    public enum Status: Sendable, Equatable {
        case pending, processing, succeeded, dead
    }

    public struct Entry: Sendable {
        public var message: Message
        public var status: Status = .pending
        public var attempts = 0
        /// On the queue's clock.
        public var visibleAt: Duration = .zero
        public var lockedUntil: Duration?
        public var history: [AttemptRecord] = []
        public var result: PostgresJSON?
        /// Which claim holds it: a settlement with an older receipt is ignored.
        var claim = 0
    }

    public struct Receipt: Sendable, Hashable {
        public var id: Int
        var claim: Int
    }

    public private(set) var entries: [Int: Entry] = [:]
    /// Ids of the dead-lettered messages, in the order they died.
    public private(set) var deadLetters: [Int] = []
    /// Time since the queue was made.
    public private(set) var clock: Duration = .zero
    private var nextID = 1
    private let epoch: Date

    public init(epoch: Date = Date(timeIntervalSince1970: 1_700_000_000)) { self.epoch = epoch }

    /// The queue's clock as a date, for attempt records.
    public nonisolated func date(at instant: Duration) -> Date { epoch.addingTimeInterval(instant / .seconds(1)) }
    public var now: Date { date(at: clock) }

    @discardableResult
    public func enqueue(handler: String, body: [UInt8] = Array("{}".utf8), origin: Origin = .notify) -> Int {
        let id = nextID
        nextID += 1
        let message = Message(origin: origin, id: String(id), handler: handler, attempt: 0, body: body, topic: handler)
        entries[id] = Entry(message: message, visibleAt: clock)
        return id
    }

    public func advance(by duration: Duration) { clock += duration }

    public func entry(_ id: Int) -> Entry? { entries[id] }

    // MARK: QueueDriver

    public func claim(max: Int, lease: Duration) -> [Claim<Receipt>] {
        var claims: [Claim<Receipt>] = []
        for id in entries.keys.sorted() where claims.count < max {
            guard var entry = entries[id] else { continue }
            switch entry.status {
            case .pending where entry.visibleAt <= clock:
                break
            case .processing where (entry.lockedUntil ?? clock) < clock:
                // Its worker stopped: back to the queue, noted as the table sweeper notes it.
                entry.history.append(
                    AttemptRecord(
                        at: now, attempt: entry.attempts, worker: "", handler: entry.message.handler,
                        errorClass: "LeaseExpired", message: "lease expired: the worker stopped before finishing",
                        retryable: true))
            default:
                continue
            }
            entry.status = .processing
            entry.attempts += 1
            entry.claim += 1
            entry.lockedUntil = clock + lease
            entry.message.attempt = entry.attempts
            entries[id] = entry
            claims.append(Claim(message: entry.message, receipt: Receipt(id: id, claim: entry.claim)))
        }
        return claims
    }

    public func renew(_ receipts: [Receipt], lease: Duration) {
        for receipt in receipts where isHeld(receipt) { entries[receipt.id]?.lockedUntil = clock + lease }
    }

    public func settle(_ verdicts: [Settled<Receipt>]) {
        for settled in verdicts where isHeld(settled.claim.receipt) {
            let id = settled.claim.receipt.id
            guard var entry = entries[id] else { continue }
            entry.lockedUntil = nil
            switch settled.verdict {
            case .succeed(let result):
                entry.status = .succeeded
                entry.result = result
            case .retry(let wait, let record):
                entry.status = .pending
                entry.visibleAt = clock + wait
                entry.history.append(record)
            case .deadLetter(let record, let result):
                entry.status = .dead
                entry.history.append(record)
                entry.result = result ?? entry.result
                deadLetters.append(id)
            }
            entries[id] = entry
        }
    }

    public func release(_ receipts: [Receipt]) {
        for receipt in receipts where isHeld(receipt) {
            entries[receipt.id]?.status = .pending
            entries[receipt.id]?.attempts -= 1
            entries[receipt.id]?.visibleAt = clock
            entries[receipt.id]?.lockedUntil = nil
        }
    }

    /// Still claimed by the holder of `receipt` (and its lease not taken over).
    private func isHeld(_ receipt: Receipt) -> Bool {
        guard let entry = entries[receipt.id] else { return false }
        return entry.status == .processing && entry.claim == receipt.claim
    }
}
