import ArgumentParser
import Foundation
import IntakeCore
import IntakeHandlers

struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the configuration file.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every section offline; print each problem with its key; exit 78 on any problem.",
            discussion: """
                Reads the file as the processes do, with this shell's environment for ${VAR} references, \
                and reports every problem at once: unknown keys, bad values, weak secrets, unknown handlers.
                """)

        @Option(name: .long, help: "Configuration file (default: INTAKE_CONFIG, else ./intake.yaml).")
        var config: String?

        @Flag(name: .long, help: "Machine-readable JSON output.")
        var json = false

        struct Report: Encodable {
            struct Problem: Encodable {
                var path: String
                var problem: String
            }
            var file: String
            var ok: Bool
            var problems: [Problem]
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let path = config ?? environment["INTAKE_CONFIG"] ?? IntakeConfiguration.defaultPath
            let issues = IntakeConfiguration.check(path: path, knownHandlers: BuiltinHandlers.names, environment: environment)
            if json {
                try printJSON(
                    Report(
                        file: path, ok: issues.isEmpty,
                        problems: issues.map { Report.Problem(path: $0.path, problem: $0.problem) }))
            } else if issues.isEmpty {
                print("\(path): ok")
            } else {
                print("\(path): \(issues.count) problem\(issues.count == 1 ? "" : "s")")
                for issue in issues { print("  \(issue)") }
            }
            if !issues.isEmpty { throw ExitCode(IntakeConfiguration.invalidConfigurationExitCode) }
        }
    }
}
