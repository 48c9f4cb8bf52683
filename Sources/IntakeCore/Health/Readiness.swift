import Foundation
import IntakeSupport

/// The first of several racing results; later ones are ignored.
private final class FirstResult: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Void, any Error>?
    private var waiter: CheckedContinuation<Result<Void, any Error>, Never>?

    func offer(_ result: Result<Void, any Error>) {
        self.lock.lock()
        guard self.result == nil else {
            self.lock.unlock()
            return
        }
        self.result = result
        let waiter = self.waiter
        self.waiter = nil
        self.lock.unlock()
        waiter?.resume(returning: result)
    }

    func wait() async -> Result<Void, any Error> {
        await withCheckedContinuation { continuation in
            self.lock.lock()
            if let result = self.result {
                self.lock.unlock()
                continuation.resume(returning: result)
            } else {
                self.waiter = continuation
                self.lock.unlock()
            }
        }
    }
}

/// The answer to "can this process do its work right now?", one entry per dependency.
public struct ReadinessReport: Sendable, Equatable {
    public struct Check: Sendable, Equatable {
        /// What was checked: `database`, `sqs`, `s3`.
        public var name: String
        public var ok: Bool
        /// Why it failed (or a note when it passed). Shown to whoever scrapes `/readyz`: never
        /// put a secret here.
        public var detail: String?

        public init(name: String, ok: Bool, detail: String? = nil) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    public var checks: [Check]

    public init(checks: [Check]) {
        self.checks = checks
    }

    /// Ready when every check passed (and trivially when there are none).
    public var isReady: Bool { self.checks.allSatisfy(\.ok) }

    /// Runs the named checks concurrently; a check passes when it returns, fails when it throws
    /// (the error's description becomes the detail) or takes longer than `timeout`.
    public static func gather(
        timeout: Duration = .seconds(2),
        _ checks: [(name: String, check: @Sendable () async throws -> Void)]
    ) async -> ReadinessReport {
        await withTaskGroup(of: (Int, Check).self) { group in
            for (index, entry) in checks.enumerated() {
                group.addTask {
                    (index, await Self.run(entry.name, entry.check, timeout: timeout))
                }
            }
            var results = [Check?](repeating: nil, count: checks.count)
            for await (index, check) in group { results[index] = check }
            return ReadinessReport(checks: results.compactMap { $0 })
        }
    }

    private struct TimedOut: Error {}

    private static func run(
        _ name: String,
        _ check: @escaping @Sendable () async throws -> Void,
        timeout: Duration
    ) async -> Check {
        // Not a task group: a group would wait for a check that ignores cancellation (a
        // blocked driver call), and a probe must answer on time whatever the check does.
        let first = FirstResult()
        let work = Task {
            do {
                try await check()
                first.offer(.success(()))
            } catch {
                first.offer(.failure(error))
            }
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            first.offer(.failure(TimedOut()))
        }
        let outcome = await first.wait()
        work.cancel()
        timer.cancel()
        switch outcome {
        case .success:
            return Check(name: name, ok: true)
        case .failure(let error) where error is TimedOut:
            return Check(name: name, ok: false, detail: "no answer within \(timeout)")
        case .failure(let error):
            return Check(name: name, ok: false, detail: String(describing: error))
        }
    }

    /// `{"status":"ready","checks":{"database":{"ok":true}, …}}`, keys in check order.
    public var json: String {
        var text = "{\"status\":\"\(self.isReady ? "ready" : "not ready")\",\"checks\":{"
        for (index, check) in self.checks.enumerated() {
            if index > 0 { text += "," }
            text += "\(JSONString.quoted(check.name)):{\"ok\":\(check.ok)"
            if let detail = check.detail { text += ",\"detail\":\(JSONString.quoted(detail))" }
            text += "}"
        }
        return text + "}}"
    }
}

/// Answers `/readyz`: called on every probe, so keep it quick (see ``ReadinessReport/gather(timeout:_:)``).
public typealias ReadinessProbe = @Sendable () async -> ReadinessReport
