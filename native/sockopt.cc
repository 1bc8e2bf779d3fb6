// Socket options and the queue-size ioctls.
//
//   getsockopt(fd, level, optname, err)        -> decoded value, or undefined
//                                                 with err[0] = errno
//   setsockopt(fd, level, optname, value)      -> 0 or -errno
//   getsockoptBuffer(fd, level, optname, max)  -> Buffer or -errno
//   ioctl(fd, request, arg, err)               -> int, or undefined with
//                                                 err[0] = errno
//   sockoptTable()                             -> [{ level, optname, name,
//                                                    kind, access }]
//
// getsockopt and ioctl report their errno through an Int32Array rather than
// as a negative result (ValueOrErrnoSlot in common.h): some int options are
// legitimately negative (SO_PEEK_OFF and SO_INCOMING_CPU read -1), as is
// FIONREAD on a regular file read past its end, so a negative number cannot
// mean "failed" there, and an out-parameter costs no allocation.
//
// The typed forms consult the table of sockopt_table.cc; a Buffer value (or
// getsockoptBuffer) reaches any option as raw bytes.
#include "sockopt.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "object.h"

namespace ps {

namespace {

const char* KindName(OptKind k) {
  switch (k) {
    case OptKind::kBool:
      return "bool";
    case OptKind::kInt:
      return "int";
    case OptKind::kUint:
      return "uint";
    case OptKind::kLinger:
      return "linger";
    case OptKind::kTimeval:
      return "timeval";
    case OptKind::kMreqn:
      return "ip_mreqn";
    case OptKind::kMreq6:
      return "ipv6_mreq";
    case OptKind::kInAddr:
      return "in_addr";
    case OptKind::kString:
      return "string";
    case OptKind::kUcred:
      return "ucred";
    case OptKind::kU64:
      return "uint64";
    case OptKind::kTcpInfo:
      return "tcp_info";
  }
  return "unknown";
}

// The typed table's entry for (level, optname), or a TypeError that names
// the option ("option 99 at level SOL_SOCKET"), says why it cannot be used
// for `verb` ('getsockopt' or 'setsockopt') and points to the raw form.
const OptionInfo* TypedOption(napi_env env, const char* verb, int level,
                              int optname) {
  const bool get = verb[0] == 'g';
  const OptionInfo* o = FindOption(level, optname);
  if (o == nullptr) {
    const char* ln = LevelName(level);
    char what[96];
    if (ln != nullptr) {
      snprintf(what, sizeof what, "option %d at level %s", optname, ln);
    } else {
      snprintf(what, sizeof what, "option %d at level %d", optname, level);
    }
    ThrowTypeError(env, "%s has no typed form for %s; %s", verb, what,
                   get ? "read it raw with getsockoptBuffer(fd, level, "
                         "optname, maxlen)"
                       : "pass its bytes as a Buffer for the raw form");
    return nullptr;
  }
  if (get && o->access == kWriteOnly) {
    ThrowTypeError(env,
                   "%s can only be set: the kernel has no getsockopt for it",
                   o->name);
    return nullptr;
  }
  if (!get && o->access == kReadOnly) {
    ThrowTypeError(env, "%s is read-only: it cannot be set", o->name);
    return nullptr;
  }
  return o;
}

napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

// The (fd, level, optname) that every option call starts with.
bool ArgOption(napi_env env, const napi_value* argv, int* fd, int* level,
               int* optname) {
  return ArgFd(env, argv[0], fd) && ArgInt(env, argv[1], "level", level) &&
         ArgInt(env, argv[2], "optname", optname);
}

// getsockopt(fd, level, optname, err) -> value, or undefined after storing
// errno in err[0].
napi_value GetSockOpt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd, level, optname;
  if (!ArgOption(env, argv, &fd, &level, &optname)) return nullptr;
  int32_t* err;
  if (!ArgErrnoSlot(env, argv[3], &err)) return nullptr;
  const OptionInfo* o = TypedOption(env, "getsockopt", level, optname);
  if (o == nullptr) return nullptr;
  OptBuffer b;
  memset(&b, 0, sizeof b);
  socklen_t len = GetLength(*o);
  int r =
      RetryOnEintr([&] { return getsockopt(fd, level, optname, &b, &len); });
  if (r < 0) return ValueOrErrnoSlot(env, true, 0, err);
  return Decode(env, *o, b, len);
}

// setsockopt(fd, level, optname, value) -> 0 or -errno.
napi_value SetSockOpt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd, level, optname;
  if (!ArgOption(env, argv, &fd, &level, &optname)) return nullptr;
  if (IsView(env, argv[3])) {
    uint8_t* data;
    size_t n;
    if (!ArgBytes(env, argv[3], "value", &data, &n)) return nullptr;
    int r = RetryOnEintr([&] {
      return setsockopt(fd, level, optname, data, static_cast<socklen_t>(n));
    });
    return ResultOrErrno(env, r);
  }
  const OptionInfo* o = TypedOption(env, "setsockopt", level, optname);
  if (o == nullptr) return nullptr;
  OptBuffer b;
  memset(&b, 0, sizeof b);
  socklen_t len;
  if (!Encode(env, *o, argv[3], &b, &len)) return nullptr;
  int r = RetryOnEintr([&] { return setsockopt(fd, level, optname, &b, len); });
  return ResultOrErrno(env, r);
}

