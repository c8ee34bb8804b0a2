/// An IPv4 or IPv6 network from `|cidr`, e.g. `10.0.0.0/8` or `fe80::/10`.
struct SigmaNetwork: Sendable, Equatable {
    /// 4 or 16 address bytes.
    let address: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = SigmaNetwork.parseAddress(String(pieces[0])) else { return nil }
        let maximum = address.count * 8
        var length = maximum
        if pieces.count == 2 {
            guard let parsed = Int(pieces[1]), (0...maximum).contains(parsed) else { return nil }
            length = parsed
        }
        self.address = address
        self.prefixLength = length
    }

    /// Whether the text `value` is an address inside this network (an IPv4-mapped IPv6 address
    /// counts for an IPv4 network; a zone suffix such as `%eth0` is ignored).
    func contains(_ value: String) -> Bool {
        guard var candidate = SigmaNetwork.parseAddress(value.trimmingSpaces) else { return false }
        if address.count == 4, candidate.count == 16,
           candidate[0..<10].allSatisfy({ $0 == 0 }), candidate[10] == 0xFF, candidate[11] == 0xFF {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == address.count else { return false }
        var remaining = prefixLength
        var index = 0
        while remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if candidate[index] & mask != address[index] & mask { return false }
            remaining -= bits
            index += 1
        }
        return true
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        var text = text
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(text)
    }

    static func parseIPv4(_ text: String) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), let value = UInt8(octet) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, field.contains(".") {
                    guard let v4 = parseIPv4(String(field)) else { return nil }
                    bytes += v4
                    continue
                }
                guard (1...4).contains(field.count), let value = UInt16(field, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
