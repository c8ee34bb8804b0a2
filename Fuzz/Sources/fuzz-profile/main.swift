import FuzzDriver
import FuzzEntryPoints

/// libFuzzer entry point: `FuzzTarget.profile` over one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { FuzzDriver.run(.profile, data, size) }

FuzzDriver.main(fuzzOne)
