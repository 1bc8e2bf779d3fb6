// The ring loop: an io_uring watched by Node's own event loop, one Node-API
// call a batch. A uv_poll_t on the environment's loop (so worker_threads
// work) watches a private dup of the ring's fd, readable while the kernel's
// CQ ring holds CQEs. On readable it reaps them natively into the completion
// copy JS reads (uring.h), calls the JS callback once, and on its return
// submits what it staged: word 0 of a control array the TS side writes
// (lib/uring-loop.ts). CQEs that submit completed inline are reaped at once;
// the callback runs again (a few turns, then by a uv_idle_t on the next turn
// of the event loop) only when word 1's count of CQEs is ready, as
// io_uring_submit_and_wait's wait_nr.
//
// IORING_SETUP_DEFER_TASKRUN posts completions only inside an enter with
// GETEVENTS, and queuing them wakes no epoll (6.18 wakes poll(2), not
// libuv's epoll): the loop polls an eventfd of its own, which the kernel
// signals then, and enters the kernel itself before reaping.
//
// Lifetime as EpollLoop's (loop.cc): close(), the finalizer and teardown
// each run Shutdown once; the struct is freed when libuv has closed both
// handles and the JS handle is finalized. The ring's Close runs Shutdown
// first (Ring::on_close), so the dup never outlives the ring. Besides
// loop.cc, the only file that includes uv.h.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cstdio>

#include "uring.h"

namespace ps {
namespace {

const napi_type_tag kRingLoopTag = {0x51c2e07b9d4a4f13ULL,
                                    0xa8e6f3902b7d1c55ULL};

// Words of the control array: the SQEs the callback staged, and how many
// CQEs must be ready before it is called again.
enum { kStaged = 0, kWant = 1, kCtlWords = 4 };
// Callbacks one wake-up may make before yielding to the event loop.
constexpr int kTurns = 4;

struct RingLoop {
  napi_env env = nullptr;
  Ring* ring = nullptr;
  napi_ref ring_ref = nullptr;  // keeps `ring` alive until Shutdown
  uv_poll_t poll;
  uv_idle_t idle;         // a turn for CQEs that are ready but woke nothing
  int watched = -1;       // a dup of the ring fd, or the DEFER_TASKRUN eventfd
  bool deferred = false;  // IORING_SETUP_DEFER_TASKRUN: the eventfd path
  napi_ref ctl_ref = nullptr;       // the Uint32Array of kCtlWords
  napi_ref callback_ref = nullptr;  // set by start(), released by stop()
  napi_ref self_ref = nullptr;      // held while started
  napi_async_context async_context = nullptr;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  bool active = false;
  bool shut = false;
  int open_handles = 0;  // libuv handles not yet closed
  bool finalized = false;
};

void MaybeFree(RingLoop* l) {
  if (l->open_handles == 0 && l->finalized) delete l;
}

void OnClosed(uv_handle_t* h) {
  RingLoop* l = static_cast<RingLoop*>(h->data);
  if (--l->open_handles > 0) return;
  if (l->cleanup != nullptr) {
    napi_remove_async_cleanup_hook(l->cleanup);
    l->cleanup = nullptr;
  }
  MaybeFree(l);
}

void OnRingClose(void* arg);

// Once, from close(), the finalizer, teardown or the ring's Close, while the
// environment is still usable.
void Shutdown(RingLoop* l) {
  if (l->shut) return;
  l->shut = true;
  l->active = false;
  Ring* r = l->ring;
  auto& hooks = r->on_close;
  hooks.erase(std::remove(hooks.begin(), hooks.end(),
                          std::make_pair(&OnRingClose, static_cast<void*>(l))),
              hooks.end());
  // uv_close takes the fd out of libuv's epoll set at once, so it can be
  // closed right after (a private fd: nobody else can close it first).
  uv_close(reinterpret_cast<uv_handle_t*>(&l->poll), OnClosed);
  uv_close(reinterpret_cast<uv_handle_t*>(&l->idle), OnClosed);
  if (l->deferred && !r->closed)
    syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_EVENTFD, nullptr,
            0);
  close(l->watched);
  l->watched = -1;
  napi_ref* refs[] = {&l->callback_ref, &l->self_ref, &l->ctl_ref,
                      &l->ring_ref};
  for (napi_ref* ref : refs) {
    if (*ref) napi_delete_reference(l->env, *ref);
    *ref = nullptr;
  }
  if (l->async_context) napi_async_destroy(l->env, l->async_context);
  l->async_context = nullptr;
  l->ring = nullptr;
}

void OnRingClose(void* arg) { Shutdown(static_cast<RingLoop*>(arg)); }

void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
  Shutdown(static_cast<RingLoop*>(arg));
}

