import ArgumentParser
import IntakeCore
import IntakeHandlers
import IntakePostgres
import IntakeSchema

@main
struct Intakectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intakectl",
        abstract: "Operate Intake: migrate the database, inspect queues, replay dead letters.",
        version: IntakeBuild.versionLine(program: "intakectl"),
        subcommands: [
            Migrate.self, Status.self, DLQ.self, Jobs.self, Deliveries.self, Imports.self, Reprocess.self, Sites.self,
            FHIR.self, Config.self, AWS.self, SQSCommand.self,
        ]
    )
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the intake and ingest schemas (safe to run from several pods at once).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let connection = try await PostgresConnection.connect(configuration: try global.postgresConfiguration())
        let migrator = IntakeMigrations.migrator()
        let applied = try await migrator.migrate(on: connection)
        await connection.close()
        if applied.isEmpty {
            print("schema is up to date (version \(migrator.latestVersion))")
        } else {
            print(
                "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema is at version \(migrator.latestVersion)")
        }
    }
}
