// The io_uring ring object: io_uring_setup(2) and the three mmaps of
// io_uring_setup(2)'s man page, arenas for I/O buffers, and closing.
// Provided-buffer rings are in uring_bufring.cc, submission in
// uring_submit.cc.
//
// What JS sees: a copy of the CQ ring that reaping fills, a staging area for
// SQEs, each arena and the staging half of each buffer ring, all as
// external ArrayBuffers. What it never sees: any memory the kernel reads
// (the SQ and CQ rings, the SQE array, the buffer rings).
//
// Lifetime. close(), the collector finalizing the handle and the
// environment's teardown (a worker exiting) each run Close once: cancel
// every operation with IORING_REGISTER_SYNC_CANCEL and wait to see each
// end, close the fd, detach the views and let go of the memory. Each block
// is freed when its last holder (the ring, or an ArrayBuffer not yet
// collected) lets go.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "uring.h"

namespace ps {

Mem* MemAdopt(void* base, size_t size) {
  Mem* m = new Mem();
  m->base = base;
  m->size = m->mapped = size;
  return m;
}

Mem* MemMap(size_t size) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t mapped = (size + page - 1) / page * page;
  void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  Mem* m = MemAdopt(p, mapped);
  m->size = size;
  return m;
}

void MemRelease(Mem* m) {
  if (m == nullptr || --m->refs > 0) return;
  munmap(m->base, m->mapped);
  delete m;
}

namespace {

void OnViewFinalize(napi_env, void*, void* hint) {
  MemRelease(static_cast<Mem*>(hint));
}

}  // namespace

// A view handed to JS and remembered, to be detached by Close.
napi_value KeptView(Ring* r, Mem* m, size_t offset, size_t size) {
  napi_value ab = MemView(r->env, m, offset, size);
  if (ab == nullptr) return nullptr;
  napi_ref ref;
  napi_create_reference(r->env, ab, 1, &ref);
  r->views.push_back(ref);
  return ab;
}

napi_value MemView(napi_env env, Mem* m, size_t offset, size_t size) {
  napi_value ab;
  if (napi_create_external_arraybuffer(env,
                                       static_cast<uint8_t*>(m->base) + offset,
                                       size, OnViewFinalize, m, &ab) != napi_ok)
    return nullptr;
  m->refs++;
  return ab;
}

