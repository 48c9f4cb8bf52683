import Foundation

/// The metrics of one process, rendered for `GET /metrics` in the Prometheus text format 0.0.4.
///
/// A metric is a family (name, help, type) with one series per distinct label set. Asking for
/// the same name and labels again returns the same handle, so handles may be looked up where
/// they are used or kept in a property.
public final class MetricsRegistry: @unchecked Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    private final class Family {
        let name: String
        let help: String
        let kind: Kind
        let buckets: [Double]
        var series: [String: (labels: [(String, String)], metric: AnyObject)] = [:]

        init(name: String, help: String, kind: Kind, buckets: [Double]) {
            self.name = name
            self.help = help
            self.kind = kind
            self.buckets = buckets
        }
    }

    /// The registry processes use unless they make their own.
    public static let shared = MetricsRegistry()

    private let lock = NSLock()
    private var families: [String: Family] = [:]
    private var collectors: [@Sendable () -> Void] = []

    public init() {}

    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        self.metric(name, help: help, kind: .counter, buckets: [], labels: labels) { _ in Counter() }
    }

    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        self.metric(name, help: help, kind: .gauge, buckets: [], labels: labels) { _ in Gauge() }
    }

    /// `buckets` are upper bounds; they are sorted, and only the first registration of a name
    /// decides them.
    public func histogram(
        _ name: String,
        help: String,
        buckets: [Double] = Histogram.defaultBuckets,
        labels: [String: String] = [:]
    ) -> Histogram {
        let bounds = Array(Set(buckets.filter { $0.isFinite })).sorted()
        precondition(labels["le"] == nil, "metric \(name): the label \"le\" is reserved for histogram buckets")
        return self.metric(name, help: help, kind: .histogram, buckets: bounds, labels: labels) { family in
            Histogram(buckets: family.buckets)
        }
    }

    /// Runs `collect` at the start of every ``render()``: the place to refresh gauges that are
    /// cheap to read on demand (open connections, memory).
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        self.lock.lock()
        self.collectors.append(collect)
        self.lock.unlock()
    }

    private func metric<M: AnyObject>(
        _ name: String,
        help: String,
        kind: Kind,
        buckets: [Double],
        labels: [String: String],
        make: (Family) -> M
    ) -> M {
        precondition(Self.isValidMetricName(name), "invalid metric name \"\(name)\"")
        for labelName in labels.keys {
            precondition(Self.isValidLabelName(labelName), "metric \(name): invalid label name \"\(labelName)\"")
        }
        let sortedLabels = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let key = sortedLabels.map { "\($0.0)\u{0}\($0.1)" }.joined(separator: "\u{1}")
        self.lock.lock()
        defer { self.lock.unlock() }
        let family: Family
        if let existing = self.families[name] {
            precondition(
                existing.kind == kind,
                "metric \(name) is already registered as a \(existing.kind.rawValue), not a \(kind.rawValue)"
            )
            family = existing
        } else {
            family = Family(name: name, help: help, kind: kind, buckets: buckets)
            self.families[name] = family
        }
        if let existing = family.series[key]?.metric as? M { return existing }
        let metric = make(family)
        family.series[key] = (sortedLabels, metric)
        return metric
    }

    /// The Prometheus text exposition (format 0.0.4), families sorted by name.
    public func render() -> String {
        self.lock.lock()
        let collectors = self.collectors
        self.lock.unlock()
        for collect in collectors { collect() }

        self.lock.lock()
        let families = self.families.values.sorted { $0.name < $1.name }.map { family in
            (family, family.series.values.sorted { Self.labelText($0.labels) < Self.labelText($1.labels) })
        }
        self.lock.unlock()

        var output = ""
        output.reserveCapacity(families.count * 160)
        for (family, series) in families {
            output += "# HELP \(family.name) \(Self.escapeHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for (labels, metric) in series {
                switch metric {
                case let counter as Counter:
                    output += "\(family.name)\(Self.labelText(labels)) \(Self.format(counter.value))\n"
                case let gauge as Gauge:
                    output += "\(family.name)\(Self.labelText(labels)) \(Self.format(gauge.value))\n"
                case let histogram as Histogram:
                    let snapshot = histogram.snapshot()
                    for (index, bound) in family.buckets.enumerated() {
                        let bucketLabels = labels + [("le", Self.format(bound))]
                        output += "\(family.name)_bucket\(Self.labelText(bucketLabels)) \(snapshot.cumulative[index])\n"
                    }
                    output += "\(family.name)_bucket\(Self.labelText(labels + [("le", "+Inf")])) \(snapshot.count)\n"
                    output += "\(family.name)_sum\(Self.labelText(labels)) \(Self.format(snapshot.sum))\n"
                    output += "\(family.name)_count\(Self.labelText(labels)) \(snapshot.count)\n"
                default:
                    continue
                }
            }
        }
        return output
    }

    /// The content type `GET /metrics` answers with.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func labelText(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(Self.escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0.isNewline }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n", "\r\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integral values without a fraction (`3`, not `3.0`), as Prometheus' own clients write them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
            first.properties.isAlphabetic || first == "_" || first == ":"
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":")
        }
    }

    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_",
            !name.hasPrefix("__")
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
        }
    }
}
