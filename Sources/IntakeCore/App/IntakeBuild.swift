import CIntakeBuildInfo
import Foundation

/// What `--version` prints: the release, defined here and nowhere else, and the commit the
/// build was given (docs/DEPLOYMENT.md, "Versions").
public enum IntakeBuild {
    public static let version = "0.5.0"

    public static var commit: String { String(cString: intake_build_commit()) }

    /// `intake-sqs-worker 0.5.0 (commit 1a2b3c4)`.
    public static func versionLine(program: String) -> String { "\(program) \(version) (commit \(commit))" }

    /// For the workers' mains: prints the version line and exits when `--version` is among the
    /// arguments, before any configuration is read.
    public static func answerVersionFlag(program: String, arguments: [String] = CommandLine.arguments) {
        guard arguments.dropFirst().contains("--version") else { return }
        print(versionLine(program: program))
        exit(0)
    }
}
