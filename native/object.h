// Fields of JS objects: reading a field of an argument object (an address,
// a control message, an option value) with the same checks as a plain
// argument, and setting the fields of the objects handed back.
//
// A field is named in errors as '<argument>.<field>' ('addr.port',
// 'value.multiaddr', 'msg.control[0].pktinfo.ifindex'), one format for every
// concern. Reading a field may run a getter of the caller's, so the rule of
// common.h holds: take buffer pointers after every field has been read.
#ifndef POSIX_SOCKETS_OBJECT_H_
#define POSIX_SOCKETS_OBJECT_H_

#include "common.h"

namespace ps {

// True for a JS object (arrays and functions excluded).
bool IsObject(napi_env env, napi_value v);
// True for an ArrayBufferView (Buffer, any TypedArray, DataView): the test
// ArgBytes itself makes.
bool IsView(napi_env env, napi_value v);
// Whether obj has the property `key` (own or inherited), without reading it.
bool HasField(napi_env env, napi_value obj, const char* key);

// The name of a field in errors: '<argument>.<field>'.
struct FieldName {
  char text[128];
  FieldName(const char* argument, const char* field);
  operator const char*() const { return text; }
};

// obj[key]; false (with the getter's exception pending) when it threw.
bool GetField(napi_env env, napi_value obj, const char* key, napi_value* out);

// An integer field in [min, max]: required, or `dflt` when it is absent.
bool IntField(napi_env env, napi_value obj, const char* argument,
              const char* key, int64_t min, int64_t max, int64_t* out);
bool OptionalIntField(napi_env env, napi_value obj, const char* argument,
                      const char* key, int64_t min, int64_t max, int64_t dflt,
                      int64_t* out);

// An optional string field copied into `buf` (NUL-terminated); `*present`
// says whether it was given.
bool StringField(napi_env env, napi_value obj, const char* argument,
                 const char* key, char* buf, size_t size, bool* present);

// An IPv4 or IPv6 address string field parsed by inet_pton(3) into `dst`.
// An absent field is all zero bytes (INADDR_ANY, in6addr_any: "the kernel
// chooses") unless `required`.
bool IpField(napi_env env, napi_value obj, const char* argument,
             const char* key, int af, bool required, void* dst);

// Fields of a result object.
void SetInt(napi_env env, napi_value obj, const char* key, int64_t v);
void SetNumber(napi_env env, napi_value obj, const char* key, double v);
void SetBool(napi_env env, napi_value obj, const char* key, bool v);
void SetString(napi_env env, napi_value obj, const char* key, const char* s,
               size_t len = NAPI_AUTO_LENGTH);
// An in_addr or in6_addr as text (inet_ntop(3)).
void SetIp(napi_env env, napi_value obj, const char* key, int af,
           const void* src);

}  // namespace ps

#endif  // POSIX_SOCKETS_OBJECT_H_
