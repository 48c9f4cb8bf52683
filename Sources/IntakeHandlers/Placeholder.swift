// IntakeHandlers
