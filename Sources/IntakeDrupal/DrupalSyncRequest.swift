import Foundation
import IntakeSupport

/// A validated module-sync push from a Drupal site (SPEC §5 `drupal.module_sync`). Only
/// `DrupalSyncValidator` makes one, so every value here already satisfies the schema.
public struct DrupalSyncRequest: Sendable, Equatable {
    /// `site_info` as sent (always an object); kept for the sync run record.
    package var siteInfo: JSONObject
    /// In request order; machine names are unique.
    public var modules: [DrupalModuleInfo]
    /// When the site collected the inventory. Of two syncs of one site, the later one wins.
    public var syncTimestamp: Date
    public var drupalVersion: String
    public var phpVersion: String
    public var syncType: DrupalSyncType

    /// Decodes and validates raw request bytes; throws every problem at once.
    public init(jsonBytes: some Collection<UInt8>, now: Date = Date()) throws(DrupalSyncValidationError) {
        switch DrupalSyncValidator(now: now).validate(jsonBytes: jsonBytes) {
        case .valid(let request): self = request
        case .invalid(let problems): throw DrupalSyncValidationError(problems: problems)
        }
    }

    package init(
        siteInfo: JSONObject, modules: [DrupalModuleInfo], syncTimestamp: Date, drupalVersion: String,
        phpVersion: String, syncType: DrupalSyncType
    ) {
        self.siteInfo = siteInfo
        self.modules = modules
        self.syncTimestamp = syncTimestamp
        self.drupalVersion = drupalVersion
        self.phpVersion = phpVersion
        self.syncType = syncType
    }
}

public enum DrupalSyncType: String, Sendable, Codable, CaseIterable {
    /// The request lists every module on the site: modules it omits are marked removed.
    case full
    /// The request lists only some modules: nothing else is touched.
    case partial
}

public enum DrupalModuleType: String, Sendable, Codable, CaseIterable {
    case core, contrib, custom
}

/// One module of a sync request, as Drupal reports it.
public struct DrupalModuleInfo: Sendable, Hashable {
    public var machineName: String
    public var name: String
    public var type: DrupalModuleType
    /// Checked with `DrupalVersion`; kept as sent.
    public var version: String
    /// Whether the module is enabled (Drupal's `status`).
    public var status: Bool
    public var schemaVersion: Int?
    public var package: String?
    public var coreCompatibility: [String]
    public var dependencies: [String]
    public var description: String?
    /// An absolute http(s) URL; an empty string in the request is read as absent.
    public var projectLink: String?
    /// Defaults to true when the request leaves it out.
    public var securityCoverage: Bool

    public init(
        machineName: String, name: String, type: DrupalModuleType, version: String, status: Bool,
        schemaVersion: Int? = nil, package: String? = nil, coreCompatibility: [String] = [],
        dependencies: [String] = [], description: String? = nil, projectLink: String? = nil,
        securityCoverage: Bool = true
    ) {
        self.machineName = machineName
        self.name = name
        self.type = type
        self.version = version
        self.status = status
        self.schemaVersion = schemaVersion
        self.package = package
        self.coreCompatibility = coreCompatibility
        self.dependencies = dependencies
        self.description = description
        self.projectLink = projectLink
        self.securityCoverage = securityCoverage
    }
}

/// A request that failed validation: a permanent failure (resending it cannot help) whose
/// problems all go into the sync result's `errors`.
public struct DrupalSyncValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ValidationProblem]

    public init(problems: [ValidationProblem]) {
        self.problems = problems
    }

    public var description: String {
        "module sync request has \(problems.count) problem(s): "
            + problems.prefix(5).map(\.description).joined(separator: "; ")
            + (problems.count > 5 ? "; …" : "")
    }
}
