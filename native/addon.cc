// Module initialisation: each concern registers its own functions.
//
// NAPI_MODULE_INIT makes the addon context-aware, so it loads once per
// environment (the main thread and every worker_thread). Any per-environment
// state a concern needs lives in that environment's instance data, never in
// a static.
#include "common.h"

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  ps::InitErrors(env, exports);
  ps::InitConstants(env, exports);
  ps::InitAddresses(env, exports);
  ps::InitSockets(env, exports);
  ps::InitFds(env, exports);
  ps::InitIo(env, exports);
  ps::InitMessages(env, exports);
  ps::InitBatchMessages(env, exports);
  ps::InitControlMessages(env, exports);
  ps::InitOptions(env, exports);
  ps::InitEpoll(env, exports);
  ps::InitSelect(env, exports);
  ps::InitLoop(env, exports);
  ps::InitNetdb(env, exports);
  ps::InitTimerfd(env, exports);
  ps::InitSignalfd(env, exports);
  ps::InitZerocopy(env, exports);
  ps::InitUring(env, exports);
  ps::InitUringRing(env, exports);
  ps::InitUringLoop(env, exports);
  return exports;
}
