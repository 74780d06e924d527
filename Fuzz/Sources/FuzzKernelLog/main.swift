import VMTuneHost

/// libFuzzer's entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: start, count: count)
  _ = try? KernelLog.parse(String(decoding: bytes, as: UTF8.self))
  return 0
}
