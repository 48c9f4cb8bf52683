import ArgumentParser
import Foundation
import IntakeDrupal
import IntakeHandlers
import IntakePostgres

/// `intakectl sites add|revoke|list`: the Drupal sites allowed to push module inventories.
/// Keys are stored as their SHA-256 only; the receiver looks them up by that hash and caches
/// answers for at most 5 seconds, so changes take effect without a restart.
struct Sites: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register Drupal sites and their API keys (drupal.module_sync).",
        subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a site and print its new API key — once: only its hash is stored.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The site's name (unique), e.g. www.example.org.") var name: String

        struct Created: Encodable {
            var site_id: Int64
            var name: String
            var api_key: String
            var key_prefix: String
        }

        func run() async throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard (1...255).contains(trimmed.count) else { throw ValidationError("a site name is 1–255 characters") }
            let key = DrupalAPIKey.generate()
            let hash = key.storedHash
            let id: Int64 = try await global.withPool { pool in
                do {
                    return try await pool.query(
                        "INSERT INTO ingest.drupal_sites (name, api_key_hash, key_prefix) VALUES ($1, $2, $3) RETURNING id",
                        [trimmed, hash, key.keyPrefix]
                    )[0].decode(Int64.self, at: 0)
                } catch let error as PostgresError where error.isUniqueViolation {
                    throw ValidationError("a site named \"\(trimmed)\" already exists (see `intakectl sites list`)")
                }
            }
            if global.json {
                return try printJSON(Created(site_id: id, name: trimmed, api_key: key.plaintext, key_prefix: key.keyPrefix))
            }
            print("site \(id) \"\(trimmed)\" registered")
            print("API key (shown once; store it in the site's settings, send it as X-API-Key):")
            print("  \(key.plaintext)")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a site's API key: refused by every receiver within 5 seconds, no restart needed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The site's name.") var name: String

        func run() async throws {
            let (revokedNow, revokedAt): (Bool, Date?) = try await global.withPool { pool in
                let updated = try await pool.query(
                    "UPDATE ingest.drupal_sites SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING revoked_at",
                    [name])
                if let row = updated.first {
                    // Receivers drop their key caches on this notification: the key stops working now.
                    try await pool.query("SELECT pg_notify('intake_api_keys', '')")
                    return (true, try row.decode(Date.self, at: 0))
                }
                let existing = try await pool.query("SELECT revoked_at FROM ingest.drupal_sites WHERE name = $1", [name])
                guard let row = existing.first else {
                    throw ValidationError("no site named \"\(name)\" (see `intakectl sites list`)")
                }
                return (false, try row.decode(Date?.self, at: 0))
            }
            if global.json {
                return try printJSON(["name": name, "revoked_at": formatDate(revokedAt), "changed": String(revokedNow)])
            }
            if revokedNow {
                print("revoked the API key of \"\(name)\"; receivers refuse it within 5 seconds")
            } else {
                print("the API key of \"\(name)\" was already revoked at \(formatDate(revokedAt))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List sites: key prefix, created, revoked, last sync. Never shows keys.")
        @OptionGroup var global: GlobalOptions

        struct Line: Encodable {
            var id: Int64
            var name: String
            var key_prefix: String
            var created_at: Date
            var revoked_at: Date?
            var last_synced_at: Date?
            var last_sync_timestamp: Date?
            var modules: Int
            var last_outcome: String?
        }

        func run() async throws {
            let lines: [Line] = try await global.withPool { pool in
                let rows = try await pool.query(
                    """
                    SELECT s.id, s.name, s.key_prefix, s.created_at, s.revoked_at, s.last_synced_at,
                           s.last_sync_timestamp,
                           (SELECT count(*) FROM ingest.drupal_site_modules m
                             WHERE m.site_id = s.id AND m.removed_at IS NULL),
                           (SELECT r.outcome FROM ingest.drupal_sync_runs r
                             WHERE r.site_id = s.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1)
                    FROM ingest.drupal_sites s ORDER BY s.name
                    """)
                return try rows.map { row in
                    Line(
                        id: try row.decode(Int64.self, at: 0), name: try row.decode(String.self, at: 1),
                        key_prefix: try row.decode(String.self, at: 2), created_at: try row.decode(Date.self, at: 3),
                        revoked_at: try row.decode(Date?.self, at: 4), last_synced_at: try row.decode(Date?.self, at: 5),
                        last_sync_timestamp: try row.decode(Date?.self, at: 6), modules: try row.decode(Int.self, at: 7),
                        last_outcome: try row.decode(String?.self, at: 8))
                }
            }
            if global.json { return try printJSON(lines) }
            printTable(
                ["ID", "NAME", "KEY", "CREATED", "REVOKED", "LAST SYNC", "MODULES", "LAST OUTCOME"],
                lines.map {
                    [
                        String($0.id), $0.name, $0.key_prefix + "…", formatDate($0.created_at), formatDate($0.revoked_at),
                        formatDate($0.last_synced_at), String($0.modules), $0.last_outcome ?? "-",
                    ]
                })
        }
    }
}
