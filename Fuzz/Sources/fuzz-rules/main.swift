import FuzzDriver
import FuzzEntryPoints

/// libFuzzer entry point: `FuzzTarget.rules` over one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { FuzzDriver.run(.rules, data, size) }

FuzzDriver.main(fuzzOne)
