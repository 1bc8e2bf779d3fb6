// Readiness: epoll_create1(2), epoll_ctl(2), epoll_wait(2) and its
// signal-mask forms epoll_pwait and epoll_pwait2, and poll(2) and ppoll beside
// them for the O(n) versus O(ready) comparison. (select and pselect, and the
// timeout and mask arguments these share with them, are in select.cc.)
//
// epoll_wait is the hot path of every event loop built on this addon, so it
// is shaped for it: the caller owns a Uint32Array of (events mask, data)
// pairs, the kernel fills a per-environment scratch array of struct
// epoll_event, and the wrapper copies the pairs out. One native call per
// wait, nothing allocated, however many fds are ready.
//
// The scratch array hangs off the functions' own data pointer rather than
// the addon's instance data: Node-API gives an addon one instance-data slot
// per environment, and that slot belongs to no single concern. The pointer
// is just as per-environment (InitEpoll runs once per environment) and costs
// nothing to fetch, since napi_get_cb_info hands it back with the arguments.
#include <poll.h>
#include <sys/epoll.h>
#include <time.h>

#include <cstdlib>

#include "common.h"
#include "select.h"
#include "syscalls.h"

namespace ps {

namespace {

// struct epoll_event is 12 bytes on x86-64 (packed) and 16 elsewhere; the
// JS side sees 8 bytes per event either way, so the kernel cannot write into
// the caller's array directly.
struct Scratch {
  epoll_event* events = nullptr;
  size_t capacity = 0;
};

// Grows the scratch array to hold `n` events. Growth is rare (the first wait
// with a larger maxevents), so it doubles past what is asked.
bool Reserve(Scratch* s, size_t n) {
  if (n <= s->capacity) return true;
  size_t cap = s->capacity ? s->capacity : 64;
  while (cap < n) cap *= 2;
  void* p = realloc(s->events, cap * sizeof(epoll_event));
  if (p == nullptr) return false;
  s->events = static_cast<epoll_event*>(p);
  s->capacity = cap;
  return true;
}

void FreeScratch(void* arg) {
  Scratch* s = static_cast<Scratch*>(arg);
  free(s->events);
  delete s;
}

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Calls `wait(timeout)` (epoll_wait or poll) and retries EINTR with what
// is left of the timeout, so a signal neither ends the wait early nor
// stretches it. The clock is read only for a positive timeout: -1 and 0
// retry as they are, and the common non-blocking wait costs no clock call.
template <typename F>
int WaitRetrying(int timeout, F wait) {
  if (timeout <= 0) {
    return RetryOnEintr([&] { return wait(timeout); });
  }
  int64_t deadline = NowMs() + timeout;
  for (;;) {
    int r = wait(timeout);
    if (r != -1 || errno != EINTR) return r;
    int64_t left = deadline - NowMs();
    timeout = left > 0 ? static_cast<int>(left) : 0;
  }
}

// Why epoll_wait's `events` was refused: thrown on the slow path only.
void ThrowBadEvents(napi_env env, napi_value v, size_t bytes, uintptr_t addr,
                    int maxevents) {
  auto type = static_cast<napi_typedarray_type>(-1);  // see ArgBytes
  size_t length;
  napi_value ab = nullptr;
  bool is_typed =
      v != nullptr && napi_get_typedarray_info(env, v, &type, &length, nullptr,
                                               &ab, nullptr) == napi_ok;
  bool detached = false;
  if (is_typed && bytes == 0) napi_is_detached_arraybuffer(env, ab, &detached);
  if (detached) {
    ThrowTypeError(env,
                   "Argument 'events' is a view of a detached ArrayBuffer");
  } else if (addr % alignof(uint32_t) != 0) {
    ThrowRangeError(env, "Argument 'events' must be aligned to 4 bytes");
  } else {
    ThrowRangeError(env,
                    "Argument 'maxevents' (%d) needs %lld Uint32 elements; "
                    "'events' has %zu",
                    maxevents, 2LL * maxevents, bytes / 4);
  }
}

// epoll_create1(flags) -> epfd or -errno.
napi_value EpollCreate1(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  uint32_t flags;
  if (!ArgFlags(env, argv[0], "flags", 0, &flags)) return nullptr;
  return ResultOrErrno(env, epoll_create1(static_cast<int>(flags)));
}

// epoll_ctl(epfd, op, fd, events, data = fd) -> 0 or -errno. `data` is the
// caller's 32-bit token, handed back beside the mask by epoll_wait; the
// whole 64-bit epoll_data is written so no stale upper half survives.
napi_value EpollCtl(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!Args(env, info, argv)) return nullptr;
  int epfd, op, fd;
  uint32_t events;
  if (!ArgFd(env, argv[0], &epfd, "epfd") || !ArgInt(env, argv[1], "op", &op) ||
      !ArgFd(env, argv[2], &fd) ||
      !ArgFlags(env, argv[3], "events", 0, &events))
    return nullptr;
  int64_t data;
  if (!ArgOptionalInteger(env, argv[4], "data", 0, UINT32_MAX, fd, &data))
    return nullptr;
  epoll_event ev;
  ev.events = events;
  ev.data.u64 = static_cast<uint64_t>(data);
  return ResultOrErrno(env, epoll_ctl(epfd, op, fd, &ev));
}

// The events argument of the three epoll waits: checked against maxevents,
// as a place for (mask, data) pairs. Taken after every other argument, since
// a sigmask's elements may run the caller's code.
//
// The per-call cost is the number of napi calls, so it takes one. `events` is
// read with napi_get_buffer_info, which accepts every ArrayBufferView and is
// much cheaper than napi_get_typedarray_info's type probe; what makes the
// write safe is the byte length and the alignment, both checked here. The
// documented type is Uint32Array.
bool ArgEvents(napi_env env, napi_value v, int64_t maxevents, uint32_t** out) {
  void* p;
  size_t bytes;
  if (v == nullptr || napi_get_buffer_info(env, v, &p, &bytes) != napi_ok) {
    ThrowTypeError(env, "Expected argument 'events' to be a Uint32Array");
    return false;
  }
  uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  if (maxevents > 0 && (static_cast<size_t>(maxevents) > bytes / 8 ||
                        addr % alignof(uint32_t) != 0)) {
    ThrowBadEvents(env, v, bytes, addr, static_cast<int>(maxevents));
    return false;
  }
  *out = static_cast<uint32_t*>(p);
  return true;
}

// epfd and maxevents, the first and third arguments of every epoll wait.
// maxevents <= 0 is the kernel's EINVAL to give; only a count past the
// events array is refused (by ArgEvents), since the kernel would write past
// it.
bool ArgEpfdMax(napi_env env, napi_value* argv, int* epfd, int* max) {
  int64_t max64;
  if (!ArgFd(env, argv[0], epfd, "epfd") ||
      !ArgInteger(env, argv[2], "maxevents", INT32_MIN, INT32_MAX / 8, &max64))
    return false;
  *max = static_cast<int>(max64);
  return true;
}

// Runs `wait(scratch)` (one of the epoll waits, retrying EINTR) and copies
// the ready pairs into `out`: events[2*i] the mask, events[2*i+1] the data
// token of the i-th ready fd.
template <typename F>
napi_value WaitInto(napi_env env, void* data, uint32_t* out, int max, F wait) {
  Scratch* s = static_cast<Scratch*>(data);
  if (max > 0 && !Reserve(s, static_cast<size_t>(max)))
    return Int(env, -ENOMEM);
  epoll_event* ev = s->events;
  int n = wait(ev);
  if (n < 0) return ResultOrErrno(env, n);
  for (int i = 0; i < n; i++) {
    out[2 * i] = ev[i].events;
    out[2 * i + 1] = ev[i].data.u32;
  }
  return Int(env, n);
}

// epoll_wait(epfd, events: Uint32Array, maxevents, timeoutMs) -> count or
// -errno.
napi_value EpollWait(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void* data;
  if (!Args(env, info, argv, nullptr, &data)) return nullptr;
  int epfd, max, timeout;
  uint32_t* out;
  if (!ArgEpfdMax(env, argv, &epfd, &max) ||
      !ArgInt(env, argv[3], "timeoutMs", &timeout) ||
      !ArgEvents(env, argv[1], max, &out))
    return nullptr;
  return WaitInto(env, data, out, max, [&](epoll_event* ev) {
    return WaitRetrying(timeout < 0 ? -1 : timeout, [&](int t) {
      return sys::epoll_wait(epfd, ev, max, t);
    });
  });
}

// epoll_pwait(epfd, events, maxevents, timeoutMs, sigmask) -> count or
// -errno: epoll_wait with the thread's signal mask replaced by `sigmask`
// (null: left alone) for the wait, atomically.
napi_value EpollPwait(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void* data;
  if (!Args(env, info, argv, nullptr, &data)) return nullptr;
  int epfd, max, timeout;
  sigset_t set;
  const sigset_t* mask;
  uint32_t* out;
  if (!ArgEpfdMax(env, argv, &epfd, &max) ||
      !ArgInt(env, argv[3], "timeoutMs", &timeout) ||
      !ArgSigmask(env, argv[4], &set, &mask) ||
      !ArgEvents(env, argv[1], max, &out))
    return nullptr;
  return WaitInto(env, data, out, max, [&](epoll_event* ev) {
    return WaitRetrying(timeout < 0 ? -1 : timeout, [&](int t) {
      return sys::epoll_pwait(epfd, ev, max, t, mask);
    });
  });
}

// The monotonic clock's time `d` from now (d.tv_nsec in [0, 1e9)).
KernelTimespec FromNow(const KernelTimespec& d) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  KernelTimespec end = {now.tv_sec + d.tv_sec, now.tv_nsec + d.tv_nsec};
  if (end.tv_nsec >= 1000000000) {
    end.tv_sec++;
    end.tv_nsec -= 1000000000;
  }
  return end;
}

