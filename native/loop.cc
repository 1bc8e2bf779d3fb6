// EpollLoop: an epoll instance watched by Node's own event loop.
//
// The loop owns an epfd the user fills with epoll_ctl. A uv_poll_t watches
// that epfd on the environment's libuv loop (napi_get_uv_event_loop, never
// uv_default_loop(), so it works in worker_threads); when it turns readable
// the loop calls epoll_wait(epfd, ..., 0) and hands JS the whole batch in one
// call: (count, events) where events is a Uint32Array created once, holding
// (mask, data) pairs. Nothing is allocated per batch.
//
// Lifetime. Three things can end a loop: close() from JS, the garbage
// collector finalizing its handle, and the environment's teardown (a worker
// exiting). Each runs the same Shutdown: stop the handle, uv_close it, close
// the epfd, drop the JS references. The C++ object itself is freed only once
// libuv has called the close callback AND the JS handle is finalized, since
// either may come last. Teardown uses an async cleanup hook, because a
// uv_close needs a turn of the loop to finish and a worker's loop must have
// no open handle when it is closed.
//
// This file and uring_loop.cc (the same for an io_uring) are the only ones
// that include uv.h.
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <cstdlib>

#include "common.h"
#include "syscalls.h"

namespace ps {

namespace {

// Tells a loop handle apart from any other external a caller might pass.
const napi_type_tag kLoopTag = {0x8d1c0a2e5f4b4a17ULL, 0xb3e9c6d27a0f5e41ULL};

struct Loop {
  napi_env env;
  uv_poll_t poll;
  int epfd = -1;     // the caller's: epoll_ctl goes here, and they may close it
  int watched = -1;  // a private dup of it: what libuv polls and we wait on
  dev_t epfd_dev = 0;  // which file `epfd` was, so that close() never hits
  ino_t epfd_ino = 0;  // another file that took its number meanwhile
  int maxevents = 0;
  epoll_event* scratch = nullptr;
  napi_ref events_ref = nullptr;    // the Uint32Array handed to JS
  napi_ref callback_ref = nullptr;  // set by start(), released by stop()
  // Held while started: a running loop stays alive without a JS reference
  // to it, as a listening net.Server does.
  napi_ref self_ref = nullptr;
  napi_async_context async_context = nullptr;
  napi_async_cleanup_hook_handle cleanup = nullptr;
  bool active = false;         // uv_poll_start'ed
  bool shut = false;           // Shutdown ran
  bool handle_closed = false;  // libuv's close callback ran (or never needed)
  bool finalized = false;      // the JS handle is gone
};

void MaybeFree(Loop* l) {
  if (!l->handle_closed || !l->finalized) return;
  free(l->scratch);
  delete l;
}

void OnClosed(uv_handle_t* h) {
  Loop* l = static_cast<Loop*>(h->data);
  l->handle_closed = true;
  if (l->cleanup != nullptr) {
    napi_remove_async_cleanup_hook(l->cleanup);
    l->cleanup = nullptr;
  }
  MaybeFree(l);
}

// Runs once, from whichever of close(), the finalizer or teardown comes
// first, while the environment is still usable.
void Shutdown(Loop* l) {
  if (l->shut) return;
  l->shut = true;
  l->active = false;
  // uv_close stops the poll and takes the watched fd out of libuv's own
  // epoll set at once (by number: hence a private dup, which no caller can
  // close and have reused), so it can be closed right after. The caller's
  // epfd is closed only if it is still the file the loop made: a caller who
  // closed it already may have a new fd under the same number.
  uv_close(reinterpret_cast<uv_handle_t*>(&l->poll), OnClosed);
  close(l->watched);
  l->watched = -1;
  struct stat st;
  if (fstat(l->epfd, &st) == 0 && st.st_dev == l->epfd_dev &&
      st.st_ino == l->epfd_ino)
    close(l->epfd);
  l->epfd = -1;
  if (l->callback_ref) napi_delete_reference(l->env, l->callback_ref);
  if (l->self_ref) napi_delete_reference(l->env, l->self_ref);
  l->self_ref = nullptr;
  if (l->events_ref) napi_delete_reference(l->env, l->events_ref);
  if (l->async_context) napi_async_destroy(l->env, l->async_context);
  l->callback_ref = l->events_ref = nullptr;
  l->async_context = nullptr;
}

void OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
  Shutdown(static_cast<Loop*>(arg));
}

void OnFinalize(napi_env, void* data, void*) {
  Loop* l = static_cast<Loop*>(data);
  Shutdown(l);
  l->finalized = true;
  MaybeFree(l);
}

// uv_poll_stop, and lets go of what only a started loop needs: the
// reference that kept the handle alive and the callback. The callback must
// go too, because it usually closes over the loop (a Poller's dispatch
// always does): held by a strong reference from here, it would keep the
// handle reachable, and a stopped loop dropped without close() would never
// be finalized, its two fds never closed. start() takes a callback again.
void StopPolling(Loop* l) {
  uv_poll_stop(&l->poll);
  l->active = false;
  if (l->self_ref) napi_delete_reference(l->env, l->self_ref);
  if (l->callback_ref) napi_delete_reference(l->env, l->callback_ref);
  l->self_ref = l->callback_ref = nullptr;
}

// Reports a failure that stops the loop (libuv reports an error on the
// watched fd, or the caller detached the events array) as an uncaught
// exception: there is no caller to return it to.
void ReportLoopError(Loop* l, const char* code_text, const char* what) {
  StopPolling(l);
  napi_value msg, code, err;
  char text[160];
  snprintf(text, sizeof text, "EpollLoop stopped: %s", what);
  napi_create_string_utf8(l->env, text, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(l->env, code_text, NAPI_AUTO_LENGTH, &code);
  napi_create_error(l->env, code, msg, &err);
  napi_fatal_exception(l->env, err);
}

void OnReadable(uv_poll_t* h, int status, int) {
  Loop* l = static_cast<Loop*>(h->data);
  if (l->shut || l->callback_ref == nullptr) return;
  napi_env env = l->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    ReportLoopError(l, uv_err_name(status), uv_strerror(status));
    napi_close_handle_scope(env, scope);
    return;
  }
  // The array is fetched again for each batch rather than cached: a user
  // may have transferred (detached) its ArrayBuffer meanwhile.
  napi_value events, callback, argv[2];
  napi_get_reference_value(env, l->events_ref, &events);
  napi_get_reference_value(env, l->callback_ref, &callback);
  size_t length = 0;
  void* p = nullptr;
  napi_get_typedarray_info(env, events, nullptr, &length, &p, nullptr, nullptr);
  if (length < 2 * static_cast<size_t>(l->maxevents)) {
    ReportLoopError(l, "ERR_INVALID_STATE",
                    "its events array was detached or shrunk");
    napi_close_handle_scope(env, scope);
    return;
  }
  int n = RetryOnEintr(
      [&] { return sys::epoll_wait(l->watched, l->scratch, l->maxevents, 0); });
  if (n <= 0) {  // another waiter took the events, or nothing is left
    napi_close_handle_scope(env, scope);
    return;
  }
  uint32_t* out = static_cast<uint32_t*>(p);
  for (int i = 0; i < n; i++) {
    out[2 * i] = l->scratch[i].events;
    out[2 * i + 1] = l->scratch[i].data.u32;
  }
  napi_value recv;  // make_callback needs an object as `this`
  napi_get_global(env, &recv);
  napi_create_int32(env, n, &argv[0]);  // a small integer: no allocation
  argv[1] = events;
  // make_callback rather than call_function: it runs the callback as Node
  // runs its own I/O callbacks, draining process.nextTick and promise jobs
  // afterwards. A throw comes back as a pending exception; it is handed to
  // process 'uncaughtException', and the loop is left consistent (nothing
  // above depends on the callback having returned).
  napi_make_callback(env, l->async_context, recv, callback, 2, argv, nullptr);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value exc;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc);
  }
  napi_close_handle_scope(env, scope);
}

