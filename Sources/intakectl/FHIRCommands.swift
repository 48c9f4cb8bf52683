import ArgumentParser
import Foundation
import IntakePostgres

/// `intakectl fhir gaps`: events a FHIR server numbered but Intake never received.
struct FHIR: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect FHIR subscription notifications (fhir.subscription).", subcommands: [Gaps.self])

    struct Gaps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List gaps in subscriptions' event numbers: events the server sent that never arrived.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this subscription (its reference, e.g. https://example.org/fhir/Subscription/123).")
        var subscription: String?
        @Flag(help: "Include gaps already closed (filled by late events, or reset by a handshake).")
        var all = false

        struct Line: Encodable {
            var subscription: String
            var first_missing: Int64
            var last_missing: Int64
            var missing_count: Int64
            var detected_at: Date
            var resolved_at: Date?
            var resolution: String?
        }

        func run() async throws {
            let lines: [Line] = try await global.withPool { pool in
                let rows = try await pool.query(
                    """
                    SELECT subscription_reference, expected, received - 1, received - expected, detected_at,
                           resolved_at, resolution
                    FROM ingest.fhir_event_gaps
                    WHERE ($1::text IS NULL OR subscription_reference = $1) AND ($2 OR resolved_at IS NULL)
                    ORDER BY subscription_reference, expected, id
                    """, [subscription, all])
                return try rows.map { row in
                    Line(
                        subscription: try row.decode(String.self, at: 0), first_missing: try row.decode(Int64.self, at: 1),
                        last_missing: try row.decode(Int64.self, at: 2), missing_count: try row.decode(Int64.self, at: 3),
                        detected_at: try row.decode(Date.self, at: 4), resolved_at: try row.decode(Date?.self, at: 5),
                        resolution: try row.decode(String?.self, at: 6))
                }
            }
            if global.json { return try printJSON(lines) }
            var header = ["SUBSCRIPTION", "MISSING EVENTS", "COUNT", "DETECTED"]
            if all { header += ["RESOLVED"] }
            printTable(
                header,
                lines.map { line in
                    let range =
                        line.first_missing == line.last_missing
                        ? "\(line.first_missing)" : "\(line.first_missing)–\(line.last_missing)"
                    var cells = [line.subscription, range, String(line.missing_count), formatDate(line.detected_at)]
                    if all {
                        cells.append(line.resolved_at.map { "\(formatDate($0)) (\(line.resolution ?? "-"))" } ?? "open")
                    }
                    return cells
                })
        }
    }
}

/// The `FHIR GAPS` section of `intakectl status`: per subscription with open gaps, how many
/// events are missing and which.
enum FHIRGapSummary {
    static func statusSection(pool: PostgresPool) async throws -> [String: String] {
        let rows = try await pool.query(
            """
            SELECT subscription_reference, count(*), sum(received - expected)::bigint,
                   string_agg(CASE WHEN received - expected = 1 THEN expected::text
                                   ELSE expected::text || '-' || (received - 1)::text END, ', ' ORDER BY expected)
            FROM ingest.fhir_event_gaps WHERE resolved_at IS NULL
            GROUP BY 1 ORDER BY 1
            """)
        var section: [String: String] = [:]
        for row in rows {
            let gaps = try row.decode(Int.self, at: 1)
            let missing = try row.decode(Int64.self, at: 2)
            var ranges = try row.decode(String.self, at: 3)
            if ranges.count > 60 { ranges = String(ranges.prefix(57)) + "..." }
            section[try row.decode(String.self, at: 0)] =
                "\(gaps) open gap\(gaps == 1 ? "" : "s"), \(missing) event\(missing == 1 ? "" : "s") missing: \(ranges)"
        }
        return section
    }
}
