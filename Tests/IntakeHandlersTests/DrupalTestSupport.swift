import Foundation

@testable import IntakeDrupal

/// Builders for Drupal sync request bodies used across the Drupal tests.
enum DrupalRequests {
    static let now = Date(timeIntervalSince1970: 1_705_315_000)  // 2024-01-15T10:36:40Z

    static func module(
        _ machineName: String, version: String = "8.x-1.0", type: String = "contrib", status: Bool = true,
        extra: String = ""
    ) -> String {
        """
        {"machine_name": "\(machineName)", "name": "\(machineName.capitalized)", "type": "\(type)",
         "version": "\(version)", "status": \(status)\(extra.isEmpty ? "" : ", " + extra)}
        """
    }

    static func body(
        modules: [String], syncType: String = "full", syncTimestamp: String = "\"2024-01-15T10:35:00Z\"",
        drupalVersion: String = "10.1.5", phpVersion: String = "8.1.27"
    ) -> [UInt8] {
        let text = """
            {
              "site_info": {"name": "Example Site", "environment": "production"},
              "modules": [\(modules.joined(separator: ",\n"))],
              "sync_timestamp": \(syncTimestamp),
              "drupal_version": "\(drupalVersion)",
              "php_version": "\(phpVersion)",
              "sync_type": "\(syncType)"
            }
            """
        return Array(text.utf8)
    }

    static func validate(_ bytes: [UInt8]) -> DrupalSyncValidator.Outcome {
        DrupalSyncValidator(now: now).validate(jsonBytes: bytes)
    }

    static func request(_ bytes: [UInt8]) throws -> DrupalSyncRequest {
        try DrupalSyncRequest(jsonBytes: bytes, now: now)
    }

    static func problems(_ bytes: [UInt8]) -> [ValidationProblem] {
        if case .invalid(let problems) = validate(bytes) { return problems }
        return []
    }
}