// What is left until `end` on the monotonic clock, never negative.
KernelTimespec LeftUntil(const KernelTimespec& end) {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  KernelTimespec left = {end.tv_sec - now.tv_sec, end.tv_nsec - now.tv_nsec};
  if (left.tv_nsec < 0) {
    left.tv_sec--;
    left.tv_nsec += 1000000000;
  }
  if (left.tv_sec < 0) left = {0, 0};
  return left;
}

// epoll_pwait2(epfd, events, maxevents, timeout, sigmask) -> count or
// -errno. `timeout` is { tv_sec, tv_nsec } or null (block). The kernel takes
// it as const and writes back nothing, unlike ppoll's, so an EINTR retry
// waits what is left of a deadline read from the monotonic clock. An invalid
// timeout (negative, tv_nsec past 999999999) goes to the kernel as it is,
// for its EINVAL.
napi_value EpollPwait2(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  void* data;
  if (!Args(env, info, argv, nullptr, &data)) return nullptr;
  int epfd, max;
  bool timed;
  KernelTimespec ts;
  sigset_t set;
  const sigset_t* mask;
  uint32_t* out;
  if (!ArgEpfdMax(env, argv, &epfd, &max) ||
      !ArgTimeout(env, argv[3], "timeout", "tv_nsec", &timed, &ts.tv_sec,
                  &ts.tv_nsec) ||
      !ArgSigmask(env, argv[4], &set, &mask) ||
      !ArgEvents(env, argv[1], max, &out))
    return nullptr;
  bool deadline = timed && ts.tv_sec >= 0 && ts.tv_nsec >= 0 &&
                  ts.tv_nsec < 1000000000 && (ts.tv_sec | ts.tv_nsec) != 0;
  KernelTimespec end = deadline ? FromNow(ts) : ts;
  return WaitInto(env, data, out, max, [&](epoll_event* ev) {
    KernelTimespec* tsp = timed ? &ts : nullptr;
    for (;;) {
      int r = sys::epoll_pwait2(epfd, ev, max, tsp, mask);
      if (r != -1 || errno != EINTR) return r;
      if (deadline) ts = LeftUntil(end);
    }
  });
}

