// Socket option values: the C type of each typed option <-> its JS value.
// sockopt.cc makes the system calls; this file only converts, and checks
// every field of a value before any of it is used.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "object.h"
#include "sockopt.h"

namespace ps {

namespace {

napi_value Bool(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

// An int option as the kernel wrote it: Linux answers some IPPROTO_IP
// options (IP_TTL, IP_MULTICAST_TTL, IP_TOS...) with a single byte when the
// caller's buffer is shorter than an int, so read by the returned length.
int64_t IntResult(const OptBuffer& b, socklen_t len, bool is_unsigned) {
  if (len >= sizeof(int)) {
    return is_unsigned ? static_cast<int64_t>(b.u) : static_cast<int64_t>(b.i);
  }
  if (len >= 1) return b.raw[0];
  return 0;
}

// A timeout: { sec, usec }, or a number of milliseconds.
bool TimevalValue(napi_env env, napi_value v, const OptionInfo& o,
                  timeval* tv) {
  double ms;
  if (v != nullptr && napi_get_value_double(env, v, &ms) == napi_ok) {
    // 2^31 seconds is where a 32-bit time_t would end; no timeout needs more.
    if (!(ms >= 0 && ms <= 2147483647e3)) {
      ThrowRangeError(env,
                      "Argument 'value' (%s, milliseconds) must be >= 0 and "
                      "<= 2147483647000, got %g",
                      o.name, ms);
      return false;
    }
    double sec = std::floor(ms / 1000);
    tv->tv_sec = static_cast<time_t>(sec);
    double usec = std::floor((ms - sec * 1000) * 1000);
    tv->tv_usec = static_cast<suseconds_t>(usec);
    return true;
  }
  if (!IsObject(env, v)) {
    ThrowTypeError(env,
                   "Expected argument 'value' (%s) to be { sec, usec } or a "
                   "number of milliseconds",
                   o.name);
    return false;
  }
  int64_t sec, usec;
  if (!IntField(env, v, "value", "sec", 0, INT32_MAX, &sec) ||
      !OptionalIntField(env, v, "value", "usec", 0, 999999, 0, &usec))
    return false;
  tv->tv_sec = static_cast<time_t>(sec);
  tv->tv_usec = static_cast<suseconds_t>(usec);
  return true;
}

}  // namespace

socklen_t GetLength(const OptionInfo& o) {
  switch (o.kind) {
    case OptKind::kLinger:
      return sizeof(linger);
    case OptKind::kTimeval:
      return sizeof(timeval);
    case OptKind::kInAddr:
      return sizeof(in_addr);
    case OptKind::kString:
      return o.max_string;
    case OptKind::kUcred:
      return sizeof(ucred);
    case OptKind::kU64:
      return sizeof(uint64_t);
    case OptKind::kTcpInfo:
      return sizeof(OptBuffer);
    default:
      return sizeof(int);
  }
}

// Builds the JS value for a typed option. The buffer was zeroed before the
// call, so a struct the kernel filled only in part reads zeros, never stale
// memory.
napi_value Decode(napi_env env, const OptionInfo& o, const OptBuffer& b,
                  socklen_t len) {
  napi_value out;
  switch (o.kind) {
    case OptKind::kBool:
      return Bool(env, IntResult(b, len, false) != 0);
    case OptKind::kInt:
      return Int(env, IntResult(b, len, false));
    case OptKind::kUint:
      return Int(env, IntResult(b, len, true));
    case OptKind::kLinger:
      napi_create_object(env, &out);
      SetBool(env, out, "onoff", b.l.l_onoff != 0);
      SetNumber(env, out, "linger", b.l.l_linger);
      return out;
    case OptKind::kTimeval:
      napi_create_object(env, &out);
      SetNumber(env, out, "sec", static_cast<double>(b.tv.tv_sec));
      SetNumber(env, out, "usec", static_cast<double>(b.tv.tv_usec));
      return out;
    case OptKind::kInAddr: {
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &b.addr, text, sizeof text);
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
      return out;
    }
    case OptKind::kString:
      // SO_BINDTODEVICE counts the NUL, TCP_CONGESTION pads with NULs:
      // the name ends at the first NUL within what the kernel returned.
      napi_create_string_utf8(env, b.s, strnlen(b.s, len), &out);
      return out;
    case OptKind::kUcred:
      napi_create_object(env, &out);
      SetNumber(env, out, "pid", b.cred.pid);
      SetNumber(env, out, "uid", b.cred.uid);
      SetNumber(env, out, "gid", b.cred.gid);
      return out;
    case OptKind::kU64:
      napi_create_bigint_uint64(env, b.u64, &out);
      return out;
    case OptKind::kTcpInfo:
      return TcpInfoToJs(env, b.raw, len);
    default:
      napi_get_undefined(env, &out);
      return out;
  }
}

// true/false, or the numbers 0 and 1, for a boolean option.
bool BoolValue(napi_env env, napi_value v, const char* label, int* out) {
  napi_valuetype t = napi_undefined;
  if (v != nullptr) napi_typeof(env, v, &t);
  if (t == napi_boolean) {
    bool b;
    napi_get_value_bool(env, v, &b);
    *out = b ? 1 : 0;
    return true;
  }
  if (t == napi_number) {
    double d;
    napi_get_value_double(env, v, &d);
    if (d == 0 || d == 1) {
      *out = static_cast<int>(d);
      return true;
    }
    ThrowRangeError(env, "Argument '%s' must be true, false, 0 or 1, got %g",
                    label, d);
    return false;
  }
  ThrowTypeError(env, "Expected argument '%s' to be a boolean (or 0 or 1)",
                 label);
  return false;
}

// Converts a typed value into `b` and its length. Throws and returns false
// on bad input; nothing reaches the kernel unless every field checked out.
bool Encode(napi_env env, const OptionInfo& o, napi_value v, OptBuffer* b,
            socklen_t* len) {
  char label[96];
  snprintf(label, sizeof label, "value (%s)", o.name);
  int64_t x;
  *len = sizeof(int);
  switch (o.kind) {
    case OptKind::kBool:
      return BoolValue(env, v, label, &b->i);
    case OptKind::kInt:
      if (!ArgInteger(env, v, label, INT32_MIN, INT32_MAX, &x)) return false;
      b->i = static_cast<int>(x);
      return true;
    case OptKind::kUint:
      if (!ArgInteger(env, v, label, 0, UINT32_MAX, &x)) return false;
      b->u = static_cast<unsigned>(x);
      return true;
    case OptKind::kLinger: {
      if (!IsObject(env, v)) {
        ThrowTypeError(env, "Expected argument '%s' to be { onoff, linger }",
                       label);
        return false;
      }
      napi_value onoff;
      if (!GetField(env, v, "onoff", &onoff) ||
          !BoolValue(env, onoff, FieldName("value", "onoff"), &b->l.l_onoff) ||
          !IntField(env, v, "value", "linger", 0, INT32_MAX, &x))
        return false;
      b->l.l_linger = static_cast<int>(x);
      *len = sizeof(linger);
      return true;
    }
    case OptKind::kTimeval:
      *len = sizeof(timeval);
      return TimevalValue(env, v, o, &b->tv);
    case OptKind::kMreqn:
      if (!IsObject(env, v)) {
        ThrowTypeError(env,
                       "Expected argument '%s' to be { multiaddr, address?, "
                       "ifindex? }",
                       label);
        return false;
      }
      if (!IpField(env, v, "value", "multiaddr", AF_INET, true,
                   &b->mreqn.imr_multiaddr) ||
          !IpField(env, v, "value", "address", AF_INET, false,
                   &b->mreqn.imr_address) ||
          !OptionalIntField(env, v, "value", "ifindex", 0, INT32_MAX, 0, &x))
        return false;
      b->mreqn.imr_ifindex = static_cast<int>(x);
      *len = sizeof(ip_mreqn);
      return true;
    case OptKind::kMreq6:
      if (!IsObject(env, v)) {
        ThrowTypeError(
            env, "Expected argument '%s' to be { multiaddr, ifindex? }", label);
        return false;
      }
      if (!IpField(env, v, "value", "multiaddr", AF_INET6, true,
                   &b->mreq6.ipv6mr_multiaddr) ||
          !OptionalIntField(env, v, "value", "ifindex", 0, UINT32_MAX, 0, &x))
        return false;
      b->mreq6.ipv6mr_interface = static_cast<unsigned>(x);
      *len = sizeof(ipv6_mreq);
      return true;
    case OptKind::kInAddr: {
      char text[INET_ADDRSTRLEN + 1];
      if (!ArgString(env, v, label, text, sizeof text, nullptr)) return false;
      if (inet_pton(AF_INET, text, &b->addr) != 1) {
        ThrowValueError(env, "Argument '%s' is not an IPv4 address: '%s'",
                        label, text);
        return false;
      }
      *len = sizeof(in_addr);
      return true;
    }
    case OptKind::kString: {
      size_t n;
      if (!ArgString(env, v, label, b->s, o.max_string, &n)) return false;
      // SO_BINDTODEVICE with "" (length 0) removes the binding.
      *len = static_cast<socklen_t>(n);
      return true;
    }
    default:
      ThrowTypeError(env, "%s is read-only", o.name);
      return false;
  }
}

}  // namespace ps
