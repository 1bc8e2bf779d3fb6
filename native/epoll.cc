// Readiness: epoll_create1(2), epoll_ctl(2), epoll_wait(2), and poll(2)
// beside them for the O(n) versus O(ready) comparison.
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

// epoll_wait(epfd, events: Uint32Array, maxevents, timeoutMs) -> count or
// -errno. Fills events[2*i] with the mask and events[2*i+1] with the data
// token of the i-th ready fd.
napi_value EpollWait(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  void* data;
  if (!Args(env, info, argv, nullptr, &data)) return nullptr;
  // The per-call cost is the number of napi calls, so each argument takes
  // one. `events` is read with napi_get_buffer_info, which accepts every
  // ArrayBufferView and is much cheaper than napi_get_typedarray_info's
  // type probe; what makes the write safe is the byte length and the
  // alignment, both checked below. The documented type is Uint32Array.
  int64_t epfd, maxevents, timeout;
  void* p;
  size_t bytes;
  if (!ArgInteger(env, argv[0], "epfd", INT32_MIN, INT32_MAX, &epfd))
    return nullptr;
  if (argv[1] == nullptr ||
      napi_get_buffer_info(env, argv[1], &p, &bytes) != napi_ok) {
    ThrowTypeError(env, "Expected argument 'events' to be a Uint32Array");
    return nullptr;
  }
  // maxevents <= 0 is the kernel's EINVAL to give; only a count past the
  // events array is refused here, since the kernel would write past it.
  if (!ArgInteger(env, argv[2], "maxevents", INT32_MIN, INT32_MAX / 8,
                  &maxevents) ||
      !ArgInteger(env, argv[3], "timeoutMs", INT32_MIN, INT32_MAX, &timeout))
    return nullptr;
  uintptr_t addr = reinterpret_cast<uintptr_t>(p);
  if (maxevents > 0 && (static_cast<size_t>(maxevents) > bytes / 8 ||
                        addr % alignof(uint32_t) != 0)) {
    ThrowBadEvents(env, argv[1], bytes, addr, static_cast<int>(maxevents));
    return nullptr;
  }
  Scratch* s = static_cast<Scratch*>(data);
  if (maxevents > 0 && !Reserve(s, static_cast<size_t>(maxevents)))
    return Int(env, -ENOMEM);
  epoll_event* ev = s->events;
  int fd = static_cast<int>(epfd), max = static_cast<int>(maxevents);
  int n = WaitRetrying(timeout < 0 ? -1 : static_cast<int>(timeout),
                       [&](int t) { return sys::epoll_wait(fd, ev, max, t); });
  if (n < 0) return ResultOrErrno(env, n);
  uint32_t* out = static_cast<uint32_t*>(p);
  for (int i = 0; i < n; i++) {
    out[2 * i] = ev[i].events;
    out[2 * i + 1] = ev[i].data.u32;
  }
  return Int(env, n);
}

// poll(fds, nfds, timeoutMs) -> count or -errno. `fds` is any view whose
// memory is an array of struct pollfd (lib/epoll.ts's PollFds hands over an
// Int32Array of it); the kernel reads and writes it in place.
napi_value Poll(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, argv)) return nullptr;
  uint8_t* p;
  size_t size;
  int64_t nfds;
  int timeout;
  if (!ArgBytes(env, argv[0], "fds", &p, &size) ||
      !ArgInteger(env, argv[1], "nfds", 0, INT32_MAX, &nfds) ||
      !ArgInt(env, argv[2], "timeoutMs", &timeout))
    return nullptr;
  if (static_cast<size_t>(nfds) > size / sizeof(pollfd)) {
    ThrowRangeError(env,
                    "Argument 'nfds' (%lld) is more than 'fds' holds (%zu)",
                    static_cast<long long>(nfds), size / sizeof(pollfd));
    return nullptr;
  }
  if (nfds > 0 && reinterpret_cast<uintptr_t>(p) % alignof(pollfd) != 0) {
    ThrowRangeError(env, "Argument 'fds' must be aligned to %zu bytes",
                    alignof(pollfd));
    return nullptr;
  }
  pollfd* fds = reinterpret_cast<pollfd*>(p);
  int n = WaitRetrying(timeout < 0 ? -1 : timeout, [&](int t) {
    return poll(fds, static_cast<nfds_t>(nfds), t);
  });
  return ResultOrErrno(env, n);
}

}  // namespace

void InitEpoll(napi_env env, napi_value exports) {
  Scratch* scratch = new Scratch();
  napi_add_env_cleanup_hook(env, FreeScratch, scratch);
  SetFunction(env, exports, "epoll_create1", EpollCreate1);
  SetFunction(env, exports, "epoll_ctl", EpollCtl);
  napi_value fn;
  napi_create_function(env, "epoll_wait", NAPI_AUTO_LENGTH, EpollWait, scratch,
                       &fn);
  napi_set_named_property(env, exports, "epoll_wait", fn);
  SetFunction(env, exports, "poll", Poll);
}

}  // namespace ps
