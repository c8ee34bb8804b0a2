#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FuzzEntryPoints

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                 _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The shared `main` of every fuzz executable: hands control to libFuzzer, whose callback is
/// the executable's own `LLVMFuzzerTestOneInput`. Inputs are files or folders as libFuzzer takes.
public enum FuzzDriver {
    /// Where the tar target writes its input (it reads bundles from files only): one per process.
    public static let scratch = FileManager.default.currentDirectoryPath + "/.fuzz-scratch-\(getpid()).tar"

    /// Runs one input through `target` (the body of each `LLVMFuzzerTestOneInput`).
    public static func run(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        target.run(bytes, scratch: scratch)
        return 0
    }

    public static func main(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }
}
