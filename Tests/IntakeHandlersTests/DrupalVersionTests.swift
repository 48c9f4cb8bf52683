import Testing

@testable import IntakeDrupal

@Suite("Drupal version formats and advisory constraints")
struct DrupalVersionTests {
    @Test(
        "valid Drupal versions",
        arguments: [
            "8.x-1.0", "8.x-1.0-beta2", "1.0.0", "2.0.0-beta1", "10.1.5", "3.x-dev", "8.x-2.x-dev",
            "1.0.0-rc1", "1.0.0-alpha3", "7.98", "7.x-3.x-dev", "2.0.x-dev", "8.x-dev", "8.x-1.2+3-dev",
            "7.x-1.0-unstable4", "11.0.0",
        ])
    func valid(_ text: String) {
        #expect(DrupalVersion(text) != nil)
    }

    @Test(
        "invalid Drupal versions",
        arguments: [
            "", "1", "8.x-1.x-foo", "v1.0.0", "1.0.0-beta", "1.0.0-gamma1", "8.x-1.0.0", "1.0.0.0", "8.x-",
            "x.1.0", "1.0.0 ", " 1.0.0", "1..0", "-1.0.0", "1.0.0-", "1.x", "dev", "8.x-1.x", "latest",
            "1.0.0+dev", "8.x-1.0-beta2-dev", "1234567890.0.0", "1.0.0-rc1-rc2",
        ])
    func invalid(_ text: String) {
        #expect(DrupalVersion(text) == nil)
    }

    @Test("parts of legacy, semantic and development versions")
    func parts() throws {
        let legacy = try #require(DrupalVersion("8.x-1.0-beta2"))
        #expect(legacy.coreCompatibility == 8)
        #expect(legacy.major == 1 && legacy.minor == 0 && legacy.patch == nil)
        #expect(legacy.stage == .beta && legacy.stageNumber == 2)
        #expect(!legacy.isDevelopment)
        let branch = try #require(DrupalVersion("8.x-2.x-dev"))
        #expect(branch.isDevelopment && branch.coreCompatibility == 8 && branch.major == 2 && branch.minor == nil)
        #expect(try #require(DrupalVersion("8.x-1.2+3-dev")).isDevelopment)
        let semantic = try #require(DrupalVersion("10.1.5"))
        #expect(semantic.coreCompatibility == nil && semantic.patch == 5)
    }

    @Test(
        "release order, with legacy versions read as drupal.org maps them",
        arguments: [
            ("8.x-1.5", "1.5.0", DrupalVersion.ComparisonResult.same),
            ("8.x-1.4", "8.x-1.5", .older),
            ("1.0.0-alpha3", "1.0.0-beta1", .older),
            ("1.0.0-rc1", "1.0.0", .older),
            ("2.0.0", "1.99.99", .newer),
            ("10.1.5", "9.5.11", .newer),
        ])
    func order(_ pair: (String, String, DrupalVersion.ComparisonResult)) throws {
        let lhs = try #require(DrupalVersion(pair.0))
        let rhs = try #require(DrupalVersion(pair.1))
        #expect(lhs.compare(to: rhs) == pair.2)
    }

    @Test("development versions and other core generations cannot be ordered")
    func unordered() throws {
        let dev = try #require(DrupalVersion("8.x-1.x-dev"))
        let release = try #require(DrupalVersion("8.x-1.5"))
        #expect(dev.compare(to: release) == nil)
        let seven = try #require(DrupalVersion("7.x-1.5"))
        #expect(seven.compare(to: release) == nil)
    }

    @Test(
        "advisory constraints",
        arguments: [
            ("< 8.x-1.5", "8.x-1.4", true as Bool?),
            ("< 8.x-1.5", "8.x-1.5", false),
            ("< 8.x-1.5", "1.4.0", true),
            ("< 8.x-1.5", "7.x-1.4", false),
            ("<1.5.0 || >=2.0.0 <2.0.3", "2.0.2", true),
            ("<1.5.0 || >=2.0.0 <2.0.3", "2.0.3", false),
            ("<1.5.0 || >=2.0.0 <2.0.3", "1.9.0", false),
            (">= 2.0.0, < 2.0.3", "2.0.0-rc1", false),
            ("8.x-1.3", "8.x-1.3", true),
            ("8.x-1.3 || 8.x-1.4", "8.x-1.4", true),
            ("= 1.3.0", "8.x-1.3", true),
            ("<= 1.3.0", "1.3.0", true),
            ("> 1.3.0", "1.3.0", false),
            ("*", "8.x-1.x-dev", true),
            ("< 1.5.0", "1.x-dev", nil),
            ("= 8.x-1.x-dev", "8.x-1.x-dev", true),
            ("8.x-1.4", "8.x-1.x-dev", false),
        ])
    func constraints(_ row: (String, String, Bool?)) throws {
        let constraint = try #require(DrupalVersionConstraint(row.0))
        let version = try #require(DrupalVersion(row.1))
        #expect(constraint.matches(version) == row.2, "\(row.0) against \(row.1)")
    }

    @Test("unreadable constraints", arguments: ["", "< ", "<< 1.0.0", "1.0", "< banana", "1.0.0 ||", "~1.0"])
    func unreadableConstraint(_ text: String) {
        if text == "1.0" {
            // `1.0` is a version (Drupal 7 style), so it is a valid exact constraint.
            #expect(DrupalVersionConstraint(text) != nil)
        } else {
            #expect(DrupalVersionConstraint(text) == nil)
        }
    }
}