namespace {

const napi_type_tag kRingTag = {0x3f6b2d9a1c7e4e05ULL, 0x91d4a8c2b7e3f610ULL};

void Close(Ring* r, bool detach) {
  if (r->closed) return;
  r->closed = true;
  std::vector<std::pair<void (*)(void*), void*>> hooks;
  hooks.swap(r->on_close);
  for (auto& h : hooks) h.first(h.second);
  // Every operation still in the kernel may write to an arena (a recv) or
  // read one (a send). IORING_REGISTER_SYNC_CANCEL (Linux 6.0) cancels them
  // all; then the ring waits, a second at most, until it has seen each one
  // end (uring.h). When it cannot, the buffers stay mapped for the life of
  // the process.
  r->quiesced = false;
  if (r->sq_head != nullptr) {
    io_uring_sync_cancel_reg reg = {};
    reg.fd = -1;
    reg.flags = IORING_ASYNC_CANCEL_ANY;
    reg.timeout.tv_sec = 1;
    syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_SYNC_CANCEL, &reg,
            1);
    for (int i = 0; i < 50 && !r->quiesced; i++) {
      Reap(r, false);
      r->quiesced = InFlight(r) == 0;
      if (r->quiesced) break;
      __kernel_timespec ts = {0, 20 * 1000 * 1000};
      io_uring_getevents_arg arg = {};
      arg.ts = reinterpret_cast<uintptr_t>(&ts);
      syscall(__NR_io_uring_enter, r->fd, 0, 1,
              IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
    }
  }
  close(r->fd);
  r->fd = -1;
  struct stat st;
  if (r->user_fd >= 0 && fstat(r->user_fd, &st) == 0 &&
      st.st_dev == r->user_dev && st.st_ino == r->user_ino)
    close(r->user_fd);
  r->user_fd = -1;
  for (napi_ref ref : r->views) {
    if (detach) {
      napi_value ab;
      if (napi_get_reference_value(r->env, ref, &ab) == napi_ok && ab)
        napi_detach_arraybuffer(r->env, ab);
    }
    napi_delete_reference(r->env, ref);
  }
  r->views.clear();
  MemRelease(r->sqes);
  MemRelease(r->rings);
  MemRelease(r->cq);
  MemRelease(r->staging);
  MemRelease(r->cq_copy);
  r->sqes = r->rings = r->cq = r->staging = r->cq_copy = nullptr;
  r->sq_head = r->sq_tail = r->sq_array = r->sq_flags = nullptr;
  r->cq_head = r->cq_tail = nullptr;
  MsgFreeAll(r);
  for (BufRing& b : r->buf_rings) {
    if (r->quiesced) MemRelease(b.ring);
    MemRelease(b.staging);
  }
  r->buf_rings.clear();
  if (r->quiesced)
    for (Mem* m : r->arenas) MemRelease(m);
  r->arenas.clear();
}

// The environment is going away (a worker exiting): its views go with it,
// so there is nothing to detach, and the memory is freed as their
// finalizers run in the same teardown.
void OnCleanup(void* arg) {
  Ring* r = static_cast<Ring*>(arg);
  r->cleanup_ran = true;
  napi_handle_scope scope;
  bool opened = napi_open_handle_scope(r->env, &scope) == napi_ok;
  Close(r, false);
  if (opened) napi_close_handle_scope(r->env, scope);
}

void OnFinalize(napi_env env, void* data, void*) {
  Ring* r = static_cast<Ring*>(data);
  // A collected ring has no reachable views to detach.
  Close(r, false);
  if (!r->cleanup_ran) napi_remove_env_cleanup_hook(env, OnCleanup, r);
  delete r;
}

// Maps the rings as io_uring_setup(2) describes; 0 or -errno.
int MapRings(Ring* r) {
  const io_uring_params& p = r->params;
  size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  bool single = p.features & IORING_FEAT_SINGLE_MMAP;
  if (single && cq_len > sq_len) sq_len = cq_len;
  int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED | MAP_POPULATE;
  void* sq = mmap(nullptr, sq_len, prot, flags, r->fd, IORING_OFF_SQ_RING);
  if (sq == MAP_FAILED) return -errno;
  r->rings = MemAdopt(sq, sq_len);
  if (!single) {
    void* cq = mmap(nullptr, cq_len, prot, flags, r->fd, IORING_OFF_CQ_RING);
    if (cq == MAP_FAILED) return -errno;
    r->cq = MemAdopt(cq, cq_len);
  }
  size_t sqes_len = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqes_len, prot, flags, r->fd, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) return -errno;
  r->sqes = MemAdopt(sqes, sqes_len);
  r->staging = MemMap(sqes_len);
  r->cq_copy = MemMap(64 + p.cq_entries * sizeof(io_uring_cqe));
  if (r->staging == nullptr || r->cq_copy == nullptr) return -ENOMEM;
  auto* base = static_cast<uint8_t*>(sq);
  r->sq_head = reinterpret_cast<unsigned*>(base + p.sq_off.head);
  r->sq_tail = reinterpret_cast<unsigned*>(base + p.sq_off.tail);
  r->sq_array = reinterpret_cast<unsigned*>(base + p.sq_off.array);
  r->sq_flags = reinterpret_cast<unsigned*>(base + p.sq_off.flags);
  r->sq_mask = *reinterpret_cast<unsigned*>(base + p.sq_off.ring_mask);
  r->last_sq_head = *r->sq_head;
  auto* cqbase = static_cast<uint8_t*>(r->cq ? r->cq->base : sq);
  r->cq_head = reinterpret_cast<unsigned*>(cqbase + p.cq_off.head);
  r->cq_tail = reinterpret_cast<unsigned*>(cqbase + p.cq_off.tail);
  r->cq_mask = *reinterpret_cast<unsigned*>(cqbase + p.cq_off.ring_mask);
  r->cqes = reinterpret_cast<const io_uring_cqe*>(cqbase + p.cq_off.cqes);
  // SQ slot i holds SQE i, always: submit writes SQEs in ring order.
  for (unsigned i = 0; i < p.sq_entries; i++) r->sq_array[i] = i;
  return 0;
}

