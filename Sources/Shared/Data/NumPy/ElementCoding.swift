/// Conversion between a NumPy array's raw elements and `Double`, and between storage orders.
enum ElementCoding {
    /// Reads `count` elements of `type` from the start of `raw`.
    ///
    /// - Precondition: `raw` holds at least `count × type.byteCount` bytes.
    /// - Complexity: O(count); unaligned loads, no per-element allocation.
    static func decode(_ raw: UnsafeRawBufferPointer, count: Int, as type: NumPyDataType) -> [Double] {
        precondition(raw.count >= count * type.byteCount, "Element data shorter than the shape needs")
        let big = type.isBigEndian
        switch (type.kind, type.byteCount) {
        case (.float, 8): return load(raw, count, UInt64.self, big) { Double(bitPattern: $0) }
        case (.float, _): return load(raw, count, UInt32.self, big) { Double(Float(bitPattern: $0)) }
        case (.signedInteger, 8): return load(raw, count, UInt64.self, big) { Double(Int64(bitPattern: $0)) }
        case (.signedInteger, 4): return load(raw, count, UInt32.self, big) { Double(Int32(bitPattern: $0)) }
        case (.signedInteger, 2): return load(raw, count, UInt16.self, big) { Double(Int16(bitPattern: $0)) }
        case (.signedInteger, _): return load(raw, count, UInt8.self, big) { Double(Int8(bitPattern: $0)) }
        case (.unsignedInteger, 8): return load(raw, count, UInt64.self, big) { Double($0) }
        case (.unsignedInteger, 4): return load(raw, count, UInt32.self, big) { Double($0) }
        case (.unsignedInteger, 2): return load(raw, count, UInt16.self, big) { Double($0) }
        case (.unsignedInteger, _): return load(raw, count, UInt8.self, big) { Double($0) }
        case (.boolean, _): return load(raw, count, UInt8.self, big) { $0 == 0 ? 0 : 1 }
        }
    }

    /// Writes `values` as elements of `type`, little-endian.
    ///
    /// - Throws: `DataError.Code.unrepresentableValue` naming the first element the type cannot
    ///   hold exactly (float32 rounds, as NumPy's `astype` does, and is never refused for a
    ///   finite value within its range).
    /// - Complexity: O(n).
    static func encode(_ values: [Double], as type: NumPyDataType, path: String, arrayName: String) throws -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * type.byteCount)
        for (index, value) in values.enumerated() {
            guard let bits = bitPattern(of: value, as: type) else {
                throw DataError(
                    .unrepresentableValue, path: path, location: .arrayElement(arrayName, index: index),
                    "Value \(value) cannot be stored as '\(type.descriptor)'. "
                        + "Store the array as float64 or round and clamp it first.")
            }
            bytes.appendLittleEndian(bits, width: type.byteCount)
        }
        return bytes
    }

    /// The little-endian bit pattern of `value` stored as `type`, or nil when it does not fit.
    private static func bitPattern(of value: Double, as type: NumPyDataType) -> UInt64? {
        switch (type.kind, type.byteCount) {
        case (.float, 8): return value.bitPattern
        case (.float, _):
            let narrowed = Float(value)
            return narrowed.isInfinite && value.isFinite ? nil : UInt64(narrowed.bitPattern)
        case (.signedInteger, let width):
            let largest = width == 8 ? Int64.max : (Int64(1) << (8 * width - 1)) - 1
            guard let integer = Int64(exactly: value), integer >= -largest - 1, integer <= largest else { return nil }
            return UInt64(bitPattern: integer)
        case (.unsignedInteger, let width):
            guard let integer = UInt64(exactly: value), width == 8 || integer < (1 << (8 * width)) else { return nil }
            return integer
        case (.boolean, _):
            return value == 0 || value == 1 ? UInt64(value) : nil
        }
    }

    private static func load<Bits: FixedWidthInteger>(
        _ raw: UnsafeRawBufferPointer, _ count: Int, _: Bits.Type, _ isBigEndian: Bool,
        _ convert: (Bits) -> Double
    ) -> [Double] {
        let width = MemoryLayout<Bits>.size
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                let stored = raw.loadUnaligned(fromByteOffset: index * width, as: Bits.self)
                buffer[index] = convert(isBigEndian ? Bits(bigEndian: stored) : Bits(littleEndian: stored))
            }
            initialized = count
        }
    }

    /// Reorders elements stored in Fortran order (first index fastest) into C order.
    ///
    /// - Complexity: O(n) with one multi-index counter; no per-element allocation.
    static func cOrder(fromFortranOrder values: [Double], shape: [Int]) -> [Double] {
        guard shape.count > 1, !values.isEmpty else { return values }
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count {
            strides[axis] = strides[axis - 1] * shape[axis - 1]
        }
        var index = [Int](repeating: 0, count: shape.count)
        var offset = 0
        var result = [Double](repeating: 0, count: values.count)
        for flat in 0..<values.count {
            result[flat] = values[offset]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
