import IntakeCore
import IntakePostgres
import Logging

/// Listens on `intake_api_keys` and empties the API-key cache on every notification, so that
/// `intakectl sites revoke` takes effect at once in every receiver replica. The cache's short
/// TTL remains the fallback while the listener is reconnecting.
final class KeyInvalidation: Sendable {
    static let channel = "intake_api_keys"
    let store: PostgresAPIKeyStore
    let listener: NotifyListener
    let bell = Doorbell()
    let stopBell = Doorbell()

    init(store: PostgresAPIKeyStore, database: PostgresConfiguration, logger: Logger) {
        self.store = store
        self.listener = NotifyListener(configuration: database, channel: Self.channel, doorbell: bell, logger: logger)
    }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.listener.run() }
            group.addTask {
                var seen = self.bell.generation
                while self.stopBell.generation == 0 {
                    await self.bell.wait(after: seen, timeout: .seconds(30))
                    if self.bell.generation != seen {
                        seen = self.bell.generation
                        self.store.invalidateAll()
                    }
                }
            }
        }
    }

    func stop() {
        listener.stop()
        stopBell.ring()
        bell.ring()
    }
}
