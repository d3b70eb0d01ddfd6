extension MultitaskDataset {
    /// A SHA-256 digest, in hexadecimal, of everything that defines the dataset: its name,
    /// layout, feature and task names, target kinds, every split's features, source ids, rows and
    /// targets, and the standardisation statistics.
    ///
    /// Two datasets have the same fingerprint when their contents are identical bit for bit,
    /// and (up to hash collisions) only then, on any platform: the encoding is canonical (a version tag; lengths before
    /// every sequence; integers as 64-bit little-endian; doubles as their IEEE 754 bit patterns,
    /// little-endian; strings as UTF-8). Runs record it so that results can be traced to data.
    ///
    /// - Complexity: O(total size of the dataset); about one pass over the features.
    public func fingerprint() -> String {
        var encoder = CanonicalEncoder()
        encoder.append("mtif.dataset.v1")
        encoder.append(name)
        encoder.append(layout.rawValue)
        encoder.append(featureNames)
        encoder.append(tasks.map(\.name))
        encoder.append(tasks.map(\.targetKind.description))
        for split in Split.allCases {
            let data = self[split]
            encoder.append(split.rawValue)
            encoder.append([data.features.rows, data.features.columns])
            encoder.append(data.features.elements)
            encoder.append(data.sourceIDs)
            for examples in data.tasks {
                encoder.append(examples.rows)
                encoder.append(examples.targets)
            }
        }
        encoder.append(standardization == nil ? [0] : [1])
        if let standardization {
            encoder.append(standardization.means)
            encoder.append(standardization.scales)
        }
        return encoder.hasher.finalize().hexadecimal
    }
}

/// Feeds values to SHA-256 in a fixed, platform-independent byte encoding.
private struct CanonicalEncoder {
    var hasher = SHA256()

    mutating func append(_ text: String) {
        let bytes = Array(text.utf8)
        appendLength(bytes.count)
        hasher.update(bytes)
    }

    mutating func append(_ texts: [String]) {
        appendLength(texts.count)
        for text in texts { append(text) }
    }

    mutating func append(_ integers: [Int]) {
        appendLength(integers.count)
        appendWords(integers.map { UInt64(bitPattern: Int64($0)) })
    }

    mutating func append(_ values: [Double]) {
        appendLength(values.count)
        #if _endian(little)
            values.withUnsafeBytes { hasher.update($0) }
        #else
            appendWords(values.map(\.bitPattern))
        #endif
    }

    private mutating func appendLength(_ count: Int) {
        appendWords([UInt64(count)])
    }

    private mutating func appendWords(_ words: [UInt64]) {
        let littleEndian = words.map(\.littleEndian)
        littleEndian.withUnsafeBytes { hasher.update($0) }
    }
}
