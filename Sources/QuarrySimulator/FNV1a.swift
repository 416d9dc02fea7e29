/// 64-bit FNV-1a: a dependency-free, stable hash (Swift's `Hasher` is randomly seeded per process, so it
/// cannot give the run-to-run determinism the simulator promises).
struct FNV1a: Sendable {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    init() {}

    mutating func combine(byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01B3
    }

    mutating func combine<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            combine(byte: byte)
        }
    }

    mutating func combine(_ string: String) {
        combine(bytes: string.utf8)
        // A terminator keeps ("ab","c") and ("a","bc") apart.
        combine(byte: 0xFF)
    }

    mutating func combine(_ number: UInt64) {
        var n = number
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: n))
            n >>= 8
        }
    }

    static func hash(_ string: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.combine(bytes: string.utf8)
        return hasher.value
    }

    static func hash<Bytes: Sequence>(bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hasher = FNV1a()
        // Contiguous storage (Data, [UInt8]) is hashed through a raw buffer: Data's iterator is slow.
        if bytes.withContiguousStorageIfAvailable({ hasher.combine(buffer: $0) }) == nil {
            hasher.combine(bytes: bytes)
        }
        return hasher.value
    }

    private mutating func combine(buffer: UnsafeBufferPointer<UInt8>) {
        var current = value
        for byte in buffer {
            current ^= UInt64(byte)
            current &*= 0x0000_0100_0000_01B3
        }
        value = current
    }
}
