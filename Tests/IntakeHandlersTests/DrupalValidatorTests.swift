import Foundation
import IntakeCore
import Testing

@testable import IntakeDrupal

@Suite("Drupal sync request validation")
struct DrupalValidatorTests {
    @Test("the seed's example request validates")
    func seedExample() throws {
        let body = """
            {
              "site_info": {"name": "Example Site", "environment": "production", "last_cron": "2024-01-15T10:30:00Z"},
              "modules": [
                {"machine_name": "views", "name": "Views", "type": "core", "version": "8.9.0", "status": true,
                 "core_compatibility": ["8.x", "9.x"]}
              ],
              "sync_timestamp": "2024-01-15T10:35:00Z",
              "drupal_version": "9.5.11",
              "php_version": "8.1.0",
              "sync_type": "full"
            }
            """
        let request = try DrupalRequests.request(Array(body.utf8))
        #expect(request.modules.count == 1)
        let views = try #require(request.modules.first)
        #expect(views.machineName == "views")
        #expect(views.type == .core)
        #expect(views.coreCompatibility == ["8.x", "9.x"])
        #expect(views.securityCoverage == true)
        #expect(request.syncType == .full)
        #expect(request.syncTimestamp == RFC3339DateTime.parse("2024-01-15T10:35:00Z"))
        #expect(request.siteInfo["environment"] == .string("production"))
    }

    @Test("a 2,000-module request validates, with every optional member")
    func twoThousandModules() throws {
        let extra = """
            "schema_version": 8001, "package": "Other", "core_compatibility": ["^9 || ^10"],
            "dependencies": ["drupal:views", "token"], "description": "Does things.",
            "project_link": "https://www.drupal.org/project/x", "security_coverage": false
            """
        let modules = (0..<2_000).map { DrupalRequests.module("module_\($0)", version: "2.0.\($0)", extra: extra) }
        let request = try DrupalRequests.request(DrupalRequests.body(modules: modules))
        #expect(request.modules.count == 2_000)
        #expect(request.modules[1_999].machineName == "module_1999")
        #expect(request.modules[5].schemaVersion == 8001)
        #expect(request.modules[5].dependencies == ["drupal:views", "token"])
        #expect(request.modules[5].securityCoverage == false)
        #expect(request.modules[5].projectLink == "https://www.drupal.org/project/x")
    }

