// Fields of JS objects (see object.h).
#include "object.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace ps {

bool IsObject(napi_env env, napi_value v) {
  napi_valuetype t;
  return v != nullptr && napi_typeof(env, v, &t) == napi_ok && t == napi_object;
}

bool IsView(napi_env env, napi_value v) {
  return v != nullptr &&
         napi_get_buffer_info(env, v, nullptr, nullptr) == napi_ok;
}

bool HasField(napi_env env, napi_value obj, const char* key) {
  bool has = false;
  napi_has_named_property(env, obj, key, &has);
  return has;
}

FieldName::FieldName(const char* argument, const char* field) {
  snprintf(text, sizeof text, "%s.%s", argument, field);
}

bool GetField(napi_env env, napi_value obj, const char* key, napi_value* out) {
  return napi_get_named_property(env, obj, key, out) == napi_ok;
}

bool IntField(napi_env env, napi_value obj, const char* argument,
              const char* key, int64_t min, int64_t max, int64_t* out) {
  napi_value v;
  return GetField(env, obj, key, &v) &&
         ArgInteger(env, v, FieldName(argument, key), min, max, out);
}

bool OptionalIntField(napi_env env, napi_value obj, const char* argument,
                      const char* key, int64_t min, int64_t max, int64_t dflt,
                      int64_t* out) {
  napi_value v;
  return GetField(env, obj, key, &v) &&
         ArgOptionalInteger(env, v, FieldName(argument, key), min, max, dflt,
                            out);
}

bool StringField(napi_env env, napi_value obj, const char* argument,
                 const char* key, char* buf, size_t size, bool* present) {
  napi_value v;
  if (!GetField(env, obj, key, &v)) return false;
  *present = !IsNullish(env, v);
  return !*present ||
         ArgString(env, v, FieldName(argument, key), buf, size, nullptr);
}

bool IpField(napi_env env, napi_value obj, const char* argument,
             const char* key, int af, bool required, void* dst) {
  FieldName name(argument, key);
  char text[INET6_ADDRSTRLEN + 1];
  bool present;
  memset(dst, 0, af == AF_INET ? sizeof(in_addr) : sizeof(in6_addr));
  if (!StringField(env, obj, argument, key, text, sizeof text, &present))
    return false;
  if (!present) {
    if (!required) return true;
    ThrowTypeError(env, "Expected argument '%s' to be a string", name.text);
    return false;
  }
  if (inet_pton(af, text, dst) != 1) {
    ThrowValueError(env, "Argument '%s' is not an %s address: '%s'", name.text,
                    af == AF_INET ? "IPv4" : "IPv6", text);
    return false;
  }
  return true;
}

void SetInt(napi_env env, napi_value obj, const char* key, int64_t v) {
  napi_set_named_property(env, obj, key, Int(env, v));
}

void SetNumber(napi_env env, napi_value obj, const char* key, double v) {
  napi_value x;
  napi_create_double(env, v, &x);
  napi_set_named_property(env, obj, key, x);
}

void SetBool(napi_env env, napi_value obj, const char* key, bool v) {
  napi_value x;
  napi_get_boolean(env, v, &x);
  napi_set_named_property(env, obj, key, x);
}

void SetString(napi_env env, napi_value obj, const char* key, const char* s,
               size_t len) {
  napi_value x;
  napi_create_string_utf8(env, s, len, &x);
  napi_set_named_property(env, obj, key, x);
}

void SetIp(napi_env env, napi_value obj, const char* key, int af,
           const void* src) {
  char text[INET6_ADDRSTRLEN];
  inet_ntop(af, src, text, sizeof text);
  SetString(env, obj, key, text);
}

}  // namespace ps
