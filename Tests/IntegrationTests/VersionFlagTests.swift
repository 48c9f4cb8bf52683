import Foundation
import IntakeCore
import IntakeTestSupport
import Testing

/// `--version` on the built executables: the one version constant and the build's commit,
/// answered before any configuration or database is looked for.
@Suite("Executables answer --version")
struct VersionFlagTests {
    @Test(arguments: ["intakectl", "intake-sqs-worker", "intake-receiver"])
    func versionNamesTheReleaseAndTheCommit(_ executable: String) throws {
        let (status, output) = try runProduct(executable, ["--version"])
        #expect(status == 0, "\(executable): \(output)")
        let line = output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            line == "\(executable) \(IntakeBuild.version) (commit \(IntakeBuild.commit))", "\(executable): \(output)")
        #expect(!IntakeBuild.commit.isEmpty)
    }
}
