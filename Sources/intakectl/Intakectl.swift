import ArgumentParser
import IntakeHandlers
import IntakePostgres

@main
struct Intakectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intakectl",
        abstract: "Operate Intake: migrate the database, inspect queues, replay dead letters.",
        subcommands: [Migrate.self]
    )
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "libpq URI or conninfo (default: DATABASE_URL, else the PG* variables).")
    var databaseURL: String?

    @Option(name: .long, help: "Database name, overriding the one in the URL.")
    var database: String?

    func postgresConfiguration() -> PostgresConfiguration {
        var configuration = PostgresConfiguration.fromEnvironment(applicationName: "intakectl")
        if let databaseURL { configuration.conninfo = databaseURL }
        configuration.database = database
        return configuration
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the intake and ingest schemas (safe to run from several pods at once).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let connection = try await PostgresConnection.connect(configuration: database.postgresConfiguration())
        let migrator = IntakeMigrations.migrator()
        let applied = try await migrator.migrate(on: connection)
        await connection.close()
        if applied.isEmpty {
            print("schema is up to date (version \(migrator.latestVersion))")
        } else {
            print("applied migrations \(applied.map(String.init).joined(separator: ", ")); schema is at version \(migrator.latestVersion)")
        }
    }
}

