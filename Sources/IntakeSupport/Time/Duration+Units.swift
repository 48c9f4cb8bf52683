/// A `Duration` in the units that APIs outside Swift take (libpq and libcurl milliseconds,
/// `poll(2)`, NIO's nanoseconds, Prometheus and PostgreSQL seconds). The one set in Intake;
/// the other direction is the standard library's (`.seconds(2.5)`, `.milliseconds(n)`), which
/// these properties do not clash with: `duration.seconds` is a `Double`, `Duration.seconds(2)` a
/// `Duration`.
/// Integer units truncate toward zero and saturate instead of overflowing.
extension Duration {
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    package var milliseconds: Int64 { whole(perSecond: 1_000) }
    package var microseconds: Int64 { whole(perSecond: 1_000_000) }
    package var nanoseconds: Int64 { whole(perSecond: 1_000_000_000) }

    private func whole(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = scaled.addingReportingOverflow(attoseconds / (1_000_000_000_000_000_000 / perSecond))
        if sumOverflow { return seconds < 0 ? .min : .max }
        return total
    }
}