// The (fds, nfds) of poll and ppoll: any view whose memory is an array of
// struct pollfd (lib/epoll.ts's PollFds hands over an Int32Array of it),
// which the kernel reads and writes in place; nfds entries must fit in it.
// Taken after every other argument, as every buffer pointer is.
bool ArgPollFds(napi_env env, napi_value fds_v, napi_value nfds_v, pollfd** fds,
                nfds_t* nfds) {
  uint8_t* p;
  size_t size;
  int64_t n;
  if (!ArgInteger(env, nfds_v, "nfds", 0, INT32_MAX, &n) ||
      !ArgBytes(env, fds_v, "fds", &p, &size))
    return false;
  if (static_cast<size_t>(n) > size / sizeof(pollfd)) {
    ThrowRangeError(env,
                    "Argument 'nfds' (%lld) is more than 'fds' holds (%zu)",
                    static_cast<long long>(n), size / sizeof(pollfd));
    return false;
  }
  if (n > 0 && reinterpret_cast<uintptr_t>(p) % alignof(pollfd) != 0) {
    ThrowRangeError(env, "Argument 'fds' must be aligned to %zu bytes",
                    alignof(pollfd));
    return false;
  }
  *fds = reinterpret_cast<pollfd*>(p);
  *nfds = static_cast<nfds_t>(n);
  return true;
}

