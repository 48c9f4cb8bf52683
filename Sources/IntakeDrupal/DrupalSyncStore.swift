import Foundation
import IntakeCore
import IntakePostgres
import IntakeSupport

/// The SQL of `drupal.module_sync`, on the handler's shared transaction. Every write is one
/// set-based statement over `unnest`ed arrays, so a 2,000-module sync costs a dozen round trips,
/// not thousands. Arrays are sorted by machine name: two sites adding the same new modules at
/// once take their locks in the same order and cannot deadlock on them.
struct DrupalSyncStore {
    let connection: PostgresConnection

    /// The site's row, locked until the transaction ends: concurrent syncs of one site wait here
    /// and then see what the earlier one committed.
    struct LockedSite {
        var name: String
        var lastSyncTimestamp: Date?
        var revoked: Bool
    }

    func lockSite(id: Int64) async throws -> LockedSite? {
        let rows = try await connection.query(
            "SELECT name, last_sync_timestamp, revoked_at IS NOT NULL FROM ingest.drupal_sites WHERE id = $1 FOR UPDATE",
            [id])
        guard let row = rows.first else { return nil }
        return LockedSite(
            name: try row.decode(String.self, at: 0), lastSyncTimestamp: try row.decode(Date?.self, at: 1),
            revoked: try row.decode(Bool.self, at: 2))
    }

    /// The run this delivery already produced, when it was handled before (a redelivery).
    func existingRun(deliveryID: Int64) async throws -> (id: Int64, outcome: String, result: DrupalSyncResult)? {
        let rows = try await connection.query(
            """
            SELECT id, outcome, processed_count, new_modules, updated_modules, removed_modules,
                   security_updates_found, warnings::text, errors::text, processing_time_ms
            FROM ingest.drupal_sync_runs WHERE delivery_id = $1
            """, [deliveryID])
        guard let row = rows.first else { return nil }
        let decoder = JSONDecoder()
        let result = DrupalSyncResult(
            processedCount: try row.decode(Int.self, at: 2), newModules: try row.decode(Int.self, at: 3),
            updatedModules: try row.decode(Int.self, at: 4), removedModules: try row.decode(Int.self, at: 5),
            securityUpdatesFound: try row.decode(Int.self, at: 6),
            warnings: try decoder.decode([String].self, from: Data(try row.decode(String.self, at: 7).utf8)),
            errors: try decoder.decode([String].self, from: Data(try row.decode(String.self, at: 8).utf8)),
            processingTimeMS: try row.decode(Int.self, at: 9))
        return (try row.decode(Int64.self, at: 0), try row.decode(String.self, at: 1), result)
    }

    func snapshot(siteID: Int64, lastSyncTimestamp: Date?) async throws -> DrupalSiteSnapshot {
        let rows = try await connection.query(
            """
            SELECT m.machine_name, v.version, s.enabled, s.removed_at IS NOT NULL
            FROM ingest.drupal_site_modules s
            JOIN ingest.drupal_modules m ON m.id = s.module_id
            JOIN ingest.drupal_module_versions v ON v.id = s.version_id
            WHERE s.site_id = $1
            """, [siteID])
        var modules: [String: DrupalSiteModuleState] = [:]
        modules.reserveCapacity(rows.count)
        for row in rows {
            modules[try row.decode(String.self, at: 0)] = DrupalSiteModuleState(
                version: try row.decode(String.self, at: 1), enabled: try row.decode(Bool.self, at: 2),
                isRemoved: try row.decode(Bool.self, at: 3))
        }
        return DrupalSiteSnapshot(modules: modules, lastSyncTimestamp: lastSyncTimestamp)
    }

    func advisories(for machineNames: [String]) async throws -> [DrupalAdvisory] {
        let rows = try await connection.query(
            """
            SELECT advisory_id, machine_name, affected_versions, severity
            FROM ingest.drupal_advisories WHERE machine_name = ANY($1::text[])
            """, [PostgresArray(machineNames)])
        return try rows.map { row in
            DrupalAdvisory(
                advisoryID: try row.decode(String.self, at: 0), machineName: try row.decode(String.self, at: 1),
                affectedVersions: try row.decode(String.self, at: 2), severity: try row.decode(String?.self, at: 3))
        }
    }

