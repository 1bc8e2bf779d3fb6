// Timers as fds: timerfd_create(2), timerfd_settime(2), timerfd_gettime(2),
// and clock_gettime(2) for the absolute times TFD_TIMER_ABSTIME takes.
//
// A blocking epoll loop on the JS thread runs no Node timers, so C's answer
// is the one that fits: a timer that is an fd, readable when it expires.
// The times are C's structs literally, { tv_sec, tv_nsec } and
// { it_interval, it_value }; a field left out is 0, as in a C designated
// initializer. Every integer goes to the kernel as it is (a tv_nsec of 1e9
// is the kernel's EINVAL), so the only checks here are of types.
#include <sys/timerfd.h>
#include <time.h>

#include "object.h"

namespace ps {

namespace {

// A timespec field of `obj` (itself the field `key` of `argument`); absent,
// undefined or null is all zeros.
bool TimespecField(napi_env env, napi_value obj, const char* argument,
                   const char* key, timespec* out) {
  FieldName name(argument, key);
  napi_value v;
  *out = timespec{};
  if (!GetField(env, obj, key, &v)) return false;
  if (IsNullish(env, v)) return true;
  if (!IsObject(env, v)) {
    ThrowTypeError(env,
                   "Expected argument '%s' to be a timespec { tv_sec, "
                   "tv_nsec }",
                   name.text);
    return false;
  }
  int64_t sec, nsec;
  if (!OptionalIntField(env, v, name, "tv_sec", -kMaxSafeInteger,
                        kMaxSafeInteger, 0, &sec) ||
      !OptionalIntField(env, v, name, "tv_nsec", -kMaxSafeInteger,
                        kMaxSafeInteger, 0, &nsec))
    return false;
  out->tv_sec = static_cast<time_t>(sec);
  out->tv_nsec = static_cast<long>(nsec);
  return true;
}

napi_value TimespecToJs(napi_env env, const timespec& ts) {
  napi_value o;
  napi_create_object(env, &o);
  SetInt(env, o, "tv_sec", ts.tv_sec);
  SetInt(env, o, "tv_nsec", ts.tv_nsec);
  return o;
}

napi_value ItimerspecToJs(napi_env env, const itimerspec& its) {
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "it_interval",
                          TimespecToJs(env, its.it_interval));
  napi_set_named_property(env, o, "it_value", TimespecToJs(env, its.it_value));
  return o;
}

// timerfd_create(clockid, flags) -> fd or -errno.
napi_value TimerfdCreate(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int clockid;
  uint32_t flags;
  if (!Args(env, info, argv) || !ArgInt(env, argv[0], "clockid", &clockid) ||
      !ArgFlags(env, argv[1], "flags", 0, &flags))
    return nullptr;
  return ResultOrErrno(env, timerfd_create(clockid, static_cast<int>(flags)));
}

// timerfd_settime(fd, flags, new_value) -> the old itimerspec, or -errno.
// C's old_value out-parameter is filled on the JS side from this object.
napi_value TimerfdSettime(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  uint32_t flags;
  if (!Args(env, info, argv) || !ArgFd(env, argv[0], &fd) ||
      !ArgFlags(env, argv[1], "flags", 0, &flags))
    return nullptr;
  if (!IsObject(env, argv[2])) {
    ThrowTypeError(env,
                   "Expected argument 'new_value' to be an itimerspec "
                   "{ it_interval, it_value }");
    return nullptr;
  }
  itimerspec nv, old;
  if (!TimespecField(env, argv[2], "new_value", "it_interval",
                     &nv.it_interval) ||
      !TimespecField(env, argv[2], "new_value", "it_value", &nv.it_value))
    return nullptr;
  if (timerfd_settime(fd, static_cast<int>(flags), &nv, &old) == -1)
    return ResultOrErrno(env, -1);
  return ItimerspecToJs(env, old);
}

// timerfd_gettime(fd) -> itimerspec or -errno.
napi_value TimerfdGettime(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!Args(env, info, argv) || !ArgFd(env, argv[0], &fd)) return nullptr;
  itimerspec cur;
  if (timerfd_gettime(fd, &cur) == -1) return ResultOrErrno(env, -1);
  return ItimerspecToJs(env, cur);
}

// clock_gettime(clockid) -> timespec or -errno. Usually answered by the
// vDSO without entering the kernel; an unknown clock is still EINVAL.
napi_value ClockGettime(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int clockid;
  if (!Args(env, info, argv) || !ArgInt(env, argv[0], "clockid", &clockid))
    return nullptr;
  timespec ts;
  if (clock_gettime(clockid, &ts) == -1) return ResultOrErrno(env, -1);
  return TimespecToJs(env, ts);
}

}  // namespace

void InitTimerfd(napi_env env, napi_value exports) {
  SetFunction(env, exports, "timerfd_create", TimerfdCreate);
  SetFunction(env, exports, "timerfd_settime", TimerfdSettime);
  SetFunction(env, exports, "timerfd_gettime", TimerfdGettime);
  SetFunction(env, exports, "clock_gettime", ClockGettime);
}

}  // namespace ps