void OnFinalize(napi_env, void* data, void*) {
  RingLoop* l = static_cast<RingLoop*>(data);
  Shutdown(l);
  l->finalized = true;
  MaybeFree(l);
}

// As loop.cc's: a stopped loop holds neither the callback (which closes
// over the loop) nor itself, so that one dropped without close() is
// collected.
void StopPolling(RingLoop* l) {
  uv_poll_stop(&l->poll);
  uv_idle_stop(&l->idle);
  l->active = false;
  if (l->self_ref) napi_delete_reference(l->env, l->self_ref);
  if (l->callback_ref) napi_delete_reference(l->env, l->callback_ref);
  l->self_ref = l->callback_ref = nullptr;
}

unsigned Ready(Ring* r) {
  auto* copy = static_cast<unsigned*>(r->cq_copy->base);
  return r->copy_tail - __atomic_load_n(&copy[1], __ATOMIC_ACQUIRE);
}

// A failure with no caller to return it to: an uncaught exception.
void Uncaught(napi_env env) {
  napi_value exc;
  if (napi_get_and_clear_last_exception(env, &exc) == napi_ok)
    napi_fatal_exception(env, exc);
}

// Calls callback(args...) as Node runs its I/O callbacks (process.nextTick
// and promise jobs drained after it); a throw becomes uncaught. False when
// it threw.
bool Call(RingLoop* l, napi_value callback, size_t argc, napi_value* argv) {
  napi_value recv;
  napi_get_global(l->env, &recv);
  napi_make_callback(l->env, l->async_context, recv, callback, argc, argv,
                     nullptr);
  bool pending = false;
  napi_is_exception_pending(l->env, &pending);
  if (pending) Uncaught(l->env);
  return !pending;
}

void OnIdle(uv_idle_t* h);

void Dispatch(RingLoop* l) {
  if (l->shut || l->callback_ref == nullptr) return;
  napi_env env = l->env;
  Ring* r = l->ring;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, ctl_v;
  napi_get_reference_value(env, l->ctl_ref, &ctl_v);
  size_t words = 0;
  void* p = nullptr;
  napi_get_typedarray_info(env, ctl_v, nullptr, &words, &p, nullptr, nullptr);
  auto* ctl = static_cast<uint32_t*>(p);
  bool again = false;
  for (int turn = 0; words >= kCtlWords && !l->shut && l->active; turn++) {
    // DEFER_TASKRUN posts completions only inside an enter; otherwise, as
    // uringReap, only an overflowed CQ ring or TASKRUN_FLAG's work needs one.
    unsigned flags = __atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE);
    if ((l->deferred && turn == 0) ||
        (flags & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)))
      syscall(__NR_io_uring_enter, r->fd, 0, 0, IORING_ENTER_GETEVENTS, nullptr,
              0);
    Reap(r, true);
    unsigned want = std::min(std::max(ctl[kWant], 1u), r->params.cq_entries);
    if (Ready(r) < want) break;
    if (turn == kTurns) {
      again = true;  // the rest on the next turn of the event loop
      break;
    }
    ctl[kStaged] = 0;
    // Fetched each turn: the callback may have replaced itself (start()).
    napi_get_reference_value(env, l->callback_ref, &callback);
    if (!Call(l, callback, 0, nullptr)) {
      // The 'uncaughtException' handler may have closed the loop or ring.
      again = !l->shut && Ready(r) >= want;
      break;
    }
    // The callback may have closed the loop or the ring (which closes the
    // loop): then the TS side submitted what it staged itself.
    if (l->shut) break;
    unsigned count = std::min(ctl[kStaged], r->params.sq_entries);
    ctl[kStaged] = 0;
    if (count == 0) continue;
    unsigned tail = *r->sq_tail;
    long n;
    if (!SubmitStaged(env, r, count, 0,
                      l->deferred ? IORING_ENTER_GETEVENTS : 0, &n)) {
      Uncaught(env);  // a refused SQE's RangeError: the batch is dropped
      break;
    }
    if (n < 0) {
      // The TS side turns it into a SocketError, and keeps the SQEs staged
      // when none reached the SQ ring (EBUSY before entering), as
      // io_uring_submit does: callback(-errno, kept).
      napi_value argv[2];
      napi_create_int32(env, static_cast<int32_t>(n), &argv[0]);
      napi_create_uint32(env, *r->sq_tail == tail ? count : 0, &argv[1]);
      Call(l, callback, 2, argv);
      break;
    }
  }
  if (!l->shut && l->active && again) uv_idle_start(&l->idle, OnIdle);
  napi_close_handle_scope(env, scope);
}