    @Test("2,001 modules are too many, 0 too few")
    func moduleCountBounds() {
        let tooMany = (0..<2_001).map { DrupalRequests.module("m\($0)") }
        #expect(
            DrupalRequests.problems(DrupalRequests.body(modules: tooMany))
                == [ValidationProblem(path: "modules", message: "must list 1–2,000 modules, found 2001")])
        #expect(
            DrupalRequests.problems(DrupalRequests.body(modules: []))
                == [ValidationProblem(path: "modules", message: "must list 1–2,000 modules, found 0")])
    }

    @Test("every problem is reported with its path, duplicates naming both modules")
    func everyProblemAtOnce() {
        var modules = (0..<20).map { DrupalRequests.module("module_\($0)") }
        modules[3] = DrupalRequests.module("views", version: "8.x-1.x-foo")
        modules[5] = #"{"machine_name": "Bad-Name", "name": "", "type": "plugin", "version": "1.0.0", "status": "yes"}"#
        modules[9] = #"{"name": "No machine name", "type": "custom", "version": "1.0.0", "status": true, "project_link": "ftp://example.org", "dependencies": ["ok", 7]}"#
        modules[17] = DrupalRequests.module("views")
        modules[18] = "42"
        let body = DrupalRequests.body(
            modules: modules, syncType: "delta", syncTimestamp: "\"yesterday\"", drupalVersion: "10.1",
            phpVersion: "8.1.2-1ubuntu2.14")
        let problems = DrupalRequests.problems(body)
        let described = problems.map(\.description)
        #expect(
            described == [
                #"modules[3].version: "8.x-1.x-foo" is not a Drupal version (e.g. 8.x-1.0, 8.x-1.0-beta2, 1.0.0, 2.0.0-rc1, 3.x-dev, 8.x-2.x-dev)"#,
                #"modules[5].machine_name: "Bad-Name" is not a Drupal machine name: lowercase letters, digits and underscores, not starting with a digit"#,
                "modules[5].name: must be 1–255 characters, found 0",
                #"modules[5].type: "plugin" is not one of core, contrib, custom"#,
                "modules[5].status: must be true or false, found a string",
                "modules[9].machine_name: is required",
                "modules[9].dependencies[1]: must be a string, found a number",
                #"modules[9].project_link: "ftp://example.org" is not an absolute http(s) URL"#,
                #"modules[17].machine_name: duplicate of modules[3].machine_name ("views"); a module may be listed once"#,
                "modules[18]: must be an object, found a number",
                #"sync_timestamp: "yesterday" is not an RFC 3339 date-time with offset (e.g. 2024-01-15T10:35:00Z)"#,
                #"drupal_version: "10.1" must be X.Y.Z, e.g. 10.1.5"#,
                #"php_version: "8.1.2-1ubuntu2.14" must be X.Y.Z, e.g. 10.1.5"#,
                #"sync_type: "delta" is not one of full, partial"#,
            ])
    }

    @Test("missing top-level members are each reported")
    func missingMembers() {
        let problems = DrupalRequests.problems(Array("{}".utf8))
        #expect(
            problems.map(\.path) == ["site_info", "modules", "sync_timestamp", "drupal_version", "php_version"])
        #expect(problems.allSatisfy { $0.message == "is required" })
    }

    @Test("a body that is not JSON, or not an object, is one problem at $")
    func notJSON() {
        let broken = DrupalRequests.problems(Array(#"{"modules": [}"#.utf8))
        #expect(broken.count == 1)
        #expect(broken.first?.path == "$")
        #expect(broken.first?.message.hasPrefix("invalid JSON at byte 13") == true)
        #expect(
            DrupalRequests.problems(Array("[1]".utf8))
                == [ValidationProblem(path: "$", message: "must be a JSON object, found an array")])
    }

    @Test("sync_timestamp accepts RFC 3339 with an offset and unix seconds, not a naive time")
    func timestamps() throws {
        let modules = [DrupalRequests.module("views")]
        let offset = try DrupalRequests.request(
            DrupalRequests.body(modules: modules, syncTimestamp: "\"2024-01-15T12:35:00+02:00\""))
        #expect(offset.syncTimestamp == Date(timeIntervalSince1970: 1_705_314_900))
        let unix = try DrupalRequests.request(DrupalRequests.body(modules: modules, syncTimestamp: "1705314900"))
        #expect(unix.syncTimestamp == offset.syncTimestamp)
        let naive = DrupalRequests.problems(
            DrupalRequests.body(modules: modules, syncTimestamp: "\"2024-01-15T10:35:00\""))
        #expect(naive.map(\.path) == ["sync_timestamp"])
        let future = DrupalRequests.problems(
            DrupalRequests.body(modules: modules, syncTimestamp: "\"2024-01-20T00:00:00Z\""))
        #expect(
            future.map(\.description) == [
                "sync_timestamp: 2024-01-20T00:00:00Z is more than 24 hours in the future; check the site's clock"
            ])
        let boolean = DrupalRequests.problems(DrupalRequests.body(modules: modules, syncTimestamp: "true"))
        #expect(
            boolean.map(\.message) == ["must be an RFC 3339 date-time string or unix seconds, found a boolean"])
    }

    @Test("sync_type defaults to full and accepts partial")
    func syncTypeDefault() throws {
        var text = String(decoding: DrupalRequests.body(modules: [DrupalRequests.module("views")]), as: UTF8.self)
        text = text.replacingOccurrences(of: #","sync_type": "full""#, with: "")
            .replacingOccurrences(of: ",\n  \"sync_type\": \"full\"", with: "")
        #expect(!text.contains("sync_type"))
        #expect(try DrupalRequests.request(Array(text.utf8)).syncType == .full)
        let partial = try DrupalRequests.request(
            DrupalRequests.body(modules: [DrupalRequests.module("views")], syncType: "partial"))
        #expect(partial.syncType == .partial)
    }

    @Test("status must be a JSON boolean, not 1")
    func statusIsBoolean() {
        let problems = DrupalRequests.problems(
            DrupalRequests.body(modules: [#"{"machine_name": "views", "name": "Views", "type": "core", "version": "10.1.5", "status": 1}"#]))
        #expect(problems == [ValidationProblem(path: "modules[0].status", message: "must be true or false, found a number")])
    }

    @Test("machine names: charset, leading digit, length")
    func machineNames() {
        #expect(DrupalModuleValidator.isMachineName("views_ui"))
        #expect(DrupalModuleValidator.isMachineName("_private"))
        #expect(DrupalModuleValidator.isMachineName("d8"))
        #expect(!DrupalModuleValidator.isMachineName("8d"))
        #expect(!DrupalModuleValidator.isMachineName("Views"))
        #expect(!DrupalModuleValidator.isMachineName("views-ui"))
        #expect(!DrupalModuleValidator.isMachineName("views ui"))
        let long = String(repeating: "a", count: 256)
        let problems = DrupalRequests.problems(DrupalRequests.body(modules: [DrupalRequests.module(long)]))
        #expect(
            problems.map(\.description) == [
                "modules[0].machine_name: must be 1–255 characters, found 256",
                "modules[0].name: must be 1–255 characters, found 256",
            ])
    }

    @Test("the validation error describes its problems")
    func validationErrorDescription() {
        do {
            _ = try DrupalSyncRequest(jsonBytes: Array("{}".utf8), now: DrupalRequests.now)
            Issue.record("an empty object must not validate")
        } catch {
            #expect(error.problems.count == 5)
            #expect(error.description.hasPrefix("module sync request has 5 problem(s): site_info: is required"))
        }
    }
}
