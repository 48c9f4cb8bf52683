import Foundation

/// What the database holds for one site before a sync: the input of `DrupalSyncPlanner`.
public struct DrupalSiteSnapshot: Sendable, Equatable {
    /// Keyed by machine name; includes modules marked removed.
    public var modules: [String: DrupalSiteModuleState]
    /// The `sync_timestamp` of the last sync applied to the site, if any.
    public var lastSyncTimestamp: Date?

    public init(modules: [String: DrupalSiteModuleState] = [:], lastSyncTimestamp: Date? = nil) {
        self.modules = modules
        self.lastSyncTimestamp = lastSyncTimestamp
    }
}

/// One row of `ingest.drupal_site_modules`, as the planner needs it.
public struct DrupalSiteModuleState: Sendable, Hashable {
    public var version: String
    public var enabled: Bool
    /// `removed_at IS NOT NULL`: a full sync stopped listing it.
    public var isRemoved: Bool

    public init(version: String, enabled: Bool, isRemoved: Bool = false) {
        self.version = version
        self.enabled = enabled
        self.isRemoved = isRemoved
    }
}

/// One row of `ingest.drupal_advisories`.
public struct DrupalAdvisory: Sendable, Hashable {
    /// e.g. `SA-CONTRIB-2024-001`.
    public var advisoryID: String
    public var machineName: String
    /// A `DrupalVersionConstraint` in text, e.g. `< 8.x-1.5 || >= 2.0.0 < 2.0.3`. An unreadable
    /// one is skipped with a warning rather than failing every sync.
    public var affectedVersions: String
    public var severity: String?

    public init(advisoryID: String, machineName: String, affectedVersions: String, severity: String? = nil) {
        self.advisoryID = advisoryID
        self.machineName = machineName
        self.affectedVersions = affectedVersions
        self.severity = severity
    }
}
