import FuzzDriver
import FuzzEntryPoints

/// libFuzzer entry point: `FuzzTarget.peVersion` over one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { FuzzDriver.run(.peVersion, data, size) }

FuzzDriver.main(fuzzOne)
