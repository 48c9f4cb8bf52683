import IntakePostgres
import Logging
import Synchronization

/// Renews the leases of every row this process holds, in one statement per round, so that
/// long handlers keep their rows while a dead worker's rows expire and are reclaimed.
final class LeaseKeeper: Sendable {
    let table: QueueTable
    let pool: PostgresPool
    let workerID: String
    let leaseSeconds: Double
    let logger: Logger
    let observer: any ConsumerObserver
    private let held = Mutex<Set<Int64>>([])

    init(table: QueueTable, pool: PostgresPool, workerID: String, leaseSeconds: Double, logger: Logger,
         observer: any ConsumerObserver) {
        self.table = table
        self.pool = pool
        self.workerID = workerID
        self.leaseSeconds = leaseSeconds
        self.logger = logger
        self.observer = observer
    }

    func hold(_ ids: [Int64]) { held.withLock { $0.formUnion(ids) } }
    func drop(_ ids: [Int64]) { held.withLock { $0.subtract(ids) } }

    func run(stopBell: Doorbell, until stopped: @Sendable () -> Bool) async {
        // A third of the lease: two renewals can fail before a live row looks abandoned.
        let interval = Duration.milliseconds(Int64(max(0.2, leaseSeconds / 3) * 1000))
        while !stopped() {
            await stopBell.wait(after: 0, timeout: interval)
            if stopped() { return }
            let ids = held.withLock { Array($0) }
            guard !ids.isEmpty else { continue }
            do {
                let result = try await pool.withConnection {
                    try await $0.query(self.table.renewSQL, [PostgresArray(ids), self.workerID, self.leaseSeconds])
                }
                observer.leasesRenewed(origin: table.origin, count: result.affectedRows)
            } catch {
                logger.warning("lease renewal failed", metadata: ["error": "\(error)", "rows": "\(ids.count)"])
            }
        }
    }
}
