import Testing

@testable import IntakeCore

@Suite("Metrics")
struct MetricsTests {
    @Test("counters and gauges render with HELP, TYPE and sorted labels")
    func countersAndGauges() {
        let registry = MetricsRegistry()
        let accepted = registry.counter("intake_webhooks_total", help: "Webhooks by outcome.", labels: ["source": "github", "outcome": "accepted"])
        accepted.increment()
        accepted.increment(by: 2)
        registry.counter("intake_webhooks_total", help: "ignored", labels: ["outcome": "rejected", "source": "github"]).increment()
        #expect(registry.counter("intake_webhooks_total", help: "", labels: ["outcome": "accepted", "source": "github"]) === accepted)
        let inFlight = registry.gauge("intake_in_flight", help: "Messages being handled.")
        inFlight.set(5)
        inFlight.decrement()
        inFlight.increment(by: 0.5)
        #expect(
            registry.render() == """
                # HELP intake_in_flight Messages being handled.
                # TYPE intake_in_flight gauge
                intake_in_flight 4.5
                # HELP intake_webhooks_total Webhooks by outcome.
                # TYPE intake_webhooks_total counter
                intake_webhooks_total{outcome="accepted",source="github"} 3
                intake_webhooks_total{outcome="rejected",source="github"} 1

                """
        )
    }

    @Test("histograms render cumulative buckets, +Inf, _sum and _count")
    func histogram() {
        let registry = MetricsRegistry()
        let latency = registry.histogram("intake_handler_seconds", help: "Handler time.", buckets: [0.1, 1, 0.5], labels: ["handler": "csv"])
        for value in [0.05, 0.1, 0.3, 0.7, 3.0] { latency.observe(value) }
        latency.observe(.milliseconds(250))
        #expect(
            registry.render() == """
                # HELP intake_handler_seconds Handler time.
                # TYPE intake_handler_seconds histogram
                intake_handler_seconds_bucket{handler="csv",le="0.1"} 2
                intake_handler_seconds_bucket{handler="csv",le="0.5"} 4
                intake_handler_seconds_bucket{handler="csv",le="1"} 5
                intake_handler_seconds_bucket{handler="csv",le="+Inf"} 6
                intake_handler_seconds_sum{handler="csv"} 4.4
                intake_handler_seconds_count{handler="csv"} 6

                """
        )
    }

    @Test("label values and help text are escaped")
    func escaping() {
        let registry = MetricsRegistry()
        registry.counter("odd_total", help: "back\\slash and\nnewline", labels: ["v": "a\"b\\c\nd"]).increment()
        #expect(
            registry.render() == """
                # HELP odd_total back\\\\slash and\\nnewline
                # TYPE odd_total counter
                odd_total{v="a\\"b\\\\c\\nd"} 1

                """
        )
    }

    @Test("numbers use Prometheus spellings")
    func numbers() {
        #expect(MetricsRegistry.format(3) == "3")
        #expect(MetricsRegistry.format(0.25) == "0.25")
        #expect(MetricsRegistry.format(.infinity) == "+Inf")
        #expect(MetricsRegistry.format(-.infinity) == "-Inf")
        #expect(MetricsRegistry.format(.nan) == "NaN")
        #expect(MetricsRegistry.isValidMetricName("intake:rate_5m") && !MetricsRegistry.isValidMetricName("9lives"))
        #expect(MetricsRegistry.isValidLabelName("handler") && !MetricsRegistry.isValidLabelName("__name"))
    }

    @Test("collectors refresh gauges at render time; counters ignore decrements")
    func collectors() {
        let registry = MetricsRegistry()
        let gauge = registry.gauge("refreshed", help: "h")
        registry.addCollector { gauge.set(7) }
        let counter = registry.counter("c_total", help: "h")
        counter.increment(by: -5)
        #expect(registry.render().contains("refreshed 7\n"))
        #expect(counter.value == 0)
    }

    @Test("concurrent updates are all counted")
    func concurrentUpdates() async {
        let registry = MetricsRegistry()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let counter = registry.counter("events_total", help: "h", labels: ["task": "\(task % 2)"])
                    let histogram = registry.histogram("sizes", help: "h", buckets: [10])
                    for _ in 0..<1000 {
                        counter.increment()
                        histogram.observe(1)
                    }
                }
            }
        }
        let text = registry.render()
        #expect(text.contains("events_total{task=\"0\"} 4000\n"))
        #expect(text.contains("events_total{task=\"1\"} 4000\n"))
        #expect(text.contains("sizes_count 8000\n"))
    }
}
