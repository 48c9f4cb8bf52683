import IntakePostgres
import IntakeSupport
import Logging
import ServiceLifecycle
import Synchronization

/// Holds a dedicated connection in `LISTEN` and rings the doorbell on every notification.
///
/// The wait sleeps in `poll(2)` on the connection's socket, on the connection's own thread,
/// so a NOTIFY leads straight to a claim. After a lost connection it reconnects with backoff,
/// listens again and rings at once: whatever was enqueued meanwhile is swept up.
public final class NotifyListener: Service, Sendable {
    let configuration: PostgresConfiguration
    let channel: String
    let doorbell: Doorbell
    let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let current = Mutex<PostgresConnection?>(nil)

    public init(configuration: PostgresConfiguration, channel: String, doorbell: Doorbell, logger: Logger) {
        self.configuration = configuration
        self.channel = channel
        self.doorbell = doorbell
        self.logger = logger
    }

    public func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        current.withLock { $0 }?.interruptWait()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await self.listenLoop()
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func listenLoop() async {
        var failures = 0
        while !stopped.load(ordering: .sequentiallyConsistent) {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
                current.withLock { $0 = connection }
                try await connection.listen(channel)
                if failures > 0 { logger.info("listening again", metadata: ["channel": "\(channel)"]) }
                failures = 0
                doorbell.ring()
                while !stopped.load(ordering: .sequentiallyConsistent) {
                    if try await connection.waitForNotification(timeout: .seconds(30)) != nil {
                        doorbell.ringOne()
                    }
                }
                current.withLock { $0 = nil }
                await connection.close()
            } catch {
                current.withLock { $0 = nil }
                failures += 1
                let wait = RetryPolicy.backoff(base: .milliseconds(200), cap: .seconds(5)).delay(afterAttempt: failures)
                logger.warning(
                    "listener lost its connection; reconnecting",
                    metadata: ["channel": "\(channel)", "error": "\(error)", "backoff_ms": "\(wait.milliseconds)"])
                try? await Task.sleep(for: wait)
            }
        }
    }
}
