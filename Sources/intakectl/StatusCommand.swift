import ArgumentParser
import Foundation
import IntakeCore

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue depths by source/kind and state, dead letters by origin and handler, imports in progress, FHIR gaps.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Refresh every 2 seconds until interrupted.") var watch = false

    func run() async throws {
        repeat {
            let report = try await global.withPool { pool in
                var report = try await StatusReport.collect(pool: pool)
                report.extra["fhir gaps"] = try await FHIRGapSummary.statusSection(pool: pool)
                if let sqs = await SQSReplay.queueStatus(configuration: try global.loadConfiguration()) {
                    report.extra["sqs"] = sqs
                }
                return report
            }
            if global.json {
                try printJSON(report)
            } else {
                if watch { print("\u{1B}[2J\u{1B}[H", terminator: "") }
                render(report)
            }
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }

    func render(_ report: StatusReport) {
        print("QUEUES")
        printTable(
            ["ORIGIN", "SOURCE/KIND", "PENDING", "PROCESSING", "SUCCEEDED", "DEAD", "OLDEST PENDING"],
            report.queues.map {
                [$0.origin, $0.topic, String($0.pending), String($0.processing), String($0.succeeded), String($0.dead),
                 formatAge($0.oldestPendingSeconds)]
            })
        print("\nDEAD LETTERS")
        printTable(
            ["ORIGIN", "HANDLER", "TOTAL", "UNREPLAYED", "LAST"],
            report.deadLetters.map {
                [$0.origin, $0.handler, String($0.count), String($0.unreplayed), formatDate($0.lastDeadAt)]
            })
        print("\nIMPORTS IN PROGRESS")
        printTable(
            ["ID", "SOURCE", "HANDLER", "STATUS", "PROGRESS"],
            report.imports.map { line in
                let progress = line.percent.map { String(format: "%.1f%% of %d rows", $0, line.total ?? 0) }
                return [line.id, line.source, line.handler, line.status, progress ?? "\(line.processed) rows"]
            })
        for (section, values) in report.extra.sorted(by: { $0.key < $1.key }) {
            print("\n\(section.uppercased())")
            printTable(["KEY", "VALUE"], values.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
        }
    }
}
