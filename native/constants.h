// The constants object: native/constants.cc makes it, and the two files that
// scripts/gen-constants.py generates from its list of names fill it.
#ifndef POSIX_SOCKETS_CONSTANTS_H_
#define POSIX_SOCKETS_CONSTANTS_H_

#include "common.h"

namespace ps {

// Unsigned values (EPOLLET is 1u << 31, INADDR_NONE is 0xffffffff) stay
// unsigned, so JS sees the same number C code compares against.
template <typename T>
void Set(napi_env env, napi_value obj, const char* name, T value) {
  napi_value v;
  napi_create_double(env, static_cast<double>(value), &v);
  napi_set_named_property(env, obj, name, v);
}

// A name the kernel's uapi headers define and glibc's did not: set only
// where constants_libc.cc set nothing, so glibc's value stays first.
template <typename T>
void SetIfAbsent(napi_env env, napi_value obj, const char* name, T value) {
  bool has = false;
  napi_has_named_property(env, obj, name, &has);
  if (!has) Set(env, obj, name, value);
}

// constants_libc.cc: every listed name glibc's headers define.
void SetLibcConstants(napi_env env, napi_value c);
// constants_uapi.cc: the rest, from <linux/...> where the kernel's headers
// have a name that the build's glibc lacks.
void SetUapiConstants(napi_env env, napi_value c);

}  // namespace ps

#endif  // POSIX_SOCKETS_CONSTANTS_H_