void OnIdle(uv_idle_t* h) {
  uv_idle_stop(h);
  Dispatch(static_cast<RingLoop*>(h->data));
}

void OnReadable(uv_poll_t* h, int status, int) {
  RingLoop* l = static_cast<RingLoop*>(h->data);
  if (l->shut || l->callback_ref == nullptr) return;
  if (status < 0) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(l->env, &scope) != napi_ok) return;
    StopPolling(l);
    napi_value msg, code, err;
    char text[160];
    snprintf(text, sizeof text, "IoUringLoop stopped: %s", uv_strerror(status));
    napi_create_string_utf8(l->env, text, NAPI_AUTO_LENGTH, &msg);
    napi_create_string_utf8(l->env, uv_err_name(status), NAPI_AUTO_LENGTH,
                            &code);
    napi_create_error(l->env, code, msg, &err);
    napi_fatal_exception(l->env, err);
    napi_close_handle_scope(l->env, scope);
    return;
  }
  if (l->deferred) {
    uint64_t count;  // the eventfd is non-blocking: EAGAIN when spurious
    ssize_t got = read(l->watched, &count, sizeof count);
    (void)got;
  }
  Dispatch(l);
}

RingLoop* ArgRingLoop(napi_env env, napi_value v) {
  bool ok = false;
  void* p = nullptr;
  if (v != nullptr &&
      napi_check_object_type_tag(env, v, &kRingLoopTag, &ok) == napi_ok && ok &&
      napi_get_value_external(env, v, &p) == napi_ok)
    return static_cast<RingLoop*>(p);
  ThrowTypeError(env, "Expected argument 'loop' to be an IoUringLoop handle");
  return nullptr;
}

