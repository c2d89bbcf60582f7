import Crypto
import Foundation

/// How API keys are kept: the lowercase hex SHA-256 of the key text (swift-crypto; BoringSSL underneath on Linux).
/// The format is the one stores have always had, so keys made before still match.
public enum KeyHash {
    public static func hex(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
