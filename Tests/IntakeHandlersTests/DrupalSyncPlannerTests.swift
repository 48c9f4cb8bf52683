import Foundation
import Testing
import IntakeSupport

@testable import IntakeDrupal

@Suite("Drupal sync planning")
struct DrupalSyncPlannerTests {
    static let earlier = Date(timeIntervalSince1970: 1_705_000_000)

    static func request(
        _ modules: [(String, String)], syncType: DrupalSyncType = .full, at time: Date = DrupalRequests.now
    ) -> DrupalSyncRequest {
        DrupalSyncRequest(
            siteInfo: JSONObject(),
            modules: modules.map { DrupalModuleInfo(machineName: $0.0, name: $0.0, type: .contrib, version: $0.1, status: true) },
            syncTimestamp: time, drupalVersion: "10.1.5", phpVersion: "8.1.27", syncType: syncType)
    }

    static let site = DrupalSiteSnapshot(
        modules: [
            "views": DrupalSiteModuleState(version: "8.x-3.4", enabled: true),
            "token": DrupalSiteModuleState(version: "8.x-1.9", enabled: true),
            "pathauto": DrupalSiteModuleState(version: "8.x-1.11", enabled: true),
            "old_module": DrupalSiteModuleState(version: "1.0.0", enabled: false, isRemoved: true),
        ],
        lastSyncTimestamp: earlier)

