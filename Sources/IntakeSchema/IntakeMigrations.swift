import IntakeCore
import IntakePostgres

/// Every migration this build knows, in order: the `intake` machinery, then the `ingest`
/// tables of the built-in strategies. `intakectl migrate` applies them; other processes
/// refuse to start until the database has them all. Versions are global: `CoreSchema`
/// holds 1, 2, 8 and 9; a new migration takes the next free number, wherever it lives.
public enum IntakeMigrations {
    public static let all: [Migration] =
        CoreSchema.migrations + [
            Migration(version: 3, name: "ingest: claims, audit and commerce", sql: ImportSchema.sql),
            Migration(version: 4, name: "ingest: drupal module sync", sql: DrupalSchema.sql),
            Migration(version: 5, name: "ingest: fhir subscriptions", sql: FHIRSchema.sql),
            Migration(version: 6, name: "imports: staged row values, lookup indexes", sql: ImportJobsSchema.sql),
            Migration(version: 7, name: "ingest: fhir events and gap resolution", sql: FHIREventSchema.sql),
        ]

    public static func migrator() -> Migrator { Migrator(migrations: all) }
}