// poll(fds, nfds, timeoutMs) -> count or -errno.
napi_value Poll(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  int timeout;
  pollfd* fds;
  nfds_t nfds;
  if (!ArgInt(env, argv[2], "timeoutMs", &timeout) ||
      !ArgPollFds(env, argv[0], argv[1], &fds, &nfds))
    return nullptr;
  int n = WaitRetrying(timeout < 0 ? -1 : timeout,
                       [&](int t) { return poll(fds, nfds, t); });
  return ResultOrErrno(env, n);
}

// ppoll(fds, nfds, timeout, sigmask) -> count or -errno: poll with a
// { tv_sec, tv_nsec } timeout (null blocks) and the thread's signal mask
// replaced by `sigmask` (null: left alone) for the wait. The caller's timeout
// is left as it is (glibc's ppoll does the same); the kernel writes the time
// not slept into the wrapper's own copy, so an EINTR retry sleeps only what
// is left.
napi_value Ppoll(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, argv)) return nullptr;
  bool timed;
  KernelTimespec ts;
  sigset_t set;
  const sigset_t* mask;
  pollfd* fds;
  nfds_t nfds;
  if (!ArgTimeout(env, argv[2], "timeout", "tv_nsec", &timed, &ts.tv_sec,
                  &ts.tv_nsec) ||
      !ArgSigmask(env, argv[3], &set, &mask) ||
      !ArgPollFds(env, argv[0], argv[1], &fds, &nfds))
    return nullptr;
  KernelTimespec* tsp = timed ? &ts : nullptr;
  return ResultOrErrno(
      env, RetryOnEintr([&] { return sys::ppoll(fds, nfds, tsp, mask); }));
}

}  // namespace

void InitEpoll(napi_env env, napi_value exports) {
  Scratch* scratch = new Scratch();
  napi_add_env_cleanup_hook(env, FreeScratch, scratch);
  SetFunction(env, exports, "epoll_create1", EpollCreate1);
  SetFunction(env, exports, "epoll_ctl", EpollCtl);
  SetFunction(env, exports, "epoll_wait", EpollWait, scratch);
  SetFunction(env, exports, "epoll_pwait", EpollPwait, scratch);
  SetFunction(env, exports, "epoll_pwait2", EpollPwait2, scratch);
  SetFunction(env, exports, "poll", Poll);
  SetFunction(env, exports, "ppoll", Ppoll);
}

}  // namespace ps
