/// What a source of messages provides to the consumer loop; the loop and ``Verdict`` decide
/// everything else (docs/ARCHITECTURE.md, "The path of a message"). A table queue claims rows
/// and renews leases, SQS receives and extends visibility, the in-memory queue does both in
/// a dictionary for tests.
public protocol QueueDriver: Sendable {
    /// What the source needs to settle a message it handed out (a row id, a receipt handle).
    associatedtype Receipt: Sendable

    /// Claims up to `max` due messages, hidden from other consumers for `lease`. Each claim
    /// counts as an attempt.
    func claim(max: Int, lease: Duration) async throws -> [Claim<Receipt>]
    /// Extends the lease of messages still being worked on.
    func renew(_ receipts: [Receipt], lease: Duration) async throws
    /// Carries verdicts out, all in one go.
    func settle(_ verdicts: [Settled<Receipt>]) async throws
    /// Hands back messages claimed but not started (shutdown): visible at once, the claim not
    /// counted as an attempt.
    func release(_ receipts: [Receipt]) async throws
}

public struct Claim<Receipt: Sendable>: Sendable {
    public var message: Message
    public var receipt: Receipt

    public init(message: Message, receipt: Receipt) {
        self.message = message
        self.receipt = receipt
    }
}

public struct Settled<Receipt: Sendable>: Sendable {
    public var claim: Claim<Receipt>
    public var verdict: Verdict

    public init(claim: Claim<Receipt>, verdict: Verdict) {
        self.claim = claim
        self.verdict = verdict
    }
}
