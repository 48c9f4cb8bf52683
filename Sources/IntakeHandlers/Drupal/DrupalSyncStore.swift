import Foundation
import IntakeCore
import IntakePostgres

/// The SQL of `drupal.module_sync`, on the handler's shared transaction. Every write is one
/// set-based statement over `unnest`ed arrays, so a 2,000-module sync costs a dozen round trips,
/// not thousands. Arrays are sorted by machine name: two sites adding the same new modules at
/// once take their row locks in the same order and cannot deadlock on them.
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
            """, [PostgresArray(strings: machineNames)])
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
        let names = PostgresArray(strings: modules.map(\.machineName))
        let versions = PostgresArray(strings: modules.map(\.version))

        try await connection.query(
            DrupalSyncSQL.upsertModules,
            [
                names, PostgresArray(strings: modules.map(\.name)), PostgresArray(strings: modules.map(\.type.rawValue)),
                PostgresArray(modules.map(\.package)), PostgresArray(modules.map(\.description)),
                PostgresArray(modules.map(\.projectLink)),
            ])
        try await connection.query(
            DrupalSyncSQL.upsertVersions,
            [names, versions, PostgresArray(strings: modules.map { Self.jsonArray($0.coreCompatibility) })])
        let placed = try await connection.query(
            DrupalSyncSQL.upsertSiteModules,
            [
                siteID, names, versions, PostgresArray(strings: modules.map { $0.status ? "t" : "f" }),
                PostgresArray(modules.map { $0.schemaVersion.map(String.init) }),
                PostgresArray(strings: modules.map { Self.jsonArray($0.dependencies) }),
                PostgresArray(strings: modules.map { $0.securityCoverage ? "t" : "f" }),
            ])
        guard placed.affectedRows == modules.count else {
            // Only possible if a module or version row vanished mid-transaction; retrying is safe.
            throw RetryableError(
                "placed \(placed.affectedRows) of \(modules.count) modules on site \(siteID); the module catalogue changed underneath")
        }
        if !plan.removedMachineNames.isEmpty {
            try await connection.query(
                DrupalSyncSQL.markRemoved, [siteID, PostgresArray(strings: plan.removedMachineNames)])
        }
        if !plan.versionHistory.isEmpty {
            let history = plan.versionHistory
            try await connection.query(
                DrupalSyncSQL.insertHistory,
                [
                    siteID, request.syncTimestamp, runID, PostgresArray(strings: history.map(\.machineName)),
                    PostgresArray(strings: history.map(\.change.rawValue)), PostgresArray(history.map(\.previousVersion)),
                    PostgresArray(history.map(\.version)),
                ])
        }
        if !plan.securityFindings.isEmpty {
            let findings = plan.securityFindings
            try await connection.query(
                DrupalSyncSQL.flagVersions,
                [
                    PostgresArray(strings: findings.map(\.machineName)), PostgresArray(strings: findings.map(\.version)),
                    PostgresArray(strings: findings.map { Self.jsonArray($0.advisories.map(\.advisoryID).sorted()) }),
                ])
        }
        try await connection.query(
            "UPDATE ingest.drupal_sites SET last_sync_timestamp = $2, last_synced_at = now() WHERE id = $1",
            [siteID, request.syncTimestamp])
    }

    /// `["a","b"]` — JSON text for a `jsonb[]` element.
    static func jsonArray(_ strings: [String]) -> String {
        JSONNode.array(strings.map(JSONNode.string)).serialized()
    }
}

/// The set-based statements of `DrupalSyncStore.apply`.
enum DrupalSyncSQL {
    /// A module is shared by every site that reports it: a site that leaves out an optional field
    /// does not erase what another sent, and an unchanged row is not rewritten.
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

    static let upsertVersions = """
        INSERT INTO ingest.drupal_module_versions (module_id, version, core_compatibility)
        SELECT m.id, r.version, r.core
        FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS r(machine_name, version, core)
        JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
        ORDER BY m.id
        ON CONFLICT (module_id, version) DO NOTHING
        """

    /// `updated_at` moves only when something about the module on this site changed;
    /// `last_seen_at` on every sync that lists it.
    static let upsertSiteModules = """
        INSERT INTO ingest.drupal_site_modules AS s
            (site_id, module_id, version_id, enabled, schema_version, dependencies, security_coverage)
        SELECT $1, m.id, v.id, r.enabled, r.schema_version, r.dependencies, r.coverage
        FROM unnest($2::text[], $3::text[], $4::boolean[], $5::integer[], $6::jsonb[], $7::boolean[])
             AS r(machine_name, version, enabled, schema_version, dependencies, coverage)
        JOIN ingest.drupal_modules m ON m.machine_name = r.machine_name
        JOIN ingest.drupal_module_versions v ON v.module_id = m.id AND v.version = r.version
        ON CONFLICT (site_id, module_id) DO UPDATE
        SET version_id = EXCLUDED.version_id, enabled = EXCLUDED.enabled, schema_version = EXCLUDED.schema_version,
            dependencies = EXCLUDED.dependencies, security_coverage = EXCLUDED.security_coverage,
            last_seen_at = now(), removed_at = NULL,
            updated_at = CASE
                WHEN (s.version_id, s.enabled, s.schema_version, s.dependencies, s.security_coverage, s.removed_at IS NULL)
                     IS DISTINCT FROM (EXCLUDED.version_id, EXCLUDED.enabled, EXCLUDED.schema_version,
                                       EXCLUDED.dependencies, EXCLUDED.security_coverage, true)
                THEN now() ELSE s.updated_at END
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
