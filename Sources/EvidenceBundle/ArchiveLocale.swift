#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ExTriageCore

/// libarchive converts member names through the C library's character type (LC_CTYPE). Under the
/// default "C" locale a non-ASCII name cannot be converted, and libarchive 3.6 then crashes in the
/// pax writer; member names are always UTF-8 here, so the character type is set to UTF-8 once.
/// Only LC_CTYPE changes: numbers and dates are never formatted through the locale.
enum ArchiveLocale {
    static let utf8: Bool = {
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil { return true }
        return false
    }()

    /// Throws a clear error instead of letting libarchive crash on a system without a UTF-8 locale.
    static func requireUTF8() throws {
        guard utf8 else {
            throw ExTriageError(.archiveFailure, "no UTF-8 locale (C.UTF-8) is available; install the 'locales' package")
        }
    }
}