Loop* ArgLoop(napi_env env, napi_value v) {
  bool ok = false;
  void* p = nullptr;
  if (v != nullptr &&
      napi_check_object_type_tag(env, v, &kLoopTag, &ok) == napi_ok && ok &&
      napi_get_value_external(env, v, &p) == napi_ok) {
    return static_cast<Loop*>(p);
  }
  ThrowTypeError(env, "Expected argument 'loop' to be an EpollLoop handle");
  return nullptr;
}

// loopOpen(events: Uint32Array, maxevents) -> handle, or -errno when
// epoll_create1 or uv_poll_init fails.
napi_value LoopOpen(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  auto type = static_cast<napi_typedarray_type>(-1);  // see ArgBytes
  size_t length;
  void* p;
  if (argv[0] == nullptr ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &p, nullptr,
                               nullptr) != napi_ok ||
      type != napi_uint32_array) {
    ThrowTypeError(env, "Expected argument 'events' to be a Uint32Array");
    return nullptr;
  }
  int64_t maxevents;
  if (!ArgInteger(env, argv[1], "maxevents", 1, INT32_MAX / 16, &maxevents))
    return nullptr;
  if (length < 2 * static_cast<size_t>(maxevents)) {
    ThrowRangeError(env, "Argument 'events' needs %lld elements, has %zu",
                    2LL * maxevents, length);
    return nullptr;
  }
  uv_loop_t* uv;
  if (napi_get_uv_event_loop(env, &uv) != napi_ok) return nullptr;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return ResultOrErrno(env, -1);
  int watched = fcntl(epfd, F_DUPFD_CLOEXEC, 0);
  struct stat st;
  if (watched < 0 || fstat(epfd, &st) != 0) {
    int e = errno;
    close(epfd);
    if (watched >= 0) close(watched);
    return Int(env, -e);
  }
  auto* scratch = static_cast<epoll_event*>(
      malloc(sizeof(epoll_event) * static_cast<size_t>(maxevents)));
  if (scratch == nullptr) {
    close(epfd);
    close(watched);
    return Int(env, -ENOMEM);
  }
  Loop* l = new Loop();
  l->env = env;
  l->epfd = epfd;
  l->watched = watched;
  l->epfd_dev = st.st_dev;
  l->epfd_ino = st.st_ino;
  l->maxevents = static_cast<int>(maxevents);
  l->scratch = scratch;
  int r = uv_poll_init(uv, &l->poll, watched);
  if (r < 0) {
    close(epfd);
    close(watched);
    free(scratch);
    delete l;
    return Int(env, r);  // libuv errors are -errno on Linux
  }
  l->poll.data = l;
  // An idle loop never keeps Node alive: the handle holds a reference only
  // while started (uv_poll_start), like a listening net.Server.
  napi_value handle, name;
  napi_create_external(env, l, OnFinalize, nullptr, &handle);
  napi_type_tag_object(env, handle, &kLoopTag);
  napi_create_reference(env, argv[0], 1, &l->events_ref);
  napi_create_string_utf8(env, "EpollLoop", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, nullptr, name, &l->async_context);
  napi_add_async_cleanup_hook(env, OnTeardown, l, &l->cleanup);
  return handle;
}

