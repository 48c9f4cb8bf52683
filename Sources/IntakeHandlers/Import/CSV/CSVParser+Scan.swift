#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CSVParser {
    /// Advances the state machine over the record starting at `head`. Returns the record's end
    /// (relative to `head`, past its terminator) when it is complete, or nil when more input is
    /// needed; the state is kept so the next call continues where this one stopped.
    ///
    /// State lives in locals for the loop: stored properties of a class would cost an
    /// exclusivity check per byte.
    func scan() -> Int? {
        var base = storage + head
        var available = tail - head
        var position = scanPosition
        var state = self.state
        var fieldStart = self.fieldStart
        var quoted = fieldQuoted
        var needsRewrite = fieldNeedsRewrite
        let eof = atEOF
        var spanPointer = spans
        var spanTotal = spanCount
        var spanLimit = spanCapacity

        func save() {
            spanCount = spanTotal
            scanPosition = position
            self.state = state
            self.fieldStart = fieldStart
            fieldQuoted = quoted
            fieldNeedsRewrite = needsRewrite
        }
        func endField(at end: Int) {
            if spanTotal == spanLimit {
                spanCount = spanTotal
                growSpans()
                spanPointer = spans
                spanLimit = spanCapacity
            }
            if !quoted {
                spanPointer[spanTotal] = CSVFieldSpan(start: fieldStart, end: end, inScratch: false)
            } else if needsRewrite {
                spanPointer[spanTotal] = CSVFieldSpan(start: fieldStart, end: end, inScratch: true)
            } else {
                spanPointer[spanTotal] = CSVFieldSpan(start: fieldStart + 1, end: end - 1, inScratch: false)
            }
            spanTotal += 1
        }
        /// Called on LF or CR outside quotes, with the field already ended. Returns the record end,
        /// or nil when a CR is the last byte available and the next chunk decides.
        func terminate(at index: Int) -> Int? {
            contentEnd = index
            if base[index] == CSVByte.lf { return index + 1 }
            if index + 1 < available { return base[index + 1] == CSVByte.lf ? index + 2 : index + 1 }
            if eof { return index + 1 }
            state = .afterCR
            position = index + 1
            return nil
        }

        while true {
            switch state {
            case .fieldStart:
                guard position < available else {
                    guard eof else { save(); return nil }
                    if spanTotal == 0 { save(); return nil }  // nothing left
                    quoted = false
                    fieldStart = position
                    endField(at: position)  // "a,b," at end of input: a last empty field
                    contentEnd = position
                    save()
                    return position
                }
                let byte = base[position]
                if spanTotal == 0 && position == 0 && (byte == CSVByte.lf || byte == CSVByte.cr) {
                    // An empty line: not a record. A CR waits to see whether an LF follows.
                    if byte == CSVByte.cr {
                        if 1 < available {
                            head += base[1] == CSVByte.lf ? 2 : 1
                        } else if eof {
                            head += 1
                        } else {
                            save()
                            return nil
                        }
                    } else {
                        head += 1
                    }
                    base = storage + head
                    available = tail - head
                    continue
                }
                fieldStart = position
                needsRewrite = false
                if byte == CSVByte.quote {
                    quoted = true
                    position += 1
                    state = .quoted
                } else {
                    quoted = false
                    state = .unquoted
                }

            case .unquoted:
                while position < available {
                    let byte = base[position]
                    if byte == CSVByte.comma || byte == CSVByte.lf || byte == CSVByte.cr { break }
                    position += 1
                }
                guard position < available else {
                    guard eof else { save(); return nil }
                    endField(at: position)
                    contentEnd = position
                    save()
                    return position
                }
                endField(at: position)
                if base[position] == CSVByte.comma {
                    position += 1
                    state = .fieldStart
                } else if let end = terminate(at: position) {
                    save()
                    return end
                } else {
                    save()
                    return nil
                }

            case .quoted:
                let found = memchr(base + position, Int32(CSVByte.quote), available - position)
                guard let found else {
                    position = available
                    guard eof else { save(); return nil }
                    malformation = .unterminatedQuote
                    needsRewrite = true
                    endField(at: position)
                    contentEnd = position
                    save()
                    return position
                }
                position = found.assumingMemoryBound(to: UInt8.self) - base + 1
                state = .quoteInQuoted

            case .quoteInQuoted:
                guard position < available else {
                    guard eof else { save(); return nil }
                    endField(at: position)
                    contentEnd = position
                    save()
                    return position
                }
                let byte = base[position]
                if byte == CSVByte.quote {
                    needsRewrite = true
                    position += 1
                    state = .quoted
                } else if byte == CSVByte.comma {
                    endField(at: position)
                    position += 1
                    state = .fieldStart
                } else if byte == CSVByte.lf || byte == CSVByte.cr {
                    endField(at: position)
                    if let end = terminate(at: position) {
                        save()
                        return end
                    }
                    save()
                    return nil
                } else {
                    needsRewrite = true
                    if malformation == nil { malformation = .textAfterClosingQuote }
                    state = .unquoted
                }

            case .afterCR:
                guard position < available else {
                    guard eof else { save(); return nil }
                    save()
                    return position
                }
                let end = base[position] == CSVByte.lf ? position + 1 : position
                save()
                return end
            }
        }
    }
}
