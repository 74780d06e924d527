#pragma once
#include <zlib.h>

// inflateInit2() is a macro Swift cannot call: the same call as a function.
static inline int vmtune_inflate_init(z_stream *stream) {
  // 15 window bits + 32: a zlib or gzip header, detected.
  return inflateInit2(stream, 15 + 32);
}
