import Testing

@testable import IntakeSupport

@Suite("Gregorian calendar and Duration units")
struct TimeTests {
    @Test("known dates, both directions")
    func knownDates() {
        let known: [(Int, Int, Int, Int)] = [
            (1970, 1, 1, 0), (1969, 12, 31, -1), (2000, 2, 29, 11_016), (2024, 2, 29, 19_782),
            (1, 1, 1, -719_162), (9999, 12, 31, 2_932_896), (1600, 3, 1, -135_080),
        ]
        for (year, month, day, days) in known {
            #expect(
                GregorianCalendar.daysSinceEpoch(year: year, month: month, day: day) == days, "\(year)-\(month)-\(day)")
            #expect(GregorianCalendar.date(daysSinceEpoch: days) == (year, month, day), "\(days)")
        }
    }

    @Test("every day from year 1 to 9999 round-trips and follows the one before")
    func roundTrip() {
        var previous = GregorianCalendar.date(daysSinceEpoch: -719_163)
        for days in -719_162...2_932_896 {
            let date = GregorianCalendar.date(daysSinceEpoch: days)
            #expect(GregorianCalendar.isValid(year: date.year, month: date.month, day: date.day))
            let next = previous.day < GregorianCalendar.daysIn(month: previous.month, year: previous.year)
            if next { #expect(date == (previous.year, previous.month, previous.day + 1)) }
            if days % 1000 == 0 {
                #expect(GregorianCalendar.daysSinceEpoch(year: date.year, month: date.month, day: date.day) == days)
            }
            previous = date
        }
    }

    @Test("leap years and month lengths")
    func monthLengths() {
        #expect(GregorianCalendar.isLeapYear(2000) && GregorianCalendar.isLeapYear(2024))
        #expect(!GregorianCalendar.isLeapYear(1900) && !GregorianCalendar.isLeapYear(2023))
        #expect(GregorianCalendar.isValid(year: 2024, month: 2, day: 29))
        #expect(!GregorianCalendar.isValid(year: 2023, month: 2, day: 29))
        #expect(!GregorianCalendar.isValid(year: 2023, month: 4, day: 31))
        #expect(!GregorianCalendar.isValid(year: 2023, month: 13, day: 1))
        #expect(!GregorianCalendar.isValid(year: 2023, month: 1, day: 0))
    }

    @Test("Duration in seconds, milliseconds, microseconds and nanoseconds")
    func durationUnits() {
        let duration = Duration.seconds(2) + .nanoseconds(345_678_901)
        #expect(duration.seconds == 2.345678901)
        #expect(duration.milliseconds == 2_345)
        #expect(duration.microseconds == 2_345_678)
        #expect(duration.nanoseconds == 2_345_678_901)
        #expect(Duration.milliseconds(-1_500).milliseconds == -1_500)
        #expect(Duration.zero.nanoseconds == 0)
        // Saturates instead of trapping.
        #expect(Duration.seconds(Int64.max).milliseconds == .max)
        #expect(Duration.seconds(Int64.min).nanoseconds == .min)
    }
}
