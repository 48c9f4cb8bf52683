import Foundation
import IntakeCore
import IntakeSupport

/// Checks a module-sync request against the schema of SPEC §5 and reports every problem with its
/// JSON path, not just the first — a site owner fixes the whole push in one round.
///
/// `sync_timestamp` takes either an RFC 3339 date-time with an offset (`2024-01-15T10:35:00Z`)
/// or unix seconds as a JSON number (`1705315000`). Because the later `sync_timestamp` of a site
/// wins, a timestamp further in the future than `maximumClockSkew` is refused: one bad clock would
/// otherwise lock out every honest sync after it. `sync_type` defaults to `full` when omitted.
/// Members the schema does not name are ignored.
public struct DrupalSyncValidator: Sendable {
    public static let maximumModules = 2_000

    public enum Outcome: Sendable, Equatable {
        case valid(DrupalSyncRequest)
        case invalid([ValidationProblem])
    }

    public var now: Date
    public var maximumClockSkew: TimeInterval

    public init(now: Date = Date(), maximumClockSkew: TimeInterval = 86_400) {
        self.now = now
        self.maximumClockSkew = maximumClockSkew
    }

    public func validate(jsonBytes: some Collection<UInt8>) -> Outcome {
        let document: JSONNode
        do {
            document = try JSONNode.parse(jsonBytes)
        } catch {
            return .invalid([ValidationProblem(path: "$", message: error.description)])
        }
        return validate(document: document)
    }

    package func validate(document: JSONNode) -> Outcome {
        guard let root = document.objectValue else {
            return .invalid([
                ValidationProblem(path: "$", message: "must be a JSON object, found \(document.kindDescription)")
            ])
        }
        var problems = DrupalProblemList()

        var siteInfo = JSONObject()
        switch root["site_info"] {
        case nil, .null?: problems.add("site_info", "is required")
        case .object(let object)?: siteInfo = object
        case let other?: problems.add("site_info", "must be an object, found \(other.kindDescription)")
        }

        let modules = validateModules(root["modules"], problems: &problems)
        let syncTimestamp = validateTimestamp(root["sync_timestamp"], problems: &problems)
        let drupalVersion = problems.requiredString(root, "drupal_version", path: "drupal_version")
        let phpVersion = problems.requiredString(root, "php_version", path: "php_version")
        for (key, value) in [("drupal_version", drupalVersion), ("php_version", phpVersion)] {
            if let value, !Self.isThreePartVersion(value) {
                problems.add(key, "\(ValidationProblem.quote(value)) must be X.Y.Z, e.g. 10.1.5")
            }
        }

        var syncType = DrupalSyncType.full
        if let text = problems.optionalString(root, "sync_type", path: "sync_type") {
            if let parsed = DrupalSyncType(rawValue: text) {
                syncType = parsed
            } else {
                problems.add("sync_type", "\(ValidationProblem.quote(text)) is not one of full, partial")
            }
        }

        guard problems.isEmpty, let modules, let syncTimestamp, let drupalVersion, let phpVersion else {
            return .invalid(problems.list)
        }
        return .valid(
            DrupalSyncRequest(
                siteInfo: siteInfo, modules: modules, syncTimestamp: syncTimestamp,
                drupalVersion: drupalVersion, phpVersion: phpVersion, syncType: syncType))
    }

    private func validateModules(_ node: JSONNode?, problems: inout DrupalProblemList) -> [DrupalModuleInfo]? {
        guard let node, !node.isNull else {
            problems.add("modules", "is required")
            return nil
        }
        guard let elements = node.arrayValue else {
            problems.add("modules", "must be an array, found \(node.kindDescription)")
            return nil
        }
        if elements.isEmpty || elements.count > Self.maximumModules {
            problems.add("modules", "must list 1–2,000 modules, found \(elements.count)")
        }
        var modules: [DrupalModuleInfo] = []
        modules.reserveCapacity(elements.count)
        var firstIndexByMachineName: [String: Int] = [:]
        firstIndexByMachineName.reserveCapacity(elements.count)
        var allValid = true
        for (index, element) in elements.enumerated() {
            let path = "modules[\(index)]"
            let before = problems.count
            let module = DrupalModuleValidator.validate(element, path: path, problems: &problems)
            if let machineName = module?.machineName {
                if let first = firstIndexByMachineName[machineName] {
                    problems.add(
                        "\(path).machine_name",
                        "duplicate of modules[\(first)].machine_name (\(ValidationProblem.quote(machineName))); a module may be listed once"
                    )
                } else {
                    firstIndexByMachineName[machineName] = index
                }
            }
            if let module, problems.count == before {
                modules.append(module)
            } else {
                allValid = false
            }
        }
        return allValid ? modules : nil
    }

    private func validateTimestamp(_ node: JSONNode?, problems: inout DrupalProblemList) -> Date? {
        let path = "sync_timestamp"
        let date: Date
        switch node {
        case nil, .null?:
            problems.add(path, "is required")
            return nil
        case .string(let text)?:
            guard let parsed = RFC3339DateTime.parse(text) else {
                problems.add(
                    path, "\(ValidationProblem.quote(text)) is not an RFC 3339 date-time with offset (e.g. 2024-01-15T10:35:00Z)")
                return nil
            }
            date = parsed
        case .number(let text)?:
            // Unix seconds: anything from 1970 up to the year 9999.
            guard let seconds = Double(text), seconds > 0, seconds < 253_402_300_800 else {
                problems.add(path, "\(text) is not a plausible unix time in seconds")
                return nil
            }
            date = Date(timeIntervalSince1970: seconds)
        case let other?:
            problems.add(
                path, "must be an RFC 3339 date-time string or unix seconds, found \(other.kindDescription)")
            return nil
        }
        if date.timeIntervalSince(now) > maximumClockSkew {
            problems.add(
                path,
                "\(RFC3339DateTime.format(date)) is more than \(Int(maximumClockSkew / 3600)) hours in the future; check the site's clock"
            )
            return nil
        }
        return date
    }

    static func isThreePartVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 9 && part.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            }
    }
}

extension ValidationProblem {
    /// `"text"` for messages, with the text cut short so one absurd value cannot bloat a result.
    static func quote(_ text: String) -> String {
        let shown = text.unicodeScalars.count > 80 ? String(text.prefix(77)) + "..." : text
        return JSONNode.string(shown).serialized()
    }
}
