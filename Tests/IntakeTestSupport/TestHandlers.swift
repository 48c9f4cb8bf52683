import Foundation
import IntakeCore
import IntakePostgres
import Synchronization

/// A handler whose behaviour a test supplies as a closure.
public struct ClosureHandler: Handler {
    public let name: String
    public let transactionMode: TransactionMode
    let body: @Sendable (Message, HandlerContext) async throws -> HandlerOutcome

    public init(
        name: String, mode: TransactionMode = .shared,
        _ body: @escaping @Sendable (Message, HandlerContext) async throws -> HandlerOutcome
    ) {
        self.name = name
        self.transactionMode = mode
        self.body = body
    }

    public func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome {
        try await body(message, context)
    }
}

/// Thread-safe event recorder for assertions.
public final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    public init() {}
    public func append(_ value: Value) { values.withLock { $0.append(value) } }
    public var all: [Value] { values.withLock { $0 } }
    public var count: Int { values.withLock { $0.count } }
}

/// Polls `condition` until it holds or `timeout` passes.
public func eventually(
    timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(25),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}
