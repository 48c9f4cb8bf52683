// IntakePostgres
