import VMTuneProfile

/// libFuzzer's entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: start, count: count)
  // Whatever the bytes, the loader returns a profile or its own errors; it never traps.
  let reader = MemoryProfileReader(["p.yaml": String(decoding: bytes, as: UTF8.self)])
  _ = try? ProfileLoader(reader: reader).load(path: "p.yaml")
  return 0
}
