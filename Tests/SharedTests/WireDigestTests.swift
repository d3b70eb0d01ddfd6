import Testing

@testable import Shared

@Suite("SHA-256 digests of context blobs and run contexts")
struct WireDigestTests {
    @Test("SHA-256 matches the FIPS 180-4 example vectors")
    func matchesStandardVectors() {
        let cases: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
        for (text, expected) in cases {
            #expect(WireDigest.sha256(of: Array(text.utf8)).hex == expected)
        }
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(
            WireDigest.sha256(of: million).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("Hashing in uneven pieces equals hashing at once, across block boundaries")
    func streamingEqualsOneShot() {
        let data = WireSamples.bytes(1000, seed: 21)
        var generator = SeededGenerator(seed: 22)
        for _ in 0..<20 {
            var hasher = WireDigest.Hasher()
            var start = 0
            while start < data.count {
                let end = min(data.count, start + Int.random(in: 0...130, using: &generator))
                hasher.update(Array(data[start..<end]))
                start = end
            }
            #expect(hasher.finalize() == WireDigest.sha256(of: data))
        }
    }

    @Test("A run's context digest ignores blob order and changes with any blob's bytes or name")
    func contextDigestTracksContent() {
        let a = ContextBlob(name: "a", bytes: [1, 2, 3])
        let b = ContextBlob(name: "b", bytes: [4, 5])
        let digest = RunContext(blobs: [a, b]).digest
        #expect(RunContext(blobs: [b, a]).digest == digest)
        #expect(RunContext(blobs: [a, ContextBlob(name: "b", bytes: [4, 6])]).digest != digest)
        #expect(RunContext(blobs: [a, ContextBlob(name: "c", bytes: [4, 5])]).digest != digest)
        #expect(RunContext.digest(of: RunContext(blobs: [a, b]).manifest.reversed()) == digest)
    }
}
