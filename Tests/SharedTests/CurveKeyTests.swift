import Testing

@testable import Shared

@Suite("Z85 text and CURVE keys")
struct CurveKeyTests {
    @Test("Z85 encodes the ZeroMQ RFC 32 example as HelloWorld and decodes it back")
    func z85MatchesSpecificationExample() throws {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(try Z85.decode("HelloWorld") == bytes)
    }

    @Test("Z85 round-trips arbitrary bytes and rejects bad lengths, characters and overflow")
    func z85RoundTripsAndRejects() throws {
        let bytes = WireSamples.bytes(64, seed: 31)
        #expect(try Z85.decode(Z85.encode(bytes)) == bytes)
        for text in ["abcd", "Hello World", "Hello\"orld", "#####"] {
            #expect(throws: WireError.self, "\(text)") { try Z85.decode(text) }
        }
    }

    @Test("A generated key pair's public key is the one libzmq derives from its secret key")
    func generatedPairIsConsistent() throws {
        let pair = try CurveKeyPair.generate()
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(try CurvePublicKey(z85: pair.publicKey.z85 + "\n") == pair.publicKey)
        #expect(pair.secretKey.description.contains(pair.secretKey.z85) == false)
        #expect(try CurveKeyPair.generate().publicKey != pair.publicKey)
    }

    @Test("Keys of the wrong length are rejected")
    func wrongLengthKeysRejected() {
        #expect(throws: WireError.self) { try CurvePublicKey(bytes: [1, 2, 3]) }
        #expect(throws: WireError.self) { try CurveSecretKey(z85: "HelloWorld") }
    }
}
