import Foundation

/// A response body as an `AsyncSequence` of byte chunks, fed by a libcurl thread through a
/// bounded buffer: when the consumer falls behind, the curl thread waits, so memory stays at
/// the buffer size however large the object is.
public struct HTTPBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let channel: BodyChannel
    let owner: BodyOwner

    init(channel: BodyChannel) {
        self.channel = channel
        self.owner = BodyOwner(channel: channel)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BodyChannel
        let owner: BodyOwner

        public mutating func next() async throws -> [UInt8]? {
            try await channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel, owner: owner)
    }

    /// Reads the whole body. Throws `AWSError` (kind `.responseTooLarge`) past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var result = [UInt8]()
        for try await chunk in self {
            if result.count + chunk.count > limit {
                cancel()
                throw AWSError(kind: .responseTooLarge, message: "response body exceeds \(limit) bytes")
            }
            result.append(contentsOf: chunk)
        }
        return result
    }

    /// Stops the transfer; the next read returns nothing.
    public func cancel() { channel.cancel() }
}

/// Cancels the transfer when the last copy of the body (and its iterators) goes away unread.
final class BodyOwner: Sendable {
    let channel: BodyChannel
    init(channel: BodyChannel) { self.channel = channel }
    deinit { channel.cancel() }
}

/// The bounded hand-off between the curl thread (producer, may block) and an async consumer
/// (never blocks: it suspends on a continuation).
final class BodyChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private var bufferedBytes = 0
    /// The most bytes ever waiting at once (tests check the bound).
    private(set) var peakBufferedBytes = 0
    private let limit: Int
    private var finished = false
    private var failure: (any Error)?
    private(set) var cancelled = false
    private var waiter: CheckedContinuation<[UInt8]?, any Error>?

    init(limit: Int) { self.limit = max(limit, 1) }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Called on the curl thread. Returns false when the consumer has gone: abort the transfer.
    func push(_ chunk: [UInt8]) -> Bool {
        condition.lock()
        if cancelled {
            condition.unlock()
            return false
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: chunk)
            return true
        }
        chunks.append(chunk)
        bufferedBytes += chunk.count
        peakBufferedBytes = max(peakBufferedBytes, bufferedBytes)
        while bufferedBytes >= limit && !cancelled {
            condition.wait()
        }
        let keepGoing = !cancelled
        condition.unlock()
        return keepGoing
    }

    /// Called on the curl thread when the transfer ends, with the error if it failed.
    func finish(_ error: (any Error)?) {
        condition.lock()
        if finished {
            condition.unlock()
            return
        }
        finished = true
        failure = error
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    func cancel() {
        condition.lock()
        cancelled = true
        chunks.removeAll()
        head = 0
        bufferedBytes = 0
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(throwing: CancellationError())
    }

    func next() async throws -> [UInt8]? {
        if let ready = try takeReady() { return ready.chunk }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                condition.lock()
                // Something may have arrived between takeReady() and here.
                if head < chunks.count {
                    let chunk = popLocked()
                    condition.unlock()
                    continuation.resume(returning: chunk)
                } else if cancelled {
                    condition.unlock()
                    continuation.resume(throwing: CancellationError())
                } else if finished {
                    let failure = self.failure
                    condition.unlock()
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                } else {
                    waiter = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// Returns a chunk (or end of body) without suspending, or nil when the consumer must wait.
    private func takeReady() throws -> (chunk: [UInt8]?, Void)? {
        condition.lock()
        defer { condition.unlock() }
        if head < chunks.count { return (popLocked(), ()) }
        if cancelled { throw CancellationError() }
        if finished {
            if let failure { throw failure }
            return (nil, ())
        }
        return nil
    }

    private func popLocked() -> [UInt8] {
        let chunk = chunks[head]
        chunks[head] = []
        head += 1
        bufferedBytes -= chunk.count
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        }
        condition.signal()
        return chunk
    }
}
