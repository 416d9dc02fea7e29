import QuarryJSON

extension JSONValue {
    /// Feeds a canonical form (object keys sorted, type-tagged) into `hasher`, so two bodies that differ only
    /// in whitespace or key order hash the same. This is what makes generated output deterministic per request.
    func hash(into hasher: inout FNV1a) {
        switch self {
        case .null:
            hasher.combine(byte: 0)
        case .bool(let value):
            hasher.combine(byte: value ? 2 : 1)
        case .int(let value):
            hasher.combine(byte: 3)
            hasher.combine(UInt64(bitPattern: Int64(value)))
        case .double(let value):
            // 1.0 and 1 decode differently depending on the decoder; treat integral doubles as ints.
            if let integral = intValue {
                hasher.combine(byte: 3)
                hasher.combine(UInt64(bitPattern: Int64(integral)))
            } else {
                hasher.combine(byte: 4)
                hasher.combine(value.bitPattern)
            }
        case .string(let value):
            hasher.combine(byte: 5)
            hasher.combine(value)
        case .array(let values):
            hasher.combine(byte: 6)
            hasher.combine(UInt64(values.count))
            for value in values {
                value.hash(into: &hasher)
            }
        case .object(let members):
            hasher.combine(byte: 7)
            hasher.combine(UInt64(members.count))
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                hasher.combine(key)
                member.hash(into: &hasher)
            }
        }
    }

    var canonicalHash: UInt64 {
        var hasher = FNV1a()
        hash(into: &hasher)
        return hasher.value
    }
}
