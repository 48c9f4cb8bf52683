// IntakeCore
