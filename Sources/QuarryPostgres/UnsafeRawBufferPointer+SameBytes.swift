#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension UnsafeRawBufferPointer {
    /// Whether these bytes are exactly `other`'s: for matching a column's raw value against a name already
    /// known (a family, the previous row's kind) without making a `String` of it. One `memcmp`, where a
    /// generic `elementsEqual` over the two buffers showed in the worker's profile.
    @inlinable
    public func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        guard let start = baseAddress, let otherStart = other.baseAddress else { return true }  // both empty
        return memcmp(start, otherStart, count) == 0
    }
}
