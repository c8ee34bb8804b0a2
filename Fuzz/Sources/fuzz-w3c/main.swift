import FuzzDriver
import FuzzEntryPoints

/// libFuzzer entry point: `FuzzTarget.w3c` over one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { FuzzDriver.run(.w3c, data, size) }

FuzzDriver.main(fuzzOne)
