import ArgumentParser
import Foundation
import IntakeCore
import IntakePostgres

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: INTAKE_CONFIG, else ./intake.yaml when present).")
    var config: String?

    @Option(name: .long, help: "libpq URI or conninfo (default: the configuration's database.url, else DATABASE_URL, else the PG* variables).")
    var databaseURL: String?

    @Option(name: .long, help: "Database name, overriding the one in the URL.")
    var database: String?

    @Flag(name: .long, help: "Machine-readable JSON output.")
    var json = false

    /// The configuration file, when one is named or `./intake.yaml` exists; intakectl also
    /// works from the environment alone.
    func loadConfiguration() throws -> IntakeConfiguration? {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["INTAKE_CONFIG"] ?? IntakeConfiguration.defaultPath
        if config == nil && environment["INTAKE_CONFIG"] == nil && !FileManager.default.fileExists(atPath: path) {
            return nil
        }
        do {
            return try IntakeConfiguration.load(path: path, for: .control)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func postgresConfiguration() throws -> PostgresConfiguration {
        var configuration = PostgresConfiguration.fromEnvironment(applicationName: "intakectl")
        if let url = try loadConfiguration()?.database.url.value, !url.isEmpty { configuration.conninfo = url }
        if let databaseURL { configuration.conninfo = databaseURL }
        configuration.database = database
        return configuration
    }

    func withPool<T: Sendable>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = PostgresPool(configuration: try postgresConfiguration(), size: 2)
        do {
            let value = try await body(pool)
            await pool.close()
            return value
        } catch {
            await pool.close()
            throw error
        }
    }
}

/// Parses `30d`, `12h`, `15m`, `45s` into seconds.
func parseAge(_ text: String) throws -> Double {
    guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0 else {
        throw ValidationError("\"\(text)\" is not an age like 30d, 12h, 15m or 45s")
    }
    switch unit {
    case "d": return amount * 86_400
    case "h": return amount * 3_600
    case "m": return amount * 60
    case "s": return amount
    default: throw ValidationError("\"\(text)\": unit must be d, h, m or s")
    }
}

/// An absolute time (`2026-01-31`, RFC 3339) or an age back from now (`24h`).
func parseSince(_ text: String) throws -> Date {
    if let seconds = try? parseAge(text) { return Date().addingTimeInterval(-seconds) }
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withFullDate]
    if let date = formatter.date(from: text) { return date }
    throw ValidationError("\"\(text)\" is neither a date (2026-01-31, RFC 3339) nor an age (24h, 7d)")
}
