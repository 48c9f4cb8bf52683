import IntakeCore
import IntakePostgres
import Logging
import Synchronization

/// Counts in `intake.rate_limits`, so a limit holds across every receiver replica: one row per
/// bucket per window, incremented atomically. Windows follow the database's clock, which all
/// replicas share, and ended windows are deleted now and then.
public final class PostgresRateLimiter: RateLimiter {
    static let admitSQL = """
        WITH w AS (
            SELECT to_timestamp(floor(extract(epoch FROM now()) / $2::integer) * $2::integer) AS start
        )
        INSERT INTO intake.rate_limits AS r (bucket, window_start, window_end, count)
        SELECT $1, w.start, w.start + make_interval(secs => $2::integer), 1 FROM w
        ON CONFLICT (bucket, window_start) DO UPDATE SET count = r.count + 1
        RETURNING r.count, ceil(extract(epoch FROM r.window_end - now()))::bigint
        """
    static let cleanupSQL = "DELETE FROM intake.rate_limits WHERE window_end < now() - interval '1 minute'"

    private let pool: PostgresPool
    private let logger: Logger
    private let lastCleanup = Mutex<ContinuousClock.Instant?>(nil)

    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    public func admit(bucket: String, limit: RateLimitSettings) async throws -> RateDecision {
        let rows = try await pool.query(Self.admitSQL, [bucket, limit.perSeconds])
        let count = try rows[0].decode(Int.self, at: 0)
        let remaining = try rows[0].decode(Int.self, at: 1)
        await cleanUpNowAndThen()
        if count <= limit.requests { return .allowed }
        return .limited(retryAfterSeconds: max(1, remaining))
    }

    private func cleanUpNowAndThen() async {
        let now = ContinuousClock.now
        let due = lastCleanup.withLock { last in
            if let last, now - last < .seconds(60) { return false }
            last = now
            return true
        }
        guard due else { return }
        do {
            try await pool.query(Self.cleanupSQL)
        } catch {
            logger.warning("cannot delete ended rate limit windows", metadata: ["error": "\(error)"])
        }
    }
}
