// Addresses in text and numbers: inet_pton(3)/inet_ntop(3),
// inet_addr(3)/inet_aton(3)/inet_ntoa(3), byte order (byteorder(3)) and
// interface names (if_nametoindex(3)). The address
// objects themselves are converted in sockaddr.cc.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include "object.h"

namespace ps {

namespace {

// inet_pton(af, src) -> Buffer of 4 or 16 bytes in network order, or null
// when `src` does not parse (inet_pton's 0).
napi_value InetPton(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  int af;
  char src[INET6_ADDRSTRLEN + 1];
  if (!ArgInt(env, argv[0], "af", &af) ||
      !ArgString(env, argv[1], "src", src, sizeof src, nullptr))
    return nullptr;
  if (af != AF_INET && af != AF_INET6) {
    ThrowValueError(env, "Argument 'af' must be AF_INET or AF_INET6, got %d",
                    af);
    return nullptr;
  }
  unsigned char dst[sizeof(in6_addr)];
  napi_value out;
  if (inet_pton(af, src, dst) != 1) {
    napi_get_null(env, &out);
    return out;
  }
  size_t n = af == AF_INET ? sizeof(in_addr) : sizeof(in6_addr);
  napi_create_buffer_copy(env, n, dst, nullptr, &out);
  return out;
}

// inet_ntop(af, src) -> text form of a 4- or 16-byte address.
napi_value InetNtop(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  int af;
  uint8_t* src;
  size_t n;
  if (!ArgInt(env, argv[0], "af", &af) ||
      !ArgBytes(env, argv[1], "src", &src, &n))
    return nullptr;
  size_t need = af == AF_INET    ? sizeof(in_addr)
                : af == AF_INET6 ? sizeof(in6_addr)
                                 : 0;
  if (need == 0) {
    ThrowValueError(env, "Argument 'af' must be AF_INET or AF_INET6, got %d",
                    af);
    return nullptr;
  }
  if (n != need) {
    ThrowRangeError(env,
                    "Argument 'src' must be %zu bytes for this family, got %zu",
                    need, n);
    return nullptr;
  }
  char text[INET6_ADDRSTRLEN];
  inet_ntop(af, src, text, sizeof text);
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

// htons/ntohs/htonl/ntohl: the real C functions, so a tutorial's byte-order
// step translates literally.
template <typename T, T (*Fn)(T)>
napi_value ByteOrder(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  int64_t x;
  if (!ArgInteger(env, argv[0], sizeof(T) == 2 ? "hostshort" : "hostlong", 0,
                  static_cast<int64_t>(static_cast<T>(-1)), &x))
    return nullptr;
  return Int(env, Fn(static_cast<T>(x)));
}
uint16_t Htons(uint16_t x) { return htons(x); }
uint16_t Ntohs(uint16_t x) { return ntohs(x); }
uint32_t Htonl(uint32_t x) { return htonl(x); }
uint32_t Ntohl(uint32_t x) { return ntohl(x); }

// inet_addr(3)(cp) -> in_addr_t in network order, or INADDR_NONE.
napi_value InetAddr(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  char cp[INET_ADDRSTRLEN + 16];
  if (!ArgString(env, argv[0], "cp", cp, sizeof cp, nullptr)) return nullptr;
  return Int(env, inet_addr(cp));
}

// inet_aton(3)(cp, inp?) -> 1 or 0; on 1, inp.s_addr is set (network
// order). Any IPv4 text fits in the buffer; longer text cannot parse.
napi_value InetAton(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  char cp[64];
  size_t n;
  napi_value v = argv[0];
  if (v == nullptr ||
      napi_get_value_string_utf8(env, v, nullptr, 0, &n) != napi_ok) {
    ThrowTypeError(env, "Expected argument 'cp' to be a string");
    return nullptr;
  }
  const bool has_out = !IsNullish(env, argv[1]);
  if (has_out && !IsObject(env, argv[1])) {
    ThrowTypeError(env, "Expected argument 'inp' to be { s_addr } or null");
    return nullptr;
  }
  if (n >= sizeof cp) return Int(env, 0);
  if (!ArgString(env, v, "cp", cp, sizeof cp, nullptr)) return nullptr;
  in_addr a;
  if (inet_aton(cp, &a) == 0) return Int(env, 0);
  if (has_out) SetInt(env, argv[1], "s_addr", a.s_addr);
  return Int(env, 1);
}

// inet_ntoa(3)(inp) -> dotted quad. Made with inet_ntop(3): inet_ntoa's
// static buffer is shared by every thread, worker_threads included.
napi_value InetNtoa(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  int64_t s_addr;
  if (!IsObject(env, argv[0])) {
    ThrowTypeError(env, "Expected argument 'in' to be { s_addr }");
    return nullptr;
  }
  if (!IntField(env, argv[0], "in", "s_addr", 0, UINT32_MAX, &s_addr))
    return nullptr;
  in_addr a;
  a.s_addr = static_cast<in_addr_t>(s_addr);
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, text, sizeof text);
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

// if_nametoindex(3)(name) -> index, or 0 when no interface has that name
// (as in C; the errno is not reported).
napi_value IfNameToIndex(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  char name[IF_NAMESIZE];
  if (!ArgString(env, argv[0], "name", name, sizeof name, nullptr))
    return nullptr;
  return Int(env, if_nametoindex(name));
}

// if_indextoname(3)(index) -> name, or -errno (ENXIO) for no such index.
napi_value IfIndexToName(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  int64_t index;
  if (!ArgInteger(env, argv[0], "index", 1, UINT32_MAX, &index)) return nullptr;
  char name[IF_NAMESIZE];
  if (if_indextoname(static_cast<unsigned>(index), name) == nullptr)
    return ResultOrErrno(env, -1);
  napi_value out;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &out);
  return out;
}

}  // namespace

void InitAddresses(napi_env env, napi_value exports) {
  SetFunction(env, exports, "inet_pton", InetPton);
  SetFunction(env, exports, "inet_ntop", InetNtop);
  SetFunction(env, exports, "htons", ByteOrder<uint16_t, Htons>);
  SetFunction(env, exports, "ntohs", ByteOrder<uint16_t, Ntohs>);
  SetFunction(env, exports, "htonl", ByteOrder<uint32_t, Htonl>);
  SetFunction(env, exports, "ntohl", ByteOrder<uint32_t, Ntohl>);
  SetFunction(env, exports, "inet_addr", InetAddr);
  SetFunction(env, exports, "inet_aton", InetAton);
  SetFunction(env, exports, "inet_ntoa", InetNtoa);
  SetFunction(env, exports, "if_nametoindex", IfNameToIndex);
  SetFunction(env, exports, "if_indextoname", IfIndexToName);
}

}  // namespace ps
