// IntakeHTTP
