import Foundation

/// The changes one sync makes to a site's module set — computed without the database by
/// `DrupalSyncPlanner`, applied by the `drupal.module_sync` handler in one transaction:
///
/// - upsert every module of the request into `drupal_modules` / `drupal_module_versions`, and
///   into `drupal_site_modules` with its version and `enabled`, clearing `removed_at`;
/// - stamp `removed_at` on `removedMachineNames`;
/// - append `versionHistory`; flag the versions in `securityFindings`;
/// - store `result(processingTimeMS:)`.
///
/// When `isSuperseded` is true the site already has a later sync: apply nothing but the result.
public struct DrupalSyncPlan: Sendable, Equatable {
    public var isSuperseded: Bool
    /// Modules the site did not have, or had marked removed (they count as new again).
    public var newModules: [DrupalModuleInfo]
    /// Modules whose version changed.
    public var updatedModules: [DrupalModuleUpdate]
    /// Modules the site had and a `full` sync no longer lists; always empty for `partial`.
    public var removedMachineNames: [String]
    public var versionHistory: [DrupalVersionHistoryEntry]
    public var securityFindings: [DrupalSecurityFinding]
    public var warnings: [String]
    /// Modules the request listed and the plan applies (0 when superseded).
    public var processedCount: Int

    public func result(processingTimeMS: Int) -> DrupalSyncResult {
        DrupalSyncResult(
            processedCount: processedCount, newModules: newModules.count,
            updatedModules: updatedModules.count, removedModules: removedMachineNames.count,
            securityUpdatesFound: securityFindings.count, warnings: warnings, errors: [],
            processingTimeMS: processingTimeMS)
    }
}

public struct DrupalModuleUpdate: Sendable, Hashable {
    public var module: DrupalModuleInfo
    public var previousVersion: String
}

/// A row for the site's version history (`ingest.drupal_site_module_history`).
public struct DrupalVersionHistoryEntry: Sendable, Hashable {
    public enum Change: String, Sendable, Hashable, Codable {
        /// First seen on this site.
        case added
        /// Listed again after a full sync had marked it removed.
        case reinstated
        case upgraded
        case downgraded
        /// A different version that cannot be ordered against the previous one (a dev build).
        case changed
        /// A full sync stopped listing it.
        case removed
    }

    public var machineName: String
    public var change: Change
    public var previousVersion: String?
    /// Nil for `removed`.
    public var version: String?
    /// The request's `sync_timestamp`: when the site was in this state.
    public var observedAt: Date
}

/// A module whose version (after the sync) is affected by at least one advisory.
public struct DrupalSecurityFinding: Sendable, Hashable {
    public var machineName: String
    public var version: String
    public var advisories: [DrupalAdvisory]
}
