// `constants`: every name of scripts/gen-constants.py's list that the system
// headers define, with their values, read when the addon is built.
#include "constants.h"

namespace ps {

void InitConstants(napi_env env, napi_value exports) {
  napi_value c;
  napi_create_object(env, &c);
  SetLibcConstants(env, c);
  SetUapiConstants(env, c);
  napi_set_named_property(env, exports, "constants", c);
}

}  // namespace ps
