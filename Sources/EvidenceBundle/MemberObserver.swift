/// Receives evidence members' bytes during verification (see `BundleVerifier.verify(path:observer:)`).
public protocol MemberObserver: AnyObject {
    /// Whether this member's bytes are wanted.
    func begin(member path: String) -> Bool
    /// The next chunk of the member, valid only during the call.
    func consume(_ bytes: UnsafeRawBufferPointer)
    /// The member's end.
    func end()
}
