/// Event-number bookkeeping for one subscription (SPEC §5: "duplicates are ignored and gaps are
/// recorded"). Pure: the handler loads `State` from `ingest.fhir_subscriptions` /
/// `ingest.fhir_event_gaps`, applies an outcome and stores the new state in the same transaction.
///
/// A gap `expected..<received` is a run of events the server numbered but this side never saw.
/// An event that arrives late, inside an open gap, is not a duplicate: it is accepted and closes
/// its part of the gap (`resolvedGaps` lists the gaps that changed, `openedGaps` what remains of
/// them together with any new gaps).
public enum FHIREventSequence {
    public struct Gap: Sendable, Hashable, Comparable {
        /// The first missing event number.
        public var expected: Int64
        /// The number that revealed the gap; the gap ends just before it.
        public var received: Int64

        public init(expected: Int64, received: Int64) {
            self.expected = expected
            self.received = received
        }

        public var missingCount: Int64 { received - expected }

        public func contains(_ number: Int64) -> Bool { number >= expected && number < received }

        public static func < (lhs: Gap, rhs: Gap) -> Bool { lhs.expected < rhs.expected }
    }

    public struct State: Sendable, Equatable {
        /// The highest event number seen; nil until the first handshake or event.
        public var lastEventNumber: Int64?
        public var openGaps: [Gap]

        public init(lastEventNumber: Int64? = nil, openGaps: [Gap] = []) {
            self.lastEventNumber = lastEventNumber
            self.openGaps = openGaps.sorted()
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// New events to process, ascending (late arrivals that fill a gap included).
        public var accepted: [Int64]
        /// Already seen (or repeated in this notification): ignore them.
        public var duplicates: [Int64]
        /// Gaps to record.
        public var openedGaps: [Gap]
        /// Previously open gaps that a late event closed or split: mark them resolved.
        public var resolvedGaps: [Gap]
        /// A status counter lower than an event already seen: the server may have reset the
        /// subscription without a handshake. Nothing is changed; worth a warning.
        public var counterRegressed: Bool
        public var state: State
    }

    /// A handshake (re)starts the count: the server's `eventsSinceSubscriptionStart` becomes the
    /// baseline, and earlier gaps belong to a subscription that no longer counts.
    public static func handshake(eventsSinceSubscriptionStart: Int64?) -> State {
        State(lastEventNumber: eventsSinceSubscriptionStart, openGaps: [])
    }

    /// Events of an `event-notification` (or `query-event`).
    public static func observeEvents(_ incoming: [Int64], state: State) -> Outcome {
        var outcome = Outcome(
            accepted: [], duplicates: [], openedGaps: [], resolvedGaps: [], counterRegressed: false, state: state)
        var seenInBatch = Set<Int64>()
        for number in incoming.sorted() {
            guard seenInBatch.insert(number).inserted else {
                outcome.duplicates.append(number)
                continue
            }
            guard let last = outcome.state.lastEventNumber, number <= last else {
                if let last = outcome.state.lastEventNumber, number > last + 1 {
                    open(Gap(expected: last + 1, received: number), in: &outcome)
                }
                outcome.state.lastEventNumber = number
                outcome.accepted.append(number)
                continue
            }
            if let gapIndex = outcome.state.openGaps.firstIndex(where: { $0.contains(number) }) {
                fill(number, gapAt: gapIndex, in: &outcome)
                outcome.accepted.append(number)
            } else {
                outcome.duplicates.append(number)
            }
        }
        return outcome
    }

    /// A `heartbeat` or `query-status` reports how many events the server has sent; any beyond
    /// the last one seen were lost on the way.
    public static func observeStatus(eventsSinceSubscriptionStart: Int64, state: State) -> Outcome {
        var outcome = Outcome(
            accepted: [], duplicates: [], openedGaps: [], resolvedGaps: [], counterRegressed: false, state: state)
        guard let last = state.lastEventNumber else {
            outcome.state.lastEventNumber = eventsSinceSubscriptionStart
            return outcome
        }
        if eventsSinceSubscriptionStart > last {
            open(Gap(expected: last + 1, received: eventsSinceSubscriptionStart + 1), in: &outcome)
            outcome.state.lastEventNumber = eventsSinceSubscriptionStart
        } else if eventsSinceSubscriptionStart < last {
            outcome.counterRegressed = true
        }
        return outcome
    }

    private static func open(_ gap: Gap, in outcome: inout Outcome) {
        outcome.openedGaps.append(gap)
        outcome.state.openGaps.append(gap)
        outcome.state.openGaps.sort()
    }

    private static func fill(_ number: Int64, gapAt index: Int, in outcome: inout Outcome) {
        let gap = outcome.state.openGaps.remove(at: index)
        var remnants: [Gap] = []
        if number > gap.expected { remnants.append(Gap(expected: gap.expected, received: number)) }
        if number + 1 < gap.received { remnants.append(Gap(expected: number + 1, received: gap.received)) }
        // A gap opened by this same notification is simply replaced; one from before is resolved.
        if let opened = outcome.openedGaps.firstIndex(of: gap) {
            outcome.openedGaps.remove(at: opened)
        } else {
            outcome.resolvedGaps.append(gap)
        }
        outcome.openedGaps += remnants
        outcome.state.openGaps += remnants
        outcome.state.openGaps.sort()
    }
}
