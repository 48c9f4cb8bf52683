// IntakeReceiver