// loopFd(handle) -> the epfd, or -1 once closed.
napi_value LoopFd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Loop* l = ArgLoop(env, argv[0]);
  if (l == nullptr) return nullptr;
  return Int(env, l->epfd);
}

// loopStart(handle, callback) -> 0, or -errno (EBADF once closed).
napi_value LoopStart(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  Loop* l = ArgLoop(env, argv[0]);
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
  int r = uv_poll_start(&l->poll, UV_READABLE, OnReadable);
  l->active = r == 0;
  if (l->active && l->self_ref == nullptr)
    napi_create_reference(env, argv[0], 1, &l->self_ref);
  return Int(env, r);
}

// The operations without arguments besides the handle.
enum class Op { kStop, kRef, kUnref, kHasRef, kClose };

template <Op op>
napi_value LoopOp(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Loop* l = ArgLoop(env, argv[0]);
  if (l == nullptr) return nullptr;
  if (l->shut) return Int(env, 0);  // every operation is a no-op once closed
  uv_handle_t* h = reinterpret_cast<uv_handle_t*>(&l->poll);
  switch (op) {
    case Op::kStop:
      StopPolling(l);
      break;
    case Op::kRef:
      uv_ref(h);
      break;
    case Op::kUnref:
      uv_unref(h);
      break;
    case Op::kHasRef:
      return Int(env, uv_has_ref(h));
    case Op::kClose:
      Shutdown(l);
      break;
  }
  return Int(env, 0);
}

}  // namespace

void InitLoop(napi_env env, napi_value exports) {
  SetFunction(env, exports, "loopOpen", LoopOpen);
  SetFunction(env, exports, "loopFd", LoopFd);
  SetFunction(env, exports, "loopStart", LoopStart);
  SetFunction(env, exports, "loopStop", LoopOp<Op::kStop>);
  SetFunction(env, exports, "loopRef", LoopOp<Op::kRef>);
  SetFunction(env, exports, "loopUnref", LoopOp<Op::kUnref>);
  SetFunction(env, exports, "loopHasRef", LoopOp<Op::kHasRef>);
  SetFunction(env, exports, "loopClose", LoopOp<Op::kClose>);
}

}  // namespace ps
