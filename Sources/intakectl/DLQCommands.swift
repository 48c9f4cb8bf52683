import ArgumentParser
import Foundation
import IntakeCore
import IntakePostgres

struct DLQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect, replay and purge dead letters.",
        subcommands: [List.self, Show.self, Replay.self, Purge.self])

    struct Filters: ParsableArguments {
        @Option(help: "sqs, inbox or notify.") var origin: String?
        @Option(help: "Handler name, e.g. csv.pharmacy_claims.") var handler: String?
        @Option(help: "Dead since a date (2026-01-31, RFC 3339) or an age (24h, 7d).") var since: String?
        @Option(help: "Only letters whose error history contains TEXT (case-insensitive).") var error: String?

        func filter() throws -> DeadLetterFilter {
            var filter = DeadLetterFilter()
            if let origin {
                guard let value = Origin(rawValue: origin) else {
                    throw ValidationError("--origin must be sqs, inbox or notify, not \"\(origin)\"")
                }
                filter.origin = value
            }
            filter.handler = handler
            filter.since = try since.map(parseSince)
            filter.errorContains = error
            return filter
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, oldest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: Filters
        @Option(help: "At most this many.") var limit = 100

        func run() async throws {
            var filter = try filters.filter()
            filter.limit = limit
            let letters = try await global.withPool { try await DeadLetterStore(pool: $0).list(filter) }
            if global.json { return try printJSON(letters) }
            printTable(
                ["ID", "ORIGIN", "REF", "HANDLER", "ATTEMPTS", "DEAD AT", "REPLAYED", "LAST ERROR"],
                letters.map {
                    [
                        String($0.id), $0.origin, $0.originRef, $0.handler, String($0.attempts), formatDate($0.deadAt),
                        $0.replayCount > 0 ? "\($0.replayCount)x" : "-", String(($0.lastError ?? "").prefix(80)),
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter with its payload and error history.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Dead letter id.") var id: Int64

        func run() async throws {
            guard let letter = try await global.withPool({ try await DeadLetterStore(pool: $0).show(id: id) }) else {
                throw ValidationError("no dead letter \(id)")
            }
            if global.json { return try printJSON(letter) }
            print("dead letter \(letter.id): \(letter.origin) \(letter.originRef), handler \(letter.handler)")
            print("attempts \(letter.attempts), first failed \(formatDate(letter.firstFailedAt)), dead \(formatDate(letter.deadAt))")
            print("replayed \(letter.replayCount) time(s), last \(formatDate(letter.replayedAt))")
            print("errors:\n\(prettyJSON(letter.errors))")
            print("payload:\n\(prettyJSON(letter.payload))")
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead letters back where they came from (SQS queue, inbox, jobs).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: Filters
        @Argument(help: "Dead letter ids.") var ids: [Int64] = []
        @Flag(help: "Replay every unreplayed dead letter matching the filters.") var all = false
        @Flag(help: "Show what would be replayed, change nothing.") var dryRun = false

        func validate() throws {
            if ids.isEmpty && !all { throw ValidationError("give dead letter ids or --all") }
            if !ids.isEmpty && all { throw ValidationError("give ids or --all, not both") }
        }

        func run() async throws {
            var filter = try filters.filter()
            filter.ids = ids
            filter.onlyUnreplayed = all
            let results: [(Int64, ReplayResult)] = try await global.withPool { pool in
                let store = DeadLetterStore(pool: pool)
                let targets = try await store.list(filter).map(\.id)
                if dryRun { return targets.map { ($0, ReplayResult.skipped("dry run")) } }
                let progress = ProgressBar(total: targets.count, label: "replaying")
                let resend = SQSReplay.resender(configuration: try global.loadConfiguration())
                var results: [(Int64, ReplayResult)] = []
                for (index, id) in targets.enumerated() {
                    results.append((id, try await store.replay(id: id, resendSQS: resend)))
                    progress.update(index + 1)
                }
                return results
            }
            let missing = Set(ids).subtracting(results.map(\.0))
            if global.json {
                struct Line: Encodable { var id: Int64; var result: String; var reason: String? }
                try printJSON(
                    results.map { id, result in
                        switch result {
                        case .replayed: Line(id: id, result: "replayed")
                        case .skipped(let why): Line(id: id, result: dryRun ? "would_replay" : "skipped", reason: why)
                        case .failed(let why): Line(id: id, result: "failed", reason: why)
                        }
                    } + missing.sorted().map { Line(id: $0, result: "failed", reason: "no such dead letter") })
            } else {
                printTable(
                    ["ID", "RESULT"],
                    results.map { id, result in
                        switch result {
                        case .replayed: [String(id), "replayed"]
                        case .skipped(let why): [String(id), dryRun ? "would replay" : "skipped: \(why)"]
                        case .failed(let why): [String(id), "FAILED: \(why)"]
                        }
                    } + missing.sorted().map { [String($0), "FAILED: no such dead letter"] })
            }
            let failed = results.contains { if case .failed = $0.1 { true } else { false } }
            if failed || !missing.isEmpty { throw ExitCode(1) }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete dead letters for good.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var filters: Filters
        @Argument(help: "Dead letter ids.") var ids: [Int64] = []
        @Option(help: "Purge letters dead longer than this (30d, 12h).") var olderThan: String?
        @Flag(help: "Count what would be purged, delete nothing.") var dryRun = false

        func validate() throws {
            if ids.isEmpty && olderThan == nil { throw ValidationError("give dead letter ids or --older-than") }
        }

        func run() async throws {
            var filter = try filters.filter()
            filter.ids = ids
            if let olderThan { filter.before = Date().addingTimeInterval(-(try parseAge(olderThan))) }
            let count = try await global.withPool { pool in
                let store = DeadLetterStore(pool: pool)
                if dryRun { return try await store.list(filter).count }
                return try await store.purge(filter)
            }
            if global.json {
                try printJSON(["purged": dryRun ? 0 : count, "matched": count])
            } else {
                print(dryRun ? "would purge \(count) dead letter(s)" : "purged \(count) dead letter(s)")
            }
        }
    }
}