// uringOpen(entries, params) -> handle, or -errno. Flags the ring object
// cannot serve are a RangeError: SQPOLL (the kernel would read SQEs while
// they are written), SQE128 and CQE32 (other entry sizes), and every flag
// from bit 14 on (NO_MMAP and later, which this header predates).
napi_value Open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  unsigned entries;
  io_uring_params p;
  if (!ArgSetup(env, info, argv, &entries, &p)) return nullptr;
  uint32_t refused = IORING_SETUP_SQPOLL | IORING_SETUP_SQE128 |
                     IORING_SETUP_CQE32 | ~((1u << 14) - 1);
  if (p.flags & refused) {
    ThrowRangeError(env,
                    "params.flags 0x%x has flags the ring object does not "
                    "support (0x%x); io_uring_setup takes them",
                    p.flags, p.flags & refused);
    return nullptr;
  }
  long fd = syscall(__NR_io_uring_setup, entries, &p);
  if (fd < 0) return ResultOrErrno(env, fd);
  Ring* r = new Ring();
  r->env = env;
  r->fd = static_cast<int>(fd);
  r->user_fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
  struct stat st;
  if (r->user_fd >= 0 && fstat(r->user_fd, &st) == 0) {
    r->user_dev = st.st_dev;
    r->user_ino = st.st_ino;
  }
  r->params = p;
  int e = r->user_fd < 0 ? -errno : MapRings(r);
  if (e < 0) {
    Close(r, false);
    delete r;
    return Int(env, e);
  }
  ParamsToJs(env, argv[1], p);
  napi_value handle;
  napi_create_external(env, r, OnFinalize, nullptr, &handle);
  napi_type_tag_object(env, handle, &kRingTag);
  napi_add_env_cleanup_hook(env, OnCleanup, r);
  return handle;
}

}  // namespace

Ring* ArgRing(napi_env env, napi_value v) {
  bool ok = false;
  void* p = nullptr;
  if (v != nullptr &&
      napi_check_object_type_tag(env, v, &kRingTag, &ok) == napi_ok && ok &&
      napi_get_value_external(env, v, &p) == napi_ok)
    return static_cast<Ring*>(p);
  ThrowTypeError(env, "Expected argument 'ring' to be an io_uring handle");
  return nullptr;
}

namespace {

// uringViews(ring) -> [cq, staging]: the copy of the CQ ring that reaping
// fills (uring.h), and the SQE staging area. Made once per ring by
// lib/liburing.ts.
napi_value Views(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  if (r == nullptr) return nullptr;
  if (r->closed) return Int(env, -EBADF);
  const io_uring_params& p = r->params;
  napi_value out, cqv, sv;
  if ((cqv = KeptView(r, r->cq_copy, 0, r->cq_copy->size)) == nullptr ||
      (sv = KeptView(r, r->staging, 0, p.sq_entries * sizeof(io_uring_sqe))) ==
          nullptr)
    return nullptr;
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, cqv);
  napi_set_element(env, out, 1, sv);
  return out;
}

// uringFd(ring) -> the fd JS may use (a dup of the ring's), or -1 once
// closed.
napi_value Fd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  return r ? Int(env, r->user_fd) : nullptr;
}

// uringArena(ring, size) -> ArrayBuffer, or -errno. Arena i (in order of
// creation) is named in SQEs as ArenaRef i; it lives as long as the ring.
napi_value Arena(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  int64_t size;
  if (r == nullptr || !ArgInteger(env, argv[1], "size", 1, UINT32_MAX, &size))
    return nullptr;
  if (r->closed) return Int(env, -EBADF);
  Mem* m = MemMap(static_cast<size_t>(size));
  if (m == nullptr) return Int(env, -ENOMEM);
  r->arenas.push_back(m);
  return KeptView(r, m, 0, static_cast<size_t>(size));
}

// uringClose(ring) -> 0. Cancels what is in flight, closes the fd and
// detaches every view; a no-op once closed.
napi_value CloseRing(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!Args(env, info, argv)) return nullptr;
  Ring* r = ArgRing(env, argv[0]);
  if (r == nullptr) return nullptr;
  Close(r, true);
  return Int(env, 0);
}

}  // namespace

void InitUringRing(napi_env env, napi_value exports) {
  SetFunction(env, exports, "uringOpen", Open);
  SetFunction(env, exports, "uringViews", Views);
  SetFunction(env, exports, "uringFd", Fd);
  SetFunction(env, exports, "uringArena", Arena);
  SetFunction(env, exports, "uringBufRing", UringBufRing);
  SetFunction(env, exports, "uringBufRingAdvance", UringBufRingAdvance);
  SetFunction(env, exports, "uringRegisterBuffers", UringRegisterBuffers);
  SetFunction(env, exports, "uringUnregisterBuffers", UringUnregisterBuffers);
  SetFunction(env, exports, "uringSubmit", UringSubmit);
  SetFunction(env, exports, "uringReap", UringReap);
  SetFunction(env, exports, "uringClose", CloseRing);
}

}  // namespace ps