// getsockoptBuffer(fd, level, optname, maxlen) -> Buffer of the length the
// kernel returned, or -errno.
napi_value GetSockOptBuffer(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd, level, optname;
  int64_t maxlen;
  if (!ArgOption(env, argv, &fd, &level, &optname) ||
      !ArgInteger(env, argv[3], "maxlen", 0, 65536, &maxlen))
    return nullptr;
  void* data;
  napi_value buf;
  if (napi_create_buffer(env, static_cast<size_t>(maxlen), &data, &buf) !=
      napi_ok)
    return nullptr;
  if (maxlen > 0) memset(data, 0, static_cast<size_t>(maxlen));
  socklen_t len = static_cast<socklen_t>(maxlen);
  int r =
      RetryOnEintr([&] { return getsockopt(fd, level, optname, data, &len); });
  if (r < 0) return ResultOrErrno(env, r);
  if (len >= maxlen) return buf;
  napi_value exact;
  napi_create_buffer_copy(env, len, data, nullptr, &exact);
  return exact;
}

// ioctl(fd, request, arg, err) for the socket requests that take or give an
// int -> that int, or undefined with errno in err[0]. The int may be
// negative without an error (FIONREAD on a regular file read past its end
// is i_size - f_pos), so only ioctl's own -1 means failure.
napi_value Ioctl(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  int fd;
  uint32_t request;
  int32_t* err;
  if (!ArgFd(env, argv[0], &fd) ||
      !ArgFlags(env, argv[1], "request", 0, &request) ||
      !ArgErrnoSlot(env, argv[3], &err))
    return nullptr;
  int value = 0;
  switch (request) {
    case FIONREAD:  // also SIOCINQ
    case SIOCOUTQ:
#ifdef SIOCOUTQNSD
    case SIOCOUTQNSD:
#endif
      break;
    case FIONBIO:
      if (!BoolValue(env, argv[2], "arg", &value)) return nullptr;
      break;
    default:
      ThrowTypeError(env,
                     "ioctl request 0x%x is not one this wrapper knows: use "
                     "FIONREAD, SIOCINQ, SIOCOUTQ, SIOCOUTQNSD or FIONBIO",
                     request);
      return nullptr;
  }
  int r = RetryOnEintr([&] { return ioctl(fd, request, &value); });
  // FIONBIO reads its int; the others write theirs, which is the answer.
  return ValueOrErrnoSlot(env, r == -1, request == FIONBIO ? 0 : value, err);
}

// sockoptTable() -> the typed table, for documentation and tests.
napi_value SockOptTable(napi_env env, napi_callback_info info) {
  napi_value arr;
  napi_create_array(env, &arr);
  size_t count;
  const OptionInfo* all = AllOptions(&count);
  for (size_t i = 0; i < count; i++) {
    const OptionInfo* o = &all[i];
    napi_value e, s;
    napi_create_object(env, &e);
    SetNumber(env, e, "level", o->level);
    SetNumber(env, e, "optname", o->optname);
    napi_create_string_utf8(env, o->name, NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, e, "name", s);
    napi_create_string_utf8(env, KindName(o->kind), NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, e, "kind", s);
    const char* access = o->access == kReadOnly    ? "r"
                         : o->access == kWriteOnly ? "w"
                                                   : "rw";
    napi_create_string_utf8(env, access, NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, e, "access", s);
    napi_set_element(env, arr, static_cast<uint32_t>(i), e);
  }
  return arr;
}

}  // namespace

void InitOptions(napi_env env, napi_value exports) {
  SetFunction(env, exports, "getsockopt", GetSockOpt);
  SetFunction(env, exports, "setsockopt", SetSockOpt);
  SetFunction(env, exports, "getsockoptBuffer", GetSockOptBuffer);
  SetFunction(env, exports, "ioctl", Ioctl);
  SetFunction(env, exports, "sockoptTable", SockOptTable);
}

}  // namespace ps
