// select(2) and pselect(2): the readiness calls that came before poll and
// epoll, over fd_set bitmaps of FD_SETSIZE (1024) bits. And the timeout and
// signal-mask arguments that they share with ppoll, epoll_pwait and
// epoll_pwait2 (select.h).
//
// The fd_sets are the caller's memory (lib/select.ts's FdSet, a Uint8Array of
// sizeof(fd_set) bytes): the kernel reads and writes them in place. The
// kernel reads (nfds + 63) / 64 longs of each set, so nfds above FD_SETSIZE
// would make it read past the end of the memory: that is refused here, as a
// memory bound, while any nfds below (negative ones included) goes to the
// kernel, which says EINVAL for a negative one.
#include "select.h"

#include <sys/select.h>
#include <sys/time.h>

#include <cstdio>

#include "object.h"
#include "syscalls.h"

namespace ps {

namespace {

// The largest integer a JS number holds exactly: the bound of a time field.
constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;

// nfds: an int, at most FD_SETSIZE.
bool ArgNfds(napi_env env, napi_value v, int* nfds) {
  if (!ArgInt(env, v, "nfds", nfds)) return false;
  if (*nfds > FD_SETSIZE) {
    ThrowRangeError(env,
                    "Argument 'nfds' (%d) is more than FD_SETSIZE (%d): an "
                    "fd_set holds fds 0..%d only, and the kernel would read "
                    "past its end. Use poll or epoll for higher fds",
                    *nfds, FD_SETSIZE, FD_SETSIZE - 1);
    return false;
  }
  return true;
}

// An fd_set argument: null (C's NULL) or a view of at least sizeof(fd_set)
// bytes, aligned as the longs it is made of.
bool ArgFdSet(napi_env env, napi_value v, const char* name, fd_set** out) {
  *out = nullptr;
  if (IsNullish(env, v)) return true;
  uint8_t* p;
  size_t len;
  if (!ArgBytes(env, v, name, &p, &len)) return false;
  if (len < sizeof(fd_set)) {
    ThrowRangeError(env,
                    "Argument '%s' has %zu bytes; an fd_set has %zu (use an "
                    "FdSet)",
                    name, len, sizeof(fd_set));
    return false;
  }
  if (reinterpret_cast<uintptr_t>(p) % alignof(fd_set) != 0) {
    ThrowRangeError(env, "Argument '%s' must be aligned to %zu bytes", name,
                    alignof(fd_set));
    return false;
  }
  *out = reinterpret_cast<fd_set*>(p);
  return true;
}

// The three sets, read last: their pointers are taken after every argument
// that can run the caller's code (the timeout's fields, the mask's elements).
bool ArgFdSets(napi_env env, napi_value* argv, fd_set** sets) {
  return ArgFdSet(env, argv[0], "readfds", &sets[0]) &&
         ArgFdSet(env, argv[1], "writefds", &sets[1]) &&
         ArgFdSet(env, argv[2], "exceptfds", &sets[2]);
}

// select(nfds, readfds, writefds, exceptfds, timeout) -> count or -errno.
// `timeout` is { tv_sec, tv_usec } or null; as on Linux (and glibc's select
// keeps it), the time not slept is written back into it, whatever the
// outcome. That update also makes the EINTR retry right: the retried call
// sleeps what is left, not the whole timeout again. The sets are written by
// the kernel only on success, so a retry sees them as the caller filled them.
napi_value Select(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  int nfds;
  bool timed;
  int64_t sec, usec;
  fd_set* sets[3];
  if (!ArgNfds(env, argv[0], &nfds) ||
      !ArgTimeout(env, argv[4], "timeout", "tv_usec", &timed, &sec, &usec) ||
      !ArgFdSets(env, argv + 1, sets))
    return nullptr;
  timeval tv = {static_cast<time_t>(sec), static_cast<suseconds_t>(usec)};
  timeval* tvp = timed ? &tv : nullptr;
  int r = RetryOnEintr(
      [&] { return select(nfds, sets[0], sets[1], sets[2], tvp); });
  napi_value result = ResultOrErrno(env, r);
  if (timed) {
    SetInt(env, argv[4], "tv_sec", tv.tv_sec);
    SetInt(env, argv[4], "tv_usec", tv.tv_usec);
  }
  return result;
}

// pselect(nfds, readfds, writefds, exceptfds, timeout, sigmask) -> count or
// -errno. `timeout` is { tv_sec, tv_nsec } or null and is left as it is, as
// POSIX and glibc's pselect leave it (const); the kernel updates the
// wrapper's own copy, so an EINTR retry sleeps only what is left.
napi_value Pselect(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!Args(env, info, argv)) return nullptr;
  int nfds;
  bool timed;
  KernelTimespec ts;
  sigset_t set;
  const sigset_t* mask;
  fd_set* sets[3];
  if (!ArgNfds(env, argv[0], &nfds) ||
      !ArgTimeout(env, argv[4], "timeout", "tv_nsec", &timed, &ts.tv_sec,
                  &ts.tv_nsec) ||
      !ArgSigmask(env, argv[5], &set, &mask) || !ArgFdSets(env, argv + 1, sets))
    return nullptr;
  KernelTimespec* tsp = timed ? &ts : nullptr;
  return ResultOrErrno(env, RetryOnEintr([&] {
                         return sys::pselect6(nfds, sets[0], sets[1], sets[2],
                                              tsp, mask);
                       }));
}

}  // namespace

bool ArgTimeout(napi_env env, napi_value v, const char* name, const char* frac,
                bool* present, int64_t* sec, int64_t* fraction) {
  *present = !IsNullish(env, v);
  *sec = *fraction = 0;
  if (!*present) return true;
  if (!IsObject(env, v)) {
    ThrowTypeError(env, "Expected argument '%s' to be { tv_sec, %s } or null",
                   name, frac);
    return false;
  }
  return IntField(env, v, name, "tv_sec", -kMaxSafe, kMaxSafe, sec) &&
         IntField(env, v, name, frac, -kMaxSafe, kMaxSafe, fraction);
}

bool ArgSigmask(napi_env env, napi_value v, sigset_t* set,
                const sigset_t** out) {
  *out = nullptr;
  if (IsNullish(env, v)) return true;
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array) {
    ThrowTypeError(env,
                   "Expected argument 'sigmask' to be an array of signal "
                   "numbers or null");
    return false;
  }
  uint32_t length;
  if (napi_get_array_length(env, v, &length) != napi_ok) return false;
  sigemptyset(set);
  for (uint32_t i = 0; i < length; i++) {
    char name[32];
    snprintf(name, sizeof name, "sigmask[%u]", i);
    napi_value e;
    int signo;
    if (napi_get_element(env, v, i, &e) != napi_ok ||
        !ArgInt(env, e, name, &signo))
      return false;
    if (sigaddset(set, signo) != 0) {
      ThrowRangeError(env,
                      "Argument '%s' (%d) is not a signal sigaddset(3) takes: "
                      "1..%d, less %d..%d, which glibc keeps for its threads",
                      name, signo, _NSIG - 1, __SIGRTMIN, SIGRTMIN - 1);
      return false;
    }
  }
  *out = set;
  return true;
}

void InitSelect(napi_env env, napi_value exports) {
  SetFunction(env, exports, "select", Select);
  SetFunction(env, exports, "pselect", Pselect);
}

}  // namespace ps
