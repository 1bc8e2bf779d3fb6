// Argument checks shared by every concern (see common.h).
#include "common.h"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace ps {

namespace {

void ThrowWith(napi_env env,
               napi_status (*thrower)(napi_env, const char*, const char*),
               const char* code, const char* fmt, va_list ap) {
  char msg[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) thrower(env, code, msg);
}

}  // namespace

void ThrowTypeError(napi_env env, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ThrowWith(env, napi_throw_type_error, "ERR_INVALID_ARG_TYPE", fmt, ap);
  va_end(ap);
}

void ThrowValueError(napi_env env, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ThrowWith(env, napi_throw_type_error, "ERR_INVALID_ARG_VALUE", fmt, ap);
  va_end(ap);
}

void ThrowRangeError(napi_env env, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ThrowWith(env, napi_throw_range_error, "ERR_OUT_OF_RANGE", fmt, ap);
  va_end(ap);
}

bool IsNullish(napi_env env, napi_value v) {
  napi_valuetype t;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok) return true;
  return t == napi_undefined || t == napi_null;
}

bool ArgErrnoSlot(napi_env env, napi_value v, int32_t** slot) {
  auto type = static_cast<napi_typedarray_type>(-1);  // see ArgBytes
  size_t count = 0;
  void* data = nullptr;
  if (v == nullptr ||
      napi_get_typedarray_info(env, v, &type, &count, &data, nullptr,
                               nullptr) != napi_ok ||
      type != napi_int32_array || count < 1) {
    ThrowTypeError(env, "Expected argument 'err' to be an Int32Array");
    return false;
  }
  *slot = static_cast<int32_t*>(data);
  return true;
}

napi_value ValueOrErrnoSlot(napi_env env, bool failed, int64_t value,
                            int32_t* slot) {
  napi_value out;
  if (failed) {
    *slot = errno;
    napi_get_undefined(env, &out);
  } else {
    napi_create_int64(env, value, &out);
  }
  return out;
}

bool IsUndefined(napi_env env, napi_value v) {
  napi_valuetype t;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok) return true;
  return t == napi_undefined;
}

bool ArgIntegerSlow(napi_env env, napi_value v, const char* name, int64_t min,
                    int64_t max, int64_t* out) {
  double d;
  // napi_get_value_double fails for anything but a number, so one call both
  // checks the type and reads the value.
  if (v == nullptr || napi_get_value_double(env, v, &d) != napi_ok) {
    ThrowTypeError(env, "Expected argument '%s' to be an integer", name);
    return false;
  }
  if (!(d == std::trunc(d))) {  // NaN and fractions
    ThrowTypeError(env, "Expected argument '%s' to be an integer, got %g", name,
                   d);
    return false;
  }
  if (d < static_cast<double>(min) || d > static_cast<double>(max)) {
    ThrowRangeError(env, "Argument '%s' must be >= %lld and <= %lld, got %.17g",
                    name, static_cast<long long>(min),
                    static_cast<long long>(max), d);
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool ArgFlags(napi_env env, napi_value v, const char* name, uint32_t dflt,
              uint32_t* out) {
  int64_t x;
  if (!ArgOptionalInteger(env, v, name, INT32_MIN, UINT32_MAX, dflt, &x))
    return false;
  *out = static_cast<uint32_t>(x);
  return true;
}

bool ArgBytes(napi_env env, napi_value v, const char* name, uint8_t** data,
              size_t* length) {
  // napi_get_buffer_info takes every ArrayBufferView (Buffer, any
  // TypedArray, DataView) and answers in bytes, so one call both checks the
  // type and measures it, whatever kinds of TypedArray the running Node has.
  void* p;
  if (v == nullptr || napi_get_buffer_info(env, v, &p, length) != napi_ok) {
    ThrowTypeError(env,
                   "Expected argument '%s' to be a Buffer, TypedArray or "
                   "DataView",
                   name);
    return false;
  }
  if (*length == 0) {
    // A detached buffer looks like an empty one; only the empty case needs
    // the extra calls that tell them apart.
    napi_value ab = nullptr;
    if (napi_get_typedarray_info(env, v, nullptr, nullptr, nullptr, &ab,
                                 nullptr) != napi_ok)
      napi_get_dataview_info(env, v, nullptr, nullptr, &ab, nullptr);
    bool detached = false;
    if (ab != nullptr) napi_is_detached_arraybuffer(env, ab, &detached);
    if (detached) {
      ThrowTypeError(env, "Argument '%s' is a view of a detached ArrayBuffer",
                     name);
      return false;
    }
    static uint8_t empty;
    p = &empty;  // never NULL, so a zero-length call is well defined
  }
  *data = static_cast<uint8_t*>(p);
  return true;
}

bool ArgBufCount(napi_env env, napi_value view, napi_value count,
                 napi_value offset, const char* name, const char* count_name,
                 uint8_t** data, size_t* len) {
  uint8_t* base;
  size_t size;
  if (!ArgBytes(env, view, name, &base, &size)) return false;
  int64_t off = 0, n = 0;
  if (!ArgOptionalInteger(env, offset, "offset", 0, INT32_MAX, 0, &off))
    return false;
  if (static_cast<size_t>(off) > size) {
    ThrowRangeError(env,
                    "Argument 'offset' (%lld) is past the end of '%s' (%zu "
                    "bytes)",
                    static_cast<long long>(off), name, size);
    return false;
  }
  size_t rest = size - static_cast<size_t>(off);
  if (!ArgOptionalInteger(env, count, count_name, 0, INT32_MAX,
                          static_cast<int64_t>(rest), &n))
    return false;
  if (static_cast<size_t>(n) > rest) {
    ThrowRangeError(env,
                    "Argument '%s' (%lld) runs past the end of '%s' (%zu "
                    "bytes from offset %lld)",
                    count_name, static_cast<long long>(n), name, rest,
                    static_cast<long long>(off));
    return false;
  }
  *data = base + off;
  *len = static_cast<size_t>(n);
  return true;
}

bool ArgString(napi_env env, napi_value v, const char* name, char* buf,
               size_t bufsize, size_t* len) {
  size_t n;
  if (v == nullptr ||
      napi_get_value_string_utf8(env, v, nullptr, 0, &n) != napi_ok) {
    ThrowTypeError(env, "Expected argument '%s' to be a string", name);
    return false;
  }
  if (n + 1 > bufsize) {
    ThrowRangeError(env, "Argument '%s' is %zu bytes long; at most %zu fit",
                    name, n, bufsize - 1);
    return false;
  }
  napi_get_value_string_utf8(env, v, buf, bufsize, &n);
  // C would see the string end at its first NUL and act on a shorter one
  // (another interface, another address), so a NUL inside is refused.
  if (strlen(buf) != n) {
    ThrowValueError(env,
                    "Argument '%s' has a NUL character inside it, where C "
                    "would end the string",
                    name);
    return false;
  }
  if (len) *len = n;
  return true;
}

napi_value FdPair(napi_env env, int a, int b) {
  napi_value pair;
  if (napi_create_array_with_length(env, 2, &pair) == napi_ok &&
      napi_set_element(env, pair, 0, Int(env, a)) == napi_ok &&
      napi_set_element(env, pair, 1, Int(env, b)) == napi_ok) {
    return pair;
  }
  close(a);
  close(b);
  return nullptr;
}

void SetFunction(napi_env env, napi_value exports, const char* name,
                 napi_callback cb, void* data) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn);
  napi_set_named_property(env, exports, name, fn);
}

}  // namespace ps