    @Test("a full sync finds new, updated and removed modules and records history")
    func fullSync() {
        let plan = DrupalSyncPlanner.plan(
            current: Self.site,
            request: Self.request([("views", "8.x-3.5"), ("token", "8.x-1.9"), ("webform", "6.2.0")]))
        #expect(!plan.isSuperseded)
        #expect(plan.newModules.map(\.machineName) == ["webform"])
        #expect(plan.updatedModules.map(\.module.machineName) == ["views"])
        #expect(plan.updatedModules.first?.previousVersion == "8.x-3.4")
        #expect(plan.removedMachineNames == ["pathauto"])
        #expect(
            plan.versionHistory.map { "\($0.machineName) \($0.change.rawValue) \($0.previousVersion ?? "-") \($0.version ?? "-")" }
                == ["views upgraded 8.x-3.4 8.x-3.5", "webform added - 6.2.0", "pathauto removed 8.x-1.11 -"])
        #expect(plan.versionHistory.allSatisfy { $0.observedAt == DrupalRequests.now })
        let result = plan.result(processingTimeMS: 7)
        #expect(result == DrupalSyncResult(
            processedCount: 3, newModules: 1, updatedModules: 1, removedModules: 1, securityUpdatesFound: 0,
            warnings: [], errors: [], processingTimeMS: 7))
    }

    @Test("a partial sync touches only the modules it sends")
    func partialSync() {
        let plan = DrupalSyncPlanner.plan(
            current: Self.site, request: Self.request([("views", "8.x-3.5")], syncType: .partial))
        #expect(plan.updatedModules.map(\.module.machineName) == ["views"])
        #expect(plan.removedMachineNames.isEmpty)
        #expect(plan.newModules.isEmpty)
        #expect(plan.versionHistory.count == 1)
    }

    @Test("a module marked removed that comes back counts as new again")
    func reinstated() {
        let plan = DrupalSyncPlanner.plan(
            current: Self.site, request: Self.request([("old_module", "1.1.0")], syncType: .partial))
        #expect(plan.newModules.map(\.machineName) == ["old_module"])
        #expect(plan.versionHistory.first?.change == .reinstated)
        #expect(plan.versionHistory.first?.previousVersion == "1.0.0")
    }

    @Test("an already removed module is not removed twice")
    func removedOnce() {
        let plan = DrupalSyncPlanner.plan(current: Self.site, request: Self.request([("views", "8.x-3.4")]))
        #expect(plan.removedMachineNames == ["pathauto", "token"])
        #expect(plan.updatedModules.isEmpty)
    }

    @Test("the same request twice changes nothing the second time")
    func idempotent() {
        let request = Self.request([("views", "8.x-3.4"), ("token", "8.x-1.9"), ("pathauto", "8.x-1.11")])
        let plan = DrupalSyncPlanner.plan(current: Self.site, request: request)
        #expect(plan.newModules.isEmpty && plan.updatedModules.isEmpty && plan.removedMachineNames.isEmpty)
        #expect(plan.versionHistory.isEmpty)
        #expect(plan.processedCount == 3)
    }

    @Test("downgrades and unordered changes are recorded as such, a downgrade with a warning")
    func downgrade() {
        let plan = DrupalSyncPlanner.plan(
            current: Self.site,
            request: Self.request([("views", "8.x-3.3"), ("token", "8.x-1.x-dev")], syncType: .partial))
        #expect(plan.versionHistory.map(\.change) == [.downgraded, .changed])
        #expect(plan.warnings == ["views: version went down from 8.x-3.4 to 8.x-3.3"])
        #expect(plan.updatedModules.count == 2)
    }

    @Test("a sync older than the last applied one is superseded and changes nothing")
    func superseded() {
        let plan = DrupalSyncPlanner.plan(
            current: Self.site, request: Self.request([("views", "8.x-3.9")], at: Self.earlier.addingTimeInterval(-1)))
        #expect(plan.isSuperseded)
        #expect(plan.updatedModules.isEmpty && plan.removedMachineNames.isEmpty && plan.versionHistory.isEmpty)
        #expect(plan.result(processingTimeMS: 0).processedCount == 0)
        #expect(plan.warnings.count == 1)
        #expect(plan.warnings.first?.contains("the later sync wins") == true)
    }

    @Test("advisories flag affected versions; undecidable and unreadable ones warn")
    func advisories() {
        let advisories = [
            DrupalAdvisory(advisoryID: "SA-CONTRIB-2024-001", machineName: "views", affectedVersions: "< 8.x-3.6", severity: "critical"),
            DrupalAdvisory(advisoryID: "SA-CONTRIB-2024-002", machineName: "views", affectedVersions: ">= 8.x-3.0 < 8.x-3.5"),
            DrupalAdvisory(advisoryID: "SA-CONTRIB-2024-003", machineName: "token", affectedVersions: "< 1.10.0"),
            DrupalAdvisory(advisoryID: "SA-CONTRIB-2024-004", machineName: "webform", affectedVersions: "< 6.2.1"),
            DrupalAdvisory(advisoryID: "SA-BROKEN", machineName: "webform", affectedVersions: "sometimes"),
        ]
        let plan = DrupalSyncPlanner.plan(
            current: Self.site,
            request: Self.request([("views", "8.x-3.5"), ("token", "8.x-1.x-dev"), ("webform", "6.2.1")]),
            advisories: advisories)
        #expect(plan.securityFindings.map(\.machineName) == ["views"])
        #expect(plan.securityFindings.first?.advisories.map(\.advisoryID) == ["SA-CONTRIB-2024-001"])
        #expect(plan.result(processingTimeMS: 0).securityUpdatesFound == 1)
        #expect(plan.warnings.contains { $0.hasPrefix("advisory SA-BROKEN for webform has unreadable affected_versions") })
        #expect(plan.warnings.contains { $0.hasPrefix("token 8.x-1.x-dev: cannot tell whether advisory SA-CONTRIB-2024-003") })
    }

    @Test("2,000 modules against 2,000 known ones plan correctly")
    func large() {
        var modules: [String: DrupalSiteModuleState] = [:]
        for index in 0..<2_000 { modules["module_\(index)"] = DrupalSiteModuleState(version: "1.0.\(index)", enabled: true) }
        let current = DrupalSiteSnapshot(modules: modules)
        let sent = (0..<2_000).map { index in
            ("module_\(index + 100)", index.isMultiple(of: 2) ? "1.0.\(index + 100)" : "2.0.0")
        }
        let advisories = (0..<500).map {
            DrupalAdvisory(advisoryID: "SA-\($0)", machineName: "module_\($0 * 4)", affectedVersions: "< 1.5.0")
        }
        let plan = DrupalSyncPlanner.plan(current: current, request: Self.request(sent), advisories: advisories)
        #expect(plan.newModules.count == 100)
        #expect(plan.removedMachineNames.count == 100)
        #expect(plan.updatedModules.count == 950)
        #expect(plan.processedCount == 2_000)
        #expect(plan.securityFindings.count == 475)
    }

    @Test("the result encodes with the SPEC's snake_case keys")
    func resultJSON() throws {
        let result = DrupalSyncResult(
            processedCount: 245, newModules: 3, updatedModules: 12, removedModules: 1, securityUpdatesFound: 2,
            warnings: ["w"], errors: [], processingTimeMS: 1250)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(result), as: UTF8.self)
        #expect(
            text
                == #"{"errors":[],"new_modules":3,"processed_count":245,"processing_time_ms":1250,"removed_modules":1,"security_updates_found":2,"updated_modules":12,"warnings":["w"]}"#
        )
        #expect(try JSONDecoder().decode(DrupalSyncResult.self, from: Data(text.utf8)) == result)
        let rejected = DrupalSyncResult.rejected(
            [ValidationProblem(path: "modules[3].version", message: "bad")], processingTimeMS: 2)
        #expect(rejected.errors == ["modules[3].version: bad"])
        #expect(rejected.processedCount == 0)
    }
}
