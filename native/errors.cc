// The kernel's message for an errno. Everything else about an error (its
// code name, the SocketError it becomes) is built in lib/errors.ts, on the
// rare path, so the hot path only ever returns numbers.
#include <cstring>

#include "common.h"

namespace ps {

namespace {

// strerror(errno) -> string. strerror_r (GNU form) is thread-safe, which
// matters with worker_threads.
napi_value StrError(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  int64_t e;
  if (!ArgInteger(env, argv[0], "errno", 0, 4095, &e)) return nullptr;
  char buf[256];
  const char* msg = strerror_r(static_cast<int>(e), buf, sizeof buf);
  napi_value out;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &out);
  return out;
}

}  // namespace

void InitErrors(napi_env env, napi_value exports) {
  SetFunction(env, exports, "strerror", StrError);
}

}  // namespace ps