// uringLoopOpen(ring, ctl: Uint32Array of 4) -> handle, or -errno (EBADF for
// a closed ring; EBUSY when a DEFER_TASKRUN ring has an eventfd already).
napi_value UringLoopOpen(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  if (r == nullptr) return nullptr;
  auto type = static_cast<napi_typedarray_type>(-1);
  size_t words = 0;
  void* p;
  if (argv[1] == nullptr ||
      napi_get_typedarray_info(env, argv[1], &type, &words, &p, nullptr,
                               nullptr) != napi_ok ||
      type != napi_uint32_array || words < kCtlWords) {
    ThrowTypeError(env, "Expected argument 'ctl' to be a Uint32Array of %d",
                   kCtlWords);
    return nullptr;
  }
  if (r->closed) return Int(env, -EBADF);
  uv_loop_t* uv;
  if (napi_get_uv_event_loop(env, &uv) != napi_ok) return nullptr;
  bool deferred = r->params.flags & IORING_SETUP_DEFER_TASKRUN;
  int fd = deferred ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)
                    : fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return Int(env, -errno);
  if (deferred && syscall(__NR_io_uring_register, r->fd,
                          IORING_REGISTER_EVENTFD, &fd, 1) < 0) {
    int e = errno;
    close(fd);
    return Int(env, -e);
  }
  RingLoop* l = new RingLoop();
  l->env = env;
  l->ring = r;
  l->watched = fd;
  l->deferred = deferred;
  int e = uv_poll_init(uv, &l->poll, fd);
  if (e < 0) {
    if (deferred)
      syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_EVENTFD, nullptr,
              0);
    close(fd);
    delete l;
    return Int(env, e);  // libuv errors are -errno on Linux
  }
  uv_idle_init(uv, &l->idle);
  l->poll.data = l->idle.data = l;
  l->open_handles = 2;
  r->on_close.emplace_back(&OnRingClose, l);
  napi_value handle, name;
  napi_create_external(env, l, OnFinalize, nullptr, &handle);
  napi_type_tag_object(env, handle, &kRingLoopTag);
  napi_create_reference(env, argv[0], 1, &l->ring_ref);
  napi_create_reference(env, argv[1], 1, &l->ctl_ref);
  napi_create_string_utf8(env, "IoUringLoop", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &l->async_context);
  napi_add_async_cleanup_hook(env, OnTeardown, l, &l->cleanup);
  return handle;
}

// uringLoopStart(handle, callback) -> 0, or -errno (EBADF once closed). The
// first dispatch comes on the next turn of the event loop, for CQEs reaped
// before (which would wake nothing).
napi_value UringLoopStart(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  RingLoop* l = ArgRingLoop(env, argv[0]);
  if (l == nullptr) return nullptr;
  napi_valuetype t;
  if (argv[1] == nullptr || napi_typeof(env, argv[1], &t) != napi_ok ||
      t != napi_function) {
    ThrowTypeError(env, "Expected argument 'callback' to be a function");
    return nullptr;
  }
  if (l->shut) return Int(env, -EBADF);
  if (l->callback_ref) napi_delete_reference(env, l->callback_ref);
  napi_create_reference(env, argv[1], 1, &l->callback_ref);
  int e = uv_poll_start(&l->poll, UV_READABLE, OnReadable);
  l->active = e == 0;
  if (!l->active) return Int(env, e);
  if (l->self_ref == nullptr)
    napi_create_reference(env, argv[0], 1, &l->self_ref);
  uv_idle_start(&l->idle, OnIdle);
  return Int(env, 0);
}

enum class Op { kStop, kRef, kUnref, kHasRef, kClose };

template <Op op>
napi_value UringLoopOp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  RingLoop* l = ArgRingLoop(env, argv[0]);
  if (l == nullptr) return nullptr;
  if (l->shut) return Int(env, 0);  // a no-op once closed
  auto* poll = reinterpret_cast<uv_handle_t*>(&l->poll);
  auto* idle = reinterpret_cast<uv_handle_t*>(&l->idle);
  switch (op) {
    case Op::kStop:
      StopPolling(l);
      break;
    case Op::kRef:
      uv_ref(poll);
      uv_ref(idle);
      break;
    case Op::kUnref:
      uv_unref(poll);
      uv_unref(idle);
      break;
    case Op::kHasRef:
      return Int(env, uv_has_ref(poll));
    case Op::kClose:
      Shutdown(l);
      break;
  }
  return Int(env, 0);
}

}  // namespace

void InitUringLoop(napi_env env, napi_value exports) {
  SetFunction(env, exports, "uringLoopOpen", UringLoopOpen);
  SetFunction(env, exports, "uringLoopStart", UringLoopStart);
  SetFunction(env, exports, "uringLoopStop", UringLoopOp<Op::kStop>);
  SetFunction(env, exports, "uringLoopRef", UringLoopOp<Op::kRef>);
  SetFunction(env, exports, "uringLoopUnref", UringLoopOp<Op::kUnref>);
  SetFunction(env, exports, "uringLoopHasRef", UringLoopOp<Op::kHasRef>);
  SetFunction(env, exports, "uringLoopClose", UringLoopOp<Op::kClose>);
}

}  // namespace ps
