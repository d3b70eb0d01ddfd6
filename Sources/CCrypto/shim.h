// OpenSSL's message digests (EVP), for SHA-256 with the CPU's SHA instructions.
// Imported by Sources/Shared/Support/SHA256.swift only.
#include <openssl/evp.h>
