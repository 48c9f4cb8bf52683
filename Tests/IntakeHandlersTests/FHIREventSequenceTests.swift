import IntakeTestSupport
import Testing

@testable import IntakeHandlers

@Suite("FHIR event numbering")
struct FHIREventSequenceTests {
    typealias Gap = FHIREventSequence.Gap

    @Test("consecutive events are accepted, repeats are duplicates")
    func consecutive() {
        let outcome = FHIREventSequence.observeEvents([3, 4, 4, 2], state: .init(lastEventNumber: 2))
        #expect(outcome.accepted == [3, 4])
        #expect(outcome.duplicates == [2, 4])
        #expect(outcome.openedGaps.isEmpty)
        #expect(outcome.state.lastEventNumber == 4)
    }

    @Test("a jump records the gap expected..received-1")
    func gap() {
        let outcome = FHIREventSequence.observeEvents([7], state: .init(lastEventNumber: 3))
        #expect(outcome.accepted == [7])
        #expect(outcome.openedGaps == [Gap(expected: 4, received: 7)])
        #expect(outcome.openedGaps.first?.missingCount == 3)
        #expect(outcome.state.openGaps == [Gap(expected: 4, received: 7)])
    }

    @Test("a late event inside a gap is accepted and splits the gap")
    func lateEvent() {
        let state = FHIREventSequence.State(lastEventNumber: 10, openGaps: [Gap(expected: 4, received: 7)])
        let outcome = FHIREventSequence.observeEvents([5, 9, 12], state: state)
        #expect(outcome.accepted == [5, 12])
        #expect(outcome.duplicates == [9])
        #expect(outcome.resolvedGaps == [Gap(expected: 4, received: 7)])
        #expect(outcome.openedGaps == [Gap(expected: 4, received: 5), Gap(expected: 6, received: 7), Gap(expected: 11, received: 12)])
        #expect(outcome.state.openGaps == outcome.openedGaps)
        #expect(outcome.state.lastEventNumber == 12)
        let closing = FHIREventSequence.observeEvents([4, 6], state: outcome.state)
        #expect(closing.accepted == [4, 6])
        #expect(closing.resolvedGaps == [Gap(expected: 4, received: 5), Gap(expected: 6, received: 7)])
        #expect(closing.openedGaps.isEmpty)
        #expect(closing.state.openGaps == [Gap(expected: 11, received: 12)])
    }

    @Test("the first event ever seen sets the baseline without a gap")
    func firstEvent() {
        let outcome = FHIREventSequence.observeEvents([40, 41], state: .init())
        #expect(outcome.accepted == [40, 41])
        #expect(outcome.openedGaps.isEmpty)
    }

    @Test("a handshake resets the count")
    func handshake() {
        let state = FHIREventSequence.handshake(eventsSinceSubscriptionStart: 0)
        #expect(state == .init(lastEventNumber: 0))
        let outcome = FHIREventSequence.observeEvents([1], state: state)
        #expect(outcome.accepted == [1] && outcome.openedGaps.isEmpty)
    }

    @Test("a heartbeat counter beyond the last event reveals lost events")
    func heartbeatGap() {
        let outcome = FHIREventSequence.observeStatus(eventsSinceSubscriptionStart: 310, state: .init(lastEventNumber: 305))
        #expect(outcome.openedGaps == [Gap(expected: 306, received: 311)])
        #expect(outcome.state.lastEventNumber == 310)
        let late = FHIREventSequence.observeEvents([306], state: outcome.state)
        #expect(late.accepted == [306])
        #expect(late.state.openGaps == [Gap(expected: 307, received: 311)])
        let same = FHIREventSequence.observeStatus(eventsSinceSubscriptionStart: 310, state: outcome.state)
        #expect(same.openedGaps.isEmpty && !same.counterRegressed)
        let backwards = FHIREventSequence.observeStatus(eventsSinceSubscriptionStart: 2, state: outcome.state)
        #expect(backwards.counterRegressed)
        #expect(backwards.state == outcome.state)
    }

    @Test("parsed notifications feed the sequence")
    func fromNotification() throws {
        let notification = try FHIRNotification.parse(Array(FHIRFixturesR5.multiEventNumericCounters.utf8))
        let outcome = FHIREventSequence.observeEvents(notification.trackedEventNumbers, state: .init(lastEventNumber: 9))
        #expect(outcome.accepted == [11, 12])
        #expect(outcome.openedGaps == [Gap(expected: 10, received: 11)])
    }
}
