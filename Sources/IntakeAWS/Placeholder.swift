// IntakeAWS
