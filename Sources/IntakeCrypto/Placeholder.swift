// IntakeCrypto
