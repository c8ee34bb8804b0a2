import FuzzDriver
import FuzzEntryPoints

/// libFuzzer entry point: `FuzzTarget.hive` over one input.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { FuzzDriver.run(.hive, data, size) }

FuzzDriver.main(fuzzOne)
