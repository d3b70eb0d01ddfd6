import Testing

@testable import Shared

@Suite("SHA-256 against the FIPS 180-4 test vectors")
struct SHA256Tests {
    @Test("The empty message hashes to the published digest")
    func emptyMessage() {
        #expect(
            SHA256.hash([UInt8]()).hexadecimal
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("'abc' hashes to the published digest")
    func threeLetters() {
        #expect(
            SHA256.hash(Array("abc".utf8)).hexadecimal
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("The two-block 448-bit message hashes to the published digest")
    func twoBlockMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(
            SHA256.hash(Array(message.utf8)).hexadecimal
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("One million 'a' fed in uneven pieces hashes to the published digest")
    func millionAs() {
        var hasher = SHA256()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 9_973)
        var remaining = 1_000_000
        while remaining > 0 {
            let count = min(remaining, piece.count)
            hasher.update(piece[0..<count])
            remaining -= count
        }
        #expect(
            hasher.finalize().hexadecimal == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("Splitting the input at any point gives the digest of the whole")
    func incrementalEqualsWhole() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = SHA256.hash(message)
        for split in [0, 1, 55, 56, 63, 64, 65, 128, 199, 200] {
            var hasher = SHA256()
            hasher.update(message[0..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == whole, "split at \(split)")
        }
    }

    @Test("A copied hasher continues independently of the original")
    func copiesAreIndependent() {
        var original = SHA256()
        original.update(Array("ab".utf8))
        var copy = original
        copy.update(Array("c".utf8))
        original.update(Array("x".utf8))
        #expect(copy.finalize() == SHA256.hash(Array("abc".utf8)))
        #expect(original.finalize() == SHA256.hash(Array("abx".utf8)))
    }
}