    /// Records a sync run; its `processing_time_ms` is stamped by `finishRun` once known.
    func insertRun(
        siteID: Int64, deliveryID: Int64?, outcome: String, request: DrupalSyncRequest, result: DrupalSyncResult
    ) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO ingest.drupal_sync_runs
                (site_id, delivery_id, outcome, sync_type, sync_timestamp, drupal_version, php_version, site_info,
                 processed_count, new_modules, updated_modules, removed_modules, security_updates_found, warnings)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14::jsonb)
            RETURNING id
            """,
            [
                siteID, deliveryID, outcome, request.syncType.rawValue, request.syncTimestamp, request.drupalVersion,
                request.phpVersion, PostgresJSON(text: JSONNode.object(request.siteInfo).serialized()),
                result.processedCount, result.newModules, result.updatedModules, result.removedModules,
                result.securityUpdatesFound, try PostgresJSON(encoding: result.warnings),
            ])
        return try rows[0].decode(Int64.self, at: 0)
    }

    func finishRun(id: Int64, processingTimeMS: Int) async throws {
        try await connection.query(
            "UPDATE ingest.drupal_sync_runs SET processing_time_ms = $2 WHERE id = $1", [id, processingTimeMS])
    }

    /// Writes a plan that is not superseded: modules, versions, the site's module set, removals,
    /// history, security flags and the site's last sync.
    func apply(_ plan: DrupalSyncPlan, request: DrupalSyncRequest, siteID: Int64, runID: Int64) async throws {
        let modules = request.modules.sorted { $0.machineName < $1.machineName }
        let names = PostgresArray(modules.map(\.machineName))
        let versions = PostgresArray(modules.map(\.version))

        let moduleColumns: [any PostgresEncodable] = [
            names, PostgresArray(modules.map(\.name)), PostgresArray(modules.map(\.type.rawValue)),
            PostgresArray(modules.map(\.package)), PostgresArray(modules.map(\.description)),
            PostgresArray(modules.map(\.projectLink)),
        ]
        try await connection.query(DrupalSyncSQL.updateChangedModules, moduleColumns)
        try await insertOptimistically(
            DrupalSyncSQL.insertNewModules, orElse: DrupalSyncSQL.upsertModules, moduleColumns)
        try await insertOptimistically(
            DrupalSyncSQL.insertNewVersions, orElse: DrupalSyncSQL.upsertVersions,
            [names, versions, PostgresArray(modules.map { Self.jsonArray($0.coreCompatibility) })])
        try await connection.query(
            DrupalSyncSQL.placeSiteModules,
            [
                siteID, names, versions, PostgresArray(modules.map(\.status)),
                PostgresArray(modules.map(\.schemaVersion)),
                PostgresArray(modules.map { Self.jsonArray($0.dependencies) }),
                PostgresArray(modules.map(\.securityCoverage)),
            ])
        if !plan.removedMachineNames.isEmpty {
            try await connection.query(
                DrupalSyncSQL.markRemoved, [siteID, PostgresArray(plan.removedMachineNames)])
        }
        if !plan.versionHistory.isEmpty {
            let history = plan.versionHistory
            try await connection.query(
                DrupalSyncSQL.insertHistory,
                [
                    siteID, request.syncTimestamp, runID, PostgresArray(history.map(\.machineName)),
                    PostgresArray(history.map(\.change.rawValue)), PostgresArray(history.map(\.previousVersion)),
                    PostgresArray(history.map(\.version)),
                ])
        }
        if !plan.securityFindings.isEmpty {
            let findings = plan.securityFindings
            try await connection.query(
                DrupalSyncSQL.flagVersions,
                [
                    PostgresArray(findings.map(\.machineName)), PostgresArray(findings.map(\.version)),
                    PostgresArray(findings.map { Self.jsonArray($0.advisories.map(\.advisoryID).sorted()) }),
                ])
        }
        try await connection.query(
            "UPDATE ingest.drupal_sites SET last_sync_timestamp = $2, last_synced_at = now() WHERE id = $1",
            [siteID, request.syncTimestamp])
    }

    /// Runs a plain INSERT of the rows found missing, and only if another site's sync inserted
    /// some of them meanwhile (a unique violation) the `ON CONFLICT` form: speculative insertion
    /// costs about as much again as the insert, and the race is rare.
    private func insertOptimistically(
        _ insert: String, orElse upsert: String, _ parameters: [any PostgresEncodable]
    ) async throws {
        do {
            try await connection.withSavepoint("drupal_insert") { connection in
                _ = try connection.query(insert, parameters)
            }
        } catch let error as PostgresError where error.isUniqueViolation {
            try await connection.query(upsert, parameters)
        }
    }

    /// `["a","b"]` — JSON text for a `jsonb[]` element.
    static func jsonArray(_ strings: [String]) -> String {
        JSONNode.array(strings.map(JSONNode.string)).serialized()
    }
}

/// The set-based statements of `DrupalSyncStore.apply`.
enum DrupalSyncSQL {
    /// A module is shared by every site that reports it: a site that leaves out an optional field
    /// does not erase what another sent, and rows already as sent are neither locked nor rewritten.
    static let updateChangedModules = """
        UPDATE ingest.drupal_modules AS m
        SET name = r.name, type = r.type, package = coalesce(r.package, m.package),
            description = coalesce(r.description, m.description), project_link = coalesce(r.project_link, m.project_link),
            updated_at = now()
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             AS r(machine_name, name, type, package, description, project_link)
        WHERE m.machine_name = r.machine_name
          AND (m.name, m.type, m.package, m.description, m.project_link)
              IS DISTINCT FROM (r.name, r.type, coalesce(r.package, m.package), coalesce(r.description, m.description),
                                coalesce(r.project_link, m.project_link))
        """

    static let insertNewModules = """
        INSERT INTO ingest.drupal_modules (machine_name, name, type, package, description, project_link)
        SELECT r.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             AS r(machine_name, name, type, package, description, project_link)
        WHERE NOT EXISTS (SELECT 1 FROM ingest.drupal_modules e WHERE e.machine_name = r.machine_name)
        """

    /// `insertNewModules` when another transaction may have inserted some of the same modules.
    static let upsertModules = """
        INSERT INTO ingest.drupal_modules AS m (machine_name, name, type, package, description, project_link)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
        ON CONFLICT (machine_name) DO UPDATE
        SET name = EXCLUDED.name, type = EXCLUDED.type,
            package = coalesce(EXCLUDED.package, m.package),
            description = coalesce(EXCLUDED.description, m.description),
            project_link = coalesce(EXCLUDED.project_link, m.project_link),
            updated_at = now()
        WHERE (m.name, m.type, m.package, m.description, m.project_link)
              IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.type, coalesce(EXCLUDED.package, m.package),
                                coalesce(EXCLUDED.description, m.description),
                                coalesce(EXCLUDED.project_link, m.project_link))
        """

    static let insertNewVersions = """
        INSERT INTO ingest.drupal_module_versions (module_id, version, core_compatibility)
        SELECT m.id, r.version, r.core
        FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS r(machine_name, version, core)
        JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
        WHERE NOT EXISTS (SELECT 1 FROM ingest.drupal_module_versions v WHERE v.module_id = m.id AND v.version = r.version)
        """

    /// `insertNewVersions` when another transaction may have inserted some of the same versions.
    static let upsertVersions = """
        INSERT INTO ingest.drupal_module_versions (module_id, version, core_compatibility)
        SELECT m.id, r.version, r.core
        FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS r(machine_name, version, core)
        JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
        ON CONFLICT (module_id, version) DO NOTHING
        """

    /// Inserts the modules new to the site and updates those whose state changed (version,
    /// enabled, schema, dependencies, coverage, or listed again after removal); rows already as
    /// sent are not rewritten, so `last_seen_at` is when a sync last changed the row — the site's
    /// `last_synced_at` says when a sync last confirmed the whole set. The site's row lock keeps
    /// every other sync of the site out, so a plain INSERT cannot collide.
    static let placeSiteModules = """
        WITH r AS (
            SELECT m.id AS module_id, v.id AS version_id, r.enabled, r.schema_version, r.dependencies, r.coverage
            FROM unnest($2::text[], $3::text[], $4::boolean[], $5::integer[], $6::jsonb[], $7::boolean[])
                 AS r(machine_name, version, enabled, schema_version, dependencies, coverage)
            JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
            JOIN ingest.drupal_module_versions v ON v.module_id = m.id AND v.version = r.version
        ), changed AS (
            UPDATE ingest.drupal_site_modules AS s
            SET version_id = r.version_id, enabled = r.enabled, schema_version = r.schema_version,
                dependencies = r.dependencies, security_coverage = r.coverage, removed_at = NULL,
                last_seen_at = now(), updated_at = now()
            FROM r
            WHERE s.site_id = $1 AND s.module_id = r.module_id
              AND (s.version_id, s.enabled, s.schema_version, s.dependencies, s.security_coverage, s.removed_at IS NULL)
                  IS DISTINCT FROM (r.version_id, r.enabled, r.schema_version, r.dependencies, r.coverage, true)
        )
        INSERT INTO ingest.drupal_site_modules
            (site_id, module_id, version_id, enabled, schema_version, dependencies, security_coverage)
        SELECT $1, r.module_id, r.version_id, r.enabled, r.schema_version, r.dependencies, r.coverage
        FROM r
        WHERE NOT EXISTS (SELECT 1 FROM ingest.drupal_site_modules s WHERE s.site_id = $1 AND s.module_id = r.module_id)
        """

    static let markRemoved = """
        UPDATE ingest.drupal_site_modules AS s SET removed_at = now(), updated_at = now()
        FROM ingest.drupal_modules m
        WHERE s.site_id = $1 AND s.module_id = m.id AND m.machine_name = ANY($2::text[]) AND s.removed_at IS NULL
        """

    static let insertHistory = """
        INSERT INTO ingest.drupal_site_module_history
            (site_id, module_id, change, previous_version, version, observed_at, sync_run_id)
        SELECT $1, m.id, r.change, r.previous_version, r.version, $2, $3
        FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS r(machine_name, change, previous_version, version)
        JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
        """

    /// The advisories affecting each version, as the advisories table says now.
    static let flagVersions = """
        UPDATE ingest.drupal_module_versions AS v
        SET security_advisories = ARRAY(SELECT jsonb_array_elements_text(r.ids))
        FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS r(machine_name, version, ids)
        JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
        WHERE v.module_id = m.id AND v.version = r.version
          AND v.security_advisories IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(r.ids))
        """
}
