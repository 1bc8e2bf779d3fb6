// Placeholder until its issue lands: registers nothing yet.
#include "common.h"

namespace ps {

void InitMessages(napi_env, napi_value) {}

}  // namespace ps
