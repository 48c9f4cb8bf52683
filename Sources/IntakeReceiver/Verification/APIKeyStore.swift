import Foundation
import IntakePostgres
import Synchronization

/// A registered site an API key belongs to.
public struct APIKeySite: Sendable, Equatable {
    public var id: Int64
    public var name: String

    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

/// Where API keys live, by the lowercase hex SHA-256 of the key.
public protocol APIKeyStore: Sendable {
    /// The site whose active (not revoked) key hashes to `keyHash`, nil when none.
    func lookup(keyHash: String) async throws -> APIKeySite?
}

/// Keys in `ingest.drupal_sites`, cached briefly: a burst from one site costs one query,
/// and a key revoked with `intakectl sites revoke` stops working within `ttl`.
public final class PostgresAPIKeyStore: APIKeyStore {
    private let pool: PostgresPool
    private let ttl: Duration
    private let cache = Mutex<[String: (site: APIKeySite?, expires: ContinuousClock.Instant)]>([:])
    private static let maxEntries = 10_000

    public init(pool: PostgresPool, ttl: Duration = .seconds(5)) {
        self.pool = pool
        self.ttl = min(ttl, .seconds(5))
    }

    /// Forgets every cached key: `intakectl sites revoke` notifies `intake_api_keys`, and the
    /// receiver calls this, so a revocation takes effect at once rather than after `ttl`.
    public func invalidateAll() {
        cache.withLock { $0.removeAll() }
    }

    public func lookup(keyHash: String) async throws -> APIKeySite? {
        let now = ContinuousClock.now
        if let hit = cache.withLock({ $0[keyHash] }), hit.expires > now { return hit.site }
        let rows = try await pool.query(
            "SELECT id, name FROM ingest.drupal_sites WHERE api_key_hash = $1 AND revoked_at IS NULL", [keyHash])
        let site = try rows.first.map { APIKeySite(id: try $0.decode(Int64.self, at: 0), name: try $0.decode(String.self, at: 1)) }
        cache.withLock { entries in
            // Unknown keys are cached too, so a client retrying a bad key does not cost a query
            // each time; the bound keeps a flood of random keys from growing the cache forever.
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[keyHash] = (site, now + ttl)
        }
        return site
    }
}
